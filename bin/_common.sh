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

# The engine jar in the local Ivy repository (for sbt users) and the gateway
# classpath the Python package starts the JVM with. Extra sbt commands may be
# passed so one sbt start does everything.
build_jars() {
  step "Scala engine and gateway (sbt; the first run fetches sbt and Scala from Maven Central, 2-5 min)"
  "$ROOT/bin/sbt" "$@" core/publishLocal interop/writeClasspath
}
