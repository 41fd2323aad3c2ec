"""results: grading.json is signed under the course secret; a changed, unsigned or foreign file is refused."""
import json

import pytest

from _results import result

from autograder import secret
from autograder.results import SubmissionResult, UnsignedResult, title


@pytest.fixture
def course_secret(tmp_path, monkeypatch):
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "secret"))
    return tmp_path / "secret"


def test_a_signed_result_reads_back(course_secret):
    r = result("alice", failed=("test_b",), worker={"load_status": {"x": "ok"}})
    assert SubmissionResult.from_signed_json(r.signed_json()).to_dict() == r.to_dict()


def _forge(text, edit):
    data = json.loads(text)
    edit(data)
    return json.dumps(data)


@pytest.mark.parametrize("edit, words", [
    (lambda d: d["tests"][1].update(score=3.0, passed=True), "does not match"),
    (lambda d: d.update(student="bob"), "does not match"),
    (lambda d: d.pop("hmac"), "not signed"),
    (lambda d: d.update(hmac=None), "not signed"),
    (lambda d: d.update(hmac=["x"]), "does not match"),
])
def test_a_changed_or_unsigned_result_is_refused(course_secret, edit, words):
    text = _forge(result("alice", failed=("test_b",)).signed_json(), edit)
    with pytest.raises(UnsignedResult, match=words):
        SubmissionResult.from_signed_json(text)


def test_another_courses_secret_does_not_verify(course_secret, tmp_path, monkeypatch):
    text = result("alice").signed_json()
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "other"))
    with pytest.raises(UnsignedResult, match="does not match"):
        SubmissionResult.from_signed_json(text)
    for junk in ("[" * 100_000, "[1, 2]", "nonsense"):
        with pytest.raises(UnsignedResult):
            SubmissionResult.from_signed_json(junk)


@pytest.mark.parametrize("name, readable", [
    ("test_log_likelihood[normal]", "Log likelihood (normal)"), ("test_nice_inverse", "NICE inverse"),
    ("test_model_log_det_matches_jacobian", "Model log det matches Jacobian"), ("test_x[a-b]", "X (a, b)"),
    ("test_", "Test_")])
def test_a_checks_title_reads_as_prose(name, readable):
    assert title(name) == readable
