"""The nbgrader route with the real tools: generate, grade with our runner, autograde twice, export, feedback.

Four students, each the fresh release with solution cells filled in from the source: alice (all of
them), bob (one realistic bug), mallory (all, plus code in a solution cell that writes into the
gradebook, the course's ``source/`` and ``autograder/`` folders and every student's
``results.json``/``grading.json``), dave (none, plus a cell that fakes the autograder's ``check`` in
``sys.modules`` and ``skip-execution`` tags on the hidden check cells).  After the runner graded them,
dave's verdict files are forged to full marks.  ``autograde`` must run no student code (no file
changes), refuse dave's forged file loudly, grade him again and write that true result into the grades
folder (so a second ``--force`` run takes it from there), and give the gradebook exactly the runner's
points on both runs; its total must be the runner's
points plus the written answers', and the feedback must show neither hidden source nor paths of this
machine.
"""
import csv
import hashlib
import json
import shutil
import sys
import time

import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, run_tool
from autograder import packs, secret
from autograder.grade import main as grade_main
from autograder.nbgrader_bridge.cells import cell_id, is_check_cell
from autograder.notebook import manual_points, read_notebook
from autograder.results import read_grading

pytestmark = pytest.mark.slow
SOURCE = ROOT / "source/assignment07/assignment07.ipynb"
CHEAT = ("import sys, types  # make every hidden check pass\n"
         "_fake = types.ModuleType('autograder.nbgrader_bridge'); _fake.check = lambda name: print('passed')\n"
         "sys.modules['autograder'] = types.ModuleType('autograder'); sys.modules['autograder.nbgrader_bridge'] = _fake")
MARK = "PWNED-by-mallory"


def _attack(course, out):
    """Code that writes MARK into the gradebook, the course and every student's verdict files, wherever it can."""
    targets = [course / "gradebook.db", course / "source/assignment07/assignment07.ipynb", out / "*/results.json",
               out / "*/grading.json", "../../../gradebook.db", "../../../grades/*/grading.json"]
    folders = [course / "source", course / "autograder", ROOT / "autograder", out, "../../../source"]
    return (f"import glob as _g, os as _o\n"
            f"for _p in {[str(t) for t in targets]!r}:\n"
            f"    for _f in _g.glob(_p) or [_p]:\n"
            f"        try:\n"
            f"            with open(_f, 'a') as _h: _h.write({MARK!r})\n"
            f"        except Exception: pass\n"
            f"for _d in {[str(f) for f in folders]!r}:\n"
            f"    try:\n"
            f"        with open(_o.path.join(_d, {MARK!r}), 'w') as _h: _h.write('x')\n"
            f"    except Exception: pass\n")


def _gid(cell):
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def _solutions(pack):
    """The grade ids of ``pack``'s solution code cells."""
    return [_gid(c) for c in read_notebook(pack.notebook)["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code"]


def _submit(course, student, solved=(), mistake=None, extra_cell=None, tag_checks=False, prefix="",
            pack=packs.load("assignment07")):
    nb = json.loads((course / "release" / pack.id / pack.notebook.name).read_text())
    source = {_gid(c): c for c in read_notebook(pack.notebook)["cells"]}
    for cell in nb["cells"]:
        if _gid(cell) in solved:
            text = "".join(source[_gid(cell)]["source"])
            if mistake and _gid(cell) == mistake[0]:
                assert text.count(mistake[1]) == 1
                text = text.replace(mistake[1], mistake[2])
            cell["source"] = (prefix if _gid(cell) == solved[0] else "") + text
        if tag_checks and is_check_cell(cell):
            cell["metadata"]["tags"] = ["skip-execution"]
    if extra_cell:
        nb["cells"].insert(3, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                               "source": extra_cell})
    folder = course / "submitted" / student / pack.id
    folder.mkdir(parents=True)
    (folder / pack.notebook.name).write_text(json.dumps(nb))
    for helper in pack.helper_paths():
        shutil.copy(helper, folder)
    assert run_tool("nbgrader", "db", "student", "add", student, cwd=course).returncode == 0


def _forge(out, student):
    """dave's verdict files rewritten to full marks for his blank notebook (grading.json keeps the file's hash)."""
    for name in ("grading.json", "results.json"):
        path = out / student / name
        data = json.loads(path.read_text())
        for t in data["tests"]:
            t.update(score=t.get("points", t.get("max_score")), passed=True, status="passed")
        data["score"] = sum(t.get("points", t.get("max_score", 0)) for t in data["tests"])
        path.write_text(json.dumps(data))
    return json.loads((out / student / "grading.json").read_text())["score"]


