package bigdlreg.spark

import scala.reflect.ClassTag

import bigdlreg.nn._
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.apache.spark.SparkException
import org.apache.spark.sql.SparkSession
import org.apache.spark.sql.types.{ArrayType, FloatType, LongType, StructField, StructType}
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

/** The layers over Spark (local[2]): the same rows through 1, 2, 3 and 7
  * partitions and in shuffled order give, byte for byte, the single-machine
  * forward of the whole batch.
  */
class SparkNoiseSuite extends AnyFunSuite with Matchers with BeforeAndAfterAll {

  private var session: SparkSession = _
  private def sc = session.sparkContext

  override def beforeAll(): Unit =
    session = LocalSpark.session("SparkNoiseSuite")

  override def afterAll(): Unit = if (session != null) session.stop()

  private val Rows = 23

  // (layer factory, sample shape): every layer and format, batched samples
  private val cases: Seq[(String, Seed => NoiseModule[Float], Array[Int])] = Seq(
    ("Dropout", s => Dropout[Float](0.3, seed = s), Array(7)),
    ("Dropout no scale", s => Dropout[Float](0.6, scale = false, seed = s), Array(3, 5)),
    ("Dropout inplace", s => Dropout[Float](0.5, inplace = true, seed = s), Array(4)),
    ("GaussianDropout", s => GaussianDropout[Float](0.4, s), Array(9)),
    ("GaussianNoise", s => GaussianNoise[Float](0.7, s), Array(3, 3)),
    ("SpatialDropout1D", s => SpatialDropout1D[Float](0.5, s), Array(4, 3)),
    ("SpatialDropout2D NCHW", s => SpatialDropout2D[Float](0.5, DataFormat.NCHW, s), Array(3, 2, 2)),
    ("SpatialDropout2D NHWC", s => SpatialDropout2D[Float](0.5, DataFormat.NHWC, s), Array(2, 2, 3)),
    ("SpatialDropout3D NCHW", s => SpatialDropout3D[Float](0.5, DataFormat.NCHW, s), Array(3, 2, 1, 2)),
    ("SpatialDropout3D NHWC", s => SpatialDropout3D[Float](0.5, DataFormat.NHWC, s), Array(2, 1, 2, 3))
  )

  private def data[T: ClassTag](sample: Array[Int], salt: Long)(implicit ev: TensorNumeric[T]): Array[Array[T]] = {
    val r = new java.util.SplittableRandom(salt)
    Array.fill(Rows)(Array.fill(sample.product)(ev.fromDouble(if (r.nextInt(9) == 0) Double.NaN else r.nextDouble(-3, 3))))
  }

  /** The single-machine forward of all rows as one batch, at step 1. */
  private def whole[T: ClassTag](m: NoiseModule[T], sample: Array[Int], rows: Array[Array[T]])(
      implicit ev: TensorNumeric[T]): Array[Byte] = {
    val x = Tensor[T](rows.flatten, Rows +: sample)
    m.forward(x.clone()) // clones: an inplace Dropout writes into its input
    m.forward(x.clone()).toBytes
  }

  private def gathered[T: ClassTag](out: Array[(Long, Array[T])])(implicit ev: TensorNumeric[T]): Array[Byte] = {
    out.map(_._1).sorted shouldBe (0L until Rows).toArray
    ev.toBytes(out.sortBy(_._1).flatMap(_._2))
  }

  for ((name, make, sample) <- cases)
    test(s"$name: 1, 2, 3, 7 partitions and shuffled order = the single-machine forward") {
      val rows = data[Float](sample, name.hashCode.toLong)
      val expected = whole(make(42L), sample, rows)
      val layer = make(42L)
      layer.forward(Tensor.zeros[Float]((1 +: sample).toIndexedSeq: _*)) // step 0 -> 1, like `whole`
      val indexed = rows.indices.map(i => (i.toLong, rows(i).clone())).toArray
      for (parts <- Seq(1, 2, 3, 7)) {
        val out = SparkNoise.forward(layer, sample, sc.parallelize(indexed.toIndexedSeq, parts)).collect()
        withClue(s"$parts partitions: ")(gathered(out) shouldBe expected)
      }
      val shuffled = scala.util.Random.javaRandomToRandom(new java.util.Random(7L)).shuffle(indexed.toIndexedSeq)
      val out = SparkNoise.forward(layer, sample, sc.parallelize(shuffled, 3).repartition(5)).collect()
      withClue("shuffled: ")(gathered(out) shouldBe expected)
      layer.getStep shouldBe 1L // the caller's layer is not advanced
    }

