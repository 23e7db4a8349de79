package bigdlreg.nn

import scala.reflect.ClassTag

import bigdlreg.TestUtil.{bits, randomTensor}
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** `functional`: for every layer, the bytes a module in the same (seed, step, mode, batch offset) gives. */
class FunctionalSuite extends AnyFunSuite with Matchers {

  private def noiseBits[T](n: Noise[T]): (Seq[Int], Seq[Long]) = n match {
    case Noise.Keep(s, k)      => (s.toSeq, k.toSeq.map(if (_) 1L else 0L))
    case Noise.Factors(values) => (values.shape.toSeq, bits(values).toSeq)
    case Noise.Addends(values) => (values.shape.toSeq, bits(values).toSeq)
  }

  private def sameAsModules[T: ClassTag](implicit ev: TensorNumeric[T]): Unit =
    for (c <- StateCases.all; seed <- Seq(42L, -1L)) {
      val m = c.build[T](seed)
      for (k <- 0 until 5) {
        val training = StateCases.mode(k)
        if (training) m.training() else m.evaluate()
        val batchOffset = if (k == 4) 3L else 0L
        val step = m.getStep
        val x = c.input[T](k.toLong); val g = c.input[T](100L + k)
        val y = functional.forward(c.spec, c.args, x, seed, step, training, batchOffset)
        bits(y) shouldBe bits(m.forward(x, batchOffset))
        bits(functional.backward(c.spec, c.args, g, seed, step, training, batchOffset)) shouldBe bits(m.backward(x, g))
        if (training)
          noiseBits(functional.noise[T](c.spec, c.args, c.shape, seed, step, batchOffset)) shouldBe noiseBits(m.noise())
      }
    }

  test("functional.forward/backward/noise equal the modules' bytes for every layer, float32") { sameAsModules[Float] }
  test("functional.forward/backward/noise equal the modules' bytes for every layer, float64") { sameAsModules[Double] }

  test("the named functions are the generic ones with the layer's arguments; apply, backward and noise") {
    val x = randomTensor[Float](Array(3, 4, 5, 6), 1L)
    val x3 = randomTensor[Float](Array(3, 4, 5), 2L)
    val x5 = randomTensor[Float](Array(2, 3, 4, 5, 2), 3L)
    val ns = NoiseShape(None, 1, None, None)
    for (training <- Seq(true, false)) {
      import functional._
      val named = Seq(
        (dropout(0.3, 9L, 4L, training, scale = false, noiseShape = ns, batchOffset = 2L), Dropout,
          LayerArgs(0.3, scale = false, noiseShape = ns), x),
        (gaussianDropout(0.2, 9L, 4L, training, ns, 2L), GaussianDropout, LayerArgs(0.2, noiseShape = ns), x),
        (gaussianNoise(0.5, 9L, 4L, training, ns, 2L), GaussianNoise, LayerArgs(0.5, noiseShape = ns), x),
        (spatialDropout1d(0.4, 9L, 4L, training, 2L), SpatialDropout1D, LayerArgs(0.4), x3),
        (spatialDropout2d(0.4, DataFormat.NHWC, 9L, 4L, training, 2L), SpatialDropout2D,
          LayerArgs(0.4, format = DataFormat.NHWC), x),
        (spatialDropout3d(0.4, DataFormat.NCHW, 9L, 4L, training, 2L), SpatialDropout3D, LayerArgs(0.4), x5),
        (alphaDropout(0.1, 9L, 4L, training, ns, 2L), AlphaDropout, LayerArgs(0.1, noiseShape = ns), x),
        (featureAlphaDropout(0.1, DataFormat.NHWC, 9L, 4L, training, 2L), FeatureAlphaDropout,
          LayerArgs(0.1, format = DataFormat.NHWC), x5))
      named.map(_._2.name) shouldBe Layers.names
      for ((f, spec, args, in) <- named) {
        (f.seed, f.step, f.training, f.batchOffset) shouldBe ((9L, 4L, training, 2L))
        (f.config.spec, f.config.args) shouldBe ((spec, args))
        bits(f(in)) shouldBe bits(forward(spec, args, in, 9L, 4L, training, 2L))
        bits(f.backward(in)) shouldBe bits(backward(spec, args, in, 9L, 4L, training, 2L))
        noiseBits(f.noise[Float](in.shape)) shouldBe noiseBits(noise[Float](spec, args, in.shape, 9L, 4L, 2L))
      }
    }
    // the defaults: p = 0.5, step 0, training, scaled, no noise shape, offset 0
    bits(functional.dropout(seed = 9L)(x)) shouldBe bits(Dropout[Float](seed = 9L).forward(x))
  }

  test("functional never writes its argument (inplace is ignored) and returns a new tensor") {
    val x = randomTensor[Double](Array(64), 5L)
    val before = bits(x).toSeq
    val y = functional.forward(Dropout, LayerArgs(0.5, inplace = true), x, 1L, 0L, training = true, batchOffset = 0L)
    bits(x).toSeq shouldBe before
    (y.storage eq x.storage) shouldBe false
    bits(y) shouldBe bits(Dropout[Double](0.5, seed = 1L).forward(x))
  }

  test("functional checks its arguments as the constructors and forwards do") {
    val x = Tensor.ones[Float](2, 3)
    the[IllegalArgumentException] thrownBy functional.dropout(p = 1.5, seed = 1L) should have message
      "Dropout: init_p must be in [0, 1], got 1.5"
    the[IllegalArgumentException] thrownBy functional.spatialDropout2d(seed = 1L)(x) should have message
      "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)"
    the[IllegalArgumentException] thrownBy functional.dropout(seed = 1L, batchOffset = -1L)(x) should have message
      "Dropout: batch_offset must be >= 0, got -1"
    the[IllegalArgumentException] thrownBy functional.dropout(seed = 1L)(null: Tensor[Float]) should have message
      "Dropout: input is null"
  }
}
