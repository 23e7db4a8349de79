package bigdlreg.javaapi

import scala.annotation.varargs

import bigdlreg.tensor.Tensor

/** Tensors from and to Java arrays, for Java (no Scala implicit to pass). A float32 tensor is
  * `Tensor<Object>` in Java, as a float32 module is `Dropout<Object>`: Scala's `Float` reads as
  * `Object` there; the methods below say which element type they make or read.
  */
object Tensors {
  /** A float32 tensor over `data` (no copy: the tensor and the caller share the array) of `shape`
    * (row-major; no sizes: 0-d); `data.length` must be the shape's element count. */
  @varargs def of(data: Array[Float], shape: Int*): Tensor[Float] = Tensor[Float](data, shape.toArray)

  /** A float64 tensor over `data` (no copy), as the float32 one. */
  @varargs def of(data: Array[Double], shape: Int*): Tensor[Double] = Tensor[Double](data, shape.toArray)

  /** A tensor of ones with `t`'s shape and element type (e.g. the gradient for a backward). */
  def onesLike[T](t: Tensor[T]): Tensor[T] = {
    if (t == null) throw new IllegalArgumentException("tensor is null")
    t.zerosLike.fill(t.ev.one)
  }

  /** A copy of the elements of a float32 tensor (row-major). */
  def toFloatArray(t: Tensor[_]): Array[Float] = checked(t, "float32").storage.asInstanceOf[Array[Float]].clone()

  /** A copy of the elements of a float64 tensor (row-major). */
  def toDoubleArray(t: Tensor[_]): Array[Double] = checked(t, "float64").storage.asInstanceOf[Array[Double]].clone()

  private def checked(t: Tensor[_], dtype: String): Tensor[_] = {
    if (t == null) throw new IllegalArgumentException("tensor is null")
    if (t.dtype != dtype) throw new IllegalArgumentException(s"expected a $dtype tensor, got a ${t.dtype} tensor")
    t
  }
}
