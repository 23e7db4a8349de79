"""State lives in the layer: get_state / set_state / from_state (the JSON
record Scala's LayerState writes), pickling and copies, failed and
interrupted calls that change nothing, and resuming across languages."""
from __future__ import annotations

import copy
import hashlib
import json
import multiprocessing
import pickle

import numpy as np
import pytest
from layer_cases import IDS, WITH_OPTIONS

from bigdl_reg._demo import pattern as demo_pattern
from bigdl_reg.backends.numpy.module import NumpyConfig
from bigdl_reg.nn import Dropout, GaussianDropout, GaussianNoise, SpatialDropout2D, from_state

# docs/contract.md, "Module seeds": STATE_FORMAT's three examples, as Scala's LayerState.toJson writes them
SCALA_EXAMPLES = [
    '{"format": 1, "layer": "Dropout", "params": {"init_p": 0.3, "inplace": false, "scale": true}, '
    '"dtype": "float32", "seed": "42", "step": 2, "training": true, "resampling": true, "name": null, '
    '"last": {"seed": "42", "step": 1, "training": true, "shape": [2, 3], "batch_offset": 0, '
    '"params": {"init_p": 0.3, "inplace": false, "scale": true}}, '
    '"last_training": {"seed": "42", "step": 1, "training": true, "shape": [2, 3], "batch_offset": 0, '
    '"params": {"init_p": 0.3, "inplace": false, "scale": true}}}',
    '{"format": 1, "layer": "GaussianNoise", "params": {"stddev": 0.1, "noise_shape": [null, 1]}, '
    '"dtype": "float64", "seed": "7", "step": 1, "training": true, "resampling": true, "name": null, '
    '"last": {"seed": "7", "step": 0, "training": true, "shape": [4, 3], "batch_offset": 2, '
    '"params": {"stddev": 0.1, "noise_shape": [null, 1]}}, '
    '"last_training": {"seed": "7", "step": 0, "training": true, "shape": [4, 3], "batch_offset": 2, '
    '"params": {"stddev": 0.1, "noise_shape": [null, 1]}}}',
    '{"format": 1, "layer": "SpatialDropout2D", "params": {"init_p": 0.25, "data_format": "NHWC"}, '
    '"dtype": "float32", "seed": "18446744073709551615", "step": 1, "training": false, "resampling": true, '
    '"name": "drop2d", "last": {"seed": "18446744073709551615", "step": 1, "training": false, '
    '"shape": [1, 2, 2, 3], "batch_offset": 0, "params": {"init_p": 0.25, "data_format": "NHWC"}}, '
    '"last_training": {"seed": "18446744073709551615", "step": 0, "training": true, "shape": [1, 2, 2, 3], '
    '"batch_offset": 0, "params": {"init_p": 0.25, "data_format": "NHWC"}}}',
]


def _x(shape, dtype=np.float32, salt=0):
    n = int(np.prod(shape))
    return (((np.arange(n) * 7919 + salt * 104729) % 2001 - 1000) / 37).reshape(shape).astype(dtype)


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _ran(cls, kwargs, shape, backend, forwards=3):
    layer = cls(**kwargs, seed=2**64 - 9, backend=backend)
    x = _x(shape, layer.dtype)
    for _ in range(forwards):
        layer.forward(x)
    return layer, x


def test_the_json_text_is_scalas(backend):
    d = Dropout(0.3, seed=42, backend=backend)
    for _ in range(2):
        d.forward(np.ones((2, 3), np.float32))
    g = GaussianNoise(0.1, bigdl_type="double", seed=7, noise_shape=(None, 1), backend=backend)
    g.forward(np.ones((4, 3)), batch_offset=2)
    s = SpatialDropout2D(0.25, data_format="channels_last", seed=2**64 - 1, backend=backend).set_name("drop2d")
    s.forward(np.ones((1, 2, 2, 3), np.float32))
    s.evaluate().forward(np.ones((1, 2, 2, 3), np.float32))
    for layer, text in zip((d, g, s), SCALA_EXAMPLES):
        assert json.dumps(layer.get_state()) == text
        assert from_state(json.loads(text), backend=backend).get_state() == json.loads(text)


