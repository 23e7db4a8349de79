package bigdlreg.spark

import scala.reflect.ClassTag

import bigdlreg.interop.Bridge
import bigdlreg.nn.{Dropout, NoiseModule, Validation}
import bigdlreg.tensor.{Tensor, TensorNumeric}
import org.apache.spark.rdd.RDD
import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.expressions.UserDefinedFunction
import org.apache.spark.sql.functions.{col, udf}
import org.apache.spark.sql.types.{ArrayType, DataType, DoubleType, FloatType, LongType}

/** One layer's forward on distributed samples, as if the whole data set were
  * one batch.
  *
  * Each sample (a row) has the fixed `sampleShape` and a global index `i` (its
  * row of the logical batch of shape `(N, sampleShape...)`). It is forwarded
  * as an input of shape `(1, sampleShape...)` at batch offset `i`
  * (`NoiseModule.forward(input, batchOffset)`), at the step and in the mode
  * the layer had when the [[RowForward]] was made. Each noise cell being a
  * pure function of (seed, step, flat index), every row gets exactly the bytes
  * one forward of the whole batch on one machine gives it, however the rows
  * are partitioned, ordered, or recomputed.
  *
  * What a task carries is the layer (its parameters and a few longs; the
  * buffers of a module are transient) and the sample shape: no data, no noise.
  */
final class RowForward[T: ClassTag] private (
    layer: NoiseModule[T],
    val sampleShape: Array[Int],
    val seed: Long,
    val step: Long,
    val training: Boolean)(implicit ev: TensorNumeric[T]) extends Serializable {

  /** Values per sample. */
  val sampleSize: Int = Tensor.checkShape(sampleShape)

  private[this] val inputShape: Array[Int] = 1 +: sampleShape
  // Dropout(inplace = true) writes into its input: it gets a copy of the row
  private[this] val writesInput: Boolean = layer match {
    case d: Dropout[_] => d.inplace
    case _             => false
  }

  /** The output for the sample of global index `index` (a new array; `values` is not modified). */
  def apply(index: Long, values: Array[T]): Array[T] = {
    if (values == null || values.length != sampleSize)
      throw Validation.rowShape(layer.layerName, index, if (values == null) -1 else values.length, sampleShape)
    val in = if (writesInput) values.clone() else values
    layer.synchronized {
      layer.setState(layer.getState.copy(seed = seed, step = step, training = training, last = None, lastTraining = None))
      val y = layer.forward(Tensor[T](in, inputShape.clone()), index).storage
      if (y eq in) y else y.clone()
    }
  }

  /** [[apply]] over a partition of (global index, values) pairs, lazily. */
  def partition(rows: Iterator[(Long, Array[T])]): Iterator[(Long, Array[T])] =
    rows.map { case (i, v) => (i, apply(i, v)) }
}

object RowForward {

  /** The forward of `layer` as it is now (seed, step, mode) on samples of `sampleShape`.
    * Later changes to `layer` do not affect the result.
    */
  def apply[T: ClassTag](layer: NoiseModule[T], sampleShape: Array[Int])(implicit ev: TensorNumeric[T]): RowForward[T] = {
    val shape = sampleShape.clone()
    layer.noiseShapeFor(1 +: shape) // a rank the layer rejects fails here, on the driver
    new RowForward[T](copyOf(layer), shape, layer.getSeed, layer.getStep, layer.isTraining())
  }

  /** A serialized copy: the caller's module may change (setP, forwards) before a job runs. */
  private def copyOf[M <: Serializable](m: M): M = {
    val bytes = new java.io.ByteArrayOutputStream()
    val out = new java.io.ObjectOutputStream(bytes)
    out.writeObject(m)
    out.close()
    new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray)).readObject().asInstanceOf[M]
  }
}

/** The Spark API: a layer's forward over an RDD or a DataFrame of samples. */
object SparkNoise {

  /** Applies `layer` (its seed, step and mode now) to (global index, sample) pairs.
    * The layer's step does not advance: call it again after `layer.forward`
    * (or `setState`) for the next step's noise.
    */
  def forward[T: ClassTag](layer: NoiseModule[T], sampleShape: Array[Int], rows: RDD[(Long, Array[T])])(
      implicit ev: TensorNumeric[T]): RDD[(Long, Array[T])] = {
    val f = RowForward(layer, sampleShape)
    rows.mapPartitions(f.partition, preservesPartitioning = true)
  }

  /** Pairs each sample with its position in `rows` (`zipWithIndex`): the global index. */
  def withIndex[T](rows: RDD[Array[T]]): RDD[(Long, Array[T])] = rows.zipWithIndex().map(_.swap)

  /** Applies `layer` to the array column `inputCol` (float for a float32 layer,
    * double for a float64 one), each row at the global index in the long column
    * `indexCol`; the result goes to `outputCol` (replaced if it exists).
    */
  def forwardDataFrame[T: ClassTag](layer: NoiseModule[T], sampleShape: Array[Int], df: DataFrame,
      indexCol: String, inputCol: String, outputCol: String)(implicit ev: TensorNumeric[T]): DataFrame = {
    val elem: DataType = if (ev.dtype == "float32") FloatType else DoubleType
    val inputType = df.schema(inputCol).dataType
    if (inputType != ArrayType(elem, containsNull = false) && inputType != ArrayType(elem, containsNull = true))
      throw new IllegalArgumentException(
        s"${layer.layerName}: column $inputCol must be an array of ${elem.simpleString} for a ${ev.dtype} layer, " +
          s"got ${inputType.simpleString}")
    val indexType = df.schema(indexCol).dataType
    if (indexType != LongType)
      throw new IllegalArgumentException(
        s"${layer.layerName}: column $indexCol must be a long (the row's global index), got ${indexType.simpleString}")
    // A typed UDF: Spark hands it the array column as a primitive array and
    // stores its result the same way (encoders, no boxed Rows), and keeps
    // every other column as it is.
    val forward: UserDefinedFunction = RowForward(layer, sampleShape) match {
      case f if ev.dtype == "float32" =>
        val g = f.asInstanceOf[RowForward[Float]]
        udf((index: Long, values: Array[Float]) => g(index, values))
      case f =>
        val g = f.asInstanceOf[RowForward[Double]]
        udf((index: Long, values: Array[Double]) => g(index, values))
    }
    df.withColumn(outputCol, forward(col(indexCol), col(inputCol)))
  }

  /** [[forwardDataFrame]] for Python (py4j): the layer as `Bridge.create` makes it
    * (`layer`, `dtype`, the seed's bits and the layer's arguments, typed as there), at
    * `step` and in training mode or not; `sampleShape` as "d1,d2,...".
    */
  def forwardDataFrame(df: DataFrame, layer: String, dtype: String, seed: Long, value: Double, scale: Boolean,
      dataFormat: String, noiseShape: String, step: Long, training: Boolean, sampleShape: String, indexCol: String,
      inputCol: String, outputCol: String): DataFrame = {
    def run[T](d: Bridge.DType[T]): DataFrame = {
      val m = d.build(layer, Bridge.layerArgs(layer, value, scale, dataFormat, noiseShape), seed)
      m.setState(m.getState.copy(step = step, training = training))
      forwardDataFrame[T](m, Bridge.parseShape(sampleShape), df, indexCol, inputCol, outputCol)(d.tag, d.ev)
    }
    run(Bridge.DType(dtype))
  }
}
