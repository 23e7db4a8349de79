"""Standard normals (docs/contract.md, "Normals"): ``z = PPND16(u)``, ``u = ((word >>> 11) | 1) * 2^-53``.

Bit-exact with the JVM, which rules out ``np.log`` (it differs from fdlibm in
about 6% of inputs and even between CPUs): :func:`fdlibm_log` is a vectorised
port of fdlibm 5.3's ``__ieee754_log`` (e_log.c), which is what
``java.lang.StrictMath.log`` is. Every arithmetic step is one numpy ufunc on
float64, in the C source's order, so each rounds exactly as the C/Java
expression does (no FMA, no reassociation).

These numpy formulas are the backend's definition of the normals; the
compiled kernel (``_noise.c``, loaded by :mod:`.native`) computes the same
bits faster and is checked against them before it is used.
"""
from __future__ import annotations

import numpy as np

F64 = np.float64

# --------------------------------------------------------------------------
# fdlibm __ieee754_log
# --------------------------------------------------------------------------

LN2_HI = 6.93147180369123816490e-01  # 3fe62e42 fee00000
LN2_LO = 1.90821492927058770002e-10  # 3dea39ef 35793c76
TWO54 = 1.80143985094819840000e16  # 43500000 00000000
LG1 = 6.666666666666735130e-01  # 3FE55555 55555593
LG2 = 3.999999999940941908e-01  # 3FD99999 9997FA04
LG3 = 2.857142874366239149e-01  # 3FD24924 94229359
LG4 = 2.222219843214978396e-01  # 3FCC71C5 1D8E78AF
LG5 = 1.818357216161805012e-01  # 3FC74664 96CB03DE
LG6 = 1.531383769920937332e-01  # 3FC39A09 D078C69F
LG7 = 1.479819860511658591e-01  # 3FC2F112 DF3E5244
THIRD = 0.33333333333333333


