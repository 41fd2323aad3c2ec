#!/usr/bin/env bash
# Set up everything this course toolkit needs, idempotently: Debian's Fashion-MNIST files (optional
# data for the outlier experiment), libseccomp2 (the worker's syscall filter) and chromium (the browser
# the formgrader test drives; Playwright never downloads one), the pinned Python environment in .venv/
# (MathJax for formgrader comes with it: jupyter-server-mathjax), and a Jupyter kernel.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg -s dataset-fashion-mnist libseccomp2 chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist libseccomp2 chromium) \
      || echo "warning: could not install dataset-fashion-mnist, libseccomp2 and chromium; without the first the" \
              "notebook skips the Fashion-MNIST morph, without the second the worker runs without its syscall" \
              "filter, without the third the formgrader browser test is skipped"
  else
    echo "note: run 'sudo apt-get install dataset-fashion-mnist libseccomp2 chromium' (the Fashion-MNIST outlier" \
         "experiment; the worker's syscall filter; the formgrader browser test)"
  fi
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q pip==26.3
.venv/bin/python -m pip install -q -r requirements.txt
echo "environment ready: .venv ($(.venv/bin/python -c 'import tensorflow as tf; print("TensorFlow", tf.__version__)' 2>/dev/null))"
