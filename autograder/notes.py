"""What a student reads about their notebook as a whole, said once above the checks, and what the
instructor should look at in it.

The judge appends the same notes to a failed check's message (after :data:`autograder.results.NOTES`);
reports show them once at the top (:mod:`autograder.grade.messages`).  Students never see nbgrader ids:
each cell is named by what it defines (:func:`cell_label`).  Every text from a submission that any
output shows passes :func:`visible` first: one sanitizer for all of them.
"""
import re

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
#: How each kind of note on a notebook (:attr:`Match.notes` of the pack's cells module; "problem": any problem) is summed up
#: for the instructor (grades.csv, the class summary).
FLAGS = {"content": "cells matched by content", "type": "a solution cell of another type",
         "split": "a solution split over cells", "helper": "helpers taken from added cells",
         "shadow": "solutions also defined in cells not run", "problem": "solution cells missing or ambiguous"}


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


def cell_label(worker, key):
    """The cell the grader ran under ``key``, in the student's terms ("your cell defining Model").

    Students never see nbgrader ids: the label says what the cell defines.  A result written before
    labels existed names the cell by its id.
    """
    return (worker or {}).get("labels", {}).get(key) or f"cell '{key}'"


def notebook_notes(worker, error=""):
    """The submission's problems, each said once: grading trouble, missing or ambiguous cells, how cells
    were found other than by their id (and helpers taken from added cells), cells that failed when run.

    Args:
        worker: a result's ``worker`` record (``problems``: key -> text, ``notes``: [[kind, text]],
            ``labels``: key -> the cell in the student's terms, ``load_status``: key -> "ok" or the
            exception the cell raised when run).
        error: the result's grading error, if any (its first line is kept).
    """
    worker = worker or {}
    notes = [f"grading problem: {error.splitlines()[0]}"] if error else []
    notes += list(worker.get("problems", {}).values())
    notes += [text for _, text in worker.get("notes", [])]
    notes += [f"{cell_label(worker, key)} failed when run: {status}"
              for key, status in worker.get("load_status", {}).items() if status != "ok"]
    return [visible(note) for note in notes]


def notebook_flags(worker):
    """What the instructor should look at in this notebook (e.g. "cells matched by content"), each once."""
    worker = worker or {}
    kinds = [kind for kind, _ in worker.get("notes", [])] + (["problem"] if worker.get("problems") else [])
    return sorted({FLAGS[kind] for kind in kinds if kind in FLAGS})
