"""The layers as PySpark ML pipeline stages (docs/spark.md).

:class:`NoiseTransformer` wraps the Scala stage ``bigdlreg.spark.ml.NoiseTransformer``
(an ``org.apache.spark.ml.Transformer``, in our Spark 4 jars) the way pyspark's
own stages wrap theirs: the Python object holds the params, the JVM object
does the work. Same name, same params (camelCase), same bytes: each row is
forwarded at its global index, so it gets what one forward of the whole batch
on one machine gives it, on either backend::

    from pyspark.ml import Pipeline
    from bigdl_reg.spark_ml import NoiseTransformer

    noise = NoiseTransformer(layer="Dropout", initP=0.2, seed=42, step=epoch, sampleShape=[784],
                             inputCol="features", outputCol="noisy", indexCol="index")
    model = Pipeline(stages=[assembler, noise, classifier]).fit(train)

The session must have our jars (:func:`bigdl_reg.spark.configure`). Saved
stages and pipelines (``save`` / ``PipelineModel.load``) are the Scala
stage's own format, so either language loads what the other saved. To load
one in Python, import this module first: it registers the Python name Spark
maps the Scala class to (see ``_SCALA_MODULE``).
"""
from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional, Sequence, Union

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import JavaMLReadable, JavaMLReader, JavaMLWritable
from pyspark.ml.wrapper import JavaTransformer
from pyspark.sql import DataFrame

from . import _validation as v
from .backends.jvm.module import to_java_seed
from .spark import _java_illegal_argument

__all__ = ["NoiseTransformer"]

_SCALA_CLASS = "bigdlreg.spark.ml.NoiseTransformer"
# pyspark finds the Python class of a loaded Java stage by the Java class's
# name, "org.apache.spark" replaced by "pyspark" (JavaParams._from_java and
# DefaultParamsReader.loadParamsInstance, which PipelineModel.load uses):
# for ours that is `import bigdlreg.spark.ml; bigdlreg.spark.ml.NoiseTransformer`.
# Only the leaf module needs to be in sys.modules for that import: it is this one.
_SCALA_MODULE = _SCALA_CLASS.rsplit(".", 1)[0]
sys.modules.setdefault(_SCALA_MODULE, sys.modules[__name__])


def _to_seed(value: Any) -> int:
    """The unsigned 64-bit seed, as everywhere in bigdl_reg."""
    return v.check_seed("NoiseTransformer", value)


