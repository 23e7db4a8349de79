"""Faults injected into the jvm backend, each checked for the same five things:

1. a clear Python error naming the cause (never a raw py4j traceback),
2. no hang (every wait in the backend has a deadline; these tests use small ones),
3. the caller's arrays intact,
4. no orphan JVM and no leftover shared-memory or temp files,
5. the next call works, with the bytes the numpy backend gives, once the cause is gone.

Faults: the JVM SIGKILLed during and between calls; the JVM failing to start
(no java, a corrupt jar, a missing jar or classpath file, a port it cannot
bind); the shared-memory directory unavailable or full (arenas fall back to
the temp dir; both full is a MemoryError); this Python process killed inside
the window where an arena file exists (the start-up sweep removes it).
Elsewhere: Python killed (SIGKILL, SIGTERM, exit, during a call) in
test_jvm_lifecycle.py::test_no_jvm_or_shared_memory_left_after_the_interpreter_ends,
the JVM hung past its call deadline in test_jvm_lifecycle.py, the JVM out of
heap in test_jvm_large.py.
"""
from __future__ import annotations

import errno
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import numpy as np
import pytest

from bigdl_reg.backends.jvm import files, gateway, java, shm
from bigdl_reg.backends.jvm.errors import JVMError
from bigdl_reg.nn import Dropout, GaussianDropout, SpatialDropout2D
from jvm_support import (
    dedicated_gateway,
    java_children,
    jvm_probe,
    leftover_files,
    pattern,
    subprocess_env,
    wait_gone,
    wait_state,
)

pytestmark = pytest.mark.jvm

def _pair(cls, *args, seed, **kw):
    return cls(*args, seed=seed, backend="jvm", **kw), cls(*args, seed=seed, backend="numpy", **kw)


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def _clear(err: BaseException, *causes: str) -> str:
    """The error's text names every cause and carries no py4j internals."""
    msg = str(err)
    for cause in causes:
        assert cause in msg, msg
    assert "Traceback" not in msg and "py4j.protocol" not in msg and "Py4J" not in msg, msg
    assert err.__cause__ is None, "no chained py4j error"
    assert err.__context__ is None or err.__suppress_context__, "raised `from None`"
    return msg


def _no_leftovers() -> None:
    assert java_children() == ([gateway.current_gateway().pid] if gateway.current_gateway() else [])
    assert leftover_files(os.getpid()) == []


# ------------------------------------------------------------ the JVM killed


def test_jvm_sigkilled_during_a_call():
    jl, nl = _pair(Dropout, 0.4, seed=101, inplace=True)
    x = pattern((512, 1024), salt=1)
    _same(jl.forward(x.copy()), nl.forward(x.copy()))  # warm: the arena is sized
    pid = gateway.get_gateway().pid
    os.kill(pid, signal.SIGSTOP)  # the next call is sure to be in flight when the kill lands
    wait_state(pid, "T")
    caller = x.copy()
    outcome = {}

    def call():
        try:
            jl.forward(caller)
        except BaseException as e:  # noqa: BLE001 - checked below
            outcome["error"] = e

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.3)
    assert t.is_alive()  # blocked on the stopped JVM
    os.kill(pid, signal.SIGKILL)
    t.join(30)
    assert not t.is_alive(), "the call must return once the JVM is dead"
    msg = _clear(outcome.get("error"), f"pid {pid}", "SIGKILL", "the next call starts a new JVM")
    assert isinstance(outcome["error"], JVMError), msg
    assert caller.tobytes() == x.tobytes()  # in-place layer: the caller's array is untouched
    assert wait_gone(pid)
    assert leftover_files(os.getpid()) == []
    # the killed call had no effect: the next forward is the numpy backend's second one
    _same(jl.forward(caller), nl.forward(x.copy()))
    _same(jl.backward(x, x), nl.backward(x, x))
    assert gateway.get_gateway().pid != pid
    _no_leftovers()


