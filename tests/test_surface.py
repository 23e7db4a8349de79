"""BigDL's module surface and Keras' keywords on every layer (issue 12):
training(is_training), names, dtype, parameters/weights, __str__, rate=,
noise_shape as any iterable, every parameter readable, set_p, resampling,
and layer(x, training=...)."""
from __future__ import annotations

import numpy as np
import pytest
from layer_cases import CASE, MASK_LAYERS

from bigdl_reg.nn import (
    Dropout,
    FeatureAlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)


def _x(shape, dtype=np.float32):
    return (np.arange(int(np.prod(shape))) % 7 - 3).reshape(shape).astype(dtype)


def test_training_takes_bigdls_flag(backend):
    layer = Dropout(0.5, seed=1, backend=backend)
    assert layer.training(False) is layer and not layer.is_training()
    assert layer.training() is layer and layer.is_training()
    assert layer.training(is_training=False).evaluate().training(True).is_training()
    with pytest.raises(TypeError, match="is_training must be a bool"):
        layer.training(1)


def test_bigdls_module_surface(backend):
    layer = GaussianNoise(0.1, bigdl_type="double", seed=1, backend=backend)
    assert layer.name() == "GaussianNoise" and layer.get_dtype() == "float64"
    assert layer.set_name("noise1") is layer and layer.name() == "noise1"
    assert layer.parameters() == {} and layer.get_weights() is None and layer.zero_grad_parameters() is None
    assert Dropout(backend=backend).get_dtype() == "float32"
    with pytest.raises(TypeError):
        layer.set_name(3)


def test_str_is_bigdls_and_repr_stays():
    d = Dropout(0.25, seed=3, backend="numpy")
    assert str(d) == "Dropout(0.25)"
    assert str(d.set_name("drop")) == "Dropout[drop](0.25)"
    assert str(SpatialDropout2D(0.5, data_format="NHWC", backend="numpy")) == "SpatialDropout2D(0.5, NHWC)"
    assert str(GaussianDropout(0.1, backend="numpy")) == "GaussianDropout(0.1)"
    assert repr(d) == "Dropout(init_p=0.25, inplace=False, scale=True, bigdl_type='float', seed=3)"


@pytest.mark.parametrize("cls", MASK_LAYERS)
def test_rate_is_init_p(backend, cls):
    x = _x(CASE[cls].shape)
    a, b = cls(rate=0.3, seed=9, backend=backend), cls(0.3, seed=9, backend=backend)
    assert a.get_config() == b.get_config() and a.rate == a.p == a.init_p == 0.3
    assert a.forward(x).tobytes() == b.forward(x).tobytes()
    with pytest.raises(TypeError, match=f"^{cls.__name__}: give init_p or rate, not both$"):
        cls(0.3, rate=0.3, backend=backend)
    with pytest.raises(TypeError, match="give init_p or rate"):
        cls(init_p=0.5, rate=0.3, backend=backend)
    with pytest.raises(ValueError, match=f"^{cls.__name__}: rate must be in"):
        cls(rate=1.5, backend=backend)


@pytest.mark.parametrize("make", [lambda: (None, 1, 5), lambda: [None, 1, 5], lambda: np.array([4, 1, 5]),
                                  lambda: iter((None, 1, None))], ids=["tuple", "list", "ndarray", "iterator"])
def test_noise_shape_is_any_iterable(backend, make):
    layer = Dropout(0.5, seed=2, noise_shape=make(), backend=backend)
    assert isinstance(layer.noise_shape, tuple) and len(layer.noise_shape) == 3
    y = layer.forward(_x((4, 3, 5)) + 10)
    assert ((y != 0) == (y[:, :1, :] != 0)).all()  # one draw along axis 1
    for bad in ("NCH", {1: 2}, {None, 1}, np.ones((1, 3), int), 5):
        with pytest.raises(TypeError, match="noise_shape must be"):
            Dropout(noise_shape=bad, backend=backend)


