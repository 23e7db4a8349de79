package bigdlreg.tensor

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class TensorSuite extends AnyFunSuite with Matchers {

  test("construction, shape, indexing (0-based, row-major)") {
    val t = Tensor[Float](Array.tabulate(6)(_.toFloat), Array(2, 3))
    t.size() shouldBe Array(2, 3)
    t.shape shouldBe Array(2, 3)
    t.size(1) shouldBe 3
    t.dim() shouldBe 2
    t.nElement() shouldBe 6
    t.dtype shouldBe "float32"
    t(1, 2) shouldBe 5f
    t(0, 1) shouldBe 1f
    t(1, 0) = 9f
    t.storage(3) shouldBe 9f
    an[IndexOutOfBoundsException] should be thrownBy t(2, 0)
    an[IllegalArgumentException] should be thrownBy t(1)
  }

  test("wrapping shares the storage; shape must match the storage") {
    val a = Array(1.0, 2.0, 3.0)
    val t = Tensor[Double](a, Array(3))
    t.storage should be theSameInstanceAs a
    an[IllegalArgumentException] should be thrownBy Tensor[Double](a, Array(2, 2))
    an[IllegalArgumentException] should be thrownBy Tensor[Double](Array.empty[Double], Array(-1))
  }

  test("0-d, empty, zeros, ones, tabulate, scalar") {
    val s = Tensor.scalar[Double](2.5)
    s.dim() shouldBe 0
    s.nElement() shouldBe 1
    s() shouldBe 2.5
    Tensor[Float]().nElement() shouldBe 1
    val e = Tensor.zeros[Float](3, 0, 2)
    e.nElement() shouldBe 0
    e.isEmpty shouldBe true
    Tensor.ones[Float](2, 2).storage.toSeq shouldBe Seq(1f, 1f, 1f, 1f)
    Tensor.tabulate[Double](2, 2)(i => i * 2.0).storage.toSeq shouldBe Seq(0.0, 2.0, 4.0, 6.0)
  }

  test("equality is shape + raw bits") {
    val a = Tensor[Float](Array(Float.NaN, 0f), Array(2))
    val b = Tensor[Float](Array(Float.NaN, 0f), Array(2))
    a shouldBe b
    a.hashCode shouldBe b.hashCode
    a should not be Tensor[Float](Array(Float.NaN, -0f), Array(2))
    a should not be Tensor[Float](Array(Float.NaN, 0f), Array(1, 2))
    Tensor[Float](Array(1f), Array(1)) should not be Tensor[Double](Array(1.0), Array(1))
  }

  test("clone, copyFrom, fill, bytes round trip") {
    val t = Tensor[Double](Array(1.0, -0.0, Double.NaN), Array(3))
    val c = t.clone()
    c shouldBe t
    c.storage should not be theSameInstanceAs(t.storage)
    Tensor.fromBytes[Double](t.toBytes, Array(3)) shouldBe t
    val f = Tensor[Float](Array(1.5f, -2f), Array(2))
    Tensor.fromBytes[Float](f.toBytes, Array(2)) shouldBe f
    f.toBytes.length shouldBe 8
    // little-endian
    f.toBytes.take(4).toSeq shouldBe java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
      .putFloat(1.5f).array().toSeq
    c.fill(7.0).storage.toSeq shouldBe Seq(7.0, 7.0, 7.0)
    t.clone().copyFrom(c) shouldBe c
    an[IllegalArgumentException] should be thrownBy t.copyFrom(Tensor.zeros[Double](2))
  }

  test("toString") {
    Tensor[Float](Array(1f, 0f, 3f, 4f), Array(2, 2)).toString shouldBe
      "Tensor[float32] of shape (2, 2): [[1.0, 0.0], [3.0, 4.0]]"
    Tensor.scalar[Double](1.0).toString shouldBe "Tensor[float64] of shape (): 1.0"
    Tensor.zeros[Float](0).toString shouldBe "Tensor[float32] of shape (0): []"
    Tensor.zeros[Float](2000).toString shouldBe "Tensor[float32] of shape (2000) (2000 elements)"
  }
}
