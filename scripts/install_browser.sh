#!/usr/bin/env bash
# Install what the browser test (tests/test_web.py) needs: Debian's chromium and the Playwright
# Python package in ./.venv. Playwright never downloads its own browser: the test launches
# /usr/bin/chromium (or $JOBMATCH_CHROMIUM). Safe to re-run; needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM="${JOBMATCH_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the pip package ships only the driver; we never run `playwright install`.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$PY" -m pip install -q --disable-pip-version-check "playwright>=1.45"
"$CHROMIUM" --version
"$PY" -m pip show playwright 2>/dev/null | sed -n "s/^Version: /playwright /p"
