"""Backend registry and default selection.

A backend is an object (here: a module) with ``name`` and
``configure(layer, params, dtype)``: the :class:`Backend` protocol, whose
configurations are :class:`Config`. Backends are stateless: seed, step, mode
and the last forward live in the facade layer (:class:`bigdl_reg.nn.Layer`),
which passes them to every call. Names:

* ``"numpy"``: the pure-NumPy implementation, always available.
* ``"jvm"``: the Scala engine through py4j (``bigdl_reg.backends.jvm``),
  imported only when asked for, so importing bigdl_reg never starts a JVM.
* ``"auto"`` (the default): "jvm" when it can start, else "numpy".

The process-wide default is ``set_default_backend(name)``, else the
environment variable ``BIGDL_REG_BACKEND``, else "auto".
"""
from __future__ import annotations

import importlib
import os
import threading
import warnings
from typing import Optional, Protocol

import numpy as np


class Config(Protocol):
    """One immutable layer configuration (layer, validated parameters, dtype)
    on a backend. It holds no state: every call says which noise it means,
    (``seed``, ``step``) at ``batch_offset``, and in which mode, so the same
    arguments give the same bytes on every call, backend and machine. The
    facade has validated everything it passes; ``out``, when given, is a
    C-contiguous array of the layer's dtype and shape that receives the
    result (it may be the operand itself)."""

    def forward(self, x: np.ndarray, out: Optional[np.ndarray], seed: int, step: int, training: bool,
                batch_offset: int) -> np.ndarray:
        """The output for ``x`` (rows ``batch_offset ..`` of a logical batch):
        the training formula with the noise of (seed, step), or the evaluate formula."""

    def backward(self, grad: np.ndarray, out: Optional[np.ndarray], seed: int, step: int, training: bool,
                 batch_offset: int) -> np.ndarray:
        """The gradient for ``grad``: the derivative of the forward with these arguments."""

    def noise(self, input_shape: tuple, seed: int, step: int, batch_offset: int) -> np.ndarray:
        """The noise of a training forward of ``input_shape`` with these
        arguments: a bool keep mask, or the factors / addends, of its noise shape."""

    def close(self) -> None:
        """Release what the configuration holds; idempotent."""


class Backend(Protocol):
    """What a backend provides (the numpy and jvm packages are such objects)."""

    name: str  # "numpy" or "jvm"

    def configure(self, layer: str, params: dict, dtype: np.dtype) -> Config:
        """The configuration of ``layer`` (a class name of :mod:`bigdl_reg.nn`)
        with its validated Python keywords ``params``, in ``dtype``."""


NAMES = ("auto", "numpy", "jvm")
ENV_VAR = "BIGDL_REG_BACKEND"
_JVM_PACKAGE = __name__ + ".jvm"

_lock = threading.Lock()
_default: str | None = None  # None: follow the environment variable


def _check_name(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"backend name must be a str, got {type(name).__name__}")
    if name not in NAMES:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(repr(n) for n in NAMES)}")
    return name


def set_default_backend(name) -> None:
    """Make ``name`` ("auto", "numpy" or "jvm") the default of new layers; None restores the env/auto default."""
    global _default
    with _lock:
        _default = None if name is None else _check_name(name)


def get_default_backend() -> str:
    """The configured default name (possibly "auto"; ``get_backend().name`` resolves it)."""
    with _lock:
        if _default is not None:
            return _default
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return "auto"
    try:
        return _check_name(value)
    except ValueError:
        raise ValueError(
            f"{ENV_VAR}={value!r} is not a backend; choose one of {', '.join(repr(n) for n in NAMES)}"
        ) from None


def _import_jvm():
    """The jvm backend package, or a string saying why it cannot be imported."""
    try:
        return importlib.import_module(_JVM_PACKAGE)
    except ModuleNotFoundError as error:
        if error.name == _JVM_PACKAGE:
            return f"{_JVM_PACKAGE} is not installed"
        return f"cannot import {_JVM_PACKAGE}: {error}"
    except ImportError as error:
        return f"cannot import {_JVM_PACKAGE}: {error}"


def jvm_problem() -> str | None:
    """Why the jvm backend cannot start here (None when it can): no Java, the
    jars not built, py4j missing..., with how to fix it. Starts no JVM."""
    module = _import_jvm()
    if isinstance(module, str):
        return module
    return module.find_problem()


_warned: set = set()


def _jvm_start_problem() -> str | None:
    """Why the jvm backend's JVM does not start (None once it runs): what
    :func:`jvm_problem` cannot see without starting it (e.g. jars that lack
    our classes, a JVM option java refuses)."""
    module = importlib.import_module(_JVM_PACKAGE)
    try:
        module.get_gateway()
    except module.JVMError as error:
        return str(error)
    return None


def _warn_fallback(problem: str) -> None:
    """The one "auto" rule: a jvm backend that cannot start is a warning saying
    why (once per reason per process), then numpy."""
    with _lock:
        if problem in _warned:
            return
        _warned.add(problem)
    warnings.warn(f'backend "auto" uses numpy: the jvm backend cannot start: {problem}', RuntimeWarning, stacklevel=3)


def get_backend(name: str | None = None) -> Backend:
    """The backend object for ``name`` (default: ``get_default_backend()``);
    ``.name`` is "jvm" or "numpy" ("auto" resolved). ValueError for an unknown
    name; RuntimeError when "jvm" is asked for and cannot be imported."""
    name = get_default_backend() if name is None else _check_name(name)
    if name == "auto":
        problem = jvm_problem() or _jvm_start_problem()
        if problem is not None:
            _warn_fallback(problem)
        name = "jvm" if problem is None else "numpy"
    if name == "numpy":
        from . import numpy as numpy_backend

        return numpy_backend
    module = _import_jvm()
    if isinstance(module, str):
        raise RuntimeError(f"the jvm backend is unavailable: {module}")
    return module


__all__ = ["Backend", "Config", "NAMES", "ENV_VAR", "get_backend", "set_default_backend", "get_default_backend",
           "jvm_problem"]
