"""The layers through PySpark (local[2]): the same samples through 1, 2, 3 and
7 partitions and in shuffled order give, byte for byte, the single-machine
forward of the whole batch on the numpy and on the jvm backend.

Needs pyspark (the ``spark`` extra) and our jars (``bin/setup``): marked
``spark``; under CI a missing piece fails (conftest.py). One Spark session
for the module: starting one takes seconds.
"""
from __future__ import annotations

import numpy as np
import pytest

import bigdl_reg.spark as bs  # imports pyspark only when used
from jvm_support import local_spark
from bigdl_reg.nn import (
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

pytestmark = [pytest.mark.spark, pytest.mark.jvm]

ROWS = 23
CASES = [
    (lambda **k: Dropout(0.3, **k), (7,)),
    (lambda **k: Dropout(0.6, scale=False, **k), (3, 5)),
    (lambda **k: GaussianDropout(0.4, **k), (9,)),
    (lambda **k: GaussianNoise(0.7, **k), (3, 3)),
    (lambda **k: SpatialDropout1D(0.5, **k), (4, 3)),
    (lambda **k: SpatialDropout2D(0.5, data_format="NCHW", **k), (3, 2, 2)),
    (lambda **k: SpatialDropout2D(0.5, data_format="NHWC", **k), (2, 2, 3)),
    (lambda **k: SpatialDropout3D(0.5, data_format="NCHW", **k), (3, 2, 1, 2)),
    (lambda **k: SpatialDropout3D(0.5, data_format="NHWC", **k), (2, 1, 2, 3)),
]
IDS = ["dropout", "dropout-noscale", "gdropout", "gnoise", "sd1d", "sd2d-nchw", "sd2d-nhwc", "sd3d-nchw", "sd3d-nhwc"]


@pytest.fixture(scope="module")
def spark():
    session = local_spark("test_spark")
    yield session
    session.stop()


def _samples(shape, dtype, salt):
    return np.random.default_rng(salt).standard_normal((ROWS,) + shape).astype(dtype)


def _single_machine(make, x, backend):
    """Forward of the whole batch at step 1 (after one forward at step 0)."""
    layer = make(seed=42, bigdl_type="float" if x.dtype == np.float32 else "double", backend=backend)
    layer.forward(x)
    return layer.forward(x)


@pytest.mark.parametrize("make,shape", CASES, ids=IDS)
def test_any_partitioning_gives_the_single_machine_bytes(spark, make, shape):
    x = _samples(shape, np.float32, len(IDS[0]) + sum(shape))
    expected = _single_machine(make, x, "numpy").tobytes()
    assert _single_machine(make, x, "jvm").tobytes() == expected
    layer = make(seed=42, backend="numpy")
    layer.forward(x[:1])  # step 0 -> 1, like the single-machine layer
    for parts in (1, 2, 3, 7):
        out = bs.forward_dataframe(layer, bs.to_dataframe(spark, x, parts), shape).collect()
        assert bs.to_array(out, shape, np.float32).tobytes() == expected, f"{parts} partitions"
    shuffled = bs.to_dataframe(spark, x, 3).orderBy("features").repartition(5)
    out = bs.forward_dataframe(layer, shuffled, shape).collect()
    assert bs.to_array(out, shape, np.float32).tobytes() == expected, "shuffled"
    assert layer.step == 1  # Spark does not advance the caller's layer


@pytest.mark.parametrize("backend", ["numpy", "jvm"])
def test_float64_evaluate_mode_and_column_names(spark, backend):
    x = _samples((2, 3), np.float64, 5)
    for training in (True, False):
        layer = Dropout(0.4, scale=False, bigdl_type="double", seed=9, backend=backend)
        if not training:
            layer.evaluate()
        expected = Dropout(0.4, scale=False, bigdl_type="double", seed=9, backend=backend)
        if not training:
            expected.evaluate()
        want = expected.forward(x).tobytes()
        df = bs.to_dataframe(spark, x, 4, index_col="id", input_col="x")
        out = bs.forward_dataframe(layer, df, (2, 3), index_col="id", input_col="x", output_col="y")
        assert out.columns == ["id", "x", "y"]
        got = bs.to_array(out.collect(), (2, 3), np.float64, index_col="id", output_col="y")
        assert got.tobytes() == want


def test_row_of_the_wrong_size_names_its_index(spark):
    from pyspark.sql.types import ArrayType, FloatType, LongType, StructField, StructType

    schema = StructType([StructField("index", LongType()), StructField("features", ArrayType(FloatType()))])
    rows = [(i, [1.0] * (4 if i == 5 else 6)) for i in range(8)]
    df = spark.createDataFrame(spark.sparkContext.parallelize(rows, 3), schema)
    out = bs.forward_dataframe(Dropout(0.5, seed=1, backend="numpy"), df, (2, 3))
    with pytest.raises(Exception) as info:
        out.collect()
    assert "Dropout: row 5 has 4 values, the sample shape (2, 3) needs 6" in str(info.value)


def test_bad_configuration_is_a_value_error_before_any_job(spark):
    df = bs.to_dataframe(spark, np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"^SpatialDropout2D: expected a 3-D or 4-D input, got shape \(1, 3\)$"):
        bs.forward_dataframe(SpatialDropout2D(0.5, backend="numpy"), df, (3,))
    with pytest.raises(ValueError, match="column features must be an array of double for a float64 layer"):
        bs.forward_dataframe(Dropout(0.5, bigdl_type="double", backend="numpy"), df, (3,))


def test_jvm_layers_run_in_the_spark_driver_jvm_once_attached(spark):
    """use_spark_jvm: layers of the jvm backend use PySpark's gateway (no JVM of
    our own), with the numpy backend's bytes; releasing it leaves Spark running
    and the next call starts our own JVM again."""
    from bigdl_reg.backends.jvm import gateway

    x = _samples((3, 4, 5), np.float32, 11)
    before = Dropout(0.3, seed=5, backend="jvm")
    before.forward(x)  # bound to our own JVM, at step 1 now
    gateway.shutdown()
    attached = bs.use_spark_jvm(spark)
    try:
        assert attached.proc is None and gateway.get_gateway() is attached
        for make in (lambda **k: Dropout(0.3, **k), lambda **k: SpatialDropout2D(0.4, data_format="NHWC", **k),
                     lambda **k: GaussianNoise(0.7, **k)):
            jvm, ref = make(seed=9, backend="jvm"), make(seed=9, backend="numpy")
            for _ in range(2):
                assert jvm.forward(x).tobytes() == ref.forward(x).tobytes()
                assert jvm.backward(x, x).tobytes() == ref.backward(x, x).tobytes()
        # a layer made on the old JVM carries on in Spark's, state included
        ref = Dropout(0.3, seed=5, backend="numpy")
        ref.forward(x)
        assert before.forward(x).tobytes() == ref.forward(x).tobytes()
        assert gateway.get_gateway() is attached  # no JVM of our own was started
    finally:
        gateway.shutdown()
    assert spark.range(7).count() == 7  # Spark's JVM and gateway are untouched
    own = Dropout(0.3, seed=9, backend="jvm")
    assert own.forward(x).tobytes() == Dropout(0.3, seed=9, backend="numpy").forward(x).tobytes()
    assert gateway.get_gateway().proc is not None


def test_attaching_to_a_jvm_without_our_jars_is_a_clear_error():
    from py4j.java_gateway import JavaGateway

    from bigdl_reg.backends.jvm import gateway

    plain = JavaGateway.launch_gateway(die_on_exit=True)  # py4j's own jar only
    try:
        with pytest.raises(gateway.JVMError, match="not on the classpath.*configure"):
            gateway.attach(plain)
    finally:
        plain.shutdown()
        plain.java_process.kill()  # launch_gateway's JVM only exits with this interpreter otherwise
        plain.java_process.wait(timeout=10)


def test_our_jvm_errors_keep_their_message_beside_a_spark_session(spark):
    """PySpark makes py4j ask Spark's JVM about every Java exception, whichever
    JVM threw it; the errors of our own JVM are still the contract's."""
    from bigdl_reg.backends.jvm import gateway

    gw = gateway.get_gateway()
    assert gw.proc is not None  # our own JVM, not Spark's
    with pytest.raises(ValueError, match=r"^Dropout: init_p must be in \[0, 1\], got 1.5$"):
        gw.call("create", "Dropout", "float32", 1.5, True, "NCHW", None)
    layer = SpatialDropout2D(0.5, seed=1, backend="jvm")
    with pytest.raises(RuntimeError, match="noise\\(\\) called before any training forward"):
        layer.noise()
