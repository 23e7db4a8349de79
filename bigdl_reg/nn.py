"""The regularization layers: Dropout, GaussianDropout, GaussianNoise,
SpatialDropout1D/2D/3D (BigDL's Python constructor signatures), and
AlphaDropout and FeatureAlphaDropout (the same style).

Each layer validates its arguments, takes a seed (explicit, else from
:func:`bigdl_reg.set_seed`'s global seeder) and runs on a backend: the Scala
engine over py4j ("jvm") or the pure-NumPy re-implementation ("numpy"). Both
give the same bits for the same seed (docs/contract.md, "Why this is reproducible").

Element types: ``bigdl_type="float"`` computes in float32, ``"double"`` in
float64. Any real numeric array-like (an ndarray of a bool, integer or
floating dtype, nested lists, scalars, objects with ``__array__``) is
converted to the layer's dtype, as BigDL does (a float64 input to a "float"
layer is rounded to float32); outputs are numpy arrays of the layer's dtype,
in the input's memory layout (:mod:`bigdl_reg._arrays`).
"""
from __future__ import annotations

import inspect
import re
import threading
from dataclasses import replace
from typing import Any, ClassVar, Dict, Optional, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from . import _arrays, _seeding, _state
from . import _validation as v
from ._layers import (
    ADDEND,
    ALPHA_P,
    DATA_FORMAT,
    FACTOR,
    INIT_P,
    INPLACE,
    KEEP,
    NOISE_SHAPE,
    RATE,
    SCALE,
    STDDEV,
    LayerSpec,
    register,
)
from .backends import Backend, Config, get_backend
from .backends.numpy import ops

__all__ = [
    "Layer",
    "Dropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "AlphaDropout",
    "FeatureAlphaDropout",
    "from_state",
]


# Paragraphs several layer docstrings share: a docstring line ``{name}`` (alone,
# indented) becomes the paragraph, at that indentation.
_SHARED_DOCS = {
    "common_args": """\
bigdl_type (str): "float" (float32) or "double" (float64).
seed (int, optional): unsigned 64-bit seed; default from the global
    seeder (:func:`bigdl_reg.set_seed`).
backend (str, optional): "numpy", "jvm" or "auto" (the default).""",
    "noise_shape_arg": """\
noise_shape (tuple, optional): Keras' ``noise_shape`` (a tuple, list
    or any ordered iterable): one entry per input axis, ``None`` (the
    input's size), 1 (one draw shared along that axis) or the input's
    size. Default: the input's shape.""",
    "data_format_arg": '''\
data_format (str): "NCHW" (channels first) or "NHWC" (channels
    last); Keras' "channels_first" / "channels_last" are accepted as
    aliases. Case-sensitive. Default: "NCHW"''',
    "channel_p_arg": """\
init_p (float): probability of a channel to be zeroed, in [0, 1].
    Default: 0.5""",
    "rate_arg": """\
rate (float, optional): Keras' name for ``init_p`` (keyword only;
    giving both is a TypeError).""",
    "channel_formula": "Training forward: ``keep(n, c) ? x : +0``; evaluation: ``x * T(1 - p)``.",
    "shared_raises": """\
TypeError: a value of the wrong type. Shared arguments, inputs and
    state: see :class:`Layer`.""",
    "any_shape": """\
Shape:
    - Input: any shape, including 0-d and empty.
    - Output: the input's shape.""",
}


def _fill_docs(doc: str) -> str:
    def paragraph(match: re.Match) -> str:
        indent = match.group(1)
        return "\n".join(indent + line for line in _SHARED_DOCS[match.group(2)].splitlines())
    return re.sub(r"^( *)\{(\w+)\}$", paragraph, doc, flags=re.M)


#: a layer's own class, for the methods that return self
_L = TypeVar("_L", bound="Layer")


