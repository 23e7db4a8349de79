package bigdlreg.nn

import bigdlreg.rng.RNG
import bigdlreg.tensor.{Tensor, TensorNumeric}

/** The layer contract shared by the eight noise layers; what differs
  * between them is their [[LayerSpec]] (their companion object).
  *
  * '''Modes and steps.''' A new module is in training mode; [[training]] /
  * [[evaluate]] switch, [[isTraining]] reports. The module has an unsigned
  * 64-bit seed (a `Long` holds the bits) and a step: the number of
  * training-mode forwards done. A training forward draws the noise of
  * (seed, step) — each noise cell a pure function of (seed, step, flat index),
  * see `bigdlreg.rng` — then advances the step (also for empty inputs).
  * [[setSeed]] sets the seed and resets the step to 0.
  *
  * '''Slices of a larger batch.''' `forward(input, batchOffset)` treats
  * `input` as rows `batchOffset until batchOffset + input.size(0)` (axis 0) of
  * a logical input whose other axes are the input's, and draws exactly the
  * noise cells that one forward on the logical input would draw for those rows
  * (see [[NoiseShape.atBatchOffset]]). Splitting a batch along axis 0 into
  * pieces, each forwarded at its offset with the same (seed, step) in any
  * order, gives the bytes of one forward on the whole batch. Use
  * [[restoreState]] (or `setSeed`) to put each piece's module at the same step.
  *
  * '''Backward.''' The module records (seed, step, mode/op, input shape) of
  * its last forward; [[backward]] applies the derivative of exactly that
  * forward (same noise, same mode) to the gradient. No noise is stored:
  * 0 bytes per element; backward costs one more RNG pass, recomputing the
  * noise from (seed, step). Backward before any forward is an
  * `IllegalStateException`; a gradient whose shape differs from that
  * forward's input is an `IllegalArgumentException`.
  *
  * '''Buffers.''' [[output]] and [[gradInput]] are reused between calls when
  * the shape matches (and they don't share storage with the argument);
  * otherwise new tensors are allocated. Inputs are never modified, except by
  * an `inplace` Dropout, whose output is the input tensor itself (and whose
  * backward overwrites the gradient).
  *
  * '''Threads.''' Large tensors are processed in chunks on the
  * [[bigdlreg.tensor.Engine]] pool; results are bit-identical for every
  * thread count and chunk size. Calls on one module are serialised (the
  * methods synchronise on the module); distinct modules may run concurrently.
  *
  * @param spec    what the layer is: its companion object ([[Layers]])
  * @param initial the layer's arguments, checked here (before a seed is drawn)
  * @param seedOpt the module seed, or `None` to take the next seed of the
  *                global seeder ([[bigdlreg.rng.RNG]])
  */
