"""Regrading into an existing output folder: the students graded now replace their rows, the others stay.

``grades.csv`` is the class record: grading one student (or a few) into the class's folder must not
drop everybody else.  Rows are keyed by the ``student`` column and sorted by it, so the file is the
same whatever order and however many runs the students were graded in.  What is computed over the
whole class (the similarity of written code) takes the other students' notebooks from their signed
``grading.json`` (:func:`earlier_submissions`).
"""
import csv
import io
from pathlib import Path

from .atomic import write_file


def read_rows(path):
    """The rows of a grades.csv as dicts (none if the file does not exist)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []


def merge_rows(old, new):
    """The rows of ``old`` and ``new``, a student's row in ``new`` replacing theirs in ``old``, sorted by student."""
    rows = {row["student"]: row for row in old}
    rows.update((row["student"], row) for row in new)
    return [rows[student] for student in sorted(rows)]


def write_rows(path, rows, columns):
    """Write ``rows`` under ``columns`` (whole or not at all); a kept row without one of them (older graders)
    gets it empty."""
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns, restval="", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_file(path, text.getvalue())


def earlier_submissions(out_dir, graded_now):
    """The other students of ``out_dir``'s grades.csv, as ``([(student, notebook)], [student left out])``.

    A student is taken with the notebook their signed ``grading.json`` names (relative paths from the
    current folder) when that file is still the one graded (same SHA-256); anyone else is left out:
    no result that verifies, or a notebook that is gone or changed since.
    """
    from ..results import file_sha256, read_grading
    now = {name for name, _ in graded_now}
    found, left_out = [], []
    for row in read_rows(Path(out_dir) / "grades.csv"):
        name = row["student"]
        if name in now:
            continue
        try:
            result = read_grading(Path(out_dir) / name / "grading.json")
            if file_sha256(result.notebook) != result.sha256:
                raise ValueError("changed since it was graded")
            found.append((name, Path(result.notebook)))
        except (OSError, ValueError):  # UnsignedResult and NotebookError are ValueErrors
            left_out.append(name)
    return found, left_out
