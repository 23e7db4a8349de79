"""The compiled noise (``_noise.c``): loaded with ctypes, checked, or else absent.

The numpy code of :mod:`.philox`, :mod:`.normal` and :mod:`.ops` is the
backend's definition; this C kernel computes the same keep masks and Gaussian
operands several times faster (the words, the transform and the rounding in
one pass over cache-sized blocks, with the GIL released). It is built when
the package is installed with a C compiler (``setup.py``; without one the
install goes on without it) and used only after it has reproduced the numpy
code bit for bit on words that reach every branch. ``BIGDL_REG_NATIVE=0``
turns it off. :func:`status` says which path runs and why.
"""
from __future__ import annotations

import ctypes
import importlib
import os
from typing import Optional

import numpy as np

from . import normal, philox

NATIVE_ENV = "BIGDL_REG_NATIVE"
_MASK64 = (1 << 64) - 1
_POINTER = ctypes.c_void_p
_SIGNATURES = {
    "bigdl_reg_normals": [_POINTER, ctypes.c_int64, _POINTER],
    "bigdl_reg_gauss_f32": [ctypes.c_uint64, _POINTER, ctypes.c_int, ctypes.c_int64, ctypes.c_double, ctypes.c_int,
                            _POINTER, _POINTER],
}
_SIGNATURES["bigdl_reg_gauss_f64"] = _SIGNATURES["bigdl_reg_gauss_f32"]
for _bits, _scalar in (("f32", ctypes.c_float), ("f64", ctypes.c_double)):
    _SIGNATURES[f"bigdl_reg_mask_{_bits}"] = [ctypes.c_uint64, _POINTER, ctypes.c_int, ctypes.c_int, ctypes.c_int64,
                                              ctypes.c_uint64, ctypes.c_int, _scalar, _scalar, _scalar, _POINTER,
                                              _POINTER]
#: the mask ops' modes: what is kept, before the bits are merged
KEEP_X, KEEP_X_TIMES_A, KEEP_X_TIMES_A_PLUS_B = 0, 1, 2

_kernel: Optional[ctypes.CDLL] = None
_reason = ""
_loaded = False


def _check_words() -> np.ndarray:
    """Words whose normals reach every branch: the central and both tail formulas, both
    signs, the ends of u, the split points, the log's rare lanes; then a stretch of a stream."""
    u53 = [0, 1, 2, (1 << 53) - 1, (1 << 53) - 2, 1 << 52, (1 << 52) - 1]  # u = u53 * 2^-53, about
    for u in (0.075, 0.925, 2.0 ** -4, 1 - 2.0 ** -4, 2.0 ** -20, 1 - 2.0 ** -20, 2.0 ** -40, 1e-12, 1 - 1e-12):
        m = int(u * 2 ** 53)
        u53 += range(m - 2, m + 3)
    crafted = np.array(u53, dtype=np.uint64) << np.uint64(11)
    return np.concatenate([crafted, philox.words(42, 3, 0, 1 << 14)])


def _check_ops() -> list:
    """Each compiled op against its numpy definition: (name, op) pairs of ops.py covering
    every mode and both Gaussian ops; odd thresholds and factors included."""
    from . import ops  # ops imports this module

    return [("Dropout", ops.Mask(0.3, True)), ("unscaled Dropout", ops.Mask(0.75, False)),
            ("AlphaDropout", ops.AlphaMask(0.2)), ("AlphaDropout's derivative", ops.MaskScale(0.9, 1.7)),
            ("GaussianNoise", ops.GaussAdd(0.5)), ("GaussianDropout", ops.GaussMul(0.7071067811865476))]


def _check_input(dtype) -> np.ndarray:
    x = np.random.default_rng(1).standard_normal(2100).astype(dtype)
    x[:6] = [np.nan, np.inf, -np.inf, -0.0, 0.0, np.finfo(dtype).tiny / 4]  # NaN, infinities, zeros, a subnormal
    return x


