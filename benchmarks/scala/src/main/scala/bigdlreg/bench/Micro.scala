package bigdlreg.bench

import bigdlreg.rng.{Philox, Ppnd16}
import bigdlreg.nn.NoiseOp
import bigdlreg.tensor.Broadcast

/** Single-thread costs of the engine's pieces (CPU time of this thread, so
  * less sensitive to other load): `bin/sbt "bench/runMain bigdlreg.bench.Micro"`.
  */
object Micro {
  private val mx = java.lang.management.ManagementFactory.getThreadMXBean

  /** CPU time per call of `f` over 5 calls after 5 warm-up calls. */
  private def t(label: String, n: Int)(f: => Double): Unit = {
    def five(): Double = (0 until 5).map(_ => f).sum
    val warm = five()
    val t0 = mx.getCurrentThreadCpuTime
    val sink = warm + five()
    val dt = (mx.getCurrentThreadCpuTime - t0) / 5e9
    println(f"  $label%-34s ${n / dt / 1e6}%8.1f M/s   (checksum $sink%.3g)")
  }

  def main(args: Array[String]): Unit = {
    val n = 1 << 22
    val chunk = 1 << 16
    val src = Array.fill(n)(1.5f); val dst = new Array[Float](n)
    val srcd = Array.fill(n)(1.5); val dstd = new Array[Double](n)
    val buf = new Array[Long](1024)
    val r = new java.util.SplittableRandom(5)
    val words = Array.fill(1024)(r.nextLong())
    val centralWords = words.map(w => (w >>> 2) + (1L << 62)) // u in [0.25, 0.5): no tails
    val z = new Array[Double](1024)
    val scratch = new Array[Int](1025)
    val plan = Broadcast.elementwise(n)
    val mask = NoiseOp.Mask(0.5, scaled = true)
    val gauss = NoiseOp.GaussAdd(0.1)
    /** `kernel` over [0, n) in Engine-sized chunks, then `checksum` (one call per chunk: negligible). */
    def chunked(checksum: => Double)(kernel: (Int, Int) => Unit): Double = {
      var c = 0
      while (c < n) { kernel(c, c + chunk); c += chunk }
      checksum
    }
    for (round <- 1 to 2) {
      println(s"round $round (M elements or words per CPU second, one thread)")
      t("Philox.fill (words)", n) {
        var s = 0L; var c = 0
        while (c < n) { Philox.fill(1L, 2L, c.toLong, buf, 0, 1024); s += buf(5); c += 1024 }
        s.toDouble
      }
      def normals(ws: Array[Long]): Double = {
        var c = 0
        while (c < n) { Ppnd16.fromWords(ws, z, scratch, 1024); c += 1024 }
        z(3)
      }
      t("Ppnd16.fromWords, random words", n)(normals(words))
      t("Ppnd16.fromWords, no tails", n)(normals(centralWords))
      t("StrictMath.log", n) {
        var c = 0; var s = 0.0
        while (c < n) { s += StrictMath.log(z(c & 1023) + 2.0); c += 1 }
        s
      }
      t("mask kernel, float32 (Dropout)", n)(chunked(dst(7))(mask.run(src, dst, 1L, 2L, plan, _, _)))
      t("mask kernel, float64", n)(chunked(dstd(7))(mask.run(srcd, dstd, 1L, 2L, plan, _, _)))
      // the generic alternative (GenericKernel), used with both element types as the engine would be
      t("generic mask kernel, float32", n)(
        chunked(dst(7))(GenericKernel.mask(GenericKernel.FloatLanes, src, dst, 1L, 2L, 1L << 31, 2.0, _, _)))
      t("generic mask kernel, float64", n)(
        chunked(dstd(7))(GenericKernel.mask(GenericKernel.DoubleLanes, srcd, dstd, 1L, 2L, 1L << 31, 2.0, _, _)))
      t("gaussAdd kernel, float32", n)(chunked(dst(7))(gauss.run(src, dst, 1L, 2L, plan, _, _)))
      t("gaussAdd kernel, float64", n)(chunked(dstd(7))(gauss.run(srcd, dstd, 1L, 2L, plan, _, _)))
    }
  }
}
