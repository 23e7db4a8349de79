package bigdlreg

import bigdlreg.nn._
import bigdlreg.rng.{Philox, Ppnd16}
import bigdlreg.tensor.{Engine, Tensor, TensorNumeric}
import bigdlreg.tensor.TensorNumeric.{NumericDouble, NumericFloat}

/** Helpers shared by the suites, including a naive per-element reference of
  * the behaviour contract written independently of the engine's kernels,
  * noise-shape code and Philox fast path (it uses only the generic Philox
  * block and PPND16, both checked against published/golden values).
  */
object TestUtil {

  /** Runs `f` with the given Engine settings, restoring the previous ones. */
  def withEngine[A](threads: Int, chunk: Int)(f: => A): A = {
    val (t0, c0) = (Engine.threads, Engine.chunkSize)
    Engine.setThreads(threads)
    Engine.setChunkSize(chunk)
    try f
    finally { Engine.setThreads(t0); Engine.setChunkSize(c0) }
  }

  def floatBits(a: Array[Float]): Array[Int] = a.map(java.lang.Float.floatToRawIntBits)
  def doubleBits(a: Array[Double]): Array[Long] = a.map(java.lang.Double.doubleToRawLongBits)

  /** Raw bits of a tensor as longs (float bits zero-extended). */
  def bits[T](t: Tensor[T]): Array[Long] = (t.storage: Any) match {
    case a: Array[Float]  => a.map(v => java.lang.Float.floatToRawIntBits(v).toLong & 0xFFFFFFFFL)
    case a: Array[Double] => a.map(java.lang.Double.doubleToRawLongBits)
    case other            => sys.error(s"unexpected storage $other")
  }

  /** Deterministic test data: standard-normal-ish values, some exact specials. */
  def randomTensor[T](shape: Array[Int], seed: Long, specials: Boolean = false)(implicit ev: TensorNumeric[T]): Tensor[T] = {
    val r = new java.util.SplittableRandom(seed)
    val n = Tensor.checkShape(shape)
    val s = ev.newArray(n)
    val sp = Array(Double.NaN, Double.PositiveInfinity, Double.NegativeInfinity, -0.0, 0.0, Double.MinPositiveValue, 1e30)
    var i = 0
    while (i < n) {
      val v = if (specials && r.nextInt(7) == 0) sp(r.nextInt(sp.length)) else r.nextDouble(-3.0, 3.0)
      s(i) = ev.fromDouble(v)
      i += 1
    }
    Tensor[T](s, shape)
  }

  // ---------------------------------------------------------------- reference

  def keepThreshold(p: Double): Long = Math.ceil((1.0 - p) * 4294967296.0).toLong

  def maskHalf(seed: Long, step: Long, cell: Long): Long = {
    val w = Philox.word(seed, step, cell / 2)
    if (cell % 2 == 0) w & 0xFFFFFFFFL else w >>> 32
  }

  def keep(seed: Long, step: Long, p: Double, cell: Long): Boolean =
    java.lang.Long.compareUnsigned(maskHalf(seed, step, cell), keepThreshold(p)) < 0

  def normal(seed: Long, step: Long, cell: Long): Double = {
    val w = Philox.word(seed, step, cell)
    Ppnd16(((w >>> 11) | 1L).toDouble / 9007199254740992.0)
  }

  /** x * T(c) in the element type. */
  def mulT[T](x: T, c: Double)(implicit ev: TensorNumeric[T]): T = (ev: TensorNumeric[_]) match {
    case NumericFloat  => (x.asInstanceOf[Float] * c.toFloat).asInstanceOf[T]
    case NumericDouble => (x.asInstanceOf[Double] * c).asInstanceOf[T]
  }

  /** x + T(c) in the element type. */
  def addT[T](x: T, c: Double)(implicit ev: TensorNumeric[T]): T = (ev: TensorNumeric[_]) match {
    case NumericFloat  => (x.asInstanceOf[Float] + c.toFloat).asInstanceOf[T]
    case NumericDouble => (x.asInstanceOf[Double] + c).asInstanceOf[T]
  }

  /** The noise shape of the contract's table, spelled out case by case. */
  def referenceNoiseShape(layer: String, format: String, s: Array[Int]): Array[Int] = (layer, format, s.length) match {
    case ("Dropout" | "GaussianDropout" | "GaussianNoise" | "AlphaDropout", _, _) => s.clone()
    case ("FeatureAlphaDropout", f, 3 | 4) => referenceNoiseShape("SpatialDropout2D", f, s)
    case ("FeatureAlphaDropout", f, 5)     => referenceNoiseShape("SpatialDropout3D", f, s)
    case ("SpatialDropout1D", _, 3)                              => Array(s(0), 1, s(2))
    case ("SpatialDropout1D", _, 2)                              => Array(1, s(1))
    case ("SpatialDropout2D", "NCHW", 4)                         => Array(s(0), s(1), 1, 1)
    case ("SpatialDropout2D", "NHWC", 4)                         => Array(s(0), 1, 1, s(3))
    case ("SpatialDropout2D", "NCHW", 3)                         => Array(s(0), 1, 1)
    case ("SpatialDropout2D", "NHWC", 3)                         => Array(1, 1, s(2))
    case ("SpatialDropout3D", "NCHW", 5)                         => Array(s(0), s(1), 1, 1, 1)
    case ("SpatialDropout3D", "NHWC", 5)                         => Array(s(0), 1, 1, 1, s(4))
    case ("SpatialDropout3D", "NCHW", 4)                         => Array(s(0), 1, 1, 1)
    case ("SpatialDropout3D", "NHWC", 4)                         => Array(1, 1, 1, s(3))
    case other                                                   => sys.error(s"no reference noise shape for $other")
  }

