package bigdlreg.nn

import scala.reflect.ClassTag

import bigdlreg.tensor.TensorNumeric

/** Arguments of any layer; each spec reads what its layer takes. */
final case class LayerArgs(
    value: Double,                                // the layer's one number: init_p, rate or stddev
    scale: Boolean = true,                        // Dropout only
    format: DataFormat = DataFormat.NCHW,         // SpatialDropout2D/3D, FeatureAlphaDropout
    noiseShape: Option[Seq[Option[Int]]] = None,  // Dropout, GaussianDropout, GaussianNoise, AlphaDropout
    inplace: Boolean = false)                     // Dropout only; the functional API never writes its input

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

  /** The optional arguments it takes, by Python keyword: `inplace`, `scale`, `data_format`, `noise_shape`. */
  def takes: Set[String]

  /** Its Python keywords in the order of its constructor (and of the state record's `params`). */
  final def keywords: Seq[String] = value.keyword +: LayerSpec.Optional.filter(takes)

  /** What [[NoiseModule.noise]] returns. */
  def noiseKind: Noise.Kind

  /** Which input elements share one draw (throws on a bad format or noise shape). */
  def noiseRule(args: LayerArgs): NoiseShape.Rule

  /** The op of a training forward (docs/contract.md, "The layers"). */
  def trainingOp(args: LayerArgs): NoiseOp

  /** The op of an evaluate forward. */
  def evaluateOp(args: LayerArgs): NoiseOp

  /** Throws the `IllegalArgumentException` naming the first argument of
    * `args` that is not at its default and that the layer does not take. */
  final def checkTaken(args: LayerArgs): Unit = {
    val nonDefault = Seq("inplace" -> args.inplace, "scale" -> !args.scale,
      "data_format" -> (args.format != DataFormat.NCHW), "noise_shape" -> (args.noiseShape != None))
    for ((arg, isSet) <- nonDefault if isSet && !takes(arg)) throw Validation.noSuchParameter(name, arg)
  }

  /** The layer with `args`; a non-default value for an argument it does not
    * take is an `IllegalArgumentException` naming it. */
  final def build[T: ClassTag](args: LayerArgs, seed: Seed = Seed.Global)(implicit ev: TensorNumeric[T]): NoiseModule[T] = {
    checkTaken(args)
    create[T](args, seed)
  }

  /** The layer's class, from arguments it takes. */
  protected def create[T](args: LayerArgs, seed: Seed)(implicit ev: TensorNumeric[T]): NoiseModule[T]
}

object LayerSpec {
  /** The optional keywords, in the constructors' order. */
  private val Optional: Seq[String] = Seq("inplace", "scale", "data_format", "noise_shape")
}

/** The eight layers. */
object Layers {
  /** In the order of docs/contract.md, "The layers". */
  val all: Seq[LayerSpec] = Seq(Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
    SpatialDropout3D, AlphaDropout, FeatureAlphaDropout)

  val names: Seq[String] = all.map(_.name)

  def byName(name: String): LayerSpec = all.find(_.name == name).getOrElse(
    throw new IllegalArgumentException(s"""unknown layer "$name"; expected one of ${names.mkString(", ")}"""))

  /** A module of `state.layer` with the state's parameters, then [[NoiseModule.setState]]:
    * it continues exactly where the module that gave the state was. `T` must be the
    * state's dtype (float32: `Float`, float64: `Double`), else an `IllegalArgumentException`. */
  def fromState[T: ClassTag](state: LayerState)(implicit ev: TensorNumeric[T]): NoiseModule[T] = {
    if (state == null) throw new IllegalArgumentException("LayerState is null")
    LayerState.checkDtype(state, ev)
    byName(state.layer).build[T](state.params, Seed(state.seed)).setState(state)
  }
}

/** The layers whose drop probability can change between forwards (Dropout,
  * the Spatial layers, AlphaDropout, FeatureAlphaDropout). */
trait DropProbability { this: NoiseModule[_] =>
  /** The current drop probability. */
  def p: Double = layerArgs.value

  /** BigDL's name for [[p]]. */
  def getP(): Double = p

  /** Sets the drop probability (checked as `init_p` is at construction); the next forward uses it. */
  def setP(p: Double): this.type = { setValue(p); this }
}
