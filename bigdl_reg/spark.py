"""The layers on Apache Spark, from PySpark (docs/spark.md).

The work runs in Spark's own JVM, through PySpark's py4j gateway (as BigDL's
Python does): :func:`forward_dataframe` hands the layer's configuration --
name, parameters, dtype, seed, step, mode; never data -- to the Scala
``bigdlreg.spark.SparkNoise``, which forwards each row at its global index
(``NoiseModule.forward(input, batchOffset)``). The rows get the bytes a
single-machine forward of the whole batch gives them, on either backend,
however Spark partitions or orders them.

Our jars must be on the session's classpath::

    from pyspark.sql import SparkSession
    import bigdl_reg.spark as bs
    spark = bs.configure(SparkSession.builder.master("local[2]")).getOrCreate()

``configure`` sets ``spark.jars`` (shipped to executors) and
``spark.driver.extraClassPath`` (the driver JVM, where py4j looks classes up)
to our jars built for the running pyspark: 3.5.x runs Scala 2.12 (the
``3.5_2.12`` jars), 4.x Scala 2.13 (``4_2.13``). They come from
``$BIGDL_REG_SPARK_JARS_FILE`` (a list file, one jar a line) if set, else
the clone's ``scala/spark/target/spark-jars-<combination>.txt`` when imported
from a clone that has it (``bin/setup`` writes it), else the wheel's
``bigdl_reg/jars/spark-<combination>/``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import _bundle
from . import _validation as v
from .backends.jvm.java import JarSource, find_jars
from .backends.jvm.module import create_args, to_java_seed

if TYPE_CHECKING:
    from .nn import Layer

__all__ = ["jars", "jars_source", "combination", "configure", "use_spark_jvm", "forward_dataframe", "to_dataframe",
           "to_array"]

JARS_ENV = "BIGDL_REG_SPARK_JARS_FILE"


def combination(spark_version: str) -> str:
    """The Spark/Scala combination of our jars for pyspark ``spark_version``
    ("3.5_2.12" for 3.5.x, "4_2.13" for 4.x); ValueError for another version."""
    parts = spark_version.split(".")
    key = parts[0] if parts[0] == "4" else ".".join(parts[:2])
    if key not in _bundle.SPARK_COMBINATIONS:
        raise ValueError(
            f"pyspark {spark_version} is not supported: bigdl-reg's Spark jars are built for pyspark 3.5.x "
            "(Spark 3.5, Scala 2.12) and 4.x (Spark 4, Scala 2.13): install one of those")
    return _bundle.SPARK_COMBINATIONS[key]


def jars_source(spark_version: Optional[str] = None) -> JarSource:
    """Where :func:`jars` takes them from (override, clone or bundled) for
    pyspark ``spark_version`` (default: the installed pyspark's)."""
    if spark_version is None:
        import pyspark

        spark_version = pyspark.__version__
    return find_jars(JARS_ENV, _bundle.spark_folder(combination(spark_version)))


def jars(spark_version: Optional[str] = None) -> List[str]:
    """Absolute paths of the jars a Spark session needs (ours; Spark has the
    rest), built for pyspark ``spark_version`` (default: the installed
    pyspark's). FileNotFoundError when the list or a jar is missing."""
    source = jars_source(spark_version)
    path = source.list_file
    fix = ("the installed bigdl-reg package is damaged: reinstall it (`pip install --force-reinstall` the wheel)"
           if source.kind == "bundled" else
           f"run bin/setup in the bigdl-reg checkout (it runs sbt's writeSparkJars), "
           f"or point {JARS_ENV} at such a file")
    if not path.is_file():
        raise FileNotFoundError(f"no Spark jar list at {path} ({source.describe()}): {fix}")
    listed = [str(path.parent / line.strip()) for line in path.read_text().splitlines() if line.strip()]
    missing = [j for j in listed if not Path(j).is_file()]
    if missing:
        raise FileNotFoundError(f"jars listed in {path} are missing: {', '.join(missing)}; {fix}")
    return listed


def configure(builder: Any) -> Any:
    """``builder`` (a ``SparkSession.Builder``) with our jars on the driver's
    and the executors' classpaths. Returns the builder."""
    listed = jars()
    return (builder.config("spark.jars", ",".join(listed))
            .config("spark.driver.extraClassPath", os.pathsep.join(listed)))


def use_spark_jvm(session: Any) -> Any:
    """Makes every jvm-backend layer of this process run in ``session``'s
    driver JVM, through PySpark's own py4j gateway, instead of starting a JVM
    of its own (as BigDL's Python does). The session must have been built
    with :func:`configure`. Array data still moves through shared memory, so
    the driver must be on this machine (PySpark's always is). Returns the
    gateway; ``bigdl_reg.backends.jvm.shutdown()`` releases it without
    stopping Spark.

    Example::

        spark = configure(SparkSession.builder.master("local[2]")).getOrCreate()
        use_spark_jvm(spark)
        Dropout(0.5, seed=1, backend="jvm").forward(x)   # runs in Spark's JVM
    """
    from .backends.jvm import gateway

    return gateway.attach(session.sparkContext._gateway)


def forward_dataframe(layer: Layer, df: Any, sample_shape: Sequence[int], index_col: str = "index",
                      input_col: str = "features", output_col: str = "output") -> Any:
    """``layer``'s forward (its seed, step and mode now; the step does not
    advance) of the samples in ``df``.

    ``df[input_col]`` holds each sample's values flattened row-major (an array
    of float for a ``bigdl_type="float"`` layer, of double for "double"), every
    sample of shape ``sample_shape``; ``df[index_col]`` (long) is the sample's
    row in the logical batch of shape ``(N, *sample_shape)``. Returns ``df``
    with ``output_col`` (replaced if present) holding the output; lazily, like
    any DataFrame. A row of the wrong size fails the job with
    ``<Layer>: row <index> has <n> values, the sample shape (...) needs <m>``.
    """
    from pyspark.sql import DataFrame

    name = type(layer).__name__
    shape = tuple(int(d) for d in sample_shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"{name}: sample_shape must have no negative size, got {v.format_shape(shape)}")
    session = df.sparkSession
    spark_noise = _spark_noise(session)
    try:
        jdf = spark_noise.forwardDataFrame(
            df._jdf, name, layer.dtype.name, to_java_seed(layer.seed), *create_args(layer.get_config()),
            int(layer.step), bool(layer.is_training()), ",".join(map(str, shape)), index_col, input_col, output_col)
    except Exception as error:  # the JVM's IllegalArgumentException, as PySpark or py4j raise it
        message = _java_illegal_argument(error)
        if message is None:
            raise
        raise ValueError(message) from None
    return DataFrame(jdf, session)


def to_dataframe(spark: Any, array: ArrayLike, num_partitions: Optional[int] = None, index_col: str = "index",
                 input_col: str = "features") -> Any:
    """A DataFrame of the samples ``array[i]`` (float32 or float64), one row
    each: ``index_col`` = i, ``input_col`` = the sample's values flattened."""
    from pyspark.sql.types import ArrayType, DoubleType, FloatType, LongType, StructField, StructType

    array = np.ascontiguousarray(array)
    element = FloatType() if array.dtype == np.float32 else DoubleType()
    schema = StructType([StructField(index_col, LongType(), False),
                         StructField(input_col, ArrayType(element, False), False)])
    rows = [(i, sample.reshape(-1).tolist()) for i, sample in enumerate(array)]
    rdd = spark.sparkContext.parallelize(rows, num_partitions) if num_partitions else rows
    return spark.createDataFrame(rdd, schema)


def to_array(rows: Iterable[Any], sample_shape: Sequence[int], dtype: DTypeLike, index_col: str = "index",
             output_col: str = "output") -> np.ndarray:
    """Collected rows back into one array of shape ``(N, *sample_shape)``, ordered by index."""
    ordered = sorted(rows, key=lambda row: row[index_col])
    values = np.array([row[output_col] for row in ordered], dtype=dtype)
    return values.reshape((len(ordered),) + tuple(sample_shape))


def _spark_noise(session):
    """The Scala entry point in the session's JVM (py4j names a missing class a package)."""
    from py4j.java_gateway import JavaClass

    entry = session.sparkContext._jvm.bigdlreg.spark.SparkNoise
    if not isinstance(entry, JavaClass):
        raise RuntimeError(
            "bigdl-reg's jars are not on this Spark session's classpath: build the session with "
            "bigdl_reg.spark.configure(SparkSession.builder...) (spark.jars and spark.driver.extraClassPath)")
    return entry


def _java_illegal_argument(error):
    """The message of a Java IllegalArgumentException, else None."""
    java = getattr(error, "java_exception", None)
    if java is not None and java.getClass().getName() == "java.lang.IllegalArgumentException":
        return java.getMessage()
    if type(error).__name__ == "IllegalArgumentException":  # PySpark's converted exception
        text = str(error)  # the Java message, then possibly "JVM stacktrace: ..."; ours are one line
        return text.splitlines()[0] if text else text
    return None
