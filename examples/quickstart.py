"""The README's Python quick start: every layer, seeded, forward and backward.

    .venv/bin/python examples/quickstart.py [--backend jvm|numpy]

Prints the same numbers as the Scala example (examples/scala, `bin/sbt run`
there) for the same seeds, whichever backend runs it.
"""
import argparse

import numpy as np

from bigdl_reg.nn import Dropout, GaussianDropout, GaussianNoise, SpatialDropout2D


def counting(*shape):
    """1, 2, ..., n laid out in `shape` (row-major), float32."""
    return np.arange(1, np.prod(shape) + 1, dtype=np.float32).reshape(shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="jvm, numpy or auto (default)")
    backend = parser.parse_args().backend
    np.set_printoptions(precision=7, suppress=True)

    x = counting(2, 8)
    dropout = Dropout(init_p=0.5, seed=42, backend=backend)
    print(f"{dropout} on the {dropout.backend} backend, training forward:\n{dropout.forward(x)}")
    print(f"backward of ones:\n{dropout.backward(x, np.ones_like(x))}")
    dropout.evaluate()
    print(f"evaluate forward (identity with scale=True):\n{dropout.forward(x)}")

    image = counting(1, 2, 2, 3)  # N, H, W, C
    spatial = SpatialDropout2D(init_p=0.5, data_format="NHWC", seed=7, backend=backend)
    print(f"{spatial} training forward, whole channels kept or dropped:\n{spatial.forward(image)}")

    for layer in (GaussianDropout(rate=0.2, seed=42, backend=backend), GaussianNoise(stddev=0.1, seed=42, backend=backend)):
        print(f"{layer} training forward:\n{layer.forward(x)}")


if __name__ == "__main__":
    main()
