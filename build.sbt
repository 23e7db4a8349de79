// bigdl-reg: subprojects so that Scala users of the engine pull neither py4j nor Spark.
//   core    -> the engine (tensor, rng, nn), published as "org.bigdlreg" %% "bigdl-reg"
//   interop -> the py4j entry point and shared-memory transfer the Python package drives
//   spark   -> the layers over Spark RDDs / DataFrames (Spark is "provided": the cluster has it)
ThisBuild / organization := "org.bigdlreg"
ThisBuild / version      := "0.1.0"
ThisBuild / scalaVersion := "2.13.16"
ThisBuild / scalacOptions ++= Seq("-deprecation", "-feature", "-unchecked", "-Xlint:_,-byname-implicit")

val versions = new {
  val scalatest  = "3.2.19"
  val scalacheck = "3.2.19.0" // scalatestplus scalacheck-1-18
  val ujson      = "4.1.0"    // tests only: reads tests/vectors/*.json
  val py4j       = "0.10.9.9" // must equal the Python side (pyproject.toml)
  val spark      = "4.2.0"    // must equal pyspark in pyproject.toml's "spark" extra (Scala 2.13, Java 17)
}

lazy val testDeps = Seq(
  "org.scalatest"     %% "scalatest"       % versions.scalatest  % Test,
  "org.scalatestplus" %% "scalacheck-1-18" % versions.scalacheck % Test,
  "com.lihaoyi"       %% "ujson"           % versions.ujson      % Test
)

// main code compiles without a warning (tests may exercise what they check)
lazy val warningsAreErrors = Compile / compile / scalacOptions += "-Werror"

lazy val commonSettings = Seq(
  warningsAreErrors,
  // jars, not class directories, on classpaths: a running gateway JVM must not
  // see half-written classes while sbt recompiles
  exportJars := true,
  libraryDependencies ++= testDeps,
  Test / fork := true,
  // the shared vectors live at the repository root, whatever the subproject
  Test / javaOptions += s"-Dbigdlreg.repoRoot=${(ThisBuild / baseDirectory).value}",
  Test / testOptions += Tests.Argument(TestFrameworks.ScalaTest, "-oD"),
  // a release version is never overwritten in a Maven repository by default; the local one
  // is rebuilt by every bin/test (publishLocal overwrites already)
  publishM2Configuration := publishM2Configuration.value.withOverwrite(true)
)

lazy val core = (project in file("scala/core"))
  .settings(
    commonSettings,
    name := "bigdl-reg",
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

// Spark on Java 17 needs these opens (Spark's own launcher adds the same list).
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
lazy val writeSparkJars = taskKey[File]("write the jars a Spark session needs to target/spark-jars.txt")

lazy val spark = (project in file("scala/spark"))
  .dependsOn(interop)
  .settings(
    commonSettings,
    name := "bigdl-reg-spark",
    libraryDependencies += "org.apache.spark" %% "spark-sql" % versions.spark % Provided,
    libraryDependencies += "org.apache.spark" %% "spark-mllib" % versions.spark % Provided, // ml.Transformer, Vector
    Test / javaOptions ++= sparkJavaOptions ++ Seq("-Xmx1g"),
    writeSparkJars := {
      val jars = Seq((Compile / packageBin).value, (interop / Compile / packageBin).value, (core / Compile / packageBin).value)
      val out  = target.value / "spark-jars.txt"
      IO.write(out, jars.map(_.getAbsolutePath).mkString("", "\n", "\n"))
      streams.value.log.info(s"Spark session jars written to $out")
      out
    }
  )

lazy val root = (project in file("."))
  .aggregate(core, interop, spark)
  .settings(name := "bigdl-reg-root", publish / skip := true)

// Throughput benchmark of the engine (benchmarks/run_scala.sh = bin/sbt "bench/run").
// Not aggregated into root: `bin/sbt test` does not build it.
lazy val bench = (project in file("benchmarks/scala"))
  .dependsOn(core)
  .settings(
    name := "bigdl-reg-bench",
    warningsAreErrors,
    publish / skip := true,
    Compile / mainClass := Some("bigdlreg.bench.BenchMain"),
    run / fork := true,
    run / javaOptions ++= Seq("-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"),
    run / connectInput := false
  )
