#!/usr/bin/env bash
# Engine throughput (Dropout / GaussianNoise / GaussianDropout / SpatialDropout2D
# on 10^7 float32 elements, against a plain array copy), one JVM run.
# Usage: benchmarks/run_scala.sh [elements [runs]]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/bin/sbt" "bench/run $*"
