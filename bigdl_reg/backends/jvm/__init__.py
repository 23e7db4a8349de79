"""The ``jvm`` backend: the Scala engine, driven through py4j.

``create(layer, params, dtype, seed)`` returns a :class:`~.module.JvmModule`
implementing the backend protocol of docs/architecture.md; the first call
starts the process-wide JVM (:mod:`.gateway`), arrays travel through shared
memory (:mod:`.shm`). :func:`find_problem` tells, without starting a JVM, why
the backend cannot be used (no Java, jars not built) and how to fix it.
"""

from __future__ import annotations

import numpy as np

from .gateway import JVMError, find_problem, get_gateway, shutdown

__all__ = ["name", "create", "find_problem", "available", "JVMError", "get_gateway", "shutdown"]

name = "jvm"


def create(layer: str, params: dict, dtype, seed: int):
    """A new layer in the JVM (starts the JVM on first use)."""
    from .module import JvmModule

    return JvmModule(layer, params, np.dtype(dtype), seed)


def available() -> bool:
    return find_problem() is None
