"""What one forward does to each element, read side by side with Scala's
``NoiseOp.scala``: the same ops, the same ``derivative`` (what backward
applies to the gradient, with the same noise), the same factories holding
the p = 0 / p = 1 special cases. Each op applies itself with numpy.

``T(v)`` rounds a double to the element type; "+0" is positive zero whatever
the input (NaN and Inf included). Every arithmetic step is one ufunc in the
element type (docs/contract.md, "Masks" and "Normals"): factors are numpy
scalars of the array's dtype, never Python floats.

Kernels work chunk by chunk (``CHUNK`` cells) so temporaries stay small and
cache-resident; the result does not depend on the chunk size. Where every
element has its own cell, each chunk is computed by the compiled kernel
(:mod:`.native`) when it is loaded: one call per chunk instead of a dozen to
a hundred numpy calls, the same bits (each noise op's ``kernel`` binds its
constants to the kernel's function; the numpy code here is what it is
checked against).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Callable, Optional

import numpy as np

from . import native, normal, philox, threads
from .noise_shape import is_elementwise

# Cells per chunk: even (a mask chunk starts on a word boundary); the normal
# path keeps ~15 float64 temporaries per chunk, hence a smaller chunk there
# (measured fastest; any chunk size gives the same bits).
CHUNK = 1 << 16
NORMAL_CHUNK = 1 << 17
# A thread more only for at least this many chunks each (below, the hand-off costs more than it saves).
MIN_CHUNKS_PER_THREAD = 2
TWO32 = 1 << 32
F64 = np.dtype(np.float64)

# signed integer of the same width as each float type, for bit masks
BITS: dict[np.dtype, np.dtype] = {np.dtype(np.float32): np.dtype(np.int32), np.dtype(np.float64): np.dtype(np.int64)}

# SELU's saturation value -lambda * alpha (Klambauer et al., 2017)
ALPHA_PRIME = -1.7580993408473766


@dataclass(frozen=True)
class Cells:
    """Where a forward's noise comes from: the cells of ``shape`` (row-major)
    are cells ``base, base + 1, ...`` of the (seed, step) stream."""

    seed: int
    step: int
    shape: tuple
    base: int = 0


# --------------------------------------------------------------------------
# noise: keep masks and normals, drawn chunk by chunk
# --------------------------------------------------------------------------

def keep_threshold(p: float) -> int:
    """K = ceil((1.0 - p) * 2^32) in double (exact), an int in [0, 2^32]."""
    return math.ceil((1.0 - p) * 4294967296.0)


def keep_bits(halves: np.ndarray, threshold: int) -> np.ndarray:
    """Cell kept iff its 32-bit half < K; K = 2^32 keeps all, K = 0 none."""
    if threshold >= TWO32:
        return np.ones(halves.shape, dtype=bool)
    if threshold <= 0:
        return np.zeros(halves.shape, dtype=bool)
    return np.less(halves, np.uint32(threshold))


def bit_mask(halves: np.ndarray, threshold: int, out: np.ndarray) -> np.ndarray:
    """Keep bits as integer masks: all ones (-1) where kept, 0 where dropped.

    ``out`` is a signed integer array as wide as the element type: ANDing a
    float's bits with it gives the float itself or +0, exact for NaN and Inf
    too (a multiplication by 0 would not be). Written into a reused buffer
    because this runs once per chunk.
    """
    if threshold >= TWO32:
        out.fill(-1)
    elif threshold <= 0:
        out.fill(0)
    else:
        np.less(halves, np.uint32(threshold), out=out, casting="unsafe")  # 1 / 0
        np.negative(out, out=out)  # -1 / 0
    return out


def mask_halves(seed: int, step: int, first: int, count: int) -> np.ndarray:
    """The 32-bit halves of mask cells ``first .. first + count - 1``: cell
    ``i`` is a half of word ``i // 2`` (low half for even ``i``)."""
    lane = first & 1
    word_array = philox.words(seed, step, first >> 1, (lane + count + 1) // 2)
    return philox.mask_halves(word_array)[lane:lane + count]


class WordDraw:
    """The words of consecutive draws from one Philox stream: a forward draws
    its cells in increasing order, so the stream is made once (a fresh
    ``np.random.Philox`` per chunk costs about as much as 2^12 words) and
    only remade when a draw does not continue the previous one."""

    def __init__(self):
        self.stream: np.random.Philox | None = None
        self.key: tuple = ()

    def words(self, seed: int, step: int, first: int, count: int) -> np.ndarray:
        if self.key != (seed, step, first):
            block, lane = divmod(first, 4)
            self.stream = philox.word_stream(seed, step, block)
            if lane:
                self.stream.random_raw(lane)
        assert self.stream is not None
        self.key = (seed, step, first + count)
        return self.stream.random_raw(count)


class MaskDraw:
    """``draw`` for the mask ops: the cells' bit masks, in one reused buffer."""

    def __init__(self, threshold: int, bits: np.dtype):
        self.threshold = threshold
        self.buffer = np.empty(0, dtype=bits)  # sized by the first draw: a small input allocates little
        self.source = WordDraw()

    def __call__(self, seed: int, step: int, first: int, count: int) -> np.ndarray:
        if count > self.buffer.size:
            self.buffer = np.empty(count, dtype=self.buffer.dtype)
        lane = first & 1
        word_array = self.source.words(seed, step, first >> 1, (lane + count + 1) // 2)
        halves = philox.mask_halves(word_array)[lane:lane + count]
        return bit_mask(halves, self.threshold, self.buffer[:count])


class NormalDraw:
    """``draw`` for the Gaussian ops: T(sd * z), or T(1 + sd * z) when
    ``one_plus``, one word per cell; z is computed into a reused float64
    buffer and rounded to the element type as the last multiply or add writes it."""

    def __init__(self, sd: float, one_plus: bool, dtype: np.dtype):
        self.sd, self.one_plus = sd, one_plus
        self.source = WordDraw()
        self.z = np.empty(0, dtype=F64)  # sized by the first draw: a small input allocates little
        self.operand = np.empty(0, dtype=dtype)

    def __call__(self, seed: int, step: int, first: int, count: int) -> np.ndarray:
        if count > self.z.size:
            self.z = np.empty(count, dtype=F64)
            self.operand = np.empty(count, dtype=self.operand.dtype)
        z, operand = self.z[:count], self.operand[:count]
        normal.normals_into(self.source.words(seed, step, first, count), z)
        if self.one_plus:
            np.multiply(z, self.sd, out=z)
            np.add(z, 1.0, out=operand, casting="unsafe")  # computed in double, then rounded
        else:
            np.multiply(z, self.sd, out=operand, casting="unsafe")
        return operand


def apply_noise(x, out, cells: Cells, make_draw: Callable, combine: Callable, chunk: int = CHUNK,
                fused: Optional[Callable] = None) -> None:
    """out = combine(x, operand) with the operand of each cell broadcast over x.

    ``make_draw()`` gives a ``draw(seed, step, first, n)``, which turns stream
    cells ``first .. first + n - 1`` into operands (a bit mask, a factor or an
    addend); ``combine(x, operand, out)`` applies them elementwise (with
    broadcasting). When every element has its own cell, drawing and combining
    are fused per chunk, and the chunks are spread over the backend's threads
    (each with a draw of its own; see :mod:`.threads`); otherwise the
    (smaller) noise tensor is drawn first and broadcast over the whole input
    by one ufunc. ``fused(seed, step, first, x, out)``, when given, does both
    for a chunk where every element has its own cell (the compiled kernel:
    contiguous vectors of one type, out the same memory as x or apart from it).
    """
    if x.size == 0:
        return
    count = math.prod(cells.shape)
    seed, step, base = cells.seed, cells.step, cells.base
    if is_elementwise(cells.shape, x.shape):
        flat_x, flat_out = x.reshape(-1), out.reshape(-1)
        if fused is not None and not _fusable(flat_x, flat_out):
            fused = None

        def chunks(first: int, stop: int) -> None:
            compute = fused if fused is not None else _drawn_and_combined(make_draw(), combine)
            for start in range(first * chunk, min(stop * chunk, count), chunk):
                end = min(start + chunk, count)
                compute(seed, step, base + start, flat_x[start:end], flat_out[start:end])

        threads.run_spans(-(-count // chunk), MIN_CHUNKS_PER_THREAD, chunks)
        return
    draw = make_draw()
    operand = None
    for start in range(0, count, chunk):
        stop = min(start + chunk, count)
        part = draw(seed, step, base + start, stop - start)
        if operand is None:
            operand = np.empty(count, dtype=part.dtype)
        operand[start:stop] = part
    assert operand is not None  # count > 0 since x.size > 0
    combine(x, operand.reshape(cells.shape), out)


def _drawn_and_combined(draw: Callable, combine: Callable) -> Callable:
    """A draw and a combine as one ``fused(seed, step, first, x, out)``."""
    return lambda seed, step, first, x, out: combine(x, draw(seed, step, first, x.size), out)


def _fusable(x: np.ndarray, out: np.ndarray) -> bool:
    """What the compiled kernel takes: contiguous vectors of one type, out x itself or apart from it."""
    return (x.dtype == out.dtype and x.flags.c_contiguous and out.flags.c_contiguous
            and (x.ctypes.data == out.ctypes.data or not np.may_share_memory(x, out)))


def _and_bits(x, mask, out):
    """keep ? x : +0 (x's bits ANDed with the mask)."""
    bits = mask.dtype
    np.bitwise_and(x.view(bits), mask, out=out.view(bits))


def _scaled_and_bits(factor):
    """keep ? x * factor : +0."""
    def combine(x, mask, out):
        np.multiply(x, factor, out=out)
        bits = out.view(mask.dtype)
        np.bitwise_and(bits, mask, out=bits)
    return combine


def _affine_or(a, b, c):
    """keep ? x * a + b : c (a, b, c scalars of the element type), merged by
    bits as ((v ^ c) & mask) ^ c: exact, and as fast as Dropout's AND (a
    boolean-masked copy would cost four times more)."""
    def combine(x, mask, out):
        np.multiply(x, a, out=out)
        np.add(out, b, out=out)
        bits = out.view(mask.dtype)
        c_bits = np.asarray(c).view(mask.dtype)[()]
        np.bitwise_xor(bits, c_bits, out=bits)
        np.bitwise_and(bits, mask, out=bits)
        np.bitwise_xor(bits, c_bits, out=bits)
    return combine


def _multiply(x, factor, out):
    np.multiply(x, factor, out=out)


def _add(x, addend, out):
    np.add(x, addend, out=out)


# --------------------------------------------------------------------------
# the ops
# --------------------------------------------------------------------------

class NoiseOp:
    """One forward's elementwise formula; ``apply`` writes it into ``out``
    (which may be ``x``)."""

    @property
    def derivative(self) -> NoiseOp:
        """The op backward applies to the gradient (same noise)."""
        return self

    def apply(self, x: np.ndarray, out: np.ndarray, cells: Cells, compiled: bool = True) -> None:
        """out = the op of x (out may be x); ``compiled=False`` keeps to numpy (the definition)."""
        raise NotImplementedError

    def kernel(self, library, dtype: np.dtype) -> Callable:
        """The compiled kernel's ``(seed, step, first, x, out)`` of this op (:mod:`.native`)."""
        raise NotImplementedError


def _kernel_of(op: NoiseOp, dtype: np.dtype, compiled: bool) -> Optional[Callable]:
    library = native.kernel() if compiled else None
    return None if library is None else op.kernel(library, dtype)


class _Identity(NoiseOp):
    """y = x (a copy; the identity of p = 0, rate = 0, stddev = 0)."""

    def apply(self, x, out, cells, compiled=True):
        if out is not x:
            np.copyto(out, x)


class _Zero(NoiseOp):
    """y = +0 (Dropout / Spatial training with p = 1: no division)."""

    def apply(self, x, out, cells, compiled=True):
        out.fill(0)  # +0 everywhere, whatever was there


Identity = _Identity()
Zero = _Zero()


@dataclass(frozen=True)
class Scale(NoiseOp):
    """y = x * T(c) (evaluate forward without rescale; a signalling NaN
    comes out quiet, as on the JVM, even for c = 1)."""

    c: float

    def apply(self, x, out, cells, compiled=True):
        np.multiply(x, out.dtype.type(self.c), out=out)


@dataclass(frozen=True)
class MaskScale(NoiseOp):
    """y = keep ? x * T(factor) : +0 with Dropout's mask of drop probability
    p (AlphaDropout's derivative, factor = a). Its own derivative. 0 < p < 1."""

    p: float
    factor: float

    def apply(self, x, out, cells, compiled=True):
        draw = partial(MaskDraw, keep_threshold(self.p), BITS[out.dtype])
        apply_noise(x, out, cells, draw, _scaled_and_bits(out.dtype.type(self.factor)),
                    fused=_kernel_of(self, out.dtype, compiled))

    def kernel(self, library, dtype):
        factor = float(dtype.type(self.factor))
        return partial(native.apply_mask, library, keep_threshold(self.p), native.KEEP_X_TIMES_A, factor, 0.0, 0.0)


@dataclass(frozen=True)
class Mask(NoiseOp):
    """y = keep ? x * T(1 / (1 - p)) : +0 (scaled) or keep ? x : +0, with
    keep iff the cell's 32-bit mask half is below ``keep_threshold(p)``.
    Its own derivative. 0 < p < 1."""

    p: float
    scaled: bool

    def apply(self, x, out, cells, compiled=True):
        draw = partial(MaskDraw, keep_threshold(self.p), BITS[out.dtype])
        combine = _scaled_and_bits(out.dtype.type(1.0 / (1.0 - self.p))) if self.scaled else _and_bits
        apply_noise(x, out, cells, draw, combine, fused=_kernel_of(self, out.dtype, compiled))

    def kernel(self, library, dtype):
        mode = native.KEEP_X_TIMES_A if self.scaled else native.KEEP_X
        factor = float(dtype.type(1.0 / (1.0 - self.p))) if self.scaled else 1.0
        return partial(native.apply_mask, library, keep_threshold(self.p), mode, factor, 0.0, 0.0)


@dataclass(frozen=True)
class AlphaMask(NoiseOp):
    """AlphaDropout (docs/contract.md, "Extensions: AlphaDropout and
    FeatureAlphaDropout"): with Dropout's mask of drop probability p,
    ``y = keep ? (x * T(a)) + T(b) : T(a * alpha' + b)``, where in double
    ``a = 1 / sqrt((1 - p) * (1 + p * alpha'^2))`` and ``b = -a * alpha' * p``.
    Derivative: keep ? g * T(a) : +0. 0 < p < 1."""

    p: float

    @property
    def coefficients(self) -> tuple:
        """(a, b, a * alpha' + b) in double: the kept cells' x * a + b, the dropped cells' value."""
        p = self.p
        a = 1.0 / math.sqrt((1.0 - p) * (1.0 + p * ALPHA_PRIME * ALPHA_PRIME))
        b = -a * ALPHA_PRIME * p
        return a, b, a * ALPHA_PRIME + b

    @property
    def derivative(self) -> NoiseOp:
        return MaskScale(self.p, self.coefficients[0])

    def apply(self, x, out, cells, compiled=True):
        t = out.dtype.type
        a, b, dropped = self.coefficients
        draw = partial(MaskDraw, keep_threshold(self.p), BITS[out.dtype])
        apply_noise(x, out, cells, draw, _affine_or(t(a), t(b), t(dropped)),
                    fused=_kernel_of(self, out.dtype, compiled))

    def kernel(self, library, dtype):
        a, b, dropped = (float(dtype.type(v)) for v in self.coefficients)
        return partial(native.apply_mask, library, keep_threshold(self.p), native.KEEP_X_TIMES_A_PLUS_B, a, b, dropped)


@dataclass(frozen=True)
class GaussMul(NoiseOp):
    """y = x * T(1 + sd * z) (GaussianDropout). Its own derivative."""

    sd: float

    def apply(self, x, out, cells, compiled=True):
        apply_noise(x, out, cells, partial(NormalDraw, self.sd, True, out.dtype), _multiply, NORMAL_CHUNK,
                    fused=_kernel_of(self, out.dtype, compiled))

    def kernel(self, library, dtype):
        return partial(native.apply_gauss, library, self.sd, True)


@dataclass(frozen=True)
class GaussAdd(NoiseOp):
    """y = x + T(sd * z) (GaussianNoise); the derivative is the identity."""

    sd: float

    @property
    def derivative(self) -> NoiseOp:
        return Identity

    def apply(self, x, out, cells, compiled=True):
        apply_noise(x, out, cells, partial(NormalDraw, self.sd, False, out.dtype), _add, NORMAL_CHUNK,
                    fused=_kernel_of(self, out.dtype, compiled))

    def kernel(self, library, dtype):
        return partial(native.apply_gauss, library, self.sd, False)


# --------------------------------------------------------------------------
# factories: the special cases, in one place
# --------------------------------------------------------------------------

def dropout(p: float, scaled: bool) -> NoiseOp:
    """Dropout-style training op: identity at p = 0, zero at p = 1, else a mask."""
    return Identity if p == 0.0 else Zero if p == 1.0 else Mask(p, scaled)


def alpha_dropout(p: float) -> NoiseOp:
    """AlphaDropout training op: identity at p = 0 (a = 1, b = 0; no rounding of -0 to +0)."""
    return Identity if p == 0.0 else AlphaMask(p)


def gaussian_dropout(rate: float) -> NoiseOp:
    """GaussianDropout training op: identity at rate 0."""
    return Identity if rate == 0.0 else GaussMul(math.sqrt(rate / (1.0 - rate)))


def gaussian_noise(stddev: float) -> NoiseOp:
    """GaussianNoise training op: identity at stddev 0."""
    return Identity if stddev == 0.0 else GaussAdd(stddev)
