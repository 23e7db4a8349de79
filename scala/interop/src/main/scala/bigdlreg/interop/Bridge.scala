package bigdlreg.interop

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger

import scala.reflect.ClassTag
import scala.util.Try

import bigdlreg.nn._
import bigdlreg.tensor.{Tensor, TensorNumeric}

/** The py4j entry point of the Python `jvm` backend (`bigdl_reg/backends/jvm`).
  *
  * Stateless: a handle names an immutable layer configuration (layer, dtype and
  * arguments, validated once by [[create]]); every call gets the state it needs
  * (seed, step, mode, batch offset) from the caller, which holds it (the Python layer,
  * like a Scala `NoiseModule`). Nothing is remembered between calls, so a JVM that dies
  * loses nothing but configurations, which Python re-creates.
  *
  * Array bytes travel through [[SharedArena]]s (files both processes map), so py4j
  * carries only handles, arena ids, byte offsets and shapes. One method per operation,
  * every argument a py4j primitive or `String` (Python keeps `auto_convert=False`, under
  * which lists don't convert): shapes are `"2,3,4"` (`""` is 0-d), seeds the unsigned
  * 64-bit seed's bits in a `Long`, a layer's arguments as [[Bridge.layerArgs]] reads them.
  *
  * Thread-safety: py4j runs each Python thread's calls on its own Java thread. Calls
  * share nothing but the (immutable) configurations and the arenas, which are safe for
  * concurrent use; any number of calls may run at once, on one handle or several.
  *
  * Errors: the engine's `IllegalArgumentException` / `IllegalStateException` propagate
  * unchanged (Python raises `ValueError` / `RuntimeError` with the message). The
  * bridge's own errors use the same two types with a `Bridge: ` prefix.
  */
class Bridge {
  import Bridge._

  private val configs    = new ConcurrentHashMap[Integer, Config[_]]()
  private val arenas     = new ConcurrentHashMap[Integer, SharedArena]()
  private val nextHandle = new AtomicInteger(1)

  // ---------------------------------------------------------------- info

  /** Python refuses a jar whose protocol differs from its own (a stale build). */
  def protocolVersion(): Int = ProtocolVersion

  /** The bigdl-reg version of the interop jar (`"dev"` outside a packaged jar). */
  def version(): String = Option(classOf[Bridge].getPackage.getImplementationVersion).getOrElse("dev")

  def javaVersion(): String = System.getProperty("java.version")

  def pid(): Long = ProcessHandle.current().pid()

  /** Live configurations (handles created and not released). */
  def liveModules(): Int = configs.size()
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

  // ------------------------------------------------------- configurations

  /** A layer configuration: `layer` of `dtype` ("float32" / "float64") with its
    * arguments as [[Bridge.layerArgs]] reads them, checked as the layer's constructor
    * checks them (same messages). Returns its handle. */
  def create(layer: String, dtype: String, value: Double, scale: Boolean, dataFormat: String,
             noiseShape: String): Int = {
    val d      = DType(dtype)
    val config = new Config(d, new LayerConfig(Layers.byName(layer), layerArgs(layer, value, scale, dataFormat, noiseShape)))
    val handle = nextHandle.getAndIncrement()
    configs.put(handle, config)
    handle
  }

  /** Releases a configuration; false if the handle was unknown (already released). */
  def release(handle: Int): Boolean = configs.remove(handle) != null

  private def config(handle: Int): Config[_] = {
    val c = configs.get(handle)
    if (c == null) throw new IllegalStateException(s"Bridge: no layer with handle $handle (it was released)")
    c
  }

  /** The forward of a module at (`seed`, `step`) in training mode or not, on the input
    * (`shape`, the dtype) at byte `inOffset` as rows `batchOffset...` of a larger batch:
    * the output, written at `outOffset` (which may equal `inOffset`), is what
    * `NoiseModule.forward(input, batchOffset)` of a module in that state gives. */
  def forward(handle: Int, seed: Long, step: Long, training: Boolean, batchOffset: Long, arenaId: Int,
              inOffset: Long, shape: String, outOffset: Long): Unit =
    config(handle).run(sharedArena(arenaId), inOffset, parseShape(shape), outOffset, seed, step, training,
      batchOffset, derivative = false)

  /** The derivative of the forward with these arguments applied to the gradient at
    * `gradOffset` (of the forward's input shape), written at `outOffset` (may be the same):
    * `NoiseModule.backward` after that forward. */
  def backward(handle: Int, seed: Long, step: Long, training: Boolean, batchOffset: Long, arenaId: Int,
               gradOffset: Long, gradShape: String, outOffset: Long): Unit =
    config(handle).run(sharedArena(arenaId), gradOffset, parseShape(gradShape), outOffset, seed, step, training,
      batchOffset, derivative = true)

