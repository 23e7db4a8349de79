"""``python -m bigdl_reg demo`` end to end (the full run needs the JVM: ``pytest.mark.jvm``)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bigdl_reg._demo import CASES, DEMO_EPOCHS

ROOT = Path(__file__).resolve().parent.parent
WORKED_EXAMPLE_ROW = "[[2 0 6 8 0 0 14 16] [18 20 0 24 26 28 30 32]]"


def _run_demo(env_extra=None, args=()) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bigdl_reg", "demo", *args],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.jvm
def test_demo_runs_and_every_row_is_identical(tmp_path):
    plot = tmp_path / "curves.png"
    r = _run_demo(args=("--plot", str(plot)))
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    out = r.stdout
    for heading in ("1. Where it runs", "2. Python through the JVM", "3. Same seed, same bytes",
                    "4. Dropout regularizing a real model", "5. A short speed check"):
        assert heading in out
    assert WORKED_EXAMPLE_ROW in out
    assert "= the worked example of docs/contract.md" in out
    assert "MIXED" not in out
    rows = [line for line in out.splitlines() if line.rstrip().endswith(("identical", "DIFFERENT", "ERROR", "numpy only"))
            and not line.startswith("All ")]
    assert len(rows) == len(CASES), "\n".join(rows)
    assert all(line.rstrip().endswith("identical") for line in rows), "\n".join(rows)
    assert "DIFFERENT" not in out
    assert f"All {len(CASES)} rows identical" in out
    assert "M elem/s" in out and "README.md" in out.splitlines()[-1]
    # the regularization example: progress per model, the verdict, and the picture where it says
    assert "jvm backend):" in out
    assert out.count(f"epoch {DEMO_EPOCHS:>3}/{DEMO_EPOCHS}") == 2
    assert "Dropout shrinks the train/test accuracy gap" in out
    assert f"Curves saved to {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_without_a_jvm_says_why_shows_numpy_and_exits_1(tmp_path):
    r = _run_demo({"BIGDL_REG_CLASSPATH_FILE": str(tmp_path / "missing-classpath.txt")},
                  ("--plot", str(tmp_path / "curves.png")))
    assert r.returncode == 1
    assert "The JVM backend cannot start: the JVM backend's classpath file" in r.stdout
    assert WORKED_EXAMPLE_ROW in r.stdout  # numpy still shown
    assert r.stdout.count("numpy only") == len(CASES)
    assert "the JVM backend could not start" in r.stderr
    assert "numpy backend):" in r.stdout and (tmp_path / "curves.png").is_file()  # the example still runs
