package bigdlreg.tensor

import java.lang.Double.{doubleToRawLongBits, longBitsToDouble}
import java.lang.Float.{floatToRawIntBits, intBitsToFloat}

import bigdlreg.rng.{Philox, Ppnd16, WordCache}

// FloatKernels and DoubleKernels are the same code apart from the element type
// (each uses its own IEEE arithmetic and bit view): edit both alike.
//
// Dropped cells are written as +0 by clearing the bits of the value with a
// mask (-1 when kept, 0 when dropped): no branch, and NaN/Inf under a dropped
// cell still give +0. keep <=> half < k, i.e. the sign of (half - k), both in
// [0, 2^32].

private[bigdlreg] object Kernels {
  /** Words per Philox buffer (8 KiB: stays in L1). */
  final val BufWords = 1024
}

/** The Float kernels: tight primitive loops over a flat range `[from, until)`;
  * `src` and `dst` may be the same array (in place). Noise cell `i` of the
  * elementwise kernels is element `i`.
  */
private[bigdlreg] object FloatKernels {
  import Kernels.BufWords

  def copy(src: Array[Float], dst: Array[Float], from: Int, until: Int): Unit =
    if ((src ne dst) && until > from) System.arraycopy(src, from, dst, from, until - from)

  def zero(dst: Array[Float], from: Int, until: Int): Unit =
    if (until > from) java.util.Arrays.fill(dst, from, until, 0f)

  /** dst = src * T(c). */
  def scale(src: Array[Float], dst: Array[Float], c: Double, from: Int, until: Int): Unit =
    scaleT(src, dst, (c).toFloat, from, until)

  private def scaleT(src: Array[Float], dst: Array[Float], f: Float, from: Int, until: Int): Unit = {
    var i = from
    while (i < until) { dst(i) = src(i) * f; i += 1 }
  }

  /** dst = keep ? src * T(s) : +0 (scaled) or keep ? src : +0 (not scaled),
    * keep(i) = (mask half of cell i, unsigned) < k.
    */
  def mask(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
      from: Int, until: Int): Unit =
    if (scaled) maskScaled(src, dst, seed, step, k, (s).toFloat, from, until)
    else maskKeep(src, dst, seed, step, k, from, until)

  private def maskScaled(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, s: Float,
      from: Int, until: Int): Unit = {
    var c = from
    if (c < until && (c & 1) != 0) { // odd start: the high half of word(c / 2)
      val w = Philox.word(seed, step, (c >>> 1).toLong)
      dst(c) = intBitsToFloat(floatToRawIntBits(src(c) * s) & (((w >>> 32) - k) >> 63).toInt)
      c += 1
    }
    if (c < until) {
      val buf = new Array[Long](math.min(BufWords, (until - c + 1) >>> 1))
      while (c < until) {
        val n = math.min(until - c, 2 * BufWords)
        Philox.fill(seed, step, (c >>> 1).toLong, buf, 0, (n + 1) >>> 1)
        val pairs = n >>> 1
        var q = 0
        var i = c
        while (q < pairs) {
          val w = buf(q)
          dst(i) = intBitsToFloat(floatToRawIntBits(src(i) * s) & (((w & 0xFFFFFFFFL) - k) >> 63).toInt)
          dst(i + 1) = intBitsToFloat(floatToRawIntBits(src(i + 1) * s) & (((w >>> 32) - k) >> 63).toInt)
          q += 1
          i += 2
        }
        if ((n & 1) != 0) {
          val w = buf(pairs)
          dst(i) = intBitsToFloat(floatToRawIntBits(src(i) * s) & (((w & 0xFFFFFFFFL) - k) >> 63).toInt)
        }
        c += n
      }
    }
  }

  private def maskKeep(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long,
      from: Int, until: Int): Unit = {
    var c = from
    if (c < until && (c & 1) != 0) {
      val w = Philox.word(seed, step, (c >>> 1).toLong)
      dst(c) = intBitsToFloat(floatToRawIntBits(src(c)) & (((w >>> 32) - k) >> 63).toInt)
      c += 1
    }
    if (c < until) {
      val buf = new Array[Long](math.min(BufWords, (until - c + 1) >>> 1))
      while (c < until) {
        val n = math.min(until - c, 2 * BufWords)
        Philox.fill(seed, step, (c >>> 1).toLong, buf, 0, (n + 1) >>> 1)
        val pairs = n >>> 1
        var q = 0
        var i = c
        while (q < pairs) {
          val w = buf(q)
          dst(i) = intBitsToFloat(floatToRawIntBits(src(i)) & (((w & 0xFFFFFFFFL) - k) >> 63).toInt)
          dst(i + 1) = intBitsToFloat(floatToRawIntBits(src(i + 1)) & (((w >>> 32) - k) >> 63).toInt)
          q += 1
          i += 2
        }
        if ((n & 1) != 0) {
          val w = buf(pairs)
          dst(i) = intBitsToFloat(floatToRawIntBits(src(i)) & (((w & 0xFFFFFFFFL) - k) >> 63).toInt)
        }
        c += n
      }
    }
  }

  /** dst = src * T(1 + sd * z(i)). */
  def gaussMul(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double, from: Int, until: Int): Unit = {
    val m = math.max(0, math.min(BufWords, until - from))
    val buf = new Array[Long](m)
    val z = new Array[Double](m)
    val tails = new Array[Int](m + 1)
    var c = from
    while (c < until) {
      val n = math.min(until - c, BufWords)
      Philox.fill(seed, step, c.toLong, buf, 0, n)
      Ppnd16.fromWords(buf, z, tails, n)
      var q = 0
      while (q < n) {
        dst(c + q) = src(c + q) * (1.0 + sd * z(q)).toFloat
        q += 1
      }
      c += n
    }
  }


  /** dst = src + T(sd * z(i)). */
  def gaussAdd(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double, from: Int, until: Int): Unit = {
    val m = math.max(0, math.min(BufWords, until - from))
    val buf = new Array[Long](m)
    val z = new Array[Double](m)
    val tails = new Array[Int](m + 1)
    var c = from
    while (c < until) {
      val n = math.min(until - c, BufWords)
      Philox.fill(seed, step, c.toLong, buf, 0, n)
      Ppnd16.fromWords(buf, z, tails, n)
      var q = 0
      while (q < n) {
        dst(c + q) = src(c + q) + (sd * z(q)).toFloat
        q += 1
      }
      c += n
    }
  }


  /** [[mask]] with a broadcast noise shape. */
  def maskBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
      plan: Broadcast, from: Int, until: Int): Unit = {
    val f = (s).toFloat
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val a = cur.start
      val b = cur.end
      if (cur.cellStep == 0) {
        if (cache.maskHalf(cur.cell) >= k) zero(dst, a, b)
        else if (scaled) scaleT(src, dst, f, a, b)
        else copy(src, dst, a, b)
      } else {
        var c = cur.cell
        var i = a
        while (i < b) {
          val v = if (scaled) src(i) * f else src(i)
          dst(i) = intBitsToFloat(floatToRawIntBits(v) & ((cache.maskHalf(c) - k) >> 63).toInt)
          i += 1
          c += 1
        }
      }
    }
  }

  /** [[gaussMul]] with a broadcast noise shape. */
  def gaussMulBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double,
      plan: Broadcast, from: Int, until: Int): Unit = {
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val a = cur.start
      val b = cur.end
      if (cur.cellStep == 0) {
        scaleT(src, dst, (1.0 + sd * Ppnd16.fromWord(cache.word(cur.cell))).toFloat, a, b)
      } else {
        var c = cur.cell
        var i = a
        while (i < b) {
          dst(i) = src(i) * (1.0 + sd * Ppnd16.fromWord(cache.word(c))).toFloat
          i += 1
          c += 1
        }
      }
    }
  }

  /** [[gaussAdd]] with a broadcast noise shape. */
  def gaussAddBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double,
      plan: Broadcast, from: Int, until: Int): Unit = {
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val a = cur.start
      val b = cur.end
      if (cur.cellStep == 0) {
        val add = (sd * Ppnd16.fromWord(cache.word(cur.cell))).toFloat
        var i = a
        while (i < b) { dst(i) = src(i) + add; i += 1 }
      } else {
        var c = cur.cell
        var i = a
        while (i < b) {
          dst(i) = src(i) + (sd * Ppnd16.fromWord(cache.word(c))).toFloat
          i += 1
          c += 1
        }
      }
    }
  }

  /** dst = keep ? src * T(a) + T(b) : T(c) (AlphaDropout), keep(i) =
    * (mask half of cell i, unsigned) < k. The kept value and T(c) are merged
    * by bit masks (no branch).
    */
  def alpha(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, a: Double, b: Double, c: Double,
      from: Int, until: Int): Unit = {
    val fa = (a).toFloat
    val fb = (b).toFloat
    val cBits = floatToRawIntBits((c).toFloat)
    var e = from
    if (e < until && (e & 1) != 0) { // odd start: the high half of word(e / 2)
      val w = Philox.word(seed, step, (e >>> 1).toLong)
      dst(e) = alphaCell(src(e), fa, fb, cBits, (((w >>> 32) - k) >> 63).toInt)
      e += 1
    }
    if (e < until) {
      val buf = new Array[Long](math.min(BufWords, (until - e + 1) >>> 1))
      while (e < until) {
        val n = math.min(until - e, 2 * BufWords)
        Philox.fill(seed, step, (e >>> 1).toLong, buf, 0, (n + 1) >>> 1)
        val pairs = n >>> 1
        var q = 0
        var i = e
        while (q < pairs) {
          val w = buf(q)
          dst(i) = alphaCell(src(i), fa, fb, cBits, (((w & 0xFFFFFFFFL) - k) >> 63).toInt)
          dst(i + 1) = alphaCell(src(i + 1), fa, fb, cBits, (((w >>> 32) - k) >> 63).toInt)
          q += 1
          i += 2
        }
        if ((n & 1) != 0) dst(i) = alphaCell(src(i), fa, fb, cBits, (((buf(pairs) & 0xFFFFFFFFL) - k) >> 63).toInt)
        e += n
      }
    }
  }

  /** keep (m = all ones) ? x * a + b : the value whose bits are cBits (m = 0). */
  @inline private def alphaCell(x: Float, a: Float, b: Float, cBits: Int, m: Int): Float =
    intBitsToFloat((floatToRawIntBits(x * a + b) & m) | (cBits & ~m))

  /** [[alpha]] with a broadcast noise shape. */
  def alphaBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, a: Double, b: Double,
      c: Double, plan: Broadcast, from: Int, until: Int): Unit = {
    val fa = (a).toFloat
    val fb = (b).toFloat
    val fc = (c).toFloat
    val cBits = floatToRawIntBits(fc)
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val s = cur.start
      val t = cur.end
      if (cur.cellStep == 0) {
        if (cache.maskHalf(cur.cell) >= k) java.util.Arrays.fill(dst, s, t, fc)
        else { var i = s; while (i < t) { dst(i) = src(i) * fa + fb; i += 1 } }
      } else {
        var cell = cur.cell
        var i = s
        while (i < t) {
          dst(i) = alphaCell(src(i), fa, fb, cBits, ((cache.maskHalf(cell) - k) >> 63).toInt)
          i += 1
          cell += 1
        }
      }
    }
  }
}

