"""Shared-memory arenas: how array bytes travel between Python and the JVM.

py4j only carries control (arena id, byte offsets, shape); the bytes go
through a file both processes map (3-10 GB/s, where py4j itself carries
5-65 MB/s):

* the file is created in the shared-memory directory (``/dev/shm``, or
  ``BIGDL_REG_SHM_DIR``), else in the temp dir when that one is missing, not
  writable or full (:func:`.files.arena_dirs`); its memory is reserved with
  ``posix_fallocate`` so that a full tmpfs is an error here, at creation,
  instead of a SIGBUS when the mapping is written;
* it is sized, mapped here with ``mmap``, mapped by the JVM
  (``Bridge.attach``, in windows of at most 1 GiB) and then **unlinked at
  once**: the memory lives exactly as long as the two mappings, so nothing is
  left behind even if either process is killed (a process killed inside the
  attach call leaves its file, removed by :func:`.files.sweep_stale` at the
  next start);
* data is written and read as explicit little-endian ``<f4`` / ``<f8``;
* one arena per Python thread (``threading.local``), so threads never wait
  for each other's buffer; an arena grows by replacing it with a bigger one
  (powers of two from 1 MiB to 1 GiB, then multiples of 256 MiB); the JVM
  mapping of a replaced arena is released (``Bridge.detach``);
* arenas belong to one gateway (one JVM): after the JVM died and a new one
  started, each thread transparently gets a new arena.

Limits: one arena holds at most :data:`MAX_ARENA_BYTES` (16 GiB, the bytes
of 2^31 - 1 doubles); a tensor has at most :data:`MAX_ELEMENTS` (2^31 - 9,
the longest Java array the JDK promises to allocate) elements, bigger ones raise ``ValueError``. No room for
an arena in either directory raises ``MemoryError``.
"""

from __future__ import annotations

import ctypes
import errno
import math
import mmap
import os
import threading
import weakref
from typing import TYPE_CHECKING, List, Optional

import numpy as np

from ..._validation import too_many_elements_error
from . import files

if TYPE_CHECKING:  # gateway.py imports this module
    from .gateway import Gateway

# the JDK's ArraysSupport.SOFT_MAX_ARRAY_LENGTH: HotSpot refuses lengths near
# 2^31 - 1 ("Requested array size exceeds VM limit") whatever the heap
MAX_ELEMENTS = 2**31 - 9
MAX_ARENA_BYTES = 2**34  # SharedArena.MaxSize: MAX_ELEMENTS doubles, aligned up
MIN_ARENA_BYTES = 1 << 20
_GROWTH_STEP = 256 << 20  # above 1 GiB arenas grow by this much, not by doubling
# errnos meaning "no room here" (MemoryError when every directory says so)
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.ENOMEM, errno.EFBIG}


def shm_dir() -> str:
    """The directory new arenas go to unless it is full (``python -m bigdl_reg
    info`` shows it): the first of :func:`.files.arena_dirs` that is a
    writable directory."""
    dirs = files.arena_dirs()
    return next((d for d in dirs if os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK)), dirs[-1])


def _reserve(fd: int, size: int) -> None:
    """Gives the file ``size`` bytes of backing memory now: on tmpfs a plain
    ``ftruncate`` makes a sparse file, and a full tmpfs would only show as a
    SIGBUS (killing Python) when the mapping is first written."""
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as e:
        if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
            raise
        os.ftruncate(fd, size)  # a file system without fallocate: sparse, as before


def _create_file(name: str, size: int) -> "tuple[str, mmap.mmap]":
    """Creates, reserves and maps ``name`` (``size`` bytes) in the first
    arena directory that has room; :class:`MemoryError` when none has,
    ``OSError`` when none is usable."""
    failures: List[str] = []
    no_room = False  # did a usable directory lack room (vs. none being usable)?
    for d in files.arena_dirs():
        path = os.path.join(d, name)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _reserve(fd, size)
                mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            except BaseException:  # Ctrl-C included: never leave the file
                os.unlink(path)
                raise
            finally:
                os.close(fd)
        except OSError as e:
            failures.append(f"{d}: {e.strerror}")
            no_room = no_room or e.errno in _NO_ROOM
            continue
        return path, mm
    what = f"cannot create a shared-memory arena of {size} bytes for the JVM backend ({'; '.join(failures)})"
    if no_room:
        raise MemoryError(
            what + f'; free memory, set {files.SHM_DIR_ENV} to a roomier directory, or use backend="numpy"'
        )
    raise OSError(what + f"; set {files.SHM_DIR_ENV} to a writable directory")


