package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class SpatialSuite extends AnyFunSuite with Matchers {

  /** (layer, format, input shape, axes that share one draw) for every row of the table. */
  private val table: Seq[(String, String, Array[Int], Set[Int])] = Seq(
    ("SpatialDropout1D", "NCHW", Array(4, 6, 5), Set(1)),
    ("SpatialDropout1D", "NCHW", Array(6, 5), Set(0)),
    ("SpatialDropout2D", "NCHW", Array(3, 4, 5, 6), Set(2, 3)),
    ("SpatialDropout2D", "NHWC", Array(3, 5, 6, 4), Set(1, 2)),
    ("SpatialDropout2D", "NCHW", Array(4, 5, 6), Set(1, 2)),
    ("SpatialDropout2D", "NHWC", Array(5, 6, 4), Set(0, 1)),
    ("SpatialDropout3D", "NCHW", Array(3, 4, 2, 3, 4), Set(2, 3, 4)),
    ("SpatialDropout3D", "NHWC", Array(3, 2, 3, 4, 4), Set(1, 2, 3)),
    ("SpatialDropout3D", "NCHW", Array(4, 2, 3, 4), Set(1, 2, 3)),
    ("SpatialDropout3D", "NHWC", Array(2, 3, 4, 4), Set(0, 1, 2))
  )

  private def coords(shape: Array[Int], e: Int): Array[Int] = {
    val c = new Array[Int](shape.length)
    var r = e
    for (d <- shape.indices.reverse) { c(d) = r % shape(d); r /= shape(d) }
    c
  }

  for ((layer, format, shape, shared) <- table) {
    test(s"$layer $format ${shape.mkString("(", ", ", ")")}: elements share a draw exactly along axes $shared") {
      val m = module[Float](Params(layer, 0.5, format = format), 77L)
      val noise = m.noiseShapeFor(shape)
      noise shouldBe referenceNoiseShape(layer, format, shape)
      shape.indices.foreach(d => if (shared(d)) noise(d) shouldBe 1 else noise(d) shouldBe shape(d))
      val n = shape.product
      // inputs all distinct non-zero: a zero output means a dropped cell
      val x = Tensor[Float](Array.tabulate(n)(i => (i + 1).toFloat), shape)
      val kept = new Array[Int](n)
      for (step <- 0 until 4) {
        val y = m.forward(x)
        val keepOf = (0 until n).map(e => y.storage(e) != 0f)
        (0 until n).foreach(e => if (keepOf(e)) y.storage(e) shouldBe x.storage(e))
        // group elements by their coordinates outside the shared axes: one status per group
        val groups = (0 until n).groupBy(e => coords(shape, e).zipWithIndex.filterNot(ci => shared(ci._2)).map(_._1).toSeq)
        groups.size shouldBe noise.product
        groups.values.foreach(es => es.map(keepOf).toSet.size shouldBe 1)
        (0 until n).foreach(e => if (keepOf(e)) kept(e) += 1)
        // the group's cell is the row-major index in the noise shape
        (0 until n).foreach(e => keepOf(e) shouldBe keep(77L, step.toLong, 0.5, cellOf(shape, noise, e)))
      }
      // different groups do get different draws
      kept.toSet.size should be > 1
    }
  }

  test("evaluate: x * T(1-p); backward in evaluate mode: g * T(1-p)") {
    val m = SpatialDropout2D[Float](0.3, seed = 1L).evaluate()
    val x = randomTensor[Float](Array(2, 3, 4, 4), 1L)
    val y = m.forward(x)
    bits(y) shouldBe x.storage.map(v => java.lang.Float.floatToRawIntBits(v * 0.7f).toLong & 0xFFFFFFFFL)
    bits(m.backward(x, x)) shouldBe bits(y)
    m.getStep shouldBe 0L
  }

  test("training backward: keep ? g : +0 with the forward's mask") {
    val m = SpatialDropout1D[Double](0.5, seed = 3L)
    val x = randomTensor[Double](Array(3, 8, 5), 2L)
    val y = m.forward(x)
    val g = m.backward(x, Tensor.ones[Double](3, 8, 5))
    g.storage.zip(y.storage).foreach { case (gv, yv) => gv shouldBe (if (yv == 0.0) 0.0 else 1.0) }
  }

  test("p = 0 identity, p = 1 all +0 (NaN included)") {
    val x = Tensor[Float](Array(Float.NaN, 1f, -0f, Float.PositiveInfinity), Array(1, 1, 2, 2))
    bits(SpatialDropout2D[Float](0.0, seed = 1L).forward(x)) shouldBe bits(x)
    bits(SpatialDropout2D[Float](1.0, seed = 1L).forward(x)) shouldBe Array.fill(4)(0L)
  }

  test("wrong ranks are rejected with the accepted ranks and the shape") {
    the[IllegalArgumentException] thrownBy SpatialDropout1D[Float]().forward(Tensor.zeros[Float](2, 3, 4, 5)) should
      have message "SpatialDropout1D: expected a 2-D or 3-D input, got shape (2, 3, 4, 5)"
    the[IllegalArgumentException] thrownBy SpatialDropout2D[Float]().forward(Tensor.zeros[Float](2, 3)) should
      have message "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)"
    the[IllegalArgumentException] thrownBy SpatialDropout3D[Float](0.5, DataFormat.NHWC).forward(Tensor.zeros[Float](5)) should
      have message "SpatialDropout3D: expected a 4-D or 5-D input, got shape (5)"
    the[IllegalArgumentException] thrownBy SpatialDropout2D[Float]().evaluate().forward(Tensor.zeros[Float]()) should
      have message "SpatialDropout2D: expected a 3-D or 4-D input, got shape ()"
  }

  test("empty inputs of an accepted rank are fine and advance the step") {
    val m = SpatialDropout3D[Double](0.5, seed = 1L)
    m.forward(Tensor.zeros[Double](0, 2, 3, 4, 5)).shape shouldBe Array(0, 2, 3, 4, 5)
    m.getStep shouldBe 1L
  }

  test("toString, data formats") {
    SpatialDropout1D[Float]().toString shouldBe "SpatialDropout1D(0.5)"
    SpatialDropout2D[Float](0.3).toString shouldBe "SpatialDropout2D(0.3, NCHW)"
    SpatialDropout3D[Float](0.5, DataFormat.NHWC).toString shouldBe "SpatialDropout3D(0.5, NHWC)"
    DataFormat("NHWC") shouldBe DataFormat.NHWC
    DataFormat("NCHW") shouldBe DataFormat.NCHW
    the[IllegalArgumentException] thrownBy DataFormat("nchw") should have message
      """data_format must be "NCHW" or "NHWC", got "nchw""""
    // Keras' names, as Python accepts them (bigdl_reg/_validation.py), map to the canonical formats
    DataFormat("channels_first") shouldBe DataFormat.NCHW
    DataFormat("channels_last") shouldBe DataFormat.NHWC
    DataFormat.parse("SpatialDropout2D", "channels_first") shouldBe DataFormat.NCHW
    DataFormat.parse("SpatialDropout2D", "channels_last") shouldBe DataFormat.NHWC
    SpatialDropout3D[Float](0.5, DataFormat("channels_last")).toString shouldBe "SpatialDropout3D(0.5, NHWC)"
    the[IllegalArgumentException] thrownBy DataFormat.parse("SpatialDropout2D", "Channels_First") should have message
      """SpatialDropout2D: data_format must be "NCHW" or "NHWC", got "Channels_First""""
    the[IllegalArgumentException] thrownBy SpatialDropout2D[Float](0.5, null) should have message
      """SpatialDropout2D: data_format must be "NCHW" or "NHWC", got "null""""
  }
}
