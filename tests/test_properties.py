"""Property-based tests (Hypothesis) of the eight layers on both backends.

Every example builds a layer on the numpy backend and, in the ``jvm``-marked
variant, the same layer on the jvm backend too, runs it, and checks:

* the result equals the contract's formula (docs/contract.md) computed here
  by an independent reference ("Philox4x64-10 words", "Normals", "Noise
  shapes"), byte for byte: dropped cells are exactly +0 (sign bit clear), kept cells exactly
  ``x * T(scale)``, evaluate mode's formulas, backward with the forward's noise;
* the jvm backend gives the same bytes as the numpy backend;
* outputs have the input's shape and the layer's dtype; inputs are unchanged
  (inplace: the caller's array is written and returned);
* invalid arguments and inputs raise the same exception type and text on
  both backends, and the layer gives the expected bytes afterwards.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (the default) is derandomized and
bounded for CI; ``fuzz`` tries many more examples with fresh randomness.
The number of examples each property tried is printed in pytest's terminal
summary (see conftest.py), and docs/reliability.md cites the last figures.
"""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from layer_cases import ALL, CASES

from bigdl_reg._validation import java_double
from test_layers import reference_keep, reference_z

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # Inf/NaN arithmetic in references

_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# ci: the same examples on every run (derandomize), ~1 min for the file on 2 loaded cores
settings.register_profile("ci", max_examples=50, derandomize=True, database=None, **_COMMON)
# fuzz: fresh randomness, failures remembered in .hypothesis/ (git-ignored)
settings.register_profile("fuzz", max_examples=int(os.environ.get("BIGDL_REG_FUZZ_EXAMPLES", "2000")), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

NUMPY_ONLY = ("numpy",)
BOTH = ("numpy", "jvm")
BACKEND_SETS = [pytest.param(NUMPY_ONLY, id="numpy"), pytest.param(BOTH, id="jvm", marks=pytest.mark.jvm)]

DTYPE = {"float": np.dtype(np.float32), "double": np.dtype(np.float64)}
MASK_LAYERS = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"}
ALPHA_LAYERS = {"AlphaDropout", "FeatureAlphaDropout"}
CLASSES = {cls.__name__: cls for cls in ALL}
# the layers that take a Keras noise_shape
NOISE_SHAPE_LAYERS = ("Dropout", "GaussianDropout", "GaussianNoise", "AlphaDropout")
ALPHA_PRIME = -1.7580993408473766
# accepted ranks; None: any rank (the elementwise layers)
RANKS = {case.name: case.ranks for case in CASES}
SEED_MAX = 2**64 - 1


# --------------------------------------------------------------------------
# the reference: the contract's formulas and noise-shape table, written out here
# --------------------------------------------------------------------------

def reference_noise_shape(layer, data_format, shape, noise_shape=None):
    if noise_shape is not None:  # Keras: None -> the input's size, else the entry (1 or the size)
        return tuple(d if n is None else n for n, d in zip(noise_shape, shape))
    if RANKS[layer] is None:
        return tuple(shape)
    if layer == "FeatureAlphaDropout":  # 3-D and 4-D as SpatialDropout2D, 5-D as SpatialDropout3D
        return reference_noise_shape("SpatialDropout2D" if len(shape) < 5 else "SpatialDropout3D", data_format, shape)
    if layer == "SpatialDropout1D":  # (N, T, C) -> (N, 1, C); (T, C) -> (1, C)
        return (shape[0], 1, shape[2]) if len(shape) == 3 else (1, shape[1])
    batched = len(shape) == RANKS[layer][1]
    n = shape[:1] if batched else ()
    body = shape[1:] if batched else shape
    if data_format == "NCHW":
        return n + (body[0],) + (1,) * (len(body) - 1)
    return n + (1,) * (len(body) - 1) + (body[-1],)


def reference(layer, params, training, seed, step, x, backward=False):
    """The contract's forward (or, with ``backward``, its derivative applied to ``x``)."""
    if x.size == 0:
        # nothing to compute; the noise of an empty input may still be huge
        # (SpatialDropout1D of shape (0, 2**31 - 1): 2**31 - 1 cells), so never draw it here
        return x.copy()
    t = x.dtype.type
    fmt = params.get("data_format", "NCHW")
    if layer in ALPHA_LAYERS:
        p = params["init_p"]
        if not training or p == 0.0:
            return x.copy()
        noise = reference_noise_shape(layer, fmt, x.shape, params.get("noise_shape"))
        keep = reference_keep(seed, step, math.prod(noise), p).reshape(noise)
        a = 1.0 / math.sqrt((1.0 - p) * (1.0 + p * ALPHA_PRIME * ALPHA_PRIME))
        b = -a * ALPHA_PRIME * p
        if backward:
            return np.where(keep, x * t(a), t(0.0))
        return np.where(keep, x * t(a) + t(b), t(a * ALPHA_PRIME + b))
    if layer in MASK_LAYERS:
        p = params["init_p"]
        scale = params.get("scale", True) if layer == "Dropout" else False
        if not training:
            return x.copy() if scale else x * t(1.0 - p)
        if p == 0.0:
            return x.copy()
        if p == 1.0:
            return np.zeros_like(x)
        noise = reference_noise_shape(layer, fmt, x.shape, params.get("noise_shape"))
        keep = reference_keep(seed, step, math.prod(noise), p).reshape(noise)
        kept = x * t(1.0 / (1.0 - p)) if scale else x
        return np.where(keep, kept, t(0.0))
    if not training:
        return x.copy()
    if layer == "GaussianDropout":
        rate = params["rate"]
        if rate == 0.0:
            return x.copy()
        sd = math.sqrt(rate / (1.0 - rate))
        noise = reference_noise_shape(layer, fmt, x.shape, params.get("noise_shape"))
        return x * (1.0 + sd * reference_z(seed, step, math.prod(noise))).astype(x.dtype).reshape(noise)
    stddev = params["stddev"]  # GaussianNoise: derivative 1
    if backward or stddev == 0.0:
        return x.copy()
    noise = reference_noise_shape(layer, fmt, x.shape, params.get("noise_shape"))
    return x + (stddev * reference_z(seed, step, math.prod(noise))).astype(x.dtype).reshape(noise)


def reference_keep_mask(layer, params, seed, step, shape):
    """Which elements a mask layer's training forward keeps (broadcast to ``shape``)."""
    noise = reference_noise_shape(layer, params.get("data_format", "NCHW"), shape)
    keep = reference_keep(seed, step, math.prod(noise), params["init_p"]).reshape(noise)
    return np.broadcast_to(keep, shape)


def bits(a):
    """Raw bits, so that -0.0 != +0.0 and NaN payloads count."""
    return np.asarray(a, order="C").view(np.uint32 if a.dtype == np.float32 else np.uint64)


def assert_same(got, want, what):
    # Comparisons reach `assert` as booleans with a short message: pytest's
    # rewriting would otherwise diff megabyte-long byte strings (and once
    # took the whole machine's memory doing so).
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    if got.tobytes() != want.tobytes():
        diff = np.flatnonzero(bits(got).reshape(-1) != bits(want).reshape(-1))
        raise AssertionError(f"{what}: {diff.size} of {got.size} cells differ, first at flat "
                             f"{diff[:5].tolist()}: got {got.reshape(-1)[diff[:5]]}, want {want.reshape(-1)[diff[:5]]}")


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------

def _around(v):
    return [np.nextafter(v, -np.inf), v, np.nextafter(v, np.inf)]


UNIT_EDGES = [0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e-9, 2.0**-33, 2.0**-32,
              *_around(0.5), 1 - 2.0**-32, 1 - 2.0**-33, float(np.nextafter(1.0, 0.0)), 1.0]


def probabilities(allow_one=True):
    """A value from [0, 1] (or [0, 1)): its edges, nextafter neighbours, anything inside."""
    edges = [float(v) for v in UNIT_EDGES if allow_one or v < 1.0]
    inside = st.floats(0.0, 1.0, exclude_max=not allow_one)
    return st.one_of(st.sampled_from(edges), inside)


def stddevs():
    edges = [0.0, -0.0, 5e-324, 1e-300, 1e-9, 1.0, 3.0, 1e30, 1e300, float(np.finfo(np.float64).max)]
    return st.one_of(st.sampled_from(edges), st.floats(0.0, 10.0), st.floats(0.0, 1.7976931348623157e308))


def seeds():
    edges = [0, 1, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 2, SEED_MAX]
    return st.one_of(st.sampled_from(edges), st.integers(0, SEED_MAX))


@st.composite
def configs(draw, layers=tuple(CLASSES)):
    """(layer name, constructor kwargs without seed/backend)."""
    layer = draw(st.sampled_from(layers))
    kwargs = {"bigdl_type": draw(st.sampled_from(["float", "double"]))}
    if layer in MASK_LAYERS:
        kwargs["init_p"] = draw(probabilities())
    if layer in ALPHA_LAYERS:
        kwargs["init_p"] = draw(probabilities(allow_one=False))
    if layer == "Dropout":
        kwargs["scale"] = draw(st.booleans())
    if layer == "GaussianDropout":
        kwargs["rate"] = draw(probabilities(allow_one=False))
    if layer == "GaussianNoise":
        kwargs["stddev"] = draw(stddevs())
    if layer in ("SpatialDropout2D", "SpatialDropout3D", "FeatureAlphaDropout"):
        kwargs["data_format"] = draw(st.sampled_from(["NCHW", "NHWC", "channels_first", "channels_last"]))
    return layer, kwargs


def canonical(kwargs):
    """The parameters the reference reads (aliases resolved)."""
    params = dict(kwargs)
    alias = {"channels_first": "NCHW", "channels_last": "NHWC"}
    if "data_format" in params:
        params["data_format"] = alias.get(params["data_format"], params["data_format"])
    return params


LONG_AXES = [2**16 - 1, 2**16 + 1, 2**17 + 3, 200_003]


@st.composite
def shapes(draw, layer):
    """A shape the layer accepts: ranks 0-6 for the elementwise layers, zero-size
    dims, and now and then one very long axis (several engine/numpy chunks)."""
    ranks = RANKS[layer]
    if ranks is None:
        rank = draw(st.integers(0, 6))
    else:
        rank = draw(st.sampled_from(ranks))
    shape = list(draw(hnp.array_shapes(min_dims=rank, max_dims=rank, min_side=0, max_side=7))) if rank else []
    if rank >= 2 and draw(st.integers(0, 9)) == 0:  # empty, with other sizes whose product passes 2^31
        shape = [draw(st.sampled_from([0, 1, 3, 2**16, 2**20, 2**31 - 1])) for _ in range(rank)]
        shape[draw(st.integers(0, rank - 1))] = 0
        while math.prod(d for d in shape if d) > 2**58:  # numpy's own limit (sizes times bytes fit in intp)
            shape[shape.index(max(shape))] = 3
    elif rank and draw(st.integers(0, 9)) == 0:  # one long axis, the others small
        axis = draw(st.integers(0, rank - 1))
        shape = [min(d, 2) for d in shape]
        shape[axis] = draw(st.sampled_from(LONG_AXES))
        if math.prod(shape) > 450_000:
            shape = [1 if i != axis else d for i, d in enumerate(shape)]
    return tuple(shape)


LAYOUTS = ["C", "F", "transposed", "sliced", "reversed"]


def lay_out(x, layout, axis, perm):
    """An array equal to ``x`` (same logical values) with another memory layout."""
    if x.ndim == 0 or layout == "C":
        return x
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "transposed":
        stored = np.ascontiguousarray(np.transpose(x, perm))
        return np.transpose(stored, np.argsort(perm))
    axis %= x.ndim
    index = [slice(None)] * x.ndim
    if layout == "sliced":  # every other element of a base twice as long, filled with garbage
        base_shape = list(x.shape)
        base_shape[axis] *= 2
        base = np.full(base_shape, 7.0, dtype=x.dtype)
        index[axis] = slice(None, None, 2)
        base[tuple(index)] = x
        return base[tuple(index)]
    index[axis] = slice(None, None, -1)  # reversed: a negative-stride view
    return np.ascontiguousarray(x[tuple(index)])[tuple(index)]


def signalling_nans(dtype):
    """Signalling NaNs (quiet bit clear, payload set), positive and negative."""
    if dtype == np.float32:
        return np.array([0x7F800001, 0xFFA00000], np.uint32).view(np.float32)
    return np.array([0x7FF0000000000001, 0xFFF4000000000000], np.uint64).view(np.float64)


@st.composite
def arrays(draw, dtype, shape):
    """Values of every kind (NaN with payloads, +-Inf, -0.0, subnormals, huge),
    in some memory layout."""
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if n <= 4096 and draw(st.booleans()):
        x = draw(hnp.arrays(dtype, shape, elements=st.floats(width=dtype.itemsize * 8)))
    else:  # cheap to draw at any size: normals with special values sprinkled
        rng = np.random.default_rng(draw(st.integers(0, 2**32)))
        x = (rng.standard_normal(n) * draw(st.sampled_from([1.0, 1e-30, 1e30]))).astype(dtype)
        specials = np.concatenate([np.array([np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-45,
                                             np.finfo(dtype).max], dtype), signalling_nans(dtype)])
        if n:
            where = rng.integers(0, n, size=min(n, draw(st.integers(0, 16))))
            x[where] = specials[rng.integers(0, specials.size, size=where.size)]
        x = x.reshape(shape)
    layout = draw(st.sampled_from(LAYOUTS))
    perm = draw(st.permutations(range(len(shape)))) if shape else ()
    return lay_out(x, layout, draw(st.integers(0, 7)), perm)


# --------------------------------------------------------------------------
# running one layer on every backend of the set
# --------------------------------------------------------------------------

class Layers:
    """The same layer on each backend of a set; every call runs on all of them,
    checks that inputs are untouched and that the backends agree in bytes."""

    def __init__(self, backends, layer, kwargs, seed):
        self.name = layer
        self.layers = [CLASSES[layer](seed=seed, backend=b, **kwargs) for b in backends]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for layer in self.layers:
            layer.close()

    def call(self, method, *arrays, inplace=False):
        """``inplace``: ``arrays`` are functions making a fresh operand per backend
        (the last one is written and returned); otherwise the arrays themselves,
        which must come back unchanged."""
        results = []
        for layer in self.layers:
            operands = [make() for make in arrays] if inplace else arrays
            before = [a.tobytes() for a in operands]
            result = getattr(layer, method)(*operands)
            if inplace:
                assert result is operands[-1], "inplace must return the caller's array"
                unchanged = [a.tobytes() for a in operands[:-1]] == before[:-1]
                assert unchanged, f"{method} modified its input"
            else:
                unchanged = [a.tobytes() for a in operands] == before
                assert unchanged, f"{method} modified its arguments"
            results.append(result)
        for other, backend in zip(results[1:], self.layers[1:]):
            assert_same(other, results[0], f"{method}: {backend.backend} vs numpy")
        self.check_state()
        return results[0]

    def each(self, method, *args):
        for layer in self.layers:
            getattr(layer, method)(*args)
        self.check_state()

    def check_state(self):
        states = {(layer.step, layer.seed, layer.is_training()) for layer in self.layers}
        assert len(states) == 1, f"backends disagree on (step, seed, training): {states}"

    def raises(self, method, *args):
        """The exception every backend raises: the same type and text from all."""
        errors = []
        for layer in self.layers:
            step = layer.step
            with pytest.raises(Exception) as info:
                getattr(layer, method)(*args)
            assert layer.step == step, f"a failed {method} moved the step"
            errors.append((type(info.value), str(info.value)))
        assert len(set(errors)) == 1, f"backends disagree: {errors}"
        self.check_state()
        return errors[0]

    @property
    def step(self):
        return self.layers[0].step

    @property
    def seed(self):
        return self.layers[0].seed


def count(examples, name, backends):
    examples[f"{name}[{backends[-1]}]"] += 1


def input_dtype(draw, bigdl_type):
    """The layer's dtype, or float32 into a "double" layer (upcast exactly)."""
    if bigdl_type == "double" and draw(st.integers(0, 3)) == 0:
        return np.dtype(np.float32)
    return DTYPE[bigdl_type]


# --------------------------------------------------------------------------
# properties of valid calls
# --------------------------------------------------------------------------

@pytest.mark.parametrize("backends", BACKEND_SETS)
@given(data=st.data())
def test_forward_and_backward_follow_the_contract(backends, data, examples):
    count(examples, "forward_and_backward", backends)
    layer, kwargs = data.draw(configs(), "config")
    params = canonical(kwargs)
    seed = data.draw(seeds(), "seed")
    shape = data.draw(shapes(layer), "shape")
    dtype = DTYPE[kwargs["bigdl_type"]]
    x = data.draw(arrays(input_dtype(data.draw, kwargs["bigdl_type"]), shape), "x")
    g = data.draw(arrays(dtype, shape), "g")
    training = data.draw(st.booleans(), "training")
    with Layers(backends, layer, kwargs, seed) as layers:
        if not training:
            layers.each("evaluate")
        y = layers.call("forward", x)
        want = reference(layer, params, training, seed, 0, x.astype(dtype))
        assert y.shape == x.shape and y.dtype == dtype
        assert_same(y, want, "forward")
        assert layers.step == int(training)
        if training and layer in MASK_LAYERS and 0.0 < params["init_p"] < 1.0 and x.size:
            keep = reference_keep_mask(layer, params, seed, 0, shape)
            assert not bits(y)[~keep].any(), "a dropped cell is not +0"
            scaled = layer == "Dropout" and params.get("scale", True)
            kept = x.astype(dtype) * dtype.type(1.0 / (1.0 - params["init_p"])) if scaled else x.astype(dtype)
            same_kept = bits(y)[keep].tobytes() == bits(kept)[keep].tobytes()
            assert same_kept, "a kept cell is not exactly x * T(scale) (x without scale)"
        grad = layers.call("backward", x, g)
        assert_same(grad, reference(layer, params, training, seed, 0, g, backward=True), "backward")
        assert_same(layers.call("backward", x, g), grad, "second backward")  # backward never draws


@st.composite
def programs(draw, layer, shape_count):
    ops = st.one_of(
        st.tuples(st.just("forward"), st.integers(0, shape_count - 1)),
        st.tuples(st.just("backward"), st.integers(0, shape_count - 1)),
        st.tuples(st.just("training"), st.none()),
        st.tuples(st.just("evaluate"), st.none()),
        st.tuples(st.just("set_seed"), seeds()),
        *([st.tuples(st.just("set_p"), probabilities())] if layer == "Dropout" else []),
    )
    return draw(st.lists(ops, min_size=1, max_size=40))


@pytest.mark.parametrize("backends", BACKEND_SETS)
@given(data=st.data())
def test_long_sequences_follow_the_model(backends, data, examples):
    """Random programs of forwards, backwards, mode switches, set_seed and
    set_p against a model of (seed, step, mode, last forward)."""
    count(examples, "long_sequences", backends)
    layer, kwargs = data.draw(configs(), "config")
    params = canonical(kwargs)
    dtype = DTYPE[kwargs["bigdl_type"]]
    seed = data.draw(seeds(), "seed")
    shape_list = [data.draw(shapes(layer)) for _ in range(data.draw(st.integers(1, 3)))]
    inputs = [data.draw(arrays(dtype, s)) for s in shape_list]
    program = data.draw(programs(layer, len(shape_list)), "program")
    step, training, last = 0, True, None
    with Layers(backends, layer, kwargs, seed) as layers:
        for op, arg in program:
            if op == "forward":
                x = inputs[arg]
                assert_same(layers.call("forward", x), reference(layer, params, training, seed, step, x), "forward")
                last = (dict(params), training, seed, step, arg)
                step += training
            elif op == "backward" and last is None:
                assert layers.raises("backward", inputs[arg], inputs[arg]) == (
                    RuntimeError, f"{layer}: backward called before any forward")
            elif op == "backward":
                x = inputs[last[4]]
                if x.shape != inputs[arg].shape:
                    arg = last[4]
                g = inputs[arg][::-1] if inputs[arg].ndim else inputs[arg]
                want = reference(layer, last[0], last[1], last[2], last[3], np.asarray(g, order="C"), backward=True)
                assert_same(layers.call("backward", x, g), want, "backward")
            elif op in ("training", "evaluate"):
                layers.each(op)
                training = op == "training"
            elif op == "set_seed":
                layers.each("set_seed", arg)
                seed, step = arg, 0
            else:
                layers.each("set_p", arg)
                params["init_p"] = arg
            assert layers.step == step and layers.seed == seed


@pytest.mark.parametrize("backends", BACKEND_SETS)
@given(data=st.data())
def test_inplace_writes_and_returns_the_callers_array(backends, data, examples):
    """Dropout(inplace=True) writes into the caller's array, whatever its layout,
    returns that very array, and backward overwrites grad_output."""
    count(examples, "inplace", backends)
    bigdl_type = data.draw(st.sampled_from(["float", "double"]))
    dtype = DTYPE[bigdl_type]
    kwargs = dict(init_p=data.draw(probabilities(), "p"), inplace=True, scale=data.draw(st.booleans()),
                  bigdl_type=bigdl_type)
    seed = data.draw(seeds(), "seed")
    shape = data.draw(shapes("Dropout"), "shape")
    x = np.asarray(data.draw(arrays(dtype, shape), "x"), order="C")
    g = np.asarray(data.draw(arrays(dtype, shape), "g"), order="C")
    layout = data.draw(st.sampled_from(LAYOUTS), "layout")
    axis, perm = data.draw(st.integers(0, 7)), data.draw(st.permutations(range(len(shape)))) if shape else ()
    make_x = lambda: lay_out(x.copy(), layout, axis, perm)  # noqa: E731
    make_g = lambda: lay_out(g.copy(), layout, axis, perm)  # noqa: E731
    with Layers(backends, "Dropout", kwargs, seed) as layers:
        y = layers.call("forward", make_x, inplace=True)
        assert_same(y, reference("Dropout", kwargs, True, seed, 0, x), "inplace forward")
        grad = layers.call("backward", make_x, make_g, inplace=True)
        assert_same(grad, reference("Dropout", kwargs, True, seed, 0, g, backward=True), "inplace backward")


# --------------------------------------------------------------------------
# invalid arguments and inputs
# --------------------------------------------------------------------------

class Huge(int):
    """An int subclass (like a user's IntEnum) beyond 64 bits."""


def _nan_with_payload():
    return float(np.array([0x7FF0000000000123], dtype=np.uint64).view(np.float64)[0])


NON_NUMBERS = [True, False, np.bool_(True), "0.5", "", None, [0.5], (0.5,), {}, 1 + 0j, np.array([0.5]),
               np.complex64(0.5), b"0.5", object()]
NON_FINITE = [math.nan, -math.nan, _nan_with_payload(), math.inf, -math.inf, np.float32("nan"), np.float64("inf")]


def bad_floats(high, high_ok):
    """Numbers outside [0, high] (or [0, high)), some of them only for some ranges."""
    below = st.floats(max_value=float(np.nextafter(0.0, -1.0)), allow_nan=False)
    above = st.floats(min_value=high, exclude_min=high_ok, allow_nan=False)
    return st.one_of(
        st.sampled_from(NON_FINITE[:5] + [-1e-300, -5e-324, -1, -2**70, 2**70, 2**1100, -2**1100,
                                          np.float32(-0.5), np.int64(-3), np.int64(2), np.uint64(SEED_MAX),
                                          Huge(2**80)]),
        below, above)


def range_of(arg):
    return {"init_p": "[0, 1]", "rate": "[0, 1)", "stddev": "[0, inf)"}[arg]


@st.composite
def bad_constructor_arguments(draw):
    """(layer, valid kwargs, the argument to spoil, its bad value)."""
    layer, kwargs = draw(configs())
    arg = draw(st.sampled_from(
        [a for a in ("init_p", "rate", "stddev", "scale", "inplace", "data_format", "bigdl_type", "seed")
         if a in kwargs or a in ("bigdl_type", "seed") or (a == "inplace" and layer == "Dropout")]))
    if arg in ("init_p", "rate", "stddev"):
        high = {"init_p": 1.0, "rate": 1.0, "stddev": math.inf}[arg]
        value = draw(st.one_of(st.sampled_from(NON_NUMBERS), bad_floats(high, arg == "init_p" and layer not in ALPHA_LAYERS))
                     .filter(lambda v: expected_argument_error(layer, arg, v) is not None))
    elif arg in ("scale", "inplace"):
        value = draw(st.sampled_from([0, 1, 1.0, "True", None, np.int64(1), "false"]))
    elif arg == "data_format":
        value = draw(st.one_of(
            st.sampled_from(["nchw", "nhwc", "NCHW ", " NHWC", "Channels_Last", "NCDHW", "", "NCHW\x00", None, 1,
                             True, b"NCHW", ["NCHW"]]),
            st.text(max_size=6).filter(lambda s: s not in ("NCHW", "NHWC", "channels_first", "channels_last"))))
    elif arg == "bigdl_type":
        value = draw(st.sampled_from(["Float", "float32", "double ", "half", "", None, np.float32, 1, True]))
    else:
        value = draw(st.one_of(
            st.sampled_from([-1, 2**64, 2**64 + 1, -2**63, 2**100, -2**100, np.int64(-1), True, False, np.bool_(1),
                             1.0, 2.0**63, np.float64(5), "42", [1], Huge(2**64)]),  # (None: the global seeder)
            st.integers(max_value=-1), st.integers(min_value=2**64)))
    return layer, kwargs, arg, value


def expected_argument_error(layer, arg, value):
    """(type, message or None) from docs/architecture.md "Messages" and the type
    policy; None when ``value`` is valid."""
    is_bool = isinstance(value, (bool, np.bool_))
    if arg in ("init_p", "rate", "stddev"):
        if is_bool or not isinstance(value, (int, float, np.integer, np.floating)):
            return TypeError, f"{layer}: {arg} must be a real number, got {type(value).__name__}"
        try:
            number = float(value)
        except OverflowError:
            return ValueError, None  # beyond any float: out of range, whatever the wording
        below_one = arg == "rate" or layer in ALPHA_LAYERS
        if {"init_p": 0.0 <= number <= 1.0 and not (below_one and number == 1.0), "rate": 0.0 <= number < 1.0,
                "stddev": 0.0 <= number < math.inf}[arg]:
            return None
        interval = "[0, 1)" if below_one and arg == "init_p" else range_of(arg)
        return ValueError, f"{layer}: {arg} must be in {interval}, got {java_double(number)}"
    if arg in ("scale", "inplace"):
        return TypeError, f"{layer}: {arg} must be a bool, got {type(value).__name__}"
    if arg == "data_format":
        if not isinstance(value, str):
            return TypeError, f"{layer}: data_format must be a str, got {type(value).__name__}"
        return ValueError, f'{layer}: data_format must be "NCHW" or "NHWC", got "{value}"'
    if arg == "bigdl_type":
        if not isinstance(value, str):
            return TypeError, None
        return ValueError, f'{layer}: bigdl_type must be "float" or "double", got "{value}"'
    if is_bool or not isinstance(value, (int, np.integer)):
        return TypeError, f"{layer}: seed must be an int, got {type(value).__name__}"
    if 0 <= int(value) <= SEED_MAX:
        return None
    return ValueError, f"{layer}: seed must be in [0, {SEED_MAX}], got {int(value)}"


def fresh_forward_works(backends, layer, kwargs, seed=12345):
    """After an error: a valid layer on every backend gives the reference bytes."""
    valid = dict(kwargs)
    shape = {None: (3, 5), (2, 3): (2, 3, 4), (3, 4): (2, 3, 2, 2), (4, 5): (2, 3, 2, 2, 2),
             (3, 4, 5): (2, 3, 2, 2)}[RANKS[layer]]
    x = np.linspace(-2, 2, math.prod(shape)).reshape(shape).astype(DTYPE[valid.get("bigdl_type", "float")])
    with Layers(backends, layer, valid, seed) as layers:
        assert_same(layers.call("forward", x), reference(layer, canonical(valid), True, seed, 0, x), "after an error")


@pytest.mark.parametrize("backends", BACKEND_SETS)
@given(case=bad_constructor_arguments())
def test_invalid_constructor_arguments(backends, case, examples):
    count(examples, "invalid_constructor_arguments", backends)
    layer, kwargs, arg, value = case
    note(f"{layer} {arg}={value!r}")
    errors = set()
    for backend in backends:
        with pytest.raises((TypeError, ValueError)) as info:
            CLASSES[layer](backend=backend, **{**kwargs, arg: value})
        errors.add((type(info.value), str(info.value)))
    assert len(errors) == 1, f"backends disagree: {errors}"
    (kind, message), = errors
    want_kind, want_message = expected_argument_error(layer, arg, value)
    assert kind is want_kind, message
    assert message.startswith(f"{layer}: {arg} ") or message.startswith(f"{layer}: bigdl_type "), message
    if want_message is not None:
        assert message == want_message
    fresh_forward_works(backends, layer, kwargs)


def wrong_rank_shapes(layer):
    ranks = RANKS[layer]
    return hnp.array_shapes(min_dims=0, max_dims=7, min_side=0, max_side=3).filter(lambda s: len(s) not in ranks)


@pytest.mark.parametrize("backends", BACKEND_SETS)
@given(data=st.data())
def test_invalid_calls_leave_the_layer_usable(backends, data, examples):
    """A bad call raises the same exception (type and text) on every backend,
    changes nothing, and the next valid calls give the reference bytes."""
    count(examples, "invalid_calls", backends)
    layer, kwargs = data.draw(configs(), "config")
    params = canonical(kwargs)
    dtype = DTYPE[kwargs["bigdl_type"]]
    seed = data.draw(seeds(), "seed")
    shape = data.draw(shapes(layer), "shape")
    x = data.draw(arrays(dtype, shape), "x")
    with Layers(backends, layer, kwargs, seed) as layers:
        kinds = ["dtype", "not_an_array", "set_seed", "grad_shape", "backward_first"]
        kinds += ["rank"] if RANKS[layer] else []
        kinds += ["set_p"] if layer == "Dropout" else []
        kind = data.draw(st.sampled_from(kinds), "kind")
        if kind != "backward_first":
            layers.call("forward", x)
        if kind == "rank":
            bad_shape = data.draw(wrong_rank_shapes(layer), "bad shape")
            error = layers.raises("forward", np.ones(bad_shape, dtype))
            accepted = " or ".join(f"{r}-D" for r in RANKS[layer])
            shown = "(" + ", ".join(map(str, bad_shape)) + ")"
            assert error == (ValueError, f"{layer}: expected a {accepted} input, got shape {shown}")
        elif kind == "grad_shape":
            bad_shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=6, min_side=0, max_side=4)
                                  .filter(lambda s: s != shape), "grad shape")
            error = layers.raises("backward", x, np.ones(bad_shape, dtype))
            show = lambda s: "(" + ", ".join(map(str, s)) + ")"  # noqa: E731
            assert error == (ValueError, f"{layer}: gradient shape {show(bad_shape)} differs from the input shape "
                                         f"{show(shape)} of the last forward")
        elif kind == "backward_first":
            assert layers.raises("backward", x, x) == (RuntimeError, f"{layer}: backward called before any forward")
        elif kind == "dtype":
            # not real numbers (real dtypes are converted: tests/test_inputs.py)
            bad = data.draw(st.sampled_from(["complex64", "complex128", "object", "U3", "S2", "datetime64[s]"]))
            array = np.zeros(shape, dtype=bad)
            method = data.draw(st.sampled_from(["forward", "backward"]))
            error = layers.raises(method, *((array,) if method == "forward" else (x, array)))
            assert error[0] is TypeError and error[1].startswith(f"{layer}: "), error
        elif kind == "not_an_array":
            bad = data.draw(st.sampled_from([None, "abc", object(), {"a": 1}, [[1.0], [2.0, 3.0]]]))
            error = layers.raises("forward", bad)
            assert error[0] in (TypeError, ValueError) and error[1], error
        elif kind == "set_seed":
            bad = data.draw(st.one_of(st.sampled_from([-1, 2**64, True, 1.5, "1", None, np.int64(-5), Huge(2**65)]),
                                      st.integers(max_value=-1), st.integers(min_value=2**64)))
            kind_, message = layers.raises("set_seed", bad)
            assert (kind_, message) == expected_argument_error(layer, "seed", bad)
        elif kind == "set_p":
            bad = data.draw(st.one_of(st.sampled_from(NON_NUMBERS), bad_floats(1.0, True)))
            kind_, message = layers.raises("set_p", bad)
            want = expected_argument_error(layer, "init_p", bad)
            assert kind_ is want[0] and (want[1] is None or message == want[1]), message
        # still usable: the same bytes as the reference, at the step the model expects
        step = layers.step
        assert step == int(kind not in ("backward_first",))
        y = layers.call("forward", x)
        assert_same(y, reference(layer, params, True, seed, step, x), "forward after the error")
        assert_same(layers.call("backward", x, x), reference(layer, params, True, seed, step, x, backward=True),
                    "backward after the error")


