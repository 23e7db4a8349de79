package bigdlreg.nn

import bigdlreg.rng.RNG
import bigdlreg.tensor.TensorNumeric

/** A module's state for checkpoints, the same record in Scala and Python
  * (format 1): what [[NoiseModule.getState]] returns and [[NoiseModule.setState]] /
  * [[Layers.fromState]] take. [[toJson]] writes, in this key order,
  * {{{
  * {"format": 1, "layer": "Dropout", "params": {"init_p": 0.5, "inplace": false, "scale": true},
  *  "dtype": "float32", "seed": "42", "step": 5, "training": true, "resampling": true, "name": null,
  *  "last": null | {"seed": "42", "step": 4, "training": true, "shape": [2, 3], "batch_offset": 0, "params": {..}},
  *  "last_training": null | {same fields}}
  * }}}
  * `params` holds the layer's Python keywords in its constructor's order
  * (`init_p`, `inplace`, `scale`, `rate`, `stddev`, `data_format`,
  * `noise_shape` as a list with `null`; `noise_shape` is left out when none
  * was given, as Python's `get_config` does, and read as none when absent or
  * null). Seeds are decimal strings of the unsigned 64-bit value.
  *
  * @param params the layer's arguments now (`value`: init_p, rate or stddev)
  * @param dtype  "float32" or "float64"
  * @param last   the last forward (what backward replays)
  * @param lastTraining the last training forward (what `noise()` and resampling read)
  */
final case class LayerState(
    layer: String,
    params: LayerArgs,
    dtype: String,
    seed: Long,
    step: Long,
    training: Boolean,
    resampling: Boolean = true,
    name: Option[String] = None,
    last: Option[LayerState.Forward] = None,
    lastTraining: Option[LayerState.Forward] = None) {

  /** The record as JSON (Python's `json.dumps` spacing: `", "` and `": "`). */
  def toJson: String = {
    val spec = Layers.byName(layer)
    val sb = new StringBuilder
    sb.append("{\"format\": ").append(LayerState.Format)
    sb.append(", \"layer\": "); LayerState.writeString(sb, layer)
    sb.append(", \"params\": ").append(LayerState.paramsJson(spec, params))
    sb.append(", \"dtype\": "); LayerState.writeString(sb, dtype)
    sb.append(", \"seed\": \"").append(RNG.seedToString(seed)).append('"')
    sb.append(", \"step\": ").append(step)
    sb.append(", \"training\": ").append(training)
    sb.append(", \"resampling\": ").append(resampling)
    sb.append(", \"name\": "); name.fold(sb.append("null"))(n => LayerState.writeString(sb, n))
    for ((key, f) <- Seq("last" -> last, "last_training" -> lastTraining)) {
      sb.append(", \"").append(key).append("\": ")
      f match {
        case None => sb.append("null")
        case Some(r) =>
          sb.append("{\"seed\": \"").append(RNG.seedToString(r.seed)).append('"')
          sb.append(", \"step\": ").append(r.step)
          sb.append(", \"training\": ").append(r.training)
          sb.append(", \"shape\": ").append(r.shape.mkString("[", ", ", "]"))
          sb.append(", \"batch_offset\": ").append(r.batchOffset)
          sb.append(", \"params\": ").append(LayerState.paramsJson(spec, r.params))
          sb.append('}')
      }
    }
    sb.append('}').toString
  }

  override def toString: String = s"LayerState($toJson)"
}

object LayerState {

  /** The record's format number. */
  final val Format = 1

  /** A forward as the state records it: enough to replay its noise. */
  final case class Forward(seed: Long, step: Long, training: Boolean, shape: Seq[Int], batchOffset: Long,
      params: LayerArgs)

