package bigdlreg.vectors

import java.nio.charset.StandardCharsets
import java.nio.file.Files

/** Writes the JSON files of tests/vectors from the engine:
  * `bin/sbt "core/Test/runMain bigdlreg.vectors.WriteVectors"`.
  * The case list lives in [[VectorCases]]; the sbt tests then check that the
  * stored files are exactly what this writes and replay every case.
  */
object WriteVectors {
  def main(args: Array[String]): Unit = {
    val dir = VectorCases.vectorsDir
    Files.createDirectories(dir)
    for ((name, doc) <- VectorCases.allDocuments) {
      val path = dir.resolve(name)
      Files.write(path, VectorCases.render(doc).getBytes(StandardCharsets.UTF_8))
      val cases = doc.value.get("cases").map(_.arr.length.toString + " cases").getOrElse("rng primitives")
      println(s"wrote $path ($cases, ${Files.size(path)} bytes)")
    }
  }
}
