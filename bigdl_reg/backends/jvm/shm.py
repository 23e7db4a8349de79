"""Shared-memory arenas: how array bytes travel between Python and the JVM.

py4j only carries control (arena id, byte offsets, shape); the bytes go
through a file both processes map (TOOLCHAIN.md: 3-10 GB/s instead of py4j's
5-65 MB/s):

* the file is created in /dev/shm (else ``tempfile.gettempdir()`` when
  /dev/shm is missing or not writable), sized, mapped here with ``mmap``,
  mapped by the JVM (``Bridge.attach``) and then **unlinked at once**: the
  memory lives exactly as long as the two mappings, so nothing is left behind
  even if either process is killed;
* data is written and read as explicit little-endian ``<f4`` / ``<f8``;
* one arena per Python thread (``threading.local``), so threads never wait
  for each other's buffer; an arena grows by replacing it with a bigger one
  (powers of two, from 1 MiB); the JVM mapping of a replaced arena is
  released (``Bridge.detach``);
* arenas belong to one gateway (one JVM): after the JVM died and a new one
  started, each thread transparently gets a new arena.

Limit: one JVM mapping is at most :data:`MAX_ARENA_BYTES` (2 GiB - 64 bytes).
A call needs one tensor's bytes (forward: the input, backward: the gradient;
the JVM writes the result over the data it has already copied); bigger
tensors raise ``ValueError`` (splitting them into chunks is planned).
"""

from __future__ import annotations

import mmap
import os
import re
import tempfile
import threading
import weakref
from typing import Optional

import numpy as np

from .gateway import Gateway

__all__ = [
    "ALIGN",
    "MAX_ARENA_BYTES",
    "MIN_ARENA_BYTES",
    "Arena",
    "arena_for",
    "release_thread_arena",
    "abandon_thread_arena",
    "shm_dir",
    "align",
]

ALIGN = 64
MAX_ARENA_BYTES = (2**31 - 1) // ALIGN * ALIGN  # FileChannel.map's limit, aligned down
MIN_ARENA_BYTES = 1 << 20
_PREFIX = "bigdl-reg-arena-"
_NAME = re.compile(re.escape(_PREFIX) + r"(\d+)-")


def align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


_shm_dir: Optional[str] = None


def shm_dir() -> str:
    """/dev/shm when it is a writable directory, else the temp dir."""
    global _shm_dir
    if _shm_dir is None:
        d = "/dev/shm"
        if os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK):
            _shm_dir = d
        else:
            _shm_dir = tempfile.gettempdir()
    return _shm_dir


def _sweep_stale() -> None:
    """Removes arena files of processes that died between creating a file and
    unlinking it (a window of one py4j call)."""
    d = shm_dir()
    try:
        names = os.listdir(d)
    except OSError:
        return
    for name in names:
        m = _NAME.match(name)
        if not m:
            continue
        pid = int(m.group(1))
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            try:
                os.unlink(os.path.join(d, name))
            except OSError:
                pass
        except OSError:
            pass  # alive, other user


_swept = False


def _queue_detach(gw_ref: "weakref.ref[Gateway]", arena_id: int) -> None:
    gw = gw_ref()
    if gw is not None and gw.usable():
        gw.pending_detach.append(arena_id)


class Arena:
    """``size`` bytes shared with the JVM of ``gw``, known there as ``self.id``."""

    def __init__(self, gw: Gateway, size: int) -> None:
        global _swept
        if not _swept:
            _swept = True
            _sweep_stale()
        if not 0 < size <= MAX_ARENA_BYTES:
            raise ValueError(f"arena size must be in [1, {MAX_ARENA_BYTES}] bytes, got {size}")
        self.gateway = gw
        self.size = size
        self.id = next(gw.arena_ids)
        path = os.path.join(shm_dir(), f"{_PREFIX}{os.getpid()}-{gw.generation}-{self.id}-{os.urandom(4).hex()}")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                os.ftruncate(fd, size)
                mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            finally:
                os.close(fd)
            gw.call("attach", self.id, path, size)
        finally:
            os.unlink(path)
        self.path = path
        self._mm = mm
        self.buf = np.frombuffer(mm, dtype=np.uint8)
        # a thread that ends drops its arena: release the JVM side later
        self._finalizer = weakref.finalize(self, _queue_detach, weakref.ref(gw), self.id)

    def view(self, offset: int, dtype: np.dtype, shape) -> np.ndarray:
        """A little-endian ndarray over ``[offset, offset + nbytes)``."""
        le = np.dtype(dtype).newbyteorder("<")
        count = 1
        for d in shape:
            count *= int(d)
        nbytes = count * le.itemsize
        return self.buf[offset : offset + nbytes].view(le).reshape(shape)

    def detach_now(self) -> None:
        """Releases the JVM's mapping now (the arena must not be used after)."""
        if self._finalizer.detach() is not None and self.gateway.usable():
            try:
                self.gateway.call("detach", self.id)
            except Exception:
                pass


_local = threading.local()


def _round_up(n: int) -> int:
    size = MIN_ARENA_BYTES
    while size < n:
        size *= 2
    return min(size, MAX_ARENA_BYTES)


def arena_for(gw: Gateway, nbytes: int, what: str = "this call") -> Arena:
    """This thread's arena on ``gw`` with at least ``nbytes``; replaces a
    smaller one or one of a previous JVM."""
    if nbytes > MAX_ARENA_BYTES:
        raise ValueError(
            f"{what} needs {nbytes} bytes of shared memory, more than the JVM "
            f"backend's limit of {MAX_ARENA_BYTES} bytes (2 GiB) for one transfer; "
            'split the tensor or use backend="numpy" (chunked transfers are planned)'
        )
    arena: Optional[Arena] = getattr(_local, "arena", None)
    if arena is not None and arena.gateway is gw and arena.size >= nbytes:
        return arena
    if arena is not None:
        _local.arena = None
        if arena.gateway is gw:
            arena.detach_now()
        del arena
    gw.flush_pending()
    new = Arena(gw, _round_up(nbytes))
    _local.arena = new
    return new


def release_thread_arena() -> None:
    """Drops this thread's arena now (it is otherwise kept, at its largest
    size, until the thread ends or the JVM is replaced)."""
    arena: Optional[Arena] = getattr(_local, "arena", None)
    _local.arena = None
    if arena is not None:
        arena.detach_now()


def abandon_thread_arena() -> None:
    """Forgets this thread's arena without waiting for the JVM (a call that
    was interrupted may still be using it); its JVM mapping is released later."""
    arena: Optional[Arena] = getattr(_local, "arena", None)
    _local.arena = None
    if arena is not None:
        arena._finalizer()  # queues the detach on its gateway
