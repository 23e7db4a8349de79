"""A KeyboardInterrupt at any point of a forward or backward leaves the layer
consistent on both backends: the call either never happened (state as before)
or completed (state as after one uninterrupted call), and every later call
gives the bytes of a layer that saw no interrupt (issue 15, item 1).

The interrupt is raised by a tracing hook at the N-th line executed inside
the package, py4j and numpy's Python code, for many N spread over the whole
call: input checks, the facade's bookkeeping, the numpy kernels' Python
glue, the shared-memory transfer and the py4j round trip."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from bigdl_reg.nn import AlphaDropout, Dropout, GaussianNoise, SpatialDropout2D, from_state

pytestmark = pytest.mark.jvm

_ROOTS = tuple(os.path.dirname(__import__(m).__file__) for m in ("bigdl_reg", "py4j", "numpy"))
POSITIONS = 40  # interrupt points per case, spread evenly over the call's traced lines

CASES = [
    (Dropout, dict(init_p=0.3, noise_shape=(None, 1, None)), (5, 4, 6)),
    (GaussianNoise, dict(stddev=0.5, bigdl_type="double"), (5, 4, 6)),
    (SpatialDropout2D, dict(init_p=0.4, data_format="NHWC"), (2, 3, 4, 5)),
    (AlphaDropout, dict(init_p=0.25), (5, 4, 6)),
]
IDS = [cls.__name__ for cls, _, _ in CASES]


def _ours(frame) -> bool:
    return frame.f_code.co_filename.startswith(_ROOTS)


class _InterruptAt:
    """Raise KeyboardInterrupt at the ``n``-th traced line (``n`` None: count only)."""

    def __init__(self, n=None):
        self.n, self.lines = n, 0

    def __enter__(self):
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        sys.settrace(None)
        return False

    def _global(self, frame, event, arg):
        return self._local if _ours(frame) else None

    def _local(self, frame, event, arg):
        if event == "line":
            self.lines += 1
            if self.lines == self.n:
                sys.settrace(None)
                raise KeyboardInterrupt(f"line {self.n}")
        return self._local


def _x(shape, dtype, salt=0):
    return (np.sin(np.arange(int(np.prod(shape)), dtype=np.float64) * 0.37 + salt) * 3).astype(dtype).reshape(shape)


def _positions(total: int) -> list:
    return sorted({1 + (i * (total - 1)) // (POSITIONS - 1) for i in range(POSITIONS)})


def _twin(layer):
    return from_state(layer.get_state(), backend="numpy")


@pytest.mark.parametrize("cls, kwargs, shape", CASES, ids=IDS)
@pytest.mark.parametrize("call", ["forward", "forward_at_offset", "backward"])
def test_an_interrupt_anywhere_leaves_the_layer_consistent(backend, cls, kwargs, shape, call):
    layer = cls(**kwargs, seed=11, backend=backend)
    x = _x(shape, layer.dtype)
    g = _x(shape, layer.dtype, salt=1)
    layer.forward(x)
    offset = 3 if call == "forward_at_offset" else 0

    def run():
        return layer.backward(x, g) if call == "backward" else layer.forward(x, batch_offset=offset)

    reference = _twin(layer)
    expected = reference.backward(x, g) if call == "backward" else reference.forward(x, batch_offset=offset)
    before, after = layer.get_state(), reference.get_state()
    with _InterruptAt() as counter:
        run()
    restore = from_state(before, backend=backend)  # a fresh layer in the state before, for the next round
    layer.close()
    layer = restore
    interrupted = 0
    for n in _positions(counter.lines):
        try:
            with _InterruptAt(n):
                result = run()
        except KeyboardInterrupt:
            interrupted += 1
            state = layer.get_state()
            assert state in (before, after), f"line {n}: the state is neither before nor after the call"
        else:
            np.testing.assert_array_equal(result, expected)
            assert layer.get_state() == after
            state = after
        assert layer.is_training()
        # the next calls give the bytes of a layer that saw no interrupt
        twin = from_state(state, backend="numpy")
        y = layer.forward(x)
        assert y.tobytes() == twin.forward(x).tobytes(), f"line {n}: the next forward differs"
        assert layer.backward(x, g).tobytes() == twin.backward(x, g).tobytes()
        assert layer.noise().tobytes() == twin.noise().tobytes()
        assert layer.get_state() == twin.get_state()
        layer.close()
        layer = from_state(before, backend=backend)
    assert interrupted >= POSITIONS // 2, f"only {interrupted} of the points interrupted the call"
    layer.close()

