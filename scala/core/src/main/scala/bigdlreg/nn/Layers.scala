package bigdlreg.nn

import scala.reflect.ClassTag

import bigdlreg.tensor.TensorNumeric

/** Arguments of any layer; each spec reads what its layer takes. */
final case class LayerArgs(
    value: Double,                                // the layer's one number: init_p, rate or stddev
    scale: Boolean = true,                        // Dropout only
    format: DataFormat = DataFormat.NCHW,         // SpatialDropout2D/3D, FeatureAlphaDropout
    noiseShape: Option[Seq[Option[Int]]] = None)  // Dropout, GaussianDropout, GaussianNoise, AlphaDropout

/** A layer's one number: its Python keyword, its default (`None`: required)
  * and its check (returns the value, or throws the message of [[Validation]]).
  */
final case class Parameter(keyword: String, default: Option[Double], check: (String, String, Double) => Double)

/** What a layer is, in one place: its name, its parameter (with default and
  * check), the optional arguments it takes, its noise kind, its noise-shape
  * rule and its training and evaluate ops. Each layer's companion object is
  * its spec; the [[NoiseModule]] reads everything from it (and carries it
  * when serialized: a Spark task).
  */
trait LayerSpec extends Serializable {
  def name: String

  /** The layer's one number (`LayerArgs.value`). */
  def value: Parameter

  /** The optional arguments it takes, by Python keyword: `scale`, `data_format`, `noise_shape`. */
  def takes: Set[String]

  /** What [[NoiseModule.noise]] returns. */
  def noiseKind: Noise.Kind

  /** Which input elements share one draw (throws on a bad format or noise shape). */
  def noiseRule(args: LayerArgs): NoiseShape.Rule

  /** The op of a training forward (docs/contract.md, "The layers"). */
  def trainingOp(args: LayerArgs): NoiseOp

  /** The op of an evaluate forward. */
  def evaluateOp(args: LayerArgs): NoiseOp

  /** The layer with `args`; a non-default value for an argument it does not
    * take is an `IllegalArgumentException` naming it. */
  final def build[T: ClassTag](args: LayerArgs, seed: Option[Long])(implicit ev: TensorNumeric[T]): NoiseModule[T] = {
    val nonDefault = Seq("scale" -> !args.scale, "data_format" -> (args.format != DataFormat.NCHW),
      "noise_shape" -> (args.noiseShape != None))
    for ((arg, isSet) <- nonDefault if isSet && !takes(arg)) throw Validation.noSuchParameter(name, arg)
    create[T](args, seed)
  }

  /** The layer's class, from arguments it takes. */
  protected def create[T](args: LayerArgs, seed: Option[Long])(implicit ev: TensorNumeric[T]): NoiseModule[T]
}

/** The eight layers. */
object Layers {
  /** In the order of docs/contract.md, "The layers". */
  val all: Seq[LayerSpec] = Seq(Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
    SpatialDropout3D, AlphaDropout, FeatureAlphaDropout)

  val names: Seq[String] = all.map(_.name)

  def byName(name: String): LayerSpec = all.find(_.name == name).getOrElse(
    throw new IllegalArgumentException(s"""unknown layer "$name"; expected one of ${names.mkString(", ")}"""))
}

/** The layers whose drop probability can change between forwards (Dropout,
  * the Spatial layers, AlphaDropout, FeatureAlphaDropout). */
trait DropProbability { this: NoiseModule[_] =>
  /** The current drop probability. */
  def p: Double = layerArgs.value

  /** Sets the drop probability (checked as `init_p` is at construction); the next forward uses it. */
  def setP(p: Double): this.type = { setValue(p); this }
}