class Layer:
    """What the layers share: seed, modes, dtype policy, noise access and the backend.

    A layer is a subclass with its entry, ``_spec`` (:class:`bigdl_reg._layers.LayerSpec`):
    defining the class registers the entry under the class's name, and builds
    the constructor (signature, defaults, checks); ``get_config`` and ``repr``
    read the entry too. A docstring may use the shared paragraphs of
    :data:`_SHARED_DOCS` (a line ``{name}``).

    Errors every layer raises (docs/contract.md, "Validation"):

    * ``ValueError``: an argument out of range (at construction: also a
      ``bigdl_type`` other than "float"/"double", a seed outside [0, 2**64),
      an unknown backend name), an input rank the layer does not accept, a
      gradient whose shape differs from the last forward's input, a ragged
      nested list, a read-only array with ``inplace=True``;
    * ``TypeError``: an input that does not hold real numbers (complex,
      object, string, datetime), a list of arrays (BigDL's Table: these
      layers take one tensor), with ``inplace=True`` an input that is not a
      numpy array of the layer's dtype (inputs are otherwise converted, see
      :mod:`bigdl_reg._arrays`);
    * ``RuntimeError``: ``backward`` before any forward, any call on a closed
      layer; :class:`bigdl_reg.backends.jvm.JVMError` (a ``RuntimeError``)
      when the JVM behind the "jvm" backend fails.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import Dropout
        >>> with Dropout(0.5, seed=1, backend="numpy") as d:
        ...     print(d.is_training(), d.step, d.backend, d.bigdl_type, d.dtype)
        ...     y = d.forward(np.ones((2, 3), np.float32))
        ...     print(d.step, d.evaluate().is_training(), d.get_config())
        True 0 numpy float float32
        1 False {'init_p': 0.5, 'inplace': False, 'scale': True, 'bigdl_type': 'float', 'seed': 1}
        >>> d.forward(np.ones(3, np.float32))
        Traceback (most recent call last):
            ...
        RuntimeError: Dropout: the layer is closed
    """

    _spec: ClassVar[LayerSpec]
    _signature: ClassVar[inspect.Signature]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.__doc__ = _fill_docs(cls.__doc__)
        if "_spec" in cls.__dict__:  # a layer (a subclass without an entry is its parent's layer)
            cls._spec = spec = register(cls.__name__, cls._spec)
            cls._signature = _signature(spec)
            _CLASSES[cls.__name__] = cls
            taken = {p.keyword: p.keyword for p in spec.params}
            if "init_p" in taken:
                taken["rate"] = "init_p"  # Keras' name
            for keyword in _KEYWORDS:
                setattr(cls, keyword, _parameter(taken[keyword]) if keyword in taken else _absent(keyword))

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                Layer.__init__(self, *args, **kwargs)

            __init__.__qualname__ = f"{cls.__name__}.__init__"
            __init__.__signature__ = cls._signature  # type: ignore[attr-defined]  # what inspect and the docs show
            cls.__init__ = __init__  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        arguments = self._signature.bind(self, *args, **kwargs)
        name, given = self._spec.name, arguments.arguments
        keras_rate = given.pop("rate", None) if "init_p" in self._signature.parameters else None
        if keras_rate is not None:  # Keras' name of the drop probability
            if "init_p" in given:
                raise TypeError(f"{name}: give init_p or rate, not both")
            given["init_p"] = self._spec.param("init_p").check(name, keras_rate, "rate")
        arguments.apply_defaults()
        given = arguments.arguments  # a new dict
        params = {p.keyword: p.check(name, given[p.keyword]) for p in self._spec.params}
        self._params = {key: value for key, value in params.items() if value is not None}  # None: no noise_shape
        self._dtype = v.check_bigdl_type(name, given["bigdl_type"])
        seed = given["seed"]
        seed = _seeding.next_seed() if seed is None else v.check_seed(name, seed)
        backend = given["backend"]
        self._backend: Backend = backend if _is_backend_object(backend) else get_backend(backend)
        self._lock = threading.RLock()  # calls on one layer are serialised: each reads and moves the state
        self._configs: dict = {}  # parameters -> the backend's Config (set_p adds one)
        self._closed = False
        self._seed, self._step, self._training, self._resampling = seed, 0, True, True
        self._name: Optional[str] = None
        self._last: Optional[_state.Forward] = None  # what backward replays
        self._last_training: Optional[_state.Forward] = None  # what noise() and resampling read
        self._config(self._params)  # validates on the backend now (the jvm backend starts its JVM)

    # -- computation -----------------------------------------------------
    def forward(self, x: ArrayLike, batch_offset: int = 0) -> np.ndarray:
        """The layer's output for ``x`` (a training forward advances ``step``).

        ``batch_offset``: ``x`` is the rows ``batch_offset, batch_offset + 1, ...``
        (along axis 0) of a larger logical batch, and draws exactly the noise
        that one forward on that whole batch would draw for those rows. Pieces
        of a batch forwarded at their offsets, with the same seed and step, in
        any order, give the bytes of one forward on the whole batch.

        The layer's state (step, last forward) changes only once the backend
        has returned: a forward that raises (or is interrupted) leaves the
        layer exactly as it was.
        """
        return self._forward(x, batch_offset, None)

    def __call__(self, x: ArrayLike, training: Optional[bool] = None) -> np.ndarray:
        """``layer(x)``: a forward, Keras style. ``training=True`` / ``False``
        runs this one call in that mode (Monte Carlo dropout: ``layer(x,
        training=True)`` on an evaluating layer); None uses the layer's mode."""
        if training is not None:
            training = v.check_bool(self._spec.name, "training", training)
        return self._forward(x, 0, training)

    def _forward(self, x, batch_offset, training: Optional[bool]):
        self._live()
        layer = self._spec.name

        def compute(array, out):
            offset = v.check_batch_offset(layer, batch_offset, array.shape)
            with self._lock:
                self._live()
                params = self._params
                mode = self._training if training is None else training
                reused = self._reused(mode, array.shape, offset)
                seed, step = (reused.seed, reused.step) if reused else (self._seed, self._step)
                result = self._config(params).forward(array, out, seed, step, mode, offset)  # validates the shape
                record = _state.plan(self._spec, seed, step, mode, array.shape, offset, params)
                self._last = record
                if mode:
                    self._last_training = record
                    self._step += 0 if reused else 1
                return result
        return self._run(x, compute)

    def _reused(self, training: bool, shape, batch_offset: int) -> Optional[_state.Forward]:
        """With resampling off, the last training forward whose noise this
        training forward reuses (same noise shape), else None."""
        last = self._last_training
        if not training or self._resampling or last is None:
            return None
        noise = _state.plan(self._spec, 0, 0, True, shape, batch_offset, self._params).noise
        return last if noise == last.noise else None

    def backward(self, x: Optional[ArrayLike], grad_output: ArrayLike) -> np.ndarray:
        """The gradient w.r.t. the input of the most recent forward, for ``grad_output``.

        It applies that forward's own noise, recomputed from its (seed, step)
        (nothing is stored), in the mode the forward ran in: the training
        formula's derivative, or the evaluate formula's.

        Args:
            x: the input of that forward (accepted for BigDL's signature; the
                noise layers' gradients do not depend on it).
            grad_output: the gradient w.r.t. the output, of the input's shape.

        Returns:
            A new array of the layer's dtype (``grad_output`` itself, overwritten,
            for ``Dropout(inplace=True)``).

        Raises:
            RuntimeError: no forward yet. ValueError: ``grad_output``'s shape
            differs from that forward's input. TypeError: see the dtype policy.
        """
        self._live()
        if x is not None:
            _arrays.real_array(self._spec.name, x, "input")  # checked (not converted: unused)
        return self._run(grad_output, lambda grad, out: self._backward(grad, out), "grad_output")

    def _backward(self, grad, out):
        with self._lock:
            record = self._last
            if record is None:
                raise v.backward_first_error(self._spec.name)
            if grad.shape != record.shape:
                raise v.gradient_shape_error(self._spec.name, grad.shape, record.shape)
            return self._config(record.params).backward(
                grad, out, record.seed, record.step, record.training, record.batch_offset)

    def noise(self) -> np.ndarray:
        """The noise of the most recent training forward, recomputed from its
        (seed, step) rather than stored: a bool keep mask (Dropout, the
        Spatial layers, AlphaDropout, FeatureAlphaDropout), the factors
        ``T(1 + sd*z)`` (GaussianDropout) or the addends ``T(stddev*z)``
        (GaussianNoise), shaped like that forward's noise shape (1 on the
        axes where the draw is shared). Each call allocates the result (1
        byte per cell for a mask, 4 or 8 for factors and addends) and a
        temporary of the element type per cell; nothing is kept between
        calls. RuntimeError before any training forward."""
        self._live()
        with self._lock:
            record = self._last_training
            if record is None:
                raise v.noise_before_training_error(self._spec.name)
            return self._config(record.params).noise(record.shape, record.seed, record.step, record.batch_offset)

    def _run(self, array, compute, name="input"):
        run = _arrays.run_inplace if self._inplace else _arrays.run
        return run(self._spec.name, array, self._dtype, compute, name, self._max_elements)

    @property
    def _max_elements(self) -> Optional[int]:
        """The most elements one tensor may have on this backend (None: no limit)."""
        if self._backend.name != "jvm":
            return None
        from .backends.jvm import shm  # loaded already: the layer runs on it
        return shm.MAX_ELEMENTS

    @property
    def _inplace(self) -> bool:
        return self._params.get("inplace", False)

    # -- modes and state -------------------------------------------------
    def training(self: _L, is_training: bool = True) -> _L:
        """Training mode (the default; BigDL's ``training(is_training=True)``):
        fresh noise at every forward. ``training(False)`` is :meth:`evaluate`. Returns self."""
        flag = v.check_bool(self._spec.name, "is_training", is_training)
        with self._lock:
            self._live()
            self._training = flag
        return self

    def evaluate(self: _L) -> _L:
        """Evaluation mode: the deterministic formula of each layer. Returns self."""
        return self.training(False)

    def is_training(self) -> bool:
        """True in training mode (the default), False after :meth:`evaluate`."""
        self._live()
        return self._training

    def set_seed(self: _L, seed: int) -> _L:
        """Set this layer's seed (unsigned 64-bit) and reset its step to 0. Returns self.

        Raises ValueError (negative or >= 2**64) or TypeError (not an int)."""
        seed = v.check_seed(self._spec.name, seed)
        with self._lock:
            self._live()
            self._seed, self._step = seed, 0
        return self

    def set_resampling(self: _L, flag: bool) -> _L:
        """BigDL's resampling switch (default on: every training forward draws
        fresh noise). Off: a training forward whose noise shape equals the
        last training forward's reuses that forward's noise (its seed and
        step, at this call's batch offset) and leaves ``step`` where it is; a
        different noise shape, or no training forward yet, draws as usual.
        Returns self."""
        flag = v.check_bool(self._spec.name, "flag", flag)
        with self._lock:
            self._resampling = flag
        return self

    def is_resampling(self) -> bool:
        """False after ``set_resampling(False)``."""
        return self._resampling

    @property
    def seed(self) -> int:
        """The layer's seed, an unsigned 64-bit int (explicit or from the global seeder)."""
        return self._seed

    @property
    def step(self) -> int:
        """Number of training forwards since construction or the last set_seed
        (a forward that reused the last noise, resampling off, does not count)."""
        return self._step

    @property
    def backend(self) -> str:
        """The backend running this layer: "jvm" or "numpy" ("auto" resolved)."""
        return self._backend.name

    @property
    def bigdl_type(self) -> str:
        """ "float" or "double", as given to the constructor."""
        return v.bigdl_type_name(self._dtype)

    @property
    def dtype(self) -> np.dtype:
        """The element type the layer computes in and returns: float32 or float64."""
        return self._dtype

    def get_dtype(self) -> str:
        """BigDL's name of the element type: "float32" or "float64"."""
        return self._dtype.name

    # -- BigDL's module surface -------------------------------------------
    def set_name(self: _L, name: str) -> _L:
        """BigDL's module name, a label (messages keep naming the layer class). Returns self."""
        if not isinstance(name, str):
            raise TypeError(f"{self._spec.name}: name must be a str, got {type(name).__name__}")
        self._name = name
        return self

    def name(self) -> str:
        """The name given to :meth:`set_name`, else the layer's class name."""
        return self._spec.name if self._name is None else self._name

    def parameters(self) -> dict:
        """BigDL's trainable parameters by layer name: these layers have none, so ``{}``."""
        return {}

    def get_weights(self) -> None:
        """None: the layers have no weights (BigDL returns None too, after
        printing "The layer does not have weight/bias")."""
        return None

    def zero_grad_parameters(self) -> None:
        """Nothing to zero (BigDL: "If the module has parameters ... Otherwise, it does nothing")."""

    def get_config(self) -> dict:
        """Constructor arguments (Keras style): ``type(layer)(**layer.get_config())``
        builds an equivalent layer at step 0. The backend is not part of it."""
        return {**self._params, "bigdl_type": self.bigdl_type, "seed": self.seed}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{self._spec.name}({args})"

    def __str__(self) -> str:
        """BigDL's ``toString``: ``Dropout(0.5)``, ``Dropout[name](0.5)`` once named
        (BigDL shows a random id when unnamed), the data format after the value."""
        value = next(self._params[k] for k in ("init_p", "rate", "stddev") if k in self._params)
        args = ", ".join([repr(value)] + ([self._params["data_format"]] if "data_format" in self._params else []))
        label = "" if self._name is None else f"[{self._name}]"
        return f"{self._spec.name}{label}({args})"

    # -- state: checkpoints, pickling, copies -------------------------------
    def get_state(self) -> Dict[str, Any]:
        """The layer's state as a JSON-able record (format 1): layer,
        parameters, dtype, seed, step, mode, resampling, name and the last
        forwards. ``json.dumps(layer.get_state())`` is the text Scala's
        ``LayerState.toJson`` writes for the same state; :meth:`set_state`,
        :func:`from_state` (and Scala's ``LayerState.fromJson``) read it back,
        and the restored layer's next forwards and backward give the bytes
        this one's would."""
        with self._lock:
            return {"format": _state.FORMAT, "layer": self._spec.name, "params": _state.params_record(self._params),
                    "dtype": self._dtype.name, "seed": str(self._seed), "step": self._step,
                    "training": self._training, "resampling": self._resampling, "name": self._name,
                    "last": _state.forward_record(self._last),
                    "last_training": _state.forward_record(self._last_training)}

    def set_state(self: _L, state: Dict[str, Any]) -> _L:
        """Put the layer in ``state`` (a :meth:`get_state` record, from Python
        or Scala). It must be of this layer class and dtype, with this
        layer's parameters except the drop probability (``init_p``), which it
        may change as :meth:`set_p` does. Nothing changes on an error
        (ValueError / TypeError). Returns self."""
        read = _state.read(self._spec, self._dtype.name, state)
        mine = {k: x for k, x in self._params.items() if k != "init_p"}
        for params in [read.params] + [f.params for f in (read.last, read.last_training) if f is not None]:
            if {k: x for k, x in params.items() if k != "init_p"} != mine:
                raise ValueError(f"{self._spec.name}: the state's parameters {params} differ from the layer's "
                                 f"{self._params}")
        with self._lock:
            self._live()
            for params in {_key(read.params): read.params, **{_key(f.params): f.params for f in (
                    read.last, read.last_training) if f is not None}}.values():
                self._config(params)  # before any change: a refused configuration changes nothing
            self._params, self._seed, self._step = read.params, read.seed, read.step
            self._training, self._resampling, self._name = read.training, read.resampling, read.name
            self._last, self._last_training = read.last, read.last_training
            self._prune_configs()
        return self

    def __reduce__(self):
        # pickle, copy.copy and copy.deepcopy: a new, independent layer in the same state
        return from_state, (self.get_state(), self.backend)

    # -- lifecycle -------------------------------------------------------
    def close(self) -> None:
        """Release the backend configurations (idempotent); later calls raise RuntimeError.
        ``with`` blocks call it on exit."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            configs, self._configs = list(self._configs.values()), {}
        for config in configs:
            config.close()

    def __enter__(self: _L) -> _L:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _live(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self._spec.name}: the layer is closed")

    def _config(self, params: dict) -> Config:
        """The backend's configuration for ``params`` (made once)."""
        key = _key(params)
        config = self._configs.get(key)
        if config is None:
            config = self._configs[key] = self._backend.configure(self._spec.name, params, self._dtype)
        return config

    def _prune_configs(self) -> None:
        """Close the configurations that neither the parameters nor a recorded forward use."""
        used = {_key(self._params)} | {_key(f.params) for f in (self._last, self._last_training) if f is not None}
        for key in [k for k in self._configs if k not in used]:
            self._configs.pop(key).close()


