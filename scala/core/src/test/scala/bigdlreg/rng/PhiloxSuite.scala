package bigdlreg.rng

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers
import org.scalatestplus.scalacheck.ScalaCheckPropertyChecks

class PhiloxSuite extends AnyFunSuite with Matchers with ScalaCheckPropertyChecks {

  private def h(s: String): Long = java.lang.Long.parseUnsignedLong(s, 16)
  private def hex(v: Long): String = f"$v%016x"

  test("Random123 known-answer vectors") {
    val kat = Seq(
      (Seq("0", "0", "0", "0"), Seq("0", "0"),
        Seq("16554d9eca36314c", "db20fe9d672d0fdc", "d7e772cee186176b", "7e68b68aec7ba23b")),
      (Seq.fill(4)("ffffffffffffffff"), Seq.fill(2)("ffffffffffffffff"),
        Seq("87b092c3013fe90b", "438c3c67be8d0224", "9cc7d7c69cd777b6", "a09caebf594f0ba0")),
      (Seq("243f6a8885a308d3", "13198a2e03707344", "a4093822299f31d0", "082efa98ec4e6c89"),
        Seq("452821e638d01377", "be5466cf34e90c6c"),
        Seq("a528f45403e61d95", "38c72dbd566e9788", "a5a1610e72fd18b5", "57bd43b5e52b7fe6"))
    )
    for ((c, k, expected) <- kat) {
      val out = Philox.block(h(c(0)), h(c(1)), h(c(2)), h(c(3)), h(k(0)), h(k(1)))
      out.map(hex).toSeq shouldBe expected
    }
  }

  private val golden42 = Seq("4b3d6ad41552c3cd", "02111e3adb449004", "83d1ee8ed2e5b723", "d8b3e21db4972f0a",
    "ac272c8ae829ec10", "11300c96300f927a", "b4b112c524c6bb2a", "ba0f48ac3c87d032")

  test("golden words: seed 42, step 3, words 0..7 (word and fill)") {
    (0 until 8).map(j => hex(Philox.word(42L, 3L, j.toLong))) shouldBe golden42
    val buf = new Array[Long](8)
    Philox.fill(42L, 3L, 0L, buf, 0, 8)
    buf.map(hex).toSeq shouldBe golden42
    // from an unaligned start and into an offset
    val buf2 = new Array[Long](10)
    Philox.fill(42L, 3L, 3L, buf2, 2, 5)
    buf2.drop(2).take(5).map(hex).toSeq shouldBe golden42.slice(3, 8)
  }

  test("golden mask halves, K and keep bits for p = 0.3") {
    val cache = new WordCache(42L, 3L)
    (0 until 8).map(c => f"${cache.maskHalf(c.toLong)}%08x") shouldBe
      Seq("1552c3cd", "4b3d6ad4", "db449004", "02111e3a", "d2e5b723", "83d1ee8e", "b4972f0a", "d8b3e21d")
    val k = bigdlreg.nn.NoiseOp.keepThreshold(0.3)
    k shouldBe 3006477108L
    (0 until 16).map(c => if (cache.maskHalf(c.toLong) < k) '1' else '0').mkString shouldBe "1101010001111010"
  }

  test("fill equals word for any start, length and offset") {
    val seeds = Seq(0L, 1L, 42L, -1L, Long.MinValue, 0x123456789abcdefL)
    for (seed <- seeds; step <- Seq(0L, 1L, 7L, -1L); first <- Seq(0L, 1L, 2L, 3L, 5L, 4093L); n <- Seq(0, 1, 3, 4, 5, 17)) {
      val buf = new Array[Long](n + 3)
      Philox.fill(seed, step, first, buf, 3, n)
      for (i <- 0 until n) buf(3 + i) shouldBe Philox.word(seed, step, first + i)
    }
  }

  test("the word stream is numpy's: counter (1 + j/4, step, 0, 0), key (seed, 0)") {
    val out = Philox.block(1L + 5L, 9L, 0L, 0L, 77L, 0L)
    (0 until 4).map(l => Philox.word(77L, 9L, 20L + l)) shouldBe out.toSeq
  }

  test("unsigned 64x64 high product equals BigInt's") {
    val two64 = BigInt(1) << 64
    def u(v: Long) = if (v < 0) BigInt(v) + two64 else BigInt(v)
    val edge = Seq(0L, 1L, -1L, Long.MaxValue, Long.MinValue, Philox.M0, Philox.M1, 0xFFFFFFFFL)
    for (a <- edge; b <- edge) Philox.unsignedMultiplyHigh(a, b) shouldBe ((u(a) * u(b)) >> 64).longValue
    forAll { (a: Long, b: Long) =>
      Philox.unsignedMultiplyHigh(a, b) shouldBe ((u(a) * u(b)) >> 64).longValue
    }
  }
}
