"""The layers on a standalone Spark cluster (tests/spark_cluster.py): a master
and two workers on loopback, each its own JVM, and an executor JVM on each
worker; our jars reach the executors through ``spark.jars``, as a user ships
them. On it, byte for byte the numpy backend's forward of the whole batch:

* the same rows through 1, 3 and 7 partitions and in shuffled order;
* a job during which one executor JVM is killed (SIGKILL, by its pid): Spark
  retries the lost tasks on the executor the worker starts in its place;
* a job whose input fails once on purpose (one partition's first attempt):
  Spark retries the task;
* from Scala: ``bigdlreg.spark.ClusterCheck`` run by spark-submit on the same
  cluster (partitionings, a flaky task and a lost executor), checking itself against the
  engine's single-machine forward.

A cluster that cannot start fails the tests (the log tails say why); nothing
skips. Marked ``spark``: a missing pyspark or jars skip, unless CI is set.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from spark_cluster import StandaloneCluster, spark_home

import bigdl_reg.spark as bs
from bigdl_reg.nn import AlphaDropout, Dropout, GaussianNoise, SpatialDropout1D

pytestmark = [pytest.mark.spark]

ROOT = Path(__file__).resolve().parent.parent
N, SIZE = 2000, 64
CASES = [  # (layer factory, sample shape of SIZE values, dtype)
    (lambda **k: Dropout(0.3, **k), (SIZE,), np.float32),
    (lambda **k: Dropout(0.3, **k), (SIZE,), np.float64),
    (lambda **k: GaussianNoise(0.7, **k), (SIZE,), np.float32),
    (lambda **k: SpatialDropout1D(0.5, **k), (4, SIZE // 4), np.float32),  # (steps, channels)
    (lambda **k: AlphaDropout(0.25, **k), (SIZE,), np.float32),
]
IDS = ["dropout", "dropout-float64", "gnoise", "sd1d", "alpha"]


@pytest.fixture(scope="module")
def cluster():
    with StandaloneCluster(workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def spark(cluster):
    session = bs.configure(cluster.builder("bigdl-reg test_spark_cluster")
                           .config("spark.task.maxFailures", "4")).getOrCreate()
    try:
        assert session.sparkContext.master == cluster.url, "an earlier SparkSession is still running"
        session.sparkContext.setLogLevel("ERROR")
        _wait_for_executors(cluster, session, 2)
        yield session
    finally:
        session.stop()


def _wait_for_executors(cluster, session, count, timeout=60.0):
    app = session.sparkContext.applicationId
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = cluster.executor_pids(app)
        if len(pids) == count:
            return pids
        time.sleep(0.25)
    raise AssertionError(f"{app}: {len(pids)} executor JVMs after {timeout:.0f} s, expected {count}\n"
                         f"{cluster.log_tails()}")


def _samples(shape, dtype, salt):
    return np.random.default_rng(salt).standard_normal((N,) + shape).astype(dtype)


def _single_machine(make, x):
    """The numpy backend's forward of the whole batch at step 1 (after one forward at step 0)."""
    layer = make(seed=42, bigdl_type="float" if x.dtype == np.float32 else "double", backend="numpy")
    layer.forward(x)
    return layer.forward(x)


