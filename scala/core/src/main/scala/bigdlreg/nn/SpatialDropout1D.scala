package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** SpatialDropout1D (BigDL `nn.SpatialDropout1D`): drops whole channels.
  * Input 3-D (N, T, C), noise (N, 1, C); or 2-D (T, C), noise (1, C).
  * Training: `keep ? x : +0` (no rescale); evaluate: `x * T(1 - p)`.
  * It is [[Dropout]] with `scale = false` and that fixed noise shape.
  *
  * @param initP drop probability in [0, 1] (Python `init_p`)
  * @param seed  the module seed (unsigned 64-bit, `seed = 42L`); default: the global seeder
  */
class SpatialDropout1D[T](initP: Double = SpatialDropout1D.DefaultP, seed: Seed = Seed.Global)(
    implicit ev: TensorNumeric[T])
    extends Dropout[T](SpatialDropout1D, LayerArgs(initP), seed)

object SpatialDropout1D extends DropoutSpec {
  val name = "SpatialDropout1D"
  val takes: Set[String] = Set.empty
  override def scaled(args: LayerArgs): Boolean = false
  def noiseRule(args: LayerArgs): NoiseShape.Rule = NoiseShape.spatial1D
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T] =
    new SpatialDropout1D[T](args.value, seed)

  def apply[T](initP: Double = DefaultP, seed: Seed = Seed.Global)(implicit ev: TensorNumeric[T]): SpatialDropout1D[T] =
    new SpatialDropout1D[T](initP, seed)
}
