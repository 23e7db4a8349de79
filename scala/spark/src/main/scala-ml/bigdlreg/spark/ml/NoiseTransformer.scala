package bigdlreg.spark.ml

import bigdlreg.interop.Bridge
import bigdlreg.nn.{Layers, NoiseModule, NoiseShape, Validation}
import bigdlreg.spark.RowForward
import org.apache.spark.ml.Transformer
import org.apache.spark.ml.linalg.{SQLDataTypes, Vector, Vectors}
import org.apache.spark.ml.param.{BooleanParam, DoubleParam, IntArrayParam, LongParam, Param, ParamMap}
import org.apache.spark.ml.util.{DefaultParamsReadable, DefaultParamsWritable, Identifiable}
import org.apache.spark.sql.{Column, DataFrame, Dataset}
import org.apache.spark.sql.expressions.UserDefinedFunction
import org.apache.spark.sql.functions.{col, count, exists, lit, min, udf, when}
import org.apache.spark.sql.types._

/** Any layer of the layer table ([[bigdlreg.nn.Layers]]) as a Spark ML pipeline stage.
  *
  * Each row is one sample of shape `sampleShape`, flattened row-major in `inputCol`
  * (`array<float>`, `array<double>` or an ML `Vector`); in training mode its global
  * index (its row of the logical batch) is in the integer column `indexCol`, and the row
  * is forwarded at that batch offset ([[bigdlreg.spark.RowForward]]): every row gets the
  * bytes one forward of the whole batch on one machine gives it, at `seed` and `step`.
  * In evaluate mode (`training` false) the forward is deterministic and needs no index.
  * `outputCol` gets the output, of the input's kind (a `Vector` comes out dense);
  * it is replaced if it exists.
  *
  * `transform` checks every row in one job before it returns (index present, an
  * integer inside one logical batch and not repeated; values present, of the sample's
  * size, no null element): a bad row is an `IllegalArgumentException` naming the column
  * and the row's index, and nothing has been written.
  */
final class NoiseTransformer(override val uid: String) extends Transformer with DefaultParamsWritable {

  def this() = this(Identifiable.randomUID("noise"))

  // the layer and its arguments, checked by the layer table when the stage runs
  final val layer = new Param[String](this, "layer", s"the layer: one of ${Layers.names.mkString(", ")}")
  final val initP = new DoubleParam(this, "initP", "drop probability (init_p) of the layers that take it")
  final val rate = new DoubleParam(this, "rate", "GaussianDropout's rate")
  final val stddev = new DoubleParam(this, "stddev", "GaussianNoise's standard deviation")
  final val scale = new BooleanParam(this, "scale", "Dropout's scale")
  final val dataFormat = new Param[String](this, "dataFormat", "NCHW or NHWC (SpatialDropout2D/3D, FeatureAlphaDropout)")
  final val noiseShape = new Param[String](this, "noiseShape",
    """Keras noise_shape as "None,1,4" (Dropout, GaussianDropout, GaussianNoise, AlphaDropout); unset: none""")
  final val seed = new LongParam(this, "seed", "the layer's unsigned 64-bit seed (its bits in a Long)")
  final val step = new LongParam(this, "step", "the layer's step: a new one for new noise (e.g. each epoch)")
  final val training = new BooleanParam(this, "training", "training mode (noise at seed and step) or evaluate mode")
  final val dtype = new Param[String](this, "dtype",
    "float32 or float64; unset: the input's (array<float>: float32, array<double> and Vector: float64)")
  final val sampleShape = new IntArrayParam(this, "sampleShape", "the shape of one sample (a row's values)")
  final val inputCol = new Param[String](this, "inputCol", "the samples' values")
  final val outputCol = new Param[String](this, "outputCol", "the output (replaced if it exists)")
  final val indexCol = new Param[String](this, "indexCol", "the samples' global indices (training mode)")

  setDefault(layer -> "Dropout", scale -> true, dataFormat -> "NCHW", step -> 0L, training -> true,
    inputCol -> "features", outputCol -> "output", indexCol -> "index")

  def setLayer(v: String): this.type = set(layer, v)
  def setInitP(v: Double): this.type = set(initP, v)
  def setRate(v: Double): this.type = set(rate, v)
  def setStddev(v: Double): this.type = set(stddev, v)
  def setScale(v: Boolean): this.type = set(scale, v)
  def setDataFormat(v: String): this.type = set(dataFormat, v)
  def setNoiseShape(v: String): this.type = set(noiseShape, v)
  def setSeed(v: Long): this.type = set(seed, v)
  def setStep(v: Long): this.type = set(step, v)
  def setTraining(v: Boolean): this.type = set(training, v)
  def setDtype(v: String): this.type = set(dtype, v)
  def setSampleShape(v: Array[Int]): this.type = set(sampleShape, v)
  def setInputCol(v: String): this.type = set(inputCol, v)
  def setOutputCol(v: String): this.type = set(outputCol, v)
  def setIndexCol(v: String): this.type = set(indexCol, v)

