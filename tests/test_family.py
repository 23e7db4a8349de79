"""AlphaDropout, FeatureAlphaDropout, Keras noise_shape and noise access
(docs/contract.md, "Extensions: AlphaDropout and FeatureAlphaDropout"): validation with the same type and text on both
backends, the statistics AlphaDropout exists for, the Spatial layers as
Dropout with a fixed noise shape, and ``noise()``. Bit parity across
languages is in tests/vectors (test_vectors.py); parity here is ``tobytes()``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from layer_cases import CASE, CASES, MASK_LAYERS

from bigdl_reg.nn import (AlphaDropout, Dropout, FeatureAlphaDropout, GaussianDropout, GaussianNoise,
                          SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)

ALPHA_PRIME = -1.7580993408473766
SELU_LAMBDA = 1.0507009873554804934
SELU_ALPHA = 1.6732632423543772848


def coefficients(p):
    a = 1.0 / math.sqrt((1.0 - p) * (1.0 + p * ALPHA_PRIME * ALPHA_PRIME))
    b = -a * ALPHA_PRIME * p
    return a, b, a * ALPHA_PRIME + b


# --------------------------------------------------------------------------
# constructor errors: same type and text whichever backend runs the layer
# --------------------------------------------------------------------------

CONSTRUCTOR_ERRORS = [
    (AlphaDropout, {"init_p": 1.0}, ValueError, "AlphaDropout: init_p must be in [0, 1), got 1.0"),
    (AlphaDropout, {"init_p": -0.25}, ValueError, "AlphaDropout: init_p must be in [0, 1), got -0.25"),
    (AlphaDropout, {"init_p": math.nan}, ValueError, "AlphaDropout: init_p must be in [0, 1), got NaN"),
    (AlphaDropout, {"init_p": "0.5"}, TypeError, "AlphaDropout: init_p must be a real number, got str"),
    (FeatureAlphaDropout, {"init_p": 1}, ValueError, "FeatureAlphaDropout: init_p must be in [0, 1), got 1.0"),
    (FeatureAlphaDropout, {"data_format": "NCDHW"}, ValueError,
     'FeatureAlphaDropout: data_format must be "NCHW" or "NHWC", got "NCDHW"'),
    (Dropout, {"noise_shape": (None, -1)}, ValueError,
     "Dropout: noise_shape[1] must be None or an integer >= 0, got -1"),
    (GaussianDropout, {"rate": 0.2, "noise_shape": [2, 1.0]}, TypeError,
     "GaussianDropout: noise_shape[1] must be an int or None, got float"),
    (GaussianNoise, {"stddev": 0.2, "noise_shape": (True,)}, TypeError,
     "GaussianNoise: noise_shape[0] must be an int or None, got bool"),
    (AlphaDropout, {"noise_shape": 3}, TypeError, "AlphaDropout: noise_shape must be a tuple of ints and None, got int"),
    (AlphaDropout, {"noise_shape": "N1"}, TypeError,
     "AlphaDropout: noise_shape must be a tuple of ints and None, got str"),
    (AlphaDropout, {"noise_shape": (np.int64(-3),)}, ValueError,
     "AlphaDropout: noise_shape[0] must be None or an integer >= 0, got -3"),
]


@pytest.mark.parametrize("cls, kwargs, error, message", CONSTRUCTOR_ERRORS)
def test_constructor_errors(backend, cls, kwargs, error, message):
    with pytest.raises(error) as info:
        cls(seed=1, backend=backend, **kwargs)
    assert str(info.value) == message


# --------------------------------------------------------------------------
# noise_shape at forward: the same errors from the engine and from numpy
# --------------------------------------------------------------------------

FORWARD_ERRORS = [
    (Dropout, {}, (None, 3), (2, 5),
     "Dropout: noise_shape[1] is 3 but the input shape (2, 5) has size 5 on axis 1 (allowed: 1, 5 or None)"),
    (Dropout, {"scale": False}, (None, 1), (2, 3, 4),
     "Dropout: noise_shape (None, 1) has rank 2 but the input shape (2, 3, 4) has rank 3"),
    (GaussianDropout, {"rate": 0.3}, (2,), (3,),
     "GaussianDropout: noise_shape[0] is 2 but the input shape (3) has size 3 on axis 0 (allowed: 1, 3 or None)"),
    (GaussianNoise, {"stddev": 1.0}, (), (2,),
     "GaussianNoise: noise_shape () has rank 0 but the input shape (2) has rank 1"),
    (AlphaDropout, {}, (1, 0), (4, 2),
     "AlphaDropout: noise_shape[1] is 0 but the input shape (4, 2) has size 2 on axis 1 (allowed: 1, 2 or None)"),
    (FeatureAlphaDropout, {}, None, (2, 3),
     "FeatureAlphaDropout: expected a 3-D or 4-D or 5-D input, got shape (2, 3)"),
    (FeatureAlphaDropout, {"data_format": "NHWC"}, None, (1, 2, 3, 4, 5, 6),
     "FeatureAlphaDropout: expected a 3-D or 4-D or 5-D input, got shape (1, 2, 3, 4, 5, 6)"),
]


@pytest.mark.parametrize("cls, kwargs, noise_shape, shape, message", FORWARD_ERRORS)
def test_forward_errors(backend, cls, kwargs, noise_shape, shape, message):
    if noise_shape is not None:
        kwargs = {**kwargs, "noise_shape": noise_shape}
    layer = cls(seed=3, backend=backend, **kwargs)
    x = np.ones(shape, np.float32)
    for mode in ("training", "evaluate"):  # evaluate mode checks the shape as well
        getattr(layer, mode)()
        with pytest.raises(ValueError) as info:
            layer.forward(x)
        assert str(info.value) == message
    assert layer.step == 0
    assert (x == 1).all()


def test_noise_shape_entry_equal_to_the_input_size_is_fine(backend):
    layer = Dropout(0.5, seed=2, backend=backend, noise_shape=(2, 1, None))
    assert layer.forward(np.ones((2, 3, 4), np.float32)).shape == (2, 3, 4)
    assert layer.noise().shape == (2, 1, 4)


# --------------------------------------------------------------------------
# the Spatial layers are Dropout(scale=False) with a fixed noise shape
# --------------------------------------------------------------------------

SPATIAL = [
    (SpatialDropout1D, {}, (3, 7, 5), (None, 1, None)),
    (SpatialDropout1D, {}, (7, 5), (1, None)),
    (SpatialDropout2D, {"data_format": "NCHW"}, (2, 3, 4, 5), (None, None, 1, 1)),
    (SpatialDropout2D, {"data_format": "NHWC"}, (3, 4, 5), (1, 1, None)),
    (SpatialDropout3D, {"data_format": "NCHW"}, (2, 3, 2, 3, 4), (None, None, 1, 1, 1)),
    (SpatialDropout3D, {"data_format": "NHWC"}, (3, 2, 3, 4), (1, 1, 1, None)),
]


@pytest.mark.parametrize("cls, kwargs, shape, noise_shape", SPATIAL)
def test_spatial_is_dropout_with_a_fixed_noise_shape(backend, cls, kwargs, shape, noise_shape):
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    spatial = cls(0.3, seed=5, backend=backend, **kwargs)
    dropout = Dropout(0.3, scale=False, seed=5, backend=backend, noise_shape=noise_shape)
    for mode in ("training", "evaluate", "training"):
        getattr(spatial, mode)(), getattr(dropout, mode)()
        assert spatial.forward(x).tobytes() == dropout.forward(x).tobytes()
        assert spatial.backward(x, x).tobytes() == dropout.backward(x, x).tobytes()
    assert spatial.noise().tobytes() == dropout.noise().tobytes()


@pytest.mark.parametrize("data_format, shape, noise_shape", [
    ("NCHW", (2, 3, 4, 5), (None, None, 1, 1)), ("NHWC", (2, 3, 4, 5), (None, 1, 1, None)),
    ("NCHW", (3, 4, 5), (None, 1, 1)), ("NHWC", (3, 4, 5), (1, 1, None)),
    ("NCHW", (2, 3, 2, 3, 4), (None, None, 1, 1, 1)), ("NHWC", (2, 3, 2, 3, 4), (None, 1, 1, 1, None)),
])
def test_feature_alpha_is_alpha_with_channel_noise(backend, data_format, shape, noise_shape):
    x = np.random.default_rng(5).standard_normal(shape)
    feature = FeatureAlphaDropout(0.4, data_format, bigdl_type="double", seed=12, backend=backend)
    alpha = AlphaDropout(0.4, bigdl_type="double", seed=12, backend=backend, noise_shape=noise_shape)
    assert feature.forward(x).tobytes() == alpha.forward(x).tobytes()
    assert feature.backward(x, x).tobytes() == alpha.backward(x, x).tobytes()
    assert feature.noise().shape == tuple(shape[i] if d is None else 1 for i, d in enumerate(noise_shape))


# --------------------------------------------------------------------------
# AlphaDropout: formula, mask, statistics
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, bigdl_type", [(np.float32, "float"), (np.float64, "double")])
def test_alpha_formula_and_dropouts_mask(backend, dtype, bigdl_type):
    x = np.random.default_rng(8).standard_normal((5, 301)).astype(dtype)
    for p in (0.1, 0.5, 0.9):
        keep = Dropout(p, bigdl_type=bigdl_type, seed=8, backend=backend).forward(np.ones_like(x)) != 0
        layer = AlphaDropout(p, bigdl_type=bigdl_type, seed=8, backend=backend)
        y = layer.forward(x)
        a, b, c = (dtype(v) for v in coefficients(p))
        expected = np.where(keep, x * a + b, c)
        assert y.tobytes() == expected.tobytes()
        assert (layer.noise() == keep).all()
        grad = layer.backward(x, np.ones_like(x))
        assert grad.tobytes() == np.where(keep, a, dtype(0)).tobytes()


def test_alpha_p0_and_evaluate_are_the_identity(backend):
    x = np.array([-0.0, np.nan, np.inf, -3.5, 0.0, 1e-45], np.float32)
    assert AlphaDropout(0.0, seed=1, backend=backend).forward(x).tobytes() == x.tobytes()
    assert AlphaDropout(0.7, seed=1, backend=backend).evaluate().forward(x).tobytes() == x.tobytes()


def selu_input(n, seed):
    z = np.random.default_rng(seed).standard_normal(n)
    return np.where(z > 0, SELU_LAMBDA * z, SELU_LAMBDA * SELU_ALPHA * np.expm1(np.minimum(z, 0)))


@pytest.mark.parametrize("p", [0.05, 0.2, 0.5, 0.8])
def test_alpha_keeps_selu_mean_and_variance(backend, p):
    """Bounds: 6 standard errors of the sample mean (1/sqrt(n)) and of the
    sample variance (sqrt((m4 - s^4) / n), m4 the sample's 4th central moment)."""
    n = 1_000_000
    x = selu_input(n, 2024)
    y = AlphaDropout(p, bigdl_type="double", seed=31, backend=backend).forward(x)
    mean = y.mean()
    variance = y.var(ddof=1)
    m4 = ((y - mean) ** 4).mean()
    assert abs(mean) < 6 / math.sqrt(n)
    assert abs(variance - 1.0) < 6 * math.sqrt((m4 - variance ** 2) / n)
    dropped = np.count_nonzero(y == coefficients(p)[2])
    assert abs(dropped - n * p) < 6 * math.sqrt(n * p * (1 - p))


# --------------------------------------------------------------------------
# noise()
# --------------------------------------------------------------------------

# a mask layer's noise is its keep mask, the Gaussian layers' their dtype's factors or addends
NOISE_KINDS = [(case.cls, case.kwargs, case.shape, bool if case.cls in MASK_LAYERS else np.float32)
               for case in CASES]


@pytest.mark.parametrize("cls, kwargs, shape, kind", NOISE_KINDS)
def test_noise_before_training_forward(backend, cls, kwargs, shape, kind):
    layer = cls(seed=1, backend=backend, **kwargs)
    for _ in range(2):
        with pytest.raises(RuntimeError) as info:
            layer.noise()
        assert str(info.value) == f"{cls.__name__}: noise() called before any training forward"
        layer.evaluate().forward(np.ones(shape, np.float32))  # evaluate draws no noise
    layer.training().forward(np.ones(shape, np.float32))
    noise = layer.noise()
    assert noise.dtype == kind


def test_noise_explains_the_forward(backend):
    x = np.random.default_rng(9).uniform(1, 2, (3, 4, 5))
    kw = {"bigdl_type": "double", "seed": 6, "backend": backend, "noise_shape": (None, 1, None)}
    d = Dropout(0.4, **kw)
    keep = d.forward(x) != 0
    assert d.noise().shape == (3, 1, 5) and (np.broadcast_to(d.noise(), x.shape) == keep).all()
    g = GaussianDropout(0.3, **kw)
    assert g.forward(x).tobytes() == (x * g.noise()).tobytes()
    n = GaussianNoise(0.3, **kw)
    assert n.forward(x).tobytes() == (x + n.noise()).tobytes()


def test_noise_is_the_most_recent_training_forwards(backend):
    layer = AlphaDropout(0.5, seed=2, backend=backend)
    x = np.ones(64, np.float32)
    layer.forward(x)
    first = layer.noise()
    layer.forward(x)
    second = layer.noise()
    assert not (first == second).all()
    layer.evaluate().forward(np.ones(7, np.float32))
    layer.set_seed(99)
    assert (layer.noise() == second).all() and layer.noise().shape == (64,)
    assert layer.step == 0  # noise() never advances the step


def test_noise_edge_parameters(backend):
    ones = np.ones(5, np.float32)

    def noise(layer):
        layer.forward(ones)
        return layer.noise()

    assert noise(Dropout(0.0, seed=1, backend=backend)).all()
    assert not noise(Dropout(1.0, seed=1, backend=backend)).any()
    assert noise(AlphaDropout(0.0, seed=1, backend=backend)).all()
    assert noise(GaussianDropout(0.0, seed=1, backend=backend)).tobytes() == ones.tobytes()
    assert noise(GaussianNoise(0.0, seed=1, backend=backend)).tobytes() == np.zeros(5, np.float32).tobytes()
    scalar = Dropout(0.5, seed=3, backend=backend)
    scalar.forward(np.float32(2.0))
    assert scalar.noise().shape == ()


# --------------------------------------------------------------------------
# config and repr
# --------------------------------------------------------------------------

def test_repr_and_config_with_noise_shape():
    d = Dropout(0.5, seed=4, backend="numpy", noise_shape=[None, 1])
    assert repr(d) == ("Dropout(init_p=0.5, inplace=False, scale=True, noise_shape=(None, 1), "
                       "bigdl_type='float', seed=4)")
    assert repr(AlphaDropout(0.1, seed=1, backend="numpy")) == "AlphaDropout(init_p=0.1, bigdl_type='float', seed=1)"
    assert repr(FeatureAlphaDropout(0.2, "channels_last", seed=5, backend="numpy")) == \
        "FeatureAlphaDropout(init_p=0.2, data_format='NHWC', bigdl_type='float', seed=5)"
    for layer in (d, GaussianNoise(0.3, seed=2, backend="numpy", noise_shape=(1, None)),
                  AlphaDropout(0.2, seed=3, backend="numpy", noise_shape=(None, 1))):
        clone = type(layer)(**layer.get_config(), backend="numpy")
        x = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
        assert clone.get_config() == layer.get_config()
        assert clone.forward(x).tobytes() == layer.forward(x).tobytes()


def test_set_p_keeps_the_noise_shape(backend):
    layer = Dropout(0.5, seed=3, backend=backend, noise_shape=(None, 1))
    twin = Dropout(0.2, seed=3, backend="numpy", noise_shape=(None, 1))
    x = np.ones((4, 6), np.float32)
    layer.forward(x), twin.forward(x)
    layer.set_p(0.2)
    assert layer.forward(x).tobytes() == twin.forward(x).tobytes()
    assert layer.noise().shape == (4, 1)


@pytest.mark.parametrize("cls", MASK_LAYERS)
def test_set_p_on_every_drop_probability_layer(cls):
    # the Spatial layers are Dropouts and FeatureAlphaDropout an AlphaDropout, as in Scala
    # (numpy only until the jvm transport has setP for all of them)
    layer = cls(0.5, seed=3, backend="numpy")
    twin = cls(0.2, seed=3, backend="numpy")
    x = np.ones(CASE[cls].shape, np.float32)
    layer.forward(x), twin.forward(x)
    assert layer.set_p(0.2) is layer and layer.p == 0.2 and layer.step == 1
    assert layer.forward(x).tobytes() == twin.forward(x).tobytes()
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: init_p must be in \["):
        layer.set_p(1.5)
