"""The layers as PySpark ML pipeline stages (bigdl_reg.spark_ml.NoiseTransformer,
the wrapper of the Scala bigdlreg.spark.ml.NoiseTransformer) on local[2]: inside
a pyspark Pipeline, on 1 and 3 partitions and in shuffled order, every row gets
the bytes of the numpy backend's forward of the whole batch; a saved pipeline
or stage loaded again (in Python, or by the Scala class) gives the same bytes.

Needs pyspark 4 and our jars (``bin/setup``): marked ``spark``; under CI a
missing piece fails (conftest.py). One Spark session for the module.
"""
from __future__ import annotations

import numpy as np
import pytest
from layer_cases import CASES, WITH_OPTIONS

import bigdl_reg.spark as bs
from jvm_support import local_spark

pytestmark = [pytest.mark.spark]

ROWS = 12
SEED = (1 << 64) - 12345  # above 2^63: the JVM's Long holds it negative
STEP = 2
# the layer's keywords -> the stage's params
PARAMS = {"init_p": "initP", "rate": "rate", "stddev": "stddev", "scale": "scale", "data_format": "dataFormat",
          "noise_shape": "noiseShape"}


def _variants():
    """(class, kwargs, sample shape): each layer's entry with its options, and
    for the layers that take any rank a 1-D or a 3-D sample, in turn."""
    for cls, kwargs, shape in WITH_OPTIONS:
        yield pytest.param(cls, kwargs, shape[1:], id=f"{cls.__name__}-{'x'.join(map(str, shape[1:]))}")
    any_rank = [case for case in CASES if case.ranks is None]
    for case, sample in zip(any_rank, [(7,), (2, 3, 4)] * len(any_rank)):
        yield pytest.param(case.cls, case.kwargs, sample, id=f"{case.name}-{'x'.join(map(str, sample))}")


@pytest.fixture(scope="module")
def spark():
    session = local_spark("test_spark_pipeline")
    yield session
    session.stop()


def _stage(cls, kwargs, sample, **params):
    from bigdl_reg.spark_ml import NoiseTransformer

    layer_params = {PARAMS[k]: value for k, value in kwargs.items() if k != "bigdl_type"}
    params.setdefault("dtype", "float64" if kwargs.get("bigdl_type") == "double" else "float32")
    return NoiseTransformer(layer=cls.__name__, seed=SEED, step=STEP, sampleShape=list(sample), **layer_params,
                            **params)


def _single_machine(cls, kwargs, x, training=True):
    """The numpy backend's forward of the whole batch at STEP (a fresh layer, STEP forwards first)."""
    layer = cls(**kwargs, seed=SEED, backend="numpy")
    if not training:
        return layer.evaluate().forward(x)
    for _ in range(STEP):
        layer.forward(x)
    return layer.forward(x)


def _samples(sample, dtype, salt=0):
    return np.random.default_rng(salt + sum(sample)).standard_normal((ROWS,) + tuple(sample)).astype(dtype)


def _shuffled(spark, x, parts):
    """bs.to_dataframe's rows out of index order (no Spark shuffle: it costs seconds)."""
    from pyspark.sql.types import ArrayType, DoubleType, FloatType, LongType, StructField, StructType

    element = FloatType() if x.dtype == np.float32 else DoubleType()
    schema = StructType([StructField("index", LongType(), False),
                         StructField("features", ArrayType(element, False), False)])
    order = np.random.default_rng(parts).permutation(len(x))
    rows = [(int(i), x[i].reshape(-1).tolist()) for i in order]
    return spark.createDataFrame(spark.sparkContext.parallelize(rows, parts), schema)


def _gathered(rows, sample, dtype, output_col="output"):
    """The output rows by index, as one batch; every index exactly once."""
    ordered = sorted(rows, key=lambda row: row["index"])
    assert [row["index"] for row in ordered] == list(range(len(ordered)))
    values = [getattr(row[output_col], "toArray", lambda r=row: r[output_col])() for row in ordered]
    return np.array(values, dtype=dtype).reshape((len(ordered),) + tuple(sample))


@pytest.mark.parametrize("cls,kwargs,sample", list(_variants()))
def test_pipeline_of_every_layer_gives_the_single_machine_bytes(spark, cls, kwargs, sample):
    from pyspark.ml import Pipeline

    dtype = np.float64 if kwargs.get("bigdl_type") == "double" else np.float32
    x = _samples(sample, dtype)
    expected = _single_machine(cls, kwargs, x).tobytes()
    model = Pipeline(stages=[_stage(cls, kwargs, sample)]).fit(bs.to_dataframe(spark, x[:2]))
    for parts in (1, 3):
        got = _gathered(model.transform(_shuffled(spark, x, parts)).collect(), sample, dtype)
        assert got.tobytes() == expected, f"{parts} partitions"