def _high_words(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fdlibm's EXTRACT_WORDS: signed high word ``hx`` and unsigned low word ``lx``."""
    bits = x.view(np.uint64)
    hx = (bits >> np.uint64(32)).astype(np.uint32).view(np.int32).astype(np.int64)
    lx = bits & np.uint64(0xFFFFFFFF)
    return hx, lx


def fdlibm_log(x) -> np.ndarray:
    """Natural log, bit for bit ``StrictMath.log``, elementwise on float64.

    The general branch is evaluated on every lane (contiguous ufuncs are
    cheaper than gathering lanes); the rare lanes of the other branches
    (|f| < 2**-20, k == 0, zeros, negatives, subnormals, Inf, NaN) are then
    recomputed or overwritten by their own formulas.
    """
    x = np.array(x, dtype=F64, copy=True)  # subnormals are rescaled in place
    shape = x.shape
    x = x.reshape(-1)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        hx, lx = _high_words(x)
        k = np.zeros(x.shape, dtype=np.int64)
        special = _special_cases(x, hx, lx, k, out)
        if special is not None:
            x[special] = 1.0  # a harmless stand-in; those lanes are answered already
            hx, lx = _high_words(x)
        _main_path(x, hx, lx, k, out, special)
    return out.reshape(shape)


def _special_cases(x, hx, lx, k, out):
    """Zeros, negatives, Inf and NaN; None when there are none of these or subnormals.

    Their results are written to ``out`` and their lanes returned. Subnormals
    are scaled by 2^54 in place (k -= 54) and go on to the main path.
    """
    tiny = hx < 0x00100000  # x < 2**-1022, zero or negative
    huge = hx >= 0x7FF00000  # Inf or NaN
    if not (tiny.any() or huge.any()):
        return None
    zero = tiny & (((hx & 0x7FFFFFFF) | lx.astype(np.int64)) == 0)
    negative = tiny & ~zero & (hx < 0)
    subnormal = tiny & ~zero & ~negative
    out[zero] = -np.inf  # -two54/zero
    out[negative] = np.nan  # (x-x)/zero
    out[huge] = x[huge] + x[huge]
    if subnormal.any():
        x[subnormal] *= TWO54
        k[subnormal] -= 54
    return zero | negative | huge


def _main_path(x, hx, lx, k, out, special):
    k += (hx >> 20) - 1023
    hx = hx & 0x000FFFFF
    i = (hx + 0x95F64) & 0x100000
    # normalize x or x/2: SET_HIGH_WORD(x, hx | (i ^ 0x3ff00000))
    high = (hx | (i ^ 0x3FF00000)).astype(np.uint64)
    x = ((high << np.uint64(32)) | lx).view(F64)
    k += i >> 20
    f = np.subtract(x, 1.0)
    general = _general_branch(f, hx, k)
    small = ((2 + hx) & 0x000FFFFF) < 3  # -2**-20 <= f < 2**-20
    if special is None:
        out[...] = general
    else:
        out[~special] = general[~special]
        small &= ~special
    if small.any():
        out[small] = _small_branch(f[small], k[small])


def _small_branch(f, k):
    """|f| < 2**-20: a two-term series (and exact powers of two)."""
    dk = k.astype(F64)
    # R = f*f*(0.5-0.33333333333333333*f)
    r = np.multiply(f, f)
    t = np.multiply(THIRD, f)
    np.subtract(0.5, t, out=t)
    np.multiply(r, t, out=r)
    # k == 0: f-R ; else dk*ln2_hi-((R-dk*ln2_lo)-f)
    res_k0 = np.subtract(f, r)
    a = np.multiply(dk, LN2_LO)
    np.subtract(r, a, out=a)
    np.subtract(a, f, out=a)
    res = np.multiply(dk, LN2_HI)
    np.subtract(res, a, out=res)
    res = np.where(k == 0, res_k0, res)
    # f == 0: k == 0 ? 0 : dk*ln2_hi+dk*ln2_lo
    exact = np.add(np.multiply(dk, LN2_HI), np.multiply(dk, LN2_LO))
    exact = np.where(k == 0, 0.0, exact)
    return np.where(f == 0.0, exact, res)


def _general_branch(f, hx, k):
    """The 7-term Lg polynomial in s = f/(2+f), evaluated as in e_log.c."""
    s = np.add(2.0, f)
    np.divide(f, s, out=s)
    dk = k.astype(F64)
    z = np.multiply(s, s)
    w = np.multiply(z, z)
    # t1 = w*(Lg2+w*(Lg4+w*Lg6))
    t1 = np.multiply(w, LG6)
    np.add(LG4, t1, out=t1)
    np.multiply(w, t1, out=t1)
    np.add(LG2, t1, out=t1)
    np.multiply(w, t1, out=t1)
    # t2 = z*(Lg1+w*(Lg3+w*(Lg5+w*Lg7)))
    t2 = np.multiply(w, LG7)
    np.add(LG5, t2, out=t2)
    np.multiply(w, t2, out=t2)
    np.add(LG3, t2, out=t2)
    np.multiply(w, t2, out=t2)
    np.add(LG1, t2, out=t2)
    np.multiply(z, t2, out=t2)
    r = np.add(t2, t1, out=t2)  # R = t2+t1
    # i = (hx-0x6147a) | (0x6b851-hx) > 0 selects the hfsq form
    use_hfsq = ((hx - 0x6147A) | (0x6B851 - hx)) > 0
    hfsq = np.multiply(0.5, f)  # hfsq = 0.5*f*f
    np.multiply(hfsq, f, out=hfsq)
    s_hfsq = np.add(hfsq, r)  # s*(hfsq+R)
    np.multiply(s, s_hfsq, out=s_hfsq)
    s_f = np.subtract(f, r, out=r)  # s*(f-R)
    np.multiply(s, s_f, out=s_f)
    lo = np.multiply(dk, LN2_LO, out=z)
    hi = np.multiply(dk, LN2_HI, out=w)
    # hfsq form, k != 0: dk*ln2_hi-((hfsq-(s*(hfsq+R)+dk*ln2_lo))-f)
    with_hfsq = np.add(s_hfsq, lo)
    np.subtract(hfsq, with_hfsq, out=with_hfsq)
    np.subtract(with_hfsq, f, out=with_hfsq)
    np.subtract(hi, with_hfsq, out=with_hfsq)
    # plain form, k != 0: dk*ln2_hi-((s*(f-R)-dk*ln2_lo)-f)
    plain = np.subtract(s_f, lo, out=lo)
    np.subtract(plain, f, out=plain)
    np.subtract(hi, plain, out=plain)
    result = np.where(use_hfsq, with_hfsq, plain)
    k_zero = k == 0
    if k_zero.any():
        # k == 0: f-(hfsq-s*(hfsq+R)) or f-s*(f-R)
        f0 = f[k_zero]
        result[k_zero] = np.where(
            use_hfsq[k_zero],
            np.subtract(f0, np.subtract(hfsq[k_zero], s_hfsq[k_zero])),
            np.subtract(f0, s_f[k_zero]),
        )
    return result


# --------------------------------------------------------------------------
# uniforms and PPND16 (Wichura 1988, AS 241)
# --------------------------------------------------------------------------

# Coefficients c0..c7 of each polynomial (B, D, F have c0 = 1.0).
A = (3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
     1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
     3.3430575583588128105e4, 2.5090809287301226727e3)
B = (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
     2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
     5.2264952788528545610e3)
C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
     3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
     2.27238449892691845833e-2, 7.74545014278341407640e-4)
