import sbt._
import sbt.Keys._

import java.util.zip.ZipFile
import scala.collection.JavaConverters._
import scala.xml.{Elem, XML}

/** `publishChecked`: publishLocal and publishM2, then a look at what landed in the
  * local Ivy and Maven repositories: a POM with the metadata Maven Central asks
  * for (name, description, url, license, scm, developers; Spark `provided`), the
  * jar, a sources jar with sources and a Scaladoc jar with an index. Any gap
  * fails the task, naming the file and what it lacks.
  */
object Publication {
  val publishChecked = taskKey[Unit]("publishLocal and publishM2, then check both repositories hold a complete publication")

  private val crossName = Def.setting(s"${moduleName.value}_${scalaBinaryVersion.value}")
  private val ivyDir = Def.task {
    val home = ivyPaths.value.ivyHome.map(h => file(h.toString)).getOrElse(sys.error("publishChecked: no Ivy home"))
    home / "local" / organization.value / crossName.value / version.value
  }
  private val m2Dir = Def.setting(
    organization.value.split('.').foldLeft(Resolver.publishMavenLocal.rootFile)(_ / _) / crossName.value / version.value)

  val settings: Seq[Setting[_]] = Seq(
    // bin/setup and bin/test publish the same version again after every change
    publishLocalConfiguration := publishLocalConfiguration.value.withOverwrite(true),
    publishM2Configuration := publishM2Configuration.value.withOverwrite(true),
    publishChecked := Def.sequential(
      // a file left from an earlier publication must not pass for a new one
      Def.task(IO.delete(Seq(ivyDir.value, m2Dir.value))),
      publishLocal,
      publishM2,
      Def.task {
        val (module, v, ivy, m2) = (crossName.value, version.value, ivyDir.value, m2Dir.value)
        val problems =
          check(ivy / "poms" / s"$module.pom", ivy / "jars" / s"$module.jar",
            ivy / "srcs" / s"$module-sources.jar", ivy / "docs" / s"$module-javadoc.jar") ++
          check(m2 / s"$module-$v.pom", m2 / s"$module-$v.jar",
            m2 / s"$module-$v-sources.jar", m2 / s"$module-$v-javadoc.jar")
        if (problems.nonEmpty) sys.error(s"publishChecked: $module $v is incomplete:\n  " + problems.mkString("\n  "))
        streams.value.log.info(s"publishChecked: $module $v complete in $ivy and $m2")
      }
    ).value
  )

  /** What the publication at these four files lacks (empty: nothing). */
  def check(pom: File, jar: File, sources: File, scaladoc: File): Seq[String] =
    (if (pom.isFile) pomProblems(pom, XML.loadFile(pom)) else Seq(s"$pom: missing")) ++
      jarProblems(jar, _.endsWith(".class"), "a class") ++
      jarProblems(sources, _.endsWith(".scala"), "a .scala source") ++
      jarProblems(scaladoc, _ == "index.html", "index.html")

  def pomProblems(pom: File, xml: Elem): Seq[String] = {
    def text(path: String): String = path.split('/').foldLeft(xml: scala.xml.NodeSeq)(_ \ _).text.trim
    val required = Seq("name", "description", "url", "licenses/license/name", "licenses/license/url",
      "scm/url", "scm/connection", "developers/developer/id", "developers/developer/name")
    val missing = required.filter(text(_).isEmpty).map(p => s"$pom: no <${p.replace("/", "><")}>")
    val license = text("licenses/license/name")
    val wrongLicense = if (license.nonEmpty && license != "Apache-2.0") Seq(s"$pom: license $license, expected Apache-2.0") else Nil
    // the cluster brings Spark: a user's build must not pull it in
    val sparkNotProvided = (xml \ "dependencies" \ "dependency")
      .filter(d => (d \ "groupId").text.trim == "org.apache.spark" && (d \ "scope").text.trim != "provided")
      .map(d => s"$pom: ${(d \ "artifactId").text.trim} is not <scope>provided</scope>")
    missing ++ wrongLicense ++ sparkNotProvided
  }

  private def jarProblems(jar: File, wanted: String => Boolean, what: String): Seq[String] =
    if (!jar.isFile) Seq(s"$jar: missing")
    else {
      val zip = new ZipFile(jar)
      try if (zip.entries.asScala.exists(e => wanted(e.getName.split('/').last))) Nil else Seq(s"$jar: holds no $what")
      finally zip.close()
    }
}
