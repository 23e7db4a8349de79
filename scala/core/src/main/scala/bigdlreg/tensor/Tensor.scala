package bigdlreg.tensor

import bigdlreg.rng.{Philox, RNG}
import bigdlreg.utils.Table

/** A dense, row-major, contiguous tensor of `Float` or `Double`.
  *
  * `storage` is the flat element array (`storage.length == nElement()`), used
  * directly: no offset, no strides. `Tensor(array, shape)` wraps the array
  * without copying, so the caller and the tensor share it (this is how
  * `inplace` layers write into the caller's data).
  *
  * Indices are 0-based. A 0-d tensor (shape `()`) holds one element; a tensor
  * with a zero dimension holds none. Equality compares the shape and the raw
  * bits of every element (so `NaN == NaN` and `-0.0 != +0.0` here).
  */
final class Tensor[T] private (val storage: Array[T], dims: Array[Int])(implicit val ev: TensorNumeric[T])
    extends Serializable {

  /** The shape (a copy). */
  def shape: Array[Int] = dims.clone()

  /** The shape (a copy), as BigDL's `size()`. */
  def size(): Array[Int] = dims.clone()

  /** The size along dimension `d` (0-based). */
  def size(d: Int): Int = dims(d)

  /** Number of dimensions (0 for a scalar). */
  def dim(): Int = dims.length

  def nElement(): Int = storage.length

  def isEmpty: Boolean = storage.length == 0

  /** The numpy name of the element type: "float32" or "float64". */
  def dtype: String = ev.dtype

  /** True when `other` has the same shape (whatever its element type). */
  def sameShape(other: Tensor[_]): Boolean = java.util.Arrays.equals(dims, other.dimsRef)

  /** True when this tensor has shape `s`. */
  def hasShape(s: Array[Int]): Boolean = java.util.Arrays.equals(dims, s)

  private[bigdlreg] def dimsRef: Array[Int] = dims

  /** Flat row-major index of a 0-based multi-index. */
  def flatIndex(indices: Int*): Int = {
    if (indices.length != dims.length)
      throw new IllegalArgumentException(
        s"expected ${dims.length} indices for a tensor of shape ${Tensor.shapeString(dims)}, got ${indices.length}")
    var flat = 0
    var d = 0
    while (d < dims.length) {
      val i = indices(d)
      if (i < 0 || i >= dims(d))
        throw new IndexOutOfBoundsException(
          s"index $i out of range for dimension $d of shape ${Tensor.shapeString(dims)}")
      flat = flat * dims(d) + i
      d += 1
    }
    flat
  }

  /** The element at a 0-based multi-index (no indices for a 0-d tensor). */
  def apply(indices: Int*): T = storage(flatIndex(indices: _*))

  def update(i: Int, v: T): Unit = storage(flatIndex(i)) = v
  def update(i: Int, j: Int, v: T): Unit = storage(flatIndex(i, j)) = v
  def update(i: Int, j: Int, k: Int, v: T): Unit = storage(flatIndex(i, j, k)) = v
  def update(i: Int, j: Int, k: Int, l: Int, v: T): Unit = storage(flatIndex(i, j, k, l)) = v
  def update(i: Int, j: Int, k: Int, l: Int, m: Int, v: T): Unit = storage(flatIndex(i, j, k, l, m)) = v

  /** Sets the element at a multi-index given as an array (any rank). */
  def setValue(indices: Array[Int], v: T): Unit = storage(flatIndex(indices.toIndexedSeq: _*)) = v

  /** The element at a flat row-major index. */
  def valueAt(flat: Int): T = storage(flat)

  def setValueAt(flat: Int, v: T): Unit = storage(flat) = v

  /** Sets every element to `v`. */
  def fill(v: T): this.type = {
    (storage: Any) match {
      case a: Array[Float]  => java.util.Arrays.fill(a, ev.toDouble(v).toFloat)
      case a: Array[Double] => java.util.Arrays.fill(a, ev.toDouble(v))
      case _                => throw new IllegalStateException("unsupported storage")
    }
    this
  }

  /** Multiplies every element by `v` in the element type, in place (BigDL's `mul(value)`). */
  def mul(v: T): this.type = {
    (storage: Any) match {
      case a: Array[Float]  => val c = ev.toDouble(v).toFloat; var i = 0; while (i < a.length) { a(i) *= c; i += 1 }
      case a: Array[Double] => val c = ev.toDouble(v); var i = 0; while (i < a.length) { a(i) *= c; i += 1 }
      case _                => throw new IllegalStateException("unsupported storage")
    }
    this
  }

  /** Fills with uniform values in [0, 1) (BigDL's `rand()`), in place: 24 (float32) or 53 (float64)
    * random bits per element, from a seed drawn from the global seeder's fill stream, so
    * `RNG.setSeed` makes the fills repeatable and they never move module seeds. */
  def rand(): this.type = {
    val seed = RNG.nextFillSeed()
    val bits = if (ev.byteSize == 4) 24 else 53
    var i = 0
    while (i < storage.length) {
      storage(i) = ev.fromDouble((Philox.word(seed, 0L, i.toLong) >>> (64 - bits)).toDouble / (1L << bits).toDouble)
      i += 1
    }
    this
  }

  /** This tensor's elements in another shape of the same element count, sharing the storage
    * (BigDL's `resize`, except that this tensor keeps its own shape: shapes are immutable here). */
  def resize(shape: Int*): Tensor[T] = Tensor[T](storage, shape.toArray)

  /** Copies `src`'s elements into this tensor (same shape required). */
  def copyFrom(src: Tensor[T]): this.type = {
    if (!sameShape(src))
      throw new IllegalArgumentException(
        s"cannot copy a tensor of shape ${Tensor.shapeString(src.dimsRef)} into shape ${Tensor.shapeString(dims)}")
    System.arraycopy(src.storage, 0, storage, 0, storage.length)
    this
  }

  /** A deep copy. */
  override def clone(): Tensor[T] = {
    val a = ev.newArray(storage.length)
    System.arraycopy(storage, 0, a, 0, storage.length)
    new Tensor[T](a, dims.clone())
  }

  /** The elements (a copy). */
  def toArray: Array[T] = clone().storage

  /** The elements as raw little-endian bytes. */
  def toBytes: Array[Byte] = ev.toBytes(storage)

  /** A tensor of the same shape over new storage (zeros). */
  def zerosLike: Tensor[T] = new Tensor[T](ev.newArray(storage.length), dims.clone())

  override def equals(other: Any): Boolean = other match {
    case t: Tensor[_] =>
      (t eq this) || (t.ev eq ev) && sameShape(t) && ev.bitsEqual(storage, t.storage.asInstanceOf[Array[T]])
    case _ => false
  }

  override def hashCode(): Int = 31 * java.util.Arrays.hashCode(dims) + ev.bitsHash(storage)

  /** e.g. `Tensor[float32] of shape (2, 2): [[1.0, 0.0], [3.0, 4.0]]`; the
    * values are elided beyond [[Tensor.MaxPrinted]] elements.
    */
  override def toString: String = {
    val head = s"Tensor[${ev.dtype}] of shape ${Tensor.shapeString(dims)}"
    if (storage.length > Tensor.MaxPrinted) s"$head (${storage.length} elements)"
    else {
      val sb = new StringBuilder(head).append(": ")
      def rec(d: Int, off: Int): Unit =
        if (d == dims.length) sb.append(ev.format(storage(off)))
        else {
          var stride = 1
          var e = d + 1
          while (e < dims.length) { stride *= dims(e); e += 1 }
          sb.append('[')
          var i = 0
          while (i < dims(d)) {
            if (i > 0) sb.append(", ")
            rec(d + 1, off + i * stride)
            i += 1
          }
          sb.append(']')
        }
      rec(0, 0)
      sb.toString
    }
  }
}