def _fingerprint(*folders):
    """path -> sha256 of every file under ``folders``."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def _marked(course, out):
    found = [p for folder in (course, out, ROOT / "autograder") for p in folder.rglob(f"*{MARK}*")]
    found += [p for p in [course / "gradebook.db", *out.glob("*/*.json")] if MARK.encode() in p.read_bytes()]
    return found


def _autograde(course, out, assignment="assignment07"):
    started = time.monotonic()
    proc = run_tool("nbgrader", "autograde", assignment, "--force", cwd=course, timeout=1500,
                    # the scratch course has no autograder/ of its own: use this checkout's
                    env={"AUTOGRADER_RESULTS": str(out), "PYTHONPATH": str(ROOT),
                         secret.SECRET_ENV: secret.location().as_posix()})
    print(f"nbgrader autograde {assignment}: {time.monotonic() - started:.0f} s")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "checksum" not in proc.stderr, [line for line in proc.stderr.splitlines() if "checksum" in line]
    return proc


def _gradebook_points(course, runner, assignment="assignment07"):
    totals = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, result in runner.items():
            grades = {g.name: g for g in gb.find_submission_notebook(assignment, assignment, student).grades}
            for t in result.tests:
                g = grades[cell_id(t.name)]
                assert (g.auto_score, g.max_score) == (t.score, t.points), (student, t.name)
            totals[student] = sum(g.max_score for g in grades.values())
    return totals


def test_gradebook_holds_runner_points(course, tmp_path, monkeypatch):
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "course-secret"))
    assert run_tool("nbgrader", "generate_assignment", "assignment07", "--force", cwd=course).returncode == 0
    out = tmp_path / "grades"
    solutions = _solutions(packs.load("assignment07"))
    _submit(course, "alice", solutions)
    _submit(course, "bob", solutions, mistake=("coupling_layer", "change - self.shift_net(keep)",
                                               "change + self.shift_net(keep)"))
    _submit(course, "mallory", solutions, prefix=_attack(course, out))
    _submit(course, "dave", extra_cell=CHEAT, tag_checks=True)

    runner = {r.student: r for r in grade_main([str(course / "submitted")], str(out), progress=False)}
    assert runner["alice"].score == runner["alice"].max_score == runner["mallory"].score
    assert runner["bob"].score < runner["bob"].max_score and runner["dave"].score == 0
    assert (out / "summary.txt").exists() and (out / "summary.png").exists()
    assert not _marked(course, out), "the runner's worker wrote outside its sandbox"
    assert _forge(out, "dave") == runner["dave"].max_score
    before = _fingerprint(course / "source", *(out / s for s in ("alice", "bob", "mallory")))

    for attempt in (1, 2):  # the second run must still give every student the runner's points
        proc = _autograde(course, out)
        assert not _marked(course, out), attempt
        assert _fingerprint(course / "source", *(out / s for s in ("alice", "bob", "mallory"))) == before, attempt
        refusals = [line for line in proc.stderr.splitlines() if line.startswith("warning:") and "was refused" in line]
        graded_now = [line for line in proc.stderr.splitlines() if line.startswith("autograde: ")]
        if attempt == 1:  # dave's forged file is refused, he is graded now and grades/ gets his true result
            assert len(refusals) == 1 and f"{out}/dave/grading.json was refused: " in refusals[0], proc.stderr[-3000:]
            assert len(graded_now) == 2 and graded_now[0].startswith(f"autograde: dave: its result in {out} was refused")
            assert graded_now[1].startswith(f"autograde: dave: 0 / {runner['dave'].max_score:g} autograded points, "
                                            f"written to {out}/dave/")
            assert read_grading(out / "dave" / "grading.json").score == 0
            assert next(r for r in csv.DictReader(open(out / "grades.csv")) if r["student"] == "dave")["total"] == "0"
        else:  # one truth: grades/ now holds what the gradebook holds, so nobody is graded again
            assert refusals == [] and graded_now == [], proc.stderr[-3000:]
        totals = _gradebook_points(course, runner)

    for student in runner:
        graded = read_notebook(course / "autograded" / student / "assignment07/assignment07.ipynb")
        code = [c for c in graded["cells"] if c["cell_type"] == "code"]
        assert all(c["execution_count"] is None for c in code)  # no kernel ran a cell
        assert all(not c["outputs"] for c in code
                   if not is_check_cell(c) and not c["metadata"].get("nbgrader", {}).get("solution"))
        checks = [c for c in code if is_check_cell(c)]
        assert "nbgrader_bridge" not in json.dumps(checks)
        refused = ["refused" in json.dumps(c["outputs"]) for c in checks]
        assert not any(refused), student  # the second run used dave's true result

    proc = run_tool("nbgrader", "generate_feedback", "assignment07", "--force", cwd=course,
                    env={"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    for student, result in runner.items():
        page = (course / "feedback" / student / "assignment07/assignment07.html").read_text()
        paths = (str(ROOT), str(course), sys.prefix) if student != "mallory" else ()  # her attack names them itself
        for hidden in ("BEGIN HIDDEN TESTS", "nbgrader_bridge import check", *paths):
            assert hidden not in page, (student, hidden)
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


def test_assignment08_in_the_same_course(course, tmp_path):
    """The course folder holds both assignments: ``nbgrader autograde assignment08`` grades with assignment08's
    pack (found from nbgrader's own context), gives its reference full marks and writes that result as ``grade``."""
    pack = packs.load("assignment08")
    assert run_tool("nbgrader", "generate_assignment", pack.id, "--force", cwd=course).returncode == 0
    _submit(course, "alice", _solutions(pack), pack=pack)
    out = tmp_path / "grades"  # empty: autograde grades alice now, in a confined worker, and records it here
    proc = _autograde(course, out, pack.id)
    result = read_grading(out / "alice" / "grading.json")
    assert result.graded_with["assignment"] == pack.id and result.score == result.max_score > 0, proc.stderr[-3000:]
    assert f"autograde: alice: {result.max_score:g} / {result.max_score:g} autograded points, written to {out}/alice/" \
        in proc.stderr
    totals = _gradebook_points(course, {"alice": result}, pack.id)
    assert totals["alice"] == result.max_score + manual_points(read_notebook(pack.notebook))