def test_jvm_sigkilled_between_calls():
    jl, nl = _pair(SpatialDropout2D, 0.3, seed=202, data_format="NHWC", bigdl_type="double")
    x = pattern((2, 5, 6, 4), np.float64, salt=2)
    _same(jl.forward(x), nl.forward(x))
    gw = gateway.get_gateway()
    pid = gw.pid
    os.kill(pid, signal.SIGKILL)
    gw.proc.wait(timeout=15)
    grad = pattern(x.shape, np.float64, salt=3)
    before = (x.tobytes(), grad.tobytes())
    with pytest.raises(JVMError) as info:
        jl.backward(x, grad)
    _clear(info.value, f"pid {pid}", "SIGKILL")
    assert (x.tobytes(), grad.tobytes()) == before
    # the backward of the forward made before the crash, on a new JVM
    _same(jl.backward(x, grad), nl.backward(x, grad))
    _same(jl.forward(x), nl.forward(x))
    _no_leftovers()


# ------------------------------------------------------- the JVM cannot start


def _cannot_start(*causes: str, **env) -> None:
    """Starting a JVM under ``env`` fails with a JVMError naming ``causes``,
    leaves no java process and no file; then the JVM starts again."""
    x = pattern((3, 40), salt=4)
    keep = x.copy()
    with dedicated_gateway(**env):
        t0 = time.monotonic()
        with pytest.raises(JVMError) as info:
            GaussianDropout(0.2, seed=7, backend="jvm").forward(x)
        assert time.monotonic() - t0 < 60
        _clear(info.value, *causes)
        assert gateway.current_gateway() is None
        assert java_children() == []
        assert leftover_files(os.getpid()) == []
        assert x.tobytes() == keep.tobytes()
    jl, nl = _pair(GaussianDropout, 0.2, seed=7)
    _same(jl.forward(x), nl.forward(x))
    _no_leftovers()


def test_a_jvm_failing_on_stdout_is_quoted():
    """HotSpot reports some start-up errors on stdout, not stderr."""
    _cannot_start("could not start", "exited with status 1", "its stdout", "Too small maximum heap",
                  BIGDL_REG_JVM_OPTS="-Xmx1k")


def test_jvm_output_before_the_port_line_is_skipped():
    x = pattern((3, 40), salt=4)
    with dedicated_gateway(BIGDL_REG_JVM_OPTS="-XX:+PrintVMOptions"):
        jl, nl = _pair(GaussianDropout, 0.2, seed=7)
        _same(jl.forward(x), nl.forward(x))
    _no_leftovers()


@pytest.mark.parametrize(
    "env",
    [
        {"BIGDL_REG_JVM_OPTS": "-verbose:gc"},
        {"JAVA_TOOL_OPTIONS": "-Xlog:gc"},
        {"BIGDL_REG_JVM_OPTS": "-Xlog:gc*=debug:stdout -Xlog:safepoint=debug:stderr"},
    ],
    ids=["verbose-gc", "java-tool-options", "xlog-debug"],
)
def test_a_jvm_that_logs_starts_and_keeps_working(env):
    """Issue 15 item 2: the port line is found among whatever the JVM prints,
    and the JVM keeps working while it logs after the handshake (GCs forced)."""
    x = pattern((64, 256), salt=4)
    with dedicated_gateway(BIGDL_REG_JVM_START_TIMEOUT=20, **env):
        t0 = time.monotonic()
        jl, nl = _pair(GaussianDropout, 0.2, seed=7)
        _same(jl.forward(x), nl.forward(x))
        assert time.monotonic() - t0 < 15
        gw = gateway.current_gateway()
        for _ in range(3):
            jvm_probe(gw, "heapUsedAfterGc")
            _same(jl.forward(x), nl.forward(x))
    _no_leftovers()


def _java_wrapper(tmp_path, body: str) -> str:
    """A directory whose ``java`` runs ``body`` (sh); ``$REAL`` is the real java."""
    real = java.find_java()
    d = tmp_path / "bin"
    d.mkdir()
    script = d / "java"
    script.write_text(f"#!/bin/sh\nREAL={real}\n{body}\n")
    script.chmod(0o755)
    return str(d)


