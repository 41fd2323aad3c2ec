"""Hidden autograder checks inside nbgrader: what the source notebook's hidden test cells call.

During ``nbgrader autograde`` each hidden cell calls :func:`check` with one grader test.  The first call
in a kernel obtains the submission's result: from a previous grading run (``AUTOGRADER_RESULTS``
names its output folder; used only if it graded the very same file), otherwise by grading the
submitted notebook now in a confined worker.  So nbgrader's gradebook gets exactly the runner's points,
and formgrader and ``nbgrader export`` show them beside the manually graded cells.
"""
import json
import os
from pathlib import Path

from . import paths
from .results import file_sha256
from .wire.names import COURSE_ENV, RESULTS_ENV
_cache = {}


def locate_submission(cwd=None):
    """``(student, notebook)`` for the notebook being autograded (cwd: autograded/<student>/<assignment>)."""
    cwd = Path(cwd or os.getcwd()).resolve()
    root = Path(os.environ.get(COURSE_ENV, paths.ROOT))
    if cwd.parent.parent.name == "autograded":
        submitted = root / "submitted" / cwd.parent.name / cwd.name / f"{paths.ASSIGNMENT}.ipynb"
        return cwd.parent.name, submitted
    return cwd.name, cwd / f"{paths.ASSIGNMENT}.ipynb"  # e.g. the source notebook run by nbgrader validate


def _previous(student, notebook):
    folder = os.environ.get(RESULTS_ENV)
    path = Path(folder, student, "grading.json") if folder else None
    if path and path.exists():
        data = json.loads(path.read_text())
        if data.get("sha256") == file_sha256(notebook):
            return {t["name"]: t for t in data["tests"]}
    return None


def results_for(student, notebook):
    key = (student, str(notebook))
    if key not in _cache:
        found = _previous(student, notebook)
        if found is None:
            from .grade.run import grade_submissions
            result = grade_submissions([(student, notebook)], workers=1, use_zygote=False, progress=False)[0]
            found = {t.name: {"passed": t.passed, "message": t.message} for t in result.tests}
        _cache[key] = found
    return _cache[key]


def check(test_name):
    """Pass if the hidden grader test passed for this submission; else fail with its message."""
    student, notebook = locate_submission()
    result = results_for(student, notebook).get(test_name)
    if result is None:
        raise AssertionError(f"{test_name}: no result (grading did not reach it)")
    if not result["passed"]:
        raise AssertionError(result["message"])
    print(f"{test_name}: passed")
