"""Downloads from Gradescope, Canvas and Moodle, and a folder per student, graded and compared end to end.

The exports (tests/fixtures/make_exports.py) hold copies of assignments/assignment07/examples, so every student's
points are known; within an export the students with an LMS id get different points, so a mix-up of
ids shows.  ``test_gradescope_download_to_lms_files`` runs the README's block (Gradescope zip -> grade
-> nbgrader autograde -> the written answers graded as formgrader does -> nbgrader export ->
lms-grades -> similarity) in a scratch copy of the course; ``graded`` grades the other kinds in one run.
"""
import contextlib
import csv
import io
import sys

import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, _activated, copy_checkout, run
from test_readme import _blocks, _section
from assignments.assignment07.examples import build
from autograder.grade import main as grade_main
from autograder.grade.lms import MOODLE_PARTICIPANT
from autograder.grade.report import manual_points
from autograder.grade.summary import NOTEBOOK_COLUMN

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import make_exports as me  # noqa: E402

pytestmark = pytest.mark.slow


def _expect_example(result, example):
    """``result`` is what grading ``example`` gives: full marks, nothing, or exactly its failing checks."""
    failed = {t.name for t in result.tests if not t.passed}
    if example == "reference":
        assert result.score == result.max_score > 0, failed
    elif example == "untouched_release":
        assert result.score == 0
    else:
        assert failed == set(build.EXAMPLES[example][3]), (result.student, failed)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Canvas's download as a zip (names stored without the UTF-8 flag), Moodle's unzipped, a folder per
    student: graded in one run, with what it printed."""
    root = tmp_path_factory.mktemp("downloads")
    exports = me.build(root)
    canvas_zip = me.zipped(exports["canvas"], root / "submissions.zip", wrap=False, legacy_names=True)
    out = root / "grades"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        results = grade_main([str(canvas_zip), str(exports["moodle"]), str(exports["folder"])], str(out),
                             workers=2, progress=False)
    return out, {r.student: r for r in results}, printed.getvalue()


def test_every_student_is_graded_on_the_right_notebook_under_their_name(graded):
    _, results, _ = graded
    expected = {**me.EXPORTS["canvas"], **me.EXPORTS["moodle"], **me.EXPORTS["folder"]}
    assert set(results) == set(expected)
    for name, (example, _) in expected.items():
        _expect_example(results[name], example)


def test_the_run_says_where_each_student_came_from_and_what_it_left_out(graded):
    _, _, printed = graded
    assert "note: angstromzoe-2003 is ångströmzoë (Canvas: user 2003) from " in printed
    assert "note: Zoe_Angstrom-3003 is Zoë Ångström (Moodle: participant 3003) from " in printed
    assert "silvaana (user 2001): graded silvaana_late_2001_7005_assignment07-1.ipynb (the latest); not graded: " \
           "silvaana_2001_7001_assignment07.ipynb" in printed
    assert "Ana Silva (participant 3002): graded Ana Silva_3002_assignsubmission_file/assignment07 (1).ipynb" in printed
    assert "note: okaforben (user 2004): no notebook (okaforben_2004_7004_report.pdf), not graded" in printed
    assert "is graded as zo~2752b8: not safe as a folder name" in printed


def test_lms_files_carry_each_ids_points(graded):
    out, results, printed = graded
    canvas = {r[1]: r for r in _rows(out / "canvas-grades.csv")[2:]}
    moodle = {r[0].removeprefix(MOODLE_PARTICIPANT): r for r in _rows(out / "moodle-grades.csv")[1:]}
    assert set(canvas) == {"2001", "2002", "2003"} and set(moodle) == {"3001", "3002", "3003"}
    for name, (_, lms_id) in me.EXPORTS["canvas"].items():
        assert float(canvas[lms_id][5]) == results[name].score
    for name, (_, lms_id) in me.EXPORTS["moodle"].items():
        assert float(moodle[lms_id][3]) == results[name].score
    assert moodle["3003"][1] == "Zoë Ångström" and canvas["2003"][0] == "ångströmzoë"
    assert f"LMS grade files in {out}: canvas-grades.csv (3 students), moodle-grades.csv (3 students)" in printed
    assert "no Canvas or Moodle id (give --roster, the LMS's gradebook export): ana, zo~2752b8" in printed


def test_the_class_is_compared(graded):
    out, results, printed = graded
    rows = list(csv.DictReader(open(out / "similarity.csv")))
    assert {r["student_a"] for r in rows} | {r["student_b"] for r in rows if r["compared_with"] == "class"} == set(results)
    assert "similarity" in (out / "summary.txt").read_text().lower()


def _canvas_roster(path):
    """Canvas's gradebook export for the Gradescope class: each student found by another id or by name."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Assignment 06 (8801)"])
        writer.writerow(["    Points Possible", "", "", "", "", "20"])
        writer.writerows([["Silva, Ana", "601", "1001", "asilva", "NICE 101", "17"],
                          ["Okafor, Ben", "602", "", "bokafor", "NICE 101", "15"],
                          ["Ångström, Zoë", "603", "", "zoe.angstrom@uni.example", "NICE 101", "19"],
                          ["Silva, Ana", "604", "1004", "asilva2", "NICE 102", "12"]])


