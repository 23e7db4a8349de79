"""The JVM behind the ``jvm`` backend: one py4j gateway per Python process.

Life cycle:

* started lazily by the first call that needs it, under a lock, so concurrent
  first uses start exactly one JVM (the command: :mod:`.java`);
* the JVM runs in its own session (a Ctrl-C in the terminal reaches Python,
  not the JVM) with stdin and stdout pipes and stderr sent to a temporary log
  file; a fresh random token travels in its environment
  (``BIGDL_REG_GATEWAY_TOKEN``), never on the command line; the JVM prints
  ``BIGDL_REG_GATEWAY_PORT <port>``, which is read with a deadline while the
  process is polled for early death;
* the JVM exits when its stdin closes or when this process ends (its pid is in
  ``BIGDL_REG_GATEWAY_OWNER_PID``), so it never outlives this process, even
  after ``kill -9`` and whatever its children hold; at interpreter exit :func:`shutdown` closes the
  connections and stdin, waits and kills if needed, and deletes the log;
* a JVM that dies (crash, OOM kill, ``kill``) is noticed by the next call,
  which raises :class:`~.errors.JVMError` naming the exit status and the tail
  of the JVM's stderr; the gateway is then discarded and the following call
  starts a fresh JVM (:mod:`.module` re-creates the configurations there);
* a forked child never uses its parent's JVM: it starts its own, and closes
  its copies of the parent's JVM pipes;
* forwards and backwards go over the JVM's call socket
  (``BIGDL_REG_CALL_SOCKET``, :meth:`Gateway.compute`), one binary frame each
  way on a connection per thread; everything else over py4j.

Every wait has a deadline: start-up (``BIGDL_REG_JVM_START_TIMEOUT``, 30 s),
each call (``BIGDL_REG_JVM_CALL_TIMEOUT``, 600 s: a JVM that does not answer is
treated as hung, killed and replaced), shutdown (5 s, then SIGKILL).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import selectors
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import weakref
from typing import BinaryIO, List, Optional, Tuple

from py4j import protocol
from py4j.java_gateway import GatewayParameters, JavaClass, JavaGateway
from py4j.protocol import Py4JError, Py4JJavaError, Py4JNetworkError

from . import errors, files, java, shm
from .errors import JVMError

#: Must equal ``Bridge.ProtocolVersion`` in scala/interop (checked at start-up).
PROTOCOL_VERSION = 8

TOKEN_ENV = "BIGDL_REG_GATEWAY_TOKEN"
OWNER_PID_ENV = "BIGDL_REG_GATEWAY_OWNER_PID"  # the JVM also exits when this process ends
START_TIMEOUT_ENV = java.START_TIMEOUT_ENV
CALL_TIMEOUT_ENV = java.CALL_TIMEOUT_ENV
PORT_PREFIX = "BIGDL_REG_GATEWAY_PORT "
CALL_SOCKET_ENV = "BIGDL_REG_CALL_SOCKET"  # where the JVM serves forwards and backwards (CallSocket.scala)

# a call on the call socket: op, handle, seed, step, training, batch offset, arena id (then the shape)
_CALL = struct.Struct("<BiqqBqi")
_OPS = {"forward": 1, "backward": 2}
_MAX_SOCKET_PATH = 100  # sun_path holds 104-108 bytes, depending on the system

_STOP_TIMEOUT = 5.0  # seconds for the JVM to exit after its stdin closes
_DEATH_WAIT = 3.0  # after a broken connection, how long to wait for the exit status
_LOG_TAIL_BYTES = 4000


def _port_line(data: bytes) -> Optional[str]:
    """GatewayMain's port line in ``data``, once complete. The JVM's own output
    (``-verbose:gc``, ``-Xlog``, ``JAVA_TOOL_OPTIONS``) shares stdout and may
    come before it, after it, or in front of it on the same line."""
    lines = data.decode("utf-8", "replace").split("\n")[:-1]
    return next((line[line.index(PORT_PREFIX):].strip() for line in lines if PORT_PREFIX in line), None)


def _stdout(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return f"\nits stdout:\n{text[-_LOG_TAIL_BYTES:]}" if text else ""


def _field(text: str) -> bytes:
    """A call-socket text field: u16 length, UTF-8 bytes."""
    data = text.encode()
    return struct.pack("<H", len(data)) + data


def _read(conn: socket.socket, n: int) -> bytes:
    """Exactly ``n`` bytes from ``conn``; ``ConnectionError`` at end of stream."""
    data = bytearray()
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the JVM closed the call socket")
        data += chunk
    return bytes(data)


class _Connection:
    """A thread's connection to the call socket: closed when the thread ends
    (its ``threading.local`` lets go of it), so the JVM's thread serving it ends
    too, and by :meth:`Gateway.close`."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock

    def close(self) -> None:
        self.socket.close()

    def __del__(self) -> None:
        self.socket.close()


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the JVM's whole process group (its own session): a ``java``
    wrapper script that does not ``exec`` takes its real JVM with it."""
    if proc.poll() is not None:
        return  # reaped: its pid (and group id) may belong to someone else now
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()


class Gateway:
    """One JVM process and its py4j connection. Use :func:`get_gateway`."""

    _generations = itertools.count(1)

    def _init_state(self) -> None:
        self.generation = next(Gateway._generations)
        self.owner_pid = os.getpid()
        self.dead = False
        self.death: Optional[str] = None
        self.arena_ids = itertools.count(1)
        self.pending_detach: List[int] = []  # arena ids dropped by finalizers
        self.pending_release: List[int] = []  # module handles dropped by finalizers
        self.free_segments: list = []  # shm.Segment: result memory no array uses, for reuse
        self.live_segments = 0  # shm.Segments not released (in use or free)
        self._close_lock = threading.Lock()
        self.proc: Optional[subprocess.Popen] = None
        self.java_gateway: Optional[JavaGateway] = None
        self.log_path: Optional[str] = None
        self._log: Optional[BinaryIO] = None  # read side of the JVM's stderr file
        self.call_timeout = java.call_timeout()
        self._crash_glob = ""  # where a JVM we started writes its crash report (none for an attached one)
        self.call_socket_path: Optional[str] = None  # None: every call goes over py4j
        self._token = ""
        self._calls = threading.local()  # this thread's connection to the call socket
        self._connections: "weakref.WeakSet[_Connection]" = weakref.WeakSet()  # closed by close()

    def __init__(self) -> None:
        self._init_state()
        # HotSpot writes hs_err_pid<N>.log into the working directory unless told where
        self._crash_glob = os.path.join(
            tempfile.gettempdir(), f"{files.CRASH_PREFIX}{os.getpid()}-{self.generation}-*.log")
        command = java.command(self._crash_glob.replace("*", "%p"))
        start_timeout = java.start_timeout()
        token = self._token = os.urandom(32).hex()
        env = {**os.environ, TOKEN_ENV: token, OWNER_PID_ENV: str(os.getpid())}
        env.pop(CALL_SOCKET_ENV, None)
        path = os.path.join(tempfile.gettempdir(),
                            f"{files.SOCKET_PREFIX}{os.getpid()}-{self.generation}-{os.urandom(4).hex()}.sock")
        if hasattr(socket, "AF_UNIX") and len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
            self.call_socket_path = env[CALL_SOCKET_ENV] = path

        # The JVM's stderr goes to a temp file that is unlinked as soon as the
        # JVM has it open; this process keeps a descriptor to read its tail,
        # so nothing is left behind even if both processes are killed.
        files.stale_sweep_once()
        fd, self.log_path = tempfile.mkstemp(prefix=f"{files.LOG_PREFIX}{os.getpid()}-", suffix=".log")
        try:
            with os.fdopen(fd, "wb") as log:
                self.proc = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    env=env,
                    close_fds=True,
                    start_new_session=True,
                )
            self._log = open(self.log_path, "rb")
            try:
                os.unlink(self.log_path)
                self.log_path = None
            except OSError:  # not POSIX: deleted by close()
                pass
            self.port = self._read_port(start_timeout)
            self.java_gateway = JavaGateway(
                gateway_parameters=GatewayParameters(
                    address="127.0.0.1",
                    port=self.port,
                    auth_token=token,
                    auto_convert=False,
                    auto_field=False,
                    read_timeout=self.call_timeout,
                )
            )
            self.bridge = self.java_gateway.entry_point
            self._check_protocol()
        except BaseException:
            self.close(kill=True)  # never usable: no grace period (a start timeout is the whole wait)
            raise

    def _check_protocol(self) -> None:
        remote = self.call("protocolVersion")
        if remote != PROTOCOL_VERSION:
            raise JVMError(
                f"the gateway jar speaks bridge protocol {remote}, this Python package "
                f"speaks {PROTOCOL_VERSION}: the jar is stale; rebuild it with "
                "`bin/sbt interop/writeClasspath` (or `bin/setup`)"
            )
        self.jvm_version = self.call("version")

    # -- start-up

    def _read_port(self, timeout: float) -> int:
        """The port GatewayMain prints. Other lines on stdout come from the JVM
        itself (options such as ``-XX:+PrintVMOptions``, and the start-up
        errors HotSpot reports there): a failure quotes them."""
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        deadline = time.monotonic() + timeout
        data = b""
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while (line := _port_line(data)) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise JVMError(
                        f"the JVM (pid {proc.pid}) did not report its port within {timeout:g} s "
                        f"(raise {START_TIMEOUT_ENV} if the machine is very slow){self._log_tail()}{_stdout(data)}"
                    )
                if sel.select(min(remaining, 0.1)):
                    chunk = os.read(proc.stdout.fileno(), 4096)
                    if not chunk:  # stdout closed: the JVM is exiting (wait for its status, within the deadline)
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            proc.wait(timeout=max(0.0, min(deadline - time.monotonic(), _DEATH_WAIT)))
                        raise self._start_failure(data)
                    data += chunk
                elif proc.poll() is not None:
                    raise self._start_failure(data)
        # nothing else is read from stdout (GatewayMain sends later output to stderr)
        proc.stdout.close()
        try:
            return int(line[len(PORT_PREFIX):])
        except ValueError:
            raise JVMError(f"unexpected port line from the gateway JVM: {line!r}") from None

    def _start_failure(self, stdout: bytes) -> JVMError:
        code = self.proc.poll() if self.proc else None
        what = errors.describe_exit(code) if code is not None else "closed its stdout"
        tail = self._log_tail()
        hint = java.damaged_classpath_hint(tail)
        report = self._crash_report()
        return JVMError(f"the JVM backend could not start: java {what}{tail}{hint}{_stdout(stdout)}{report}")

    def _crash_report(self) -> str:
        """Where the JVM's crash report is, when it wrote one."""
        reports = sorted(glob.glob(self._crash_glob))
        return f"\nthe JVM wrote a crash report: {', '.join(reports)}" if reports else ""

    def _log_tail(self) -> str:
        f = self._log
        if f is None:
            return ""
        try:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - _LOG_TAIL_BYTES))
            tail = f.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):  # closed by another thread
            return ""
        if not tail:
            return "; its stderr was empty"
        if size > _LOG_TAIL_BYTES:
            tail = "..." + tail
        return "; its stderr ends with:\n" + tail

    # -- calls

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    @property
    def who(self) -> str:
        """How messages name this JVM."""
        return f"the bigdl-reg JVM (pid {self.pid})"

    def usable(self) -> bool:
        return not self.dead and self.owner_pid == os.getpid()

    def call(self, method: str, *args):
        """Calls ``Bridge.<method>(*args)``, translating every failure."""
        if self.dead:
            raise JVMError(self.death or "the bigdl-reg JVM is gone")
        errors.in_call.active = True
        started = time.monotonic()
        try:
            return self._invoke(method, args)
        except Py4JJavaError as e:
            try:
                error = errors.from_java(e)
            except Py4JError as inner:  # the JVM went away while we asked it
                error = self._failure(inner)
            raise error from None
        except Py4JError as e:
            raise self._failure(e, time.monotonic() - started) from None
        except AttributeError as e:
            # py4j 0.10.9.9 handles a Ctrl-C during a call by calling
            # GatewayConnection.shutdown_socket, which only its ClientServer
            # connections have: give the user their KeyboardInterrupt back
            if isinstance(e.__context__, KeyboardInterrupt) and "shutdown_socket" in str(e):
                raise KeyboardInterrupt from None
            raise
        finally:
            errors.in_call.active = False

    def compute(self, method: str, handle: int, state: Tuple[int, int, bool, int], arena_id: int,
                shape: str) -> None:
        """``Bridge.<method>`` (``forward`` or ``backward``) at ``state`` (seed as a
        Java long, step, training, batch offset) of the operand at byte 0 of arena
        ``arena_id``, its result written over it: one binary frame each way
        on this thread's connection to the JVM's call socket (about a third less
        time per call than py4j's round trip), or py4j when there is no call socket
        (an attached JVM, a system without Unix sockets). Failures are those of
        :meth:`call`; an interrupted call drops this thread's connection."""
        if self.call_socket_path is None:
            self.call(method, handle, *state, arena_id, 0, shape, 0)
            return
        if self.dead:
            raise JVMError(self.death or "the bigdl-reg JVM is gone")
        frame = _CALL.pack(_OPS[method], handle, *state, arena_id) + _field(shape)
        started = time.monotonic()
        try:
            conn = self._connection()
            conn.sendall(frame)
            if _read(conn, 1) == b"\0":
                return
            cls = _read(conn, struct.unpack("<H", _read(conn, 2))[0]).decode()
            (length,) = struct.unpack("<i", _read(conn, 4))
            message = None if length < 0 else _read(conn, length).decode("utf-8", "replace")
        except (KeyboardInterrupt, SystemExit):
            self._drop_connection()  # its answer may still come: never read it as another call's
            raise
        except OSError as e:  # the JVM died, hung (socket.timeout) or closed the connection
            self._drop_connection()
            broken = Py4JNetworkError(f"the call socket failed: {e}", e)
            raise self._failure(broken, time.monotonic() - started) from None
        raise errors.from_class(cls, message) from None

    def _connection(self) -> socket.socket:
        held = getattr(self._calls, "conn", None)
        if held is None:
            assert self.call_socket_path is not None
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.settimeout(self.call_timeout)
                conn.connect(self.call_socket_path)
                conn.sendall(_field(self._token))
            except BaseException:
                conn.close()
                raise
            held = self._calls.conn = _Connection(conn)
            with self._close_lock:
                self._connections.add(held)
        return held.socket

    def _drop_connection(self) -> None:
        held, self._calls.conn = getattr(self._calls, "conn", None), None
        if held is not None:
            held.close()

    def _invoke(self, method: str, args: tuple):
        """py4j's call command, sent as its ``JavaMember`` sends it but read
        with py4j's own ``get_return_value``: PySpark replaces the one
        ``JavaMember`` uses by one that asks Spark's JVM about every Java
        exception, whichever JVM threw it."""
        client = self.java_gateway._gateway_client  # type: ignore[union-attr]
        target = self.bridge._target_id
        command = "".join(
            (protocol.CALL_COMMAND_NAME, target, "\n", method, "\n", *map(protocol.get_command_part, args),
             protocol.END_COMMAND_PART)
        )
        return protocol.get_return_value(client.send_command(command), client, target, method)

    def _failure(self, e: Py4JError, elapsed: float = 0.0) -> JVMError:
        """A py4j error that is not a Java exception: the JVM died, hung, or the
        connection broke. Discards this gateway unless the JVM is healthy."""
        proc = self.proc
        code = proc.poll() if proc else None
        networkish = isinstance(e, Py4JNetworkError) or "Trace:" not in str(e)
        cause = getattr(e, "cause", None)
        timed_out = elapsed >= 0.95 * self.call_timeout or (cause is not None and "timed out" in str(cause))
        # a broken connection usually means a dying JVM: wait briefly for its exit
        # status; after a timeout the call has already used all its time
        if code is None and networkish and proc is not None and not timed_out:
            try:
                code = proc.wait(timeout=_DEATH_WAIT)
            except subprocess.TimeoutExpired:
                code = None
        if self.dead and self.death:  # another thread already reported it
            return JVMError(self.death)
        if code is not None:
            msg = f"{self.who} {errors.describe_exit(code)}{self._log_tail()}{self._crash_report()}"
            _discard(self, msg)
            return JVMError(msg + "\nthe next call starts a new JVM")
        if networkish:
            if timed_out:
                why = f"did not answer within {self.call_timeout:g} s ({CALL_TIMEOUT_ENV})"
            else:
                why = f"stopped answering ({e})"
            msg = f"{self.who} {why}; it was stopped{self._log_tail()}"
            _discard(self, msg)
            return JVMError(msg + "\nthe next call starts a new JVM")
        text = "\n".join(line for line in str(e).splitlines()[:3] if not line.startswith("\tat "))
        return JVMError(f"py4j error from the bigdl-reg JVM: {text}")

    def flush_pending(self) -> None:
        """Releases handles and arenas whose Python objects were collected."""
        while self.pending_release or self.pending_detach:
            try:
                if self.pending_release:
                    self.call("release", self.pending_release.pop())
                elif self.pending_detach:
                    self.call("detach", self.pending_detach.pop())
            except IndexError:  # another thread emptied the list
                pass

    # -- shutdown

    def close(self, kill: bool = False) -> None:
        """Closes the connection and stops the JVM: stdin EOF, then SIGKILL
        after a few seconds (at once with ``kill``)."""
        with self._close_lock:
            self.dead = True
            if self.death is None:
                self.death = "the bigdl-reg JVM was shut down"
            if self.owner_pid != os.getpid():
                return  # a forked child: the JVM belongs to the parent
            shm.release_free_segments(self)
            for held in list(self._connections):
                held.close()
            jg, self.java_gateway = self.java_gateway, None
            if jg is not None:
                try:
                    jg.close()
                    # Java objects collected later must not try to reach this JVM
                    jg._gateway_client.is_connected = False
                except Exception:
                    pass
            proc = self.proc
            if proc is not None:
                if kill:
                    _kill_group(proc)
                for stream in filter(None, (proc.stdin, proc.stdout)):
                    with contextlib.suppress(Exception):
                        stream.close()
                try:
                    proc.wait(timeout=_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=_STOP_TIMEOUT)
            if self.call_socket_path:  # the JVM deletes it when it exits, unless it was killed
                with contextlib.suppress(OSError):
                    os.unlink(self.call_socket_path)
            log, self._log = self._log, None
            if log is not None:
                log.close()
            if self.log_path:
                with contextlib.suppress(OSError):
                    os.unlink(self.log_path)
                self.log_path = None