  test("float64 layers, and withIndex numbering rows by position") {
    val sample = Array(2, 3)
    val rows = data[Double](sample, 5L)
    val expected = whole(GaussianNoise[Double](0.5, 9L), sample, rows)
    val layer = GaussianNoise[Double](0.5, 9L); layer.setState(layer.getState.copy(step = 1L))
    val out = SparkNoise.forward(layer, sample, SparkNoise.withIndex(sc.parallelize(rows.toIndexedSeq, 4))).collect()
    gathered(out) shouldBe expected
  }

  test("DataFrame: an array column, each row at its index column, any partitioning") {
    val sample = Array(2, 2, 3)
    val rows = data[Float](sample, 11L)
    val expected = whole(SpatialDropout2D[Float](0.5, DataFormat.NHWC, 3L), sample, rows)
    val layer = SpatialDropout2D[Float](0.5, DataFormat.NHWC, 3L); layer.setState(layer.getState.copy(step = 1L))
    val schema = StructType(Seq(StructField("id", LongType, nullable = false),
      StructField("features", ArrayType(FloatType, containsNull = false), nullable = false)))
    val shuffled = scala.util.Random.javaRandomToRandom(new java.util.Random(3L)).shuffle(rows.indices.toIndexedSeq)
    val df = session.createDataFrame(sc.parallelize(shuffled.map(i => org.apache.spark.sql.Row(i.toLong, rows(i).toSeq)), 7), schema)
    val out = SparkNoise.forwardDataFrame(layer, sample, df, "id", "features", "noisy").collect()
    out.head.schema.fieldNames.toSeq shouldBe Seq("id", "features", "noisy")
    gathered(out.map(r => (r.getLong(0), r.getSeq[Float](2).toArray))) shouldBe expected
  }

  test("Python's entry point: the layer as the Bridge builds it, at a step") {
    val sample = Array(6)
    val rows = data[Float](sample, 13L)
    val expected = whole(Dropout[Float](0.25, seed = -5L), sample, rows)
    val schema = StructType(Seq(StructField("index", LongType), StructField("x", ArrayType(FloatType))))
    val df = session.createDataFrame(sc.parallelize(rows.indices.map(i => org.apache.spark.sql.Row(i.toLong, rows(i).toSeq)), 2), schema)
    val out = SparkNoise.forwardDataFrame(df, "Dropout", "float32", -5L, 0.25, true, "NCHW", null, 1L, true, "6", "index",
      "x", "y")
    gathered(out.collect().map(r => (r.getLong(0), r.getSeq[Float](2).toArray))) shouldBe expected
  }

  test("a row of the wrong size: the error names the row's index and both shapes") {
    val rows = (0 until 8).map(i => (i.toLong, Array.fill(if (i == 5) 4 else 6)(1f)))
    val e = intercept[SparkException](SparkNoise.forward(Dropout[Float](seed = 1L), Array(2, 3), sc.parallelize(rows, 3)).collect())
    e.getMessage should include("Dropout: row 5 has 4 values, the sample shape (2, 3) needs 6")
    val nulls = sc.parallelize(Seq((3L, null: Array[Float])), 1)
    intercept[SparkException](SparkNoise.forward(Dropout[Float](seed = 1L), Array(2, 3), nulls).collect())
      .getMessage should include("Dropout: row 3 has no values (null), the sample shape (2, 3) needs 6")
    val intIndex = session.createDataFrame(sc.parallelize(Seq(org.apache.spark.sql.Row(0, Seq(1f))), 1),
      StructType(Seq(StructField("index", org.apache.spark.sql.types.IntegerType), StructField("x", ArrayType(FloatType)))))
    intercept[IllegalArgumentException](SparkNoise.forwardDataFrame(Dropout[Float](seed = 1L), Array(1), intIndex,
      "index", "x", "y")).getMessage shouldBe "Dropout: column index must be a long (the row's global index), got int"
    // a sample shape the layer rejects fails on the driver, before any job
    intercept[IllegalArgumentException](SparkNoise.forward(SpatialDropout2D[Float](0.5), Array(3), sc.parallelize(rows, 1)))
      .getMessage shouldBe "SpatialDropout2D: expected a 3-D or 4-D input, got shape (1, 3)"
  }

  test("a task carries the layer's state, not its buffers") {
    val m = Dropout[Float](0.5, seed = 1L)
    m.forward(Tensor.zeros[Float](1000, 1000))
    val bytes = new java.io.ByteArrayOutputStream()
    val out = new java.io.ObjectOutputStream(bytes)
    out.writeObject(RowForward(m, Array(1000)))
    out.close()
    bytes.size() should be < 4096
  }
}