  def getLayer: String = $(layer)
  def getSeed: Long = $(seed)
  def getStep: Long = $(step)
  def getTraining: Boolean = $(training)
  def getSampleShape: Array[Int] = $(sampleShape)
  def getInputCol: String = $(inputCol)
  def getOutputCol: String = $(outputCol)
  def getIndexCol: String = $(indexCol)

  override def copy(extra: ParamMap): NoiseTransformer = defaultCopy(extra)

  override def transformSchema(schema: StructType): StructType = {
    val plan = planFor(schema)
    val field = StructField($(outputCol), plan.kind.outputType, nullable = true, plan.outputMetadata)
    if (schema.fieldNames.contains($(outputCol))) StructType(schema.fields.map(f => if (f.name == field.name) field else f))
    else schema.add(field)
  }

  override def transform(dataset: Dataset[_]): DataFrame = {
    val plan = planFor(dataset.schema)
    checkRows(dataset.toDF(), plan)
    val index = if (plan.indexed) col($(indexCol)).cast(LongType) else lit(0L) // evaluate mode ignores it
    dataset.withColumn($(outputCol), plan.kind.forward(plan.forward)(index, col($(inputCol))).as($(outputCol), plan.outputMetadata))
  }

  private def planFor(schema: StructType): Plan = {
    val spec = Layers.byName($(layer))
    val values = Seq(initP -> "init_p", rate -> "rate", stddev -> "stddev")
    for ((p, keyword) <- values if isSet(p) && keyword != spec.value.keyword) throw Validation.noSuchParameter(spec.name, keyword)
    val value = values.collectFirst { case (p, k) if k == spec.value.keyword => get(p) }.flatten.orElse(spec.value.default)
      .getOrElse(throw new IllegalArgumentException(s"${spec.name}: ${spec.value.keyword} must be set (it has no default)"))
    val shape = get(sampleShape).getOrElse(throw new IllegalArgumentException(s"${spec.name}: sampleShape must be set"))
    if (!isDefined(seed)) throw new IllegalArgumentException(s"${spec.name}: seed must be set")

    val kind = InputKind(spec.name, $(inputCol), schema)
    for (name <- get(dtype) if Bridge.DType(name) != kind.dtype) // an unknown name: the bridge's message
      throw new IllegalArgumentException(s"${spec.name}: column ${$(inputCol)} is ${schema($(inputCol)).dataType.simpleString}, " +
        s"a $name layer needs ${if (name == "float32") "array<float>" else "array<double> or vector"}")
    val args = Bridge.layerArgs(spec.name, value, $(scale), $(dataFormat), get(noiseShape).orNull)
    def build[T](d: Bridge.DType[T]): (NoiseModule[_], RowForward[_]) = {
      val m = d.build(spec.name, args, $(seed))
      m.setState(m.getState.copy(step = $(step), training = $(training)))
      (m, RowForward(m, shape)(d.tag, d.ev)) // a rank the layer rejects fails here
    }
    val built = build(kind.dtype)

    val hasIndex = schema.fieldNames.contains($(indexCol))
    if ($(training) && !hasIndex)
      throw new IllegalArgumentException(s"${spec.name}: no index column ${$(indexCol)} (each row's global index, " +
        s"needed in training mode); the columns are ${schema.fieldNames.mkString(", ")}")
    if (hasIndex) schema($(indexCol)).dataType match {
      case LongType | IntegerType | ShortType | ByteType =>
      case t => throw new IllegalArgumentException(
        s"${spec.name}: column ${$(indexCol)} must be an integer (each row's global index), got ${t.simpleString}")
    }
    val metadata = if (kind.isVector) schema($(inputCol)).metadata else Metadata.empty // same size: ML attributes hold
    new Plan(built._1, built._2, kind, $(training), hasIndex, metadata)
  }

