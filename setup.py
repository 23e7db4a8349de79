"""Puts the jars into the wheel and the sdist, and builds the numpy backend's
compiled noise (pyproject.toml has everything else).

Each folder ``bigdl_reg/jars/<name>/`` of ``bigdl_reg/_bundle.py``'s LISTS gets
the jars of the clone's list file (``bin/setup`` writes them, running sbt),
less py4j's jar (the py4j package ships it), plus a manifest naming them in the
list's order. In a clone (build.sbt beside this file) the jars come from the
lists; a missing list stops the build, naming it and how to make it. In an
unpacked sdist (no clone) they come from the folders the sdist carries.
An editable install bundles nothing: it runs on the clone's lists.

``bigdl_reg/backends/numpy/_noise.c`` is an optional extension: without a C
compiler the install goes on and the numpy backend computes its noise with
numpy alone (same bits, slower; native.py). Its flags are part of the
contract: no FMA contraction, no fast-math (``-fno-math-errno`` only lets
``sqrt`` vectorise: the result is the same IEEE square root).
"""
from __future__ import annotations

import importlib.util
import shutil
import zipfile
from pathlib import Path
from typing import Dict, List

from setuptools import Extension, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("_bundle", ROOT / "bigdl_reg" / "_bundle.py")
assert _spec is not None and _spec.loader is not None
bundle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bundle)


def _from_list(name: str, list_file: Path) -> List[Path]:
    if not list_file.is_file():
        raise SetupError(
            f"cannot bundle the jars of bigdl_reg/jars/{name}: {list_file} is missing. "
            "Run bin/setup in the clone first (it builds the jars with sbt and writes their lists), "
            "then build the wheel or sdist again."
        )
    jars = [Path(line.strip()) for line in list_file.read_text().splitlines() if line.strip()]
    if name == bundle.GATEWAY:
        jars = [j for j in jars if not j.name.startswith(bundle.PY4J_JAR_PREFIX)]
    return jars


def _from_folder(name: str, folder: Path) -> List[Path]:
    manifest = folder / bundle.MANIFEST
    if not manifest.is_file():
        raise SetupError(
            f"cannot bundle the jars of bigdl_reg/jars/{name}: this source tree is neither a bigdl-reg clone "
            f"(no build.sbt in {ROOT}) nor an sdist that carries them (no {manifest})"
        )
    return [folder / line.strip() for line in manifest.read_text().splitlines() if line.strip()]


def jars_to_bundle() -> Dict[str, List[Path]]:
    """Bundled folder name -> its jars, in classpath order."""
    in_clone = (ROOT / "build.sbt").is_file()
    found = {}
    for name, list_path in bundle.LISTS.items():
        if in_clone:
            found[name] = _from_list(name, ROOT / list_path)
        else:
            found[name] = _from_folder(name, ROOT / "bigdl_reg" / "jars" / name)
    for name, jars in found.items():
        bad = [str(j) for j in jars if not (j.is_file() and zipfile.is_zipfile(j))]
        if bad:
            raise SetupError(f"cannot bundle bigdl_reg/jars/{name}: missing or not a jar: {', '.join(bad)}; "
                             "run bin/setup in the clone")
        names = [j.name for j in jars]
        if len(set(names)) != len(names):
            raise SetupError(f"cannot bundle bigdl_reg/jars/{name}: two jars share a file name: {names}")
    return found


def write_bundle(package_dir: Path) -> None:
    """The folders under ``package_dir/jars`` (replaced: nothing stale stays)."""
    found = jars_to_bundle()
    target = package_dir / "jars"
    shutil.rmtree(target, ignore_errors=True)
    for name, jars in found.items():
        folder = target / name
        folder.mkdir(parents=True)
        for jar in jars:
            shutil.copyfile(jar, folder / jar.name)
        (folder / bundle.MANIFEST).write_text("".join(f"{jar.name}\n" for jar in jars))


class BuildPyWithJars(build_py):
    def run(self) -> None:
        package = Path(self.build_lib) / "bigdl_reg"
        if not self.editable_mode:
            shutil.rmtree(package, ignore_errors=True)  # an in-tree build/ keeps deleted modules otherwise
        super().run()
        if not self.editable_mode:
            write_bundle(package)


class SdistWithJars(sdist):
    def make_release_tree(self, base_dir, files) -> None:
        super().make_release_tree(base_dir, files)
        write_bundle(Path(base_dir) / "bigdl_reg")


NORMALS = Extension(
    "bigdl_reg.backends.numpy._noise",
    sources=["bigdl_reg/backends/numpy/_noise.c"],
    extra_compile_args=["-O3", "-ffp-contract=off", "-fno-math-errno"],
    py_limited_api=True,
    optional=True,
)

setup(
    cmdclass={"build_py": BuildPyWithJars, "sdist": SdistWithJars},
    ext_modules=[NORMALS],
    options={"bdist_wheel": {"py_limited_api": "cp39"}},
)
