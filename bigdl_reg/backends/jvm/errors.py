"""What the JVM's failures become in Python.

Java exceptions become the Python types of docs/contract.md, "Validation",
with the Java message only: ``IllegalArgumentException`` -> ``ValueError``,
``IllegalStateException`` -> ``RuntimeError``, ``OutOfMemoryError`` ->
:class:`JVMMemoryError` (a ``MemoryError``; the JVM stays usable), anything
else -> :class:`JVMError` ("<class>: <message>"). A JVM that died, hung or
could not start is a :class:`JVMError` too (:mod:`.gateway` says which).
"""

from __future__ import annotations

import logging
import signal
import threading

from py4j.protocol import Py4JJavaError

JVM_OPTS_ENV = "BIGDL_REG_JVM_OPTS"


class JVMError(RuntimeError):
    """The JVM behind the ``jvm`` backend failed: it could not start, died,
    hung, or threw something other than the contract's argument/state errors."""


class JVMMemoryError(JVMError, MemoryError):
    """The JVM ran out of heap for a call (the call had no effect; the JVM
    stays usable). Give it more with ``BIGDL_REG_JVM_OPTS=-Xmx<size>``."""


def from_java(e: Py4JJavaError) -> Exception:
    """The Python exception for the Java exception behind ``e`` (asks the JVM
    for its class and message: a ``Py4JError`` if that fails)."""
    jex = e.java_exception
    try:
        cls_obj = jex.getClass()
        try:
            cls = cls_obj.getName()
        finally:
            cls_obj._detach()
        msg = jex.getMessage()
    finally:
        try:
            jex._detach()
        except Exception:
            pass
    return from_class(cls, msg)


def from_class(cls: str, msg) -> Exception:
    """The Python exception for a Java exception of class ``cls`` with message ``msg`` (None: no message)."""
    if cls == "java.lang.IllegalArgumentException":
        return ValueError(cls if msg is None else msg)
    if cls == "java.lang.IllegalStateException":
        return RuntimeError(cls if msg is None else msg)
    if cls == "java.lang.OutOfMemoryError":
        return JVMMemoryError(
            f"{cls}: {msg}: the JVM's heap is too small for this call; the call had no effect "
            f"(give the JVM more heap, e.g. {JVM_OPTS_ENV}=-Xmx16g)"
        )
    return JVMError(f"{cls}: {msg}")


def describe_exit(code: int) -> str:
    """A process's exit status in words."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "an unknown signal"
        return f"was killed by signal {-code} ({name})"
    return f"exited with status {code}"


#: ``in_call.active`` is true on a thread while it makes one of our calls.
in_call = threading.local()


class _QuietPy4J(logging.Filter):
    """py4j logs a traceback (partly on the *root* logger) whenever a
    connection breaks. During our calls the failure is reported as a
    :class:`JVMError` with better context, so those records are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (getattr(in_call, "active", False) and "py4j" in record.pathname)


_QUIET = _QuietPy4J()
for _name in ("", "py4j", "py4j.java_gateway", "py4j.clientserver"):
    logging.getLogger(_name).addFilter(_QUIET)
