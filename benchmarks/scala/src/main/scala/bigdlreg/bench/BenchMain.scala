package bigdlreg.bench

import bigdlreg.nn._
import bigdlreg.tensor.{Engine, Tensor}

/** Engine throughput on 10^7 float32 elements, in one JVM:
  * `bin/sbt "bench/run"` (or benchmarks/run_scala.sh). Optional arguments:
  * element count, timed runs.
  *
  * Each figure is the median of the timed runs after warm-up, in million
  * elements per second, with its ratio to a plain `System.arraycopy` of the
  * same array (the memory-bandwidth ceiling, one thread).
  */
object BenchMain {

  private def median(xs: Seq[Double]): Double = {
    val s = xs.sorted
    if (s.size % 2 == 1) s(s.size / 2) else (s(s.size / 2 - 1) + s(s.size / 2)) / 2
  }

  /** Median seconds of `body` over `runs` runs after `warm` warm-up runs. */
  private def time(warm: Int, runs: Int)(body: => Unit): Double = {
    for (_ <- 0 until warm) body
    median((0 until runs).map { _ =>
      val t0 = System.nanoTime()
      body
      (System.nanoTime() - t0) / 1e9
    })
  }

  def main(args: Array[String]): Unit = {
    val n = args.headOption.map(_.toInt).getOrElse(10000000)
    val runs = args.lift(1).map(_.toInt).getOrElse(11)
    val warm = 8
    val cores = Runtime.getRuntime.availableProcessors()
    val all = Engine.threads
    println(s"bigdl-reg engine benchmark: $n float32 elements, median of $runs runs after $warm warm-up runs")
    println(s"JVM ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}, " +
      s"$cores processors, Engine.threads = $all, chunk = ${Engine.chunkSize}")

    val r = new java.util.SplittableRandom(1)
    val x = Tensor[Float](Array.fill(n)(r.nextGaussian().toFloat), Array(n))
    val g = Tensor.ones[Float](n)
    val dst = new Array[Float](n)

    val copy = time(warm, runs)(System.arraycopy(x.storage, 0, dst, 0, n))
    val copyRate = n / copy / 1e6

    def report(label: String, seconds: Double): Unit = {
      val rate = n / seconds / 1e6
      println(f"  $label%-44s $rate%9.1f M/s   ${rate / copyRate}%5.2f x copy   (${seconds * 1e3}%7.2f ms)")
    }

    def withThreads(t: Int)(f: => Unit): Unit = {
      Engine.setThreads(t)
      try f finally Engine.setThreads(all)
    }

    report("System.arraycopy (ceiling, 1 thread)", copy)
    withThreads(1) {
      val d = Dropout[Float](0.5, seed = 1L)
      report("Dropout(0.5) forward, 1 thread", time(warm, runs)(d.forward(x)))
      val ad = AlphaDropout[Float](0.5, seed = 1L)
      val alpha1 = time(warm, runs)(ad.forward(x))
      report("AlphaDropout(0.5) forward, 1 thread", alpha1)
      // the same run's Dropout again, next to it: the ratio the target is about
      val drop1 = time(warm, runs)(d.forward(x))
      println(f"    AlphaDropout / Dropout time, 1 thread: ${alpha1 / drop1}%.2f (target <= 1.5)")
      val gn = GaussianNoise[Float](0.1, seed = 1L)
      report("GaussianNoise(0.1) forward, 1 thread", time(warm, runs)(gn.forward(x)))
    }
    withThreads(all) {
      val d = Dropout[Float](0.5, seed = 1L)
      val drop = time(warm, runs)(d.forward(x))
      report(s"Dropout(0.5) forward, $all threads", drop)
      val ad = AlphaDropout[Float](0.5, seed = 1L)
      val alpha = time(warm, runs)(ad.forward(x))
      report(s"AlphaDropout(0.5) forward, $all threads", alpha)
      println(f"    AlphaDropout / Dropout time, $all threads: ${alpha / drop}%.2f (target <= 1.5)")
      report(s"Dropout(0.5) backward, $all threads", time(warm, runs)(d.backward(x, g)))
      val di = Dropout[Float](0.5, inplace = true, seed = 1L)
      val xi = x.clone()
      report(s"Dropout(0.5, inplace) forward, $all threads", time(warm, runs)(di.forward(xi)))
      val gn = GaussianNoise[Float](0.1, seed = 1L)
      report(s"GaussianNoise(0.1) forward, $all threads", time(warm, runs)(gn.forward(x)))
      val gd = GaussianDropout[Float](0.5, seed = 1L)
      report(s"GaussianDropout(0.5) forward, $all threads", time(warm, runs)(gd.forward(x)))
      val sd = SpatialDropout2D[Float](0.5, seed = 1L)
      val x4 = Tensor[Float](x.storage, Array(10, 100, 100, 100))
      report(s"SpatialDropout2D(0.5) NCHW forward, $all threads", time(warm, runs)(sd.forward(x4)))
      val sdh = SpatialDropout2D[Float](0.5, DataFormat.NHWC, seed = 1L)
      report(s"SpatialDropout2D(0.5) NHWC forward, $all threads", time(warm, runs)(sdh.forward(x4)))
    }
  }
}
