"""Self-check of the grading runner on the bundled examples, as the README's main job graded them (one run per
session, tests/conftest.py ``main_job``): scores, outputs, formats."""
import csv
import json

import pytest

from conftest import TEST_SECRET, _activated, run, timeless

from assignments.assignment07.examples import build
from autograder.grade.report import manual_points
from autograder.results import SubmissionResult

pytestmark = pytest.mark.slow


def test_reference_gets_full_marks(graded_examples):
    _, results = graded_examples
    ref = results["reference"]
    assert ref.score == ref.max_score > 0, [(t.name, t.message) for t in ref.tests if not t.passed]


def test_untouched_release_gets_zero_with_not_implemented_messages(graded_examples):
    _, results = graded_examples
    release = results["untouched_release"]
    assert release.score == 0
    for t in release.tests:
        assert t.message.startswith("not implemented yet: "), (t.name, t.message)


@pytest.mark.parametrize("name", sorted(build.EXAMPLES))
def test_example_fails_exactly_its_checks(graded_examples, name):
    _, results = graded_examples
    failed = {t.name for t in results[name].tests if not t.passed}
    assert failed == set(build.EXAMPLES[name][3])


def test_outputs(graded_examples):
    out, results = graded_examples
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert {r["student"] for r in rows} == set(results)
    for row in rows:
        assert float(row["total"]) == results[row["student"]].score
    for student, result in results.items():
        gs = json.loads((out / student / "results.json").read_text())
        assert gs["score"] == result.score
        assert {"name", "score", "max_score", "output", "visibility"} <= set(gs["tests"][0])
        feedback = (out / student / "feedback.md").read_text()
        assert f"{result.score:g} / {result.max_score:g}" in feedback
        for t in result.tests:
            if not t.passed:
                assert f"### {t.title} (0 / " in feedback  # each failed check under its readable name
        assert "SEED" not in feedback and "threshold =" not in feedback and "\x1b" not in feedback
        assert f"{result.max_score:g} autograded points; the {manual_points():g} points of written answers" in feedback
    summary = (out / "summary.txt").read_text()
    assert f"Class summary: {len(results)} students" in summary and (out / "summary.png").stat().st_size > 0
    iso = results["reference"].worker["isolation"]
    assert iso["network"].startswith("none") and iso["filesystem"]["root"].startswith("allowlist")
    assert not any(str(out.parent / "autograder").startswith(p) for p in iso["filesystem"]["read_only"])


def test_one_file_graded_twice_gets_identical_results(graded_examples, tmp_path):
    """The judge's numbers come from the course secret and the file's hash: a regrade changes nothing but the time."""
    out, _ = graded_examples
    name = "student_logdet_sign_flipped"
    proc = run(f"python -m autograder grade assignments/assignment07/examples/{name}.ipynb --out {tmp_path} --workers 1", out.parent,
               timeout=600, env=_activated({"AUTOGRADER_COURSE_SECRET": str(TEST_SECRET)}))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    texts = [(d / name / "results.json").read_text() for d in (tmp_path, out)]
    same = [timeless(t) for t in texts]
    assert all(same[i] != texts[i] for i in (0, 1)) and same[0] == same[1]
