"""The nbgrader route with the real tools: generate, grade with our runner, autograde, export.

Three students: the reference, a realistic bug, and one whose extra cell hangs.  The gradebook must
hold exactly the runner's points in the hidden check cells, full marks for the reference's visible
test cells (TensorFlow's stderr chatter must not zero them), and `nbgrader export` must sum them.
"""
import csv
import json
import shutil

import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, run_tool
from autograder.grade import main as grade_main
from autograder.hidden_cells import cell_id

pytestmark = pytest.mark.slow
EXAMPLES = ROOT / "autograder" / "examples"


def _submit(course, student, notebook, extra_cell=None):
    folder = course / "submitted" / student / "assignment07"
    folder.mkdir(parents=True)
    nb = json.loads(notebook.read_text())
    if extra_cell:
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                            "source": extra_cell})
    (folder / "assignment07.ipynb").write_text(json.dumps(nb))
    shutil.copy(ROOT / "source/assignment07/nice_helpers.py", folder)
    assert run_tool("nbgrader", "db", "student", "add", student, cwd=course).returncode == 0


def test_gradebook_holds_runner_points(course, tmp_path):
    assert run_tool("nbgrader", "generate_assignment", "assignment07", "--force", cwd=course).returncode == 0
    _submit(course, "alice", ROOT / "source/assignment07/assignment07.ipynb")
    _submit(course, "bob", EXAMPLES / "student_backward_adds_shift.ipynb")
    _submit(course, "carol", ROOT / "source/assignment07/assignment07.ipynb",
            extra_cell="while True:  # my own experiment that never ends\n    pass")

    out = tmp_path / "grades"
    runner = {r.student: r for r in grade_main([str(course / "submitted")], str(out), progress=False)}
    assert runner["alice"].score == runner["alice"].max_score == runner["carol"].score
    assert runner["bob"].score < runner["bob"].max_score

    proc = run_tool("nbgrader", "autograde", "assignment07", "--force", "--Execute.timeout=60",
                    cwd=course, timeout=1500,
                    # the scratch course has no autograder/ of its own: use this checkout's
                    env={"AUTOGRADER_RESULTS": str(out), "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, result in runner.items():
            grades = {g.name: g for g in gb.find_submission_notebook("assignment07", "assignment07", student).grades}
            for t in result.tests:
                g = grades[cell_id(t.name)]
                assert (g.auto_score, g.max_score) == (t.score, t.points), (student, t.name)
            visible = [g for name, g in grades.items() if name.startswith("test_")]
            assert len(visible) == 6 and sum(g.max_score for g in visible) == 12
            if student in ("alice", "carol"):
                assert all(g.auto_score == g.max_score for g in visible), [(g.name, g.auto_score) for g in visible]

    export = course / "export.csv"
    proc = run_tool("nbgrader", "export", "--to", str(export), cwd=course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["student_id"]: r for r in csv.DictReader(export.open())}
    assert set(rows) == {"alice", "bob", "carol"}
    assert float(rows["alice"]["raw_score"]) == runner["alice"].max_score + 12  # manual answers still open
    assert float(rows["alice"]["max_score"]) == runner["alice"].max_score + 12 + 5
