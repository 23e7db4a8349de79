# Shared by bin/setup, bin/test and bin/demo (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BIGDL_REG_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
export BIGDL_REG_CLASSPATH_FILE="${BIGDL_REG_CLASSPATH_FILE:-$ROOT/scala/interop/target/classpath.txt}"

step() { printf '\n==> %s\n' "$*" >&2; }

# A virtualenv with the package installed editable; reinstalled only when
# pyproject.toml changes (a stamp holds its hash), so warm runs cost nothing.
ensure_venv() {
  local stamp="$VENV/.bigdl-reg-installed" want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [[ -x "$PY" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  step "Python environment in $VENV (pip install -e .[test,docs,examples])"
  command -v python3 >/dev/null || { echo "python3 not found: install Python 3.9+" >&2; exit 127; }
  [[ -x "$PY" ]] || python3 -m venv "$VENV"
  "$PY" -m pip install --disable-pip-version-check -q -e "$ROOT[test,docs,examples]"
  echo "$want" > "$stamp"
}

# The engine jar in the local Ivy repository (for sbt users) and the gateway
# classpath the Python package starts the JVM with. Extra sbt commands may be
# passed so one sbt start does everything.
build_jars() {
  step "Scala engine and gateway (sbt; the first run fetches sbt and Scala from Maven Central, 2-5 min)"
  "$ROOT/bin/sbt" "$@" core/publishLocal interop/writeClasspath
}
