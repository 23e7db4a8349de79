"""The package as a user gets it: a wheel (and a wheel built from the sdist)
installed into a new virtualenv in a temporary directory outside the clone
(cwd elsewhere, the clone not on sys.path, no BIGDL_REG_* variables). There the
jvm backend runs on the bundled jars with the bytes of the numpy backend for
every layer of tests/layer_cases.py, ``info`` says "bundled" and "compiled"
(the numpy backend's noise kernel), the demo runs, and without Java
the jvm backend gives its clear error ("auto": numpy, warned). A build without
a C compiler still gives a working wheel, whose noise is numpy's.

One build and one virtualenv for the session (pip's cache makes the install
quick). Building needs the clone's jar lists (bin/setup): these tests are
marked jvm, so under CI a missing one fails them (conftest.py); nothing here
skips on its own. Also here: the jar lookup's precedence and its errors for a
damaged bundle, and the build's error for a missing jar list.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest
from layer_cases import WITH_OPTIONS

import bigdl_reg.spark as bs
from bigdl_reg import _bundle
from bigdl_reg.backends.jvm import java
from bigdl_reg.backends.jvm.errors import JVMError

ROOT = Path(__file__).resolve().parent.parent
VERSION = (ROOT / "VERSION").read_text().strip()
# the compiled noise (limited API, Python 3.9 on) makes it a platform wheel
WHEEL_GLOB = f"bigdl_reg-{VERSION}-cp39-abi3-*.whl"
KERNEL = "bigdl_reg/backends/numpy/_noise.abi3.so"


def _the_wheel(folder: Path) -> Path:
    wheels = sorted(folder.glob(WHEEL_GLOB))
    assert len(wheels) == 1, f"expected one {WHEEL_GLOB} in {folder}, found {sorted(folder.iterdir())}"
    return wheels[0]


def _run(cmd, cwd, env=None, timeout=600) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd} exited {r.returncode}\nstdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-4000:]}"
    return r


def _user_env(venv: Path, path: str = "") -> dict:
    """A user's environment: no BIGDL_REG_* variable, no PYTHONPATH, the venv's bin first on PATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BIGDL_REG_") and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), path or os.environ.get("PATH", "")])
    return env


class Installed:
    def __init__(self, tmp: Path):
        assert ROOT not in tmp.resolve().parents, "the temporary directory must be outside the clone"
        self.dist = tmp / "dist"
        self.direct = tmp / "direct"
        self.venv = tmp / "venv"
        self.work = tmp / "work"  # the user's cwd
        self.work.mkdir()
        # the sdist and a wheel built from it (unpacked elsewhere by build: no clone there), then a wheel
        # from the clone, as `pip wheel .` after bin/setup
        _run([sys.executable, "-m", "build", "-q", "--outdir", self.dist, ROOT], cwd=self.work)
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check",
              "-w", self.direct, ROOT], cwd=self.work)
        self.wheel = _the_wheel(self.direct)
        self.sdist_wheel = _the_wheel(self.dist)
        self.sdist = self.dist / f"bigdl_reg-{VERSION}.tar.gz"
        _run([sys.executable, "-m", "venv", self.venv], cwd=self.work)
        self.python = self.venv / "bin" / "python"
        self.site_packages = self.venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
        _run([self.python, "-m", "pip", "install", "-q", "--disable-pip-version-check", self.wheel], cwd=self.work)

    def run(self, *args, path: str = "", timeout=300) -> subprocess.CompletedProcess:
        env = _user_env(self.venv, path)
        if path:  # a PATH of our choosing: no JAVA_HOME either
            env.pop("JAVA_HOME", None)
        return _run([self.python, *args], cwd=self.work, env=env, timeout=timeout)

    def script(self, code: str, *args, path: str = "") -> dict:
        """``code`` run by the venv's python (it prints one JSON object, the last line)."""
        return json.loads(self.run("-c", textwrap.dedent(code), *args, path=path).stdout.splitlines()[-1])


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Installed:
    return Installed(tmp_path_factory.mktemp("wheel"))


def _clone_bundle(name: str) -> list:
    """The jars the clone's list for bundled folder ``name`` names (the gateway's without py4j)."""
    jars = [Path(j) for j in (ROOT / _bundle.LISTS[name]).read_text().split()]
    return [j for j in jars if not (name == _bundle.GATEWAY and j.name.startswith(_bundle.PY4J_JAR_PREFIX))]


