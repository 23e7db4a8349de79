package bigdlreg.interop

import java.util.concurrent.{ConcurrentHashMap, Executors, ThreadFactory, TimeUnit}

import py4j.{DefaultGatewayServerListener, GatewayConnection, Py4JServerConnection}
import py4j.commands.AuthCommand

/** Keeps other local users from tying up the gateway. Its port is on loopback
  * and every command needs the token, but py4j gives each connection a thread
  * before it authenticates and never drops one that stays silent: 1 500 idle
  * connections made 1 500 JVM threads. So a connection that has not
  * authenticated within `authDeadlineMs` is closed, and one beyond
  * `maxConnections` open at once is closed as soon as it arrives.
  *
  * Both limits are system properties (`-Dbigdlreg.gateway.authDeadlineMs`,
  * `-Dbigdlreg.gateway.maxConnections`, through `BIGDL_REG_JVM_OPTS`); see
  * [[ConnectionGuard.fromSystemProperties]].
  */
final class ConnectionGuard(val authDeadlineMs: Long, val maxConnections: Int) extends DefaultGatewayServerListener {
  require(authDeadlineMs > 0 && maxConnections > 0)

  private[this] val open = ConcurrentHashMap.newKeySet[Py4JServerConnection]()
  private[this] val deadlines = Executors.newSingleThreadScheduledExecutor(new ThreadFactory {
    def newThread(r: Runnable): Thread = {
      val t = new Thread(r, "bigdl-reg-auth-deadline")
      t.setDaemon(true)
      t
    }
  })

  /** Connections open now (tests read it through [[Probes.openConnections]]). */
  def openConnections: Int = open.size

  override def connectionStarted(connection: Py4JServerConnection): Unit = {
    if (open.size >= maxConnections) {
      System.err.println(s"bigdl-reg gateway: refused a connection: $maxConnections already open (bigdlreg.gateway.maxConnections)")
      connection.shutdown(true)
      return
    }
    open.add(connection)
    // a connection may stop before py4j reports that it started: then it was never counted
    if (connection.getSocket.isClosed) open.remove(connection)
    deadlines.schedule(new Runnable {
      def run(): Unit =
        if (open.contains(connection) && !ConnectionGuard.authenticated(connection)) {
          System.err.println(s"bigdl-reg gateway: closed a connection that did not authenticate within $authDeadlineMs ms")
          connection.shutdown(true)
        }
    }, authDeadlineMs, TimeUnit.MILLISECONDS)
  }

  override def connectionStopped(connection: Py4JServerConnection): Unit = { open.remove(connection); () }
}

object ConnectionGuard {
  val DefaultAuthDeadlineMs = 5000L
  val DefaultMaxConnections = 256

  private[this] val authCommandField = {
    val f = classOf[GatewayConnection].getDeclaredField("authCommand")
    f.setAccessible(true)
    f
  }

  /** Whether `connection` has sent the right token (py4j keeps that in a protected field). */
  private def authenticated(connection: Py4JServerConnection): Boolean = connection match {
    case c: GatewayConnection =>
      authCommandField.get(c) match {
        case auth: AuthCommand => auth.isAuthenticated
        case _                 => true // a server without a token: nothing to wait for
      }
    case _ => true
  }

  /** The limits from the system properties, or `Left(message)` naming a bad one. */
  def fromSystemProperties(): Either[String, ConnectionGuard] =
    for {
      deadline <- positive("bigdlreg.gateway.authDeadlineMs", DefaultAuthDeadlineMs)
      max      <- positive("bigdlreg.gateway.maxConnections", DefaultMaxConnections.toLong)
      checkedMax <- if (max <= Int.MaxValue) Right(max.toInt)
                    else Left(s"bigdlreg.gateway.maxConnections must be at most ${Int.MaxValue}, got $max")
    } yield new ConnectionGuard(deadline, checkedMax)

  private def positive(property: String, default: Long): Either[String, Long] =
    Option(System.getProperty(property)).map(_.trim) match {
      case None => Right(default)
      case Some(text) =>
        val value = try Some(text.toLong) catch { case _: NumberFormatException => None }
        value.filter(_ > 0).toRight(s"$property must be a positive whole number, got '$text'")
    }
}
