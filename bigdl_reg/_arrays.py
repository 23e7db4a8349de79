"""How the layers take arrays in and give them back.

In: any real numeric array-like (an ndarray of a bool, integer or floating
dtype, nested lists, Python and numpy scalars, objects with ``__array__``)
is converted to the layer's dtype, as BigDL's Python does; a float64 input to
a "float" layer is rounded to float32, as in BigDL and Keras. The backends
compute on a C-contiguous operand, so the noise follows the logical row-major
index whatever the memory layout (docs/contract.md, "Masks").

Out: a new array in the input's memory layout, like a numpy ufunc with
``order="K"`` (``np.empty_like``): a Fortran-ordered or permuted input gives an
output with the same strides order. A C-ordered input (the common case) costs
nothing extra: the backend writes the output directly; other orders cost one
copy of the output.

``inplace=True``: the result goes into the caller's array, which must be a
writeable ndarray of the layer's dtype (checked before anything is written).
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from . import _validation as v

# compute(operand, out): the backend's forward or backward on a C-contiguous
# operand of the layer's dtype, into ``out`` (C-contiguous, same shape) or a new array.
Compute = Callable[[np.ndarray, Optional[np.ndarray]], np.ndarray]


def real_array(layer: str, value, name: str) -> np.ndarray:
    """``value`` as an ndarray of a real numeric dtype (not yet converted)."""
    v.check_one_tensor(layer, value, name)
    v.check_not_masked(layer, value, name)
    try:
        array = np.asarray(value)
    except ValueError:  # numpy's "inhomogeneous shape": a ragged nested sequence
        raise v.ragged_input_error(layer, name) from None
    v.check_input_dtype(layer, array, name, "" if isinstance(value, np.ndarray) else type(value).__name__)
    return array


def c_contiguous(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A C-contiguous array of ``dtype`` (a copy only when needed; 0-d stays 0-d,
    unlike ``np.ascontiguousarray``). Values out of float32's range become
    +-inf, the IEEE result, without a warning."""
    with np.errstate(over="ignore"):
        return np.asarray(array, dtype=dtype, order="C")


def operand(layer: str, value, dtype: np.dtype, name: str) -> np.ndarray:
    """``value`` checked and converted: a C-contiguous array of ``dtype``."""
    return c_contiguous(real_array(layer, value, name), dtype)


def check_size(layer: str, array: np.ndarray, name: str, max_elements: Optional[int]) -> None:
    """At most ``max_elements`` elements (None: no limit), checked before any
    copy: a broadcast view of 2^31 elements costs nothing until converted."""
    if max_elements is None:
        return
    call = "forward" if name == "input" else "backward"
    what = f"{layer} {call} of shape {tuple(int(d) for d in array.shape)}"
    if array.size > max_elements:
        raise v.too_many_elements_error(what, array.size, max_elements)
    if any(d > v.INT_MAX for d in array.shape):  # possible when empty: the engine's sizes are Java ints
        raise v.too_large_dimension_error(what)


def run(layer: str, value, dtype: np.dtype, compute: Compute, name: str,
        max_elements: Optional[int] = None) -> np.ndarray:
    """``compute`` on ``value``; the result is a new array in ``value``'s layout."""
    array = real_array(layer, value, name)
    check_size(layer, array, name, max_elements)
    source = c_contiguous(array, dtype)
    if array.flags.c_contiguous:  # the fast path: the backend allocates a C-ordered result
        return compute(source, None)
    out = np.empty_like(array, dtype=dtype, subok=False)  # order="K": the input's strides order
    if out.flags.c_contiguous:  # e.g. a strided or reversed view: C order all the same
        return compute(source, out)
    return write_back(out, compute(source, None))


def run_inplace(layer: str, value, dtype: np.dtype, compute: Compute, name: str,
                max_elements: Optional[int] = None) -> np.ndarray:
    """``compute`` written into the caller's array ``value``, which is returned."""
    v.check_not_masked(layer, value, name)
    v.check_inplace_target(layer, value, dtype, name)
    check_size(layer, value, name, max_elements)
    if value.flags.c_contiguous and value.dtype == dtype:
        return compute(value, value)
    return write_back(value, compute(c_contiguous(value, dtype), None))


def write_back(array: np.ndarray, result: np.ndarray) -> np.ndarray:
    """``result``'s values into ``array`` (same shape, any layout); returns ``array``."""
    array[...] = result
    return array
