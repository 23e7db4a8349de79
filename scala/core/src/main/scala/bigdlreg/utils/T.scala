package bigdlreg.utils

/** A nested list of values, as BigDL's `T(...)` writes one; here only to build tensors
  * (`Tensor(T(T(1.0, 2.0), T(3.0, 4.0)))`). */
final class Table private[utils] (private[bigdlreg] val items: Vector[Any]) extends Serializable {
  def length: Int = items.length
  override def toString: String = items.mkString("T(", ", ", ")")
}

/** BigDL's table constructor: `T(1.0, 2.0)`, nested for more axes. */
object T {
  def apply(items: Any*): Table = new Table(items.toVector)
}
