package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** Multiplicative Gaussian noise (BigDL `nn.GaussianDropout`): in training
  * `y = x * T(1 + sd * z)` with `sd = sqrt(rate / (1 - rate))` (in double) and
  * z standard normal per element; evaluate: `x`. rate = 0 is the identity.
  * Backward multiplies the gradient by the same factor (BigDL draws fresh
  * noise there).
  *
  * @param rate drop rate in [0, 1) (Python `rate`)
  * @param seed the module seed (unsigned 64-bit, `seed = 42L`); default: the global seeder
  * @param noiseShape Keras `noise_shape`, as for [[Dropout]]; `None`: the input's shape
  */
class GaussianDropout[T](
    val rate: Double,
    seed: Seed = Seed.Global,
    val noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T](GaussianDropout, LayerArgs(rate, noiseShape = noiseShape), seed) {

  /** The noise's standard deviation, sqrt(rate / (1 - rate)). */
  val stddev: Double = NoiseOp.GaussMul.stddev(rate)
}

object GaussianDropout extends LayerSpec {
  val name = "GaussianDropout"
  val value: Parameter = Parameter("rate", None, Validation.rate)
  val takes: Set[String] = Set("noise_shape")
  def noiseKind: Noise.Kind = Noise.Multiplicative
  def noiseRule(args: LayerArgs): NoiseShape.Rule = NoiseShape.of(name, args.noiseShape)
  def trainingOp(args: LayerArgs): NoiseOp = NoiseOp.gaussianDropout(args.value)
  def evaluateOp(args: LayerArgs): NoiseOp = NoiseOp.Identity
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T] =
    new GaussianDropout[T](args.value, seed, args.noiseShape)

  def apply[T](rate: Double, seed: Seed = Seed.Global, noiseShape: Option[Seq[Option[Int]]] = None)(
      implicit ev: TensorNumeric[T]): GaussianDropout[T] = new GaussianDropout[T](rate, seed, noiseShape)
}