def _jars_in(names: dict) -> dict:
    return {n: data for n, data in names.items() if n.startswith("bigdl_reg/jars/")}


# ------------------------------------------------------------- the artifacts


@pytest.mark.jvm
def test_wheel_carries_the_jars_of_the_clone_and_the_metadata(installed):
    with zipfile.ZipFile(installed.wheel) as z:
        files = {n: z.read(n) for n in z.namelist()}
    for name in _bundle.LISTS:
        jars = _clone_bundle(name)
        manifest = files[f"bigdl_reg/jars/{name}/{_bundle.MANIFEST}"].decode()
        assert manifest.split() == [j.name for j in jars], name
        for jar in jars:
            assert files[f"bigdl_reg/jars/{name}/{jar.name}"] == jar.read_bytes(), jar
    assert not any(Path(n).name.startswith(_bundle.PY4J_JAR_PREFIX) for n in files), "py4j's jar comes with py4j"
    assert "bigdl_reg/py.typed" in files
    assert KERNEL in files, "the wheel carries the compiled noise"
    info = f"bigdl_reg-{VERSION}.dist-info"
    assert files[f"{info}/licenses/LICENSE"] == (ROOT / "LICENSE").read_bytes()
    meta = files[f"{info}/METADATA"].decode()
    for line in (f"Version: {VERSION}", "License-Expression: Apache-2.0", "License-File: LICENSE",
                 "Project-URL: Homepage, https://github.com/bigdl-reg/bigdl-reg", "Classifier: Typing :: Typed",
                 "Requires-Dist: py4j==0.10.9.9"):
        assert line in meta.splitlines(), line


@pytest.mark.jvm
def test_wheel_from_the_sdist_has_the_same_files(installed):
    with tarfile.open(installed.sdist) as t:
        in_sdist = {m.name.split("/", 1)[1] for m in t.getmembers() if m.isfile()}
    assert {"VERSION", "LICENSE", "setup.py", "pyproject.toml", "bigdl_reg/backends/numpy/_noise.c"} <= in_sdist
    assert not [n for n in in_sdist if n.endswith(".so")], "an sdist carries sources, no built kernel"
    assert {n for n in in_sdist if n.startswith("bigdl_reg/jars/")} == {
        f"bigdl_reg/jars/{name}/{f}" for name in _bundle.LISTS
        for f in [_bundle.MANIFEST] + [j.name for j in _clone_bundle(name)]}
    with zipfile.ZipFile(installed.wheel) as a, zipfile.ZipFile(installed.sdist_wheel) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for n in a.namelist():
            # RECORD holds the same hashes, in another order; each build compiles the kernel anew
            if not n.endswith("RECORD") and n != KERNEL:
                assert a.read(n) == b.read(n), n


def _copy_of_the_clone(src: Path, lists) -> Path:
    """What a wheel is built from, with the jar lists of bundled folders ``lists`` (none built here yet)."""
    src.mkdir()
    for f in ("pyproject.toml", "setup.py", "VERSION", "LICENSE", "README.md", "MANIFEST.in", "build.sbt"):
        shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / "bigdl_reg", src / "bigdl_reg", ignore=shutil.ignore_patterns("__pycache__", "jars", "*.so"))
    for name in lists:
        rel = _bundle.LISTS[name]
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, src / rel)
    return src


_NOISE_BYTES = """
import json, numpy as np, bigdl_reg
from bigdl_reg import nn
from bigdl_reg.backends.numpy import native
x = np.linspace(-3, 3, 300_001, dtype=np.float32)
rows = [getattr(nn, name)(0.5, seed=7, backend="numpy").forward(x).tobytes().hex()
        for name in ("GaussianNoise", "GaussianDropout", "Dropout", "AlphaDropout")]
print(json.dumps({"file": bigdl_reg.__file__, "kernel": native.status(), "rows": rows}))
"""


