/*
 * The numpy backend's compiled noise, straight from the (seed, step) stream,
 * bit for bit what philox.py, normal.py and ops.py compute with numpy
 * (docs/contract.md, "Masks" and "Normals"; native.py loads this file with
 * ctypes and checks it against them before first use):
 * the elementwise forwards and backwards of the mask layers (keep masks applied
 * by bits) and of GaussianNoise and GaussianDropout (x + T(sd * z), x * T(1 + sd * z)).
 *
 * Why it is bit-exact: every step is one IEEE 754 operation in the contract's
 * order (Horner as written, the fdlibm log as e_log.c writes it), built with
 * -ffp-contract=off (no FMA) and no fast-math (setup.py); integer-to-double
 * conversions are exact by construction. Why it is fast: the normals go in
 * blocks of BLOCK cells; the central formula runs on every lane of a block in
 * one vectorisable loop, the ~15% tail lanes are gathered and go through the
 * log and their polynomials in vectorisable loops of their own, and only the
 * rare lanes (fdlibm's small-f branch, r > 5) take a scalar path; a mask is
 * one compare per 32-bit half, no numpy call per chunk. ctypes releases the
 * GIL for the call, so the backend's threads run side by side.
 */
#define Py_LIMITED_API 0x03090000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
/* an AVX2 build of the block kernels beside the baseline one, chosen when loaded (no FMA either way) */
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VECTOR_CLONES
#endif

enum { BLOCK = 512 };

/* ------------------------------------------------------------------------
 * Philox4x64-10 words: word j of (seed s, step t) is
 * Philox4x64_10(counter = (1 + j div 4, t, 0, 0), key = (s, 0))[j mod 4]
 * ---------------------------------------------------------------------- */

#define PHILOX_M0 0xD2E7470EE14C6C93ULL
#define PHILOX_M1 0xCA5A826395121157ULL
#define PHILOX_W0 0x9E3779B97F4A7C15ULL
#define PHILOX_W1 0xBB67AE8584CAA73BULL

typedef struct {
    uint64_t counter[4]; /* the last block's counter, incremented before each block (as numpy does) */
    uint64_t key;
    uint64_t block[4];
    int used; /* words of block already handed out */
} Stream;

static void next_block(Stream *s) {
    uint64_t *c = s->counter;
    if (++c[0] == 0 && ++c[1] == 0 && ++c[2] == 0) ++c[3];
    uint64_t x0 = c[0], x1 = c[1], x2 = c[2], x3 = c[3], k0 = s->key, k1 = 0;
    for (int round = 0; round < 10; round++) {
        __uint128_t p0 = (__uint128_t)PHILOX_M0 * x0, p1 = (__uint128_t)PHILOX_M1 * x2;
        uint64_t hi0 = (uint64_t)(p0 >> 64), lo0 = (uint64_t)p0;
        uint64_t hi1 = (uint64_t)(p1 >> 64), lo1 = (uint64_t)p1;
        x0 = hi1 ^ x1 ^ k0;
        x1 = lo1;
        x2 = hi0 ^ x3 ^ k1;
        x3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    s->block[0] = x0;
    s->block[1] = x1;
    s->block[2] = x2;
    s->block[3] = x3;
    s->used = 0;
}

static void next_words(Stream *s, int64_t n, uint64_t *out) {
    for (int64_t i = 0; i < n; i++) {
        if (s->used == 4) next_block(s);
        out[i] = s->block[s->used++];
    }
}

/* The stream from numpy's counter (before its first increment), past the first skip words. */
static Stream stream_at(uint64_t seed, const uint64_t counter[4], int skip) {
    Stream s = {{counter[0], counter[1], counter[2], counter[3]}, seed, {0, 0, 0, 0}, 4};
    uint64_t passed[4];
    next_words(&s, skip, passed);
    return s;
}

/* ------------------------------------------------------------------------
 * fdlibm 5.3 __ieee754_log (e_log.c), which is java.lang.StrictMath.log
 * ---------------------------------------------------------------------- */

static const double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10,
                    TWO54 = 1.80143985094819840000e+16, LG1 = 6.666666666666735130e-01,
                    LG2 = 3.999999999940941908e-01, LG3 = 2.857142874366239149e-01,
                    LG4 = 2.222219843214978396e-01, LG5 = 1.818357216161805012e-01,
                    LG6 = 1.531383769920937332e-01, LG7 = 1.479819860511658591e-01;

static inline uint64_t bits_of(double x) {
    uint64_t b;
    memcpy(&b, &x, 8);
    return b;
}

static inline double double_of(uint64_t b) {
    double x;
    memcpy(&x, &b, 8);
    return x;
}

/* The whole function, every branch, for the lanes the vector loop leaves out. */
static double fdlibm_log(double x) {
    int32_t hx = (int32_t)(bits_of(x) >> 32), k = 0;
    uint32_t lx = (uint32_t)bits_of(x);
    if (hx < 0x00100000) {
        if (((hx & 0x7fffffff) | lx) == 0) return -INFINITY; /* -two54/zero */
        if (hx < 0) return NAN;                            /* (x-x)/zero */
        k -= 54;
        x *= TWO54;
        hx = (int32_t)(bits_of(x) >> 32);
    }
    if (hx >= 0x7ff00000) return x + x;
    k += (hx >> 20) - 1023;
    hx &= 0x000fffff;
    int32_t i = (hx + 0x95f64) & 0x100000;
    x = double_of((bits_of(x) & 0xffffffffULL) | ((uint64_t)(uint32_t)(hx | (i ^ 0x3ff00000)) << 32));
    k += i >> 20;
    double f = x - 1.0, dk = (double)k;
    if ((0x000fffff & (2 + hx)) < 3) {
        if (f == 0.0) return k == 0 ? 0.0 : dk * LN2_HI + dk * LN2_LO;
        double r = f * f * (0.5 - 0.33333333333333333 * f);
        return k == 0 ? f - r : dk * LN2_HI - ((r - dk * LN2_LO) - f);
    }
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (LG2 + w * (LG4 + w * LG6));
    double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    double r = t2 + t1;
    if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
        double hfsq = 0.5 * f * f;
        return k == 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    }
    return k == 0 ? f - s * (f - r) : dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
}

