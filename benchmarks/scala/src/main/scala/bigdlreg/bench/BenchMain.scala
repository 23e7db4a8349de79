package bigdlreg.bench

import scala.sys.process._

import bigdlreg.nn._
import bigdlreg.tensor.{Engine, Tensor}

/** Engine throughput on 10^7 float32 elements, every layer and layout, in one
  * JVM: benchmarks/run_scala.sh (`bin/sbt "bench/run [--out FILE] [elements [runs]]"`).
  *
  * Prints a Markdown page part, and writes it to FILE (run_scala.sh: target/run_scala.md,
  * which benchmarks/write_doc_figures.py pastes into docs/performance.md): a stamp line, then one row per layer and
  * layout, each timed in a JVM of its own (`--row`: a run of one kind of layer, whose JIT profile no other layer
  * shares; timed one after the other in one JVM the last layers' figures depended on the layers before them), with
  * the training forward on one and on all threads and their ratio, backward and
  * (Dropout) the inplace paths on all threads, as million elements per second,
  * each the median of the timed runs after warm-up; `System.arraycopy` of the
  * same array is the memory-bandwidth ceiling of one thread.
  */
object BenchMain {

  private def median(xs: Seq[Double]): Double = {
    val s = xs.sorted
    if (s.size % 2 == 1) s(s.size / 2) else (s(s.size / 2 - 1) + s(s.size / 2)) / 2
  }

  /** Median seconds of `body` over `runs` runs after `warm` warm-up runs. */
  private def time(warm: Int, runs: Int)(body: => Unit): Double = {
    for (_ <- 0 until warm) body
    median((0 until runs).map { _ =>
      val t0 = System.nanoTime()
      body
      (System.nanoTime() - t0) / 1e9
    })
  }

  private def commit: String =
    scala.util.Try(Seq("git", "rev-parse", "--short", "HEAD").!!(ProcessLogger(_ => ())).trim).getOrElse("?")

  /** The first line of `file` that starts with `prefix`, or "?". */
  private def lineOf(file: String, prefix: String = ""): String = scala.util.Try {
    val src = scala.io.Source.fromFile(file)
    try src.getLines().find(_.startsWith(prefix)).getOrElse("?") finally src.close()
  }.getOrElse("?")

  /** The layouts each layer is timed in: (label, shape of n elements, data format). */
  private def layouts(spec: LayerSpec, n: Int): Seq[(String, Array[Int], DataFormat)] = {
    require(n % 10000 == 0, s"element count must be a multiple of 10000, got $n")
    val m = n / 10000
    spec match {
      case SpatialDropout1D => Seq(("(N, steps, C=100)", Array(m, 100, 100), DataFormat.NCHW))
      case SpatialDropout3D => Seq(("NCDHW, C=10", Array(m, 10, 10, 10, 10), DataFormat.NCHW),
          ("NDHWC, C=10", Array(m, 10, 10, 10, 10), DataFormat.NHWC))
      case _ if spec.takes("data_format") => Seq(("NCHW, C=100", Array(m, 100, 10, 10), DataFormat.NCHW),
          ("NHWC, C=100", Array(m, 10, 10, 100), DataFormat.NHWC))
      case _ => Seq(("elementwise", Array(n), DataFormat.NCHW))
    }
  }

  def main(argv: Array[String]): Unit = argv.toList match {
    case "--row" :: layer :: layout :: n :: runs :: Nil => print(row(Layers.byName(layer), layout.toInt, n.toInt, runs.toInt))
    case "--out" :: file :: rest => page(Some(file), rest)
    case rest => page(None, rest)
  }

  private val warm = 20