  /** Parses [[LayerState.toJson]]'s JSON (from Scala or Python). Strict: every key
    * present (`noise_shape` aside), no other key, each of its type; the message
    * names the key (`LayerState: "step" must be an integer >= 0, got "5"`).
    * The parameters are checked as the layer's constructor checks them. */
  def fromJson(json: String): LayerState = {
    if (json == null) throw new IllegalArgumentException("LayerState: the JSON is null")
    val root = obj(Json.parse(json), "the state")
    keys(root, "the state", Seq("format", "layer", "params", "dtype", "seed", "step", "training", "resampling",
      "name", "last", "last_training"))
    root("format") match {
      case Json.Num(t) if t == Format.toString =>
      case v => throw bad("format", s"$Format", v)
    }
    val layer = str(root("layer"), "layer")
    val spec =
      try Layers.byName(layer)
      catch { case e: IllegalArgumentException => throw new IllegalArgumentException(s"LayerState: ${e.getMessage}") }
    val dtype = str(root("dtype"), "dtype")
    if (dtype != "float32" && dtype != "float64") throw bad("dtype", "\"float32\" or \"float64\"", root("dtype"))
    def forward(key: String): Option[Forward] = root(key) match {
      case Json.Null => None
      case v =>
        val f = obj(v, key)
        keys(f, key, Seq("seed", "step", "training", "shape", "batch_offset", "params"))
        val shape = f("shape") match {
          case Json.Arr(items) => items.map(int(_, s"$key.shape", Int.MaxValue).toInt)
          case other           => throw bad(s"$key.shape", "a list of integers >= 0", other)
        }
        Some(Forward(seedOf(f("seed"), s"$key.seed"), int(f("step"), s"$key.step", Long.MaxValue),
          bool(f("training"), s"$key.training"), shape, int(f("batch_offset"), s"$key.batch_offset", Long.MaxValue),
          params(spec, f("params"), s"$key.params")))
    }
    val name = root("name") match {
      case Json.Null   => None
      case Json.Str(s) => Some(s)
      case v           => throw bad("name", "a string or null", v)
    }
    LayerState(layer, params(spec, root("params"), "params"), dtype, seedOf(root("seed"), "seed"),
      int(root("step"), "step", Long.MaxValue), bool(root("training"), "training"),
      bool(root("resampling"), "resampling"), name, forward("last"), forward("last_training"))
  }

