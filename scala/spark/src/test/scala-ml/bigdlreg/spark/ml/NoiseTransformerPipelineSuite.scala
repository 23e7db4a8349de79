package bigdlreg.spark.ml

import bigdlreg.nn._
import bigdlreg.spark.LocalSpark
import bigdlreg.tensor.Tensor
import org.apache.spark.ml.{Pipeline, PipelineModel}
import org.apache.spark.ml.feature.VectorAssembler
import org.apache.spark.ml.linalg.Vector
import org.apache.spark.sql.{Row, SparkSession}
import org.apache.spark.sql.types._
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** NoiseTransformer (local[2]): the single-machine bytes, inside a Pipeline, saved and loaded; bad rows. */
class NoiseTransformerPipelineSuite extends AnyFunSuite with Matchers with BeforeAndAfterAll {

  private var session: SparkSession = _

  override def beforeAll(): Unit =
    session = LocalSpark.session("NoiseTransformerPipelineSuite")

  override def afterAll(): Unit = if (session != null) session.stop()

  private val Rows = 19
  private val rows: Array[Array[Float]] = {
    val r = new java.util.SplittableRandom(3L)
    Array.fill(Rows)(Array.fill(6)(r.nextDouble(-3, 3).toFloat))
  }

  private def floatFrame(values: Array[Array[Float]], parts: Int) = {
    val schema = StructType(Seq(StructField("index", LongType), StructField("features", ArrayType(FloatType))))
    session.createDataFrame(session.sparkContext.parallelize(values.indices.reverse.map(i => Row(i.toLong, Option(values(i)).map(_.toSeq).orNull)), parts), schema)
  }

  private def gathered(out: Array[Row]): Array[Float] = out.sortBy(_.getAs[Long]("index")).flatMap(_.getAs[scala.collection.Seq[Float]]("output"))

  test("Pipeline: every layer of the table, any partitioning = the single-machine forward at the step") {
    for (spec <- Layers.all) {
      val args = LayerArgs(spec.value.default.getOrElse(0.4))
      val sample = if (spec.name == "SpatialDropout3D") Array(1, 2, 3) else Array(2, 3) // a rank it takes
      val whole = spec.build[Float](args, 42L)
      whole.setState(whole.getState.copy(step = 2L))
      val expected = whole.forward(Tensor[Float](rows.flatten, Rows +: sample)).storage.clone()
      val stage = new NoiseTransformer().setLayer(spec.name).setSeed(42L).setStep(2L).setSampleShape(sample)
      if (spec.value.default.isEmpty) (if (spec.value.keyword == "rate") stage.setRate(0.4) else stage.setStddev(0.4))
      for (parts <- Seq(1, 3)) {
        val model = new Pipeline().setStages(Array(stage)).fit(floatFrame(rows, parts))
        withClue(s"${spec.name}, $parts partitions: ")(gathered(model.transform(floatFrame(rows, parts)).collect()) shouldBe expected)
      }
    }
  }

  test("Pipeline: VectorAssembler, the stage on ML Vectors (float64), saved and loaded in a new session: same bytes") {
    val schema = StructType(Seq(StructField("index", IntegerType)) ++ (0 until 4).map(j => StructField(s"x$j", DoubleType)))
    val data = (0 until Rows).map(i => Row((i: Any) +: (0 until 4).map(j => rows(i)(j).toDouble: Any): _*))
    def frame(s: SparkSession) = s.createDataFrame(s.sparkContext.parallelize(data, 2), schema)
    val whole = GaussianNoise[Double](0.5, 7L)
    val expected = whole.forward(Tensor[Double](data.flatMap(r => (1 to 4).map(r.getDouble)).toArray, Array(Rows, 4))).storage.clone()
    val pipeline = new Pipeline().setStages(Array(
      new VectorAssembler().setInputCols((0 until 4).map(j => s"x$j").toArray).setOutputCol("features"),
      new NoiseTransformer().setLayer("GaussianNoise").setStddev(0.5).setSeed(7L).setSampleShape(Array(4))))
    def bytes(out: Array[Row]) = out.sortBy(_.getAs[Int]("index")).flatMap(_.getAs[Vector]("output").toArray)
    val model = pipeline.fit(frame(session))
    bytes(model.transform(frame(session)).collect()) shouldBe expected
    val dir = java.nio.file.Files.createTempDirectory("bigdl-reg-pipeline")
    try {
      model.write.overwrite().save(dir.toString)
      session.stop()
      session = LocalSpark.session("NoiseTransformerPipelineSuite, after the save")
      bytes(PipelineModel.load(dir.toString).transform(frame(session)).collect()) shouldBe expected
    } finally org.apache.commons.io.FileUtils.deleteDirectory(dir.toFile)
  }

  test("evaluate mode: deterministic, no index column needed") {
    val stage = new NoiseTransformer().setLayer("Dropout").setInitP(0.5).setScale(false).setSeed(1L).setTraining(false)
      .setSampleShape(Array(6))
    val out = stage.transform(floatFrame(rows, 2).drop("index")).collect()
    val ev = Dropout[Float](0.5, scale = false, seed = 1L).evaluate()
    out.flatMap(_.getAs[scala.collection.Seq[Float]]("output")).toSet shouldBe
      ev.forward(Tensor[Float](rows.flatten, Array(Rows, 6))).storage.toSet
  }

  test("bad input: each a clear error naming the column and the row's index, before any output is written") {
    val stage = new NoiseTransformer().setSeed(1L).setSampleShape(Array(6))
    def error(df: org.apache.spark.sql.DataFrame) = intercept[IllegalArgumentException](stage.transform(df)).getMessage
    val ragged = rows.clone(); ragged(5) = Array(1f, 2f)
    error(floatFrame(ragged, 3)) shouldBe "Dropout: row 5 has 2 values, the sample shape (6) needs 6 (column features)"
    val nulls = rows.clone(); nulls(4) = null
    error(floatFrame(nulls, 3)) shouldBe "Dropout: row 4 has no values (null), the sample shape (6) needs 6 (column features)"
    error(floatFrame(rows, 2).union(floatFrame(rows, 1).limit(1))) should include("appears 2 times in column index")
    error(floatFrame(rows, 2).drop("index")) should startWith("Dropout: no index column index")
    error(floatFrame(rows, 2).withColumn("index", org.apache.spark.sql.functions.col("index").cast(DoubleType))) shouldBe
      "Dropout: column index must be an integer (each row's global index), got double"
    error(floatFrame(rows, 2).withColumn("features", org.apache.spark.sql.functions.col("features").cast(ArrayType(IntegerType)))) shouldBe
      "Dropout: column features must be array<float>, array<double> or vector, got array<int>"
    // one logical batch holds at most 2^31 - 1 rows: indices 0 .. 2^31 - 2
    val top = floatFrame(rows, 1).limit(1).withColumn("index", org.apache.spark.sql.functions.lit(Int.MaxValue.toLong))
    error(top) shouldBe "Dropout: batch_offset + rows must be at most 2147483647, got 2147483647 + 1 (column index, row 2147483647)"
    stage.transform(top.withColumn("index", org.apache.spark.sql.functions.lit(Int.MaxValue - 1L))).count() shouldBe 1
    // nothing half-written: the error comes from transform, before any write starts
    val dir = java.nio.file.Files.createTempDirectory("bigdl-reg-bad").resolve("out")
    intercept[IllegalArgumentException](stage.transform(floatFrame(ragged, 3)).write.parquet(dir.toString))
    java.nio.file.Files.exists(dir) shouldBe false
    java.nio.file.Files.delete(dir.getParent)
  }
}
