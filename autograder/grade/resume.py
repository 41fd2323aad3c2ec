"""Grading a class again into the same folder: a student's earlier result is reused while it still holds.

It holds when ``<student>/grading.json`` verifies under the course key, every file of the student's
folder is there, it was graded from the same bytes (``sha256``) with the same grader version,
calibration and course key (:func:`autograder.version.graded_with`), and its grading did not fail (a
refused notebook is a result; a judge that crashed or ran out of time is graded again).  So an
interrupted run, run again, grades only the rest; a changed submission, grader, calibration or key
is graded again on its own.
"""
from pathlib import Path

from ..results import REFUSED, SubmissionResult, file_sha256
from ..version import graded_with
from .report import STUDENT_FILES
from .summary import plural


def earlier_result(folder, notebook, wanted):
    """The result in ``folder`` if it still holds for ``notebook`` graded with ``wanted``, else None."""
    folder = Path(folder)
    if folder.is_symlink() or not all((folder / name).is_file() for name in STUDENT_FILES):
        return None
    try:
        result = SubmissionResult.from_signed_json((folder / "grading.json").read_bytes())
        sha256 = file_sha256(notebook)
    except (OSError, ValueError, TypeError):  # unreadable, unsigned or forged, of another format; a refused file
        return None
    if result.error and not result.error.startswith(REFUSED):
        return None
    same = result.student == folder.name and result.sha256 == sha256 and result.graded_with == wanted
    return result if same else None


def earlier_results(submissions, out_dir, force=False, pack=None):
    """``{student: result}`` of the ``[(student, notebook)]`` whose result in ``out_dir`` still holds
    (none with ``force``); ``pack``: their assignment (default: the course's default)."""
    if force:
        return {}
    wanted = graded_with(pack)
    found = {student: earlier_result(Path(out_dir, student), nb, wanted) for student, nb in submissions}
    return {student: result for student, result in found.items() if result}


def reused_line(reused, total):
    """What the console and the summary say of ``reused`` results (of ``total`` students)."""
    return (f"{reused} of {plural(total, 'result')} reused from an earlier run into this folder (the same "
            f"submission, grader version, calibration and course key); --force grades them again")
