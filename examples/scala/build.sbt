// A separate sbt build that uses bigdl-reg exactly as a Scala user would:
// through the published artifact (bin/setup runs `core/publishLocal` first).
scalaVersion := "2.13.16"
name := "bigdl-reg-example"

libraryDependencies ++= Seq(
  "org.bigdlreg"  %% "bigdl-reg" % "0.1.0",
  "org.scalatest" %% "scalatest" % "3.2.19" % Test
)
