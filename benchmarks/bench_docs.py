"""How long the docs build, the examples and the demo take: each command run once, wall-clock seconds.

    .venv/bin/python benchmarks/bench_docs.py      # after bin/setup; about 2-3 minutes on 2 cores

Writes the stamped table to target/bench_docs.md (docs/performance.md's
"How long the docs, the examples and the demo take" section, through
benchmarks/write_doc_figures.py). Each command is timed once, in its own
process, as a user runs it: the JVM start is included where it starts one.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from bench_peers import ROOT, stamp  # this folder is on sys.path when run as a script
from write_doc_figures import publish, stamp_line

PY = sys.executable

# (what a user types, the command, what it does)
COMMANDS = [
    ("bin/docs --no-sbt", ["bash", str(ROOT / "bin" / "docs"), "--no-sbt"],
     "the pictures (two 100-epoch trainings and a Monte Carlo run among them), Sphinx doctest + html"),
    ("examples/quickstart.py", [PY, str(ROOT / "examples" / "quickstart.py")], "every layer forward and backward, JVM start included"),
    ("examples/regularization.py", [PY, str(ROOT / "examples" / "regularization.py")],
     "three 100-epoch trainings (no dropout, dropout on jvm, dropout on numpy)"),
    ("examples/mc_dropout.py", [PY, str(ROOT / "examples" / "mc_dropout.py")],
     "one 100-epoch training, then 100 stochastic forwards of 1,497 digits"),
    ("python -m bigdl_reg demo", [PY, "-m", "bigdl_reg", "demo"],
     "JVM start, digests, two 60-epoch trainings, speed check"),
]


def timed(command: list) -> float:
    """Seconds of one run, in a scratch working directory (the examples write their pictures there)."""
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as scratch:
        started = time.perf_counter()
        subprocess.run(command, cwd=scratch, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started


def main() -> None:
    rows = [(label, timed(command), what) for label, command, what in COMMANDS]
    lines = [stamp_line(stamp()), "", "| command | seconds | what it does |", "|---|---:|---|"]
    lines += [f"| `{label}` | {seconds:.0f} | {what} |" for label, seconds, what in rows]
    publish("\n".join(lines) + "\n", ROOT / "target" / "bench_docs.md")


if __name__ == "__main__":
    main()
