package bigdlreg.interop

import java.io.File
import java.nio.{ByteOrder, DoubleBuffer, FloatBuffer, MappedByteBuffer}
import java.nio.channels.FileChannel
import java.nio.file.StandardOpenOption
import java.util.concurrent.locks.ReentrantReadWriteLock

/** A file mapped READ_WRITE, shared with the Python process that created it (in /dev/shm
  * or the temp dir). Python writes inputs at byte offsets, the JVM copies them into Java
  * arrays chunk by chunk (bulk copies) and writes results back; py4j carries only ids,
  * offsets and shapes.
  *
  * All data is little-endian (`ByteOrder.LITTLE_ENDIAN`, numpy's `<f4` / `<f8`). One file is
  * mapped once (JDK 17 has no public unmap) and reused for every call of the Python thread
  * that owns it; Python unlinks the file right after the JVM has mapped it, so the memory
  * goes away with the last mapping even after a crash.
  *
  * Windows: `FileChannel.map` maps at most 2 GiB - 1 bytes, so a file is mapped as
  * consecutive windows of at most [[SharedArena.DefaultWindow]] bytes (1 GiB; the
  * test-only environment variable `BIGDL_REG_ARENA_WINDOW_BYTES` makes it smaller so
  * the windowed path runs on small tensors). Window sizes are multiples of 64 bytes, so
  * no element straddles two windows; a bulk copy walks the windows it touches. An
  * arena can thus hold one whole tensor of up to 2^31 - 1 elements (a Java array's
  * limit), whatever its byte size.
  *
  * Thread-safety: the buffers are only accessed with absolute bulk operations on views
  * created once, which never touch a shared position, under a read lock; [[close]]
  * (the write lock) releases the mappings eagerly and makes later accesses fail cleanly
  * instead of touching unmapped memory.
  */
final class SharedArena private (val id: Int, val path: String, val size: Long, val window: Long,
                                 buffers: Array[MappedByteBuffer]) {
  private val lock                         = new ReentrantReadWriteLock()
  private val floats: Array[FloatBuffer]   = buffers.map(_.asFloatBuffer())
  private val doubles: Array[DoubleBuffer] = buffers.map(_.asDoubleBuffer())
  @volatile private var closed             = false

  def isClosed: Boolean = closed

  /** How many windows the file is mapped as (tests). */
  def windows: Int = buffers.length

  private def check(offset: Long, n: Int, elemBytes: Int, what: String): Unit =
    if (offset < 0 || n < 0 || offset % elemBytes != 0 || offset + n.toLong * elemBytes > size)
      throw new IllegalArgumentException(
        s"SharedArena $id: $what of $n elements of $elemBytes bytes at byte offset $offset " +
          s"does not fit an arena of $size bytes (offsets must be multiples of $elemBytes)")

  private def withRead[A](body: => A): A = {
    val r = lock.readLock()
    r.lock()
    try {
      if (closed) throw new IllegalStateException(s"SharedArena $id ($path) is detached")
      body
    } finally r.unlock()
  }

  /** Walks the windows covering `n` elements of `elemBytes` at byte `offset`:
    * `f(window, element index in the window, position in the array, count)`. */
  private def span(offset: Long, n: Int, elemBytes: Int, what: String)(f: (Int, Int, Int, Int) => Unit): Unit = {
    check(offset, n, elemBytes, what)
    var pos = 0
    var at  = offset
    while (pos < n) {
      val w      = (at / window).toInt
      val within = at - w * window
      val k      = math.min((n - pos).toLong, (window - within) / elemBytes).toInt
      f(w, (within / elemBytes).toInt, pos, k)
      pos += k
      at += k.toLong * elemBytes
    }
  }

  /** Copies `n` elements at byte `offset` to `dst(at until at + n)`. */
  def readFloats(offset: Long, dst: Array[Float], n: Int, at: Int = 0): Unit = withRead {
    span(offset, n, 4, "read")((w, i, p, k) => floats(w).get(i, dst, at + p, k))
  }
  /** Copies `src(at until at + n)` to `n` elements at byte `offset`. */
  def writeFloats(offset: Long, src: Array[Float], n: Int, at: Int = 0): Unit = withRead {
    span(offset, n, 4, "write")((w, i, p, k) => floats(w).put(i, src, at + p, k))
  }
  def readDoubles(offset: Long, dst: Array[Double], n: Int, at: Int = 0): Unit = withRead {
    span(offset, n, 8, "read")((w, i, p, k) => doubles(w).get(i, dst, at + p, k))
  }
  def writeDoubles(offset: Long, src: Array[Double], n: Int, at: Int = 0): Unit = withRead {
    span(offset, n, 8, "write")((w, i, p, k) => doubles(w).put(i, src, at + p, k))
  }

  /** Raw bytes (tests and diagnostics). */
  def readBytes(offset: Long, n: Int): Array[Byte] = withRead {
    val out = new Array[Byte](n)
    span(offset, n, 1, "read")((w, i, p, k) => buffers(w).get(i, out, p, k))
    out
  }
  def writeBytes(offset: Long, src: Array[Byte]): Unit = withRead {
    span(offset, src.length, 1, "write")((w, i, p, k) => buffers(w).put(i, src, p, k))
  }

  /** Releases the mappings now if the JDK allows it (`sun.misc.Unsafe.invokeCleaner`),
    * else leaves them to the garbage collector. Waits for calls in flight; idempotent. */
  def close(): Unit = {
    val w = lock.writeLock()
    w.lock()
    try {
      if (!closed) {
        closed = true
        buffers.foreach(SharedArena.unmap)
      }
    } finally w.unlock()
  }

  override def toString: String =
    s"SharedArena($id, $path, $size bytes in $windows window(s)${if (closed) ", closed" else ""})"
}

