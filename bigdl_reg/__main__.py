"""Command line: ``python -m bigdl_reg info|demo`` (also the ``bigdl-reg`` script).

``info`` reports versions, backends, Java, and where the gateway's and the
Spark layer's jars come from (bundled in the wheel, the clone's fresh build, or
an override: the environment variable named); it works (and says what is
missing) without Java or without the jars. It starts no gateway: Java's
version comes from ``java -version``.

``demo`` shows the project in one run (:mod:`bigdl_reg._demo`): the layers
from Python through the JVM, Scala, the jvm facade and numpy giving the same
bytes under one seed, and a short speed check. Exit status 1 if anything
differs or the JVM cannot start.
"""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Callable, Dict, List, Optional, Tuple

from . import __version__
from ._machine import java_version


def _backends() -> Tuple[str, str]:
    """(default backend, what "auto" resolves to), best effort."""
    from . import backends

    try:
        default = backends.get_default_backend()
    except ValueError as e:  # a BIGDL_REG_BACKEND that names no backend
        return f"unknown ({type(e).__name__}: {e})", "unknown"
    try:
        resolved = backends.get_backend("auto").name
    except Exception as e:  # find_problem() itself failing
        resolved = f"none ({type(e).__name__}: {e})"
    return default, resolved


_AUTO = 'backend "auto" resolves to'


def collect_info() -> List[Tuple[str, str]]:
    import numpy

    rows: List[Tuple[str, str]] = [("bigdl-reg", __version__)]
    rows.append(("python", f"{platform.python_version()} ({sys.executable})"))
    rows.append(("numpy", numpy.__version__))
    from .backends.numpy import native

    rows.append(("numpy noise kernel", native.status()))
    try:
        from py4j.version import __version__ as py4j_version
    except Exception:
        py4j_version = "not installed"
    rows.append(("py4j", py4j_version))

    default, resolved = _backends()
    rows.append(("default backend", default))
    rows.append((_AUTO, resolved))

    try:
        from .backends.jvm import java as jvm_java
        from .backends.jvm import shm
    except Exception as e:
        rows.append(("jvm backend", f"cannot be imported: {type(e).__name__}: {e}"))
        return rows
    java = jvm_java.find_java()
    rows.append(("java", java or "not found (install a JDK 17; set JAVA_HOME or put java on PATH)"))
    if java:
        rows.append(("java version", java_version(java)))
    source = jvm_java.gateway_jars()
    try:
        entries = jvm_java.read_classpath()
        state = f"{len(entries)} jars, all present"
        if source.kind == "bundled":
            state += f"; py4j's from the py4j package: {entries[-1]}"
    except jvm_java.JVMError as e:
        state = str(e)
    rows.append(("gateway jars", f"{source.describe()} ({state})"))
    rows.append(("spark jars", _spark_jars()))
    problem = jvm_java.find_problem()
    rows.append(("jvm backend", "ready" if problem is None else f"unavailable: {problem}"))
    rows.append(("shared memory dir", shm.shm_dir()))
    return rows


def _spark_jars() -> str:
    """Where the Spark jars for the installed pyspark come from, or why there are none."""
    try:
        import pyspark
    except ImportError:
        return "pyspark not installed (pip install 'bigdl-reg[spark]')"
    from . import spark

    try:
        source = spark.jars_source()
        state = f"{len(spark.jars())} jars, all present"
    except (ValueError, FileNotFoundError) as e:
        return f"pyspark {pyspark.__version__}: {e}"
    return f"{source.describe()} (pyspark {pyspark.__version__}, {spark.combination(pyspark.__version__)}; {state})"


def cmd_demo(args: argparse.Namespace) -> int:
    from . import _demo

    return _demo.run(plot=args.plot)


def cmd_info(args: argparse.Namespace) -> int:
    rows = collect_info()
    if args.short:
        d = dict(rows)
        jvm = d.get("jvm backend", "?")
        auto = d.get(_AUTO, "?")
        print(
            f"bigdl-reg {d.get('bigdl-reg')}, numpy {d.get('numpy')}, py4j {d.get('py4j')}; "
            f'backend "auto" -> {auto}; jvm backend {"ready" if jvm == "ready" else "unavailable"}'
        )
        return 0
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


#: name -> (help, add_arguments, run).
Command = Tuple[str, Callable[[argparse.ArgumentParser], object], Callable[[argparse.Namespace], int]]
COMMANDS: Dict[str, Command] = {
    "info": (
        "versions, backends, Java, and where the jars come from",
        lambda p: p.add_argument("--short", action="store_true", help="one line"),
        cmd_info,
    ),
    "demo": (
        "the project in one run: Python through the JVM, Scala = jvm = numpy byte for byte, "
        "Dropout regularizing a real model, speed",
        lambda p: p.add_argument("--plot", default=None, metavar="PNG",
                                 help="where to save the regularization curves (default: a file in the temp dir)"),
        cmd_demo,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bigdl-reg", description="bigdl-reg: BigDL-style regularization layers")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_args, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_args(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_usage(sys.stderr)
        return 2
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