class AttachedGateway(Gateway):
    """The bridge inside a JVM this process did not start -- PySpark's driver,
    as BigDL's Python uses it -- reached through that JVM's own py4j gateway,
    which must have our jars on its classpath. Closing it never stops that JVM
    or its gateway: the JVM belongs to whoever started it."""

    def __init__(self, java_gateway) -> None:
        self._init_state()
        bridge_class = java_gateway.jvm.bigdlreg.interop.Bridge
        if not isinstance(bridge_class, JavaClass):  # py4j's JavaPackage: the class is missing
            raise JVMError(
                "bigdl-reg's jars are not on the classpath of the JVM behind this py4j gateway "
                "(no class bigdlreg.interop.Bridge); for Spark, build the session with "
                "bigdl_reg.spark.configure(builder)"
            )
        self.java_gateway = java_gateway
        self.bridge = bridge_class()
        self._check_protocol()

    @property
    def who(self) -> str:
        return "the attached JVM (another library's py4j gateway, e.g. PySpark's)"

    def close(self, kill: bool = False) -> None:
        with self._close_lock:
            self.dead = True
            if self.death is None:
                self.death = "the bigdl-reg bridge in the attached JVM was released"
            self.java_gateway = None


# ------------------------------------------------------- the process-wide one

_lock = threading.RLock()
_gateway: Optional[Gateway] = None


