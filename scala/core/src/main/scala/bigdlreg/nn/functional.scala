package bigdlreg.nn

import scala.reflect.ClassTag

import bigdlreg.tensor.{Tensor, TensorNumeric}

/** A layer's validated configuration (its spec and arguments), immutable:
  * what one forward, backward or noise read-out needs besides (seed, step,
  * mode, batch offset). The modules, [[functional]] and the py4j bridge all
  * compute through it: one implementation path. Construction checks the
  * arguments as the layer's constructor does (same messages).
  */
final class LayerConfig(val spec: LayerSpec, val args: LayerArgs) extends Serializable {
  if (args == null) throw new IllegalArgumentException(s"${spec.name}: args is null")
  spec.checkTaken(args)
  spec.value.check(spec.name, spec.value.keyword, args.value)

  /** Which input elements share one draw (throws on a bad format or noise shape). */
  val rule: NoiseShape.Rule = spec.noiseRule(args)
  val trainingOp: NoiseOp = spec.trainingOp(args)
  val evaluateOp: NoiseOp = spec.evaluateOp(args)

  def op(training: Boolean): NoiseOp = if (training) trainingOp else evaluateOp

  /** The same layer with another value of its one number (checked). */
  def withValue(v: Double): LayerConfig = new LayerConfig(spec, args.copy(value = v))

  /** The noise shape for an input shape (throws on a rejected rank or noise shape). */
  def noiseShape(shape: Array[Int]): Array[Int] = rule(spec.name, shape)

  /** The noise shape and first noise cell of a call on `shape` at `batchOffset` (see [[NoiseShape.atBatchOffset]]). */
  def plan(shape: Array[Int], batchOffset: Long): (Array[Int], Long) =
    NoiseShape.atBatchOffset(spec.name, noiseShape, shape, batchOffset)

  /** `dst` = the forward (or, `derivative`, the backward) of `src` (an input, or a gradient, of
    * `shape`) with the noise of (seed, step) at `batchOffset`. `src` and `dst` may be the same array;
    * `staging` moves each chunk in and out ([[NoiseOp.Staging]]). */
  def apply[T](src: Array[T], dst: Array[T], shape: Array[Int], seed: Long, step: Long, training: Boolean,
      batchOffset: Long, derivative: Boolean, staging: NoiseOp.Staging = NoiseOp.Staging.InPlace): Unit = {
    val (noise, cellBase) = plan(shape, batchOffset)
    val o = op(training)
    (if (derivative) o.derivative else o)(seed, step, shape, noise, src, dst, cellBase, staging)
  }

  /** A new tensor: [[apply]] of `src`. */
  def run[T](src: Tensor[T], seed: Long, step: Long, training: Boolean, batchOffset: Long, derivative: Boolean)(
      implicit ev: TensorNumeric[T]): Tensor[T] = {
    val dst = Tensor[T](ev.newArray(src.nElement()), src.shape)
    apply(src.storage, dst.storage, dst.dimsRef, seed, step, training, batchOffset, derivative)
    dst
  }

  /** The noise a training forward on an input of `inputShape` at `batchOffset` draws (as `NoiseModule.noise()`). */
  def noise[T](inputShape: Array[Int], seed: Long, step: Long, batchOffset: Long)(
      implicit ev: TensorNumeric[T]): Noise[T] = {
    val (cells, cellBase) = plan(inputShape.clone(), batchOffset)
    LayerConfig.noise[T](spec.noiseKind, trainingOp, cells, seed, step, cellBase)
  }

  override def toString: String = s"LayerConfig(${spec.name}, $args)"
}

object LayerConfig {
  /** The noise of a training forward with `op` (noise shape `noise`, first cell `cellBase`), as
    * [[NoiseModule.noise]] returns it: the op (its derivative for masks: x * T(factor) or +0)
    * maps the kind's probe to the noise itself. */
  private[nn] def noise[T](kind: Noise.Kind, op: NoiseOp, noise: Array[Int], seed: Long, step: Long, cellBase: Long)(
      implicit ev: TensorNumeric[T]): Noise[T] = {
    val shape = noise.clone()
    val cells = Tensor.filled[T](shape, ev.fromDouble(kind.probe))
    (if (kind == Noise.KeepMask) op.derivative else op)(seed, step, shape, shape, cells.storage, cells.storage, cellBase)
    kind match {
      case Noise.KeepMask       => Noise.Keep[T](shape, cells.storage.map(v => ev.toDouble(v) != 0.0))
      case Noise.Multiplicative => Noise.Factors(cells)
      case Noise.Additive       => Noise.Addends(cells)
    }
  }
}

/** One call of a layer as a pure function: the layer's configuration and the state a module
  * would hold (seed, step, mode, batch offset). Immutable; [[apply]] is the forward,
  * [[backward]] its gradient, [[noise]] the noise it draws, each the bytes a module in that
  * state gives. Nothing is stored; every call returns a new tensor and never writes its
  * argument (`inplace` is ignored).
  */
final case class LayerCall(config: LayerConfig, seed: Long, step: Long = 0L, training: Boolean = true,
    batchOffset: Long = 0L) {

  /** The forward of `input`. */
  def apply[T: ClassTag](input: Tensor[T])(implicit ev: TensorNumeric[T]): Tensor[T] = {
    if (input == null) throw Validation.nullTensor(config.spec.name, "input")
    config.run(input, seed, step, training, batchOffset, derivative = false)
  }

  /** The gradient of the input of that forward, for the gradient of its output (of the input's shape):
    * the derivative of the forward, its noise recomputed from (seed, step). */
  def backward[T: ClassTag](gradOutput: Tensor[T])(implicit ev: TensorNumeric[T]): Tensor[T] = {
    if (gradOutput == null) throw Validation.nullTensor(config.spec.name, "gradOutput")
    config.run(gradOutput, seed, step, training, batchOffset, derivative = true)
  }

  /** The noise a training forward on an input of `inputShape` draws, as `NoiseModule.noise()` returns it. */
  def noise[T: ClassTag](inputShape: Array[Int])(implicit ev: TensorNumeric[T]): Noise[T] =
    config.noise[T](inputShape, seed, step, batchOffset)
}

