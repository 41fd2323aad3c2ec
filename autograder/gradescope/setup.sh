#!/usr/bin/env bash
# Gradescope image set-up: Python 3.11 and the pinned packages, in /autograder/venv.
# Python itself goes to /autograder/python (not root's 0700 home): the sandbox uids must read it.
set -euo pipefail
cd /autograder/source
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip python3-venv util-linux libseccomp2 dataset-fashion-mnist || true
python3 -m pip install -q uv==0.13.9 || python3 -m pip install -q --break-system-packages uv==0.13.9
export UV_PYTHON_INSTALL_DIR=/autograder/python
python3 -m uv venv --python 3.11 /autograder/venv
python3 -m uv pip install --python /autograder/venv/bin/python -r requirements.txt
chmod -R a+rX /autograder/python /autograder/venv 2>/dev/null || true
