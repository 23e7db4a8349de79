package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.rng.Ppnd16
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class GaussianSuite extends AnyFunSuite with Matchers {

  private val goldenZ = Seq("-0x1.15824c6c6dcdbp-1", "-0x1.33e99c57dbfedp1", "0x1.327c45f14c16cp-5",
    "0x1.0582059e27abcp0", "0x1.c9793894ef719p-2", "-0x1.7f5837e90ec1ep0", "0x1.151ca6f4d9d9bp-1",
    "0x1.34d0247c0d4d8p-1").map(java.lang.Double.parseDouble)

  test("GaussianDropout: x * T(1 + sd z) with sd = sqrt(rate/(1-rate)) in double") {
    val gd = GaussianDropout[Float](0.5, seed = 42L)
    gd.stddev shouldBe 1.0
    val y = gd.forward(Tensor.ones[Float](8))
    for (i <- 0 until 8) y.storage(i) shouldBe (1.0 + normal(42L, 0L, i.toLong)).toFloat
    // the 4th training forward (step 3) uses the golden z (docs/contract.md, "Golden values")
    val gd64 = GaussianDropout[Double](0.5, seed = 42L)
    (0 until 3).foreach(_ => gd64.forward(Tensor.ones[Double](8)))
    val out = gd64.forward(Tensor.ones[Double](8))
    for (i <- 0 until 8) out.storage(i) shouldBe (1.0 + 1.0 * goldenZ(i))
    // float32: 1 + sd z in double, rounded once
    gd.setSeed(42L)
    (0 until 3).foreach(_ => gd.forward(Tensor.ones[Float](8)))
    val out32 = gd.forward(Tensor.ones[Float](8))
    for (i <- 0 until 8) out32.storage(i) shouldBe (1.0 + goldenZ(i)).toFloat
  }

  test("GaussianDropout backward multiplies by the same factor; evaluate is the identity") {
    val gd = GaussianDropout[Double](0.3, seed = 7L)
    val x = randomTensor[Double](Array(4, 9), 1L)
    val y = gd.forward(x)
    val g = gd.backward(x, Tensor.ones[Double](4, 9))
    val sd = Math.sqrt(0.3 / 0.7)
    for (i <- 0 until 36) {
      g.storage(i) shouldBe (1.0 + sd * normal(7L, 0L, i.toLong))
      y.storage(i) shouldBe (x.storage(i) * g.storage(i))
    }
    gd.evaluate()
    gd.forward(x) shouldBe x
    gd.backward(x, y) shouldBe y
  }

  test("GaussianNoise: x + T(stddev z); backward is the gradient; evaluate is the identity") {
    val gn = GaussianNoise[Float](0.25, seed = 5L)
    val x = randomTensor[Float](Array(3, 11), 2L)
    val y = gn.forward(x)
    for (i <- 0 until 33) y.storage(i) shouldBe (x.storage(i) + (0.25 * normal(5L, 0L, i.toLong)).toFloat)
    val g = randomTensor[Float](Array(3, 11), 3L)
    gn.backward(x, g) shouldBe g
    gn.backward(x, g) should not be theSameInstanceAs(g)
    gn.evaluate().forward(x) shouldBe x
    gn.getStep shouldBe 1L
  }

  test("rate = 0 and stddev = 0 are the identity (bits, -0.0 and NaN payloads included)") {
    val x = Tensor[Float](Array(-0f, Float.NaN, java.lang.Float.intBitsToFloat(0x7fc00123), 1f), Array(4))
    bits(GaussianDropout[Float](0.0, seed = 1L).forward(x)) shouldBe bits(x)
    bits(GaussianNoise[Float](0.0, seed = 1L).forward(x)) shouldBe bits(x)
    val gd = GaussianDropout[Float](0.0, seed = 1L)
    gd.forward(x)
    bits(gd.backward(x, x)) shouldBe bits(x)
  }

  test("toString and stddev") {
    GaussianDropout[Float](0.5).toString shouldBe "GaussianDropout(0.5)"
    GaussianNoise[Double](0.1).toString shouldBe "GaussianNoise(0.1)"
    GaussianDropout[Float](0.2).stddev shouldBe Math.sqrt(0.2 / 0.8)
  }

  test("normals use the whole word: z(i) = PPND16(word(i)), not a half") {
    val gn = GaussianNoise[Double](1.0, seed = 42L)
    (0 until 3).foreach(_ => gn.forward(Tensor.zeros[Double](8)))
    val z = gn.forward(Tensor.zeros[Double](8))
    z.storage.toSeq.map(java.lang.Double.toHexString) shouldBe Seq("-0x1.15824c6c6dcdbp-1", "-0x1.33e99c57dbfedp1",
      "0x1.327c45f14c16cp-5", "0x1.0582059e27abcp0", "0x1.c9793894ef719p-2", "-0x1.7f5837e90ec1ep0",
      "0x1.151ca6f4d9d9bp-1", "0x1.34d0247c0d4d8p-1")
    Ppnd16.fromWord(0L) should be < -8.0
  }
}
