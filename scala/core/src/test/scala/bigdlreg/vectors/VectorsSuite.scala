package bigdlreg.vectors

import java.nio.charset.StandardCharsets
import java.nio.file.Files

import bigdlreg.nn.NoiseOp
import bigdlreg.rng.{Philox, Ppnd16, RNG, WordCache}
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** Replays every case of the JSON files of tests/vectors on the engine and compares the
  * stored bytes exactly; checks rng.json's primitives; and checks the files
  * are what WriteVectors generates now (so they are never stale).
  */
class VectorsSuite extends AnyFunSuite with Matchers {
  import VectorCases._

  private def read(name: String): ujson.Value =
    ujson.read(new String(Files.readAllBytes(vectorsDir.resolve(name)), StandardCharsets.UTF_8))

  private def replay[T](layer: String, c: ujson.Value)(implicit ev: TensorNumeric[T]): Int = {
    val m = module[T](layer, c("params").obj, RNG.parseSeed(c("seed").str))
    m.getStep shouldBe 0L
    var compared = 0
    for ((call, i) <- c("calls").arr.zipWithIndex) withClue(s"${c("name").str} call $i: ") {
      call("mode").str match {
        case "train" => m.training()
        case "eval"  => m.evaluate()
      }
      val shape = call("shape").arr.map(_.num.toInt).toArray
      val x = Tensor.fromBytes[T](unb64(call("input").str), shape)
      val y = m.forward(x, call.obj.get("batch_offset").fold(0L)(_.num.toLong))
      y.shape shouldBe shape
      java.util.Arrays.equals(y.toBytes, unb64(call("output").str)) shouldBe true
      if (c("params").obj.get("inplace").exists(_.bool)) y should be theSameInstanceAs x
      compared += y.nElement()
      call.obj.get("grad_output").foreach { go =>
        val g = Tensor.fromBytes[T](unb64(go.str), shape)
        val gi = m.backward(x, g)
        java.util.Arrays.equals(gi.toBytes, unb64(call("grad_input").str)) shouldBe true
        compared += gi.nElement()
      }
      m.getStep shouldBe call("step_after").num.toLong
      call.obj.get("noise").foreach { n =>
        noiseJson(m.noise()) shouldBe n
        compared += n("shape").arr.map(_.num.toInt).product
      }
    }
    compared
  }

  for (layer <- Layers) {
    test(s"${fileName(layer)}: every stored byte is reproduced") {
      val doc = read(fileName(layer))
      doc("format").num shouldBe 1
      doc("layer").str shouldBe layer
      val cases = doc("cases").arr
      cases.size should be >= 10
      cases.map(_("name").str).distinct.size shouldBe cases.size
      var elements = 0
      for (c <- cases) elements += (c("dtype").str match {
        case "float32" => replay[Float](layer, c)
        case "float64" => replay[Double](layer, c)
      })
      elements should be > 1000
    }
  }

  test("rng.json: Philox words, mask halves, keep bits, normals, PPND16, thresholds, module seeds") {
    val doc = read("rng.json")
    doc("kind").str shouldBe "rng"
    def h(s: ujson.Value) = java.lang.Long.parseUnsignedLong(s.str, 16)
    for (k <- doc("philox_kat").arr) {
      val c = k("counter").arr.map(h); val key = k("key").arr.map(h)
      Philox.block(c(0), c(1), c(2), c(3), key(0), key(1)).toSeq shouldBe k("output").arr.map(h).toSeq
    }
    for (w <- doc("words").arr; (v, i) <- w("words").arr.zipWithIndex)
      Philox.word(RNG.parseSeed(w("seed").str), RNG.parseSeed(w("step").str), w("first_word").num.toLong + i) shouldBe h(v)
    for (m <- doc("masks").arr) {
      val cache = new WordCache(RNG.parseSeed(m("seed").str), RNG.parseSeed(m("step").str))
      val k = NoiseOp.keepThreshold(m("p").num)
      k.toString shouldBe m("k").str
      val first = m("first_cell").num.toLong
      for ((v, i) <- m("halves").arr.zipWithIndex) cache.maskHalf(first + i) shouldBe h(v)
      m("keep").str shouldBe m("halves").arr.map(v => if (h(v) < k) '1' else '0').mkString
    }
    for (n <- doc("normals").arr; (v, i) <- n("z_bits").arr.zipWithIndex) {
      val w = Philox.word(RNG.parseSeed(n("seed").str), RNG.parseSeed(n("step").str), n("first_word").num.toLong + i)
      java.lang.Double.doubleToRawLongBits(Ppnd16.fromWord(w)) shouldBe h(v)
    }
    for (p <- doc("ppnd16").arr) {
      val u = Ppnd16.uniform(h(p("word")))
      java.lang.Double.doubleToRawLongBits(u) shouldBe h(p("u_bits"))
      java.lang.Double.doubleToRawLongBits(Ppnd16(u)) shouldBe h(p("z_bits"))
    }
    // the stored vectors include the E/F tail branch (u < exp(-25))
    doc("ppnd16").arr.map(p => Ppnd16.uniform(h(p("word")))).exists(_ < Math.exp(-25)) shouldBe true
    for (t <- doc("keep_thresholds").arr) NoiseOp.keepThreshold(t("p").num).toString shouldBe t("k").str
    for (s <- doc("module_seeds").arr; (v, k) <- s("seeds").arr.zipWithIndex)
      RNG.seedToString(RNG.moduleSeed(RNG.parseSeed(s("global_seed").str), k.toLong)) shouldBe v.str
    // the golden module seeds (docs/contract.md, "Module seeds")
    doc("module_seeds").arr.head("seeds").arr.take(3).map(_.str).toSeq shouldBe
      Seq("15750355824863689988", "1764565832736296856", "8579000730504722971")
  }

  test("the stored files are exactly what WriteVectors generates now") {
    for ((name, doc) <- allDocuments) withClue(s"""$name (regenerate with bin/sbt "core/Test/runMain bigdlreg.vectors.WriteVectors"): """) {
      Files.exists(vectorsDir.resolve(name)) shouldBe true
      new String(Files.readAllBytes(vectorsDir.resolve(name)), StandardCharsets.UTF_8) shouldBe render(doc)
    }
  }

  test("every vector file has the checksum SHA256SUMS pins (a regenerated file is a visible change)") {
    val lines = new String(Files.readAllBytes(vectorsDir.resolve("SHA256SUMS")), StandardCharsets.UTF_8)
      .split("\n").filter(_.nonEmpty).toSeq
    val pinned = lines.map { l =>
      val Array(digest, name) = l.split("\\s+", 2)
      name.stripPrefix("*") -> digest
    }.toMap
    val present = Files.list(vectorsDir).toArray.toSeq.map(_.asInstanceOf[java.nio.file.Path].getFileName.toString)
      .filter(n => n.endsWith(".json") || n.endsWith(".bin") || n.endsWith(".txt")).sorted
    pinned.keys.toSeq.sorted shouldBe present
    for (name <- present) withClue(name) {
      val digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(vectorsDir.resolve(name)))
      digest.map(b => f"${b & 0xff}%02x").mkString shouldBe pinned(name)
    }
  }
}
