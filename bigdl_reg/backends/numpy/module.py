"""The numpy backend's layer configuration (the :class:`~bigdl_reg.backends.Config` protocol).

A configuration is a layer's parameters and dtype, nothing else: every call
names its noise (seed, step, batch offset) and mode, and the noise is
recomputed from them (every noise cell is a pure function of
(seed, step, flat index)). What a layer computes is its entry
(:mod:`bigdl_reg._layers`); how, its :mod:`.ops`.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..._layers import layers
from .noise_shape import at_batch_offset
from .ops import Cells, NoiseOp


class NumpyConfig:
    """One layer configuration on the numpy backend."""

    def __init__(self, layer: str, params: dict, dtype) -> None:
        self.spec = layers()[layer]  # the facade sends only its layers' names and float32 / float64
        self.dtype = np.dtype(dtype)
        self.params = dict(params)
        self._ops = {flag: (self.spec.training if flag else self.spec.evaluate)(self.params) for flag in (True, False)}

    def _plan(self, shape: tuple, seed: int, step: int, training: bool, batch_offset: int) -> "tuple[NoiseOp, Cells]":
        noise, base = at_batch_offset(self.spec, shape, self.params, batch_offset)
        return self._ops[training], Cells(seed, step, noise, base)

    def _apply(self, derivative: bool, x, out, seed, step, training, batch_offset) -> np.ndarray:
        op, cells = self._plan(x.shape, seed, step, training, batch_offset)
        out = np.empty(x.shape, self.dtype) if out is None else out
        with np.errstate(all="ignore"):  # IEEE results (Inf, NaN) are the contract, not warnings
            (op.derivative if derivative else op).apply(x, out, cells)
        return out

    def forward(self, x: np.ndarray, out: Optional[np.ndarray], seed: int, step: int, training: bool,
                batch_offset: int) -> np.ndarray:
        return self._apply(False, x, out, seed, step, training, batch_offset)

    def backward(self, grad: np.ndarray, out: Optional[np.ndarray], seed: int, step: int, training: bool,
                 batch_offset: int) -> np.ndarray:
        return self._apply(True, grad, out, seed, step, training, batch_offset)

    def noise(self, input_shape: tuple, seed: int, step: int, batch_offset: int) -> np.ndarray:
        """The noise of that training forward, read off its op: a bool keep
        mask, or the factors / addends (dtype), of its noise shape."""
        op, cells = self._plan(tuple(input_shape), seed, step, True, batch_offset)
        kind = self.spec.noise
        values = np.full(cells.shape, kind.probe, dtype=self.dtype)
        with np.errstate(all="ignore"):
            (op.derivative if kind.through_derivative else op).apply(values, values, cells)
        return values != 0 if kind.name == "keep" else values

    def close(self) -> None:
        """Nothing to release on this backend."""

    def __repr__(self) -> str:
        return f"NumpyConfig({self.spec.name}, {self.params}, {self.dtype.name})"
