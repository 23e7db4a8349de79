package bigdlreg.spark

import org.apache.spark.sql.SparkSession

/** The `local[2]` session of the Spark suites, on loopback, without the UI. */
object LocalSpark {
  def session(app: String): SparkSession =
    SparkSession.builder().master("local[2]").appName(s"bigdl-reg $app")
      .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
      .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
      .getOrCreate()
}
