package bigdlreg.javaapi

import org.scalatest.funsuite.AnyFunSuite

import bigdlreg.TestUtil
import bigdlreg.nn._
import bigdlreg.tensor.{Tensor, TensorNumeric}

/** The Java API gives the Scala API's modules: the same bytes for the same seed, the same
  * error messages for bad arguments. [[JavaCalls]] (Java source) makes the modules compared here. */
class JavaApiSuite extends AnyFunSuite {

  /** The Scala API's modules for the settings of `JavaCalls.everyLayer`, in its order. */
  private def scalaModules[T](implicit ev: TensorNumeric[T]): Seq[NoiseModule[T]] = Seq(
    Dropout[T](0.3, scale = false, seed = 42L, noiseShape = NoiseShape(None, 1)),
    GaussianDropout[T](0.2, seed = 42L, noiseShape = NoiseShape(1, None)),
    GaussianNoise[T](0.1, seed = 42L, noiseShape = NoiseShape(None, None)),
    SpatialDropout1D[T](0.4, seed = 42L),
    SpatialDropout2D[T](0.4, DataFormat.NHWC, seed = 42L),
    SpatialDropout3D[T](format = DataFormat.NCHW, seed = -1L),
    AlphaDropout[T](0.25, seed = 42L, noiseShape = NoiseShape(None, 1)),
    FeatureAlphaDropout[T](0.25, DataFormat.NHWC, seed = 7L))

  /** An input each layer accepts: rank 2 for the noise-shape layers, 3 to 5 for the channel ones. */
  private def inputFor(layer: String): Array[Int] = layer match {
    case "SpatialDropout1D"                          => Array(2, 3, 4)
    case "SpatialDropout2D" | "FeatureAlphaDropout" => Array(2, 3, 2, 4)
    case "SpatialDropout3D"                          => Array(2, 3, 2, 2, 2)
    case _                                           => Array(4, 6)
  }

  private def sameBytes[T](dtype: String)(implicit ev: TensorNumeric[T]): Unit = {
    val fromJava = JavaCalls.everyLayer(dtype).toSeq.map(_.asInstanceOf[NoiseModule[T]])
    val fromScala = scalaModules[T]
    assert(fromJava.map(_.layerName) == Layers.names)
    for ((j, s) <- fromJava.zip(fromScala)) {
      assert(j.getClass == s.getClass)
      assert(j.layerArgs == s.layerArgs && j.getSeed == s.getSeed, j.layerName)
      val x = TestUtil.randomTensor[T](inputFor(j.layerName), seed = 3L, specials = true)
      for (_ <- 0 until 2) { // two training steps, then evaluate
        assert(TestUtil.bits(j.forward(x)) sameElements TestUtil.bits(s.forward(x)), j.layerName)
        assert(TestUtil.bits(j.backward(x, x)) sameElements TestUtil.bits(s.backward(x, x)), j.layerName)
      }
      assert(TestUtil.bits(j.evaluate().forward(x)) sameElements TestUtil.bits(s.evaluate().forward(x)), j.layerName)
    }
  }

  test("every layer and setting, float32: the Scala API's bytes") { sameBytes[Float]("float32") }
  test("every layer and setting, float64: the Scala API's bytes") { sameBytes[Double]("float64") }

  test("a builder makes float and double modules alike; without a seed each build draws the global seeder's next") {
    val b = NoiseLayers.gaussianNoise(0.1).seed(5L)
    assert(b.buildFloat().getSeed == 5L && b.buildDouble().getSeed == 5L)
    bigdlreg.rng.RNG.setSeed(11L)
    val first = NoiseLayers.dropout().buildFloat().getSeed
    bigdlreg.rng.RNG.setSeed(11L)
    assert(Dropout[Float]().getSeed == first)
  }

  test("inplace Dropout from Java: the Scala module's bytes, written into the caller's arrays") {
    val input = Array.tabulate(16)(i => (i + 1).toFloat)
    val yg = JavaCalls.inplaceDropout(input.clone(), 2, 8)
    val (y, g) = (yg(0), yg(1))
    val d = Dropout[Float](inplace = true, seed = 42L)
    val x = Tensor[Float](input.clone(), Array(2, 8))
    val sy = d.forward(x)
    assert(sy.storage eq x.storage)
    assert(TestUtil.floatBits(y) sameElements TestUtil.floatBits(sy.storage))
    assert(TestUtil.floatBits(g) sameElements TestUtil.floatBits(d.backward(x, Tensor.ones[Float](2, 8)).storage))
  }

  test("typed modules: a SpatialDropout2D<Object> with getP, float64") {
    val input = Array.tabulate(12)(i => i.toDouble - 6)
    val expected = SpatialDropout2D[Double](0.6, seed = 7L).forward(Tensor[Double](input.clone(), Array(1, 2, 2, 3)))
    assert(TestUtil.doubleBits(JavaCalls.spatial2D(0.6, input, 1, 2, 2, 3)) sameElements TestUtil.doubleBits(expected.storage))
  }