# --------------------------------------------------------------------------
# regressions: what the properties found, as explicit examples
# --------------------------------------------------------------------------

@pytest.mark.parametrize("backends", BACKEND_SETS)
@pytest.mark.parametrize("layer, kwargs, shape", [
    ("Dropout", {"init_p": 0.5}, (2**20, 2**20, 0)),
    ("GaussianNoise", {"stddev": 1.0}, (2**16, 2**16, 0, 3)),
    ("SpatialDropout1D", {"init_p": 0.5}, (2**20, 2**20, 0)),
    ("SpatialDropout2D", {"init_p": 0.5, "data_format": "NHWC"}, (2**31 - 1, 2, 0, 5)),
])
def test_empty_input_whose_other_sizes_multiply_past_2_31(backends, layer, kwargs, shape):
    """Found by test_forward_and_backward_follow_the_contract: the engine (and the
    bridge) multiplied the sizes before seeing the 0 and refused the shape as
    "more than 2147483647 elements"; the numpy backend accepted it."""
    x = np.empty(shape, np.float32)
    with Layers(backends, layer, kwargs, 3) as layers:
        assert layers.call("forward", x).shape == shape
        assert layers.step == 1
        assert layers.call("backward", x, x).shape == shape


@pytest.mark.parametrize("backends", BACKEND_SETS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layer, kwargs", [
    ("Dropout", {"init_p": 0.0, "scale": False}),
    ("SpatialDropout1D", {"init_p": 0.0}),
    ("SpatialDropout2D", {"init_p": -0.0}),
])
def test_evaluate_at_p_zero_is_the_literal_formula(backends, dtype, layer, kwargs):
    """Found by the properties with signalling NaNs: evaluate mode without rescale
    is x * T(1 - p) even at p = 0 (the JVM's result: the NaN comes out quiet); the
    numpy backend copied x instead, keeping the signalling NaN."""
    dtype = np.dtype(dtype)
    shape = (1, 2, 2) if layer != "Dropout" else (4,)
    x = np.resize(np.concatenate([signalling_nans(dtype), np.array([1.5, -0.0], dtype)]), shape)
    kwargs = {**kwargs, "bigdl_type": "float" if dtype == np.float32 else "double"}
    with Layers(backends, layer, kwargs, 9) as layers:
        layers.each("evaluate")
        y = layers.call("forward", x)
        assert_same(y, x * dtype.type(1.0), "evaluate forward")
        changed = y.tobytes() != x.tobytes()
        assert changed, "the signalling NaNs should come out quiet"
        assert_same(layers.call("backward", x, x), x * dtype.type(1.0), "evaluate backward")


