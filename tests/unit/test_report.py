"""The feedback students read and the Gradescope results, from results built directly."""
import json
import sys
from pathlib import Path

from _results import result

from autograder.grade.report import (feedback_html, feedback_markdown, gradescope_json, manual_points, points_note,
                                     summary_table, write_outputs)
from autograder.notebook import manual_points as notebook_manual_points, read_notebook
from autograder.results import NOTES
from autograder import paths, secret
from autograder.version import grader_version

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
from hostile_text import HOSTILE, unclean  # noqa: E402

NOTE = "cell 'log_likelihood' is missing from the submission (deleted or its id changed)"
WORKER = {"problems": {"log_likelihood": NOTE}, "load_status": {}}


def _broken():
    hint = f"{NOTES}{NOTE}"
    return result("s<1>", failed=("test_b", "test_c"), worker=WORKER, messages={
        "test_b": "AssertionError: expected <1e-4, got \x1b[1m0.5\x1b[0m\nassert 0.5 < 0.0001" + hint,
        "test_c": "calling f(x): NameError: name 'log_likelihood' is not defined" + hint})


def test_points_say_what_the_score_covers():
    assert points_note(35, 5) == "35 autograded points; the 5 points of written answers are graded by hand"
    assert points_note(35, 0) == "35 autograded points"
    assert points_note(1, 1) == "1 autograded point; the 1 point of written answers is graded by hand"
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


def test_no_escape_or_control_character_reaches_any_output():
    r = result("eve", failed=("test_b",), messages={"test_b": f"ValueError: {HOSTILE}"},
               worker={"load_status": {"x": f"RuntimeError: {HOSTILE}"}})
    refused = result("mallory", failed=("test_a", "test_b", "test_c"), error=f"notebook refused: {HOSTILE}")
    gs = gradescope_json(r, 5)
    for text in (feedback_markdown(r, 5), feedback_html(r, 5), gs["output"], *(t["output"] for t in gs["tests"]),
                 summary_table([r, refused])):
        assert not unclean(text), text
    assert "<U+202E>evil" in feedback_markdown(r, 5)  # shown, not hidden


def test_score_and_what_it_covers_everywhere():
    r = _broken()
    covers = "2 / 6** (6 autograded points; the 5 points of written answers are graded by hand)"
    assert covers in feedback_markdown(r, 5)
    assert "6 autograded points; the 5 points of written answers are graded by hand" in feedback_html(r, 5)
    gs = gradescope_json(r, 5)
    assert gs["score"] == 2 and "6 autograded points; the 5 points" in gs["output"]
    assert [t["status"] for t in gs["tests"]] == ["passed", "failed", "failed"]


def test_gradescope_time_titles_version_and_the_files_hash():
    r = result("alice", failed=("test_b",))
    r.sha256, r.seconds = "ab" * 32, 12.5
    gs = gradescope_json(r, 5)
    assert gs["execution_time"] == 12.5 and gs["submission_sha256"] == r.sha256
    assert gs["grader_version"] == grader_version() and f"SHA-256 {r.sha256}; grader version {grader_version()}" \
        in gs["output"]
    assert [(t["name"], t["id"]) for t in gs["tests"]] == [("A", "test_a"), ("B", "test_b"), ("C", "test_c")]
    assert "SHA-256" not in gradescope_json(result("bob", error="no .ipynb file was submitted"), 5)["output"]


def test_html_failed_first_escaped_and_no_grader_source():
    page = feedback_html(_broken(), 5)
    assert page.index("<h3>B ") < page.index("<li>A ") and "s&lt;1&gt;" in page and "&lt;1e-4" in page
    assert "def test_" not in page and "SEED" not in page


def test_grading_error_is_a_note():
    r = result("x", failed=("test_a", "test_b", "test_c"), error="grading stopped after 330 s")
    assert "grading problem: grading stopped after 330 s" in feedback_markdown(r, 0)


# -- student text is literal, and one student's trouble stays theirs --------------------------------
FAKE = "## Score: 38 / 38\n\n<script>alert(1)</script> **all passed** ``` [x](http://e.vil)"


def _hostile():
    return result("al_ice~1f4c2a", failed=("test_b",), messages={"test_b": f"ValueError: {FAKE}"},
                  worker={"load_status": {"coupling_layer": f"RuntimeError: {FAKE}"}})


def _markdown_html(md):
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark").render(md)


def test_student_text_in_markdown_renders_as_literal_text():
    md = feedback_markdown(_hostile(), 5)
    page = _markdown_html(md)
    assert "<script>" not in page and "<strong>all passed" not in page and "<a href" not in page
    assert [h for h in page.splitlines() if h.startswith("<h")] == [
        "<h1>Assignment 07 (NICE) — feedback for al_ice~1f4c2a</h1>", "<h2>Problems with your notebook</h2>",
        "<h2>Checks that failed</h2>", "<h3>B (0 / 3)</h3>", "<h2>Checks that passed</h2>"]
    assert page.count("## Score: 38 / 38") == 2 and page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "**Score: 3 / 6**" in md


def test_the_html_escapes_student_text_too():
    page = feedback_html(_hostile(), 5)
    assert "<script>" not in page and page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_one_students_failure_leaves_the_class_written(tmp_path, monkeypatch, capsys):
    from autograder.grade import report
    real = report.feedback
    monkeypatch.setattr(report, "feedback", lambda r, *a: (_ for _ in ()).throw(RecursionError("deep"))
                        if r.student == "bob" else real(r, *a))
    out = tmp_path / "grades"
    (out / "carol").mkdir(parents=True)
    (out / "dave").write_text("a file where a folder goes")
    rows = report.write_outputs([result("alice"), result("bob"), result("carol"), result("dave")], out, manual=5)
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave"]
    assert (out / "alice" / "feedback.md").exists() and (out / "carol" / "grading.json").exists()
    assert (out / "dave").read_text() == "a file where a folder goes"
    err = capsys.readouterr().err
    assert "warning: bob: outputs not written (RecursionError: deep)" in err and "warning: dave:" in err


def test_grading_json_is_signed(tmp_path, monkeypatch):
    from autograder.results import SubmissionResult
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "secret"))
    out = tmp_path / "grades"
    write_outputs([result("alice")], out, manual=5)
    text = (out / "alice" / "grading.json").read_text()
    assert SubmissionResult.from_signed_json(text).to_dict() == result("alice").to_dict()
