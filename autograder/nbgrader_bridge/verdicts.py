"""The runner's result for a submitted notebook, and the verdict of each hidden check cell.

Every hidden check cell of the source notebook stands for one grader test.  Its verdict comes from a
grading run of the submitted notebook: an earlier one (``AUTOGRADER_RESULTS`` names its output folder),
used only if its ``grading.json`` verifies under the course secret
(:meth:`autograder.results.SubmissionResult.from_signed_json`), belongs to that student and graded the
very same file; otherwise one made now in a confined worker.  A file that does not verify is refused
loudly: a warning on stderr, and a note in that student's check cells.  Under ``nbgrader autograde`` a
grading made now is said on stderr and written into that folder like ``grade`` writes it (the
student's folder, row of grades.csv, class summary).  So nbgrader's gradebook gets exactly the
runner's points, beside the manually graded answers, and agrees with grades/.
"""
import os
import sys
from pathlib import Path

from .. import packs, paths, secret
from ..grade.discover import student_name
from ..grade.messages import student_message, submission_cells
from ..results import SubmissionResult, UnsignedResult, file_sha256, read_grading
from ..wire.names import COURSE_ENV, RESULTS_ENV

_cache = {}
_earlier = None


def locate_submission(cwd=None):
    """``(student, notebook, pack)`` for a kernel's working directory.

    ``autograded/<student>/<assignment>`` maps to the submitted notebook of that assignment; any other
    folder (e.g. ``source/<id>`` under ``jupyter nbconvert --execute``) to its own notebook.
    The folder's name is the assignment's id, as in nbgrader's layout (another name: the default's).
    """
    cwd = Path(cwd or os.getcwd()).resolve()
    root = Path(os.environ.get(COURSE_ENV, paths.ROOT))
    pack = packs.load(cwd.name if cwd.name in packs.ids() else None)
    if cwd.parent.parent.name == "autograded":
        return cwd.parent.name, root / "submitted" / cwd.parent.name / cwd.name / pack.notebook.name, pack
    return cwd.name, cwd / pack.notebook.name, pack


def earlier_results():
    """``({student: result}, {student: why refused})`` of every ``grading.json`` under ``AUTOGRADER_RESULTS``.

    Read once, at the first call; each refused file is a warning line on stderr.
    """
    global _earlier
    if _earlier is None:
        folder = os.environ.get(RESULTS_ENV)
        found, refused = {}, {}
        for path in sorted(Path(folder).glob("*/grading.json")) if folder else []:
            try:
                found[path.parent.name] = read_grading(path)
            except UnsignedResult as err:
                refused[path.parent.name] = str(err)
                print(f"warning: {path} was refused: {err}; that submission is graded again in a confined worker",
                      file=sys.stderr, flush=True)
        _earlier = found, refused
    return _earlier


def _previous(name, notebook, pack):
    result = earlier_results()[0].get(name)
    try:
        return result if result and result.sha256 == file_sha256(notebook) and _assignment(result) == pack.id else None
    except ValueError:  # not a regular file: grading it now says why
        return None


def _assignment(result):
    """The assignment a result was graded for (results from before packs: the default)."""
    return (result.graded_with or {}).get("assignment") or packs.default_id()


def _grade_now(name, notebook, pack):
    """Grade one submission of ``pack`` now, confined as ``grade`` confines it; refused where nothing can confine it."""
    from ..grade.run import grade_submissions
    from ..worker import confinement
    mode = confinement.probe()
    if mode == "none":
        print(f"WARNING: {name}: not graded: {confinement.REFUSAL.split(';')[0]}; grade with `python -m "
              "autograder grade` first and pass its output folder as AUTOGRADER_RESULTS", file=sys.stderr)
        return SubmissionResult(name, str(notebook), error="not graded: " + confinement.REFUSAL.split(";")[0])
    with confinement.guard(mode, [secret.location()], top=str(paths.ROOT)) as notes:
        for note in notes:
            print(note, file=sys.stderr)
        return grade_submissions([(name, notebook)], workers=1, use_zygote=False, progress=False, pack=pack)[0]


def _why_now(name, pack):
    """Why a submission is graded now instead of taken from ``AUTOGRADER_RESULTS`` (one clause)."""
    folder = os.environ.get(RESULTS_ENV)
    found, refused = earlier_results()
    if not folder:
        return "AUTOGRADER_RESULTS is not set"
    if name in refused:
        return f"its result in {folder} was refused ({refused[name]})"
    if name not in found:
        return f"{folder} holds no result for it"
    if _assignment(found[name]) != pack.id:
        return f"{folder} holds its result for {_assignment(found[name])}, not {pack.id}"
    return f"the notebook is not the file {folder} graded (changed since)"


def _record(result, notebook, pack):
    """Write a result of ``pack`` graded now into ``AUTOGRADER_RESULTS`` as ``grade`` writes it, and say so on stderr."""
    folder = os.environ.get(RESULTS_ENV)
    where = "not written anywhere: AUTOGRADER_RESULTS names no grades folder"
    if folder and not result.error.startswith("not graded"):
        from ..grade import record
        record([result], folder, [(result.student, notebook)], pack)
        found = earlier_results()[0]
        found[result.student] = result  # the folder holds it now
        where = f"written to {folder}/{result.student}/ and its row of {folder}/grades.csv, as `grade` writes them"
    print(f"autograde: {result.student}: {result.score:g} / {result.max_score:g} autograded points, {where}",
          file=sys.stderr, flush=True)


def results_for(student, notebook, record=False, pack=None):
    """``(result, cells, refused)`` for ``notebook`` of nbgrader's ``student``, graded for ``pack`` (default:
    the course's default assignment).

    ``result``: its :class:`SubmissionResult`; ``cells``: the code the grader ran (grade_id -> code);
    ``refused``: why the earlier run's file for this student was refused, or "".  With ``record``
    (``nbgrader autograde``), a submission graded now is announced on stderr, with why, and written
    into ``AUTOGRADER_RESULTS`` like ``grade`` writes it, so grades/ and the gradebook agree.
    """
    pack = pack or packs.load()
    key = (student, str(notebook), pack.id)
    if key not in _cache:
        name = student_name(student)[0]  # the runner's folder for this student
        result = _previous(name, notebook, pack)
        if result is None:
            if record:
                print(f"autograde: {name}: {_why_now(name, pack)}: grading it now in a confined worker",
                      file=sys.stderr, flush=True)
            result = _grade_now(name, notebook, pack)
            if record:
                _record(result, notebook, pack)
        _cache[key] = result, submission_cells(notebook, result.sha256), earlier_results()[1].get(name, "")
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
    student, notebook, pack = locate_submission()
    result, cells, _ = results_for(student, notebook, pack=pack)
    passed, text = verdict(result, cells, test_name)
    if not passed:
        raise AssertionError(text)
    print(f"{test_name}: passed")
