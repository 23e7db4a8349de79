"""Soak: several Python threads make thousands of calls against one JVM.

Each thread runs its own deterministic script over its own layers (all of them,
both dtypes): training and evaluate forwards, backwards, mode switches, new
seeds, Dropout.set_p, short-lived layers, shapes from 0-d to 5-D and sizes
that make the thread's arena grow. The same scripts replayed sequentially on
the numpy backend must give the same bytes for every output; afterwards the
JVM must be back where it started: no live layers or arenas beyond the
baseline, no objects pinned by py4j, no arena mappings left in either
process, and the heap after a GC within a generous bound.

``SOAK_THREADS`` x ``SOAK_CALLS`` (env ``BIGDL_REG_SOAK_CALLS`` overrides the
calls per thread) are sized so the test takes well under a minute on the
2-core CI machine; it prints the number of calls made.
"""
from __future__ import annotations

import gc
import hashlib
import os
import threading
import time

import numpy as np
import pytest

from bigdl_reg import nn
from bigdl_reg.backends.jvm import gateway, shm
from jvm_support import arena_mappings, jvm_probe
from layer_cases import CASES

pytestmark = pytest.mark.jvm

SOAK_THREADS = 4
SOAK_CALLS = int(os.environ.get("BIGDL_REG_SOAK_CALLS", "3000"))

# (class, constructor kwargs, ranks it is given): every layer; the any-rank ones get 0-d to 5-D
_LAYERS = [(case.cls, case.kwargs, case.ranks or (0, 1, 2, 3, 4, 5)) for case in CASES]
_DTYPES = {"float": np.float32, "double": np.float64}


