"""What a student reads of a failed check: plain text, their own lines, none of the grader's internals.

A check's message (written by ``judge.facade``) is one line saying what was called and what came back;
for an exception in the student's code, one line per frame of their cells follows
(``  <cell KEY>, line N, in FUNC: CODE``, CODE empty: the cells are compiled from strings); students
never see keys (nbgrader ids): each cell is named by what it defines (:func:`autograder.notes.cell_label`).
The judge also appends the notebook's problems to every failed check (after :data:`autograder.results.NOTES`):
reports say those once, at the top (:func:`autograder.notes.notebook_notes`), and :func:`student_message`
removes them from each check.
In Markdown, text from a submission is shown literally (:func:`md_literal`, :func:`md_escape`).
Every text from a submission that any output shows passes :func:`visible` first (feedback, the
summary, the console, the similarity report, nbgrader's feedback): one sanitizer for all of them.
"""
import re

from ..notebook import assemble
from ..notes import cell_label, notebook_notes, visible
from ..results import NOTES, file_sha256
from ..wire.cells import FRAME



def md_literal(text):
    """``text`` as a Markdown code block: shown exactly, whatever it holds (headings, HTML, fences).

    The fence is longer than any run of backticks in ``text``, so the text cannot close it.
    """
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return [fence + "text", text, fence]


def md_escape(text):
    """``text`` as literal inline Markdown: every ASCII punctuation character backslash-escaped, one line."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", " ".join(text.splitlines()))


def submission_cells(notebook, sha256=""):
    """key -> code of the cells the grader ran for ``notebook`` ({} if it is gone or has changed)."""
    try:
        digest = file_sha256(notebook)  # refuses anything but a regular file
        if sha256 and digest != sha256:
            return {}
        return {c["grade_id"]: c["code"] for c in assemble(notebook).cells}
    except (OSError, ValueError):
        return {}


def _line_of(cells, cell, number):
    lines = (cells or {}).get(cell, "").splitlines()
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def student_message(message, worker=None, cells=None):
    """``message`` as a student should read it.

    Escape sequences go and control characters show (:func:`visible`); the notebook notes the judge appended go (when ``worker`` has notes to show at
    the top); pytest's rendering of the grader's own ``assert`` expression goes; each frame of the
    student's code becomes ``in <the cell in their terms>, line N, in FUNC:`` (:func:`cell_label`)
    followed by that line of their code (taken from ``cells``, key -> code, when the frame does not carry it).
    """
    text = visible(message or "").rstrip()
    if NOTES in text and notebook_notes(worker):
        text = text[:text.rindex(NOTES)]
    first, *rest = text.splitlines() or [""]
    lines = [first.removeprefix("AssertionError: ")]
    for line in rest:
        if line.startswith("assert "):
            break  # pytest's introspection of the grader's assert (and its "+ where" lines) follows
        frame = FRAME.match(line)
        if not frame:
            lines.append(line)
            continue
        code = frame["code"].strip() or _line_of(cells, frame["cell"], int(frame["line"]))
        lines.append(f"  in {cell_label(worker, frame['cell'])}, line {frame['line']}, in {frame['func']}:")
        if code:
            lines.append(f"      {code}")
    return "\n".join(lines)
