"""The numpy backend's stateful module (the :class:`~bigdl_reg.backends.LayerImpl` protocol).

A module holds its layer's parameters, a 64-bit seed, the training step and a
record of the last forward (its op and where its noise cells come from). No
noise is stored: backward recomputes the forward's noise from (seed, step),
which is cheap because every noise cell is a pure function of
(seed, step, flat index). What a layer computes is its entry
(:mod:`bigdl_reg._layers`); how, its :mod:`.ops`.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..._layers import layers
from ..._validation import backward_first_error, gradient_shape_error, noise_before_training_error
from .noise_shape import at_batch_offset
from .ops import Cells, NoiseOp


@dataclass(frozen=True)
class LastForward:
    """Enough to replay a forward's noise: its op and cells, no noise itself."""

    op: NoiseOp
    cells: Cells
    shape: tuple


class NumpyModule:
    """One layer instance on the numpy backend."""

    def __init__(self, layer: str, params: dict, dtype, seed: int):
        self.spec = layers()[layer]  # the facade sends only its layers' names and float32 / float64
        self.layer = layer
        self.dtype = np.dtype(dtype)
        self._params = dict(params)
        self._seed = int(seed)
        self._step = 0
        self._training = True
        self._last: Optional[LastForward] = None
        self._last_train: Optional[LastForward] = None
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
        """A new drop probability (already validated); seed, step and the last forward stay."""
        with self._lock:
            self._params = {**self._params, "init_p": p}

    def close(self) -> None:
        """Nothing to release on this backend."""

    # -- protocol: computation -------------------------------------------
    def forward(self, x: np.ndarray, out: Optional[np.ndarray] = None, batch_offset: int = 0) -> np.ndarray:
        """``batch_offset``: ``x`` is the rows from there (axis 0) of a larger
        logical batch. The facade has checked everything: ``x`` (and ``out``)
        C-contiguous of the module's dtype, ``batch_offset`` (``check_batch_offset``)."""
        noise, base = at_batch_offset(self.spec, x.shape, self._params, batch_offset)
        with self._lock:
            params, training = self._params, self._training
            op = (self.spec.training if training else self.spec.evaluate)(params)
            record = LastForward(op, Cells(self._seed, self._step, noise, base), x.shape)
            if training:
                self._step += 1
                self._last_train = record
            self._last = record
        out = np.empty(x.shape, self.dtype) if out is None else out
        with np.errstate(all="ignore"):  # IEEE results (Inf, NaN) are the contract, not warnings
            op.apply(x, out, record.cells)
        return out

    def backward(self, x: np.ndarray, grad: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
        record = self._last
        if record is None:
            raise backward_first_error(self.layer)
        if grad.shape != record.shape:
            raise gradient_shape_error(self.layer, grad.shape, record.shape)
        out = np.empty(grad.shape, self.dtype) if out is None else out
        with np.errstate(all="ignore"):
            record.op.derivative.apply(grad, out, record.cells)
        return out

    def noise(self) -> np.ndarray:
        """The noise of the most recent training forward, recomputed from
        (seed, step): a bool keep mask, or the factors / addends (module dtype),
        of that forward's noise shape."""
        record = self._last_train
        if record is None:
            raise noise_before_training_error(self.layer)
        kind = self.spec.noise
        cells = np.full(record.cells.shape, kind.probe, dtype=self.dtype)
        op = record.op.derivative if kind.through_derivative else record.op
        with np.errstate(all="ignore"):
            op.apply(cells, cells, record.cells)
        return cells != 0 if kind.name == "keep" else cells
