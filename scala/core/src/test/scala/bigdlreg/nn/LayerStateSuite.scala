package bigdlreg.nn

import java.io.{ByteArrayInputStream, ByteArrayOutputStream, ObjectInputStream, ObjectOutputStream}

import scala.reflect.ClassTag

import bigdlreg.TestUtil.bits
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** The state record (LayerState, format 1): its exact JSON text, strict reading,
  * setState/fromState and Java serialization continuing the noise stream exactly. */
class LayerStateSuite extends AnyFunSuite with Matchers {

  private def msg(f: => Any): String = (the[IllegalArgumentException] thrownBy f).getMessage

  // the three examples of the cross-language agreement: Python writes the same text
  private val example1 =
    """{"format": 1, "layer": "Dropout", "params": {"init_p": 0.3, "inplace": false, "scale": true}, "dtype": "float32", "seed": "42", "step": 2, "training": true, "resampling": true, "name": null, "last": {"seed": "42", "step": 1, "training": true, "shape": [2, 3], "batch_offset": 0, "params": {"init_p": 0.3, "inplace": false, "scale": true}}, "last_training": {"seed": "42", "step": 1, "training": true, "shape": [2, 3], "batch_offset": 0, "params": {"init_p": 0.3, "inplace": false, "scale": true}}}"""
  private val example2 =
    """{"format": 1, "layer": "GaussianNoise", "params": {"stddev": 0.1, "noise_shape": [null, 1]}, "dtype": "float64", "seed": "7", "step": 1, "training": true, "resampling": true, "name": null, "last": {"seed": "7", "step": 0, "training": true, "shape": [4, 3], "batch_offset": 2, "params": {"stddev": 0.1, "noise_shape": [null, 1]}}, "last_training": {"seed": "7", "step": 0, "training": true, "shape": [4, 3], "batch_offset": 2, "params": {"stddev": 0.1, "noise_shape": [null, 1]}}}"""
  private val example3 =
    """{"format": 1, "layer": "SpatialDropout2D", "params": {"init_p": 0.25, "data_format": "NHWC"}, "dtype": "float32", "seed": "18446744073709551615", "step": 1, "training": false, "resampling": true, "name": "drop2d", "last": {"seed": "18446744073709551615", "step": 1, "training": false, "shape": [1, 2, 2, 3], "batch_offset": 0, "params": {"init_p": 0.25, "data_format": "NHWC"}}, "last_training": {"seed": "18446744073709551615", "step": 0, "training": true, "shape": [1, 2, 2, 3], "batch_offset": 0, "params": {"init_p": 0.25, "data_format": "NHWC"}}}"""

  test("toJson: the exact text of the three agreed examples") {
    val d = Dropout[Float](0.3, seed = 42L)
    d.forward(Tensor.ones[Float](2, 3)); d.forward(Tensor.ones[Float](2, 3))
    d.getState.toJson shouldBe example1
    val g = GaussianNoise[Double](0.1, seed = 7L, noiseShape = NoiseShape(None, 1))
    g.forward(Tensor.ones[Double](4, 3), 2L)
    g.getState.toJson shouldBe example2
    val s = SpatialDropout2D[Float](0.25, DataFormat.NHWC, seed = -1L).setName("drop2d")
    s.forward(Tensor.ones[Float](1, 2, 2, 3)); s.evaluate(); s.forward(Tensor.ones[Float](1, 2, 2, 3))
    s.getState.toJson shouldBe example3
    for (e <- Seq(example1, example2, example3)) LayerState.fromJson(e).toJson shouldBe e
  }

  test("numbers are written as Python's repr(float); names escaped as json.dumps") {
    val cases = Seq(0.3 -> "0.3", 0.5 -> "0.5", 2.0 -> "2.0", 0.0 -> "0.0", -0.0 -> "-0.0", 0.0001 -> "0.0001",
      1e-5 -> "1e-05", 1.5e-7 -> "1.5e-07", 1e16 -> "1e+16", 1234567890123456.0 -> "1234567890123456.0",
      (0.1 + 0.2) -> "0.30000000000000004", (1.0 / 3) -> "0.3333333333333333", 5e-324 -> "5e-324",
      Double.MaxValue -> "1.7976931348623157e+308")
    for ((v, text) <- cases) LayerState.jsonDouble(v) shouldBe text
    msg(LayerState.jsonDouble(Double.NaN)) shouldBe "LayerState: NaN has no JSON form"
    val named = Dropout[Float](seed = 1L).setName("a\"b\\c\n\u00e9\u0001")
    named.getState.toJson should include("\"name\": \"a\\\"b\\\\c\\n\\u00e9\\u0001\"")
    LayerState.fromJson(named.getState.toJson).name shouldBe Some("a\"b\\c\n\u00e9\u0001")
  }

