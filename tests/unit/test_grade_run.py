"""grade.run: a refused notebook gets an error result before any judge starts; a failure stays one student's."""
import json
import os

import pytest

from autograder.grade import run

TESTS = [{"name": n, "points": p, "hidden": False, "description": n} for n, p in (("test_a", 2.0), ("test_b", 3.0))]
NB = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def judged(monkeypatch):
    """The judge replaced by one that passes every test of a notebook whose bytes it records (no TensorFlow)."""
    seen = []

    def judge(result, data, *args):
        if b"boom" in data:
            raise RuntimeError("the judge broke\nsecond line")
        seen.append(data)
        for t in result.tests:
            t.score, t.passed, t.message = t.points, True, ""
    monkeypatch.setattr(run, "_judge", judge)
    return seen


def _inputs(tmp_path):
    good = tmp_path / "good.ipynb"
    good.write_text(json.dumps(NB))
    link = tmp_path / "link.ipynb"
    link.symlink_to(good)
    pipe = tmp_path / "pipe.ipynb"
    os.mkfifo(pipe)
    deep = tmp_path / "deep.ipynb"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    listed = tmp_path / "listed.ipynb"
    listed.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["x = 1", 3], "metadata": {}}]}))
    boom = tmp_path / "boom.ipynb"
    boom.write_text(json.dumps({**NB, "metadata": {"boom": True}}))
    return {"good": good, "link": link, "pipe": pipe, "deep": deep, "listed": listed, "boom": boom,
            "zero": _link(tmp_path / "zero.ipynb", "/dev/zero"), "gone": tmp_path / "gone.ipynb"}


def _link(path, target):
    path.symlink_to(target)
    return path


def test_refused_inputs_get_a_one_line_error_and_the_others_are_graded(tmp_path, monkeypatch, judged):
    monkeypatch.setattr(run, "manifest", lambda pack=None: TESTS)
    inputs = _inputs(tmp_path)
    results = {r.student: r for r in run.grade_submissions(list(inputs.items()), use_zygote=False, progress=False)}
    assert list(results) == list(inputs)
    assert results["good"].score == 5 and judged == [json.dumps(NB).encode()]  # only the good one was judged
    words = {"link": "symlink", "zero": "symlink", "pipe": "named pipe", "deep": "nested too deeply",
             "listed": "cell 0: source is not text", "gone": "cannot be opened", "boom": "RuntimeError: the judge broke"}
    for student, word in words.items():
        r = results[student]
        assert r.score == 0 and word in r.error and "\n" not in r.error, (student, r.error)
        assert all(t.message == f"not run: {r.error}" for t in r.tests)
    assert results["good"].sha256 and results["pipe"].sha256 == ""
