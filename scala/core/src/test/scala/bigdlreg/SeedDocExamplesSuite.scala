package bigdlreg

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** The Scala examples of BigDL 2.4's documentation of these layers (the seed document of
  * issue 12), each run as written with only its imports changed (com.intel.analytics.bigdl
  * -> bigdlreg; `utils.RandomGenerator.RNG` -> `rng.RNG`), then checked as BigDL documents
  * them: shapes, dtypes, kept values and evaluate outputs (the masks differ from BigDL's,
  * docs/contract.md, "Masks"). The SpatialDropout3D section has only its constructor line.
  */
class SeedDocExamplesSuite extends AnyFunSuite with Matchers {

  test("Dropout: kept values are x / (1 - p), and backward drops the gradient at the same places") {
    import bigdlreg.tensor.TensorNumeric.NumericFloat
    import bigdlreg.nn._
    import bigdlreg.tensor._
    val module = Dropout()
    val x = Tensor.range(1, 8, 1).resize(2, 4)
    println(module.forward(x))
    println(module.backward(x, x.clone().mul(0.5f))) // backward drops out the gradients at the same location.

    val y = module.output
    val g = module.gradInput
    (y.size().toSeq, y.dtype, g.size().toSeq, g.dtype) shouldBe ((Seq(2, 4), "float32", Seq(2, 4), "float32"))
    x.toArray.toSeq shouldBe (1 to 8).map(_.toFloat)
    for (i <- 0 until 8) {
      val (xi, yi, gi) = (x.valueAt(i), y.valueAt(i), g.valueAt(i))
      if (yi == 0f) gi shouldBe 0f
      else { yi shouldBe xi / (1 - 0.5f); gi shouldBe xi * 0.5f / (1 - 0.5f) }
    }
    module.evaluate()
    module.forward(x).toArray.toSeq shouldBe x.toArray.toSeq // evaluate: the input
  }

  test("GaussianDropout: training output and gradient of ones, evaluate output the input") {
    import bigdlreg.tensor.Tensor
    import bigdlreg.tensor.TensorNumeric.NumericFloat
    import bigdlreg.utils.T
    import bigdlreg.nn._
    val layer = GaussianDropout(0.5)
    layer.training()
    val input = Tensor(T(T(1.0,1.0,1.0),T(1.0,1.0,1.0)))
    val output = layer.forward(input)
    val gradout = Tensor(T(T(1.0,1.0,1.0),T(1.0,1.0,1.0)))
    val gradin = layer.backward(input,gradout)
    println(output)
    println(gradin)
    layer.evaluate()
    val output2 = layer.forward(input)
    println(output2)

    (input.size().toSeq, input.dtype, output.size().toSeq, output.dtype) shouldBe ((Seq(2, 3), "float32", Seq(2, 3), "float32"))
    // as in BigDL, forward returns the module's output buffer: the evaluate forward rewrote it
    (output2 eq output) shouldBe true
    output2.toArray.toSeq shouldBe Seq.fill(6)(1.0f)
    // the training forward's factors: the gradient of ones (BigDL draws fresh noise in backward; we reuse the forward's)
    (gradin.size().toSeq, gradin.dtype) shouldBe ((Seq(2, 3), "float32"))
    gradin.toArray.toSeq shouldBe layer.noise().asInstanceOf[Noise.Factors[Float]].values.toArray.toSeq
    gradin.toArray.distinct.length should be > 1
  }

  test("GaussianNoise: gradient passes through, evaluate output the input") {
    import bigdlreg.tensor.Tensor
    import bigdlreg.tensor.TensorNumeric.NumericFloat
    import bigdlreg.utils.T
    import bigdlreg.nn._
    val layer = GaussianNoise(0.2)
    layer.training()
    val input = Tensor(T(T(1.0,1.0,1.0),T(1.0,1.0,1.0)))
    val output = layer.forward(input)
    val gradout = Tensor(T(T(1.0,1.0,1.0),T(1.0,1.0,1.0)))
    val gradin = layer.backward(input,gradout)
    layer.evaluate()
    println(layer.forward(input))

    (output.size().toSeq, output.dtype) shouldBe ((Seq(2, 3), "float32"))
    layer.noise().asInstanceOf[Noise.Addends[Float]].values.toArray.exists(_ != 0f) shouldBe true // training added noise
    gradin.toArray.toSeq shouldBe Seq.fill(6)(1.0f)
    layer.output.toArray.toSeq shouldBe Seq.fill(6)(1.0f)
    layer.output.size().toSeq shouldBe Seq(2, 3)
  }

  /** Each (row, channel) map of a spatial forward is all dropped (0) or kept as it is, and the
    * gradient of ones is the keep mask. */
  private def spatialKeptAsIs(input: bigdlreg.tensor.Tensor[Double], output: bigdlreg.tensor.Tensor[Double],
      gradInput: bigdlreg.tensor.Tensor[Double], mapSize: Int): Unit = {
    output.size().toSeq shouldBe input.size().toSeq
    gradInput.size().toSeq shouldBe input.size().toSeq
    (output.dtype, gradInput.dtype) shouldBe (("float64", "float64"))
    input.toArray.forall(v => v >= 0.0 && v < 1.0) shouldBe true
    val (x, y, g) = (input.toArray, output.toArray, gradInput.toArray)
    for (i <- x.indices) {
      if (g(i) == 0.0) y(i) shouldBe 0.0 else { g(i) shouldBe 1.0; y(i) shouldBe x(i) }
      g(i) shouldBe g(i - i % mapSize) // one draw per map
    }
  }

