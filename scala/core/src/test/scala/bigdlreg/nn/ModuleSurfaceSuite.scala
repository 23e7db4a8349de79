package bigdlreg.nn

import bigdlreg.TestUtil.{bits, randomTensor}
import bigdlreg.rng.RNG
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** BigDL's module surface in Scala: resampling, plain seeds, Keras-style noise
  * shapes, getP / setP, setName / getName, clearState. */
class ModuleSurfaceSuite extends AnyFunSuite with Matchers {

  private def msg(f: => Any): String = (the[IllegalArgumentException] thrownBy f).getMessage

  private def at(m: NoiseModule[Float], x: Tensor[Float], step: Long, offset: Long = 0L) =
    bits(functional.forward(m.spec, m.layerArgs, x, m.getSeed, step, training = true, batchOffset = offset))

  test("resampling off: a training forward of the last training forward's noise shape reuses its noise, step kept") {
    val m = Dropout[Float](0.5, seed = 11L)
    m.isResampling shouldBe true
    m.setResampling(false) should be theSameInstanceAs m
    m.isResampling shouldBe false
    val x = randomTensor[Float](Array(4, 8), 1L)
    val first = bits(m.forward(x)).toSeq // no previous training forward: draws at step 0 and advances
    first shouldBe at(m, x, 0L).toSeq
    m.getStep shouldBe 1L
    val x2 = randomTensor[Float](Array(4, 8), 2L)
    bits(m.forward(x2)) shouldBe at(m, x2, 0L) // the same noise, the step stays
    m.getStep shouldBe 1L
    bits(m.backward(x2, x2)) shouldBe bits(functional.backward(Dropout, m.layerArgs, x2, 11L, 0L, true, 0L))
    // an evaluate forward in between changes nothing
    m.evaluate().forward(x); m.training()
    bits(m.forward(x)) shouldBe first
    // another noise shape: draws at the current step and advances; then that one is reused
    val y = randomTensor[Float](Array(3, 8), 3L)
    bits(m.forward(y)) shouldBe at(m, y, 1L)
    m.getStep shouldBe 2L
    bits(m.forward(y)) shouldBe at(m, y, 1L)
    m.lastTrainingForward.map(r => (r.seed, r.step)) shouldBe Some((11L, 1L))
    val keep = m.noise().asInstanceOf[Noise.Keep[Float]].keep.toSeq // noise() follows the forward used
    keep shouldBe functional.noise[Float](Dropout, m.layerArgs, Array(3, 8), 11L, 1L, 0L).asInstanceOf[Noise.Keep[Float]].keep.toSeq
    // back on: every training forward draws anew
    m.setResampling(true)
    bits(m.forward(y)) shouldBe at(m, y, 2L)
    m.getStep shouldBe 3L
  }

  test("resampling off: the reused noise is taken at this call's batch offset") {
    val m = GaussianNoise[Float](0.5, seed = 5L).setResampling(false)
    val a = randomTensor[Float](Array(2, 6), 1L)
    m.forward(a, 0L)
    bits(m.forward(a, 2L)) shouldBe at(m, a, 0L, offset = 2L) // same slice noise shape: (seed, step 0) at rows 2..3
    m.getStep shouldBe 1L
  }

  test("a seed is a plain Long or non-negative Int; Seed.Global (the default) is the global seeder") {
    val x = randomTensor[Float](Array(64), 4L)
    bits(Dropout[Float](0.5, seed = 42).forward(x)) shouldBe bits(Dropout[Float](0.5, seed = 42L).forward(x))
    Dropout[Float](0.5, seed = -1L).getSeed shouldBe -1L // 2^64 - 1
    RNG.seedToString(Dropout[Float](0.5, seed = -1L).getSeed) shouldBe "18446744073709551615"
    msg(Dropout[Float](0.5, seed = -1)) shouldBe "seed must be in [0, 18446744073709551615], got -1"
    GaussianNoise[Double](0.1, seed = 7).getSeed shouldBe 7L
    new SpatialDropout2D[Float](0.5, DataFormat.NHWC, 3L).getSeed shouldBe 3L
    RNG.setSeed(99L)
    val a = Dropout[Float](0.5).getSeed
    RNG.setSeed(99L)
    Dropout[Float](0.5, seed = Seed.Global).getSeed shouldBe a
    Seed(5L) shouldBe (5L: Seed)
    Seed.Global.toString shouldBe "Seed.Global"
  }

