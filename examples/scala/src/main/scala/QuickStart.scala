import bigdlreg.nn._
import bigdlreg.tensor.Tensor

/** The README's Scala quick start: every layer, seeded, forward and backward.
  * Python's `examples/quickstart.py` prints the same numbers for the same seeds.
  */
object QuickStart {
  /** 1, 2, ..., n laid out in `shape` (row-major). */
  def counting(shape: Int*): Tensor[Float] =
    Tensor.tabulate[Float](shape: _*)(i => (i + 1).toFloat)

  def main(args: Array[String]): Unit = {
    val x = counting(2, 8)

    val dropout = Dropout[Float](initP = 0.5, seed = Some(42L))
    println(s"$dropout training forward:\n${dropout.forward(x)}")
    println(s"backward of ones:\n${dropout.backward(x, Tensor.ones[Float](2, 8))}")
    dropout.evaluate()
    println(s"evaluate forward (identity with scale = true):\n${dropout.forward(x)}")

    val image = counting(1, 2, 2, 3) // N, H, W, C
    val spatial = SpatialDropout2D[Float](initP = 0.5, format = DataFormat.NHWC, seed = Some(7L))
    println(s"$spatial training forward, whole channels kept or dropped:\n${spatial.forward(image)}")

    for (layer <- Seq(GaussianDropout[Float](rate = 0.2, seed = Some(42L)), GaussianNoise[Float](stddev = 0.1, seed = Some(42L))))
      println(s"$layer training forward:\n${layer.forward(x)}")
  }
}
