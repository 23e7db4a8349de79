"""The ``jvm`` backend's configuration: a proxy for a Scala layer configuration behind the bridge.

A handle in the JVM is an immutable configuration (layer, dtype, parameters);
seed, step, mode and the last forward live in the Python layer, which passes
them to every call (since bridge protocol 7). So nothing in the JVM needs restoring:

**Recovery.** When the JVM has died (or was stopped by
:func:`~bigdl_reg.backends.jvm.gateway.shutdown`), the call that noticed it
raises :class:`~bigdl_reg.backends.jvm.errors.JVMError`; that call had no
effect on the layer. The next call starts a fresh JVM and re-creates the
configuration there (``creations`` counts them). A call interrupted by Ctrl-C
(``KeyboardInterrupt``) abandons this thread's shared-memory arena (the JVM
may still be writing into it); the layer is unchanged.

Data path: the operand is copied into this thread's shared-memory arena (see
:mod:`.shm`), the bridge computes chunk by chunk (each chunk copied into a
Java array and back while it is in cache) and writes the result over the
operand in the arena, and the result is copied into ``out`` (or a new
array). A new result of at least ``shm.ZERO_COPY_MIN_BYTES`` (1 MiB) is not
copied out: the operand goes into a result segment instead and the array
returned is that shared memory, reused once the array and its views are gone
(at most ``shm.MAX_LIVE_SEGMENTS`` alive at once; past it, results are copied
out; a forked child that writes into such an array writes the parent's
memory, as with any ``MAP_SHARED`` mapping). Calls on one configuration may
run concurrently (each thread has its own arena).
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


def resume(state_json: str, shape, forwards: int) -> Tuple[str, str]:
    """``Bridge.resume``: a Scala layer built from ``state_json`` runs
    ``forwards`` training forwards of the pattern input of ``shape``; returns
    (sha256 hex of all outputs' bytes, the state JSON after)."""
    digest, _, state = str(get_gateway().call("resume", state_json, _shape_text(shape), int(forwards))).partition("|")
    return digest, state


class JvmConfig:
    """Implements :class:`~bigdl_reg.backends.Config` over the bridge."""

    def __init__(self, layer: str, params: dict, dtype) -> None:
        self.layer = layer
        self.params = dict(params)
        self.dtype = np.dtype(dtype)
        if self.dtype not in _DTYPE_NAMES:
            raise TypeError(f"{layer}: dtype must be float32 or float64, got {self.dtype}")
        self._create = (layer, _DTYPE_NAMES[self.dtype], *create_args(self.params))
        self._lock = threading.RLock()
        self._closed = False
        self._gw: Optional[Gateway] = None
        self._handle: Optional[int] = None
        self.creations = 0  # 1, plus one per new JVM the configuration was re-created on
        self._bind()

    def _bind(self) -> Tuple[Gateway, int]:
        """The live gateway and this configuration's handle on it (created on a new JVM if the old one is gone)."""
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.layer}: the layer was closed")
            gw = self._gw
            if gw is not None and gw.usable():
                return gw, self._handle  # type: ignore[return-value]
            gw = get_gateway()
            gw.flush_pending()
            self._handle = int(gw.call("create", *self._create))
            self._gw = gw
            self.creations += 1
            return gw, self._handle

    def _through_arena(self, method: str, operand: np.ndarray, out: Optional[np.ndarray],
                       state: Tuple[int, int, bool, int]):
        """Sends ``operand`` through this thread's arena to ``Bridge.<method>``
        (which writes its result over it) and copies the result into ``out``."""
        gw, handle = self._bind()
        what = f"{self.layer} {method} of shape {tuple(operand.shape)}"
        if out is None and operand.nbytes >= shm.ZERO_COPY_MIN_BYTES:
            shm.check_transfer(operand.nbytes, what, operand.size)
            segment = shm.result_segment(gw, operand.nbytes)
            if segment is not None:
                return self._through_segment(gw, handle, segment, method, operand, state)
        if out is None:  # before the arena: a MemoryError here costs nothing
            out = np.empty(operand.shape, dtype=self.dtype)
        arena = shm.arena_for(gw, operand.nbytes, what, operand.size)
        view = arena.view(self.dtype, operand.shape)
        np.copyto(view, operand, casting="unsafe")
        try:
            gw.compute(method, handle, state, arena.id, _shape_text(operand.shape))
        except (KeyboardInterrupt, SystemExit):
            shm.abandon_thread_arena()  # the JVM may still be writing into it
            raise
        np.copyto(out, view, casting="unsafe")
        return out

    def _through_segment(self, gw: Gateway, handle: int, segment: shm.Segment, method: str, operand: np.ndarray,
                         state: Tuple[int, int, bool, int]):
        """As :meth:`_through_arena` without the copy-out: ``operand`` goes into
        ``segment``, the JVM writes its result over it there, and the returned
        array is that shared memory (the segment is reused once the array and
        its views are gone)."""
        buffer, give_back = segment.map(operand.nbytes)
        view = np.frombuffer(memoryview(buffer), dtype=self.dtype.newbyteorder("<")).reshape(operand.shape)
        np.copyto(view, operand, casting="unsafe")
        try:
            gw.compute(method, handle, state, segment.id, _shape_text(operand.shape))
        except (KeyboardInterrupt, SystemExit):
            give_back.detach()  # the JVM may still be writing into it: never reuse it
            segment.release()
            raise
        return view

    @staticmethod
    def _call(gw: Gateway, method: str, *args):
        """A py4j bridge call writing into the arena. If it is interrupted (Ctrl-C)
        the JVM may still complete it: this thread's arena is abandoned."""
        try:
            return gw.call(method, *args)
        except (KeyboardInterrupt, SystemExit):
            shm.abandon_thread_arena()
            raise

    def forward(self, x: np.ndarray, out: Optional[np.ndarray], seed: int, step: int, training: bool,
                batch_offset: int) -> np.ndarray:
        return self._through_arena("forward", x, out,
                                   (to_java_seed(seed), int(step), bool(training), int(batch_offset)))

    def backward(self, grad: np.ndarray, out: Optional[np.ndarray], seed: int, step: int, training: bool,
                 batch_offset: int) -> np.ndarray:
        return self._through_arena("backward", grad, out,
                                   (to_java_seed(seed), int(step), bool(training), int(batch_offset)))

    def noise(self, input_shape: tuple, seed: int, step: int, batch_offset: int) -> np.ndarray:
        """The engine's noise of that training forward (the arena sized by the
        numpy backend's noise-shape rule, the same rule as Scala's)."""
        from ..._layers import layers
        from ..numpy.noise_shape import at_batch_offset

        shape, _ = at_batch_offset(layers()[self.layer], tuple(input_shape), self.params, batch_offset)
        count = math.prod(shape)
        gw, handle = self._bind()
        arena = shm.arena_for(gw, count * self.dtype.itemsize, f"{self.layer} noise of shape {shape}", count)
        answer = self._call(gw, "noise", handle, to_java_seed(seed), int(step), int(batch_offset),
                            _shape_text(input_shape), arena.id, 0)
        kind = str(answer).partition(":")[0]
        view = arena.view(self.dtype, shape)
        return view != 0 if kind == "keep" else view.copy()

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
        # the next call that creates a configuration or an arena
        try:
            if not self._closed:
                gw, handle = self._gw, self._handle
                if gw is not None and handle is not None and gw.usable():
                    gw.pending_release.append(handle)
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"JvmConfig({self.layer}, {self.params}, {self.dtype.name})"
