"""Every layer against its peers, in one run: training forward, float32, M elements/s.

    .venv/bin/python benchmarks/bench_peers.py [--sizes 3,5,7] [--repeats 7] [--json target/bench_peers.json]

Our numpy backend, our jvm backend (end to end: numpy in, numpy out), the
engine on its own inside that backend's JVM (what the end-to-end figure is
set against), the d2l numpy one-liner and ``np.copyto`` are timed in this
process; then the numpy backend without its compiled kernel
(``BIGDL_REG_NATIVE=0``, in a subprocess), torch CPU,
jax and keras 3 (jax backend), each family in its own subprocess and after
ours (they leave spinning threads behind). A peer that is not installed is
"missing" (``pip install -e .[bench]`` installs them). Each figure is the
median of ``--repeats`` calls after one warm-up call. Prints a table (M
elements/s, and microseconds per call at the smallest size) with each of our
figures' ratio to torch's, and writes the figures as JSON for
``benchmarks/write_doc_figures.py``. Figures from different runs are not
comparable: compare the ratios of one run.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

from bigdl_reg._machine import median_seconds

ROOT = Path(__file__).resolve().parent.parent
P = 0.5  # every layer's one number: p, rate or stddev
# (layer, shape of 10^k elements): SpatialDropout2D on (N, 64, 64, 64)-like maps
LAYERS = ("Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout2D NCHW", "SpatialDropout2D NHWC",
          "AlphaDropout")


def shape_of(layer: str, size: int) -> tuple:
    if layer.startswith("SpatialDropout2D"):
        channels = 64 if size >= 10**5 else 10
        side = int(round((size / channels) ** 0.5))
        maps = (1, channels, side, side)
        return maps if layer.endswith("NCHW") else (1, side, side, channels)
    return (size,)


# --------------------------------------------------------------------------
# the candidates of each family: name -> {layer -> make(x) -> callable}
# --------------------------------------------------------------------------

def ours(backend: str):
    from bigdl_reg import nn

    def build(layer):
        if layer.startswith("SpatialDropout2D"):
            return nn.SpatialDropout2D(P, data_format=layer.split()[1], seed=42, backend=backend)
        return getattr(nn, layer)(P, seed=42, backend=backend)

    return {layer: (lambda x, layer=layer: (lambda m: lambda: m.forward(x))(build(layer))) for layer in LAYERS}


def plain_numpy():
    def d2l(x):
        return lambda: x * (np.random.rand(*x.shape) > P) / (1 - P)

    def copy(x):
        sink = np.empty_like(x)
        return lambda: np.copyto(sink, x)

    return {"d2l one-liner": {"Dropout": d2l}, "np.copyto": {layer: copy for layer in LAYERS}}


def torch_family():
    import torch
    import torch.nn.functional as F

    def t(fn):
        return lambda x: (lambda tx: lambda: fn(tx))(torch.from_numpy(x))

    return {f"torch {torch.__version__.split('+')[0]} CPU": {
        "Dropout": t(lambda x: F.dropout(x, P, True)),
        "GaussianDropout": t(lambda x: x * (1 + (P / (1 - P)) ** 0.5 * torch.randn_like(x))),
        "GaussianNoise": t(lambda x: x + P * torch.randn_like(x)),
        "SpatialDropout2D NCHW": t(lambda x: F.dropout2d(x, P, True)),
        "SpatialDropout2D NHWC": t(lambda x: F.dropout2d(x.permute(0, 3, 1, 2), P, True)),
        "AlphaDropout": t(lambda x: F.alpha_dropout(x, P, True)),
    }}


def jax_family():
    import jax

    key = jax.random.PRNGKey(0)

    def j(fn):
        def make(x):
            f = jax.jit(fn)
            jx = jax.numpy.asarray(x)
            return lambda: f(jx, key).block_until_ready()
        return make

    jnp = jax.numpy
    return {f"jax {jax.__version__}": {
        "Dropout": j(lambda x, k: jnp.where(jax.random.bernoulli(k, 1 - P, x.shape), x / (1 - P), 0)),
        "GaussianNoise": j(lambda x, k: x + P * jax.random.normal(k, x.shape, x.dtype)),
    }}


def keras_family():
    os.environ["KERAS_BACKEND"] = "jax"
    import keras

    def k(make_layer):
        def make(x):
            layer = make_layer()
            return lambda: np.asarray(layer(x, training=True))
        return make

    return {f"keras {keras.__version__} (jax)": {
        "Dropout": k(lambda: keras.layers.Dropout(P)),
        "GaussianDropout": k(lambda: keras.layers.GaussianDropout(P)),
        "GaussianNoise": k(lambda: keras.layers.GaussianNoise(P)),
        "SpatialDropout2D NCHW": k(lambda: keras.layers.SpatialDropout2D(P, data_format="channels_first")),
        "SpatialDropout2D NHWC": k(lambda: keras.layers.SpatialDropout2D(P, data_format="channels_last")),
        "AlphaDropout": k(lambda: keras.layers.AlphaDropout(P)),
    }}


def numpy_alone():
    """The numpy backend without its compiled kernel (run with BIGDL_REG_NATIVE=0)."""
    from bigdl_reg.backends.numpy import native

    assert native.kernel() is None, native.status()
    return {"bigdl_reg numpy, no kernel": ours("numpy")}


FAMILIES = {"numpy": lambda: {"bigdl_reg numpy": ours("numpy")}, "jvm": lambda: {"bigdl_reg jvm": ours("jvm")},
            "plain": plain_numpy, "numpy-alone": numpy_alone, "torch": torch_family, "jax": jax_family,
            "keras": keras_family}
PEERS = ("torch", "jax", "keras")


def measure(family: str, sizes: list, repeats: int) -> dict:
    """{candidate: {layer: {size: seconds}}} of one family, in this process. The jvm family is
    timed after an untimed pass over every layer and size: a new JVM runs interpreted code
    until its JIT has compiled the hot paths (otherwise the first layer's small calls pay it)."""
    if family == "jvm":
        _timings(family, sizes, repeats)
    return _timings(family, sizes, repeats)


def _timings(family: str, sizes: list, repeats: int) -> dict:
    results: dict = {}
    for name, makers in FAMILIES[family]().items():
        for layer, make in makers.items():
            for size in sizes:
                x = np.random.default_rng(0).standard_normal(shape_of(layer, size), dtype=np.float32)
                reps = repeats if size >= 10**6 else repeats * 20
                results.setdefault(name, {}).setdefault(layer, {})[str(size)] = median_seconds(make(x), reps)
    return results


ENGINE = "bigdl_reg engine (in the JVM)"


def measure_engine(sizes: list, repeats: int) -> dict:
    """The engine on its own in the jvm backend's JVM (``Probes.engineForwardSeconds``): the
    in-process figure the jvm backend's end-to-end one is set against, in the same run."""
    from bigdl_reg.backends.jvm.gateway import get_gateway

    probes = get_gateway().java_gateway.jvm.bigdlreg.interop.Probes
    results: dict = {}
    for layer in LAYERS:
        name, data_format = (layer.split() + ["NCHW"])[:2]
        for size in sizes:
            shape = ",".join(str(d) for d in shape_of(layer, size))
            reps = repeats if size >= 10**6 else repeats * 20
            results.setdefault(layer, {})[str(size)] = probes.engineForwardSeconds(name, P, data_format, shape, reps)
    return {ENGINE: results}


def measure_peer(family: str, sizes: list, repeats: int, **env: str) -> dict:
    """A family in its own subprocess (with ``env`` added); {} (printed as missing) when it is not installed."""
    args = [sys.executable, __file__, "--family", family, "--sizes", ",".join(str(s) for s in sizes),
            "--repeats", str(repeats)]
    r = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore", **env})
    if r.returncode != 0:
        print(f"{family}: missing ({(r.stderr.strip().splitlines() or ['?'])[-1]})", file=sys.stderr)
        return {}
    return json.loads(r.stdout)


def _numpy_kernel() -> str:
    from bigdl_reg.backends.numpy import native

    return "compiled" if native.kernel() is not None else native.status()


def stamp() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores", "cpu": cpu,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit + ("+changes" if dirty else ""), "python": platform.python_version(),
            "numpy": np.__version__, "numpy kernel": _numpy_kernel(),
            "load": " ".join(f"{v:.1f}" for v in os.getloadavg())}


