"""The compiled Gaussian noise (bigdl_reg/backends/numpy/_normals.c) against the
numpy formulas it replaces: the same bytes on every branch of PPND16 and of the
log, for every stream position, dtype, thread count and chunking; and how the
backend decides to use it (built, turned off, refused, missing).

Under CI the kernel must be there (bin/setup builds it): a missing one fails."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from bigdl_reg import nn
from bigdl_reg.backends.numpy import native, normal, ops, philox, threads


@pytest.fixture
def compiled():
    """The loaded kernel; outside CI a clone without one skips."""
    if native.kernel() is None:
        message = f"the compiled normals are not in use: {native.status()}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: bin/setup builds them)", pytrace=False)
        pytest.skip(message)
    return native.kernel()


@pytest.fixture
def reload_native(monkeypatch):
    """Lets a test load the kernel anew; the session's state comes back afterwards."""
    for name in ("_kernel", "_reason", "_loaded"):
        monkeypatch.setattr(native, name, getattr(native, name))

    def load():
        native._loaded = False
        return native.kernel()
    return load


def _numpy_operands(seed, step, first, count, sd, one_plus, dtype) -> np.ndarray:
    draw = ops.NormalDraw(sd, one_plus, np.dtype(dtype))
    draw.compiled = False
    return draw(seed, step, first, count).copy()


def _branches(words: np.ndarray) -> dict:
    """How many lanes of ``words`` take each path (computed with numpy)."""
    q = normal.uniforms(words.copy()) - 0.5
    x = 0.5 - np.abs(q[np.abs(q) > normal.SPLIT1])
    r = np.sqrt(-normal.fdlibm_log(x))
    bits = x.view(np.int64) >> 32
    return {"central": int(np.sum(np.abs(q) <= normal.SPLIT1)), "near tail": int(np.sum(r <= 5.0)),
            "far tail": int(np.sum(r > 5.0)), "negative tail": int(np.sum(q < -normal.SPLIT1)),
            "log small f": int(np.sum(((bits + 2) & 0xFFFFF) < 3))}


def test_the_check_words_reach_every_branch():
    counts = _branches(native._check_words())
    assert min(counts.values()) >= 4, counts


def test_normals_are_the_numpy_formulas_bytes_on_every_branch(compiled):
    crafted = native._check_words()
    streams = [philox.words(seed, step, 0, 1 << 18) for seed, step in ((0, 0), (1, 7), (2**64 - 1, 2**40))]
    for words in [crafted, *streams, crafted[:1], crafted[:0]]:
        assert native.normals(words).tobytes() == normal.normals(words).tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("one_plus", [False, True])
def test_operands_are_the_numpy_draws_bytes_at_any_stream_position(compiled, dtype, one_plus):
    sd = 0.7071067811865476
    for seed, step in ((42, 3), (0, 0), (2**64 - 1, 2**64 - 1)):
        for first in (0, 1, 2, 3, 5, 4 * (2**64 - 1) - 2):  # the last crosses the counter's carry
            for count in (1, 3, 511, 512, 513, 1030):
                out = np.empty(count, dtype=dtype)
                native.gauss_operands(seed, step, first, sd, one_plus, out)
                expected = _numpy_operands(seed, step, first, count, sd, one_plus, dtype)
                assert out.tobytes() == expected.tobytes(), (seed, step, first, count)


@pytest.mark.parametrize("name", ["GaussianNoise", "GaussianDropout"])
@pytest.mark.parametrize("bigdl_type", ["float", "double"])
def test_layers_give_the_same_bytes_with_and_without_the_kernel(compiled, monkeypatch, name, bigdl_type):
    x = np.random.default_rng(5).standard_normal(3 * ops.NORMAL_CHUNK + 12345)
    x = x.astype(np.float32 if bigdl_type == "float" else np.float64)
    results = {}
    for use_kernel in (True, False):
        monkeypatch.setattr(native, "_kernel", compiled if use_kernel else None)
        for n in (1, 2):
            threads.set_threads(n)
            layer = getattr(nn, name)(0.3, seed=11, bigdl_type=bigdl_type, backend="numpy")
            ys = [layer.forward(x), layer.forward(x[:1001])]
            results[use_kernel, n] = [y.tobytes() for y in ys + [layer.backward(x[:1001], x[:1001])]]
    threads.set_threads(threads._default_threads())
    assert len(set(map(tuple, results.values()))) == 1


def test_turned_off_by_the_environment(reload_native, monkeypatch):
    monkeypatch.setenv(native.NATIVE_ENV, "0")
    assert reload_native() is None
    assert native.status() == "turned off (BIGDL_REG_NATIVE=0)"
    assert ops.NormalDraw(0.5, False, np.dtype(np.float32)).compiled is False


def test_a_missing_kernel_says_it_was_not_built(reload_native, monkeypatch):
    monkeypatch.delenv(native.NATIVE_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "bigdl_reg.backends.numpy._normals", None)
    assert reload_native() is None
    assert native.status().startswith("not built ("), native.status()
    assert "C compiler" in native.status()


def test_a_kernel_that_disagrees_with_numpy_is_refused(compiled, reload_native, monkeypatch):
    """As a build with FMA contraction would: one bit off on one check word is enough."""
    monkeypatch.delenv(native.NATIVE_ENV, raising=False)
    exact = normal.normals

    def one_bit_off(words):
        z = exact(words)
        z.view(np.uint64)[7] ^= np.uint64(1)
        return z
    monkeypatch.setattr(normal, "normals", one_bit_off)
    assert reload_native() is None
    size = native._check_words().size
    assert native.status().startswith("refused: "), native.status()
    assert f"differs from the numpy formula on 1 of {size} check words" in native.status()
    monkeypatch.setattr(normal, "normals", exact)
    assert reload_native() is not None and native.status().startswith("compiled (")
