"""The ``jvm`` backend: the Scala engine, driven through py4j.

``configure(layer, params, dtype)`` returns a :class:`~.module.JvmConfig`
(the stateless :class:`~bigdl_reg.backends.Config` protocol); the first call
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

__all__ = ["name", "configure", "find_problem", "JVMError", "get_gateway", "shutdown"]

name = "jvm"


def configure(layer: str, params: dict, dtype):
    """A layer configuration in the JVM (starts the JVM on first use)."""
    from .module import JvmConfig

    return JvmConfig(layer, params, np.dtype(dtype))
