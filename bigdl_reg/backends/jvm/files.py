"""The files the ``jvm`` backend creates, where, and the sweep of stale ones.

Two kinds of files, both named after the Python process that creates them:

* arenas, ``bigdl-reg-arena-<pid>-...``, in the shared-memory directory
  (``BIGDL_REG_SHM_DIR``, default ``/dev/shm``) or, when that is missing, not
  writable or full, in the temp dir (:func:`arena_dirs`);
* the JVM's stderr log, ``bigdl-reg-jvm-<pid>-....log``, in the temp dir;
* the JVM's call socket, ``bigdl-reg-calls-<pid>-....sock``, in the temp dir.

Arenas and logs are unlinked within one step of their creation (after the JVM
mapped the arena, after the JVM opened the log), so such a file can only be
left behind by a process killed inside that step; the call socket lives as
long as its JVM, which deletes it when it exits (Python deletes it when it
stops a JVM), so it is left behind only by a JVM that was killed. :func:`sweep_stale` removes such files of
processes that no longer exist; it runs once per process, when the first
gateway starts.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from typing import Dict, List

#: Where arenas are created first (tests point it at a missing or full directory).
SHM_DIR_ENV = "BIGDL_REG_SHM_DIR"
_DEFAULT_SHM_DIR = "/dev/shm"

ARENA_PREFIX = "bigdl-reg-arena-"
LOG_PREFIX = "bigdl-reg-jvm-"
SOCKET_PREFIX = "bigdl-reg-calls-"
# a JVM crash report is kept for the user (the error names it): never swept
CRASH_PREFIX = "bigdl-reg-crash-"
_OWNED = re.compile("(?:" + "|".join(map(re.escape, (ARENA_PREFIX, LOG_PREFIX, SOCKET_PREFIX))) + r")(\d+)-")


def arena_dirs() -> List[str]:
    """The directories an arena may be created in, best first: the shared-memory
    directory, then the temp dir (files there are page-cache backed; as fast
    unless memory is short)."""
    dirs = []
    for d in (_absolute(os.environ.get(SHM_DIR_ENV) or _DEFAULT_SHM_DIR), tempfile.gettempdir()):
        if d not in dirs:
            dirs.append(d)
    return dirs


_absolute_dirs: Dict[str, str] = {}


def _absolute(path: str) -> str:
    """``path`` made absolute against the working directory of the first time it
    was seen: a relative ``BIGDL_REG_SHM_DIR`` keeps naming the same directory
    after ``os.chdir`` (and the JVM, whose working directory may differ, gets
    absolute paths)."""
    return _absolute_dirs.setdefault(path, os.path.abspath(path))


def _dead(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def sweep_stale() -> List[str]:
    """Removes this backend's files whose creating process is gone; returns
    the paths removed."""
    removed = []
    for d in arena_dirs():
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            m = _OWNED.match(name)
            if m and _dead(int(m.group(1))):
                path = os.path.join(d, name)
                try:
                    os.unlink(path)
                    removed.append(path)
                except OSError:
                    pass
    return removed


_swept_in = None  # the pid that swept (a forked child sweeps again)
_sweep_lock = threading.Lock()


def stale_sweep_once() -> None:
    """:func:`sweep_stale`, once per process."""
    global _swept_in
    if _swept_in == os.getpid():
        return
    with _sweep_lock:
        if _swept_in != os.getpid():
            _swept_in = os.getpid()
            sweep_stale()
