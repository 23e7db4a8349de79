"""The global seeder (docs/contract.md, "Module seeds").

After ``set_seed(g)`` the k-th module created (k = 0, 1, ...) gets

    Philox4x64_10(counter = (1 + k div 4, 0, 0, 0), key = (g, 1))[k mod 4]
    == np.random.Philox(key=g | 1 << 64).random_raw(k + 1)[k]

computed in O(1) by starting the counter at block k div 4 (numpy increments
the counter before each block). Without ``set_seed`` the global seed is drawn
once from OS entropy (``secrets``), on first use.
"""
from __future__ import annotations

import secrets
import threading

import numpy as np

from . import _validation

_lock = threading.Lock()
_global_seed: int | None = None  # None: not drawn yet
_next_index = 0


def module_seed(global_seed: int, index: int) -> int:
    """Seed of the ``index``-th module created after ``set_seed(global_seed)``."""
    block, lane = divmod(index, 4)
    words = np.random.Philox(key=global_seed | 1 << 64, counter=block).random_raw(lane + 1)
    return int(words[lane])


def set_seed(seed) -> None:
    """Seed the global seeder and restart its module count at 0."""
    global _global_seed, _next_index
    seed = _validation.check_seed("set_seed", seed)
    with _lock:
        _global_seed = seed
        _next_index = 0


def next_seed() -> int:
    """The seed for the next module created without an explicit seed."""
    global _global_seed, _next_index
    with _lock:
        if _global_seed is None:
            _global_seed = secrets.randbits(64)
        index = _next_index
        _next_index += 1
        global_seed = _global_seed
    return module_seed(global_seed, index)