  test("noiseShape without Some: NoiseShape(None, 1, None)") {
    NoiseShape(None, 1, None) shouldBe Some(Seq(None, Some(1), None))
    NoiseShape() shouldBe Some(Seq())
    val x = randomTensor[Double](Array(3, 4, 5), 2L)
    val short = Dropout[Double](0.4, seed = 8L, noiseShape = NoiseShape(None, 1, None))
    val long = Dropout[Double](0.4, seed = 8L, noiseShape = Some(Seq(None, Some(1), None)))
    bits(short.forward(x)) shouldBe bits(long.forward(x))
    short.noiseShape shouldBe long.noiseShape
    GaussianDropout[Double](0.2, seed = 8L, noiseShape = NoiseShape(None, 1, 5)).noiseShape shouldBe
      Some(Seq(None, Some(1), Some(5)))
    AlphaDropout[Float](0.2, noiseShape = NoiseShape(1)).noiseShape shouldBe Some(Seq(Some(1)))
    GaussianNoise[Float](0.2, noiseShape = NoiseShape(None)).noiseShape shouldBe Some(Seq(None))
  }

  test("every parameter is readable under its Scala name") {
    val d = Dropout[Float](0.3, inplace = true, scale = false, seed = 1L, noiseShape = NoiseShape(None))
    (d.initP, d.p, d.getP(), d.inplace, d.scale, d.noiseShape) shouldBe ((0.3, 0.3, 0.3, true, false, Some(Seq(None))))
    GaussianDropout[Float](0.2).rate shouldBe 0.2
    GaussianNoise[Float](0.7).stddev shouldBe 0.7
    SpatialDropout1D[Float](0.1).initP shouldBe 0.1
    SpatialDropout2D[Float](0.1, DataFormat.NHWC).format shouldBe DataFormat.NHWC
    SpatialDropout3D[Float](0.1).format shouldBe DataFormat.NCHW
    AlphaDropout[Float](0.1).initP shouldBe 0.1
    FeatureAlphaDropout[Float](0.1, DataFormat.NHWC).format shouldBe DataFormat.NHWC
  }

  test("setP and getP on every mask layer: the next forward uses the new p, the last forward's backward the old") {
    val cases: Seq[(NoiseModule[Float] with DropProbability, Array[Int])] = Seq(
      Dropout[Float](0.5, seed = 3L) -> Array(4, 6),
      SpatialDropout1D[Float](0.5, seed = 3L) -> Array(4, 6, 5),
      SpatialDropout2D[Float](0.5, DataFormat.NHWC, 3L) -> Array(3, 4, 5, 6),
      SpatialDropout3D[Float](0.5, seed = 3L) -> Array(2, 3, 4, 5, 2),
      AlphaDropout[Float](0.5, seed = 3L) -> Array(4, 6),
      FeatureAlphaDropout[Float](0.5, seed = 3L) -> Array(3, 4, 5, 6))
    cases.map(_._1.layerName) shouldBe Layers.names.filterNot(Set("GaussianDropout", "GaussianNoise"))
    for ((m, shape) <- cases) {
      val x = randomTensor[Float](shape, 1L)
      m.getP() shouldBe 0.5
      m.forward(x)
      val oldArgs = m.layerArgs
      m.setP(0.2) should be theSameInstanceAs m
      (m.p, m.getP(), m.getStep, m.getSeed) shouldBe ((0.2, 0.2, 1L, 3L))
      bits(m.backward(x, x)) shouldBe bits(functional.backward(m.spec, oldArgs, x, 3L, 0L, true, 0L))
      bits(m.forward(x)) shouldBe at(m, x, 1L)
      m.layerArgs shouldBe oldArgs.copy(value = 0.2)
    }
    msg(AlphaDropout[Float]().setP(1.0)) shouldBe "AlphaDropout: init_p must be in [0, 1), got 1.0"
  }

  test("setName / getName and clearState") {
    val m = SpatialDropout2D[Float](0.5, seed = 2L)
    m.getName() shouldBe "SpatialDropout2D"
    m.setName("drop") should be theSameInstanceAs m
    m.getName() shouldBe "drop"
    m.toString shouldBe "SpatialDropout2D(0.5, NCHW)" // a label only: messages and toString name the layer
    msg(m.forward(Tensor.ones[Float](2, 3))) should startWith("SpatialDropout2D: ")
    val x = randomTensor[Float](Array(2, 3, 4, 4), 1L)
    val y = bits(m.forward(x)).toSeq
    val g = bits(m.backward(x, x)).toSeq
    m.clearState() should be theSameInstanceAs m
    (m.output.nElement(), m.gradInput.nElement(), m.getStep) shouldBe ((0, 0, 1L))
    bits(m.backward(x, x)).toSeq shouldBe g // seed, step and the last forward stay
    m.lastForward.map(_.step) shouldBe Some(0L)
    y should not be empty
  }
}