/* fdlibm_log's general branch with k != 0, branch-free: right for every x in
 * [2^-53, 0.5] (the tails' min(u, 1 - u)) but those log_is_rare flags. */
static inline double log_general(double x) {
    uint64_t b = bits_of(x);
    int32_t hx = (int32_t)(b >> 32);
    int32_t k = (hx >> 20) - 1023;
    hx &= 0x000fffff;
    int32_t i = (hx + 0x95f64) & 0x100000;
    double f = double_of((b & 0x000fffffffffffffULL) | ((uint64_t)(uint32_t)(i ^ 0x3ff00000) << 32)) - 1.0;
    k += i >> 20;
    double s = f / (2.0 + f), dk = (double)k, z = s * s, w = z * z;
    double t1 = w * (LG2 + w * (LG4 + w * LG6));
    double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    double r = t2 + t1, hfsq = 0.5 * f * f;
    double with_hfsq = dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    double plain = dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    /* a select on the bits: a ternary here keeps gcc from vectorising the loop */
    uint64_t pick = (uint64_t)0 - (uint64_t)(((hx - 0x6147a) | (0x6b851 - hx)) > 0);
    return double_of((bits_of(with_hfsq) & pick) | (bits_of(plain) & ~pick));
}

/* fdlibm's small-f branch (|f| < 2^-20): x within 2^-20 of a power of two */
static inline int log_is_rare(double x) {
    return ((2 + (int32_t)(bits_of(x) >> 32)) & 0x000fffff) < 3;
}

/* ------------------------------------------------------------------------
 * PPND16 (Wichura 1988, AS 241) of u = ((word >>> 11) | 1) * 2^-53
 * ---------------------------------------------------------------------- */

static const double A[8] = {3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
                            1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
                            3.3430575583588128105e4, 2.5090809287301226727e3};
static const double B[8] = {1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
                            2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
                            5.2264952788528545610e3};
static const double C[8] = {1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
                            3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
                            2.27238449892691845833e-2, 7.74545014278341407640e-4};
static const double D[8] = {1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
                            1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
                            1.05075007164441684324e-9};
static const double E[8] = {6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
                            2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                            2.71155556874348757815e-5, 2.01033439929228813265e-7};
static const double F[8] = {1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
                            7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
                            2.04426310338993978564e-15};

