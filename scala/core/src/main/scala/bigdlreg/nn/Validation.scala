package bigdlreg.nn

/** Every argument and input check of the layers, with the messages of
  * docs/contract.md, "Validation" (the Python side writes the same text).
  *
  * Argument names are the Python keywords (`init_p`, `rate`, `stddev`,
  * `data_format`, `seed`) in both languages; the Scala parameter names are
  * their camelCase forms (`initP` for `init_p`, `format` for `data_format`).
  *
  * Formats:
  *  - shapes: `(2, 3)`, `(5)` for 1-d, `()` for 0-d;
  *  - values: Java's `Double.toString` (`1.5`, `-0.1`, `2.0`, `NaN`,
  *    `Infinity`, `-Infinity`, `1.0E-5`).
  */
object Validation {

  /** `(d0, d1, ...)`: `()` for 0-d, `(5)` for 1-d. */
  def formatShape(shape: Array[Int]): String = shape.mkString("(", ", ", ")")

  /** A double as messages print it (Java's `Double.toString`, e.g. `NaN`). */
  def formatValue(v: Double): String = java.lang.Double.toString(v)

  private def outOfRange(layer: String, arg: String, range: String, v: Double): IllegalArgumentException =
    new IllegalArgumentException(s"$layer: $arg must be in $range, got ${formatValue(v)}")

  /** `v` in [0, 1] (a drop probability); NaN rejected. Returns `v`. */
  def probability(layer: String, arg: String, v: Double): Double =
    if (v >= 0.0 && v <= 1.0) v else throw outOfRange(layer, arg, "[0, 1]", v)

  /** `v` in [0, 1) (GaussianDropout's rate); NaN rejected. Returns `v`. */
  def rate(layer: String, arg: String, v: Double): Double =
    if (v >= 0.0 && v < 1.0) v else throw outOfRange(layer, arg, "[0, 1)", v)

  /** `v` in [0, 1) (AlphaDropout's drop probability: p = 1 has no finite affine correction). */
  def probabilityBelowOne(layer: String, arg: String, v: Double): Double =
    if (v >= 0.0 && v < 1.0) v else throw outOfRange(layer, arg, "[0, 1)", v)

  /** `v` >= 0 and finite (a standard deviation); NaN rejected. Returns `v`. */
  def stddev(layer: String, arg: String, v: Double): Double =
    if (v >= 0.0 && v < Double.PositiveInfinity) v else throw outOfRange(layer, arg, "[0, inf)", v)

  /** `GaussianNoise has no parameter scale`: a non-default argument the layer does not take. */
  def noSuchParameter(layer: String, arg: String): IllegalArgumentException =
    new IllegalArgumentException(s"$layer has no parameter $arg")

  /** The largest seed, 2^64 - 1. */
  final val MaxSeed: BigInt = (BigInt(1) << 64) - 1

  /** An unsigned 64-bit seed given as an integer of any size: in
    * [0, 18446744073709551615], returned as the `Long` with the same bits.
    */
  def seed(layer: String, v: BigInt): Long =
    if (v >= 0 && v <= MaxSeed) v.longValue
    else throw new IllegalArgumentException(s"$layer: seed must be in [0, $MaxSeed], got $v")