def _key(params: dict) -> tuple:
    return tuple(params.items())


def from_state(state: Any, backend: Any = None) -> Layer:
    """A new layer in ``state`` (a :meth:`Layer.get_state` record, from
    Python or Scala) on ``backend`` (default: the default backend)."""
    name = _state.layer_of(state)
    if name not in _CLASSES:
        raise ValueError(f'unknown layer "{name}"; expected one of {", ".join(_CLASSES)}')
    cls = _CLASSES[name]
    params = _state.read_params(cls._spec, state.get("params"))
    bigdl_type = {"float32": "float", "float64": "double"}.get(state.get("dtype"))
    if bigdl_type is None:
        raise ValueError(f'{name}: the state\'s "dtype" must be "float32" or "float64", got {state.get("dtype")!r}')
    layer = cls(**params, bigdl_type=bigdl_type, backend=backend, seed=0)
    try:
        return layer.set_state(state)
    except BaseException:
        layer.close()
        raise


def _signature(spec: LayerSpec) -> inspect.Signature:
    """The constructor of ``spec``'s class: its own parameters (BigDL's order),
    then BigDL's ``bigdl_type``, ``seed`` and ``backend``, then Keras'
    ``noise_shape`` when the layer takes one, then Keras' ``rate`` (the name
    of ``init_p``) on the layers with a drop probability."""
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD

    def parameter(name, default):
        return inspect.Parameter(name, keyword, default=default)

    own = [parameter(p.keyword, p.default) for p in spec.params if p is not NOISE_SHAPE]
    shared = [parameter("bigdl_type", "float"), parameter("seed", None), parameter("backend", None)]
    keras = [parameter(p.keyword, p.default) for p in spec.params if p is NOISE_SHAPE]
    if any(p.keyword == "init_p" for p in spec.params):
        keras.append(inspect.Parameter("rate", inspect.Parameter.KEYWORD_ONLY, default=None))
    return inspect.Signature([parameter("self", inspect.Parameter.empty), *own, *shared, *keras])