/* the contract's order: acc = c7*r; acc = (acc + ck)*r for k = 6..1; acc + c0 */
static inline double horner(const double c[8], double r) {
    double acc = c[7] * r;
    for (int k = 6; k >= 1; k--) acc = (acc + c[k]) * r;
    return acc + c[0];
}

/* q = u - 0.5, exact: m = (word >>> 11) | 1 < 2^53 is converted in two exact
 * 26/27-bit halves (a vectorisable conversion; SSE2 and AVX2 have no 64-bit one) */
static inline double q_of_word(uint64_t word) {
    uint64_t m = (word >> 11) | 1;
    double high = double_of(0x4330000000000000ULL | (m >> 26)) - 0x1p52;
    double low = double_of(0x4330000000000000ULL | (m & 0x3ffffffULL)) - 0x1p52;
    return (high * 0x1p26 + low) * 0x1p-53 - 0.5;
}

/* z = PPND16 of n <= BLOCK words */
VECTOR_CLONES
static void normals_block(const uint64_t *words, int n, double *z) {
    double q[BLOCK], x[BLOCK], r[BLOCK];
    int tail[BLOCK];
    for (int i = 0; i < n; i++) q[i] = q_of_word(words[i]);
    for (int i = 0; i < n; i++) { /* |q| <= 0.425: z = q*A(r)/B(r), r = 0.180625 - q*q */
        double ri = 0.180625 - q[i] * q[i];
        z[i] = q[i] * horner(A, ri) / horner(B, ri);
    }
    int tails = 0;
    for (int i = 0; i < n; i++) {
        tail[tails] = i;
        tails += fabs(q[i]) > 0.425;
    }
    for (int j = 0; j < tails; j++) x[j] = 0.5 - fabs(q[tail[j]]); /* min(u, 1 - u), exact */
    int rare = 0;
    for (int j = 0; j < tails; j++) {
        r[j] = log_general(x[j]);
        rare |= log_is_rare(x[j]);
    }
    if (rare)
        for (int j = 0; j < tails; j++)
            if (log_is_rare(x[j])) r[j] = fdlibm_log(x[j]);
    int far = 0;
    for (int j = 0; j < tails; j++) { /* r = sqrt(-log x); z = C(r-1.6)/D(r-1.6) up to r = 5 */
        r[j] = sqrt(-r[j]);
        far |= r[j] > 5.0;
        double t = r[j] - 1.6;
        x[j] = horner(C, t) / horner(D, t);
    }
    if (far) /* beyond r = 5: E(r-5)/F(r-5) */
        for (int j = 0; j < tails; j++)
            if (r[j] > 5.0) x[j] = horner(E, r[j] - 5.0) / horner(F, r[j] - 5.0);
    for (int j = 0; j < tails; j++) z[tail[j]] = q[tail[j]] < 0.0 ? -x[j] : x[j];
}

/* ------------------------------------------------------------------------
 * what native.py calls
 * ---------------------------------------------------------------------- */

/* z[i] = PPND16(u(words[i])), i < n (native.py checks the transform with it) */
void bigdl_reg_normals(const uint64_t *words, int64_t n, double *z) {
    for (int64_t start = 0; start < n; start += BLOCK)
        normals_block(words + start, (int)(n - start < BLOCK ? n - start : BLOCK), z + start);
}

/* The ops of ops.py on n elements x[i] of cells first + i of a stream, written to
 * out[i] (which may be x[i]). counter: numpy's Philox counter (first_block +
 * (step << 64), four 64-bit words, low first) before its first increment; skip:
 * words of that first block to pass over. */

/* The mask ops: cell i is kept iff its 32-bit half (the low half of word i div 2
 * for even i; odd: the first cell is a high half) is below threshold, in
 * [0, 2^32]. With mask all ones where kept, 0 where dropped, and v = x (mode 0),
 * x * a (mode 1) or x * a + b (mode 2) in the element type:
 * out = ((v ^ c) & mask) ^ c on the bits (c = +0: keep ? v : +0). */
