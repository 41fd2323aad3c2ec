"""Shared test helpers: the repository root, the venv's tools, a scratch nbgrader course."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def run_tool(*args, cwd, timeout=600, env=None):
    """Run a command with the venv's bin first on PATH (nbgrader calls alembic by name)."""
    full_env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {}))
    return subprocess.run(list(map(str, args)), cwd=cwd, env=full_env, timeout=timeout,
                          capture_output=True, text=True)


@pytest.fixture
def course(tmp_path):
    """A throwaway course directory with this repository's config and source."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "source", tmp_path / "source")
    return tmp_path
