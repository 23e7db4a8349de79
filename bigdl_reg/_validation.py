"""Every argument and input check of the Python side, and every message.

The messages are shared with the Scala engine (docs/contract.md,
"Validation"), so tests can compare them across backends. Numbers in messages
are written the way Java's ``Double.toString`` writes them (``1.5``, ``-0.5``,
``NaN``, ``Infinity``, ``1.0E-10``): see :func:`java_double`.

Type policy for float arguments (``init_p``, ``rate``, ``stddev``): Python
``int``/``float`` and numpy integer/floating scalars are accepted; ``bool``
(and ``np.bool_``), ``str``, ``None``, complex numbers, arrays and everything
else raise ``TypeError``. Boolean arguments (``inplace``, ``scale``) accept
only ``bool``/``np.bool_`` (not 0/1). Seeds accept ``int`` and numpy integer
scalars (not ``bool``, not floats) in [0, 2^64 - 1]; the message spells the
bound out as the Scala engine does: ``seed must be in [0, 18446744073709551615]``.

``data_format`` is case-sensitive: "NCHW" and "NHWC", plus Keras' spellings
"channels_first" (= "NCHW") and "channels_last" (= "NHWC"), exactly as
written. "nchw" or "Channels_Last" are rejected with the usual message, so the
Python vocabulary stays the one the Scala engine accepts.
"""
from __future__ import annotations

import math
import numbers
from decimal import Decimal

import numpy as np

SEED_LIMIT = 1 << 64

_DTYPES: dict[str, np.dtype] = {"float": np.dtype(np.float32), "double": np.dtype(np.float64)}
_DATA_FORMATS = {
    "NCHW": "NCHW",
    "NHWC": "NHWC",
    "channels_first": "NCHW",
    "channels_last": "NHWC",
}


# --------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------

def java_double(value: float) -> str:
    """``value`` as Java's ``Double.toString`` writes it.

    Shortest round-tripping digits (Python's ``repr``), laid out by Java's
    rules: plain decimal with at least one fractional digit when
    1e-3 <= |v| < 1e7, else ``d.dddE<exp>``. Identical to JDK 17 for the
    values messages show in practice (0.5, 1.5, -0.1, 1.0E-10, 2.5E7, NaN,
    Infinity, -0.0); JDK 17 (before JDK-4511638 was fixed in 19) prints a few
    rare doubles with more digits than necessary, which this does not mimic.
    """
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0.0:
        return sign + "0.0"
    digits, exponent = _shortest_digits(abs(value))
    # value = 0.d1d2d3... * 10**exponent  (d1 != 0)
    if 1e-3 <= abs(value) < 1e7:
        if exponent <= 0:
            text = "0." + "0" * (-exponent) + digits
        elif exponent >= len(digits):
            text = digits + "0" * (exponent - len(digits)) + ".0"
        else:
            text = digits[:exponent] + "." + digits[exponent:]
    else:
        text = digits[0] + "." + (digits[1:] or "0") + "E" + str(exponent - 1)
    return sign + text


def _shortest_digits(value: float) -> tuple[str, int]:
    """(digits, e) with value == 0.<digits> * 10**e, digits from ``repr``."""
    _, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)  # a finite value: not 'n', 'N' or 'F'
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    trimmed = digits.rstrip("0")
    exponent += len(digits) - len(trimmed)
    return trimmed, len(trimmed) + exponent


def format_value(value) -> str:
    """A parameter value in a message: floats as Java prints them."""
    if isinstance(value, float):
        return java_double(value)
    return str(value)


def format_shape(shape) -> str:
    """``(2, 3)``, ``(5)`` for 1-d, ``()`` for 0-d (the engine's spelling)."""
    return "(" + ", ".join(str(int(d)) for d in shape) + ")"


# --------------------------------------------------------------------------
# constructor arguments
# --------------------------------------------------------------------------

