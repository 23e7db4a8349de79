# Shared by bin/setup, bin/test and bin/demo (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BIGDL_REG_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

step() { printf '\n==> %s\n' "$*" >&2; }

# A virtualenv with the package installed editable, with the extras given
# (default test,docs,examples; bin/setup and bin/test add spark, i.e. pyspark,
# a large download). A stamp holds the hash of pyproject.toml, setup.py and
# VERSION (the installed metadata's version comes from it) and the extras
# installed: nothing is done while the hash matches and those extras include
# the ones asked for, so warm runs cost nothing. The editable install finds
# the clone's jar lists by itself (docs/backends.md).
ensure_venv() {
  local extras="${1:-test,docs,examples}" stamp="$VENV/.bigdl-reg-installed" hash have extra missing=""
  hash="$(cat "$ROOT/pyproject.toml" "$ROOT/setup.py" "$ROOT/VERSION" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$PY" && -f "$stamp" ]] && read -r have < "$stamp" && [[ "${have%% *}" == "$hash" ]]; then
    for extra in ${extras//,/ }; do
      [[ ",${have#* }," == *",$extra,"* ]] || missing=1
    done
    [[ -z "$missing" ]] && return 0
  fi
  step "Python environment in $VENV (pip install -e .[$extras])"
  command -v python3 >/dev/null || { echo "python3 not found: install Python 3.9+" >&2; exit 127; }
  [[ -x "$PY" ]] || python3 -m venv "$VENV"
  "$PY" -m pip install --disable-pip-version-check -q -e "$ROOT[$extras]"
  echo "$hash $extras" > "$stamp"
}

# The published artifacts (local Ivy repository for sbt users, local Maven
# repository for Maven users: every module under each of its Scala versions,
# checked complete by publishChecked), the jar list of each Spark/Scala
# combination (scala/spark/target/spark-jars-*.txt) and the gateway classpath
# the Python package starts the JVM with (Scala 2.13). Extra sbt commands may
# be passed so one sbt start does everything.
build_jars() {
  step "Scala engine, Spark layers and gateway (sbt; the first run fetches sbt and Scala from Maven Central, 2-5 min)"
  "$ROOT/bin/sbt" "$@" +publishChecked +writeSparkJars interop/writeClasspath
}

# PySpark on Spark 3.5 (pyspark from PyPI is Scala 2.12 there) in a virtualenv
# of its own, with the spark35 extra: tests/test_spark.py against the 3.5_2.12
# jars. The first run builds pyspark 3.5.8 from its sdist (a ~318 MB download).
SPARK35_VENV="${BIGDL_REG_SPARK35_VENV:-$ROOT/.venv-spark35}"
test_spark35() {
  VENV="$SPARK35_VENV" PY="$SPARK35_VENV/bin/python" ensure_venv test,spark35
  step "pytest tests/test_spark.py on Spark 3.5 / Scala 2.12 ($SPARK35_VENV)"
  # bigdl_reg.spark picks the 3.5_2.12 jars for pyspark 3.5 by itself
  (cd "$ROOT" && "$SPARK35_VENV/bin/python" -m pytest tests/test_spark.py -q)
}
