import bigdlreg.nn._
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Paths}

/** Proves the published artifact works from a separate sbt build, and that it
  * gives the bytes Python's quick start gives (the shared file both check). */
class QuickStartSpec extends AnyFunSuite {
  test("seeded Dropout reproduces the worked example of the RNG contract") {
    val y = Dropout[Float](initP = 0.5, seed = 42L).forward(QuickStart.counting(2, 8))
    val expected = Array[Float](2, 0, 6, 8, 0, 0, 14, 16, 18, 20, 0, 24, 26, 28, 30, 32)
    assert(y.toArray.map(java.lang.Float.floatToRawIntBits).toSeq ==
      expected.map(java.lang.Float.floatToRawIntBits).toSeq)
  }

  test("SpatialDropout2D NHWC keeps or drops whole channels") {
    val y = SpatialDropout2D[Float](0.5, DataFormat.NHWC, seed = 7L).forward(QuickStart.counting(1, 2, 2, 3))
    val x = QuickStart.counting(1, 2, 2, 3)
    for (c <- 0 until 3) {
      val kept = (0 until 4).map(hw => y.valueAt(hw * 3 + c) == x.valueAt(hw * 3 + c))
      val zero = (0 until 4).map(hw => y.valueAt(hw * 3 + c) == 0f)
      assert(kept.forall(identity) || zero.forall(identity), s"channel $c is mixed")
    }
  }

  test("every result's bits equal examples/quickstart-bits.txt, which Python's quick start also matches") {
    // sbt runs this build from examples/scala; the file sits beside the Python quick start
    val shared = Files.readAllLines(Paths.get("..", "quickstart-bits.txt"), UTF_8).toArray(Array.empty[String]).toSeq.filter(_.nonEmpty)
    val ours = QuickStart.bitLines(QuickStart.results())
    assert(ours.map(_.split(' ').head) == shared.map(_.split(' ').head), "labels differ")
    for ((mine, theirs) <- ours.zip(shared)) assert(mine == theirs)
  }
}