object Tensor {

  /** Tensors with more elements print only their shape. */
  final val MaxPrinted = 1000

  /** A tensor over `storage` (no copy) with the given shape. */
  def apply[T](storage: Array[T], shape: Array[Int])(implicit ev: TensorNumeric[T]): Tensor[T] = {
    if (storage == null) throw new IllegalArgumentException("storage is null")
    val n = checkShape(shape)
    if (n != storage.length)
      throw new IllegalArgumentException(
        s"shape ${shapeString(shape)} has $n elements but the storage has ${storage.length}")
    new Tensor[T](storage, shape.clone())
  }

  /** A tensor of zeros with the given shape (`Tensor[Float]()` is a 0-d scalar). */
  def apply[T](shape: Int*)(implicit ev: TensorNumeric[T]): Tensor[T] = zeros[T](shape: _*)

  /** A tensor from nested tables of numbers (BigDL's `Tensor(T(T(1.0, 2.0), T(3.0, 4.0)))`): each level
    * one axis, every table of a level the same length, each number rounded to the element type. */
  def apply[T](table: Table)(implicit ev: TensorNumeric[T]): Tensor[T] = {
    def shapeOf(v: Any): List[Int] = v match {
      case t: Table => t.length :: t.items.headOption.fold(List.empty[Int])(shapeOf)
      case _        => Nil
    }
    val shape = shapeOf(table)
    val values = ev.newArray(checkShape(shape.toArray))
    var n = 0
    def fill(v: Any, dims: List[Int]): Unit = (v, dims) match {
      case (t: Table, d :: rest) if t.length == d => t.items.foreach(fill(_, rest))
      case (x: Number, Nil)                       => values(n) = ev.fromDouble(x.doubleValue); n += 1
      case _ =>
        throw new IllegalArgumentException(s"Tensor(table): not a rectangular table of numbers of shape ${
          shapeString(shape.toArray)}: $table")
    }
    fill(table, shape)
    new Tensor[T](values, shape.toArray)
  }

