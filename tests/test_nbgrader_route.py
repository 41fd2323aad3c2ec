"""The nbgrader route with the real tools: generate, grade with our runner, autograde, export, feedback.

Four students, each the fresh release with solution cells filled in from the source: alice (all of
them), bob (one realistic bug), carol (all, plus an extra cell that hangs), dave (none, plus a cell
that fakes the autograder's ``check`` in ``sys.modules`` and ``skip-execution`` tags on the hidden
check cells).  The gradebook must hold exactly the runner's points in the hidden check cells (dave's
tricks included), its total must be the runner's points plus the written answers', autograde must run
no experiment cell and warn about no checksum, and the feedback must show neither hidden source nor
paths of this machine.
"""
import csv
import json
import shutil
import sys
import time

import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, run_tool
from autograder.grade import main as grade_main
from autograder.hidden_cells import cell_id, is_check_cell
from autograder.nbgrader_ext.skip_experiments import skipped_cells
from autograder.notebook import manual_points, read_notebook

pytestmark = pytest.mark.slow
SOURCE = ROOT / "source/assignment07/assignment07.ipynb"
CHEAT = ("import sys, types  # make every hidden check pass\n"
         "_fake = types.ModuleType('autograder.nbgrader_bridge'); _fake.check = lambda name: print('passed')\n"
         "sys.modules['autograder'] = types.ModuleType('autograder'); sys.modules['autograder.nbgrader_bridge'] = _fake")


def _gid(cell):
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def _submit(course, student, solved=(), mistake=None, extra_cell=None, tag_checks=False):
    nb = json.loads((course / "release/assignment07/assignment07.ipynb").read_text())
    source = {_gid(c): c for c in read_notebook(SOURCE)["cells"]}
    for cell in nb["cells"]:
        if _gid(cell) in solved:
            text = "".join(source[_gid(cell)]["source"])
            if mistake and _gid(cell) == mistake[0]:
                assert text.count(mistake[1]) == 1
                text = text.replace(mistake[1], mistake[2])
            cell["source"] = text
        if tag_checks and is_check_cell(cell):
            cell["metadata"]["tags"] = ["skip-execution"]
    if extra_cell:
        nb["cells"].insert(3, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                               "source": extra_cell})
    folder = course / "submitted" / student / "assignment07"
    folder.mkdir(parents=True)
    (folder / "assignment07.ipynb").write_text(json.dumps(nb))
    shutil.copy(ROOT / "source/assignment07/nice_helpers.py", folder)
    assert run_tool("nbgrader", "db", "student", "add", student, cwd=course).returncode == 0


def test_gradebook_holds_runner_points(course, tmp_path):
    assert run_tool("nbgrader", "generate_assignment", "assignment07", "--force", cwd=course).returncode == 0
    solutions = [_gid(c) for c in read_notebook(SOURCE)["cells"]
                 if c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code"]
    _submit(course, "alice", solutions)
    _submit(course, "bob", solutions, mistake=("coupling_layer", "change - self.shift_net(keep)",
                                               "change + self.shift_net(keep)"))
    _submit(course, "carol", solutions, extra_cell="while True:  # my own experiment that never ends\n    pass")
    _submit(course, "dave", extra_cell=CHEAT, tag_checks=True)

    out = tmp_path / "grades"
    runner = {r.student: r for r in grade_main([str(course / "submitted")], str(out), progress=False)}
    assert runner["alice"].score == runner["alice"].max_score == runner["carol"].score
    assert runner["bob"].score < runner["bob"].max_score and runner["dave"].score == 0
    assert (out / "summary.txt").exists() and (out / "summary.png").exists()

    started = time.monotonic()
    proc = run_tool("nbgrader", "autograde", "assignment07", "--force", "--Execute.timeout=40",
                    cwd=course, timeout=1500,
                    # the scratch course has no autograder/ of its own: use this checkout's
                    env={"AUTOGRADER_RESULTS": str(out), "PYTHONPATH": str(ROOT)})
    print(f"nbgrader autograde, 4 students: {time.monotonic() - started:.0f} s")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "checksum" not in proc.stderr, [line for line in proc.stderr.splitlines() if "checksum" in line]

    skipped = skipped_cells(read_notebook(SOURCE))  # experiments (MNIST, plots) and self-checks
    for student in runner:
        graded = read_notebook(course / "autograded" / student / "assignment07/assignment07.ipynb")
        ran = [c for c in graded["cells"] if _gid(c) in skipped]
        assert len(ran) == len(skipped) and all("".join(c["source"]) == skipped[_gid(c)] and not c["outputs"]
                                                for c in ran)
        assert "nbgrader_bridge" not in json.dumps([c for c in graded["cells"] if is_check_cell(c)])

    totals = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, result in runner.items():
            grades = {g.name: g for g in gb.find_submission_notebook("assignment07", "assignment07", student).grades}
            for t in result.tests:
                g = grades[cell_id(t.name)]
                assert (g.auto_score, g.max_score) == (t.score, t.points), (student, t.name)
            totals[student] = sum(g.max_score for g in grades.values())

    proc = run_tool("nbgrader", "generate_feedback", "assignment07", "--force", cwd=course,
                    env={"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    for student, result in runner.items():
        page = (course / "feedback" / student / "assignment07/assignment07.html").read_text()
        for secret in ("BEGIN HIDDEN TESTS", "nbgrader_bridge import check", str(ROOT), str(course), sys.prefix):
            assert secret not in page, (student, secret)
        assert page.count("failed: ") == sum(not t.passed for t in result.tests), student  # one verdict per check

    # nbgrader's total is the runner's points plus the written answers', which are graded by hand
    manual = manual_points(read_notebook(SOURCE))
    export = course / "export.csv"
    proc = run_tool("nbgrader", "export", "--to", str(export), cwd=course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["student_id"]: r for r in csv.DictReader(export.open())}
    assert set(rows) == set(runner)
    for student, result in runner.items():
        assert totals[student] == result.max_score + manual, student
        assert float(rows[student]["raw_score"]) == result.score
        assert float(rows[student]["max_score"]) == result.max_score + manual