#: the parameters readable as attributes (``layer.init_p``; AttributeError on a layer without it)
_KEYWORDS = ("init_p", "rate", "stddev", "data_format", "inplace", "scale", "noise_shape")


def _parameter(keyword: str) -> property:
    """``layer.<keyword>``: the parameter's value (None for an absent noise_shape)."""
    def read(self):
        return self._params.get(keyword)
    read.__doc__ = f"The layer's ``{keyword}``."
    return property(read)


def _absent(keyword: str) -> property:
    def read(self):
        raise AttributeError(f"{self._spec.name} has no parameter {keyword}")
    return property(read)


class _DropProbability(Layer):
    """The layers with a drop probability ``init_p`` that can change in place
    (Scala's ``DropProbability``): Dropout, AlphaDropout and their subclasses."""

    @property
    def p(self) -> float:
        """The drop probability ``init_p`` (Scala's ``getP``; also ``rate``, Keras' name)."""
        return self._params["init_p"]

    def set_p(self: _L, p: float) -> _L:
        """Change the drop probability (BigDL's ``setP``); seed, step and the
        last forwards are kept (a backward still replays its forward). Returns self."""
        p = self._spec.param("init_p").check(self._spec.name, p)
        with self._lock:
            self._live()
            params = {**self._params, "init_p": p}
            self._config(params)
            self._params = params
            self._prune_configs()
        return self


