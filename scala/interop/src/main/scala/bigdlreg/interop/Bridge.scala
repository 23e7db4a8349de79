package bigdlreg.interop

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger

import scala.reflect.ClassTag

import bigdlreg.nn._
import bigdlreg.tensor.{Tensor, TensorNumeric}

/** The py4j entry point of the Python `jvm` backend (`bigdl_reg/backends/jvm`).
  *
  * Modules live here under integer handles; array bytes travel through
  * [[SharedArena]]s (files both processes map), so py4j carries only handles, arena
  * ids, byte offsets and shapes. One method per operation, every argument a py4j
  * primitive or `String` (Python keeps `auto_convert=False`, under which lists don't
  * convert): shapes are `"2,3,4"` (`""` is 0-d), seeds the unsigned 64-bit seed's bits
  * in a `Long`, a layer's arguments as [[Bridge.layerArgs]] reads them.
  *
  * Thread-safety: py4j runs each Python thread's calls on its own Java thread. Calls on
  * one module are serialized by that module's lock; different modules run concurrently.
  * Arenas are independent and safe for concurrent use.
  *
  * Errors: the engine's `IllegalArgumentException` / `IllegalStateException` propagate
  * unchanged (Python raises `ValueError` / `RuntimeError` with the message). The
  * bridge's own errors use the same two types with a `Bridge: ` prefix.
  */
class Bridge {
  import Bridge._

  private val modules    = new ConcurrentHashMap[Integer, Slot[_]]()
  private val arenas     = new ConcurrentHashMap[Integer, SharedArena]()
  private val nextHandle = new AtomicInteger(1)

  // ---------------------------------------------------------------- info

  /** Python refuses a jar whose protocol differs from its own (a stale build). */
  def protocolVersion(): Int = ProtocolVersion

  /** The bigdl-reg version of the interop jar (`"dev"` outside a packaged jar). */
  def version(): String = Option(classOf[Bridge].getPackage.getImplementationVersion).getOrElse("dev")

  def javaVersion(): String = System.getProperty("java.version")

  def pid(): Long = ProcessHandle.current().pid()

  def liveModules(): Int = modules.size()
  def liveArenas(): Int  = arenas.size()

  // -------------------------------------------------------------- arenas

  /** Maps `size` bytes of the file `path` as arena `arenaId` (once; attaching the same
    * id, path and size again is a no-op). Python unlinks the file when this returns. */
  def attach(arenaId: Int, path: String, size: Long): Unit = {
    val existing = arenas.get(arenaId)
    if (existing != null) {
      if (existing.path == path && existing.size == size && !existing.isClosed) return
      throw new IllegalArgumentException(
        s"Bridge: arena $arenaId is already attached to ${existing.path} (${existing.size} bytes)")
    }
    val arena = SharedArena.map(arenaId, path, size)
    if (arenas.putIfAbsent(arenaId, arena) != null) {
      arena.close()
      throw new IllegalArgumentException(s"Bridge: arena $arenaId was attached concurrently")
    }
  }

  /** Drops arena `arenaId` and releases its mapping (waits for calls using it). */
  def detach(arenaId: Int): Boolean = {
    val arena = arenas.remove(arenaId)
    if (arena != null) arena.close()
    arena != null
  }

  private[interop] def sharedArena(arenaId: Int): SharedArena = {
    val a = arenas.get(arenaId)
    if (a == null) throw new IllegalStateException(s"Bridge: no arena $arenaId is attached")
    a
  }

  // ------------------------------------------------------------- modules

  /** A new layer `layer` of `dtype` ("float32" / "float64") with `seed`; its arguments
    * as [[Bridge.layerArgs]] reads them. Returns its handle. */
  def create(layer: String, dtype: String, seed: Long, value: Double, scale: Boolean, dataFormat: String,
             noiseShape: String): Int = {
    val slot   = Slot(DType(dtype), layer, layerArgs(layer, value, scale, dataFormat, noiseShape), seed)
    val handle = nextHandle.getAndIncrement()
    modules.put(handle, slot)
    handle
  }