D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
     1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
     1.05075007164441684324e-9)
E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
     2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
     2.71155556874348757815e-5, 2.01033439929228813265e-7)
F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
     7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
     2.04426310338993978564e-15)

SPLIT1 = 0.425
SPLIT2 = 5.0
CONST1 = 0.180625
CONST2 = 1.6
TWO_M53 = 2.0 ** -53


def uniforms(word_array: np.ndarray) -> np.ndarray:
    """``((word >>> 11) | 1) * 2^-53``: odd multiples of 2^-53, never 0 or 1."""
    odd = np.right_shift(word_array, np.uint64(11))
    np.bitwise_or(odd, np.uint64(1), out=odd)
    u = odd.astype(F64)  # exact: < 2^53
    np.multiply(u, TWO_M53, out=u)  # exact: a power of two
    return u


def horner(coefficients, r: np.ndarray) -> np.ndarray:
    """The contract's fixed order: acc = c7*r; acc = (acc + ck)*r for k = 6..1; acc + c0.

    ``coefficients`` is a pair of polynomials as :func:`_pair` stacks them:
    both are evaluated at once, row 0 and row 1 of the (2, n) result, so each
    step is one numpy call for both (numpy's fixed cost per call is much of
    the time on cache-sized blocks). Each row's values are its own polynomial's,
    step for step.
    """
    acc = np.multiply(coefficients[7], r)
    for c in coefficients[6:0:-1]:
        np.add(acc, c, out=acc)
        np.multiply(acc, r, out=acc)
    np.add(acc, coefficients[0], out=acc)
    return acc


def _pair(numerator, denominator) -> np.ndarray:
    """Coefficient k of both polynomials as ``pair[k]``, a (2, 1) column that broadcasts over r."""
    return np.array([numerator, denominator], dtype=F64).T.reshape(8, 2, 1).copy()


AB, CD, EF = _pair(A, B), _pair(C, D), _pair(E, F)


def ppnd16(u: np.ndarray) -> np.ndarray:
    """AS 241 PPND16 for any u in (0, 1) (:func:`normals` is the fast path for words)."""
    u = np.asarray(u, dtype=F64)
    shape = u.shape
    u = u.reshape(-1)
    q = np.subtract(u, 0.5)
    z = np.empty_like(q)
    with np.errstate(all="ignore"):  # central formula on tail lanes: discarded
        _central(q, z)
    tail = np.flatnonzero(np.abs(q) > SPLIT1)
    if tail.size:
        ut, negative = u[tail], q[tail] < 0.0
        z[tail] = _tails(np.where(negative, ut, np.subtract(1.0, ut)), negative)
    return z.reshape(shape)


def normals(word_array: np.ndarray) -> np.ndarray:
    """The standard normal z of each word."""
    word_array = np.array(word_array, dtype=np.uint64)  # a copy: normals_into consumes it
    z = np.empty(word_array.shape, dtype=F64)
    normals_into(word_array.reshape(-1), z.reshape(-1))
    return z


#: Cells per pass of the central formula: its ~6 float64 temporaries stay in L2.
CENTRAL_BLOCK = 1 << 14
#: Tail lanes per pass of the tail formula.
TAIL_BATCH = 1 << 13


