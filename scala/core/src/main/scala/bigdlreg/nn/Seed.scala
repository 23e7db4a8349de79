package bigdlreg.nn

import scala.language.implicitConversions

import bigdlreg.rng.RNG

/** A module seed as the constructors take it: a plain unsigned 64-bit value
  * (`Dropout[Float](0.5, seed = 42L)`; a `Long` holds the bits, so a negative
  * `Long` is a seed >= 2^63), or [[Seed.Global]] (the default): the next seed
  * of the global seeder ([[bigdlreg.rng.RNG]], docs/contract.md, "Module seeds").
  * An `Option[Long]` converts too (`None` is `Global`).
  */
final class Seed private (val value: Option[Long]) extends Serializable {
  /** The seed to use: the given one, or the global seeder's next (drawn now). */
  private[nn] def draw(): Long = value.getOrElse(RNG.nextModuleSeed())
  override def toString: String = value.fold("Seed.Global")(s => s"Seed(${RNG.seedToString(s)})")
  override def equals(other: Any): Boolean = other match {
    case s: Seed => s.value == value
    case _       => false
  }
  override def hashCode: Int = value.hashCode
}

object Seed {
  /** The next seed of the global seeder. */
  val Global: Seed = new Seed(None)

  def apply(seed: Long): Seed = new Seed(Some(seed))

  implicit def fromLong(seed: Long): Seed = apply(seed)

  /** An `Int` seed (`seed = 42`): it must be >= 0 (a negative `Int` has no unsigned reading here). */
  implicit def fromInt(seed: Int): Seed =
    if (seed >= 0) apply(seed.toLong)
    else throw new IllegalArgumentException(s"seed must be in [0, ${Validation.MaxSeed}], got $seed")

  /** The former form: `Some(42L)` or `None` (the global seeder). */
  implicit def fromOption(seed: Option[Long]): Seed =
    if (seed == null) null else seed.fold(Global)(apply)
}