def _at_step_1(make, dtype):
    layer = make(seed=42, bigdl_type="float" if dtype == np.float32 else "double", backend="numpy")
    layer.forward(np.zeros((1, 4, SIZE // 4), dtype))  # step 0 -> 1, like _single_machine
    return layer


def _gathered(rows, shape, dtype):
    """The collected rows as one array, checking each index 0..N-1 came back exactly once."""
    indices = sorted(row["index"] for row in rows)
    assert indices == list(range(N)), "rows missing or duplicated"
    return bs.to_array(rows, shape, dtype)


@pytest.mark.parametrize("make,shape,dtype", CASES, ids=IDS)
def test_cluster_any_partitioning_gives_the_single_machine_bytes(spark, make, shape, dtype):
    x = _samples(shape, dtype, sum(shape))
    expected = _single_machine(make, x).tobytes()
    layer = _at_step_1(make, dtype)
    for parts in (1, 3, 7):
        out = bs.forward_dataframe(layer, bs.to_dataframe(spark, x, parts), shape).collect()
        assert _gathered(out, shape, dtype).tobytes() == expected, f"{parts} partitions"
    shuffled = bs.to_dataframe(spark, x, 3).orderBy("features").repartition(5)
    out = bs.forward_dataframe(layer, shuffled, shape).collect()
    assert _gathered(out, shape, dtype).tobytes() == expected, "shuffled"


def _slow_source(spark, x, parts, seconds, flaky_partition=None):
    """``to_dataframe(x)`` read through a Python stage that takes ``seconds``
    per partition (time to kill an executor mid-job) and, for
    ``flaky_partition``, fails on its first attempt."""
    df = bs.to_dataframe(spark, x, parts)

    def read(rows):
        from pyspark import TaskContext

        context = TaskContext.get()
        time.sleep(seconds)
        if context.partitionId() == flaky_partition and context.attemptNumber() == 0:
            raise OSError(f"flaky source: partition {flaky_partition} fails its first attempt on purpose")
        return rows
    return spark.createDataFrame(df.rdd.mapPartitions(read), df.schema)


def _failed_tasks(spark, job_group):
    tracker = spark.sparkContext.statusTracker()
    jobs = [tracker.getJobInfo(job) for job in tracker.getJobIdsForGroup(job_group)]
    stages = [tracker.getStageInfo(s) for job in jobs if job is not None for s in job.stageIds]
    return sum(s.numFailedTasks for s in stages if s is not None)


def test_lost_executor_is_replaced_and_its_tasks_retried(cluster, spark):
    x = _samples((SIZE,), np.float32, 3)
    expected = _single_machine(lambda **k: Dropout(0.5, **k), x).tobytes()
    layer = _at_step_1(lambda **k: Dropout(0.5, **k), np.float32)
    before = _wait_for_executors(cluster, spark, 2)
    out = bs.forward_dataframe(layer, _slow_source(spark, x, 12, 1.0), (SIZE,))
    result, tracker = {}, spark.sparkContext.statusTracker()

    def run():
        spark.sparkContext.setJobGroup("lost-executor", "a job that loses an executor")
        try:
            result["rows"] = out.collect()
        except Exception as error:  # re-raised in the test's thread
            result["error"] = error
    job = threading.Thread(target=run)
    job.start()
    deadline = time.monotonic() + 60
    # some tasks done and more running: each executor is then inside a 1 s task nearly all the
    # time (the status tracker lags under load, so "both busy" is not asked of it exactly)
    while time.monotonic() < deadline:
        stages = [tracker.getStageInfo(s) for s in tracker.getActiveStageIds()]
        if any(s is not None and s.numActiveTasks >= 1 and s.numCompletedTasks >= 2 for s in stages):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the job never got past its first tasks")
    time.sleep(0.3)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    job.join(timeout=120)
    assert not job.is_alive(), "the job did not finish within 120 s of the lost executor"
    if "error" in result:
        raise result["error"]
    assert _gathered(result["rows"], (SIZE,), np.float32).tobytes() == expected
    assert _failed_tasks(spark, "lost-executor") >= 1, "no task was lost: the executor died between tasks"
    after = _wait_for_executors(cluster, spark, 2)
    assert victim not in after and before[1] in after, f"executors {before} -> {after}"  # a new one in its place


def test_flaky_task_is_retried_with_the_same_bytes_on_the_cluster(spark):
    x = _samples((4, SIZE // 4), np.float32, 5)
    make = lambda **k: SpatialDropout1D(0.5, **k)  # noqa: E731
    expected = _single_machine(make, x).tobytes()
    spark.sparkContext.setJobGroup("flaky", "a job whose source fails once")
    out = bs.forward_dataframe(_at_step_1(make, np.float32), _slow_source(spark, x, 5, 0.0, flaky_partition=2),
                               (4, SIZE // 4)).collect()
    assert _gathered(out, (4, SIZE // 4), np.float32).tobytes() == expected
    assert _failed_tasks(spark, "flaky") == 1  # the one planted failure, retried


def test_cluster_from_scala_spark_submit(cluster, spark):
    """bigdlreg.spark.ClusterCheck (the spark module's test jar, `bin/sbt spark/Test/package`)
    through spark-submit, our jars by --jars, beside this module's application."""
    tests_jar = sorted((ROOT / "scala" / "spark" / "target").glob("scala-2.13/bigdl-reg-spark-4_2.13-*-tests.jar"))
    if not tests_jar:
        reason = "no spark test jar: run bin/sbt spark/Test/package"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    args = [str(spark_home() / "bin" / "spark-submit"), "--master", cluster.url,
            "--class", "bigdlreg.spark.ClusterCheck",
            "--jars", ",".join(bs.jars()), "--driver-memory", "512m", "--executor-memory", "512m",
            "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2", "--conf", "spark.ui.enabled=false",
            "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
            str(tests_jar[-1])]
    run = cluster.run(args, timeout=240)
    assert run.returncode == 0, f"ClusterCheck exited with {run.returncode}:\n{run.stdout[-3000:]}"
    assert "ClusterCheck: all distributed results are the single-machine bytes" in run.stdout
    assert "ClusterCheck: flaky task: same bytes" in run.stdout
    assert "ClusterCheck: flaky task failed once and was retried" in run.stdout