def _to_noise_shape(value: Any) -> str:
    """Keras noise_shape as the Scala stage's text: "None,1,4" or (None, 1, 4)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("None" if d is None else str(TypeConverters.toInt(d)) for d in value)
    raise TypeError(f"noiseShape must be a text like \"None,1,4\" or a sequence like (None, 1, 4), got {value!r}")


class _Reader(JavaMLReader):
    """pyspark's reader, at our Scala class (its default derives the Java name from the Python module's)."""

    @classmethod
    def _java_loader_class(cls, clazz: Any) -> str:
        return _SCALA_CLASS


class NoiseTransformer(JavaTransformer, JavaMLReadable["NoiseTransformer"], JavaMLWritable):
    """Any layer of the layer table as a pyspark.ml ``Transformer``.

    Each row is one sample of shape ``sampleShape``, flattened row-major in
    ``inputCol`` (``array<float>``, ``array<double>`` or an ML ``Vector``); in
    training mode its global index (its row of the logical batch) is in the
    integer column ``indexCol``. ``outputCol`` gets the output, of the
    input's kind. In evaluate mode (``training=False``) the forward is
    deterministic and needs no index. ``seed`` is the unsigned 64-bit seed
    (the JVM holds its bits in a ``Long``). A bad row (index missing, repeated
    or out of range; values null or of the wrong size) is a ``ValueError``
    naming the column and the row's index, raised by ``transform`` before any
    output exists.
    """

    layer: Param[str] = Param(Params._dummy(), "layer", "the layer's name, e.g. Dropout",
                              typeConverter=TypeConverters.toString)
    initP: Param[float] = Param(Params._dummy(), "initP", "drop probability (init_p) of the layers that take it",
                                typeConverter=TypeConverters.toFloat)
    rate: Param[float] = Param(Params._dummy(), "rate", "GaussianDropout's rate", typeConverter=TypeConverters.toFloat)
    stddev: Param[float] = Param(Params._dummy(), "stddev", "GaussianNoise's standard deviation",
                                 typeConverter=TypeConverters.toFloat)
    scale: Param[bool] = Param(Params._dummy(), "scale", "Dropout's scale", typeConverter=TypeConverters.toBoolean)
    dataFormat: Param[str] = Param(Params._dummy(), "dataFormat",
                                   "NCHW or NHWC (SpatialDropout2D/3D, FeatureAlphaDropout)",
                                   typeConverter=TypeConverters.toString)
    noiseShape: Param[str] = Param(Params._dummy(), "noiseShape",
                                   'Keras noise_shape as "None,1,4" or (None, 1, 4) (Dropout, GaussianDropout, '
                                   "GaussianNoise, AlphaDropout); unset: none", typeConverter=_to_noise_shape)
    seed: Param[int] = Param(Params._dummy(), "seed", "the layer's unsigned 64-bit seed", typeConverter=_to_seed)
    step: Param[int] = Param(Params._dummy(), "step", "the layer's step: a new one for new noise (e.g. each epoch)",
                             typeConverter=TypeConverters.toInt)
    training: Param[bool] = Param(Params._dummy(), "training",
                                  "training mode (noise at seed and step) or evaluate mode",
                                  typeConverter=TypeConverters.toBoolean)
    dtype: Param[str] = Param(Params._dummy(), "dtype",
                              "float32 or float64; unset: the input's (array<float>: float32, array<double> and "
                              "Vector: float64)", typeConverter=TypeConverters.toString)
    sampleShape: Param[List[int]] = Param(Params._dummy(), "sampleShape", "the shape of one sample (a row's values)",
                                          typeConverter=TypeConverters.toListInt)
    inputCol: Param[str] = Param(Params._dummy(), "inputCol", "the samples' values",
                                 typeConverter=TypeConverters.toString)
    outputCol: Param[str] = Param(Params._dummy(), "outputCol", "the output (replaced if it exists)",
                                  typeConverter=TypeConverters.toString)
    indexCol: Param[str] = Param(Params._dummy(), "indexCol", "the samples' global indices (training mode)",
                                 typeConverter=TypeConverters.toString)

    _input_kwargs: Dict[str, Any]  # what @keyword_only was given

    @keyword_only
    def __init__(self, *, layer: str = "Dropout", initP: Optional[float] = None, rate: Optional[float] = None,
                 stddev: Optional[float] = None, scale: bool = True, dataFormat: str = "NCHW",
                 noiseShape: Union[str, Sequence[Optional[int]], None] = None, seed: Optional[int] = None,
                 step: int = 0, training: bool = True, dtype: Optional[str] = None,
                 sampleShape: Optional[Sequence[int]] = None, inputCol: str = "features", outputCol: str = "output",
                 indexCol: str = "index") -> None:
        super().__init__()
        self._java_obj = self._new_java_obj(_scala_class(), self.uid)
        # the Scala stage's defaults
        self._setDefault(layer="Dropout", scale=True, dataFormat="NCHW", step=0, training=True, inputCol="features",
                         outputCol="output", indexCol="index")
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, layer: str = "Dropout", initP: Optional[float] = None, rate: Optional[float] = None,
                  stddev: Optional[float] = None, scale: bool = True, dataFormat: str = "NCHW",
                  noiseShape: Union[str, Sequence[Optional[int]], None] = None, seed: Optional[int] = None,
                  step: int = 0, training: bool = True, dtype: Optional[str] = None,
                  sampleShape: Optional[Sequence[int]] = None, inputCol: str = "features",
                  outputCol: str = "output", indexCol: str = "index") -> "NoiseTransformer":
        """Sets the params given (by keyword only; None leaves one as it is); returns the stage."""
        return self._set(**{name: value for name, value in self._input_kwargs.items() if value is not None})

    @classmethod
    def read(cls) -> _Reader:
        """A reader of a saved stage (the Scala stage's format, whichever language saved it)."""
        return _Reader(cls)

    def _make_java_param_pair(self, param: Param, value: Any) -> Any:
        if self._resolveParam(param).name == "seed":
            value = to_java_seed(value)  # the Long with the unsigned seed's bits
        return super()._make_java_param_pair(param, value)

    def _transfer_params_from_java(self) -> None:
        # pyspark's own loop would hand the Long's bits (negative for seeds >= 2^63) to the
        # seed's converter; the stage has no Java-only defaults, so this is the set params only
        java = self._java_obj
        assert java is not None
        for param in self.params:
            java_param = java.getParam(param.name)
            if java.isSet(java_param):
                value = java.getOrDefault(java_param)
                if param.name == "seed":
                    value = int(value) % v.SEED_LIMIT
                elif param.name == "sampleShape":
                    value = list(value)
                self._set(**{param.name: value})

    def _transform(self, dataset: DataFrame) -> DataFrame:
        try:
            return super()._transform(dataset)
        except Exception as error:  # the stage's IllegalArgumentException, as pyspark raises it
            message = _java_illegal_argument(error)
            if message is None:
                raise
            raise ValueError(message) from None

    def setLayer(self, value: str) -> "NoiseTransformer":
        return self._set(layer=value)

    def setInitP(self, value: float) -> "NoiseTransformer":
        return self._set(initP=value)

    def setRate(self, value: float) -> "NoiseTransformer":
        return self._set(rate=value)

    def setStddev(self, value: float) -> "NoiseTransformer":
        return self._set(stddev=value)

    def setScale(self, value: bool) -> "NoiseTransformer":
        return self._set(scale=value)

    def setDataFormat(self, value: str) -> "NoiseTransformer":
        return self._set(dataFormat=value)

    def setNoiseShape(self, value: Union[str, Sequence[Optional[int]]]) -> "NoiseTransformer":
        return self._set(noiseShape=value)

    def setSeed(self, value: int) -> "NoiseTransformer":
        return self._set(seed=value)

    def setStep(self, value: int) -> "NoiseTransformer":
        return self._set(step=value)

    def setTraining(self, value: bool) -> "NoiseTransformer":
        return self._set(training=value)

    def setDtype(self, value: str) -> "NoiseTransformer":
        return self._set(dtype=value)

    def setSampleShape(self, value: Sequence[int]) -> "NoiseTransformer":
        return self._set(sampleShape=value)

    def setInputCol(self, value: str) -> "NoiseTransformer":
        return self._set(inputCol=value)

    def setOutputCol(self, value: str) -> "NoiseTransformer":
        return self._set(outputCol=value)

    def setIndexCol(self, value: str) -> "NoiseTransformer":
        return self._set(indexCol=value)

    def getLayer(self) -> str:
        return self.getOrDefault(self.layer)

    def getInitP(self) -> float:
        return self.getOrDefault(self.initP)

    def getRate(self) -> float:
        return self.getOrDefault(self.rate)

    def getStddev(self) -> float:
        return self.getOrDefault(self.stddev)

    def getScale(self) -> bool:
        return self.getOrDefault(self.scale)

    def getDataFormat(self) -> str:
        return self.getOrDefault(self.dataFormat)

    def getNoiseShape(self) -> str:
        return self.getOrDefault(self.noiseShape)

    def getSeed(self) -> int:
        return self.getOrDefault(self.seed)

    def getStep(self) -> int:
        return self.getOrDefault(self.step)

    def getTraining(self) -> bool:
        return self.getOrDefault(self.training)

    def getDtype(self) -> str:
        return self.getOrDefault(self.dtype)

    def getSampleShape(self) -> List[int]:
        return self.getOrDefault(self.sampleShape)

    def getInputCol(self) -> str:
        return self.getOrDefault(self.inputCol)

    def getOutputCol(self) -> str:
        return self.getOrDefault(self.outputCol)

    def getIndexCol(self) -> str:
        return self.getOrDefault(self.indexCol)


def _scala_class() -> str:
    """The Scala stage's name, once the active session is seen to have it (py4j names a missing class a package)."""
    from py4j.java_gateway import JavaClass
    from pyspark import SparkContext

    jvm = SparkContext._jvm
    if jvm is None:
        raise RuntimeError("NoiseTransformer needs an active SparkSession: build one with "
                           "bigdl_reg.spark.configure(SparkSession.builder...).getOrCreate()")
    entry = jvm
    for name in _SCALA_CLASS.split("."):
        entry = getattr(entry, name)
    if not isinstance(entry, JavaClass):
        raise RuntimeError(
            f"{_SCALA_CLASS} is not on this Spark session's classpath: build the session with "
            "bigdl_reg.spark.configure(SparkSession.builder...) (our Spark 4 jars carry the stage)")
    return _SCALA_CLASS
