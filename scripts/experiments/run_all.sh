#!/usr/bin/env bash
# Runs every experiment of docs/RESULTS.md and regenerates docs/results/ (tables, summary,
# plots) from scratch. Needs the build (scripts/setup.sh). --resume keeps the simulations an
# interrupted run finished (runs/experiments/); only safe with the same build.
#   scripts/experiments/run_all.sh [--jobs N] [--resume]
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x build/npusim ]] || { echo "run_all.sh: build/npusim missing; run scripts/setup.sh first" >&2; exit 2; }
exec /usr/bin/python3 scripts/experiments/run_all.py "$@"
