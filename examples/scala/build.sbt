// A separate sbt build that uses bigdl-reg exactly as a Scala user would:
// through the published artifact (bin/setup publishes it for both Scala versions
// first), on Scala 2.12 and 2.13 (`+test` runs the test under each).
crossScalaVersions := Seq("2.12.18", "2.13.16")
scalaVersion := crossScalaVersions.value.last
name := "bigdl-reg-example"

libraryDependencies ++= Seq(
  // the repository's one version (VERSION at its root)
  "org.bigdlreg"  %% "bigdl-reg" % IO.read(baseDirectory.value / ".." / ".." / "VERSION").trim,
  "org.scalatest" %% "scalatest" % "3.2.19" % Test
)
