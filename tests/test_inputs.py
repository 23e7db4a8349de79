"""Inputs as BigDL takes them (bigdl_reg._arrays): any real numeric array-like
is converted to the layer's dtype; what is not one tensor of real numbers is a
clear error naming the layer; inplace writes only where it loses nothing and
never half-writes; outputs keep the input's memory layout while the noise
follows the logical row-major index (so the logical bytes are those of a
C-contiguous run). Parity is ``tobytes()`` equality, on both backends."""
from __future__ import annotations

import numpy as np
import pytest
from layer_cases import ALL, make

from bigdl_reg import _arrays
from bigdl_reg.nn import Dropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D


def pair(cls, backend, **kwargs):
    """Two layers in the same state: one for the input under test, one for its reference."""
    return make(cls, backend, **kwargs), make(cls, backend, **kwargs)


def same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


# --------------------------------------------------------------------------
# conversion to the layer's dtype
# --------------------------------------------------------------------------

class WithArray:
    """A foreign array-like: anything with ``__array__``."""

    def __init__(self, array):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)


REAL_ARRAYS = {
    "bool": np.array([[True, False, True], [False, True, True]]),
    "int8": np.arange(-3, 3, dtype=np.int8).reshape(2, 3),
    "int16": np.arange(-3, 3, dtype=np.int16).reshape(2, 3),
    "int32": np.arange(-3, 3, dtype=np.int32).reshape(2, 3),
    "int64": np.arange(1, 7, dtype=np.int64).reshape(2, 3),
    "uint8": np.arange(250, 256, dtype=np.uint8).reshape(2, 3),
    "uint16": np.arange(6, dtype=np.uint16).reshape(2, 3),
    "uint32": np.arange(6, dtype=np.uint32).reshape(2, 3),
    "uint64": np.array([[0, 1, 2], [2**63, 2**64 - 1, 7]], dtype=np.uint64),
    "float16": np.linspace(-2, 2, 6).astype(np.float16).reshape(2, 3),
    "float32": np.linspace(-2, 2, 6).astype(np.float32).reshape(2, 3),
    "float64": np.array([[0.1, 1 / 3, -2.5], [1e300, -1e-300, np.pi]]),  # 1e300 rounds to inf in float32
    "big-endian float64": np.linspace(-2, 2, 6).astype(">f8").reshape(2, 3),
}


@pytest.mark.parametrize("bigdl_type", ["float", "double"])
@pytest.mark.parametrize("name", list(REAL_ARRAYS))
def test_real_arrays_are_converted_to_the_layers_dtype(backend, bigdl_type, name):
    x = REAL_ARRAYS[name]
    for cls in (Dropout, GaussianNoise):
        a, b = pair(cls, backend, bigdl_type=bigdl_type)
        got = a.forward(x)
        assert got.dtype == a.dtype
        with np.errstate(over="ignore"):
            converted = x.astype(a.dtype)
        same(got, b.forward(converted))
        same(a.backward(None, x), b.backward(None, converted))


@pytest.mark.parametrize("value, want", [
    ([[1, 2, 3], [4, 5, 6]], np.arange(1, 7).reshape(2, 3)),       # nested lists of ints
    ([[0.5, 1.5], [2.5, 3.5]], np.array([[0.5, 1.5], [2.5, 3.5]])),  # of floats (float64)
    ((1, 2.5, True), np.array([1.0, 2.5, 1.0])),                    # a tuple of mixed scalars
    ([np.float32(1), np.int64(2)], np.array([1.0, 2.0])),            # numpy scalars in a list
    (3, np.array(3.0)), (2.5, np.array(2.5)), (True, np.array(1.0)),  # Python scalars: 0-d
    (np.int16(7), np.array(7.0)), (np.float64(0.1), np.array(0.1)),   # numpy scalars
    (WithArray(np.arange(6).reshape(3, 2)), np.arange(6).reshape(3, 2)),
    ([], np.zeros(0)), ([[]], np.zeros((1, 0))),                     # empty
])
def test_array_likes_are_converted(backend, value, want):
    for bigdl_type in ("float", "double"):
        a, b = pair(Dropout, backend, bigdl_type=bigdl_type)
        same(a.forward(value), b.forward(want.astype(a.dtype)))
        same(a.backward(value, value), b.backward(want, want.astype(a.dtype)))