  /** Releases a module; false if the handle was unknown (already released). */
  def release(handle: Int): Boolean = modules.remove(handle) != null

  private[interop] def module(handle: Int): NoiseModule[_] = slot(handle).module

  private def slot(handle: Int): Slot[_] = {
    val s = modules.get(handle)
    if (s == null) throw new IllegalStateException(s"Bridge: no module with handle $handle (it was released)")
    s
  }

  /** Reads the input (`shape`, the module's dtype) at byte `inOffset` of the arena, runs
    * `NoiseModule.forward(input, batchOffset)` and writes the output at `outOffset`
    * (which may equal `inOffset`). Returns the step after the call. */
  def forward(handle: Int, arenaId: Int, inOffset: Long, shape: String, outOffset: Long, batchOffset: Long): Long =
    slot(handle).forward(sharedArena(arenaId), inOffset, parseShape(shape), outOffset, batchOffset)

  /** The gradient with respect to the input of the last forward, for the gradient at
    * `gradOffset`, written at `outOffset` (may be the same). The input is never sent:
    * the engine's backward replays the last forward's record and does not read it. */
  def backward(handle: Int, arenaId: Int, gradOffset: Long, gradShape: String, outOffset: Long): Unit =
    slot(handle).backward(sharedArena(arenaId), gradOffset, parseShape(gradShape), outOffset)

  def setTraining(handle: Int, training: Boolean): Unit =
    slot(handle).locked(m => if (training) m.training() else m.evaluate())

  def isTraining(handle: Int): Boolean = slot(handle).locked(_.isTraining())

  def setSeed(handle: Int, seed: Long): Unit = slot(handle).locked(_.setSeed(seed))

  def getSeed(handle: Int): Long = slot(handle).locked(_.getSeed)

  def getStep(handle: Int): Long = slot(handle).locked(_.getStep)

  /** The drop probability of a mask layer (`DropProbability.setP`); seed, step and the
    * last forward stay. */
  def setP(handle: Int, p: Double): Unit = slot(handle).locked {
    case d: DropProbability => d.setP(p)
    case m                  => throw new IllegalArgumentException(s"${m.layerName} has no drop probability to set")
  }

  /** Brings a freshly created module (created with the parameters of the last forward)
    * to a given state: `seed`, `step` and mode, and, when `hasLast`, a last forward made
    * with (`lastSeed`, `lastStep`, `lastTraining`) on an input of `lastShape` at
    * `lastBatchOffset`, so that backward and every later forward give exactly what the
    * original module gives. Python uses it to re-create the layers of a JVM that died.
    * O(1) whatever the step: the engine's own [[NoiseModule.restoreState]]. */
  def restore(handle: Int, seed: Long, step: Long, training: Boolean, hasLast: Boolean, lastSeed: Long,
              lastStep: Long, lastTraining: Boolean, lastShape: String, lastBatchOffset: Long): Unit = {
    if (step < 0 || (hasLast && lastStep < 0))
      throw new IllegalArgumentException(s"Bridge: negative step in restore (step $step, last step $lastStep)")
    val shape = parseShape(lastShape)
    slot(handle).locked { m =>
      val state = m.getState
      val last =
        if (hasLast) Some(LayerState.Forward(lastSeed, lastStep, lastTraining, shape.toVector, lastBatchOffset, state.params))
        else None
      m.setState(state.copy(seed = seed, step = step, training = training, last = last, lastTraining = last.filter(_.training)))
    }
  }

  /** What [[noise]] will write: `"<kind>:<noise shape>"`, kind `keep`, `factor` or `addend`
    * (`NoiseModule.noiseKind`), e.g. `"keep:2,1,3"`. Before any training forward: the
    * engine's `IllegalStateException`. */
  def noiseShape(handle: Int): String = slot(handle).locked { m =>
    val rec = m.lastTrainingForward.getOrElse(throw Validation.noiseBeforeTraining(m.layerName))
    s"${m.noiseKind.name}:${rec.noise.mkString(",")}"
  }

