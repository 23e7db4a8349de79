"""Which input elements share one draw (docs/contract.md, "Noise shapes").

Every layer draws a noise tensor of some shape and broadcasts it over the
input: cell ``i`` (row-major in the noise shape) is the ``i`` of the RNG
contract. Every noise shape is a Keras ``noise_shape`` resolved against the
input shape (:func:`resolve`): entries ``None`` (the input's size), 1 (share
the draw along that axis) or the input's size. Dropout, the Gaussian layers and
AlphaDropout use the user's ``noise_shape`` (default: all ``None``); the
Spatial layers and FeatureAlphaDropout use a fixed one that keeps the batch
axis (when the input has one) and the channel axis (:func:`channel_noise_shape`).
Which rule a layer follows is its entry's ``channels`` (:mod:`bigdl_reg._layers`).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..._validation import noise_shape_at_batch_offset_error, noise_shape_axis_error, noise_shape_rank_error, rank_error

if TYPE_CHECKING:
    from ..._layers import LayerSpec


def channel_noise_shape(layer: str, dims: tuple, shape: tuple, data_format: str) -> tuple:
    """The Keras noise shape of a channel layer of spatial ranks ``dims``:
    None on the batch and channel axes, 1 elsewhere. An input of rank d + 2
    has a batch axis, one of rank d + 1 has none; a batched reading wins when
    both fit (FeatureAlphaDropout reads a 4-D input as a batch of 2-D maps).
    SpatialDropout1D has no data_format: its (N, T, C) layout is the
    channels-last one. A rank the layer does not accept raises ValueError."""
    ranks = sorted({r for d in dims for r in (d + 1, d + 2)})
    rank = len(shape)
    if rank not in ranks:
        raise rank_error(layer, ranks, shape)
    batched = (rank - 2) in dims
    channel = (1 if batched else 0) if data_format == "NCHW" else rank - 1
    return tuple(None if axis == channel or (batched and axis == 0) else 1 for axis in range(rank))


def resolve(layer: str, dims: tuple, shape: tuple) -> tuple:
    """A Keras noise shape resolved against ``shape`` (ValueError naming the axis on a misfit)."""
    if len(dims) != len(shape):
        raise noise_shape_rank_error(layer, dims, shape)
    out = []
    for axis, (entry, size) in enumerate(zip(dims, shape)):
        if entry is None:
            out.append(size)
        elif entry == size or entry == 1:
            out.append(entry)
        else:
            raise noise_shape_axis_error(layer, axis, entry, shape)
    return tuple(out)


def noise_shape(spec: LayerSpec, shape: tuple, params: dict) -> tuple:
    """The noise shape of the layer ``spec`` with ``params`` for an input of ``shape``."""
    shape = tuple(shape)
    dims: tuple | None
    if spec.channels is not None:
        dims = channel_noise_shape(spec.name, spec.channels, shape, params.get("data_format", "NHWC"))
    else:
        dims = params.get("noise_shape")
        if dims is None:
            return shape
    return resolve(spec.name, tuple(dims), shape)


def is_elementwise(noise: tuple, shape: tuple) -> bool:
    """True when every element has its own draw (no broadcasting needed)."""
    return tuple(noise) == tuple(shape)


def at_batch_offset(spec: LayerSpec, shape: tuple, params: dict, batch_offset: int) -> tuple:
    """(noise shape, first cell) of a slice: rows ``batch_offset ..`` (axis 0)
    of a logical input whose other axes are ``shape``'s.

    The Scala rule (``NoiseShape.atBatchOffset``): the logical noise tensor is
    row-major with axis 0 outermost, so the logical input may end with the
    slice. When its noise keeps axis 0 the slice starts at cell
    ``batch_offset * cells per row``; when the noise is shared along axis 0
    every slice draws the same cells (base 0). ``batch_offset`` was checked by
    ``_validation.check_batch_offset``.
    """
    noise = noise_shape(spec, shape, params)
    if batch_offset == 0:
        return noise, 0
    rows = shape[0]
    try:
        logical = noise_shape(spec, (batch_offset + rows,) + tuple(shape[1:]), params)
    except ValueError:  # only axis 0 differs from the slice, which fitted
        raise noise_shape_at_batch_offset_error(spec.name, shape, batch_offset, batch_offset + rows) from None
    if logical[0] == 1:
        return logical, 0
    return (rows,) + logical[1:], batch_offset * math.prod(logical[1:])