def _disagreement(library: ctypes.CDLL) -> str:
    """What the library gets wrong against the numpy code, or "" when nothing."""
    from . import ops

    words = _check_words()
    expected = normal.normals(words)
    got = np.empty_like(expected)
    library.bigdl_reg_normals(words.ctypes.data, words.size, got.ctypes.data)
    if got.tobytes() != expected.tobytes():
        wrong = int(np.count_nonzero(got.view(np.uint64) != expected.view(np.uint64)))
        return (f"its normals differ from the numpy formula on {wrong} of {words.size} check words "
                "(a compiler that contracts to FMA or uses fast-math?)")
    for name, op in _check_ops():
        for dtype in (np.float32, np.float64):
            x = _check_input(dtype)
            cells = ops.Cells(42, 3, x.shape, base=1)
            numpy_out, compiled_out = np.empty_like(x), np.empty_like(x)
            op.apply(x, numpy_out, cells, compiled=False)
            op.kernel(library, np.dtype(dtype))(42, 3, 1, x, compiled_out)
            if numpy_out.tobytes() != compiled_out.tobytes():
                return f"its {name} differs from numpy's in {np.dtype(dtype).name}"
    return ""


def _load() -> None:
    global _kernel, _reason, _loaded
    _kernel, _loaded = None, True
    if os.environ.get(NATIVE_ENV, "").strip() == "0":
        _reason = f"turned off ({NATIVE_ENV}=0)"
        return
    try:
        module = importlib.import_module(f"{__package__}._noise")
    except ImportError as error:
        _reason = f"not built ({error}); the install had no C compiler, or it failed"
        return
    library = ctypes.CDLL(module.__file__)  # CDLL releases the GIL around each call
    for name, argtypes in _SIGNATURES.items():
        function = getattr(library, name)
        function.argtypes, function.restype = argtypes, None
    wrong = _disagreement(library)
    if wrong:
        _reason = f"refused: {module.__file__}: {wrong}"
        return
    _kernel = library
    _reason = f"compiled ({module.__file__})"


def kernel() -> Optional[ctypes.CDLL]:
    """The checked library, or None (then :func:`status` says why)."""
    if not _loaded:
        _load()
    return _kernel


def status() -> str:
    """Which path the numpy backend's noise takes and why, in a few words."""
    kernel()
    return _reason


def _loaded_kernel() -> ctypes.CDLL:
    library = kernel()
    assert library is not None, status()
    return library


def _counter(step: int, block: int) -> np.ndarray:
    """numpy's Philox counter before block ``block + 1``, as four 64-bit words (low first)."""
    start = philox.start_counter(step, block)
    return np.array([(start >> s) & _MASK64 for s in (0, 64, 128, 192)], dtype=np.uint64)


def normals(word_array: np.ndarray) -> np.ndarray:
    """The standard normals of ``word_array`` through the kernel (which must be loaded)."""
    words = np.ascontiguousarray(word_array, dtype=np.uint64)
    z = np.empty(words.shape, dtype=np.float64)
    _loaded_kernel().bigdl_reg_normals(words.ctypes.data, words.size, z.ctypes.data)
    return z


# The ops. Each takes its op's constants first (so that ops.py binds them with partial), then
# (seed, step, first, x, out): out = op(x) for stream cells first .. first + x.size - 1, with x
# and out contiguous vectors of one float type (out may be x).

def apply_mask(library: ctypes.CDLL, threshold: int, mode: int, a: float, b: float, c: float, seed: int, step: int,
               first: int, x: np.ndarray, out: np.ndarray) -> None:
    """A mask op: keep iff the cell's half < threshold; kept: x, x * a or x * a + b (``mode``),
    dropped: c (+0 but for AlphaDropout); the merge is by bits, as ops.py's."""
    word = first >> 1
    block, skip = divmod(word, 4)
    counter = _counter(step, block)  # held here: the call reads its memory
    function = library.bigdl_reg_mask_f32 if out.dtype == np.float32 else library.bigdl_reg_mask_f64
    function(seed, counter.ctypes.data, skip, first & 1, out.size, threshold, mode, a, b, c, x.ctypes.data,
             out.ctypes.data)


def apply_gauss(library: ctypes.CDLL, sd: float, one_plus: bool, seed: int, step: int, first: int, x: np.ndarray,
                out: np.ndarray) -> None:
    """x * T(1 + sd * z) when ``one_plus`` (GaussianDropout), else x + T(sd * z) (GaussianNoise)."""
    block, skip = divmod(first, 4)
    counter = _counter(step, block)  # held here: the call reads its memory
    function = library.bigdl_reg_gauss_f32 if out.dtype == np.float32 else library.bigdl_reg_gauss_f64
    function(seed, counter.ctypes.data, skip, out.size, sd, int(one_plus), x.ctypes.data, out.ctypes.data)