  test("SpatialDropout1D: whole (batch, channel) columns dropped or kept unscaled; gradient the mask") {
    import bigdlreg.tensor.Tensor
    import bigdlreg.nn._
    import bigdlreg.rng.RNG
    val module = SpatialDropout1D[Double](0.7)
    val input = Tensor[Double](3, 4, 5)
    val seed = 100
    input.rand()
    RNG.setSeed(seed)
    val output = module.forward(input)
    println(output)
    val gradInput = module.backward(input, input.clone().fill(1))
    println(gradInput)

    // (N, T, C): a draw per (n, c), shared along T: compare along the transposed layout
    def perChannel(t: Tensor[Double]) = Tensor.tabulate[Double](3, 5, 4)(i => t(i / 20, i % 4, i / 4 % 5))
    spatialKeptAsIs(perChannel(input), perChannel(output), perChannel(gradInput), mapSize = 4)
  }

  test("SpatialDropout2D: whole feature maps dropped or kept unscaled; gradient the mask") {
    import bigdlreg.tensor.Tensor
    import bigdlreg.nn._
    import bigdlreg.rng.RNG
    val module = SpatialDropout2D[Double](0.7)
    val input = Tensor[Double](2, 3, 4, 5)
    val seed = 100
    input.rand()
    RNG.setSeed(seed)
    val output = module.forward(input)
    println(output)
    val gradInput = module.backward(input, input.clone().fill(1))
    println(gradInput)

    spatialKeptAsIs(input, output, gradInput, mapSize = 20)
    module.evaluate()
    module.forward(input).toArray.toSeq shouldBe input.toArray.map(_ * (1 - 0.7)).toSeq // evaluate: x * (1 - p)
  }

  test("the helpers: Tensor.range, resize, rand, fill, clone, mul, Tensor(T(...))") {
    import bigdlreg.tensor.Tensor
    import bigdlreg.utils.T
    Tensor.range[Double](1, 8, 1).toArray.toSeq shouldBe (1 to 8).map(_.toDouble)
    Tensor.range[Float](0, 1, 2).toArray.toSeq shouldBe Seq(0f)
    Tensor.range[Double](5, 1, -2).toArray.toSeq shouldBe Seq(5.0, 3.0, 1.0)
    (the[IllegalArgumentException] thrownBy Tensor.range[Double](1, 0, 1)).getMessage should include("no values")
    val r = Tensor.range[Float](1, 6, 1)
    val m = r.resize(2, 3)
    (m.size().toSeq, r.size().toSeq, m.storage eq r.storage) shouldBe ((Seq(2, 3), Seq(6), true))
    (the[IllegalArgumentException] thrownBy r.resize(4, 2)).getMessage should include("6")
    val c = m.clone().mul(0.5f)
    (c.toArray.toSeq, m.valueAt(5)) shouldBe ((Seq(0.5f, 1f, 1.5f, 2f, 2.5f, 3f), 6f))
    val t = Tensor[Double](T(T(1.0, 2), T(3.5f, 4L)))
    (t.size().toSeq, t.toArray.toSeq) shouldBe ((Seq(2, 2), Seq(1.0, 2.0, 3.5, 4.0)))
    Tensor[Float](T(1.5, 2.5)).size().toSeq shouldBe Seq(2)
    (the[IllegalArgumentException] thrownBy Tensor[Double](T(T(1.0), T(1.0, 2.0)))).getMessage should include("rectangular")
    (the[IllegalArgumentException] thrownBy Tensor[Double](T("a"))).getMessage should include("numbers")
    // rand: [0, 1), repeatable after RNG.setSeed, and module seeds do not move
    bigdlreg.rng.RNG.setSeed(3L)
    val a = Tensor[Float](1000).rand().toArray
    val seedAfterFill = bigdlreg.nn.Dropout[Float]().getSeed
    bigdlreg.rng.RNG.setSeed(3L)
    Tensor[Float](1000).rand().toArray.toSeq shouldBe a.toSeq
    bigdlreg.rng.RNG.setSeed(3L)
    bigdlreg.nn.Dropout[Float]().getSeed shouldBe seedAfterFill
    a.forall(v => v >= 0f && v < 1f) shouldBe true
    a.distinct.length should be > 990
    Tensor[Double](4).rand().toArray.toSeq should not be Tensor[Double](4).rand().toArray.toSeq
  }

  test("SpatialDropout3D: the documented constructor line, then a 5-D forward and evaluate") {
    import bigdlreg.tensor.TensorNumeric.NumericFloat
    import bigdlreg.nn._
    import bigdlreg.tensor._
    val module = SpatialDropout3D(initP = 0.5, format = DataFormat.NCHW)
    val x = Tensor[Float](2, 3, 2, 2, 2).rand()
    val y = module.forward(x)
    y.size().toSeq shouldBe Seq(2, 3, 2, 2, 2)
    for (map <- 0 until 6) { // each (sample, channel) volume is kept whole, unscaled, or dropped whole
      val cells = (0 until 8).map(i => map * 8 + i)
      val kept = cells.map(i => y.valueAt(i) == x.valueAt(i))
      val dropped = cells.map(i => y.valueAt(i) == 0f)
      (kept.forall(identity) || dropped.forall(identity)) shouldBe true
    }
    module.evaluate().forward(x).toArray.toSeq shouldBe x.toArray.map(_ * 0.5f).toSeq
  }
}
