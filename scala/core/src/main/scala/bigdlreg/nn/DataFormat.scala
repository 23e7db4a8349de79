package bigdlreg.nn

/** Where the channels are: `NCHW` (channels first, BigDL's default) or `NHWC`
  * (channels last). Parse a string with `DataFormat("NHWC")`; Keras'
  * `"channels_first"` / `"channels_last"` are accepted too (as in Python).
  */
sealed abstract class DataFormat(val value: String) extends Serializable {
  /** True for NCHW. */
  def channelsFirst: Boolean
  override def toString: String = value
}

object DataFormat {
  case object NCHW extends DataFormat("NCHW") { def channelsFirst: Boolean = true }
  case object NHWC extends DataFormat("NHWC") { def channelsFirst: Boolean = false }

  /** "NCHW" or "NHWC", or "channels_first" / "channels_last" (exactly, as Python); anything else is an
    * `IllegalArgumentException`: `data_format must be "NCHW" or "NHWC", got "<value>"`.
    */
  def apply(value: String): DataFormat = parse(null, value)

  /** `f(format)`, or the data_format error of `layer` when `format` is null. */
  def rule[R](layer: String, format: DataFormat, f: DataFormat => R): R =
    if (format == null) throw Validation.badDataFormat(layer, null) else f(format)

  /** As [[apply]], the message prefixed with `<layer>: ` when `layer` is not null. */
  def parse(layer: String, value: String): DataFormat = value match {
    case "NCHW" | "channels_first" => NCHW
    case "NHWC" | "channels_last"  => NHWC
    case _ =>
      throw (
        if (layer != null) Validation.badDataFormat(layer, value)
        else new IllegalArgumentException(s"""data_format must be "NCHW" or "NHWC", got "$value""""))
  }
}
