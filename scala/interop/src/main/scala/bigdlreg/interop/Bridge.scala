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
  * ids, byte offsets and shapes. Every argument is a py4j-friendly primitive or
  * `String` (Python keeps `auto_convert=False`, under which lists don't convert):
  *
  *  - `params`: `key=value` pairs separated by `;`, keys being the Python keywords
  *    (`init_p`, `inplace`, `scale`, `rate`, `stddev`, `data_format`), doubles in any
  *    form `java.lang.Double.parseDouble` reads (Python sends `repr(float)`), booleans
  *    `true`/`false`. Missing keys take the engine's defaults; unknown keys are an error.
  *    `inplace` is accepted and not passed to the engine: on this path the JVM always
  *    works on its own copy of the input, and the Python side writes the result into
  *    the caller's array when the layer is in-place.
  *  - shapes: `"2,3,4"` (`""` is 0-d), or an `Array[Int]` from Scala.
  *  - seeds: the unsigned 64-bit seed's bits in a `Long`.
  *
  * Thread-safety: py4j runs each Python thread's calls on its own Java thread. Calls on
  * one module are serialized by that module's lock; different modules run concurrently.
  * Arenas are independent and safe for concurrent use.
  *
  * Errors: the engine's `IllegalArgumentException` / `IllegalStateException` propagate
  * unchanged (py4j hands them to Python, which raises `ValueError` / `RuntimeError` with
  * the message). The bridge's own errors use the same two types with a `Bridge: ` prefix.
  */
class Bridge {
  import Bridge._

  private val modules   = new ConcurrentHashMap[Integer, Slot[_]]()
  private val arenas    = new ConcurrentHashMap[Integer, SharedArena]()
  private val nextHandle = new AtomicInteger(1)

  // ---------------------------------------------------------------- info

  /** The bigdl-reg version of the interop jar (`"dev"` outside a packaged jar). */
  def version(): String = Option(classOf[Bridge].getPackage.getImplementationVersion).getOrElse("dev")

  /** Bumped whenever a signature below changes; Python checks it at start-up. */
  def protocolVersion(): Int = ProtocolVersion

  /** The JVM's process id (tests, diagnostics). */
  def pid(): Long = ProcessHandle.current().pid()

  /** `java.version` of the running JVM. */
  def javaVersion(): String = System.getProperty("java.version")

  def liveModules(): Int = modules.size()
  def liveArenas(): Int  = arenas.size()

  /** The py4j gateway this bridge is served by (set by [[GatewayMain]]; null in tests). */
  @volatile private[interop] var server: py4j.GatewayServer = null

  /** How many objects py4j holds for Python (the gateway's bindings: the entry point,
    * default objects, and every Java object Python references and has not yet
    * released); -1 when not served by a gateway. Soak tests check it stays flat. */
  def pinnedObjects(): Int = {
    val s = server
    if (s == null) -1 else s.getGateway.getBindings.size()
  }

  /** Heap in use after `System.gc()` (bytes; tests check it does not grow). */
  def heapUsedAfterGc(): Long = {
    val rt = Runtime.getRuntime
    System.gc()
    rt.totalMemory() - rt.freeMemory()
  }

  /** The JVM's maximum heap (`-Xmx`, bytes). */
  def maxHeap(): Long = Runtime.getRuntime.maxMemory()

  /** The window size arenas are mapped with (bytes; `BIGDL_REG_ARENA_WINDOW_BYTES`). */
  def arenaWindow(): Long = SharedArena.DefaultWindow

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

  /** The arena `arenaId` (Scala tests write and read through it). */
  private[interop] def sharedArena(arenaId: Int): SharedArena = arena(arenaId)

  private def arena(arenaId: Int): SharedArena = {
    val a = arenas.get(arenaId)
    if (a == null) throw new IllegalStateException(s"Bridge: no arena $arenaId is attached")
    a
  }

  // ------------------------------------------------------------- modules

  /** Creates a layer and returns its handle. `layer` is one of [[Layers]], `dtype`
    * `"float32"` or `"float64"`. */
  def create(layer: String, dtype: String, params: String, seed: Long): Int = {
    val p    = parseParams(params)
    val slot = dtype match {
      case "float32" | "float" => new Slot[Float](layer, "float32", build[Float](layer, p, seed), FloatIO)
      case "float64" | "double" => new Slot[Double](layer, "float64", build[Double](layer, p, seed), DoubleIO)
      case other => throw new IllegalArgumentException(s"""Bridge: dtype must be "float32" or "float64", got "$other"""")
    }
    val handle = nextHandle.getAndIncrement()
    modules.put(handle, slot)
    handle
  }

  /** The module behind `handle` (Scala tests; Python never sees module objects). */
  def module(handle: Int): NoiseModule[_] = slot(handle).module

  /** Releases a module; false if the handle was unknown (already released). */
  def release(handle: Int): Boolean = modules.remove(handle) != null

  private def slot(handle: Int): Slot[_] = {
    val s = modules.get(handle)
    if (s == null)
      throw new IllegalStateException(s"Bridge: no module with handle $handle (it was released)")
    s
  }

  /** Forward: reads the input (`shape`, the module's dtype) at byte `inOffset` of the
    * arena, runs the module at `batchOffset` (`NoiseModule.forward(input, batchOffset)`;
    * 0 for a whole batch), writes the output at `outOffset` (which may equal
    * `inOffset`: the input is copied before the output is written). Returns the step
    * after the call. */
  def forward(handle: Int, arenaId: Int, inOffset: Long, shape: Array[Int], outOffset: Long, batchOffset: Long): Long =
    slot(handle).forward(arena(arenaId), inOffset, checkShape(shape), outOffset, batchOffset)

  def forward(handle: Int, arenaId: Int, inOffset: Long, shape: String, outOffset: Long, batchOffset: Long): Long =
    forward(handle, arenaId, inOffset, parseShape(shape), outOffset, batchOffset)

  /** A whole batch (batch offset 0). */
  def forward(handle: Int, arenaId: Int, inOffset: Long, shape: Array[Int], outOffset: Long): Long =
    forward(handle, arenaId, inOffset, shape, outOffset, 0L)

  def forward(handle: Int, arenaId: Int, inOffset: Long, shape: String, outOffset: Long): Long =
    forward(handle, arenaId, inOffset, parseShape(shape), outOffset, 0L)

  /** Backward: input at `inOffset`, gradient at `gradOffset` (both `shape`), the
    * gradient with respect to the input written at `outOffset` (may equal either). */
  def backward(handle: Int, arenaId: Int, inOffset: Long, gradOffset: Long, shape: Array[Int], outOffset: Long): Unit =
    slot(handle).backward(arena(arenaId), inOffset, gradOffset, checkShape(shape), outOffset)

  def backward(handle: Int, arenaId: Int, inOffset: Long, gradOffset: Long, shape: String, outOffset: Long): Unit =
    backward(handle, arenaId, inOffset, gradOffset, parseShape(shape), outOffset)

  /** Backward with the input's and the gradient's own shapes (they may differ: the
    * engine then reports the gradient shape against the last forward's input).
    * `inOffset < 0` means the input was not sent: the engine's backward does not read
    * its input (`NoiseModule.updateGradInput` replays the last forward's record), so
    * Python skips that transfer and the gradient's tensor stands in for it. */
  def backward(handle: Int, arenaId: Int, inOffset: Long, inShape: String, gradOffset: Long, gradShape: String,
               outOffset: Long): Unit =
    slot(handle).backward(arena(arenaId), inOffset, checkShape(parseShape(inShape)), gradOffset,
      checkShape(parseShape(gradShape)), outOffset)

  /** Changes parameters in place, keeping seed, step and the last forward (only
    * Dropout's `init_p` can change: `Dropout.setP`). Same format as `create`. */
  def setParams(handle: Int, params: String): Unit = {
    val s = slot(handle)
    s.synchronized {
      val p = parseParams(params)
      s.module match {
        case d: Dropout[_] if d.layerName == "Dropout" =>
          p.keys.find(k => k != "init_p" && k != "inplace" && k != "scale" && k != "noise_shape").foreach { k =>
            throw new IllegalArgumentException(s"Bridge: Dropout has no parameter $k")
          }
          p.get("scale").map(bool("Dropout", "scale", _)).foreach { sc =>
            if (sc != d.scale) throw new IllegalArgumentException("Bridge: Dropout's scale cannot change")
          }
          val ns = NoiseShape.of(d.layerName, p.get("noise_shape").map(parseNoiseShape(d.layerName, _)))
          if (ns != d.noiseRule) throw new IllegalArgumentException("Bridge: Dropout's noise_shape cannot change")
          p.get("init_p").foreach(v => d.setP(double("Dropout", "init_p", v)))
        case m =>
          throw new IllegalArgumentException(s"Bridge: the parameters of ${m.layerName} cannot change")
      }
    }
  }

  /** Brings a freshly created module (same layer, dtype and parameters as the
    * last forward's) to a given state: current `seed`, `step` and mode, and, when
    * `hasLast`, a last forward made with (`lastSeed`, `lastStep`, `lastTraining`) on an
    * input of `lastShape` at `lastBatchOffset`, so that backward and every later forward give exactly
    * what the original module gives. Used by Python to re-create the layers of a
    * JVM that died.
    *
    * This is the engine's own [[NoiseModule.setState]]: O(1) whatever the step
    * (nothing is replayed; the last forward's op is rebuilt from the module's current
    * parameters, hence "the parameters of the last forward" above). Steps must be >= 0;
    * `lastShape` must be a shape the layer accepts.
    */
  def restore(handle: Int, seed: Long, step: Long, training: Boolean, hasLast: Boolean, lastSeed: Long,
              lastStep: Long, lastTraining: Boolean, lastShape: String, lastBatchOffset: Long): Unit =
    slot(handle).restore(seed, step, training, hasLast, lastSeed, lastStep, lastTraining,
      checkShape(parseShape(lastShape)), lastBatchOffset)

  /** A last forward at batch offset 0. */
  def restore(handle: Int, seed: Long, step: Long, training: Boolean, hasLast: Boolean, lastSeed: Long,
              lastStep: Long, lastTraining: Boolean, lastShape: String): Unit =
    restore(handle, seed, step, training, hasLast, lastSeed, lastStep, lastTraining, lastShape, 0L)

  def setTraining(handle: Int, training: Boolean): Unit = {
    val s = slot(handle)
    s.synchronized { if (training) s.module.training() else s.module.evaluate() }
  }

  def isTraining(handle: Int): Boolean = { val s = slot(handle); s.synchronized(s.module.isTraining()) }

  def setSeed(handle: Int, seed: Long): Unit = { val s = slot(handle); s.synchronized(s.module.setSeed(seed)) }

  def getSeed(handle: Int): Long = { val s = slot(handle); s.synchronized(s.module.getSeed) }

  def getStep(handle: Int): Long = { val s = slot(handle); s.synchronized(s.module.getStep) }

  /** What [[noise]] will write: `"<kind>:<noise shape>"`, kind `keep`, `factor` or `addend`
    * (`NoiseModule.noiseKind`), e.g. `"keep:2,1,3"`. Before any training forward: the
    * engine's `IllegalStateException`. */
  def noiseShape(handle: Int): String = {
    val s = slot(handle)
    s.synchronized {
      val m = s.module
      val rec = m.lastTrainingForward.getOrElse(throw Validation.noiseBeforeTraining(m.layerName))
      s"${m.noiseKind.name}:${rec.noise.mkString(",")}"
    }
  }

  /** Writes `NoiseModule.noise()` at byte `outOffset` of the arena, in the module's dtype:
    * a keep mask as 1 (kept) and 0 (dropped), factors and addends as they are. */
  def noise(handle: Int, arenaId: Int, outOffset: Long): Unit = slot(handle).noise(arena(arenaId), outOffset)

  // ------------------------------------------------------------ reference

  /** The engine on its own, as a Scala user runs it (no arena, no handle): a fresh
    * `layer` (`params` as in [[create]]) with `seed` runs `forwards` training forwards
    * of the pattern input of `shape` ([[Bridge.pattern]]), then one backward with the
    * same pattern as the gradient. Returns `"<sha256 of the last output>:<sha256 of
    * the gradient w.r.t. the input>"`, each the lowercase hex digest of the tensor's
    * little-endian bytes. The demo (`python -m bigdl_reg demo`) compares it with the
    * Python backends. */
  def referenceDigest(layer: String, dtype: String, params: String, seed: Long, shape: String, forwards: Int): String =
    Bridge.referenceDigest(layer, dtype, params, seed, checkShape(parseShape(shape)), forwards)
}

object Bridge {
  final val ProtocolVersion = 5

  val Layers: Seq[String] =
    Seq("Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
      "AlphaDropout", "FeatureAlphaDropout")

  private val ParamsOf: Map[String, Set[String]] = Map(
    "Dropout"          -> Set("init_p", "inplace", "scale", "noise_shape"),
    "GaussianDropout"  -> Set("rate", "noise_shape"),
    "GaussianNoise"    -> Set("stddev", "noise_shape"),
    "SpatialDropout1D" -> Set("init_p"),
    "SpatialDropout2D" -> Set("init_p", "data_format"),
    "SpatialDropout3D" -> Set("init_p", "data_format"),
    "AlphaDropout"     -> Set("init_p", "noise_shape"),
    "FeatureAlphaDropout" -> Set("init_p", "data_format")
  )

  /** `"a=1;b=x"` -> Map. Empty string -> empty map. */
  def parseParams(params: String): Map[String, String] =
    if (params == null || params.trim.isEmpty) Map.empty
    else
      params.split(';').iterator.map(_.trim).filter(_.nonEmpty).map { kv =>
        val i = kv.indexOf('=')
        if (i <= 0) throw new IllegalArgumentException(s"""Bridge: parameter "$kv" is not key=value""")
        kv.substring(0, i).trim -> kv.substring(i + 1).trim
      }.toMap

  def parseShape(shape: String): Array[Int] =
    if (shape == null || shape.trim.isEmpty) Array.emptyIntArray
    else
      shape.split(',').map { d =>
        try d.trim.toInt
        catch { case _: NumberFormatException => throw new IllegalArgumentException(s"""Bridge: bad shape "$shape"""") }
      }

  /** The engine's shape check (`Tensor.checkShape`), its message prefixed with `Bridge: `. */
  private def checkShape(shape: Array[Int]): Array[Int] = {
    try Tensor.checkShape(shape)
    catch { case e: IllegalArgumentException => throw new IllegalArgumentException(s"Bridge: ${e.getMessage}") }
    shape
  }

  private[interop] def double(layer: String, key: String, v: String): Double =
    try java.lang.Double.parseDouble(v)
    catch { case _: NumberFormatException => throw new IllegalArgumentException(s"$layer: $key must be a number, got $v") }

  private[interop] def bool(layer: String, key: String, v: String): Boolean = v.toLowerCase match {
    case "true"  => true
    case "false" => false
    case _       => throw new IllegalArgumentException(s"$layer: $key must be true or false, got $v")
  }

  private def format(layer: String, v: String): DataFormat = DataFormat.parse(layer, v)

  /** A Keras noise shape `"2,None,1"` (`""`: rank 0) -> entries (`None` for "None"). */
  private[interop] def parseNoiseShape(layer: String, v: String): Seq[Option[Int]] =
    if (v.trim.isEmpty) Seq.empty
    else
      v.split(',').toSeq.map(_.trim).map {
        case "None" => None
        case d =>
          try Some(d.toInt)
          catch { case _: NumberFormatException => throw new IllegalArgumentException(s"""Bridge: bad noise_shape "$v"""") }
      }

  /** Builds the engine layer `layer` from Python-keyword parameters. */
  def build[T: ClassTag](layer: String, p: Map[String, String], seed: Long)(implicit ev: TensorNumeric[T]): NoiseModule[T] = {
    val allowed = ParamsOf.getOrElse(
      layer,
      throw new IllegalArgumentException(s"Bridge: unknown layer \"$layer\"; expected one of ${Layers.mkString(", ")}"))
    p.keys.find(k => !allowed(k)).foreach { k =>
      throw new IllegalArgumentException(
        s"Bridge: $layer has no parameter $k (it takes ${allowed.toSeq.sorted.mkString(", ")})")
    }
    def d(key: String, default: Double) = p.get(key).map(double(layer, key, _)).getOrElse(default)
    def required(key: String) =
      double(layer, key, p.getOrElse(key, throw new IllegalArgumentException(s"Bridge: $layer needs the parameter $key")))
    val s = Some(seed)
    val ns = p.get("noise_shape").map(parseNoiseShape(layer, _))
    def fmt = p.get("data_format").map(format(layer, _)).getOrElse(DataFormat.NCHW)
    layer match {
      case "Dropout" =>
        Dropout[T](initP = d("init_p", 0.5), inplace = false, scale = p.get("scale").forall(bool(layer, "scale", _)),
          seed = s, noiseShape = ns)
      case "GaussianDropout" =>
        GaussianDropout[T](rate = required("rate"), seed = s, noiseShape = ns)
      case "GaussianNoise" =>
        GaussianNoise[T](stddev = required("stddev"), seed = s, noiseShape = ns)
      case "SpatialDropout1D" =>
        SpatialDropout1D[T](initP = d("init_p", 0.5), seed = s)
      case "SpatialDropout2D" =>
        SpatialDropout2D[T](initP = d("init_p", 0.5), format = fmt, seed = s)
      case "SpatialDropout3D" =>
        SpatialDropout3D[T](initP = d("init_p", 0.5), format = fmt, seed = s)
      case "AlphaDropout" =>
        AlphaDropout[T](initP = d("init_p", 0.5), seed = s, noiseShape = ns)
      case "FeatureAlphaDropout" =>
        FeatureAlphaDropout[T](initP = d("init_p", 0.5), format = fmt, seed = s)
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

  /** See [[Bridge#referenceDigest]]. */
  def referenceDigest(layer: String, dtype: String, params: String, seed: Long, shape: Array[Int], forwards: Int): String = {
    if (forwards < 1) throw new IllegalArgumentException(s"Bridge: forwards must be >= 1, got $forwards")
    def run[T: ClassTag](implicit ev: TensorNumeric[T]): String = {
      val m = build[T](layer, parseParams(params), seed)
      val x = pattern[T](shape)
      var y: Tensor[T] = null
      var k = 0
      while (k < forwards) { y = m.forward(x); k += 1 }
      val outDigest = sha256LE(y) // before the backward
      val g = m.backward(x, pattern[T](shape))
      s"$outDigest:${sha256LE(g)}"
    }
    dtype match {
      case "float32" | "float" => run[Float]
      case "float64" | "double" => run[Double]
      case other => throw new IllegalArgumentException(s"""Bridge: dtype must be "float32" or "float64", got "$other"""")
    }
  }

  /** Bulk copies between an arena and a Java array of one element type. */
  private[interop] sealed trait ArenaIO[T] {
    def read(a: SharedArena, offset: Long, dst: Array[T], n: Int): Unit
    def write(a: SharedArena, offset: Long, src: Array[T], n: Int): Unit
  }
  private[interop] object FloatIO extends ArenaIO[Float] {
    def read(a: SharedArena, offset: Long, dst: Array[Float], n: Int): Unit  = a.readFloats(offset, dst, n)
    def write(a: SharedArena, offset: Long, src: Array[Float], n: Int): Unit = a.writeFloats(offset, src, n)
  }
  private[interop] object DoubleIO extends ArenaIO[Double] {
    def read(a: SharedArena, offset: Long, dst: Array[Double], n: Int): Unit  = a.readDoubles(offset, dst, n)
    def write(a: SharedArena, offset: Long, src: Array[Double], n: Int): Unit = a.writeDoubles(offset, src, n)
  }

  /** One module and its reusable input/gradient arrays; all calls hold its lock. */
  private[interop] final class Slot[T: ClassTag](
      val layer: String,
      val dtype: String,
      val module: NoiseModule[T],
      io: ArenaIO[T]
  )(implicit ev: TensorNumeric[T]) {
    private var inBuf: Array[T]   = Array.empty[T]
    private var gradBuf: Array[T] = Array.empty[T]

    private def sized(buf: Array[T], n: Int): Array[T] = if (buf.length == n) buf else new Array[T](n)

    private def count(shape: Array[Int]): Int = shape.foldLeft(1L)(_ * _).toInt

    def forward(arena: SharedArena, inOffset: Long, shape: Array[Int], outOffset: Long, batchOffset: Long): Long =
      synchronized {
        val n = count(shape)
        inBuf = sized(inBuf, n)
        io.read(arena, inOffset, inBuf, n)
        val y = module.forward(Tensor[T](inBuf, shape.clone()), batchOffset)
        io.write(arena, outOffset, y.storage, n)
        module.getStep
      }

    def backward(arena: SharedArena, inOffset: Long, gradOffset: Long, shape: Array[Int], outOffset: Long): Unit =
      backward(arena, inOffset, shape, gradOffset, shape, outOffset)

    def backward(arena: SharedArena, inOffset: Long, inShape: Array[Int], gradOffset: Long, gradShape: Array[Int],
                 outOffset: Long): Unit =
      synchronized {
        val ng = count(gradShape)
        // without an input to read, the gradient goes into the input's array: one
        // tensor-sized array fewer (it matters for tensors of gigabytes)
        val buf =
          if (inOffset < 0) { inBuf = sized(inBuf, ng); inBuf }
          else { gradBuf = sized(gradBuf, ng); gradBuf }
        io.read(arena, gradOffset, buf, ng)
        val grad = Tensor[T](buf, gradShape.clone())
        val input =
          if (inOffset < 0) grad
          else {
            val n = count(inShape)
            inBuf = sized(inBuf, n)
            io.read(arena, inOffset, inBuf, n)
            Tensor[T](inBuf, inShape.clone())
          }
        val g = module.backward(input, grad)
        io.write(arena, outOffset, g.storage, ng)
      }

    def noise(arena: SharedArena, outOffset: Long): Unit = synchronized {
      val values = module.noise() match {
        case Noise.Keep(_, keep)    => keep.map(k => if (k) ev.one else ev.zero)
        case Noise.Factors(values)  => values.storage
        case Noise.Addends(values)  => values.storage
      }
      io.write(arena, outOffset, values, values.length)
    }

    def restore(seed: Long, step: Long, training: Boolean, hasLast: Boolean, lastSeed: Long, lastStep: Long,
                lastTraining: Boolean, lastShape: Array[Int], lastBatchOffset: Long): Unit = synchronized {
      if (step < 0 || (hasLast && lastStep < 0))
        throw new IllegalArgumentException(s"Bridge: negative step in restore (step $step, last step $lastStep)")
      val state = module.getState
      val last =
        if (hasLast) Some(LayerState.Forward(lastSeed, lastStep, lastTraining, lastShape.toVector, lastBatchOffset, state.params))
        else None
      module.setState(state.copy(seed = seed, step = step, training = training, last = last,
        lastTraining = last.filter(_.training)))
    }
  }
}