  /** Writes `NoiseModule.noise()` at byte `outOffset` of the arena, in the module's dtype:
    * a keep mask as 1 (kept) and 0 (dropped), factors and addends as they are. */
  def noise(handle: Int, arenaId: Int, outOffset: Long): Unit = slot(handle).noise(sharedArena(arenaId), outOffset)

  /** The engine on its own, as a Scala user runs it (no arena, no handle): a fresh layer
    * (arguments as for [[create]]) runs `forwards` training forwards of the pattern
    * input of `shape` ([[Bridge.pattern]]), then one backward with the same pattern as
    * the gradient. Returns `"<sha256 of the last output>:<sha256 of the gradient>"`,
    * lowercase hex of each tensor's little-endian bytes. The demo compares it with the
    * Python backends. */
  def referenceDigest(layer: String, dtype: String, seed: Long, value: Double, scale: Boolean, dataFormat: String,
                      noiseShape: String, shape: String, forwards: Int): String = {
    if (forwards < 1) throw new IllegalArgumentException(s"Bridge: forwards must be >= 1, got $forwards")
    val args = layerArgs(layer, value, scale, dataFormat, noiseShape)
    Bridge.referenceDigest(DType(dtype), layer, args, seed, parseShape(shape), forwards)
  }
}

object Bridge {
  final val ProtocolVersion = 6

  /** A layer's arguments as py4j carries them: the layer's one number (`init_p`, `rate`
    * or `stddev`), Dropout's `scale`, `dataFormat` "NCHW" / "NHWC", and a Keras noise
    * shape `"None,1,4"` (`""`: rank 0; null: none). */
  def layerArgs(layer: String, value: Double, scale: Boolean, dataFormat: String, noiseShape: String): LayerArgs =
    LayerArgs(value, scale, DataFormat.parse(layer, dataFormat), Option(noiseShape).map(parseNoiseShape))

  /** `"2,3,4"` -> the shape (`""`: 0-d), checked as the engine checks shapes. */
  def parseShape(shape: String): Array[Int] = {
    val dims =
      if (shape.trim.isEmpty) Array.emptyIntArray
      else shape.split(',').map(d => d.trim.toIntOption.getOrElse(throw badText("shape", shape)))
    try Tensor.checkShape(dims)
    catch { case e: IllegalArgumentException => throw new IllegalArgumentException(s"Bridge: ${e.getMessage}") }
    dims
  }

  private def parseNoiseShape(v: String): Seq[Option[Int]] =
    if (v.trim.isEmpty) Seq.empty
    else
      v.split(',').toSeq.map(_.trim).map {
        case "None" => None
        case d      => Some(d.toIntOption.getOrElse(throw badText("noise_shape", v)))
      }

