"""Regrading into an existing output folder: the students graded now replace their rows, the others stay.

``grades.csv`` is the class record: grading one student (or a few) into the class's folder must not
drop everybody else.  Rows are keyed by the ``student`` column and sorted by it, so the file is the
same whatever order and however many runs the students were graded in.
"""
import csv
import io

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
