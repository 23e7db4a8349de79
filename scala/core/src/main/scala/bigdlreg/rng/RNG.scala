package bigdlreg.rng

import java.security.SecureRandom

/** The global seeder (docs/contract.md, "Module seeds").
  *
  * After `setSeed(g)`, the k-th module that takes its seed from here
  * (k = 0, 1, ...; modules constructed with an explicit `seed` don't count)
  * gets `Philox4x64_10(counter = (1 + k / 4, 0, 0, 0), key = (g, 1))(k % 4)`,
  * i.e. `np.random.Philox(key=g | 1 << 64).random_raw(k + 1)[k]`.
  * Never seeded, the global seed is drawn once from OS entropy
  * (`SecureRandom`). All methods are thread-safe.
  *
  * Seeds are unsigned 64-bit integers held in a `Long` (same bits); use
  * [[RNG.seedToString]] / [[RNG.parseSeed]] for their decimal form.
  */
object RNG {
  private var globalSeed: Long = 0L
  private var seeded: Boolean = false
  private var counter: Long = 0L
  private var fills: Long = 0L

  /** Sets the global seed and restarts the module count (and the fill count) at k = 0. */
  def setSeed(g: Long): Unit = synchronized {
    globalSeed = g
    seeded = true
    counter = 0L
    fills = 0L
  }

  /** The global seed (drawing it from OS entropy if it was never set). */
  def getSeed: Long = synchronized { ensureSeeded(); globalSeed }

  /** The seed of the next module created without an explicit seed. */
  def nextModuleSeed(): Long = synchronized {
    ensureSeeded()
    val k = counter
    counter += 1
    moduleSeed(globalSeed, k)
  }

  /** The seed of the next `Tensor.rand()` fill: word k of its own stream (key (g, 2)), so fills
    * never move the module seeds. */
  def nextFillSeed(): Long = synchronized {
    ensureSeeded()
    val k = fills
    fills += 1
    word(globalSeed, 2L, k)
  }

  /** The seed of module `k` (0-based) under global seed `g`. Pure. */
  def moduleSeed(g: Long, k: Long): Long = word(g, 1L, k)

  /** Word `k` of the Philox stream of key (g, `key`). */
  private def word(g: Long, key: Long, k: Long): Long = {
    val out = new Array[Long](4)
    Philox.block(1L + (k >>> 2), 0L, 0L, 0L, g, key, out, 0)
    out((k & 3L).toInt)
  }

  /** A seed as an unsigned decimal string. */
  def seedToString(seed: Long): String = java.lang.Long.toUnsignedString(seed)

  /** Parses an unsigned 64-bit decimal seed (0 .. 18446744073709551615). */
  def parseSeed(s: String): Long = java.lang.Long.parseUnsignedLong(s)

  private def ensureSeeded(): Unit =
    if (!seeded) {
      globalSeed = new SecureRandom().nextLong()
      seeded = true
      counter = 0L
      fills = 0L
    }
}