  /** `<Layer>: data_format must be "NCHW" or "NHWC", got "<value>"`. */
  def badDataFormat(layer: String, value: String): IllegalArgumentException =
    new IllegalArgumentException(s"""$layer: data_format must be "NCHW" or "NHWC", got "$value"""")

  /** `<Layer>: expected a 3-D or 4-D input, got shape (2, 3)`. */
  def badRank(layer: String, accepted: Seq[Int], shape: Array[Int]): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: expected a ${accepted.sorted.map(r => s"$r-D").mkString(" or ")} input, got shape ${formatShape(shape)}")

  /** `<Layer>: gradient shape (2, 3) differs from the input shape (2, 4) of the last forward`. */
  def gradientShape(layer: String, grad: Array[Int], input: Array[Int]): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: gradient shape ${formatShape(grad)} differs from the input shape ${formatShape(input)} of the last forward")

  /** `<Layer>: backward called before any forward`. */
  def backwardBeforeForward(layer: String): IllegalStateException =
    new IllegalStateException(s"$layer: backward called before any forward")

  /** `<Layer>: batch_offset must be >= 0, got -1`. */
  def negativeBatchOffset(layer: String, offset: Long): IllegalArgumentException =
    new IllegalArgumentException(s"$layer: batch_offset must be >= 0, got $offset")

  /** A 0-d input has no batch axis to be a slice of. */
  def batchOffsetOfScalar(layer: String, offset: Long): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: batch_offset $offset needs an input with a batch axis (rank >= 1), got shape ()")

  /** The logical batch's first axis is an `Int`, like every dimension. */
  def batchOffsetTooLarge(layer: String, offset: Long, rows: Int): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: batch_offset + rows must be at most ${Int.MaxValue}, got $offset + $rows")

  /** A `noise_shape` whose axis 0 fits the slice but not the logical batch
    * (`batchOffset + rows` rows): the message names the user's input shape. */
  def noiseShapeAtBatchOffset(layer: String, shape: Array[Int], offset: Long, batchRows: Long): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: noise_shape[0] does not fit the input shape ${formatShape(shape)} at batch_offset $offset: " +
        s"the input is rows $offset to ${batchRows - 1} of a batch of $batchRows, so noise_shape[0] must be " +
        s"1, $batchRows or None")

  /** A distributed sample whose size is not the configured sample shape's. */
  def rowShape(layer: String, index: Long, values: Int, sampleShape: Array[Int]): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: row $index has ${if (values < 0) "no values (null)" else s"$values values"}, " +
        s"the sample shape ${formatShape(sampleShape)} needs ${sampleShape.foldLeft(1L)(_ * _)}")

  /** A null input or gradient. */
  def nullTensor(layer: String, what: String): IllegalArgumentException =
    new IllegalArgumentException(s"$layer: $what is null")

  /** A tensor of the other element type: Java reads both as `Tensor<Object>`, so its types don't stop it. */
  def tensorDtype(layer: String, what: String, got: String, expected: String): IllegalArgumentException =
    new IllegalArgumentException(s"$layer: $what is a $got tensor, the layer is $expected")

  // ---- noise_shape (Keras semantics: entries None, 1 or the input's size) ----

  /** `(2, None, 1)`: a Keras noise shape as messages print it (`(5)` for one entry, `()` for none). */
  def formatNoiseShape(dims: Seq[Option[Int]]): String = dims.map(_.fold("None")(_.toString)).mkString("(", ", ", ")")

  /** `<Layer>: noise_shape[1] must be None or an integer >= 0, got -2`. */
  def noiseShapeEntry(layer: String, axis: Int, value: String): IllegalArgumentException =
    new IllegalArgumentException(s"$layer: noise_shape[$axis] must be None or an integer >= 0, got $value")

  /** A null `noiseShape` (Scala: use `None`). */
  def noiseShapeNull(layer: String): IllegalArgumentException =
    new IllegalArgumentException(s"$layer: noise_shape is null (use None)")

  /** `<Layer>: noise_shape (2, None) has rank 2 but the input shape (2, 3, 4) has rank 3`. */
  def noiseShapeRank(layer: String, dims: Seq[Option[Int]], shape: Array[Int]): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: noise_shape ${formatNoiseShape(dims)} has rank ${dims.length} but the input shape " +
        s"${formatShape(shape)} has rank ${shape.length}")

  /** `<Layer>: noise_shape[1] is 3 but the input shape (2, 5) has size 5 on axis 1 (allowed: 1, 5 or None)`. */
  def noiseShapeAxis(layer: String, dims: Seq[Option[Int]], axis: Int, n: Int, shape: Array[Int]): IllegalArgumentException =
    new IllegalArgumentException(
      s"$layer: noise_shape[$axis] is $n but the input shape ${formatShape(shape)} has size ${shape(axis)} " +
        s"on axis $axis (allowed: 1, ${shape(axis)} or None)")

  // ---- noise access ----

  /** `<Layer>: noise() called before any training forward`. */
  def noiseBeforeTraining(layer: String): IllegalStateException =
    new IllegalStateException(s"$layer: noise() called before any training forward")
}
