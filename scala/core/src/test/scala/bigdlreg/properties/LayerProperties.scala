package bigdlreg.properties

import bigdlreg.TestUtil._
import bigdlreg.nn._
import bigdlreg.properties.LayerProperties._
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.scalacheck.{Gen, Prop, Test}
import org.scalacheck.rng.Seed
import org.scalacheck.util.Pretty
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** Property-based tests (ScalaCheck) of the eight layers against the contract's
  * reference (`TestUtil.reference`), the Scala side of tests/test_properties.py:
  * random layers, parameters at their edges, ranks, zero-size and long axes,
  * data formats, seeds over the full 64-bit range, thread counts and chunk
  * sizes, modes, long call sequences, inplace, and invalid arguments and calls
  * (the documented message, then the module still gives the reference bytes).
  *
  * Deterministic by default (a fixed initial seed per property). For a long
  * run: `BIGDL_REG_FUZZ_EXAMPLES=2000 bin/sbt "core/testOnly bigdlreg.properties.*"`
  * (a random initial seed, printed; `BIGDL_REG_FUZZ_SEED=<n>` replays one).
  */
class LayerProperties extends AnyFunSuite with Matchers with BeforeAndAfterAll {

  // ------------------------------------------------------------- running

  private val fuzzExamples = sys.env.get("BIGDL_REG_FUZZ_EXAMPLES").map(_.toInt)
  private val fuzzSeed = sys.env.get("BIGDL_REG_FUZZ_SEED").map(_.toLong)
  private val counts = scala.collection.mutable.LinkedHashMap.empty[String, Int]
  private val started = System.nanoTime()

  private def property(name: String, examples: Int)(prop: Prop): Unit = test(name) {
    val seed = fuzzSeed.getOrElse(if (fuzzExamples.isDefined) scala.util.Random.nextLong() else name.hashCode.toLong)
    val params = Test.Parameters.default
      .withMinSuccessfulTests(fuzzExamples.getOrElse(examples))
      .withInitialSeed(Seed(seed))
      .withWorkers(1)
    val result = Test.check(params, prop)
    counts(name) = result.succeeded
    info(s"${result.succeeded} examples (initial seed $seed)")
    assert(result.passed, s"initial seed $seed: " + Pretty.pretty(result, Pretty.Params(2)))
  }

  override def afterAll(): Unit = {
    val seconds = (System.nanoTime() - started) / 1e9
    println(f"ScalaCheck examples: ${counts.map { case (k, v) => s"$k=$v" }.mkString(", ")}; " +
      f"total ${counts.values.sum} in $seconds%.1f s")
  }

  private def check(ok: Boolean, what: => String): Unit = if (!ok) throw new AssertionError(what)

  private def sameBits(a: Array[Long], b: Array[Long], what: => String): Unit = {
    if (!java.util.Arrays.equals(a, b)) {
      val i = a.indices.find(i => i >= b.length || a(i) != b(i)).getOrElse(a.length)
      throw new AssertionError(s"$what: ${a.length} vs ${b.length} cells, first difference at $i")
    }
  }

  // ------------------------------------------------------------- generators

