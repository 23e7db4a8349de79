package bigdlreg.nn

import bigdlreg.tensor.TensorNumeric

/** Dropout (BigDL `nn.Dropout`): in training, each element is kept with
  * probability 1 - p and dropped (+0) otherwise; kept elements are rescaled by
  * `T(1 / (1 - p))` when `scale` is true. Evaluate: `x` (scale) or
  * `x * T(1 - p)` (no scale). p = 0 is the identity, p = 1 gives all +0.
  *
  * @param initP   drop probability in [0, 1] (Python `init_p`)
  * @param inplace write the output into the input tensor (and the gradient
  *                into `gradOutput`)
  * @param scale   rescale kept elements by 1 / (1 - p) in training
  * @param seed    the module seed (unsigned 64-bit); `None`: the global seeder
  */
class Dropout[T](
    val initP: Double = 0.5,
    val inplace: Boolean = false,
    val scale: Boolean = true,
    seed: Option[Long] = None)(implicit ev: TensorNumeric[T])
    extends NoiseModule[T]({ Validation.probability("Dropout", "init_p", initP); seed }) {

  @volatile private[this] var prob: Double = initP

  def layerName: String = "Dropout"

  /** The current drop probability. */
  def p: Double = prob

  /** Sets the drop probability (in [0, 1]; the message names it `init_p`, the
    * Python keyword, as every message does). */
  def setP(p: Double): this.type = { prob = Validation.probability(layerName, "init_p", p); this }

  protected def noiseShape(inputShape: Array[Int]): Array[Int] = NoiseShape.elementwise(inputShape)
  protected def trainingOp: NoiseOp = NoiseOp.dropout(prob, scale)
  protected def evaluateOp: NoiseOp = if (scale) NoiseOp.Identity else NoiseOp.Scale(1.0 - prob)
  override protected def inplaceOutput: Boolean = inplace

  override def toString: String = s"Dropout($prob)"
}

object Dropout {
  def apply[T](initP: Double = 0.5, inplace: Boolean = false, scale: Boolean = true, seed: Option[Long] = None)(
      implicit ev: TensorNumeric[T]): Dropout[T] = new Dropout[T](initP, inplace, scale, seed)
}