  /** The noise a training forward at (`seed`, `step`) on an input of `inputShape` at
    * `batchOffset` draws (`NoiseModule.noise()` after that forward), written at byte
    * `outOffset` in the dtype: a keep mask as 1 (kept) and 0 (dropped), factors and
    * addends as they are. Returns `"<kind>:<noise shape>"`, kind `keep`, `factor` or
    * `addend` (`NoiseModule.noiseKind`), e.g. `"keep:2,1,3"`. */
  def noise(handle: Int, seed: Long, step: Long, batchOffset: Long, inputShape: String, arenaId: Int,
            outOffset: Long): String =
    config(handle).noise(sharedArena(arenaId), outOffset, parseShape(inputShape), seed, step, batchOffset)

  /** The engine on its own, as a Scala user runs it (no arena, no handle): a fresh layer
    * (arguments as for [[create]], `seed`) runs `forwards` training forwards of the
    * pattern input of `shape` ([[Bridge.pattern]]), then one backward with the same
    * pattern as the gradient. Returns `"<sha256 of the last output>:<sha256 of the
    * gradient>"`, lowercase hex of each tensor's little-endian bytes. The demo compares
    * it with the Python backends. */
  def referenceDigest(layer: String, dtype: String, seed: Long, value: Double, scale: Boolean, dataFormat: String,
                      noiseShape: String, shape: String, forwards: Int): String = {
    if (forwards < 1) throw new IllegalArgumentException(s"Bridge: forwards must be >= 1, got $forwards")
    val args = layerArgs(layer, value, scale, dataFormat, noiseShape)
    Bridge.referenceDigest(DType(dtype), layer, args, seed, parseShape(shape), forwards)
  }

  /** A checkpoint resumed in Scala: `Layers.fromState` of the state JSON (`LayerState`,
    * format 1; the dtype is the state's), then `forwards` (>= 0) forwards of the pattern
    * input of `shape` ([[Bridge.pattern]]) as the module's own `forward` runs them (its
    * mode and resampling as the state says). Returns `"<sha256>|<state json after>"`: the
    * lowercase hex SHA-256 of all outputs' little-endian bytes, concatenated in order,
    * and the module's `getState.toJson` after them. The cross-language resume test
    * compares both with Python. */
  def resume(stateJson: String, shape: String, forwards: Int): String = {
    if (forwards < 0) throw new IllegalArgumentException(s"Bridge: forwards must be >= 0, got $forwards")
    val state = LayerState.fromJson(stateJson)
    Bridge.resume(DType(state.dtype), state, parseShape(shape), forwards)
  }
}

object Bridge {
  final val ProtocolVersion = 8

  /** A layer's arguments as py4j carries them: the layer's one number (`init_p`, `rate`
    * or `stddev`), Dropout's `scale`, `dataFormat` "NCHW" / "NHWC", and a Keras noise
    * shape `"None,1,4"` (`""`: rank 0; null: none). */
  def layerArgs(layer: String, value: Double, scale: Boolean, dataFormat: String, noiseShape: String): LayerArgs =
    LayerArgs(value, scale, DataFormat.parse(layer, dataFormat), Option(noiseShape).map(parseNoiseShape))

  /** `"2,3,4"` -> the shape (`""`: 0-d), checked as the engine checks shapes. */
  def parseShape(shape: String): Array[Int] = {
    val dims =
      if (shape.trim.isEmpty) Array.emptyIntArray
      else shape.split(',').map(d => parseInt(d.trim).getOrElse(throw badText("shape", shape)))
    try Tensor.checkShape(dims)
    catch { case e: IllegalArgumentException => throw new IllegalArgumentException(s"Bridge: ${e.getMessage}") }
    dims
  }

  private def parseNoiseShape(v: String): Seq[Option[Int]] =
    if (v.trim.isEmpty) Seq.empty
    else
      v.split(',').toSeq.map(_.trim).map {
        case "None" => None
        case d      => Some(parseInt(d).getOrElse(throw badText("noise_shape", v)))
      }

  // String.toIntOption is Scala 2.13 only
  private def parseInt(d: String): Option[Int] = Try(d.toInt).toOption

