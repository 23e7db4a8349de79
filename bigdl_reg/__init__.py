"""bigdl-reg: BigDL-style regularization layers with bit-identical results
from the Scala engine (through py4j) and from NumPy.

    >>> import bigdl_reg
    >>> from bigdl_reg.nn import Dropout
    >>> bigdl_reg.set_seed(123)          # seeds of layers created without seed=
    >>> Dropout(0.5, backend="numpy").seed
    15750355824863689988

Importing the package is cheap: no JVM starts until a layer asks for the
"jvm" backend (or "auto" finds it usable).
"""
from __future__ import annotations

import importlib
import importlib.metadata
from pathlib import Path
from typing import Any, Optional


def _version() -> str:
    """The installed distribution's version (the clone's file VERSION, read by the build);
    that file itself when the package runs from a clone without being installed."""
    try:
        return importlib.metadata.version("bigdl-reg")
    except importlib.metadata.PackageNotFoundError:
        version_file = Path(__file__).resolve().parent.parent / "VERSION"
        return version_file.read_text().strip() if version_file.is_file() else "unknown"


__version__ = _version()

__all__ = ["__version__", "set_seed", "set_default_backend", "get_default_backend", "nn", "functional"]


def set_seed(seed: int) -> None:
    """Seed the global seeder: the k-th layer created afterwards without an
    explicit seed gets a seed derived from (``seed``, k) (docs/contract.md, "Module seeds").

    ``seed`` is an unsigned 64-bit int (ValueError outside [0, 2**64), TypeError
    if not an int). Layers given ``seed=`` are not affected.

    Examples::

        >>> import bigdl_reg
        >>> from bigdl_reg.nn import GaussianNoise
        >>> bigdl_reg.set_seed(7)
        >>> a = GaussianNoise(0.1, backend="numpy").seed
        >>> bigdl_reg.set_seed(7)
        >>> GaussianNoise(0.1, backend="numpy").seed == a
        True
    """
    from . import _seeding

    _seeding.set_seed(seed)


def set_default_backend(name: Optional[str]) -> None:
    """The backend of layers created without ``backend=``: "auto", "numpy" or "jvm"
    (None: back to the ``BIGDL_REG_BACKEND`` environment variable, else "auto").

    ValueError for another name, TypeError for a non-string. Layers already
    built keep their backend.

    Examples::

        >>> import bigdl_reg
        >>> from bigdl_reg.nn import Dropout
        >>> bigdl_reg.set_default_backend("numpy")
        >>> Dropout(seed=1).backend, bigdl_reg.get_default_backend()
        ('numpy', 'numpy')
        >>> bigdl_reg.set_default_backend(None)
    """
    from . import backends

    backends.set_default_backend(name)


def get_default_backend() -> str:
    """The default backend name as configured ("auto" unless set); "auto" is
    resolved per layer (``layer.backend`` says which one it got)."""
    from . import backends

    return backends.get_default_backend()


def __getattr__(name: str) -> Any:
    # ``bigdl_reg.nn`` / ``bigdl_reg.functional`` without an explicit import, loaded on first use
    if name in ("nn", "functional"):
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