  /** The `params` object of `args` for `spec` (see the class doc). */
  def paramsJson(spec: LayerSpec, args: LayerArgs): String = {
    val fields = spec.keywords.flatMap {
      case "inplace"     => Some("inplace" -> args.inplace.toString)
      case "scale"       => Some("scale" -> args.scale.toString)
      case "data_format" => Some("data_format" -> s""""${args.format}"""")
      case "noise_shape" => args.noiseShape.map(d => "noise_shape" -> d.map(_.fold("null")(_.toString)).mkString("[", ", ", "]"))
      case keyword       => Some(keyword -> jsonDouble(args.value))
    }
    fields.map { case (k, v) => s""""$k": $v""" }.mkString("{", ", ", "}")
  }

  /** An IllegalArgumentException unless the state's dtype is `ev`'s. */
  private[nn] def checkDtype(state: LayerState, ev: TensorNumeric[_]): Unit =
    if (state.dtype != ev.dtype)
      throw new IllegalArgumentException(s"${state.layer}: the state's dtype is ${state.dtype}, the layer's ${ev.dtype}")

  /** `v` as Python's `repr(float)` (hence `json.dumps`) writes it, so both languages write the same text:
    * the shortest decimal that reads back as `v`, fixed-point for exponents -4 to 15 (`0.3`, `0.0001`, `2.0`),
    * else `1e-05` / `1.5e+16`. */
  private[nn] def jsonDouble(v: Double): String = {
    if (v.isNaN || v.isInfinite) throw new IllegalArgumentException(s"LayerState: $v has no JSON form")
    val sign = if (v < 0 || (v == 0.0 && 1.0 / v < 0)) "-" else ""
    if (v == 0.0) return s"${sign}0.0"
    val exact = new java.math.BigDecimal(math.abs(v))
    val shortest = (1 to 17).iterator
      .map(n => exact.round(new java.math.MathContext(n, java.math.RoundingMode.HALF_EVEN)))
      .find(_.doubleValue == math.abs(v)).get.stripTrailingZeros
    val digits = shortest.unscaledValue.toString
    val point = digits.length - shortest.scale // value = 0.<digits> * 10^point
    val body =
      if (point - 1 < -4 || point - 1 >= 16) {
        val e = point - 1
        val mantissa = if (digits.length == 1) digits else s"${digits.head}.${digits.tail}"
        f"${mantissa}e${if (e < 0) "-" else "+"}${math.abs(e)}%02d"
      } else if (point <= 0) "0." + "0" * -point + digits
      else if (point >= digits.length) digits + "0" * (point - digits.length) + ".0"
      else s"${digits.take(point)}.${digits.drop(point)}"
    sign + body
  }

  private[nn] def writeString(sb: StringBuilder, s: String): StringBuilder = {
    sb.append('"')
    s.foreach {
      case '"'  => sb.append("\\\"")
      case '\\' => sb.append("\\\\")
      case '\n' => sb.append("\\n")
      case '\r' => sb.append("\\r")
      case '\t' => sb.append("\\t")
      case '\b' => sb.append("\\b")
      case '\f' => sb.append("\\f")
      case c if c < ' ' || c > '~' => sb.append(f"\\u${c.toInt}%04x") // ASCII only, as Python's json.dumps
      case c => sb.append(c)
    }
    sb.append('"')
  }

  // ---- reading ----

  private def bad(key: String, expected: String, got: Json): IllegalArgumentException =
    new IllegalArgumentException(s"""LayerState: "$key" must be $expected, got ${got.show}""")

  private def obj(v: Json, key: String): Map[String, Json] = v match {
    case Json.Obj(fields) => fields.toMap
    case other => throw new IllegalArgumentException(s"LayerState: $key must be a JSON object, got ${other.show}")
  }

  private def keys(o: Map[String, Json], what: String, expected: Seq[String], optional: Set[String] = Set.empty): Unit = {
    expected.find(k => !o.contains(k) && !optional(k)).foreach { k =>
      throw new IllegalArgumentException(s"""LayerState: $what has no key "$k"""")
    }
    o.keys.find(k => !expected.contains(k)).foreach { k =>
      throw new IllegalArgumentException(s"""LayerState: $what has an unknown key "$k" (expected ${expected.mkString(", ")})""")
    }
  }

  private def str(v: Json, key: String): String = v match {
    case Json.Str(s) => s
    case other       => throw bad(key, "a string", other)
  }

  private def bool(v: Json, key: String): Boolean = v match {
    case Json.Bool(b) => b
    case other        => throw bad(key, "true or false", other)
  }

  /** An integer literal in [0, max]. */
  private def int(v: Json, key: String, max: Long): Long = v match {
    case Json.Num(t) if t.forall(_.isDigit) && BigInt(t) <= max => t.toLong
    case other => throw bad(key, s"an integer in [0, $max]", other)
  }

  private def seedOf(v: Json, key: String): Long = v match {
    case Json.Str(s) if s.nonEmpty && s.forall(c => c >= '0' && c <= '9') && BigInt(s) <= Validation.MaxSeed =>
      RNG.parseSeed(s)
    case other => throw bad(key, s"""a decimal string in ["0", "${Validation.MaxSeed}"]""", other)
  }

  private def params(spec: LayerSpec, v: Json, key: String): LayerArgs = {
    val o = obj(v, key)
    keys(o, key, spec.keywords, optional = Set("noise_shape"))
    def flag(k: String) = if (o.contains(k)) bool(o(k), s"$key.$k") else false
    val value = o(spec.value.keyword) match {
      case Json.Num(t) => java.lang.Double.parseDouble(t)
      case other       => throw bad(s"$key.${spec.value.keyword}", "a number", other)
    }
    val format = o.get("data_format").fold[DataFormat](DataFormat.NCHW) { f =>
      DataFormat.parse(spec.name, str(f, s"$key.data_format"))
    }
    val noiseShape = o.get("noise_shape") match {
      case None | Some(Json.Null) => None
      case Some(Json.Arr(items)) =>
        Some(items.map {
          case Json.Null => None
          case e         => Some(int(e, s"$key.noise_shape", Int.MaxValue).toInt)
        })
      case Some(other) => throw bad(s"$key.noise_shape", "a list of integers and nulls, or null", other)
    }
    val args = LayerArgs(value, scale = if (o.contains("scale")) flag("scale") else true, format = format,
      noiseShape = noiseShape, inplace = flag("inplace"))
    new LayerConfig(spec, args) // the constructor's checks
    args
  }

  /** A minimal strict JSON reader (RFC 8259): numbers are kept as their text. */
  private sealed trait Json { def show: String }
  private object Json {
    final case class Obj(fields: Seq[(String, Json)]) extends Json { def show = "an object" }
    final case class Arr(items: Vector[Json]) extends Json { def show = "a list" }
    final case class Str(value: String) extends Json {
      def show: String = { val sb = new StringBuilder; writeString(sb, value).toString }
    }
    final case class Num(text: String) extends Json { def show: String = text }
    final case class Bool(value: Boolean) extends Json { def show: String = value.toString }
    case object Null extends Json { def show = "null" }

    def parse(s: String): Json = {
      var i = 0
      def fail(what: String) = new IllegalArgumentException(s"LayerState: invalid JSON at character $i: $what")
      def ws(): Unit = while (i < s.length && " \t\n\r".indexOf(s.charAt(i)) >= 0) i += 1
      def expect(c: Char): Unit = { if (i >= s.length || s.charAt(i) != c) throw fail(s"expected '$c'"); i += 1 }
      def literal(word: String, v: Json): Json =
        if (s.startsWith(word, i)) { i += word.length; v } else throw fail("unexpected token")
      def string(): String = {
        expect('"')
        val sb = new StringBuilder
        while (i < s.length && s.charAt(i) != '"') {
          val c = s.charAt(i)
          if (c < ' ') throw fail("control character in a string")
          if (c == '\\') {
            i += 1
            if (i >= s.length) throw fail("unterminated escape")
            s.charAt(i) match {
              case '"'  => sb.append('"')
              case '\\' => sb.append('\\')
              case '/'  => sb.append('/')
              case 'b'  => sb.append('\b')
              case 'f'  => sb.append('\f')
              case 'n'  => sb.append('\n')
              case 'r'  => sb.append('\r')
              case 't'  => sb.append('\t')
              case 'u' if i + 4 < s.length && s.substring(i + 1, i + 5).forall(Character.digit(_, 16) >= 0) =>
                sb.append(Integer.parseInt(s.substring(i + 1, i + 5), 16).toChar); i += 4
              case _ => throw fail("bad escape")
            }
          } else sb.append(c)
          i += 1
        }
        expect('"')
        sb.toString
      }
      def number(): Json = {
        val start = i
        val m = NumberPattern.pattern.matcher(s).region(i, s.length)
        if (!m.lookingAt()) throw fail("bad number")
        i = m.end()
        Num(s.substring(start, i))
      }
      def value(): Json = {
        ws()
        if (i >= s.length) throw fail("unexpected end")
        val v = s.charAt(i) match {
          case '{' =>
            i += 1; ws()
            val fields = Seq.newBuilder[(String, Json)]
            val seen = scala.collection.mutable.Set[String]()
            if (i < s.length && s.charAt(i) == '}') i += 1
            else {
              var more = true
              while (more) {
                ws()
                val k = string()
                if (!seen.add(k)) throw new IllegalArgumentException(s"""LayerState: duplicate key "$k"""")
                ws(); expect(':')
                fields += k -> value()
                ws()
                if (i < s.length && s.charAt(i) == ',') i += 1 else { expect('}'); more = false }
              }
            }
            Obj(fields.result())
          case '[' =>
            i += 1; ws()
            val items = Vector.newBuilder[Json]
            if (i < s.length && s.charAt(i) == ']') i += 1
            else {
              var more = true
              while (more) {
                items += value()
                ws()
                if (i < s.length && s.charAt(i) == ',') i += 1 else { expect(']'); more = false }
              }
            }
            Arr(items.result())
          case '"' => Str(string())
          case 't' => literal("true", Bool(true))
          case 'f' => literal("false", Bool(false))
          case 'n' => literal("null", Null)
          case _   => number()
        }
        ws()
        v
      }
      val v = value()
      if (i != s.length) throw fail("trailing characters")
      v
    }

    private val NumberPattern = """-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?""".r
  }
}
