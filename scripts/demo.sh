#!/usr/bin/env bash
# The main job (make demo). See scripts/demo.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/demo.py
