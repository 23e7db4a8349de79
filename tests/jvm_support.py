"""Helpers shared by the jvm-backend tests: process checks, leftover files,
a dedicated gateway, deterministic inputs."""
from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bigdl_reg.backends.jvm import files, gateway

ROOT = Path(__file__).resolve().parent.parent


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody reaps counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


def wait_state(pid: int, state: str, timeout: float = 10.0) -> None:
    """Waits until /proc says the process is in ``state`` ("T": stopped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == state:
                    return
        except OSError:
            return
        time.sleep(0.01)


def wait_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def java_children(parent: int | None = None) -> list:
    """Live ``java`` processes whose parent is ``parent`` (default: this process)."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        if comm == "java" and fields[0] != "Z" and int(fields[1]) == parent:
            found.append(int(entry))
    return found


def leftover_files(pid: int) -> list:
    """Arena, JVM-log and call-socket files of process ``pid`` still on disk,
    in every directory the backend may use (not the running JVM's own call
    socket: it lives as long as that JVM)."""
    prefixes = (f"{files.ARENA_PREFIX}{pid}-", f"{files.LOG_PREFIX}{pid}-", f"{files.SOCKET_PREFIX}{pid}-")
    dirs = set(files.arena_dirs()) | {"/dev/shm", tempfile.gettempdir()}
    out = []
    for d in dirs:
        try:
            out += [os.path.join(d, n) for n in os.listdir(d) if n.startswith(prefixes)]
        except OSError:
            pass
    live = gateway.current_gateway()
    return sorted(p for p in out if live is None or p != live.call_socket_path)


def arena_mappings(pid: int) -> int:
    """Lines of /proc/<pid>/maps that map a bigdl-reg arena file."""
    with open(f"/proc/{pid}/maps") as f:
        return sum(1 for line in f if files.ARENA_PREFIX in line)


def pattern(shape, dtype=np.float32, salt=0) -> np.ndarray:
    """A deterministic input with positive, negative and zero cells."""
    n = int(np.prod(shape))
    return ((np.arange(n, dtype=np.float64) * 7919 + salt * 104729) % 2001 - 1000).reshape(shape).astype(dtype) / 37


def jvm_probe(gw, name: str):
    """``bigdlreg.interop.Probes.<name>()`` in ``gw``'s JVM, through py4j's JVM view."""
    return getattr(gw.java_gateway.jvm.bigdlreg.interop.Probes, name)()


def jvm_config(layer):
    """The jvm backend's configuration behind ``layer`` (its current parameters)."""
    return layer._config(layer._params)


@contextlib.contextmanager
def bridge_calls(gw):
    """The names of the bridge methods called on ``gw`` inside the block
    (over py4j or, forwards and backwards, the call socket)."""
    calls: list = []
    real_call, real_compute = gw.call, gw.compute

    def call(method, *args):
        calls.append(method)
        return real_call(method, *args)

    def compute(method, *args):
        calls.append(method)
        return real_compute(method, *args)

    gw.call, gw.compute = call, compute
    try:
        yield calls
    finally:
        del gw.call, gw.compute


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@contextlib.contextmanager
def dedicated_gateway(**env):
    """A JVM started with ``env`` set (``None`` removes a variable) for the
    duration of the block; before and after, the process-wide gateway is shut
    down so no other test sees that environment. Layers made before are
    re-configured on it transparently."""
    saved = {k: os.environ.get(k) for k in env}
    gateway.shutdown()
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = str(v)
        yield
    finally:
        gateway.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def local_spark(app: str):
    """A ``local[2]`` SparkSession on loopback with our jars (``bigdl_reg.spark.configure``)."""
    from pyspark.sql import SparkSession

    import bigdl_reg.spark as bs

    builder = (SparkSession.builder.master("local[2]").appName(f"bigdl-reg {app}")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1"))
    session = bs.configure(builder).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
