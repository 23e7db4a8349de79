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
  * @param seed       the module seed (unsigned 64-bit); `None`: the global seeder
  * @param noiseShape Keras `noise_shape` (Python `noise_shape`): one entry per
  *                   input axis, `None` (the input's size), 1 (share the draw
  *                   along that axis) or the input's size; `None`: the input's shape
  */
class Dropout[T] protected[nn] (
    name: String,
    val initP: Double,
    val inplace: Boolean,
    val scale: Boolean,
    seed: Option[Long],
    rule: String => NoiseShape.Rule)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T]({ Validation.probability(name, "init_p", initP); rule(name); seed }) {

  def this(initP: Double = 0.5, inplace: Boolean = false, scale: Boolean = true, seed: Option[Long] = None,
      noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T]) =
    this("Dropout", initP, inplace, scale, seed, NoiseShape.of(_, noiseShape))

  @volatile private[this] var prob: Double = initP

  def layerName: String = name

  val noiseRule: NoiseShape.Rule = rule(name) // also checked before the seed is drawn, above

  def noiseKind: Noise.Kind = Noise.KeepMask

  /** The current drop probability. */
  def p: Double = prob

  /** Sets the drop probability (in [0, 1]; the message names it `init_p`, the
    * Python keyword, as every message does). */
  def setP(p: Double): this.type = { prob = Validation.probability(layerName, "init_p", p); this }

  protected def trainingOp: NoiseOp = NoiseOp.dropout(prob, scale)
  protected def evaluateOp: NoiseOp = if (scale) NoiseOp.Identity else NoiseOp.Scale(1.0 - prob)
  override protected def inplaceOutput: Boolean = inplace

  override def toString: String = describe(prob.toString)
}

object Dropout {
  def apply[T](initP: Double = 0.5, inplace: Boolean = false, scale: Boolean = true, seed: Option[Long] = None,
      noiseShape: Option[Seq[Option[Int]]] = None)(implicit ev: TensorNumeric[T]): Dropout[T] =
    new Dropout[T](initP, inplace, scale, seed, noiseShape)
}
