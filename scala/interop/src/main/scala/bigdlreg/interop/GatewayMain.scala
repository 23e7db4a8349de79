package bigdlreg.interop

import java.io.{InputStream, PrintStream}
import java.net.InetAddress

import py4j.GatewayServer

/** The py4j server the Python package starts (`bigdl_reg/backends/jvm/gateway.py`).
  *
  * Protocol with the parent process:
  *  - the auth token comes from the environment variable `BIGDL_REG_GATEWAY_TOKEN`
  *    (never the command line, where `ps` would show it);
  *  - the server binds 127.0.0.1 on an ephemeral port and prints exactly one line
  *    `BIGDL_REG_GATEWAY_PORT <port>` to stdout; afterwards `System.out` is redirected
  *    to stderr so nothing else can fill a pipe the parent no longer reads;
  *  - when stdin reaches end-of-file (the parent closed it, exited or was killed)
  *    the JVM exits, so it never outlives its Python process; and since a child
  *    the parent forked may still hold that pipe, the JVM also exits when the
  *    process named by `BIGDL_REG_GATEWAY_OWNER_PID` ends.
  *
  * Failures before the port line (no token or a bad limit, cannot bind) print one
  * clear line to stderr and exit with status 2 (configuration) or 3 (bind).
  *
  * A [[ConnectionGuard]] closes connections that do not authenticate in time and
  * caps how many are open at once. When `BIGDL_REG_CALL_SOCKET` names a path, the
  * forwards and backwards are also served there ([[CallSocket]], same token and limits).
  *
  * Test-only: `BIGDL_REG_GATEWAY_TEST_PORT` makes the server bind that port instead of
  * an ephemeral one (the fault tests point it at a port already taken to check the
  * bind failure path).
  */
object GatewayMain {
  val TokenVariable = "BIGDL_REG_GATEWAY_TOKEN"
  val PortPrefix    = "BIGDL_REG_GATEWAY_PORT"
  val TestPortVariable = "BIGDL_REG_GATEWAY_TEST_PORT"
  val OwnerPidVariable = "BIGDL_REG_GATEWAY_OWNER_PID"

  def main(args: Array[String]): Unit = {
    val token = sys.env.getOrElse(TokenVariable, "")
    if (token.isEmpty) {
      System.err.println(
        s"bigdl-reg gateway: the environment variable $TokenVariable is missing or empty; " +
          "the gateway is started by the bigdl_reg Python package, which sets it")
      System.exit(2)
    }

    val requestedPort = sys.env.get(TestPortVariable).filter(_.trim.nonEmpty) match {
      case None => 0
      case Some(v) =>
        try v.trim.toInt
        catch {
          case _: NumberFormatException =>
            System.err.println(s"bigdl-reg gateway: $TestPortVariable must be a port number, got $v")
            System.exit(3)
            0
        }
    }
    val guard = ConnectionGuard.fromSystemProperties() match {
      case Right(g) => g
      case Left(message) =>
        System.err.println(s"bigdl-reg gateway: $message")
        System.exit(2)
        throw new IllegalStateException(message)
    }
    val bridge = new Bridge()
    val server =
      try {
        val s = new GatewayServer.GatewayServerBuilder()
          .entryPoint(bridge)
          .javaPort(requestedPort)
          .javaAddress(InetAddress.getLoopbackAddress)
          .authToken(token)
          .build()
        s.addListener(guard)
        s.start(true) // daemon threads: the stdin watcher decides when the JVM ends
        s
      } catch {
        case e: Throwable =>
          val which = if (requestedPort == 0) "an ephemeral port" else s"port $requestedPort"
          var root = e // py4j wraps the socket's exception: report the one that says why
          while (root.getCause != null && (root.getCause ne root)) root = root.getCause
          System.err.println(s"bigdl-reg gateway: cannot bind $which on 127.0.0.1: $root")
          System.exit(3)
          throw e
      }

    Probes.server = server
    Probes.guard = guard
    sys.env.get(CallSocket.PathVariable).filter(_.nonEmpty).foreach { path =>
      try Probes.calls = CallSocket.start(java.nio.file.Paths.get(path), token, bridge, guard)
      catch {
        case e: Throwable =>
          System.err.println(s"bigdl-reg gateway: cannot bind the call socket $path: $e")
          System.exit(3)
      }
    }
    val port = server.getListeningPort
    if (port <= 0) {
      System.err.println(s"bigdl-reg gateway: the py4j server did not bind a port (got $port)")
      System.exit(3)
    }

    val stdout = System.out
    stdout.println(s"$PortPrefix $port")
    stdout.flush()
    System.setOut(new PrintStream(System.err, true))

    watchOwner()
    watchStdin(System.in)
  }

  /** Exits the JVM when the owner process ends (polled by the JDK for a process
    * that is not our child), or at once if it is already gone. */
  private def watchOwner(): Unit =
    sys.env.get(OwnerPidVariable).flatMap(v => scala.util.Try(v.trim.toLong).toOption).foreach { pid =>
      val owner = ProcessHandle.of(pid)
      if (!owner.isPresent) System.exit(0)
      owner.get.onExit().thenRun(() => System.exit(0))
    }

  /** A daemon thread that exits the JVM when `in` closes; the main thread waits on it. */
  private def watchStdin(in: InputStream): Unit = {
    val watcher = new Thread(() => {
      val buf = new Array[Byte](256)
      try {
        while (in.read(buf) >= 0) {} // the parent never writes; EOF means it is gone
      } catch { case _: Throwable => () }
      System.exit(0)
    }, "bigdl-reg-stdin-watcher")
    watcher.setDaemon(true)
    watcher.start()
    watcher.join()
  }
}
