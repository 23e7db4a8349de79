"""The ``jvm`` backend's module: a proxy for a Scala layer behind the bridge.

The proxy holds the layer's handle in the JVM and mirrors its state (seed,
step, mode, and what the most recent forward was), so property reads cost no
round trip and a layer survives the death of its JVM:

**Recovery.** When the JVM has died (or was stopped by
:func:`~bigdl_reg.backends.jvm.gateway.shutdown`), the call that noticed it
raises :class:`~bigdl_reg.backends.jvm.errors.JVMError`; that call had no
effect. The next call on any proxy starts a fresh JVM and the proxy
transparently re-creates its Scala layer with the same parameters, seed, step
and mode and the same "last forward" (``Bridge.restore``), so the noise of
every later forward, and the backward of a forward made before the crash,
are exactly what they would have been without the crash. A call interrupted
by Ctrl-C (``KeyboardInterrupt``) is handled the same way on the same JVM:
the layer is re-created from its mirrored state, so the interrupted call has
no effect either.

Data path: ``x`` is copied into this thread's shared-memory arena (see
:mod:`.shm`), ``Bridge.forward`` copies it into a Java array, runs the layer
and writes the result over the input in the arena, and the result is copied
into ``out`` (or a new array). Backward sends only the gradient (the engine's
backward does not read the input). Calls on one proxy are serialized (the JVM
serializes them anyway); different proxies run concurrently.
"""

from __future__ import annotations

import math
import threading
from typing import Optional, Tuple

import numpy as np

from . import shm
from .errors import JVMError
from .gateway import Gateway, get_gateway

_DTYPE_NAMES = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}
_VALUE_KEYS = ("init_p", "rate", "stddev")  # each layer has exactly one


def create_args(params: dict) -> Tuple[float, bool, str, Optional[str]]:
    """The facade's keywords -> the typed layer arguments of ``Bridge.create``:
    (value, scale, data format, noise shape as ``"None,1,4"`` or None).
    ``inplace`` stays here: on this path the JVM works on its own copy and the
    facade writes the caller's array through ``out``."""
    value = next(params[k] for k in _VALUE_KEYS if k in params)
    noise_shape = params.get("noise_shape")
    if noise_shape is not None:
        noise_shape = ",".join("None" if d is None else str(int(d)) for d in noise_shape)
    return float(value), bool(params.get("scale", True)), str(params.get("data_format", "NCHW")), noise_shape


def to_java_seed(seed: int) -> int:
    """Unsigned 64-bit -> the same bits as a signed Java long."""
    seed = int(seed)
    if not 0 <= seed < 1 << 64:
        raise ValueError(f"seed must be in [0, 2^64), got {seed}")
    return seed - (1 << 64) if seed >= 1 << 63 else seed


def _shape_text(shape) -> str:
    return ",".join(str(int(d)) for d in shape)


def reference_digest(layer: str, params: dict, dtype, seed: int, shape, forwards: int) -> str:
    """``Bridge.referenceDigest``: the engine on its own, input built in Scala
    (the demo compares it with the Python backends)."""
    return str(
        get_gateway().call(
            "referenceDigest", layer, _DTYPE_NAMES[np.dtype(dtype)], to_java_seed(seed), *create_args(params),
            _shape_text(shape), int(forwards),
        )
    )