def test_every_parameter_is_readable():
    d = Dropout(0.2, inplace=True, scale=False, noise_shape=[None, 1], backend="numpy")
    assert (d.init_p, d.p, d.rate, d.inplace, d.scale, d.noise_shape) == (0.2, 0.2, 0.2, True, False, (None, 1))
    assert Dropout(backend="numpy").noise_shape is None
    assert GaussianDropout(0.3, backend="numpy").rate == 0.3
    assert GaussianNoise(0.4, noise_shape=(1,), backend="numpy").stddev == 0.4
    s = SpatialDropout3D(0.1, data_format="channels_last", backend="numpy")
    assert (s.init_p, s.p, s.data_format) == (0.1, 0.1, "NHWC")
    assert FeatureAlphaDropout(0.2, backend="numpy").data_format == "NCHW"
    with pytest.raises(AttributeError, match="GaussianNoise has no parameter init_p"):
        _ = GaussianNoise(0.1, backend="numpy").init_p
    with pytest.raises(AttributeError, match="SpatialDropout1D has no parameter scale"):
        _ = SpatialDropout1D(backend="numpy").scale


@pytest.mark.parametrize("cls", MASK_LAYERS)
def test_set_p_on_every_mask_layer(backend, cls):
    x = _x(CASE[cls].shape)
    layer, fresh = cls(0.5, seed=4, backend=backend), cls(0.2, seed=4, backend=backend)
    layer.forward(x), fresh.forward(x)
    assert layer.set_p(0.2) is layer and layer.p == 0.2 and layer.step == 1
    assert layer.forward(x).tobytes() == fresh.forward(x).tobytes()


def test_resampling_off_reuses_the_last_noise(backend):
    x = _x((6, 5))
    layer = GaussianDropout(0.3, seed=8, backend=backend)
    first = layer.forward(x)
    assert layer.set_resampling(False) is layer and not layer.is_resampling()
    for _ in range(3):
        assert layer.forward(x).tobytes() == first.tobytes()
    assert layer.step == 1
    # another noise shape (here a slice at an offset: its noise is 4 rows) draws fresh noise at the step, and advances
    other = layer.forward(x[2:], batch_offset=2)
    reference = GaussianDropout(0.3, seed=8, backend="numpy")
    reference.forward(x)
    assert other.tobytes() == reference.forward(x[2:], batch_offset=2).tobytes() and layer.step == 2
    assert layer.forward(x[2:], batch_offset=2).tobytes() == other.tobytes() and layer.step == 2  # reused again
    layer.set_resampling(True)
    assert layer.forward(x).tobytes() == reference.forward(x).tobytes() and layer.step == 3
    assert layer.noise().tobytes() == reference.noise().tobytes()


def test_resampling_off_before_any_training_forward_draws(backend):
    x = _x((3, 4))
    layer = Dropout(0.5, seed=6, backend=backend).set_resampling(False)
    y = layer.forward(x)
    assert layer.step == 1 and y.tobytes() == Dropout(0.5, seed=6, backend="numpy").forward(x).tobytes()
    assert layer.backward(x, x).tobytes() == layer.forward(x).tobytes()  # same mask again


def test_call_with_a_mode_for_one_call(backend):
    x = _x((4, 6))
    layer = Dropout(0.5, seed=5, backend=backend).evaluate()
    reference = Dropout(0.5, seed=5, backend="numpy")
    assert layer(x).tobytes() == x.tobytes() and layer.step == 0
    mc = layer(x, training=True)  # Monte Carlo dropout on an evaluating layer
    assert mc.tobytes() == reference.forward(x).tobytes()
    assert layer.step == 1 and not layer.is_training()
    assert layer.backward(x, x).tobytes() == reference.backward(x, x).tobytes()
    layer.training()
    assert layer(x, training=False).tobytes() == x.tobytes() and layer.step == 1 and layer.is_training()
    assert layer(x).tobytes() == reference.forward(x).tobytes()
    with pytest.raises(TypeError, match="training must be a bool"):
        layer(x, training=1)
