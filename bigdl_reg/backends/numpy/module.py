"""The numpy backend's stateful module (the backend protocol of docs/architecture.md).

A module holds its layer's parameters, a 64-bit seed, the training step and a
record of the last forward (seed, step, mode, input shape, parameters). No
noise is stored: backward recomputes the forward's noise from (seed, step),
which is cheap because every noise cell is a pure function of
(seed, step, flat index).

Kernels work chunk by chunk (``CHUNK`` cells) so temporaries stay small and
cache-resident; the result does not depend on the chunk size. Every
arithmetic step is one ufunc in the element type (RNG.md's rules): factors
are numpy scalars of the array's dtype, never Python floats.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..._validation import backward_first_error, gradient_shape_error, noise_before_training_error
from . import normal, philox
from .noise_shape import at_batch_offset, is_elementwise

# Cells per chunk: even (a mask chunk starts on a word boundary); the normal
# path keeps ~15 float64 temporaries per chunk, hence a smaller chunk there
# (measured fastest; any chunk size gives the same bits).
CHUNK = 1 << 16
NORMAL_CHUNK = 1 << 14
TWO32 = 1 << 32

# signed integer of the same width as each float type, for bit masks
_BITS = {np.dtype(np.float32): np.dtype(np.int32), np.dtype(np.float64): np.dtype(np.int64)}

MASK_LAYERS = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
               "AlphaDropout", "FeatureAlphaDropout")
NORMAL_LAYERS = ("GaussianDropout", "GaussianNoise")
LAYERS = MASK_LAYERS + NORMAL_LAYERS

# SELU's saturation value -lambda * alpha (SPEC.md "Extensions": AlphaDropout)
ALPHA_PRIME = -1.7580993408473766


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


class MaskDraw:
    """``draw`` for the mask layers: the cells' bit masks, in one reused buffer."""

    def __init__(self, threshold: int, bits: np.dtype):
        self.threshold = threshold
        self.buffer = np.empty(CHUNK, dtype=bits)

    def __call__(self, seed: int, step: int, first: int, count: int) -> np.ndarray:
        if count > self.buffer.size:
            self.buffer = np.empty(count, dtype=self.buffer.dtype)
        return bit_mask(mask_halves(seed, step, first, count), self.threshold, self.buffer[:count])


def normal_cells(seed: int, step: int, first: int, count: int) -> np.ndarray:
    """Standard normals (float64) of cells ``first .. first + count - 1``: one word per cell."""
    return normal.normals(philox.words(seed, step, first, count))


# --------------------------------------------------------------------------
# applying noise of a noise shape to an input
# --------------------------------------------------------------------------

def apply_noise(x, out, noise: tuple, seed: int, step: int,
                draw: Callable, combine: Callable, chunk: int = CHUNK, cell_base: int = 0) -> None:
    """out = combine(x, operand) with the operand of each cell broadcast over x.

    ``draw(seed, step, first, n)`` turns noise cells ``first .. first + n - 1``
    into operands (a bit mask, a factor or an addend); cell ``c`` of ``noise``
    is cell ``cell_base + c`` of the stream (a forward at a batch offset,
    noise_shape.at_batch_offset). ``combine(x, operand, out)`` applies them
    elementwise (with broadcasting). When every element has its own cell,
    drawing and combining are fused per chunk; otherwise the (smaller) noise
    tensor is drawn first and broadcast over the whole input by one ufunc.
    """
    if x.size == 0:
        return
    cells = math.prod(noise)
    if is_elementwise(noise, x.shape):
        flat_x, flat_out = x.reshape(-1), out.reshape(-1)
        for start in range(0, cells, chunk):
            stop = min(start + chunk, cells)
            combine(flat_x[start:stop], draw(seed, step, cell_base + start, stop - start), flat_out[start:stop])
        return
    operand = None
    for start in range(0, cells, chunk):
        stop = min(start + chunk, cells)
        part = draw(seed, step, cell_base + start, stop - start)
        if operand is None:
            operand = np.empty(cells, dtype=part.dtype)
        operand[start:stop] = part
    combine(x, operand.reshape(noise), out)


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
# the layers' forward formulas (backward reuses them on the gradient)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """What a kernel needs besides the arrays."""

    layer: str
    params: dict
    training: bool
    seed: int
    step: int
    noise: tuple
    cell_base: int = 0


def _copy(x, out) -> None:
    if out is not x:
        np.copyto(out, x)


def _zero(out) -> None:
    out.fill(0)  # +0 everywhere, whatever was there


def _times(x, out, factor: float) -> None:
    """x ⊗ T(factor)."""
    np.multiply(x, out.dtype.type(factor), out=out)


