package bigdlreg.nn

import bigdlreg.tensor.Broadcast

/** The noise-shape rule: which input elements share one draw.
  *
  * A layer's noise is a tensor whose shape is the input's with some axes set
  * to 1; it is broadcast over the input, and its row-major flat index is the
  * cell index `i` of the RNG contract. Every element uses the cell it
  * broadcasts from (see [[bigdlreg.tensor.Broadcast]]).
  *
  * | layer | input rank and format | noise shape |
  * |---|---|---|
  * | Dropout, Gaussian* | any rank >= 0 | the input's shape |
  * | SpatialDropout1D | 3-D (N,T,C) / 2-D (T,C) | (N,1,C) / (1,C) |
  * | SpatialDropout2D | 4-D NCHW / NHWC | (N,C,1,1) / (N,1,1,C) |
  * | SpatialDropout2D | 3-D NCHW (C,H,W) / NHWC (H,W,C) | (C,1,1) / (1,1,C) |
  * | SpatialDropout3D | 5-D NCHW / NHWC | (N,C,1,1,1) / (N,1,1,1,C) |
  * | SpatialDropout3D | 4-D NCHW (C,D,H,W) / NHWC (D,H,W,C) | (C,1,1,1) / (1,1,1,C) |
  *
  * Any other rank is an `IllegalArgumentException` naming the accepted ranks
  * and the shape received. A Keras-style `noise_shape` is [[keras]].
  */
object NoiseShape {

  /** Dropout, GaussianDropout, GaussianNoise: one cell per element. */
  def elementwise(shape: Array[Int]): Array[Int] = shape.clone()

  /** The channel-wise noise shape of a spatial layer with `spatialDims`
    * spatial axes (1, 2 or 3): inputs of rank `spatialDims + 2` have a batch
    * axis first, inputs of rank `spatialDims + 1` have none; the channel axis
    * is right after the batch axis (channels first) or last (channels last).
    * The noise keeps the batch and channel sizes and is 1 elsewhere.
    */
  def spatial(layer: String, spatialDims: Int, channelsFirst: Boolean, shape: Array[Int]): Array[Int] = {
    val batched = spatialDims + 2
    val unbatched = spatialDims + 1
    val r = shape.length
    if (r != batched && r != unbatched) throw Validation.badRank(layer, Seq(unbatched, batched), shape)
    val noise = Array.fill(r)(1)
    val hasBatch = r == batched
    if (hasBatch) noise(0) = shape(0)
    val channel = if (channelsFirst) (if (hasBatch) 1 else 0) else r - 1
    noise(channel) = shape(channel)
    noise
  }

  /** SpatialDropout1D: 3-D (N,T,C) -> (N,1,C); 2-D (T,C) -> (1,C). */
  def spatial1D(layer: String, shape: Array[Int]): Array[Int] = spatial(layer, 1, channelsFirst = false, shape)

  /** SpatialDropout2D: 4-D or 3-D, channels per `format`. */
  def spatial2D(layer: String, format: DataFormat, shape: Array[Int]): Array[Int] =
    spatial(layer, 2, format.channelsFirst, shape)

  /** SpatialDropout3D: 5-D or 4-D, channels per `format`. */
  def spatial3D(layer: String, format: DataFormat, shape: Array[Int]): Array[Int] =
    spatial(layer, 3, format.channelsFirst, shape)

  /** A Keras `noise_shape` resolved against an input shape: one entry per
    * input axis, each the input's size, 1 (share the draw along that axis) or
    * `None` (the input's size).
    */
  def keras(layer: String, noiseShape: Seq[Option[Int]], shape: Array[Int]): Array[Int] = {
    if (noiseShape.length != shape.length)
      throw new IllegalArgumentException(
        s"$layer: noise_shape ${noiseShape.map(_.fold("None")(_.toString)).mkString("(", ", ", ")")} " +
          s"has not the rank of the input shape ${Validation.formatShape(shape)}")
    val out = noiseShape.zip(shape).map {
      case (None, s)                         => s
      case (Some(n), s) if n == s || n == 1 => n
      case _ =>
        throw new IllegalArgumentException(
          s"$layer: noise_shape ${noiseShape.map(_.fold("None")(_.toString)).mkString("(", ", ", ")")} " +
            s"does not broadcast over the input shape ${Validation.formatShape(shape)}")
    }
    out.toArray
  }

  /** The noise of a slice of a larger logical batch: `shape` is the slice,
    * rows `batchOffset until batchOffset + shape(0)` along axis 0 of a logical
    * input whose other axes are the slice's. Returns the slice's noise shape
    * and the flat index (in the logical noise tensor) of its first cell.
    *
    * The logical noise tensor is row-major with axis 0 outermost, so its cells
    * for rows below `batchOffset + rows` do not depend on how many rows follow:
    * the logical input is taken to end with the slice. If its noise has axis
    * 0 (one set of cells per row), the slice starts at cell
    * `batchOffset * (cells per row)`; if the noise is shared along axis 0
    * (size 1 there: e.g. the H axis of an unbatched NHWC image), every slice
    * draws the same cells and the base is 0. `noiseOf` is the layer's
    * noise-shape rule; it is applied to the slice first so that a rejected
    * rank is reported with the shape received.
    */
  def atBatchOffset(layer: String, noiseOf: Array[Int] => Array[Int], shape: Array[Int],
      batchOffset: Long): (Array[Int], Long) = {
    val noise = noiseOf(shape)
    if (batchOffset == 0L) return (noise, 0L)
    if (batchOffset < 0L) throw Validation.negativeBatchOffset(layer, batchOffset)
    if (shape.isEmpty) throw Validation.batchOffsetOfScalar(layer, batchOffset)
    val rows = shape(0)
    if (batchOffset + rows > Int.MaxValue) throw Validation.batchOffsetTooLarge(layer, batchOffset, rows)
    val logical = shape.clone()
    logical(0) = (batchOffset + rows).toInt
    val logicalNoise = noiseOf(logical)
    if (logicalNoise(0) == 1) (logicalNoise, 0L) // shared along axis 0 (or no rows at all)
    else {
      var perRow = 1L
      var d = 1
      while (d < logicalNoise.length) { perRow *= logicalNoise(d); d += 1 }
      logicalNoise(0) = rows
      (logicalNoise, batchOffset * perRow)
    }
  }

  /** How `noise` broadcasts over `shape` (for the kernels). */
  def plan(shape: Array[Int], noise: Array[Int]): Broadcast = Broadcast(shape, noise)
}