def test_float64_into_a_float_layer_is_rounded_like_bigdl(backend):
    # the value BigDL/Keras compute with: the float64 rounded to nearest float32
    layer = Dropout(0.0, seed=1, backend=backend)
    got = layer.forward(np.array([0.1, 1 / 3, 16777217.0]))
    assert got.dtype == np.float32
    assert got.tolist() == np.array([0.1, 1 / 3, 16777217.0], np.float32).tolist()
    assert got[2] == 16777216.0  # 2**24 + 1 is not a float32


# --------------------------------------------------------------------------
# refused inputs: clear errors naming the layer and the argument
# --------------------------------------------------------------------------

NOT_REAL = {
    "complex": (np.ones((2, 2), np.complex128), "complex128", ""),
    "complex list": ([1 + 2j, 3], "complex128", " (from a list)"),
    "object": (np.array([1.0, None], dtype=object), "object", ""),
    "None": (None, "object", " (from a NoneType)"),
    "dict": ({"a": 1}, "object", " (from a dict)"),
    "str": ("abc", "<U3", " (from a str)"),
    "list of str": (["1", "2"], "<U1", " (from a list)"),
    "bytes": (np.array([b"ab"]), "|S2", ""),
    "datetime": (np.array(["2024-01-01"], dtype="datetime64[D]"), "datetime64[D]", ""),
    "timedelta": (np.array([1, 2], dtype="timedelta64[s]"), "timedelta64[s]", ""),
    "structured": (np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), "[('a', '<f4'), ('b', '<i4')]", ""),
}


@pytest.mark.parametrize("name", list(NOT_REAL))
@pytest.mark.parametrize("cls", [Dropout, GaussianNoise, SpatialDropout2D])
def test_non_real_inputs_are_a_type_error_naming_layer_and_argument(backend, cls, name):
    value, dtype, source = NOT_REAL[name]
    layer = make(cls, backend)
    layer_name = cls.__name__
    with pytest.raises(TypeError) as info:
        layer.forward(value)
    assert str(info.value) == (f"{layer_name}: input must hold real numbers (bool, integer or floating point), "
                               f"got dtype {dtype}{source}")
    assert layer.step == 0
    x = np.ones((2, 3, 4, 5), np.float32)
    layer.forward(x)
    with pytest.raises(TypeError, match=f"^{layer_name}: grad_output must hold real numbers"):
        layer.backward(x, value)
    if value is not None:  # backward's x may be None
        with pytest.raises(TypeError, match=f"^{layer_name}: input must hold real numbers"):
            layer.backward(value, np.ones_like(x))


TABLES = {
    "list of 2": ([np.ones((2, 3)), np.ones((2, 3))], "list", 2),
    "tuple of 3": ((np.ones(2), np.ones(2), np.ones(2)), "tuple", 3),
    "ragged list of 2": ([np.ones(2), np.ones(3)], "list", 2),
    "array and scalar": ([np.ones(2), 1.0], "list", 2),
    "foreign arrays": ([WithArray(np.ones(2)), WithArray(np.ones(2))], "list", 2),
}


@pytest.mark.parametrize("name", list(TABLES))
def test_a_bigdl_table_is_refused(backend, name):
    value, kind, count = TABLES[name]
    layer = make(Dropout, backend)
    message = (f"Dropout takes one tensor as input, got a {kind} of {count} arrays (a BigDL Table); "
               f"pass one array, or call the layer once per array")
    with pytest.raises(TypeError) as info:
        layer.forward(value)
    assert str(info.value) == message
    assert layer.step == 0
    layer.forward(np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match=r"^Dropout takes one tensor as grad_output, got a"):
        layer.backward(None, value)
    inplace = Dropout(0.5, inplace=True, seed=1, backend=backend)
    with pytest.raises(TypeError, match=f"needs a numpy array input, got {kind}"):
        inplace.forward(value)


@pytest.mark.parametrize("value", [[[1.0, 2.0], [3.0]], [[1, 2], [3, [4]]], [[[1.0]], [2.0]]])
def test_a_ragged_nested_list_is_refused(backend, value):
    layer = make(SpatialDropout1D, backend)
    with pytest.raises(ValueError) as info:
        layer.forward(value)
    assert str(info.value) == ("SpatialDropout1D: input is a ragged nested sequence (its rows differ in length), "
                               "not one tensor")
    assert layer.step == 0