  /** One job over all rows; throws for the bad row of smallest index (a null index first). */
  private def checkRows(df: DataFrame, plan: Plan): Unit = {
    val (in, ix, name) = ($(inputCol), $(indexCol), plan.name)
    val sampleSize = plan.forward.sampleSize
    val shape = plan.forward.sampleShape
    val values = col(in)
    val n = when(values.isNull, -1).otherwise(plan.kind.size(values))
    val nullElement = plan.kind.mayHoldNull(df.schema(in).dataType) match {
      case true  => when(values.isNull, false).otherwise(exists(values, _.isNull))
      case false => lit(false)
    }
    val index = if (plan.hasIndex) col(ix).cast(LongType) else lit(null).cast(LongType)
    val layer = plan.layer
    val inputShape = 1 +: shape
    // the engine's messages: the row's size, then (training mode) its index as a batch offset
    val rowProblem: UserDefinedFunction = udf { (i: java.lang.Long, size: Int, hasNull: Boolean, indexed: Boolean) =>
      val at = if (i == null) "" else s", row $i"
      if (size != sampleSize)
        if (i == null && !indexed) s"$name: a row of column $in has ${if (size < 0) "no values (null)" else s"$size values"}, " +
          s"the sample shape ${Validation.formatShape(shape)} needs $sampleSize"
        else Validation.rowShape(name, i, size, shape).getMessage + s" (column $in)"
      else if (hasNull) s"$name: column $in$at has a null element"
      else if (!indexed) null
      else if (i == null) s"$name: column $ix has a null (each row needs its global index in training mode)"
      else
        try { NoiseShape.atBatchOffset(name, layer.noiseShapeFor, inputShape, i); null }
        catch { case e: IllegalArgumentException => s"${e.getMessage} (column $ix$at)" }
    }
    val checked = df.select(index.as("i"), rowProblem(index, n, nullElement, lit(plan.indexed)).as("why"))
    val bad =
      if (plan.indexed)
        checked.groupBy("i").agg(count(lit(1)).as("k"), min("why").as("why"))
          .filter(col("why").isNotNull || col("k") > 1).orderBy(col("i").asc_nulls_first).limit(1)
      else checked.filter(col("why").isNotNull).select(col("i"), lit(1L).as("k"), col("why")).limit(1)
    for (row <- bad.collect().headOption) {
      val why = row.getAs[String]("why")
      throw new IllegalArgumentException(
        if (why != null) why
        else s"$name: index ${row.get(0)} appears ${row.getLong(1)} times in column $ix (each row needs its own global index)")
    }
  }
}

object NoiseTransformer extends DefaultParamsReadable[NoiseTransformer] {
  override def load(path: String): NoiseTransformer = super.load(path)
}

/** What a transform of `schema` runs: the layer's row forward, the input's kind, whether rows are indexed. */
private final class Plan(val layer: NoiseModule[_], val forward: RowForward[_], val kind: InputKind, val indexed: Boolean,
    val hasIndex: Boolean, val outputMetadata: Metadata) {
  def name: String = layer.layerName
}

/** The input column's kind: its element type and how its values reach [[RowForward]]. */
private sealed abstract class InputKind(val dtype: Bridge.DType[_], val outputType: DataType) extends Serializable {
  def isVector: Boolean = false
  def size(values: Column): Column
  def mayHoldNull(t: DataType): Boolean = t match {
    case ArrayType(_, containsNull) => containsNull
    case _                          => false
  }
  /** The UDF (index, values) => output. */
  def forward(f: RowForward[_]): UserDefinedFunction
}

private object InputKind {
  private object Floats extends InputKind(Bridge.DType.Float32, ArrayType(FloatType, containsNull = false)) {
    def size(values: Column): Column = org.apache.spark.sql.functions.size(values)
    def forward(f: RowForward[_]): UserDefinedFunction = {
      val g = f.asInstanceOf[RowForward[Float]]
      udf((i: Long, v: Array[Float]) => g(i, v))
    }
  }
  private object Doubles extends InputKind(Bridge.DType.Float64, ArrayType(DoubleType, containsNull = false)) {
    def size(values: Column): Column = org.apache.spark.sql.functions.size(values)
    def forward(f: RowForward[_]): UserDefinedFunction = {
      val g = f.asInstanceOf[RowForward[Double]]
      udf((i: Long, v: Array[Double]) => g(i, v))
    }
  }
  private object MLVectors extends InputKind(Bridge.DType.Float64, SQLDataTypes.VectorType) {
    override def isVector: Boolean = true
    private val vectorSize = udf((v: Vector) => v.size)
    def size(values: Column): Column = vectorSize(values)
    def forward(f: RowForward[_]): UserDefinedFunction = {
      val g = f.asInstanceOf[RowForward[Double]]
      udf((i: Long, v: Vector) => Vectors.dense(g(i, v.toArray)))
    }
  }

  def apply(layer: String, column: String, schema: StructType): InputKind = {
    if (!schema.fieldNames.contains(column))
      throw new IllegalArgumentException(s"$layer: no input column $column; the columns are ${schema.fieldNames.mkString(", ")}")
    schema(column).dataType match {
      case ArrayType(FloatType, _)                 => Floats
      case ArrayType(DoubleType, _)                => Doubles
      case t if t == SQLDataTypes.VectorType       => MLVectors
      case t => throw new IllegalArgumentException(
        s"$layer: column $column must be array<float>, array<double> or vector, got ${t.simpleString}")
    }
  }
}
