"""Finding Java and the gateway's jars, and the command that starts the JVM.

``java`` is ``$JAVA_HOME/bin/java``, else the one on PATH. The jars
(:func:`find_jars`, also for the Spark jars of :mod:`bigdl_reg.spark`) come
from the first of: the list file named by an environment variable
(``$BIGDL_REG_CLASSPATH_FILE`` for the gateway), the clone's list file when
this package is imported from a clone that has it (an editable install: the
jars sbt just built; ``bin/sbt interop/writeClasspath`` writes
``scala/interop/target/classpath.txt``), else the jars bundled in the wheel
(``bigdl_reg/jars/gateway/`` and py4j's own jar). A list file holds one jar a
line; a relative entry is relative to the file's folder.
``BIGDL_REG_JVM_OPTS`` adds JVM options (for
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
from dataclasses import dataclass
from pathlib import Path
from typing import List, Literal, Optional

from ... import _bundle
from .errors import JVM_OPTS_ENV, JVMError

CLASSPATH_ENV = "BIGDL_REG_CLASSPATH_FILE"
START_TIMEOUT_ENV = "BIGDL_REG_JVM_START_TIMEOUT"
CALL_TIMEOUT_ENV = "BIGDL_REG_JVM_CALL_TIMEOUT"
MAIN_CLASS = "bigdlreg.interop.GatewayMain"
#: The heap limit used unless BIGDL_REG_JVM_OPTS sets one (-Xmx wins over it).
DEFAULT_HEAP_OPT = "-XX:MaxRAMPercentage=50"

_PACKAGE = Path(__file__).resolve().parents[2]  # bigdl_reg/
_CLONE = _PACKAGE.parent  # the clone's root when imported from one (editable install); else site-packages
# what java says when a classpath entry is damaged or lacks our classes
_DAMAGED_CLASSPATH_SIGNS = (
    "Could not find or load main class", "ClassFormatError", "ZipException", "NoClassDefFoundError"
)

FIX = (
    f"build it with `bin/setup` (or `bin/sbt interop/writeClasspath`) in the bigdl-reg checkout, "
    f'point {CLASSPATH_ENV} at a classpath file, or choose backend="numpy"'
)
BUNDLE_FIX = (
    "the installed bigdl-reg package is damaged: reinstall it (`pip install --force-reinstall` the wheel), "
    f'point {CLASSPATH_ENV} at a classpath file, or choose backend="numpy"'
)


@dataclass(frozen=True)
class JarSource:
    """Where a set of jars comes from: ``kind`` is "override" (the list file
    named by ``variable``), "clone" (the clone's list file) or "bundled" (the
    wheel's folder; ``list_file`` is its manifest)."""

    kind: Literal["override", "clone", "bundled"]
    list_file: Path
    variable: Optional[str] = None

    def describe(self) -> str:
        if self.kind == "override":
            return f"override (${self.variable}): {self.list_file}"
        if self.kind == "clone":
            return f"clone: {self.list_file}"
        return f"bundled: {self.list_file.parent}"


def find_jars(variable: str, bundle: str) -> JarSource:
    """The one precedence rule for jars: ``$variable`` names a list file
    (override) > the clone's list file for ``bundle`` (``_bundle.LISTS``) when
    this package is imported from a clone that has it > the bundled folder
    ``bigdl_reg/jars/<bundle>``. A clone not built yet, without a bundle,
    gets its own list file (whose absence says to run ``bin/setup``)."""
    override = os.environ.get(variable)
    if override:
        return JarSource("override", Path(override), variable)
    clone_list = _CLONE / _bundle.LISTS[bundle]
    manifest = _PACKAGE / "jars" / bundle / _bundle.MANIFEST
    is_clone = (_CLONE / "build.sbt").is_file()
    if is_clone and (os.path.lexists(clone_list) or not manifest.is_file()):
        return JarSource("clone", clone_list)
    return JarSource("bundled", manifest)


def gateway_jars() -> JarSource:
    return find_jars(CLASSPATH_ENV, _bundle.GATEWAY)


def find_java() -> Optional[str]:
    """``$JAVA_HOME/bin/java`` if it exists, else ``java`` on PATH, else None."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("java")


def read_classpath() -> List[str]:
    """The gateway's classpath entries; :class:`JVMError` saying how to fix
    a missing file or missing or corrupt jars."""
    source = gateway_jars()
    path = source.list_file
    if source.kind == "bundled":
        what, fix = "bundled jar list", BUNDLE_FIX
    else:
        what, fix = "classpath file", FIX
    try:
        # the type first: opening a FIFO or a device would block or read forever
        if not stat.S_ISREG(path.stat().st_mode):
            raise JVMError(f"the JVM backend's {what} {path} is not a regular file: {fix}")
        lines = path.read_bytes().decode("utf-8").splitlines()
    except FileNotFoundError:
        raise JVMError(f"the JVM backend's {what} {path} does not exist: {fix}") from None
    except UnicodeDecodeError as e:
        raise JVMError(
            f"the JVM backend's {what} {path} is not a classpath file (not UTF-8 text at byte {e.start}): {fix}"
        ) from None
    except OSError as e:
        raise JVMError(f"cannot read the JVM backend's {what} {path}: {e}") from None
    entries = [str(path.parent / line.strip()) for line in lines if line.strip()]
    if not entries:
        raise JVMError(f"the JVM backend's {what} {path} is empty: {fix}")
    if source.kind == "bundled":
        entries.append(_py4j_jar())
    missing = [e for e in entries if not os.path.exists(e)]
    if missing:
        raise JVMError(
            f"the JVM backend's {what} {path} names {len(missing)} missing jar(s): {_first_few(missing)}; {fix}"
        )
    # a jar is a zip whose directory sits at its end: a truncated or overwritten
    # jar fails this cheap check (java itself only says "could not find or load main class")
    corrupt = [e for e in entries if e.endswith(".jar") and os.path.isfile(e) and not zipfile.is_zipfile(e)]
    if corrupt:
        raise JVMError(
            f"the JVM backend's {what} {path} names {len(corrupt)} corrupt "
            f"jar(s) (not a zip archive): {_first_few(corrupt)}; {fix}"
        )
    return entries


def _py4j_jar() -> str:
    """py4j's own jar, which the py4j package installs beside itself (under ``sys.prefix/share/py4j``)."""
    from py4j.java_gateway import find_jar_path
    from py4j.version import __version__ as py4j_version

    jar = find_jar_path()
    if not jar:
        raise JVMError(
            f"py4j's jar (py4j{py4j_version}.jar, which the gateway needs) was not found where the py4j "
            f"package installs it: reinstall py4j (`pip install --force-reinstall py4j=={py4j_version}`), "
            f'point {CLASSPATH_ENV} at a classpath file, or choose backend="numpy"'
        )
    return os.path.abspath(jar)


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
    source = gateway_jars()
    return (
        f"\nthe jars named by {source.list_file} do not provide {MAIN_CLASS}: "
        f"one is damaged, incomplete or stale; {BUNDLE_FIX if source.kind == 'bundled' else FIX}"
    )
