"""The compiled Gaussian noise (``_normals.c``): loaded with ctypes, checked, or else absent.

The numpy formulas of :mod:`.normal` are the backend's definition; this C
kernel computes the same operands several times faster (words, PPND16 and the
rounding in one pass over cache-sized blocks, with the GIL released). It is
built when the package is installed with a C compiler (``setup.py``; without
one the install goes on without it) and used only after it has reproduced the
numpy formula bit for bit on words that reach every branch. ``BIGDL_REG_NATIVE=0``
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


def _load() -> None:
    global _kernel, _reason, _loaded
    _kernel, _loaded = None, True
    if os.environ.get(NATIVE_ENV, "").strip() == "0":
        _reason = f"turned off ({NATIVE_ENV}=0)"
        return
    try:
        _normals = importlib.import_module(f"{__package__}._normals")
    except ImportError as error:
        _reason = f"not built ({error}); the install had no C compiler, or it failed"
        return
    library = ctypes.CDLL(_normals.__file__)  # CDLL releases the GIL around each call
    pointer = ctypes.c_void_p
    library.bigdl_reg_normals.argtypes = [pointer, ctypes.c_int64, pointer]
    library.bigdl_reg_normals.restype = None
    for name in ("bigdl_reg_gauss_f32", "bigdl_reg_gauss_f64"):
        function = getattr(library, name)
        function.argtypes = [ctypes.c_uint64, pointer, ctypes.c_int, ctypes.c_int64, ctypes.c_double, ctypes.c_int,
                             pointer]
        function.restype = None
    words = _check_words()
    expected = normal.normals(words)
    got = np.empty_like(expected)
    library.bigdl_reg_normals(words.ctypes.data, words.size, got.ctypes.data)
    if got.tobytes() != expected.tobytes():
        wrong = int(np.count_nonzero(got.view(np.uint64) != expected.view(np.uint64)))
        _reason = (f"refused: {_normals.__file__} differs from the numpy formula on {wrong} of {words.size} "
                   "check words (a compiler that contracts to FMA or uses fast-math?)")
        return
    _kernel = library
    _reason = f"compiled ({_normals.__file__})"


def kernel() -> Optional[ctypes.CDLL]:
    """The checked library, or None (then :func:`status` says why)."""
    if not _loaded:
        _load()
    return _kernel


def status() -> str:
    """Which path the Gaussian layers take and why, in a few words."""
    kernel()
    return _reason


def normals(word_array: np.ndarray) -> np.ndarray:
    """The standard normals of ``word_array`` through the kernel (which must be loaded)."""
    library = kernel()
    assert library is not None, status()
    words = np.ascontiguousarray(word_array, dtype=np.uint64)
    z = np.empty(words.shape, dtype=np.float64)
    library.bigdl_reg_normals(words.ctypes.data, words.size, z.ctypes.data)
    return z


def gauss_operands(seed: int, step: int, first: int, sd: float, one_plus: bool, out: np.ndarray) -> None:
    """``out[:] = T(sd * z)`` (``T(1 + sd * z)`` when ``one_plus``) for stream cells ``first ..
    first + out.size - 1``; ``out`` is a contiguous float32 or float64 vector."""
    library = kernel()
    assert library is not None, status()
    block, skip = divmod(first, 4)
    start = philox.start_counter(step, block)
    counter = np.array([(start >> s) & _MASK64 for s in (0, 64, 128, 192)], dtype=np.uint64)
    function = library.bigdl_reg_gauss_f32 if out.dtype == np.float32 else library.bigdl_reg_gauss_f64
    function(seed, counter.ctypes.data, skip, out.size, sd, int(one_plus), out.ctypes.data)
