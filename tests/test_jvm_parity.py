"""The jvm and numpy backends give the same bytes.

Every layer, both dtypes, edge probabilities (0, 1, 1e-9, 0.999999), 0-d,
empty, odd and > 2^16-element shapes, both data formats, both modes, the full
seed range, sequences of forwards/backwards/set_seed/set_p, in-place on and
off: each result of the jvm backend must equal the numpy backend's
``tobytes()``, and the two layers must agree on step, seed and mode after
every call. Needs Java and the gateway jar (``pytest.mark.jvm``).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest

from bigdl_reg.nn import (
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

pytestmark = [pytest.mark.jvm, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

BIG = 70001  # > 2^16 elements: several engine chunks, several numpy chunks
PS = [0.0, 1.0, 1e-9, 0.999999, 0.5, 0.3]
RATES = [0.0, 1e-9, 0.5, 0.999999]
STDDEVS = [0.0, 1e-9, 0.5, 3.0]
SEEDS = [0, 1, 2**63, 2**64 - 1]
TYPES = ["float", "double"]
DTYPE = {"float": np.float32, "double": np.float64}

ELEMENTWISE_SHAPES = [(), (0,), (0, 5), (1,), (7,), (3, 5, 7), (BIG,), (2, 3, 1, 1, 2, 3)]
SHAPES = {
    SpatialDropout1D: [(0, 3), (5, 3), (4, 7, 9), (0, 4, 2), (3, 0, 2), (2, 9000, 5)],
    SpatialDropout2D: [(3, 4, 5), (2, 3, 4, 5), (0, 3, 4, 5), (1, 1, 1), (2, 64, 33, 17)],
    SpatialDropout3D: [(2, 3, 4, 5), (2, 3, 2, 3, 4), (0, 2, 2, 2, 2), (1, 1, 1, 1), (2, 4, 10, 30, 31)],
}


def _input(shape, dtype, salt):
    """Deterministic values with signs, zeros, -0.0, NaN and infinities."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(salt)
    x = (rng.standard_normal(n) * 3).astype(dtype)
    if n >= 8:
        x[rng.integers(0, n, size=max(1, n // 50))] = np.nan
        x[1] = np.inf
        x[2] = -np.inf
        x[3] = -0.0
        x[4] = 0.0
    return x.reshape(shape)


def _salt(*parts) -> int:
    return zlib.crc32(repr(parts).encode())


class Twin:
    """One layer built on both backends; every call compares the results."""

    def __init__(self, cls, kwargs):
        self.jvm = cls(backend="jvm", **kwargs)
        self.np = cls(backend="numpy", **kwargs)
        self.inplace = bool(kwargs.get("inplace", False))
        self.calls = 0

    def check_state(self):
        assert self.jvm.step == self.np.step
        assert self.jvm.seed == self.np.seed
        assert self.jvm.is_training() == self.np.is_training()

    def _compare(self, what, fn_j, fn_n, a, b):
        self.calls += 1
        if self.inplace:
            a_j, a_n = a.copy(), a.copy()
            rj, rn = fn_j(a_j), fn_n(a_n)
            assert rj is a_j and rn is a_n, "inplace must return the caller's array"
        else:
            a_copy = a.copy()
            rj, rn = fn_j(a), fn_n(a)
            assert a.tobytes() == a_copy.tobytes(), "inputs must not be modified"
        assert rj.dtype == rn.dtype and rj.shape == rn.shape, what
        assert rj.tobytes() == rn.tobytes(), f"{what}: jvm and numpy differ"
        self.check_state()
        return rj

    def forward(self, x):
        return self._compare("forward", self.jvm.forward, self.np.forward, x, None)

    def backward(self, x, g):
        return self._compare(
            "backward", lambda gg: self.jvm.backward(x, gg), lambda gg: self.np.backward(x, gg), g, None
        )

    def training(self):
        self.jvm.training(), self.np.training()

    def evaluate(self):
        self.jvm.evaluate(), self.np.evaluate()

    def set_seed(self, s):
        self.jvm.set_seed(s), self.np.set_seed(s)
        self.check_state()

    def close(self):
        self.jvm.close()


def _sequence(twin: Twin, shape, dtype, salt, extra=None):
    """train fwd, bwd, train fwd, fwd, bwd, eval fwd, bwd, train fwd,
    set_seed, fwd, bwd (+ `extra(twin)` then fwd, bwd)."""
    x = [_input(shape, dtype, salt + k) for k in range(4)]
    g = _input(shape, dtype, salt + 99)
    twin.forward(x[0])
    twin.backward(x[0], g)
    twin.forward(x[1])
    twin.forward(x[2])
    twin.backward(x[2], g)
    twin.evaluate()
    twin.forward(x[3])
    twin.backward(x[3], g)
    twin.training()
    twin.forward(x[0])
    twin.set_seed(salt)
    twin.backward(x[0], g)  # the pre-set_seed forward's noise
    twin.forward(x[1])
    twin.backward(x[1], g)
    if extra is not None:
        extra(twin)
        twin.backward(x[1], g)
        twin.forward(x[2])
        twin.backward(x[2], g)


@pytest.mark.parametrize("bigdl_type", TYPES)
@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("p", PS)
def test_dropout(p, scale, inplace, bigdl_type):
    dtype = DTYPE[bigdl_type]
    for i, shape in enumerate(ELEMENTWISE_SHAPES):
        seed = SEEDS[i % len(SEEDS)] ^ _salt(p, scale, inplace, bigdl_type)
        twin = Twin(Dropout, dict(init_p=p, inplace=inplace, scale=scale, bigdl_type=bigdl_type, seed=seed))

        def set_p(t, q=1.0 - p if p not in (0.0, 1.0) else 0.25):
            t.jvm.set_p(q), t.np.set_p(q)

        _sequence(twin, shape, dtype, _salt(shape, seed), extra=set_p)
        twin.close()


# (class, its keyword, the salt's tag, value): the two Gaussian layers at each of their values
GAUSSIAN = [(GaussianDropout, "rate", "gd", r) for r in RATES] + [(GaussianNoise, "stddev", "gn", s) for s in STDDEVS]


@pytest.mark.parametrize("bigdl_type", TYPES)
@pytest.mark.parametrize("cls, keyword, tag, value", GAUSSIAN,
                         ids=[f"{c.__name__}-{k}={v}" for c, k, _, v in GAUSSIAN])
def test_gaussian(cls, keyword, tag, value, bigdl_type):
    dtype = DTYPE[bigdl_type]
    for i, shape in enumerate(ELEMENTWISE_SHAPES):
        seed = SEEDS[i % len(SEEDS)] ^ _salt(tag, value, bigdl_type)
        twin = Twin(cls, {keyword: value, "bigdl_type": bigdl_type, "seed": seed})
        _sequence(twin, shape, dtype, _salt(shape, seed))
        twin.close()


@pytest.mark.parametrize("bigdl_type", TYPES)
@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize(
    "cls, data_format",
    [
        (SpatialDropout1D, None),
        (SpatialDropout2D, "NCHW"),
        (SpatialDropout2D, "NHWC"),
        (SpatialDropout3D, "NCHW"),
        (SpatialDropout3D, "channels_last"),
    ],
)
def test_spatial(cls, data_format, p, bigdl_type):
    dtype = DTYPE[bigdl_type]
    for i, shape in enumerate(SHAPES[cls]):
        seed = SEEDS[i % len(SEEDS)] ^ _salt(cls.__name__, data_format, p, bigdl_type)
        kwargs = dict(init_p=p, bigdl_type=bigdl_type, seed=seed)
        if data_format is not None:
            kwargs["data_format"] = data_format
        twin = Twin(cls, kwargs)
        _sequence(twin, shape, dtype, _salt(shape, seed))
        twin.close()


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32, 2**63 - 1, 2**63, 2**64 - 1])
def test_many_seeds_and_steps(seed):
    twin = Twin(Dropout, dict(init_p=0.5, seed=seed))
    g_twin = Twin(GaussianNoise, dict(stddev=1.0, bigdl_type="double", seed=seed))
    x = _input((1001,), np.float32, seed % 1000)
    xd = _input((257,), np.float64, seed % 1000)
    for _ in range(20):
        twin.forward(x)
        g_twin.forward(xd)
    twin.backward(x, x)
    g_twin.backward(xd, xd)


def test_float_input_to_a_double_layer_and_non_contiguous_inputs():
    twin = Twin(SpatialDropout2D, dict(init_p=0.4, bigdl_type="double", seed=5))
    x32 = _input((2, 6, 5, 4), np.float32, 1)
    twin.forward(x32)  # upcast on both backends
    xt = np.asfortranarray(_input((4, 5, 6, 2), np.float64, 2)).transpose(3, 2, 1, 0)
    twin.forward(xt)
    twin.backward(xt, xt[:, :, :, ::-1])
    inplace = Twin(Dropout, dict(init_p=0.5, inplace=True, seed=6))
    base_j = _input((10, 20), np.float32, 3)
    base_n = base_j.copy()
    yj = inplace.jvm.forward(base_j[:, ::2])  # non-contiguous target: written back
    yn = inplace.np.forward(base_n[:, ::2])
    assert yj.tobytes() == yn.tobytes() and base_j.tobytes() == base_n.tobytes()


def test_large_tensor_crosses_the_arena_unchanged():
    twin = Twin(Dropout, dict(init_p=0.2, seed=2024))
    x = _input((3, 1_000_003), np.float32, 7)
    twin.forward(x)
    twin.backward(x, x)
    dtwin = Twin(GaussianDropout, dict(rate=0.3, bigdl_type="double", seed=2025))
    xd = _input((1_000_003,), np.float64, 8)
    dtwin.forward(xd)
    dtwin.backward(xd, xd)