@pytest.mark.jvm
def test_a_build_without_a_c_compiler_gives_a_wheel_with_the_same_bytes(tmp_path):
    """No C compiler (CC fails): the wheel still builds, without the kernel; its
    numpy backend says so and gives the compiled kernel's bytes."""
    src = _copy_of_the_clone(tmp_path / "clone", lists=_bundle.LISTS)
    env = {**os.environ, "CC": "false"}
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check", "-w",
          tmp_path / "out", src], cwd=tmp_path, env=env)
    wheel = _the_wheel(tmp_path / "out")
    with zipfile.ZipFile(wheel) as z:
        assert KERNEL not in z.namelist()
        z.extractall(tmp_path / "site")
    env = {**_user_env(Path(sys.executable).parent.parent), "PYTHONPATH": str(tmp_path / "site")}
    r = _run([sys.executable, "-c", _NOISE_BYTES], cwd=tmp_path, env=env)
    found = json.loads(r.stdout.splitlines()[-1])
    assert Path(found["file"]).is_relative_to(tmp_path / "site"), found["file"]
    assert found["kernel"].startswith("not built"), found["kernel"]
    here = {}
    exec(_NOISE_BYTES, {"print": lambda text: here.update(json.loads(text))})
    assert here["kernel"].startswith("compiled"), here["kernel"]
    assert found["rows"] == here["rows"]


@pytest.mark.jvm
def test_wheel_build_names_a_missing_jar_list_and_how_to_make_it(tmp_path):
    """A clone whose Spark 3.5 list is missing: the build stops, naming it and bin/setup."""
    src = _copy_of_the_clone(tmp_path / "clone", lists=[name for name in _bundle.LISTS if name != "spark-3.5_2.12"])
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                        "-w", tmp_path / "out", src], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode != 0
    missing = src / _bundle.LISTS["spark-3.5_2.12"]
    assert f"cannot bundle the jars of bigdl_reg/jars/spark-3.5_2.12: {missing} is missing" in r.stdout + r.stderr
    assert "Run bin/setup in the clone first" in r.stdout + r.stderr


# ----------------------------------------------------- the installed wheel

_PARITY = """
import ast, json, os, sys, numpy as np
import bigdl_reg
from bigdl_reg import nn
from bigdl_reg.backends.jvm import java
root = sys.argv[1]
cases = ast.literal_eval(sys.argv[2])
found = {"file": bigdl_reg.__file__, "version": bigdl_reg.__version__, "source": java.gateway_jars().describe(),
         "clone_on_path": [p for p in sys.path if p and os.path.realpath(p).startswith(root)], "rows": []}
for i, (name, kwargs, shape) in enumerate(cases):
    dtype = np.float64 if kwargs.get("bigdl_type") == "double" else np.float32
    x = np.random.default_rng(i).standard_normal(shape).astype(dtype)
    out = {}
    for backend in ("jvm", "numpy"):
        with getattr(nn, name)(**kwargs, seed=1000 + i, backend=backend) as layer:
            assert layer.backend == backend
            ys = [layer.forward(x) for _ in range(2)]
            g = layer.backward(x, x)
            out[backend] = [(a.dtype.str, a.shape, a.tobytes().hex()) for a in ys + [g]]
    found["rows"].append([name, out["jvm"] == out["numpy"], len(out["jvm"][0][2]) // 2])
from bigdl_reg.backends.jvm import gateway
found["jar_version"] = gateway.get_gateway().jvm_version  # the interop jar's Implementation-Version
print(json.dumps(found))
"""


@pytest.mark.jvm
def test_wheel_outside_the_clone_runs_both_backends_with_the_same_bytes(installed):
    cases = repr([(cls.__name__, kwargs, shape) for cls, kwargs, shape in WITH_OPTIONS])
    found = installed.script(_PARITY, str(ROOT), cases)
    assert Path(found["file"]).is_relative_to(installed.venv), found["file"]
    assert found["clone_on_path"] == []
    assert found["version"] == found["jar_version"] == VERSION  # one version, Python and Scala
    assert found["source"].startswith(f"bundled: {installed.venv}/"), found["source"]
    assert found["source"].endswith("/site-packages/bigdl_reg/jars/gateway"), found["source"]
    assert [row[0] for row in found["rows"]] == [cls.__name__ for cls, _, _ in WITH_OPTIONS]
    assert all(same and size > 0 for _, same, size in found["rows"]), found["rows"]