def print_table(report: dict) -> None:
    figures, sizes = report["figures"], report["sizes"]
    torch_name = next((n for n in figures if n.startswith("torch")), None)
    big, small = str(max(sizes)), str(min(sizes))
    print(f"M elements/s at each size; µs per call at {int(small):,}; x torch at {int(big):,}")
    for layer in LAYERS:
        print(f"\n{layer}")
        for name, by_layer in figures.items():
            if layer not in by_layer:
                continue
            secs = by_layer[layer]
            rates = "".join(f"{int(s) / secs[s] / 1e6:10.1f}" for s in map(str, sizes))
            ratio = ""
            if torch_name and layer in figures[torch_name] and name != torch_name:
                ratio = f"{figures[torch_name][layer][big] / secs[big]:8.2f}x"
            print(f"  {name:28}{rates}{secs[small] * 1e6:10.1f} µs{ratio}")
    for peer in report["missing"]:
        print(f"\n{peer}: missing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3,5,7", help="powers of ten")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", default=str(ROOT / "target" / "bench_peers.json"))
    parser.add_argument("--skip-jvm", action="store_true")
    parser.add_argument("--family", help=argparse.SUPPRESS)  # a peer's subprocess: print its JSON
    args = parser.parse_args()
    if args.family:
        sizes = [int(s) for s in args.sizes.split(",")]
        print(json.dumps(measure(args.family, sizes, args.repeats)))
        return
    sizes = [10 ** int(k) for k in args.sizes.split(",")]
    figures: dict = {}
    for family in ("numpy",) + (() if args.skip_jvm else ("jvm",)) + ("plain",):
        figures.update(measure(family, sizes, args.repeats))
        if family == "jvm":
            figures.update(measure_engine(sizes, args.repeats))
    figures.update(measure_peer("numpy-alone", sizes, args.repeats, BIGDL_REG_NATIVE="0"))
    missing = []
    for family in PEERS:  # after ours, each in its own process
        found = measure_peer(family, sizes, args.repeats)
        figures.update(found)
        if not found:
            missing.append(family)
    report = {"stamp": stamp(), "sizes": sizes, "repeats": args.repeats, "figures": figures, "missing": missing}
    print_table(report)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
