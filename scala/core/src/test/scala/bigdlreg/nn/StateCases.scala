package bigdlreg.nn

import scala.reflect.ClassTag

import bigdlreg.TestUtil.randomTensor
import bigdlreg.tensor.{Tensor, TensorNumeric}

/** One configuration of every layer with an input shape it takes, for the
  * suites that check a property "for every layer" (functional, state, serialization). */
object StateCases {
  final case class Case(spec: LayerSpec, args: LayerArgs, shape: Array[Int]) {
    def build[T: ClassTag: TensorNumeric](seed: Long): NoiseModule[T] = spec.build[T](args, seed)
    def input[T: TensorNumeric](salt: Long): Tensor[T] = randomTensor[T](shape, salt)
    override def toString: String = s"${spec.name}($args) on ${shape.mkString("(", ", ", ")")}"
  }

  val all: Seq[Case] = Seq(
    Case(Dropout, LayerArgs(0.3), Array(4, 5, 3)),
    Case(Dropout, LayerArgs(0.4, scale = false, noiseShape = Some(Seq(None, Some(1), None))), Array(4, 5, 3)),
    Case(GaussianDropout, LayerArgs(0.4), Array(6, 7)),
    Case(GaussianNoise, LayerArgs(0.75, noiseShape = Some(Seq(None, Some(1)))), Array(6, 7)),
    Case(SpatialDropout1D, LayerArgs(0.5), Array(4, 6, 5)),
    Case(SpatialDropout2D, LayerArgs(0.4, format = DataFormat.NHWC), Array(3, 3, 4, 6)),
    Case(SpatialDropout3D, LayerArgs(0.6), Array(3, 5, 2, 3, 2)),
    Case(AlphaDropout, LayerArgs(0.2), Array(5, 9)),
    Case(FeatureAlphaDropout, LayerArgs(0.3, format = DataFormat.NHWC), Array(3, 2, 4, 5)))

  /** Forward modes of the runs: training, training, evaluate, training, ... */
  def mode(k: Int): Boolean = k % 3 != 2
}
