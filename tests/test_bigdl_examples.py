"""BigDL 2.4's own Python examples for the six layers (its dllib "Dropout
Layers" page), run with only the import changed: shapes, dtypes, kept values
and evaluate outputs are BigDL's; the masks differ (ours are a function of
(seed, step, index), docs/migration.md, "Porting from BigDL").

Each example is kept verbatim as a string. :func:`port` changes what a BigDL
user changes, the import line, and one thing the page needs on Python 3: its
GaussianDropout and GaussianNoise examples use Python 2 ``print`` statements,
which become ``print(...)`` calls with the same arguments. Those two examples
also rely on the page's imports (they have none), so they run after the
page's first example's import lines, ported.

Each run is replayed by twin layers built with the example's seeds: what the
example printed must be the twins' results, and those are checked against
BigDL's rules.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import bigdl_reg

BIGDL_IMPORT = re.compile(r"^from bigdl(?:\.dllib)?\.nn\.layer import \*$", re.M)
PY2_PRINT = re.compile(r"^(\s*)print (.+)$", re.M)
PAGE_IMPORTS = "from bigdl.nn.layer import *\nimport numpy as np\n"  # the page's first Python example


def port(source: str) -> str:
    """What changes when BigDL code moves to bigdl-reg: the import line (and,
    for the page's Python 2 examples, ``print x`` -> ``print(x)``)."""
    source = BIGDL_IMPORT.sub("from bigdl_reg.nn import *", source)
    return PY2_PRINT.sub(r"\1print(\2)", source)


def run(source: str, capsys, namespace: dict | None = None) -> tuple[dict, str]:
    """Execute the ported example; returns its namespace and what it printed."""
    namespace = {} if namespace is None else namespace
    exec(compile(port(source), "<BigDL example>", "exec"), namespace)
    return namespace, capsys.readouterr().out


@pytest.fixture(autouse=True)
def default_backend(backend):
    """The examples pass no backend: run them on each one, as the default."""
    bigdl_reg.set_default_backend(backend)
    bigdl_reg.set_seed(2024)
    yield backend
    bigdl_reg.set_default_backend(None)


def printed(*values) -> str:
    """What ``print(*values)`` writes."""
    return " ".join(str(v) for v in values) + "\n"


def twin(layer):
    """A new layer in ``layer``'s configuration and seed, at step 0."""
    return type(layer)(**layer.get_config())


# --------------------------------------------------------------------------
# the constructors shown at the top of each section
# --------------------------------------------------------------------------

CONSTRUCTORS = {
    "Dropout": ('''module = Dropout(
init_p=0.5,
inplace=False,
scale=True)''', {"init_p": 0.5, "inplace": False, "scale": True}),
    "GaussianDropout": ("module = GaussianDropout(rate)", {"rate": 0.5}),
    "GaussianNoise": ("module = GaussianNoise(stddev)", {"stddev": 0.5}),
    "SpatialDropout1D": ('''module = SpatialDropout1D(
init_p=0.5)''', {"init_p": 0.5}),
    "SpatialDropout2D": ('''module = SpatialDropout2D(
init_p=0.5, data_format="NCHW")''', {"init_p": 0.5, "data_format": "NCHW"}),
    "SpatialDropout3D": ('''module = SpatialDropout3D(
init_p=0.5, data_format="NCHW")''', {"init_p": 0.5, "data_format": "NCHW"}),
}


@pytest.mark.parametrize("name", list(CONSTRUCTORS))
def test_the_constructors_as_written(name, capsys):
    source, params = CONSTRUCTORS[name]
    value = {"rate": 0.5, "stddev": 0.5}  # the page's placeholders `rate` and `stddev`
    namespace, _ = run(PAGE_IMPORTS + source, capsys, dict(value))
    module = namespace["module"]
    assert type(module).__name__ == name and module.bigdl_type == "float"
    config = module.get_config()
    assert {key: config[key] for key in params} == params


# --------------------------------------------------------------------------
# Dropout
# --------------------------------------------------------------------------

DROPOUT = '''from bigdl.nn.layer import *
import numpy as np
module = Dropout()
x = np.arange(1, 9, 1).reshape(2, 4)
print(module.forward(x))
print(module.backward(x, x.copy() * 0.5)) # backward drops out the gradients at the same location.
'''


def test_dropout_example(capsys):
    namespace, out = run(DROPOUT, capsys)
    module, x = namespace["module"], namespace["x"]
    assert x.dtype == np.int64  # BigDL converts it to the layer's float32; so do we
    replay = twin(module)
    y = replay.forward(x)
    g = replay.backward(x, x.copy() * 0.5)
    assert out == printed(y) + printed(g)
    # BigDL's rules: float32 of the input's shape; kept cells are x / (1 - 0.5), dropped ones 0;
    # backward drops the same cells and scales the rest alike
    assert y.dtype == g.dtype == np.float32 and y.shape == g.shape == (2, 4)
    kept = y != 0
    assert 0 < kept.sum() < 8  # a mask, neither all nor nothing (seed 2024's draw)
    assert y.tolist() == np.where(kept, x * 2.0, 0).tolist()
    assert g.tolist() == np.where(kept, x * 0.5 * 2.0, 0).tolist()
    assert module.evaluate().forward(x).tolist() == x.tolist()  # evaluate: the input, as float32


# --------------------------------------------------------------------------
# GaussianDropout and GaussianNoise (Python 2 prints; the page's imports)
# --------------------------------------------------------------------------

GAUSSIAN_DROPOUT = '''layer = GaussianDropout(0.5) # Try to create a Linear layer
#training mode
layer.training()
inp=np.ones([2,1])
outp = layer.forward(inp)
gradoutp = np.ones([2,1])
gradinp = layer.backward(inp,gradoutp)
print "training:forward=",outp
print "trainig:backward=",gradinp
#evaluation mode
layer.evaluate()
print "evaluate:forward=",layer.forward(inp)
'''

GAUSSIAN_NOISE = '''layer = GaussianNoise(0.5)
#training mode
layer.training()
inp=np.ones([2,1])
outp = layer.forward(inp)
gradoutp = np.ones([2,1])
gradinp = layer.backward(inp,gradoutp)
print "training:forward=",outp
print "trainig:backward=",gradinp
#evaluation mode
layer.evaluate()
print "evaluate:forward=",layer.forward(inp)
'''


def _gaussian(source, capsys):
    namespace, out = run(PAGE_IMPORTS + source, capsys)
    inp, outp, gradinp = namespace["inp"], namespace["outp"], namespace["gradinp"]
    assert inp.dtype == np.float64  # rounded to the "float" layer's float32, as in BigDL
    replay = twin(namespace["layer"])
    want_out, want_grad = replay.forward(inp), replay.backward(inp, np.ones([2, 1]))
    assert outp.tobytes() == want_out.tobytes() and gradinp.tobytes() == want_grad.tobytes()
    evaluated = np.ones([2, 1], np.float32)
    assert out == (printed("training:forward=", outp) + printed("trainig:backward=", gradinp)
                   + printed("evaluate:forward=", evaluated))
    assert outp.dtype == gradinp.dtype == np.float32 and outp.shape == gradinp.shape == (2, 1)
    return outp, gradinp


def test_gaussian_dropout_example(capsys):
    outp, gradinp = _gaussian(GAUSSIAN_DROPOUT, capsys)
    # x * (1 + sd*z) on ones: the factors themselves; backward multiplies by the same factors
    assert gradinp.tobytes() == outp.tobytes()
    assert (outp != 1).all()


def test_gaussian_noise_example(capsys):
    outp, gradinp = _gaussian(GAUSSIAN_NOISE, capsys)
    assert gradinp.tolist() == [[1.0], [1.0]]  # the gradient passes through, as in BigDL
    assert (outp != 1).all()


# --------------------------------------------------------------------------
# SpatialDropout1D and SpatialDropout2D: the page's example, and the input
# its printed output came from
# --------------------------------------------------------------------------

# The page gives this one example under both SpatialDropout1D and SpatialDropout2D.
SPATIAL = '''from bigdl.nn.layer import *
import numpy as np
module = SpatialDropout1D(0.7)
x = np.arange(3, 4, 5)
print(module.forward(x))
print(module.backward(x, x.copy() * 0.5)) # backward drops out the gradients at the same location.
'''


def test_spatial_example_as_written_is_refused_like_bigdl(capsys):
    # np.arange(3, 4, 5) is array([3]): one element, 1-D. SpatialDropout1D takes
    # (N, T, C) or (T, C) inputs (BigDL's rank rule too), so the forward raises.
    with pytest.raises(ValueError) as info:
        run(SPATIAL, capsys)
    assert str(info.value) == "SpatialDropout1D: expected a 2-D or 3-D input, got shape (1)"


# What the printed outputs show: a (3, 4, 5) input for SpatialDropout1D, a
# (2, 3, 4, 5) one for SpatialDropout2D, as in the page's Scala examples
# (`Tensor[Double](3, 4, 5).rand()`); float64, like np.random.rand's.
INTENDED = {
    "SpatialDropout1D": (SPATIAL.replace("np.arange(3, 4, 5)", "np.random.rand(3, 4, 5)"), (1,)),
    "SpatialDropout2D": (SPATIAL.replace("np.arange(3, 4, 5)", "np.random.rand(2, 3, 4, 5)")
                         .replace("SpatialDropout1D(0.7)", "SpatialDropout2D(0.7)"), (2, 3)),
}


@pytest.mark.parametrize("name", list(INTENDED))
def test_spatial_example_on_the_intended_input(name, capsys):
    source, shared_axes = INTENDED[name]
    np.random.seed(100)
    namespace, out = run(source, capsys)
    module, x = namespace["module"], namespace["x"]
    replay = twin(module)
    y = replay.forward(x)
    g = replay.backward(x, x.copy() * 0.5)
    assert out == printed(y) + printed(g)
    x32 = x.astype(np.float32)
    assert y.dtype == g.dtype == np.float32 and y.shape == g.shape == x.shape
    # whole channels kept (unscaled, as in BigDL) or zeroed; the gradient alike
    kept = (y != 0).all(axis=shared_axes, keepdims=True)
    assert ((y != 0) == np.broadcast_to(kept, y.shape)).all()
    assert y.tobytes() == np.where(kept, x32, np.float32(0)).tobytes()
    assert g.tobytes() == np.where(kept, (x * 0.5).astype(np.float32), np.float32(0)).tobytes()
    # evaluate: x * (1 - p), BigDL's formula
    assert module.evaluate().forward(x).tobytes() == (x32 * np.float32(1 - 0.7)).tobytes()
