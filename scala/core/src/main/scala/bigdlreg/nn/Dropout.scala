package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** Dropout (BigDL `nn.Dropout`): in training, each noise cell is kept with
  * probability 1 - p and dropped (+0) otherwise; kept elements are rescaled by
  * `T(1 / (1 - p))` when `scale` is true. Evaluate: `x` (scale) or
  * `x * T(1 - p)` (no scale). p = 0 is the identity, p = 1 gives all +0.
  *
  * The noise shape is the input's unless `noiseShape` (Keras' `noise_shape`)
  * says which axes share a draw. The Spatial layers are this class with a
  * fixed channel noise shape and no rescale.
  *
  * @param initP      drop probability in [0, 1] (Python `init_p`)
  * @param inplace    write the output into the input tensor (and the gradient
  *                   into `gradOutput`)
  * @param scale      rescale kept elements by 1 / (1 - p) in training
  * @param seed       the module seed (unsigned 64-bit, `seed = 42L`); default: the global seeder
  * @param noiseShape Keras `noise_shape` (Python `noise_shape`): one entry per
  *                   input axis, `None` (the input's size), 1 (share the draw
  *                   along that axis) or the input's size, written
  *                   `NoiseShape(None, 1, None)`; `None`: the input's shape
  */
class Dropout[T] protected[nn] (spec: DropoutSpec, args: LayerArgs, seed: Seed)(
    implicit ev: TensorNumeric[T]) extends NoiseModule[T](spec, args, seed) with DropProbability {

  def this(initP: Double = Dropout.DefaultP, inplace: Boolean = false, scale: Boolean = true,
      seed: Seed = Seed.Global, noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T]) =
    this(Dropout, LayerArgs(initP, scale, noiseShape = noiseShape, inplace = inplace), seed)

  /** The drop probability given at construction. */
  val initP: Double = layerArgs.value

  /** True when the output is written into the input (and the gradient into `gradOutput`). */
  def inplace: Boolean = layerArgs.inplace

  /** True when kept elements are rescaled by 1 / (1 - p) (false for the Spatial layers). */
  def scale: Boolean = spec.scaled(layerArgs)

  /** Keras' `noise_shape` (`None` for the Spatial layers: theirs follows the input's rank). */
  def noiseShape: Option[Seq[Option[Int]]] = layerArgs.noiseShape
}

/** Dropout and the Spatial layers: a keep mask of drop probability `init_p`
  * in [0, 1]; with `scale`, kept cells are rescaled in training, without it
  * evaluate multiplies by 1 - p. They differ only in their noise shapes.
  */
trait DropoutSpec extends LayerSpec {
  final val DefaultP = 0.5
  val value: Parameter = Parameter("init_p", Some(DefaultP), Validation.probability)
  def noiseKind: Noise.Kind = Noise.KeepMask
  /** Whether kept cells are rescaled in training (Dropout's `scale`; never for the Spatial layers). */
  def scaled(args: LayerArgs): Boolean = args.scale
  def trainingOp(args: LayerArgs): NoiseOp = NoiseOp.dropout(args.value, scaled(args))
  def evaluateOp(args: LayerArgs): NoiseOp = if (scaled(args)) NoiseOp.Identity else NoiseOp.Scale(1.0 - args.value)
}

object Dropout extends DropoutSpec {
  val name = "Dropout"
  val takes: Set[String] = Set("inplace", "scale", "noise_shape")
  def noiseRule(args: LayerArgs): NoiseShape.Rule = NoiseShape.of(name, args.noiseShape)
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T] =
    new Dropout[T](this, args, seed)

  def apply[T](initP: Double = DefaultP, inplace: Boolean = false, scale: Boolean = true, seed: Seed = Seed.Global,
      noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T]): Dropout[T] =
    new Dropout[T](initP, inplace, scale, seed, noiseShape)
}