def _queue_detach(gw_ref: "weakref.ref[Gateway]", arena_id: int) -> None:
    gw = gw_ref()
    if gw is not None and gw.usable():
        gw.pending_detach.append(arena_id)


def _attach_new_file(gw: Gateway, arena_id: int, size: int) -> mmap.mmap:
    """A new file of ``size`` bytes, mapped here and attached in ``gw``'s JVM
    as ``arena_id``, unlinked once both sides mapped it (nothing left on any
    error): its mapping."""
    files.stale_sweep_once()
    name = f"{files.ARENA_PREFIX}{os.getpid()}-{gw.generation}-{arena_id}-{os.urandom(4).hex()}"
    path, mm = _create_file(name, size)
    try:
        gw.call("attach", arena_id, path, size)
    except BaseException:
        mm.close()
        raise
    finally:
        os.unlink(path)
    return mm


class Arena:
    """``size`` bytes shared with the JVM of ``gw``, known there as ``self.id``."""

    def __init__(self, gw: Gateway, size: int) -> None:
        if not 0 < size <= MAX_ARENA_BYTES:
            raise ValueError(f"arena size must be in [1, {MAX_ARENA_BYTES}] bytes, got {size}")
        self.gateway = gw
        self.size = size
        self.id = next(gw.arena_ids)
        self.released = False
        self._mm = _attach_new_file(gw, self.id, size)
        self.buf = np.frombuffer(self._mm, dtype=np.uint8)
        # a thread that ends drops its arena: release the JVM side later
        self._finalizer = weakref.finalize(self, _queue_detach, weakref.ref(gw), self.id)

    def view(self, dtype: np.dtype, shape) -> np.ndarray:
        """A little-endian ndarray of ``shape`` at the arena's start."""
        le = np.dtype(dtype).newbyteorder("<")
        return self.buf[: math.prod(shape) * le.itemsize].view(le).reshape(shape)

    def detach_now(self) -> None:
        """Releases the JVM's mapping now (the arena must not be used after)."""
        if self._finalizer.detach() is not None and self.gateway.usable():
            try:
                self.gateway.call("detach", self.id)
            except Exception:
                pass

    def close(self) -> None:
        """Unmaps the Python side now when no view of it is alive (else the
        garbage collector does), so replaced arenas do not pile up."""
        del self.buf
        try:
            self._mm.close()
        except BufferError:  # a view is still referenced somewhere
            pass


_local = threading.local()


