"""The feedback students read and the Gradescope results, from results built directly."""
import json

from _results import result

from autograder.grade.report import feedback_html, feedback_markdown, gradescope_json, manual_points, points_note
from autograder.notebook import manual_points as notebook_manual_points, read_notebook
from autograder import paths

NOTE = "cell 'log_likelihood' is missing from the submission (deleted or its id changed)"
WORKER = {"problems": {"log_likelihood": NOTE}, "load_status": {}}


def _broken():
    hint = f"\nNote: {NOTE}"
    return result("s<1>", failed=("test_b", "test_c"), worker=WORKER, messages={
        "test_b": "AssertionError: expected <1e-4, got \x1b[1m0.5\x1b[0m\nassert 0.5 < 0.0001" + hint,
        "test_c": "calling f(x): NameError: name 'log_likelihood' is not defined" + hint})


def test_points_say_what_the_score_covers():
    assert points_note(35, 5) == "35 autograded points; the 5 points of written answers are graded by hand"
    assert points_note(35, 0) == "35 autograded points"
    assert manual_points() == notebook_manual_points(read_notebook(paths.SOURCE_NOTEBOOK)) > 0


def test_notebook_problems_once_at_the_top_not_in_every_check():
    r = _broken()
    md, page, gs = feedback_markdown(r, 5), feedback_html(r, 5), gradescope_json(r, 5)
    assert md.count(NOTE) == 1 and md.index(NOTE) < md.index("## Checks that failed")
    assert page.count("log_likelihood&#x27; is missing") == 1
    assert NOTE in gs["output"] and not any(NOTE in t["output"] for t in gs["tests"])


def test_messages_are_plain_text_without_grader_introspection():
    r = _broken()
    for text in (feedback_markdown(r, 5), feedback_html(r, 5), json.dumps(gradescope_json(r, 5))):
        assert "\x1b" not in text and "\\u001b" not in text
        assert "assert 0.5" not in text and "AssertionError" not in text
    assert "expected <1e-4, got 0.5" in feedback_markdown(r, 5)


def test_score_and_what_it_covers_everywhere():
    r = _broken()
    covers = "2 / 6** (6 autograded points; the 5 points of written answers are graded by hand)"
    assert covers in feedback_markdown(r, 5)
    assert "6 autograded points; the 5 points of written answers are graded by hand" in feedback_html(r, 5)
    gs = gradescope_json(r, 5)
    assert gs["score"] == 2 and "6 autograded points; the 5 points" in gs["output"]
    assert [t["status"] for t in gs["tests"]] == ["passed", "failed", "failed"]


def test_html_failed_first_escaped_and_no_grader_source():
    page = feedback_html(_broken(), 5)
    assert page.index("test_b") < page.index("test_a") and "s&lt;1&gt;" in page and "&lt;1e-4" in page
    assert "def test_" not in page and "SEED" not in page


def test_grading_error_is_a_note():
    r = result("x", failed=("test_a", "test_b", "test_c"), error="grading stopped after 330 s")
    assert "grading problem: grading stopped after 330 s" in feedback_markdown(r, 0)