  /** The whole page: the stamp, the ceiling, then each layer and layout's row from a JVM of its own. */
  private def page(out: Option[String], args: List[String]): Unit = {
    val n = args.headOption.map(_.toInt).getOrElse(10000000)
    val runs = args.lift(1).map(_.toInt).getOrElse(9)
    val page = new StringBuilder
    def println(line: String = ""): Unit = { Predef.println(line); page ++= line + "\n" }
    val all = Engine.threads
    val date = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).format(
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))
    val load = lineOf("/proc/loadavg").split(" ").take(3).mkString(" ")
    val cpu = lineOf("/proc/cpuinfo", "model name").split(":", 2).last.trim
    println(s"*Measured $date on ${java.net.InetAddress.getLocalHost.getHostName} ($cpu, " +
      s"${Runtime.getRuntime.availableProcessors()} processors), commit `$commit`, " +
      s"${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}, " +
      s"Scala ${scala.util.Properties.versionNumberString}, load average $load.*")
    println()
    println(s"$n float32 elements, p = rate = stddev = 0.5, median of $runs runs after $warm warm-up runs, " +
      s"M elements/s; chunk ${Engine.chunkSize} elements; $all threads = all the engine's threads; " +
      "each row in a JVM of its own (as a program running one kind of layer: no other layer's JIT profile).")
    println()

    val data = input(n)
    val dst = new Array[Float](n)
    val copy = n / time(warm, runs)(System.arraycopy(data, 0, dst, 0, n)) / 1e6
    println(f"`System.arraycopy` (the ceiling, 1 thread): $copy%.0f M/s.")
    println()
    println(s"| layer | layout | forward, 1 thread | forward, $all threads | $all / 1 | backward, $all threads | " +
      s"inplace forward, $all threads | inplace backward, $all threads |")
    println("|---|---|---:|---:|---:|---:|---:|---:|")
    val javaBin = java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java").toString
    val rows = for (spec <- Layers.all; layout <- layouts(spec, n).indices) yield {
      val cmd = Seq(javaBin, "-cp", System.getProperty("java.class.path"), getClass.getName.stripSuffix("$"),
        "--row", spec.name, layout.toString, n.toString, runs.toString)
      val line = cmd.!!.trim // fails the run if the child does
      println(line)
      (spec: LayerSpec) -> line.split('|').map(_.trim).apply(4).toDouble // the forward on all threads
    }
    val rate: Map[LayerSpec, Double] = rows.toMap
    println()
    println(f"AlphaDropout / Dropout time on $all threads: ${rate(Dropout) / rate(AlphaDropout)}%.2f (target: at most 1.5).")
    out.foreach(f => java.nio.file.Files.write(java.nio.file.Paths.get(f), page.toString.getBytes("UTF-8")))
  }

  private def input(n: Int): Array[Float] = {
    val r = new java.util.SplittableRandom(1)
    Array.fill(n)(r.nextGaussian().toFloat)
  }

  /** One layer and layout's table row (this JVM times nothing else). */
  private def row(spec: LayerSpec, layout: Int, n: Int, runs: Int): String = {
    val (label, shape, format) = layouts(spec, n)(layout)
    val all = Engine.threads
    val data = input(n)
    def rate(seconds: Double): Double = n / seconds / 1e6
    def withThreads[A](t: Int)(f: => A): A = {
      Engine.setThreads(t)
      try f finally Engine.setThreads(all)
    }
    val fmt = if (spec.takes("data_format")) format else DataFormat.NCHW
    def module(inplace: Boolean) = spec.build[Float](LayerArgs(0.5, format = fmt, inplace = inplace), Seed(1L))
    val x = Tensor[Float](data, shape)
    val g = Tensor[Float](data.clone(), shape)
    val m = module(inplace = false)
    val one = rate(withThreads(1)(time(warm, runs)(m.forward(x))))
    val two = rate(time(warm, runs)(m.forward(x)))
    val back = rate(time(warm, runs)(m.backward(x, g)))
    val inplace = if (!spec.takes("inplace")) Seq("", "") else {
      val mi = module(inplace = true)
      val xi = Tensor[Float](data.clone(), shape)
      val gi = Tensor[Float](data.clone(), shape)
      Seq(rate(time(warm, runs)(mi.forward(xi))), rate(time(warm, runs)(mi.backward(xi, gi)))).map(v => f"$v%.0f")
    }
    f"| ${spec.name} | $label | $one%.0f | $two%.0f | ${two / one}%.2f | $back%.0f | ${inplace.mkString(" | ")} |"
  }
}
