package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.Tensor
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class DropoutSuite extends AnyFunSuite with Matchers {

  private def arange16 = Tensor[Float](Array.tabulate(16)(i => (i + 1).toFloat), Array(2, 8))

  test("the worked example of docs/contract.md, \"Golden values\": Dropout(0.5, seed 42), first training forward") {
    val drop = Dropout[Float](initP = 0.5, seed = Some(42L))
    val y = drop.forward(arange16)
    y shouldBe Tensor[Float](Array[Float](2, 0, 6, 8, 0, 0, 14, 16, 18, 20, 0, 24, 26, 28, 30, 32), Array(2, 8))
    // the architecture.md example: backward of ones gives the mask times 2
    val g = drop.backward(arange16, Tensor.ones[Float](2, 8))
    g.storage.toSeq shouldBe y.storage.map(v => if (v == 0f) 0f else 2f).toSeq
    drop.getStep shouldBe 1L
  }

  test("golden keep bits at seed 42, step 3, p = 0.3 drive Dropout's 4th training forward") {
    val drop = Dropout[Double](0.3, seed = Some(42L))
    val x = Tensor.ones[Double](16)
    (0 until 3).foreach(_ => drop.forward(x))
    drop.getStep shouldBe 3L
    val y = drop.forward(x)
    y.storage.map(v => if (v == 0.0) '0' else '1').mkString shouldBe "1101010001111010"
    y.storage.filter(_ != 0.0).toSet shouldBe Set(1.0 / 0.7)
  }

  test("the factor is T(1/(1-p)) multiplied, not a division by T(1-p)") {
    val p = 0.3
    val drop = Dropout[Float](p, seed = Some(1L))
    val x = randomTensor[Float](Array(4096), 3L)
    val y = drop.forward(x)
    val s = (1.0 / (1.0 - p)).toFloat
    for (i <- 0 until 4096 if y.storage(i) != 0f) y.storage(i) shouldBe (x.storage(i) * s)
  }

  test("step: advances on training forwards only (also for empty inputs); setSeed resets it") {
    val d = Dropout[Float](0.5, seed = Some(9L))
    val x = randomTensor[Float](Array(64), 1L)
    val y0 = d.forward(x).clone()
    val y1 = d.forward(x).clone()
    y0 should not be y1
    d.getStep shouldBe 2L
    d.evaluate()
    d.isTraining() shouldBe false
    d.forward(x) shouldBe x
    d.getStep shouldBe 2L
    d.training()
    d.forward(Tensor.zeros[Float](0, 5)).nElement() shouldBe 0
    d.getStep shouldBe 3L
    d.setSeed(9L)
    d.getStep shouldBe 0L
    d.getSeed shouldBe 9L
    d.forward(x) shouldBe y0
    d.forward(x) shouldBe y1
  }

  test("evaluate: x (scale) or x * T(1-p) (no scale)") {
    val x = randomTensor[Float](Array(3, 7), 2L, specials = true)
    Dropout[Float](0.3, seed = Some(1L)).evaluate().forward(x) shouldBe x
    val y = Dropout[Float](0.3, scale = false, seed = Some(1L)).evaluate().forward(x)
    y.storage.toSeq.map(java.lang.Float.floatToRawIntBits) shouldBe
      x.storage.toSeq.map(v => java.lang.Float.floatToRawIntBits(v * 0.7f))
  }

  test("p = 0 is the identity (a copy, bits included); p = 1 gives all +0") {
    val x = Tensor[Float](Array(Float.NaN, -0f, Float.NegativeInfinity, 1f,
      java.lang.Float.intBitsToFloat(0x7f800001)), Array(5)) // a signalling NaN
    val y0 = Dropout[Float](0.0, seed = Some(1L)).forward(x)
    bits(y0) shouldBe bits(x)
    y0.storage should not be theSameInstanceAs(x.storage)
    val d1 = Dropout[Float](1.0, seed = Some(1L))
    bits(d1.forward(x)) shouldBe Array.fill(5)(0L)
    bits(d1.backward(x, x)) shouldBe Array.fill(5)(0L)
    d1.getStep shouldBe 1L
  }

  test("NaN and Inf under dropped cells give +0 (not NaN, not -0)") {
    val n = 1000
    val x = Tensor[Double](Array.tabulate(n)(i => Seq(Double.NaN, Double.PositiveInfinity, Double.NegativeInfinity, -0.0)(i % 4)), Array(n))
    for (scale <- Seq(true, false)) {
      val d = Dropout[Double](0.5, scale = scale, seed = Some(3L))
      val y = d.forward(x)
      val dropped = (0 until n).filter(i => !keep(3L, 0L, 0.5, i.toLong))
      dropped.size should be > 300
      dropped.foreach(i => java.lang.Double.doubleToRawLongBits(y.storage(i)) shouldBe 0L)
      val g = d.backward(x, x)
      dropped.foreach(i => java.lang.Double.doubleToRawLongBits(g.storage(i)) shouldBe 0L)
    }
  }

  test("backward replays the last forward's step and mode") {
    val d = Dropout[Float](0.5, seed = Some(11L))
    val x = randomTensor[Float](Array(256), 4L)
    val g = Tensor.ones[Float](256)
    d.forward(x) // step 0
    val y1 = d.forward(x).clone() // step 1
    d.evaluate() // mode change after the forward does not change the backward
    val gi = d.backward(x, g)
    gi.storage.zip(y1.storage).foreach { case (a, b) => (a == 0f) shouldBe (b == 0f) }
    gi.storage.filter(_ != 0f).toSet shouldBe Set(2f)
    d.forward(x) // evaluate forward: derivative is g
    d.backward(x, g) shouldBe g
    d.getStep shouldBe 2L
    // a setSeed after the forward doesn't change the replayed noise
    d.training()
    val y2 = d.forward(x).clone()
    d.setSeed(999L)
    d.backward(x, g).storage.zip(y2.storage).foreach { case (a, b) => (a == 0f) shouldBe (b == 0f) }
  }

  test("backward errors: before any forward, and gradient shape mismatch") {
    val d = Dropout[Float](0.5, seed = Some(1L))
    the[IllegalStateException] thrownBy d.backward(Tensor.ones[Float](2, 4), Tensor.ones[Float](2, 4)) should have message
      "Dropout: backward called before any forward"
    d.forward(Tensor.ones[Float](2, 4))
    the[IllegalArgumentException] thrownBy d.backward(Tensor.ones[Float](2, 4), Tensor.ones[Float](2, 3)) should have message
      "Dropout: gradient shape (2, 3) differs from the input shape (2, 4) of the last forward"
    the[IllegalArgumentException] thrownBy d.backward(null, Tensor.ones[Float](8)) should have message
      "Dropout: gradient shape (8) differs from the input shape (2, 4) of the last forward"
    d.forward(Tensor.scalar[Float](1f))
    the[IllegalArgumentException] thrownBy d.backward(null, Tensor.ones[Float](1)) should have message
      "Dropout: gradient shape (1) differs from the input shape () of the last forward"
  }

  test("inplace: the output is the input tensor; backward overwrites gradOutput; same values as not inplace") {
    val x0 = randomTensor[Float](Array(5, 33), 8L, specials = true)
    val g0 = randomTensor[Float](Array(5, 33), 9L)
    val ref = Dropout[Float](0.4, seed = Some(5L))
    val yRef = ref.forward(x0).clone()
    val gRef = ref.backward(x0, g0).clone()
    val d = Dropout[Float](0.4, inplace = true, seed = Some(5L))
    val x = x0.clone()
    val xStorage = x.storage
    val y = d.forward(x)
    y should be theSameInstanceAs x
    x.storage should be theSameInstanceAs xStorage
    y shouldBe yRef
    d.output should be theSameInstanceAs x
    val g = g0.clone()
    val gi = d.backward(x, g)
    gi should be theSameInstanceAs g
    gi shouldBe gRef
  }

  test("not inplace: inputs untouched; output and gradInput reused while the shape is unchanged") {
    val d = Dropout[Double](0.5, seed = Some(5L))
    val x = randomTensor[Double](Array(10, 10), 1L)
    val xc = x.clone()
    val y1 = d.forward(x)
    val y2 = d.forward(x)
    y2 should be theSameInstanceAs y1
    x shouldBe xc
    val g = Tensor.ones[Double](10, 10)
    val g1 = d.backward(x, g)
    d.backward(x, g) should be theSameInstanceAs g1
    g shouldBe Tensor.ones[Double](10, 10)
    val y3 = d.forward(Tensor.ones[Double](5))
    y3 should not be theSameInstanceAs(y1)
    y3.shape shouldBe Array(5)
    // feeding the output back in does not overwrite it
    val y4 = d.forward(y3)
    y4 should not be theSameInstanceAs(y3)
  }

  test("any rank, float64, 0-d") {
    val d = Dropout[Double](0.5, seed = Some(2L))
    val s = d.forward(Tensor.scalar[Double](3.0))
    s.shape shouldBe Array[Int]()
    Set(0.0, 6.0) should contain(s())
    d.forward(randomTensor[Double](Array(2, 1, 3, 1, 2, 2), 1L)).shape shouldBe Array(2, 1, 3, 1, 2, 2)
  }

  test("setP: validated, used by the next forward, shown by toString") {
    val d = Dropout[Float](seed = Some(1L))
    d.toString shouldBe "Dropout(0.5)"
    d.initP shouldBe 0.5
    d.setP(0.25) should be theSameInstanceAs d
    d.p shouldBe 0.25
    d.toString shouldBe "Dropout(0.25)"
    the[IllegalArgumentException] thrownBy d.setP(-0.1) should have message "Dropout: init_p must be in [0, 1], got -0.1"
    the[IllegalArgumentException] thrownBy d.setP(Double.NaN) should have message "Dropout: init_p must be in [0, 1], got NaN"
    d.p shouldBe 0.25
    d.setP(1.0)
    bits(d.forward(Tensor.ones[Float](8))) shouldBe Array.fill(8)(0L)
    Dropout[Float](0.3, inplace = true, scale = false).toString shouldBe "Dropout(0.3)"
  }

  test("restoreState: a module continues exactly where another left off") {
    val x = randomTensor[Float](Array(3, 40), 21L)
    val g = randomTensor[Float](Array(3, 40), 22L)
    for (layer <- Seq(Params("Dropout", 0.3), Params("GaussianDropout", 0.2), Params("SpatialDropout1D", 0.5))) {
      val a = module[Float](layer, 5L)
      (0 until 4).foreach(_ => a.forward(x))
      val last = a.lastForward.get
      val b = bigdlreg.Restore(module[Float](layer, 99L), a.getSeed, a.getStep, a.isTraining(), Some((last.seed, last.step, last.training, last.shape)))
      b.getStep shouldBe 4L
      b.backward(x, g) shouldBe a.backward(x, g)
      b.forward(x) shouldBe a.forward(x)
      a.evaluate().forward(x)
      val e = a.lastForward.get
      bigdlreg.Restore(b, a.getSeed, a.getStep, training = false, Some((e.seed, e.step, e.training, e.shape)))
      b.backward(x, g) shouldBe a.backward(x, g)
      bigdlreg.Restore(b, 7L, 0L, training = true, None)
      an[IllegalStateException] should be thrownBy b.backward(x, g)
    }
    the[IllegalArgumentException] thrownBy bigdlreg.Restore(SpatialDropout1D[Float](), 1L, 1L, training = true,
      Some((1L, 0L, true, Array(5)))) should have message "SpatialDropout1D: expected a 2-D or 3-D input, got shape (5)"
  }
}
