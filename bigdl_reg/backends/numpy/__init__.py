"""The pure-NumPy backend: the whole contract in numpy, no JVM.

This module is itself the backend object of the registry (the
:class:`~bigdl_reg.backends.Backend` protocol): ``name`` and
``create(layer, params, dtype, seed)``.
"""
from __future__ import annotations

import numpy as np

name = "numpy"


def create(layer: str, params: dict, dtype: np.dtype, seed: int):
    """A new module of ``layer`` (already validated parameters) in training mode at step 0."""
    from .module import NumpyModule  # here, not above: the layer table imports this package's ops

    return NumpyModule(layer, params, dtype, seed)


__all__ = ["name", "create"]
