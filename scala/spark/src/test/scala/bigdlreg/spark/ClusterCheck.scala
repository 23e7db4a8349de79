package bigdlreg.spark

import scala.concurrent.Await
import scala.concurrent.duration._
import scala.reflect.ClassTag

import bigdlreg.nn._
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.apache.spark.{SparkConf, SparkContext}

/** The Scala side of the cluster tests (tests/test_spark_cluster.py runs it with
  * spark-submit on the standalone cluster it starts; our jars through `--jars`).
  *
  * Against the engine's single-machine forward of the whole batch, byte for
  * byte, every index back exactly once: each layer's rows through 1, 3 and 7
  * partitions and in shuffled order; then a job during which one of this
  * application's executor JVMs is killed (SIGKILL, by its pid: the process
  * running CoarseGrainedExecutorBackend for this application id), whose lost
  * tasks Spark retries; and a job whose partition 2 fails its first attempt on
  * purpose (TaskContext.attemptNumber), retried. Prints what differs and exits with status 1 on any
  * difference.
  */
object ClusterCheck {

  private val Rows = 2000

  private def data[T: ClassTag](size: Int, salt: Long)(implicit ev: TensorNumeric[T]): Array[Array[T]] = {
    val r = new java.util.SplittableRandom(salt)
    Array.fill(Rows)(Array.fill(size)(ev.fromDouble(r.nextDouble(-3, 3))))
  }

  private def whole[T: ClassTag](m: NoiseModule[T], sample: Array[Int], rows: Array[Array[T]])(
      implicit ev: TensorNumeric[T]): Array[Byte] =
    m.forward(Tensor[T](rows.flatten, Rows +: sample)).toBytes

  /** The collected rows' bytes in index order, or why they are not the batch's rows. */
  private def gathered[T: ClassTag](out: Array[(Long, Array[T])])(implicit ev: TensorNumeric[T]): Either[String, Array[Byte]] = {
    val indices = out.map(_._1).sorted
    if (!indices.sameElements(0L until Rows.toLong)) Left(s"${out.length} rows, ${indices.distinct.length} indices")
    else Right(ev.toBytes(out.sortBy(_._1).flatMap(_._2)))
  }

  private var failures = List.empty[String]

  private def check[T: ClassTag](what: String, expected: Array[Byte], out: Array[(Long, Array[T])])(
      implicit ev: TensorNumeric[T]): Unit = gathered(out) match {
    case Right(bytes) if java.util.Arrays.equals(bytes, expected) => println(s"ClusterCheck: $what: same bytes")
    case Right(_)                                                 => failures ::= s"$what: other bytes"
    case Left(why)                                                => failures ::= s"$what: $why"
  }

  private def partitionings[T: ClassTag](sc: SparkContext, name: String, make: () => NoiseModule[T],
      sample: Array[Int])(implicit ev: TensorNumeric[T]): Unit = {
    val rows = data[T](sample.product, name.hashCode.toLong)
    val expected = whole(make(), sample, rows)
    val indexed = rows.indices.map(i => (i.toLong, rows(i)))
    for (parts <- Seq(1, 3, 7))
      check(s"$name, $parts partitions", expected, SparkNoise.forward(make(), sample, sc.parallelize(indexed, parts)).collect())
    val shuffled = scala.util.Random.javaRandomToRandom(new java.util.Random(7L)).shuffle(indexed)
    check(s"$name, shuffled", expected, SparkNoise.forward(make(), sample, sc.parallelize(shuffled, 3).repartition(5)).collect())
  }

