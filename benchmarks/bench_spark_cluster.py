"""Dropout through a loopback standalone cluster against the single-machine jvm backend, in one run.

    .venv/bin/python benchmarks/bench_spark_cluster.py [--rows 1000000] [--size 784] [--repeats 1]

The cluster is tests/spark_cluster.py's StandaloneCluster (a master and two
workers on 127.0.0.1, one executor of one core and 512 MB on each). The input,
``--rows`` samples of ``--size`` float32, is generated inside Spark (a
function of the row's index; 10^6 x 784 is 3 GB, more than the executors may
cache, so every pass generates it again). Figures:

* cluster start: master and workers up, the session's two executors registered;
* generate only: the input through Spark's no-op sink (the floor of every pass);
* forward, no-op sink: generate + ``bigdl_reg.spark.forward_dataframe``, every row computed;
* collect: the same collected to numpy, on ``--collect-rows`` rows, scaled to ``--rows``;
* jvm backend: ``Dropout(backend="jvm").forward(x)`` on ``--single-rows`` rows, scaled.

Writes the stamped table to target/bench_spark_cluster.txt (docs/spark.md's
generated section).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from bench_peers import ROOT, stamp  # this folder is on sys.path when run as a script
from write_doc_figures import publish, stamp_line

sys.path.insert(0, str(ROOT / "tests"))
from spark_cluster import StandaloneCluster  # noqa: E402

import bigdl_reg.spark as bs  # noqa: E402
from bigdl_reg import nn  # noqa: E402
from bigdl_reg._machine import median_seconds  # noqa: E402


def generated(spark, rows: int, size: int, partitions: int):
    """(index, features array<float>) rows, the values a function of (index, position)."""
    from pyspark.sql import functions as F

    values = F.transform(F.array_repeat(F.lit(0.0).cast("float"), size),
                         lambda _, i: (((F.col("id") * size + i) % 1999) / 999.5 - 1.0).cast("float"))
    return spark.range(0, rows, numPartitions=partitions).select(F.col("id").alias("index"), values.alias("features"))


def as_numpy(rows: int, size: int) -> np.ndarray:
    flat = np.arange(rows * size, dtype=np.int64) % 1999
    return (flat / 999.5 - 1.0).astype(np.float32).reshape(rows, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=784)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--collect-rows", type=int, default=20_000)
    parser.add_argument("--single-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "target" / "bench_spark_cluster.txt"))
    args = parser.parse_args()
    shape = (args.size,)

    layer = nn.Dropout(0.5, seed=42, backend="jvm")
    single_x = as_numpy(args.single_rows, args.size)
    single = median_seconds(lambda: layer.forward(single_x), args.repeats + 2) * args.rows / args.single_rows

    started = time.perf_counter()
    with StandaloneCluster(workers=2, cores=1, memory="1g") as cluster:
        spark = bs.configure(cluster.builder("bigdl-reg bench_spark_cluster")).getOrCreate()
        try:
            spark.sparkContext.setLogLevel("ERROR")
            while spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size() < 3:  # the driver + 2 executors
                time.sleep(0.2)
            start = time.perf_counter() - started
            df = generated(spark, args.rows, args.size, args.partitions)
            small = generated(spark, args.collect_rows, args.size, 2)
            distributed = nn.Dropout(0.5, seed=42, backend="jvm")

            def noop(frame):
                frame.write.format("noop").mode("overwrite").save()

            collected = bs.to_array(bs.forward_dataframe(distributed, small, shape).select("index", "output").collect(),
                                    shape, np.float32)
            fresh = nn.Dropout(0.5, seed=42, backend="jvm")  # step 0, as the cluster forwards
            same = collected.tobytes() == fresh.forward(as_numpy(args.collect_rows, args.size)).tobytes()
            scale = args.rows / args.collect_rows
            figures = {
                "generate the input only (no-op sink)": median_seconds(lambda: noop(df), args.repeats),
                "generate + forward (no-op sink)": median_seconds(
                    lambda: noop(bs.forward_dataframe(distributed, df, shape)), args.repeats),
                f"generate + forward + collect to numpy ({args.collect_rows:,} rows, scaled)": scale * median_seconds(
                    lambda: bs.forward_dataframe(distributed, small, shape).select("index", "output").collect(),
                    args.repeats),
            }
        finally:
            spark.stop()

    n = args.rows * args.size
    lines = [stamp_line(stamp()), "",
             f"Dropout(0.5) forward of {args.rows:,} samples x {args.size} float32 ({n:,} values), "
             f"{args.partitions} partitions, on a loopback standalone cluster (2 workers, one 1-core 512 MB "
             f"executor each); median of {args.repeats}. Cluster output == jvm backend output on "
             f"{args.collect_rows:,} rows, byte for byte: {same}. Cluster start (master, workers, executors "
             f"registered): {start:.1f} s.", "",
             "| | seconds | rows/s | vs jvm backend |", "|---|---:|---:|---:|",
             f"| jvm backend, one machine ({args.single_rows:,} rows, scaled) | {single:.2f} | "
             f"{args.rows / single:,.0f} | 1.0x |"]
    for name, seconds in figures.items():
        lines.append(f"| {name} | {seconds:.2f} | {args.rows / seconds:,.0f} | {seconds / single:.1f}x |")
    publish("\n".join(lines) + "\n", Path(args.out))
    if not same:
        raise SystemExit("the cluster output differs from the jvm backend's")


if __name__ == "__main__":
    main()
