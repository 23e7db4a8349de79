"""The layers under test, one entry each, in the docs' order: what a new layer
needs in tests/ is its entry here (test_layers.py checks that the entries are
exactly the registered layers). Each test builds its own variants (extra
noise shapes, another dtype, other shapes) from these entries, next to it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from bigdl_reg import _layers, nn


@dataclass(frozen=True)
class LayerCase:
    cls: type
    kwargs: Dict[str, Any]  # the layer's parameters, off their defaults where it has a choice
    shape: Tuple[int, ...]  # an input these kwargs accept (batch >= 2)
    ranks: Optional[Tuple[int, ...]]  # the input ranks the layer accepts; None: any rank

    @property
    def name(self) -> str:
        return self.cls.__name__


CASES = [
    LayerCase(nn.Dropout, dict(init_p=0.3, scale=False), (3, 4, 5), None),
    LayerCase(nn.GaussianDropout, dict(rate=0.2), (3, 4, 5), None),
    LayerCase(nn.GaussianNoise, dict(stddev=0.5), (3, 4, 5), None),
    LayerCase(nn.SpatialDropout1D, dict(init_p=0.4), (3, 4, 5), (2, 3)),
    LayerCase(nn.SpatialDropout2D, dict(init_p=0.4, data_format="NHWC"), (2, 3, 4, 5), (3, 4)),
    LayerCase(nn.SpatialDropout3D, dict(init_p=0.4), (2, 3, 2, 2, 2), (4, 5)),
    LayerCase(nn.AlphaDropout, dict(init_p=0.25), (3, 4, 5), None),
    LayerCase(nn.FeatureAlphaDropout, dict(init_p=0.25, data_format="NHWC"), (2, 3, 4, 5), (3, 4, 5)),
]
#: every entry as (class, kwargs, shape), with the options beyond the layer's parameters in use
#: where it takes them: Dropout with a noise shape, GaussianNoise in double
_OPTIONS = {nn.Dropout: dict(noise_shape=(None, 1, None)), nn.GaussianNoise: dict(bigdl_type="double")}
WITH_OPTIONS = [(case.cls, {**case.kwargs, **_OPTIONS.get(case.cls, {})}, case.shape) for case in CASES]
ALL = [case.cls for case in CASES]
IDS = [case.name for case in CASES]
CASE = {case.cls: case for case in CASES}


def first_arg(cls) -> str:
    """The keyword of the layer's one number, its first argument: init_p, rate or stddev."""
    return _layers.layers()[cls.__name__].params[0].keyword


#: the layers whose number is a drop probability: their noise() is a keep mask, they have set_p
MASK_LAYERS = [cls for cls in ALL if first_arg(cls) == "init_p"]


def make(cls, backend: str = "numpy", seed: int = 7, **kwargs):
    """``cls`` with its entry's number as first argument (``kwargs`` may give
    another), its other parameters at their defaults unless ``kwargs`` sets them."""
    kwargs.setdefault(first_arg(cls), CASE[cls].kwargs[first_arg(cls)])
    return cls(seed=seed, backend=backend, **kwargs)