#: the layer classes by name (``from_state`` builds them)
_CLASSES: Dict[str, "type[Layer]"] = {}


def _is_backend_object(backend) -> bool:
    return backend is not None and not isinstance(backend, str) and hasattr(backend, "configure")

class Dropout(_DropProbability):
    r"""Zeroes each element with probability ``init_p`` during training and
    scales the kept ones by ``1 / (1 - init_p)``.

    Every element is dropped independently; which ones is a pure function of
    (seed, step, flat index), so the same seed gives the same masks on every
    backend and machine. Dropped elements are ``+0`` even where the input is
    NaN or infinite.

    Args:
        init_p (float): probability of an element to be zeroed, in [0, 1].
            Default: 0.5
        inplace (bool): write the output into the input array (and the
            gradient into ``grad_output``). Default: ``False``
        scale (bool): rescale kept elements by ``1 / (1 - init_p)`` in
            training. Without it, evaluation multiplies by ``1 - init_p``
            instead. Default: ``True``
        {common_args}
        {rate_arg}
        {noise_shape_arg}

    {any_shape}

    Training forward: ``keep ? x * T(1/(1-p)) : +0`` (scale) or
    ``keep ? x : +0`` (no scale), ``T`` rounding to the element type.
    Evaluation: ``x`` (scale) or ``x * T(1-p)`` (no scale). ``backward``
    applies the same mask and factor to the gradient.

    Raises:
        ValueError: ``init_p`` outside [0, 1], NaN included.
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import Dropout
        >>> m = Dropout(0.5, seed=42, backend="numpy")
        >>> m
        Dropout(init_p=0.5, inplace=False, scale=True, bigdl_type='float', seed=42)
        >>> x = np.arange(1, 17, dtype=np.float32).reshape(2, 8)
        >>> m.forward(x)
        array([[ 2.,  0.,  6.,  8.,  0.,  0., 14., 16.],
               [18., 20.,  0., 24., 26., 28., 30., 32.]], dtype=float32)
        >>> m.backward(x, np.ones_like(x))
        array([[2., 0., 2., 2., 0., 0., 2., 2.],
               [2., 2., 0., 2., 2., 2., 2., 2.]], dtype=float32)
        >>> m.step
        1
        >>> m.evaluate().forward(x)[0]
        array([1., 2., 3., 4., 5., 6., 7., 8.], dtype=float32)
    """

    _spec = LayerSpec(
        (INIT_P, INPLACE, SCALE, NOISE_SHAPE), KEEP, None,
        # (the Spatial layers have no scale: they are the unscaled Dropout)
        training=lambda params: ops.dropout(params["init_p"], params.get("scale", False)),
        evaluate=lambda params: ops.Identity if params.get("scale", False) else ops.Scale(1.0 - params["init_p"]))


