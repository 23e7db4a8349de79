"""Dropout through Spark (local[2]) against the single-machine jvm backend, in one run.

    .venv/bin/python benchmarks/bench_spark.py [--rows 1000] [--row-size 10000] [--repeats 5]

The same 10^7 float32 values (rows x row-size), as one array for the jvm
backend and as a cached DataFrame of (index, array<float>) rows for Spark.
Times (median of the repeats, after a warm-up):

* jvm backend: ``Dropout(backend="jvm").forward(x)`` on the whole array, numpy
  in, numpy out, transfer included;
* Spark: ``bigdl_reg.spark.forward_dataframe`` on the cached DataFrame, run by
  Spark's no-op sink (every output row computed, nothing collected);
* Spark + collect: the same, collected back into one numpy array;
* for scale, Spark alone scanning the same cached input (its floor).

Prints each figure and its ratio to the jvm backend (the overhead of going
through Spark on one machine), checks the bytes agree, and writes the stamped
table to target/bench_spark.txt (docs/performance.md's generated section).
Spark's start-up and building the input DataFrame are not timed.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import bigdl_reg.spark as bs
from bench_peers import ROOT, stamp  # this folder is on sys.path when run as a script
from bigdl_reg import nn
from bigdl_reg._machine import median_seconds
from write_doc_figures import publish, stamp_line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--row-size", type=int, default=10_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--p", type=float, default=0.5)
    parser.add_argument("--out", default=str(ROOT / "target" / "bench_spark.txt"))
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    shape = (args.row_size,)
    x = np.random.default_rng(0).standard_normal((args.rows,) + shape, dtype=np.float32)
    spark = (bs.configure(SparkSession.builder.master("local[2]").appName("bigdl-reg bench_spark"))
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "2g")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = bs.to_dataframe(spark, x, args.partitions).cache()
        df.count()
        single = nn.Dropout(args.p, seed=42, backend="jvm")
        distributed = nn.Dropout(args.p, seed=42, backend="jvm")

        def spark_noop():
            bs.forward_dataframe(distributed, df, shape).write.format("noop").mode("overwrite").save()

        def spark_collect():
            return bs.to_array(bs.forward_dataframe(distributed, df, shape).select("index", "output").collect(),
                               shape, np.float32)

        def single_forward():
            single.set_seed(42)  # the same step (0) as the Spark runs
            return single.forward(x)

        same = spark_collect().tobytes() == single_forward().tobytes()
        def scan_only():  # Spark reading the cached rows, no conversion: its floor
            df.write.format("noop").mode("overwrite").save()

        figures = {
            "jvm backend, one machine": median_seconds(single_forward, args.repeats),
            "Spark local[2], no-op sink": median_seconds(spark_noop, args.repeats),
            "Spark local[2], collected to numpy": median_seconds(spark_collect, max(1, args.repeats // 2)),
            "  for scale: scan of the input only": median_seconds(scan_only, args.repeats),
        }
    finally:
        spark.stop()

    n = x.size
    base = figures["jvm backend, one machine"]
    lines = [stamp_line(stamp()), "",
             f"Dropout(p={args.p}) forward of {n:,} float32 = {args.rows} rows x {args.row_size}, "
             f"{args.partitions} partitions; median of {args.repeats}. "
             f"Spark output == jvm backend output, byte for byte: {same}.", "",
             "| | seconds | M elem/s | vs jvm backend |", "|---|---:|---:|---:|"]
    for name, seconds in figures.items():
        lines.append(f"| {name.strip()} | {seconds:.3f} | {n / seconds / 1e6:.1f} | {seconds / base:.1f}x |")
    publish("\n".join(lines) + "\n", Path(args.out))
    if not same:
        raise SystemExit("the Spark output differs from the jvm backend's")


if __name__ == "__main__":
    main()