@pytest.mark.jvm
def test_wheel_info_says_the_jars_are_bundled(installed):
    out = installed.run("-m", "bigdl_reg", "info").stdout

    def row(key: str) -> str:
        found = re.search(rf"^{key} +(.*)$", out, re.M)
        assert found, f"no {key!r} row in:\n{out}"
        return found.group(1)

    assert row("bigdl-reg") == VERSION
    assert row("gateway jars").startswith(f"bundled: {installed.venv}/"), out
    # interop, core, Scala from the wheel; py4j's own from the py4j package
    assert row("gateway jars").endswith(f"(4 jars, all present; py4j's from the py4j package: {installed.venv}"
                                        "/share/py4j/py4j0.10.9.9.jar)"), out
    assert row("jvm backend") == "ready", out
    assert row("numpy noise kernel") == f"compiled ({installed.site_packages}/{KERNEL})", out
    assert row('backend "auto" resolves to') == "jvm"
    assert row("spark jars").startswith("pyspark not installed"), out


@pytest.mark.jvm
def test_wheel_demo_runs_and_says_how_to_get_the_example(installed):
    r = installed.run("-m", "bigdl_reg", "demo", "--plot", installed.work / "curves.png")
    assert "All 11 rows identical" in r.stdout, r.stdout
    assert "Skipped: it needs examples/digits_mlp.py from the bigdl-reg source" in r.stdout
    assert "clone https://github.com/bigdl-reg/bigdl-reg" in r.stdout


_NO_JAVA = """
import json, warnings
import numpy as np
from bigdl_reg.nn import Dropout
try:
    Dropout(0.5, seed=1, backend="jvm").forward(np.ones(4, np.float32))
    jvm = "no error"
except Exception as e:
    jvm = f"{type(e).__name__}: {e}"
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    auto = Dropout(0.5, seed=1, backend="auto").backend
print(json.dumps({"jvm": jvm, "auto": auto, "warnings": [f"{w.category.__name__}: {w.message}" for w in caught]}))
"""


@pytest.mark.jvm
def test_wheel_without_java_gives_the_clear_error_and_auto_uses_numpy(installed):
    found = installed.script(_NO_JAVA, path="/nonexistent")  # PATH: the venv's bin only, no JAVA_HOME
    no_java = ('Java not found (looked at PATH): install a JDK 17 and put `java` on PATH or set JAVA_HOME, '
               'or choose backend="numpy"')
    assert found["jvm"] == f"JVMError: {no_java}", found
    assert found["auto"] == "numpy"
    auto_warning = f'RuntimeWarning: backend "auto" uses numpy: the jvm backend cannot start: {no_java}'
    assert found["warnings"] == [auto_warning], found


# ------------------------------------------------ the lookup (in this process)


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """A package directory and its parent, as ``java`` sees them; returns (package, parent)."""
    package, parent = tmp_path / "site-packages" / "bigdl_reg", tmp_path / "site-packages"
    package.mkdir(parents=True)
    monkeypatch.setattr(java, "_PACKAGE", package)
    monkeypatch.setattr(java, "_CLONE", parent)
    monkeypatch.delenv(java.CLASSPATH_ENV, raising=False)
    monkeypatch.delenv(bs.JARS_ENV, raising=False)
    return package, parent


def _bundle_folder(package: Path, name: str, jars=("a.jar",)) -> Path:
    folder = package / "jars" / name
    folder.mkdir(parents=True)
    for j in jars:
        with zipfile.ZipFile(folder / j, "w") as z:
            z.writestr("x", b"")
    (folder / _bundle.MANIFEST).write_text("".join(f"{j}\n" for j in jars))
    return folder


def test_wheel_lookup_precedence_override_then_clone_then_bundled(layout, monkeypatch, tmp_path):
    package, parent = layout
    folder = _bundle_folder(package, "gateway")
    assert java.gateway_jars() == java.JarSource("bundled", folder / _bundle.MANIFEST)
    (parent / "build.sbt").write_text("")  # a clone whose list is not built yet: the bundle still serves
    assert java.gateway_jars().kind == "bundled"
    clone_list = parent / _bundle.LISTS["gateway"]
    clone_list.parent.mkdir(parents=True)
    clone_list.write_text("")
    assert java.gateway_jars() == java.JarSource("clone", clone_list)
    monkeypatch.setenv(java.CLASSPATH_ENV, str(tmp_path / "mine.txt"))
    source = java.gateway_jars()
    assert source == java.JarSource("override", tmp_path / "mine.txt", java.CLASSPATH_ENV)
    assert source.describe() == f"override ($BIGDL_REG_CLASSPATH_FILE): {tmp_path / 'mine.txt'}"


