package bigdlreg.nn

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

import bigdlreg.TestUtil.bits
import bigdlreg.tensor.Tensor

/** The layer table: names, lookup, arguments a layer does not take, and that
  * a built layer is the one its constructor makes (same bytes). */
class LayersSuite extends AnyFunSuite with Matchers {

  private def msg(f: => Any): String = (the[IllegalArgumentException] thrownBy f).getMessage

  test("the eight layers, by name") {
    Layers.names shouldBe Seq("Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D",
      "SpatialDropout3D", "AlphaDropout", "FeatureAlphaDropout")
    for (spec <- Layers.all) Layers.byName(spec.name) should be theSameInstanceAs spec
    msg(Layers.byName("Droput")) shouldBe
      """unknown layer "Droput"; expected one of Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, """ +
        "SpatialDropout2D, SpatialDropout3D, AlphaDropout, FeatureAlphaDropout"
  }

  test("a non-default argument the layer does not take is refused by name") {
    msg(GaussianNoise.build[Float](LayerArgs(0.1, scale = false), 1L)) shouldBe "GaussianNoise has no parameter scale"
    msg(Dropout.build[Float](LayerArgs(0.1, format = DataFormat.NHWC), 1L)) shouldBe "Dropout has no parameter data_format"
    msg(SpatialDropout2D.build[Float](LayerArgs(0.1, noiseShape = Some(Seq(None))), 1L)) shouldBe
      "SpatialDropout2D has no parameter noise_shape"
    msg(SpatialDropout1D.build[Float](LayerArgs(0.1, format = DataFormat.NHWC), 1L)) shouldBe
      "SpatialDropout1D has no parameter data_format"
    msg(GaussianDropout.build[Float](LayerArgs(1.0), 1L)) shouldBe "GaussianDropout: rate must be in [0, 1), got 1.0"
  }

  test("build gives the constructor's layer: same class, same bytes") {
    val x = Tensor.tabulate[Double](2, 4, 3, 5)(i => (i % 17) - 8.0)
    val cases = Seq[(NoiseModule[Double], NoiseModule[Double])](
      Dropout.build[Double](LayerArgs(0.3, scale = false, noiseShape = Some(Seq(None, Some(1), None, None))), 7L) ->
        Dropout[Double](0.3, scale = false, seed = 7L, noiseShape = Some(Seq(None, Some(1), None, None))),
      GaussianDropout.build[Double](LayerArgs(0.4), 7L) -> GaussianDropout[Double](0.4, 7L),
      GaussianNoise.build[Double](LayerArgs(0.5), 7L) -> GaussianNoise[Double](0.5, 7L),
      SpatialDropout1D.build[Double](LayerArgs(0.5), 7L) -> SpatialDropout1D[Double](0.5, 7L),
      SpatialDropout2D.build[Double](LayerArgs(0.5, format = DataFormat.NHWC), 7L) ->
        SpatialDropout2D[Double](0.5, DataFormat.NHWC, 7L),
      SpatialDropout3D.build[Double](LayerArgs(0.5), 7L) -> SpatialDropout3D[Double](0.5, seed = 7L),
      AlphaDropout.build[Double](LayerArgs(0.2), 7L) -> AlphaDropout[Double](0.2, 7L),
      FeatureAlphaDropout.build[Double](LayerArgs(0.2, format = DataFormat.NHWC), 7L) ->
        FeatureAlphaDropout[Double](0.2, DataFormat.NHWC, 7L))
    cases.map(_._1.layerName) shouldBe Layers.names
    for ((built, made) <- cases) {
      built.getClass shouldBe made.getClass
      built.toString shouldBe made.toString
      val input = if (built.layerName == "SpatialDropout1D") Tensor.tabulate[Double](8, 3, 5)(i => i - 50.0) else x
      bits(built.forward(input)) shouldBe bits(made.forward(input))
    }
  }

  test("setP on every mask layer, checked by its own range") {
    val alpha = AlphaDropout[Float](0.5, seed = 1L)
    alpha.setP(0.25) should be theSameInstanceAs alpha
    alpha.p shouldBe 0.25
    alpha.initP shouldBe 0.5
    alpha.toString shouldBe "AlphaDropout(0.25)"
    msg(FeatureAlphaDropout[Float]().setP(1.0)) shouldBe "FeatureAlphaDropout: init_p must be in [0, 1), got 1.0"
    msg(SpatialDropout2D[Float]().setP(1.5)) shouldBe "SpatialDropout2D: init_p must be in [0, 1], got 1.5"
    val layers: Seq[NoiseModule[Float]] = Seq(Dropout[Float](), SpatialDropout1D[Float](), AlphaDropout[Float]())
    layers.foreach(m => m shouldBe a[DropProbability])
    GaussianNoise[Float](0.1) should not be a[DropProbability]
  }

  test("a layer serializes with its spec (a Spark task): same spec object, same next bytes") {
    for (spec <- Layers.all) {
      val m = spec.build[Float](LayerArgs(0.25), 3L)
      val bytes = new java.io.ByteArrayOutputStream()
      val out = new java.io.ObjectOutputStream(bytes)
      out.writeObject(m)
      out.close()
      val copy = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray)).readObject()
        .asInstanceOf[NoiseModule[Float]]
      copy.spec should be theSameInstanceAs spec
      val x = if (spec.name == "SpatialDropout1D") Tensor.tabulate[Float](4, 3, 5)(_ - 30f) else Tensor.tabulate[Float](2, 3, 4, 5)(_ - 60f)
      bits(copy.forward(x)) shouldBe bits(m.forward(x))
    }
  }
}
