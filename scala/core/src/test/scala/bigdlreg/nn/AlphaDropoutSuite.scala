package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** AlphaDropout and FeatureAlphaDropout beyond the bit-level reference
  * (ReferenceSuite): the statistics they exist for, their relation to
  * Dropout's mask, and their constructors.
  */
class AlphaDropoutSuite extends AnyFunSuite with Matchers {

  private val Lambda = 1.0507009873554804934
  private val Alpha = 1.6732632423543772848

  /** n SELU activations of standard normals: mean 0 and variance 1 (SELU's fixed point). */
  private def seluInput(n: Int, seed: Long): Tensor[Double] = {
    val r = new java.util.SplittableRandom(seed)
    Tensor[Double](Array.fill(n) {
      val z = r.nextGaussian()
      if (z > 0) Lambda * z else Lambda * Alpha * (Math.exp(z) - 1.0)
    }, Array(n))
  }

  // Bounds: 6 standard errors of the sample mean (sd 1 / sqrt(n)) and of the
  // sample variance (sqrt((m4 - s^4) / n), m4 the sample's 4th central moment).
  test("on SELU-distributed input the output keeps mean 0 and variance 1 (6 standard errors)") {
    val n = 1000000
    val x = seluInput(n, 2024L)
    for (p <- Seq(0.05, 0.1, 0.2, 0.5, 0.8)) withClue(s"p = $p: ") {
      val y = AlphaDropout[Double](p, seed = 31L).forward(x).storage
      val mean = y.sum / n
      val variance = y.map(v => (v - mean) * (v - mean)).sum / (n - 1)
      val m4 = y.map(v => math.pow(v - mean, 4)).sum / n
      math.abs(mean) should be < 6.0 / math.sqrt(n)
      math.abs(variance - 1.0) should be < 6.0 * math.sqrt((m4 - variance * variance) / n)
      // and the mask drops a fraction p
      val (_, _, c) = alphaCoefficients(p)
      val dropped = y.count(_ == c).toDouble
      math.abs(dropped - n * p) should be < 6 * math.sqrt(n * p * (1 - p))
    }
  }

  test("the mask is Dropout's: same seed, same cells kept") {
    val x = randomTensor[Float](Array(5, 301), 3L)
    for (p <- Seq(0.1, 0.5, 0.9)) {
      val keepDropout = Dropout[Float](p, seed = 8L).forward(x).storage.map(_ != 0f)
      val alpha = AlphaDropout[Float](p, seed = 8L)
      alpha.forward(x)
      val keepAlpha = alpha.noise() match { case Noise.Keep(_, k) => k; case other => fail(s"$other") }
      keepAlpha.toSeq shouldBe keepDropout.toSeq
      // gradient of the same forward: a on kept cells, +0 on dropped ones
      val (a, _, _) = alphaCoefficients(p)
      val g = alpha.backward(x, Tensor.ones[Float](5, 301)).storage
      g.toSeq shouldBe keepAlpha.map(k => if (k) a.toFloat else 0f).toSeq
    }
  }

  test("p = 0 is the identity (bits, -0 and NaN included); evaluate is the identity") {
    val x = randomTensor[Double](Array(4, 50), 5L, specials = true)
    bits(AlphaDropout[Double](0.0, seed = 1L).forward(x)) shouldBe bits(x)
    bits(AlphaDropout[Double](0.7, seed = 1L).evaluate().forward(x)) shouldBe bits(x)
  }

  test("FeatureAlphaDropout is AlphaDropout with the channel noise shapes, chosen by rank") {
    val cases = Seq(
      ("NCHW", Array(2, 3, 4, 5), Seq(None, None, Some(1), Some(1))),
      ("NHWC", Array(2, 3, 4, 5), Seq(None, Some(1), Some(1), None)),
      ("NCHW", Array(3, 4, 5), Seq(None, Some(1), Some(1))),
      ("NHWC", Array(3, 4, 5), Seq(Some(1), Some(1), None)),
      ("NCHW", Array(2, 3, 2, 3, 4), Seq(None, None, Some(1), Some(1), Some(1))),
      ("NHWC", Array(2, 3, 2, 3, 4), Seq(None, Some(1), Some(1), Some(1), None)))
    for ((f, shape, ns) <- cases) withClue(s"$f ${shape.mkString("x")}: ") {
      val x = randomTensor[Float](shape, 9L, specials = true)
      val feature = FeatureAlphaDropout[Float](0.4, DataFormat(f), seed = 12L)
      val plain = AlphaDropout[Float](0.4, seed = 12L, noiseShape = Some(ns))
      feature shouldBe an[AlphaDropout[_]]
      bits(feature.forward(x)) shouldBe bits(plain.forward(x))
      bits(feature.backward(x, x)) shouldBe bits(plain.backward(x, x))
    }
    val e = intercept[IllegalArgumentException](FeatureAlphaDropout[Float](0.4).forward(Tensor.ones[Float](2, 3)))
    e.getMessage shouldBe "FeatureAlphaDropout: expected a 3-D or 4-D or 5-D input, got shape (2, 3)"
  }

  test("constructors: init_p in [0, 1), data_format, toString") {
    def msg(f: => Any): String = intercept[IllegalArgumentException](f).getMessage
    msg(AlphaDropout[Float](1.0)) shouldBe "AlphaDropout: init_p must be in [0, 1), got 1.0"
    msg(AlphaDropout[Float](-0.1)) shouldBe "AlphaDropout: init_p must be in [0, 1), got -0.1"
    msg(AlphaDropout[Float](Double.NaN)) shouldBe "AlphaDropout: init_p must be in [0, 1), got NaN"
    msg(FeatureAlphaDropout[Float](1.0)) shouldBe "FeatureAlphaDropout: init_p must be in [0, 1), got 1.0"
    msg(FeatureAlphaDropout[Float](0.5, null)) shouldBe """FeatureAlphaDropout: data_format must be "NCHW" or "NHWC", got "null""""
    AlphaDropout[Float](0.2, seed = 1L).toString shouldBe "AlphaDropout(0.2)"
    AlphaDropout[Float](0.2, seed = 1L, noiseShape = Some(Seq(None, Some(1)))).toString shouldBe
      "AlphaDropout(0.2, noise_shape=(None, 1))"
    FeatureAlphaDropout[Float](0.2, DataFormat.NHWC, seed = 1L).toString shouldBe "FeatureAlphaDropout(0.2, NHWC)"
  }
}