class GaussianDropout(Layer):
    r"""Multiplies each element by ``1 + sd * z`` during training, with ``z``
    a standard normal and ``sd = sqrt(rate / (1 - rate))`` (Srivastava et
    al., 2014): multiplicative noise with mean 1 and variance
    ``rate / (1 - rate)``, so no rescaling is needed at evaluation.

    Args:
        rate (float): drop probability of the equivalent Dropout, in [0, 1).
            0 is the identity.
        {common_args}
        {noise_shape_arg}

    {any_shape}

    Training forward: ``x * T(1 + sd*z)``; evaluation: ``x``. ``backward``
    multiplies the gradient by the forward's own factors (not fresh noise).

    Raises:
        ValueError: ``rate`` outside [0, 1), NaN included.
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import GaussianDropout
        >>> m = GaussianDropout(0.2, seed=42, backend="numpy")
        >>> m.forward(np.ones(4, dtype=np.float32))
        array([1.4580603, 0.5596602, 1.5577008, 0.8663011], dtype=float32)
        >>> m.evaluate().forward(np.ones(4, dtype=np.float32))
        array([1., 1., 1., 1.], dtype=float32)
    """

    _spec = LayerSpec((RATE, NOISE_SHAPE), FACTOR, None, lambda params: ops.gaussian_dropout(params["rate"]))


