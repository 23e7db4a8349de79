package bigdlreg.nn

import bigdlreg.tensor.Tensor

/** The noise of a training forward, as [[NoiseModule.noise]] returns it:
  * a tensor of the layer's noise shape (cell `i` at row-major index `i`, the
  * `i` of the RNG contract), recomputed from (seed, step) when asked for.
  */
sealed abstract class Noise[T] extends Product with Serializable {
  /** The noise shape (one entry per input axis; 1 where the draw is shared). */
  def shape: Array[Int]
}

object Noise {

  /** Dropout, the Spatial layers, AlphaDropout, FeatureAlphaDropout: whether
    * each cell was kept (row-major over `shape`). */
  final case class Keep[T](shape: Array[Int], keep: Array[Boolean]) extends Noise[T] {
    override def toString: String = s"Keep(${Validation.formatShape(shape)}, ${keep.map(if (_) '1' else '0').mkString})"
  }

  /** GaussianDropout: the factors `T(1 + sd * z)` the input was multiplied by. */
  final case class Factors[T](values: Tensor[T]) extends Noise[T] { def shape: Array[Int] = values.shape }

  /** GaussianNoise: the addends `T(stddev * z)` added to the input (a -0 shows as +0). */
  final case class Addends[T](values: Tensor[T]) extends Noise[T] { def shape: Array[Int] = values.shape }

  /** Which of the three a layer returns. `probe` is the input whose image
    * under the forward's op (its derivative for masks) is the noise itself. */
  sealed abstract class Kind(val name: String, val probe: Double) extends Serializable {
    override def toString: String = name
  }
  case object KeepMask extends Kind("keep", 1.0)
  case object Multiplicative extends Kind("factor", 1.0)
  case object Additive extends Kind("addend", 0.0)
}
