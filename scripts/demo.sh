#!/usr/bin/env bash
# Set up, ingest the bundled sample of real postings into ./jobmatch-data, and serve on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export JOBMATCH_DATA_DIR="${JOBMATCH_DATA_DIR:-./jobmatch-data}"
.venv/bin/jobmatch ingest data/sample/postings.jsonl
echo "Open http://127.0.0.1:${PORT:-8000}/docs  (Ctrl-C to stop)"
exec .venv/bin/jobmatch serve --host 127.0.0.1 --port "${PORT:-8000}"
