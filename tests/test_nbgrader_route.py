"""Real nbgrader: generate, autograde and export the reference; every visible test cell gets its points.

This also proves the TensorFlow-vs-nbgrader trap is handled: TF writes to stderr on CPU-only
machines, and nbgrader zeroes a test cell that writes to stderr.
"""
import csv
import shutil

from nbgrader.api import Gradebook

from conftest import ROOT, run_tool


def test_autograde_gives_reference_full_marks(course):
    assert run_tool("nbgrader", "generate_assignment", "assignment07", "--force", cwd=course).returncode == 0
    submitted = course / "submitted" / "alice" / "assignment07"
    submitted.mkdir(parents=True)
    shutil.copy(ROOT / "source/assignment07/assignment07.ipynb", submitted)
    shutil.copy(ROOT / "source/assignment07/nice_helpers.py", submitted)
    assert run_tool("nbgrader", "db", "student", "add", "alice", cwd=course).returncode == 0
    proc = run_tool("nbgrader", "autograde", "assignment07", "--force", cwd=course, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook("assignment07", "assignment07", "alice")
        auto = [g for g in nb.grades if g.cell.cell_type == "code"]
        assert len(auto) == 6
        for grade in auto:
            assert grade.auto_score == grade.max_score, f"{grade.name}: {grade.auto_score}/{grade.max_score}"
        assert sum(g.max_score for g in auto) == 12

    out = course / "grades.csv"
    proc = run_tool("nbgrader", "export", "--to", str(out), cwd=course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = list(csv.DictReader(out.open()))
    assert [r["student_id"] for r in rows] == ["alice"]
    assert float(rows[0]["raw_score"]) == 12.0  # written answers await manual grading
