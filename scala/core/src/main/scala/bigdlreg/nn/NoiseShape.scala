package bigdlreg.nn

import bigdlreg.tensor.Broadcast

/** The noise-shape rule: which input elements share one draw.
  *
  * A layer's noise is a tensor whose shape is the input's with some axes set
  * to 1; it is broadcast over the input, and its row-major flat index is the
  * cell index `i` of the RNG contract. Every element uses the cell it
  * broadcasts from (see [[bigdlreg.tensor.Broadcast]]).
  *
  * Every noise shape is a Keras `noise_shape` resolved against the input
  * shape ([[resolve]]): one entry per input axis, each `None` (the input's
  * size), 1 (the draw is shared along that axis) or the input's size. A layer
  * holds a [[NoiseShape.Rule]] that picks the Keras noise shape:
  *
  * | rule | layers | Keras noise shape |
  * |---|---|---|
  * | [[Elementwise]] | Dropout, Gaussian*, AlphaDropout (default) | all `None` |
  * | [[Fixed]] | the same, with a user `noise_shape` | as given |
  * | [[Channels]] | SpatialDropout1D/2D/3D, FeatureAlphaDropout | `None` on the batch and channel axes, 1 elsewhere |
  *
  * Channel rules by rank (`C` first or last per the data format):
  *
  * | layer | input rank and format | noise shape |
  * |---|---|---|
  * | SpatialDropout1D | 3-D (N,T,C) / 2-D (T,C) | (N,1,C) / (1,C) |
  * | SpatialDropout2D | 4-D NCHW / NHWC | (N,C,1,1) / (N,1,1,C) |
  * | SpatialDropout2D | 3-D NCHW (C,H,W) / NHWC (H,W,C) | (C,1,1) / (1,1,C) |
  * | SpatialDropout3D | 5-D NCHW / NHWC | (N,C,1,1,1) / (N,1,1,1,C) |
  * | SpatialDropout3D | 4-D NCHW (C,D,H,W) / NHWC (D,H,W,C) | (C,1,1,1) / (1,1,1,C) |
  * | FeatureAlphaDropout | 3-D, 4-D: as SpatialDropout2D; 5-D: as SpatialDropout3D | |
  *
  * Any other rank is an `IllegalArgumentException` naming the accepted ranks
  * and the shape received; a user noise shape that does not fit the input is
  * one naming the axis (messages in [[Validation]]).
  */
object NoiseShape {

  /** A Keras `noise_shape` as the constructors take it, written as in Keras:
    * `NoiseShape(None, 1, None)` is `Some(Seq(None, Some(1), None))` (the
    * long form works too); `NoiseShape()` is rank 0. */
  def apply(dims: Axis*): Option[Seq[Option[Int]]] = Some(dims.map(_.size).toVector)

  /** One entry of [[NoiseShape.apply]]: `None` (the input's size) or an `Int`. */
  final class Axis private (val size: Option[Int])

  object Axis {
    import scala.language.implicitConversions
    implicit def fromInt(n: Int): Axis = new Axis(Some(n))
    implicit def fromNone(n: None.type): Axis = new Axis(n)
  }

  /** Picks the noise shape of a layer for an input shape. */
  sealed trait Rule extends Serializable {
    /** The resolved noise shape for `shape` (throws naming `layer` on a misfit). */
    def apply(layer: String, shape: Array[Int]): Array[Int]
  }

  /** One cell per element (Dropout, GaussianDropout, GaussianNoise, AlphaDropout by default). */
  case object Elementwise extends Rule {
    def apply(layer: String, shape: Array[Int]): Array[Int] = shape.clone()
    override def toString: String = "None"
  }