abstract class NoiseModule[T](val spec: LayerSpec, initial: LayerArgs, seedOpt: Option[Long])(
    implicit val ev: TensorNumeric[T]) extends Serializable {

  /** The layer's name, used in messages ("Dropout", "SpatialDropout2D", ...). */
  final def layerName: String = spec.name

  // checked before the seed is drawn: a rejected module takes no seed from the global seeder
  @volatile private[this] var args: LayerArgs = {
    spec.value.check(layerName, spec.value.keyword, initial.value)
    initial
  }

  /** Which input elements share one draw (see [[NoiseShape]]). */
  final val noiseRule: NoiseShape.Rule = spec.noiseRule(initial)

  /** What [[noise]] returns: a keep mask, factors or addends. */
  final def noiseKind: Noise.Kind = spec.noiseKind

  /** The current arguments (`value` changes with `setP`). */
  final def layerArgs: LayerArgs = args

  /** Sets the layer's one number, checked as at construction. */
  private[nn] final def setValue(v: Double): Unit =
    args = args.copy(value = spec.value.check(layerName, spec.value.keyword, v))

  /** The noise shape for an input shape (throws on a rank or noise shape that does not fit). */
  protected final def resolveNoiseShape(inputShape: Array[Int]): Array[Int] = noiseRule(layerName, inputShape)

  private def trainingOp: NoiseOp = spec.trainingOp(args)
  private def evaluateOp: NoiseOp = spec.evaluateOp(args)

  /** True when the output is written into the input (Dropout's `inplace`). */
  protected def inplaceOutput: Boolean = false

  /** `Layer(value)`, plus the data format for the layers that take one and
    * `noise_shape=(...)` when the user gave one. */
  override def toString: String = {
    val a = args
    val format = if (spec.takes("data_format")) Seq(a.format.toString) else Nil
    val noiseShape = noiseRule match {
      case r: NoiseShape.Fixed => Seq(s"noise_shape=$r")
      case _                   => Nil
    }
    (a.value.toString +: (format ++ noiseShape)).mkString(s"$layerName(", ", ", ")")
  }

  private[this] var seed: Long = {
    if (seedOpt == null) throw new IllegalArgumentException(s"$layerName: seed is null (use None)")
    seedOpt match {
      case Some(s) => s
      case None    => RNG.nextModuleSeed()
    }
  }
  private[this] var step: Long = 0L
  private[this] var train: Boolean = true
  private[this] var last: NoiseModule.Record = null
  private[this] var lastTrain: NoiseModule.Record = null
  // transient: a serialized module (a Spark task) carries its state, not its buffers
  @transient private[this] var out: Tensor[T] = null
  @transient private[this] var gradIn: Tensor[T] = null

  /** The result of the last forward (empty before any, and after deserialization). */
  final def output: Tensor[T] = synchronized { if (out == null) out = Tensor.zeros[T](0); out }

  /** The result of the last backward (empty before any, and after deserialization). */
  final def gradInput: Tensor[T] = synchronized { if (gradIn == null) gradIn = Tensor.zeros[T](0); gradIn }

  /** Same as [[updateOutput]]. */
  final def forward(input: Tensor[T]): Tensor[T] = updateOutput(input, 0L)

  /** A forward of `input` as the rows starting at `batchOffset` (>= 0) of a
    * larger logical batch: same as [[updateOutput(input:bigdlreg\.tensor\.Tensor[T],batchOffset:Long)*]].
    */
  final def forward(input: Tensor[T], batchOffset: Long): Tensor[T] = updateOutput(input, batchOffset)

  /** Same as [[updateGradInput]] (the layers have no parameters). */
  final def backward(input: Tensor[T], gradOutput: Tensor[T]): Tensor[T] = updateGradInput(input, gradOutput)

  /** Forward: applies the noise of (seed, step) in training mode, then
    * advances the step; applies the evaluate formula otherwise.
    */
  def updateOutput(input: Tensor[T]): Tensor[T] = updateOutput(input, 0L)

  /** Forward of a slice: `input` is rows `batchOffset until batchOffset +
    * input.size(0)` of a logical batch, and draws that batch's noise cells for
    * those rows (the step advances as for any training forward). Offset 0 is
    * the plain forward.
    */
  def updateOutput(input: Tensor[T], batchOffset: Long): Tensor[T] = synchronized {
    if (input == null) throw Validation.nullTensor(layerName, "input")
    val shape = input.shape
    val (noise, cellBase) = NoiseShape.atBatchOffset(layerName, resolveNoiseShape, shape, batchOffset)
    val op = if (train) trainingOp else evaluateOp
    val result = if (inplaceOutput) input else reuse(out, input)
    op(seed, step, shape, noise, input.storage, result.storage, cellBase)
    last = NoiseModule.Record(seed, step, train, op, shape, noise, batchOffset, cellBase)
    if (train) { lastTrain = last; step += 1 }
    out = result
    result
  }

  /** Backward: the derivative of the last forward, with its noise.
    * `input` is not read (the last forward's record is).
    */
  def updateGradInput(input: Tensor[T], gradOutput: Tensor[T]): Tensor[T] = synchronized {
    val rec = last
    if (rec == null) throw Validation.backwardBeforeForward(layerName)
    if (gradOutput == null) throw Validation.nullTensor(layerName, "gradOutput")
    if (!gradOutput.hasShape(rec.shape))
      throw Validation.gradientShape(layerName, gradOutput.shape, rec.shape)
    val result = if (inplaceOutput) gradOutput else reuse(gradIn, gradOutput)
    rec.op.derivative(rec.seed, rec.step, rec.shape, rec.noise, gradOutput.storage, result.storage, rec.cellBase)
    gradIn = result
    result
  }

  /** The noise of the most recent training forward (an evaluate forward
    * draws none): a [[Noise.Keep]] mask for the dropout-type layers,
    * [[Noise.Factors]] for GaussianDropout, [[Noise.Addends]] for
    * GaussianNoise, of the noise shape of that forward. Recomputed from
    * (seed, step), not stored: each call allocates one array of the element
    * type per noise cell (4 or 8 bytes), plus 1 byte per cell for a mask, and
    * costs about one forward over the noise cells. Before any training forward:
    * `IllegalStateException`.
    */
  def noise(): Noise[T] = synchronized {
    val rec = lastTrain
    if (rec == null) throw Validation.noiseBeforeTraining(layerName)
    val shape = rec.noise.clone()
    val kind = noiseKind
    val cells = Tensor.filled[T](shape, ev.fromDouble(kind.probe))
    // the op (its derivative for masks: x * T(factor) or +0) maps the probe to the noise itself
    val op = if (kind == Noise.KeepMask) rec.op.derivative else rec.op
    op(rec.seed, rec.step, shape, shape, cells.storage, cells.storage, rec.cellBase)
    kind match {
      case Noise.KeepMask       => Noise.Keep[T](shape, cells.storage.map(v => ev.toDouble(v) != 0.0))
      case Noise.Multiplicative => Noise.Factors(cells)
      case Noise.Additive       => Noise.Addends(cells)
    }
  }

  /** Switches to training mode. */
  def training(): this.type = synchronized { train = true; this }

  /** Switches to evaluate mode. */
  def evaluate(): this.type = synchronized { train = false; this }

  def isTraining(): Boolean = synchronized(train)

  /** Sets the (unsigned 64-bit) seed and resets the step to 0. */
  def setSeed(s: Long): this.type = synchronized { seed = s; step = 0L; this }

  def getSeed: Long = synchronized(seed)

  /** Number of training-mode forwards since construction or the last [[setSeed]]. */
  def getStep: Long = synchronized(step)

  /** The last forward: (seed, step, training?, op, input shape, noise shape, batch offset), if any. */
  def lastForward: Option[NoiseModule.Record] = synchronized(Option(last))

  /** The most recent training forward (what [[noise]] recomputes), if any. */
  def lastTrainingForward: Option[NoiseModule.Record] = synchronized(Option(lastTrain))

  /** Restores a state captured elsewhere (another process, another backend):
    * the seed, the step and the mode, and optionally the last forward as
    * (seed, step, training, input shape), so that backward and every later
    * forward give exactly what the original module would. The last forward's
    * op is rebuilt from the current parameters (as they were at that forward,
    * unless `setP` was called since); `lastBatchOffset` is that forward's
    * batch offset. Throws like forward on a rejected rank or offset.
    * A restored training forward is also what [[noise]] then returns.
    */
  def restoreState(seed: Long, step: Long, training: Boolean,
      lastForward: Option[(Long, Long, Boolean, Array[Int])], lastBatchOffset: Long = 0L): this.type = synchronized {
    val rec = lastForward.map { case (s, t, tr, shape) =>
      val sh = shape.clone()
      val (noise, cellBase) = NoiseShape.atBatchOffset(layerName, resolveNoiseShape, sh, lastBatchOffset)
      NoiseModule.Record(s, t, tr, if (tr) trainingOp else evaluateOp, sh, noise, lastBatchOffset, cellBase)
    }
    this.seed = seed
    this.step = step
    this.train = training
    this.last = rec.orNull
    this.lastTrain = rec.filter(_.training).orNull
    this
  }

  /** The noise shape this layer uses for an input shape (throws on a rejected rank). */
  def noiseShapeFor(inputShape: Array[Int]): Array[Int] = resolveNoiseShape(inputShape.clone())

  private def reuse(prev: Tensor[T], like: Tensor[T]): Tensor[T] =
    if (prev != null && prev.hasShape(like.dimsRef) && (prev.storage ne like.storage)) prev
    else Tensor[T](ev.newArray(like.nElement()), like.shape)
}

object NoiseModule {

  /** What a forward did: enough to replay its noise. Shapes are copies;
    * `cellBase` is the flat index of the first noise cell (from `batchOffset`).
    */
  final case class Record(seed: Long, step: Long, training: Boolean, op: NoiseOp, shape: Array[Int], noise: Array[Int],
      batchOffset: Long = 0L, cellBase: Long = 0L) {
    override def toString: String =
      s"Record(seed=${RNG.seedToString(seed)}, step=$step, training=$training, op=$op, " +
        s"shape=${Validation.formatShape(shape)}, noise=${Validation.formatShape(noise)}" +
        (if (batchOffset == 0L) ")" else s", batchOffset=$batchOffset, cellBase=$cellBase)")
  }
}
