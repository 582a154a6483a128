#!/usr/bin/env bash
# The whole test suite, as CI runs it: install, exported code in sync and notebooks clean,
# every notebook's tests, the docs site built offline and checked in headless Chromium, and JupyterLab driven
# in Chromium (tests/test_browser.py: explorers and a player from a fresh kernel; screenshots in test-artifacts/browser/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh dev
# Debian tools the tests use: chromium (docs browser check). CI runs as root and installs them;
# elsewhere a missing tool makes the test that needs it say so by name.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is not installed; the docs and JupyterLab browser checks will be skipped (apt-get install chromium)"
  fi
fi
.venv/bin/python tools/check_sync.py
.venv/bin/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider tests "$@"
