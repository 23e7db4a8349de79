"""Error parity: every invalid argument, input and call gives the same
exception type and text on the numpy and jvm backends, and no message names
an internal class (docs/contract.md, "Validation")."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from bigdl_reg import nn

pytestmark = pytest.mark.jvm

BACKENDS = ("numpy", "jvm")
INTERNAL = ("Bridge", "SharedArena", "Py4J", "py4j", "bigdlreg.")


def _outcome(action, backend):
    try:
        action(backend)
    except Exception as error:  # noqa: BLE001 - the error itself is the result
        return type(error), str(error)
    return None, "no error"


def _forward(cls, x, batch_offset=0, **kw):
    return lambda b: cls(**kw, seed=1, backend=b).forward(x, batch_offset)


def _then(cls, kw, *steps):
    def run(b):
        layer = cls(**kw, seed=1, backend=b)
        for step in steps:
            step(layer)
    return run


X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
BIG = 2**31

CASES = {
    # constructor arguments
    "init_p > 1": lambda b: nn.Dropout(1.5, backend=b),
    "init_p NaN": lambda b: nn.Dropout(float("nan"), backend=b),
    "init_p str": lambda b: nn.Dropout("0.5", backend=b),
    "init_p bool": lambda b: nn.Dropout(True, backend=b),
    "init_p Fraction just below 0": lambda b: nn.Dropout(Fraction(-1, 10**400), backend=b),
    "init_p longdouble just above 1": lambda b: nn.Dropout(np.nextafter(np.longdouble(1), np.longdouble(2)), backend=b),
    "alpha init_p 1": lambda b: nn.AlphaDropout(1.0, backend=b),
    "rate 1": lambda b: nn.GaussianDropout(1.0, backend=b),
    "rate longdouble just below 1 rounds to 1": lambda b: nn.GaussianDropout(
        np.nextafter(np.longdouble(1), np.longdouble(0)), backend=b),
    "stddev inf": lambda b: nn.GaussianNoise(float("inf"), backend=b),
    "stddev -0.5": lambda b: nn.GaussianNoise(-0.5, backend=b),
    "stddev Fraction just below 0": lambda b: nn.GaussianNoise(Fraction(-1, 10**400), backend=b),
    "scale int": lambda b: nn.Dropout(0.5, scale=1, backend=b),
    "data_format": lambda b: nn.SpatialDropout2D(0.5, data_format="nchw", backend=b),
    "seed negative": lambda b: nn.Dropout(0.5, seed=-1, backend=b),
    "seed 2^64": lambda b: nn.Dropout(0.5, seed=2**64, backend=b),
    "seed float": lambda b: nn.Dropout(0.5, seed=1.0, backend=b),
    "bigdl_type": lambda b: nn.Dropout(0.5, bigdl_type="half", backend=b),
    "noise_shape entry -1": lambda b: nn.Dropout(0.5, noise_shape=(None, -1), backend=b),
    "noise_shape entry 2^31": lambda b: nn.Dropout(0.5, noise_shape=(None, BIG), backend=b),
    "noise_shape entry 2^63": lambda b: nn.GaussianNoise(0.5, noise_shape=(2**63,), backend=b),
    "noise_shape entry 2^64": lambda b: nn.AlphaDropout(0.5, noise_shape=(2**64, None), backend=b),
    "noise_shape float entry": lambda b: nn.Dropout(0.5, noise_shape=(None, 1.0), backend=b),
    "noise_shape str": lambda b: nn.Dropout(0.5, noise_shape="None", backend=b),
    # set_p
    "set_p 1.5": lambda b: nn.Dropout(0.5, backend=b).set_p(1.5),
    "set_p NaN": lambda b: nn.Dropout(0.5, backend=b).set_p(float("nan")),
    "set_p 1 on AlphaDropout": lambda b: nn.AlphaDropout(0.5, backend=b).set_p(1.0),
    "set_p str": lambda b: nn.Dropout(0.5, backend=b).set_p("x"),
    "set_p Fraction": lambda b: nn.Dropout(0.5, backend=b).set_p(Fraction(-1, 10**400)),
    # inputs
    "rank 1 to SpatialDropout2D": _forward(nn.SpatialDropout2D, np.ones(3, np.float32), init_p=0.5),
    "rank 4 to SpatialDropout1D": _forward(nn.SpatialDropout1D, np.ones((2, 3, 4, 5), np.float32), init_p=0.5),
    "noise_shape rank": _forward(nn.Dropout, X, init_p=0.5, noise_shape=(None, 1)),
    "noise_shape axis": _forward(nn.Dropout, X, init_p=0.5, noise_shape=(None, 2, None)),
    "complex input": _forward(nn.Dropout, np.ones(3, np.complex64), init_p=0.5),
    "object input": _forward(nn.Dropout, np.array([1, "a"], dtype=object), init_p=0.5),
    "str input": _forward(nn.Dropout, "abc", init_p=0.5),
    "Table input": _forward(nn.Dropout, [np.ones(2), np.ones(2)], init_p=0.5),
    "ragged input": _forward(nn.Dropout, [[1.0, 2.0], [3.0]], init_p=0.5),
    "masked input": _forward(nn.Dropout, np.ma.masked_array(np.ones(3), mask=[0, 1, 0]), init_p=0.5),
    "masked input inplace": _forward(nn.Dropout, np.ma.masked_array(np.ones(3, np.float32), mask=[0, 1, 0]),
                                     init_p=0.5, inplace=True),
    "inplace list": _forward(nn.Dropout, [1.0, 2.0], init_p=0.5, inplace=True),
    "inplace float64 into float": _forward(nn.Dropout, np.ones(3), init_p=0.5, inplace=True),
    # batch_offset
    "batch_offset negative": _forward(nn.Dropout, X, -1, init_p=0.5),
    "batch_offset float": _forward(nn.Dropout, X, 1.0, init_p=0.5),
    "batch_offset bool": _forward(nn.Dropout, X, True, init_p=0.5),
    "batch_offset of a scalar": _forward(nn.Dropout, np.float32(1), 3, init_p=0.5),
    "batch_offset too large": _forward(nn.Dropout, X, 2**31 - 2, init_p=0.5),
    "batch_offset noise_shape axis 0": _forward(nn.Dropout, X, 3, init_p=0.5, noise_shape=(2, None, None)),
    "batch_offset noise_shape axis 0 GaussianNoise": _forward(nn.GaussianNoise, X, 1, stddev=0.5,
                                                              noise_shape=(2, 1, 4)),
    # calls
    "backward first": lambda b: nn.Dropout(0.5, backend=b).backward(X, X),
    "noise first": lambda b: nn.GaussianDropout(0.5, backend=b).noise(),
    "noise after evaluate only": _then(nn.Dropout, dict(init_p=0.5), lambda d: d.evaluate(), lambda d: d.forward(X),
                                       lambda d: d.noise()),
    "grad shape": _then(nn.Dropout, dict(init_p=0.5), lambda d: d.forward(X), lambda d: d.backward(X, X[0])),
    "grad complex": _then(nn.Dropout, dict(init_p=0.5), lambda d: d.forward(X),
                          lambda d: d.backward(X, X.astype(np.complex64))),
    "backward Table x": _then(nn.Dropout, dict(init_p=0.5), lambda d: d.forward(X),
                              lambda d: d.backward([X, X], X)),
    "after close": _then(nn.Dropout, dict(init_p=0.5), lambda d: d.close(), lambda d: d.forward(X)),
    "training non-bool": _then(nn.Dropout, dict(init_p=0.5), lambda d: d(X, training=1)),
    "set_seed negative": _then(nn.Dropout, dict(init_p=0.5), lambda d: d.set_seed(-1)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_both_backends_give_the_same_error(name):
    numpy_outcome, jvm_outcome = (_outcome(CASES[name], b) for b in BACKENDS)
    assert numpy_outcome[0] is not None, f"{name}: accepted ({numpy_outcome[1]})"
    assert jvm_outcome == numpy_outcome
    assert not any(word in numpy_outcome[1] for word in INTERNAL), numpy_outcome[1]


def test_new_refusals_say_what_and_why():
    def text(action):
        return _outcome(action, "numpy")[1]
    assert text(CASES["noise_shape entry 2^31"]) == "Dropout: noise_shape[1] must be at most 2147483647, got 2147483648"
    assert text(CASES["init_p Fraction just below 0"]).startswith("Dropout: init_p must be in [0, 1], got -1/1")
    assert text(CASES["init_p longdouble just above 1"]).startswith("Dropout: init_p must be in [0, 1], got 1.0000")
    masked = text(CASES["masked input"])
    assert masked.startswith("Dropout: input is a numpy masked array") and "mask" in masked
    assert text(CASES["batch_offset noise_shape axis 0"]) == (
        "Dropout: noise_shape[0] does not fit the input shape (2, 3, 4) at batch_offset 3: the input is rows 3 to 4 "
        "of a batch of 5, so noise_shape[0] must be 1, 5 or None")


def test_exact_range_values_on_the_boundary_are_still_accepted():
    for b in BACKENDS:
        assert nn.Dropout(Fraction(1, 1), backend=b).p == 1.0
        assert nn.Dropout(np.longdouble(0), backend=b).p == 0.0
        assert nn.GaussianNoise(Fraction(0), backend=b).stddev == 0.0
        d = nn.Dropout(0.5, seed=3, backend=b, noise_shape=(None, BIG - 1, None))
        assert d.noise_shape == (None, BIG - 1, None)


def test_a_2_31_element_broadcast_view_is_refused_before_any_copy():
    """Through the public API: the documented ValueError, with nothing
    allocated (a copy of the view would need 8 GiB; the limit below makes
    such an allocation a MemoryError)."""
    import resource

    huge = np.broadcast_to(np.float32(1), (2, 2**30))
    layer = nn.Dropout(0.5, seed=1, backend="jvm", bigdl_type="double")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    expected = ("Dropout forward of shape (2, 1073741824) has 2147483648 elements, "
                "more than the JVM backend's limit of 2147483639 (2^31 - 9, the longest Java array) per tensor; "
                'split the tensor or use backend="numpy"')
    try:
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + (1 << 30), hard))
        for call in (lambda: layer.forward(huge), lambda: layer(huge, training=False)):
            with pytest.raises(ValueError) as info:
                call()
            assert str(info.value) == expected
        layer.forward(np.ones(3, np.float32))
        with pytest.raises(ValueError) as info:
            layer.backward(huge, huge)
        assert str(info.value) == expected.replace("forward", "backward", 1)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert layer.step == 1
    inplace = nn.Dropout(0.5, seed=1, backend="jvm", inplace=True)
    writable = np.lib.stride_tricks.as_strided(np.zeros(1, np.float32), (2, 2**30), (0, 0))
    with pytest.raises(ValueError, match="2147483648 elements"):
        inplace.forward(writable)


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")


def test_an_empty_input_with_a_dimension_past_2_31_is_a_clear_jvm_error():
    # the fuzz run's note: it was the jvm's internal "Bridge: bad shape"; numpy accepts it
    x = np.zeros((0, 2**31 + 5), np.float32)
    assert nn.Dropout(0.5, seed=1, backend="numpy").forward(x).shape == x.shape
    layer = nn.Dropout(0.5, seed=1, backend="jvm")
    expected = ("Dropout forward of shape (0, 2147483653) has a dimension above the JVM backend's limit of "
                '2147483647 (2^31 - 1, a Java int); use backend="numpy"')
    with pytest.raises(ValueError) as info:
        layer.forward(x)
    assert str(info.value) == expected and layer.step == 0
    with pytest.raises(ValueError) as info:
        layer.backward(x, x)
    assert str(info.value) == expected.replace("forward", "backward", 1)
