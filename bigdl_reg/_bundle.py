"""Where the jars are: the clone's jar lists (``bin/setup`` writes them) and
the folders of bundled jars a wheel carries. setup.py fills the folders from
the lists; the lookup (:func:`bigdl_reg.backends.jvm.java.find_jars`) reads
either. Standard library only: setup.py loads this file by its path.
"""
from __future__ import annotations

from typing import Dict

#: bundled folder (under bigdl_reg/jars/) -> the clone's list file it is made from (relative to the clone)
LISTS: Dict[str, str] = {
    "gateway": "scala/interop/target/classpath.txt",
    "spark-4_2.13": "scala/spark/target/spark-jars-4_2.13.txt",
    "spark-3.5_2.12": "scala/spark/target/spark-jars-3.5_2.12.txt",
}
GATEWAY = "gateway"
#: pyspark's version ("3.5" for 3.5.x, "4" for 4.x) -> the Spark/Scala combination its jars are built for
#: (pyspark from PyPI runs Scala 2.12 for 3.5 and 2.13 for 4.x)
SPARK_COMBINATIONS: Dict[str, str] = {"3.5": "3.5_2.12", "4": "4_2.13"}
#: in every bundled folder: its jars' file names, one a line, in the order of the list they came from
MANIFEST = "jars.txt"
#: the py4j jar is left out of the gateway's folder: the py4j package ships it (py4j.java_gateway.find_jar_path())
PY4J_JAR_PREFIX = "py4j-"


def spark_folder(combination: str) -> str:
    return f"spark-{combination}"
