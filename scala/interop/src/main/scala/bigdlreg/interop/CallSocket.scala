package bigdlreg.interop

import java.io.IOException
import java.net.{StandardProtocolFamily, UnixDomainSocketAddress}
import java.nio.{ByteBuffer, ByteOrder}
import java.nio.channels.{ServerSocketChannel, SocketChannel}
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}
import java.security.MessageDigest
import java.util.concurrent.{ConcurrentHashMap, Executors, ThreadFactory, TimeUnit}

/** The forwards and backwards of the Python `jvm` backend, over a Unix-domain socket:
  * one small binary frame each way per call, where py4j sends a text command over TCP
  * loopback (the round trip is most of a small call's cost: a Unix socket saves about a
  * third of it). Everything else -- configurations, arenas, noise, info -- stays on py4j.
  *
  * Frames, little-endian:
  *  - first, once per connection: the token, as `u16 length` + UTF-8 bytes; a wrong
  *    token closes the connection;
  *  - a call: `u8 op` (1 forward, 2 backward), `i32 handle`, `i64 seed`, `i64 step`,
  *    `u8 training`, `i64 batchOffset`, `i32 arenaId`, `u16 length` + the shape as
  *    py4j carries it (`"2,3,4"`); the operand is at byte 0 of the arena and the result
  *    goes over it ([[Bridge.forward]], [[Bridge.backward]]);
  *  - the answer: `u8 0`, or `u8 1` + `u16 length` + the exception's class name +
  *    `i32 length` (-1: no message) + its message, both UTF-8.
  *
  * Each connection is served by a thread of its own (Python keeps one per thread). As
  * for py4j's connections ([[ConnectionGuard]]), one that has not sent the token within
  * `authDeadlineMs` is closed, and beyond `maxConnections` open at once a new one is
  * closed on arrival. The socket file is deleted when the JVM exits normally; Python
  * sweeps the file of a JVM that was killed.
  */
final class CallSocket private (path: Path, token: Array[Byte], bridge: Bridge, authDeadlineMs: Long,
    maxConnections: Int) {
  import CallSocket._

  private[this] val server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
  server.bind(UnixDomainSocketAddress.of(path))
  private[this] val open = ConcurrentHashMap.newKeySet[SocketChannel]()
  private[this] val deadlines = Executors.newSingleThreadScheduledExecutor(daemon("bigdl-reg-call-auth-deadline"))

  /** Connections open now (tests). */
  def openConnections: Int = open.size

  private def start(): Unit = {
    val acceptor = new Thread(() => acceptAll(), "bigdl-reg-call-socket")
    acceptor.setDaemon(true)
    acceptor.start()
  }

  private def acceptAll(): Unit =
    try {
      while (true) {
        val c = server.accept()
        if (open.size >= maxConnections) {
          System.err.println(s"bigdl-reg gateway: refused a call connection: $maxConnections already open " +
            "(bigdlreg.gateway.maxConnections)")
          c.close()
        } else {
          open.add(c)
          val t = new Thread(() => serve(c), "bigdl-reg-call-connection")
          t.setDaemon(true)
          t.start()
        }
      }
    } catch { case _: IOException => () } // the server socket closed

  private def serve(c: SocketChannel): Unit = {
    val in = ByteBuffer.allocate(MaxFrame).order(ByteOrder.LITTLE_ENDIAN)
    val out = ByteBuffer.allocate(MaxFrame).order(ByteOrder.LITTLE_ENDIAN)
    @volatile var authenticated = false
    val deadline = deadlines.schedule(new Runnable {
      def run(): Unit = if (!authenticated) {
        System.err.println(s"bigdl-reg gateway: closed a call connection that did not authenticate within $authDeadlineMs ms")
        quietly(c.close())
      }
    }, authDeadlineMs, TimeUnit.MILLISECONDS)
    try {
      if (!MessageDigest.isEqual(readText(c, in), token)) return
      authenticated = true
      deadline.cancel(false)
      while (true) {
        in.clear().limit(Header)
        if (!fill(c, in)) return // Python closed it
        in.flip()
        val op = in.get()
        val handle = in.getInt()
        val seed = in.getLong()
        val step = in.getLong()
        val training = in.get() != 0
        val batchOffset = in.getLong()
        val arenaId = in.getInt()
        val shape = new String(readText(c, in), UTF_8)
        out.clear()
        try {
          op match {
            case Forward  => bridge.forward(handle, seed, step, training, batchOffset, arenaId, 0L, shape, 0L)
            case Backward => bridge.backward(handle, seed, step, training, batchOffset, arenaId, 0L, shape, 0L)
            case other    => throw new IllegalArgumentException(s"CallSocket: unknown operation $other")
          }
          out.put(0.toByte)
        } catch {
          case e: Throwable => // the call failed, the connection did not: tell Python which exception
            val cls = e.getClass.getName.getBytes(UTF_8)
            val msg = Option(e.getMessage).map(_.getBytes(UTF_8).take(MaxFrame - cls.length - 16))
            out.put(1.toByte).putShort(cls.length.toShort).put(cls)
            msg match {
              case None    => out.putInt(-1)
              case Some(m) => out.putInt(m.length).put(m)
            }
        }
        out.flip()
        while (out.hasRemaining) c.write(out)
      }
    } catch {
      case _: IOException => () // Python went away, or the deadline closed it
    } finally {
      deadline.cancel(false)
      open.remove(c)
      quietly(c.close())
    }
  }

  def close(): Unit = {
    quietly(server.close())
    quietly(Files.deleteIfExists(path))
    deadlines.shutdownNow()
    ()
  }
}

object CallSocket {
  /** Where Python wants the socket (absent: no call socket; py4j carries every call). */
  val PathVariable = "BIGDL_REG_CALL_SOCKET"

  final val Forward: Byte = 1
  final val Backward: Byte = 2
  private final val Header = 1 + 4 + 8 + 8 + 1 + 8 + 4
  private final val MaxFrame = 1 << 16

  /** Binds `path` (replacing nothing: it must not exist) and serves calls on `bridge`. */
  def start(path: Path, token: String, bridge: Bridge, guard: ConnectionGuard): CallSocket = {
    val s = new CallSocket(path, token.getBytes(UTF_8), bridge, guard.authDeadlineMs, guard.maxConnections)
    s.start()
    Runtime.getRuntime.addShutdownHook(new Thread(() => s.close(), "bigdl-reg-call-socket-cleanup"))
    s
  }

  /** Reads until `buf` is full; false at end of stream before any byte. */
  private def fill(c: SocketChannel, buf: ByteBuffer): Boolean = {
    val start = buf.position()
    while (buf.hasRemaining) {
      if (c.read(buf) < 0) {
        if (buf.position() == start) return false
        throw new IOException("CallSocket: the connection closed inside a frame")
      }
    }
    true
  }

  /** A `u16 length` + bytes field, read through `buf` (cleared). */
  private def readText(c: SocketChannel, buf: ByteBuffer): Array[Byte] = {
    buf.clear().limit(2)
    if (!fill(c, buf)) throw new IOException("CallSocket: the connection closed")
    val n = buf.getShort(0) & 0xFFFF
    buf.clear().limit(n)
    if (!fill(c, buf)) throw new IOException("CallSocket: the connection closed")
    val bytes = new Array[Byte](n)
    buf.flip()
    buf.get(bytes)
    bytes
  }

  private def quietly(body: => Any): Unit = try { body; () } catch { case _: Throwable => () }

  private def daemon(name: String): ThreadFactory = (r: Runnable) => {
    val t = new Thread(r, name)
    t.setDaemon(true)
    t
  }
}