  private def badText(what: String, v: String) = new IllegalArgumentException(s"""Bridge: bad $what "$v"""")

  /** An element type as Python names it, and how its arrays move through an arena. */
  sealed abstract class DType[T](val name: String)(implicit val tag: ClassTag[T], val ev: TensorNumeric[T]) {
    def read(a: SharedArena, offset: Long, dst: Array[T], n: Int): Unit
    def write(a: SharedArena, offset: Long, src: Array[T], n: Int): Unit
    def build(layer: String, args: LayerArgs, seed: Long): NoiseModule[T] = Layers.byName(layer).build[T](args, Some(seed))
  }

  object DType {
    case object Float32 extends DType[Float]("float32") {
      def read(a: SharedArena, offset: Long, dst: Array[Float], n: Int): Unit  = a.readFloats(offset, dst, n)
      def write(a: SharedArena, offset: Long, src: Array[Float], n: Int): Unit = a.writeFloats(offset, src, n)
    }
    case object Float64 extends DType[Double]("float64") {
      def read(a: SharedArena, offset: Long, dst: Array[Double], n: Int): Unit  = a.readDoubles(offset, dst, n)
      def write(a: SharedArena, offset: Long, src: Array[Double], n: Int): Unit = a.writeDoubles(offset, src, n)
    }

    def apply(name: String): DType[_] = name match {
      case "float32" => Float32
      case "float64" => Float64
      case other     => throw new IllegalArgumentException(s"""Bridge: dtype must be "float32" or "float64", got "$other"""")
    }
  }

  /** Element `i` of the demo's reference input, before rounding to the dtype:
    * `((i * 7919) % 1009 - 504) / 64`, a multiple of 1/64 in [-7.875, 7.875], exact in
    * float32 and float64 (numpy: `((np.arange(n) * 7919) % 1009 - 504) / 64.0`). */
  def patternValue(i: Long): Double = ((i * 7919L) % 1009L - 504L) / 64.0

  /** The pattern input of `shape` as a tensor of `T`. */
  def pattern[T](shape: Array[Int])(implicit ev: TensorNumeric[T]): Tensor[T] = {
    val n = shape.foldLeft(1L)(_ * _).toInt
    val a = ev.newArray(n)
    var i = 0
    while (i < n) { a(i) = ev.fromDouble(patternValue(i.toLong)); i += 1 }
    Tensor[T](a, shape.clone())
  }

  /** Lowercase hex SHA-256 of a tensor's little-endian bytes. */
  def sha256LE[T](t: Tensor[T])(implicit ev: TensorNumeric[T]): String =
    java.security.MessageDigest.getInstance("SHA-256").digest(ev.toBytes(t.storage)).map(b => f"${b & 0xff}%02x").mkString

  private def referenceDigest[T](d: DType[T], layer: String, args: LayerArgs, seed: Long, shape: Array[Int],
                                 forwards: Int): String = {
    import d.ev
    val m = d.build(layer, args, seed)
    val x = pattern[T](shape)
    var y: Tensor[T] = null
    for (_ <- 0 until forwards) y = m.forward(x)
    val outDigest = sha256LE(y) // before the backward
    s"$outDigest:${sha256LE(m.backward(x, pattern[T](shape)))}"
  }

  /** One module and its reusable input array; every call holds the slot's lock. */
  private[interop] final class Slot[T](d: DType[T], val module: NoiseModule[T]) {
    import d.{ev, tag}
    private var buf: Array[T] = Array.empty[T]

    private def sized(n: Int): Array[T] = { if (buf.length != n) buf = new Array[T](n); buf }

    def locked[R](f: NoiseModule[T] => R): R = synchronized(f(module))

    def forward(arena: SharedArena, inOffset: Long, shape: Array[Int], outOffset: Long, batchOffset: Long): Long =
      synchronized {
        val n = Tensor.checkShape(shape)
        d.read(arena, inOffset, sized(n), n)
        val y = module.forward(Tensor[T](buf, shape.clone()), batchOffset)
        d.write(arena, outOffset, y.storage, n)
        module.getStep
      }

    def backward(arena: SharedArena, gradOffset: Long, gradShape: Array[Int], outOffset: Long): Unit =
      synchronized {
        val n = Tensor.checkShape(gradShape)
        d.read(arena, gradOffset, sized(n), n)
        val grad = Tensor[T](buf, gradShape.clone())
        d.write(arena, outOffset, module.backward(grad, grad).storage, n) // the input is not read
      }

    def noise(arena: SharedArena, outOffset: Long): Unit = synchronized {
      val values = module.noise() match {
        case Noise.Keep(_, keep)   => keep.map(k => if (k) ev.one else ev.zero)
        case Noise.Factors(values) => values.storage
        case Noise.Addends(values) => values.storage
      }
      d.write(arena, outOffset, values, values.length)
    }
  }

  private[interop] object Slot {
    def apply[T](d: DType[T], layer: String, args: LayerArgs, seed: Long): Slot[T] = new Slot(d, d.build(layer, args, seed))
  }
}
