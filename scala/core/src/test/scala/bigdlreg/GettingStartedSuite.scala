package bigdlreg

import org.scalatest.funsuite.AnyFunSuite

/** The examples of docs/getting-started-scala.md, "The module surface": the page includes
  * the lines between the `// doc:` markers, so what it shows compiles and its claims hold. */
class GettingStartedSuite extends AnyFunSuite {

  test("docs/getting-started-scala.md: the module surface") {
    // doc:surface-start
    import bigdlreg.nn._
    import bigdlreg.tensor.Tensor

    val x = Tensor.tabulate[Float](4, 6)(i => i - 12f)

    // plain seeds, Keras-style noise shapes, Keras data-format names
    val drop = Dropout[Float](0.5, seed = 42L, noiseShape = NoiseShape(None, 1))   // one draw per row
    val maps = SpatialDropout2D[Float](0.3, DataFormat("channels_last"), seed = 7L) // = DataFormat.NHWC
    drop.setName("drop1").getName()                                                 // "drop1"
    drop.getP()                                                                     // 0.5

    // the functional API: the same bytes as a module at (seed, step)
    val y0 = drop.forward(x)                                         // step 0 -> 1
    val f = functional.dropout(p = 0.5, seed = 42L, step = 0L, noiseShape = NoiseShape(None, 1))
    assert(f(x) == y0)                                               // forward
    assert(f.backward(x) == drop.backward(x, x))                     // its gradient

    // checkpoints: a JSON record; the restored layer continues the noise stream exactly
    val json: String = drop.getState.toJson
    val resumed = Layers.fromState[Float](LayerState.fromJson(json))
    assert(resumed.forward(x) == drop.forward(x))                    // both draw step 1

    // Java serialization carries the same state (a Spark task, a checkpoint file)
    val bytes = new java.io.ByteArrayOutputStream()
    new java.io.ObjectOutputStream(bytes).writeObject(drop)
    val copy = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray))
      .readObject().asInstanceOf[Dropout[Float]]
    assert(copy.forward(x) == drop.forward(x))                       // both draw step 2

    // resampling off (BigDL's isResampling): reuse the last training noise, e.g. for siamese twins
    maps.setResampling(false)
    val img = Tensor.ones[Float](2, 5, 5, 3)
    assert(maps.forward(img) == maps.forward(img) && maps.getStep == 1L)
    maps.clearState()                                                // frees output/gradInput only
    // doc:surface-end
    assert(drop.getName() == "drop1" && drop.getP() == 0.5 && maps.format == DataFormat.NHWC)
  }
}