def test_the_port_line_after_output_on_the_same_line(tmp_path):
    """Output without a newline before the port line (a log line cut by it)."""
    bin_dir = _java_wrapper(tmp_path, 'printf "[0.001s] noise on stdout "; printf "noise\\n" >&2; exec "$REAL" "$@"')
    x = pattern((3, 40), salt=4)
    with dedicated_gateway(JAVA_HOME=None, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"):
        jl, nl = _pair(GaussianDropout, 0.2, seed=7)
        _same(jl.forward(x), nl.forward(x))
    _no_leftovers()


def test_a_java_that_prints_forever_fails_within_the_start_timeout(tmp_path):
    bin_dir = _java_wrapper(tmp_path, "exec yes 'not a port line'")
    x = pattern((3, 40), salt=4)
    with dedicated_gateway(JAVA_HOME=None, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                           BIGDL_REG_JVM_START_TIMEOUT=2):
        t0 = time.monotonic()
        with pytest.raises(JVMError) as info:
            GaussianDropout(0.2, seed=7, backend="jvm").forward(x)
        assert time.monotonic() - t0 < 2 + _STOP_SLACK
        _clear(info.value, "did not report its port within 2 s", "BIGDL_REG_JVM_START_TIMEOUT", "not a port line")
        assert java_children() == []
        assert leftover_files(os.getpid()) == []


_STOP_SLACK = 1.5  # a failed start is killed at once: only the kill and the reaping remain


@pytest.mark.parametrize("script, says", [
    ("exec sleep 100", "did not report its port within 2 s"),                  # silent, never exits
    ("exec 1>&-; exec sleep 100", "java closed its stdout"),                    # closes stdout, never exits
])
def test_a_java_that_never_starts_fails_within_the_start_timeout(tmp_path, script, says):
    # issue 15 item 9: a fake java used to fail after 7-15 s whatever the start timeout
    bin_dir = _java_wrapper(tmp_path, script)
    with dedicated_gateway(JAVA_HOME=None, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                           BIGDL_REG_JVM_START_TIMEOUT=2):
        t0 = time.monotonic()
        with pytest.raises(JVMError) as info:
            Dropout(0.5, seed=7, backend="jvm").forward(np.ones(4, np.float32))
        assert time.monotonic() - t0 < 2 + _STOP_SLACK
        assert says in str(info.value)
        assert java_children() == []
        assert leftover_files(os.getpid()) == []


# --------------------------------------------- bad environment variables (item 4)


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("BIGDL_REG_JVM_OPTS", "-Xmx1g '-Dx=unbalanced", "No closing quotation"),
        ("BIGDL_REG_JVM_OPTS", "-Dx=a\\", "No escaped character"),
        *[("BIGDL_REG_JVM_CALL_TIMEOUT", v, "number of seconds") for v in ("inf", "nan", "-1", "0", "abc", "1e400")],
        *[("BIGDL_REG_JVM_START_TIMEOUT", v, "number of seconds") for v in ("inf", "-inf", "NaN", "-5", "x1")],
    ],
)
def test_a_bad_environment_variable_is_named_with_its_value(monkeypatch, name, value, words):
    with monkeypatch.context() as m:
        m.setenv(name, value)
        problem = java.find_problem()
    assert problem is not None and name in problem and repr(value) in problem and words in problem, problem
    _cannot_start(name, repr(value), words, **{name: value})


def test_a_bad_environment_variable_makes_auto_warn_and_use_numpy(monkeypatch):
    from bigdl_reg import backends

    monkeypatch.setenv("BIGDL_REG_JVM_CALL_TIMEOUT", "inf")
    with pytest.warns(RuntimeWarning, match="BIGDL_REG_JVM_CALL_TIMEOUT must be a number of seconds.*'inf'"):
        assert backends.get_backend("auto").name == "numpy"


def test_no_java_on_path(tmp_path):
    _cannot_start("Java not found", "PATH", "JAVA_HOME", PATH=str(tmp_path), JAVA_HOME=None)


def test_java_home_without_java_falls_back_to_path_then_fails(tmp_path):
    _cannot_start("Java not found", "JAVA_HOME/bin/java and PATH", PATH=str(tmp_path), JAVA_HOME=str(tmp_path))


def _classpath_copy(tmp_path, replace):
    """A copy of the gateway's classpath file with the bigdl-reg interop jar
    replaced by ``replace(original, copy_path)``; returns (file, bad jar)."""
    entries = java.read_classpath()
    interop = next(e for e in entries if "interop" in os.path.basename(e))
    bad = tmp_path / os.path.basename(interop)
    replace(interop, bad)
    cp = tmp_path / "classpath.txt"
    cp.write_text("\n".join(str(bad) if e == interop else e for e in entries) + "\n")
    return cp, bad


