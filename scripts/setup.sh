#!/usr/bin/env bash
# Create ./.venv (Python 3.11) and install the project. Safe to re-run.
#   bash scripts/setup.sh          # the service and CLI
#   bash scripts/setup.sh test     # + what the test suite needs (pytest, httpx, Ray, Playwright's Python package)
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${1:-}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "jobmatch needs Python 3.11 (torch==2.13.0 CPU build); set PYTHON=/path/to/python3.11")'
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# torch==2.13.0 is pinned in pyproject.toml (the CPU build; another version would pull a multi-GB CUDA build).
LOG=$(mktemp)
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}" >"$LOG" 2>&1; then
  grep -v "is ignored: it is neither a file nor a directory" "$LOG" >&2 || true
  echo "setup: pip install failed (log above)" >&2
  exit 1
fi
rm -f "$LOG"
.venv/bin/python -c "import matcher, index, api, faiss, torch, sentence_transformers"
