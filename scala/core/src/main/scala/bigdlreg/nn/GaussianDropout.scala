package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** Multiplicative Gaussian noise (BigDL `nn.GaussianDropout`): in training
  * `y = x * T(1 + sd * z)` with `sd = sqrt(rate / (1 - rate))` (in double) and
  * z standard normal per element; evaluate: `x`. rate = 0 is the identity.
  * Backward multiplies the gradient by the same factor (BigDL draws fresh
  * noise there).
  *
  * @param rate drop rate in [0, 1) (Python `rate`)
  * @param noiseShape Keras `noise_shape`, as for [[Dropout]]; `None`: the input's shape
  * @param seed the module seed (unsigned 64-bit); `None`: the global seeder
  */
class GaussianDropout[T](
    val rate: Double,
    seed: Option[Long] = None,
    noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T]({ Validation.rate("GaussianDropout", "rate", rate); NoiseShape.of("GaussianDropout", noiseShape); seed }) {

  def layerName: String = "GaussianDropout"

  /** The noise's standard deviation, sqrt(rate / (1 - rate)). */
  val stddev: Double = Math.sqrt(rate / (1.0 - rate))

  val noiseRule: NoiseShape.Rule = NoiseShape.of(layerName, noiseShape)
  def noiseKind: Noise.Kind = Noise.Multiplicative
  protected def trainingOp: NoiseOp = NoiseOp.gaussianDropout(rate)
  protected def evaluateOp: NoiseOp = NoiseOp.Identity

  override def toString: String = describe(rate.toString)
}

object GaussianDropout {
  def apply[T](rate: Double, seed: Option[Long] = None, noiseShape: Option[Seq[Option[Int]]] = None)(
      implicit ev: TensorNumeric[T]): GaussianDropout[T] = new GaussianDropout[T](rate, seed, noiseShape)
}