def _type_name(value) -> str:
    return type(value).__name__


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def real_number(layer: str, name: str, value) -> float:
    """``value`` as a float, or TypeError for anything that is not a real scalar."""
    if _is_bool(value) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise TypeError(f"{layer}: {name} must be a real number, got {_type_name(value)}")
    try:
        return float(value)
    except OverflowError:  # a huge Python int: out of every range we accept
        raise ValueError(f"{layer}: {name} must be a finite number, got {value}") from None


def _range_error(layer: str, name: str, interval: str, value) -> ValueError:
    """``value`` as Java prints its float, or as given when the float rounded it
    (a Fraction or longdouble just outside the range)."""
    shown = java_double(float(value)) if float(value) == value or value != value else str(value)
    return ValueError(f"{layer}: {name} must be in {interval}, got {shown}")


def check_init_p(layer: str, value, name: str = "init_p") -> float:
    """A drop probability in [0, 1]. The range is checked on the value as
    given (exact for Fraction, longdouble, int), before rounding to float."""
    p = real_number(layer, name, value)
    if not (0 <= value <= 1 and 0.0 <= p <= 1.0):  # NaN fails both comparisons
        raise _range_error(layer, name, "[0, 1]", value)
    return p


def check_rate(layer: str, value, name: str = "rate") -> float:
    """GaussianDropout's rate in [0, 1) (rate 1 would make sd infinite),
    checked exactly before rounding (a longdouble just below 1 would round to 1)."""
    rate = real_number(layer, name, value)
    if not (0 <= value < 1 and 0.0 <= rate < 1.0):
        raise _range_error(layer, name, "[0, 1)", value)
    return rate


def check_alpha_p(layer: str, value, name: str = "init_p") -> float:
    """AlphaDropout's drop probability in [0, 1) (p = 1 has no finite correction)."""
    return check_rate(layer, value, name)


def check_stddev(layer: str, value, name: str = "stddev") -> float:
    """GaussianNoise's stddev: finite and >= 0 ([0, inf) excludes inf itself)."""
    stddev = real_number(layer, name, value)
    if not (0 <= value and 0.0 <= stddev < math.inf):
        raise _range_error(layer, name, "[0, inf)", value)
    return stddev


def check_bool(layer: str, name: str, value) -> bool:
    if not _is_bool(value):
        raise TypeError(f"{layer}: {name} must be a bool, got {_type_name(value)}")
    return bool(value)


def check_data_format(layer: str, value) -> str:
    """"NCHW" / "NHWC" (Keras' "channels_first" / "channels_last" accepted)."""
    if not isinstance(value, str):
        raise TypeError(f"{layer}: data_format must be a str, got {_type_name(value)}")
    try:
        return _DATA_FORMATS[value]
    except KeyError:
        raise ValueError(f'{layer}: data_format must be "NCHW" or "NHWC", got "{value}"') from None


def format_noise_shape(dims) -> str:
    """``(2, None, 1)``, ``(5)`` for one entry, ``()`` for none (the engine's spelling)."""
    return "(" + ", ".join("None" if d is None else str(int(d)) for d in dims) + ")"


def check_noise_shape(layer: str, value):
    """A Keras ``noise_shape``: None, or an ordered iterable (tuple, list, 1-d
    ndarray, ...) of entries each None or an int >= 0 (bools and floats are
    refused; strings, mappings and sets are not shapes). Returns a tuple, or None."""
    if value is None:
        return None
    unordered = isinstance(value, (str, bytes, dict, set, frozenset))
    if unordered or not hasattr(value, "__iter__") or (isinstance(value, np.ndarray) and value.ndim != 1):
        raise TypeError(f"{layer}: noise_shape must be a tuple of ints and None, got {_type_name(value)}")
    dims: list[int | None] = []
    for axis, entry in enumerate(list(value)):
        if entry is None:
            dims.append(None)
            continue
        if _is_bool(entry) or not isinstance(entry, (int, np.integer)):
            raise TypeError(f"{layer}: noise_shape[{axis}] must be an int or None, got {_type_name(entry)}")
        if entry < 0:
            raise ValueError(f"{layer}: noise_shape[{axis}] must be None or an integer >= 0, got {int(entry)}")
        if entry > INT_MAX:  # every dimension is a Java int
            raise ValueError(f"{layer}: noise_shape[{axis}] must be at most {INT_MAX}, got {int(entry)}")
        dims.append(int(entry))
    return tuple(dims)


