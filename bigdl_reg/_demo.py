"""``python -m bigdl_reg demo``: the project in one run, for a first-time reader.

1. where it runs (Java, the gateway's jars, the backends);
2. Python through the JVM: the contract's worked example (docs/contract.md,
   "Golden values"), its backward, evaluate mode, and SpatialDropout2D
   dropping whole channels;
3. same seed, same bytes: for every layer, the SHA-256 of the output and of
   the gradient from the Scala engine on its own (``Bridge.referenceDigest``,
   the input built in Scala), from the jvm facade and from the numpy backend;
4. Dropout regularizing a real model: the digits MLP of
   examples/regularization.py in a short form, its curves saved to a PNG;
5. a short speed check against the usual numpy one-liner.

Exit status 0 when everything agreed; 1 when a row differs, the worked example
does not match, or the JVM could not start (numpy is still shown then).
Runs in well under a minute plus the JVM's start (most of it is training).
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from . import __version__, nn
from ._machine import java_version, median_seconds

__all__ = ["Case", "CASES", "WORKED_EXAMPLE", "DEMO_EPOCHS", "DEFAULT_PLOT", "pattern", "digest", "run"]

#: the worked example of docs/contract.md, "Golden values": Dropout(init_p=0.5, seed=42), first training
#: forward of 1..16 as float32 shaped (2, 8).
WORKED_EXAMPLE = np.array([[2, 0, 6, 8, 0, 0, 14, 16], [18, 20, 0, 24, 26, 28, 30, 32]], dtype=np.float32)

FORWARDS = 3  # training forwards per row of the table, then one backward
SEED = 42


@dataclass(frozen=True)
class Case:
    """One row of "same seed, same bytes"."""

    layer: str
    kwargs: dict
    shape: Tuple[int, ...]
    bigdl_type: str = "float"
    label: str = ""

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float32 if self.bigdl_type == "float" else np.float64)


CASES: Sequence[Case] = (
    Case("Dropout", {"init_p": 0.5}, (64, 1000), label="init_p=0.5"),
    Case("Dropout", {"init_p": 0.3, "scale": False}, (32, 500), "double", "init_p=0.3 scale=False"),
    Case("GaussianDropout", {"rate": 0.3}, (64, 1000), label="rate=0.3"),
    Case("GaussianNoise", {"stddev": 0.5}, (64, 1000), label="stddev=0.5"),
    Case("SpatialDropout1D", {"init_p": 0.5}, (8, 50, 16), label="init_p=0.5"),
    Case("SpatialDropout2D", {"init_p": 0.5, "data_format": "NCHW"}, (4, 8, 32, 32), label="init_p=0.5 NCHW"),
    Case("SpatialDropout2D", {"init_p": 0.5, "data_format": "NHWC"}, (4, 32, 32, 8), label="init_p=0.5 NHWC"),
    Case("SpatialDropout3D", {"init_p": 0.5}, (2, 4, 8, 8, 8), label="init_p=0.5 NCHW"),
    Case("Dropout", {"init_p": 0.5, "noise_shape": (None, 1, None)}, (8, 50, 16), label="noise_shape=(None,1,None)"),
    Case("AlphaDropout", {"init_p": 0.2}, (64, 1000), label="init_p=0.2"),
    Case("FeatureAlphaDropout", {"init_p": 0.3, "data_format": "NHWC"}, (4, 32, 32, 8), label="init_p=0.3 NHWC"),
)


def pattern(shape: Sequence[int], dtype) -> np.ndarray:
    """The input the Scala side builds in ``Bridge.referenceDigest``:
    ``x[i] = ((i * 7919) % 1009 - 504) / 64`` (flat index ``i``), exact in both dtypes."""
    n = int(np.prod(shape, dtype=np.int64))
    x = ((np.arange(n, dtype=np.int64) * 7919) % 1009 - 504) / 64.0
    return x.astype(dtype).reshape(tuple(shape))


def digest(a: np.ndarray) -> str:
    """SHA-256 (hex) of the array's little-endian bytes."""
    le = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
    return hashlib.sha256(le.tobytes()).hexdigest()


# ------------------------------------------------------------------ output


