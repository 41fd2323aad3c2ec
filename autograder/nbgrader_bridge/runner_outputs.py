"""Every output of an autograded notebook comes from the grading runner (autograde step, instead of ``Execute``).

nbgrader's ``Execute`` would run the submission in a kernel as the instructor, unconfined: a solution
cell could write the gradebook, the course folders or the runner's verdict files.  No graded cell
needs that kernel (the hidden check cells are judged by the runner; the written answers are marked by
hand), so :class:`RunnerOutputs` starts none, and no code of the submission runs during ``autograde``:

* the submission is graded for the assignment nbgrader autogrades (its pack: :func:`autograder.packs.load`);
* each hidden check cell keeps what the release shows (its description line) and gets the runner's
  verdict (:func:`.verdicts.verdict`): ``passed`` on stdout, or an error whose only line is the message
  a student can use.  nbgrader scores a grade cell with an error 0 and one without its points, so the
  gradebook holds the runner's points.  When the earlier run's file for the student was refused
  (:func:`.verdicts.results_for`), each check cell says so first; a submission graded now is written
  into that folder too;
* each solution code cell gets what the runner's worker reported when it ran that cell: ``ok``, or the
  error it raised (its load status; for a solution split over cells, the first error of any of them);
  other code cells get no output (:mod:`.match_cells` has given every cell the id the runner found it by);
* the submission's problems and notes (missing or ambiguous cells, cells found by what they define,
  helpers taken from added cells, cells that failed) are said once, under the heading above the checks,
  as a code block (shown literally, never rendered as Markdown or HTML), exactly as ``grade``'s feedback.
"""
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import packs
from ..grade.messages import md_literal
from ..notes import notebook_notes, visible
from . import verdicts
from .cells import HEADER_ID, cell_id, is_check_cell, release_source

RAN_OK = "This cell ran without error when the autograder graded your notebook.\n"


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


class RunnerOutputs(NbGraderPreprocessor):
    """Give every code cell the runner's outputs for the submitted notebook; run nothing."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        coursedir = CourseDirectory(parent=self)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]),
                         f"{info['notebook']}.ipynb")
        self._result, self._cells, self._refused = verdicts.results_for(info["student"], submitted, record=True,
                                                                        pack=packs.load(info["assignment"]))
        self._tests = {cell_id(t.name): t.name for t in self._result.tests}
        notes = notebook_notes(self._result.worker, self._result.error)
        for cell in nb.cells:
            if notes and _nbgrader(cell).get("grade_id") == HEADER_ID:
                cell.source += ("\n\n**Problems with your notebook** (they can make several checks below fail):\n\n"
                                + "\n".join(md_literal("\n".join(f"- {n}" for n in notes))))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        cell.outputs, cell.execution_count = [], None
        if is_check_cell(cell):
            cell.source = release_source(cell, cell.source, self, resources)
            cell.outputs = self._verdict(cell)
        elif _nbgrader(cell).get("solution"):
            status = self._status(_nbgrader(cell).get("grade_id"))
            if status == "ok":
                cell.outputs = [new_output("stream", name="stdout", text=RAN_OK)]
            elif status:
                status = visible(status)
                cell.outputs = [new_output("error", ename="CellFailed", evalue=status, traceback=status.splitlines())]
        return cell, resources

    def _status(self, gid):
        """The load status of a solution (the first error of any of its cells, for one split over several)."""
        found = [status for key, status in self._result.worker.get("load_status", {}).items()
                 if key == gid or key.startswith(f"{gid}+")]
        return next((status for status in found if status != "ok"), found[0] if found else None)

    def _verdict(self, cell):
        name = self._tests.get(_nbgrader(cell).get("grade_id"))
        if name is None:
            passed, text = False, "this check has no grader test (python -m autograder hidden-cells updates the cells)"
        else:
            passed, text = verdicts.verdict(self._result, self._cells, name)
        note = [new_output("stream", name="stdout", text=f"note: the grading run's result for this notebook was refused "
                                                         f"({self._refused}); it was graded again now\n")] if self._refused else []
        return note + [new_output("stream", name="stdout", text="passed\n") if passed else
                       new_output("error", ename="CheckFailed", evalue=text, traceback=[f"failed: {text}"])]
