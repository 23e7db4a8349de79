package bigdlreg.tensor

import bigdlreg.TestUtil.cellOf
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class BroadcastSuite extends AnyFunSuite with Matchers {

  private def cellsByRuns(plan: Broadcast, from: Int, until: Int): Seq[Long] = {
    val out = Seq.newBuilder[Long]
    val cur = plan.runs(from, until)
    var expectedStart = from
    while (cur.next()) {
      cur.start shouldBe expectedStart
      cur.end should be > cur.start
      cur.rowLength should be > 0
      (cur.end - cur.start) % cur.rowLength shouldBe 0
      if (cur.cellStep == 0) cur.rowLength shouldBe cur.end - cur.start
      for (i <- 0 until cur.end - cur.start) out += cur.cell + (i % cur.rowLength).toLong * cur.cellStep
      expectedStart = cur.end
    }
    expectedStart shouldBe math.max(from, until)
    out.result()
  }

  test("run cursor maps every element of any range to its row-major noise cell") {
    val r = new java.util.Random(1)
    for (_ <- 0 until 300) {
      val rank = r.nextInt(6)
      val shape = Array.fill(rank)(1 + r.nextInt(4))
      val noise = shape.map(s => if (r.nextBoolean()) s else 1)
      val plan = Broadcast(shape, noise)
      val n = shape.product
      plan.nElements shouldBe n
      plan.nCells shouldBe noise.product
      val from = r.nextInt(n + 1)
      val until = from + r.nextInt(n - from + 1)
      cellsByRuns(plan, from, until) shouldBe (from until until).map(e => cellOf(shape, noise, e))
    }
  }

  test("channels last: the repeated rows of a run of consecutive cells come as one run") {
    val plan = Broadcast(Array(2, 5, 3), Array(2, 1, 3)) // a row of 3 cells repeated 5 times per sample
    def runs(from: Int, until: Int): Seq[(Int, Int, Long, Int)] = {
      val cur = plan.runs(from, until)
      val out = Seq.newBuilder[(Int, Int, Long, Int)]
      while (cur.next()) out += ((cur.start, cur.end, cur.cell, cur.rowLength))
      out.result()
    }
    runs(0, 30) shouldBe Seq((0, 15, 0L, 3), (15, 30, 3L, 3))
    runs(4, 29) shouldBe Seq((4, 6, 1L, 2), (6, 15, 0L, 3), (15, 27, 3L, 3), (27, 29, 3L, 2))
  }

  test("elementwise plans") {
    Broadcast(Array(2, 3), Array(2, 3)).elementwise shouldBe true
    Broadcast(Array(2, 1, 3), Array(2, 1, 3)).elementwise shouldBe true
    Broadcast(Array(2, 3), Array(2, 1)).elementwise shouldBe false
    Broadcast(Array[Int](), Array[Int]()).elementwise shouldBe true
    Broadcast(Array(0, 3), Array(0, 1)).nElements shouldBe 0
  }

  test("shapes that don't broadcast are rejected") {
    an[IllegalArgumentException] should be thrownBy Broadcast(Array(2, 3), Array(2))
    an[IllegalArgumentException] should be thrownBy Broadcast(Array(2, 3), Array(2, 2))
  }
}
