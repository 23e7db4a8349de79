package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** SpatialDropout1D (BigDL `nn.SpatialDropout1D`): drops whole channels.
  * Input 3-D (N, T, C), noise (N, 1, C); or 2-D (T, C), noise (1, C).
  * Training: `keep ? x : +0` (no rescale); evaluate: `x * T(1 - p)`.
  *
  * @param initP drop probability in [0, 1] (Python `init_p`)
  * @param seed  the module seed (unsigned 64-bit); `None`: the global seeder
  */
class SpatialDropout1D[T](val initP: Double = 0.5, seed: Option[Long] = None)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T]({ Validation.probability("SpatialDropout1D", "init_p", initP); seed }) {

  def layerName: String = "SpatialDropout1D"

  /** The drop probability. */
  def p: Double = initP

  protected def noiseShape(inputShape: Array[Int]): Array[Int] = NoiseShape.spatial1D(layerName, inputShape)
  protected def trainingOp: NoiseOp = NoiseOp.dropout(initP, scaled = false)
  protected def evaluateOp: NoiseOp = NoiseOp.Scale(1.0 - initP)

  override def toString: String = s"SpatialDropout1D($initP)"
}

object SpatialDropout1D {
  def apply[T](initP: Double = 0.5, seed: Option[Long] = None)(implicit ev: TensorNumeric[T]): SpatialDropout1D[T] =
    new SpatialDropout1D[T](initP, seed)
}
