package bigdlreg

/** The eight noise layers of bigdl-reg, all [[nn.NoiseModule]]s: [[nn.Dropout]],
  * [[nn.GaussianDropout]], [[nn.GaussianNoise]], [[nn.SpatialDropout1D]],
  * [[nn.SpatialDropout2D]], [[nn.SpatialDropout3D]], [[nn.AlphaDropout]],
  * [[nn.FeatureAlphaDropout]]; [[nn.Layers]] lists their specs (each layer's
  * companion object).
  *
  * {{{
  * import bigdlreg.tensor.Tensor
  * import bigdlreg.nn._
  *
  * val drop = Dropout[Float](initP = 0.5, seed = 42L)
  * val x    = Tensor[Float](Array.tabulate(16)(i => (i + 1).toFloat), Array(2, 8))
  * val y    = drop.forward(x)
  * val g    = drop.backward(x, Tensor.ones[Float](2, 8))
  * }}}
  */
package object nn
