package bigdlreg.rng

import bigdlreg.nn.{Dropout, GaussianNoise}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class RNGSuite extends AnyFunSuite with Matchers {

  private val golden123 = Seq("15750355824863689988", "1764565832736296856", "8579000730504722971")

  test("module seeds under global seed 123 (pure function)") {
    (0 until 3).map(k => RNG.seedToString(RNG.moduleSeed(123L, k.toLong))) shouldBe golden123
  }

  test("setSeed(123): the k-th module created without a seed gets seed k; explicit seeds don't count") {
    RNG.setSeed(123L)
    val a = Dropout[Float]()
    val b = Dropout[Float](seed = 5L)
    val c = GaussianNoise[Double](0.1)
    val d = Dropout[Float]()
    Seq(a, c, d).map(m => RNG.seedToString(m.getSeed)) shouldBe golden123
    b.getSeed shouldBe 5L
    RNG.setSeed(123L)
    RNG.seedToString(RNG.nextModuleSeed()) shouldBe golden123.head
  }

  test("a failed construction takes no seed") {
    RNG.setSeed(123L)
    an[IllegalArgumentException] should be thrownBy Dropout[Float](1.5)
    RNG.seedToString(Dropout[Float]().getSeed) shouldBe golden123.head
  }

  test("nextModuleSeed is thread-safe: concurrent callers get distinct k") {
    RNG.setSeed(7L)
    val threads = 8
    val per = 200
    val results = Array.ofDim[Long](threads, per) // one row per thread; join() publishes it
    val ts = (0 until threads).map { t =>
      new Thread(() => (0 until per).foreach(k => results(t)(k) = RNG.nextModuleSeed()))
    }
    ts.foreach(_.start()); ts.foreach(_.join())
    results.flatten.toSet shouldBe (0 until threads * per).map(k => RNG.moduleSeed(7L, k.toLong)).toSet
  }

  test("unsigned seed strings round-trip") {
    RNG.parseSeed("18446744073709551615") shouldBe -1L
    RNG.seedToString(-1L) shouldBe "18446744073709551615"
    RNG.seedToString(Long.MinValue) shouldBe "9223372036854775808"
    an[NumberFormatException] should be thrownBy RNG.parseSeed("-1")
  }

  test("without setSeed the global seed comes from entropy and is stable once drawn") {
    val s = RNG.getSeed
    RNG.getSeed shouldBe s
  }
}