object SharedArena {

  /** The largest arena: 2^31 - 1 doubles (a Java array's limit), rounded up to 64 bytes. */
  val MaxSize: Long = ((Int.MaxValue.toLong * 8) + 63) / 64 * 64

  /** The largest window one `FileChannel.map` call maps (1 GiB). */
  val MaxWindow: Long = 1L << 30

  /** Test-only: a smaller window (bytes, a positive multiple of 64, at most 1 GiB). */
  val WindowVariable = "BIGDL_REG_ARENA_WINDOW_BYTES"

  lazy val DefaultWindow: Long = sys.env.get(WindowVariable).filter(_.trim.nonEmpty) match {
    case None => MaxWindow
    case Some(v) =>
      val w = try v.trim.toLong catch { case _: NumberFormatException => -1L }
      if (w <= 0 || w % 64 != 0 || w > MaxWindow)
        throw new IllegalArgumentException(
          s"$WindowVariable must be a positive multiple of 64 of at most $MaxWindow bytes, got $v")
      w
  }

  /** Maps `size` bytes of the existing file `path` READ_WRITE, little-endian, in windows
    * of `window` bytes. */
  def map(id: Int, path: String, size: Long, window: Long = DefaultWindow): SharedArena = {
    if (size <= 0 || size > MaxSize)
      throw new IllegalArgumentException(s"SharedArena $id: size must be in [1, $MaxSize] bytes, got $size")
    if (window <= 0 || window % 64 != 0 || window > MaxWindow)
      throw new IllegalArgumentException(s"SharedArena $id: bad window of $window bytes")
    val file = new File(path)
    if (!file.isFile) throw new IllegalArgumentException(s"SharedArena $id: no such file: $path")
    if (file.length() < size)
      throw new IllegalArgumentException(s"SharedArena $id: $path has ${file.length()} bytes, fewer than $size")
    val ch = FileChannel.open(file.toPath, StandardOpenOption.READ, StandardOpenOption.WRITE)
    try {
      val count   = ((size + window - 1) / window).toInt
      val buffers = new Array[MappedByteBuffer](count)
      try {
        var w = 0
        while (w < count) {
          val start = w * window
          val buf   = ch.map(FileChannel.MapMode.READ_WRITE, start, math.min(window, size - start))
          buf.order(ByteOrder.LITTLE_ENDIAN)
          buffers(w) = buf
          w += 1
        }
      } catch {
        case e: Throwable =>
          buffers.filter(_ != null).foreach(unmap)
          throw e
      }
      new SharedArena(id, path, size, window, buffers)
    } finally ch.close() // the mappings stay valid after the channel closes
  }

  private lazy val cleaner: Option[java.nio.ByteBuffer => Unit] =
    try {
      val cls    = Class.forName("sun.misc.Unsafe")
      val field  = cls.getDeclaredField("theUnsafe")
      field.setAccessible(true)
      val unsafe = field.get(null)
      val m      = cls.getMethod("invokeCleaner", classOf[java.nio.ByteBuffer])
      Some((b: java.nio.ByteBuffer) => { m.invoke(unsafe, b); () })
    } catch { case _: Throwable => None }

  private def unmap(buffer: MappedByteBuffer): Unit =
    cleaner.foreach { f =>
      try f(buffer) catch { case _: Throwable => () }
    }
}
