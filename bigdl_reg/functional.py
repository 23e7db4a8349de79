"""The layers as pure functions, ``torch.nn.functional`` style.

Each function is one forward of its layer, given everything the layer would
hold: ``dropout(x, p, *, seed, step=0, training=True, ..., batch_offset=0)``
returns the bytes of the forward that a ``Dropout(p, seed=seed)`` at step
``step``, in that mode, would give for ``x`` at that batch offset; nothing
is remembered between calls. ``<name>_backward(grad_output, <same arguments>)``
is the gradient of that forward (what the layer's ``backward`` gives after
it). The keywords are the layer's, with ``p`` for the drop probability
(``init_p``); ``bigdl_type`` ("float" / "double") and the input conversion
are the layer's too.

The layers are built on the same path: a layer's forward calls its backend
configuration's ``forward`` with its own (seed, step, mode); these functions
call the same configuration's (made once per layer, parameters, dtype and
backend). So a layer and its function give the same bytes, on both backends.

Examples::

    >>> import numpy as np
    >>> from bigdl_reg import functional as F
    >>> from bigdl_reg.nn import Dropout
    >>> x = np.arange(1, 9, dtype=np.float32)
    >>> F.dropout(x, 0.5, seed=42, step=0, backend="numpy")
    array([ 2.,  0.,  6.,  8.,  0.,  0., 14., 16.], dtype=float32)
    >>> layer = Dropout(0.5, seed=42, backend="numpy")
    >>> bool((layer.forward(x) == F.dropout(x, 0.5, seed=42, backend="numpy")).all())
    True
    >>> F.dropout_backward(np.ones(8, np.float32), 0.5, seed=42, backend="numpy")
    array([2., 0., 2., 2., 0., 0., 2., 2.], dtype=float32)
    >>> F.dropout(x, 0.5, seed=42, training=False, backend="numpy")
    array([1., 2., 3., 4., 5., 6., 7., 8.], dtype=float32)
"""
from __future__ import annotations

import inspect
import threading
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from . import _validation as v
from . import nn
from ._state import STEP_LIMIT
from .backends import get_default_backend

__all__ = [
    "dropout", "dropout_backward",
    "gaussian_dropout", "gaussian_dropout_backward",
    "gaussian_noise", "gaussian_noise_backward",
    "spatial_dropout1d", "spatial_dropout1d_backward",
    "spatial_dropout2d", "spatial_dropout2d_backward",
    "spatial_dropout3d", "spatial_dropout3d_backward",
    "alpha_dropout", "alpha_dropout_backward",
    "feature_alpha_dropout", "feature_alpha_dropout_backward",
]

_CACHE_SIZE = 32  # layer templates kept (each holds one backend configuration)
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _template(cls: type, params: dict, bigdl_type, backend) -> nn.Layer:
    """A layer of ``cls`` with ``params`` on ``backend``, used only for its
    checks, its input conversion and its backend configuration (never its state)."""
    key = (cls.__name__, tuple(params.items()), bigdl_type, get_default_backend() if backend is None else backend)
    with _lock:
        layer = _cache.get(key)
        if layer is not None:
            _cache.move_to_end(key)
            return layer
    layer = cls(**params, bigdl_type=bigdl_type, seed=0, backend=backend)
    with _lock:
        _cache[key] = layer
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)[1].close()
    return layer


def _function(cls: type, name: str, derivative: bool) -> Callable[..., np.ndarray]:
    spec = cls._spec  # type: ignore[attr-defined]
    keyword_only = inspect.Parameter.KEYWORD_ONLY
    value = next(p for p in spec.params if p.keyword in ("init_p", "rate", "stddev"))
    value_name = "p" if value.keyword == "init_p" else value.keyword
    operand = "grad_output" if derivative else "x"
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [
        inspect.Parameter(operand, positional),
        inspect.Parameter(value_name, positional, default=value.default),
        inspect.Parameter("seed", keyword_only),
        inspect.Parameter("step", keyword_only, default=0),
        inspect.Parameter("training", keyword_only, default=True),
        *(inspect.Parameter(p.keyword, keyword_only, default=p.default) for p in spec.params if p is not value),
        inspect.Parameter("batch_offset", keyword_only, default=0),
        inspect.Parameter("bigdl_type", keyword_only, default="float"),
        inspect.Parameter("backend", keyword_only, default=None),
    ]
    signature = inspect.Signature(parameters)
    layer = spec.name

    def function(*args: Any, **kwargs: Any) -> np.ndarray:
        given = signature.bind(*args, **kwargs)
        given.apply_defaults()
        a = given.arguments
        params = {p.keyword: a[value_name] if p is value else a[p.keyword] for p in spec.params}
        params[value.keyword] = value.check(layer, params[value.keyword], value_name)
        params = {k: x for k, x in params.items() if x is not None}  # None: no noise_shape
        seed = v.check_seed(layer, a["seed"])
        step = a["step"]
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= STEP_LIMIT:
            raise (TypeError if not isinstance(step, int) or isinstance(step, bool) else ValueError)(
                f"{layer}: step must be an int in [0, {STEP_LIMIT}], got {step!r}")
        training = v.check_bool(layer, "training", a["training"])
        template = _template(cls, params, a["bigdl_type"], a["backend"])
        config = template._config(template._params)
        run = config.backward if derivative else config.forward

        def compute(array, out):
            offset = v.check_batch_offset(layer, a["batch_offset"], array.shape)
            return run(array, out, seed, step, training, offset)
        return template._run(a[operand], compute, "grad_output" if derivative else "input")

    function.__name__ = function.__qualname__ = name
    function.__signature__ = signature  # type: ignore[attr-defined]
    what = ("The gradient of :func:`{0}` with these arguments, for ``grad_output``: what "
            ":meth:`~bigdl_reg.nn.Layer.backward` gives after that forward." if derivative else
            "One forward of :class:`~bigdl_reg.nn.{1}`, stateless: the layer's bytes for ``x`` at "
            "(``seed``, ``step``) and ``batch_offset``, in training mode or not.")
    function.__doc__ = (what.format(name.removesuffix("_backward"), layer) + f"\n\n``{value_name}`` is the layer's "
                        f"``{value.keyword}``; the other keywords are :class:`~bigdl_reg.nn.{layer}`'s.")
    return function


def _pair(cls: type, name: str) -> tuple:
    return _function(cls, name, False), _function(cls, name + "_backward", True)


dropout, dropout_backward = _pair(nn.Dropout, "dropout")
gaussian_dropout, gaussian_dropout_backward = _pair(nn.GaussianDropout, "gaussian_dropout")
gaussian_noise, gaussian_noise_backward = _pair(nn.GaussianNoise, "gaussian_noise")
spatial_dropout1d, spatial_dropout1d_backward = _pair(nn.SpatialDropout1D, "spatial_dropout1d")
spatial_dropout2d, spatial_dropout2d_backward = _pair(nn.SpatialDropout2D, "spatial_dropout2d")
spatial_dropout3d, spatial_dropout3d_backward = _pair(nn.SpatialDropout3D, "spatial_dropout3d")
alpha_dropout, alpha_dropout_backward = _pair(nn.AlphaDropout, "alpha_dropout")
feature_alpha_dropout, feature_alpha_dropout_backward = _pair(nn.FeatureAlphaDropout, "feature_alpha_dropout")
