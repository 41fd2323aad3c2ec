"""What a student reads about their notebook as a whole, said once above the checks, and what the
instructor should look at in it.

The judge appends the same notes to a failed check's message (after :data:`autograder.results.NOTES`);
reports show them once at the top (:mod:`autograder.grade.messages`).  Students never see nbgrader ids:
each cell is named by what it defines (:func:`cell_label`).
"""
import re

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
#: How each kind of note on a notebook (:attr:`nice_cells.Match.notes`; "problem": any problem) is summed up
#: for the instructor (grades.csv, the class summary).
FLAGS = {"content": "cells matched by content", "type": "a solution cell of another type",
         "split": "a solution split over cells", "helper": "helpers taken from added cells",
         "shadow": "solutions also defined in cells not run", "problem": "solution cells missing or ambiguous"}


def strip_ansi(text):
    """``text`` without terminal colour codes (Keras wraps parts of its messages in them)."""
    return _ANSI.sub("", text)


def cell_label(worker, key):
    """The cell the grader ran under ``key``, in the student's terms ("your cell defining CouplingLayer").

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
    notes += [strip_ansi(p) for p in worker.get("problems", {}).values()]
    notes += [text for _, text in worker.get("notes", [])]
    notes += [f"{cell_label(worker, key)} failed when run: {strip_ansi(status)}"
              for key, status in worker.get("load_status", {}).items() if status != "ok"]
    return notes


def notebook_flags(worker):
    """What the instructor should look at in this notebook (e.g. "cells matched by content"), each once."""
    worker = worker or {}
    kinds = [kind for kind, _ in worker.get("notes", [])] + (["problem"] if worker.get("problems") else [])
    return sorted({FLAGS[kind] for kind in kinds if kind in FLAGS})
