package bigdlreg.tensor

import scala.reflect.ClassTag

/** The element types of a [[Tensor]]: `Float` (float32) and `Double`
  * (float64), nothing else (sealed).
  *
  * Besides conversions, each instance carries the primitive kernels the
  * layers run on flat ranges `[from, until)` of contiguous storage; the
  * instance is resolved once per call, never per element, and the loops
  * themselves run on `float[]` / `double[]` (no boxing).
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

  /** Equality of two ranges' raw bits (NaN payloads and the sign of zero count). */
  def bitsEqual(a: Array[T], b: Array[T]): Boolean

  def bitsHash(a: Array[T]): Int

  /** A value as text (Java's Float/Double toString). */
  def format(v: T): String

  /** The raw little-endian bytes of `a`. */
  def toBytes(a: Array[T]): Array[Byte]

  /** Elements from raw little-endian bytes. */
  def fromBytes(b: Array[Byte]): Array[T]

  // ---- kernels (ranges of flat indices; src and dst may be the same array) ----

  /** dst = src. */
  def copy(src: Array[T], dst: Array[T], from: Int, until: Int): Unit

  /** dst = +0. */
  def fillZero(dst: Array[T], from: Int, until: Int): Unit

  /** dst = src * T(c). */
  def scale(src: Array[T], dst: Array[T], c: Double, from: Int, until: Int): Unit

  /** dst = keep ? src * T(s) : +0 (scaled), keep ? src : +0 (not scaled);
    * keep(i) iff the mask half of cell i (element i) is below `k`.
    */
  def mask(src: Array[T], dst: Array[T], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
      from: Int, until: Int): Unit

  /** dst = src * T(1 + sd * z(i)). */
  def gaussMul(src: Array[T], dst: Array[T], seed: Long, step: Long, sd: Double, from: Int, until: Int): Unit

  /** dst = src + T(sd * z(i)). */
  def gaussAdd(src: Array[T], dst: Array[T], seed: Long, step: Long, sd: Double, from: Int, until: Int): Unit

  /** dst = keep ? src * T(a) + T(b) : T(c) (AlphaDropout); keep as in [[mask]]. */
  def alpha(src: Array[T], dst: Array[T], seed: Long, step: Long, k: Long, a: Double, b: Double, c: Double,
      from: Int, until: Int): Unit

  /** [[alpha]] where element e uses the noise cell `plan` maps it to. */
  def alphaBroadcast(src: Array[T], dst: Array[T], seed: Long, step: Long, k: Long, a: Double, b: Double, c: Double,
      plan: Broadcast, from: Int, until: Int): Unit

  /** [[mask]] where element e uses the noise cell `plan` maps it to. */
  def maskBroadcast(src: Array[T], dst: Array[T], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
      plan: Broadcast, from: Int, until: Int): Unit

  /** [[gaussMul]] where element e uses the noise cell `plan` maps it to. */
  def gaussMulBroadcast(src: Array[T], dst: Array[T], seed: Long, step: Long, sd: Double,
      plan: Broadcast, from: Int, until: Int): Unit

  /** [[gaussAdd]] where element e uses the noise cell `plan` maps it to. */
  def gaussAddBroadcast(src: Array[T], dst: Array[T], seed: Long, step: Long, sd: Double,
      plan: Broadcast, from: Int, until: Int): Unit
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
    def bitsEqual(a: Array[Float], b: Array[Float]): Boolean = {
      if (a.length != b.length) return false
      var i = 0
      while (i < a.length) {
        if (java.lang.Float.floatToRawIntBits(a(i)) != java.lang.Float.floatToRawIntBits(b(i))) return false
        i += 1
      }
      true
    }
    def bitsHash(a: Array[Float]): Int = {
      var h = 1
      var i = 0
      while (i < a.length) { h = 31 * h + java.lang.Float.floatToRawIntBits(a(i)); i += 1 }
      h
    }
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

    def copy(src: Array[Float], dst: Array[Float], from: Int, until: Int): Unit =
      FloatKernels.copy(src, dst, from, until)
    def fillZero(dst: Array[Float], from: Int, until: Int): Unit = FloatKernels.zero(dst, from, until)
    def scale(src: Array[Float], dst: Array[Float], c: Double, from: Int, until: Int): Unit =
      FloatKernels.scale(src, dst, c, from, until)
    def mask(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
        from: Int, until: Int): Unit = FloatKernels.mask(src, dst, seed, step, k, s, scaled, from, until)
    def gaussMul(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double,
        from: Int, until: Int): Unit = FloatKernels.gaussMul(src, dst, seed, step, sd, from, until)
    def gaussAdd(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double,
        from: Int, until: Int): Unit = FloatKernels.gaussAdd(src, dst, seed, step, sd, from, until)
    def maskBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, s: Double,
        scaled: Boolean, plan: Broadcast, from: Int, until: Int): Unit =
      FloatKernels.maskBroadcast(src, dst, seed, step, k, s, scaled, plan, from, until)
    def gaussMulBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double,
        plan: Broadcast, from: Int, until: Int): Unit =
      FloatKernels.gaussMulBroadcast(src, dst, seed, step, sd, plan, from, until)
    def gaussAddBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, sd: Double,
        plan: Broadcast, from: Int, until: Int): Unit =
      FloatKernels.gaussAddBroadcast(src, dst, seed, step, sd, plan, from, until)
    def alpha(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, a: Double, b: Double, c: Double,
        from: Int, until: Int): Unit = FloatKernels.alpha(src, dst, seed, step, k, a, b, c, from, until)
    def alphaBroadcast(src: Array[Float], dst: Array[Float], seed: Long, step: Long, k: Long, a: Double, b: Double,
        c: Double, plan: Broadcast, from: Int, until: Int): Unit =
      FloatKernels.alphaBroadcast(src, dst, seed, step, k, a, b, c, plan, from, until)
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
    def bitsEqual(a: Array[Double], b: Array[Double]): Boolean = {
      if (a.length != b.length) return false
      var i = 0
      while (i < a.length) {
        if (java.lang.Double.doubleToRawLongBits(a(i)) != java.lang.Double.doubleToRawLongBits(b(i))) return false
        i += 1
      }
      true
    }
    def bitsHash(a: Array[Double]): Int = {
      var h = 1
      var i = 0
      while (i < a.length) {
        val b = java.lang.Double.doubleToRawLongBits(a(i))
        h = 31 * h + (b ^ (b >>> 32)).toInt
        i += 1
      }
      h
    }
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

    def copy(src: Array[Double], dst: Array[Double], from: Int, until: Int): Unit =
      DoubleKernels.copy(src, dst, from, until)
    def fillZero(dst: Array[Double], from: Int, until: Int): Unit = DoubleKernels.zero(dst, from, until)
    def scale(src: Array[Double], dst: Array[Double], c: Double, from: Int, until: Int): Unit =
      DoubleKernels.scale(src, dst, c, from, until)
    def mask(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, s: Double, scaled: Boolean,
        from: Int, until: Int): Unit = DoubleKernels.mask(src, dst, seed, step, k, s, scaled, from, until)
    def gaussMul(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double,
        from: Int, until: Int): Unit = DoubleKernels.gaussMul(src, dst, seed, step, sd, from, until)
    def gaussAdd(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double,
        from: Int, until: Int): Unit = DoubleKernels.gaussAdd(src, dst, seed, step, sd, from, until)
    def maskBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, s: Double,
        scaled: Boolean, plan: Broadcast, from: Int, until: Int): Unit =
      DoubleKernels.maskBroadcast(src, dst, seed, step, k, s, scaled, plan, from, until)
    def gaussMulBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double,
        plan: Broadcast, from: Int, until: Int): Unit =
      DoubleKernels.gaussMulBroadcast(src, dst, seed, step, sd, plan, from, until)
    def gaussAddBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, sd: Double,
        plan: Broadcast, from: Int, until: Int): Unit =
      DoubleKernels.gaussAddBroadcast(src, dst, seed, step, sd, plan, from, until)
    def alpha(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, a: Double, b: Double, c: Double,
        from: Int, until: Int): Unit = DoubleKernels.alpha(src, dst, seed, step, k, a, b, c, from, until)
    def alphaBroadcast(src: Array[Double], dst: Array[Double], seed: Long, step: Long, k: Long, a: Double, b: Double,
        c: Double, plan: Broadcast, from: Int, until: Int): Unit =
      DoubleKernels.alphaBroadcast(src, dst, seed, step, k, a, b, c, plan, from, until)
    override def toString: String = "TensorNumeric[Double]"
  }
}
