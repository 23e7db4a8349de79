"""What the command line, the demo and the benchmarks measure of the machine:
Java's version (without starting a gateway) and the median time of a call."""
from __future__ import annotations

import statistics
import subprocess
import time
from typing import Callable


def java_version(java: str) -> str:
    """The first line of ``java -version``, or why there is none."""
    try:
        r = subprocess.run(
            [java, "-version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        return "unknown (`java -version` did not answer within 20 s)"
    except OSError as e:
        return f"unknown ({e})"
    lines = (r.stderr or r.stdout).strip().splitlines()
    return lines[0] if lines else f"unknown (exit status {r.returncode})"


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, after one warm-up
    call (JIT, page faults, arena growth)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
