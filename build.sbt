// bigdl-reg: two subprojects so that Scala users of the engine don't pull py4j.
//   core    -> the engine (tensor, rng, nn), published as "org.bigdlreg" %% "bigdl-reg"
//   interop -> the py4j entry point and shared-memory transfer the Python package drives
ThisBuild / organization := "org.bigdlreg"
ThisBuild / version      := "0.1.0"
ThisBuild / scalaVersion := "2.13.16"
ThisBuild / scalacOptions ++= Seq("-deprecation", "-feature", "-unchecked", "-Xlint:_,-byname-implicit")

val versions = new {
  val scalatest  = "3.2.19"
  val scalacheck = "3.2.19.0" // scalatestplus scalacheck-1-18
  val ujson      = "4.1.0"    // tests only: reads tests/vectors/*.json
  val py4j       = "0.10.9.9" // must equal the Python side (pyproject.toml)
}

lazy val testDeps = Seq(
  "org.scalatest"     %% "scalatest"       % versions.scalatest  % Test,
  "org.scalatestplus" %% "scalacheck-1-18" % versions.scalacheck % Test,
  "com.lihaoyi"       %% "ujson"           % versions.ujson      % Test
)

lazy val commonSettings = Seq(
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
  .settings(commonSettings, name := "bigdl-reg")

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

lazy val root = (project in file("."))
  .aggregate(core, interop)
  .settings(name := "bigdl-reg-root", publish / skip := true)

// Throughput benchmark of the engine (benchmarks/run_scala.sh = bin/sbt "bench/run").
// Not aggregated into root: `bin/sbt test` does not build it.
lazy val bench = (project in file("benchmarks/scala"))
  .dependsOn(core)
  .settings(
    name := "bigdl-reg-bench",
    publish / skip := true,
    Compile / mainClass := Some("bigdlreg.bench.BenchMain"),
    run / fork := true,
    run / javaOptions ++= Seq("-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"),
    run / connectInput := false
  )