def current_gateway() -> Optional[Gateway]:
    """The running gateway, if any (never starts one)."""
    gw = _gateway
    return gw if gw is not None and gw.usable() else None


def get_gateway() -> Gateway:
    """The process-wide gateway, started on first use (thread-safe)."""
    global _gateway
    gw = _gateway
    if gw is not None and gw.usable():
        return gw
    with _lock:
        gw = _gateway
        if gw is not None and gw.usable():
            return gw
        _gateway = Gateway()
        return _gateway


def attach(java_gateway) -> Gateway:
    """Makes the jvm backend use the JVM behind an existing py4j gateway (e.g.
    ``spark.sparkContext._gateway``, whose JVM has our jars) instead of
    starting one. Layers bound to another JVM are re-created on this one at
    their next call, state included. :func:`shutdown` releases it (that JVM
    keeps running); the next call then starts a JVM of our own."""
    global _gateway
    gw = AttachedGateway(java_gateway)
    with _lock:
        old, _gateway = _gateway, gw
    if old is not None:
        old.close()
    return gw


def _discard(gw: Gateway, reason: str) -> None:
    """Marks ``gw`` dead, stops its process and forgets it."""
    global _gateway
    gw.death = reason
    gw.dead = True
    with _lock:
        if _gateway is gw:
            _gateway = None
    gw.close(kill=True)


def shutdown() -> None:
    """Stops the JVM now (the next call starts a new one). Also run at exit."""
    global _gateway
    with _lock:
        gw, _gateway = _gateway, None
    if gw is not None:
        gw.close()


atexit.register(shutdown)


def _after_fork_in_child() -> None:
    # The child must not use (or stop) the parent's JVM; it starts its own.
    global _gateway, _lock
    _lock = threading.RLock()
    gw, _gateway = _gateway, None
    if gw is not None:
        gw.dead = True
        gw.death = "this gateway belongs to the parent process"
        # The child's copy of the JVM's stdin would keep the JVM alive after the
        # parent ends (and make the parent's exit wait for it): close the copies.
        proc = gw.proc
        if proc is not None:
            for stream in filter(None, (proc.stdin, proc.stdout)):
                with contextlib.suppress(Exception):
                    stream.close()
        for held in list(gw._connections):  # this process's copies of the parent's call connections
            held.close()
        _orphans.append(gw)  # never collected, never closed in the child


_orphans: List[Gateway] = []
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
