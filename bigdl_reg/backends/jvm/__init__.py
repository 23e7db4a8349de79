"""The ``jvm`` backend: the Scala engine, driven through py4j.

``create(layer, params, dtype, seed)`` returns a :class:`~.module.JvmModule`
implementing the backend protocol of docs/architecture.md; the first call
starts the process-wide JVM (:mod:`.gateway`, its command from :mod:`.java`),
arrays travel through shared memory (:mod:`.shm`), failures become Python
exceptions (:mod:`.errors`). :func:`find_problem` tells, without starting a
JVM, why the backend cannot be used (no Java, jars not built) and how to fix it.
"""

from __future__ import annotations

import numpy as np

from .errors import JVMError
from .gateway import get_gateway, shutdown
from .java import find_problem

__all__ = ["name", "create", "find_problem", "JVMError", "get_gateway", "shutdown"]

name = "jvm"


def create(layer: str, params: dict, dtype, seed: int):
    """A new layer in the JVM (starts the JVM on first use)."""
    from .module import JvmModule

    return JvmModule(layer, params, np.dtype(dtype), seed)