class JvmModule:
    """Implements the backend protocol of docs/architecture.md over the bridge."""

    def __init__(self, layer: str, params: dict, dtype, seed: int) -> None:
        self.layer = layer
        self.params = dict(params)
        self.dtype = np.dtype(dtype)
        if self.dtype not in _DTYPE_NAMES:
            raise TypeError(f"{layer}: dtype must be float32 or float64, got {self.dtype}")
        self._dtype_name = _DTYPE_NAMES[self.dtype]
        self._args = create_args(self.params)
        self._seed = int(seed)
        to_java_seed(self._seed)  # range check
        self._step = 0
        self._training = True
        # (seed, step, training, shape, value, batch offset) of the most recent forward
        self._last: Optional[Tuple[int, int, bool, Tuple[int, ...], float, int]] = None
        self._lock = threading.RLock()
        self._closed = False
        self._gw: Optional[Gateway] = None
        self._handle: Optional[int] = None
        self._stale = False  # set when a call was interrupted mid-flight
        self.restores = 0  # how many times the layer was re-created on a new JVM
        with self._lock:
            self._bind()

    # ----------------------------------------------------------- plumbing

    def _bind(self) -> Tuple[Gateway, int]:
        """The live gateway and this layer's handle on it; re-creates the
        layer on a new JVM if the old one is gone."""
        if self._closed:
            raise RuntimeError(f"{self.layer}: the layer was closed")
        gw = self._gw
        if gw is not None and gw.usable():
            if not self._stale:
                return gw, self._handle  # type: ignore[return-value]
            # an interrupted call may still run on the old handle: drop it
            gw.pending_release.append(self._handle)  # type: ignore[arg-type]
        recreate = gw is not None
        gw = get_gateway()
        gw.flush_pending()
        last = self._last
        value, *rest = self._args
        # the last forward's value first (its noise op depends on it), then set_p's
        created = last[4] if last is not None else value
        handle = gw.call("create", self.layer, self._dtype_name, to_java_seed(self._seed), created, *rest)
        try:
            if recreate:
                l_seed, l_step, l_training, l_shape, _, l_offset = last or (0, 0, True, (), value, 0)
                gw.call(
                    "restore", handle, to_java_seed(self._seed), self._step, self._training,
                    last is not None, to_java_seed(l_seed), l_step, l_training, _shape_text(l_shape), l_offset,
                )
                self.restores += 1
            if created != value:
                gw.call("setP", handle, value)
        except BaseException:
            try:
                gw.call("release", handle)
            except Exception:
                pass
            raise
        self._gw, self._handle, self._stale = gw, handle, False
        return gw, handle

    def _call(self, gw: Gateway, method: str, *args):
        """A state-changing bridge call. If it is interrupted (Ctrl-C) the JVM
        may still complete it: the handle and this thread's arena are then
        abandoned, and the next call re-creates the layer from the mirrored
        state, so the interrupted call has no effect."""
        try:
            return gw.call(method, *args)
        except (KeyboardInterrupt, SystemExit):
            self._stale = True
            shm.abandon_thread_arena()
            raise

    def _sync_step(self, gw: Gateway, handle: int) -> None:
        try:
            self._step = int(gw.call("getStep", handle))
        except Exception:
            pass

    # ----------------------------------------------------------- protocol

    def forward(self, x: np.ndarray, out: Optional[np.ndarray] = None, batch_offset: int = 0) -> np.ndarray:
        with self._lock:
            if out is None:  # first: a MemoryError here leaves the layer untouched
                out = np.empty(x.shape, dtype=self.dtype)
            gw, handle = self._bind()
            arena = shm.arena_for(gw, x.nbytes, f"{self.layer} forward of shape {tuple(x.shape)}", x.size)
            view = arena.view(self.dtype, x.shape)
            np.copyto(view, x, casting="unsafe")
            try:
                step = self._call(gw, "forward", handle, arena.id, 0, _shape_text(x.shape), 0, int(batch_offset))
            except Exception:
                if gw.usable():  # a Java exception: the JVM tells where the step is
                    self._sync_step(gw, handle)
                raise
            # mirror first: the JVM has done the forward, whatever happens next
            self._last = (self._seed, self._step, self._training, tuple(x.shape), self._args[0], int(batch_offset))
            self._step = int(step)
            np.copyto(out, view, casting="unsafe")
            return out

    def backward(self, x: np.ndarray, grad: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
        with self._lock:
            if out is None:
                out = np.empty(grad.shape, dtype=self.dtype)
            gw, handle = self._bind()
            # The engine's backward replays the last forward's record and never
            # reads the input, so only the gradient crosses; the result is written over it.
            arena = shm.arena_for(gw, grad.nbytes, f"{self.layer} backward of shape {tuple(grad.shape)}", grad.size)
            gview = arena.view(self.dtype, grad.shape)
            np.copyto(gview, grad, casting="unsafe")
            self._call(gw, "backward", handle, arena.id, 0, _shape_text(grad.shape), 0)
            np.copyto(out, gview, casting="unsafe")
            return out

    def noise(self) -> np.ndarray:
        """The engine's ``NoiseModule.noise()``: a bool keep mask, or the factors /
        addends, of the most recent training forward's noise shape."""
        with self._lock:
            gw, handle = self._bind()
            kind, _, shape_text = str(gw.call("noiseShape", handle)).partition(":")
            shape = tuple(int(d) for d in shape_text.split(",")) if shape_text else ()
            count = math.prod(shape)
            arena = shm.arena_for(gw, count * self.dtype.itemsize, f"{self.layer} noise of shape {shape}", count)
            self._call(gw, "noise", handle, arena.id, 0)
            view = arena.view(self.dtype, shape)
            return view != 0 if kind == "keep" else view.copy()

    def set_training(self, flag: bool) -> None:
        with self._lock:
            gw, handle = self._bind()
            self._call(gw, "setTraining", handle, bool(flag))
            self._training = bool(flag)

    def is_training(self) -> bool:
        return self._training

    def set_seed(self, seed: int) -> None:
        with self._lock:
            java_seed = to_java_seed(seed)
            gw, handle = self._bind()
            self._call(gw, "setSeed", handle, java_seed)
            self._seed = int(seed)
            self._step = 0

    def set_p(self, p: float) -> None:
        """A new drop probability (mask layers); seed, step and the last forward stay."""
        with self._lock:
            gw, handle = self._bind()
            self._call(gw, "setP", handle, float(p))
            self.params = {**self.params, "init_p": p}
            self._args = create_args(self.params)

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def step(self) -> int:
        return self._step

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            gw, handle, self._gw, self._handle = self._gw, self._handle, None, None
            if gw is not None and gw.usable() and handle is not None:
                try:
                    gw.call("release", handle)
                except JVMError:
                    pass

    def __del__(self) -> None:
        # never call the JVM from a finalizer: queue the handle, released by
        # the next call that creates a layer or an arena
        try:
            if not self._closed:
                gw, handle = self._gw, self._handle
                if gw is not None and handle is not None and gw.usable():
                    gw.pending_release.append(handle)
        except Exception:
            pass

    def __repr__(self) -> str:
        return (
            f"JvmModule({self.layer}, {self.params}, {self._dtype_name}, seed={self._seed}, "
            f"step={self._step}, training={self._training})"
        )