def _mask_layer(x, out, call: Call, scale: bool) -> None:
    """Dropout (scale or not) and the Spatial layers (never rescaled)."""
    p = call.params["init_p"]
    if not call.training:
        if scale:
            _copy(x, out)
        else:  # literally x * T(1 - p), even at p = 0 (a signalling NaN comes out quiet, as on the JVM)
            _times(x, out, 1.0 - p)
        return
    if p == 0.0:
        _copy(x, out)
        return
    if p == 1.0:
        _zero(out)  # no division by 1 - p = 0
        return
    draw = MaskDraw(keep_threshold(p), _BITS[out.dtype])
    combine = _scaled_and_bits(out.dtype.type(1.0 / (1.0 - p))) if scale else _and_bits
    apply_noise(x, out, call.noise, call.seed, call.step, draw, combine, cell_base=call.cell_base)


def dropout(x, out, call: Call) -> None:
    _mask_layer(x, out, call, scale=call.params.get("scale", True))


def spatial_dropout(x, out, call: Call) -> None:
    _mask_layer(x, out, call, scale=False)


def alpha_coefficients(p: float) -> tuple:
    """(a, b, a * alpha' + b) in double: the kept cells' x * a + b, the dropped cells' value."""
    a = 1.0 / math.sqrt((1.0 - p) * (1.0 + p * ALPHA_PRIME * ALPHA_PRIME))
    b = -a * ALPHA_PRIME * p
    return a, b, a * ALPHA_PRIME + b


def alpha_dropout(x, out, call: Call) -> None:
    """keep ? (x ⊗ T(a)) ⊕ T(b) : T(a·α' + b); identity in evaluate mode and at p = 0."""
    p = call.params["init_p"]
    if not call.training or p == 0.0:
        _copy(x, out)
        return
    t = out.dtype.type
    a, b, c = alpha_coefficients(p)
    draw = MaskDraw(keep_threshold(p), _BITS[out.dtype])
    apply_noise(x, out, call.noise, call.seed, call.step, draw, _affine_or(t(a), t(b), t(c)), cell_base=call.cell_base)


def alpha_dropout_gradient(g, out, call: Call) -> None:
    """keep ? g ⊗ T(a) : +0 (the mask of the forward); g in evaluate mode and at p = 0."""
    p = call.params["init_p"]
    if not call.training or p == 0.0:
        _copy(g, out)
        return
    a, _, _ = alpha_coefficients(p)
    draw = MaskDraw(keep_threshold(p), _BITS[out.dtype])
    apply_noise(g, out, call.noise, call.seed, call.step, draw, _scaled_and_bits(out.dtype.type(a)),
                cell_base=call.cell_base)


def gaussian_dropout(x, out, call: Call) -> None:
    """x ⊗ T(1 + sd·z), sd = sqrt(rate / (1 - rate)) in double."""
    rate = call.params["rate"]
    if not call.training or rate == 0.0:
        _copy(x, out)
        return
    sd = math.sqrt(rate / (1.0 - rate))
    dtype = out.dtype

    def draw(seed, step, first, n):
        factor = normal_cells(seed, step, first, n)
        np.multiply(factor, sd, out=factor)
        np.add(factor, 1.0, out=factor)
        return factor.astype(dtype, copy=False)

    apply_noise(x, out, call.noise, call.seed, call.step, draw, _multiply, NORMAL_CHUNK, call.cell_base)


def gaussian_noise(x, out, call: Call) -> None:
    """x ⊕ T(stddev·z)."""
    stddev = call.params["stddev"]
    if not call.training or stddev == 0.0:
        _copy(x, out)
        return
    dtype = out.dtype

    def draw(seed, step, first, n):
        addend = normal_cells(seed, step, first, n)
        np.multiply(addend, stddev, out=addend)
        return addend.astype(dtype, copy=False)

    apply_noise(x, out, call.noise, call.seed, call.step, draw, _add, NORMAL_CHUNK, call.cell_base)


def _pass_gradient(g, out, call: Call) -> None:
    """GaussianNoise's derivative: the gradient itself, in every mode."""
    _copy(g, out)


FORWARD = {
    "Dropout": dropout,
    "SpatialDropout1D": spatial_dropout,
    "SpatialDropout2D": spatial_dropout,
    "SpatialDropout3D": spatial_dropout,
    "GaussianDropout": gaussian_dropout,
    "GaussianNoise": gaussian_noise,
    "AlphaDropout": alpha_dropout,
    "FeatureAlphaDropout": alpha_dropout,
}
# Each multiplicative layer's derivative is its own forward applied to the
# gradient with the same noise (keep ? g ⊗ T(s) : +0, g ⊗ T(1 + sd·z), ...).
BACKWARD = dict(FORWARD, GaussianNoise=_pass_gradient,
                AlphaDropout=alpha_dropout_gradient, FeatureAlphaDropout=alpha_dropout_gradient)