class GaussianNoise(Layer):
    r"""Adds zero-mean Gaussian noise of standard deviation ``stddev`` during
    training (a regularizer against overfitting; Keras' GaussianNoise).

    Args:
        stddev (float): standard deviation of the noise, finite and >= 0.
            0 is the identity.
        {common_args}
        {noise_shape_arg}

    {any_shape}

    Training forward: ``x + T(stddev*z)``; evaluation: ``x``. The gradient
    passes through unchanged in both modes.

    Raises:
        ValueError: ``stddev`` negative, infinite or NaN.
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import GaussianNoise
        >>> m = GaussianNoise(0.1, bigdl_type="double", seed=42, backend="numpy")
        >>> m.forward(np.zeros(3))
        array([ 0.09161205, -0.08806796,  0.11154016])
        >>> m.backward(np.zeros(3), np.ones(3))
        array([1., 1., 1.])
    """

    _spec = LayerSpec((STDDEV, NOISE_SHAPE), ADDEND, None, lambda params: ops.gaussian_noise(params["stddev"]))


class SpatialDropout1D(Dropout):
    r"""Drops whole channels of a sequence: one draw per (sample, channel),
    shared by every time step (Tompson et al., 2015). Kept elements are
    *not* rescaled; evaluation multiplies by ``1 - init_p`` instead.

    Args:
        {channel_p_arg}
        {common_args}
        {rate_arg}

    Shape:
        - Input: :math:`(N, T, C)` (noise shape :math:`(N, 1, C)`) or
          :math:`(T, C)` (noise shape :math:`(1, C)`).
        - Output: the input's shape.

    {channel_formula}

    Raises:
        ValueError: ``init_p`` outside [0, 1], NaN included; an input that
            is not 2-D or 3-D (at forward).
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import SpatialDropout1D
        >>> m = SpatialDropout1D(0.5, seed=42, backend="numpy")
        >>> m.forward(np.ones((1, 3, 4), dtype=np.float32))
        array([[[1., 0., 1., 1.],
                [1., 0., 1., 1.],
                [1., 0., 1., 1.]]], dtype=float32)
    """

    _spec = replace(Dropout._spec, params=(INIT_P,), channels=(1,))


class SpatialDropout2D(Dropout):
    r"""Drops whole feature maps: one draw per (sample, channel), shared by
    every pixel of the map (Tompson et al., 2015). Kept elements are *not*
    rescaled; evaluation multiplies by ``1 - init_p`` instead.

    Args:
        {channel_p_arg}
        {data_format_arg}
        {common_args}
        {rate_arg}

    Shape:
        - NCHW input: :math:`(N, C, H, W)` (noise :math:`(N, C, 1, 1)`) or
          :math:`(C, H, W)` (noise :math:`(C, 1, 1)`).
        - NHWC input: :math:`(N, H, W, C)` (noise :math:`(N, 1, 1, C)`) or
          :math:`(H, W, C)` (noise :math:`(1, 1, C)`).
        - Output: the input's shape.

    {channel_formula}

    Raises:
        ValueError: ``init_p`` outside [0, 1]; ``data_format`` not one of
            the names above; an input that is not 3-D or 4-D (at forward).
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import SpatialDropout2D
        >>> m = SpatialDropout2D(0.5, seed=42, backend="numpy")
        >>> m.forward(np.ones((1, 4, 2, 2), dtype=np.float32))[0, :, 0, 0]
        array([1., 0., 1., 1.], dtype=float32)
        >>> m.evaluate().forward(np.ones((1, 4, 2, 2), dtype=np.float32))[0, :, 0, 0]
        array([0.5, 0.5, 0.5, 0.5], dtype=float32)
    """

    _spec = replace(Dropout._spec, params=(INIT_P, DATA_FORMAT), channels=(2,))


