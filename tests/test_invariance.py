"""Bit-identical for any thread count and chunk size, tested from Python:
the jvm backend at 1, 2 and 3 engine threads (the system property
``bigdlreg.threads`` through BIGDL_REG_JVM_OPTS, checked in the JVM) and
several engine chunk sizes (``Engine.setChunkSize`` through py4j's JVM view),
and the numpy backend at several chunk sizes (ops.CHUNK / ops.NORMAL_CHUNK
monkeypatched) and thread counts (threads.set_threads, checked by counting the
threads that ran chunks)."""
from __future__ import annotations

import numpy as np
import pytest
from jvm_support import dedicated_gateway

from bigdl_reg import nn
import threading

from bigdl_reg.backends.numpy import native, ops, threads

CASES = [
    (nn.Dropout, dict(init_p=0.3)),
    (nn.Dropout, dict(init_p=0.3, noise_shape=(None, 1, None))),
    (nn.GaussianDropout, dict(rate=0.2, bigdl_type="double")),
    (nn.GaussianNoise, dict(stddev=0.5)),
    (nn.SpatialDropout1D, dict(init_p=0.4)),
    (nn.AlphaDropout, dict(init_p=0.25)),
]
SHAPE = (7, 33, 129)  # 29 799 elements: several chunks at every size below


def _digest(backend):
    out = []
    x = (np.sin(np.arange(np.prod(SHAPE)) * 0.37) * 3).reshape(SHAPE)
    for k, (cls, kw) in enumerate(CASES):
        layer = cls(**kw, seed=1000 + k, backend=backend)
        for offset in (0, 5):
            y = layer.forward(x, batch_offset=offset)
            out.append(y.tobytes() + layer.backward(x, y).tobytes() + layer.noise().tobytes())
        layer.close()
    return out


@pytest.mark.parametrize("chunk, compiled", [(1, True), (7, True), (256, True), (4099, True), (1, False),
                                             (7, False), (4099, False)])
def test_numpy_chunk_size_does_not_change_a_bit(monkeypatch, chunk, compiled):
    """With the compiled kernel (when it is loaded) and with numpy's own code."""
    reference = _digest("numpy")
    if not compiled:
        monkeypatch.setattr(native, "_kernel", None)
    _use_chunk(monkeypatch, chunk)
    assert _digest("numpy") == reference


def _use_chunk(monkeypatch, chunk):
    monkeypatch.setattr(ops, "CHUNK", chunk)
    monkeypatch.setattr(ops, "NORMAL_CHUNK", chunk)
    monkeypatch.setattr(ops.apply_noise, "__defaults__", (chunk, None))


@pytest.mark.parametrize("chunk", [256, 4099])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_numpy_thread_count_does_not_change_a_bit(monkeypatch, n_threads, chunk):
    threads.set_threads(1)
    reference = _digest("numpy")
    _use_chunk(monkeypatch, chunk)
    ran_on, spans = set(), []
    run_spans = threads.run_spans

    def counting(chunks, min_chunks, work):
        spans.append(0)

        def counted(first, stop):
            ran_on.add(threading.get_ident())
            spans[-1] += 1
            work(first, stop)
        run_spans(chunks, min_chunks, counted)

    monkeypatch.setattr(threads, "run_spans", counting)
    threads.set_threads(n_threads)
    try:
        assert _digest("numpy") == reference
    finally:
        threads.set_threads(threads._default_threads())
    # the forwards and backwards have at least 2 * 3 chunks here: split in n_threads (a small noise() in fewer)
    assert max(spans) == n_threads
    assert (len(ran_on) > 1) == (n_threads > 1)  # the caller alone, or with pool threads


@pytest.mark.jvm
def test_jvm_thread_count_and_chunk_size_do_not_change_a_bit():
    from bigdl_reg.backends.jvm import gateway

    reference = _digest("numpy")
    for threads in (1, 2, 3):
        with dedicated_gateway(BIGDL_REG_JVM_OPTS=f"-Dbigdlreg.threads={threads}"):
            engine = gateway.get_gateway().java_gateway.jvm.bigdlreg.tensor.Engine
            assert engine.threads() == threads  # the property reached the engine
            default = engine.chunkSize()
            try:
                for chunk in (default, 1, 7, 256, 4099):
                    engine.setChunkSize(chunk)
                    assert _digest("jvm") == reference, f"{threads} engine threads, chunks of {chunk}"
            finally:
                engine.setChunkSize(default)
