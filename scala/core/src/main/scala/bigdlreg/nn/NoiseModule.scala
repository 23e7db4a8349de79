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
  * [[setState]] (or `setSeed`) to put each piece's module at the same step,
  * or call [[functional]] with that (seed, step).
  *
  * '''Resampling.''' With [[setResampling]]`(false)` (BigDL's `isResampling`),
  * a training forward whose noise shape equals the last training forward's
  * reuses that forward's (seed, step) noise, at this call's batch offset, and
  * does not advance the step; otherwise (and by default) it draws at the
  * current step and advances.
  *
  * '''State.''' [[getState]] / [[setState]] (a [[LayerState]], JSON in both
  * languages) and Java serialization carry seed, step, mode, resampling, name,
  * parameters and the last forwards: a restored module's next forward and
  * backward give the bytes the original's would. The layers compute through
  * [[functional]]'s code: one implementation path.
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
  * @param seedArg the module seed, or [[Seed.Global]] to take the next seed of
  *                the global seeder ([[bigdlreg.rng.RNG]])
  */
abstract class NoiseModule[T](val spec: LayerSpec, initial: LayerArgs, seedArg: Seed)(
    implicit val ev: TensorNumeric[T]) extends Serializable {

  /** The layer's name, used in messages ("Dropout", "SpatialDropout2D", ...). */
  final def layerName: String = spec.name

  // checked before the seed is drawn: a rejected module takes no seed from the global seeder
  @volatile private[this] var config: LayerConfig = new LayerConfig(spec, initial)

  /** Which input elements share one draw (see [[NoiseShape]]). */
  final def noiseRule: NoiseShape.Rule = config.rule

  /** What [[noise]] returns: a keep mask, factors or addends. */
  final def noiseKind: Noise.Kind = spec.noiseKind

  /** The current arguments (`value` changes with `setP`). */
  final def layerArgs: LayerArgs = config.args

  /** Sets the layer's one number, checked as at construction. */
  private[nn] final def setValue(v: Double): Unit = synchronized { config = config.withValue(v) }

  /** `Layer(value)`, plus the data format for the layers that take one and
    * `noise_shape=(...)` when the user gave one. */
  override def toString: String = {
    val a = layerArgs
    val format = if (spec.takes("data_format")) Seq(a.format.toString) else Nil
    val noiseShape = noiseRule match {
      case r: NoiseShape.Fixed => Seq(s"noise_shape=$r")
      case _                   => Nil
    }
    (a.value.toString +: (format ++ noiseShape)).mkString(s"$layerName(", ", ", ")")
  }

  private[this] var seed: Long = {
    if (seedArg == null) throw new IllegalArgumentException(s"$layerName: seed is null (use None)")
    seedArg.draw()
  }
  private[this] var step: Long = 0L
  private[this] var train: Boolean = true
  private[this] var resampling: Boolean = true
  private[this] var name: String = null
  private[this] var last: NoiseModule.Record = null
  private[this] var lastTrain: NoiseModule.Record = null
  // transient: a serialized module (a Spark task) carries its state, not its buffers
  @transient private[this] var out: Tensor[T] = null
  @transient private[this] var gradIn: Tensor[T] = null

  /** The result of the last forward (empty before any, after [[clearState]] and after deserialization). */
  final def output: Tensor[T] = synchronized { if (out == null) out = Tensor.zeros[T](0); out }

  /** The result of the last backward (empty before any, after [[clearState]] and after deserialization). */
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
    if (input.dtype != ev.dtype) throw Validation.tensorDtype(layerName, "input", input.dtype, ev.dtype)
    val cfg = config
    val shape = input.shape
    val (noise, cellBase) = cfg.plan(shape, batchOffset)
    val reused = train && !resampling && lastTrain != null && java.util.Arrays.equals(lastTrain.noise, noise)
    val (s, t) = if (reused) (lastTrain.seed, lastTrain.step) else (seed, step)
    val op = cfg.op(train)
    val result = if (cfg.args.inplace) input else reuse(out, input)
    op(s, t, shape, noise, input.storage, result.storage, cellBase)
    last = NoiseModule.Record(s, t, train, op, shape, noise, batchOffset, cellBase, cfg.args)
    if (train) { lastTrain = last; if (!reused) step += 1 }
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
    if (gradOutput.dtype != ev.dtype) throw Validation.tensorDtype(layerName, "gradOutput", gradOutput.dtype, ev.dtype)
    if (!gradOutput.hasShape(rec.shape))
      throw Validation.gradientShape(layerName, gradOutput.shape, rec.shape)
    val result = if (config.args.inplace) gradOutput else reuse(gradIn, gradOutput)
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
    * `IllegalStateException`. Same as `functional.noise` with that forward's arguments.
    */
  def noise(): Noise[T] = synchronized {
    val rec = lastTrain
    if (rec == null) throw Validation.noiseBeforeTraining(layerName)
    LayerConfig.noise[T](noiseKind, rec.op, rec.noise, rec.seed, rec.step, rec.cellBase)
  }

  /** Switches to training mode. */
  def training(): this.type = synchronized { train = true; this }

  /** Switches to evaluate mode. */
  def evaluate(): this.type = synchronized { train = false; this }

  def isTraining(): Boolean = synchronized(train)

  /** Sets the (unsigned 64-bit) seed and resets the step to 0. */
  def setSeed(s: Long): this.type = synchronized { seed = s; step = 0L; this }

  def getSeed: Long = synchronized(seed)

  /** Number of training-mode forwards since construction or the last [[setSeed]]
    * (a forward that reused the last noise, resampling off, does not count). */
  def getStep: Long = synchronized(step)

  /** Resampling on (the default): every training forward draws new noise. Off: see the class doc. */
  def setResampling(flag: Boolean): this.type = synchronized { resampling = flag; this }

  def isResampling: Boolean = synchronized(resampling)

  /** BigDL's module name (a label only: messages name the layer). */
  def setName(name: String): this.type = synchronized { this.name = name; this }

  /** The name set with [[setName]], else the layer's name ("Dropout"). */
  def getName(): String = synchronized(if (name == null) layerName else name)

  /** Frees the [[output]] and [[gradInput]] buffers (BigDL's `clearState`);
    * seed, step, mode and the last forwards stay, so backward still works. */
  def clearState(): this.type = synchronized { out = null; gradIn = null; this }

  /** The last forward: (seed, step, training?, op, input shape, noise shape, batch offset), if any. */
  def lastForward: Option[NoiseModule.Record] = synchronized(Option(last))

  /** The most recent training forward (what [[noise]] recomputes), if any. */
  def lastTrainingForward: Option[NoiseModule.Record] = synchronized(Option(lastTrain))

  /** The module's state as a record ([[LayerState]]; `toJson` for a checkpoint). */
  def getState: LayerState = synchronized {
    def fwd(r: NoiseModule.Record) =
      LayerState.Forward(r.seed, r.step, r.training, r.shape.toVector, r.batchOffset, r.args)
    LayerState(layerName, layerArgs, ev.dtype, seed, step, train, resampling, Option(name),
      Option(last).map(fwd), Option(lastTrain).map(fwd))
  }

  /** Puts the module in `state` (from [[getState]], here or in Python): seed,
    * step, mode, resampling, name, drop probability and the last forwards, so
    * that backward and every later forward give exactly what the module that
    * gave the state gives. The state must be of this layer and dtype, with this
    * module's parameters except the drop probability of a mask layer (which
    * [[DropProbability.setP]] can change); a last forward whose rank or offset
    * the layer rejects is refused as forward refuses it. Nothing changes on an error.
    */
  def setState(state: LayerState): this.type = synchronized {
    if (state == null) throw new IllegalArgumentException(s"$layerName: state is null")
    if (state.layer != layerName)
      throw new IllegalArgumentException(s"$layerName: the state is of a ${state.layer}, not of a $layerName")
    LayerState.checkDtype(state, ev)
    if (state.step < 0L) throw new IllegalArgumentException(s"$layerName: step must be >= 0, got ${state.step}")
    val cfg = configFor(state.params)
    def rec(f: LayerState.Forward, what: String): NoiseModule.Record = {
      if (f == null) throw new IllegalArgumentException(s"$layerName: $what is null (use None)")
      if (f.step < 0L) throw new IllegalArgumentException(s"$layerName: $what step must be >= 0, got ${f.step}")
      val shape = f.shape.toArray
      Tensor.checkShape(shape)
      val c = configFor(f.params)
      val (noise, cellBase) = c.plan(shape, f.batchOffset)
      NoiseModule.Record(f.seed, f.step, f.training, c.op(f.training), shape, noise, f.batchOffset, cellBase, c.args)
    }
    val l = state.last.map(rec(_, "last"))
    val lt = state.lastTraining.map { f =>
      val r = rec(f, "last_training")
      if (!r.training) throw new IllegalArgumentException(s"$layerName: last_training is an evaluate forward")
      r
    }
    config = cfg
    seed = state.seed
    step = state.step
    train = state.training
    resampling = state.resampling
    name = state.name.orNull
    last = l.orNull
    lastTrain = lt.orNull
    this
  }

  /** The configuration for the parameters of a state: this module's, but for the drop probability. */
  private def configFor(params: LayerArgs): LayerConfig = {
    if (params == null) throw new IllegalArgumentException(s"$layerName: the state's params are null")
    val mine = config.args
    if (params.copy(value = mine.value) != mine)
      throw new IllegalArgumentException(
        s"$layerName: the state's params ${LayerState.paramsJson(spec, params)} differ from the layer's " +
          s"${LayerState.paramsJson(spec, mine)} in more than the drop probability")
    if (params.value == mine.value) config
    else if (this.isInstanceOf[DropProbability]) config.withValue(params.value)
    else
      throw new IllegalArgumentException(
        s"$layerName: the state's ${spec.value.keyword} ${Validation.formatValue(params.value)} differs from the " +
          s"layer's ${Validation.formatValue(mine.value)} (only a drop probability can change)")
  }

  /** The noise shape this layer uses for an input shape (throws on a rejected rank). */
  def noiseShapeFor(inputShape: Array[Int]): Array[Int] = config.noiseShape(inputShape.clone())

  private def reuse(prev: Tensor[T], like: Tensor[T]): Tensor[T] =
    if (prev != null && prev.hasShape(like.dimsRef) && (prev.storage ne like.storage)) prev
    else Tensor[T](ev.newArray(like.nElement()), like.shape)
}

object NoiseModule {

  /** What a forward did: enough to replay its noise. Shapes are copies;
    * `cellBase` is the flat index of the first noise cell (from `batchOffset`);
    * `args` are the layer's arguments at that forward (`op` was built from them).
    */
  final case class Record(seed: Long, step: Long, training: Boolean, op: NoiseOp, shape: Array[Int], noise: Array[Int],
      batchOffset: Long, cellBase: Long, args: LayerArgs) {
    override def toString: String =
      s"Record(seed=${RNG.seedToString(seed)}, step=$step, training=$training, op=$op, " +
        s"shape=${Validation.formatShape(shape)}, noise=${Validation.formatShape(noise)}" +
        (if (batchOffset == 0L) ")" else s", batchOffset=$batchOffset, cellBase=$cellBase)")
  }
}
