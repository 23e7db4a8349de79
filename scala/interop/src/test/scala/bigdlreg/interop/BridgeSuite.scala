package bigdlreg.interop

import java.io.{BufferedReader, File, InputStreamReader}
import java.nio.{ByteBuffer, ByteOrder}
import java.nio.file.Files
import java.util.concurrent.{Callable, Executors, TimeUnit}


import org.scalatest.funsuite.AnyFunSuite

import bigdlreg.nn._
import bigdlreg.tensor.{Engine, Tensor, TensorNumeric}

class BridgeSuite extends AnyFunSuite {

  private var nextArena = 1000

  /** A fresh arena file of `size` bytes attached to `bridge`; returns its id. The
    * file is deleted right away, as the Python side does. */
  private def attachArena(bridge: Bridge, size: Long): Int = synchronized {
    nextArena += 1
    val f = File.createTempFile("bigdl-reg-test-arena-", ".bin")
    try {
      val raf = new java.io.RandomAccessFile(f, "rw")
      try raf.setLength(size) finally raf.close()
      bridge.attach(nextArena, f.getPath, size)
    } finally f.delete()
    nextArena
  }

  private def tempArena(size: Long): (File, SharedArena) = {
    val f = File.createTempFile("bigdl-reg-test-arena-", ".bin")
    f.deleteOnExit()
    val raf = new java.io.RandomAccessFile(f, "rw")
    try raf.setLength(size) finally raf.close()
    (f, SharedArena.map(1, f.getPath, size))
  }

