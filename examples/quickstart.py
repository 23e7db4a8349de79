"""The README's Python quick start: a forward and a backward through every
layer, seeded.

    .venv/bin/python examples/quickstart.py [--backend jvm|numpy]

It ends with the bit pattern of every result. The Scala example
(examples/scala, `bin/sbt run` there) prints the same lines for the same
seeds, whichever backend runs this; both are checked against
examples/quickstart-bits.txt (tests/test_examples.py and QuickStartSpec).
"""
import argparse

import numpy as np

from bigdl_reg.backends import get_backend
from bigdl_reg.nn import Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D

BITS_HEADER = "bits of every result (float32, hex):"


def counting(*shape):
    """1, 2, ..., n laid out in `shape` (row-major), float32."""
    return np.arange(1, np.prod(shape) + 1, dtype=np.float32).reshape(shape)


def results(backend=None):
    """Every result of the quick start, in order: [(label, array)]."""
    x = counting(2, 8)
    out = []

    def forward_backward(label, layer, inp):
        out.append((f"{label}.forward", layer.forward(inp)))
        out.append((f"{label}.backward", layer.backward(inp, np.ones_like(inp))))

    dropout = Dropout(init_p=0.5, seed=42, backend=backend)
    forward_backward("Dropout", dropout, x)
    out.append(("Dropout.evaluate", dropout.evaluate().forward(x)))  # identity with scale=True
    forward_backward("SpatialDropout2D", SpatialDropout2D(init_p=0.5, data_format="NHWC", seed=7, backend=backend),
                     counting(1, 2, 2, 3))  # N, H, W, C: whole channels kept or dropped
    forward_backward("GaussianDropout", GaussianDropout(rate=0.2, seed=42, backend=backend), x)
    forward_backward("GaussianNoise", GaussianNoise(stddev=0.1, seed=42, backend=backend), x)
    forward_backward("SpatialDropout1D", SpatialDropout1D(init_p=0.5, seed=42, backend=backend), counting(2, 3, 4))
    forward_backward("SpatialDropout3D", SpatialDropout3D(init_p=0.5, seed=42, backend=backend), counting(1, 2, 2, 2, 2))
    return out


def bit_lines(results):
    """`<label> <hex of each float's bits>`: the lines both languages must print alike."""
    return [" ".join([label] + [f"{w:08x}" for w in np.ascontiguousarray(a, "<f4").view("<u4").ravel()])
            for label, a in results]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="jvm, numpy or auto (default)")
    backend = parser.parse_args().backend
    np.set_printoptions(precision=7, suppress=True)
    all_results = results(backend)
    print(f"backend: {get_backend(backend).name}")
    for label, array in all_results:
        print(f"{label}:\n{array}")
    print(f"\n{BITS_HEADER}")
    print("\n".join(bit_lines(all_results)))


if __name__ == "__main__":
    main()
