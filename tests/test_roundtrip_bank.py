"""Notebooks as they really come back (tests/fixtures/make_roundtrip.py), on both routes.

Every fixture of the round-trip bank is handed in to a scratch nbgrader course as one student; one
grading run (``grade``) grades them all, then ``nbgrader autograde`` takes the runner's results and
``nbgrader generate_feedback`` writes the students' pages.  Each fixture must get exactly its expected
verdicts (the reference's full marks, however its structure was changed, unless it is ambiguous) with
its notes in the feedback, and the gradebook and nbgrader's feedback must show the same points and notes.
"""
import html
import json
import shutil
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, run_tool
from autograder import secret
from autograder.grade import main as grade_main
from autograder.grade.messages import notebook_notes
from autograder.nbgrader_bridge.cells import cell_id

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import make_roundtrip as bank  # noqa: E402

pytestmark = pytest.mark.slow
STUDENTS = {entry.name.removeprefix("roundtrip_"): entry for entry in bank.BANK}


def test_fixtures_are_up_to_date(tmp_path):
    """The committed notebooks are exactly what make_roundtrip.py generates."""
    for name, path in bank.build(tmp_path).items():
        assert (bank.OUT_DIR / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"stale {name}: PYTHONPATH=. python tests/fixtures/make_roundtrip.py")


@pytest.fixture(scope="module")
def routes(tmp_path_factory):
    """``(course, runner results by student, autograde's stderr)``: the bank graded by ``grade``, then
    autograded and given feedback by nbgrader from that run's results."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source")
    env = {"PYTHONPATH": str(ROOT), secret.SECRET_ENV: secret.location().as_posix()}
    assert run_tool("nbgrader", "generate_assignment", "assignment07", "--force", cwd=course, env=env).returncode == 0
    for student, entry in STUDENTS.items():
        folder = course / "submitted" / student / "assignment07"
        folder.mkdir(parents=True)
        shutil.copy(bank.OUT_DIR / f"{entry.name}.ipynb", folder / "assignment07.ipynb")
        assert run_tool("nbgrader", "db", "student", "add", student, cwd=course).returncode == 0
    out = course / "grades"
    runner = {r.student: r for r in grade_main([str(course / "submitted")], str(out), progress=False)}
    autograde = run_tool("nbgrader", "autograde", "assignment07", "--force", cwd=course, timeout=1500,
                         env={**env, "AUTOGRADER_RESULTS": str(out)})
    assert autograde.returncode == 0, autograde.stderr[-3000:]
    feedback = run_tool("nbgrader", "generate_feedback", "assignment07", "--force", cwd=course, env=env)
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    return course, runner, autograde.stderr


@pytest.mark.parametrize("student", STUDENTS)
def test_grade_gives_the_expected_verdicts_and_notes(routes, student):
    _, runner, _ = routes
    entry, result = STUDENTS[student], runner[student]
    failed = {t.name for t in result.tests if not t.passed}
    assert not result.error and failed == set(entry.fails), {t.name: t.message[:200] for t in result.tests if not t.passed}
    notes = "\n".join(notebook_notes(result.worker))
    assert all(text in notes for text in entry.evidence), notes
    assert "cell '" not in notes  # cells are named by what they define, never by an nbgrader id


@pytest.mark.parametrize("student", STUDENTS)
def test_nbgrader_gives_the_same_points_and_notes(routes, student):
    course, runner, stderr = routes
    result = runner[student]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grades = {g.name: (g.auto_score, g.max_score)
                  for g in gb.find_submission_notebook("assignment07", "assignment07", student).grades}
    assert {t.name: grades[cell_id(t.name)] for t in result.tests} == {t.name: (t.score, t.points) for t in result.tests}
    graded = json.loads((course / "autograded" / student / "assignment07/assignment07.ipynb").read_text())
    header = next(c for c in graded["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "hidden_checks_intro")
    page = html.unescape((course / "feedback" / student / "assignment07/assignment07.html").read_text())
    for note in notebook_notes(result.worker):
        assert note in "".join(header["source"]) and note in page, note
    assert "checksum" not in stderr and "exists multiple times" not in stderr
