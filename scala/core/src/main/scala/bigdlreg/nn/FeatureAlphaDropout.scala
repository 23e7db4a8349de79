package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** FeatureAlphaDropout (PyTorch `nn.FeatureAlphaDropout`): [[AlphaDropout]]
  * on whole channels, with the noise shapes of SpatialDropout2D/3D chosen by
  * rank: 4-D NCHW (N, C, H, W) -> noise (N, C, 1, 1), NHWC (N, H, W, C) ->
  * (N, 1, 1, C); 3-D (C, H, W) / (H, W, C) -> (C, 1, 1) / (1, 1, C); 5-D
  * (N, C, D, H, W) / (N, D, H, W, C) -> (N, C, 1, 1, 1) / (N, 1, 1, 1, C). A
  * 4-D input is read as a batch of 2-D maps (as PyTorch does).
  *
  * @param initP  drop probability in [0, 1) (Python `init_p`)
  * @param format where the channels are (Python `data_format`)
  * @param seed   the module seed (unsigned 64-bit, `seed = 42L`); default: the global seeder
  */
class FeatureAlphaDropout[T](
    initP: Double = FeatureAlphaDropout.DefaultP,
    val format: DataFormat = DataFormat.NCHW,
    seed: Seed = Seed.Global)(implicit ev: TensorNumeric[T])
    extends AlphaDropout[T](FeatureAlphaDropout, LayerArgs(initP, format = format), seed)

object FeatureAlphaDropout extends AlphaDropoutSpec {
  val name = "FeatureAlphaDropout"
  val takes: Set[String] = Set("data_format")
  def noiseRule(args: LayerArgs): NoiseShape.Rule = DataFormat.rule(name, args.format, NoiseShape.feature)
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T] =
    new FeatureAlphaDropout[T](args.value, args.format, seed)

  def apply[T](initP: Double = DefaultP, format: DataFormat = DataFormat.NCHW, seed: Seed = Seed.Global)(
      implicit ev: TensorNumeric[T]): FeatureAlphaDropout[T] = new FeatureAlphaDropout[T](initP, format, seed)
}
