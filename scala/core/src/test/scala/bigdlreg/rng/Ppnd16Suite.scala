package bigdlreg.rng

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class Ppnd16Suite extends AnyFunSuite with Matchers {

  test("golden z of seed 42, step 3, words 0..7 (hex doubles)") {
    val expected = Seq("-0x1.15824c6c6dcdbp-1", "-0x1.33e99c57dbfedp1", "0x1.327c45f14c16cp-5", "0x1.0582059e27abcp0",
      "0x1.c9793894ef719p-2", "-0x1.7f5837e90ec1ep0", "0x1.151ca6f4d9d9bp-1", "0x1.34d0247c0d4d8p-1")
    // docs/contract.md ("Golden values") writes exponents as p+1 / p+0; Java's toHexString writes p1 / p0
    (0 until 8).map(j => java.lang.Double.toHexString(Ppnd16.fromWord(Philox.word(42L, 3L, j.toLong)))) shouldBe expected
  }

  test("uniform: odd multiples of 2^-53, never 0 or 1") {
    Ppnd16.Ulp53 shouldBe Math.pow(2, -53)
    Ppnd16.uniform(0L) shouldBe Math.pow(2, -53)
    Ppnd16.uniform(-1L) shouldBe (1.0 - Math.pow(2, -53))
    Ppnd16.uniform(1L << 11) shouldBe (Math.pow(2, -53))
    Ppnd16.uniform(2L << 11) shouldBe (3 * Math.pow(2, -53))
    Ppnd16.uniform(Long.MinValue) shouldBe (0.5 + Math.pow(2, -53))
  }

  test("quantiles agree with known values (accuracy, not parity)") {
    Ppnd16(0.5) shouldBe 0.0
    Ppnd16(0.975) shouldBe 1.959963984540054 +- 1e-14
    Ppnd16(0.025) shouldBe -1.959963984540054 +- 1e-14
    Ppnd16(0.8413447460685429) shouldBe 1.0 +- 1e-14
    Ppnd16(1e-10) shouldBe -6.361340902404056 +- 1e-12   // r <= 5 branch
    Ppnd16(1e-300) shouldBe -37.0470962993612 +- 1e-9   // r > 5 branch
  }

  test("all three branches are monotone and continuous at their borders") {
    val ps = Seq(1e-300, 1e-20, Math.exp(-25) * 0.999999, Math.exp(-25), Math.exp(-25) * 1.000001, 1e-5,
      0.075 - 1e-12, 0.075, 0.075 + 1e-12, 0.3, 0.5, 0.7, 0.925 - 1e-12, 0.925 + 1e-12, 1 - 1e-10)
    val zs = ps.map(Ppnd16(_))
    zs.zip(zs.tail).foreach { case (a, b) => a should be < b }
    Ppnd16(Math.exp(-25) * 0.999999) shouldBe Ppnd16(Math.exp(-25) * 1.000001) +- 1e-5
    Ppnd16(0.075 - 1e-12) shouldBe Ppnd16(0.075 + 1e-12) +- 1e-9
  }

  test("extreme words give finite normals in the E/F branch") {
    val lo = Ppnd16.fromWord(0L)
    val hi = Ppnd16.fromWord(-1L)
    lo shouldBe -8.209536151601387 +- 1e-9
    hi shouldBe 8.209536151601387 +- 1e-9
  }

  private def edgeWords: Array[Long] = {
    val two53 = 9007199254740992.0
    val fixed = Array(0L, 1L, 0x7FFL, 0x800L, 0xFFFL, 0x1000L, Long.MinValue, Long.MaxValue, -1L, -2048L, -4096L)
    // words around the branch borders u = 0.075, 0.925 and u = exp(-25), 1 - exp(-25)
    val borders = Seq(0.075, 0.925, Math.exp(-25), 1 - Math.exp(-25)).flatMap { u =>
      val m = Math.round(u * two53)
      (-40L to 40L).map(d => (m + d) << 11)
    }
    fixed ++ borders
  }

  test("uniform (bit construction) equals the formula ((w >>> 11) | 1) * 2^-53") {
    val r = new java.util.SplittableRandom(11)
    val ws = edgeWords ++ Array.fill(1000000)(r.nextLong())
    ws.foreach(w => java.lang.Double.doubleToRawLongBits(Ppnd16.uniform(w)) shouldBe
      java.lang.Double.doubleToRawLongBits(Ppnd16.uniformByFormula(w)))
  }

  test("fromWords (three passes) equals fromWord element by element, bit for bit") {
    val r = new java.util.SplittableRandom(12)
    val ws = edgeWords ++ Array.fill(1 << 20)(r.nextLong())
    val z = new Array[Double](ws.length)
    Ppnd16.fromWords(ws, z, ws.length)
    var tails = 0
    for (i <- ws.indices) {
      java.lang.Double.doubleToRawLongBits(z(i)) shouldBe java.lang.Double.doubleToRawLongBits(Ppnd16.fromWord(ws(i)))
      if (Math.abs(Ppnd16.uniform(ws(i)) - 0.5) > 0.425) tails += 1
    }
    tails.toDouble / ws.length shouldBe 0.15 +- 0.01
    // scratch reuse with n smaller than the arrays
    val z2 = Array.fill(8)(Double.NaN)
    Ppnd16.fromWords(ws, z2, new Array[Int](9), 5)
    z2.take(5).toSeq shouldBe z.take(5).toSeq
    z2.drop(5).forall(_.isNaN) shouldBe true
  }
}
