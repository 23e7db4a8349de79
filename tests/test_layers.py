"""Layer semantics (docs/contract.md, "The layers") on every backend: formulas, modes, backward,
errors, noise shapes, edge cases. Parity is always ``tobytes()`` equality.

The references below are written independently of the backends' kernels:
they take the contract's words and normals (checked against golden values in
test_rng.py) and apply the contract's formulas with plain numpy, unchunked.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from layer_cases import CASES, IDS

from bigdl_reg import _layers
from bigdl_reg.backends.numpy import normal, philox
from bigdl_reg.nn import (AlphaDropout, Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
                          SpatialDropout3D)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # Inf/NaN arithmetic in references

DTYPES = [np.float32, np.float64]
TYPE_NAMES = {np.float32: "float", np.float64: "double"}


def build(cls, backend, dtype=np.float32, seed=42, **kwargs):
    return cls(bigdl_type=TYPE_NAMES[dtype], seed=seed, backend=backend, **kwargs)


# --------------------------------------------------------------------------
# references (unchunked, straight from docs/contract.md)
# --------------------------------------------------------------------------

def reference_keep(seed, step, cells, p):
    words = philox.words(seed, step, 0, (cells + 1) // 2)
    halves = words.view(np.uint32)[:cells].astype(np.int64)
    return halves < math.ceil((1.0 - p) * 2.0**32)


def reference_z(seed, step, cells):
    return normal.normals(philox.words(seed, step, 0, cells))


def reference_dropout(x, seed, step, p, scale=True):
    keep = reference_keep(seed, step, x.size, p).reshape(x.shape)
    t = x.dtype.type
    kept = x * t(1.0 / (1.0 - p)) if scale else x
    return np.where(keep, kept, t(0))


def reference_gaussian_dropout(x, seed, step, rate):
    sd = math.sqrt(rate / (1.0 - rate))
    factor = (1.0 + sd * reference_z(seed, step, x.size)).astype(x.dtype)
    return x * factor.reshape(x.shape)


def reference_gaussian_noise(x, seed, step, stddev):
    return x + (stddev * reference_z(seed, step, x.size)).astype(x.dtype).reshape(x.shape)


def same_bytes(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    return a.tobytes() == b.tobytes()


# --------------------------------------------------------------------------
# docs/contract.md, "Golden values"
# --------------------------------------------------------------------------

def test_worked_dropout_example(backend):
    x = np.arange(1, 17, dtype=np.float32).reshape(2, 8)
    y = Dropout(init_p=0.5, seed=42, backend=backend).forward(x)
    expected = np.array([[2, 0, 6, 8, 0, 0, 14, 16], [18, 20, 0, 24, 26, 28, 30, 32]], np.float32)
    assert same_bytes(y, expected)


def test_golden_keep_bits_at_step_3(backend):
    layer = Dropout(0.3, seed=42, backend=backend)
    ones = np.ones(16, np.float32)
    for _ in range(3):
        layer.forward(ones)
    y = layer.forward(ones)
    assert "".join("1" if v else "0" for v in y) == "1101010001111010"
    assert set(y[y != 0].tolist()) == {float(np.float32(1 / 0.7))}


@pytest.mark.parametrize("dtype", DTYPES)
def test_golden_normals_through_the_gaussian_layers(backend, dtype):
    z = np.array([float.fromhex(h) for h in [
        "-0x1.15824c6c6dcdbp-1", "-0x1.33e99c57dbfedp+1", "0x1.327c45f14c16cp-5", "0x1.0582059e27abcp+0",
        "0x1.c9793894ef719p-2", "-0x1.7f5837e90ec1ep+0", "0x1.151ca6f4d9d9bp-1", "0x1.34d0247c0d4d8p-1"]])
    x = np.linspace(-2, 3, 8).astype(dtype)
    gd, gn = build(GaussianDropout, backend, dtype, rate=0.25), build(GaussianNoise, backend, dtype, stddev=0.7)
    for _ in range(3):
        gd.forward(x)
        gn.forward(x)
    sd = math.sqrt(0.25 / 0.75)
    assert same_bytes(gd.forward(x), x * (1.0 + sd * z).astype(dtype))
    assert same_bytes(gn.forward(x), x + (0.7 * z).astype(dtype))


# --------------------------------------------------------------------------
# training forwards against the references, across chunk boundaries
# --------------------------------------------------------------------------

SIZES = [0, 1, 7, 65535, 65536, 65537, 200003]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_matches_reference(backend, n, dtype):
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    for scale in (True, False):
        layer = build(Dropout, backend, dtype, seed=1234 + n, init_p=0.37, scale=scale)
        for step in range(2):
            assert same_bytes(layer.forward(x), reference_dropout(x, 1234 + n, step, 0.37, scale))


@pytest.mark.parametrize("n", [0, 1, 5, 16383, 16384, 16385, 70001])
@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_layers_match_reference(backend, n, dtype):
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    gd = build(GaussianDropout, backend, dtype, seed=99, rate=0.4)
    gn = build(GaussianNoise, backend, dtype, seed=98, stddev=1.5)
    for step in range(2):
        assert same_bytes(gd.forward(x), reference_gaussian_dropout(x, 99, step, 0.4))
        assert same_bytes(gn.forward(x), reference_gaussian_noise(x, 98, step, 1.5))


def test_full_seed_range(backend):
    x = np.ones(100, np.float32)
    for seed in (0, 2**63, 2**64 - 1):
        assert same_bytes(Dropout(0.5, seed=seed, backend=backend).forward(x), reference_dropout(x, seed, 0, 0.5))


# --------------------------------------------------------------------------
# special parameter values and special inputs
# --------------------------------------------------------------------------

def special_input(dtype, shape=(4, 8)):
    values = [np.nan, np.inf, -np.inf, -0.0, 0.0, -1.5, 2.5, 1e-40, -3e38]
    return np.resize(np.array(values, dtype=dtype), shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls, kwargs", [
    (Dropout, {"init_p": 0.0}), (Dropout, {"init_p": 0.0, "scale": False}),
    (GaussianDropout, {"rate": 0.0}), (GaussianNoise, {"stddev": 0.0}),
    (SpatialDropout1D, {"init_p": 0.0}), (SpatialDropout2D, {"init_p": 0.0}),
    (SpatialDropout3D, {"init_p": 0.0}),
])
def test_zero_is_the_identity(backend, dtype, cls, kwargs):
    shape = {SpatialDropout1D: (4, 2, 9), SpatialDropout2D: (2, 2, 3, 3), SpatialDropout3D: (2, 2, 3, 3, 2)}
    x = special_input(dtype, shape.get(cls, (4, 9)))
    layer = build(cls, backend, dtype, **kwargs)
    assert same_bytes(layer.forward(x), x)  # -0.0 and NaN included
    assert same_bytes(layer.backward(x, x), x)
    assert layer.step == 1
    assert same_bytes(layer.evaluate().forward(x), x)
    assert same_bytes(layer.backward(x, x), x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls, kwargs", [
    (Dropout, {}), (Dropout, {"scale": False}), (SpatialDropout1D, {}),
    (SpatialDropout2D, {}), (SpatialDropout3D, {"data_format": "NHWC"}),
])
def test_p_one_training_is_all_positive_zero(backend, dtype, cls, kwargs):
    shape = {SpatialDropout1D: (4, 2, 9), SpatialDropout2D: (2, 2, 3, 3), SpatialDropout3D: (2, 2, 3, 3, 2)}
    x = special_input(dtype, shape.get(cls, (4, 9)))
    layer = build(cls, backend, dtype, init_p=1.0, **kwargs)
    assert same_bytes(layer.forward(x), np.zeros_like(x))
    assert same_bytes(layer.backward(x, x), np.zeros_like(x))


@pytest.mark.parametrize("dtype", DTYPES)
def test_p_one_evaluate_follows_the_formula(backend, dtype):
    x = special_input(dtype)
    t = np.dtype(dtype).type
    for cls, kwargs in [(Dropout, {"scale": False}), (SpatialDropout1D, {})]:
        y = build(cls, backend, dtype, init_p=1.0, **kwargs).evaluate().forward(x.reshape(4, 2, 4))
        assert same_bytes(y, (x * t(0.0)).reshape(4, 2, 4))  # NaN for Inf, -0 for negatives
    assert same_bytes(build(Dropout, backend, dtype, init_p=1.0).evaluate().forward(x), x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls, kwargs, shape", [
    (Dropout, {"init_p": 0.5}, (8, 16)), (Dropout, {"init_p": 0.5, "scale": False}, (8, 16)),
    (SpatialDropout1D, {"init_p": 0.5}, (8, 4, 16)), (SpatialDropout2D, {"init_p": 0.5}, (8, 16, 2, 2)),
    (SpatialDropout3D, {"init_p": 0.5, "data_format": "NHWC"}, (8, 2, 1, 2, 16)),
])
def test_dropped_cells_are_positive_zero_even_for_nan_and_inf(backend, dtype, cls, kwargs, shape):
    x = special_input(dtype, shape)
    y = build(cls, backend, dtype, **kwargs).forward(x)
    ones = build(cls, backend, dtype, **kwargs).forward(np.ones(shape, dtype))
    dropped = ones == 0
    assert 0 < dropped.sum() < dropped.size
    assert y[dropped].tobytes() == np.zeros(int(dropped.sum()), dtype).tobytes()
    t = np.dtype(dtype).type
    factor = t(2.0) if kwargs.get("scale", True) and cls is Dropout else t(1.0)
    assert y[~dropped].tobytes() == (x[~dropped] * factor).tobytes()


# --------------------------------------------------------------------------
# evaluate mode
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.77])
def test_evaluate_formulas(backend, dtype, p):
    x = np.random.default_rng(0).standard_normal((6, 5, 4)).astype(dtype)
    t = np.dtype(dtype).type
    scaled = x * t(1.0 - p)
    cases = [
        (build(Dropout, backend, dtype, init_p=p), x),
        (build(Dropout, backend, dtype, init_p=p, scale=False), scaled),
        (build(SpatialDropout1D, backend, dtype, init_p=p), scaled),
        (build(SpatialDropout2D, backend, dtype, init_p=p), scaled),
        (build(SpatialDropout2D, backend, dtype, init_p=p, data_format="NHWC"), scaled),
        (build(GaussianDropout, backend, dtype, rate=p), x),
        (build(GaussianNoise, backend, dtype, stddev=p), x),
    ]
    for layer, expected in cases:
        layer.evaluate()
        assert same_bytes(layer.forward(x), expected), layer
        assert layer.step == 0
        g = np.full_like(x, 3.0)
        grad_expected = g if expected is x else g * t(1.0 - p)
        assert same_bytes(layer.backward(x, g), grad_expected), layer
    x4 = x.reshape(2, 3, 5, 4)
    layer = build(SpatialDropout3D, backend, dtype, init_p=p).evaluate()
    assert same_bytes(layer.forward(x4), x4 * t(1.0 - p))


# --------------------------------------------------------------------------
# backward
# --------------------------------------------------------------------------

MULTIPLICATIVE = [
    (Dropout, {"init_p": 0.4}, (5, 7)), (Dropout, {"init_p": 0.4, "scale": False}, (5, 7)),
    (GaussianDropout, {"rate": 0.3}, (5, 7)), (SpatialDropout1D, {"init_p": 0.4}, (5, 6, 7)),
    (SpatialDropout2D, {"init_p": 0.4}, (3, 5, 2, 2)),
    (SpatialDropout3D, {"init_p": 0.4, "data_format": "NHWC"}, (3, 2, 2, 2, 5)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls, kwargs, shape", MULTIPLICATIVE)
def test_backward_replays_the_forward_noise(backend, dtype, cls, kwargs, shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    layer = build(cls, backend, dtype, **kwargs)
    twin = build(cls, backend, dtype, **kwargs)  # same seed: the same noise per step
    for _ in range(3):
        layer.forward(x)
        expected = twin.forward(g)  # keep ? g*T(s) : +0, or g*T(1+sd*z): the forward's formula on g
        assert same_bytes(layer.backward(x, g), expected)
        assert same_bytes(layer.backward(x, g), expected)  # backward never draws
    assert layer.step == 3


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_noise_backward_is_the_gradient(backend, dtype):
    g = np.random.default_rng(2).standard_normal((4, 4)).astype(dtype)
    layer = build(GaussianNoise, backend, dtype, stddev=2.0)
    layer.forward(np.zeros((4, 4), dtype))
    assert same_bytes(layer.backward(g, g), g)


def test_backward_uses_the_mode_of_the_last_forward(backend):
    x = np.ones((4, 16), np.float32)
    layer = Dropout(0.5, seed=3, backend=backend)
    y = layer.forward(x)
    layer.evaluate()  # switching mode does not change what the last forward was
    assert same_bytes(layer.backward(x, x), y)
    layer.forward(x)
    assert same_bytes(layer.backward(x, x), x)


def test_backward_uses_the_last_of_several_forwards(backend):
    x = np.ones(64, np.float32)
    layer, twin = Dropout(0.5, seed=4, backend=backend), Dropout(0.5, seed=4, backend=backend)
    for _ in range(4):
        layer.forward(x)
        expected = twin.forward(x)
    assert same_bytes(layer.backward(x, x), expected)


# every layer, and noise shapes on the layers that take one
ALL_LAYERS = [(case.cls, case.kwargs, case.shape) for case in CASES] + [
    (AlphaDropout, {"noise_shape": (1, None)}, (3, 4)), (Dropout, {"noise_shape": (None, 1)}, (3, 4)),
]


def test_every_registered_layer_has_a_case():
    assert IDS == list(_layers.layers())  # a new layer needs its entry in layer_cases.py


@pytest.mark.parametrize("cls, kwargs, shape", ALL_LAYERS)
def test_backward_before_forward(backend, cls, kwargs, shape):
    layer = build(cls, backend, **kwargs)
    x = np.ones(shape, np.float32)
    with pytest.raises(RuntimeError) as info:
        layer.backward(x, x)
    assert str(info.value) == f"{cls.__name__}: backward called before any forward"


@pytest.mark.parametrize("cls, kwargs, shape", ALL_LAYERS)
def test_gradient_shape_mismatch(backend, cls, kwargs, shape):
    layer = build(cls, backend, **kwargs)
    x = np.ones(shape, np.float32)
    layer.forward(x)
    bad = np.ones(shape[:-1] + (shape[-1] + 1,), np.float32)
    with pytest.raises(ValueError) as info:
        layer.backward(x, bad)
    want = "(" + ", ".join(map(str, bad.shape)) + ")"
    have = "(" + ", ".join(map(str, shape)) + ")"
    assert str(info.value) == (f"{cls.__name__}: gradient shape {want} differs from the input shape "
                               f"{have} of the last forward")


def test_gradient_shape_message_1d_and_0d(backend):
    layer = Dropout(0.5, seed=1, backend=backend)
    layer.forward(np.ones(5, np.float32))
    with pytest.raises(ValueError, match=r"^Dropout: gradient shape \(\) differs from the input shape \(5\) "
                                         r"of the last forward$"):
        layer.backward(np.ones(5, np.float32), np.float32(1.0))


# --------------------------------------------------------------------------
# ranks and noise shapes
# --------------------------------------------------------------------------

RANK_ERRORS = [
    (SpatialDropout1D, {}, (5,), "SpatialDropout1D: expected a 2-D or 3-D input, got shape (5)"),
    (SpatialDropout1D, {}, (), "SpatialDropout1D: expected a 2-D or 3-D input, got shape ()"),
    (SpatialDropout1D, {}, (1, 2, 3, 4), "SpatialDropout1D: expected a 2-D or 3-D input, got shape (1, 2, 3, 4)"),
    (SpatialDropout2D, {}, (2, 3), "SpatialDropout2D: expected a 3-D or 4-D input, got shape (2, 3)"),
    (SpatialDropout2D, {"data_format": "NHWC"}, (1, 2, 3, 4, 5),
     "SpatialDropout2D: expected a 3-D or 4-D input, got shape (1, 2, 3, 4, 5)"),
    (SpatialDropout3D, {}, (2, 3, 4), "SpatialDropout3D: expected a 4-D or 5-D input, got shape (2, 3, 4)"),
    (SpatialDropout3D, {"data_format": "NHWC"}, (1, 1, 1, 1, 1, 1),
     "SpatialDropout3D: expected a 4-D or 5-D input, got shape (1, 1, 1, 1, 1, 1)"),
    (SpatialDropout3D, {"data_format": "NHWC"}, (0,), "SpatialDropout3D: expected a 4-D or 5-D input, got shape (0)"),
]


@pytest.mark.parametrize("cls, kwargs, shape, message", RANK_ERRORS)
def test_wrong_rank(backend, cls, kwargs, shape, message):
    layer = build(cls, backend, **kwargs)
    with pytest.raises(ValueError) as info:
        layer.forward(np.ones(shape, np.float32))
    assert str(info.value) == message
    assert layer.step == 0
    layer.evaluate()
    with pytest.raises(ValueError):  # evaluate mode checks the rank as well
        layer.forward(np.ones(shape, np.float32))


# (layer, data_format, input shape, noise shape)
NOISE_SHAPES = [
    (SpatialDropout1D, None, (3, 5, 4), (3, 1, 4)),
    (SpatialDropout1D, None, (5, 4), (1, 4)),
    (SpatialDropout2D, "NCHW", (3, 4, 5, 2), (3, 4, 1, 1)),
    (SpatialDropout2D, "NHWC", (3, 5, 2, 4), (3, 1, 1, 4)),
    (SpatialDropout2D, "NCHW", (4, 5, 2), (4, 1, 1)),
    (SpatialDropout2D, "NHWC", (5, 2, 4), (1, 1, 4)),
    (SpatialDropout3D, "NCHW", (3, 4, 2, 3, 2), (3, 4, 1, 1, 1)),
    (SpatialDropout3D, "NHWC", (3, 2, 3, 2, 4), (3, 1, 1, 1, 4)),
    (SpatialDropout3D, "NCHW", (4, 2, 3, 2), (4, 1, 1, 1)),
    (SpatialDropout3D, "NHWC", (2, 3, 2, 4), (1, 1, 1, 4)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls, data_format, shape, noise", NOISE_SHAPES)
def test_noise_shape_sharing(backend, dtype, cls, data_format, shape, noise):
    kwargs = {} if data_format is None else {"data_format": data_format}
    x = np.random.default_rng(3).uniform(1, 2, shape).astype(dtype)  # no zeros
    layer = build(cls, backend, dtype, seed=77, init_p=0.5, **kwargs)
    layer.forward(x)
    y = layer.forward(x)  # step 1
    # the noise tensor is Dropout(scale=False)'s mask of the noise shape, broadcast
    cells = build(Dropout, backend, dtype, seed=77, init_p=0.5, scale=False)
    cells.forward(np.ones(noise, dtype))
    keep = cells.forward(np.ones(noise, dtype)) != 0
    assert 0 < keep.sum() < keep.size or keep.size < 4
    expected = np.where(np.broadcast_to(keep, shape), x, dtype(0))
    assert same_bytes(y, expected)


def test_elementwise_layers_accept_any_rank(backend):
    for shape in [(), (3,), (2, 3), (1, 2, 3, 1, 2, 1, 2)]:
        x = np.ones(shape, np.float32)
        for layer in (Dropout(0.5, seed=1, backend=backend), GaussianDropout(0.5, seed=1, backend=backend),
                      GaussianNoise(0.5, seed=1, backend=backend)):
            assert layer.forward(x).shape == shape
            assert layer.backward(x, x).shape == shape


# --------------------------------------------------------------------------
# empty and 0-d inputs
# --------------------------------------------------------------------------

@pytest.mark.parametrize("cls, kwargs, shape", [
    (Dropout, {}, (0,)), (Dropout, {}, (3, 0, 2)), (GaussianDropout, {"rate": 0.5}, (0, 4)),
    (GaussianNoise, {"stddev": 1.0}, (2, 0)), (SpatialDropout1D, {}, (0, 3)),
    (SpatialDropout2D, {}, (0, 3, 4, 4)), (SpatialDropout2D, {"data_format": "NHWC"}, (2, 0, 4, 3)),
    (SpatialDropout3D, {}, (3, 0, 2, 2)),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_inputs(backend, cls, kwargs, shape, dtype):
    layer = build(cls, backend, dtype, **kwargs)
    x = np.ones(shape, dtype)
    y = layer.forward(x)
    assert y.shape == shape and y.dtype == dtype
    assert layer.step == 1
    assert layer.backward(x, x).shape == shape
    layer.forward(x)
    assert layer.step == 2


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_d_inputs(backend, dtype):
    x = np.array(1.5, dtype)
    for cls, kwargs, reference in [
        (Dropout, {"init_p": 0.5}, lambda a: reference_dropout(a.reshape(1), 42, 0, 0.5)),
        (GaussianDropout, {"rate": 0.5}, lambda a: reference_gaussian_dropout(a.reshape(1), 42, 0, 0.5)),
        (GaussianNoise, {"stddev": 0.5}, lambda a: reference_gaussian_noise(a.reshape(1), 42, 0, 0.5)),
    ]:
        layer = build(cls, backend, dtype, **kwargs)
        y = layer.forward(x)
        assert y.shape == () and y.dtype == dtype
        assert y.reshape(1).tobytes() == reference(x).tobytes()
        assert layer.backward(x, x).shape == ()


# --------------------------------------------------------------------------
# statistics (sanity, not exactness)
# --------------------------------------------------------------------------

def test_dropout_keep_fraction_and_mean(backend):
    n, p = 1_000_000, 0.3
    x = np.ones(n, np.float32)
    y = Dropout(p, seed=5, backend=backend).forward(x)
    kept = (y != 0).mean()
    assert abs(kept - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)
    assert abs(y.astype(np.float64).mean() - 1.0) < 0.01


def test_spatial_keep_fraction(backend):
    y = SpatialDropout2D(0.25, seed=6, backend=backend).forward(np.ones((400, 500, 1, 1), np.float32))
    kept = (y != 0).mean()
    assert abs(kept - 0.75) < 5 * math.sqrt(0.25 * 0.75 / 200_000)


def test_normals_moments(backend):
    n = 400_000
    z = GaussianNoise(1.0, bigdl_type="double", seed=7, backend=backend).forward(np.zeros(n))
    assert abs(z.mean()) < 5 / math.sqrt(n)
    assert abs(z.std() - 1.0) < 0.01
    assert abs((z < -1.959963984540054).mean() - 0.025) < 0.002
    assert z.min() < -4 and z.max() > 4
    rate = 0.2
    f = GaussianDropout(rate, bigdl_type="double", seed=8, backend=backend).forward(np.ones(n))
    assert abs(f.mean() - 1.0) < 0.01
    assert abs(f.var() - rate / (1 - rate)) < 0.01


def test_steps_and_seeds_give_different_noise(backend):
    x = np.ones(256, np.float32)
    layer = Dropout(0.5, seed=1, backend=backend)
    masks = {layer.forward(x).tobytes() for _ in range(5)}
    masks.add(Dropout(0.5, seed=2, backend=backend).forward(x).tobytes())
    assert len(masks) == 6


def test_concurrent_forwards_use_distinct_steps(backend):
    from concurrent.futures import ThreadPoolExecutor

    x = np.ones(1000, np.float32)
    layer = Dropout(0.5, seed=10, backend=backend)
    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(lambda _: layer.forward(x).tobytes(), range(16)))
    assert layer.step == 16
    assert sorted(outputs) == sorted(reference_dropout(x, 10, s, 0.5).tobytes() for s in range(16))