# What noise() returns per layer, and the probe whose image is the noise:
# masks through the derivative (keep ? 1 ⊗ T(s) : +0, s > 0), factors through
# the forward on 1 (1 ⊗ T(1 + sd·z)), addends through the forward on +0.
NOISE_KIND = {layer: "keep" for layer in MASK_LAYERS}
NOISE_KIND.update(GaussianDropout="factor", GaussianNoise="addend")


# --------------------------------------------------------------------------
# the module
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class LastForward:
    """Enough to replay a forward's noise: no noise itself."""

    seed: int
    step: int
    training: bool
    shape: tuple
    params: dict
    batch_offset: int = 0


class NumpyModule:
    """One layer instance on the numpy backend."""

    def __init__(self, layer: str, params: dict, dtype, seed: int):
        if layer not in FORWARD:
            raise ValueError(f"unknown layer {layer!r}; the numpy backend has {', '.join(LAYERS)}")
        self.layer = layer
        self.dtype = np.dtype(dtype)
        if self.dtype not in _BITS:
            raise TypeError(f"{layer}: dtype must be float32 or float64, got {self.dtype}")
        self._params = dict(params)
        self._seed = int(seed)
        self._step = 0
        self._training = True
        self._last: LastForward | None = None
        self._last_train: LastForward | None = None
        self._lock = threading.Lock()  # step reservation is atomic across threads

    # -- protocol: state -------------------------------------------------
    @property
    def seed(self) -> int:
        return self._seed

    @property
    def step(self) -> int:
        return self._step

    def set_seed(self, seed: int) -> None:
        with self._lock:
            self._seed = int(seed)
            self._step = 0

    def set_training(self, flag: bool) -> None:
        self._training = bool(flag)

    def is_training(self) -> bool:
        return self._training

    def set_p(self, p: float) -> None:
        """A new drop probability (Dropout.set_p); seed, step and the last forward stay."""
        with self._lock:
            self._params = {**self._params, "init_p": p}

    def close(self) -> None:
        """Nothing to release on this backend."""

    # -- protocol: computation -------------------------------------------
    def forward(self, x: np.ndarray, out: np.ndarray | None = None, batch_offset: int = 0) -> np.ndarray:
        """``batch_offset``: ``x`` is the rows from there (axis 0) of a larger
        logical batch, already checked by the facade (``check_batch_offset``)."""
        x = self._operand(x, "input")
        noise, cell_base = at_batch_offset(self.layer, x.shape, self._params, batch_offset)
        with self._lock:
            record = LastForward(self._seed, self._step, self._training, x.shape, self._params, batch_offset)
            if record.training:
                self._step += 1
                self._last_train = record
            self._last = record
        out = self._target(out, x.shape)
        with np.errstate(all="ignore"):  # IEEE results (Inf, NaN) are the contract, not warnings
            FORWARD[self.layer](x, out, self._call(record, noise, cell_base))
        return out

    def backward(self, x: np.ndarray, grad: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        record = self._last
        if record is None:
            raise backward_first_error(self.layer)
        grad = self._operand(grad, "gradient")
        if grad.shape != record.shape:
            raise gradient_shape_error(self.layer, grad.shape, record.shape)
        noise, cell_base = at_batch_offset(self.layer, record.shape, record.params, record.batch_offset)
        out = self._target(out, grad.shape)
        with np.errstate(all="ignore"):
            BACKWARD[self.layer](grad, out, self._call(record, noise, cell_base))
        return out

    def noise(self) -> np.ndarray:
        """The noise of the most recent training forward, recomputed from
        (seed, step): a bool keep mask, or the factors / addends (module dtype),
        of that forward's noise shape."""
        record = self._last_train
        if record is None:
            raise noise_before_training_error(self.layer)
        noise, cell_base = at_batch_offset(self.layer, record.shape, record.params, record.batch_offset)
        kind = NOISE_KIND[self.layer]
        cells = np.full(noise, 0.0 if kind == "addend" else 1.0, dtype=self.dtype)
        apply = BACKWARD if kind == "keep" else FORWARD
        with np.errstate(all="ignore"):
            apply[self.layer](cells, cells, self._call(record, noise, cell_base))
        return cells != 0 if kind == "keep" else cells

    # -- helpers ---------------------------------------------------------
    def _call(self, record: LastForward, noise: tuple, cell_base: int) -> Call:
        return Call(self.layer, record.params, record.training, record.seed, record.step, noise, cell_base)

    def _operand(self, array, name: str) -> np.ndarray:
        if not isinstance(array, np.ndarray) or array.dtype != self.dtype:
            got = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
            raise TypeError(f"{self.layer}: {name} must be a {self.dtype} array, got {got}")
        return np.asarray(array, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)

    def _target(self, out, shape) -> np.ndarray:
        if out is None:
            return np.empty(shape, dtype=self.dtype)
        if out.shape != shape or out.dtype != self.dtype or not out.flags.c_contiguous:
            raise ValueError(f"{self.layer}: out must be a C-contiguous {self.dtype} array of shape {shape}")
        return out
