#!/usr/bin/env bash
# Install layernb into ./.venv (created if missing) with the pinned set in requirements/ci.txt.
# Usage: bash tools/install.sh [EXTRAS]   e.g. EXTRAS=dev for the test suite and docs.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=${1:-}
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
spec="."; [ -n "$extras" ] && spec=".[${extras}]"
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/ci.txt -e "$spec"