  private val elementwise = Set("Dropout", "GaussianDropout", "GaussianNoise", "AlphaDropout")
  private val maskLayers = Set("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")
  private val ranks = Map("SpatialDropout1D" -> Seq(2, 3), "SpatialDropout2D" -> Seq(3, 4), "SpatialDropout3D" -> Seq(4, 5),
    "FeatureAlphaDropout" -> Seq(3, 4, 5))
  private val layers = Seq("Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "AlphaDropout", "FeatureAlphaDropout")
  /** init_p / rate in [0, 1): AlphaDropout's p = 1 has no finite correction. */
  private val belowOne = Set("GaussianDropout", "AlphaDropout", "FeatureAlphaDropout")

  private val unitEdges = Seq(0.0, -0.0, Double.MinPositiveValue, java.lang.Double.MIN_NORMAL, 1e-300, 1e-9,
    math.pow(2, -33), math.pow(2, -32), Math.nextDown(0.5), 0.5, Math.nextUp(0.5), 1 - math.pow(2, -32),
    1 - math.pow(2, -33), Math.nextDown(1.0), 1.0)

  private def genProbability(allowOne: Boolean): Gen[Double] = {
    val edges = unitEdges.filter(v => allowOne || v < 1.0)
    Gen.oneOf(Gen.oneOf(edges), Gen.choose(0.0, 1.0).map(v => if (!allowOne && v == 1.0) 0.5 else v))
  }

  private val genStddev: Gen[Double] = Gen.oneOf(
    Gen.oneOf(0.0, -0.0, Double.MinPositiveValue, 1e-300, 1e-9, 1.0, 3.0, 1e30, 1e300, Double.MaxValue),
    Gen.choose(0.0, 10.0))

  private val genSeed: Gen[Long] = Gen.oneOf(
    Gen.oneOf(0L, 1L, 0xFFFFFFFFL, 1L << 32, Long.MaxValue, Long.MinValue, -2L, -1L),
    Gen.choose(Long.MinValue, Long.MaxValue))

  private val genParams: Gen[Params] = for {
    layer <- Gen.oneOf(layers)
    p <- layer match {
      case "GaussianNoise"     => genStddev
      case l if belowOne(l)    => genProbability(allowOne = false)
      case _                   => genProbability(allowOne = true)
    }
    scale <- Gen.oneOf(true, false)
    format <- Gen.oneOf("NCHW", "NHWC")
  } yield Params(layer, p, scale = scale || layer != "Dropout", format = format)

  private val longAxes = Seq(65535, 65537, 131075, 200003)

  /** A shape the layer accepts: ranks 0-6 (elementwise), zero sizes, now and
    * then one long axis, or an empty shape whose other sizes multiply past 2^31. */
  private def genShape(layer: String): Gen[Array[Int]] = for {
    rank <- if (elementwise(layer)) Gen.choose(0, 6) else Gen.oneOf(ranks(layer))
    dims <- Gen.listOfN(rank, Gen.frequency(1 -> Gen.const(0), 6 -> Gen.choose(1, 6)))
    kind <- Gen.choose(0, 9)
    axis <- Gen.choose(0, math.max(rank - 1, 0))
    long <- Gen.oneOf(longAxes)
    huge <- Gen.listOfN(rank, Gen.oneOf(1, 3, 1 << 16, 1 << 20, Int.MaxValue))
  } yield {
    val s = dims.toArray
    if (rank >= 2 && kind == 0) { val h = huge.toArray; h(axis) = 0; h }
    else if (rank >= 1 && kind == 1) { s.indices.foreach(i => s(i) = if (i == axis) long else 1); s }
    else s
  }

  private val genCase: Gen[Case] = for {
    prm <- genParams
    seed <- genSeed
    shape <- genShape(prm.layer)
    double <- Gen.oneOf(true, false)
    training <- Gen.oneOf(true, false)
    dataSeed <- Gen.choose(Long.MinValue, Long.MaxValue)
  } yield Case(prm, seed, shape, double, training, dataSeed)

  private def typed[A](c: Case)(f: TensorNumeric[_] => A): A =
    if (c.double) f(TensorNumeric.NumericDouble) else f(TensorNumeric.NumericFloat)

  private def ref[T](c: Case, step: Long, training: Boolean, backward: Boolean, x: Tensor[T])(
      implicit ev: TensorNumeric[T]): Array[Long] =
    bits(Tensor[T](reference(c.prm, c.seed, step, training, backward, x.shape, x.storage), x.shape))

  // ------------------------------------------------------------- valid calls

  private def forwardBackward[T](c: Case)(implicit ev: TensorNumeric[T]): Unit = {
    val x = randomTensor[T](c.shape, c.dataSeed, specials = true)
    val g = randomTensor[T](c.shape, c.dataSeed + 1, specials = true)
    val (x0, g0) = (bits(x), bits(g))
    val m = module[T](c.prm, c.seed)
    if (!c.training) m.evaluate()
    val y = m.forward(x)
    check(y.shape.sameElements(c.shape), "output shape")
    check(y.storage.getClass == x.storage.getClass, "output element type")
    sameBits(bits(y), ref(c, 0L, c.training, backward = false, x), "forward vs reference")
    sameBits(bits(x), x0, "forward modified its input")
    check(m.getStep == (if (c.training) 1L else 0L), s"step ${m.getStep}")
    if (c.training && maskLayers(c.prm.layer) && c.prm.p > 0.0 && c.prm.p < 1.0) {
      val factor = if (c.prm.layer == "Dropout" && c.prm.scale) 1.0 / (1.0 - c.prm.p) else 1.0
      val scaled = ev.newArray(x.nElement())
      x.storage.indices.foreach(i => scaled(i) = mulT(x.storage(i), factor))
      val (yb, kept) = (bits(y), bits(Tensor[T](scaled, x.shape)))
      yb.indices.foreach(i => check(yb(i) == 0L || yb(i) == kept(i), s"cell $i is neither +0 nor x * T(scale)"))
    }
    val yBits = bits(y)
    val gi = m.backward(x, g)
    sameBits(bits(gi), ref(c, 0L, c.training, backward = true, g), "backward vs reference")
    sameBits(bits(g), g0, "backward modified its gradient")
    sameBits(bits(m.backward(x, g)), bits(gi), "a second backward (backward never draws)")
    sameBits(bits(m.output), yBits, "backward changed the output")
  }

  property("forward and backward follow the contract", 150) {
    Prop.forAllNoShrink(genCase) { c => typed(c) { ev => forwardBackward(c)(ev) }; true }
  }

  private val genEngine: Gen[(Int, Int)] = for {
    threads <- Gen.choose(1, 4)
    chunk <- Gen.oneOf(1, 2, 3, 7, 64, 1000, 4099, 65536, 1 << 20)
  } yield (threads, chunk)

  private def engineInvariance[T](c: Case, threads: Int, chunk: Int)(implicit ev: TensorNumeric[T]): Unit = {
    val x = randomTensor[T](c.shape, c.dataSeed, specials = true)
    def run(): Seq[Array[Long]] = {
      val m = module[T](c.prm, c.seed)
      if (!c.training) m.evaluate()
      val a = bits(m.forward(x))
      val b = bits(m.forward(x))
      Seq(a, b, bits(m.backward(x, x)))
    }
    val default = run()
    val other = withEngine(threads, chunk)(run())
    default.zip(other).foreach { case (a, b) => sameBits(b, a, s"threads $threads, chunk $chunk vs defaults") }
    sameBits(default(1), ref(c, if (c.training) 1L else 0L, c.training, backward = false, x), "forward vs reference")
  }

  property("any thread count and chunk size give the same bits", 60) {
    val gen = for {
      c <- genCase
      n <- Gen.choose(1, 3000)
      e <- genEngine
    } yield (c.copy(shape = if (c.prm.layer == "Dropout" || c.prm.layer.startsWith("Gauss")) Array(n, 3)
                     else c.shape.map(d => math.min(math.max(d, 1), 12))), e)
    Prop.forAllNoShrink(gen) { case (c, (threads, chunk)) =>
      typed(c) { ev => engineInvariance(c, threads, chunk)(ev) }; true
    }
  }

  // ------------------------------------------------------------- sequences

  private def genOps(layer: String): Gen[List[Op]] = {
    val op = Gen.frequency(
      4 -> Gen.choose(0, 2).map(Forward(_)),
      3 -> Gen.const(Backward),
      1 -> Gen.const(Train),
      1 -> Gen.const(Eval),
      1 -> genSeed.map(SetSeed(_)),
      (if (layer == "Dropout") 1 else 0) -> genProbability(allowOne = true).map(SetP(_)))
    Gen.choose(1, 40).flatMap(n => Gen.listOfN(n, op))
  }

  /** A model of (seed, step, mode, last forward) against the module, call by call. */
  private def sequence[T](c: Case, ops: List[Op])(implicit ev: TensorNumeric[T]): Unit = {
    val inputs = (0 until 3).map(k => randomTensor[T](c.shape, c.dataSeed + k, specials = true))
    val m = module[T](c.prm, c.seed)
    var (seed, step, training, prm) = (c.seed, 0L, true, c.prm)
    var last: Option[(Case, Long, Boolean, Int)] = None
    ops.foreach {
      case Forward(i) =>
        val now = c.copy(prm = prm, seed = seed)
        sameBits(bits(m.forward(inputs(i))), ref(now, step, training, backward = false, inputs(i)), s"forward $i")
        last = Some((now, step, training, i))
        if (training) step += 1
      case Backward =>
        last match {
          case None =>
            val e = thrown[IllegalStateException](m.backward(inputs(0), inputs(1)))
            check(e.getMessage == s"${c.prm.layer}: backward called before any forward", e.getMessage)
          case Some((at, atStep, atTraining, i)) =>
            val g = inputs((i + 1) % 3)
            sameBits(bits(m.backward(inputs(i), g)), ref(at, atStep, atTraining, backward = true, g), "backward")
        }
      case Train => m.training(); training = true
      case Eval => m.evaluate(); training = false
      case SetSeed(s) => m.setSeed(s); seed = s; step = 0L
      case SetP(p) => m.asInstanceOf[Dropout[T]].setP(p); prm = prm.copy(p = p)
    }
    check(m.getStep == step && m.getSeed == seed && m.isTraining() == training, "module state vs model")
  }

  property("long call sequences follow the model", 80) {
    val gen = for {
      c <- genCase
      ops <- genOps(c.prm.layer)
    } yield (c.copy(shape = c.shape.map(d => math.min(d, 64))), ops)
    Prop.forAllNoShrink(gen) { case (c, ops) => typed(c) { ev => sequence(c, ops)(ev) }; true }
  }

  private def inplace[T](c: Case)(implicit ev: TensorNumeric[T]): Unit = {
    val x = randomTensor[T](c.shape, c.dataSeed, specials = true)
    val g = randomTensor[T](c.shape, c.dataSeed + 1, specials = true)
    val (wantY, wantG) = (ref(c, 0L, c.training, backward = false, x), ref(c, 0L, c.training, backward = true, g))
    val m = module[T](c.prm, c.seed, inplace = true)
    if (!c.training) m.evaluate()
    check(m.forward(x) eq x, "inplace forward must return its input")
    sameBits(bits(x), wantY, "inplace forward")
    check(m.backward(x, g) eq g, "inplace backward must return gradOutput")
    sameBits(bits(g), wantG, "inplace backward")
  }

  property("inplace Dropout writes into and returns its argument", 60) {
    val gen = genCase.map(c => c.copy(prm = c.prm.copy(layer = "Dropout", p = math.min(math.abs(c.prm.p), 1.0)),
      shape = c.shape.map(d => math.min(d, 64))))
    Prop.forAllNoShrink(gen) { c => typed(c) { ev => inplace(c)(ev) }; true }
  }

  // ------------------------------------------------------------- invalid values

  /** Values outside the layer's range: [0, 1] (init_p), [0, 1) (rate), [0, inf) (stddev). */
  private def genOutside(layer: String): Gen[Double] = {
    val below = Gen.oneOf(
      Gen.oneOf(Double.NaN, java.lang.Double.longBitsToDouble(0x7FF0000000000123L), Double.NegativeInfinity,
        -Double.MinPositiveValue, -1e-300, -1.0, -Double.MaxValue),
      Gen.choose(-1e6, -1e-9))
    val above = layer match {
      case "GaussianNoise" => Gen.const(Double.PositiveInfinity)
      case l if belowOne(l) =>
        Gen.oneOf(Gen.oneOf(1.0, Math.nextUp(1.0), 1e21, Double.MaxValue, Double.PositiveInfinity), Gen.choose(1.0, 1e6))
      case _ =>
        Gen.oneOf(Gen.oneOf(Math.nextUp(1.0), 1.5, 1e21, Double.MaxValue, Double.PositiveInfinity),
          Gen.choose(Math.nextUp(1.0), 1e6))
    }
    Gen.oneOf(below, above)
  }

  private def construct(layer: String, v: Double, format: String): NoiseModule[Float] = layer match {
    case "GaussianDropout" => GaussianDropout[Float](v)
    case "GaussianNoise"   => GaussianNoise[Float](v)
    case _                 => module[Float](Params(layer, v, format = format), 1L)
  }

  private def argumentOf(layer: String): (String, String) = layer match {
    case "GaussianDropout" => ("rate", "[0, 1)")
    case "GaussianNoise"   => ("stddev", "[0, inf)")
    case "AlphaDropout" | "FeatureAlphaDropout" => ("init_p", "[0, 1)")
    case _                 => ("init_p", "[0, 1]")
  }

  /** A valid module after an error gives the reference bytes. */
  private def stillWorks(m: NoiseModule[Float], prm: Params, seed: Long, step: Long, shape: Array[Int]): Unit = {
    val x = randomTensor[Float](shape, seed ^ step, specials = true)
    m.training()
    val c = Case(prm, seed, shape, double = false, training = true, 0L)
    sameBits(bits(m.forward(x)), ref(c, step, training = true, backward = false, x), "forward after the error")
    sameBits(bits(m.backward(x, x)), ref(c, step, training = true, backward = true, x), "backward after the error")
  }

  private def validShape(layer: String): Array[Int] =
    if (elementwise(layer)) Array(3, 5) else { val r = ranks(layer).last; Array.tabulate(r)(i => i + 2) }

  property("invalid arguments: IllegalArgumentException with the documented message", 150) {
    val gen = for {
      prm <- genParams
      bad <- genOutside(prm.layer)
      badFormat <- Gen.oneOf(Gen.oneOf("nchw", "nhwc", "NCHW ", "", "channels_last ", "Channels_Last", "NCDHW"),
          Gen.asciiStr).suchThat(s => !Set("NCHW", "NHWC", "channels_first", "channels_last")(s))
      badSeed <- Gen.oneOf(Gen.choose(1L, Long.MaxValue).map(v => -BigInt(v) << 8),
        Gen.choose(0L, Long.MaxValue).map(v => (BigInt(1) << 64) + BigInt(v) * 4099),
        Gen.oneOf(BigInt(-1), BigInt(1) << 64, BigInt(Long.MinValue)))
    } yield (prm, bad, badFormat, badSeed)
    Prop.forAllNoShrink(gen) { case (prm, bad, badFormat, badSeed) =>
      val layer = prm.layer
      val (arg, range) = argumentOf(layer)
      val e = thrown[IllegalArgumentException](construct(layer, bad, prm.format))
      check(e.getMessage == s"$layer: $arg must be in $range, got ${java.lang.Double.toString(bad)}", e.getMessage)
      val f = thrown[IllegalArgumentException](DataFormat.parse(layer, badFormat))
      check(f.getMessage == s"""$layer: data_format must be "NCHW" or "NHWC", got "$badFormat"""", f.getMessage)
      check(DataFormat.parse(layer, "channels_first") == DataFormat.NCHW &&
        DataFormat.parse(layer, "channels_last") == DataFormat.NHWC, "Keras' aliases map to NCHW / NHWC")
      val s = thrown[IllegalArgumentException](Validation.seed(layer, badSeed))
      check(s.getMessage == s"$layer: seed must be in [0, 18446744073709551615], got $badSeed", s.getMessage)
      // a module built after the errors, and one that refused a bad setP, still give the reference
      val m = module[Float](prm, 99L)
      stillWorks(m, prm, 99L, 0L, validShape(layer))
      m match {
        case d: Dropout[Float] @unchecked if layer == "Dropout" =>
          val before = d.p
          val e2 = thrown[IllegalArgumentException](d.setP(bad))
          // (the Spatial layers are Dropouts too: the message names the layer)
          check(e2.getMessage == s"$layer: init_p must be in [0, 1], got ${java.lang.Double.toString(bad)}", e2.getMessage)
          check(d.p == before || (d.p.isNaN && before.isNaN), "a refused setP changed p")
          stillWorks(m, prm, 99L, 1L, validShape(layer))
        case _ =>
      }
      true
    }
  }

  private val genBadCall: Gen[(Params, Long, String, Array[Int])] = for {
    prm <- genParams
    seed <- genSeed
    kind <- Gen.oneOf("rank", "gradient", "first", "null")
    rank <- Gen.choose(0, 7)
    dims <- Gen.listOfN(rank, Gen.choose(0, 3))
  } yield (prm, seed, kind, dims.toArray)

  property("invalid calls: the documented exception, and the module still works", 150) {
    Prop.forAllNoShrink(genBadCall) { case (prm, seed, kind, dims) =>
      val layer = prm.layer
      val m = module[Float](prm, seed)
      val shape = validShape(layer)
      val x = randomTensor[Float](shape, seed, specials = true)
      if (kind != "first") m.forward(x)
      val step = m.getStep
      kind match {
        case "rank" if !elementwise(layer) && !ranks(layer).contains(dims.length) =>
          val e = thrown[IllegalArgumentException](m.forward(Tensor.zeros[Float](dims.toIndexedSeq: _*)))
          val accepted = ranks(layer).map(r => s"$r-D").mkString(" or ")
          check(e.getMessage == s"$layer: expected a $accepted input, got shape ${Validation.formatShape(dims)}",
            e.getMessage)
        case "gradient" if !dims.sameElements(shape) =>
          val e = thrown[IllegalArgumentException](m.backward(x, Tensor.zeros[Float](dims.toIndexedSeq: _*)))
          check(e.getMessage == s"$layer: gradient shape ${Validation.formatShape(dims)} differs from the input " +
            s"shape ${Validation.formatShape(shape)} of the last forward", e.getMessage)
        case "first" =>
          val e = thrown[IllegalStateException](m.backward(x, x))
          check(e.getMessage == s"$layer: backward called before any forward", e.getMessage)
        case "null" =>
          val e = thrown[IllegalArgumentException](m.forward(null))
          check(e.getMessage == s"$layer: input is null", e.getMessage)
        case _ => // the drawn shape happens to be valid: nothing to refuse
      }
      check(m.getStep == step, "a refused call moved the step")
      stillWorks(m, prm, seed, step, shape)
      true
    }
  }

  // ------------------------------------------------------------- noise_shape and noise()

  private val genNoiseShapeCase: Gen[Case] = for {
    c <- genCase.suchThat(c => Set("Dropout", "GaussianDropout", "GaussianNoise", "AlphaDropout")(c.prm.layer))
    picks <- Gen.listOfN(c.shape.length, Gen.choose(0, 2))
  } yield {
    val shape = c.shape.map(d => math.min(d, 6))
    val ns = shape.toSeq.zip(picks).map { case (d, k) => if (k == 0) None else if (k == 1) Some(1) else Some(d) }
    c.copy(prm = c.prm.copy(noiseShape = Some(ns)), shape = shape, training = true)
  }

  private def noiseShapeCase[T](c: Case)(implicit ev: TensorNumeric[T]): Unit = {
    val x = randomTensor[T](c.shape, c.dataSeed, specials = true)
    val m = module[T](c.prm, c.seed)
    sameBits(bits(m.forward(x)), ref(c, 0L, training = true, backward = false, x), "forward with a noise_shape")
    sameBits(bits(m.backward(x, x)), ref(c, 0L, training = true, backward = true, x), "backward with a noise_shape")
    val want = c.prm.noiseShape.get.zip(c.shape).map { case (n, d) => n.getOrElse(d) }
    check(m.noise().shape.toSeq == want, s"noise() shape ${Validation.formatShape(m.noise().shape)}")
  }

  property("noise_shape: forward, backward and noise() follow the Keras rule", 100) {
    Prop.forAllNoShrink(genNoiseShapeCase) { c => typed(c) { ev => noiseShapeCase(c)(ev) }; true }
  }

  // ------------------------------------------------------------- regressions (found by the properties)

  test("regression: an empty shape whose other sizes multiply past 2^31 is empty, not too big") {
    Tensor.checkShape(Array(1 << 20, 1 << 20, 0)) shouldBe 0
    Tensor.checkShape(Array(3, Int.MaxValue, Int.MaxValue, 0)) shouldBe 0
    val e = thrown[IllegalArgumentException](Tensor.checkShape(Array(1 << 20, 1 << 20, 1)))
    e.getMessage shouldBe s"shape (1048576, 1048576, 1) has more than ${Int.MaxValue} elements"
    val m = SpatialDropout3D[Float](0.5, DataFormat.NHWC, 1L)
    m.forward(Tensor.zeros[Float](3, Int.MaxValue, Int.MaxValue, 0)).shape shouldBe Array(3, Int.MaxValue, Int.MaxValue, 0)
    m.getStep shouldBe 1L
    m.backward(null, Tensor.zeros[Float](3, Int.MaxValue, Int.MaxValue, 0)).nElement() shouldBe 0
  }

  private def thrown[E <: Throwable](f: => Any)(implicit tag: scala.reflect.ClassTag[E]): E =
    try { f; throw new AssertionError(s"expected ${tag.runtimeClass.getSimpleName}, nothing thrown") }
    catch { case e: Throwable if tag.runtimeClass.isInstance(e) => e.asInstanceOf[E] }
}

object LayerProperties {
  final case class Case(prm: Params, seed: Long, shape: Array[Int], double: Boolean, training: Boolean,
      dataSeed: Long) {
    override def toString: String =
      s"Case($prm, seed=${java.lang.Long.toUnsignedString(seed)}, shape=${Validation.formatShape(shape)}, " +
        s"${if (double) "Double" else "Float"}, training=$training, dataSeed=$dataSeed)"
  }

  sealed trait Op
  final case class Forward(input: Int) extends Op
  case object Backward extends Op
  case object Train extends Op
  case object Eval extends Op
  final case class SetSeed(seed: Long) extends Op
  final case class SetP(p: Double) extends Op

}