  /** Row-major noise cell of flat element `e`. */
  def cellOf(shape: Array[Int], noise: Array[Int], e: Int): Long = {
    val coords = new Array[Int](shape.length)
    var rest = e
    var d = shape.length - 1
    while (d >= 0) { coords(d) = rest % shape(d); rest /= shape(d); d -= 1 }
    var cell = 0L
    d = 0
    while (d < shape.length) {
      cell = cell * noise(d) + (if (noise(d) == 1) 0 else coords(d))
      d += 1
    }
    cell
  }

  /** Layer parameters as the Python keywords name them. */
  final case class Params(layer: String, p: Double = 0.5, scale: Boolean = true, format: String = "NCHW",
      noiseShape: Option[Seq[Option[Int]]] = None)

  /** The Keras rule spelled out: None -> the input's size, else the entry (1 or the size). */
  def referenceKeras(dims: Seq[Option[Int]], s: Array[Int]): Array[Int] =
    s.indices.map(d => dims(d).getOrElse(s(d))).toArray

  /** AlphaDropout's (a, b, dropped value) (docs/contract.md, "Extensions: AlphaDropout and FeatureAlphaDropout"), in double. */
  def alphaCoefficients(p: Double): (Double, Double, Double) = {
    val alpha = -1.7580993408473766
    val a = 1.0 / Math.sqrt((1.0 - p) * (1.0 + p * alpha * alpha))
    val b = -a * alpha * p
    (a, b, a * alpha + b)
  }

  /** Reference forward (training or evaluate) of one layer; `backward` gives
    * the derivative applied to `x` instead (x then is the gradient).
    */
  def reference[T](prm: Params, seed: Long, step: Long, training: Boolean, backward: Boolean, shape: Array[Int],
      x: Array[T])(implicit ev: TensorNumeric[T]): Array[T] = {
    val noise = prm.noiseShape.fold(referenceNoiseShape(prm.layer, prm.format, shape))(referenceKeras(_, shape))
    val out = ev.newArray(x.length)
    val p = prm.p
    var e = 0
    while (e < x.length) {
      val v = x(e)
      lazy val cell = cellOf(shape, noise, e)
      out(e) = prm.layer match {
        case "Dropout" =>
          if (!training) { if (prm.scale) v else mulT(v, 1.0 - p) }
          else if (p == 0.0) v
          else if (p == 1.0) ev.zero
          else if (!keep(seed, step, p, cell)) ev.zero
          else if (prm.scale) mulT(v, 1.0 / (1.0 - p))
          else v
        case "SpatialDropout1D" | "SpatialDropout2D" | "SpatialDropout3D" =>
          if (!training) mulT(v, 1.0 - p)
          else if (p == 0.0) v
          else if (p == 1.0) ev.zero
          else if (keep(seed, step, p, cell)) v
          else ev.zero
        case "GaussianDropout" =>
          if (!training || p == 0.0) v
          else mulT(v, 1.0 + Math.sqrt(p / (1.0 - p)) * normal(seed, step, cell))
        case "AlphaDropout" | "FeatureAlphaDropout" =>
          val (a, b, c) = alphaCoefficients(p)
          if (!training || p == 0.0) v
          else if (!keep(seed, step, p, cell)) (if (backward) ev.zero else ev.fromDouble(c))
          else if (backward) mulT(v, a)
          else addT(mulT(v, a), b)
        case "GaussianNoise" =>
          if (!training || p == 0.0 || backward) v
          else addT(v, p * normal(seed, step, cell))
      }
      e += 1
    }
    out
  }

  /** A module for `prm` (p is the rate / stddev of the Gaussian layers). */
  def module[T](prm: Params, seed: Long, inplace: Boolean = false)(implicit ev: TensorNumeric[T]): NoiseModule[T] = {
    val spec = Layers.byName(prm.layer)
    // the generators draw every field; a layer gets only the arguments it takes
    def taken[A](keyword: String, value: A, default: A): A = if (spec.takes(keyword)) value else default
    val args = LayerArgs(prm.p, taken("scale", prm.scale, true), taken("data_format", DataFormat(prm.format), DataFormat.NCHW),
      taken("noise_shape", prm.noiseShape, None), inplace)
    spec.build[T](args, seed)(ev.classTag, ev)
  }
}

object Restore {
  /** `m` put at (seed, step, mode) and, if given, a last forward (seed, step, training, shape) at `offset`:
    * through `setState` (the former `restoreState`). */
  def apply[M <: NoiseModule[_]](m: M, seed: Long, step: Long, training: Boolean,
      last: Option[(Long, Long, Boolean, Array[Int])], offset: Long = 0L): M = {
    val s = m.getState
    val f = last.map { case (ls, lt, ltr, shape) => LayerState.Forward(ls, lt, ltr, shape.toVector, offset, s.params) }
    m.setState(s.copy(seed = seed, step = step, training = training, last = f, lastTraining = f.filter(_.training)))
  }
}
