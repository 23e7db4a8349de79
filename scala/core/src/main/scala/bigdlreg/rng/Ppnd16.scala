package bigdlreg.rng

/** Standard normal quantiles by Wichura's Algorithm AS 241 (PPND16, 1988),
  * evaluated exactly as docs/contract.md ("Normals") fixes it so that every
  * language produces the same bits:
  *
  *  - each polynomial in one Horner order:
  *    `acc = c7*r; for k = 6..1: acc = (acc + ck)*r; result = acc + c0`;
  *  - `log` is fdlibm's `__ieee754_log`, i.e. `java.lang.StrictMath.log`
  *    (never `math.log` / `Math.log`, an intrinsic that differs);
  *  - `sqrt` is the correctly rounded IEEE square root;
  *  - the coefficients are the published decimal literals.
  */
object Ppnd16 {
  private final val Split1 = 0.425
  private final val Split2 = 5.0
  private final val Const1 = 0.180625
  private final val Const2 = 1.6

  // p close to 0.5
  private final val A0 = 3.3871328727963666080e0
  private final val A1 = 1.3314166789178437745e+2
  private final val A2 = 1.9715909503065514427e+3
  private final val A3 = 1.3731693765509461125e+4
  private final val A4 = 4.5921953931549871457e+4
  private final val A5 = 6.7265770927008700853e+4
  private final val A6 = 3.3430575583588128105e+4
  private final val A7 = 2.5090809287301226727e+3
  private final val B0 = 1.0
  private final val B1 = 4.2313330701600911252e+1
  private final val B2 = 6.8718700749205790830e+2
  private final val B3 = 5.3941960214247511077e+3
  private final val B4 = 2.1213794301586595867e+4
  private final val B5 = 3.9307895800092710610e+4
  private final val B6 = 2.8729085735721942674e+4
  private final val B7 = 5.2264952788528545610e+3
  // p not close to 0, 0.5 or 1
  private final val C0 = 1.42343711074968357734e0
  private final val C1 = 4.63033784615654529590e0
  private final val C2 = 5.76949722146069140550e0
  private final val C3 = 3.64784832476320460504e0
  private final val C4 = 1.27045825245236838258e0
  private final val C5 = 2.41780725177450611770e-1
  private final val C6 = 2.27238449892691845833e-2
  private final val C7 = 7.74545014278341407640e-4
  private final val D0 = 1.0
  private final val D1 = 2.05319162663775882187e0
  private final val D2 = 1.67638483018380384940e0
  private final val D3 = 6.89767334985100004550e-1
  private final val D4 = 1.48103976427480074590e-1
  private final val D5 = 1.51986665636164571966e-2
  private final val D6 = 5.47593808499534494600e-4
  private final val D7 = 1.05075007164441684324e-9
  // p near 0 or 1
  private final val E0 = 6.65790464350110377720e0
  private final val E1 = 5.46378491116411436990e0
  private final val E2 = 1.78482653991729133580e0
  private final val E3 = 2.96560571828504891230e-1
  private final val E4 = 2.65321895265761230930e-2
  private final val E5 = 1.24266094738807843860e-3
  private final val E6 = 2.71155556874348757815e-5
  private final val E7 = 2.01033439929228813265e-7
  private final val F0 = 1.0
  private final val F1 = 5.99832206555887937690e-1
  private final val F2 = 1.36929880922735805310e-1
  private final val F3 = 1.48753612908506148525e-2
  private final val F4 = 7.86869131145613259100e-4
  private final val F5 = 1.84631831751005468180e-5
  private final val F6 = 1.42151175831644588870e-7
  private final val F7 = 2.04426310338993978564e-15

  /** 2^-53, exactly. */
  final val Ulp53: Double = java.lang.Double.longBitsToDouble(0x3CA0000000000000L)

  /** The uniform of a word: `((w >>> 11) | 1) * 2^-53`, an odd multiple of
    * 2^-53 in (0, 1), never 0 or 1.
    *
    * Computed without an integer-to-double conversion (whose instruction,
    * `cvtsi2sd`, merges into its destination register: a false dependency
    * that serialised the whole PPND16 chain across elements, 3-4x slower):
    * with `k = w >>> 12` (so that `(w >>> 11) | 1 = 2k + 1`),
    * `1 + k 2^-52` is built from bits, and `(1 + k 2^-52) - 1 + 2^-53` is
    * `(2k + 1) 2^-53` with every step exact (Sterbenz; the sum is an odd
    * multiple of 2^-53 below 1, representable). Same value as the formula.
    */
  @inline def uniform(w: Long): Double =
    (java.lang.Double.longBitsToDouble(0x3FF0000000000000L | (w >>> 12)) - 1.0) + Ulp53

