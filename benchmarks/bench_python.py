"""Dropout and AlphaDropout forward throughput from Python, against the alternatives, in one run.

    .venv/bin/python benchmarks/bench_python.py [--n 10000000] [--repeats 7]

Times, on the same float32 input: our Dropout through the jvm facade (end to
end: numpy in, numpy out, transfer included), our numpy backend, the d2l-style
numpy one-liner, and ``np.copyto`` as the memory-bandwidth ceiling; then our
AlphaDropout on each backend, with its time relative to our Dropout on the same
backend in the same run (the target is at most 1.5x). Prints
million elements per second (median of the repeats, after a warm-up) and each
figure's ratio to the one-liner and to the copy, and the cost per call at
10^3, 10^5 and 10^7 elements on each backend. Figures from different runs or
machines are not comparable (+-25% noise on a shared machine). What it prints
also goes to target/bench_python.txt, which benchmarks/write_doc_figures.py
pastes into docs/performance.md.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time

import numpy as np
from bench_peers import ROOT, stamp  # this folder is on sys.path when run as a script
from write_doc_figures import stamp_line

from bigdl_reg import nn
from bigdl_reg._machine import median_seconds

LINES: list = []


def out(line: str = "") -> None:
    """Prints ``line`` and keeps it for target/bench_python.txt."""
    print(line, flush=True)
    LINES.append(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="elements (float32)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--p", type=float, default=0.5)
    parser.add_argument("--skip-jvm", action="store_true", help="numpy-only machines")
    args = parser.parse_args()

    n, p = args.n, args.p
    x = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
    sink = np.empty_like(x)
    rng = np.random.default_rng(1)

    candidates = {
        "np.copyto (ceiling)": lambda: np.copyto(sink, x),
        "d2l one-liner": lambda: (rng.uniform(size=x.shape) > p) * x / (1 - p),
        "bigdl_reg numpy backend": _layer_forward(nn.Dropout(p, seed=42, backend="numpy"), x),
    }
    if not args.skip_jvm:
        candidates["bigdl_reg jvm facade"] = _layer_forward(nn.Dropout(p, seed=42, backend="jvm"), x)
    backends = ["numpy"] + ([] if args.skip_jvm else ["jvm"])
    for backend in backends:
        candidates[f"AlphaDropout {backend}"] = _layer_forward(nn.AlphaDropout(p, seed=42, backend=backend), x)

    out(stamp_line(stamp()).strip("*"))
    out(f"Dropout(p={p}) forward, {n:,} float32 elements, median of {args.repeats}")
    rates = {name: n / median_seconds(fn, args.repeats) / 1e6 for name, fn in candidates.items()}
    baseline, ceiling = rates["d2l one-liner"], rates["np.copyto (ceiling)"]
    out(f"{'':28}{'M elem/s':>10}{'x one-liner':>13}{'x copy':>9}")
    for name, rate in rates.items():
        out(f"{name:28}{rate:10.1f}{rate / baseline:13.2f}{rate / ceiling:9.2f}")
    if not args.skip_jvm:
        print_cost_per_call(p, args.repeats)
    # the ratio the target is about, timed interleaved (Dropout, AlphaDropout,
    # Dropout, ...) so that a load that changes during the run hits both alike
    for backend in backends:
        ratio = interleaved_ratio(nn.AlphaDropout(p, seed=42, backend=backend),
                                  nn.Dropout(p, seed=42, backend=backend), x, args.repeats)
        out(f"AlphaDropout / Dropout time, {backend} backend, interleaved: {ratio:.2f} (target <= 1.5)")
    (ROOT / "target").mkdir(exist_ok=True)
    (ROOT / "target" / "bench_python.txt").write_text("\n".join(LINES) + "\n")


def print_cost_per_call(p: float, repeats: int) -> None:
    """Dropout forward time per call on each backend at 10^3, 10^5 and 10^7
    float32 elements (the fixed cost shows at 10^3), and a bare py4j round trip."""
    from bigdl_reg.backends.jvm import gateway

    layers = {b: nn.Dropout(p, seed=42, backend=b) for b in ("numpy", "jvm")}
    out(f"{'cost per call (us)':28}{'numpy':>10}{'jvm':>10}{'jvm/numpy':>11}")
    for n in (10**3, 10**5, 10**7):
        x = np.ones(n, np.float32)
        reps = max(repeats, 10**8 // (n * 100))  # more calls where each is short
        us = {b: median_seconds(lambda m=m: m.forward(x), reps) * 1e6 for b, m in layers.items()}
        out(f"{f'10^{len(str(n)) - 1} elements':28}{us['numpy']:10.0f}{us['jvm']:10.0f}{us['jvm'] / us['numpy']:11.2f}")
    gw = gateway.get_gateway()
    out(f"{'bare py4j round trip':28}{'':10}{median_seconds(lambda: gw.call('protocolVersion'), 2000) * 1e6:10.0f}")
    out(f"{'Unix-socket round trip':28}{'':10}{socket_round_trip(2000) * 1e6:10.0f}"
        "   (64 bytes to another process and back: the floor of any blocking channel)")


# the other end of socket_round_trip: echoes what it reads until the socket closes
ECHO = """import socket, sys
s = socket.socket(fileno=int(sys.argv[1]))
while data := s.recv(64):
    s.sendall(data)
"""


def socket_round_trip(repeats: int) -> float:
    """Median seconds of 64 bytes sent to an echoing child process over a Unix
    socket pair and read back: two wake-ups across processes, what any channel
    that blocks (py4j's TCP socket, a Unix socket, a pipe) pays per call at least."""
    ours, theirs = socket.socketpair()
    child = subprocess.Popen([sys.executable, "-c", ECHO, str(theirs.fileno())], pass_fds=[theirs.fileno()])
    theirs.close()
    message, reply = b"x" * 64, bytearray(64)

    def round_trip():
        ours.sendall(message)
        got = 0
        while got < 64:
            n = ours.recv_into(memoryview(reply)[got:])
            if n == 0:
                raise RuntimeError("the echoing child process ended")
            got += n

    try:
        return median_seconds(round_trip, repeats)
    finally:
        ours.close()
        child.wait(10)


def interleaved_ratio(layer, reference, x, repeats: int) -> float:
    """Median time of ``layer.forward(x)`` over that of ``reference.forward(x)``,
    the two timed alternately after a warm-up of each."""
    layer.forward(x), reference.forward(x)
    times = {id(layer): [], id(reference): []}
    for _ in range(repeats):
        for m in (reference, layer):
            start = time.perf_counter()
            m.forward(x)
            times[id(m)].append(time.perf_counter() - start)
    return statistics.median(times[id(layer)]) / statistics.median(times[id(reference)])


def _layer_forward(layer, x):
    # each call is a training forward: a fresh mask every time, as in training
    return lambda: layer.forward(x)


if __name__ == "__main__":
    main()
