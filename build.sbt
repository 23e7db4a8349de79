// bigdl-reg: subprojects so that Scala users of the engine pull neither py4j nor Spark.
//   core    -> the engine (tensor, rng, nn), published as "org.bigdlreg" %% "bigdl-reg"
//   interop -> the py4j entry point and shared-memory transfer the Python package drives
//   spark   -> the layers over Spark RDDs / DataFrames on Spark 4 (Spark is "provided": the cluster has it)
//   spark35 -> the same sources on Spark 3.5
// Scala 2.12 and 2.13 where the Spark version allows: `bin/sbt +test` runs every project
// under each of its crossScalaVersions (root lists none, so `+` goes by the projects').
val versions = new {
  val scala212   = "2.12.18"
  val scala213   = "2.13.16"
  val scalatest  = "3.2.19"
  val scalacheck = "3.2.19.0" // scalatestplus scalacheck-1-18
  val ujson      = "3.3.1"    // tests only: reads tests/vectors/*.json (4.x has no Scala 2.12)
  val py4j       = "0.10.9.9" // must equal the Python side (pyproject.toml)
  val spark4     = "4.2.0"    // must equal pyspark in pyproject.toml's "spark" extra (Scala 2.13, Java 17)
  val spark35    = "3.5.8"    // must equal pyspark in pyproject.toml's "spark35" extra (Scala 2.12 there)
}

ThisBuild / organization := "org.bigdlreg"
ThisBuild / organizationName := "bigdl-reg"
ThisBuild / version      := IO.read(file("VERSION")).trim // one version for Scala and Python
ThisBuild / scalaVersion := versions.scala213

ThisBuild / homepage    := Some(url("https://github.com/bigdl-reg/bigdl-reg"))
ThisBuild / licenses    := Seq("Apache-2.0" -> url("https://www.apache.org/licenses/LICENSE-2.0.txt"))
ThisBuild / scmInfo     := Some(ScmInfo(url("https://github.com/bigdl-reg/bigdl-reg"),
  "scm:git:https://github.com/bigdl-reg/bigdl-reg.git"))
ThisBuild / developers  := List(Developer("bigdl-reg", "The bigdl-reg developers", "",
  url("https://github.com/bigdl-reg/bigdl-reg")))
ThisBuild / pomIncludeRepository := (_ => false) // users resolve from their own repositories

lazy val testDeps = Seq(
  "org.scalatest"     %% "scalatest"       % versions.scalatest  % Test,
  "org.scalatestplus" %% "scalacheck-1-18" % versions.scalacheck % Test,
  "com.lihaoyi"       %% "ujson"           % versions.ujson      % Test
)

// The same checks under both Scala versions, spelled as each compiler spells them
// (2.12 has no byname-implicit lint, wants higher-kinded types enabled, and calls
// -Werror -Xfatal-warnings).
lazy val compilerOptions = Seq(
  scalacOptions ++= Seq("-deprecation", "-feature", "-unchecked") ++ (CrossVersion.partialVersion(scalaVersion.value) match {
    case Some((2, 12)) => Seq("-Xlint:_", "-language:higherKinds")
    case _             => Seq("-Xlint:_,-byname-implicit")
  }),
  // main code compiles without a warning (tests may exercise what they check)
  Compile / compile / scalacOptions += (CrossVersion.partialVersion(scalaVersion.value) match {
    case Some((2, 12)) => "-Xfatal-warnings"
    case _             => "-Werror"
  })
)

lazy val commonSettings = compilerOptions ++ Publication.settings ++ Seq(
  // jars, not class directories, on classpaths: a running gateway JVM must not
  // see half-written classes while sbt recompiles
  exportJars := true,
  libraryDependencies ++= testDeps,
  Test / fork := true,
  // the shared vectors live at the repository root, whatever the subproject
  Test / javaOptions += s"-Dbigdlreg.repoRoot=${(ThisBuild / baseDirectory).value}",
  Test / testOptions += Tests.Argument(TestFrameworks.ScalaTest, "-oD")
)

lazy val core = (project in file("scala/core"))
  .settings(
    commonSettings,
    name := "bigdl-reg",
    description := "BigDL-style regularization layers (Dropout family) with bit-identical results under one seed",
    crossScalaVersions := Seq(versions.scala212, versions.scala213),
    // the noise kernels, Float and Double from one template (project/KernelTemplates.scala)
    Compile / sourceGenerators += Def.task {
      KernelTemplates.generate((Compile / sourceDirectory).value / "kernels", (Compile / sourceManaged).value)
    }.taskValue
  )

// Writes the runtime classpath (interop jar + core jar + py4j + scala-library),
// one absolute path per line, for the Python package to start the gateway JVM.
lazy val writeClasspath = taskKey[File]("write the gateway's runtime classpath to target/classpath.txt")