  private def leBytes(a: Array[Float]): Array[Byte] = {
    val b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN)
    b.asFloatBuffer().put(a)
    b.array()
  }

  private def inputF(n: Int, salt: Int): Array[Float] =
    Array.tabulate(n)(i => ((i * 7919 + salt * 104729) % 2001 - 1000) / 37.0f)
  private def inputD(n: Int, salt: Int): Array[Double] =
    Array.tabulate(n)(i => ((i * 7919 + salt * 104729) % 2001 - 1000) / 37.0)

  // ------------------------------------------------------------------ SharedArena

  test("SharedArena: little-endian round trip through the file") {
    val (f, arena) = tempArena(4096)
    val xs         = Array(1.5f, -0.0f, Float.NaN, Float.PositiveInfinity, 3.25e-7f)
    arena.writeFloats(64, xs, xs.length)
    val onDisk = Files.readAllBytes(f.toPath)
    assert(onDisk.slice(64, 64 + 20).sameElements(leBytes(xs)))

    // bytes written through another channel are seen by the mapping
    val ds  = Array(math.Pi, -1e300, Double.MinPositiveValue)
    val buf = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
    buf.asDoubleBuffer().put(ds)
    val ch = java.nio.channels.FileChannel.open(f.toPath, java.nio.file.StandardOpenOption.WRITE)
    try ch.write(buf, 128) finally ch.close()
    val back = new Array[Double](3)
    arena.readDoubles(128, back, 3)
    assert(back.map(java.lang.Double.doubleToRawLongBits).sameElements(ds.map(java.lang.Double.doubleToRawLongBits)))

    val fs = new Array[Float](xs.length)
    arena.readFloats(64, fs, xs.length)
    assert(fs.map(java.lang.Float.floatToRawIntBits).sameElements(xs.map(java.lang.Float.floatToRawIntBits)))
    arena.close()
  }

  test("SharedArena: out-of-range and misaligned accesses are IllegalArgumentException") {
    val (_, arena) = tempArena(1024)
    val a          = new Array[Float](8)
    assertThrows[IllegalArgumentException](arena.readFloats(1024 - 16, a, 8))
    assertThrows[IllegalArgumentException](arena.readFloats(2, a, 1))
    assertThrows[IllegalArgumentException](arena.writeDoubles(-8, new Array[Double](1), 1))
    arena.readFloats(1024 - 32, a, 8) // exactly fits
    arena.close()
    val e = intercept[IllegalStateException](arena.readFloats(0, a, 1))
    assert(e.getMessage.contains("detached"))
    arena.close() // idempotent
  }

  test("SharedArena: size limits and missing files") {
    assertThrows[IllegalArgumentException](SharedArena.map(1, "/nonexistent/bigdl-reg", 16))
    val (f, a) = tempArena(64)
    a.close()
    assertThrows[IllegalArgumentException](SharedArena.map(2, f.getPath, 128)) // file too small
    assertThrows[IllegalArgumentException](SharedArena.map(3, f.getPath, SharedArena.MaxSize + 1))
  }

  test("SharedArena: a file mapped in small windows reads and writes across window edges") {
    val size = 4096L + 192 // 4 windows of 1024 bytes and a partial one
    val f    = File.createTempFile("bigdl-reg-test-arena-", ".bin")
    f.deleteOnExit()
    val raf = new java.io.RandomAccessFile(f, "rw")
    try raf.setLength(size) finally raf.close()
    val arena = SharedArena.map(1, f.getPath, size, window = 1024)
    assert(arena.windows == 5)
    // floats from byte 1000 to 3400: start mid-window, cross three edges
    val xs = inputF(600, 1)
    arena.writeFloats(1000, xs, xs.length)
    assert(Files.readAllBytes(f.toPath).slice(1000, 1000 + 2400).sameElements(leBytes(xs)))
    val back = new Array[Float](600)
    arena.readFloats(1000, back, 600)
    assert(back.map(java.lang.Float.floatToRawIntBits).sameElements(xs.map(java.lang.Float.floatToRawIntBits)))
    // doubles up to the last byte, and raw bytes across an edge
    val ds = inputD(size.toInt / 8 - 100, 2)
    arena.writeDoubles(800, ds, ds.length)
    val dback = new Array[Double](ds.length)
    arena.readDoubles(800, dback, ds.length)
    assert(dback.map(java.lang.Double.doubleToRawLongBits).sameElements(ds.map(java.lang.Double.doubleToRawLongBits)))
    arena.writeBytes(1020, Array[Byte](1, 2, 3, 4, 5, 6, 7, 8))
    assert(arena.readBytes(1020, 8).sameElements(Array[Byte](1, 2, 3, 4, 5, 6, 7, 8)))
    assertThrows[IllegalArgumentException](arena.readDoubles(size - 8, new Array[Double](2), 2))
    assertThrows[IllegalArgumentException](SharedArena.map(2, f.getPath, size, window = 1000)) // not a multiple of 64
    assertThrows[IllegalArgumentException](SharedArena.map(2, f.getPath, size, window = SharedArena.MaxWindow * 2))
    arena.close()
    assert(intercept[IllegalStateException](arena.readFloats(0, back, 1)).getMessage.contains("detached"))
  }

  // ------------------------------------------------------------------ Bridge

  private case class Spec(layer: String, args: LayerArgs, shape: Array[Int])

  private val specs = Seq(
    Spec("Dropout", LayerArgs(0.3), Array(3, 5, 7)),
    Spec("Dropout", LayerArgs(0.3, scale = false), Array(1001)),
    Spec("GaussianDropout", LayerArgs(0.4), Array(4, 33)),
    Spec("GaussianNoise", LayerArgs(0.75), Array(2, 3, 11)),
    Spec("SpatialDropout1D", LayerArgs(0.5), Array(4, 6, 5)),
    Spec("SpatialDropout2D", LayerArgs(0.4, format = DataFormat.NHWC), Array(2, 3, 4, 6)),
    Spec("SpatialDropout3D", LayerArgs(0.6, format = DataFormat.NCHW), Array(2, 5, 2, 3, 2))
  )

  private def direct[T: TensorNumeric](s: Spec, seed: Long): NoiseModule[T] =
    Layers.byName(s.layer).build[T](s.args, seed)(implicitly[TensorNumeric[T]].classTag, implicitly)

  /** `bridge.create` with the arguments as Python sends them. */
  private def create(bridge: Bridge, layer: String, dtype: String, args: LayerArgs): Int =
    bridge.create(layer, dtype, args.value, args.scale, args.format.value,
      args.noiseShape.map(_.map(_.fold("None")(_.toString)).mkString(",")).orNull)

  /** One stateless call through arena `arena` of `bridge`: `x` written at byte 0, the
    * call's output read back from `outOffset`. */
  private final class Calls[T](bridge: Bridge, arena: Int, d: Bridge.DType[T], outOffset: Long = 0L) {
    import d.{ev, tag}
    private def a = bridge.sharedArena(arena)
    private def through(x: Tensor[T])(call: String => Unit): Tensor[T] = {
      val n = x.nElement()
      d.write(a, 0L, x.storage.clone(), n)
      call(x.shape.mkString(","))
      val y = new Array[T](n); d.read(a, outOffset, y, n)
      Tensor[T](y, x.shape)
    }
    def forward(h: Int, seed: Long, step: Long, training: Boolean, batchOffset: Long, x: Tensor[T]): Tensor[T] =
      through(x)(shape => bridge.forward(h, seed, step, training, batchOffset, arena, 0L, shape, outOffset))
    def backward(h: Int, seed: Long, step: Long, training: Boolean, batchOffset: Long, g: Tensor[T]): Tensor[T] =
      through(g)(shape => bridge.backward(h, seed, step, training, batchOffset, arena, 0L, shape, outOffset))
    /** (the returned "<kind>:<shape>", the cells written). */
    def noise(h: Int, seed: Long, step: Long, batchOffset: Long, inputShape: Array[Int], cells: Int): (String, Seq[T]) = {
      val kind = bridge.noise(h, seed, step, batchOffset, inputShape.mkString(","), arena, outOffset)
      val v = new Array[T](cells); d.read(a, outOffset, v, cells)
      (kind, v.toSeq)
    }
  }

  private def tensorOf[T](d: Bridge.DType[T], shape: Array[Int], salt: Int): Tensor[T] = {
    import d.ev
    val v = inputD(shape.product, salt)
    Tensor[T](Array.tabulate(v.length)(i => ev.fromDouble(v(i)))(d.tag), shape)
  }

  /** The module's noise as the bridge writes it: a keep mask as 1/0, factors and addends as they are. */
  private def noiseCells[T](n: Noise[T])(implicit ev: TensorNumeric[T]): Seq[T] = n match {
    case Noise.Keep(_, keep)   => keep.toSeq.map(k => if (k) ev.one else ev.zero)
    case Noise.Factors(values) => values.storage.toSeq
    case Noise.Addends(values) => values.storage.toSeq
  }

  private def bitsOf[T](t: Tensor[T]): Seq[Long] = t.storage.toSeq.map {
    case f: Float  => java.lang.Float.floatToRawIntBits(f).toLong
    case v: Double => java.lang.Double.doubleToRawLongBits(v)
    case other     => fail(s"unexpected element $other")
  }

  /** Every spec's forward, backward and noise through the bridge = a NoiseModule's. */
  private def bridgeMatchesModules(): Unit = {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 1 << 20)
    def check[T](d: Bridge.DType[T]): Unit = {
      import d.ev
      val calls = new Calls[T](bridge, arena, d, outOffset = if (d == Bridge.DType.Float32) 0L else 16384L)
      for (s <- specs; seed <- Seq(42L, -1L)) {
        val h   = create(bridge, s.layer, d.name, s.args)
        val ref = direct[T](s, seed)
        for ((train, k) <- Seq(true, true, false, true).zipWithIndex) {
          if (train) ref.training() else ref.evaluate()
          val step = ref.getStep // the step this forward draws at (the module advances after it)
          val x = tensorOf(d, s.shape, k); val g = tensorOf(d, s.shape, k + 100)
          val y = calls.forward(h, seed, step, train, 0L, x)
          assert(bitsOf(y) == bitsOf(ref.forward(x)), s"${s.layer} ${d.name} forward $k")
          assert(bitsOf(calls.backward(h, seed, step, train, 0L, g)) == bitsOf(ref.backward(x, g)),
            s"${s.layer} ${d.name} backward $k")
          if (train) {
            val want = ref.noise()
            val (kind, cells) = calls.noise(h, seed, step, 0L, s.shape, want.shape.product)
            assert(kind == s"${ref.noiseKind.name}:${want.shape.mkString(",")}")
            assert(cells == noiseCells(want), s"${s.layer} ${d.name} noise $k")
          }
        }
        // a slice of a larger batch: rows 1.. at batch offset 1, as the module's forward(x, 1)
        val rows  = s.shape.updated(0, s.shape(0) - 1)
        val x     = tensorOf(d, rows, 7)
        val step  = ref.getStep
        val y     = calls.forward(h, seed, step, true, 1L, x)
        assert(bitsOf(y) == bitsOf(ref.forward(x, 1L)), s"${s.layer} ${d.name} batch offset")
        val g = tensorOf(d, rows, 8)
        assert(bitsOf(calls.backward(h, seed, step, true, 1L, g)) == bitsOf(ref.backward(x, g)))
        val want = ref.noise()
        assert(calls.noise(h, seed, step, 1L, rows, want.shape.product)._2 == noiseCells(want))
        assert(bridge.release(h) && !bridge.release(h))
      }
    }
    check(Bridge.DType.Float32)
    check(Bridge.DType.Float64)
    assert(bridge.liveModules() == 0)
    assert(bridge.detach(arena) && !bridge.detach(arena))
  }

  test("Bridge: forward, backward and noise under (seed, step, mode) give the bytes of a NoiseModule in that state") {
    bridgeMatchesModules()
  }

  test("Bridge: chunks staged through the arena give the same bytes at any chunk size and thread count") {
    val (threads, chunk) = (Engine.threads, Engine.chunkSize)
    try {
      for ((t, c) <- Seq((1, 7), (3, 7), (3, 64), (2, 1))) {
        Engine.setThreads(t); Engine.setChunkSize(c)
        bridgeMatchesModules()
      }
    } finally { Engine.setThreads(threads); Engine.setChunkSize(chunk) }
  }

  test("Bridge: an output that partly overlaps the input is refused before anything is written") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 1 << 16)
    val h      = create(bridge, "Dropout", "float32", LayerArgs(0.5))
    val before = bridge.sharedArena(arena).readBytes(0, 1024)
    val e = intercept[IllegalArgumentException](bridge.forward(h, 1L, 0L, true, 0L, arena, 0L, "100", 396L))
    assert(e.getMessage == "Bridge: the output at byte 396 overlaps the input at byte 0 (400 bytes each); " +
      "they must be the same or disjoint")
    assert(bridge.sharedArena(arena).readBytes(0, 1024).sameElements(before))
    bridge.forward(h, 1L, 0L, true, 0L, arena, 0L, "100", 400L) // adjacent: disjoint
  }

  test("Bridge: nothing is remembered; the output may overwrite the input; any step, in O(1)") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 1 << 16)
    val calls  = new Calls[Float](bridge, arena, Bridge.DType.Float32)
    val h      = create(bridge, "Dropout", "float32", LayerArgs(0.5))
    val x      = tensorOf(Bridge.DType.Float32, Array(8, 8), 6)
    val first  = bitsOf(calls.forward(h, 42L, 3L, true, 0L, x))
    calls.forward(h, 42L, 4L, true, 0L, x)
    assert(bitsOf(calls.forward(h, 42L, 3L, true, 0L, x)) == first) // same arguments, same bytes
    val big = 1000000000000L // 10^12 steps: nothing is replayed
    def expected(step: Long, src: Array[Float]): Seq[Long] = {
      val dst = new Array[Float](64)
      NoiseOp.dropout(0.5, true)(42L, step, Array(8, 8), Array(8, 8), src, dst)
      dst.toSeq.map(v => java.lang.Float.floatToRawIntBits(v).toLong)
    }
    val t0 = System.nanoTime()
    assert(bitsOf(calls.forward(h, 42L, big, true, 0L, x)) == expected(big, x.storage))
    assert(bitsOf(calls.backward(h, 42L, big - 1, true, 0L, x)) == expected(big - 1, x.storage))
    assert(System.nanoTime() - t0 < 5000000000L)
  }

  test("Bridge: 0-d and empty inputs") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 4096)
    val calls  = new Calls[Float](bridge, arena, Bridge.DType.Float32)
    val h      = create(bridge, "Dropout", "float32", LayerArgs(0.5))
    val ref    = Dropout[Float](initP = 0.5, seed = 3L)
    assert(calls.forward(h, 3L, 0L, true, 0L, Tensor.scalar(2.5f)) == ref.forward(Tensor.scalar(2.5f)))
    assert(calls.forward(h, 3L, 1L, true, 0L, Tensor.zeros[Float](0, 3)).shape.toSeq == Seq(0, 3))
    assert(bridge.noise(h, 3L, 0L, 0L, "", arena, 0L) == "keep:")
  }

  test("Bridge: engine and bridge errors propagate with their types and messages") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 4096)
    val e1     = intercept[IllegalArgumentException](create(bridge, "Dropout", "float32", LayerArgs(1.5)))
    assert(e1.getMessage == "Dropout: init_p must be in [0, 1], got 1.5")
    val h  = create(bridge, "SpatialDropout2D", "float64", LayerArgs(0.5))
    val e3 = intercept[IllegalArgumentException](bridge.forward(h, 1L, 0L, true, 0L, arena, 0L, "2,3", 0L))
    assert(e3.getMessage == "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)")
    assert(intercept[IllegalArgumentException](bridge.backward(h, 1L, 0L, true, 0L, arena, 0L, "2,3", 0L)).getMessage ==
      e3.getMessage)
    assert(intercept[IllegalArgumentException](bridge.noise(h, 1L, 0L, 0L, "2,3", arena, 0L)).getMessage == e3.getMessage)
    assert(intercept[IllegalArgumentException](create(bridge, "Dropout", "int8", LayerArgs(0.5))).getMessage.contains("float32"))
    assert(intercept[IllegalArgumentException](create(bridge, "Nope", "float32", LayerArgs(0.5))).getMessage.contains("unknown layer"))
    assert(intercept[IllegalArgumentException](create(bridge, "GaussianNoise", "float32", LayerArgs(0.5, scale = false)))
      .getMessage.contains("no parameter scale"))
    assert(intercept[IllegalArgumentException](create(bridge, "GaussianNoise", "float32", LayerArgs(-1.0))).getMessage.contains("stddev"))
    assert(intercept[IllegalArgumentException](bridge.create("SpatialDropout2D", "float32", 0.5, true, "NCWH", null))
      .getMessage.contains("NCWH"))
    assert(intercept[IllegalStateException](bridge.forward(999999, 1L, 0L, true, 0L, arena, 0L, "1", 0L)).getMessage.contains("999999"))
    assert(intercept[IllegalStateException](bridge.forward(h, 1L, 0L, true, 0L, 424242, 0L, "1,1,1", 0L)).getMessage.contains("424242"))
    // an input that does not fit the arena
    assert(intercept[IllegalArgumentException](bridge.forward(h, 1L, 0L, true, 0L, arena, 0L, "1,1,1000", 0L)).getMessage
      .contains("does not fit"))
    assert(intercept[IllegalArgumentException](bridge.forward(h, 1L, 0L, true, -1L, arena, 0L, "1,1,1", 0L)).getMessage
      .contains("batch"))
  }

  test("Bridge: the stateful calls are gone (since protocol 7: the caller holds the state)") {
    val names = classOf[Bridge].getMethods.map(_.getName).toSet
    for (gone <- Seq("setTraining", "isTraining", "setSeed", "getSeed", "getStep", "setP", "restore", "noiseShape"))
      assert(!names(gone), gone)
    assert(Bridge.ProtocolVersion == 8)
  }

  test("Bridge: resume = Layers.fromState then forwards; 10 straight == 5 + resume(5)") {
    val bridge = new Bridge()
    for ((layer, args, dtype, shape) <- Seq(
           ("Dropout", LayerArgs(0.3), "float32", Array(4, 6)),
           ("GaussianNoise", LayerArgs(0.5, noiseShape = Some(Seq(None, Some(1)))), "float64", Array(3, 5)),
           ("SpatialDropout2D", LayerArgs(0.4, format = DataFormat.NHWC), "float32", Array(2, 3, 3, 4)))) {
      def run[T](d: Bridge.DType[T]): Unit = {
        import d.{ev, tag}
        val x        = Bridge.pattern[T](shape)
        val straight = Layers.byName(layer).build[T](args, 77L)
        val outs     = (0 until 10).map(_ => ev.toBytes(straight.forward(x).storage.clone()))
        val half     = Layers.byName(layer).build[T](args, 77L)
        (0 until 5).foreach(_ => half.forward(x))
        val Array(sha, after) = bridge.resume(half.getState.toJson, shape.mkString(","), 5).split('|')
        val want = java.security.MessageDigest.getInstance("SHA-256")
        outs.drop(5).foreach(want.update)
        assert(sha == want.digest().map(b => f"${b & 0xff}%02x").mkString, layer)
        assert(after == straight.getState.toJson, layer)
      }
      run(Bridge.DType(dtype))
    }
    val m = Dropout[Double](0.5, seed = 1L)
    assert(bridge.resume(m.getState.toJson, "3", 0) ==
      s"${Bridge.sha256LE(Tensor.zeros[Double](0))}|${m.getState.toJson}")
    assert(intercept[IllegalArgumentException](bridge.resume("{}", "3", 1)).getMessage.startsWith("LayerState: "))
    assert(intercept[IllegalArgumentException](bridge.resume(m.getState.toJson, "3", -1)).getMessage.contains("forwards"))
  }

  test("Bridge: referenceDigest hashes the engine's own output and gradient") {
    def le(t: Tensor[_]): Array[Byte] = t.storage match {
      case f: Array[Float] =>
        val b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN); b.asFloatBuffer().put(f); b.array()
      case d: Array[Double] =>
        val b = ByteBuffer.allocate(d.length * 8).order(ByteOrder.LITTLE_ENDIAN); b.asDoubleBuffer().put(d); b.array()
      case _ => fail("unexpected storage")
    }
    def hex(t: Tensor[_]): String =
      java.security.MessageDigest.getInstance("SHA-256").digest(le(t)).map(b => f"${b & 0xff}%02x").mkString
    def patF(n: Int) = Array.tabulate(n)(i => (((i * 7919L) % 1009 - 504) / 64.0).toFloat)
    def patD(n: Int) = Array.tabulate(n)(i => ((i * 7919L) % 1009 - 504) / 64.0)

    val b = new Bridge()
    // Dropout(0.5, seed 42), float32 (4, 16), 3 forwards
    locally {
      val shape = Array(4, 16)
      val m     = Dropout[Float](initP = 0.5, seed = 42L)
      var y: Tensor[Float] = null
      for (_ <- 0 until 3) y = m.forward(Tensor[Float](patF(64), shape))
      val yHex = hex(y)
      val g    = m.backward(Tensor[Float](patF(64), shape), Tensor[Float](patF(64), shape))
      assert(b.referenceDigest("Dropout", "float32", 42L, 0.5, true, "NCHW", null, "4,16", 3) == s"$yHex:${hex(g)}")
    }
    // SpatialDropout2D NHWC float64, 1 forward; GaussianNoise float32, 2 forwards
    locally {
      val shape = Array(2, 3, 4, 5)
      val m     = SpatialDropout2D[Double](initP = 0.3, format = DataFormat.NHWC, seed = -1L)
      val y     = hex(m.forward(Tensor[Double](patD(120), shape)))
      val g     = m.backward(Tensor[Double](patD(120), shape), Tensor[Double](patD(120), shape))
      assert(b.referenceDigest("SpatialDropout2D", "float64", -1L, 0.3, true, "NHWC", null, "2,3,4,5", 1) ==
        s"$y:${hex(g)}")
    }
    locally {
      val m = GaussianNoise[Float](stddev = 0.5, seed = 7L)
      m.forward(Tensor[Float](patF(1000), Array(1000)))
      val y = hex(m.forward(Tensor[Float](patF(1000), Array(1000))))
      val g = m.backward(Tensor[Float](patF(1000), Array(1000)), Tensor[Float](patF(1000), Array(1000)))
      assert(b.referenceDigest("GaussianNoise", "float32", 7L, 0.5, true, "NCHW", null, "1000", 2) == s"$y:${hex(g)}")
    }
    // the pattern is exact in float32 and float64 and the same in both
    val pd = Bridge.pattern[Double](Array(5000)).storage
    val pf = Bridge.pattern[Float](Array(5000)).storage
    assert(pd.indices.forall(i => pd(i) == pf(i).toDouble && pd(i) == patD(5000)(i)))
    assert(pd.min == -7.875 && pd.max == 7.875)
    assert(intercept[IllegalArgumentException](b.referenceDigest("Dropout", "float32", 1L, 0.5, true, "NCHW", null, "3", 0)).getMessage
      .contains("forwards"))
    assert(intercept[IllegalArgumentException](b.referenceDigest("Dropout", "int8", 1L, 0.5, true, "NCHW", null, "3", 1)).getMessage
      .contains("float32"))
  }

  test("Bridge: concurrent threads, on different configurations or on one, equal sequential calls") {
    val bridge  = new Bridge()
    val threads = 6
    val calls   = 40
    val shared  = create(bridge, "Dropout", "float32", LayerArgs(0.5))
    def run(t: Int, arena: Int, one: Boolean): Seq[Long] = {
      val s     = specs(t % specs.size)
      val h     = if (one) shared else create(bridge, s.layer, "float32", s.args)
      val shape = if (one) Array(64) else s.shape
      val c     = new Calls[Float](bridge, arena, Bridge.DType.Float32)
      val bytes = (0 until calls).flatMap { k =>
        bitsOf(c.forward(h, 1000L + t, k.toLong, true, 0L, tensorOf(Bridge.DType.Float32, shape, k)))
      }
      if (!one) bridge.release(h)
      bytes
    }
    val arenas = (0 until threads).map(_ => attachArena(bridge, 1 << 16))
    for (one <- Seq(false, true)) {
      val sequential = (0 until threads).map(t => run(t, arenas(t), one))
      val pool       = Executors.newFixedThreadPool(threads)
      try {
        val futures  = (0 until threads).map(t => pool.submit(new Callable[Seq[Long]] { def call() = run(t, arenas(t), one) }))
        val parallel = futures.map(_.get(60, TimeUnit.SECONDS))
        assert(parallel == sequential, s"one configuration: $one")
      } finally pool.shutdownNow()
    }
    assert(bridge.liveModules() == 1)
  }

  test("Bridge: arguments, shapes and info") {
    assert(Bridge.layerArgs("Dropout", 0.3, false, "NHWC", "None, 1") ==
      LayerArgs(0.3, scale = false, format = DataFormat.NHWC, noiseShape = Some(Seq(None, Some(1)))))
    assert(Bridge.layerArgs("Dropout", 0.3, true, "NCHW", "").noiseShape.contains(Seq.empty))
    assert(Bridge.layerArgs("Dropout", 0.3, true, "NCHW", null).noiseShape.isEmpty)
    assert(Bridge.parseShape("") sameElements Array.emptyIntArray)
    assert(Bridge.parseShape("2, 3") sameElements Array(2, 3))
    assertThrows[IllegalArgumentException](Bridge.parseShape("2,x"))
    val b = new Bridge()
    assert(b.protocolVersion() == Bridge.ProtocolVersion)
    assert(b.pid() == ProcessHandle.current().pid())
    assert(b.version().nonEmpty)
  }

  test("CallSocket: the token first, then forwards and backwards with the bridge's errors; a wrong token is closed") {
    import java.net.{StandardProtocolFamily, UnixDomainSocketAddress}
    import java.nio.channels.SocketChannel
    val dir    = Files.createTempDirectory("bigdl-reg-test-calls")
    val path   = dir.resolve("calls.sock")
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 1 << 16)
    val calls  = CallSocket.start(path, "secret", bridge, new ConnectionGuard(5000L, 8))
    def connect(token: String): SocketChannel = {
      val c = SocketChannel.open(StandardProtocolFamily.UNIX)
      c.connect(UnixDomainSocketAddress.of(path))
      val t = token.getBytes("UTF-8")
      write(c, ByteBuffer.allocate(2 + t.length).order(ByteOrder.LITTLE_ENDIAN).putShort(t.length.toShort).put(t))
      c
    }
    def write(c: SocketChannel, b: ByteBuffer): Unit = { b.flip(); while (b.hasRemaining) c.write(b) }
    def read(c: SocketChannel, n: Int): ByteBuffer = {
      val b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN)
      while (b.hasRemaining) if (c.read(b) < 0) throw new java.io.EOFException()
      b.flip(); b
    }
    def call(c: SocketChannel, op: Int, handle: Int, shape: String): Option[(String, String)] = {
      val sh = shape.getBytes("UTF-8")
      write(c, ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).put(op.toByte).putInt(handle).putLong(42L)
        .putLong(3L).put(1.toByte).putLong(0L).putInt(arena).putShort(sh.length.toShort).put(sh))
      if (read(c, 1).get() == 0) None
      else {
        val cls = new String(read(c, read(c, 2).getShort() & 0xFFFF).array(), "UTF-8")
        val n = read(c, 4).getInt()
        Some((cls, if (n < 0) null else new String(read(c, n).array(), "UTF-8")))
      }
    }
    try {
      val c = connect("secret")
      val h = create(bridge, "Dropout", "float32", LayerArgs(0.5))
      val x = tensorOf(Bridge.DType.Float32, Array(4, 5), 3)
      Bridge.DType.Float32.write(bridge.sharedArena(arena), 0L, x.storage.clone(), 20)
      assert(call(c, CallSocket.Forward, h, "4,5").isEmpty)
      val y = new Array[Float](20); Bridge.DType.Float32.read(bridge.sharedArena(arena), 0L, y, 20)
      assert(bitsOf(Tensor[Float](y, Array(4, 5))) == bitsOf(functional.dropout(0.5, seed = 42L, step = 3L)(x)))
      assert(call(c, CallSocket.Backward, 999, "4,5") ==
        Some(("java.lang.IllegalStateException", "Bridge: no layer with handle 999 (it was released)")))
      assert(call(c, CallSocket.Forward, h, "4,x") == Some(("java.lang.IllegalArgumentException", "Bridge: bad shape \"4,x\"")))
      assert(call(c, 7, h, "4,5") == Some(("java.lang.IllegalArgumentException", "CallSocket: unknown operation 7")))
      assert(call(c, CallSocket.Forward, h, "4,5").isEmpty) // the connection survives the errors
      val intruder = connect("guess")
      assert(intruder.read(ByteBuffer.allocate(1)) == -1) // closed without an answer
      c.close(); intruder.close()
    } finally {
      calls.close()
      Files.deleteIfExists(path); Files.deleteIfExists(dir)
    }
    assert(!Files.exists(path))
  }

  test("Probes: heap and window figures; no gateway, no bindings") {
    assert(Probes.maxHeap() > 0 && Probes.heapUsedAfterGc() > 0)
    assert(Probes.engineForwardSeconds("SpatialDropout2D", 0.5, "NHWC", "2,4,4,3", 3) > 0.0)
    assert(intercept[IllegalArgumentException](Probes.engineForwardSeconds("Dropout", 0.5, "NCHW", "10", 0))
      .getMessage == "Probes: repeats must be >= 1, got 0")
    assert(Probes.arenaWindow() == SharedArena.DefaultWindow)
    assert(Probes.pinnedObjects() == -1)
  }

  // ------------------------------------------------------------------ GatewayMain

  private def gatewayProcess(token: Option[String], env: Map[String, String] = Map.empty): Process = {
    val java = new File(System.getProperty("java.home"), "bin/java").getPath
    val pb   = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "bigdlreg.interop.GatewayMain")
    pb.environment().remove(GatewayMain.TokenVariable)
    pb.environment().remove(GatewayMain.TestPortVariable)
    token.foreach(t => pb.environment().put(GatewayMain.TokenVariable, t))
    env.foreach { case (k, v) => pb.environment().put(k, v) }
    pb.start()
  }

  test("GatewayMain: without a token it exits with a clear message") {
    val p = gatewayProcess(None)
    assert(p.waitFor(60, TimeUnit.SECONDS))
    assert(p.exitValue() == 2)
    val err = new String(p.getErrorStream.readAllBytes(), "UTF-8")
    assert(err.contains(GatewayMain.TokenVariable))
  }

  test("GatewayMain: a port it cannot bind is exit status 3 and a line naming the port") {
    val taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress)
    try {
      val p = gatewayProcess(Some("s3cret"), Map(GatewayMain.TestPortVariable -> taken.getLocalPort.toString))
      assert(p.waitFor(60, TimeUnit.SECONDS))
      assert(p.exitValue() == 3)
      val err = new String(p.getErrorStream.readAllBytes(), "UTF-8")
      assert(err.contains(s"cannot bind port ${taken.getLocalPort} on 127.0.0.1"), err)
    } finally taken.close()
  }

  test("GatewayMain: prints its port, accepts only the token, exits when stdin closes") {
    val p = gatewayProcess(Some("s3cret"))
    try {
      val line = new BufferedReader(new InputStreamReader(p.getInputStream, "UTF-8")).readLine()
      assert(line != null && line.startsWith(GatewayMain.PortPrefix + " "), s"got $line")
      val port = line.split(' ')(1).toInt
      assert(port > 0)
      // py4j's auth handshake: a wrong token is refused, the right one accepted
      def auth(token: String): String = {
        val s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress, port)
        try {
          s.setSoTimeout(10000)
          s.getOutputStream.write(s"A\n$token\n".getBytes("UTF-8"))
          s.getOutputStream.flush()
          new BufferedReader(new InputStreamReader(s.getInputStream, "UTF-8")).readLine()
        } finally s.close()
      }
      assert(auth("s3cret") == "!yv")
      assert(auth("wrong") != "!yv")
      assert(p.isAlive)
      p.getOutputStream.close()
      assert(p.waitFor(30, TimeUnit.SECONDS), "the gateway must exit when its stdin closes")
      assert(p.exitValue() == 0)
    } finally p.destroyForcibly()
  }
}