def test_truncated_jar(tmp_path):
    def truncate(src, dst):
        data = open(src, "rb").read()
        dst.write_bytes(data[: len(data) // 2])

    cp, bad = _classpath_copy(tmp_path, truncate)
    _cannot_start("corrupt jar", str(bad), "bin/setup", **{java.CLASSPATH_ENV: str(cp)})


def test_jar_with_a_damaged_class(tmp_path):
    """A jar whose directory is intact but whose entries are garbage gets past
    the zip check: java's own words (and its exit status) reach the user."""

    def damage(src, dst):
        data = bytearray(open(src, "rb").read())
        cut = len(data) * 3 // 4  # the central directory sits at the end
        data[:cut] = bytes(cut)
        dst.write_bytes(bytes(data))

    cp, _ = _classpath_copy(tmp_path, damage)
    _cannot_start(
        "could not start",
        "java exited with status 1",
        f"the jars named by {cp} do not provide bigdlreg.interop.GatewayMain: one is damaged",
        "bin/setup",
        **{java.CLASSPATH_ENV: str(cp)},
    )


def test_missing_jar(tmp_path):
    cp, bad = _classpath_copy(tmp_path, lambda src, dst: None)
    _cannot_start("missing jar", str(bad), **{java.CLASSPATH_ENV: str(cp)})


def test_missing_classpath_file(tmp_path):
    missing = tmp_path / "nope" / "classpath.txt"
    _cannot_start("does not exist", str(missing), "bin/setup", **{java.CLASSPATH_ENV: str(missing)})


def _bad_classpath_files(tmp_path):
    """Classpath files that are not one (issue 15 item 3), with what the error says."""
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes(range(256)) * 4)
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)  # opening it for reading would block forever
    foreign = tmp_path / "foreign.jar"
    import zipfile

    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("org/example/Other.class", b"\xca\xfe\xba\xbe")
    only_foreign = tmp_path / "foreign-classpath.txt"
    only_foreign.write_text(f"{foreign}\n")
    return [
        (garbage, "not UTF-8 text"),
        (fifo, "not a regular file"),
        (only_foreign, f"the jars named by {only_foreign} do not provide bigdlreg.interop.GatewayMain"),
    ]


