"""A rerun reuses a student's result only while its file, grader version, calibration and course key all hold."""
import hashlib
import json

import pytest
from _results import result

from autograder import secret, version
from autograder.grade.report import write_outputs
from autograder.grade.resume import earlier_results
from autograder.results import REFUSED


@pytest.fixture
def graded(tmp_path):
    """``(out, [(student, notebook)])``: alice and bob graded into out from their notebooks, as a run writes them."""
    subs, results = [], []
    for student in ("alice", "bob"):
        nb = tmp_path / f"{student}.ipynb"
        nb.write_text(json.dumps({"cells": [], "metadata": {"student": student}}))
        r = result(student, failed=("test_b",) if student == "bob" else ())
        r.sha256, r.graded_with = hashlib.sha256(nb.read_bytes()).hexdigest(), version.graded_with()
        subs.append((student, nb))
        results.append(r)
    write_outputs(results, tmp_path / "out", manual=5)
    return tmp_path / "out", subs


def test_results_that_still_hold_are_reused(graded):
    out, subs = graded
    found = earlier_results(subs, out)
    assert sorted(found) == ["alice", "bob"] and found["bob"].score == 3
    assert earlier_results(subs, out, force=True) == {}


@pytest.mark.parametrize("what", ["grader_version", "calibration", "course_key"])
def test_a_result_graded_with_anything_else_is_graded_again(graded, monkeypatch, what):
    out, subs = graded
    other = dict(version.graded_with(), **{what: "sha256:0000000000000000"})
    monkeypatch.setattr(version, "graded_with", lambda pack=None: other)
    monkeypatch.setattr("autograder.grade.resume.graded_with", lambda pack=None: other)
    assert earlier_results(subs, out) == {}


@pytest.mark.parametrize("change", ["changed file", "missing output", "unsigned result"])
def test_a_changed_file_or_a_missing_or_unsigned_output_is_graded_again(graded, change):
    out, subs = graded
    if change == "changed file":
        subs[0][1].write_text(subs[0][1].read_text() + " ")
    elif change == "missing output":
        (out / "alice" / "feedback.html").unlink()
    else:
        (out / "alice" / "grading.json").write_text(json.dumps({"student": "alice", "notebook": ""}))
    assert list(earlier_results(subs, out)) == ["bob"]


def test_under_another_course_key_everyone_is_graded_again(graded, tmp_path, monkeypatch):
    out, subs = graded
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "another-key"))
    assert earlier_results(subs, out) == {}


def test_a_failed_grading_is_graded_again_but_a_refused_notebook_is_a_result(graded):
    out, subs = graded
    for student, error in (("alice", "judge exited with status -9: "), ("bob", f"{REFUSED}not JSON")):
        r = result(student, error=error)
        r.sha256 = hashlib.sha256(dict(subs)[student].read_bytes()).hexdigest()
        r.graded_with = version.graded_with()
        write_outputs([r], out, manual=5)
    assert list(earlier_results(subs, out)) == ["bob"]


def test_the_course_key_fingerprint_names_the_key_without_revealing_it(tmp_path, monkeypatch):
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "a"))
    first = secret.fingerprint()
    assert first == secret.fingerprint() and first.startswith("hmac-sha256:") and len(first) == 28
    assert first.split(":")[1] not in secret.key().decode()
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "b"))
    assert secret.fingerprint() != first
