package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** Every layer, both dtypes, both modes, forward and backward, against the
  * naive per-element reference of TestUtil (raw bits, no tolerance).
  */
class ReferenceSuite extends AnyFunSuite with Matchers {

  private val seeds = Seq(42L, 0L, -1L, 0x8000000000000001L)

  private def cases: Seq[(Params, Array[Int])] = {
    val elementwiseShapes = Seq(Array[Int](), Array(1), Array(7), Array(2, 8), Array(3, 5, 7), Array(2, 3, 4, 5), Array(0, 3))
    val ps = Seq(0.0, 0.1, 0.3, 0.5, 0.9, 1.0)
    val dropout = for (p <- ps; s <- Seq(true, false); sh <- elementwiseShapes) yield (Params("Dropout", p, s), sh)
    val gd = for (r <- Seq(0.0, 0.2, 0.5, 0.9); sh <- elementwiseShapes) yield (Params("GaussianDropout", r), sh)
    val gn = for (sd <- Seq(0.0, 0.1, 1.0, 3.5); sh <- elementwiseShapes) yield (Params("GaussianNoise", sd), sh)
    val s1 = for (p <- ps; sh <- Seq(Array(3, 5, 4), Array(5, 4), Array(2, 1, 7), Array(1, 9), Array(0, 3, 2))) yield
      (Params("SpatialDropout1D", p), sh)
    val s2 = for (p <- ps; f <- Seq("NCHW", "NHWC");
                  sh <- Seq(Array(2, 3, 4, 5), Array(3, 4, 5), Array(2, 1, 3, 3), Array(1, 7, 1, 1), Array(2, 0, 3, 3)))
      yield (Params("SpatialDropout2D", p, format = f), sh)
    val s3 = for (p <- ps; f <- Seq("NCHW", "NHWC");
                  sh <- Seq(Array(2, 3, 2, 3, 4), Array(3, 2, 3, 4), Array(1, 2, 1, 1, 3), Array(2, 2, 2, 2)))
      yield (Params("SpatialDropout3D", p, format = f), sh)
    val alphaPs = Seq(0.0, 0.1, 0.3, 0.5, 0.9, 0.999)
    val alpha = for (p <- alphaPs; sh <- elementwiseShapes) yield (Params("AlphaDropout", p), sh)
    val feature = for (p <- alphaPs; f <- Seq("NCHW", "NHWC");
                       sh <- Seq(Array(3, 4, 5), Array(2, 3, 4, 5), Array(2, 3, 2, 3, 4), Array(1, 7, 1, 1), Array(2, 0, 3, 3)))
      yield (Params("FeatureAlphaDropout", p, format = f), sh)
    // Keras noise_shape on the four layers that take one
    val keras = Seq[(Seq[Option[Int]], Array[Int])](
      (Seq(None, Some(1), None), Array(3, 5, 7)), (Seq(Some(1), None), Array(4, 9)), (Seq(Some(1), Some(1)), Array(3, 3)),
      (Seq(Some(2), Some(1), Some(4), None), Array(2, 3, 4, 5)), (Seq(), Array[Int]()), (Seq(Some(1), None), Array(0, 3)))
    val shaped = for ((layer, v) <- Seq("Dropout" -> 0.3, "GaussianDropout" -> 0.3, "GaussianNoise" -> 0.8, "AlphaDropout" -> 0.3);
                      scale <- Seq(true, false) if scale || layer == "Dropout"; (ns, sh) <- keras)
      yield (Params(layer, v, scale, noiseShape = Some(ns)), sh)
    dropout ++ gd ++ gn ++ s1 ++ s2 ++ s3 ++ alpha ++ feature ++ shaped
  }

  private def check[T](implicit ev: TensorNumeric[T]): Unit = {
    var n = 0
    for (((prm, shape), idx) <- cases.zipWithIndex) {
      val seed = seeds(idx % seeds.length)
      val m = module[T](prm, seed)
      // train, train, eval, train: forward then backward each time
      for ((training, call) <- Seq(true, true, false, true).zipWithIndex) {
        if (training) m.training() else m.evaluate()
        val step = m.getStep
        val x = randomTensor[T](shape, 1000L * idx + call, specials = true)
        val xCopy = x.clone()
        val y = m.forward(x)
        withClue(s"$prm ${shape.mkString("(", ",", ")")} seed=$seed call=$call forward: ") {
          bits(y) shouldBe bits(Tensor[T](reference(prm, seed, step, training, backward = false, shape, x.storage), shape))
          x shouldBe xCopy // input untouched
          m.getStep shouldBe (if (training) step + 1 else step)
        }
        val g = randomTensor[T](shape, 7777L * idx + call, specials = true)
        val gi = m.backward(x, g)
        withClue(s"$prm ${shape.mkString("(", ",", ")")} seed=$seed call=$call backward: ") {
          bits(gi) shouldBe bits(Tensor[T](reference(prm, seed, step, training, backward = true, shape, g.storage), shape))
        }
        n += 1
      }
    }
    n should be > 500
  }

  test("float32: all layers match the reference") { check[Float] }
  test("float64: all layers match the reference") { check[Double] }
}
