package bigdlreg.javaapi

import scala.annotation.varargs

import bigdlreg.nn._

/** The eight layers for Java: each factory gives a [[LayerBuilder]] holding the layer's one number;
  * its setters reach what the Scala constructors take as default arguments (seed, inplace, scale,
  * data format, noise shape) and `buildFloat()` / `buildDouble()` make the module, with no Scala
  * implicit to pass. The module is the Scala API's own class (`Dropout<Object>` in Java: Scala's
  * `Float` and `Double` type arguments read as `Object` there), so its bytes are the Scala API's.
  *
  * {{{
  * Dropout<Object> drop = NoiseLayers.dropout(0.5).seed(42).buildFloat();
  * Tensor<Object> y = drop.forward(Tensors.of(new float[] {1, 2, 3, 4}, 2, 2));
  * float[] values = Tensors.toFloatArray(y);
  * }}}
  */
object NoiseLayers {
  def dropout(): LayerBuilder[Dropout[Float], Dropout[Double]] = dropout(Dropout.DefaultP)
  def dropout(initP: Double): LayerBuilder[Dropout[Float], Dropout[Double]] = builder(Dropout, initP)

  def gaussianDropout(rate: Double): LayerBuilder[GaussianDropout[Float], GaussianDropout[Double]] =
    builder(GaussianDropout, rate)

  def gaussianNoise(stddev: Double): LayerBuilder[GaussianNoise[Float], GaussianNoise[Double]] =
    builder(GaussianNoise, stddev)

  def spatialDropout1D(): LayerBuilder[SpatialDropout1D[Float], SpatialDropout1D[Double]] =
    spatialDropout1D(SpatialDropout1D.DefaultP)
  def spatialDropout1D(initP: Double): LayerBuilder[SpatialDropout1D[Float], SpatialDropout1D[Double]] =
    builder(SpatialDropout1D, initP)

  def spatialDropout2D(): LayerBuilder[SpatialDropout2D[Float], SpatialDropout2D[Double]] =
    spatialDropout2D(SpatialDropout2D.DefaultP)
  def spatialDropout2D(initP: Double): LayerBuilder[SpatialDropout2D[Float], SpatialDropout2D[Double]] =
    builder(SpatialDropout2D, initP)

  def spatialDropout3D(): LayerBuilder[SpatialDropout3D[Float], SpatialDropout3D[Double]] =
    spatialDropout3D(SpatialDropout3D.DefaultP)
  def spatialDropout3D(initP: Double): LayerBuilder[SpatialDropout3D[Float], SpatialDropout3D[Double]] =
    builder(SpatialDropout3D, initP)

  def alphaDropout(): LayerBuilder[AlphaDropout[Float], AlphaDropout[Double]] = alphaDropout(AlphaDropout.DefaultP)
  def alphaDropout(initP: Double): LayerBuilder[AlphaDropout[Float], AlphaDropout[Double]] =
    builder(AlphaDropout, initP)

  def featureAlphaDropout(): LayerBuilder[FeatureAlphaDropout[Float], FeatureAlphaDropout[Double]] =
    featureAlphaDropout(FeatureAlphaDropout.DefaultP)
  def featureAlphaDropout(initP: Double): LayerBuilder[FeatureAlphaDropout[Float], FeatureAlphaDropout[Double]] =
    builder(FeatureAlphaDropout, initP)

  /** A float32 module continuing exactly where the module that gave `state` was (`Layers.fromState`). */
  def fromStateFloat(state: LayerState): NoiseModule[Float] = Layers.fromState[Float](state)

  /** A float64 module continuing exactly where the module that gave `state` was (`Layers.fromState`). */
  def fromStateDouble(state: LayerState): NoiseModule[Double] = Layers.fromState[Double](state)

  private def builder[F <: NoiseModule[Float], D <: NoiseModule[Double]](spec: LayerSpec, value: Double) =
    new LayerBuilder[F, D](spec, LayerArgs(value), Seed.Global)
}

/** A layer's arguments, immutable: each setter returns a new builder, so one builder can make
  * float and double modules alike. Arguments are checked where the Scala API checks them (the
  * layer's constructor, through the layer table's `build`), with the same messages: a setting the
  * layer does not take (`scale` on a GaussianNoise) fails at build, naming it.
  *
  * @tparam F the float32 module class the layer's spec makes
  * @tparam D the float64 module class
  */
final class LayerBuilder[F <: NoiseModule[Float], D <: NoiseModule[Double]] private[javaapi] (
    spec: LayerSpec, args: LayerArgs, seedArg: Seed) {

  /** The module seed (unsigned 64-bit: a negative `long` is a seed >= 2^63, as from
    * `Long.parseUnsignedLong`); without it, the global seeder's next seed, drawn at build. */
  def seed(seed: Long): LayerBuilder[F, D] = new LayerBuilder[F, D](spec, args, Seed(seed))

  /** Dropout only: write the output into the input (and the gradient into gradOutput). */
  def inplace(flag: Boolean): LayerBuilder[F, D] = withArgs(args.copy(inplace = flag))

  /** Dropout only: rescale kept elements by 1 / (1 - p) in training (default true). */
  def scale(flag: Boolean): LayerBuilder[F, D] = withArgs(args.copy(scale = flag))

  /** SpatialDropout2D/3D, FeatureAlphaDropout: "NCHW" (the default) or "NHWC" ("channels_first" /
    * "channels_last" too); parsed here, a bad value is Python's message, naming the layer. */
  def dataFormat(format: String): LayerBuilder[F, D] = withArgs(args.copy(format = DataFormat.parse(spec.name, format)))

  /** Dropout, GaussianDropout, GaussianNoise, AlphaDropout: Keras' `noise_shape`, one entry per
    * input axis, `null` (Keras' None: the input's size), 1 (share the draw along that axis) or the
    * input's size; `noiseShape(null, 1)`. No entries: rank 0. A null array: no noise shape (the
    * input's, the default). */
  @varargs def noiseShape(dims: Integer*): LayerBuilder[F, D] =
    withArgs(args.copy(noiseShape = Option(dims).map(_.map(d => Option(d).map(_.intValue)).toVector)))

  /** The float32 module. */
  def buildFloat(): F = spec.build[Float](args, seedArg).asInstanceOf[F] // the spec makes its own class

  /** The float64 module. */
  def buildDouble(): D = spec.build[Double](args, seedArg).asInstanceOf[D]

  private def withArgs(a: LayerArgs): LayerBuilder[F, D] = new LayerBuilder[F, D](spec, a, seedArg)

  override def toString: String = s"LayerBuilder(${spec.name}, $args, $seedArg)"
}