def test_values_are_written_as_floats():
    state = Dropout(0, seed=1, backend="numpy").get_state()
    assert json.dumps(state["params"]) == '{"init_p": 0.0, "inplace": false, "scale": true}'
    assert json.dumps(GaussianNoise(1e-5, backend="numpy").get_state()["params"]) == '{"stddev": 1e-05}'


@pytest.mark.parametrize("cls, kwargs, shape", WITH_OPTIONS, ids=IDS)
def test_restored_layers_continue_exactly(backend, cls, kwargs, shape):
    layer, x = _ran(cls, kwargs, shape, backend)
    state = json.loads(json.dumps(layer.get_state()))
    restored = from_state(state, backend=backend)
    other = cls(**kwargs, seed=5, backend=backend).set_state(state)
    g = _x(shape, layer.dtype, salt=1)
    for copy_ in (restored, other):
        assert copy_.get_state() == layer.get_state()
        _same(copy_.backward(x, g), layer.backward(x, g))  # the last forward, replayed
        _same(copy_.noise(), layer.noise())
    for _ in range(2):
        y = layer.forward(x)
        _same(restored.forward(x), y)
        _same(other.forward(x), y)


def test_set_state_refuses_another_layer_and_changes_nothing(backend):
    d, _ = _ran(Dropout, {}, (4, 5), backend)
    before = d.get_state()
    with pytest.raises(ValueError, match="^Dropout: the state is of a GaussianNoise, not of a Dropout$"):
        d.set_state(GaussianNoise(0.1, backend="numpy").get_state())
    for bad in ({**before, "step": -1}, {**before, "seed": 3}, {**before, "extra": 1},
                {**before, "dtype": "float64"}, {**before, "params": {**before["params"], "scale": False}},
                {**before, "last": {**before["last"], "shape": [2, 3, "x"]}}):
        with pytest.raises((ValueError, TypeError)):
            d.set_state(bad)
    assert d.get_state() == before
    with pytest.raises(ValueError, match="unknown layer"):
        from_state({**before, "layer": "Linear"})


def test_set_state_may_change_the_drop_probability(backend):
    d, x = _ran(Dropout, {"init_p": 0.5}, (4, 5), backend)
    state = {**d.get_state(), "params": {"init_p": 0.25, "inplace": False, "scale": True}}
    other = Dropout(0.5, seed=1, backend=backend).set_state(state)
    assert other.p == 0.25
    _same(other.backward(x, x), d.backward(x, x))  # the last forward's own p
    _same(other.forward(x), d.set_p(0.25).forward(x))


def _fail_next_forward(layer, error):
    """The backend's next forward raises ``error`` (the jvm backend: inside the bridge call)."""
    config = layer._config(layer._params)
    if isinstance(config, NumpyConfig):
        def forward(*args):
            raise error
        config.forward = forward
        return lambda: config.__dict__.pop("forward")
    gw = config._bind()[0]

    def compute(method, *args):
        if method == "forward":
            del gw.compute
            raise error
        return type(gw).compute(gw, method, *args)
    gw.compute = compute
    return lambda: gw.__dict__.pop("compute", None)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("the backend failed")], ids=["interrupt", "raise"])
def test_a_forward_that_raises_changes_nothing(backend, error):
    layer, x = _ran(GaussianDropout, {"rate": 0.3}, (6, 7), backend, forwards=2)
    layer.evaluate().forward(x[:2])  # the last forward is an evaluate one, the last training one is older
    layer.training()
    twin = from_state(layer.get_state(), backend="numpy")
    before = layer.get_state()
    undo = _fail_next_forward(layer, error)
    with pytest.raises(type(error)):
        layer.forward(x, batch_offset=3)
    undo()
    assert layer.get_state() == before and layer.step == 2
    g = _x(x[:2].shape, salt=2)
    _same(layer.backward(x[:2], g), twin.backward(x[:2], g))
    _same(layer.noise(), twin.noise())
    _same(layer.forward(x, batch_offset=3), twin.forward(x, batch_offset=3))
    assert layer.get_state() == twin.get_state()


