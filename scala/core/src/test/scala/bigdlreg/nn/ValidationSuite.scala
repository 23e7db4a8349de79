package bigdlreg.nn

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** Every invalid constructor argument gives an IllegalArgumentException with
  * the exact message of docs/contract.md, "Validation".
  */
class ValidationSuite extends AnyFunSuite with Matchers {

  private def msg(f: => Any): String = (the[IllegalArgumentException] thrownBy f).getMessage

  test("Dropout init_p in [0, 1]") {
    msg(Dropout[Float](1.5)) shouldBe "Dropout: init_p must be in [0, 1], got 1.5"
    msg(Dropout[Float](-0.5)) shouldBe "Dropout: init_p must be in [0, 1], got -0.5"
    msg(Dropout[Double](Double.NaN)) shouldBe "Dropout: init_p must be in [0, 1], got NaN"
    msg(Dropout[Float](Double.PositiveInfinity)) shouldBe "Dropout: init_p must be in [0, 1], got Infinity"
    noException should be thrownBy Dropout[Float](0.0)
    noException should be thrownBy Dropout[Float](1.0)
  }

  test("Spatial init_p in [0, 1]") {
    msg(SpatialDropout1D[Float](2.0)) shouldBe "SpatialDropout1D: init_p must be in [0, 1], got 2.0"
    msg(SpatialDropout2D[Float](-1.0)) shouldBe "SpatialDropout2D: init_p must be in [0, 1], got -1.0"
    msg(SpatialDropout3D[Float](Double.NaN, DataFormat.NHWC)) shouldBe "SpatialDropout3D: init_p must be in [0, 1], got NaN"
    noException should be thrownBy SpatialDropout3D[Float](1.0)
  }

  test("GaussianDropout rate in [0, 1)") {
    msg(GaussianDropout[Float](1.0)) shouldBe "GaussianDropout: rate must be in [0, 1), got 1.0"
    msg(GaussianDropout[Float](-0.1)) shouldBe "GaussianDropout: rate must be in [0, 1), got -0.1"
    msg(GaussianDropout[Double](Double.NaN)) shouldBe "GaussianDropout: rate must be in [0, 1), got NaN"
    noException should be thrownBy GaussianDropout[Float](0.0)
    noException should be thrownBy GaussianDropout[Float](0.999)
  }

  test("GaussianNoise stddev >= 0 and finite") {
    msg(GaussianNoise[Float](-1.0)) shouldBe "GaussianNoise: stddev must be in [0, inf), got -1.0"
    msg(GaussianNoise[Float](Double.PositiveInfinity)) shouldBe "GaussianNoise: stddev must be in [0, inf), got Infinity"
    msg(GaussianNoise[Float](Double.NaN)) shouldBe "GaussianNoise: stddev must be in [0, inf), got NaN"
    noException should be thrownBy GaussianNoise[Float](0.0)
    noException should be thrownBy GaussianNoise[Float](1e300)
  }

  test("seeds given as integers") {
    Validation.seed("Dropout", BigInt("18446744073709551615")) shouldBe -1L
    Validation.seed("Dropout", BigInt(0)) shouldBe 0L
    msg(Validation.seed("Dropout", BigInt(-1))) shouldBe "Dropout: seed must be in [0, 18446744073709551615], got -1"
    msg(Validation.seed("Dropout", BigInt("18446744073709551616"))) shouldBe
      "Dropout: seed must be in [0, 18446744073709551615], got 18446744073709551616"
  }

  test("seed = null is rejected; explicit seeds are kept as unsigned bits") {
    msg(new Dropout[Float](0.5, false, true, null)) shouldBe "Dropout: seed is null (use None)"
    Dropout[Float](seed = -1L).getSeed shouldBe -1L
  }

  test("shape formatting") {
    Validation.formatShape(Array(2, 3)) shouldBe "(2, 3)"
    Validation.formatShape(Array(5)) shouldBe "(5)"
    Validation.formatShape(Array[Int]()) shouldBe "()"
  }

  test("null inputs") {
    msg(Dropout[Float]().forward(null)) shouldBe "Dropout: input is null"
  }
}
