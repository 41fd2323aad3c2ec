"""The verdict of a hidden check: an earlier grading run's, for the very same file, read before any kernel runs."""
import json

import pytest

from _results import result

from autograder import nbgrader_bridge
from autograder.results import file_sha256
from autograder.wire.names import RESULTS_ENV


@pytest.fixture
def earlier(tmp_path, monkeypatch):
    """A submitted notebook and an AUTOGRADER_RESULTS folder that graded it (alice failed test_b)."""
    monkeypatch.setattr(nbgrader_bridge, "_cache", {})
    monkeypatch.setattr(nbgrader_bridge, "_earlier", None)
    notebook = tmp_path / "alice.ipynb"
    notebook.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    graded = result("alice", failed=("test_b",), messages={"test_b": "AssertionError: off\nassert 1 < 0"})
    graded.sha256 = file_sha256(notebook)
    (tmp_path / "grades" / "alice").mkdir(parents=True)
    (tmp_path / "grades" / "alice" / "grading.json").write_text(json.dumps(graded.to_dict()))
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "grades"))
    return notebook, graded


def test_an_earlier_run_of_the_same_file_is_used(earlier):
    notebook, graded = earlier
    found, _ = nbgrader_bridge.results_for("alice", notebook)
    assert found.to_dict() == graded.to_dict()
    assert nbgrader_bridge.verdict(found, {}, "test_a") == (True, "passed")
    assert nbgrader_bridge.verdict(found, {}, "test_b") == (False, "off")
    assert nbgrader_bridge.verdict(found, {}, "test_zzz")[0] is False


def test_results_are_read_before_anything_can_change_them(earlier, tmp_path):
    notebook, _ = earlier
    nbgrader_bridge._earlier_results()  # the first call: before the first kernel
    faked = result("alice", failed=("test_a", "test_b", "test_c"))
    faked.sha256 = file_sha256(notebook)
    (tmp_path / "grades" / "alice" / "grading.json").write_text(json.dumps(faked.to_dict()))
    found, _ = nbgrader_bridge.results_for("alice", notebook)
    assert [t.passed for t in found.tests] == [True, False, True]


def test_another_file_is_not_judged_by_an_earlier_run(earlier):
    notebook, _ = earlier
    notebook.write_text(notebook.read_text() + " ")
    assert nbgrader_bridge._previous("alice", notebook) is None