@pytest.mark.parametrize("cls, kwargs, shape", WITH_OPTIONS, ids=IDS)
@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
def test_copies_are_independent_and_give_the_originals_bytes(backend, cls, kwargs, shape, how):
    layer, x = _ran(cls, kwargs, shape, backend)
    layer.set_name("mine").set_resampling(False)
    copier = {"pickle": lambda o: pickle.loads(pickle.dumps(o)), "copy": copy.copy, "deepcopy": copy.deepcopy}[how]
    clone = copier(layer)
    assert type(clone) is cls and clone is not layer and clone.backend == layer.backend
    assert clone.get_state() == layer.get_state() and clone.name() == "mine" and not clone.is_resampling()
    g = _x(shape, layer.dtype, salt=3)
    _same(clone.backward(x, g), layer.backward(x, g))
    layer.set_resampling(True), clone.set_resampling(True)
    y = clone.forward(x)
    assert clone.step == layer.step + 1  # the original did not move
    _same(layer.forward(x), y)
    clone.evaluate()
    assert layer.is_training()
    clone.close()
    layer.forward(x)  # closing the copy leaves the original alive


def _child_forward(payload):
    layer = pickle.loads(payload)
    x = _x((5, 6))
    return layer.forward(x).tobytes(), layer.backward(x, x).tobytes(), layer.backend, layer.step


@pytest.mark.jvm
def test_a_pickled_jvm_layer_is_live_in_a_spawned_process():
    layer, x = _ran(Dropout, {"init_p": 0.4}, (5, 6), "jvm")
    payload = pickle.dumps(layer)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        y, g, backend, step = pool.apply(_child_forward, (payload,))
    assert backend == "jvm" and step == 4
    assert y == layer.forward(x).tobytes() and g == layer.backward(x, x).tobytes()


# ------------------------------------------------------------------ across languages

def _resume_jvm(state: dict, shape, forwards: int):
    from bigdl_reg.backends.jvm.module import resume

    digest, after = resume(json.dumps(state), shape, forwards)
    return digest, json.loads(after)


@pytest.mark.jvm
@pytest.mark.parametrize("cls, kwargs, shape", WITH_OPTIONS, ids=IDS)
def test_python_state_resumes_in_scala_and_back(cls, kwargs, shape):
    """10 training forwards straight = 5 here + get_state + 5 in Scala (same
    bytes, same state after); and Scala's state after, set in Python, gives the
    straight run's next 5."""
    straight = cls(**kwargs, seed=123456789, backend="numpy")
    x = demo_pattern(shape, straight.dtype)
    outputs = [straight.forward(x).tobytes() for _ in range(10)]
    more = [straight.forward(x).tobytes() for _ in range(5)]

    half = cls(**kwargs, seed=123456789, backend="numpy")
    for k in range(5):
        assert half.forward(x).tobytes() == outputs[k]
    digest, after = _resume_jvm(half.get_state(), shape, 5)
    assert digest == hashlib.sha256(b"".join(outputs[5:])).hexdigest()
    check = cls(**kwargs, seed=123456789, backend="numpy")
    for _ in range(10):
        check.forward(x)
    assert after == check.get_state()  # the same text: Scala's state is Python's

    for backend in ("numpy", "jvm"):
        resumed = from_state(after, backend=backend)
        assert [resumed.forward(x).tobytes() for _ in range(5)] == more

    # the reverse: 5 forwards in Scala from the fresh state, then Python takes over
    digest, at_five = _resume_jvm(cls(**kwargs, seed=123456789, backend="numpy").get_state(), shape, 5)
    assert digest == hashlib.sha256(b"".join(outputs[:5])).hexdigest()
    assert at_five == half.get_state()
    continued = cls(**kwargs, seed=1, backend="numpy").set_state(at_five)
    assert [continued.forward(x).tobytes() for _ in range(5)] == outputs[5:]
