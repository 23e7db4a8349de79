"""What a layer is on the Python side: its entry, and the registry of entries.

Each layer class of :mod:`bigdl_reg.nn` carries one :class:`LayerSpec`: its
parameters (Python keyword, Scala name, default, check, allowed values), what
``noise()`` returns, which noise-shape rule it follows, and its training and
evaluate ops (the numpy backend's :mod:`~bigdl_reg.backends.numpy.ops`,
mirroring Scala's ``NoiseOp``). Defining the class registers the entry under
the class's name in :data:`LAYERS`; from there the facade builds the class's
constructor, ``get_config`` and ``repr``, the numpy backend computes, and
``docs/layer_tables.py`` writes the docs' parameter tables (docs/contract.md,
"The layers" and "Validation").
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Optional, Tuple

from . import _validation as v
from .backends.numpy import ops

#: the default of a parameter that has none (``GaussianDropout(rate)``)
REQUIRED: Any = inspect.Parameter.empty

Params = Dict[str, Any]


@dataclass(frozen=True)
class Param:
    """One constructor parameter of a layer."""

    keyword: str  # the Python keyword, also the name in every message
    scala: str  # the Scala constructor's name (for the docs)
    default: Any
    check: Callable[..., Any]  # (layer, value[, name]) -> the validated value; TypeError / ValueError
    allowed: str  # the allowed values, as the docs write them
    meaning: str  # what it is, as the docs write it


@dataclass(frozen=True)
class NoiseKind:
    """What ``noise()`` returns, and how it is read off the forward's op: the
    image of ``probe`` under the derivative (keep masks: ``keep ? 1 * T(s) : +0``
    with s > 0) or under the training op (factors ``1 * T(1 + sd*z)``, addends
    ``+0 + T(stddev*z)``)."""

    name: str  # "keep", "factor" or "addend"
    probe: float
    through_derivative: bool


KEEP = NoiseKind("keep", 1.0, True)
FACTOR = NoiseKind("factor", 1.0, False)
ADDEND = NoiseKind("addend", 0.0, False)


def identity(params: Params) -> ops.NoiseOp:
    """The evaluate op of every layer but the unscaled Dropouts."""
    return ops.Identity


@dataclass(frozen=True)
class LayerSpec:
    """One layer. ``channels``: the spatial ranks of a channel layer (one draw
    per sample and channel, :func:`~bigdl_reg.backends.numpy.noise_shape.channel_noise_shape`);
    None: the layer takes Keras' ``noise_shape`` instead. ``name``: its
    class's, set by :func:`register`."""

    params: Tuple[Param, ...]
    noise: NoiseKind
    channels: Optional[Tuple[int, ...]]
    training: Callable[[Params], ops.NoiseOp]
    evaluate: Callable[[Params], ops.NoiseOp] = identity
    name: str = ""

    def param(self, keyword: str) -> Param:
        return next(p for p in self.params if p.keyword == keyword)


def _flag(keyword: str) -> Callable[[str, Any], bool]:
    return lambda layer, value: v.check_bool(layer, keyword, value)


INIT_P = Param("init_p", "initP", 0.5, v.check_init_p, "[0, 1]", "drop probability")
ALPHA_P = Param("init_p", "initP", 0.5, v.check_alpha_p, "[0, 1)", "drop probability")
INPLACE = Param("inplace", "inplace", False, _flag("inplace"), "`True`, `False`",
                "write the output into the input (and the gradient into `grad_output`)")
SCALE = Param("scale", "scale", True, _flag("scale"), "`True`, `False`",
              "rescale kept elements by 1 / (1 - p) in training (else evaluation multiplies by 1 - p)")
RATE = Param("rate", "rate", REQUIRED, v.check_rate, "[0, 1)", "drop probability of the equivalent Dropout")
STDDEV = Param("stddev", "stddev", REQUIRED, v.check_stddev, "[0, inf)", "standard deviation of the noise")
DATA_FORMAT = Param("data_format", "format", "NCHW", v.check_data_format,
                    '`"NCHW"`, `"NHWC"` (also `"channels_first"`, `"channels_last"`)', "where the channels are")
NOISE_SHAPE = Param("noise_shape", "noiseShape", None, v.check_noise_shape,
                    "`None`, or one entry per input axis: `None`, 1 or the input's size",
                    "Keras' noise_shape: the axes along which one draw is shared")

#: the layers by name, in the order :mod:`bigdl_reg.nn` defines them (the docs' order)
LAYERS: Dict[str, LayerSpec] = {}


def register(name: str, spec: LayerSpec) -> LayerSpec:
    """``spec`` as the layer ``name`` (a class of :mod:`bigdl_reg.nn` at its definition)."""
    LAYERS[name] = spec = replace(spec, name=name)
    return spec


def layers() -> Dict[str, LayerSpec]:
    """:data:`LAYERS`, filled: importing :mod:`bigdl_reg.nn` defines, hence registers, them."""
    from . import nn  # noqa: F401

    return LAYERS
