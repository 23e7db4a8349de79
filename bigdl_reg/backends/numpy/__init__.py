"""The pure-NumPy backend: the whole contract in numpy, no JVM.

This module is itself the backend object of the registry: ``name`` and
``create(layer, params, dtype, seed)`` (docs/architecture.md, "The Python
backend protocol").
"""
from __future__ import annotations

import numpy as np

from .module import LAYERS, NumpyModule

name = "numpy"


def create(layer: str, params: dict, dtype: np.dtype, seed: int) -> NumpyModule:
    """A new module of ``layer`` (already validated parameters) in training mode at step 0."""
    return NumpyModule(layer, params, dtype, seed)


def find_problem() -> None:
    """The numpy backend can always run (for symmetry with the jvm backend)."""
    return None


__all__ = ["name", "create", "find_problem", "LAYERS", "NumpyModule"]