def check_seed(layer: str, value, name: str = "seed") -> int:
    """An unsigned 64-bit seed as a Python int."""
    if _is_bool(value) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{layer}: {name} must be an int, got {_type_name(value)}")
    seed = int(value)
    if not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"{layer}: {name} must be in [0, {SEED_LIMIT - 1}], got {seed}")
    return seed


def check_bigdl_type(layer: str, value) -> np.dtype:
    """BigDL's element type name: "float" -> float32, "double" -> float64."""
    if not isinstance(value, str):
        raise TypeError(f"{layer}: bigdl_type must be a str, got {_type_name(value)}")
    try:
        return _DTYPES[value]
    except KeyError:
        raise ValueError(f'{layer}: bigdl_type must be "float" or "double", got "{value}"') from None


def bigdl_type_name(dtype: np.dtype) -> str:
    return "float" if np.dtype(dtype) == np.float32 else "double"


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------

def check_one_tensor(layer: str, value, name: str = "input") -> None:
    """One tensor, not BigDL's Table: a list or tuple holding arrays is refused
    (numpy would silently stack equal shapes into one array)."""
    if isinstance(value, (list, tuple)) and any(_is_array_like(item) for item in value):
        raise TypeError(
            f"{layer} takes one tensor as {name}, got a {_type_name(value)} of {len(value)} arrays "
            f"(a BigDL Table); pass one array, or call the layer once per array"
        )


def _is_array_like(value) -> bool:
    """An ndarray or an object with ``__array__`` (numpy scalars are scalars)."""
    return isinstance(value, np.ndarray) or (hasattr(value, "__array__") and not isinstance(value, np.generic))


def check_not_masked(layer: str, value, name: str = "input") -> None:
    """A masked array's mask would be ignored (the noise layers compute on the
    data): refused, so that masked values never leak silently into the output."""
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{layer}: {name} is a numpy masked array, whose mask the layer would ignore; "
            f"pass {name}.filled(value) or {name}.data"
        )


def too_many_elements_error(what: str, elements: int, limit: int) -> ValueError:
    """More elements than the JVM backend can send: raised by the facade before
    the input is converted or copied, and by the transport for what it sizes."""
    return ValueError(
        f"{what} has {elements} elements, more than the JVM backend's limit of "
        f"{limit} (2^31 - 9, the longest Java array) per tensor; "
        'split the tensor or use backend="numpy"'
    )


def too_large_dimension_error(what: str) -> ValueError:
    """A dimension the JVM backend cannot hold (possible in numpy for an empty array)."""
    return ValueError(f"{what} has a dimension above the JVM backend's limit of {INT_MAX} (2^31 - 1, "
                      'a Java int); use backend="numpy"')


def ragged_input_error(layer: str, name: str = "input") -> ValueError:
    return ValueError(f"{layer}: {name} is a ragged nested sequence (its rows differ in length), not one tensor")


# dtype kinds converted to the layer's dtype: bool, signed and unsigned integers, floats
_REAL_KINDS = "biuf"


def check_input_dtype(layer: str, array: np.ndarray, name: str = "input", given_as: str = "") -> None:
    """Real numbers only: complex (the imaginary part would be dropped), object,
    string, bytes, datetime and structured arrays are refused. ``given_as``:
    the type of what the caller passed when it was not an ndarray (``array``
    is ``np.asarray`` of it), named in the message."""
    if array.dtype.kind not in _REAL_KINDS:
        source = f" (from a {given_as})" if given_as else ""
        raise TypeError(
            f"{layer}: {name} must hold real numbers (bool, integer or floating point), "
            f"got dtype {array.dtype}{source}"
        )


