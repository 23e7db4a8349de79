package bigdlreg.vectors

import java.nio.file.{Files, Path, Paths}
import java.util.Base64

import bigdlreg.nn._
import bigdlreg.rng.{Philox, Ppnd16, RNG, WordCache}
import bigdlreg.tensor.{Tensor, TensorNumeric}

/** The shared test vectors (docs/architecture.md, "Shared test vectors"):
  * which cases exist, how they are computed with the engine, and how a
  * stored case is replayed. Used by [[WriteVectors]] (writes the files) and
  * by VectorsSuite (replays every stored byte, and checks the files are what
  * the generator writes now).
  */
object VectorCases {

  final val Layers = Seq("Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "AlphaDropout", "FeatureAlphaDropout")

  def fileName(layer: String): String = layer match {
    case "Dropout"          => "dropout.json"
    case "GaussianDropout"  => "gaussian_dropout.json"
    case "GaussianNoise"    => "gaussian_noise.json"
    case "SpatialDropout1D" => "spatial_dropout1d.json"
    case "SpatialDropout2D" => "spatial_dropout2d.json"
    case "SpatialDropout3D" => "spatial_dropout3d.json"
    case "AlphaDropout"     => "alpha_dropout.json"
    case "FeatureAlphaDropout" => "feature_alpha_dropout.json"
  }

  /** The repository root: `-Dbigdlreg.repoRoot`, else the nearest directory
    * upwards holding build.sbt and tests/.
    */
  def repoRoot: Path = Option(System.getProperty("bigdlreg.repoRoot")).map(Paths.get(_)).getOrElse {
    var d = Paths.get("").toAbsolutePath
    while (d != null && !(Files.exists(d.resolve("build.sbt")) && Files.isDirectory(d.resolve("tests")))) d = d.getParent
    if (d == null) sys.error("repository root not found: set -Dbigdlreg.repoRoot")
    d
  }

  def vectorsDir: Path = repoRoot.resolve("tests").resolve("vectors")

  // ------------------------------------------------------------ encoding

  def b64(bytes: Array[Byte]): String = Base64.getEncoder.encodeToString(bytes)
  def unb64(s: String): Array[Byte] = Base64.getDecoder.decode(s)
  def hex64(v: Long): String = f"$v%016x"
  def hex32(v: Long): String = f"${v & 0xFFFFFFFFL}%08x"

  /** A double as a JSON number that always reads back as a float (`0.0`, not `0`). */
  def num(v: Double): ujson.Value = ujson.Num(v)

  // ------------------------------------------------------------ modules

  /** A module from Python-keyword params. */
  def module[T](layer: String, params: ujson.Obj, seed: Long)(implicit ev: TensorNumeric[T]): NoiseModule[T] = {
    val p = params.value
    val value = Seq("init_p", "rate", "stddev").flatMap(p.get).head.num
    val noiseShape = p.get("noise_shape").map(_.arr.toSeq.map(e => if (e.isNull) None else Some(e.num.toInt)))
    val args = LayerArgs(value, p.get("scale").forall(_.bool), DataFormat(p.get("data_format").fold("NCHW")(_.str)),
      noiseShape, p.get("inplace").exists(_.bool))
    bigdlreg.nn.Layers.byName(layer).build[T](args, seed)(ev.classTag, ev)
  }

  // ------------------------------------------------------------ case specs

  final case class Call(train: Boolean, shape: Array[Int], inputSeed: Long, specials: Boolean, backward: Boolean,
      batchOffset: Long = 0L)
  /** `withNoise`: training calls also store `noise()` (see [[noiseJson]]). */
  final case class Spec(layer: String, params: Seq[(String, ujson.Value)], dtype: String, seed: String, calls: Seq[Call],
      tag: String = "", arange: Boolean = false, withNoise: Boolean = false) {
    def name: String = {
      val ps = params.collect {
        case ("init_p", v)      => s"p${fmt(v.num)}"
        case ("rate", v)        => s"rate${fmt(v.num)}"
        case ("stddev", v)      => s"sd${fmt(v.num)}"
        case ("scale", v)       => if (v.bool) "" else "noscale"
        case ("inplace", v)     => if (v.bool) "inplace" else ""
        case ("data_format", v) => v.str
        case ("noise_shape", v) => "noise" + v.arr.map(e => if (e.isNull) "N" else e.num.toInt.toString).mkString("x")
        case _                  => ""
      }.filter(_.nonEmpty)
      val shape = calls.map(c => if (c.shape.isEmpty) "scalar" else c.shape.mkString("x")).distinct.mkString("+")
      val modes = calls.map(c => if (c.train) "train" else "eval").mkString("-")
      (ps ++ Seq(dtype, shape, modes) ++ Seq(tag).filter(_.nonEmpty)).mkString("-")
    }
  }

  private def fmt(v: Double): String = if (v == v.floor && !v.isInfinite) f"$v%.1f" else v.toString

  private def input[T](shape: Array[Int], seed: Long, specials: Boolean, arange: Boolean)(
      implicit ev: TensorNumeric[T]): Tensor[T] = {
    val n = Tensor.checkShape(shape)
    if (arange) return Tensor[T](Array.tabulate(n)(i => ev.fromDouble(i + 1.0))(ev.classTag), shape)
    val r = new java.util.SplittableRandom(seed)
    val sp = Array(Double.NaN, Double.PositiveInfinity, Double.NegativeInfinity, -0.0, 0.0, 1e-310, -3.4e38)
    val a = ev.newArray(n)
    for (i <- 0 until n) {
      val v = if (specials && r.nextInt(6) == 0) sp(r.nextInt(sp.length)) else r.nextGaussian() * 2.0
      a(i) = ev.fromDouble(v)
    }
    Tensor[T](a, shape)
  }

  /** Runs a spec on the engine and returns its JSON case. */
  def compute(spec: Spec): ujson.Obj = spec.dtype match {
    case "float32" => computeT[Float](spec)
    case "float64" => computeT[Double](spec)
  }

  private def computeT[T](spec: Spec)(implicit ev: TensorNumeric[T]): ujson.Obj = {
    val params = ujson.Obj.from(spec.params)
    val m = module[T](spec.layer, params, RNG.parseSeed(spec.seed))
    val calls = spec.calls.zipWithIndex.map { case (c, i) =>
      if (c.train) m.training() else m.evaluate()
      val x = input[T](c.shape, c.inputSeed, c.specials, spec.arange && i == 0)
      val xBytes = x.toBytes
      val obj = ujson.Obj(
        "mode" -> (if (c.train) "train" else "eval"),
        "shape" -> ujson.Arr.from(c.shape.map(ujson.Num(_))),
        "input" -> b64(xBytes))
      if (c.batchOffset != 0L) obj("batch_offset") = ujson.Num(c.batchOffset.toDouble)
      obj("output") = b64(m.forward(x, c.batchOffset).toBytes)
      if (c.backward) {
        val g = if (spec.arange && i == 0) Tensor.ones[T](c.shape.toIndexedSeq: _*) else input[T](c.shape, c.inputSeed + 1000003L, false, false)
        obj("grad_output") = b64(g.toBytes)
        obj("grad_input") = b64(m.backward(x, g).toBytes)
      }
      obj("step_after") = ujson.Num(m.getStep.toDouble)
      if (spec.withNoise && c.train) obj("noise") = noiseJson(m.noise())
      obj
    }
    ujson.Obj(
      "name" -> spec.name,
      "params" -> params,
      "dtype" -> spec.dtype,
      "seed" -> spec.seed,
      "calls" -> ujson.Arr.from(calls))
  }

  /** `{"kind": "keep" | "factor" | "addend", "shape": [...], "data": <base64>}`: a keep
    * mask as one byte per cell (1 kept, 0 dropped), factors and addends as raw
    * little-endian bytes of the dtype. */
  def noiseJson[T](n: Noise[T]): ujson.Obj = {
    val (kind, bytes) = n match {
      case Noise.Keep(_, keep)   => ("keep", keep.map(k => (if (k) 1 else 0).toByte))
      case Noise.Factors(values) => ("factor", values.toBytes)
      case Noise.Addends(values) => ("addend", values.toBytes)
    }
    ujson.Obj("kind" -> kind, "shape" -> ujson.Arr.from(n.shape.map(ujson.Num(_))), "data" -> b64(bytes))
  }

  private def noiseShape(dims: Option[Int]*): ujson.Arr = ujson.Arr.from(dims.map(_.fold[ujson.Value](ujson.Null)(ujson.Num(_))))

  // ------------------------------------------------------------ the case list

  private val Seeds = Seq("42", "0", "18446744073709551615", "9223372036854775808", "123456789012345678", "7")
  private val Dtypes = Seq("float32", "float64")

  private def seq(modes: String, shape: Array[Int], base: Long, specials: Boolean = false, backward: Boolean = true): Seq[Call] =
    modes.split('-').toSeq.zipWithIndex.map { case (m, i) => Call(m == "train", shape, base + i, specials, backward) }

  /** Forwards of slices of larger batches (`batch_offset`): odd offsets, a large one, a train-eval-train sequence. */
  private def offsets(shape: Array[Int], base: Long): Seq[Call] = Seq(
    Call(train = true, shape, base, specials = true, backward = true, batchOffset = 3L),
    Call(train = false, shape, base + 1, specials = false, backward = true, batchOffset = 5L),
    Call(train = true, shape.updated(0, 1), base + 2, specials = false, backward = true, batchOffset = 1000003L),
    Call(train = true, shape, base + 3, specials = false, backward = false, batchOffset = 0L))

  /** The specs of one layer, in file order. */
  def specs(layer: String): Seq[Spec] = {
    var counter = 0L
    def next(): Long = { counter += 1; counter * 7919L }
    def seedOf(i: Int) = Seeds(i % Seeds.length)
    val out = Seq.newBuilder[Spec]
    layer match {
      case "Dropout" =>
        // the worked example (docs/contract.md, "Golden values")
        out += Spec(layer, Seq("init_p" -> num(0.5), "inplace" -> false, "scale" -> true), "float32", "42",
          Seq(Call(train = true, Array(2, 8), 0L, specials = false, backward = true)), "worked-example", arange = true)
        var i = 0
        for (p <- Seq(0.0, 0.1, 0.3, 0.5, 0.9, 1.0); dt <- Dtypes; scale <- Seq(true, false)) {
          val shape = Seq(Array(2, 8), Array(3, 5, 7), Array(257), Array(2, 3, 4, 5))(i % 4)
          out += Spec(layer, Seq("init_p" -> num(p), "inplace" -> false, "scale" -> scale), dt, seedOf(i),
            seq("train-train-eval-train", shape, next(), specials = i % 3 == 0))
          i += 1
        }
        for (dt <- Dtypes) {
          out += Spec(layer, Seq("init_p" -> num(0.3), "inplace" -> true, "scale" -> true), dt, "99",
            seq("train-eval-train", Array(4, 33), next(), specials = true), "inplace")
          out += Spec(layer, Seq("init_p" -> num(0.5), "inplace" -> false, "scale" -> true), dt, "5",
            seq("train-train", Array[Int](), next()), "scalar")
          out += Spec(layer, Seq("init_p" -> num(0.5), "inplace" -> false, "scale" -> true), dt, "5",
            seq("train-train", Array(0, 3), next()) ++ seq("train", Array(3), next()), "empty")
          out += Spec(layer, Seq("init_p" -> num(0.5), "inplace" -> false, "scale" -> true), dt, "11",
            seq("train-train-train", Array(1023), next(), specials = true, backward = false), "forward-only")
        }
        // larger than one chunk of 2^16 elements
        out += Spec(layer, Seq("init_p" -> num(0.25), "inplace" -> false, "scale" -> true), "float32",
          "18446744073709551557", seq("train", Array(3, 21851), next(), backward = false), "large")
        for (dt <- Dtypes)
          out += Spec(layer, Seq("init_p" -> num(0.3), "inplace" -> false, "scale" -> true), dt, "42",
            offsets(Array(3, 7), next()), "offset")
        // Keras noise_shape (docs/contract.md, "Noise shapes"): shared draws, broadcast; noise() stored
        var j = 0
        for ((ns, shape) <- NoiseShapeCases; dt <- Dtypes; scale <- Seq(true, false)) {
          out += Spec(layer, Seq("init_p" -> num(0.4), "inplace" -> false, "scale" -> scale, "noise_shape" -> ns), dt,
            seedOf(j), seq("train-eval-train", shape, next(), specials = j % 3 == 0), withNoise = true)
          j += 1
        }
        out += Spec(layer, Seq("init_p" -> num(0.3), "inplace" -> true, "scale" -> true, "noise_shape" -> noiseShape(None, Some(1))),
          "float32", "99", seq("train-train", Array(4, 33), next(), specials = true), "inplace", withNoise = true)
      case "GaussianDropout" =>
        var i = 0
        for (rate <- Seq(0.0, 0.1, 0.5, 0.9); dt <- Dtypes) {
          val shape = Seq(Array(2, 8), Array(3, 5, 7), Array(257), Array(2, 3, 4, 5))(i % 4)
          out += Spec(layer, Seq("rate" -> num(rate)), dt, seedOf(i), seq("train-train-eval-train", shape, next(), i % 3 == 0))
          i += 1
        }
        for (dt <- Dtypes) {
          out += Spec(layer, Seq("rate" -> num(0.5)), dt, "5", seq("train-train", Array[Int](), next()), "scalar")
          out += Spec(layer, Seq("rate" -> num(0.5)), dt, "5",
            seq("train", Array(2, 0), next()) ++ seq("train", Array(2), next()), "empty")
        }
        out += Spec(layer, Seq("rate" -> num(0.3)), "float32", "1", seq("train", Array(4099), next(), backward = false), "long")
        for (dt <- Dtypes) out += Spec(layer, Seq("rate" -> num(0.4)), dt, "42", offsets(Array(3, 5), next()), "offset")
        var j = 0
        for ((ns, shape) <- NoiseShapeCases; dt <- Dtypes) {
          out += Spec(layer, Seq("rate" -> num(0.4), "noise_shape" -> ns), dt, seedOf(j),
            seq("train-eval-train", shape, next(), specials = j % 3 == 0), withNoise = true)
          j += 1
        }
      case "GaussianNoise" =>
        var i = 0
        for (sd <- Seq(0.0, 0.1, 1.0, 2.5); dt <- Dtypes) {
          val shape = Seq(Array(2, 8), Array(3, 5, 7), Array(257), Array(2, 3, 4, 5))(i % 4)
          out += Spec(layer, Seq("stddev" -> num(sd)), dt, seedOf(i), seq("train-train-eval-train", shape, next(), i % 3 == 0))
          i += 1
        }
        for (dt <- Dtypes) {
          out += Spec(layer, Seq("stddev" -> num(0.5)), dt, "5", seq("train-train", Array[Int](), next()), "scalar")
          out += Spec(layer, Seq("stddev" -> num(0.5)), dt, "5",
            seq("train", Array(0), next()) ++ seq("train", Array(2), next()), "empty")
        }
        out += Spec(layer, Seq("stddev" -> num(1.0)), "float64", "1", seq("train", Array(4099), next(), backward = false), "long")
        for (dt <- Dtypes) out += Spec(layer, Seq("stddev" -> num(0.8)), dt, "42", offsets(Array(2, 3, 3), next()), "offset")
        var j = 0
        for ((ns, shape) <- NoiseShapeCases; dt <- Dtypes) {
          out += Spec(layer, Seq("stddev" -> num(0.7), "noise_shape" -> ns), dt, seedOf(j),
            seq("train-eval-train", shape, next(), specials = j % 3 == 0), withNoise = true)
          j += 1
        }
      case "SpatialDropout1D" =>
        var i = 0
        for (p <- Seq(0.0, 0.3, 0.5, 1.0); dt <- Dtypes; shape <- Seq(Array(3, 7, 5), Array(7, 5))) {
          out += Spec(layer, Seq("init_p" -> num(p)), dt, seedOf(i), seq("train-train-eval-train", shape, next(), i % 3 == 0))
          i += 1
        }
        out += Spec(layer, Seq("init_p" -> num(0.5)), "float32", "3",
          seq("train", Array(0, 4, 5), next()) ++ seq("train", Array(2, 4, 5), next()), "empty")
        out += Spec(layer, Seq("init_p" -> num(0.4)), "float32", "8", seq("train", Array(16, 9, 40), next()), "many-cells")
        for (shape <- Seq(Array(3, 4, 5), Array(4, 5)))
          out += Spec(layer, Seq("init_p" -> num(0.5)), "float32", "42", offsets(shape, next()), "offset")
      case "SpatialDropout2D" | "SpatialDropout3D" =>
        val is2 = layer == "SpatialDropout2D"
        val shapes = if (is2) Seq(Array(2, 3, 4, 5), Array(3, 4, 5)) else Seq(Array(2, 3, 2, 3, 4), Array(3, 2, 3, 4))
        var i = 0
        for (p <- Seq(0.0, 0.3, 0.5, 1.0); dt <- Dtypes; f <- Seq("NCHW", "NHWC"); shape <- shapes) {
          out += Spec(layer, Seq("init_p" -> num(p), "data_format" -> f), dt, seedOf(i),
            seq("train-train-eval-train", shape, next(), i % 3 == 0))
          i += 1
        }
        for (f <- Seq("NCHW", "NHWC")) {
          val shape = if (is2) Array(5, 11, 3, 7) else Array(5, 3, 2, 3, 11)
          out += Spec(layer, Seq("init_p" -> num(0.4), "data_format" -> f), "float32", "8", seq("train", shape, next()),
            "many-cells")
          val empty = if (is2) Array(0, 2, 3, 3) else Array(0, 2, 2, 3, 3)
          out += Spec(layer, Seq("init_p" -> num(0.5), "data_format" -> f), "float64", "3",
            seq("train", empty, next()) ++ seq("train", empty.updated(0, 1), next()), "empty")
          for (shape <- shapes)
            out += Spec(layer, Seq("init_p" -> num(0.5), "data_format" -> f), "float32", "42", offsets(shape, next()), "offset")
        }
      case "AlphaDropout" =>
        var i = 0
        for (p <- Seq(0.0, 0.05, 0.1, 0.5, 0.9); dt <- Dtypes) {
          val shape = Seq(Array(2, 8), Array(3, 5, 7), Array(257), Array(2, 3, 4, 5))(i % 4)
          out += Spec(layer, Seq("init_p" -> num(p)), dt, seedOf(i), seq("train-train-eval-train", shape, next(), i % 3 == 0),
            withNoise = true)
          i += 1
        }
        for ((ns, shape) <- NoiseShapeCases; dt <- Dtypes) {
          out += Spec(layer, Seq("init_p" -> num(0.2), "noise_shape" -> ns), dt, seedOf(i),
            seq("train-eval-train", shape, next(), specials = i % 3 == 0), withNoise = true)
          i += 1
        }
        for (dt <- Dtypes) {
          out += Spec(layer, Seq("init_p" -> num(0.5)), dt, "5", seq("train-train", Array[Int](), next()), "scalar",
            withNoise = true)
          out += Spec(layer, Seq("init_p" -> num(0.5)), dt, "5",
            seq("train", Array(0, 3), next()) ++ seq("train", Array(3), next()), "empty", withNoise = true)
        }
        // larger than one chunk of 2^16 elements
        out += Spec(layer, Seq("init_p" -> num(0.25)), "float32", "18446744073709551557",
          seq("train", Array(3, 21851), next(), backward = false), "large")
        for (dt <- Dtypes)
          out += Spec(layer, Seq("init_p" -> num(0.3)), dt, "42", offsets(Array(3, 7), next()), "offset", withNoise = true)
      case "FeatureAlphaDropout" =>
        var i = 0
        for (p <- Seq(0.0, 0.3, 0.5); dt <- Dtypes; f <- Seq("NCHW", "NHWC");
             shape <- Seq(Array(3, 4, 5), Array(2, 3, 4, 5), Array(2, 3, 2, 3, 4))) {
          out += Spec(layer, Seq("init_p" -> num(p), "data_format" -> f), dt, seedOf(i),
            seq("train-eval-train", shape, next(), i % 3 == 0), withNoise = true)
          i += 1
        }
        for (f <- Seq("NCHW", "NHWC")) {
          out += Spec(layer, Seq("init_p" -> num(0.4), "data_format" -> f), "float32", "8",
            seq("train", Array(5, 11, 3, 7), next()), "many-cells", withNoise = true)
          out += Spec(layer, Seq("init_p" -> num(0.5), "data_format" -> f), "float32", "42",
            offsets(Array(2, 3, 4, 5), next()), "offset", withNoise = true)
        }
    }
    out.result()
  }

  /** (Keras noise_shape, input shape) pairs of the noise_shape cases: shared
    * axes inside, first and last, every axis shared, an explicit size, rank 0. */
  private val NoiseShapeCases: Seq[(ujson.Arr, Array[Int])] = Seq(
    noiseShape(None, Some(1), None) -> Array(3, 5, 7),
    noiseShape(Some(1), None) -> Array(4, 33),
    noiseShape(Some(2), Some(1), Some(1), None) -> Array(2, 3, 4, 5),
    noiseShape(Some(1), Some(1)) -> Array(6, 7),
    noiseShape() -> Array[Int]())

  /** The JSON document of one layer's file. */
  def layerDocument(layer: String): ujson.Obj =
    ujson.Obj("format" -> 1, "layer" -> layer, "cases" -> ujson.Arr.from(specs(layer).map(compute)))

  // ------------------------------------------------------------ rng.json

  /** Raw RNG primitives for a few (seed, step): see tests/vectors/README.md. */
  def rngDocument: ujson.Obj = {
    def h(s: String) = java.lang.Long.parseUnsignedLong(s, 16)
    val kat = Seq(
      (Seq("0", "0", "0", "0"), Seq("0", "0")),
      (Seq.fill(4)("ffffffffffffffff"), Seq.fill(2)("ffffffffffffffff")),
      (Seq("243f6a8885a308d3", "13198a2e03707344", "a4093822299f31d0", "082efa98ec4e6c89"),
        Seq("452821e638d01377", "be5466cf34e90c6c")))
    val philoxKat = kat.map { case (c, k) =>
      val out = Philox.block(h(c(0)), h(c(1)), h(c(2)), h(c(3)), h(k(0)), h(k(1)))
      ujson.Obj("counter" -> ujson.Arr.from(c.map(s => hex64(h(s)))), "key" -> ujson.Arr.from(k.map(s => hex64(h(s)))),
        "output" -> ujson.Arr.from(out.map(hex64)))
    }
    val streams = Seq(("42", "3", 0L, 16), ("0", "0", 0L, 8), ("18446744073709551615", "18446744073709551615", 0L, 8),
      ("123456789012345678", "1", 1001L, 11), ("7", "65536", 4093L, 6))
    val words = streams.map { case (s, t, first, n) =>
      val buf = new Array[Long](n)
      Philox.fill(RNG.parseSeed(s), RNG.parseSeed(t), first, buf, 0, n)
      ujson.Obj("seed" -> s, "step" -> t, "first_word" -> first.toDouble, "words" -> ujson.Arr.from(buf.map(hex64)))
    }
    val masks = for ((s, t, first, p) <- Seq(("42", "3", 0L, 0.3), ("42", "0", 0L, 0.5), ("9", "2", 3L, 0.1),
        ("18446744073709551615", "5", 0L, 0.9), ("42", "3", 0L, 0.0), ("42", "3", 0L, 1.0))) yield {
      val cache = new WordCache(RNG.parseSeed(s), RNG.parseSeed(t))
      val k = NoiseOp.keepThreshold(p)
      val cells = (first until first + 32)
      ujson.Obj("seed" -> s, "step" -> t, "p" -> num(p), "k" -> k.toString, "first_cell" -> first.toDouble,
        "halves" -> ujson.Arr.from(cells.map(c => hex32(cache.maskHalf(c)))),
        "keep" -> cells.map(c => if (cache.maskHalf(c) < k) '1' else '0').mkString)
    }
    val normals = for ((s, t, first, n) <- Seq(("42", "3", 0L, 8), ("1", "0", 0L, 16), ("5", "9", 777L, 8))) yield {
      val buf = new Array[Long](n)
      Philox.fill(RNG.parseSeed(s), RNG.parseSeed(t), first, buf, 0, n)
      val z = buf.map(Ppnd16.fromWord)
      ujson.Obj("seed" -> s, "step" -> t, "first_word" -> first.toDouble,
        "z_bits" -> ujson.Arr.from(z.map(v => hex64(java.lang.Double.doubleToRawLongBits(v)))),
        "z_hex" -> ujson.Arr.from(z.map(v => java.lang.Double.toHexString(v))))
    }
    val two53 = 9007199254740992.0
    val us = Seq(1e-15, 1e-11, 1.3887e-11, 1.3888e-11, 1.38879e-11, 1e-6, 0.0749999, 0.075, 0.0750001, 0.3, 0.5,
      0.924999, 0.925, 0.925001, 1 - 1e-11)
    val chosen = Seq(0L, 1L, 0x7FFL, 0x800L, 0x1000L, 0xF000000L, 0x10000000L, 0x123456789ABCDEF0L, Long.MinValue,
      Long.MaxValue, 0xFFFFFFFFFFFFF800L, -1L, 0xFFFFFFFFF0000000L) ++ us.map(u => Math.round(u * two53) << 11)
    val ppnd = chosen.map { w =>
      val u = Ppnd16.uniform(w)
      val z = Ppnd16(u)
      ujson.Obj("word" -> hex64(w), "u_bits" -> hex64(java.lang.Double.doubleToRawLongBits(u)),
        "z_bits" -> hex64(java.lang.Double.doubleToRawLongBits(z)), "z_hex" -> java.lang.Double.toHexString(z))
    }
    val thresholds = Seq(0.0, 1e-10, 0.1, 0.2, 0.25, 0.3, 1.0 / 3, 0.5, 0.7, 0.9, 0.999, 1.0 - 1e-12, 1.0)
      .map(p => ujson.Obj("p" -> num(p), "k" -> NoiseOp.keepThreshold(p).toString))
    val moduleSeeds = Seq("123", "0", "18446744073709551615").map { g =>
      ujson.Obj("global_seed" -> g,
        "seeds" -> ujson.Arr.from((0 until 10).map(k => RNG.seedToString(RNG.moduleSeed(RNG.parseSeed(g), k.toLong))))
      )
    }
    ujson.Obj("format" -> 1, "kind" -> "rng", "philox_kat" -> ujson.Arr.from(philoxKat), "words" -> ujson.Arr.from(words),
      "masks" -> ujson.Arr.from(masks), "normals" -> ujson.Arr.from(normals), "ppnd16" -> ujson.Arr.from(ppnd),
      "keep_thresholds" -> ujson.Arr.from(thresholds), "module_seeds" -> ujson.Arr.from(moduleSeeds))
  }

  /** Every file: name -> document. */
  def allDocuments: Seq[(String, ujson.Obj)] =
    Layers.map(l => fileName(l) -> layerDocument(l)) :+ ("rng.json" -> rngDocument)

  /** The text written for a document (stable: 1-space indent, trailing newline). */
  def render(doc: ujson.Value): String = ujson.write(doc, indent = 1) + "\n"
}
