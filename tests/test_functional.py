"""bigdl_reg.functional: each function gives its layer's bytes (forward and
gradient, every layer, both backends, at steps, offsets and modes)."""
from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from layer_cases import IDS, WITH_OPTIONS

from bigdl_reg import functional as F
from bigdl_reg.nn import FeatureAlphaDropout


def _function_of(cls):
    """The function of a layer class: its name in snake case (SpatialDropout1D -> spatial_dropout1d)."""
    return getattr(F, re.sub(r"(?<=[a-z])(?=[A-Z])", "_", cls.__name__).lower())


# (layer class, its function, layer kwargs, function kwargs, input shape): every layer with its
# options in use, and FeatureAlphaDropout in its default format too
CASES = [(cls, _function_of(cls), kwargs, {("p" if k == "init_p" else k): v for k, v in kwargs.items()}, shape)
         for cls, kwargs, shape in WITH_OPTIONS + [(FeatureAlphaDropout, {"init_p": 0.25}, (4, 3, 2, 5))]]
CASE_IDS = IDS + ["FeatureAlphaDropout-NCHW"]


def _x(shape, dtype, salt=0):
    n = int(np.prod(shape))
    return (((np.arange(n) * 7919 + salt * 104729) % 2001 - 1000) / 37).reshape(shape).astype(dtype)


def _backward_of(function):
    return getattr(F, function.__name__ + "_backward")


@pytest.mark.parametrize("cls, function, layer_kwargs, kwargs, shape", CASES, ids=CASE_IDS)
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