  /** The uniform by the contract's formula, literally (for tests). */
  def uniformByFormula(w: Long): Double = ((w >>> 11) | 1L).toDouble * Ulp53

  /** The normal of a word: `PPND16(uniform(w))`. */
  @inline def fromWord(w: Long): Double = apply(uniform(w))

  /** PPND16(p) for p in (0, 1). */
  def apply(p: Double): Double = {
    val q = p - 0.5
    if (Math.abs(q) <= Split1) central(q) else tail(p, q)
  }

  /** The normals of `n` words: `z(i) = fromWord(words(i))`, bit for bit.
    * `tails` is scratch space of at least `n` ints.
    *
    * Three passes for speed: the uniforms, noting (without a branch) which
    * draws fall in the tails (|u - 0.5| > 0.425, 15%); then the central
    * formula for every element, branch-free over double arrays (a loop the
    * JIT vectorises; IEEE operations lane by lane give the same bits as scalar
    * code, and Java never contracts to FMA); then the noted tails are
    * recomputed (their central value was a discarded, harmless number). Each
    * element gets the same operations in the same order as [[apply]].
    */
  def fromWords(words: Array[Long], z: Array[Double], tails: Array[Int], n: Int): Unit = {
    var nTails = 0
    var i = 0
    while (i < n) {
      val u = uniform(words(i))
      z(i) = u
      // tail iff |u - 0.5| > 0.425 iff 0.425 - |u - 0.5| < 0 (never -0.0): its sign bit
      tails(nTails) = i
      nTails += (java.lang.Double.doubleToRawLongBits(Split1 - Math.abs(u - 0.5)) >>> 63).toInt
      i += 1
    }
    i = 0
    while (i < n) {
      // central(z(i) - 0.5), spelled out so that the loop body is one expression tree
      val q = z(i) - 0.5
      val r = Const1 - q * q
      val a = ((((((A7 * r + A6) * r + A5) * r + A4) * r + A3) * r + A2) * r + A1) * r + A0
      val b = ((((((B7 * r + B6) * r + B5) * r + B4) * r + B3) * r + B2) * r + B1) * r + B0
      z(i) = q * a / b
      i += 1
    }
    var t = 0
    while (t < nTails) {
      val j = tails(t)
      val p = uniform(words(j))
      z(j) = tail(p, p - 0.5)
      t += 1
    }
  }

  /** [[fromWords]] with its own scratch space. */
  def fromWords(words: Array[Long], z: Array[Double], n: Int): Unit = fromWords(words, z, new Array[Int](n + 1), n)

  /** The central branch, `q * A(r) / B(r)` with `r = 0.180625 - q * q`. */
  private def central(q: Double): Double = {
    val r = Const1 - q * q
    var a = A7 * r
    a = (a + A6) * r; a = (a + A5) * r; a = (a + A4) * r
    a = (a + A3) * r; a = (a + A2) * r; a = (a + A1) * r
    a = a + A0
    var b = B7 * r
    b = (b + B6) * r; b = (b + B5) * r; b = (b + B4) * r
    b = (b + B3) * r; b = (b + B2) * r; b = (b + B1) * r
    b = b + B0
    q * a / b
  }

  private def tail(p: Double, q: Double): Double = {
    var r = if (q < 0.0) p else 1.0 - p
    r = Math.sqrt(-StrictMath.log(r))
    val v =
      if (r <= Split2) {
        r = r - Const2
        var a = C7 * r
        a = (a + C6) * r; a = (a + C5) * r; a = (a + C4) * r
        a = (a + C3) * r; a = (a + C2) * r; a = (a + C1) * r
        a = a + C0
        var b = D7 * r
        b = (b + D6) * r; b = (b + D5) * r; b = (b + D4) * r
        b = (b + D3) * r; b = (b + D2) * r; b = (b + D1) * r
        b = b + D0
        a / b
      } else {
        r = r - Split2
        var a = E7 * r
        a = (a + E6) * r; a = (a + E5) * r; a = (a + E4) * r
        a = (a + E3) * r; a = (a + E2) * r; a = (a + E1) * r
        a = a + E0
        var b = F7 * r
        b = (b + F6) * r; b = (b + F5) * r; b = (b + F4) * r
        b = (b + F3) * r; b = (b + F2) * r; b = (b + F1) * r
        b = b + F0
        a / b
      }
    if (q < 0.0) -v else v
  }
}
