package bigdlreg.tensor

import java.util.concurrent.{CountDownLatch, ExecutorService, Executors, ThreadFactory}
import java.util.concurrent.atomic.{AtomicInteger, AtomicReference}

import scala.util.Try

/** The compute engine: a fixed pool of daemon threads and the chunking of
  * flat ranges.
  *
  * A range of `n` elements is cut into chunks of [[chunkSize]] elements;
  * the calling thread and up to `threads - 1` pool threads take chunks until
  * none is left. Ranges below [[InlineThreshold]] elements, or when
  * `threads == 1`, run on the caller's thread (still chunk by chunk), so small
  * tensors pay no hand-off.
  *
  * Results never depend on these settings: every noise cell is a pure function
  * of (seed, step, flat index), so any thread count and any chunk size give the
  * same bits.
  *
  * The thread count defaults to the system property `bigdlreg.threads`, else
  * the number of available processors. All methods are thread-safe; several
  * callers may run ranges at once (they share the pool).
  */
object Engine {

  /** Ranges with fewer elements run inline on the caller's thread. */
  final val InlineThreshold: Int = 1 << 16

  /** Default chunk size (elements). */
  final val DefaultChunkSize: Int = 1 << 16

  @volatile private var nThreads: Int = initialThreads()
  @volatile private var chunk: Int = DefaultChunkSize
  @volatile private var pool: ExecutorService = newPool(nThreads)

  private def initialThreads(): Int = {
    val cores = math.max(1, Runtime.getRuntime.availableProcessors())
    Option(System.getProperty("bigdlreg.threads")).flatMap(s => Try(s.trim.toInt).toOption).filter(_ >= 1).getOrElse(cores)
  }

  private def newPool(n: Int): ExecutorService =
    if (n <= 1) null
    else
      Executors.newFixedThreadPool(n - 1, new ThreadFactory {
        private val count = new AtomicInteger(0)
        def newThread(r: Runnable): Thread = {
          val t = new Thread(r, s"bigdlreg-engine-${count.incrementAndGet()}")
          t.setDaemon(true)
          t
        }
      })

  /** Number of threads that compute one range (the caller included). */
  def threads: Int = nThreads

  /** Sets the number of compute threads (>= 1); replaces the pool. */
  def setThreads(n: Int): Unit = synchronized {
    if (n < 1) throw new IllegalArgumentException(s"Engine: threads must be >= 1, got $n")
    if (n != nThreads) {
      val old = pool
      pool = newPool(n)
      nThreads = n
      if (old != null) old.shutdown() // running chunks finish; idle threads exit
    }
  }

  /** Elements per chunk. */
  def chunkSize: Int = chunk

  /** Sets the elements per chunk (>= 1). Multiples of 8 keep the mask kernels
    * on their fast path at chunk starts, but any size gives the same results.
    */
  def setChunkSize(n: Int): Unit = {
    if (n < 1) throw new IllegalArgumentException(s"Engine: chunk size must be >= 1, got $n")
    chunk = n
  }

  /** Runs `body(from, until)` over consecutive chunks covering `[0, n)`,
    * possibly in parallel; returns when all are done. The first exception
    * thrown by a chunk is rethrown here (later chunks are skipped).
    */
  def parallelFor(n: Int)(body: (Int, Int) => Unit): Unit = {
    if (n <= 0) return
    val cs = chunk
    val nChunks = ((n.toLong + cs - 1) / cs).toInt
    val t = nThreads
    val p = pool
    if (t <= 1 || p == null || n < InlineThreshold || nChunks == 1) {
      var from = 0
      while (from < n) {
        val until = math.min(n.toLong, from.toLong + cs).toInt
        body(from, until)
        from = until
      }
    } else {
      val job = new Job(n, cs, nChunks, body)
      val helpers = math.min(t - 1, nChunks - 1)
      var h = 0
      try {
        while (h < helpers) { p.execute(job); h += 1 }
      } catch {
        case _: java.util.concurrent.RejectedExecutionException => // pool replaced meanwhile: fewer helpers
      }
      job.run()
      job.await()
    }
  }

  private final class Job(n: Int, cs: Int, nChunks: Int, body: (Int, Int) => Unit) extends Runnable {
    private val next = new AtomicInteger(0)
    private val done = new CountDownLatch(nChunks)
    private val error = new AtomicReference[Throwable](null)

    def run(): Unit = {
      var c = next.getAndIncrement()
      while (c < nChunks) {
        try {
          if (error.get() == null) {
            val from = c.toLong * cs
            body(from.toInt, math.min(n.toLong, from + cs).toInt)
          }
        } catch {
          case e: Throwable => error.compareAndSet(null, e)
        } finally done.countDown()
        c = next.getAndIncrement()
      }
    }

    def await(): Unit = {
      done.await()
      val e = error.get()
      if (e != null) throw e
    }
  }
}