@pytest.mark.parametrize("case", [0, 1, 2], ids=["non-utf8", "fifo", "zip-without-our-classes"])
def test_a_bad_classpath_file_names_the_file_and_the_fix(tmp_path, monkeypatch, case):
    from bigdl_reg import backends

    cp, words = _bad_classpath_files(tmp_path)[case]
    _cannot_start(str(cp), words, "bin/setup", 'backend="numpy"', **{java.CLASSPATH_ENV: str(cp)})
    with monkeypatch.context() as m:
        m.setenv(java.CLASSPATH_ENV, str(cp))
        gateway.shutdown()  # a running JVM is used whatever the file says now
        with pytest.warns(RuntimeWarning, match=f'(?s)backend "auto" uses numpy: .*{re.escape(words)}'):
            assert backends.get_backend("auto").name == "numpy"
        r = subprocess.run([sys.executable, "-m", "bigdl_reg", "info"], env=subprocess_env(), capture_output=True,
                           text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert words in r.stdout + r.stderr, r.stdout + r.stderr  # the warning of "auto" is on stderr
    assert re.search(r'^backend "auto" resolves to\s+numpy$', r.stdout, re.M), r.stdout


def test_port_that_cannot_be_bound():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        _cannot_start(
            "could not start",
            "exited with status 3",
            f"cannot bind port {port} on 127.0.0.1",
            BIGDL_REG_GATEWAY_TEST_PORT=port,
        )


def test_a_call_socket_that_cannot_be_bound(monkeypatch):
    x = pattern((3, 40), salt=4)
    with dedicated_gateway(), monkeypatch.context() as m:
        m.setattr(files, "SOCKET_PREFIX", "no-such-dir/" + files.SOCKET_PREFIX)  # a path in a missing directory
        with pytest.raises(JVMError) as info:
            GaussianDropout(0.2, seed=7, backend="jvm").forward(x)
        _clear(info.value, "could not start", "exited with status 3", "cannot bind the call socket",
               os.path.join(tempfile.gettempdir(), "no-such-dir", ""))
        assert gateway.current_gateway() is None and java_children() == []
    jl, nl = _pair(GaussianDropout, 0.2, seed=7)  # and the next start, with a good path, works
    _same(jl.forward(x), nl.forward(x))
    _no_leftovers()


# ------------------------------------------------------- shared memory


def _arena_dir_of_next_call(layer, x) -> str:
    """Forces a new arena, runs a forward, and tells which directory the
    JVM mapped the arena file from (its /proc maps show the unlinked path)."""
    shm.release_thread_arena()
    y = layer.forward(x)
    gw, arena = gateway.get_gateway(), shm._local.arena
    name = f"{files.ARENA_PREFIX}{os.getpid()}-{gw.generation}-{arena.id}-"
    with open(f"/proc/{gw.pid}/maps") as f:
        paths = {line.split(None, 5)[5].strip() for line in f if name in line}
    assert len(paths) == 1, paths
    return os.path.dirname(paths.pop()), y


@pytest.mark.parametrize("how", ["missing", "a file"])
def test_shared_memory_dir_unavailable_falls_back_to_the_temp_dir(tmp_path, monkeypatch, how):
    jl, nl = _pair(Dropout, 0.5, seed=303)
    x = pattern((64, 33), salt=5)
    target = tmp_path / "shm"
    if how == "a file":
        target.write_text("not a directory")
    monkeypatch.setenv(files.SHM_DIR_ENV, str(target))
    where, y = _arena_dir_of_next_call(jl, x)
    assert where == tempfile.gettempdir()
    _same(y, nl.forward(x))
    assert leftover_files(os.getpid()) == []
    monkeypatch.undo()
    where, y = _arena_dir_of_next_call(jl, x)
    assert where == files.arena_dirs()[0]
    _same(y, nl.forward(x))


def test_a_relative_shared_memory_dir_keeps_naming_the_same_dir_after_chdir(tmp_path, monkeypatch):
    # issue 15 item 9: it was resolved again at every arena, against the new working directory
    jl, nl = _pair(Dropout, 0.5, seed=304)
    x = pattern((64, 35), salt=6)
    (tmp_path / "shm").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(files.SHM_DIR_ENV, "shm")
    where, y = _arena_dir_of_next_call(jl, x)
    assert where == str(tmp_path / "shm")
    _same(y, nl.forward(x))
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert files.arena_dirs()[0] == str(tmp_path / "shm")
    where, y = _arena_dir_of_next_call(jl, pattern((4096, 41), salt=6))
    assert where == str(tmp_path / "shm")
    assert not (tmp_path / "elsewhere" / "shm").exists()
    assert leftover_files(os.getpid()) == []


def test_a_jvm_crash_report_goes_with_the_jvm_files_and_the_error_names_it(tmp_path, monkeypatch):
    # issue 15 item 9: hs_err_pid*.log landed in the user's working directory, unmentioned
    monkeypatch.chdir(tmp_path)
    with dedicated_gateway(BIGDL_REG_JVM_OPTS="-Xmx32m -XX:+CrashOnOutOfMemoryError -XX:-CreateCoredumpOnCrash"):
        with pytest.raises(JVMError) as info:
            Dropout(0.5, seed=1, backend="jvm").forward(np.ones((16, 1024, 1024), np.float32))
    found = re.search(r"the JVM wrote a crash report: (\S+)", str(info.value))
    assert found, str(info.value)
    report = found.group(1)
    try:
        assert os.path.dirname(report) == tempfile.gettempdir()
        assert os.path.basename(report).startswith(f"{files.CRASH_PREFIX}{os.getpid()}-")
        with open(report) as f:
            assert "OutOfMemoryError" in f.read()
        assert os.listdir(tmp_path) == []
    finally:
        os.unlink(report)


def _full(dirs):
    """A stand-in for shm._reserve that fails like a full tmpfs in ``dirs``."""
    real = shm._reserve

    def reserve(fd, size):
        if os.path.dirname(os.readlink(f"/proc/self/fd/{fd}")) in dirs:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, size)

    return reserve


