"""Hidden autograder checks inside nbgrader: the verdict of each hidden check cell.

Every hidden check cell of the source notebook stands for one grader test.  Its verdict comes from a
grading run of the submitted notebook: an earlier one (``AUTOGRADER_RESULTS`` names its output folder;
used only if it graded the very same file), otherwise one made now in a confined worker.  So nbgrader's
gradebook gets exactly the runner's points, beside the manually graded answers.

* ``nbgrader autograde`` with the course config asks for :func:`verdict` from outside the student's
  kernel (:mod:`autograder.nbgrader_ext.hidden_checks`), so nothing a submission does in its kernel
  can change a verdict.
* A kernel that runs the source notebook itself (``nbgrader validate``, ``jupyter nbconvert --execute``)
  reaches :func:`check` from the cell's hidden region.
"""
import json
import os
from pathlib import Path

from . import paths
from .grade.messages import student_message, submission_cells
from .results import SubmissionResult, file_sha256
from .wire.names import COURSE_ENV, RESULTS_ENV

_cache = {}
_earlier = None


def locate_submission(cwd=None):
    """``(student, notebook)`` for a kernel's working directory.

    ``autograded/<student>/<assignment>`` (nbgrader autograde) maps to the submitted notebook; any other
    folder (e.g. ``source/assignment07`` under ``nbgrader validate``) to its own assignment notebook.
    """
    cwd = Path(cwd or os.getcwd()).resolve()
    root = Path(os.environ.get(COURSE_ENV, paths.ROOT))
    if cwd.parent.parent.name == "autograded":
        submitted = root / "submitted" / cwd.parent.name / cwd.name / f"{paths.ASSIGNMENT}.ipynb"
        return cwd.parent.name, submitted
    return cwd.name, cwd / f"{paths.ASSIGNMENT}.ipynb"


def _earlier_results():
    """Every ``grading.json`` under ``AUTOGRADER_RESULTS`` by student, read once, at the first call.

    In ``nbgrader autograde`` that is before the first submission's kernel starts, so no submission's
    code can change a result it is later judged by.
    """
    global _earlier
    if _earlier is None:
        folder = os.environ.get(RESULTS_ENV)
        found = sorted(Path(folder).glob("*/grading.json")) if folder else []
        _earlier = {path.parent.name: json.loads(path.read_text()) for path in found}
    return _earlier


def _previous(student, notebook):
    data = _earlier_results().get(student)
    if data and data.get("sha256") == file_sha256(notebook):
        return SubmissionResult.from_dict(data)
    return None


def results_for(student, notebook):
    """``(result, cells)`` for ``notebook``: its :class:`SubmissionResult` and the code the grader ran."""
    key = (student, str(notebook))
    if key not in _cache:
        result = _previous(student, notebook)
        if result is None:
            from .grade.run import grade_submissions
            result = grade_submissions([(student, notebook)], workers=1, use_zygote=False, progress=False)[0]
        _cache[key] = result, submission_cells(notebook)
    return _cache[key]


def verdict(result, cells, test_name):
    """``(passed, text)`` of one grader test: "passed", or the failure as the student should read it."""
    test = next((t for t in result.tests if t.name == test_name), None)
    if test is None:
        return False, f"{test_name}: no result (grading did not reach it)"
    if test.passed:
        return True, "passed"
    return False, student_message(test.message, result.worker, cells)


def check(test_name):
    """Pass if the hidden grader test passed for this kernel's notebook; else fail with its message."""
    student, notebook = locate_submission()
    passed, text = verdict(*results_for(student, notebook), test_name)
    if not passed:
        raise AssertionError(text)
    print(f"{test_name}: passed")
