"""Shared fixtures and the JVM test policy.

* ``backend``: every test using it runs once per backend, "numpy" and "jvm";
  the jvm run carries ``pytest.mark.jvm``.
* Policy (one hook for every jvm-marked test anywhere): when the JVM backend
  cannot start, the test is skipped with the reason ``find_problem()`` gives
  -- unless the environment variable ``CI`` is set (non-empty): then it fails
  with that reason. CI must never pass by skipping the JVM. ``spark``-marked
  tests follow the same policy when pyspark or our Spark jars are missing.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from bigdl_reg.backends import jvm_problem  # noqa: E402

BACKENDS = ["numpy", pytest.param("jvm", marks=pytest.mark.jvm)]

_UNKNOWN = object()
_jvm_problem = _UNKNOWN


def _cached_jvm_problem() -> str | None:
    """find_problem() once per session (it may look for java and the jar)."""
    global _jvm_problem
    if _jvm_problem is _UNKNOWN:
        try:
            _jvm_problem = jvm_problem()
        except Exception as error:  # a broken jvm package is a reason, not a crash
            _jvm_problem = f"find_problem() raised {type(error).__name__}: {error}"
    return _jvm_problem


def _spark_problem() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        return f"pyspark is not installed ({error}): pip install -e .[spark]"
    try:
        from bigdl_reg.spark import jars
        jars()
    except (FileNotFoundError, ValueError) as error:  # no jars; a pyspark version we build none for
        return str(error)
    return None


def pytest_runtest_setup(item):
    problems = []
    if item.get_closest_marker("jvm") is not None:
        problem = _cached_jvm_problem()
        if problem is not None:
            problems.append(f"JVM backend unavailable: {problem}")
    if item.get_closest_marker("spark") is not None:
        problem = _spark_problem()
        if problem is not None:
            problems.append(f"Spark unavailable: {problem}")
    if not problems:
        return
    reason = "; ".join(problems)
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so JVM tests may not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """A backend name; the layers under test are built with ``backend=backend``."""
    return request.param


# -- examples tried by the property tests (test_properties.py) ---------------
class _Counts(dict):
    def __missing__(self, key):
        return 0


_EXAMPLE_COUNTS = _Counts()


@pytest.fixture(scope="session")
def examples() -> dict:
    """Property name -> examples tried this session (printed in the summary)."""
    return _EXAMPLE_COUNTS


def pytest_terminal_summary(terminalreporter):
    counts = _EXAMPLE_COUNTS
    if not counts:
        return
    seconds = {}
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if report.when == "call" and "test_properties.py" in report.nodeid:
            seconds[report.nodeid] = report.duration
    terminalreporter.section("property-based examples tried")
    for name, count in sorted(counts.items()):
        terminalreporter.write_line(f"{name:40s} {count:7d}")
    terminalreporter.write_line(f"{'total':40s} {sum(counts.values()):7d}  "
                                f"({sum(seconds.values()):.1f} s in {len(seconds)} property tests)")
