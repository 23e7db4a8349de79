"""Bit-identical for any thread count and chunk size, tested from Python:
the jvm backend at 1, 2 and 3 engine threads (the system property
``bigdlreg.threads`` through BIGDL_REG_JVM_OPTS, checked in the JVM) and
several engine chunk sizes (``Engine.setChunkSize`` through py4j's JVM view),
and the numpy backend at several chunk sizes (ops.CHUNK / ops.NORMAL_CHUNK
monkeypatched)."""
from __future__ import annotations

import numpy as np
import pytest
from jvm_support import dedicated_gateway

from bigdl_reg import nn
from bigdl_reg.backends.numpy import ops

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


@pytest.mark.parametrize("chunk", [1, 7, 256, 4099])
def test_numpy_chunk_size_does_not_change_a_bit(monkeypatch, chunk):
    reference = _digest("numpy")
    monkeypatch.setattr(ops, "CHUNK", chunk)
    monkeypatch.setattr(ops, "NORMAL_CHUNK", chunk)
    monkeypatch.setattr(ops.apply_noise, "__defaults__", (chunk,))
    assert _digest("numpy") == reference


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