def test_shared_memory_full_falls_back_to_the_temp_dir(monkeypatch):
    jl, nl = _pair(Dropout, 0.25, seed=404, bigdl_type="double")
    x = pattern((1000,), np.float64, salt=6)
    monkeypatch.setattr(shm, "_reserve", _full({"/dev/shm"}))
    where, y = _arena_dir_of_next_call(jl, x)
    assert where == tempfile.gettempdir()
    _same(y, nl.forward(x))
    assert leftover_files(os.getpid()) == []


@pytest.mark.parametrize("shm_dir", ["full", "missing"])
def test_no_room_anywhere_is_a_memory_error_and_the_layer_is_unchanged(monkeypatch, tmp_path, shm_dir):
    jl, nl = _pair(Dropout, 0.25, seed=505, inplace=True)
    x = pattern((2000,), salt=7)
    _same(jl.forward(x.copy()), nl.forward(x.copy()))
    shm.release_thread_arena()
    if shm_dir == "missing":
        monkeypatch.setenv(files.SHM_DIR_ENV, str(tmp_path / "missing"))
    monkeypatch.setattr(shm, "_reserve", _full(set(files.arena_dirs())))
    caller = x.copy()
    with pytest.raises(MemoryError) as info:
        jl.forward(caller)
    msg = str(info.value)
    first, temp = files.arena_dirs()
    assert f"{temp}: No space left on device" in msg, msg
    assert f"{first}: " + ("No space left on device" if shm_dir == "full" else "No such file or directory") in msg, msg
    assert files.SHM_DIR_ENV in msg and 'backend="numpy"' in msg
    assert caller.tobytes() == x.tobytes() and jl.step == 1
    assert leftover_files(os.getpid()) == []
    monkeypatch.undo()
    _same(jl.forward(caller), nl.forward(x.copy()))  # the failed call had no effect
    _no_leftovers()


def test_arena_memory_is_reserved_not_sparse():
    """On tmpfs a sparse file would turn a full /dev/shm into a SIGBUS when
    the mapping is written; the arena's pages are reserved at creation."""
    fd, path = tempfile.mkstemp(dir="/dev/shm", prefix=f"{files.ARENA_PREFIX}{os.getpid()}-test-")
    try:
        shm._reserve(fd, 4 << 20)
        st = os.fstat(fd)
        assert st.st_size == 4 << 20 and st.st_blocks * 512 >= 4 << 20
    finally:
        os.close(fd)
        os.unlink(path)


# ------------------------------------------------------- Python killed


_KILLED_IN_ATTACH = textwrap.dedent(
    """
    import os, signal
    import numpy as np
    from bigdl_reg.nn import Dropout
    from bigdl_reg.backends.jvm import gateway
    layer = Dropout(0.5, seed=1, backend="jvm")
    gw = gateway.get_gateway()
    print(gw.pid, flush=True)
    real = gw.call
    def call(method, *args):
        if method == "attach":  # the arena file exists and is not unlinked yet
            os.kill(os.getpid(), signal.SIGKILL)
        return real(method, *args)
    gw.call = call
    layer.forward(np.ones(10, np.float32))
    """
)


def test_python_killed_holding_an_arena_file_is_swept_at_the_next_start():
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IN_ATTACH], env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    assert wait_gone(int(out.split()[0]))
    stale = leftover_files(proc.pid)
    assert len(stale) == 1 and os.path.basename(stale[0]).startswith(files.ARENA_PREFIX), stale
    # a stale JVM log of another dead process, and a live process's arena, beside it
    dead_log = os.path.join(tempfile.gettempdir(), f"{files.LOG_PREFIX}{proc.pid}-x.log")
    open(dead_log, "w").close()
    dead_socket = os.path.join(tempfile.gettempdir(), f"{files.SOCKET_PREFIX}{proc.pid}-1-x.sock")  # its JVM was killed
    open(dead_socket, "w").close()
    live = os.path.join(files.arena_dirs()[0], f"{files.ARENA_PREFIX}{os.getppid()}-0-0-live")
    open(live, "w").close()
    try:
        with dedicated_gateway():
            files._swept_in = None  # as in a new process
            Dropout(0.5, seed=1, backend="jvm").forward(np.ones(10, np.float32))
            assert leftover_files(proc.pid) == []
            assert os.path.exists(live)  # its process runs: not ours to remove
    finally:
        os.unlink(live)
