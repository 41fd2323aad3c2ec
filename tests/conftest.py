"""Shared test helpers: the repository root, the venv's tools, a scratch nbgrader course, and the runs that
several test modules check (the README's main job, the banks' grading run)."""
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
os.environ["AUTOGRADER_COURSE_SECRET"] = str(TEST_SECRET)


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


@pytest.fixture(scope="session")
def main_job(request, tmp_path_factory):
    """``(checkout, process)``: the README's main job (set up, then grade the bundled examples into
    grading-output/) under the tests' key in a scratch copy, once per session: tests/test_readme.py checks
    what it prints, tests/test_grading.py what it wrote."""
    _shared_by_listed_modules(request, "main_job")
    target = copy_checkout(tmp_path_factory.mktemp("main-job"))
    return target, run("bash scripts/grade-examples.sh", target, timeout=1800,
                       env=_activated({"AUTOGRADER_COURSE_SECRET": str(TEST_SECRET)}))


@pytest.fixture(scope="session")
def graded_examples(main_job):
    """``(out, {student: result})``: the bundled examples as the README's main job graded them into out,
    two at a time, once per session (tests/test_grading.py checks them; tests/test_interrupted_grading.py
    compares stopped and resumed runs with them)."""
    from autograder.results import SubmissionResult

    checkout, proc = main_job
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = checkout / "grading-output"
    return out, {p.parent.name: SubmissionResult.from_signed_json(p.read_text()) for p in out.glob("*/grading.json")}


@pytest.fixture(scope="session")
def graded_banks(request):
    """A :class:`grading_watch.WatchedRun` of every bank submission that the session's tests grade, in one
    run, two at a time, as a class is graded: each test module lists what its selected tests need
    (``to_grade(items)``: tests/test_submission_banks.py, tests/test_hostile_bank.py)."""
    _shared_by_listed_modules(request, "graded_banks")
    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    from grading_watch import grade_watched
    from make_hostile import FORKER_NAME
    items = request.session.items
    modules = sorted({item.module for item in items}, key=lambda module: module.__name__)
    wanted = [sub for module in modules for sub in getattr(module, "to_grade", lambda _: [])(items)]
    # the hostile ones first (in their bank's order): some run until a limit stops them, and started last
    # they would keep one core busy after the other has finished
    wanted.sort(key=lambda sub: not sub[0].startswith("hostile_"))
    return grade_watched(wanted, FORKER_NAME)


#: Session fixtures whose one run several test modules share -> those modules.  With -n 2 the suite runs on two
#: pytest-xdist workers, a module's tests on one worker (its module-scoped fixtures run once),
#: and the modules of one shared run on one worker too (the run happens once).  Each shared fixture checks
#: the map against the modules that use it (:func:`_shared_by_listed_modules`).
SHARED_RUNS = {"graded_banks": ("tests/test_hostile_bank.py", "tests/test_submission_banks.py"),
               "main_job": ("tests/test_grading.py", "tests/test_interrupted_grading.py", "tests/test_readme.py")}
GROUP_OF = {module: run for run, modules in SHARED_RUNS.items() for module in modules}


def pytest_xdist_make_scheduler(config, log):
    """xdist's scheduling by module, with the modules of one shared run as one unit (:data:`SHARED_RUNS`)."""
    from xdist.scheduler import LoadScopeScheduling

    class ByModuleAndRun(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return GROUP_OF.get(module, module)

    return ByModuleAndRun(config, log)


def _shared_by_listed_modules(request, name):
    """Fail unless every module whose tests use the session fixture ``name`` is listed in :data:`SHARED_RUNS`
    (another module would run on another xdist worker and start the run a second time)."""
    users = {str(Path(item.path).relative_to(ROOT)) for item in request.session.items if name in item.fixturenames}
    unlisted = users - set(SHARED_RUNS[name])
    assert not unlisted, f"add {sorted(unlisted)} to SHARED_RUNS[{name!r}] in tests/conftest.py"
