package bigdlreg.rng

/** Philox4x64-10 (Salmon, Moraes, Dror, Shaw, SC'11; Random123), the generator
  * behind numpy's `np.random.Philox`, as fixed by docs/contract.md,
  * "Philox4x64-10 words".
  *
  * All 64-bit quantities are unsigned values held in `Long`s (same bits).
  *
  * For a module with seed `s` at step `t`, word `j` of its noise stream is
  * {{{
  * word(j) = Philox4x64_10(counter = (1 + j / 4, t, 0, 0), key = (s, 0))(j % 4)
  * }}}
  * which equals `np.random.Philox(key=s, counter=t << 64).random_raw(n)[j]`.
  * Mask cell `i` uses the low (even `i`) or high (odd `i`) 32-bit half of
  * `word(i / 2)`; normal cell `i` uses `word(i)`.
  */
object Philox {
  final val M0: Long = 0xD2E7470EE14C6C93L
  final val M1: Long = 0xCA5A826395121157L
  final val W0: Long = 0x9E3779B97F4A7C15L
  final val W1: Long = 0xBB67AE8584CAA73BL

  /** High 64 bits of the unsigned 128-bit product `a * b`.
    * `Math.multiplyHigh` is the signed product; the two corrections add `b`
    * when `a` is "negative" and `a` when `b` is.
    */
  @inline def unsignedMultiplyHigh(a: Long, b: Long): Long =
    Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a)

  /** Generic Philox4x64-10 block, written to `out(off .. off + 3)`. */
  def block(c0: Long, c1: Long, c2: Long, c3: Long, k0: Long, k1: Long, out: Array[Long], off: Int): Unit = {
    var x0 = c0; var x1 = c1; var x2 = c2; var x3 = c3
    var ka = k0; var kb = k1
    var r = 0
    while (r < 10) {
      if (r > 0) { ka += W0; kb += W1 }
      val lo0 = M0 * x0
      val hi0 = unsignedMultiplyHigh(M0, x0)
      val lo1 = M1 * x2
      val hi1 = unsignedMultiplyHigh(M1, x2)
      x0 = hi1 ^ x1 ^ ka
      x1 = lo1
      x2 = hi0 ^ x3 ^ kb
      x3 = lo0
      r += 1
    }
    out(off) = x0; out(off + 1) = x1; out(off + 2) = x2; out(off + 3) = x3
  }

  /** Generic Philox4x64-10 block as a fresh array of 4 words. */
  def block(c0: Long, c1: Long, c2: Long, c3: Long, k0: Long, k1: Long): Array[Long] = {
    val out = new Array[Long](4)
    block(c0, c1, c2, c3, k0, k1, out, 0)
    out
  }

  /** The 4 words of noise block `b` (words `4b .. 4b+3`) of stream (seed, step):
    * counter `(1 + b, step, 0, 0)`, key `(seed, 0)`.
    */
  def streamBlock(seed: Long, step: Long, b: Long, out: Array[Long], off: Int): Unit =
    block(1L + b, step, 0L, 0L, seed, 0L, out, off)

  /** `word(j)` of stream (seed, step). Slow path (one block per call). */
  def word(seed: Long, step: Long, j: Long): Long = {
    val out = new Array[Long](4)
    streamBlock(seed, step, j >>> 2, out, 0)
    out((j & 3L).toInt)
  }

  /** Fills `out(off until off + n)` with `word(first) .. word(first + n - 1)`
    * of stream (seed, step). `first` may be any non-negative index (not only a
    * multiple of 4). This is the hot loop of every noise kernel: the block
    * function is inlined here with the counter's zero words and the key's zero
    * high word folded into the first round, and two blocks are computed side
    * by side (their dependency chains interleave: measured about 1.4x faster
    * than one block at a time). Same words as [[word]], bit for bit.
    */
  def fill(seed: Long, step: Long, first: Long, out: Array[Long], off: Int, n: Int): Unit = {
    if (n <= 0) return
    var j = first
    val end = first + n
    var o = off
    // head: up to the next multiple of 4
    if ((j & 3L) != 0L) {
      val blk = new Array[Long](4)
      streamBlock(seed, step, j >>> 2, blk, 0)
      while (j < end && (j & 3L) != 0L) { out(o) = blk((j & 3L).toInt); o += 1; j += 1 }
    }
    // body: two blocks (8 words) at a time
    val x1Init = step ^ seed
    while (end - j >= 8) {
      val ca = 1L + (j >>> 2)
      val cb = ca + 1L
      // round 1: counter (c, step, 0, 0), key (seed, 0): the products of the zero words vanish
      var a0 = x1Init; var a1 = 0L; var a2 = unsignedMultiplyHigh(M0, ca); var a3 = M0 * ca
      var b0 = x1Init; var b1 = 0L; var b2 = unsignedMultiplyHigh(M0, cb); var b3 = M0 * cb
      var ka = seed
      var kb = 0L
      var r = 1
      while (r < 10) {
        ka += W0; kb += W1
        val pa0 = a0; val pa2 = a2
        val pb0 = b0; val pb2 = b2
        val alo0 = M0 * pa0
        val ahi0 = unsignedMultiplyHigh(M0, pa0)
        val alo1 = M1 * pa2
        val ahi1 = unsignedMultiplyHigh(M1, pa2)
        val blo0 = M0 * pb0
        val bhi0 = unsignedMultiplyHigh(M0, pb0)
        val blo1 = M1 * pb2
        val bhi1 = unsignedMultiplyHigh(M1, pb2)
        a0 = ahi1 ^ a1 ^ ka; a1 = alo1; a2 = ahi0 ^ a3 ^ kb; a3 = alo0
        b0 = bhi1 ^ b1 ^ ka; b1 = blo1; b2 = bhi0 ^ b3 ^ kb; b3 = blo0
        r += 1
      }
      out(o) = a0; out(o + 1) = a1; out(o + 2) = a2; out(o + 3) = a3
      out(o + 4) = b0; out(o + 5) = b1; out(o + 6) = b2; out(o + 7) = b3
      o += 8; j += 8
    }
    // tail: fewer than 8 words left
    if (j < end) {
      val blk = new Array[Long](4)
      while (j < end) {
        streamBlock(seed, step, j >>> 2, blk, 0)
        var l = 0
        while (l < 4 && j < end) { out(o) = blk(l); o += 1; j += 1; l += 1 }
      }
    }
  }
}