# --------------------------------------------------------------------------
# backward's x is unused: None is fine
# --------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ALL)
def test_backward_takes_none_for_x(backend, cls):
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 5)).astype(np.float32)
    if cls is SpatialDropout1D:
        x = x[0]
    a, b = pair(cls, backend)
    a.forward(x)
    b.forward(x)
    g = np.full(x.shape, 0.5, np.float32)
    same(a.backward(None, g), b.backward(x, g))


# --------------------------------------------------------------------------
# inplace: only into a writeable array of the layer's dtype, never half-written
# --------------------------------------------------------------------------

@pytest.mark.parametrize("bigdl_type, dtype, why", [
    ("float", np.float64, "the layer would round it to float32, losing precision"),
    ("float", np.float16, "the layer's float32 output does not fit a float16 array"),
    ("float", np.int32, "the layer's float32 output does not fit an int32 array"),
    ("float", np.uint8, "the layer's float32 output does not fit a uint8 array"),
    ("float", np.bool_, "the layer's float32 output does not fit a bool array"),
    ("double", np.float32, "the layer's float64 output does not fit a float32 array"),
    ("double", np.int64, "the layer's float64 output does not fit an int64 array"),
])
def test_inplace_refuses_a_dtype_that_would_lose_values(backend, bigdl_type, dtype, why):
    layer = Dropout(0.5, inplace=True, bigdl_type=bigdl_type, seed=1, backend=backend)
    x = np.ones(4, dtype)
    before = x.copy()
    want = layer.dtype.name
    with pytest.raises(TypeError) as info:
        layer.forward(x)
    assert str(info.value) == (f"Dropout: inplace=True needs a {want} input (the layer's dtype), got "
                               f"{np.dtype(dtype).name}: {why}; use inplace=False, or pass x.astype(np.{want})")
    assert x.tobytes() == before.tobytes() and layer.step == 0
    layer.forward(np.ones(4, layer.dtype))
    with pytest.raises(TypeError, match="inplace=True needs a .* grad_output"):
        layer.backward(None, x)
    assert x.tobytes() == before.tobytes()


def test_inplace_refusals_say_why(backend):
    layer = Dropout(0.5, inplace=True, seed=1, backend=backend)
    with pytest.raises(TypeError) as info:
        layer.forward([1.0, 2.0])
    assert str(info.value) == ("Dropout: inplace=True needs a numpy array input, got list "
                               "(there is no caller's array to write into)")
    read_only = np.ones(3, np.float32)
    read_only.flags.writeable = False
    with pytest.raises(ValueError) as info:
        layer.forward(read_only)
    assert str(info.value) == "Dropout: inplace=True needs a writeable input array; this one is read-only"
    with pytest.raises(TypeError, match="^Dropout: input must hold real numbers"):
        layer.forward(np.ones(3, np.complex64))
    assert layer.step == 0


def test_inplace_accepts_any_byte_order_of_the_layers_dtype(backend):
    x = np.linspace(-1, 1, 12).astype(">f4")
    want = Dropout(0.5, seed=3, backend=backend).forward(x.astype(np.float32))
    assert Dropout(0.5, inplace=True, seed=3, backend=backend).forward(x) is x
    assert x.astype(np.float32).tobytes() == want.tobytes()


def test_inplace_errors_write_nothing(backend):
    """Every error of an inplace call comes before the first write."""
    d = Dropout(0.5, inplace=True, seed=1, backend=backend)
    x = np.arange(1, 25, dtype=np.float32).reshape(2, 3, 4)
    before = x.copy()
    with pytest.raises(RuntimeError):
        d.backward(None, x)  # before any forward
    with pytest.raises(ValueError):
        d.forward(x, batch_offset=-1)
    with pytest.raises(TypeError):
        d.forward(x, batch_offset=1.5)
    assert x.tobytes() == before.tobytes() and d.step == 0
    d.forward(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="gradient shape"):
        d.backward(None, x)
    assert x.tobytes() == before.tobytes()
    s = Dropout(0.5, inplace=True, seed=1, backend=backend, noise_shape=(None, 1))
    with pytest.raises(ValueError, match="noise_shape"):
        s.forward(x)  # rank 3 against a rank-2 noise shape
    assert x.tobytes() == before.tobytes() and s.step == 0
    d.close()
    with pytest.raises(RuntimeError, match="closed"):
        d.forward(x)
    assert x.tobytes() == before.tobytes()


