"""A standalone Spark cluster on loopback, for the cluster tests and benchmarks.

A master and two workers, each its own JVM, started from the installed
pyspark's ``bin/spark-class`` (pyspark ships Spark's jars), bound to
127.0.0.1, with their logs, work and temporary directories under one
temporary directory::

    with StandaloneCluster() as cluster:
        spark = bs.configure(cluster.builder("my app")).getOrCreate()

Spark's launcher gives the daemons and the executors the ``--add-opens``
options Java 17 needs (build.sbt's ``sparkJavaOptions``) by itself.

Each daemon runs in a session of its own (``start_new_session``); the
executors a worker starts, and their Python workers, stay in the worker's
session. Stopping sends SIGTERM, then SIGKILL, to every process of those
sessions, by pid, and removes the directory: also when a test fails, and at
interpreter exit for a cluster still running.
"""
from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

EXECUTOR_CLASS = "org.apache.spark.executor.CoarseGrainedExecutorBackend"


def spark_home() -> Path:
    """The installed pyspark's folder: Spark's jars and bin/spark-class."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


class ClusterError(RuntimeError):
    pass


class StandaloneCluster:
    """A master and ``workers`` workers of ``cores`` cores and ``memory`` each."""

    def __init__(self, workers: int = 2, cores: int = 2, memory: str = "1g", timeout: float = 90.0):
        self.workers, self.cores, self.memory, self.timeout = workers, cores, memory, timeout
        self.dir: Optional[Path] = None
        self.url = ""  # spark://127.0.0.1:<port>
        self.web_url = ""  # the master's web UI (its /json/ status)
        self.daemons: Dict[str, subprocess.Popen] = {}

    # -- start -------------------------------------------------------------
    def start(self) -> "StandaloneCluster":
        self.dir = Path(tempfile.mkdtemp(prefix="bigdl-reg-cluster-"))
        atexit.register(self.stop)
        try:
            master = self._daemon("master", "org.apache.spark.deploy.master.Master",
                                  ["--host", "127.0.0.1", "--port", "0", "--webui-port", "0"])
            self.url = "spark://127.0.0.1:" + self._wait_for_log(master, r"Starting Spark master at spark://[^:]+:(\d+)")
            self.web_url = "http://127.0.0.1:" + self._wait_for_log(
                master, r"Successfully started service 'MasterUI' on port (\d+)")
            for i in range(self.workers):
                work = self.dir / f"work-{i}"
                work.mkdir()
                self._daemon(f"worker-{i}", "org.apache.spark.deploy.worker.Worker",
                             ["--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", str(self.cores),
                              "--memory", self.memory, "--work-dir", str(work), self.url])
            self._wait(lambda: len(self.alive_workers()) == self.workers,
                       f"{self.workers} workers ALIVE at the master")
        except BaseException:
            self.stop()
            raise
        return self

    def _env(self, name: str) -> Dict[str, str]:
        home = spark_home()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_"))}
        conf = self.dir / "conf"
        conf.mkdir(exist_ok=True)
        # the master's REST submission server would take the fixed port 6066
        (conf / "spark-defaults.conf").write_text("spark.master.rest.enabled false\n")
        env.update(SPARK_HOME=str(home), SPARK_CONF_DIR=str(conf), SPARK_LOCAL_IP="127.0.0.1",
                   SPARK_LOG_DIR=str(self.dir / "logs"), SPARK_PID_DIR=str(self.dir),
                   SPARK_DAEMON_MEMORY="256m",
                   SPARK_LOCAL_DIRS=str(self.dir / "local"),
                   # the executors' Python workers: this interpreter, with its packages
                   PYSPARK_PYTHON=sys.executable)
        if "JAVA_HOME" not in env:
            java = shutil.which("java")
            if java is None:
                raise ClusterError("no java on PATH and JAVA_HOME unset: Spark needs Java 17")
            env["JAVA_HOME"] = str(Path(os.path.realpath(java)).parent.parent)
        return env

    def _daemon(self, name: str, cls: str, args: List[str]) -> subprocess.Popen:
        log = self.dir / f"{name}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([str(spark_home() / "bin" / "spark-class"), cls, *args], cwd=self.dir,
                                    env=self._env(name), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        proc.log = log  # type: ignore[attr-defined]
        self.daemons[name] = proc
        return proc

    def _wait(self, ready, what: str):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for name, proc in self.daemons.items():
                if proc.poll() is not None:
                    raise ClusterError(f"{name} exited with status {proc.returncode} before {what}\n{self.log_tails()}")
            value = ready()
            if value:
                return value
            time.sleep(0.25)
        raise ClusterError(f"no {what} after {self.timeout:.0f} s\n{self.log_tails()}")

    def _wait_for_log(self, proc: subprocess.Popen, pattern: str) -> str:
        regex = re.compile(pattern)

        def found():
            match = regex.search(proc.log.read_text(errors="replace"))
            return match and match.group(1)
        return self._wait(found, f"log line /{pattern}/ in {proc.log.name}")

    def log_tails(self, lines: int = 15) -> str:
        parts = []
        for name, proc in self.daemons.items():
            text = proc.log.read_text(errors="replace").splitlines() if proc.log.exists() else []
            parts.append(f"--- {name} ({proc.log}), last {lines} lines:\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)

    # -- status ------------------------------------------------------------
    def status(self) -> dict:
        """The master's JSON status (its web UI's /json/)."""
        with urllib.request.urlopen(self.web_url + "/json/", timeout=5) as response:
            return json.load(response)

    def alive_workers(self) -> list:
        try:
            return [w for w in self.status()["workers"] if w["state"] == "ALIVE"]
        except OSError:  # the web UI is not up yet
            return []

    def executor_pids(self, app_id: str) -> List[int]:
        """The pids of application ``app_id``'s executor JVMs: the workers' child
        processes running CoarseGrainedExecutorBackend for that application."""
        workers = {p.pid for name, p in self.daemons.items() if name.startswith("worker")}
        pids = []
        for pid in _pids():
            stat, cmdline = _read(f"/proc/{pid}/stat"), _read(f"/proc/{pid}/cmdline")
            if stat is None or cmdline is None:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            args = cmdline.split("\0")
            if parent in workers and EXECUTOR_CLASS in args and app_id in args:
                pids.append(pid)
        return sorted(pids)

    def run(self, args: List[str], timeout: float) -> subprocess.CompletedProcess:
        """``args`` (e.g. spark-submit) with the daemons' environment, output
        captured; its processes are ended by their session, whatever happens."""
        proc = subprocess.Popen(args, cwd=self.dir, env=self._env("submit"), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        finally:
            for pid in _session_members({proc.pid}):
                os.kill(pid, signal.SIGKILL)
            proc.wait()
        return subprocess.CompletedProcess(args, proc.returncode, out)

    def builder(self, app_name: str):
        """A SparkSession builder for this cluster: the driver on loopback, one
        core and 512 MB per executor, two executors (one per worker)."""
        from pyspark.sql import SparkSession

        return (SparkSession.builder.master(self.url).appName(app_name)
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.executor.cores", "1").config("spark.executor.memory", "512m")
                .config("spark.cores.max", str(self.workers))
                # the driver keeps Spark's default local dir: the driver JVM (PySpark's) outlives the
                # cluster and caches its local dirs, so a later session would re-create one in self.dir
                .config("spark.pyspark.python", sys.executable))

    # -- stop --------------------------------------------------------------
    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s, to every process of the daemons'
        sessions (executors and their Python workers included); removes the directory."""
        sessions = {p.pid for p in self.daemons.values()}
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            left = _session_members(sessions)
            for pid in left:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + grace
            while left and time.monotonic() < deadline:
                for proc in self.daemons.values():
                    proc.poll()  # reap our own children
                left = _session_members(sessions)
                time.sleep(0.1)
            if not left:
                break
        for proc in self.daemons.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.daemons = {}
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        atexit.unregister(self.stop)

    def __enter__(self) -> "StandaloneCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _pids() -> List[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _read(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:  # the process is gone
        return None


def _session_members(sessions) -> List[int]:
    """The live processes (zombies excluded) whose session id is one of ``sessions``."""
    members = []
    for pid in _pids():
        stat = _read(f"/proc/{pid}/stat")
        if stat is None:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) in sessions:
            members.append(pid)
    return members