def _shape(rng: np.random.Generator, rank: int) -> tuple:
    if rng.random() < 0.03:  # now and then a big one: the arena grows
        total = int(rng.integers(100_000, 400_000))
    else:
        total = int(rng.integers(0, 3000))
    dims = [1] * rank
    for i in range(rank):
        dims[i] = int(rng.integers(1, 9))
    if rank:
        dims[-1] = max(0 if total == 0 else 1, total // max(1, int(np.prod(dims[:-1]))))
    return tuple(dims)


def _script(thread: int, calls: int) -> list:
    """The operations of one thread, as data (so both backends run the same)."""
    rng = np.random.default_rng(1000 + thread)
    ops = []
    for _ in range(calls):
        layer = int(rng.integers(0, len(_LAYERS) * 2))
        r = rng.random()
        if r < 0.55:
            ops.append(("forward", layer, _shape(rng, int(rng.choice(_LAYERS[layer // 2][2]))), int(rng.integers(1 << 30))))
        elif r < 0.8:
            ops.append(("backward", layer, None, int(rng.integers(1 << 30))))
        elif r < 0.9:
            ops.append(("mode", layer, None, int(rng.integers(2))))
        elif r < 0.94:
            ops.append(("seed", layer, None, int(rng.integers(0, 1 << 64, dtype=np.uint64))))
        elif r < 0.97:
            ops.append(("set_p", 0, None, int(rng.integers(0, 100))))
        else:
            ops.append(("fresh", layer, _shape(rng, int(rng.choice(_LAYERS[layer // 2][2]))), int(rng.integers(1 << 30))))
    return ops


def _make(index: int, thread: int, backend: str):
    cls, kw, _ = _LAYERS[index // 2]
    bigdl_type = ("float", "double")[index % 2]
    return cls(**kw, bigdl_type=bigdl_type, seed=thread * 100 + index, backend=backend)


def _input(shape, dtype, salt: int) -> np.ndarray:
    n = int(np.prod(shape))
    return (((np.arange(n, dtype=np.float64) * 7919 + salt) % 2001 - 1000) / 37).astype(dtype).reshape(shape)


_BACKWARD_FIRST = "backward before any forward"  # the one error a script makes on purpose


def _run(thread: int, ops: list, backend: str) -> tuple:
    """Runs a script; returns one digest per result (errors included) and the
    errors met, each (op index, why) (the deliberate ones as ``_BACKWARD_FIRST``)."""
    layers = [_make(i, thread, backend) for i in range(len(_LAYERS) * 2)]
    last_x = [None] * len(layers)
    digests, errors = [], []
    for k, (op, i, shape, arg) in enumerate(ops):
        layer = layers[i]
        dtype = _DTYPES["double" if i % 2 else "float"]
        deliberate = op == "backward" and last_x[i] is None
        try:
            if op == "forward":
                x = _input(shape, dtype, arg)
                last_x[i] = x
                result = layer.forward(x).tobytes()
            elif op == "backward":
                x = last_x[i]
                if x is None:
                    x = _input((2, 3, 4), dtype, 0)  # before any forward: an error, both sides
                result = layer.backward(x, _input(x.shape, dtype, arg)).tobytes()
            elif op == "mode":
                (layer.training if arg else layer.evaluate)()
                result = repr((layer.is_training(), layer.step)).encode()
            elif op == "seed":
                layer.set_seed(arg)
                result = repr(layer.seed).encode()
            elif op == "set_p":
                layers[0].set_p(arg / 100 * 0.99)
                result = b"p"
            else:  # a short-lived layer
                fresh = _make(i, thread + 50, backend)
                result = fresh.forward(_input(shape, dtype, arg)).tobytes()
                fresh.close()
            if deliberate:
                errors.append((k, "a backward before any forward succeeded"))
        except (ValueError, RuntimeError) as e:
            result = f"{type(e).__name__}: {e}".encode()
            errors.append((k, _BACKWARD_FIRST if deliberate else result.decode()))
        digests.append(hashlib.sha256(result).digest())
    for layer in layers:
        layer.close()
    return digests, errors


def _jvm_state(gw) -> dict:
    gc.collect()
    probe = nn.Dropout(0.5, seed=0, backend="jvm")  # flushes releases queued by finalizers
    probe.close()
    return {
        "liveModules": gw.call("liveModules"),
        "liveArenas": gw.call("liveArenas"),
        "pinnedObjects": jvm_probe(gw, "pinnedObjects"),
        "jvm arena mappings": arena_mappings(gw.pid),
        "python arena mappings": arena_mappings(os.getpid()),
    }


def test_soak_threads_against_one_jvm_match_numpy_and_leave_the_jvm_flat():
    gw = gateway.get_gateway()
    pid = gw.pid
    shm.release_thread_arena()
    gc.collect()
    shm.release_free_segments(gw)  # earlier tests' reusable result segments: not part of the baseline
    base = _jvm_state(gw)
    heap_before = jvm_probe(gw, "heapUsedAfterGc")
    assert base["pinnedObjects"] >= 1  # the entry point at least: the probe works

    scripts = [_script(t, SOAK_CALLS) for t in range(SOAK_THREADS)]
    results: list = [None] * SOAK_THREADS
    errors = []

    def worker(t: int) -> None:
        try:
            results[t] = _run(t, scripts[t], "jvm")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append((t, e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(SOAK_THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(600)
    jvm_seconds = time.monotonic() - t0
    assert not any(th.is_alive() for th in threads), "a soak thread hung"
    assert not errors, errors

    t0 = time.monotonic()
    expected = [_run(t, scripts[t], "numpy") for t in range(SOAK_THREADS)]
    numpy_seconds = time.monotonic() - t0
    deliberate = 0
    for t in range(SOAK_THREADS):
        # identical failures on both backends would match: no error may happen but the deliberate ones
        for backend, (_, met) in (("jvm", results[t]), ("numpy", expected[t])):
            unexpected = [(k, why) for k, why in met if why != _BACKWARD_FIRST]
            assert not unexpected, f"thread {t}, {backend}: {len(unexpected)} errors, first {unexpected[0]}"
        deliberate += len(results[t][1])
        mismatch = [k for k, (a, b) in enumerate(zip(results[t][0], expected[t][0])) if a != b]
        assert len(results[t][0]) == len(expected[t][0]) == SOAK_CALLS
        assert not mismatch, f"thread {t}: {len(mismatch)} results differ, first at op {mismatch[0]}: {scripts[t][mismatch[0]]}"

    assert gw.usable() and gw.pid == pid, "one JVM throughout"
    gc.collect()  # the results are gone: their segments are back in the bounded reuse pool
    assert shm.release_free_segments(gw) <= shm._MAX_FREE_SEGMENTS
    after = _jvm_state(gw)
    assert after == base, (base, after)
    heap_after = jvm_probe(gw, "heapUsedAfterGc")
    # generous: the slots' reusable arrays are gone with their layers; what
    # may remain is JIT and py4j bookkeeping
    assert heap_after <= heap_before + (64 << 20), (heap_before, heap_after)

    calls = SOAK_THREADS * SOAK_CALLS
    kinds = {}
    for script in scripts:
        for op in script:
            kinds[op[0]] = kinds.get(op[0], 0) + 1
    print(
        f"\n[soak] {SOAK_THREADS} threads x {SOAK_CALLS} calls = {calls} calls on one JVM in {jvm_seconds:.1f} s "
        f"({kinds}); numpy replay {numpy_seconds:.1f} s; all {calls} results byte-identical; "
        f"0 errors but the {deliberate} deliberate backwards before a forward; "
        f"JVM state {after}; heap after GC {heap_before >> 20} -> {heap_after >> 20} MiB"
    )
