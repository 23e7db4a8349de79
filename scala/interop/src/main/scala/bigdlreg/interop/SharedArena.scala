package bigdlreg.interop

import java.io.File
import java.nio.{ByteOrder, DoubleBuffer, FloatBuffer, MappedByteBuffer}
import java.nio.channels.FileChannel
import java.nio.file.StandardOpenOption
import java.util.concurrent.locks.ReentrantReadWriteLock

/** A file mapped READ_WRITE, shared with the Python process that created it (in /dev/shm
  * or the temp dir). Python writes inputs at byte offsets, the JVM copies them into Java
  * arrays in bulk and writes results back; py4j carries only ids, offsets and shapes.
  *
  * All data is little-endian (`ByteOrder.LITTLE_ENDIAN`, numpy's `<f4` / `<f8`). One file is
  * mapped once (JDK 17 has no public unmap) and reused for every call of the Python thread
  * that owns it; Python unlinks the file right after the JVM has mapped it, so the memory
  * goes away with the last mapping even after a crash. A mapping is at most
  * [[SharedArena.MaxSize]] bytes (2 GiB - 1, `FileChannel.map`'s limit).
  *
  * Thread-safety: the buffer is only accessed with absolute bulk operations on views
  * created once, which never touch a shared position, under a read lock; [[close]]
  * (the write lock) releases the mapping eagerly and makes later accesses fail cleanly
  * instead of touching unmapped memory.
  */
final class SharedArena private (val id: Int, val path: String, val size: Long, buffer: MappedByteBuffer) {
  private val lock                 = new ReentrantReadWriteLock()
  private val floats: FloatBuffer  = buffer.asFloatBuffer()
  private val doubles: DoubleBuffer = buffer.asDoubleBuffer()
  @volatile private var closed     = false

  def isClosed: Boolean = closed

  private def region(offset: Long, n: Int, elemBytes: Int, what: String): Int = {
    if (offset < 0 || n < 0 || offset % elemBytes != 0 || offset + n.toLong * elemBytes > size)
      throw new IllegalArgumentException(
        s"SharedArena $id: $what of $n elements of $elemBytes bytes at byte offset $offset " +
          s"does not fit an arena of $size bytes (offsets must be multiples of $elemBytes)")
    (offset / elemBytes).toInt
  }

  private def withRead[A](body: => A): A = {
    val r = lock.readLock()
    r.lock()
    try {
      if (closed) throw new IllegalStateException(s"SharedArena $id ($path) is detached")
      body
    } finally r.unlock()
  }

  def readFloats(offset: Long, dst: Array[Float], n: Int): Unit = withRead {
    val i = region(offset, n, 4, "read")
    floats.get(i, dst, 0, n)
  }
  def writeFloats(offset: Long, src: Array[Float], n: Int): Unit = withRead {
    val i = region(offset, n, 4, "write")
    floats.put(i, src, 0, n)
  }
  def readDoubles(offset: Long, dst: Array[Double], n: Int): Unit = withRead {
    val i = region(offset, n, 8, "read")
    doubles.get(i, dst, 0, n)
  }
  def writeDoubles(offset: Long, src: Array[Double], n: Int): Unit = withRead {
    val i = region(offset, n, 8, "write")
    doubles.put(i, src, 0, n)
  }

  /** Raw bytes (tests and diagnostics). */
  def readBytes(offset: Long, n: Int): Array[Byte] = withRead {
    val i   = region(offset, n, 1, "read")
    val out = new Array[Byte](n)
    buffer.get(i, out, 0, n)
    out
  }
  def writeBytes(offset: Long, src: Array[Byte]): Unit = withRead {
    val i = region(offset, src.length, 1, "write")
    buffer.put(i, src, 0, src.length)
  }

  /** Releases the mapping now if the JDK allows it (`sun.misc.Unsafe.invokeCleaner`),
    * else leaves it to the garbage collector. Waits for calls in flight; idempotent. */
  def close(): Unit = {
    val w = lock.writeLock()
    w.lock()
    try {
      if (!closed) {
        closed = true
        SharedArena.unmap(buffer)
      }
    } finally w.unlock()
  }

  override def toString: String = s"SharedArena($id, $path, $size bytes${if (closed) ", closed" else ""})"
}

object SharedArena {

  /** The largest mapping `FileChannel.map` accepts. */
  val MaxSize: Long = Int.MaxValue.toLong

  /** Maps `size` bytes of the existing file `path` READ_WRITE, little-endian. */
  def map(id: Int, path: String, size: Long): SharedArena = {
    if (size <= 0 || size > MaxSize)
      throw new IllegalArgumentException(s"SharedArena $id: size must be in [1, $MaxSize] bytes, got $size")
    val file = new File(path)
    if (!file.isFile) throw new IllegalArgumentException(s"SharedArena $id: no such file: $path")
    if (file.length() < size)
      throw new IllegalArgumentException(s"SharedArena $id: $path has ${file.length()} bytes, fewer than $size")
    val ch = FileChannel.open(file.toPath, StandardOpenOption.READ, StandardOpenOption.WRITE)
    try {
      val buf = ch.map(FileChannel.MapMode.READ_WRITE, 0L, size)
      buf.order(ByteOrder.LITTLE_ENDIAN)
      new SharedArena(id, path, size, buf)
    } finally ch.close() // the mapping stays valid after the channel closes
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