def _round_up(n: int) -> int:
    if n > 1 << 30:
        return min(-(-n // _GROWTH_STEP) * _GROWTH_STEP, MAX_ARENA_BYTES)
    size = MIN_ARENA_BYTES
    while size < n:
        size *= 2
    return size


def check_transfer(nbytes: int, what: str, elements: int) -> None:
    """The limits of one transfer: ``ValueError`` beyond them."""
    if elements > MAX_ELEMENTS:
        raise too_many_elements_error(what, elements, MAX_ELEMENTS)
    if nbytes > MAX_ARENA_BYTES:
        raise ValueError(
            f"{what} needs {nbytes} bytes of shared memory, more than the JVM "
            f"backend's limit of {MAX_ARENA_BYTES} bytes (16 GiB) for one transfer; "
            'split the tensor or use backend="numpy"'
        )


def arena_for(gw: Gateway, nbytes: int, what: str = "this call", elements: int = 0) -> Arena:
    """This thread's arena on ``gw`` with at least ``nbytes`` for a tensor of
    ``elements`` elements; replaces a smaller one or one of a previous JVM."""
    check_transfer(nbytes, what, elements)
    arena: Optional[Arena] = getattr(_local, "arena", None)
    if arena is not None and arena.gateway is gw and arena.size >= nbytes:
        return arena
    if arena is not None:
        _local.arena = None
        if arena.gateway is gw:
            arena.detach_now()
        arena.close()
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
        arena.close()


def abandon_thread_arena() -> None:
    """Forgets this thread's arena without waiting for the JVM (a call that
    was interrupted may still be using it); its JVM mapping is released later."""
    arena: Optional[Arena] = getattr(_local, "arena", None)
    _local.arena = None
    if arena is not None:
        arena._finalizer()  # queues the detach on its gateway


# ------------------------------------------------------------ result segments

#: Results of at least this many bytes are returned in shared memory the JVM
#: wrote (no copy-out); smaller ones are copied out of the thread's arena.
ZERO_COPY_MIN_BYTES = 1 << 20
_MAX_FREE_SEGMENTS = 4  # free segments kept per gateway for reuse; more are released
#: Segments alive at once per gateway (each holds a descriptor and a mapping in
#: both processes); past it, results are copied out of the arena instead.
MAX_LIVE_SEGMENTS = 64


class Segment:
    """Shared memory attached in the JVM (like an :class:`Arena`) that one
    call's operand and result occupy, and that the returned ndarray then
    owns: each use exports the segment's one mapping through a new ctypes
    array, and when that array is collected -- the result and every view of
    it are gone -- the segment goes back to its gateway's pool for a later
    call (a fresh mapping per use cost ~3 ms per 40 MB in page-table set-up)."""

    def __init__(self, gw: Gateway, size: int) -> None:
        self.gateway = gw
        self.size = size
        self.id = next(gw.arena_ids)
        self.released = False
        self._mm = _attach_new_file(gw, self.id, size)
        with _pool_lock:
            gw.live_segments += 1

    def map(self, nbytes: int) -> "tuple[ctypes.Array, weakref.finalize]":
        """The first ``nbytes`` as a buffer for one result, and the finalizer
        that gives the segment back when it is collected (``detach()`` it and
        :meth:`release` instead when a call on it was interrupted)."""
        exporter = (ctypes.c_char * nbytes).from_buffer(self._mm)
        return exporter, weakref.finalize(exporter, _give_back, weakref.ref(self.gateway), self)

    def release(self) -> None:
        """Unmaps it here (once no result uses it) and queues the JVM's detach."""
        with _pool_lock:
            if self.released:
                return
            self.released = True
            self.gateway.live_segments -= 1
        try:
            self._mm.close()
        except BufferError:  # an interrupted call's view is still alive: the collector unmaps it
            pass
        _queue_detach(weakref.ref(self.gateway), self.id)


_pool_lock = threading.Lock()


def _give_back(gw_ref: "weakref.ref[Gateway]", seg: Segment) -> None:
    gw = gw_ref()
    keep = False
    if gw is not None and gw.usable():
        with _pool_lock:
            free = gw.free_segments
            keep = len(free) < _MAX_FREE_SEGMENTS
            if keep:
                free.append(seg)
    if not keep:
        seg.release()


def result_segment(gw: Gateway, nbytes: int) -> Optional[Segment]:
    """A free segment of ``gw`` with room for ``nbytes`` (not much more), else a
    new one, else (``MAX_LIVE_SEGMENTS`` alive) None: copy the result out."""
    size = _round_up(nbytes)
    with _pool_lock:
        free = gw.free_segments
        for i, seg in enumerate(free):
            if seg.size == size:
                return free.pop(i)
        if gw.live_segments >= MAX_LIVE_SEGMENTS:
            return None
    gw.flush_pending()
    return Segment(gw, size)


def release_free_segments(gw: Gateway) -> int:
    """Releases the result segments ``gw`` keeps for reuse; returns how many."""
    with _pool_lock:
        free, gw.free_segments = gw.free_segments, []
    for segment in free:
        segment.release()
    return len(free)
