import sbt._

/** Writes the engine's kernels for Float and Double from one source,
  * scala/core/src/main/kernels/<Name>.scala.template -> <Name>.scala (package
  * bigdlreg.nn). The lines between `//> each element type` and
  * `//< each element type` are written once per element type, with the
  * template's words replaced as below; every other line once. The output is
  * the plain primitive loop of each type, bit for bit its IEEE arithmetic.
  * (A generic kernel over `Array[T]` with one typeclass call per element
  * measured as fast for the mask kernel, benchmarks/scala GenericKernel, but
  * only while the JIT inlines that call at every site; this does not depend
  * on it.)
  */
object KernelTemplates {

  /** The template's words and what they are for each element type. */
  val elementTypes: Seq[Seq[(String, String)]] = Seq(
    Seq("Elem" -> "Float", "ElemBits" -> "Int", "toElem" -> "toFloat", "toElemBits" -> "toInt",
      "elemToBits" -> "java.lang.Float.floatToRawIntBits", "elemFromBits" -> "java.lang.Float.intBitsToFloat"),
    Seq("Elem" -> "Double", "ElemBits" -> "Long", "toElem" -> "toDouble", "toElemBits" -> "toLong",
      "elemToBits" -> "java.lang.Double.doubleToRawLongBits", "elemFromBits" -> "java.lang.Double.longBitsToDouble"))

  def generate(templates: File, out: File): Seq[File] =
    IO.listFiles(templates).filter(_.getName.endsWith(".scala.template")).sorted.toSeq.map { t =>
      val target = out / "bigdlreg" / "nn" / t.getName.stripSuffix(".template")
      val text = expand(IO.read(t), t.getName)
      if (!target.exists || IO.read(target) != text) IO.write(target, text) // unchanged: no recompilation
      target
    }

  def expand(template: String, name: String): String = {
    val out = new StringBuilder(
      s"// Generated from scala/core/src/main/kernels/$name by project/KernelTemplates.scala: edit the template.\n")
    var section: Vector[String] = null // inside a per-element-type section
    for (line <- template.linesIterator) line.trim match {
      case "//> each element type" =>
        section = Vector.empty
      case "//< each element type" =>
        for (words <- elementTypes; l <- section) out ++= substitute(l, words) += '\n'
        section = null
      case _ =>
        if (section == null) out ++= line += '\n' else section :+= line
    }
    require(section == null, s"$name: a section `//> each element type` is not closed")
    out.toString
  }

  private def substitute(line: String, words: Seq[(String, String)]): String =
    words.foldLeft(line) { case (l, (word, value)) =>
      l.replaceAll(s"\\b$word\\b", java.util.regex.Matcher.quoteReplacement(value))
    }
}
