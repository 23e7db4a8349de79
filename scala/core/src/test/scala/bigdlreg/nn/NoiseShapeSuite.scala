package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** Keras `noise_shape` (validation, broadcasting) and the Spatial layers as
  * Dropout with a fixed noise shape and no rescale.
  */
class NoiseShapeSuite extends AnyFunSuite with Matchers {

  private def msg(f: => Any): String = intercept[IllegalArgumentException](f).getMessage

  test("the Spatial layers are Dropout(scale = false) with a fixed noise shape: same bits") {
    val cases: Seq[(Dropout[Float], Array[Int], Seq[Option[Int]])] = Seq(
      (SpatialDropout1D[Float](0.3, seed = 5L), Array(3, 7, 5), Seq(None, Some(1), None)),
      (SpatialDropout1D[Float](0.3, seed = 5L), Array(7, 5), Seq(Some(1), None)),
      (SpatialDropout2D[Float](0.3, DataFormat.NCHW, 5L), Array(2, 3, 4, 5), Seq(None, None, Some(1), Some(1))),
      (SpatialDropout2D[Float](0.3, DataFormat.NHWC, 5L), Array(3, 4, 5), Seq(Some(1), Some(1), None)),
      (SpatialDropout3D[Float](0.3, DataFormat.NCHW, 5L), Array(2, 3, 2, 3, 4), Seq(None, None, Some(1), Some(1), Some(1))),
      (SpatialDropout3D[Float](0.3, DataFormat.NHWC, 5L), Array(3, 2, 3, 4), Seq(Some(1), Some(1), Some(1), None)))
    for ((spatial, shape, ns) <- cases) withClue(s"$spatial ${shape.mkString("x")}: ") {
      val dropout = Dropout[Float](0.3, scale = false, seed = 5L, noiseShape = Some(ns))
      val x = randomTensor[Float](shape, 4L, specials = true)
      for (mode <- Seq("train", "eval", "train")) {
        if (mode == "train") { spatial.training(); dropout.training() } else { spatial.evaluate(); dropout.evaluate() }
        bits(spatial.forward(x)) shouldBe bits(dropout.forward(x))
        bits(spatial.backward(x, x)) shouldBe bits(dropout.backward(x, x))
      }
      spatial.noiseShapeFor(shape).toSeq shouldBe dropout.noiseShapeFor(shape).toSeq
    }
  }

  test("a noise shape shares the draw along its 1 axes and broadcasts") {
    val x = Tensor.ones[Double](4, 6, 5)
    val y = Dropout[Double](0.5, seed = 3L, noiseShape = Some(Seq(None, Some(1), Some(5)))).forward(x)
    for (i <- 0 until 4; k <- 0 until 5; j <- 1 until 6) y(i, j, k) shouldBe y(i, 0, k)
    val g = GaussianNoise[Double](1.0, seed = 3L, noiseShape = Some(Seq(Some(1), Some(1), None))).forward(x)
    for (i <- 0 until 4; j <- 0 until 6; k <- 0 until 5) g(i, j, k) shouldBe g(0, 0, k)
    // all None = the default elementwise noise, bit for bit
    val z = randomTensor[Double](Array(4, 6, 5), 1L, specials = true)
    bits(GaussianDropout[Double](0.3, seed = 9L, noiseShape = Some(Seq(None, None, None))).forward(z)) shouldBe
      bits(GaussianDropout[Double](0.3, seed = 9L).forward(z))
  }

  test("bad noise shapes: clear errors naming the axis, input untouched, step unchanged") {
    msg(Dropout[Float](0.5, noiseShape = Some(Seq(None, Some(-2))))) shouldBe
      "Dropout: noise_shape[1] must be None or an integer >= 0, got -2"
    msg(AlphaDropout[Float](0.5, noiseShape = null)) shouldBe "AlphaDropout: noise_shape is null (use None)"
    val d = Dropout[Float](0.5, seed = 1L, noiseShape = Some(Seq(None, Some(3))))
    val x = Tensor.ones[Float](2, 5)
    msg(d.forward(x)) shouldBe "Dropout: noise_shape[1] is 3 but the input shape (2, 5) has size 5 on axis 1 (allowed: 1, 5 or None)"
    msg(d.forward(Tensor.ones[Float](2, 3, 4))) shouldBe
      "Dropout: noise_shape (None, 3) has rank 2 but the input shape (2, 3, 4) has rank 3"
    msg(GaussianNoise[Float](1.0, noiseShape = Some(Seq())).forward(Tensor.ones[Float](2))) shouldBe
      "GaussianNoise: noise_shape () has rank 0 but the input shape (2) has rank 1"
    msg(GaussianDropout[Float](0.1, noiseShape = Some(Seq(Some(2)))).forward(Tensor.ones[Float](3))) shouldBe
      "GaussianDropout: noise_shape[0] is 2 but the input shape (3) has size 3 on axis 0 (allowed: 1, 3 or None)"
    x shouldBe Tensor.ones[Float](2, 5)
    d.getStep shouldBe 0L
    d.forward(Tensor.ones[Float](2, 3)).shape.toSeq shouldBe Seq(2, 3) // size = the input's is fine
    d.toString shouldBe "Dropout(0.5, noise_shape=(None, 3))"
  }

  test("a noise_shape that fits the slice but not the logical batch names the input shape") {
    val d = Dropout[Float](0.5, seed = 1L, noiseShape = Some(Seq(Some(2), None, None)))
    msg(d.forward(Tensor.ones[Float](2, 3, 4), 3L)) shouldBe
      "Dropout: noise_shape[0] does not fit the input shape (2, 3, 4) at batch_offset 3: the input is rows 3 to 4 " +
        "of a batch of 5, so noise_shape[0] must be 1, 5 or None"
    d.getStep shouldBe 0L
  }
}
