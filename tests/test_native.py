"""The compiled noise (bigdl_reg/backends/numpy/_noise.c) against the numpy code
it replaces: the same bytes on every branch of PPND16 and of the log, for the
masks at every threshold, for every stream position, dtype, thread count and
chunking; and how the backend decides to use it (built, turned off, refused,
missing).

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
        message = f"the compiled noise is not in use: {native.status()}"
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


OPS = native._check_ops() + [("Dropout, one cell in 2^32 kept", ops.Mask(1 - 2.0 ** -32, True)),
                             ("Dropout, all but one in 2^32 kept", ops.Mask(2.0 ** -32, True)),
                             ("Dropout, every cell kept", ops.Mask(2.0 ** -40, True))]


def _input(count: int, dtype) -> np.ndarray:
    """Normal values, led by a NaN, an infinity, -0 and a subnormal."""
    x = np.random.default_rng(count).standard_normal(count).astype(dtype)
    specials = np.array([np.nan, -np.inf, -0.0, np.finfo(dtype).tiny / 8], dtype=dtype)
    x[:4] = specials[:count]
    return x


def _numpy(op, x, seed, step, first) -> np.ndarray:
    out = np.empty_like(x)
    op.apply(x, out, ops.Cells(seed, step, x.shape, base=first), compiled=False)
    return out


def test_the_thresholds_are_the_extremes():
    assert [ops.keep_threshold(op.p) for _, op in OPS[-3:]] == [1, 2**32 - 1, 2**32]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, op", OPS, ids=[name for name, _ in OPS])
def test_ops_are_numpys_bytes_at_any_stream_position(compiled, dtype, name, op):
    kernel = op.kernel(compiled, np.dtype(dtype))
    for seed, step in ((42, 3), (2**64 - 1, 2**64 - 1)):
        for first in (0, 1, 2, 3, 7, 8 * (2**64 - 1) - 3):  # the last crosses the counter's carry
            for count in (1, 2, 3, 511, 512, 513, 1025, 2051):
                x = _input(count, dtype)
                out = np.empty_like(x)
                kernel(seed, step, first, x, out)
                assert out.tobytes() == _numpy(op, x, seed, step, first).tobytes(), (seed, step, first, count)


@pytest.mark.parametrize("name, op", OPS[:6], ids=[name for name, _ in OPS[:6]])
def test_ops_in_place_and_in_chunks_of_any_size(compiled, name, op):
    x = _input(5000, np.float32)
    expected = _numpy(op, x, 9, 4, 1)
    for chunk in (1, 2, 7, 512, 513, 4096):
        out = np.empty_like(x)
        ops.apply_noise(x, out, ops.Cells(9, 4, x.shape, base=1), None, None, chunk=chunk,
                        fused=op.kernel(compiled, x.dtype))
        assert out.tobytes() == expected.tobytes(), chunk
    in_place = x.copy()
    op.apply(in_place, in_place, ops.Cells(9, 4, x.shape, base=1))
    assert in_place.tobytes() == expected.tobytes()


def test_an_output_overlapping_the_input_goes_through_numpy(compiled):
    """An out that overlaps x (but is not x) is left to numpy, whose ufuncs buffer overlaps."""
    buffer = _input(3001, np.float32)
    x, out = buffer[:3000], buffer[1:]
    assert not ops._fusable(x, out) and ops._fusable(x, x) and ops._fusable(x, x.copy())
    assert not ops._fusable(x, x.astype(np.float64)) and not ops._fusable(buffer[::2], buffer[::2].copy())
    op, cells = ops.Mask(0.5, True), ops.Cells(1, 2, x.shape)
    expected = buffer.copy()
    op.apply(expected[:3000], expected[1:], cells, compiled=False)
    op.apply(x, out, cells)
    assert buffer.tobytes() == expected.tobytes()


LAYERS = [("GaussianNoise", {}), ("GaussianDropout", {}), ("Dropout", {}), ("AlphaDropout", {}),
          ("FeatureAlphaDropout", {}), ("SpatialDropout2D", {"data_format": "NHWC"})]


@pytest.mark.parametrize("name, options", LAYERS)
@pytest.mark.parametrize("bigdl_type", ["float", "double"])
def test_layers_give_the_same_bytes_with_and_without_the_kernel(compiled, monkeypatch, name, options, bigdl_type):
    dtype = np.float32 if bigdl_type == "float" else np.float64
    shape = (3, 7, 99, 101) if "Spatial" in name or "Feature" in name else (3 * ops.NORMAL_CHUNK + 12345,)
    x = np.random.default_rng(5).standard_normal(shape).astype(dtype)
    small = x.reshape(-1)[:1001] if len(shape) == 1 else x[:1]
    results = {}
    for use_kernel in (True, False):
        monkeypatch.setattr(native, "_kernel", compiled if use_kernel else None)
        for n in (1, 2):
            threads.set_threads(n)
            layer = getattr(nn, name)(0.3, **options, seed=11, bigdl_type=bigdl_type, backend="numpy")
            ys = [layer.forward(x), layer.forward(small)]
            results[use_kernel, n] = [y.tobytes() for y in ys + [layer.backward(small, small)]]
    threads.set_threads(threads._default_threads())
    assert len(set(map(tuple, results.values()))) == 1


def test_turned_off_by_the_environment(reload_native, monkeypatch):
    monkeypatch.setenv(native.NATIVE_ENV, "0")
    assert reload_native() is None
    assert native.status() == "turned off (BIGDL_REG_NATIVE=0)"
    assert ops._kernel_of(ops.Mask(0.5, True), np.dtype(np.float32), compiled=True) is None


def test_a_missing_kernel_says_it_was_not_built(reload_native, monkeypatch):
    monkeypatch.delenv(native.NATIVE_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "bigdl_reg.backends.numpy._noise", None)
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
    assert f"its normals differ from the numpy formula on 1 of {size} check words" in native.status()
    monkeypatch.setattr(normal, "normals", exact)
    assert reload_native() is not None and native.status().startswith("compiled (")


def test_a_kernel_whose_ops_disagree_with_numpy_is_refused(compiled, reload_native, monkeypatch):
    monkeypatch.delenv(native.NATIVE_ENV, raising=False)
    exact = ops._scaled_and_bits

    def one_bit_off(factor):
        combine = exact(factor)

        def off(x, mask, out):
            combine(x, mask, out)
            out.view(np.uint8)[-1] ^= 1
        return off
    monkeypatch.setattr(ops, "_scaled_and_bits", one_bit_off)
    assert reload_native() is None
    assert native.status().startswith("refused: "), native.status()
    assert native.status().endswith(": its Dropout differs from numpy's in float32"), native.status()
