package bigdlreg.nn

import bigdlreg.tensor.{Broadcast, Engine}

/** What one forward does to each element, given its noise cell; the same
  * value, via [[NoiseOp.derivative]], says what the matching backward does.
  * `T(v)` rounds a double to the element type; "+0" is positive zero whatever
  * the input (NaN and Inf included). Each op applies itself ([[apply]]) with
  * its kernel (Kernels.scala.template: one source for Float and Double).
  */
sealed trait NoiseOp extends Product with Serializable {

  /** The op backward applies to the gradient (same noise). */
  def derivative: NoiseOp = this

  /** `dst = op(src)` with the noise of (seed, step) and noise shape `noise`
    * over an input of `shape`, in chunks on the Engine. Noise cell `c` of
    * `noise` is cell `cellBase + c` of the RNG stream. `src` and `dst` are
    * arrays of one element type (Float or Double); they may be the same.
    * `staging` moves each chunk in and out around its kernel.
    */
  final def apply[T](seed: Long, step: Long, shape: Array[Int], noise: Array[Int], src: Array[T], dst: Array[T],
      cellBase: Long = 0L, staging: NoiseOp.Staging = NoiseOp.Staging.InPlace): Unit = {
    val n = src.length
    if (n == 0) return
    val plan = NoiseShape.plan(shape, noise).shifted(cellBase)
    (src: AnyRef) match { // the one place that looks at the element type
      case s: Array[Float] =>
        val d = dst.asInstanceOf[Array[Float]]
        Engine.parallelFor(n) { (a, b) => staging.load(a, b); run(s, d, seed, step, plan, a, b); staging.store(a, b) }
      case s: Array[Double] =>
        val d = dst.asInstanceOf[Array[Double]]
        Engine.parallelFor(n) { (a, b) => staging.load(a, b); run(s, d, seed, step, plan, a, b); staging.store(a, b) }
      case other => throw new IllegalArgumentException(s"no kernel for ${other.getClass.getSimpleName}")
    }
  }

  /** The kernel over the elements `[from, until)`. */
  protected[bigdlreg] def run(src: Array[Float], dst: Array[Float], seed: Long, step: Long, plan: Broadcast,
      from: Int, until: Int): Unit
  protected[bigdlreg] def run(src: Array[Double], dst: Array[Double], seed: Long, step: Long, plan: Broadcast,
      from: Int, until: Int): Unit
}

object NoiseOp {

  /** Fills and empties the arrays around each chunk's kernel, on the chunk's
    * thread: `load(from, until)` before the kernel reads `src` there,
    * `store(from, until)` after it wrote `dst` there. The py4j bridge copies
    * chunks between its shared memory and the arrays this way, while each chunk
    * is in cache, instead of in whole-array passes before and after.
    */
  trait Staging {
    def load(from: Int, until: Int): Unit
    def store(from: Int, until: Int): Unit
  }

  object Staging {
    /** The arrays already hold the input and are the output. */
    object InPlace extends Staging {
      def load(from: Int, until: Int): Unit = ()
      def store(from: Int, until: Int): Unit = ()
    }
  }

  /** y = x (a copy; the identity of p = 0, rate = 0, stddev = 0). */
  case object Identity extends NoiseOp with CopyKernel

  /** y = +0 (Dropout / Spatial training with p = 1: no division). */
  case object Zero extends NoiseOp with ZeroKernel

  /** y = x * T(c) (evaluate forward without rescale). */
  final case class Scale(c: Double) extends NoiseOp with ScaleKernel

  /** The ops that keep or drop each cell by its 32-bit mask half: keep iff
    * the half is below `k`. `y = keep ? x * T(factor) : +0` (scaled) or
    * `keep ? x : +0` (not scaled).
    */
  sealed trait Masking extends NoiseOp with MaskKernel {
    def k: Long
    def factor: Double
    def scaled: Boolean
  }

