package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** Additive Gaussian noise (BigDL `nn.GaussianNoise`): in training
  * `y = x + T(stddev * z)`, z standard normal per element; evaluate: `x`.
  * stddev = 0 is the identity. Backward: the gradient itself.
  *
  * @param stddev standard deviation, >= 0 and finite (Python `stddev`)
  * @param seed   the module seed (unsigned 64-bit, `seed = 42L`); default: the global seeder
  * @param noiseShape Keras `noise_shape`, as for [[Dropout]]; `None`: the input's shape
  */
class GaussianNoise[T](
    val stddev: Double,
    seed: Seed = Seed.Global,
    val noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T](GaussianNoise, LayerArgs(stddev, noiseShape = noiseShape), seed)

object GaussianNoise extends LayerSpec {
  val name = "GaussianNoise"
  val value: Parameter = Parameter("stddev", None, Validation.stddev)
  val takes: Set[String] = Set("noise_shape")
  def noiseKind: Noise.Kind = Noise.Additive
  def noiseRule(args: LayerArgs): NoiseShape.Rule = NoiseShape.of(name, args.noiseShape)
  def trainingOp(args: LayerArgs): NoiseOp = NoiseOp.gaussianNoise(args.value)
  def evaluateOp(args: LayerArgs): NoiseOp = NoiseOp.Identity
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T] =
    new GaussianNoise[T](args.value, seed, args.noiseShape)

  def apply[T](stddev: Double, seed: Seed = Seed.Global, noiseShape: Option[Seq[Option[Int]]] = None)(
      implicit ev: TensorNumeric[T]): GaussianNoise[T] = new GaussianNoise[T](stddev, seed, noiseShape)
}
