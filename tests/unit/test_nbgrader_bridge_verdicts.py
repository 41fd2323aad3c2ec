"""The verdict of a hidden check: an earlier run's signed result for the very same file, else a grading now."""
import csv
import json

import pytest

from _results import result

from autograder import packs, secret
from autograder.grade import run
from autograder.nbgrader_bridge import verdicts
from autograder.results import file_sha256, read_grading
from autograder.wire.names import COURSE_ENV, RESULTS_ENV

NB = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def earlier(tmp_path, monkeypatch):
    """A submitted notebook and an AUTOGRADER_RESULTS folder that graded it (alice failed test_b), signed."""
    monkeypatch.setattr(verdicts, "_cache", {})
    monkeypatch.setattr(verdicts, "_earlier", None)
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "secret"))
    notebook = tmp_path / "alice.ipynb"
    notebook.write_text(json.dumps(NB))
    graded = result("alice", failed=("test_b",), messages={"test_b": "AssertionError: off\nassert 1 < 0"})
    graded.sha256 = file_sha256(notebook)
    (tmp_path / "grades" / "alice").mkdir(parents=True)
    (tmp_path / "grades" / "alice" / "grading.json").write_text(graded.signed_json())
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "grades"))
    return notebook, graded


@pytest.fixture
def regraded(monkeypatch):
    """Grading now replaced by a stand-in that records who was graded and passes nothing (no TensorFlow)."""
    graded = []

    def grade(submissions, **kwargs):
        graded.extend(submissions)
        return [result(name, failed=("test_a", "test_b", "test_c")) for name, _ in submissions]
    monkeypatch.setattr(run, "grade_submissions", grade)
    return graded


def test_an_earlier_run_of_the_same_file_is_used(earlier, regraded):
    notebook, graded = earlier
    found, _, refused = verdicts.results_for("alice", notebook)
    assert found.to_dict() == graded.to_dict() and refused == "" and not regraded
    assert verdicts.verdict(found, {}, "test_a") == (True, "passed")
    assert verdicts.verdict(found, {}, "test_b") == (False, "off")
    assert verdicts.verdict(found, {}, "test_zzz")[0] is False


def _forge(path, edit):
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("edit, words", [
    (lambda d: [t.update(score=t["points"], passed=True) for t in d["tests"]], "does not match the course secret"),
    (lambda d: d.pop("hmac"), "not signed"),
])
def test_a_forged_result_is_refused_loudly_and_graded_again(earlier, regraded, tmp_path, capsys, edit, words):
    notebook, _ = earlier
    _forge(tmp_path / "grades" / "alice" / "grading.json", edit)
    found, _, refused = verdicts.results_for("alice", notebook)
    assert words in refused and regraded == [("alice", notebook)] and found.score == 0
    err = capsys.readouterr().err
    assert f"warning: {tmp_path}/grades/alice/grading.json was refused: " in err and words in err


def test_another_students_signed_result_is_refused(earlier, regraded, tmp_path):
    notebook, _ = earlier
    (tmp_path / "grades" / "bob").mkdir()
    (tmp_path / "grades" / "alice" / "grading.json").rename(tmp_path / "grades" / "bob" / "grading.json")
    (tmp_path / "grades" / "alice" / "grading.json").symlink_to(tmp_path / "grades" / "bob" / "grading.json")
    assert "symlink" in verdicts.results_for("alice", notebook)[2]
    assert "the result of 'alice', not of 'bob'" in verdicts.earlier_results()[1]["bob"]


def test_results_are_read_once(earlier, regraded, tmp_path):
    notebook, _ = earlier
    verdicts.earlier_results()
    faked = result("alice", failed=("test_a", "test_b", "test_c"))
    faked.sha256 = file_sha256(notebook)
    (tmp_path / "grades" / "alice" / "grading.json").write_text(faked.signed_json())
    found, _, _ = verdicts.results_for("alice", notebook)
    assert [t.passed for t in found.tests] == [True, False, True]


def test_another_file_is_graded_again_under_the_runners_name(earlier, regraded, tmp_path):
    notebook, _ = earlier
    notebook.write_text(notebook.read_text() + " ")
    found, _, refused = verdicts.results_for("al ice", notebook)
    assert regraded[0][0].startswith("al_ice~") and refused == ""
    verdicts.results_for("alice", notebook)
    assert regraded[1] == ("alice", notebook)


def test_autograde_writes_what_it_grades_itself_into_the_grades_folder(earlier, regraded, tmp_path, capsys):
    """One truth: a submission autograde grades now gets grade's outputs in AUTOGRADER_RESULTS, and says so."""
    notebook, _ = earlier
    notebook.write_text(notebook.read_text() + " ")  # changed since grades/ graded it
    found, _, _ = verdicts.results_for("alice", notebook, record=True)
    err = capsys.readouterr().err
    assert "autograde: alice: the notebook is not the file" in err and "grading it now in a confined worker" in err
    assert f"autograde: alice: 0 / 6 autograded points, written to {tmp_path}/grades/alice/" in err
    grades = tmp_path / "grades"
    assert read_grading(grades / "alice" / "grading.json").to_dict() == found.to_dict()
    assert next(csv.DictReader(open(grades / "grades.csv")))["total"] == "0"
    assert (grades / "alice" / "feedback.md").exists() and (grades / "summary.txt").exists()
    assert verdicts.results_for("alice", notebook, record=True)[0] is found and regraded == [("alice", notebook)]


def test_a_kernel_grading_writes_nothing_and_prints_nothing(earlier, regraded, tmp_path, capsys):
    """The hidden cells' route (a kernel: stderr would cost the cell its points) only grades."""
    notebook, _ = earlier
    notebook.write_text(notebook.read_text() + " ")
    verdicts.results_for("alice", notebook)
    assert capsys.readouterr().err == "" and not (tmp_path / "grades" / "grades.csv").exists()


@pytest.mark.parametrize("assignment", ["assignment07", "assignment08"])
def test_a_kernel_finds_its_assignment_from_nbgrader_layout(tmp_path, monkeypatch, assignment):
    """autograded/<student>/<id>/ is that student's submission of assignment <id>; source/<id>/ its own notebook."""
    monkeypatch.setenv(COURSE_ENV, str(tmp_path))
    student, notebook, pack = verdicts.locate_submission(tmp_path / "autograded" / "alice" / assignment)
    assert (student, notebook, pack.id) == ("alice", tmp_path / f"submitted/alice/{assignment}/{assignment}.ipynb",
                                            assignment)
    assert verdicts.locate_submission(tmp_path / "source" / assignment)[1:] == (
        tmp_path / "source" / assignment / f"{assignment}.ipynb", pack)


def test_a_result_of_another_assignment_is_not_used(earlier, regraded, tmp_path, capsys):
    notebook, graded = earlier
    found, _, _ = verdicts.results_for("alice", notebook, record=True, pack=packs.load("assignment08"))
    assert regraded == [("alice", notebook)] and found.score == 0
    assert f"{tmp_path}/grades holds its result for assignment07, not assignment08" in capsys.readouterr().err