def normals_into(word_array: np.ndarray, z: np.ndarray) -> None:
    """``z[:] = PPND16(u(word))`` for a 1-D uint64 array, which it overwrites (with q).

    Where the time goes, hence this shape: the central formula (two degree-7
    polynomials, ~34 passes) runs on every lane, block by block of
    ``CENTRAL_BLOCK`` cells, which is cheaper than gathering the 85% central
    lanes and scattering them back; the tail formula (the fdlibm log and two
    more polynomials, ~100 numpy calls) runs once on all the ~15% tail lanes
    of the whole array, gathered by index, so that numpy's fixed cost per call
    (~1 us, as much as the call's work on one block's 2,500 tail lanes) is paid
    once per array and not once per block: callers pass arrays of many blocks.
    Each lane's value is the one its own branch computes: the bits are those of
    the scalar formula, whatever the sizes.
    """
    q = _q_of_words(word_array)
    with np.errstate(all="ignore"):  # central formula on tail lanes: discarded
        for start in range(0, q.size, CENTRAL_BLOCK):
            _central(q[start:start + CENTRAL_BLOCK], z[start:start + CENTRAL_BLOCK])
    tail = np.flatnonzero(np.abs(q) > SPLIT1)
    for start in range(0, tail.size, TAIL_BATCH):
        lanes = tail[start:start + TAIL_BATCH]
        x = q[lanes]
        negative = x < 0.0
        # min(u, 1 - u) = 0.5 - |q| exactly: u, 1 - u and q are multiples of 2^-53
        np.abs(x, out=x)
        np.subtract(0.5, x, out=x)
        z[lanes] = _tails(x, negative)


def _q_of_words(word_array: np.ndarray) -> np.ndarray:
    """q = u - 0.5 = (((word >>> 11) | 1) - 2^52) * 2^-53, written over the words (exact)."""
    np.right_shift(word_array, np.uint64(11), out=word_array)
    np.bitwise_or(word_array, np.uint64(1), out=word_array)
    signed = word_array.view(np.int64)
    np.subtract(signed, np.int64(1 << 52), out=signed)
    q = word_array.view(F64)
    np.multiply(signed, TWO_M53, out=q)  # |q| < 2^52 * 2^-53: an exact conversion, an exact scaling
    return q


def _central(q: np.ndarray, out: np.ndarray) -> np.ndarray:
    """z = q*A(r)/B(r), r = 0.180625 - q*q (evaluated left to right)."""
    r = np.multiply(q, q)
    np.subtract(CONST1, r, out=r)
    num, den = horner(AB, r)
    np.multiply(q, num, out=out)
    np.divide(out, den, out=out)
    return out


def _tails(x: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """z of the tail lanes from x = min(u, 1 - u): r = sqrt(-log(x)); C/D at r-1.6
    up to r = 5, E/F at r-5 beyond; z = -z where q < 0."""
    r = _positive_log(x)
    np.negative(r, out=r)
    np.sqrt(r, out=r)
    near = r <= SPLIT2
    if near.all():
        z = _rational(CD, np.subtract(r, CONST2))
    else:
        z = np.empty_like(r)
        z[near] = _rational(CD, np.subtract(r[near], CONST2))
        far = ~near
        z[far] = _rational(EF, np.subtract(r[far], SPLIT2))
    np.negative(z, out=z, where=negative)
    return z


def _positive_log(x: np.ndarray) -> np.ndarray:
    """fdlibm_log for x in (0, 0.5]: the general branch with k != 0 on every
    lane (no special values, no subnormals but those it hands back), the rare
    lanes of the other branches recomputed by :func:`fdlibm_log`."""
    bits = x.view(np.int64)
    hx = np.right_shift(bits, 32)  # the high word (x > 0)
    rare = hx < 0x00100000  # subnormal: fdlibm_log rescales them
    k = np.right_shift(hx, 20)
    np.subtract(k, 1023, out=k)
    np.bitwise_and(hx, 0x000FFFFF, out=hx)
    i = np.add(hx, 0x95F64)
    np.bitwise_and(i, 0x100000, out=i)
    # normalize x or x/2: SET_HIGH_WORD(x, hx | (i ^ 0x3ff00000)), on the bits
    # (hx's 20 bits and i ^ 0x3ff00000's upper ones do not overlap)
    normalized = np.bitwise_and(bits, 0x000FFFFFFFFFFFFF)
    high = np.bitwise_xor(i, 0x3FF00000)
    np.left_shift(high, 32, out=high)
    np.bitwise_or(normalized, high, out=normalized)
    np.right_shift(i, 20, out=i)
    np.add(k, i, out=k)
    f = np.subtract(normalized.view(F64), 1.0)
    result = _general_branch(f, hx, k)
    small = np.add(hx, 2, out=i)
    np.bitwise_and(small, 0x000FFFFF, out=small)
    rare |= small < 3  # -2**-20 <= f < 2**-20: the two-term series
    if rare.any():
        result[rare] = fdlibm_log(x[rare])
    return result


def _rational(pair: np.ndarray, r: np.ndarray) -> np.ndarray:
    num, den = horner(pair, r)
    return np.divide(num, den, out=num)
