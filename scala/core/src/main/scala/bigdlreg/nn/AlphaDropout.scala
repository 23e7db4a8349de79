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
  * @param seed       the module seed (unsigned 64-bit); `None`: the global seeder
  * @param noiseShape Keras `noise_shape`, as for [[Dropout]]; `None`: the input's shape
  */
class AlphaDropout[T] protected[nn] (
    name: String,
    val initP: Double,
    seed: Option[Long],
    rule: String => NoiseShape.Rule)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T]({ Validation.probabilityBelowOne(name, "init_p", initP); rule(name); seed }) {

  def this(initP: Double = 0.5, seed: Option[Long] = None, noiseShape: Option[Seq[Option[Int]]] = None)(
      implicit ev: TensorNumeric[T]) =
    this("AlphaDropout", initP, seed, NoiseShape.of(_, noiseShape))

  def layerName: String = name

  val noiseRule: NoiseShape.Rule = rule(name) // also checked before the seed is drawn, above

  def noiseKind: Noise.Kind = Noise.KeepMask

  /** The drop probability. */
  def p: Double = initP

  protected val trainingOp: NoiseOp = NoiseOp.alphaDropout(initP)
  protected def evaluateOp: NoiseOp = NoiseOp.Identity

  override def toString: String = describe(initP.toString)
}

object AlphaDropout {
  def apply[T](initP: Double = 0.5, seed: Option[Long] = None, noiseShape: Option[Seq[Option[Int]]] = None)(
      implicit ev: TensorNumeric[T]): AlphaDropout[T] = new AlphaDropout[T](initP, seed, noiseShape)
}