# --------------------------------------------------------------------------
# memory layout: the output keeps the input's (order="K"), the logical bytes
# are the C-contiguous run's
# --------------------------------------------------------------------------

def _layouts():
    base = np.random.default_rng(8).standard_normal((4, 6, 5, 3)).astype(np.float32)
    return {
        "C": base,
        "fortran": np.asfortranarray(base),
        "channels_last view": base.transpose(0, 2, 3, 1),   # NCHW memory seen as NHWC
        "channels_first view": np.ascontiguousarray(base.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2),
        "permuted": base.transpose(3, 1, 0, 2),
        "negative stride": base[::-1, :, ::-1],
        "strided": base[:, ::2, 1::2],
        "fortran strided": np.asfortranarray(base)[:, 1:, :, ::2],
        "broadcast": np.broadcast_to(base[:1], base.shape),
        "float64 fortran": np.asfortranarray(base.astype(np.float64)),
        "int64 permuted": (base * 10).astype(np.int64).transpose(2, 0, 1, 3),
    }


def _shaped(cls, x):
    if cls is SpatialDropout1D:
        return x[0]
    if cls is SpatialDropout3D:
        return x[None]
    return x


@pytest.mark.parametrize("layout", list(_layouts()))
@pytest.mark.parametrize("cls", ALL)
def test_output_keeps_the_input_layout_and_the_c_bytes(backend, cls, layout):
    x = _shaped(cls, _layouts()[layout])
    before = x.copy()
    a, b = pair(cls, backend)
    y = a.forward(x)
    same(y, b.forward(np.ascontiguousarray(x)))
    assert y.strides == np.empty_like(x, dtype=a.dtype).strides
    assert y.base is None or y.base.flags.owndata  # a new array, never a view of the input
    g = np.asarray(x * 0.5 + 1, order="K")  # the gradient in the input's layout
    gi = a.backward(None, g)
    same(gi, b.backward(None, np.ascontiguousarray(g)))
    assert gi.strides == np.empty_like(g, dtype=a.dtype).strides
    assert x.tobytes() == before.tobytes()


@pytest.mark.parametrize("layout", ["fortran", "permuted", "negative stride"])
def test_gradient_follows_grad_outputs_layout_not_the_inputs(backend, layout):
    g = _layouts()[layout]
    x = np.ones(g.shape, np.float32)  # C-ordered
    a, b = pair(Dropout, backend)
    a.forward(x)
    b.forward(x)
    gi = a.backward(x, g)
    assert gi.strides == np.empty_like(g).strides
    same(gi, b.backward(x, np.ascontiguousarray(g)))


def test_evaluate_keeps_the_layout_too(backend):
    x = _layouts()["fortran"]
    layer = make(Dropout, backend, scale=False).evaluate()
    y = layer.forward(x)
    assert y.flags.f_contiguous and not y.flags.c_contiguous
    same(y, make(Dropout, backend, scale=False).evaluate().forward(np.ascontiguousarray(x)))


@pytest.mark.parametrize("layout", ["C", "fortran", "strided", "negative stride"])
def test_what_the_backend_is_given(layout):
    """The backend always computes on a C-contiguous operand of the layer's dtype;
    a C-contiguous input of that dtype is passed as it is (no copy), and an
    output that is C-ordered anyway is written by the backend directly."""
    x = _layouts()[layout]
    seen = []

    def compute(operand, out):
        seen.append((operand, out))
        assert operand.flags.c_contiguous and operand.dtype == np.float32
        return np.negative(operand, out=out)
    y = _arrays.run("Dropout", x, np.dtype(np.float32), compute, "input")
    operand, out = seen[0]
    assert (operand is x) == (layout == "C")
    assert out is (None if layout in ("C", "fortran") else y)
    same(y, -np.ascontiguousarray(x))
