package bigdlreg.bench

import bigdlreg.rng.Philox

/** The road not taken, kept to be measured against (`Micro`): Dropout's
  * elementwise mask kernel written once over `Array[T]`, the element type's
  * arithmetic behind a typeclass (one call per element). The engine's kernels
  * are generated per element type instead (project/KernelTemplates.scala).
  */
object GenericKernel {
  abstract class Lanes[T] {
    /** dst(i) = keep ? src(i) * T(s) : +0, keep iff d < 0. */
    def keepScaled(src: Array[T], dst: Array[T], i: Int, s: Double, d: Long): Unit
  }

  object FloatLanes extends Lanes[Float] {
    def keepScaled(src: Array[Float], dst: Array[Float], i: Int, s: Double, d: Long): Unit =
      dst(i) = java.lang.Float.intBitsToFloat(java.lang.Float.floatToRawIntBits(src(i) * s.toFloat) & (d >> 63).toInt)
  }

  object DoubleLanes extends Lanes[Double] {
    def keepScaled(src: Array[Double], dst: Array[Double], i: Int, s: Double, d: Long): Unit =
      dst(i) = java.lang.Double.longBitsToDouble(java.lang.Double.doubleToRawLongBits(src(i) * s) & (d >> 63))
  }

  /** The mask kernel over an even start `from`. */
  def mask[T](lanes: Lanes[T], src: Array[T], dst: Array[T], seed: Long, step: Long, k: Long, s: Double,
      from: Int, until: Int): Unit = {
    val buf = new Array[Long](1024)
    var c = from
    while (c < until) {
      val n = math.min(until - c, 2048)
      Philox.fill(seed, step, (c >>> 1).toLong, buf, 0, (n + 1) >>> 1)
      var q = 0
      var i = c
      while (q < (n >>> 1)) {
        val w = buf(q)
        lanes.keepScaled(src, dst, i, s, (w & 0xFFFFFFFFL) - k)
        lanes.keepScaled(src, dst, i + 1, s, (w >>> 32) - k)
        q += 1
        i += 2
      }
      c += n
    }
  }
}