/** Random access to the words of one stream (seed, step), caching the last
  * Philox block: cheap for the nearly sequential cell indices of broadcast
  * noise shapes. Not thread-safe (one per chunk).
  */
final class WordCache(seed: Long, step: Long) {
  private[this] val buf = new Array[Long](4)
  private[this] var blk = -1L

  /** `word(j)` of the stream. */
  def word(j: Long): Long = {
    val b = j >>> 2
    if (b != blk) { Philox.streamBlock(seed, step, b, buf, 0); blk = b }
    buf((j & 3L).toInt)
  }

  /** The unsigned 32-bit half of mask cell `c`: low half of `word(c / 2)` for
    * even `c`, high half for odd `c`.
    */
  def maskHalf(c: Long): Long = {
    val w = word(c >>> 1)
    if ((c & 1L) == 0L) w & 0xFFFFFFFFL else w >>> 32
  }
}

/** The noise of a run of consecutive cells of one stream (seed, step), kept
  * while later runs use the same cells. In channels-last layouts (e.g.
  * SpatialDropout2D NHWC, noise shape (N, 1, 1, C)) every position repeats
  * the same row of C cells: the row is drawn once and applied per row, instead
  * of a word lookup per element. Not thread-safe (one per chunk).
  */
final class CellRow(seed: Long, step: Long) {
  private[this] var first = -1L // first cell held (-1: nothing held)
  private[this] var count = 0
  private[this] var normal = false // what is held: normals, or mask halves
  private[this] var words = new Array[Long](0)
  /** Mask halves (unsigned 32-bit, in Longs) of the cells held, after [[maskHalves]]. */
  var halves: Array[Long] = new Array[Long](0)
  /** Normals of the cells held, after [[normals]]. */
  var z: Array[Double] = new Array[Double](0)
  private[this] var tails = new Array[Int](1)

  private def holds(cell: Long, n: Int, wantNormal: Boolean): Boolean =
    first >= 0 && normal == wantNormal && cell >= first && cell + n <= first + count

  /** Makes [[halves]] hold mask cells `cell until cell + n`; returns the index of `cell` in it. */
  def maskHalves(cell: Long, n: Int): Int = {
    if (!holds(cell, n, wantNormal = false)) {
      val w0 = cell >>> 1
      val nWords = (((cell + n - 1) >>> 1) - w0 + 1).toInt
      if (words.length < nWords) words = new Array[Long](nWords)
      if (halves.length < n) halves = new Array[Long](n)
      Philox.fill(seed, step, w0, words, 0, nWords)
      var i = 0
      var c = cell
      while (i < n) {
        val w = words(((c >>> 1) - w0).toInt)
        halves(i) = if ((c & 1L) == 0L) w & 0xFFFFFFFFL else w >>> 32
        i += 1
        c += 1
      }
      first = cell; count = n; normal = false
    }
    (cell - first).toInt
  }

  /** Makes [[z]] hold the normals of cells `cell until cell + n`; returns the index of `cell` in it. */
  def normals(cell: Long, n: Int): Int = {
    if (!holds(cell, n, wantNormal = true)) {
      if (words.length < n) words = new Array[Long](n)
      if (z.length < n) { z = new Array[Double](n); tails = new Array[Int](n + 1) }
      Philox.fill(seed, step, cell, words, 0, n)
      Ppnd16.fromWords(words, z, tails, n)
      first = cell; count = n; normal = true
    }
    (cell - first).toInt
  }
}