def _heading(n: int, title: str) -> None:
    print()
    text = f"== {n}. {title} "
    print(text + "=" * max(3, 78 - len(text)))


def _fmt(a: np.ndarray) -> str:
    """``[[2 0 6 8] [18 20 0 24]]``: numpy's layout on one line, integers without dots."""
    if a.ndim == 0:
        v = float(a)
        return f"{v:g}"
    return "[" + " ".join(_fmt(s) for s in a) + "]"


def _shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


@dataclass
class _State:
    failures: List[str] = field(default_factory=list)
    jvm_problem: Optional[str] = None
    gateway: object = None

    @property
    def jvm(self) -> bool:
        return self.jvm_problem is None


# ---------------------------------------------------------- 1. where it runs


def _where(state: _State) -> None:
    _heading(1, "Where it runs")
    rows = [("bigdl-reg", __version__)]
    rows.append(("python", f"{sys.version.split()[0]} ({sys.executable})"))
    rows.append(("numpy", np.__version__))
    try:
        from .backends import jvm as jvm_backend
        from .backends.jvm import gateway
        from .backends.jvm import java as jvm_java
    except Exception as e:  # py4j missing, for example
        state.jvm_problem = f"the jvm backend cannot be imported: {type(e).__name__}: {e}"
        rows.append(("jvm backend", f"UNAVAILABLE: {state.jvm_problem}"))
        _print_rows(rows)
        return
    java = jvm_java.find_java()
    rows.append(("java", f"{java} ({java_version(java)})" if java else "not found"))
    source = jvm_java.gateway_jars()
    try:
        entries = jvm_java.read_classpath()
        jars = ", ".join(dict.fromkeys(os.path.basename(e) for e in entries))
        rows.append(("gateway jars", source.describe()))
        rows.append(("  jars", jars))
    except jvm_backend.JVMError:
        rows.append(("gateway jars", f"{source.describe()} (not usable)"))
    state.jvm_problem = jvm_backend.find_problem()
    if state.jvm_problem is None:
        started = time.perf_counter()
        try:
            gw = gateway.get_gateway()
        except Exception as e:  # the JVM could not start: say why
            state.jvm_problem = str(e)
        else:
            state.gateway = gw
            rows.append(
                (
                    "gateway JVM",
                    f"pid {gw.pid}, java.version {gw.call('javaVersion')}, interop jar {gw.jvm_version}, "
                    f"bridge protocol {gw.call('protocolVersion')}, started in {time.perf_counter() - started:.1f} s",
                )
            )
            from .backends.jvm import shm

            rows.append(("shared memory", f"{shm.shm_dir()} (array bytes; py4j carries handles and shapes)"))
    try:
        from . import backends

        auto = backends.get_backend("auto").name
    except Exception as e:
        auto = f"? ({e})"
    rows.append(("backends", f'"numpy" always; "jvm" {"ready" if state.jvm else "unavailable"}; "auto" -> {auto}'))
    _print_rows(rows)
    if not state.jvm:
        print()
        print(f"The JVM backend cannot start: {state.jvm_problem}")
        print("Showing the numpy backend only; the exit status will be 1.")
        state.failures.append("the JVM backend could not start")