/** The layers as pure functions (torch.nn.functional style, with `p` for the drop
  * probability): each named function takes the layer's arguments and (seed, step, mode,
  * batch offset) and gives the [[LayerCall]]: apply it to the input for the output, or call
  * its `backward` for the gradient. The bytes are those of a module in that state (the
  * modules compute through the same [[LayerConfig]]).
  *
  * {{{
  * val y = functional.dropout(p = 0.3, seed = 42L, step = 5L)(x)
  * val g = functional.dropout(p = 0.3, seed = 42L, step = 5L).backward(gradY)
  * }}}
  * Seeds are unsigned 64-bit values in a `Long`; `step` is the number of
  * training forwards before this one (docs/contract.md, "Modes and the training step").
  */
object functional {

  /** Any layer's call: `spec` (e.g. `Dropout`, `Layers.byName("Dropout")`) with `args`. */
  def call(spec: LayerSpec, args: LayerArgs, seed: Long, step: Long = 0L, training: Boolean = true,
      batchOffset: Long = 0L): LayerCall = LayerCall(new LayerConfig(spec, args), seed, step, training, batchOffset)

  /** Any layer's forward (the generic core the named functions share). */
  def forward[T: ClassTag](spec: LayerSpec, args: LayerArgs, input: Tensor[T], seed: Long, step: Long,
      training: Boolean, batchOffset: Long)(implicit ev: TensorNumeric[T]): Tensor[T] =
    call(spec, args, seed, step, training, batchOffset)(input)

  /** Any layer's backward: the gradient of the input given the gradient of the output
    * of the forward with these arguments (the gradient has that input's shape). */
  def backward[T: ClassTag](spec: LayerSpec, args: LayerArgs, gradOutput: Tensor[T], seed: Long, step: Long,
      training: Boolean, batchOffset: Long)(implicit ev: TensorNumeric[T]): Tensor[T] =
    call(spec, args, seed, step, training, batchOffset).backward(gradOutput)

  /** The noise a training forward on an input of `inputShape` draws, as `NoiseModule.noise()` returns it. */
  def noise[T: ClassTag](spec: LayerSpec, args: LayerArgs, inputShape: Array[Int], seed: Long, step: Long,
      batchOffset: Long)(implicit ev: TensorNumeric[T]): Noise[T] =
    call(spec, args, seed, step, training = true, batchOffset).noise[T](inputShape)

  // ---- the eight layers by name (p: the drop probability, Python's init_p) ----

  def dropout(p: Double = Dropout.DefaultP, seed: Long, step: Long = 0L, training: Boolean = true,
      scale: Boolean = true, noiseShape: Option[Seq[Option[Int]]] = None, batchOffset: Long = 0L): LayerCall =
    call(Dropout, LayerArgs(p, scale, noiseShape = noiseShape), seed, step, training, batchOffset)

  def gaussianDropout(rate: Double, seed: Long, step: Long = 0L, training: Boolean = true,
      noiseShape: Option[Seq[Option[Int]]] = None, batchOffset: Long = 0L): LayerCall =
    call(GaussianDropout, LayerArgs(rate, noiseShape = noiseShape), seed, step, training, batchOffset)

  def gaussianNoise(stddev: Double, seed: Long, step: Long = 0L, training: Boolean = true,
      noiseShape: Option[Seq[Option[Int]]] = None, batchOffset: Long = 0L): LayerCall =
    call(GaussianNoise, LayerArgs(stddev, noiseShape = noiseShape), seed, step, training, batchOffset)

  def spatialDropout1d(p: Double = SpatialDropout1D.DefaultP, seed: Long, step: Long = 0L, training: Boolean = true,
      batchOffset: Long = 0L): LayerCall =
    call(SpatialDropout1D, LayerArgs(p), seed, step, training, batchOffset)

  def spatialDropout2d(p: Double = SpatialDropout2D.DefaultP, format: DataFormat = DataFormat.NCHW, seed: Long,
      step: Long = 0L, training: Boolean = true, batchOffset: Long = 0L): LayerCall =
    call(SpatialDropout2D, LayerArgs(p, format = format), seed, step, training, batchOffset)

  def spatialDropout3d(p: Double = SpatialDropout3D.DefaultP, format: DataFormat = DataFormat.NCHW, seed: Long,
      step: Long = 0L, training: Boolean = true, batchOffset: Long = 0L): LayerCall =
    call(SpatialDropout3D, LayerArgs(p, format = format), seed, step, training, batchOffset)

  def alphaDropout(p: Double = AlphaDropout.DefaultP, seed: Long, step: Long = 0L, training: Boolean = true,
      noiseShape: Option[Seq[Option[Int]]] = None, batchOffset: Long = 0L): LayerCall =
    call(AlphaDropout, LayerArgs(p, noiseShape = noiseShape), seed, step, training, batchOffset)

  def featureAlphaDropout(p: Double = FeatureAlphaDropout.DefaultP, format: DataFormat = DataFormat.NCHW,
      seed: Long, step: Long = 0L, training: Boolean = true, batchOffset: Long = 0L): LayerCall =
    call(FeatureAlphaDropout, LayerArgs(p, format = format), seed, step, training, batchOffset)
}
