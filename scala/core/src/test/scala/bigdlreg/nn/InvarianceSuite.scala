package bigdlreg.nn

import bigdlreg.TestUtil._
import bigdlreg.tensor.{Engine, Tensor, TensorNumeric}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** Outputs are bit-identical for every thread count and chunk size (and equal
  * the reference), on tensors larger than 2^17 elements.
  */
class InvarianceSuite extends AnyFunSuite with Matchers {

  private val settings = Seq((1, 1 << 16), (2, 1 << 16), (4, 1000), (3, 4099), (2, 8), (1, 1), (2, 1 << 20), (4, 65537))

  private val layers: Seq[(Params, Array[Int])] = Seq(
    (Params("Dropout", 0.3), Array(3, 50001)),
    (Params("Dropout", 0.7, scale = false), Array(150001)),
    (Params("GaussianDropout", 0.4), Array(131075)),
    (Params("GaussianNoise", 0.5), Array(7, 20001)),
    (Params("SpatialDropout1D", 0.5), Array(4, 1001, 37)),
    (Params("SpatialDropout2D", 0.5, format = "NCHW"), Array(3, 17, 51, 53)),
    (Params("SpatialDropout2D", 0.5, format = "NHWC"), Array(3, 51, 53, 17)),
    (Params("SpatialDropout3D", 0.5, format = "NHWC"), Array(2, 11, 13, 17, 31)),
    (Params("AlphaDropout", 0.3), Array(3, 50001)),
    (Params("AlphaDropout", 0.2, noiseShape = Some(Seq(None, Some(1), None))), Array(3, 101, 503)),
    (Params("FeatureAlphaDropout", 0.5, format = "NHWC"), Array(3, 51, 53, 17)),
    (Params("Dropout", 0.4, noiseShape = Some(Seq(Some(1), None))), Array(7, 20001)),
    (Params("GaussianNoise", 0.5, noiseShape = Some(Seq(None, Some(1)))), Array(20001, 7))
  )

  private def runAll[T](prm: Params, shape: Array[Int])(implicit ev: TensorNumeric[T]): Seq[(Array[Long], Array[Long])] = {
    val x = randomTensor[T](shape, 5L, specials = true)
    val g = randomTensor[T](shape, 6L)
    settings.map { case (threads, chunk) =>
      withEngine(threads, chunk) {
        val m = module[T](prm, 0xDEADBEEFL)
        m.forward(x) // step 0
        val y = m.forward(x) // step 1
        (bits(y), bits(m.backward(x, g)))
      }
    }
  }

  for ((prm, shape) <- layers) {
    test(s"${prm.layer} ${prm.format} ${shape.mkString("(", ", ", ")")}: any threads / chunk size, float32 and float64") {
      shape.product should be > (1 << 17)
      for (dt <- Seq("f", "d")) {
        val results = if (dt == "f") runAll[Float](prm, shape) else runAll[Double](prm, shape)
        results.tail.foreach { case (y, g) =>
          y shouldBe results.head._1
          g shouldBe results.head._2
        }
        if (dt == "f") {
          val x = randomTensor[Float](shape, 5L, specials = true)
          results.head._1 shouldBe bits(Tensor[Float](reference(prm, 0xDEADBEEFL, 1L, training = true,
            backward = false, shape, x.storage), shape))
        }
      }
    }
  }

  test("Engine defaults are sane") {
    Engine.chunkSize shouldBe Engine.DefaultChunkSize
    Engine.threads should be >= 1
  }
}
