"""Hidden check cells are judged outside the student's kernel (autograde step, around ``Execute``).

A hidden check cell stands for one grader test (see :mod:`autograder.hidden_cells`).  Run in the
student's kernel, its verdict would be at the mercy of the submission's code, which runs first in the
same process (it could put a ``check`` that always passes into ``sys.modules``).  So:

* :class:`ClearHiddenChecks` (before ``Execute``, so before any of the submission's code runs) takes
  the grading runner's result for the submitted notebook (:func:`autograder.nbgrader_bridge.results_for`)
  into the conversion's resources, and leaves each check cell what the release shows: its description
  line.  The kernel runs a comment.
* :class:`RecordHiddenChecks` (after ``Execute``, before ``SaveAutoGrades``) gives each check cell that
  result's verdict (:func:`autograder.nbgrader_bridge.verdict`): ``passed`` on stdout, or an error whose
  only line is the message a student can use.  nbgrader scores a grade cell with an error 0 and one
  without its points, so the gradebook holds the runner's points.  The submission's problems (missing
  cells, cells that failed) are said once, under the heading above the checks.

nbgrader's kernel itself is not confined: what it runs can write wherever the instructor can.  The
runner's own outputs (``grades.csv``, ``results.json``), made in confined workers, are the record.
"""
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import nbgrader_bridge
from ..grade.messages import notebook_notes
from ..hidden_cells import HEADER_ID, cell_id, is_check_cell
from . import release_source


RESULT = "autograder_result"  # the key of (SubmissionResult, cells) in a conversion's resources


class ClearHiddenChecks(NbGraderPreprocessor):
    """Take the runner's result now; each hidden check cell becomes its description line for the kernel."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        coursedir = CourseDirectory(parent=self)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]),
                         f"{info['notebook']}.ipynb")
        resources[RESULT] = nbgrader_bridge.results_for(info["student"], submitted)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if is_check_cell(cell):
            cell.source = release_source(cell, cell.source, self, resources)
        return cell, resources


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


class RecordHiddenChecks(NbGraderPreprocessor):
    """Each hidden check cell's output is the runner's verdict for the submitted notebook."""

    def preprocess(self, nb, resources):
        if RESULT not in resources:
            raise RuntimeError("RecordHiddenChecks needs ClearHiddenChecks before Execute (nbgrader_config.py)")
        self._result, self._cells = resources[RESULT]
        self._tests = {cell_id(t.name): t.name for t in self._result.tests}
        notes = notebook_notes(self._result.worker, self._result.error)
        for cell in nb.cells:
            if notes and _grade_id(cell) == HEADER_ID:
                cell.source += ("\n\n**Problems with your notebook** (they can make several checks below fail):\n\n"
                                + "\n".join(f"- {n}" for n in notes))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if not is_check_cell(cell):
            return cell, resources
        name = self._tests.get(_grade_id(cell))
        if name is None:
            passed, text = False, "this check has no grader test (python -m autograder hidden-cells updates the cells)"
        else:
            passed, text = nbgrader_bridge.verdict(self._result, self._cells, name)
        cell.outputs = [new_output("stream", name="stdout", text="passed\n") if passed else
                        new_output("error", ename="CheckFailed", evalue=text, traceback=[f"failed: {text}"])]
        return cell, resources