def _print_rows(rows: List[Tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


# ------------------------------------------------- 2. Python through the JVM


def _through_the_jvm(state: _State) -> None:
    backend = "jvm" if state.jvm else "numpy"
    title = "Python through the JVM" if state.jvm else "The layers from Python (numpy backend: no JVM)"
    _heading(2, title)
    x = np.arange(1, 17, dtype=np.float32).reshape(2, 8)
    print(f'>>> d = Dropout(init_p=0.5, seed=42, backend="{backend}")')
    print(">>> x = np.arange(1, 17, dtype=np.float32).reshape(2, 8)")
    with nn.Dropout(init_p=0.5, seed=42, backend=backend) as d:
        y = d.forward(x)
        print(">>> d.forward(x)                 # training: each element kept with probability 0.5, scaled by 2")
        print(f"  {_fmt(y)}")
        if y.dtype == WORKED_EXAMPLE.dtype and y.tobytes() == WORKED_EXAMPLE.tobytes():
            print("  = the worked example of docs/contract.md (Philox4x64-10, seed 42, step 0), bit for bit")
        else:
            print(f"  DIFFERENT from the worked example of docs/contract.md: {_fmt(WORKED_EXAMPLE)}")
            state.failures.append("the worked example differs")
        print(f"  d.step = {d.step}                 (a training forward advances the step)")
        g = d.backward(x, np.ones_like(x))
        print(">>> d.backward(x, np.ones_like(x))   # the same mask again, recomputed from (seed, step 0)")
        print(f"  {_fmt(g)}")
        d.evaluate()
        e = d.forward(x)
        print(">>> d.evaluate(); d.forward(x)      # evaluate mode: the identity (scale=True)")
        print(f"  {_fmt(e)}")
        print(f"  d.step = {d.step}                 (evaluate forwards do not advance it)")

    print()
    print(f'>>> s = SpatialDropout2D(init_p=0.5, data_format="NHWC", seed=7, backend="{backend}")')
    print(">>> x = np.arange(1, 13, dtype=np.float32).reshape(1, 2, 2, 3)   # N, H, W, C")
    x4 = np.arange(1, 13, dtype=np.float32).reshape(1, 2, 2, 3)
    with nn.SpatialDropout2D(init_p=0.5, data_format="NHWC", seed=7, backend=backend) as s:
        y4 = s.forward(x4)
    print(">>> y = s.forward(x)             # one draw per (sample, channel): whole channels go or stay")
    for c in range(x4.shape[-1]):
        plane_in, plane_out = x4[0, :, :, c], y4[0, :, :, c]
        if not plane_out.any():
            verdict = "dropped"
        elif np.array_equal(plane_out, plane_in):
            verdict = "kept (the Spatial layers do not rescale)"
        else:
            verdict = "MIXED (not a whole channel!)"
            state.failures.append("SpatialDropout2D dropped part of a channel")
        print(f"  channel {c}: x {_fmt(plane_in):<16} -> y {_fmt(plane_out):<18} {verdict}")


# ------------------------------------------------- 3. same seed, same bytes


def _facade_digest(case: Case, backend: str) -> str:
    cls = getattr(nn, case.layer)
    x = pattern(case.shape, case.dtype)
    with cls(**case.kwargs, bigdl_type=case.bigdl_type, seed=SEED, backend=backend) as layer:
        for _ in range(FORWARDS):
            y = layer.forward(x)
        out = digest(y)
        g = layer.backward(x, pattern(case.shape, case.dtype))
        return f"{out}:{digest(g)}"


def _scala_digest(state: _State, case: Case) -> str:
    from .backends.jvm.module import reference_digest

    dtype = "float32" if case.bigdl_type == "float" else "float64"
    return reference_digest(case.layer, case.kwargs, dtype, SEED, case.shape, FORWARDS)


def _short(d: Optional[str]) -> str:
    if d is None:
        return "-"
    out, _, grad = d.partition(":")
    return f"{out[:6]}:{grad[:6]}"


def _same_bytes(state: _State) -> None:
    _heading(3, "Same seed, same bytes")
    print(f"Each row: a fresh layer with seed={SEED}, {FORWARDS} training forwards of the same input, then a")
    print("backward; SHA-256 of the last output's bytes : of the gradient's bytes (first 6 hex digits shown,")
    print("all 64 compared). Input x[i] = ((i * 7919) % 1009 - 504) / 64, built separately on each side.")
    print("  Scala alone = Bridge.referenceDigest: the engine by itself, input built in Scala, nothing crosses")
    print("  jvm facade  = bigdl_reg.nn layer, backend=\"jvm\" (py4j + shared memory to the same engine)")
    print("  numpy       = bigdl_reg.nn layer, backend=\"numpy\" (a separate NumPy implementation)")
    print("The gradient fed to backward is that same pattern, so its digest equals the output's for every")
    print("layer but GaussianNoise (additive: the gradient passes unchanged): backward re-applies exactly the")
    print("last forward's noise, recomputed from (seed, step).")
    print()
    head = f"  {'layer':<20}{'params':<28}{'dtype':<9}{'shape':<17}{'Scala alone':<15}{'jvm facade':<15}{'numpy':<15}"
    print(head)
    print("  " + "-" * (len(head) - 2 + 9))
    all_identical = True
    for case in CASES:
        cells: List[Optional[str]] = [None, None, None]
        error = None
        try:
            if state.jvm:
                cells[0] = _scala_digest(state, case)
                cells[1] = _facade_digest(case, "jvm")
            cells[2] = _facade_digest(case, "numpy")
        except Exception as e:
            error = f"{type(e).__name__}: {e}"
        present = [c for c in cells if c is not None]
        if error is not None:
            verdict = "ERROR"
        elif not state.jvm:
            verdict = "numpy only"
        else:
            verdict = "identical" if len(present) == 3 and len(set(present)) == 1 else "DIFFERENT"
        all_identical = all_identical and verdict == "identical"
        if verdict not in ("identical", "numpy only"):
            state.failures.append(f"{case.layer} {case.label} {case.bigdl_type}: {verdict}")
        dtype = "float32" if case.bigdl_type == "float" else "float64"
        print(
            f"  {case.layer:<20}{case.label:<28}{dtype:<9}{_shape(case.shape):<17}"
            f"{_short(cells[0]):<15}{_short(cells[1]):<15}{_short(cells[2]):<15}{verdict}"
        )
        if error is not None:
            print(f"    {error}")
    if all_identical:
        print(f"All {len(CASES)} rows identical: one seed gives the same bytes from Scala, through py4j, and in numpy.")


# ------------------------------------------- 4. regularizing a real model

#: The short form of examples/regularization.py: fewer epochs, one backend.
DEMO_EPOCHS = 60
DEFAULT_PLOT = Path(tempfile.gettempdir()) / "bigdl-reg-demo" / "regularization.png"


def _import_digits_mlp():
    """examples/digits_mlp.py of the clone this package runs from; ImportError
    saying how to get what is missing (an installed wheel has no examples/)."""
    examples = Path(__file__).resolve().parents[1] / "examples"
    if not (examples / "digits_mlp.py").is_file():
        raise ImportError(
            "it needs examples/digits_mlp.py from the bigdl-reg source, which an installed wheel does not carry: "
            "clone https://github.com/bigdl-reg/bigdl-reg and run `bin/demo` there (or "
            "`python examples/regularization.py` with the examples extra installed)")
    sys.path.insert(0, str(examples))
    try:
        import digits_mlp  # noqa: PLC0415
        try:
            import matplotlib  # noqa: F401  (the examples extra)
            import sklearn  # noqa: F401
        except ImportError as e:
            raise ImportError(
                f"it needs the examples extra ({e}): pip install -e '.[examples]' in the clone (Python 3.11+)"
            ) from None
    finally:
        sys.path.remove(str(examples))
    return digits_mlp


def _regularization(state: _State, plot: Path) -> None:
    _heading(4, "Dropout regularizing a real model")
    try:
        dm = _import_digits_mlp()
    except ImportError as e:
        # a part of the tour, not of the package: shown where it can run, never a failure of the install
        print(f"Skipped: {e}.")
        return
    backend = "jvm" if state.jvm else "numpy"
    data = dm.load_digits_split()
    plain = dm.Config(epochs=DEMO_EPOCHS, backend=backend)
    dropout = replace(plain, input_p=0.2, hidden_p=0.5)
    print(f"A NumPy MLP (64 pixels -> {plain.hidden} ReLU -> 10) on scikit-learn's handwritten digits, trained on")
    print(f"only {len(data[0])} images so that it can memorise them ({len(data[2])} test images), "
          f"{DEMO_EPOCHS} epochs of SGD.")
    print(f"The second model adds our Dropout (p=0.2 on the pixels, 0.5 on the hidden layer, {backend} backend):")
    print("forward in the training loop, backward for the gradient, evaluate() to measure.")
    runs = []
    for label, config in (("no dropout", plain), ("with Dropout", dropout)):
        runs.append((label, dm.train(config, data, on_epoch=dm.progress_bar(label, sys.stdout))))
    print(f"  {'':<14}{'train acc':>10}{'test acc':>10}{'gap':>8}{'test loss':>11}{'seconds':>9}")
    for label, h in runs:
        print(f"  {label:<14}{h.train_acc[-1]:>10.4f}{h.test_acc[-1]:>10.4f}{h.gap:>8.4f}{h.test_loss[-1]:>11.4f}"
              f"{h.seconds:>9.1f}")
    (_, p), (_, d) = runs
    if d.gap < p.gap and d.test_loss[-1] < p.test_loss[-1]:
        print(f"Dropout shrinks the train/test accuracy gap from {p.gap:.1%} to {d.gap:.1%} and lowers the test loss.")
    else:
        print("Dropout did NOT shrink the train/test gap this time.")
        state.failures.append("the regularization example did not shrink the gap")
    plot.parent.mkdir(parents=True, exist_ok=True)
    dm.plot_curves([("no dropout", p), ("with Dropout", d)], plot)
    print(f"Curves saved to {plot}")
    print("examples/regularization.py runs the full version (100 epochs) and retrains the dropout model on the")
    print("other backend: identical curves and weights, byte for byte.")


# --------------------------------------------------------------- 5. speed


def _speed(state: _State) -> None:
    _heading(5, "A short speed check")
    n, p = 10**7, 0.5
    x = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
    rng = np.random.default_rng(1)
    print(f"Dropout(init_p={p}) training forward of {n:,} float32 elements (numpy in, numpy out), median of 3")
    print("after a warm-up:")
    candidates: List[Tuple[str, Callable[[], object]]] = [
        ("d2l one-liner (rng.uniform(size=x.shape) > p) * x / (1 - p)",
         lambda: (rng.uniform(size=x.shape) > p) * x / (1 - p)),
    ]
    layers = []
    if state.jvm:
        layers.append(nn.Dropout(p, seed=SEED, backend="jvm"))
        candidates.append(("bigdl_reg jvm facade", (lambda layer: lambda: layer.forward(x))(layers[-1])))
    layers.append(nn.Dropout(p, seed=SEED, backend="numpy"))
    candidates.append(("bigdl_reg numpy backend", (lambda layer: lambda: layer.forward(x))(layers[-1])))
    rates = []
    try:
        for name, fn in candidates:
            rates.append((name, n / median_seconds(fn, 3) / 1e6))
    except Exception as e:
        print(f"  the speed check failed: {type(e).__name__}: {e}")
        state.failures.append("the speed check failed")
    finally:
        for layer in layers:
            layer.close()
    if rates:
        base = rates[0][1]
        width = max(len(name) for name, _ in rates)
        print(f"  {'':<{width}}  {'M elem/s':>9}  {'x one-liner':>11}")
        for name, rate in rates:
            print(f"  {name:<{width}}  {rate:9.1f}  {rate / base:11.2f}")
    print("One run on a shared machine (noise of +-25%); benchmarks/ has the careful version")
    print("(benchmarks/bench_python.py: more repeats and the memory-bandwidth ceiling; run_scala.sh: the engine).")


# ---------------------------------------------------------------- main


def run(plot: Optional[Path] = None) -> int:
    started = time.perf_counter()
    state = _State()
    print("bigdl-reg demo: BigDL-style noise layers (Dropout, GaussianDropout, GaussianNoise,")
    print("SpatialDropout1D/2D/3D, AlphaDropout, FeatureAlphaDropout) with one Scala engine, driven from Python "
          "through py4j, and a")
    print("NumPy re-implementation; a seed fixes every bit of the noise in both.")
    _where(state)
    _through_the_jvm(state)
    _same_bytes(state)
    _regularization(state, Path(plot) if plot else DEFAULT_PLOT)
    _speed(state)
    print()
    what = (
        "the Scala engine driven from Python, and the same seed giving the same bytes from Scala alone, "
        "through the jvm facade and in numpy for every layer, and Dropout regularizing a real model"
        if state.jvm
        else "the numpy backend only (the JVM could not start)"
    )
    print(f"Shown: {what} ({time.perf_counter() - started:.1f} s). More: README.md, the docs site (bin/docs).")
    if state.failures:
        print("FAILED: " + "; ".join(state.failures), file=sys.stderr)
        return 1
    return 0
