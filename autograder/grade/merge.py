"""Regrading into an existing output folder: the students graded now replace their rows, the others stay.

``grades.csv`` is the class record: grading one student (or a few) into the class's folder must not
drop everybody else.  Rows are keyed by the ``student`` column.
"""
import csv


def read_rows(path):
    """The rows of a grades.csv as dicts (none if the file does not exist)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []


def merge_rows(old, new):
    """``old`` with each student of ``new`` replaced in place, and new students appended, in order."""
    fresh = {row["student"]: row for row in new}
    merged = [fresh.pop(row["student"], row) for row in old]
    return merged + [row for row in new if row["student"] in fresh]


def write_rows(path, rows, columns):
    """Write ``rows`` under ``columns``; a kept row without one of them (older graders) gets it empty."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
