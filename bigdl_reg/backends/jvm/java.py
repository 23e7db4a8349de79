"""Finding Java and the gateway's jars, and the command that starts the JVM.

``java`` is ``$JAVA_HOME/bin/java``, else the one on PATH. The classpath is
the file ``$BIGDL_REG_CLASSPATH_FILE``, else the checkout's
``scala/interop/target/classpath.txt`` (``bin/sbt interop/writeClasspath``
writes it), one jar a line. ``BIGDL_REG_JVM_OPTS`` adds JVM options (for
example ``-Xmx16g``); without an ``-Xmx`` there the heap may grow to half the
physical memory (``-XX:MaxRAMPercentage=50`` instead of the JVM's quarter: a
call on a tensor of B bytes holds about 3 B in the heap).
"""

from __future__ import annotations

import math
import os
import shlex
import shutil
import stat
import zipfile
from pathlib import Path
from typing import List, Optional

from .errors import JVM_OPTS_ENV, JVMError

CLASSPATH_ENV = "BIGDL_REG_CLASSPATH_FILE"
START_TIMEOUT_ENV = "BIGDL_REG_JVM_START_TIMEOUT"
CALL_TIMEOUT_ENV = "BIGDL_REG_JVM_CALL_TIMEOUT"
MAIN_CLASS = "bigdlreg.interop.GatewayMain"
#: The heap limit used unless BIGDL_REG_JVM_OPTS sets one (-Xmx wins over it).
DEFAULT_HEAP_OPT = "-XX:MaxRAMPercentage=50"

# bigdl_reg/backends/jvm/java.py -> the checkout's root (editable install)
_DEFAULT_CLASSPATH_FILE = Path(__file__).resolve().parents[3] / "scala" / "interop" / "target" / "classpath.txt"
# what java says when a classpath entry is damaged or lacks our classes
_DAMAGED_CLASSPATH_SIGNS = (
    "Could not find or load main class", "ClassFormatError", "ZipException", "NoClassDefFoundError"
)

FIX = (
    f"build it with `bin/setup` (or `bin/sbt interop/writeClasspath`) in the bigdl-reg checkout, "
    f'point {CLASSPATH_ENV} at a classpath file, or choose backend="numpy"'
)


def find_java() -> Optional[str]:
    """``$JAVA_HOME/bin/java`` if it exists, else ``java`` on PATH, else None."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("java")


def classpath_file() -> Path:
    return Path(os.environ.get(CLASSPATH_ENV) or _DEFAULT_CLASSPATH_FILE)


def read_classpath() -> List[str]:
    """The gateway's classpath entries; :class:`JVMError` saying how to fix
    a missing file or missing or corrupt jars."""
    path = classpath_file()
    try:
        # the type first: opening a FIFO or a device would block or read forever
        if not stat.S_ISREG(path.stat().st_mode):
            raise JVMError(f"the JVM backend's classpath file {path} is not a regular file: {FIX}")
        lines = path.read_bytes().decode("utf-8").splitlines()
    except FileNotFoundError:
        raise JVMError(f"the JVM backend's classpath file {path} does not exist: {FIX}") from None
    except UnicodeDecodeError as e:
        raise JVMError(
            f"the JVM backend's classpath file {path} is not a classpath file (not UTF-8 text at byte {e.start}): {FIX}"
        ) from None
    except OSError as e:
        raise JVMError(f"cannot read the JVM backend's classpath file {path}: {e}") from None
    entries = [line.strip() for line in lines if line.strip()]
    if not entries:
        raise JVMError(f"the JVM backend's classpath file {path} is empty: {FIX}")
    missing = [e for e in entries if not os.path.exists(e)]
    if missing:
        raise JVMError(
            f"the JVM backend's classpath file {path} names {len(missing)} missing jar(s): {_first_few(missing)}; {FIX}"
        )
    # a jar is a zip whose directory sits at its end: a truncated or overwritten
    # jar fails this cheap check (java itself only says "could not find or load main class")
    corrupt = [e for e in entries if e.endswith(".jar") and os.path.isfile(e) and not zipfile.is_zipfile(e)]
    if corrupt:
        raise JVMError(
            f"the JVM backend's classpath file {path} names {len(corrupt)} corrupt "
            f"jar(s) (not a zip archive): {_first_few(corrupt)}; {FIX}"
        )
    return entries


def _first_few(items: List[str]) -> str:
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def _no_java() -> str:
    where = "JAVA_HOME/bin/java and PATH" if os.environ.get("JAVA_HOME") else "PATH"
    return (
        f"Java not found (looked at {where}): install a JDK 17 and put `java` on PATH "
        'or set JAVA_HOME, or choose backend="numpy"'
    )


def find_problem() -> Optional[str]:
    """Why the JVM backend cannot start, or None. Never starts a JVM."""
    if find_java() is None:
        return _no_java()
    try:
        check_environment()
        read_classpath()
    except JVMError as e:
        return str(e)
    return None


def command(crash_report: str) -> List[str]:
    """The gateway JVM's command line, its crash report (``hs_err``) going to
    ``crash_report`` (``%p``: the JVM's pid) unless ``BIGDL_REG_JVM_OPTS`` says
    otherwise; :class:`JVMError` when there is no Java or no usable classpath."""
    java = find_java()
    if java is None:
        raise JVMError(_no_java())
    check_environment()
    opts = [DEFAULT_HEAP_OPT, f"-XX:ErrorFile={crash_report}", *jvm_opts()]
    return [java, *opts, "-cp", os.pathsep.join(read_classpath()), MAIN_CLASS]


def jvm_opts() -> List[str]:
    """``BIGDL_REG_JVM_OPTS`` split as a POSIX shell would."""
    raw = os.environ.get(JVM_OPTS_ENV, "")
    try:
        return shlex.split(raw)
    except ValueError as e:  # "No closing quotation", "No escaped character"
        raise JVMError(f"{JVM_OPTS_ENV} cannot be split into JVM options ({e}): {raw!r}") from None


_MAX_SECONDS = 7 * 24 * 3600.0  # a week: beyond it a "timeout" is a mistake (and overflows socket timeouts)


def env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value <= _MAX_SECONDS:  # also refuses nan and inf
        raise JVMError(f"{name} must be a number of seconds in (0, {_MAX_SECONDS:g}], got {raw!r}")
    return value


def start_timeout() -> float:
    return env_seconds(START_TIMEOUT_ENV, 30.0)


def call_timeout() -> float:
    return env_seconds(CALL_TIMEOUT_ENV, 600.0)


def check_environment() -> None:
    """:class:`JVMError` naming the first ``BIGDL_REG_JVM_*`` setting that is malformed."""
    jvm_opts()
    start_timeout()
    call_timeout()


def damaged_classpath_hint(stderr_tail: str) -> str:
    """What to say when java's start-up errors mean a jar is damaged or stale."""
    if not any(sign in stderr_tail for sign in _DAMAGED_CLASSPATH_SIGNS):
        return ""
    return (
        f"\nthe jars named by {classpath_file()} do not provide {MAIN_CLASS}: "
        f"one is damaged, incomplete or stale; {FIX}"
    )