  /** A user's Keras `noise_shape`: entries `None`, 1 or the input's size.
    * Construction checks the entries (each `None` or >= 0); the fit to an
    * input is checked at each forward.
    */
  final case class Fixed(layer: String, dims: Seq[Option[Int]]) extends Rule {
    dims.zipWithIndex.foreach {
      case (Some(n), axis) if n < 0 => throw Validation.noiseShapeEntry(layer, axis, n.toString)
      case (null, axis)             => throw Validation.noiseShapeEntry(layer, axis, "null")
      case _                        =>
    }
    def apply(layer: String, shape: Array[Int]): Array[Int] = resolve(layer, dims, shape)
    override def toString: String = Validation.formatNoiseShape(dims)
  }

  /** Whole channels: the batch axis (when the input has one) and the channel
    * axis keep their sizes, the draw is shared along every other axis.
    * `spatialDims` lists the spatial ranks accepted (1, 2, 3); an input of rank
    * `d + 2` has a batch axis first, one of rank `d + 1` has none; when both
    * readings fit, the batched one wins (FeatureAlphaDropout reads a 4-D input
    * as a batch of 2-D maps, as PyTorch's does). The channel axis is right
    * after the batch axis (channels first) or last.
    */
  final case class Channels(spatialDims: Seq[Int], channelsFirst: Boolean) extends Rule {
    private val ranks: Seq[Int] = spatialDims.flatMap(d => Seq(d + 1, d + 2)).distinct.sorted

    /** The Keras noise shape for an input of rank `r` (`None`: kept axis). */
    def keras(layer: String, shape: Array[Int]): Seq[Option[Int]] = {
      val r = shape.length
      if (!ranks.contains(r)) throw Validation.badRank(layer, ranks, shape)
      val hasBatch = spatialDims.contains(r - 2) // a batched reading wins
      val channel = if (channelsFirst) (if (hasBatch) 1 else 0) else r - 1
      (0 until r).map(axis => if (axis == channel || (hasBatch && axis == 0)) None else Some(1))
    }

    def apply(layer: String, shape: Array[Int]): Array[Int] = resolve(layer, keras(layer, shape), shape)
  }

  /** SpatialDropout1D: (N,T,C) / (T,C), channels last. */
  val spatial1D: Rule = Channels(Seq(1), channelsFirst = false)

  /** SpatialDropout2D: 4-D or 3-D, channels per `format`. */
  def spatial2D(format: DataFormat): Rule = Channels(Seq(2), format.channelsFirst)

  /** SpatialDropout3D: 5-D or 4-D, channels per `format`. */
  def spatial3D(format: DataFormat): Rule = Channels(Seq(3), format.channelsFirst)

  /** FeatureAlphaDropout: 3-D and 4-D as SpatialDropout2D, 5-D as SpatialDropout3D. */
  def feature(format: DataFormat): Rule = Channels(Seq(2, 3), format.channelsFirst)

  /** A layer's rule: the user's `noise_shape` if any, else one cell per element. */
  def of(layer: String, noiseShape: Option[Seq[Option[Int]]]): Rule = {
    if (noiseShape == null) throw Validation.noiseShapeNull(layer)
    noiseShape.fold[Rule](Elementwise)(dims => Fixed(layer, dims))
  }

  /** A Keras `noise_shape` resolved against an input shape: one entry per
    * input axis, each the input's size, 1 (share the draw along that axis) or
    * `None` (the input's size).
    */
  def resolve(layer: String, noiseShape: Seq[Option[Int]], shape: Array[Int]): Array[Int] = {
    if (noiseShape.length != shape.length) throw Validation.noiseShapeRank(layer, noiseShape, shape)
    val out = new Array[Int](shape.length)
    var axis = 0
    while (axis < shape.length) {
      out(axis) = noiseShape(axis) match {
        case None                                     => shape(axis)
        case Some(n) if n == shape(axis) || n == 1    => n
        case Some(n) => throw Validation.noiseShapeAxis(layer, noiseShape, axis, n, shape)
      }
      axis += 1
    }
    out
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
    val logicalNoise =
      try noiseOf(logical)
      catch { // only axis 0 differs from the slice, which fitted
        case _: IllegalArgumentException =>
          throw Validation.noiseShapeAtBatchOffset(layer, shape, batchOffset, batchOffset + rows)
      }
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
