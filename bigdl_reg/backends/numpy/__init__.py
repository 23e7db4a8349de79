"""The pure-NumPy backend: the whole contract in numpy, no JVM.

This module is itself the backend object of the registry (the
:class:`~bigdl_reg.backends.Backend` protocol): ``name`` and
``configure(layer, params, dtype)``.
"""
from __future__ import annotations

import numpy as np

name = "numpy"


def configure(layer: str, params: dict, dtype: np.dtype):
    """The configuration of ``layer`` with its validated parameters (stateless)."""
    from .module import NumpyConfig  # here, not above: the layer table imports this package's ops

    return NumpyConfig(layer, params, dtype)


__all__ = ["name", "configure"]
