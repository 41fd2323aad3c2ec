"""Shared test helpers: the repository root, the venv's tools, a scratch nbgrader course, the calibration run."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
#: The tests grade with a course secret of their own, committed: the judge's data, probes and seeds (and
#: so every fixture's verdict) are the same on every machine.  A course makes its own on first use.
TEST_SECRET = ROOT / "tests" / "fixtures" / "course-secret-for-tests"
os.environ["NICE_COURSE_SECRET"] = str(TEST_SECRET)


def run_tool(*args, cwd, timeout=600, env=None):
    """Run a command with the venv's bin first on PATH (nbgrader calls alembic by name)."""
    full_env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {}))
    return subprocess.run(list(map(str, args)), cwd=cwd, env=full_env, timeout=timeout,
                          capture_output=True, text=True)


def timeless(results_json):
    """A results.json text without its one timing (``execution_time``): what two gradings of a file share."""
    return re.sub(r'\n "execution_time": [0-9.e+-]+,', "", results_json, count=1)


def printed(nb):
    """Everything the code cells of a notebook (its JSON, as loaded) printed, as one string."""
    parts = (o.get("text", "") for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def copy_checkout(target):
    """Copy the files git tracks (as they are in the working tree) to ``target``; link the venv."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


@pytest.fixture
def checkout(tmp_path):
    """A scratch copy of this repository, to run commands that write into it."""
    return copy_checkout(tmp_path)


@pytest.fixture
def course(tmp_path):
    """A throwaway course directory with this repository's config and source."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "source", tmp_path / "source")
    return tmp_path


def run(command, cwd, timeout, env=None):
    """``command`` through bash, the way a reader pastes it (the venv's bin first on PATH where the
    README activated it before)."""
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, timeout=timeout,
                          capture_output=True, text=True)


def _activated(env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AUTOGRADER_", "NICE_"))}
    return dict(base, PATH=f"{BIN}:{base.get('PATH', '')}", **(env or {}))


#: The README's calibration command.
CALIBRATE = "python -m autograder calibrate"


@pytest.fixture(scope="session")
def calibrated(tmp_path_factory):
    """``(checkout, process)``: the README's calibration command, run once per session under the tests'
    key in a scratch copy.  It grades the whole bank, so the bank's tests read its results
    (build/calibration/graded.json) when the session runs it, instead of grading the bank again."""
    target = copy_checkout(tmp_path_factory.mktemp("calibrate"))
    return target, run(CALIBRATE, target, timeout=3600, env=_activated({"NICE_COURSE_SECRET": str(TEST_SECRET)}))


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory):
    """``(out, {student: result})``: the bundled examples graded once per session, two at a time, into out."""
    from autograder import paths
    from autograder.grade import main as grade_main

    out = tmp_path_factory.mktemp("grading-output")
    results = grade_main([str(paths.EXAMPLES)], str(out), workers=2, progress=False)
    return out, {r.student: r for r in results}
