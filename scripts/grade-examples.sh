#!/usr/bin/env bash
# The main job on a fresh machine: set everything up, then grade the bundled example submissions.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
python -m autograder examples --out grading-output "$@"
