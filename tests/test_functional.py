"""bigdl_reg.functional: each function gives its layer's bytes (forward and
gradient, every layer, both backends, at steps, offsets and modes)."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from bigdl_reg import functional as F
from bigdl_reg.nn import (
    AlphaDropout,
    Dropout,
    FeatureAlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

# (layer class, its function, layer kwargs, function kwargs, input shape)
CASES = [
    (Dropout, F.dropout, dict(init_p=0.3, scale=False, noise_shape=(None, 1, None)),
     dict(p=0.3, scale=False, noise_shape=(None, 1, None)), (4, 3, 5)),
    (GaussianDropout, F.gaussian_dropout, dict(rate=0.2), dict(rate=0.2), (4, 3, 5)),
    (GaussianNoise, F.gaussian_noise, dict(stddev=0.5, bigdl_type="double"),
     dict(stddev=0.5, bigdl_type="double"), (4, 3, 5)),
    (SpatialDropout1D, F.spatial_dropout1d, dict(init_p=0.4), dict(p=0.4), (4, 3, 5)),
    (SpatialDropout2D, F.spatial_dropout2d, dict(init_p=0.4, data_format="NHWC"),
     dict(p=0.4, data_format="NHWC"), (4, 3, 2, 5)),
    (SpatialDropout3D, F.spatial_dropout3d, dict(init_p=0.4), dict(p=0.4), (4, 3, 2, 2, 2)),
    (AlphaDropout, F.alpha_dropout, dict(init_p=0.25), dict(p=0.25), (4, 3, 5)),
    (FeatureAlphaDropout, F.feature_alpha_dropout, dict(init_p=0.25), dict(p=0.25), (4, 3, 2, 5)),
]
IDS = [c[0].__name__ for c in CASES]


def _x(shape, dtype, salt=0):
    n = int(np.prod(shape))
    return (((np.arange(n) * 7919 + salt * 104729) % 2001 - 1000) / 37).reshape(shape).astype(dtype)


def _backward_of(function):
    return getattr(F, function.__name__ + "_backward")


@pytest.mark.parametrize("cls, function, layer_kwargs, kwargs, shape", CASES, ids=IDS)
def test_functions_give_the_layers_bytes(backend, cls, function, layer_kwargs, kwargs, shape):
    seed = 2**64 - 11
    layer = cls(**layer_kwargs, seed=seed, backend=backend)
    x, g = _x(shape, layer.dtype), _x(shape, layer.dtype, salt=1)
    backward = _backward_of(function)
    for step in range(3):
        y = layer.forward(x)
        assert function(x, **kwargs, seed=seed, step=step, backend=backend).tobytes() == y.tobytes()
        assert backward(g, **kwargs, seed=seed, step=step, backend=backend).tobytes() == layer.backward(x, g).tobytes()
    # a slice at its batch offset, and the evaluate formula
    piece = layer.forward(x[1:], batch_offset=1)
    assert function(x[1:], **kwargs, seed=seed, step=3, batch_offset=1, backend=backend).tobytes() == piece.tobytes()
    assert (backward(g[1:], **kwargs, seed=seed, step=3, batch_offset=1, backend=backend).tobytes()
            == layer.backward(x[1:], g[1:]).tobytes())
    layer.evaluate()
    assert (function(x, **kwargs, seed=seed, step=9, training=False, backend=backend).tobytes()
            == layer.forward(x).tobytes())
    assert (backward(g, **kwargs, seed=seed, step=9, training=False, backend=backend).tobytes()
            == layer.backward(x, g).tobytes())


def test_functions_are_pure():
    x = _x((5, 6), np.float32)
    a = F.dropout(x, 0.5, seed=3, step=7, backend="numpy")
    assert F.dropout(x, 0.5, seed=3, step=7, backend="numpy").tobytes() == a.tobytes()
    assert F.dropout(x, 0.5, seed=3, step=8, backend="numpy").tobytes() != a.tobytes()


def test_signatures_use_p_and_keyword_only_state():
    sig = inspect.signature(F.dropout)
    assert list(sig.parameters)[:2] == ["x", "p"] and sig.parameters["seed"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["seed"].default is inspect.Parameter.empty
    assert list(inspect.signature(F.gaussian_noise_backward).parameters)[:2] == ["grad_output", "stddev"]
    assert sorted(F.__all__) == sorted(n for n in dir(F) if not n.startswith("_") and callable(getattr(F, n))
                                       and getattr(F, n).__module__ == F.__name__)


def test_arguments_are_checked():
    x = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="^Dropout: p must be in"):
        F.dropout(x, 1.5, seed=1)
    with pytest.raises(TypeError):
        F.dropout(x, 0.5)  # seed is required
    with pytest.raises(ValueError, match="step must be"):
        F.dropout(x, 0.5, seed=1, step=-1, backend="numpy")
    with pytest.raises(TypeError, match="training must be a bool"):
        F.dropout(x, 0.5, seed=1, training=None, backend="numpy")
    with pytest.raises(ValueError, match="expected a 3-D or 4-D input"):
        F.spatial_dropout2d(x, 0.5, seed=1, backend="numpy")