def _grade_written_answers(course, points):
    """What a grader does in formgrader: a manual score for each written answer of each student."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, scores in points.items():
            for cell, score in scores.items():
                gb.find_grade(cell, "assignment07", "assignment07", student).manual_score = score
        gb.db.commit()


def test_gradescope_download_to_lms_files(tmp_path):
    """The README's block: a Gradescope zip graded, its notebooks into nbgrader for the written answers,
    Canvas's file from a roster with both parts of the points, the class compared with last year's Canvas zip."""
    course = copy_checkout(tmp_path / "course")
    exports = me.build(tmp_path / "exports")
    me.zipped(exports["gradescope"], course / "gradescope_export.zip")
    me.zipped(exports["canvas"], course / "last_year.zip", wrap=False)
    _canvas_roster(course / "canvas_gradebook.csv")
    env = _activated()

    def sh(command, timeout=1800):
        proc = run(command, course, timeout=timeout, env=env)
        assert proc.returncode == 0, (command, proc.stdout[-3000:] + proc.stderr[-3000:])
        return proc.stdout

    grade, lms_grades, similarity = [line for line in _blocks(_section("Instructor workflow"))[1].splitlines()
                                     if line and not line.startswith("#")]
    sh("nbgrader generate_assignment assignment07 --force")  # step 1 of the workflow
    printed = sh(grade)
    names = me.EXPORTS["gradescope"]
    for name in names:
        assert f"note: {name} is " in printed
        assert (course / "submitted" / name / "assignment07" / "assignment07.ipynb").is_file()
    assert "note: Ben_Okafor-1002 is Ben Okafor (Gradescope: SID 1002, ben.okafor@uni.example, group with Zoë " \
           "Ångström) from gradescope_export.zip/assignment_4242_export/submission_90002/assignment07.ipynb" in printed
    assert "Ana Silva (SID 1001): graded submission_90004/assignment07.ipynb (the latest)" in printed
    rows = {row["student"]: row for row in csv.DictReader(open(course / "grades" / "grades.csv"))}
    assert set(rows) == set(names)
    for name, (example, _) in names.items():
        checks = [c for c in rows[name] if c not in ("student", "total", "max_total", NOTEBOOK_COLUMN)]
        failed = {c for c in checks if float(rows[name][c]) == 0}
        expected = set() if example == "reference" else set(checks) if example == "untouched_release" else \
            set(build.EXAMPLES[example][3])
        assert failed == expected, name
    auto = {name: float(row["total"]) for name, row in rows.items()}

    sh("AUTOGRADER_RESULTS=grades/ nbgrader autograde assignment07 --force")
    written = {"Ana_Silva-1001": {"answer_toy": 2, "answer_outliers": 3}, "Ben_Okafor-1002": {"answer_toy": 1},
               "Zoe_Angstrom-1003": {"answer_outliers": 2}, "Ana_Silva-1004": {}}
    _grade_written_answers(course, written)
    sh("nbgrader export --to gradebook.csv")
    printed = sh(lms_grades)
    assert printed.startswith("LMS grade files in grades/: canvas-grades.csv (4 students)"), printed
    header, possible, *rows = _rows(course / "grades" / "canvas-grades.csv")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Assignment 07 (NICE)"]
    assert possible[0].strip() == "Points Possible" and float(possible[5]) == 38 + manual_points()
    by_id = {r[1]: float(r[5]) for r in rows}
    canvas_id = {"Ana_Silva-1001": "601", "Ben_Okafor-1002": "602", "Zoe_Angstrom-1003": "603", "Ana_Silva-1004": "604"}
    assert by_id == {canvas_id[s]: auto[s] + sum(written[s].values()) for s in names}

    printed = sh(similarity, timeout=300)
    rows = list(csv.DictReader(open(course / "grades" / "similarity.csv")))
    class_pairs = {frozenset((r["student_a"], r["student_b"])) for r in rows if r["compared_with"] == "class"}
    assert frozenset(("Ben_Okafor-1002", "Zoe_Angstrom-1003")) not in class_pairs  # one group, compared once
    archived = {(r["student_a"], r["student_b"]): float(r["overall"]) for r in rows if r["compared_with"] == "archive"}
    assert archived[("Ana_Silva-1001", "archive:silvaana-2001")] == 1.0  # both hand in the reference