# --------------------------------------------------------------------------
# Keras noise_shape and noise() (docs/contract.md, "Extensions: AlphaDropout and FeatureAlphaDropout")
# --------------------------------------------------------------------------

@st.composite
def noise_shapes(draw, shape):
    """A Keras noise_shape for ``shape``: per axis None, 1 or the size itself."""
    return tuple(draw(st.sampled_from([None, 1, d])) for d in shape)


@pytest.mark.parametrize("backends", BACKEND_SETS)
@given(data=st.data())
def test_noise_shape_and_noise_follow_the_contract(backends, data, examples):
    """A random noise_shape on the four layers that take one: forward and
    backward equal the reference (the noise broadcast from the noise shape),
    and noise() is that forward's noise, the same bytes on every backend."""
    count(examples, "noise_shape", backends)
    layer, kwargs = data.draw(configs(NOISE_SHAPE_LAYERS), "config")
    seed = data.draw(seeds(), "seed")
    shape = tuple(min(d, 5) for d in data.draw(shapes(layer), "shape"))
    kwargs["noise_shape"] = data.draw(noise_shapes(shape), "noise_shape")
    params = canonical(kwargs)
    dtype = DTYPE[kwargs["bigdl_type"]]
    x = data.draw(arrays(dtype, shape), "x")
    with Layers(backends, layer, kwargs, seed) as layers:
        assert layers.raises("noise") == (RuntimeError, f"{layer}: noise() called before any training forward")
        y = layers.call("forward", x)
        assert_same(y, reference(layer, params, True, seed, 0, x), "forward")
        assert_same(layers.call("backward", x, x), reference(layer, params, True, seed, 0, x, backward=True), "backward")
        noise = layers.call("noise")
        assert noise.shape == reference_noise_shape(layer, "NCHW", shape, kwargs["noise_shape"])
        layers.each("evaluate")
        layers.call("forward", x)
        assert_same(layers.call("noise"), noise, "noise() after an evaluate forward")
