package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** SpatialDropout3D (BigDL `nn.SpatialDropout3D`): drops whole 3D feature volumes.
  * Input 5-D NCHW (N, C, D, H, W) -> noise (N, C, 1, 1, 1), NHWC (N, D, H, W, C) -> (N, 1, 1, 1, C);
  * 4-D NCHW (C, D, H, W) -> (C, 1, 1, 1), NHWC (D, H, W, C) -> (1, 1, 1, C).
  * Training: `keep ? x : +0` (no rescale); evaluate: `x * T(1 - p)`.
  * It is [[Dropout]] with `scale = false` and that fixed noise shape.
  *
  * @param initP  drop probability in [0, 1] (Python `init_p`)
  * @param format where the channels are (Python `data_format`); parse a
  *               string with `DataFormat("NHWC")`
  * @param seed   the module seed (unsigned 64-bit); `None`: the global seeder
  */
class SpatialDropout3D[T](
    initP: Double = 0.5,
    val format: DataFormat = DataFormat.NCHW,
    seed: Option[Long] = None)(implicit ev: TensorNumeric[T])
    extends Dropout[T]("SpatialDropout3D", initP, inplace = false, scale = false, seed,
      DataFormat.rule(_, format, NoiseShape.spatial3D)) {

  override def toString: String = s"SpatialDropout3D($p, $format)"
}

object SpatialDropout3D {
  def apply[T](initP: Double = 0.5, format: DataFormat = DataFormat.NCHW, seed: Option[Long] = None)(
      implicit ev: TensorNumeric[T]): SpatialDropout3D[T] = new SpatialDropout3D[T](initP, format, seed)
}
