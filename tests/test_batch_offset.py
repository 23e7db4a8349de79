"""``forward(x, batch_offset=...)``: a slice of a larger logical batch.

Pieces of a batch (split along axis 0) forwarded at their offsets, in any
order, give the bytes of one forward on the whole batch, on both backends,
for every layer and both dtypes; their backwards too. Bad offsets give the
same error (type and text) on both backends and leave the layer untouched.
"""
from __future__ import annotations

import numpy as np
import pytest

from bigdl_reg.nn import Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

CASES = [
    (lambda **k: Dropout(0.3, **k), (11, 7)),  # 7 cells per row: pieces start on odd cells
    (lambda **k: Dropout(0.6, scale=False, **k), (9, 3, 5)),
    (lambda **k: Dropout(0.4, **k), (13,)),
    (lambda **k: GaussianDropout(0.4, **k), (10, 9)),
    (lambda **k: GaussianNoise(0.7, **k), (8, 3, 3)),
    (lambda **k: SpatialDropout1D(0.5, **k), (9, 4, 3)),
    (lambda **k: SpatialDropout1D(0.5, **k), (9, 3)),  # unbatched: shared along axis 0
    (lambda **k: SpatialDropout2D(0.5, data_format="NCHW", **k), (10, 3, 2, 2)),
    (lambda **k: SpatialDropout2D(0.5, data_format="NHWC", **k), (10, 2, 2, 3)),
    (lambda **k: SpatialDropout2D(0.5, data_format="NHWC", **k), (7, 2, 3)),  # unbatched: shared along H
    (lambda **k: SpatialDropout3D(0.5, data_format="NCHW", **k), (9, 3, 2, 2, 2)),
    (lambda **k: SpatialDropout3D(0.5, data_format="NHWC", **k), (9, 2, 2, 2, 3)),
]
IDS = ["dropout", "dropout-noscale", "dropout-1d", "gdropout", "gnoise", "sd1d", "sd1d-unbatched",
       "sd2d-nchw", "sd2d-nhwc", "sd2d-unbatched", "sd3d-nchw", "sd3d-nhwc"]


def _pieces(n, count, rng):
    """``count`` non-empty row ranges covering 0..n (fewer when n is small), shuffled."""
    inner = sorted(rng.choice(np.arange(1, n), size=min(count, n) - 1, replace=False).tolist())
    bounds = [0] + inner + [n]
    ranges = list(zip(bounds[:-1], bounds[1:]))
    rng.shuffle(ranges)
    return ranges


@pytest.mark.parametrize("bigdl_type,dtype", [("float", np.float32), ("double", np.float64)])
@pytest.mark.parametrize("make,shape", CASES, ids=IDS)
def test_pieces_at_their_offsets_equal_the_whole_batch(backend, make, shape, bigdl_type, dtype):
    rng = np.random.default_rng(len(shape) * 31 + shape[0])
    x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[::5] = np.nan  # a dropped NaN must still give +0
    g = rng.standard_normal(shape).astype(dtype)
    whole = make(seed=77, bigdl_type=bigdl_type, backend=backend)
    whole.forward(x)  # step 0
    y = whole.forward(x).tobytes()  # step 1
    gx = whole.backward(x, g).tobytes()
    for count in (1, 2, 3, 7):
        y_parts = np.empty_like(x)
        g_parts = np.empty_like(x)
        for a, b in _pieces(shape[0], count, rng):
            layer = make(seed=77, bigdl_type=bigdl_type, backend=backend)
            layer.forward(x[:1])  # step 0 on anything: the piece runs at step 1 like the whole
            y_parts[a:b] = layer.forward(x[a:b], batch_offset=a)
            assert layer.step == 2
            g_parts[a:b] = layer.backward(x[a:b], g[a:b])
        assert y_parts.tobytes() == y, f"{count} pieces"
        assert g_parts.tobytes() == gx, f"{count} pieces (backward)"


def test_offset_draws_the_rows_of_the_logical_batch(backend):
    """Rows 1000..1002 of a (1003, 5) batch, built whole on the numpy side."""
    x = np.arange(1, 5016, dtype=np.float32).reshape(1003, 5)
    whole = Dropout(0.5, seed=99, backend="numpy").forward(x)
    part = Dropout(0.5, seed=99, backend=backend).forward(x[1000:], batch_offset=1000)
    assert part.tobytes() == whole[1000:].tobytes()
    assert part.tobytes() != Dropout(0.5, seed=99, backend=backend).forward(x[1000:]).tobytes()


def test_inplace_at_an_offset(backend):
    x = np.arange(1, 41, dtype=np.float32).reshape(8, 5)
    expected = Dropout(0.5, seed=3, backend=backend).forward(x)[4:]
    piece = x[4:].copy()
    out = Dropout(0.5, inplace=True, seed=3, backend=backend).forward(piece, batch_offset=4)
    assert out is piece and piece.tobytes() == expected.tobytes()


@pytest.mark.parametrize("offset,shape,error,message", [
    (-1, (2, 3), ValueError, "Dropout: batch_offset must be >= 0, got -1"),
    (2, (), ValueError, "Dropout: batch_offset 2 needs an input with a batch axis (rank >= 1), got shape ()"),
    (2**31 - 2, (2, 3), ValueError, "Dropout: batch_offset + rows must be at most 2147483647, got 2147483646 + 2"),
    (2**70, (2, 3), ValueError, f"Dropout: batch_offset + rows must be at most 2147483647, got {2**70} + 2"),
    (1.0, (2, 3), TypeError, "Dropout: batch_offset must be an integer, got float"),
    (True, (2, 3), TypeError, "Dropout: batch_offset must be an integer, got bool"),
])
def test_bad_offsets(backend, offset, shape, error, message):
    layer = Dropout(0.5, inplace=True, seed=1, backend=backend)
    x = np.ones(shape, dtype=np.float32)
    with pytest.raises(error) as info:
        layer.forward(x, batch_offset=offset)
    assert str(info.value) == message
    assert layer.step == 0 and np.all(x == 1.0)
    assert layer.forward(x, batch_offset=np.int64(0)).shape == shape  # numpy integers are fine


def test_rank_error_names_the_shape_received(backend):
    with pytest.raises(ValueError, match=r"expected a 3-D or 4-D input, got shape \(2, 3\)$"):
        SpatialDropout2D(0.5, backend=backend).forward(np.ones((2, 3), np.float32), batch_offset=5)