  /** `xmin, xmin + step, ...` up to `xmax` included (BigDL's `Tensor.range`): a 1-D tensor of
    * `floor((xmax - xmin) / step) + 1` elements. */
  def range[T](xmin: Double, xmax: Double, step: Int = 1)(implicit ev: TensorNumeric[T]): Tensor[T] = {
    if (step == 0 || (xmax - xmin) / step < 0)
      throw new IllegalArgumentException(s"Tensor.range: no values from $xmin to $xmax by $step")
    tabulate[T](Math.floor((xmax - xmin) / step).toInt + 1)(i => ev.fromDouble(xmin + i.toDouble * step))
  }

  def zeros[T](shape: Int*)(implicit ev: TensorNumeric[T]): Tensor[T] = {
    val s = shape.toArray
    new Tensor[T](ev.newArray(checkShape(s)), s)
  }

  def ones[T](shape: Int*)(implicit ev: TensorNumeric[T]): Tensor[T] = zeros[T](shape: _*).fill(ev.one)

  /** A tensor of the given shape filled with `v`. */
  def filled[T](shape: Array[Int], v: T)(implicit ev: TensorNumeric[T]): Tensor[T] =
    zeros[T](shape.toIndexedSeq: _*).fill(v)

  /** A 0-d tensor holding `v`. */
  def scalar[T](v: T)(implicit ev: TensorNumeric[T]): Tensor[T] = zeros[T]().fill(v)

  /** Element `i` (flat, row-major) is `f(i)`. */
  def tabulate[T](shape: Int*)(f: Int => T)(implicit ev: TensorNumeric[T]): Tensor[T] = {
    val t = zeros[T](shape: _*)
    var i = 0
    while (i < t.storage.length) { t.storage(i) = f(i); i += 1 }
    t
  }

  /** A tensor from raw little-endian bytes of its element type. */
  def fromBytes[T](bytes: Array[Byte], shape: Array[Int])(implicit ev: TensorNumeric[T]): Tensor[T] =
    apply[T](ev.fromBytes(bytes), shape)

  /** `(2, 3)`, `(5)`, `()`. */
  def shapeString(shape: Array[Int]): String = shape.mkString("(", ", ", ")")

  /** Number of elements of a shape; rejects negative sizes and more than
    * `Int.MaxValue` elements. A shape with a 0 is empty whatever its other sizes
    * (e.g. (65536, 65536, 0)): the zero is looked for before multiplying.
    */
  def checkShape(shape: Array[Int]): Int = {
    if (shape == null) throw new IllegalArgumentException("shape is null")
    if (shape.exists(_ < 0)) throw new IllegalArgumentException(s"negative size in shape ${shapeString(shape)}")
    if (shape.contains(0)) return 0
    var n = 1L
    var d = 0
    while (d < shape.length) {
      n *= shape(d)
      if (n > Int.MaxValue)
        throw new IllegalArgumentException(s"shape ${shapeString(shape)} has more than ${Int.MaxValue} elements")
      d += 1
    }
    n.toInt
  }
}
