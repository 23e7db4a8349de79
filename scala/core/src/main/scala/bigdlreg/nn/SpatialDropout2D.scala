package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** SpatialDropout2D (BigDL `nn.SpatialDropout2D`): drops whole 2D feature maps.
  * Input 4-D NCHW (N, C, H, W) -> noise (N, C, 1, 1), NHWC (N, H, W, C) -> (N, 1, 1, C);
  * 3-D NCHW (C, H, W) -> (C, 1, 1), NHWC (H, W, C) -> (1, 1, C).
  * Training: `keep ? x : +0` (no rescale); evaluate: `x * T(1 - p)`.
  *
  * @param initP  drop probability in [0, 1] (Python `init_p`)
  * @param format where the channels are (Python `data_format`); parse a
  *               string with `DataFormat("NHWC")`
  * @param seed   the module seed (unsigned 64-bit); `None`: the global seeder
  */
class SpatialDropout2D[T](
    val initP: Double = 0.5,
    val format: DataFormat = DataFormat.NCHW,
    seed: Option[Long] = None)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T]({
      Validation.probability("SpatialDropout2D", "init_p", initP)
      if (format == null) throw Validation.badDataFormat("SpatialDropout2D", null)
      seed
    }) {

  def layerName: String = "SpatialDropout2D"

  /** The drop probability. */
  def p: Double = initP

  protected def noiseShape(inputShape: Array[Int]): Array[Int] = NoiseShape.spatial2D(layerName, format, inputShape)
  protected def trainingOp: NoiseOp = NoiseOp.dropout(initP, scaled = false)
  protected def evaluateOp: NoiseOp = NoiseOp.Scale(1.0 - initP)

  override def toString: String = s"SpatialDropout2D($initP, $format)"
}

object SpatialDropout2D {
  def apply[T](initP: Double = 0.5, format: DataFormat = DataFormat.NCHW, seed: Option[Long] = None)(
      implicit ev: TensorNumeric[T]): SpatialDropout2D[T] = new SpatialDropout2D[T](initP, format, seed)
}
