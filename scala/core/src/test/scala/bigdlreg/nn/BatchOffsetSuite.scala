package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** `forward(input, batchOffset)`: pieces of a batch (split along axis 0)
  * forwarded at their offsets, in any order, give the bytes of one forward on
  * the whole batch, and so do their backwards.
  */
class BatchOffsetSuite extends AnyFunSuite with Matchers {

  private val cases: Seq[(Params, Array[Int])] = Seq(
    (Params("Dropout", 0.3), Array(11, 7)),            // odd cells per row: pieces start on odd cells
    (Params("Dropout", 0.6, scale = false), Array(9, 3, 5)),
    (Params("Dropout", 0.4), Array(13)),                // rank 1: one cell per row
    (Params("GaussianDropout", 0.4), Array(10, 9)),
    (Params("GaussianNoise", 0.7), Array(8, 3, 3)),
    (Params("SpatialDropout1D", 0.5), Array(9, 4, 3)),
    (Params("SpatialDropout1D", 0.5), Array(9, 3)),     // unbatched (T, C): shared along axis 0
    (Params("SpatialDropout2D", 0.5, format = "NCHW"), Array(10, 3, 2, 2)),
    (Params("SpatialDropout2D", 0.5, format = "NHWC"), Array(10, 2, 2, 3)),
    (Params("SpatialDropout2D", 0.5, format = "NCHW"), Array(7, 2, 3)),  // unbatched: axis 0 is the channel
    (Params("SpatialDropout2D", 0.5, format = "NHWC"), Array(7, 2, 3)),  // unbatched: shared along H
    (Params("SpatialDropout3D", 0.5, format = "NCHW"), Array(9, 3, 2, 2, 2)),
    (Params("SpatialDropout3D", 0.5, format = "NHWC"), Array(9, 2, 2, 2, 3))
  )

  private def rows[T](x: Tensor[T], from: Int, until: Int)(implicit ev: TensorNumeric[T]): Tensor[T] = {
    val per = if (x.dim() == 0) 1 else x.nElement() / x.size(0)
    Tensor[T](x.storage.slice(from * per, until * per), x.shape.updated(0, until - from))
  }

  /** Random cut points of `n` rows into `pieces` non-empty pieces (fewer if n is small). */
  private def cuts(n: Int, pieces: Int, r: java.util.SplittableRandom): Seq[(Int, Int)] = {
    val inner = scala.util.Random.javaRandomToRandom(new java.util.Random(r.nextLong()))
      .shuffle((1 until n).toList).take(math.min(pieces, n) - 1).sorted
    val bounds = 0 +: inner :+ n
    bounds.zip(bounds.tail)
  }

  private def check[T](prm: Params, shape: Array[Int])(implicit ev: TensorNumeric[T]): Unit = {
    val x = randomTensor[T](shape, 11L, specials = true)
    val g = randomTensor[T](shape, 12L)
    val whole = module[T](prm, 0x5EEDL)
    whole.forward(x) // step 0
    val y = bits(whole.forward(x)) // step 1
    val gx = bits(whole.backward(x, g))
    val r = new java.util.SplittableRandom(prm.hashCode.toLong)
    for (pieces <- Seq(1, 2, 3, 7, shape(0))) {
      val parts = cuts(shape(0), pieces, r)
      val order = scala.util.Random.javaRandomToRandom(new java.util.Random(pieces.toLong)).shuffle(parts)
      val yOut = new Array[Long](y.length)
      val gOut = new Array[Long](gx.length)
      val per = y.length / shape(0)
      for ((a, b) <- order) {
        val m = bigdlreg.Restore(module[T](prm, 0x5EEDL), 0x5EEDL, 1L, training = true, None)
        val ya = bits(m.forward(rows(x, a, b), a.toLong))
        m.getStep shouldBe 2L
        val ga = bits(m.backward(rows(x, a, b), rows(g, a, b)))
        System.arraycopy(ya, 0, yOut, a * per, ya.length)
        System.arraycopy(ga, 0, gOut, a * per, ga.length)
      }
      withClue(s"${prm.layer} ${prm.format} ${Tensor.shapeString(shape)} in pieces $order: ") {
        yOut shouldBe y
        gOut shouldBe gx
      }
    }
  }

  for ((prm, shape) <- cases)
    test(s"${prm.layer} ${prm.format} ${Tensor.shapeString(shape)}: pieces at their offsets, any order = the whole batch") {
      check[Float](prm, shape)
      check[Double](prm, shape)
    }

  test("an offset forward draws the reference's cells of those rows (not just self-consistent)") {
    val x = randomTensor[Float](Array(3, 5), 3L)
    val y = Dropout[Float](0.5, seed = Some(99L)).forward(x, 1000L)
    // rows 1000..1002 of a (1003, 5) batch: cells 5000..5014
    val expected = x.storage.indices.map { e =>
      if (keep(99L, 0L, 0.5, 5000L + e)) mulT(x.storage(e), 2.0) else 0f
    }.toArray
    bits(y) shouldBe bits(Tensor[Float](expected, Array(3, 5)))
  }

  test("evaluate mode ignores the offset; the step advances once per training forward") {
    val x = randomTensor[Float](Array(4, 6), 5L)
    val m = Dropout[Float](0.5, scale = false, seed = Some(1L))
    m.evaluate()
    bits(m.forward(x, 17L)) shouldBe bits(Dropout[Float](0.5, scale = false, seed = Some(1L)).evaluate().forward(x))
    m.getStep shouldBe 0L
    m.training().forward(x, 3L)
    m.getStep shouldBe 1L
    m.lastForward.get.batchOffset shouldBe 3L
  }

  test("restoreState with the last forward's offset replays its noise in backward") {
    val x = randomTensor[Double](Array(5, 4), 8L)
    val g = randomTensor[Double](Array(5, 4), 9L)
    val a = GaussianDropout[Double](0.3, Some(4L))
    a.forward(x, 40L)
    val expected = bits(a.backward(x, g))
    val b = bigdlreg.Restore(GaussianDropout[Double](0.3, Some(4L)), 4L, 1L, training = true, Some((4L, 0L, true, Array(5, 4))), 40L)
    bits(b.backward(x, g)) shouldBe expected
  }

  test("bad offsets: clear messages, module unchanged") {
    val m = Dropout[Float](0.5, seed = Some(1L))
    val x = Tensor.ones[Float](2, 3)
    intercept[IllegalArgumentException](m.forward(x, -1L)).getMessage shouldBe
      "Dropout: batch_offset must be >= 0, got -1"
    intercept[IllegalArgumentException](m.forward(Tensor.scalar(1f), 2L)).getMessage shouldBe
      "Dropout: batch_offset 2 needs an input with a batch axis (rank >= 1), got shape ()"
    intercept[IllegalArgumentException](m.forward(x, Int.MaxValue.toLong - 1L)).getMessage shouldBe
      "Dropout: batch_offset + rows must be at most 2147483647, got 2147483646 + 2"
    intercept[IllegalArgumentException](SpatialDropout2D[Float](0.5).forward(x, 1L)).getMessage shouldBe
      "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)"
    m.getStep shouldBe 0L
    m.lastForward shouldBe None
    m.forward(Tensor.scalar(1f), 0L).nElement() shouldBe 1
  }
}