  test("toJson / fromJson round trip for every layer, before and after forwards of both modes") {
    for (c <- StateCases.all; seed <- Seq(0L, 42L, Long.MinValue, -1L)) {
      val m = c.build[Double](seed)
      def roundTrip(): Unit = {
        val s = m.getState
        LayerState.fromJson(s.toJson) shouldBe s
        LayerState.fromJson(s.toJson).toJson shouldBe s.toJson
      }
      roundTrip()
      for (k <- 0 until 4) {
        if (StateCases.mode(k)) m.training() else m.evaluate()
        m.forward(c.input[Double](k.toLong), k.toLong)
        roundTrip()
      }
      m.setResampling(false).setName(s"layer $seed")
      roundTrip()
    }
  }

  test("fromJson is strict and names what is wrong") {
    msg(LayerState.fromJson("{")) should startWith("LayerState: invalid JSON at character 1")
    msg(LayerState.fromJson(example1 + "x")) should startWith("LayerState: invalid JSON")
    msg(LayerState.fromJson("[1]")) shouldBe "LayerState: the state must be a JSON object, got a list"
    msg(LayerState.fromJson(null)) shouldBe "LayerState: the JSON is null"
    msg(LayerState.fromJson(example1.replace(""""step": 2, """, ""))) shouldBe """LayerState: the state has no key "step""""
    msg(LayerState.fromJson(example1.replace("{\"format\": 1,", "{\"format\": 1, \"extra\": 0,"))) should startWith(
      """LayerState: the state has an unknown key "extra" (expected format, layer, params""")
    msg(LayerState.fromJson(example1.replace("{\"format\": 1,", "{\"format\": 1, \"format\": 1,"))) shouldBe
      """LayerState: duplicate key "format""""
    msg(LayerState.fromJson(example1.replace("\"format\": 1", "\"format\": 2"))) shouldBe
      """LayerState: "format" must be 1, got 2"""
    msg(LayerState.fromJson(example1.replace("\"step\": 2", "\"step\": \"2\""))) shouldBe
      """LayerState: "step" must be an integer in [0, 9223372036854775807], got "2""""
    msg(LayerState.fromJson(example1.replace("\"step\": 2", "\"step\": -2"))) shouldBe
      """LayerState: "step" must be an integer in [0, 9223372036854775807], got -2"""
    msg(LayerState.fromJson(example1.replace("\"seed\": \"42\", \"step\": 2", "\"seed\": 42, \"step\": 2"))) shouldBe
      """LayerState: "seed" must be a decimal string in ["0", "18446744073709551615"], got 42"""
    msg(LayerState.fromJson(example3.replace("18446744073709551615", "18446744073709551616"))) should startWith(
      """LayerState: "seed" must be a decimal string""")
    msg(LayerState.fromJson(example1.replace("float32", "int8"))) shouldBe
      """LayerState: "dtype" must be "float32" or "float64", got "int8""""
    msg(LayerState.fromJson(example1.replace("\"Dropout\"", "\"Droput\""))) should startWith(
      """LayerState: unknown layer "Droput"; expected one of Dropout""")
    msg(LayerState.fromJson(example1.replace("\"training\": true, \"resampling\"", "\"training\": 1, \"resampling\""))) shouldBe
      """LayerState: "training" must be true or false, got 1"""
    msg(LayerState.fromJson(example1.replace("\"name\": null", "\"name\": 3"))) shouldBe
      """LayerState: "name" must be a string or null, got 3"""
    // the parameters are checked as the constructor checks them
    msg(LayerState.fromJson(example1.replaceFirst("\"init_p\": 0.3", "\"init_p\": 1.5"))) shouldBe
      "Dropout: init_p must be in [0, 1], got 1.5"
    msg(LayerState.fromJson(example1.replaceFirst("\"init_p\": 0.3", "\"init_p\": \"0.3\""))) shouldBe
      """LayerState: "params.init_p" must be a number, got "0.3""""
    msg(LayerState.fromJson(example1.replaceFirst("\"scale\": true", "\"scale\": true, \"rate\": 0.1"))) should startWith(
      """LayerState: params has an unknown key "rate"""")
    msg(LayerState.fromJson(example3.replaceFirst("\"NHWC\"", "\"NCWH\""))) should include("NCWH")
    msg(LayerState.fromJson(example2.replace("[4, 3]", "[4, -3]"))) should startWith("LayerState: \"last.shape\"")
    msg(LayerState.fromJson(example2.replace("\"noise_shape\": [null, 1]}, \"dtype\"", "\"noise_shape\": 1}, \"dtype\""))) shouldBe
      """LayerState: "params.noise_shape" must be a list of integers and nulls, or null, got 1"""
    // absent or null noise_shape: none
    LayerState.fromJson(example2.replace(", \"noise_shape\": [null, 1]}, \"dtype\"", "}, \"dtype\"")).params.noiseShape shouldBe None
  }

  test("setState refuses another layer, dtype or parameters, and changes nothing on an error") {
    val d = Dropout[Float](0.3, seed = 42L)
    d.forward(Tensor.ones[Float](2, 3))
    val before = d.getState
    msg(d.setState(GaussianNoise[Float](0.1, seed = 1L).getState)) shouldBe
      "Dropout: the state is of a GaussianNoise, not of a Dropout"
    msg(d.setState(Dropout[Double](0.3, seed = 1L).getState)) shouldBe
      "Dropout: the state's dtype is float64, the layer's float32"
    msg(d.setState(Dropout[Float](0.3, scale = false, seed = 1L).getState)) should startWith(
      """Dropout: the state's params {"init_p": 0.3, "inplace": false, "scale": false} differ from the layer's""")
    msg(GaussianNoise[Float](0.1, seed = 1L).setState(GaussianNoise[Float](0.2, seed = 1L).getState)) shouldBe
      "GaussianNoise: the state's stddev 0.2 differs from the layer's 0.1 (only a drop probability can change)"
    msg(d.setState(before.copy(step = -1L))) shouldBe "Dropout: step must be >= 0, got -1"
    msg(d.setState(before.copy(last = before.last.map(_.copy(shape = Seq(-1)))))) should include("-1")
    msg(d.setState(null)) shouldBe "Dropout: state is null"
    msg(d.setState(before.copy(lastTraining = before.last.map(_.copy(training = false))))) shouldBe
      "Dropout: last_training is an evaluate forward"
    msg(SpatialDropout2D[Float](0.5, seed = 1L).setState(SpatialDropout2D[Float](0.5, seed = 1L).getState.copy(
      last = Some(LayerState.Forward(1L, 0L, true, Seq(2, 3), 0L, LayerArgs(0.5)))))) shouldBe
      "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)"
    d.getState shouldBe before
    msg(Layers.fromState[Double](before)) shouldBe "Dropout: the state's dtype is float32, the layer's float64"
    // a mask layer's drop probability may differ: the state's is taken
    val other = Dropout[Float](0.6, seed = 1L)
    other.setState(before).p shouldBe 0.3
  }

  /** 10 training-loop steps (forward then backward, modes as StateCases.mode) straight, against 5 steps, a
    * checkpoint through `checkpoint`, and 5 more on the restored module: the same bytes. */
  private def resumesExactly[T: ClassTag](checkpoint: NoiseModule[T] => NoiseModule[T])(
      implicit ev: TensorNumeric[T]): Unit =
    for (c <- StateCases.all) {
      def steps(m: NoiseModule[T], ks: Range): Seq[Seq[Long]] = ks.flatMap { k =>
        if (StateCases.mode(k)) m.training() else m.evaluate()
        val x = c.input[T](k.toLong)
        val y = bits(m.forward(x, (k % 2).toLong)).toSeq
        Seq(y, bits(m.backward(x, c.input[T](50L + k))).toSeq)
      }
      val straight = c.build[T](123L)
      val all = steps(straight, 0 until 10)
      val first = c.build[T](123L)
      steps(first, 0 until 5) shouldBe all.take(10)
      val restored = checkpoint(first)
      (restored ne first) shouldBe true
      // the restored module's backward replays the last forward before any new one
      val g = c.input[T](999L)
      bits(restored.backward(g, g)) shouldBe bits(first.backward(g, g))
      steps(restored, 5 until 10) shouldBe all.drop(10)
      restored.getState shouldBe straight.getState
      if (straight.isTraining()) {
        straight.forward(c.input[T](0L)); restored.forward(c.input[T](0L))
      }
      (restored.noise(), straight.noise()) match {
        case (Noise.Keep(_, a), Noise.Keep(_, b)) => a.toSeq shouldBe b.toSeq
        case (a: Noise.Factors[T], b: Noise.Factors[T]) => bits(a.values) shouldBe bits(b.values)
        case (a: Noise.Addends[T], b: Noise.Addends[T]) => bits(a.values) shouldBe bits(b.values)
        case other => fail(s"$other")
      }
    }

  test("10 steps straight == 5 + getState.toJson / fromJson / Layers.fromState + 5, every layer, both dtypes") {
    def viaJson[T: ClassTag: TensorNumeric](m: NoiseModule[T]): NoiseModule[T] =
      Layers.fromState[T](LayerState.fromJson(m.getState.toJson))
    resumesExactly[Float](viaJson[Float])
    resumesExactly[Double](viaJson[Double])
    // and setState on a fresh module of the same layer
    resumesExactly[Float](m => m.spec.build[Float](m.layerArgs, 5L).setState(m.getState))
  }

  test("Java serialization round trip of every module gives the same next forward and backward bytes") {
    def serialized[T](m: NoiseModule[T]): NoiseModule[T] = {
      val bytes = new ByteArrayOutputStream()
      val out = new ObjectOutputStream(bytes)
      out.writeObject(m); out.close()
      new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray)).readObject().asInstanceOf[NoiseModule[T]]
    }
    resumesExactly[Float](serialized[Float])
    resumesExactly[Double](serialized[Double])
    // name, resampling and buffers: the state travels, the buffers do not
    val m = Dropout[Float](0.5, seed = 3L).setName("d").setResampling(false)
    m.forward(Tensor.ones[Float](4))
    val copy = serialized(m)
    (copy.getName(), copy.isResampling, copy.output.nElement()) shouldBe (("d", false, 0))
  }
}
