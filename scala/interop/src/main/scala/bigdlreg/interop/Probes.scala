package bigdlreg.interop

/** What tests and diagnostics read about the JVM, kept out of the py4j entry point:
  * Python reaches it through py4j's JVM view
  * (`gateway.jvm.bigdlreg.interop.Probes.maxHeap()`).
  */
object Probes {

  /** The py4j gateway [[GatewayMain]] serves (null in another library's JVM and in tests). */
  @volatile private[interop] var server: py4j.GatewayServer = null
  @volatile private[interop] var guard: ConnectionGuard = null
  @volatile private[interop] var calls: CallSocket = null

  /** Connections to the call socket open now; -1 without one. */
  def openCallConnections(): Int = {
    val c = calls
    if (c == null) -1 else c.openConnections
  }

  /** Connections to our gateway open now, authenticated or not; -1 without our gateway. */
  def openConnections(): Int = {
    val g = guard
    if (g == null) -1 else g.openConnections
  }

  /** How many objects py4j holds for Python (the entry point, default objects, and every
    * Java object Python references and has not released); -1 without our gateway.
    * Soak tests check it stays flat. */
  def pinnedObjects(): Int = {
    val s = server
    if (s == null) -1 else s.getGateway.getBindings.size()
  }

  /** Heap in use after `System.gc()` (bytes; soak tests check it does not grow). */
  def heapUsedAfterGc(): Long = {
    val rt = Runtime.getRuntime
    System.gc()
    rt.totalMemory() - rt.freeMemory()
  }

  /** The JVM's maximum heap (`-Xmx`, bytes). */
  def maxHeap(): Long = Runtime.getRuntime.maxMemory()

  /** The window arenas are mapped with (bytes; `BIGDL_REG_ARENA_WINDOW_BYTES`). */
  def arenaWindow(): Long = SharedArena.DefaultWindow

  /** The engine on its own in this JVM, for benchmarks/bench_peers.py to set beside the facade's
    * end-to-end figure of the same run: the median seconds of `repeats` training forwards (after
    * one warm-up forward) of a float32 module (arguments as `Bridge.create` takes them, seed 42)
    * on the pattern input of `shape`, each writing a new output tensor as `forward` does. */
  def engineForwardSeconds(layer: String, value: Double, dataFormat: String, shape: String, repeats: Int): Double = {
    if (repeats < 1) throw new IllegalArgumentException(s"Probes: repeats must be >= 1, got $repeats")
    val m = Bridge.DType.Float32.build(layer, Bridge.layerArgs(layer, value, scale = true, dataFormat, null), 42L)
    val x = Bridge.pattern[Float](Bridge.parseShape(shape))
    m.forward(x)
    val seconds = Array.fill(repeats) {
      val t0 = System.nanoTime()
      m.forward(x)
      (System.nanoTime() - t0) / 1e9
    }.sorted
    seconds(repeats / 2)
  }
}