  test("fromState: the module continues where the state's module was (from Java: global seeder, JSON checkpoint)") {
    val input = Array.tabulate(8)(_.toDouble)
    val r = JavaCalls.resumed(13L, input, 2, 4)
    bigdlreg.rng.RNG.setSeed(13L)
    val s = AlphaDropout[Double](0.3)
    val x = Tensor[Double](input, Array(2, 4))
    s.forward(x)
    val second = s.forward(x)
    assert(TestUtil.doubleBits(r(0)) sameElements TestUtil.doubleBits(second.storage))
    assert(TestUtil.doubleBits(r(1)) sameElements TestUtil.doubleBits(second.storage))
    val d = NoiseLayers.alphaDropout(0.3).seed(9L).buildDouble()
    d.forward(x)
    val e = intercept[IllegalArgumentException](NoiseLayers.fromStateFloat(d.getState))
    assert(e.getMessage == intercept[IllegalArgumentException](Layers.fromState[Float](d.getState)).getMessage)
  }

  /** The message of the `IllegalArgumentException` `f` throws. */
  private def message(f: => Any): String = intercept[IllegalArgumentException](f).getMessage

  test("bad arguments: the Scala API's messages") {
    assert(message(NoiseLayers.dropout(1.5).buildFloat()) == message(Dropout[Float](1.5)))
    assert(message(NoiseLayers.gaussianDropout(1.0).buildDouble()) == message(GaussianDropout[Double](1.0)))
    assert(message(NoiseLayers.gaussianNoise(Double.NaN).buildFloat()) == message(GaussianNoise[Float](Double.NaN)))
    assert(message(NoiseLayers.alphaDropout(1.0).buildFloat()) == message(AlphaDropout[Float](1.0)))
    assert(message(NoiseLayers.featureAlphaDropout(-0.1).buildFloat()) == message(FeatureAlphaDropout[Float](-0.1)))
    assert(message(NoiseLayers.spatialDropout1D(2.0).buildFloat()) == message(SpatialDropout1D[Float](2.0)))
    assert(message(NoiseLayers.dropout().noiseShape(null, -2).buildFloat()) ==
      message(Dropout[Float](noiseShape = NoiseShape(None, -2))))
    // a setting the layer does not take: the layer table's message, as for LayerSpec.build
    assert(message(NoiseLayers.gaussianNoise(0.1).scale(false).buildFloat()) == "GaussianNoise has no parameter scale")
    assert(message(NoiseLayers.spatialDropout1D().noiseShape(1, 1).buildFloat()) ==
      message(SpatialDropout1D.build[Float](LayerArgs(0.5, noiseShape = NoiseShape(1, 1)))))
    assert(message(NoiseLayers.dropout().dataFormat("NHWC").buildFloat()) == "Dropout has no parameter data_format")
    assert(message(NoiseLayers.alphaDropout().inplace(true).buildFloat()) == "AlphaDropout has no parameter inplace")
    // a data format is parsed as Python's is, naming the layer
    assert(message(NoiseLayers.spatialDropout2D().dataFormat("NCWH")) == message(DataFormat.parse("SpatialDropout2D", "NCWH")))
    assert(message(NoiseLayers.spatialDropout3D().dataFormat(null)) ==
      """SpatialDropout3D: data_format must be "NCHW" or "NHWC", got "null"""")
  }

  test("a tensor of the other element type (Java's types allow it): a clear message") {
    assert(message(JavaCalls.float64IntoFloat32(false)) == "Dropout: input is a float64 tensor, the layer is float32")
    assert(message(JavaCalls.float64IntoFloat32(true)) == "Dropout: gradOutput is a float64 tensor, the layer is float32")
  }

  test("noiseShape: null entries are Keras' None, no entries rank 0, a null array no noise shape") {
    val b = NoiseLayers.dropout()
    assert(b.noiseShape(null, 1).buildFloat().noiseShape == NoiseShape(None, 1))
    assert(b.noiseShape().buildFloat().noiseShape == NoiseShape())
    assert(JavaCalls.nullNoiseShape().noiseShape.isEmpty)
  }

  test("Tensors: arrays in (shared), arrays out (copies), element types checked") {
    val a = Array(1f, 2f, 3f, 4f, 5f, 6f)
    val t = Tensors.of(a, 2, 3)
    assert(t.storage eq a)
    assert(t.shape sameElements Array(2, 3))
    val out = Tensors.toFloatArray(t)
    assert((out ne a) && (out sameElements a))
    assert(Tensors.of(Array(2.5), 1).dtype == "float64")
    assert(Tensors.of(Array(2.5f)).dim() == 0)
    assert(Tensors.onesLike(t) == Tensor.ones[Float](2, 3))
    assert(message(Tensors.of(a, 4, 2)) == message(Tensor[Float](a, Array(4, 2))))
    assert(message(Tensors.of(null: Array[Double], 1)) == "storage is null")
    assert(message(Tensors.toDoubleArray(t)) == "expected a float64 tensor, got a float32 tensor")
    assert(message(Tensors.toFloatArray(Tensors.of(Array(1.0), 1))) == "expected a float32 tensor, got a float64 tensor")
    assert(message(Tensors.toFloatArray(null)) == "tensor is null")
  }
}