/** The Double kernels: tight primitive loops over a flat range `[from, until)`;
  * `src` and `dst` may be the same array (in place). Noise cell `i` of the
  * elementwise kernels is element `i`.
  */
private[bigdlreg] object DoubleKernels {
  import Kernels.BufWords

  def copy(src: Array[Double], dst: Array[Double], from: Int, until: Int): Unit =
    if ((src ne dst) && until > from) System.arraycopy(src, from, dst, from, until - from)

  def zero(dst: Array[Double], from: Int, until: Int): Unit =
    if (until > from) java.util.Arrays.fill(dst, from, until, 0.0)

  /** dst = src * T(c). */
  def scale(src: Array[Double], dst: Array[Double], c: Double, from: Int, until: Int): Unit =
    scaleT(src, dst, (c), from, until)

  private def scaleT(src: Array[Double], dst: Array[Double], f: Double, from: Int, until: Int): Unit = {
    var i = from
    while (i < until) { dst(i) = src(i) * f; i += 1 }
  }

  /** dst = keep ? src * T(s) : +0 (scaled) or keep ? src : +0 (not scaled),
    * keep(i) = (mask half of cell i, unsigned) < k.
    */
  def mask(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
      from: Int, until: Int): Unit =
    if (scaled) maskScaled(src, dst, seed, step, k, (s), from, until)
    else maskKeep(src, dst, seed, step, k, from, until)

  private def maskScaled(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, s: Double,
      from: Int, until: Int): Unit = {
    var c = from
    if (c < until && (c & 1) != 0) { // odd start: the high half of word(c / 2)
      val w = Philox.word(seed, step, (c >>> 1).toLong)
      dst(c) = longBitsToDouble(doubleToRawLongBits(src(c) * s) & (((w >>> 32) - k) >> 63))
      c += 1
    }
    if (c < until) {
      val buf = new Array[Long](math.min(BufWords, (until - c + 1) >>> 1))
      while (c < until) {
        val n = math.min(until - c, 2 * BufWords)
        Philox.fill(seed, step, (c >>> 1).toLong, buf, 0, (n + 1) >>> 1)
        val pairs = n >>> 1
        var q = 0
        var i = c
        while (q < pairs) {
          val w = buf(q)
          dst(i) = longBitsToDouble(doubleToRawLongBits(src(i) * s) & (((w & 0xFFFFFFFFL) - k) >> 63))
          dst(i + 1) = longBitsToDouble(doubleToRawLongBits(src(i + 1) * s) & (((w >>> 32) - k) >> 63))
          q += 1
          i += 2
        }
        if ((n & 1) != 0) {
          val w = buf(pairs)
          dst(i) = longBitsToDouble(doubleToRawLongBits(src(i) * s) & (((w & 0xFFFFFFFFL) - k) >> 63))
        }
        c += n
      }
    }
  }

  private def maskKeep(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long,
      from: Int, until: Int): Unit = {
    var c = from
    if (c < until && (c & 1) != 0) {
      val w = Philox.word(seed, step, (c >>> 1).toLong)
      dst(c) = longBitsToDouble(doubleToRawLongBits(src(c)) & (((w >>> 32) - k) >> 63))
      c += 1
    }
    if (c < until) {
      val buf = new Array[Long](math.min(BufWords, (until - c + 1) >>> 1))
      while (c < until) {
        val n = math.min(until - c, 2 * BufWords)
        Philox.fill(seed, step, (c >>> 1).toLong, buf, 0, (n + 1) >>> 1)
        val pairs = n >>> 1
        var q = 0
        var i = c
        while (q < pairs) {
          val w = buf(q)
          dst(i) = longBitsToDouble(doubleToRawLongBits(src(i)) & (((w & 0xFFFFFFFFL) - k) >> 63))
          dst(i + 1) = longBitsToDouble(doubleToRawLongBits(src(i + 1)) & (((w >>> 32) - k) >> 63))
          q += 1
          i += 2
        }
        if ((n & 1) != 0) {
          val w = buf(pairs)
          dst(i) = longBitsToDouble(doubleToRawLongBits(src(i)) & (((w & 0xFFFFFFFFL) - k) >> 63))
        }
        c += n
      }
    }
  }

  /** dst = src * T(1 + sd * z(i)). */
  def gaussMul(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double, from: Int, until: Int): Unit = {
    val m = math.max(0, math.min(BufWords, until - from))
    val buf = new Array[Long](m)
    val z = new Array[Double](m)
    val tails = new Array[Int](m + 1)
    var c = from
    while (c < until) {
      val n = math.min(until - c, BufWords)
      Philox.fill(seed, step, c.toLong, buf, 0, n)
      Ppnd16.fromWords(buf, z, tails, n)
      var q = 0
      while (q < n) {
        dst(c + q) = src(c + q) * (1.0 + sd * z(q))
        q += 1
      }
      c += n
    }
  }


  /** dst = src + T(sd * z(i)). */
  def gaussAdd(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double, from: Int, until: Int): Unit = {
    val m = math.max(0, math.min(BufWords, until - from))
    val buf = new Array[Long](m)
    val z = new Array[Double](m)
    val tails = new Array[Int](m + 1)
    var c = from
    while (c < until) {
      val n = math.min(until - c, BufWords)
      Philox.fill(seed, step, c.toLong, buf, 0, n)
      Ppnd16.fromWords(buf, z, tails, n)
      var q = 0
      while (q < n) {
        dst(c + q) = src(c + q) + (sd * z(q))
        q += 1
      }
      c += n
    }
  }


  /** [[mask]] with a broadcast noise shape. */
  def maskBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
      plan: Broadcast, from: Int, until: Int): Unit = {
    val f = (s)
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val a = cur.start
      val b = cur.end
      if (cur.cellStep == 0) {
        if (cache.maskHalf(cur.cell) >= k) zero(dst, a, b)
        else if (scaled) scaleT(src, dst, f, a, b)
        else copy(src, dst, a, b)
      } else {
        var c = cur.cell
        var i = a
        while (i < b) {
          val v = if (scaled) src(i) * f else src(i)
          dst(i) = longBitsToDouble(doubleToRawLongBits(v) & ((cache.maskHalf(c) - k) >> 63))
          i += 1
          c += 1
        }
      }
    }
  }

  /** [[gaussMul]] with a broadcast noise shape. */
  def gaussMulBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double,
      plan: Broadcast, from: Int, until: Int): Unit = {
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val a = cur.start
      val b = cur.end
      if (cur.cellStep == 0) {
        scaleT(src, dst, (1.0 + sd * Ppnd16.fromWord(cache.word(cur.cell))), a, b)
      } else {
        var c = cur.cell
        var i = a
        while (i < b) {
          dst(i) = src(i) * (1.0 + sd * Ppnd16.fromWord(cache.word(c)))
          i += 1
          c += 1
        }
      }
    }
  }

  /** [[gaussAdd]] with a broadcast noise shape. */
  def gaussAddBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double,
      plan: Broadcast, from: Int, until: Int): Unit = {
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val a = cur.start
      val b = cur.end
      if (cur.cellStep == 0) {
        val add = (sd * Ppnd16.fromWord(cache.word(cur.cell)))
        var i = a
        while (i < b) { dst(i) = src(i) + add; i += 1 }
      } else {
        var c = cur.cell
        var i = a
        while (i < b) {
          dst(i) = src(i) + (sd * Ppnd16.fromWord(cache.word(c)))
          i += 1
          c += 1
        }
      }
    }
  }

  /** dst = keep ? src * T(a) + T(b) : T(c) (AlphaDropout), keep(i) =
    * (mask half of cell i, unsigned) < k. The kept value and T(c) are merged
    * by bit masks (no branch).
    */
  def alpha(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, a: Double, b: Double, c: Double,
      from: Int, until: Int): Unit = {
    val fa = (a)
    val fb = (b)
    val cBits = doubleToRawLongBits((c))
    var e = from
    if (e < until && (e & 1) != 0) { // odd start: the high half of word(e / 2)
      val w = Philox.word(seed, step, (e >>> 1).toLong)
      dst(e) = alphaCell(src(e), fa, fb, cBits, (((w >>> 32) - k) >> 63))
      e += 1
    }
    if (e < until) {
      val buf = new Array[Long](math.min(BufWords, (until - e + 1) >>> 1))
      while (e < until) {
        val n = math.min(until - e, 2 * BufWords)
        Philox.fill(seed, step, (e >>> 1).toLong, buf, 0, (n + 1) >>> 1)
        val pairs = n >>> 1
        var q = 0
        var i = e
        while (q < pairs) {
          val w = buf(q)
          dst(i) = alphaCell(src(i), fa, fb, cBits, (((w & 0xFFFFFFFFL) - k) >> 63))
          dst(i + 1) = alphaCell(src(i + 1), fa, fb, cBits, (((w >>> 32) - k) >> 63))
          q += 1
          i += 2
        }
        if ((n & 1) != 0) dst(i) = alphaCell(src(i), fa, fb, cBits, (((buf(pairs) & 0xFFFFFFFFL) - k) >> 63))
        e += n
      }
    }
  }

  /** keep (m = all ones) ? x * a + b : the value whose bits are cBits (m = 0). */
  @inline private def alphaCell(x: Double, a: Double, b: Double, cBits: Long, m: Long): Double =
    longBitsToDouble((doubleToRawLongBits(x * a + b) & m) | (cBits & ~m))

  /** [[alpha]] with a broadcast noise shape. */
  def alphaBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, a: Double, b: Double,
      c: Double, plan: Broadcast, from: Int, until: Int): Unit = {
    val fa = (a)
    val fb = (b)
    val fc = (c)
    val cBits = doubleToRawLongBits(fc)
    val cache = new WordCache(seed, step)
    val cur = plan.runs(from, until)
    while (cur.next()) {
      val s = cur.start
      val t = cur.end
      if (cur.cellStep == 0) {
        if (cache.maskHalf(cur.cell) >= k) java.util.Arrays.fill(dst, s, t, fc)
        else { var i = s; while (i < t) { dst(i) = src(i) * fa + fb; i += 1 } }
      } else {
        var cell = cur.cell
        var i = s
        while (i < t) {
          dst(i) = alphaCell(src(i), fa, fb, cBits, ((cache.maskHalf(cell) - k) >> 63))
          i += 1
          cell += 1
        }
      }
    }
  }
}