  /** Pids of this application's executor JVMs on this machine. */
  private def executorPids(appId: String): Seq[Long] = {
    val proc = new java.io.File("/proc")
    Option(proc.listFiles()).getOrElse(Array.empty).toSeq.filter(_.getName.forall(_.isDigit)).flatMap { dir =>
      val args = try new String(java.nio.file.Files.readAllBytes(new java.io.File(dir, "cmdline").toPath), "UTF-8").split('\u0000').toSeq
      catch { case _: java.io.IOException => Seq.empty } // the process is gone
      if (args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend") && args.contains(appId))
        Some(dir.getName.toLong)
      else None
    }.sorted
  }

  private def waitFor[A](what: String, seconds: Int)(value: => Option[A]): A = {
    val deadline = System.nanoTime() + seconds * 1000000000L
    var found = value
    while (found.isEmpty && System.nanoTime() < deadline) { Thread.sleep(50); found = value }
    found.getOrElse(throw new IllegalStateException(s"ClusterCheck: no $what after $seconds s"))
  }

  private def lostExecutor(sc: SparkContext): Unit = {
    val sample = Array(64)
    val rows = data[Float](sample.product, 3L)
    val expected = whole(Dropout[Float](0.5, seed = 42L), sample, rows)
    val before = waitFor("two executors", 60)(Some(executorPids(sc.applicationId)).filter(_.size == 2))
    sc.setJobGroup("lost-executor", "a job that loses an executor")
    val slow = sc.parallelize(rows.indices.map(i => (i.toLong, rows(i))), 12).mapPartitions { it => Thread.sleep(1000); it }
    val job = SparkNoise.forward(Dropout[Float](0.5, seed = 42L), sample, slow).collectAsync()
    val tracker = sc.statusTracker
    // some tasks done and more running: each executor is then inside a 1 s task nearly all the
    // time (the status tracker lags under load, so "both busy" is not asked of it exactly)
    waitFor("job past its first tasks", 60)(
      tracker.getActiveStageIds().flatMap(tracker.getStageInfo).find(s => s.numActiveTasks >= 1 && s.numCompletedTasks >= 2))
    Thread.sleep(300)
    val victim = before.head
    java.lang.ProcessHandle.of(victim).ifPresent(p => { p.destroyForcibly(); () })
    check("lost executor", expected, Await.result(job, 120.seconds).toArray)
    val failed = tracker.getJobIdsForGroup("lost-executor").flatMap(tracker.getJobInfo).flatMap(_.stageIds)
      .flatMap(tracker.getStageInfo).map(_.numFailedTasks).sum
    if (failed < 1) failures ::= "lost executor: no task was lost (the executor died between tasks)"
    val after = waitFor("replacement executor", 60)(Some(executorPids(sc.applicationId)).filter(_.size == 2))
    if (after.contains(victim)) failures ::= s"lost executor: $victim still runs"
    else println(s"ClusterCheck: executor $victim killed, $failed task(s) retried, executors now ${after.mkString(", ")}")
  }

  /** A source whose partition 2 fails its first attempt on purpose (a flaky input), which Spark retries. */
  private def flakyTask(sc: SparkContext): Unit = {
    val sample = Array(64)
    val rows = data[Float](sample.product, 5L)
    val expected = whole(Dropout[Float](0.5, seed = 42L), sample, rows)
    sc.setJobGroup("flaky-task", "a job whose task fails once")
    val flaky = sc.parallelize(rows.indices.map(i => (i.toLong, rows(i))), 4).mapPartitions { it =>
      val task = org.apache.spark.TaskContext.get()
      if (task.partitionId() == 2 && task.attemptNumber() == 0) throw new java.io.IOException("flaky source, first attempt")
      it
    }
    check("flaky task", expected, SparkNoise.forward(Dropout[Float](0.5, seed = 42L), sample, flaky).collect())
    val tracker = sc.statusTracker
    val failed = tracker.getJobIdsForGroup("flaky-task").flatMap(tracker.getJobInfo).flatMap(_.stageIds)
      .flatMap(tracker.getStageInfo).map(_.numFailedTasks).sum
    if (failed != 1) failures ::= s"flaky task: $failed failed tasks, expected 1"
    else println("ClusterCheck: flaky task failed once and was retried")
  }

  def main(args: Array[String]): Unit = {
    val sc = new SparkContext(new SparkConf().setAppName("bigdl-reg ClusterCheck"))
    try {
      sc.setLogLevel("ERROR")
      partitionings[Float](sc, "Dropout", () => Dropout[Float](0.3, seed = 42L), Array(64))
      partitionings[Double](sc, "Dropout float64", () => Dropout[Double](0.3, seed = 42L), Array(64))
      partitionings[Float](sc, "GaussianNoise", () => GaussianNoise[Float](0.7, 42L), Array(64))
      partitionings[Float](sc, "SpatialDropout1D", () => SpatialDropout1D[Float](0.5, 42L), Array(4, 16))
      partitionings[Float](sc, "AlphaDropout", () => AlphaDropout[Float](0.25, 42L), Array(64))
      flakyTask(sc)
      lostExecutor(sc)
    } finally sc.stop()
    if (failures.nonEmpty) {
      failures.reverse.foreach(f => System.err.println(s"ClusterCheck: FAILED: $f"))
      sys.exit(1)
    }
    println("ClusterCheck: all distributed results are the single-machine bytes")
  }
}
