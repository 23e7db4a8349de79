package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** AlphaDropout (PyTorch `nn.AlphaDropout`, Keras `AlphaDropout`; Klambauer
  * et al., 2017): dropout for SELU networks that keeps their zero mean and
  * unit variance. With `alpha' = -1.7580993408473766` (SELU's saturation) and,
  * in double, `a = 1 / sqrt((1 - p) * (1 + p * alpha'^2))`, `b = -a * alpha' * p`:
  * training `y = keep ? (x * T(a)) + T(b) : T(a * alpha' + b)`, the mask drawn
  * as Dropout's; backward `keep ? g * T(a) : +0`; evaluate: `x`. p = 0 is the
  * identity.
  *
  * @param initP      drop probability in [0, 1) (Python `init_p`)
  * @param seed       the module seed (unsigned 64-bit, `seed = 42L`); default: the global seeder
  * @param noiseShape Keras `noise_shape`, as for [[Dropout]]; `None`: the input's shape
  */
class AlphaDropout[T] protected[nn] (spec: AlphaDropoutSpec, args: LayerArgs, seed: Seed)(
    implicit ev: TensorNumeric[T]) extends NoiseModule[T](spec, args, seed) with DropProbability {

  def this(initP: Double = AlphaDropout.DefaultP, seed: Seed = Seed.Global,
      noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T]) =
    this(AlphaDropout, LayerArgs(initP, noiseShape = noiseShape), seed)

  /** The drop probability given at construction. */
  val initP: Double = layerArgs.value

  /** Keras' `noise_shape` (`None` for FeatureAlphaDropout: its noise follows the input's rank). */
  def noiseShape: Option[Seq[Option[Int]]] = layerArgs.noiseShape
}

/** AlphaDropout and FeatureAlphaDropout: Dropout's keep mask of drop
  * probability `init_p` in [0, 1) (p = 1 has no finite affine correction),
  * the SELU-preserving affine map in training, the identity in evaluate.
  */
trait AlphaDropoutSpec extends LayerSpec {
  final val DefaultP = 0.5
  val value: Parameter = Parameter("init_p", Some(DefaultP), Validation.probabilityBelowOne)
  def noiseKind: Noise.Kind = Noise.KeepMask
  def trainingOp(args: LayerArgs): NoiseOp = NoiseOp.alphaDropout(args.value)
  def evaluateOp(args: LayerArgs): NoiseOp = NoiseOp.Identity
}

object AlphaDropout extends AlphaDropoutSpec {
  val name = "AlphaDropout"
  val takes: Set[String] = Set("noise_shape")
  def noiseRule(args: LayerArgs): NoiseShape.Rule = NoiseShape.of(name, args.noiseShape)
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T] =
    new AlphaDropout[T](this, args, seed)

  def apply[T](initP: Double = DefaultP, seed: Seed = Seed.Global, noiseShape: Option[Seq[Option[Int]]] = None)(
      implicit ev: TensorNumeric[T]): AlphaDropout[T] = new AlphaDropout[T](initP, seed, noiseShape)
}
