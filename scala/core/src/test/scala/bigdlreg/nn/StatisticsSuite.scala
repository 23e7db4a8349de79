package bigdlreg.nn

import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** Distributional sanity checks on 10^6 draws (bounds of 6 sigma). */
class StatisticsSuite extends AnyFunSuite with Matchers {

  private val n = 1000000

  test("Dropout keeps a fraction 1 - p of the elements") {
    val x = Tensor.ones[Float](n)
    for (p <- Seq(0.1, 0.5, 0.9, 0.999)) {
      val d = Dropout[Float](p, seed = 12345L)
      for (_ <- 0 until 2) {
        val kept = d.forward(x).storage.count(_ != 0f)
        val sigma = math.sqrt(n * p * (1 - p))
        math.abs(kept - n * (1 - p)) should be < 6 * sigma
      }
    }
  }

  test("Dropout with scale keeps the mean") {
    val x = Tensor.ones[Double](n)
    val y = Dropout[Double](0.3, seed = 9L).forward(x)
    val mean = y.storage.sum / n
    val sigma = math.sqrt(0.3 / 0.7 / n) // sd of the mean: kept value 1/0.7 with prob 0.7
    math.abs(mean - 1.0) should be < 6 * sigma
  }

  test("SpatialDropout2D keeps a fraction 1 - p of the channels") {
    val y = SpatialDropout2D[Float](0.3, seed = 4L).forward(Tensor.ones[Float](1000, 1000, 1, 1))
    val kept = y.storage.count(_ != 0f)
    math.abs(kept - 0.7 * n) should be < 6 * math.sqrt(n * 0.3 * 0.7)
  }

  test("GaussianNoise: mean 0, variance stddev^2, symmetric tails") {
    val sd = 2.0
    val z = GaussianNoise[Double](sd, seed = 77L).forward(Tensor.zeros[Double](n)).storage
    val mean = z.sum / n
    val variance = z.map(v => (v - mean) * (v - mean)).sum / (n - 1)
    math.abs(mean) should be < 6 * sd / math.sqrt(n)
    // sd of the sample variance ~ sigma^2 sqrt(2 / n)
    math.abs(variance - sd * sd) should be < 6 * sd * sd * math.sqrt(2.0 / n)
    val beyond2 = z.count(v => math.abs(v) > 2 * sd).toDouble / n // 4.55%
    beyond2 shouldBe 0.0455 +- 0.0015
    val excessKurtosis = z.map(v => math.pow((v - mean) / sd, 4)).sum / n - 3
    math.abs(excessKurtosis) should be < 0.05
  }

  test("GaussianDropout: factor mean 1, variance rate/(1-rate)") {
    val rate = 0.2
    val f = GaussianDropout[Double](rate, seed = 78L).forward(Tensor.ones[Double](n)).storage
    val mean = f.sum / n
    val variance = f.map(v => (v - mean) * (v - mean)).sum / (n - 1)
    val v0 = rate / (1 - rate)
    math.abs(mean - 1.0) should be < 6 * math.sqrt(v0 / n)
    math.abs(variance - v0) should be < 6 * v0 * math.sqrt(2.0 / n)
  }

  test("successive steps and nearby seeds are uncorrelated") {
    val x = Tensor.ones[Float](n)
    val d = Dropout[Float](0.5, seed = 1L)
    val a = d.forward(x).storage.map(v => if (v != 0f) 1 else 0)
    val b = d.forward(x).storage.map(v => if (v != 0f) 1 else 0)
    val c = Dropout[Float](0.5, seed = 2L).forward(x).storage.map(v => if (v != 0f) 1 else 0)
    for (other <- Seq(b, c)) {
      val agree = a.indices.count(i => a(i) == other(i))
      math.abs(agree - n / 2.0) should be < 6 * math.sqrt(n * 0.25)
    }
  }
}