class SpatialDropout3D(Dropout):
    r"""Drops whole 3-D feature volumes: one draw per (sample, channel),
    shared by every voxel (Tompson et al., 2015). Kept elements are *not*
    rescaled; evaluation multiplies by ``1 - init_p`` instead.

    Args:
        {channel_p_arg}
        {data_format_arg}
        {common_args}
        {rate_arg}

    Shape:
        - NCHW input: :math:`(N, C, D, H, W)` (noise :math:`(N, C, 1, 1, 1)`)
          or :math:`(C, D, H, W)` (noise :math:`(C, 1, 1, 1)`).
        - NHWC input: :math:`(N, D, H, W, C)` (noise :math:`(N, 1, 1, 1, C)`)
          or :math:`(D, H, W, C)` (noise :math:`(1, 1, 1, C)`).
        - Output: the input's shape.

    {channel_formula}

    Raises:
        ValueError: ``init_p`` outside [0, 1]; ``data_format`` not one of
            the names above; an input that is not 4-D or 5-D (at forward).
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import SpatialDropout3D
        >>> m = SpatialDropout3D(0.5, data_format="NHWC", seed=42, backend="numpy")
        >>> y = m.forward(np.ones((2, 2, 2, 2, 3), dtype=np.float32))
        >>> y[:, 0, 0, 0, :]
        array([[1., 0., 1.],
               [1., 0., 0.]], dtype=float32)
        >>> bool((y == y[:, :1, :1, :1, :]).all())
        True
    """

    _spec = replace(Dropout._spec, params=(INIT_P, DATA_FORMAT), channels=(3,))


class AlphaDropout(_DropProbability):
    r"""Dropout for self-normalizing networks (Klambauer et al., 2017): keeps
    the zero mean and unit variance of SELU activations. A dropped element
    is set to SELU's saturation value rather than 0, and every element is
    then corrected by an affine map so mean and variance are unchanged.

    With :math:`\alpha' = -1.7580993408473766`,
    :math:`a = 1/\sqrt{(1-p)(1 + p\alpha'^2)}` and :math:`b = -a\alpha' p`
    (in double), training gives ``keep ? x*T(a) + T(b) : T(a*alpha' + b)``
    and the gradient ``keep ? g*T(a) : +0``; evaluation is the identity. The
    mask is drawn exactly as Dropout's (same seed, same cells kept).

    Args:
        init_p (float): probability of an element to be dropped, in [0, 1).
            0 is the identity. Default: 0.5
        {common_args}
        {rate_arg}
        {noise_shape_arg}

    {any_shape}

    Raises:
        ValueError: ``init_p`` outside [0, 1), NaN included; a ``noise_shape``
            entry below 0, or one that does not fit the input (at forward).
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import AlphaDropout
        >>> m = AlphaDropout(0.5, seed=42, backend="numpy")
        >>> m.forward(np.zeros(8, dtype=np.float32))  # kept: 0*a + b; dropped: a*alpha' + b
        array([ 0.77919394, -0.77919394,  0.77919394,  0.77919394, -0.77919394,
               -0.77919394,  0.77919394,  0.77919394], dtype=float32)
        >>> m.noise()
        array([ True, False,  True,  True, False, False,  True,  True])
    """

    _spec = LayerSpec((ALPHA_P, NOISE_SHAPE), KEEP, None, lambda params: ops.alpha_dropout(params["init_p"]))


class FeatureAlphaDropout(AlphaDropout):
    r"""AlphaDropout on whole channels (PyTorch's FeatureAlphaDropout): one
    draw per (sample, channel), with the noise shapes of SpatialDropout2D
    (3-D and 4-D inputs) and SpatialDropout3D (5-D inputs). A 4-D input is
    read as a batch of 2-D maps, as PyTorch does.

    Args:
        init_p (float): probability of a channel to be dropped, in [0, 1).
            Default: 0.5
        {data_format_arg}
        {common_args}
        {rate_arg}

    Shape:
        - NCHW input: :math:`(N, C, H, W)`, :math:`(C, H, W)` or
          :math:`(N, C, D, H, W)` (noise :math:`(N, C, 1, 1)`,
          :math:`(C, 1, 1)`, :math:`(N, C, 1, 1, 1)`).
        - NHWC input: :math:`(N, H, W, C)`, :math:`(H, W, C)` or
          :math:`(N, D, H, W, C)` (noise :math:`(N, 1, 1, C)`, ...).
        - Output: the input's shape.

    Raises:
        ValueError: ``init_p`` outside [0, 1); ``data_format`` not one of
            the names above; an input that is not 3-D, 4-D or 5-D (at forward).
        {shared_raises}

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import FeatureAlphaDropout
        >>> m = FeatureAlphaDropout(0.5, seed=42, backend="numpy")
        >>> y = m.forward(np.zeros((1, 4, 2, 2), dtype=np.float32))
        >>> y[0, :, 0, 0]
        array([ 0.77919394, -0.77919394,  0.77919394,  0.77919394], dtype=float32)
        >>> m.noise().shape
        (1, 4, 1, 1)
    """

    _spec = replace(AlphaDropout._spec, params=(ALPHA_P, DATA_FORMAT), channels=(2, 3))
