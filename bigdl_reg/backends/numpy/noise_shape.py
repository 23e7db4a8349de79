"""Which input elements share one draw (SPEC.md, "Noise shapes").

Every layer draws a noise tensor of some shape and broadcasts it over the
input: cell ``i`` (row-major in the noise shape) is the ``i`` of the RNG
contract. Dropout and the Gaussian layers use the input's own shape; the
Spatial layers keep the batch axis (when the input has one) and the channel
axis and share the draw along every other axis.
"""
from __future__ import annotations

import math

from ..._validation import rank_error

ELEMENTWISE = frozenset({"Dropout", "GaussianDropout", "GaussianNoise"})

# (unbatched rank, batched rank) of each spatial layer
SPATIAL_RANKS = {
    "SpatialDropout1D": (2, 3),
    "SpatialDropout2D": (3, 4),
    "SpatialDropout3D": (4, 5),
}


def noise_shape(layer: str, shape: tuple, data_format: str = "NHWC") -> tuple:
    """The noise shape of ``layer`` for an input of ``shape``.

    SpatialDropout1D has no data_format: its (N, T, C) layout is the
    channels-last one. A rank the layer does not accept raises ValueError.
    """
    shape = tuple(shape)
    if layer in ELEMENTWISE:
        return shape
    ranks = SPATIAL_RANKS[layer]
    if len(shape) not in ranks:
        raise rank_error(layer, ranks, shape)
    batched = len(shape) == ranks[1]
    channel_axis = len(shape) - 1 if data_format == "NHWC" else int(batched)
    shared_kept = {channel_axis, 0} if batched else {channel_axis}
    return tuple(d if axis in shared_kept else 1 for axis, d in enumerate(shape))


def is_elementwise(noise: tuple, shape: tuple) -> bool:
    """True when every element has its own draw (no broadcasting needed)."""
    return tuple(noise) == tuple(shape)


def at_batch_offset(layer: str, shape: tuple, data_format: str, batch_offset: int) -> tuple:
    """(noise shape, first cell) of a slice: rows ``batch_offset ..`` (axis 0)
    of a logical input whose other axes are ``shape``'s.

    The Scala rule (``NoiseShape.atBatchOffset``): the logical noise tensor is
    row-major with axis 0 outermost, so the logical input may end with the
    slice. When its noise keeps axis 0 the slice starts at cell
    ``batch_offset * cells per row``; when the noise is shared along axis 0
    every slice draws the same cells (base 0). ``batch_offset`` was checked by
    ``_validation.check_batch_offset``.
    """
    noise = noise_shape(layer, shape, data_format)
    if batch_offset == 0:
        return noise, 0
    rows = shape[0]
    logical = noise_shape(layer, (batch_offset + rows,) + tuple(shape[1:]), data_format)
    if logical[0] == 1:
        return logical, 0
    return (rows,) + logical[1:], batch_offset * math.prod(logical[1:])
