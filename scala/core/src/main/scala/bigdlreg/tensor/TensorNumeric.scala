package bigdlreg.tensor

import scala.reflect.ClassTag

/** The element types of a [[Tensor]]: `Float` (float32) and `Double`
  * (float64), nothing else (sealed).
  *
  * Conversions, raw bits and bytes only: the noise kernels belong to the
  * ops ([[bigdlreg.nn.NoiseOp]]).
  *
  * `T(v)` of the behaviour contract is [[fromDouble]]: `v.toFloat`
  * (round-to-nearest-even) for Float, `v` for Double.
  */
sealed abstract class TensorNumeric[T] extends Serializable {

  /** The numpy name of the type: "float32" or "float64". */
  def dtype: String

  /** Bytes per element (4 or 8). */
  def byteSize: Int

  implicit def classTag: ClassTag[T]

  /** `T(v)`: a double rounded to the element type. */
  def fromDouble(v: Double): T

  def toDouble(v: T): Double

  def zero: T

  def one: T

  def newArray(n: Int): Array[T]

  /** The raw bits of `a(i)`, zero-extended to 64 bits. */
  def rawBits(a: Array[T], i: Int): Long

  /** Equality of two arrays' raw bits (NaN payloads and the sign of zero count). */
  final def bitsEqual(a: Array[T], b: Array[T]): Boolean = {
    if (a.length != b.length) return false
    var i = 0
    while (i < a.length) { if (rawBits(a, i) != rawBits(b, i)) return false; i += 1 }
    true
  }

  /** A hash of the raw bits (as `java.util.Arrays.hashCode` of the bits for Float and Double). */
  final def bitsHash(a: Array[T]): Int = {
    var h = 1
    var i = 0
    while (i < a.length) { val b = rawBits(a, i); h = 31 * h + (b ^ (b >>> 32)).toInt; i += 1 }
    h
  }

  /** A value as text (Java's Float/Double toString). */
  def format(v: T): String

  /** The raw little-endian bytes of `a`. */
  def toBytes(a: Array[T]): Array[Byte]

  /** Elements from raw little-endian bytes. */
  def fromBytes(b: Array[Byte]): Array[T]
}

object TensorNumeric {

  def apply[T](implicit ev: TensorNumeric[T]): TensorNumeric[T] = ev

  implicit object NumericFloat extends TensorNumeric[Float] {
    def dtype: String = "float32"
    def byteSize: Int = 4
    implicit def classTag: ClassTag[Float] = ClassTag.Float
    def fromDouble(v: Double): Float = v.toFloat
    def toDouble(v: Float): Double = v.toDouble
    def zero: Float = 0f
    def one: Float = 1f
    def newArray(n: Int): Array[Float] = new Array[Float](n)
    def rawBits(a: Array[Float], i: Int): Long = java.lang.Float.floatToRawIntBits(a(i)) & 0xFFFFFFFFL
    def format(v: Float): String = java.lang.Float.toString(v)
    def toBytes(a: Array[Float]): Array[Byte] = {
      val bb = java.nio.ByteBuffer.allocate(a.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
      bb.asFloatBuffer().put(a)
      bb.array()
    }
    def fromBytes(b: Array[Byte]): Array[Float] = {
      require(b.length % 4 == 0, s"${b.length} bytes are not a whole number of float32 values")
      val a = new Array[Float](b.length / 4)
      java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a)
      a
    }

    override def toString: String = "TensorNumeric[Float]"
  }

  implicit object NumericDouble extends TensorNumeric[Double] {
    def dtype: String = "float64"
    def byteSize: Int = 8
    implicit def classTag: ClassTag[Double] = ClassTag.Double
    def fromDouble(v: Double): Double = v
    def toDouble(v: Double): Double = v
    def zero: Double = 0.0
    def one: Double = 1.0
    def newArray(n: Int): Array[Double] = new Array[Double](n)
    def rawBits(a: Array[Double], i: Int): Long = java.lang.Double.doubleToRawLongBits(a(i))
    def format(v: Double): String = java.lang.Double.toString(v)
    def toBytes(a: Array[Double]): Array[Byte] = {
      val bb = java.nio.ByteBuffer.allocate(a.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
      bb.asDoubleBuffer().put(a)
      bb.array()
    }
    def fromBytes(b: Array[Byte]): Array[Double] = {
      require(b.length % 8 == 0, s"${b.length} bytes are not a whole number of float64 values")
      val a = new Array[Double](b.length / 8)
      java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(a)
      a
    }

    override def toString: String = "TensorNumeric[Double]"
  }
}
