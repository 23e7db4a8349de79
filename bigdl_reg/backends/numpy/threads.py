"""The numpy backend's threads: a forward's chunks spread over a small pool.

numpy's ufuncs and ``Philox.random_raw`` release the GIL while they loop,
so threads working on separate chunks run side by side. Each chunk draws
its cells from its own position of the (seed, step) stream, so the bits do
not depend on the thread count (tests/test_invariance.py).

The count is ``BIGDL_REG_NUMPY_THREADS`` (an integer in [1, 256]) when set,
else the cores this process may use; :func:`set_threads` changes it.
"""
from __future__ import annotations

import numbers
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Optional

THREADS_ENV = "BIGDL_REG_NUMPY_THREADS"
MAX_THREADS = 256


def _checked(n, what: str):
    """``n`` if it is an integer in [1, MAX_THREADS] (not a bool), else the ValueError naming ``what``."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or not 1 <= int(n) <= MAX_THREADS:
        raise ValueError(f"{what} must be an integer in [1, {MAX_THREADS}], got {n!r}")
    return int(n)


def _default_threads() -> int:
    value = os.environ.get(THREADS_ENV)
    if value is not None:
        text = value.strip()
        return _checked(int(text) if text.isdigit() else value, THREADS_ENV)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


# reentrant: a KeyboardInterrupt at an unlucky point must not leave this thread locked out
_lock = threading.RLock()
_threads: Optional[int] = None
_pool: Optional[ThreadPoolExecutor] = None


def threads() -> int:
    """The number of threads a large forward or backward uses (the caller's included)."""
    global _threads
    n = _threads  # no lock on every call's path: two threads reading the default at once agree
    if n is None:
        n = _threads = _default_threads()
    return n


def set_threads(n: int) -> None:
    """Sets the thread count (an integer in [1, 256]); the outputs are the same bits for any count."""
    global _threads, _pool
    n = _checked(n, "threads")
    with _lock:
        old, _threads, _pool = _pool, n, None
    if old is not None:
        old.shutdown(wait=False)


def _forget_pool_in_child() -> None:
    # a forked child has none of the parent's pool threads: it makes its own
    global _pool, _lock
    _pool, _lock = None, threading.RLock()


os.register_at_fork(after_in_child=_forget_pool_in_child)


def _pool_of(n: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="bigdl-reg-numpy")
        return _pool


def run_spans(chunks: int, min_chunks: int, work: Callable[[int, int], None]) -> None:
    """Runs ``work(first, stop)`` over chunk ranges covering ``0 .. chunks - 1``:
    on the caller's thread alone below ``min_chunks`` chunks per extra thread,
    else in one contiguous range per thread, the caller doing the first. Returns
    once every range is done (also when one raised, or the caller was
    interrupted: no worker writes after the call returned); re-raises the first error."""
    n = min(threads(), chunks // max(min_chunks, 1))
    if n <= 1:
        work(0, chunks)
        return
    bounds = [chunks * i // n for i in range(n + 1)]
    pool = _pool_of(threads())
    futures: list[Future] = [pool.submit(work, bounds[i], bounds[i + 1]) for i in range(1, n)]
    try:
        work(bounds[0], bounds[1])
    finally:
        errors = [f.exception() for f in futures]  # waits for every range
    for error in errors:
        if error is not None:
            raise error
