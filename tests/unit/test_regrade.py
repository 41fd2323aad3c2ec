"""Regrading some students into the class's output folder keeps everybody else."""
import csv

from _results import CHECKS, result

from autograder.grade.merge import merge_rows
from autograder.grade.report import write_outputs


def _rows(out):
    return {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}


def test_regrading_one_student_keeps_the_class(tmp_path):
    out = tmp_path / "grades"
    rows = write_outputs([result("alice"), result("bob", failed=("test_b",)), result("carol", failed=("test_a",))],
                         out, manual=5)
    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    (out / "bob" / "stale.txt").write_text("from an earlier run")
    before = {s: (out / s / "feedback.md").read_text() for s in ("alice", "carol")}

    rows = write_outputs([result("bob")], out, manual=5)

    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    grades = _rows(out)
    assert list(grades) == ["alice", "bob", "carol"]
    assert grades["bob"]["total"] == "6" and grades["bob"]["test_b"] == "3"
    assert grades["carol"]["total"] == "4" and grades["alice"]["total"] == "6"
    assert not (out / "bob" / "stale.txt").exists() and (out / "bob" / "results.json").exists()
    assert before == {s: (out / s / "feedback.md").read_text() for s in ("alice", "carol")}


def test_new_students_are_appended_and_changed_checks_leave_blanks(tmp_path):
    out = tmp_path / "grades"
    write_outputs([result("alice")], out, manual=0)
    renamed = result("dave")
    renamed.tests[0].name = "test_new"
    write_outputs([renamed], out, manual=0)
    grades = _rows(out)
    assert list(grades) == ["alice", "dave"]
    assert grades["alice"]["test_new"] == "" and grades["dave"]["test_new"] == "2"
    assert "test_a" not in grades["alice"]  # the columns are the current checks


def test_merge_rows_sorts_by_student():
    """The same rows whatever order and however many runs graded them in (an interrupted run's rerun)."""
    old = [{"student": s, "total": "1"} for s in ("a", "c", "b")]
    new = [{"student": "d", "total": "2"}, {"student": "b", "total": "3"}]
    assert [(r["student"], r["total"]) for r in merge_rows(old, new)] == [("a", "1"), ("b", "3"), ("c", "1"), ("d", "2")]
    assert merge_rows([], new) == new[::-1] == merge_rows(new[1:], new[:1]) and len(CHECKS) == 3