def test_wheel_lookup_in_an_unbuilt_clone_without_a_bundle_says_run_bin_setup(layout):
    package, parent = layout
    (parent / "build.sbt").write_text("")
    with pytest.raises(JVMError, match=r"classpath file .*classpath.txt does not exist: build it with `bin/setup`"):
        java.read_classpath()


def test_wheel_bundled_classpath_is_the_folder_plus_py4j(layout):
    package, _ = layout
    folder = _bundle_folder(package, "gateway", ("b.jar", "a.jar"))
    from py4j.java_gateway import find_jar_path

    assert java.read_classpath() == [str(folder / "b.jar"), str(folder / "a.jar"), os.path.abspath(find_jar_path())]


@pytest.mark.parametrize("damage", ["no-folder", "missing-jar", "corrupt-jar", "empty-manifest"])
def test_wheel_damaged_bundle_says_reinstall(layout, damage):
    package, _ = layout
    if damage != "no-folder":
        folder = _bundle_folder(package, "gateway", ("a.jar", "b.jar"))
        if damage == "missing-jar":
            (folder / "b.jar").unlink()
        elif damage == "corrupt-jar":
            (folder / "b.jar").write_bytes(b"not a zip")
        else:
            (folder / _bundle.MANIFEST).write_text("\n")
    words = {"no-folder": "does not exist", "missing-jar": "names 1 missing jar(s)",
             "corrupt-jar": "names 1 corrupt jar(s)", "empty-manifest": "is empty"}[damage]
    with pytest.raises(JVMError) as info:
        java.read_classpath()
    msg = str(info.value)
    assert f"the JVM backend's bundled jar list {package / 'jars' / 'gateway' / _bundle.MANIFEST}" in msg
    assert words in msg and "the installed bigdl-reg package is damaged: reinstall it" in msg, msg


def test_wheel_bundled_without_py4j_jar_says_reinstall_py4j(layout, monkeypatch):
    package, _ = layout
    _bundle_folder(package, "gateway")
    monkeypatch.setattr("py4j.java_gateway.find_jar_path", lambda: "")
    with pytest.raises(JVMError, match=r"py4j's jar .* was not found .*pip install --force-reinstall py4j=="):
        java.read_classpath()


@pytest.mark.parametrize("version, combination", [("3.5.8", "3.5_2.12"), ("3.5.0", "3.5_2.12"),
                                                  ("4.2.0", "4_2.13"), ("4.0.1", "4_2.13")])
def test_wheel_spark_jars_follow_the_pyspark_version(layout, version, combination):
    package, _ = layout
    folder = _bundle_folder(package, f"spark-{combination}", ("s.jar",))
    assert bs.combination(version) == combination
    assert bs.jars_source(version) == java.JarSource("bundled", folder / _bundle.MANIFEST)
    assert bs.jars(version) == [str(folder / "s.jar")]


@pytest.mark.parametrize("version", ["3.4.1", "2.4.8", "5.0.0"])
def test_wheel_spark_jars_refuse_another_pyspark_version(version):
    with pytest.raises(ValueError) as info:
        bs.jars(version)
    assert str(info.value) == (
        f"pyspark {version} is not supported: bigdl-reg's Spark jars are built for pyspark 3.5.x "
        "(Spark 3.5, Scala 2.12) and 4.x (Spark 4, Scala 2.13): install one of those")


def test_wheel_spark_jars_override_wins(layout, monkeypatch, tmp_path):
    package, _ = layout
    _bundle_folder(package, "spark-4_2.13")
    jar = tmp_path / "mine.jar"
    jar.write_bytes(b"")
    listing = tmp_path / "mine.txt"
    listing.write_text(f"{jar}\n")
    monkeypatch.setenv(bs.JARS_ENV, str(listing))
    assert bs.jars("4.2.0") == [str(jar)]
    assert bs.jars_source("4.2.0").describe() == f"override ($BIGDL_REG_SPARK_JARS_FILE): {listing}"
