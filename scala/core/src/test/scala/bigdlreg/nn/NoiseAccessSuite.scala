package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** `NoiseModule.noise()`: the noise of the most recent training forward,
  * recomputed from (seed, step), for every layer.
  */
class NoiseAccessSuite extends AnyFunSuite with Matchers {

  test("noise() before any training forward is an IllegalStateException") {
    val d = Dropout[Float](0.5, seed = Some(1L))
    intercept[IllegalStateException](d.noise()).getMessage shouldBe "Dropout: noise() called before any training forward"
    d.evaluate().forward(Tensor.ones[Float](3))
    intercept[IllegalStateException](d.noise()).getMessage shouldBe "Dropout: noise() called before any training forward"
  }

  test("keep masks, factors and addends explain the forward exactly") {
    val shape = Array(3, 4, 5)
    val x = randomTensor[Double](shape, 2L)
    val ns = Some(Seq(None, Some(1), None))
    val noiseCells = Array(3, 1, 5)
    def cellOfE(e: Int) = cellOf(shape, noiseCells, e).toInt

    val d = Dropout[Double](0.4, seed = Some(6L), noiseShape = ns)
    val yd = d.forward(x).storage
    val keep = d.noise() match { case Noise.Keep(s, k) => s.toSeq shouldBe noiseCells.toSeq; k; case o => fail(s"$o") }
    yd.indices.foreach(e => yd(e) shouldBe (if (keep(cellOfE(e))) x.storage(e) * (1.0 / 0.6) else 0.0))

    val gd = GaussianDropout[Double](0.3, seed = Some(6L), noiseShape = ns)
    val yg = gd.forward(x).storage
    val f = gd.noise() match { case Noise.Factors(v) => v; case o => fail(s"$o") }
    f.shape.toSeq shouldBe noiseCells.toSeq
    yg.indices.foreach(e => yg(e) shouldBe x.storage(e) * f.storage(cellOfE(e)))

    val gn = GaussianNoise[Double](0.3, seed = Some(6L), noiseShape = ns)
    val yn = gn.forward(x).storage
    val add = gn.noise() match { case Noise.Addends(v) => v; case o => fail(s"$o") }
    yn.indices.foreach(e => yn(e) shouldBe x.storage(e) + add.storage(cellOfE(e)))

    val s2 = SpatialDropout2D[Double](0.5, DataFormat.NHWC, Some(6L))
    s2.forward(Tensor.ones[Double](2, 3, 3, 4))
    s2.noise().shape.toSeq shouldBe Seq(2, 1, 1, 4)
  }

  test("noise() is the most recent training forward's: evaluate forwards and setSeed leave it") {
    val m = AlphaDropout[Float](0.5, seed = Some(2L))
    val x = Tensor.ones[Float](64)
    m.forward(x)
    val first = m.noise().asInstanceOf[Noise.Keep[Float]].keep.toSeq
    m.forward(x)
    val second = m.noise().asInstanceOf[Noise.Keep[Float]].keep.toSeq
    second should not be first
    m.evaluate().forward(Tensor.ones[Float](7))
    m.setSeed(99L)
    m.noise().asInstanceOf[Noise.Keep[Float]].keep.toSeq shouldBe second
    m.noise().shape.toSeq shouldBe Seq(64)
    m.getStep shouldBe 0L // noise() never advances the step
  }

  test("edge parameters: p = 0 keeps all, p = 1 drops all, rate 0 gives factors 1, stddev 0 addends +0") {
    def keep(m: NoiseModule[Float]) = { m.forward(Tensor.ones[Float](5)); m.noise().asInstanceOf[Noise.Keep[Float]].keep.toSeq }
    keep(Dropout[Float](0.0)) shouldBe Seq.fill(5)(true)
    keep(Dropout[Float](1.0)) shouldBe Seq.fill(5)(false)
    keep(AlphaDropout[Float](0.0)) shouldBe Seq.fill(5)(true)
    val gd = GaussianDropout[Float](0.0); gd.forward(Tensor.ones[Float](5))
    gd.noise() shouldBe Noise.Factors(Tensor.ones[Float](5))
    val gn = GaussianNoise[Float](0.0); gn.forward(Tensor.ones[Float](5))
    gn.noise() shouldBe Noise.Addends(Tensor.zeros[Float](5))
    val scalar = Dropout[Float](0.5, seed = Some(3L)); scalar.forward(Tensor.scalar(2f))
    scalar.noise().shape.toSeq shouldBe Seq()
  }

  test("restoreState restores the noise of a restored training forward") {
    val a = Dropout[Float](0.5, seed = Some(4L))
    a.forward(Tensor.ones[Float](40)); a.forward(Tensor.ones[Float](40))
    val b = bigdlreg.Restore(Dropout[Float](0.5, seed = Some(77L)), 4L, 2L, training = true, Some((4L, 1L, true, Array(40))))
    b.noise().asInstanceOf[Noise.Keep[Float]].keep.toSeq shouldBe a.noise().asInstanceOf[Noise.Keep[Float]].keep.toSeq
  }
}
