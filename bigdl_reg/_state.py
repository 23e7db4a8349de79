"""The state record of a layer (format 1): what ``get_state`` writes and
``set_state`` / ``from_state`` read, the same JSON text as Scala's
``LayerState.toJson`` (``json.dumps(state)`` with its default separators).

Keys, in this order: ``format``, ``layer``, ``params`` (the layer's Python
keywords, in its entry's order; ``noise_shape`` only when given, as a list),
``dtype`` ("float32" / "float64"), ``seed`` (the unsigned 64-bit seed as a
decimal string: JSON readers lose integers above 2**53), ``step``,
``training``, ``resampling``, ``name``, ``last`` and ``last_training``
(null, or a forward: ``seed``, ``step`` (the step it drew at), ``training``,
``shape``, ``batch_offset``, ``params``). See docs/reproducibility.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from . import _validation as v
from .backends.numpy.noise_shape import at_batch_offset

if TYPE_CHECKING:
    from ._layers import LayerSpec

FORMAT = 1
KEYS = ("format", "layer", "params", "dtype", "seed", "step", "training", "resampling", "name", "last",
        "last_training")
FORWARD_KEYS = ("seed", "step", "training", "shape", "batch_offset", "params")
STEP_LIMIT = (1 << 63) - 1  # a Java long


@dataclass(frozen=True)
class Forward:
    """What a forward was, enough to replay its noise: (seed, step) at
    ``batch_offset``, its mode, input shape and parameters, and its noise
    shape at that offset (what resampling compares)."""

    seed: int
    step: int
    training: bool
    shape: tuple
    batch_offset: int
    params: dict
    noise: tuple


def plan(spec: LayerSpec, seed: int, step: int, training: bool, shape, batch_offset: int, params: dict) -> Forward:
    """The record of a forward of ``shape`` (ValueError for a rank or noise shape the layer refuses)."""
    shape = tuple(int(d) for d in shape)
    noise, _ = at_batch_offset(spec, shape, params, batch_offset)
    return Forward(seed, step, training, shape, batch_offset, params, noise)


def params_record(params: dict) -> dict:
    """The ``params`` object: noise_shape as a list (JSON has no tuples)."""
    return {key: list(value) if key == "noise_shape" else value for key, value in params.items()}


def forward_record(record: Optional[Forward]) -> Optional[dict]:
    if record is None:
        return None
    return {"seed": str(record.seed), "step": record.step, "training": record.training, "shape": list(record.shape),
            "batch_offset": record.batch_offset, "params": params_record(record.params)}


def _error(layer: str, what: str) -> ValueError:
    return ValueError(f"{layer}: the state {what}")


def _keys(layer: str, obj, where: str, keys: tuple, optional: tuple = ()) -> dict:
    if not isinstance(obj, dict):
        raise TypeError(f"{layer}: {where} must be a dict, got {type(obj).__name__}")
    for key in keys:
        if key not in obj and key not in optional:
            raise _error(layer, f'has no key "{key}" in {where}')
    for key in obj:
        if key not in keys:
            raise _error(layer, f'has an unknown key "{key}" in {where} (expected {", ".join(keys)})')
    return obj


def _int(layer: str, value, what: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise _error(layer, f'"{what}" must be an integer in [0, {limit}], got {value!r}')
    return value


def _bool(layer: str, value, what: str) -> bool:
    if not isinstance(value, bool):
        raise _error(layer, f'"{what}" must be true or false, got {value!r}')
    return value


def _seed(layer: str, value, what: str) -> int:
    if not isinstance(value, str) or not value.isdigit() or (value != "0" and value.startswith("0")) \
            or int(value) >= v.SEED_LIMIT:
        raise _error(layer, f'"{what}" must be a decimal string of an unsigned 64-bit integer, got {value!r}')
    return int(value)


def layer_of(state) -> str:
    """The layer a state is of (its "layer"), checked to be a str."""
    if not isinstance(state, dict):
        raise TypeError(f"a layer state must be a dict (from get_state), got {type(state).__name__}")
    name = state.get("layer")
    if not isinstance(name, str):
        raise ValueError(f'the state has no "layer" name, got {name!r}')
    return name


def read_params(spec: LayerSpec, params) -> dict:
    """The parameters of a state, validated by the layer's own checks (normalised as the constructor does)."""
    keys = tuple(p.keyword for p in spec.params)
    _keys(spec.name, params, '"params"', keys, optional=("noise_shape",))
    checked = {p.keyword: p.check(spec.name, params.get(p.keyword)) for p in spec.params}
    return {key: value for key, value in checked.items() if value is not None}


@dataclass(frozen=True)
class State:
    params: dict
    seed: int
    step: int
    training: bool
    resampling: bool
    name: Optional[str]
    last: Optional[Forward]
    last_training: Optional[Forward]


def read(spec: LayerSpec, dtype_name: str, state: Any) -> State:
    """A state record of the layer ``spec`` in ``dtype_name``, fully checked (nothing is applied here)."""
    layer = spec.name
    other = layer_of(state)
    if other != layer:
        raise ValueError(f"{layer}: the state is of a {other}, not of a {layer}")
    _keys(layer, state, "the state", KEYS)
    if state["format"] != FORMAT or isinstance(state["format"], bool):
        raise _error(layer, f'has format {state["format"]!r}; this version reads format {FORMAT}')
    if state["dtype"] != dtype_name:
        raise _error(layer, f'is of dtype {state["dtype"]!r}, the layer computes in {dtype_name}')
    name = state["name"]
    if name is not None and not isinstance(name, str):
        raise _error(layer, f'"name" must be a string or null, got {name!r}')

    def forward(key: str) -> Optional[Forward]:
        record = state[key]
        if record is None:
            return None
        _keys(layer, record, f'"{key}"', FORWARD_KEYS)
        shape = record["shape"]
        if not isinstance(shape, list) or any(isinstance(d, bool) or not isinstance(d, int) or d < 0 for d in shape):
            raise _error(layer, f'"{key}.shape" must be a list of integers >= 0, got {shape!r}')
        training = _bool(layer, record["training"], f"{key}.training")
        if key == "last_training" and not training:
            raise _error(layer, 'has an evaluate forward as "last_training"')
        offset = v.check_batch_offset(layer, _int(layer, record["batch_offset"], f"{key}.batch_offset", v.INT_MAX),
                                      tuple(shape))
        return plan(spec, _seed(layer, record["seed"], f"{key}.seed"),
                    _int(layer, record["step"], f"{key}.step", STEP_LIMIT), training, shape, offset,
                    read_params(spec, record["params"]))

    return State(read_params(spec, state["params"]), _seed(layer, state["seed"], "seed"),
                 _int(layer, state["step"], "step", STEP_LIMIT), _bool(layer, state["training"], "training"),
                 _bool(layer, state["resampling"], "resampling"), name, forward("last"), forward("last_training"))
