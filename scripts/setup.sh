#!/usr/bin/env bash
# Create ./.venv (Python 3.11) and install the project with its test extras. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# torch==2.13.0 is pinned in pyproject.toml (the CPU build; another version would pull a multi-GB CUDA build).
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test${JOBMATCH_EXTRAS:+,$JOBMATCH_EXTRAS}]" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" || true
.venv/bin/python -c "import matcher, index, api" 
