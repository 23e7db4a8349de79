#!/usr/bin/env bash
# Engine throughput of every layer and layout on 10^7 float32 elements, one
# and all threads, in one JVM; writes target/run_scala.md for
# benchmarks/write_doc_figures.py. Usage: benchmarks/run_scala.sh [elements [runs]]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$ROOT/target"
exec "$ROOT/bin/sbt" "bench/run --out $ROOT/target/run_scala.md $*"