def test_pipeline_saved_and_loaded_gives_the_same_bytes(spark, tmp_path):
    """VectorAssembler -> the stage (ML Vectors, float64): the fitted pipeline,
    saved in Python and loaded in another session of the context, and the
    stage saved in Python and loaded by the Scala class give the bytes; a saved
    Pipeline, and the stage saved by Scala, load in Python with the same params."""
    from pyspark.ml import Pipeline, PipelineModel
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import DataFrame

    from bigdl_reg.nn import Dropout
    from bigdl_reg.spark_ml import NoiseTransformer

    x = _samples((6,), np.float64, salt=3)
    names = [f"c{j}" for j in range(6)]
    rows = [(i, *map(float, sample)) for i, sample in enumerate(x)]
    df = spark.createDataFrame(spark.sparkContext.parallelize(rows, 3), ["index", *names])
    noise = _stage(Dropout, dict(init_p=0.4), (6,), dtype="float64", outputCol="noisy")
    pipeline = Pipeline(stages=[VectorAssembler(inputCols=names, outputCol="features"), noise])
    model = pipeline.fit(df)
    expected = _single_machine(Dropout, dict(init_p=0.4, bigdl_type="double"), x).tobytes()
    assert _gathered(model.transform(df).collect(), (6,), np.float64, "noisy").tobytes() == expected

    model.save(str(tmp_path / "model"))
    pipeline.save(str(tmp_path / "pipeline"))
    noise.save(str(tmp_path / "stage"))
    other = spark.newSession()
    other_df = other.createDataFrame(rows, ["index", *names])
    loaded = PipelineModel.read().session(other).load(str(tmp_path / "model"))
    stage = loaded.stages[1]
    assert isinstance(stage, NoiseTransformer) and stage.getSeed() == SEED and stage.getSampleShape() == [6]
    assert _gathered(loaded.transform(other_df).collect(), (6,), np.float64, "noisy").tobytes() == expected
    assert Pipeline.load(str(tmp_path / "pipeline")).getStages()[1].extractParamMap() == noise.extractParamMap()

    assembled = VectorAssembler(inputCols=names, outputCol="features").transform(df)
    scala_stage = spark._jvm.bigdlreg.spark.ml.NoiseTransformer.load(str(tmp_path / "stage"))
    assert scala_stage.getSeed() == SEED - (1 << 64)  # the same bits in a Long
    by_scala = DataFrame(scala_stage.transform(assembled._jdf), spark).collect()
    assert _gathered(by_scala, (6,), np.float64, "noisy").tobytes() == expected
    scala_stage.save(str(tmp_path / "scala-stage"))  # and back: saved by Scala, loaded in Python
    assert NoiseTransformer.load(str(tmp_path / "scala-stage")).extractParamMap() == noise.extractParamMap()


def test_pipeline_in_evaluate_mode_needs_no_index(spark):
    from pyspark.ml import Pipeline
    from pyspark.sql.types import ArrayType, FloatType, StructField, StructType

    from bigdl_reg.nn import AlphaDropout, GaussianDropout

    x = _samples((3, 4), np.float32, salt=5)
    schema = StructType([StructField("x", ArrayType(FloatType(), False), False)])
    df = spark.createDataFrame([(sample.reshape(-1).tolist(),) for sample in x], schema)
    for cls, kwargs in ((GaussianDropout, dict(rate=0.3)), (AlphaDropout, dict(init_p=0.25))):
        stage = _stage(cls, kwargs, (3, 4), training=False, inputCol="x", outputCol="y")
        out = Pipeline(stages=[stage]).fit(df).transform(df).collect()
        got = np.array([row["y"] for row in out], np.float32).reshape(x.shape)
        assert got.tobytes() == _single_machine(cls, kwargs, x, training=False).tobytes()
        with pytest.raises(ValueError, match=rf"^{cls.__name__}: no index column index \(each row's global index, "
                                             r"needed in training mode\); the columns are x$"):
            stage.copy({stage.training: True}).transform(df)


def test_pipeline_bad_rows_name_the_column_and_the_row(spark, tmp_path):
    from pyspark.sql.types import ArrayType, FloatType, LongType, StructField, StructType

    from bigdl_reg.nn import Dropout

    schema = StructType([StructField("index", LongType()), StructField("features", ArrayType(FloatType()))])
    stage = _stage(Dropout, dict(init_p=0.5), (6,))
    twice = [(i if i != 7 else 3, [1.0] * 6) for i in range(9)]
    df = spark.createDataFrame(spark.sparkContext.parallelize(twice, 3), schema)
    with pytest.raises(ValueError, match=r"^Dropout: index 3 appears 2 times in column index "
                                         r"\(each row needs its own global index\)$"):
        stage.transform(df).write.parquet(str(tmp_path / "out"))
    short = [(i, [1.0] * (2 if i == 5 else 6)) for i in range(9)]
    df = spark.createDataFrame(spark.sparkContext.parallelize(short, 3), schema)
    with pytest.raises(ValueError, match=r"^Dropout: row 5 has 2 values, the sample shape \(6\) needs 6 "
                                         r"\(column features\)$"):
        stage.transform(df).write.parquet(str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()  # nothing written


def test_pipeline_stage_params_mirror_the_scala_stage(spark):
    from bigdl_reg.spark_ml import NoiseTransformer

    stage = NoiseTransformer(layer="Dropout", initP=0.2, noiseShape=(None, 1, 4), seed=SEED, sampleShape=(3, 4))
    assert (stage.getLayer(), stage.getInitP(), stage.getNoiseShape(), stage.getSeed(), stage.getSampleShape(),
            stage.getStep(), stage.getTraining(), stage.getScale(), stage.getDataFormat()) == \
        ("Dropout", 0.2, "None,1,4", SEED, [3, 4], 0, True, True, "NCHW")
    assert (stage.getInputCol(), stage.getOutputCol(), stage.getIndexCol()) == ("features", "output", "index")
    copied = stage.copy({stage.step: 5})
    assert copied.getStep() == 5 and copied.getSeed() == SEED and stage.getStep() == 0
    assert stage.setStep(3).setTraining(False).getStep() == 3
    with pytest.raises(ValueError, match=r"seed must be in \[0, 18446744073709551615\], got -1"):
        stage.setSeed(-1)
    with pytest.raises(TypeError, match="forces keyword arguments"):
        NoiseTransformer("Dropout")  # keyword-only, as pyspark's stages
