"""Philox4x64-10 words (docs/contract.md, "Philox4x64-10 words"), from numpy's own C implementation.

Word ``j`` of a module with seed ``s`` at step ``t`` is

    Philox4x64_10(counter = (1 + j div 4, t, 0, 0), key = (s, 0))[j mod 4]

numpy's ``Philox`` splits ``counter`` and ``key`` into 64-bit words low word
first and increments the counter *before* each block, so a generator started
at ``counter = b + (t << 64)`` yields block ``b + 1`` first: that is the
``1 +`` of the contract.
"""
from __future__ import annotations

import sys

import numpy as np

_LITTLE_ENDIAN = sys.byteorder == "little"


def start_counter(step: int, first_block: int = 0) -> int:
    """numpy's ``counter`` (an int of four 64-bit words) that yields block ``first_block + 1`` first."""
    return first_block + (step << 64)


def word_stream(seed: int, step: int, first_block: int = 0) -> np.random.Philox:
    """A generator whose ``random_raw`` continues from word ``4 * first_block``.

    Successive ``random_raw(n)`` calls continue the same stream, so a forward
    creates one of these and draws its words chunk by chunk.
    """
    return np.random.Philox(key=seed, counter=start_counter(step, first_block))


def words(seed: int, step: int, first: int, count: int) -> np.ndarray:
    """Words ``first .. first + count - 1`` (uint64) of (seed, step)."""
    block, lane = divmod(first, 4)
    return word_stream(seed, step, block).random_raw(lane + count)[lane:]


def mask_halves(word_array: np.ndarray) -> np.ndarray:
    """The 32-bit halves of the masks (docs/contract.md, "Masks"): cell 2i is the low half of word i,
    cell 2i+1 the high half (numpy's own order on a little-endian machine)."""
    if _LITTLE_ENDIAN:
        return word_array.view(np.uint32)
    halves = np.empty(2 * word_array.size, dtype=np.uint32)
    halves[0::2] = word_array & np.uint64(0xFFFFFFFF)
    halves[1::2] = word_array >> np.uint64(32)
    return halves