lazy val interop = (project in file("scala/interop"))
  .dependsOn(core)
  .settings(
    commonSettings,
    name := "bigdl-reg-interop",
    description := "The py4j entry point and shared-memory transfer through which Python drives bigdl-reg",
    crossScalaVersions := Seq(versions.scala212, versions.scala213),
    libraryDependencies += "net.sf.py4j" % "py4j" % versions.py4j,
    writeClasspath := {
      val jar  = (Compile / packageBin).value
      val deps = (Runtime / dependencyClasspath).value.map(_.data)
      val out  = target.value / "classpath.txt"
      // Runtime's classpath already holds this project's jar (exportJars): once is enough
      IO.write(out, (jar +: deps).map(_.getAbsolutePath).distinct.mkString("", "\n", "\n"))
      streams.value.log.info(s"gateway classpath written to $out")
      out
    }
  )

// Spark on Java 17 needs these opens (Spark's own launcher adds the same list; 3.5 and 4 alike).
val sparkJavaOptions = Seq(
  "-XX:+IgnoreUnrecognizedVMOptions",
  "-Djdk.reflect.useDirectMethodHandle=false",
  "-Dio.netty.tryReflectionSetAccessible=true"
) ++ Seq(
  "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
  "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs",
  "sun.security.action", "sun.util.calendar"
).map(pkg => s"--add-opens=java.base/$pkg=ALL-UNNAMED")

// Writes our jars (spark, interop, core), one absolute path per line, for a
// Spark session's spark.jars / spark.driver.extraClassPath (Spark has the rest).
lazy val writeSparkJars = taskKey[File]("write the jars a Spark session needs to scala/spark/target/spark-jars-<spark>_<scala>.txt")

// The Spark layer for one Spark line: artifact bigdl-reg-spark-<line>_<scala>, its
// sources in scala/spark (the Spark API it uses is the same on 3.5 and 4). With `ml`,
// also the Spark ML stage (scala-ml folders): Spark 4 only, since Spark 3.5.8's
// spark-mllib does not resolve with its dependencies from Maven Central here.
def sparkLayer(line: String, sparkVersion: String, scalaVersions: Seq[String], ml: Boolean): Seq[Setting[_]] =
  commonSettings ++ sparkML(sparkVersion, ml) ++ Seq(
  name := s"bigdl-reg-spark-$line",
  moduleName := name.value, // keeps the "." (sbt would make it "3-5")
  description := s"bigdl-reg's layers over Spark $line RDDs and DataFrames, the same bytes however Spark partitions",
  crossScalaVersions := scalaVersions,
  sourceDirectory := (ThisBuild / baseDirectory).value / "scala" / "spark" / "src",
  libraryDependencies += "org.apache.spark" %% "spark-sql" % sparkVersion % Provided,
  Test / javaOptions ++= sparkJavaOptions ++ Seq("-Xmx1g"),
  writeSparkJars := {
    val jars = Seq((Compile / packageBin).value, (interop / Compile / packageBin).value, (core / Compile / packageBin).value)
    val out  = (ThisBuild / baseDirectory).value / "scala" / "spark" / "target" / s"spark-jars-${line}_${scalaBinaryVersion.value}.txt"
    IO.write(out, jars.map(_.getAbsolutePath).mkString("", "\n", "\n"))
    streams.value.log.info(s"Spark $sparkVersion session jars written to $out")
    out
  }
)

def sparkML(sparkVersion: String, ml: Boolean): Seq[Setting[_]] = if (!ml) Nil else Seq(
  libraryDependencies += "org.apache.spark" %% "spark-mllib" % sparkVersion % Provided, // ml.Transformer, Vector
  Compile / unmanagedSourceDirectories += sourceDirectory.value / "main" / "scala-ml",
  Test / unmanagedSourceDirectories += sourceDirectory.value / "test" / "scala-ml"
)

lazy val spark = (project in file("scala/spark"))
  .dependsOn(interop)
  .settings(sparkLayer("4", versions.spark4, Seq(versions.scala213), ml = true))

// scala/spark35 holds only its build output
lazy val spark35 = (project in file("scala/spark35"))
  .dependsOn(interop)
  .settings(sparkLayer("3.5", versions.spark35, Seq(versions.scala212, versions.scala213), ml = false))

lazy val root = (project in file("."))
  .aggregate(core, interop, spark, spark35)
  .settings(name := "bigdl-reg-root", crossScalaVersions := Nil, publish / skip := true)

// Throughput benchmark of the engine (benchmarks/run_scala.sh = bin/sbt "bench/run").
// Not aggregated into root: `bin/sbt test` does not build it.
lazy val bench = (project in file("benchmarks/scala"))
  .dependsOn(core)
  .settings(
    name := "bigdl-reg-bench",
    compilerOptions,
    publish / skip := true,
    Compile / mainClass := Some("bigdlreg.bench.BenchMain"),
    run / fork := true,
    run / javaOptions ++= Seq("-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"),
    run / connectInput := false
  )
