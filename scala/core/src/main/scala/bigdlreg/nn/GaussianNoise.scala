package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** Additive Gaussian noise (BigDL `nn.GaussianNoise`): in training
  * `y = x + T(stddev * z)`, z standard normal per element; evaluate: `x`.
  * stddev = 0 is the identity. Backward: the gradient itself.
  *
  * @param stddev standard deviation, >= 0 and finite (Python `stddev`)
  * @param noiseShape Keras `noise_shape`, as for [[Dropout]]; `None`: the input's shape
  * @param seed   the module seed (unsigned 64-bit); `None`: the global seeder
  */
class GaussianNoise[T](
    val stddev: Double,
    seed: Option[Long] = None,
    noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T]({ Validation.stddev("GaussianNoise", "stddev", stddev); NoiseShape.of("GaussianNoise", noiseShape); seed }) {

  def layerName: String = "GaussianNoise"

  val noiseRule: NoiseShape.Rule = NoiseShape.of(layerName, noiseShape)
  def noiseKind: Noise.Kind = Noise.Additive
  protected def trainingOp: NoiseOp = NoiseOp.gaussianNoise(stddev)
  protected def evaluateOp: NoiseOp = NoiseOp.Identity

  override def toString: String = describe(stddev.toString)
}

object GaussianNoise {
  def apply[T](stddev: Double, seed: Option[Long] = None, noiseShape: Option[Seq[Option[Int]]] = None)(
      implicit ev: TensorNumeric[T]): GaussianNoise[T] = new GaussianNoise[T](stddev, seed, noiseShape)
}