  private def badText(what: String, v: String) = new IllegalArgumentException(s"""Bridge: bad $what "$v"""")

  /** An element type as Python names it, and how its arrays move through an arena. */
  sealed abstract class DType[T](val name: String, val bytes: Int)(implicit val tag: ClassTag[T],
      val ev: TensorNumeric[T]) {
    /** `n` elements at byte `offset` -> `dst(at until at + n)`. */
    def read(a: SharedArena, offset: Long, dst: Array[T], n: Int, at: Int = 0): Unit
    /** `src(at until at + n)` -> `n` elements at byte `offset`. */
    def write(a: SharedArena, offset: Long, src: Array[T], n: Int, at: Int = 0): Unit
    def build(layer: String, args: LayerArgs, seed: Long): NoiseModule[T] = Layers.byName(layer).build[T](args, seed)

    // each py4j thread reuses its array while the size stays the same (a training loop's batches)
    private val scratch = new ThreadLocal[Array[T]]

    /** This thread's array of `n` elements (contents undefined); one call uses it at a time. */
    def buffer(n: Int): Array[T] = {
      val b = scratch.get()
      if (b != null && b.length == n) b else { val a = new Array[T](n); scratch.set(a); a }
    }
  }

  object DType {
    case object Float32 extends DType[Float]("float32", 4) {
      def read(a: SharedArena, offset: Long, dst: Array[Float], n: Int, at: Int): Unit =
        a.readFloats(offset, dst, n, at)
      def write(a: SharedArena, offset: Long, src: Array[Float], n: Int, at: Int): Unit =
        a.writeFloats(offset, src, n, at)
    }
    case object Float64 extends DType[Double]("float64", 8) {
      def read(a: SharedArena, offset: Long, dst: Array[Double], n: Int, at: Int): Unit =
        a.readDoubles(offset, dst, n, at)
      def write(a: SharedArena, offset: Long, src: Array[Double], n: Int, at: Int): Unit =
        a.writeDoubles(offset, src, n, at)
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

  private def digest: java.security.MessageDigest = java.security.MessageDigest.getInstance("SHA-256")
  private def hex(bytes: Array[Byte]): String = bytes.map(b => f"${b & 0xff}%02x").mkString

  /** Lowercase hex SHA-256 of a tensor's little-endian bytes. */
  def sha256LE[T](t: Tensor[T])(implicit ev: TensorNumeric[T]): String = hex(digest.digest(ev.toBytes(t.storage)))

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

  private def resume[T](d: DType[T], state: LayerState, shape: Array[Int], forwards: Int): String = {
    import d.{ev, tag}
    val m   = Layers.fromState[T](state)
    val x   = pattern[T](shape)
    val sha = digest
    for (_ <- 0 until forwards) sha.update(ev.toBytes(m.forward(x).storage))
    s"${hex(sha.digest())}|${m.getState.toJson}"
  }

  /** A configuration and its dtype's arena transfers. Immutable: calls share only the
    * per-thread arrays of [[DType.buffer]]. */
  private[interop] final class Config[T](d: DType[T], layer: LayerConfig) {
    import d.{ev, tag}

    /** Reads `shape` elements at `inOffset`, applies the forward or its derivative, writes them at
      * `outOffset`: chunk by chunk, each copied in and out of this thread's array while it is in cache.
      * The two byte ranges must be the same or disjoint. */
    def run(arena: SharedArena, inOffset: Long, shape: Array[Int], outOffset: Long, seed: Long, step: Long,
            training: Boolean, batchOffset: Long, derivative: Boolean): Unit = {
      val n     = Tensor.checkShape(shape)
      val bytes = n.toLong * d.bytes
      if (inOffset != outOffset && inOffset < outOffset + bytes && outOffset < inOffset + bytes)
        throw new IllegalArgumentException(
          s"Bridge: the output at byte $outOffset overlaps the input at byte $inOffset ($bytes bytes each); " +
            "they must be the same or disjoint")
      val buf = d.buffer(n)
      layer(buf, buf, shape, seed, step, training, batchOffset, derivative, new NoiseOp.Staging {
        def load(from: Int, until: Int): Unit  = d.read(arena, inOffset + from.toLong * d.bytes, buf, until - from, from)
        def store(from: Int, until: Int): Unit = d.write(arena, outOffset + from.toLong * d.bytes, buf, until - from, from)
      })
    }

    def noise(arena: SharedArena, outOffset: Long, inputShape: Array[Int], seed: Long, step: Long,
              batchOffset: Long): String = {
      val noise = layer.noise[T](inputShape, seed, step, batchOffset)
      val values = noise match {
        case Noise.Keep(_, keep)   => keep.map(k => if (k) ev.one else ev.zero)
        case Noise.Factors(values) => values.storage
        case Noise.Addends(values) => values.storage
      }
      d.write(arena, outOffset, values, values.length)
      s"${layer.spec.noiseKind.name}:${noise.shape.mkString(",")}"
    }
  }
}