def check_inplace_target(layer: str, array, dtype: np.dtype, name: str = "input") -> None:
    """inplace=True writes into the caller's array: it must be a writeable ndarray
    of the layer's dtype (any byte order), so that nothing is converted on the
    way in or out. Checked before anything is written."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{layer}: inplace=True needs a numpy array {name}, got {_type_name(array)} "
                        f"(there is no caller's array to write into)")
    check_input_dtype(layer, array, name)
    got = array.dtype
    if got.kind != "f" or got.itemsize != dtype.itemsize:
        if got.kind == "f" and got.itemsize > dtype.itemsize:
            why = f"the layer would round it to {dtype.name}, losing precision"
        else:
            article = "an" if got.name.startswith("int") else "a"  # "a uint8", "a float16"
            why = f"the layer's {dtype.name} output does not fit {article} {got.name} array"
        raise TypeError(
            f"{layer}: inplace=True needs a {dtype.name} {name} (the layer's dtype), got {got.name}: "
            f"{why}; use inplace=False, or pass x.astype(np.{dtype.name})"
        )
    if not array.flags.writeable:
        raise ValueError(f"{layer}: inplace=True needs a writeable {name} array; this one is read-only")


INT_MAX = (1 << 31) - 1


def check_batch_offset(layer: str, value, shape) -> int:
    """A forward's ``batch_offset`` for an input of ``shape``: an integer >= 0
    (not bool), the input must have a batch axis when it is not 0, and the
    logical batch's first axis (offset + rows) must fit a Java ``int``."""
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{layer}: batch_offset must be an integer, got {_type_name(value)}")
    value = int(value)
    if value < 0:
        raise ValueError(f"{layer}: batch_offset must be >= 0, got {value}")
    if value == 0:
        return 0
    if len(shape) == 0:
        raise ValueError(f"{layer}: batch_offset {value} needs an input with a batch axis (rank >= 1), got shape ()")
    if value + shape[0] > INT_MAX:
        raise ValueError(f"{layer}: batch_offset + rows must be at most {INT_MAX}, got {value} + {shape[0]}")
    return value


def rank_error(layer: str, ranks, shape) -> ValueError:
    accepted = " or ".join(f"{r}-D" for r in ranks)
    return ValueError(f"{layer}: expected a {accepted} input, got shape {format_shape(shape)}")


def gradient_shape_error(layer: str, got, expected) -> ValueError:
    return ValueError(
        f"{layer}: gradient shape {format_shape(got)} differs from the input shape "
        f"{format_shape(expected)} of the last forward"
    )


def backward_first_error(layer: str) -> RuntimeError:
    return RuntimeError(f"{layer}: backward called before any forward")


def noise_shape_rank_error(layer: str, dims, shape) -> ValueError:
    return ValueError(
        f"{layer}: noise_shape {format_noise_shape(dims)} has rank {len(dims)} but the input shape "
        f"{format_shape(shape)} has rank {len(shape)}"
    )


def noise_shape_axis_error(layer: str, axis: int, entry: int, shape) -> ValueError:
    size = int(shape[axis])
    return ValueError(
        f"{layer}: noise_shape[{axis}] is {entry} but the input shape {format_shape(shape)} has size {size} "
        f"on axis {axis} (allowed: 1, {size} or None)"
    )


def noise_shape_at_batch_offset_error(layer: str, shape, offset: int, batch_rows: int) -> ValueError:
    """A noise_shape whose axis 0 fits the slice but not the logical batch:
    the message names the user's input shape (Scala: the same text)."""
    return ValueError(
        f"{layer}: noise_shape[0] does not fit the input shape {format_shape(shape)} at batch_offset {offset}: "
        f"the input is rows {offset} to {batch_rows - 1} of a batch of {batch_rows}, so noise_shape[0] must be "
        f"1, {batch_rows} or None"
    )


def noise_before_training_error(layer: str) -> RuntimeError:
    return RuntimeError(f"{layer}: noise() called before any training forward")
