package bigdlreg.vectors

import java.nio.charset.StandardCharsets
import java.nio.file.Files

import bigdlreg.nn._
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** tests/vectors/frozen.txt: AlphaDropout, FeatureAlphaDropout, noise_shape,
  * batch offsets and noise(), written once and never regenerated (its header
  * says what each case is; tests/test_frozen.py checks the same lines). */
class FrozenSuite extends AnyFunSuite with Matchers {

  private def counting[T](shape: Int*)(scale: Double)(implicit ev: TensorNumeric[T]): Tensor[T] =
    Tensor.tabulate[T](shape: _*)(i => ev.fromDouble((i + 1) * scale))

  private def bits[T](t: Tensor[T]): String = t.toArray.map {
    case f: Float  => f"${java.lang.Float.floatToRawIntBits(f)}%08x"
    case d: Double => f"${java.lang.Double.doubleToRawLongBits(d)}%016x"
    case other     => sys.error(s"not a float: $other")
  }.mkString(" ")

  private def bits[T](n: Noise[T]): String = n match {
    case Noise.Keep(_, keep) => keep.map(k => if (k) '1' else '0').mkString
    case Noise.Factors(v)    => bits(v)
    case Noise.Addends(v)    => bits(v)
  }

  private def computed: Seq[(String, String)] = {
    val out = Seq.newBuilder[(String, String)]
    val a = AlphaDropout[Float](initP = 0.2, seed = 42L)
    val x = counting[Float](2, 8)(0.125)
    out += "AlphaDropout.forward" -> bits(a.forward(x))
    out += "AlphaDropout.backward" -> bits(a.backward(x, Tensor.ones[Float](2, 8)))
    out += "AlphaDropout.noise" -> bits(a.noise())
    out += "FeatureAlphaDropout.forward" ->
      bits(FeatureAlphaDropout[Float](initP = 0.5, seed = 42L).forward(counting[Float](1, 4, 2, 2)(0.125)))
    out += "Dropout.noise_shape.forward" ->
      bits(Dropout[Float](initP = 0.5, seed = 42L, noiseShape = NoiseShape(None, 1)).forward(counting[Float](4, 3)(1)))
    out += "Dropout.batch_offset.forward" -> bits(Dropout[Float](initP = 0.5, seed = 42L).forward(counting[Float](2, 8)(1), 3L))
    val d = Dropout[Float](initP = 0.3, seed = 42L)
    d.forward(counting[Float](2, 8)(1))
    out += "Dropout.noise" -> bits(d.noise())
    val g = GaussianNoise[Float](stddev = 0.1, seed = 42L)
    g.forward(counting[Float](2, 3)(1))
    out += "GaussianNoise.noise" -> bits(g.noise())
    val gd = GaussianDropout[Double](rate = 0.2, seed = 42L)
    out += "GaussianDropout.double.batch_offset.forward" -> bits(gd.forward(counting[Double](2, 4)(1), 5L))
    out += "GaussianDropout.double.noise" -> bits(gd.noise())
    out.result()
  }

  test("the frozen values hold") {
    val text = new String(Files.readAllBytes(VectorCases.vectorsDir.resolve("frozen.txt")), StandardCharsets.UTF_8)
    val frozen = text.split("\n").filter(l => l.nonEmpty && !l.startsWith("#")).map { l =>
      val i = l.indexOf(' ')
      l.substring(0, i) -> l.substring(i + 1)
    }.toSeq
    val mine = computed
    mine.map(_._1) shouldBe frozen.map(_._1)
    for (((label, got), (_, want)) <- mine.zip(frozen)) withClue(label) { got shouldBe want }
  }
}
