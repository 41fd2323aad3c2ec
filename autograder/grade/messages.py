"""What a student reads of a failed check: plain text, their own lines, none of the grader's internals.

A check's message (written by ``judge.facade``) is one line saying what was called and what came back;
for an exception in the student's code, one line per frame of their cells follows
(``  <cell ID>, line N, in FUNC: CODE``, CODE empty: the cells are compiled from strings).  The judge
also appends the notebook's problems to every failed check (after :data:`autograder.results.NOTES`): reports say those once,
at the top (:func:`notebook_notes`), and :func:`student_message` removes them from each check.
In Markdown, text from a submission is shown literally (:func:`md_literal`, :func:`md_escape`).
Every text from a submission that any output shows passes :func:`visible` first (feedback, the
summary, the console, the similarity report, nbgrader's feedback): one sanitizer for all of them.
"""
import functools
import re

from .. import paths
from ..notebook import assemble, read_notebook
from ..results import NOTES, file_sha256

#: Terminal escape sequences, 7- and 8-bit: CSI (colours, cursor moves), OSC (window titles, clipboard
#: writes, links), DCS/SOS/PM/APC strings up to their terminator (or the end), and two-character escapes.
_ESCAPES = re.compile(r"""
    (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]                                # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)    # OSC, DCS, SOS, PM, APC
  | \x1b [ -/]* [0-~]                                                 # any other escape
  | \x1b$                                                             # a lone ESC at the end
""", re.X | re.S)
#: Characters that change how the text around them is shown: every control character but newline and
#: tab, and the bidirectional overrides, embeddings, isolates and marks (a line that reads as one thing
#: and is another), and the Unicode line and paragraph separators.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_FRAME = re.compile(r"^\s*<cell (?P<cell>[^>]+)>, line (?P<line>\d+), in (?P<func>[^:]*):\s?(?P<code>.*)$")


def _shown(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def visible(text):
    """``text`` as any output may show it: terminal escape sequences removed (Keras wraps parts of its
    messages in colour codes), every other control character but newline and tab, and every bidi
    control, shown as an escape (``\\x07``, ``<U+202E>``); a carriage return (which would let a line
    overwrite itself: progress bars, or "score: 0\\rscore: 38") starts a new line."""
    text = _ESCAPES.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    return _INVISIBLE.sub(_shown, text)


def md_literal(text):
    """``text`` as a Markdown code block: shown exactly, whatever it holds (headings, HTML, fences).

    The fence is longer than any run of backticks in ``text``, so the text cannot close it.
    """
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return [fence + "text", text, fence]


def md_escape(text):
    """``text`` as literal inline Markdown: every ASCII punctuation character backslash-escaped, one line."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", " ".join(text.splitlines()))


@functools.lru_cache(maxsize=1)
def _source_cells():
    """grade_id -> (whether students write it, its source) for the source notebook's code cells."""
    try:
        nb = read_notebook(paths.SOURCE_NOTEBOOK)
    except (OSError, ValueError):
        return {}
    return {c["metadata"]["nbgrader"]["grade_id"]: (bool(c["metadata"]["nbgrader"].get("solution")), "".join(c["source"]))
            for c in nb["cells"] if c["cell_type"] == "code" and "grade_id" in c["metadata"].get("nbgrader", {})}


def cell_label(grade_id):
    """A cell as a student finds it in the notebook (students never see cell ids): "your cell with
    CouplingLayer", "the given cell with make_shift_network, CouplingLayerBase", "the given cell "The scale
    must be a tracked weight, or it is never trained."" (its first comment), "the given cell starting "import
    os"" (its first line); "cell 'ID'" for a cell the source does not have."""
    solution, source = _source_cells().get(grade_id, (None, ""))
    names = re.findall(r"^(?:class|def)\s+([A-Za-z]\w*)", source, flags=re.M)
    comment = next((line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#")), "")
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if solution is None or not first:
        return f"cell '{grade_id}'"
    owner = "your cell" if solution else "the given cell"
    return (f"{owner} with {', '.join(names)}" if names else f'{owner} "{comment}"' if comment
            else f'{owner} starting "{first}"')


def notebook_notes(worker, error=""):
    """The submission's problems, each said once: grading trouble, missing or retyped cells, cells that failed.

    Args:
        worker: a result's ``worker`` record (``problems``: grade_id -> text, ``load_status``:
            grade_id -> "ok" or the exception the cell raised when run).
        error: the result's grading error, if any (its first line is kept).
    """
    worker = worker or {}
    notes = [f"grading problem: {error.splitlines()[0]}"] if error else []
    notes += list(worker.get("problems", {}).values())
    notes += [f"{cell_label(gid)} failed when run: {status}"
              for gid, status in worker.get("load_status", {}).items() if status != "ok"]
    return [visible(note) for note in notes]


def submission_cells(notebook, sha256=""):
    """grade_id -> code of the cells the grader ran for ``notebook`` ({} if it is gone or has changed)."""
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
    student's code becomes ``in <the cell's label>, line N, in FUNC:`` (:func:`cell_label`) followed by that line of their code
    (taken from ``cells``, grade_id -> code, when the frame does not carry it).
    """
    text = visible(message or "").rstrip()
    if NOTES in text and notebook_notes(worker):
        text = text[:text.rindex(NOTES)]
    first, *rest = text.splitlines() or [""]
    lines = [first.removeprefix("AssertionError: ")]
    for line in rest:
        if line.startswith("assert "):
            break  # pytest's introspection of the grader's assert (and its "+ where" lines) follows
        frame = _FRAME.match(line)
        if not frame:
            lines.append(line)
            continue
        code = frame["code"].strip() or _line_of(cells, frame["cell"], int(frame["line"]))
        lines.append(f"  in {cell_label(frame['cell'])}, line {frame['line']}, in {frame['func']}:")
        if code:
            lines.append(f"      {code}")
    return "\n".join(lines)