#define APPLY_MASK(NAME, T, BITS)                                                                    \
    void NAME(uint64_t seed, const uint64_t counter[4], int skip, int odd, int64_t n,                \
              uint64_t threshold, int mode, T a, T b, T c, const T *x, T *out) {                     \
        Stream stream = stream_at(seed, counter, skip);                                              \
        uint64_t words[BLOCK / 2 + 1];                                                               \
        uint32_t halves[BLOCK + 2];                                                                  \
        /* all kept (threshold 2^32) as half <= 2^32 - 1, so that the compare is on 32 bits */       \
        uint32_t below = threshold > 0xffffffffULL ? 0xffffffffU : (uint32_t)threshold;              \
        int all = threshold > 0xffffffffULL;                                                         \
        BITS c_bits;                                                                                 \
        memcpy(&c_bits, &c, sizeof c);                                                               \
        for (int64_t start = 0; start < n; start += BLOCK) {                                         \
            int count = (int)(n - start < BLOCK ? n - start : BLOCK);                                \
            int lanes = odd + count, nwords = (lanes + 1) / 2;                                       \
            next_words(&stream, nwords, words);                                                      \
            for (int j = 0; j < nwords; j++) {                                                       \
                halves[2 * j] = (uint32_t)words[j];                                                  \
                halves[2 * j + 1] = (uint32_t)(words[j] >> 32);                                      \
            }                                                                                        \
            const T *xs = x + start;                                                                 \
            T *outs = out + start;                                                                   \
            const uint32_t *h = halves + odd;                                                        \
            if (mode == 0)                                                                           \
                for (int i = 0; i < count; i++) MASK_STEP(T, BITS, xs[i]);                           \
            else if (mode == 1)                                                                      \
                for (int i = 0; i < count; i++) MASK_STEP(T, BITS, xs[i] * a);                       \
            else                                                                                     \
                for (int i = 0; i < count; i++) MASK_STEP(T, BITS, xs[i] * a + b);                   \
            odd = lanes & 1; /* a block that ends on a low half leaves the high one to the next */   \
            if (odd) stream.used--;                                                                  \
        }                                                                                            \
    }
#define MASK_STEP(T, BITS, VALUE)                                                                    \
    do {                                                                                             \
        T v = (VALUE);                                                                               \
        BITS bits, mask = (BITS)0 - (BITS)((h[i] < below) | all);                                    \
        memcpy(&bits, &v, sizeof v);                                                                 \
        bits = ((bits ^ c_bits) & mask) ^ c_bits;                                                    \
        memcpy(&outs[i], &bits, sizeof v);                                                           \
    } while (0)

APPLY_MASK(bigdl_reg_mask_f32, float, int32_t)
APPLY_MASK(bigdl_reg_mask_f64, double, int64_t)

/* The Gaussian ops: out = x * T(1 + sd * z) when one_plus (GaussianDropout), else
 * x + T(sd * z) (GaussianNoise); T(.) rounds the double to the element type as
 * numpy's unsafe cast does. */
#define APPLY_GAUSS(NAME, T)                                                                         \
    void NAME(uint64_t seed, const uint64_t counter[4], int skip, int64_t n, double sd, int one_plus, \
              const T *x, T *out) {                                                                  \
        Stream stream = stream_at(seed, counter, skip);                                              \
        uint64_t words[BLOCK];                                                                       \
        double z[BLOCK];                                                                             \
        for (int64_t start = 0; start < n; start += BLOCK) {                                         \
            int count = (int)(n - start < BLOCK ? n - start : BLOCK);                                \
            next_words(&stream, count, words);                                                       \
            normals_block(words, count, z);                                                          \
            const T *xs = x + start;                                                                 \
            T *outs = out + start;                                                                   \
            if (one_plus)                                                                            \
                for (int i = 0; i < count; i++) outs[i] = xs[i] * (T)(z[i] * sd + 1.0);              \
            else                                                                                     \
                for (int i = 0; i < count; i++) outs[i] = xs[i] + (T)(z[i] * sd);                    \
        }                                                                                            \
    }

APPLY_GAUSS(bigdl_reg_gauss_f32, float)
APPLY_GAUSS(bigdl_reg_gauss_f64, double)

/* An importable module, so that Python's import machinery finds this file
 * (in a wheel, an sdist build or an editable clone); it has no functions of its own. */
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_noise",
                                    "The compiled noise of the numpy backend (see native.py).", -1, NULL};

PyMODINIT_FUNC PyInit__noise(void) { return PyModule_Create(&module); }
