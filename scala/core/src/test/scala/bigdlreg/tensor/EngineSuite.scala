package bigdlreg.tensor

import java.util.concurrent.atomic.AtomicIntegerArray

import bigdlreg.TestUtil.withEngine
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class EngineSuite extends AnyFunSuite with Matchers {

  test("parallelFor covers [0, n) exactly once, in chunks of chunkSize") {
    for (threads <- Seq(1, 2, 4); chunk <- Seq(1, 7, 8, 1000, 65536); n <- Seq(0, 1, 5, 1000, 70001, 200003)) {
      if (n / chunk < 300000) withEngine(threads, chunk) {
        val hits = new AtomicIntegerArray(n)
        val chunks = new java.util.concurrent.ConcurrentLinkedQueue[(Int, Int)]()
        Engine.parallelFor(n) { (a, b) =>
          chunks.add((a, b))
          var i = a
          while (i < b) { hits.incrementAndGet(i); i += 1 }
        }
        (0 until n).forall(i => hits.get(i) == 1) shouldBe true
        val cs = chunks.toArray(Array.empty[(Int, Int)]).toSeq.sortBy(_._1)
        cs.foreach { case (a, b) => a % chunk shouldBe 0; (b - a) should be <= chunk }
      }
    }
  }

  test("large ranges use several threads") {
    withEngine(4, 1024) {
      val names = java.util.concurrent.ConcurrentHashMap.newKeySet[String]()
      Engine.parallelFor(1 << 20) { (_, _) => names.add(Thread.currentThread().getName); Thread.sleep(1) }
      names.size should be > 1
    }
  }

  test("small ranges run inline on the caller") {
    withEngine(4, 1024) {
      val names = java.util.concurrent.ConcurrentHashMap.newKeySet[String]()
      Engine.parallelFor(Engine.InlineThreshold - 1) { (_, _) => names.add(Thread.currentThread().getName) }
      names.size shouldBe 1
      names.contains(Thread.currentThread().getName) shouldBe true
    }
  }

  test("an exception in a chunk reaches the caller") {
    withEngine(2, 1000) {
      val e = the[IllegalStateException] thrownBy Engine.parallelFor(1 << 18) { (a, _) =>
        if (a == 5000) throw new IllegalStateException("boom")
      }
      e.getMessage shouldBe "boom"
      // the engine still works afterwards
      val hits = new AtomicIntegerArray(1 << 18)
      Engine.parallelFor(1 << 18) { (a, b) => (a until b).foreach(hits.incrementAndGet) }
      (0 until (1 << 18)).forall(hits.get(_) == 1) shouldBe true
    }
  }

  test("settings are validated") {
    the[IllegalArgumentException] thrownBy Engine.setThreads(0) should have message "Engine: threads must be >= 1, got 0"
    the[IllegalArgumentException] thrownBy Engine.setChunkSize(0) should have message
      "Engine: chunk size must be >= 1, got 0"
    Engine.threads should be >= 1
  }

  test("concurrent callers share the pool") {
    withEngine(3, 4096) {
      val ts = (0 until 4).map { _ =>
        new Thread(() => {
          val hits = new AtomicIntegerArray(300000)
          Engine.parallelFor(300000) { (a, b) => (a until b).foreach(hits.incrementAndGet) }
          assert((0 until 300000).forall(hits.get(_) == 1))
        })
      }
      ts.foreach(_.start()); ts.foreach(_.join())
    }
  }
}
