"""Cross-language parity: every case in tests/vectors/*.json (written by the
Scala generator, format in docs/architecture.md) must be reproduced byte for
byte by every backend, through the facade.

No vectors at all is a failure, not a vacuous pass.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from bigdl_reg import nn

VECTORS = Path(__file__).resolve().parent / "vectors"
FORMAT = 1
MODES = {"train": True, "training": True, "eval": False, "evaluate": False}
BIGDL_TYPES = {"float32": "float", "float64": "double"}


def _load_cases():
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        document = json.loads(path.read_text())
        for case in document.get("cases", []):
            cases.append(pytest.param(path.name, document, case, id=f"{path.stem}:{case['name']}"))
    return cases


CASES = _load_cases()


def test_vectors_match_their_checksums():
    """tests/vectors/SHA256SUMS pins every vector file: regenerating them is a
    visible change (update it with ``cd tests/vectors && sha256sum *.json *.bin *.txt > SHA256SUMS``)."""
    import hashlib

    pinned = {}
    for line in (VECTORS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        pinned[name.lstrip("*")] = digest
    present = sorted(p.name for p in VECTORS.iterdir() if p.suffix in (".json", ".bin", ".txt"))
    assert sorted(pinned) == present, "SHA256SUMS does not list exactly the vector files"
    for name in present:
        assert hashlib.sha256((VECTORS / name).read_bytes()).hexdigest() == pinned[name], f"{name} changed"


def test_vectors_exist():
    assert CASES, f"no test vectors in {VECTORS}/*.json: generate them with the Scala WriteVectors"


def _array(text: str, dtype: np.dtype, shape) -> np.ndarray:
    raw = base64.b64decode(text)
    return np.frombuffer(raw, dtype=dtype.newbyteorder("<")).reshape(shape).astype(dtype)  # a writable copy


def _bytes(array: np.ndarray) -> bytes:
    return array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()


NOISE_DTYPES = {"keep": np.dtype(bool)}


def _check_noise(noise: np.ndarray, stored: dict, dtype: np.dtype, where: str) -> None:
    """``layer.noise()`` against the stored noise: a keep mask as one byte per
    cell (1 kept), factors and addends as the dtype's little-endian bytes."""
    assert noise.shape == tuple(stored["shape"]), f"{where}: noise shape {noise.shape}"
    assert noise.dtype == NOISE_DTYPES.get(stored["kind"], dtype), f"{where}: noise dtype {noise.dtype}"
    raw = noise.astype(np.uint8).tobytes() if noise.dtype == bool else _bytes(noise)
    assert raw == base64.b64decode(stored["data"]), f"{where}: noise differs"


@pytest.mark.parametrize("file, document, case", CASES)
def test_case(backend, file, document, case):
    assert document.get("format") == FORMAT, f"{file}: unknown format {document.get('format')!r}"
    layer_class = getattr(nn, document["layer"], None)
    assert isinstance(layer_class, type) and issubclass(layer_class, nn.Layer), \
        f"{file}: no layer {document['layer']!r} in bigdl_reg.nn"
    dtype = np.dtype(case["dtype"])
    layer = layer_class(**case["params"], bigdl_type=BIGDL_TYPES[case["dtype"]],
                        seed=int(case["seed"]), backend=backend)
    try:
        for number, call in enumerate(case["calls"]):
            where = f"{case['name']} call {number}"
            layer.training() if MODES[call["mode"]] else layer.evaluate()
            shape = tuple(call["shape"])
            x = _array(call["input"], dtype, shape)
            y = layer.forward(x, batch_offset=call.get("batch_offset", 0))
            assert y.dtype == dtype and y.shape == shape, where
            assert _bytes(y) == base64.b64decode(call["output"]), f"{where}: output differs"
            if "grad_output" in call:
                grad = _array(call["grad_output"], dtype, shape)
                grad_input = layer.backward(x, grad)
                assert _bytes(grad_input) == base64.b64decode(call["grad_input"]), f"{where}: grad_input differs"
            if "step_after" in call:
                assert layer.step == call["step_after"], where
            if "noise" in call:
                _check_noise(layer.noise(), call["noise"], dtype, where)
    finally:
        layer.close()
