"""The grade verb's console output: the isolation said once, the outputs and the class summary."""
import json

from _results import result

from autograder.grade import main as grade_main
from autograder.grade import run
from autograder.worker import confinement

NB = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _grade(tmp_path, monkeypatch, capsys, reported):
    """grade two notebooks whose results report the isolation ``reported`` (no worker, no TensorFlow)."""
    for name in ("ana", "bo"):
        (tmp_path / "in" / f"{name}.ipynb").parent.mkdir(exist_ok=True)
        (tmp_path / "in" / f"{name}.ipynb").write_text(json.dumps(NB))
    monkeypatch.setattr(confinement, "probe", lambda: "namespaces")
    monkeypatch.setattr(confinement, "line", lambda iso, per_sandbox=False: reported)
    def grade_submissions(subs, on_result, **kw):  # each result handed over as it comes, as the runner does
        results = [result(name, worker={"isolation": {"reported": True}}) for name, _ in subs]
        for r in results:
            on_result(r)
        return results
    monkeypatch.setattr(run, "grade_submissions", grade_submissions)
    grade_main([str(tmp_path / "in")], str(tmp_path / "out"), progress=False)
    return capsys.readouterr().out


def _isolation_lines(printed):
    return [line for line in printed.splitlines() if line.startswith(("isolation:", "WARNING: isolation:"))]


def test_the_isolation_is_said_once(tmp_path, monkeypatch, capsys):
    printed = _grade(tmp_path, monkeypatch, capsys, confinement.expected_line("namespaces"))
    assert _isolation_lines(printed) == [confinement.expected_line("namespaces")]
    assert printed.splitlines()[0] == confinement.expected_line("namespaces")
    assert (tmp_path / "out" / "summary.txt").read_text().startswith(confinement.expected_line("namespaces") + "\n")
    assert "Class summary: 2 students" in printed


def test_a_sandbox_that_differs_from_the_promise_is_said_again(tmp_path, monkeypatch, capsys):
    degraded = "isolation: DEGRADED (no namespaces): uid per sandbox, seccomp, rlimits"
    printed = _grade(tmp_path, monkeypatch, capsys, degraded)
    assert _isolation_lines(printed) == [confinement.expected_line("namespaces"), f"WARNING: {degraded}"]
