import bigdlreg.nn._
import bigdlreg.tensor.Tensor

/** The README's Scala quick start: a forward and a backward through every
  * layer, seeded. It ends with the bit pattern of every result, the lines that
  * Python's `examples/quickstart.py` prints too; both are checked against
  * `examples/quickstart-bits.txt` (QuickStartSpec here, pytest there).
  */
object QuickStart {
  /** 1, 2, ..., n laid out in `shape` (row-major). */
  def counting(shape: Int*): Tensor[Float] =
    Tensor.tabulate[Float](shape: _*)(i => (i + 1).toFloat)

  /** Every result of the quick start, in order, with its label. */
  def results(): Seq[(String, Tensor[Float])] = {
    val x = counting(2, 8)
    val out = Seq.newBuilder[(String, Tensor[Float])]
    def forwardBackward(label: String, layer: NoiseModule[Float], input: Tensor[Float]): Unit = {
      out += s"$label.forward" -> layer.forward(input).clone()
      out += s"$label.backward" -> layer.backward(input, Tensor.ones[Float](input.shape.toIndexedSeq: _*)).clone()
    }
    val dropout = Dropout[Float](initP = 0.5, seed = 42L)
    forwardBackward("Dropout", dropout, x)
    dropout.evaluate()
    out += "Dropout.evaluate" -> dropout.forward(x).clone()
    forwardBackward("SpatialDropout2D", SpatialDropout2D[Float](initP = 0.5, format = DataFormat.NHWC, seed = 7L), counting(1, 2, 2, 3))
    forwardBackward("GaussianDropout", GaussianDropout[Float](rate = 0.2, seed = 42L), x)
    forwardBackward("GaussianNoise", GaussianNoise[Float](stddev = 0.1, seed = 42L), x)
    forwardBackward("SpatialDropout1D", SpatialDropout1D[Float](initP = 0.5, seed = 42L), counting(2, 3, 4))
    forwardBackward("SpatialDropout3D", SpatialDropout3D[Float](initP = 0.5, seed = 42L), counting(1, 2, 2, 2, 2))
    out.result()
  }

  /** `<label> <hex of each float's bits>`: the lines both languages must print alike. */
  def bitLines(results: Seq[(String, Tensor[Float])]): Seq[String] =
    results.map { case (label, t) =>
      (label +: t.toArray.toSeq.map(v => f"${java.lang.Float.floatToRawIntBits(v)}%08x")).mkString(" ")
    }

  def main(args: Array[String]): Unit = {
    val all = results()
    for ((label, t) <- all) println(s"$label:\n$t")
    println("\nbits of every result (float32, hex):")
    bitLines(all).foreach(println)
  }
}