  /** y = keep ? x * T(1 / (1 - p)) : +0 (scaled) or keep ? x : +0, with
    * keep iff the cell's 32-bit mask half is below `k = ceil((1 - p) * 2^32)`.
    * Its own derivative. Requires 0 < p < 1.
    */
  final case class Mask(p: Double, scaled: Boolean) extends Masking {
    require(p > 0.0 && p < 1.0, s"Mask needs 0 < p < 1, got $p")
    val k: Long = keepThreshold(p)
    val factor: Double = 1.0 / (1.0 - p)
  }

  /** y = keep ? x * T(factor) : +0 with Dropout's mask of drop probability p
    * (AlphaDropout's derivative, factor = a). Its own derivative.
    */
  final case class MaskScale(p: Double, factor: Double) extends Masking {
    require(p > 0.0 && p < 1.0, s"MaskScale needs 0 < p < 1, got $p")
    val k: Long = keepThreshold(p)
    def scaled: Boolean = true
  }

  /** AlphaDropout (docs/contract.md, "Extensions: AlphaDropout and
    * FeatureAlphaDropout"): with Dropout's mask of drop probability p,
    * `y = keep ? (x * T(a)) + T(b) : T(a * alpha' + b)`, where in double
    * `a = 1 / sqrt((1 - p) * (1 + p * alpha'^2))` and `b = -a * alpha' * p`.
    * Derivative: keep ? g * T(a) : +0. Requires 0 < p < 1.
    */
  final case class AlphaMask(p: Double) extends NoiseOp with AlphaKernel {
    require(p > 0.0 && p < 1.0, s"AlphaMask needs 0 < p < 1, got $p")
    val k: Long = keepThreshold(p)
    val a: Double = 1.0 / Math.sqrt((1.0 - p) * (1.0 + p * AlphaPrime * AlphaPrime))
    val b: Double = -a * AlphaPrime * p
    /** The value of a dropped cell, `a * alpha' + b` (before rounding to the element type). */
    val dropped: Double = a * AlphaPrime + b
    override def derivative: NoiseOp = MaskScale(p, a)
  }

  /** SELU's saturation value `-lambda * alpha` (Klambauer et al., 2017). */
  final val AlphaPrime: Double = -1.7580993408473766

  /** The ops that draw one standard normal z per cell (docs/contract.md, "Normals"). */
  sealed trait Gaussian extends NoiseOp with GaussKernel {
    def sd: Double
    /** True: y = x * T(1 + sd * z); false: y = x + T(sd * z). */
    def multiplicative: Boolean
  }

  /** y = x * T(1 + sd * z) (GaussianDropout). Its own derivative. */
  final case class GaussMul(sd: Double) extends Gaussian {
    def multiplicative: Boolean = true
  }

  object GaussMul {
    /** GaussianDropout's sd for a rate, sqrt(rate / (1 - rate)) in double. */
    def stddev(rate: Double): Double = Math.sqrt(rate / (1.0 - rate))
  }

  /** y = x + T(sd * z) (GaussianNoise); the derivative is the identity. */
  final case class GaussAdd(sd: Double) extends Gaussian {
    def multiplicative: Boolean = false
    override def derivative: NoiseOp = Identity
  }

  /** `K = ceil((1.0 - p) * 2^32)` in double (exact), in [0, 2^32]. */
  def keepThreshold(p: Double): Long = Math.ceil((1.0 - p) * 4294967296.0).toLong

  // The op factories: the one place for the special values of each parameter.

  /** Dropout-style training op: identity at p = 0, zero at p = 1, else a mask. */
  def dropout(p: Double, scaled: Boolean): NoiseOp =
    if (p == 0.0) Identity else if (p == 1.0) Zero else Mask(p, scaled)

  /** AlphaDropout training op: identity at p = 0 (a = 1, b = 0; no rounding of -0 to +0). */
  def alphaDropout(p: Double): NoiseOp = if (p == 0.0) Identity else AlphaMask(p)

  /** GaussianDropout training op: identity at rate 0. */
  def gaussianDropout(rate: Double): NoiseOp =
    if (rate == 0.0) Identity else GaussMul(GaussMul.stddev(rate))

  /** GaussianNoise training op: identity at stddev 0. */
  def gaussianNoise(stddev: Double): NoiseOp =
    if (stddev == 0.0) Identity else GaussAdd(stddev)
}
