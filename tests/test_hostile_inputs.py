"""Hostile grading inputs (tests/fixtures/make_hostile_inputs.py) graded as one class beside the reference.

Every input gets its own result (refused ones before any worker starts), the run ends, the reference
keeps full marks, every student has a distinct folder and row (even where case is ignored), grades.csv,
the summary and the similarity report (for everyone, the 2 MB notebook cut) are written, the run says
which names it changed, student text in feedback.md renders as literal text, and no terminal escape,
control character or bidi override reaches any output or the console.
"""
import csv
import json
import sys
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from autograder.grade import main as grade_main
from autograder.grade.discover import name_students, student_name

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_hostile_inputs  # noqa: E402
from hostile_text import INVISIBLE, unclean  # noqa: E402

pytestmark = pytest.mark.slow


def _strings(value):
    """Every string in decoded JSON."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _shown(out, printed):
    """``{where: text}`` for every text a person reads: the console, every output file (JSON as decoded;
    grading.json, the signed record, as its raw bytes: JSON escapes what it holds)."""
    texts = {"console": printed}
    for path in out.rglob("*"):
        if path.suffix in (".md", ".html", ".txt", ".csv") or path.name == "grading.json":
            texts[str(path)] = path.read_text(encoding="utf-8")
        elif path.suffix == ".json":
            texts[str(path)] = "\n".join(_strings(json.loads(path.read_text())))
    return texts


def test_every_hostile_input_gets_its_own_result(tmp_path, capsys):
    submitted = make_hostile_inputs.build(tmp_path)
    out = tmp_path / "grades"
    started = time.monotonic()
    results = {r.student: r for r in grade_main([str(submitted)], str(out), workers=2, progress=False)}
    seconds = time.monotonic() - started
    printed = capsys.readouterr().out
    print(f"{len(results)} students graded in {seconds:.0f} s")

    given = {s: rest for s, rest in make_hostile_inputs.INPUTS.items() if rest[1] != "skipped"}
    named = name_students([(s, Path(s)) for s in given])  # as grading names the class: "Ana" and "ana" both renamed
    expected = {name: given[s] for (name, _), s in zip(named, given)}
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

    shown = _shown(out, printed)
    assert len(shown) > 4 * len(expected)
    for where, text in shown.items():
        assert not unclean(text), (where, INVISIBLE.findall(text)[:5])
    assert "score: 38\nscore: 0<U+202E>83 :erocs<U+202C>\\x07\\x08" in shown[str(out / "escapes_in_error" / "feedback.md")]

    folders = [p.name for p in out.iterdir() if p.is_dir()]
    assert len({f.casefold() for f in folders}) == len(folders) == len(expected)  # even where case is ignored
    assert {student_name("Ana")[0], student_name("ana")[0]} == {"Ana", "ana"}  # each name safe alone
    assert not {"Ana", "ana"} & set(folders) and "note: student 'Ana'" in printed and "note: student 'ana'" in printed

    page = (out / "similarity.html").read_text()
    everyone = page.split("<h2>Every student</h2>")[1]
    assert all(f">{name}<" in everyone for name in expected) and len(page) < 2 * 2**20
    assert "cut: outlier_score (cut at" in everyone and "similarity report skipped" not in printed

    page = MarkdownIt("commonmark").render((out / "markup_in_error" / "feedback.md").read_text())
    assert "<script>" not in page and "<strong>all checks passed" not in page and "<a href" not in page
    assert "&lt;script&gt;alert" in page and "## Score: 38 / 38" in page
    assert [line for line in page.splitlines() if "Score" in line and line.startswith("<h")] == []
