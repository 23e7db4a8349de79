"""Frozen expected values (tests/vectors/frozen.txt): AlphaDropout,
FeatureAlphaDropout, noise_shape, batch_offset and noise(), written once and
never regenerated, on both backends (the Scala FrozenSuite checks the same file)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from bigdl_reg.nn import AlphaDropout, Dropout, FeatureAlphaDropout, GaussianDropout, GaussianNoise

FROZEN = Path(__file__).resolve().parent / "vectors" / "frozen.txt"


def counting(*shape, dtype=np.float32, scale=1.0):
    return (np.arange(1, int(np.prod(shape)) + 1) * scale).astype(dtype).reshape(shape)


def bits(a):
    a = np.ascontiguousarray(a)
    if a.dtype == np.bool_:
        return "".join("1" if v else "0" for v in a.ravel())
    width = {4: ("<u4", "08x"), 8: ("<u8", "016x")}[a.dtype.itemsize]
    return " ".join(format(int(v), width[1]) for v in a.view(width[0]).ravel())


def results(backend):
    out = []
    a = AlphaDropout(0.2, seed=42, backend=backend)
    x = counting(2, 8, scale=0.125)
    out.append(("AlphaDropout.forward", a.forward(x)))
    out.append(("AlphaDropout.backward", a.backward(x, np.ones_like(x))))
    out.append(("AlphaDropout.noise", a.noise()))
    f = FeatureAlphaDropout(0.5, seed=42, backend=backend)
    out.append(("FeatureAlphaDropout.forward", f.forward(counting(1, 4, 2, 2, scale=0.125))))
    d = Dropout(0.5, seed=42, noise_shape=(None, 1), backend=backend)
    out.append(("Dropout.noise_shape.forward", d.forward(counting(4, 3))))
    d = Dropout(0.5, seed=42, backend=backend)
    out.append(("Dropout.batch_offset.forward", d.forward(counting(2, 8), batch_offset=3)))
    d = Dropout(0.3, seed=42, backend=backend)
    d.forward(counting(2, 8))
    out.append(("Dropout.noise", d.noise()))
    g = GaussianNoise(0.1, seed=42, backend=backend)
    g.forward(counting(2, 3))
    out.append(("GaussianNoise.noise", g.noise()))
    gd = GaussianDropout(0.2, seed=42, bigdl_type="double", backend=backend)
    out.append(("GaussianDropout.double.batch_offset.forward", gd.forward(counting(2, 4, dtype=np.float64), batch_offset=5)))
    out.append(("GaussianDropout.double.noise", gd.noise()))
    return out


def _frozen() -> dict:
    lines = [line for line in FROZEN.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split(" ", 1) for line in lines)


def test_the_frozen_values_hold(backend):  # the conftest fixture: numpy and jvm
    frozen = _frozen()
    computed = {label: bits(a) for label, a in results(backend)}
    assert sorted(computed) == sorted(frozen)
    for label in frozen:
        assert computed[label] == frozen[label], label
