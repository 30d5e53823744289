#!/usr/bin/env bash
# Set up (./scripts/setup.sh) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/install_browser.sh >/dev/null   # Debian chromium for tests/test_web.py (no browser download)
exec .venv/bin/python -m pytest "$@"
