"""Which input elements share one draw (SPEC.md, "Noise shapes").

Every layer draws a noise tensor of some shape and broadcasts it over the
input: cell ``i`` (row-major in the noise shape) is the ``i`` of the RNG
contract. Dropout and the Gaussian layers use the input's own shape; the
Spatial layers keep the batch axis (when the input has one) and the channel
axis and share the draw along every other axis.
"""
from __future__ import annotations

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
