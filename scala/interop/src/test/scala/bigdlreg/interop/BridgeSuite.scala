package bigdlreg.interop

import java.io.{BufferedReader, File, InputStreamReader}
import java.nio.{ByteBuffer, ByteOrder}
import java.nio.file.Files
import java.util.concurrent.{Callable, Executors, TimeUnit}


import org.scalatest.funsuite.AnyFunSuite

import bigdlreg.nn._
import bigdlreg.tensor.{Tensor, TensorNumeric}

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
    Layers.byName(s.layer).build[T](s.args, Some(seed))(implicitly[TensorNumeric[T]].classTag, implicitly)

  /** `bridge.create` with the arguments as Python sends them. */
  private def create(bridge: Bridge, layer: String, dtype: String, args: LayerArgs, seed: Long): Int =
    bridge.create(layer, dtype, seed, args.value, args.scale, args.format.value,
      args.noiseShape.map(_.map(_.fold("None")(_.toString)).mkString(",")).orNull)

  test("Bridge: forward/backward through arenas equal the module called directly, bit for bit") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 1 << 20)
    for (s <- specs; dtype <- Seq("float32", "float64"); seed <- Seq(42L, -1L)) {
      val n = s.shape.product
      val h = create(bridge, s.layer, dtype, s.args, seed)
      assert(bridge.getSeed(h) == seed && bridge.getStep(h) == 0 && bridge.isTraining(h))
      val shapeText = s.shape.mkString(",")
      val mode      = Seq(true, true, false, true)
      if (dtype == "float32") {
        val ref = direct[Float](s, seed)
        for ((train, k) <- mode.zipWithIndex) {
          bridge.setTraining(h, train); if (train) ref.training() else ref.evaluate()
          val x = inputF(n, k); val g = inputF(n, k + 100)
          bridge.module(h) // exists
          val a  = bridge.sharedArena(arena)
          a.writeFloats(0, x, n)
          val step = bridge.forward(h, arena, 0L, shapeText, 0L, 0L) // output over the input
          val y    = new Array[Float](n); a.readFloats(0, y, n)
          val yRef = ref.forward(Tensor[Float](x.clone(), s.shape))
          assert(Tensor[Float](y, s.shape) == yRef, s"${s.layer} $dtype forward $k")
          assert(step == ref.getStep && step == bridge.getStep(h))
          a.writeFloats(8192, g, n) // the input is never sent: the engine does not read it
          bridge.backward(h, arena, 8192L, shapeText, 8192L)
          val gi = new Array[Float](n); a.readFloats(8192, gi, n)
          assert(Tensor[Float](gi, s.shape) == ref.backward(Tensor[Float](x.clone(), s.shape), Tensor[Float](g.clone(), s.shape)))
        }
      } else {
        val ref = direct[Double](s, seed)
        for ((train, k) <- mode.zipWithIndex) {
          bridge.setTraining(h, train); if (train) ref.training() else ref.evaluate()
          val x = inputD(n, k); val g = inputD(n, k + 100)
          val a = bridge.sharedArena(arena)
          a.writeDoubles(0, x, n)
          val step = bridge.forward(h, arena, 0L, shapeText, 16384L, 0L)
          val y    = new Array[Double](n); a.readDoubles(16384, y, n)
          assert(Tensor[Double](y, s.shape) == ref.forward(Tensor[Double](x.clone(), s.shape)), s"${s.layer} $dtype forward $k")
          assert(step == ref.getStep)
          a.writeDoubles(32768, g, n)
          bridge.backward(h, arena, 32768L, shapeText, 0L)
          val gi = new Array[Double](n); a.readDoubles(0, gi, n)
          assert(Tensor[Double](gi, s.shape) == ref.backward(Tensor[Double](x.clone(), s.shape), Tensor[Double](g.clone(), s.shape)))
        }
      }
      bridge.setSeed(h, 7L)
      assert(bridge.getSeed(h) == 7L && bridge.getStep(h) == 0L)
      assert(bridge.release(h) && !bridge.release(h))
    }
    assert(bridge.liveModules() == 0)
    assert(bridge.detach(arena) && !bridge.detach(arena))
  }

  test("Bridge: 0-d and empty inputs") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 4096)
    val a      = bridge.sharedArena(arena)
    val h      = create(bridge, "Dropout", "float32", LayerArgs(0.5), 3L)
    a.writeFloats(0, Array(2.5f), 1)
    assert(bridge.forward(h, arena, 0L, "", 0L, 0L) == 1L)
    val ref = Dropout[Float](initP = 0.5, seed = Some(3L)).forward(Tensor.scalar(2.5f))
    val y   = new Array[Float](1); a.readFloats(0, y, 1)
    assert(Tensor[Float](y, Array.emptyIntArray) == ref)
    assert(bridge.forward(h, arena, 0L, "0,3", 0L, 0L) == 2L) // empty: the step still advances
  }

  test("Bridge: engine and bridge errors propagate with their types and messages") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 4096)
    val e1     = intercept[IllegalArgumentException](create(bridge, "Dropout", "float32", LayerArgs(1.5), 1L))
    assert(e1.getMessage == "Dropout: init_p must be in [0, 1], got 1.5")
    val h  = create(bridge, "SpatialDropout2D", "float64", LayerArgs(0.5), 1L)
    val e2 = intercept[IllegalStateException](bridge.backward(h, arena, 0L, "2,3,4", 0L))
    assert(e2.getMessage == "SpatialDropout2D: backward called before any forward")
    val e3 = intercept[IllegalArgumentException](bridge.forward(h, arena, 0L, "2,3", 0L, 0L))
    assert(e3.getMessage == "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)")
    bridge.forward(h, arena, 0L, "2,3,4", 0L, 0L)
    val e4 = intercept[IllegalArgumentException](bridge.backward(h, arena, 0L, "2,3,5", 0L))
    assert(e4.getMessage == "SpatialDropout2D: gradient shape (2, 3, 5) differs from the input shape (2, 3, 4) of the last forward")
    assert(intercept[IllegalArgumentException](create(bridge, "Dropout", "int8", LayerArgs(0.5), 1L)).getMessage.contains("float32"))
    assert(intercept[IllegalArgumentException](create(bridge, "Nope", "float32", LayerArgs(0.5), 1L)).getMessage.contains("unknown layer"))
    assert(intercept[IllegalArgumentException](create(bridge, "GaussianNoise", "float32", LayerArgs(0.5, scale = false), 1L))
      .getMessage.contains("no parameter scale"))
    assert(intercept[IllegalArgumentException](create(bridge, "GaussianNoise", "float32", LayerArgs(-1.0), 1L)).getMessage.contains("stddev"))
    assert(intercept[IllegalStateException](bridge.forward(999999, arena, 0L, "1", 0L, 0L)).getMessage.contains("999999"))
    assert(intercept[IllegalStateException](bridge.forward(h, 424242, 0L, "1", 0L, 0L)).getMessage.contains("424242"))
    // an input that does not fit the arena
    assert(intercept[IllegalArgumentException](bridge.forward(h, arena, 0L, "1,1,1000", 0L, 0L)).getMessage.contains("does not fit"))
  }

  test("Bridge: restore reproduces seed, step, mode and the last forward") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 1 << 16)
    val a      = bridge.sharedArena(arena)
    for ((layer, args, shape) <- Seq(
           ("Dropout", LayerArgs(0.4), Array(5, 7)),
           ("GaussianNoise", LayerArgs(0.3), Array(9)),
           ("SpatialDropout3D", LayerArgs(0.5, format = DataFormat.NHWC), Array(2, 2, 2, 2, 3)))) {
      val n   = shape.product
      val dims = shape.mkString(",")
      val old = create(bridge, layer, "float64", args, 99L)
      for (_ <- 0 until 5) { a.writeDoubles(0, inputD(n, 1), n); bridge.forward(old, arena, 0L, dims, 0L, 0L) }
      // a fresh module told where the old one stands behaves identically from here on
      for (lastTraining <- Seq(true, false)) {
        bridge.setTraining(old, lastTraining)
        a.writeDoubles(0, inputD(n, 2), n); bridge.forward(old, arena, 0L, dims, 0L, 0L)
        val step     = bridge.getStep(old)
        val lastStep = if (lastTraining) step - 1 else step
        val neu      = create(bridge, layer, "float64", args, 99L)
        bridge.restore(neu, 99L, step, lastTraining, true, 99L, lastStep, lastTraining, dims, 0L)
        assert(bridge.getStep(neu) == step && bridge.isTraining(neu) == lastTraining)
        assert(bridge.module(neu).lastForward.map(r => (r.seed, r.step, r.training, r.shape.toSeq)) ==
          bridge.module(old).lastForward.map(r => (r.seed, r.step, r.training, r.shape.toSeq)))
        val g = inputD(n, 3)
        def back(h: Int): Seq[Long] = {
          a.writeDoubles(8192, g, n)
          bridge.backward(h, arena, 8192L, dims, 8192L)
          val r = new Array[Double](n); a.readDoubles(8192, r, n); r.toSeq.map(java.lang.Double.doubleToRawLongBits)
        }
        assert(back(neu) == back(old), s"$layer backward after restore")
        bridge.setTraining(old, true); bridge.setTraining(neu, true)
        def fwd(h: Int): Seq[Long] = {
          a.writeDoubles(0, inputD(n, 4), n); bridge.forward(h, arena, 0L, dims, 0L, 0L)
          val r = new Array[Double](n); a.readDoubles(0, r, n); r.toSeq.map(java.lang.Double.doubleToRawLongBits)
        }
        assert(fwd(neu) == fwd(old), s"$layer forward after restore")
        bridge.release(neu)
      }
    }
  }

  test("Bridge: restore is O(1) at any step and needs no last forward") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 1 << 16)
    val a      = bridge.sharedArena(arena)
    val n      = 64
    val big    = 1000000000000L // 10^12 steps: a replay would take hours
    val h      = create(bridge, "Dropout", "float32", LayerArgs(0.5), 42L)
    val t0     = System.nanoTime()
    bridge.restore(h, 42L, big, true, true, 42L, big - 1, true, "8,8", 0L)
    assert(System.nanoTime() - t0 < 5000000000L)
    assert(bridge.getStep(h) == big && bridge.isTraining(h))
    // the backward of the restored last forward and the next forward use (42, big - 1) and (42, big)
    def expected(step: Long, x: Array[Float]): Seq[Int] = {
      val dst = new Array[Float](n)
      NoiseOp.dropout(0.5, true)(42L, step, Array(8, 8), Array(8, 8), x, dst)
      dst.toSeq.map(java.lang.Float.floatToRawIntBits)
    }
    val g = inputF(n, 5)
    a.writeFloats(0, g, n)
    bridge.backward(h, arena, 0L, "8,8", 0L)
    val gi = new Array[Float](n); a.readFloats(0, gi, n)
    assert(gi.toSeq.map(java.lang.Float.floatToRawIntBits) == expected(big - 1, g))
    val x = inputF(n, 6)
    a.writeFloats(0, x, n)
    assert(bridge.forward(h, arena, 0L, "8,8", 0L, 0L) == big + 1)
    val y = new Array[Float](n); a.readFloats(0, y, n)
    assert(y.toSeq.map(java.lang.Float.floatToRawIntBits) == expected(big, x))
    // no last forward: a step > 0 is fine (a set_seed-free history whose record is unknown)
    val h2 = create(bridge, "GaussianNoise", "float64", LayerArgs(0.5), 3L)
    bridge.restore(h2, 3L, big, false, false, 0L, 0L, true, "", 0L)
    assert(bridge.getStep(h2) == big && !bridge.isTraining(h2))
    assert(intercept[IllegalStateException](bridge.backward(h2, arena, 0L, "4", 0L)).getMessage ==
      "GaussianNoise: backward called before any forward")
    assert(intercept[IllegalArgumentException](bridge.restore(h2, 3L, -1L, true, false, 0L, 0L, true, "", 0L))
      .getMessage.contains("negative step"))
    val h3 = create(bridge, "SpatialDropout2D", "float32", LayerArgs(0.5), 1L)
    assert(intercept[IllegalArgumentException](bridge.restore(h3, 1L, 5L, true, true, 1L, 4L, true, "2,3", 0L))
      .getMessage == "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)")
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
      val m     = Dropout[Float](initP = 0.5, seed = Some(42L))
      var y: Tensor[Float] = null
      for (_ <- 0 until 3) y = m.forward(Tensor[Float](patF(64), shape))
      val yHex = hex(y)
      val g    = m.backward(Tensor[Float](patF(64), shape), Tensor[Float](patF(64), shape))
      assert(b.referenceDigest("Dropout", "float32", 42L, 0.5, true, "NCHW", null, "4,16", 3) == s"$yHex:${hex(g)}")
    }
    // SpatialDropout2D NHWC float64, 1 forward; GaussianNoise float32, 2 forwards
    locally {
      val shape = Array(2, 3, 4, 5)
      val m     = SpatialDropout2D[Double](initP = 0.3, format = DataFormat.NHWC, seed = Some(-1L))
      val y     = hex(m.forward(Tensor[Double](patD(120), shape)))
      val g     = m.backward(Tensor[Double](patD(120), shape), Tensor[Double](patD(120), shape))
      assert(b.referenceDigest("SpatialDropout2D", "float64", -1L, 0.3, true, "NHWC", null, "2,3,4,5", 1) ==
        s"$y:${hex(g)}")
    }
    locally {
      val m = GaussianNoise[Float](stddev = 0.5, seed = Some(7L))
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

  test("Bridge: concurrent threads on different modules and arenas equal sequential calls") {
    val bridge  = new Bridge()
    val threads = 6
    val calls   = 40
    def run(t: Int, arena: Int): Seq[Int] = {
      val s     = specs(t % specs.size)
      val n     = s.shape.product
      val h     = create(bridge, s.layer, "float32", s.args, 1000L + t)
      val a     = bridge.sharedArena(arena)
      val bytes = Seq.newBuilder[Int]
      for (k <- 0 until calls) {
        a.writeFloats(0, inputF(n, k), n)
        bridge.forward(h, arena, 0L, s.shape.mkString(","), 0L, 0L)
        val y = new Array[Float](n); a.readFloats(0, y, n)
        bytes ++= y.map(java.lang.Float.floatToRawIntBits)
      }
      bridge.release(h)
      bytes.result()
    }
    val arenas     = (0 until threads).map(_ => attachArena(bridge, 1 << 16))
    val sequential = (0 until threads).map(t => run(t, arenas(t)))
    val pool       = Executors.newFixedThreadPool(threads)
    try {
      val futures = (0 until threads).map(t => pool.submit(new Callable[Seq[Int]] { def call() = run(t, arenas(t)) }))
      val parallel = futures.map(_.get(60, TimeUnit.SECONDS))
      assert(parallel == sequential)
    } finally pool.shutdownNow()
    // two threads on one module are serialized: the steps they see are distinct
    val h      = create(bridge, "Dropout", "float32", LayerArgs(0.5), 5L)
    val pool2  = Executors.newFixedThreadPool(4)
    try {
      val fs = (0 until 4).map { t =>
        pool2.submit(new Callable[Seq[Long]] {
          def call() = (0 until 50).map { _ =>
            bridge.sharedArena(arenas(t)).writeFloats(0, inputF(64, 1), 64)
            bridge.forward(h, arenas(t), 0L, "64", 0L, 0L)
          }
        })
      }
      val steps = fs.flatMap(_.get(60, TimeUnit.SECONDS))
      assert(steps.sorted == (1L to 200L))
    } finally pool2.shutdownNow()
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

  test("Bridge: setP changes a mask layer's drop probability and keeps seed and step") {
    val bridge = new Bridge()
    val arena  = attachArena(bridge, 4096)
    val h      = create(bridge, "Dropout", "float32", LayerArgs(0.5), 9L)
    bridge.sharedArena(arena).writeFloats(0, inputF(16, 1), 16)
    bridge.forward(h, arena, 0L, "16", 0L, 0L)
    bridge.setP(h, 0.25)
    assert(bridge.module(h).asInstanceOf[DropProbability].p == 0.25 && bridge.getStep(h) == 1L && bridge.getSeed(h) == 9L)
    assert(intercept[IllegalArgumentException](bridge.setP(h, 1.5)).getMessage == "Dropout: init_p must be in [0, 1], got 1.5")
    val g = create(bridge, "GaussianNoise", "float32", LayerArgs(0.5), 9L)
    assert(intercept[IllegalArgumentException](bridge.setP(g, 0.1)).getMessage.contains("GaussianNoise"))
  }

  test("Probes: heap and window figures; no gateway, no bindings") {
    assert(Probes.maxHeap() > 0 && Probes.heapUsedAfterGc() > 0)
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
