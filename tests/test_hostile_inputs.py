"""Hostile grading inputs (tests/fixtures/make_hostile_inputs.py) graded as one class beside the reference.

Every input gets its own result (refused ones before any worker starts), the run ends, the reference
keeps full marks, every student has a distinct folder and row, grades.csv and the summary are written,
the run says which names it changed, and student text in feedback.md renders as literal text.
"""
import csv
import json
import sys
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from autograder.grade import main as grade_main
from autograder.grade.discover import student_name

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_hostile_inputs  # noqa: E402

pytestmark = pytest.mark.slow


def test_every_hostile_input_gets_its_own_result(tmp_path, capsys):
    submitted = make_hostile_inputs.build(tmp_path)
    out = tmp_path / "grades"
    started = time.monotonic()
    results = {r.student: r for r in grade_main([str(submitted)], str(out), workers=2, progress=False)}
    seconds = time.monotonic() - started
    printed = capsys.readouterr().out
    print(f"{len(results)} students graded in {seconds:.0f} s")

    expected = {student_name(s)[0]: rest for s, rest in make_hostile_inputs.INPUTS.items() if rest[1] != "skipped"}
    assert sorted(results) == sorted(expected) and len(set(results)) == len(expected)
    for name, (_, outcome, text) in expected.items():
        r = results[name]
        if outcome == "refused":
            assert r.score == 0 and text in r.error and "\n" not in r.error and not r.worker, (name, r.error)
        elif text == "full marks":
            assert r.score == r.max_score > 0 and not r.error, (name, r.error)
        else:
            assert r.score == float(text) and r.worker, name
        assert json.loads((out / name / "grading.json").read_text())["student"] == name
        assert (out / name / "feedback.md").exists() and (out / name / "results.json").exists()

    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert sorted(r["student"] for r in rows) == sorted(expected)
    assert f"Class summary: {len(expected)} students" in (out / "summary.txt").read_text()
    assert "note: student 'al ice'" in printed and "is graded as grades.csv~" in printed
    assert "mallory/assignment07/assignment07.ipynb: not graded (reached through a symlinked folder)" in printed

    page = MarkdownIt("commonmark").render((out / "markup_in_error" / "feedback.md").read_text())
    assert "<script>" not in page and "<strong>all checks passed" not in page and "<a href" not in page
    assert "&lt;script&gt;alert" in page and "## Score: 38 / 38" in page
    assert [line for line in page.splitlines() if "Score" in line and line.startswith("<h")] == []
