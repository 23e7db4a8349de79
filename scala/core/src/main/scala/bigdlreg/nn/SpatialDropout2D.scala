package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** SpatialDropout2D (BigDL `nn.SpatialDropout2D`): drops whole 2D feature maps.
  * Input 4-D NCHW (N, C, H, W) -> noise (N, C, 1, 1), NHWC (N, H, W, C) -> (N, 1, 1, C);
  * 3-D NCHW (C, H, W) -> (C, 1, 1), NHWC (H, W, C) -> (1, 1, C).
  * Training: `keep ? x : +0` (no rescale); evaluate: `x * T(1 - p)`.
  * It is [[Dropout]] with `scale = false` and that fixed noise shape.
  *
  * @param initP  drop probability in [0, 1] (Python `init_p`)
  * @param format where the channels are (Python `data_format`); parse a
  *               string with `DataFormat("NHWC")`
  * @param seed   the module seed (unsigned 64-bit, `seed = 42L`); default: the global seeder
  */
class SpatialDropout2D[T](
    initP: Double = SpatialDropout2D.DefaultP,
    val format: DataFormat = DataFormat.NCHW,
    seed: Seed = Seed.Global)(implicit ev: TensorNumeric[T])
    extends Dropout[T](SpatialDropout2D, LayerArgs(initP, format = format), seed)

object SpatialDropout2D extends DropoutSpec {
  val name = "SpatialDropout2D"
  val takes: Set[String] = Set("data_format")
  override def scaled(args: LayerArgs): Boolean = false
  def noiseRule(args: LayerArgs): NoiseShape.Rule = DataFormat.rule(name, args.format, NoiseShape.spatial2D)
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T] =
    new SpatialDropout2D[T](args.value, args.format, seed)

  def apply[T](initP: Double = DefaultP, format: DataFormat = DataFormat.NCHW, seed: Seed = Seed.Global)(
      implicit ev: TensorNumeric[T]): SpatialDropout2D[T] = new SpatialDropout2D[T](initP, format, seed)
}
