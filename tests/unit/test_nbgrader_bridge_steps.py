"""The nbgrader route's preprocessors, on small notebooks (no kernel, no grading, no TensorFlow)."""
import json
import os
import shutil
import sys

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import Execute, OverwriteCells
from traitlets.config import Config, PyFileConfigLoader
from traitlets.utils.importstring import import_item

from _results import result
from conftest import BIN, ROOT

from autograder.nbgrader_bridge import cells as hidden_cells, verdicts
from autograder.nbgrader_bridge.feedback import RedactFeedback
from autograder.nbgrader_bridge.restore_hidden import RestoreHiddenTests
from autograder.nbgrader_bridge.runner_outputs import RAN_OK, RunnerOutputs

CHECKS = [{"name": n, "points": p, "description": d} for n, p, d in
          [("test_a", 2.0, "does a"), ("test_b", 3.0, "does b"), ("test_c", 1.0, "does c")]]


def _cell(source, grade_id, tags=(), **nbgrader):
    cell = new_code_cell(source)
    cell.metadata.nbgrader = {"grade_id": grade_id, "locked": True, "schema_version": 3, **nbgrader}
    if tags:
        cell.metadata.tags = list(tags)
    return cell


def _resources(tmp_path, student="alice"):
    return {"nbgrader": {"student": student, "assignment": "assignment07", "notebook": "assignment07",
                         "db_url": f"sqlite:///{tmp_path / 'gradebook.db'}"}}


def _config(tmp_path):
    c = Config()
    c.CourseDirectory.root = str(tmp_path)
    return c


# -- restore_hidden -------------------------------------------------------------------------------
HIDDEN = "# Hidden check (2 points): does a\n### BEGIN HIDDEN TESTS\ncheck('test_a')\n### END HIDDEN TESTS"


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """A gradebook.db that recorded HIDDEN as the source of the check cell hidden_test_a (made once: ~5 s)."""
    folder = tmp_path_factory.mktemp("gradebook")
    recorded = _cell(HIDDEN, "hidden_test_a", grade=True, points=2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader calls alembic by name
        with Gradebook(_resources(folder)["nbgrader"]["db_url"]) as gb:
            gb.add_assignment("assignment07")
            gb.add_notebook("assignment07", "assignment07")
            gb.add_grade_cell("hidden_test_a", "assignment07", "assignment07", max_score=2, cell_type="code")
            gb.add_source_cell("hidden_test_a", "assignment07", "assignment07", source=HIDDEN, locked=True,
                               cell_type="code", checksum=utils.compute_checksum(recorded))
    return folder / "gradebook.db"


@pytest.mark.parametrize("submitted_source, warned", [
    ("# Hidden check (2 points): does a", False),  # the release form: untouched
    (HIDDEN, False),
    ("# Hidden check (2 points): does a\npass", True),  # edited: nbgrader still says so
])
def test_untouched_hidden_cells_are_not_reported_as_changed(tmp_path, monkeypatch, gradebook, submitted_source,
                                                             warned):
    shutil.copy(gradebook, tmp_path / "gradebook.db")
    changes = []
    monkeypatch.setattr(OverwriteCells, "report_change", lambda self, *args: changes.append(args))
    nb = new_notebook(cells=[_cell(submitted_source, "hidden_test_a", grade=True, points=2)])
    resources = _resources(tmp_path)
    nb, resources = RestoreHiddenTests().preprocess(nb, resources)
    nb, _ = OverwriteCells().preprocess(nb, resources)
    assert bool(changes) == warned and nb.cells[0].source == HIDDEN


# -- runner_outputs -------------------------------------------------------------------------------
def _autograded():
    header = new_markdown_cell("## Hidden autograder checks")
    header.metadata.nbgrader = {"grade_id": hidden_cells.HEADER_ID, "locked": True}
    cells = [c for c in hidden_cells.build_cells(CHECKS)[1:]]
    given = _cell("import os  # given", "setup")
    given.outputs = [new_output("stream", name="stdout", text="left from the student's own run")]
    written = new_markdown_cell("my answer")
    written.metadata.nbgrader = {"grade_id": "answer_text", "solution": True, "grade": True, "points": 2}
    return new_notebook(cells=[header, given, _cell("x = 1", "answer", solution=True, locked=False),
                               _cell("open('gradebook.db', 'w')", "broken", solution=True, locked=False),
                               _cell("print('mine')", "extra", solution=True, locked=False), written,
                               *[_cell(c["source"], c["metadata"]["nbgrader"]["grade_id"], grade=True,
                                       points=c["metadata"]["nbgrader"]["points"]) for c in cells]])


def _runner(monkeypatch, runner, refused=""):
    asked = []
    monkeypatch.setattr(verdicts, "results_for", lambda *a, **k: asked.append(a) or (runner, {}, refused))
    return asked


def test_outputs_come_from_the_runner_and_no_kernel_starts(tmp_path, monkeypatch):
    runner = result("alice", failed=("test_b",), messages={
        "test_b": "AssertionError: off by \x1b[1m2\x1b[0m\nassert 2 < 1\nNote: cell 'broken' failed when run"},
        worker={"load_status": {"answer": "ok", "broken": "PermissionError: \x1b[1mno\x1b[0m <b>x</b>"}})
    asked = _runner(monkeypatch, runner)
    monkeypatch.setattr("jupyter_client.manager.KernelManager.start_kernel",
                        lambda *a, **k: pytest.fail("a kernel was started"))
    nb, _ = RunnerOutputs(config=_config(tmp_path)).preprocess(_autograded(), _resources(tmp_path))
    assert asked == [("alice", tmp_path / "submitted" / "alice" / "assignment07" / "assignment07.ipynb")]

    header, given, answer, broken, extra, written, a, b, c = nb.cells
    assert given.outputs == [] and extra.outputs == [] and written.source == "my answer"
    assert answer.outputs == [new_output("stream", name="stdout", text=RAN_OK)]
    assert [(o.output_type, o.ename, o.evalue) for o in broken.outputs] == [("error", "CellFailed", "PermissionError: no <b>x</b>")]
    assert [c.source for c in (a, b, c)] == [hidden_cells.description_line(t) for t in CHECKS]
    assert a.outputs == [new_output("stream", name="stdout", text="passed\n")]
    assert [o.output_type for o in b.outputs] == ["error"] and b.outputs[0].traceback == ["failed: off by 2"]
    scores = [utils.determine_grade(cell)[0] for cell in (a, b, c)]
    assert scores == [2, 0, 1] and sum(scores) == runner.score
    notes = header.source.split("**Problems with your notebook**")[1]
    assert notes.count("failed when run: PermissionError: no <b>x</b>") == 1 and "\n```text\n" in notes


def test_a_refused_result_is_said_in_every_check_cell(tmp_path, monkeypatch):
    _runner(monkeypatch, result("alice", failed=("test_c",)), refused="its signature does not match the course secret")
    nb, _ = RunnerOutputs(config=_config(tmp_path)).preprocess(_autograded(), _resources(tmp_path))
    checks = nb.cells[6:]
    assert all("refused (its signature does not match the course secret)" in c.outputs[0].text for c in checks)
    assert [utils.determine_grade(cell)[0] for cell in checks] == [2, 3, 0]


def test_a_check_cell_without_a_grader_test_fails(tmp_path, monkeypatch):
    _runner(monkeypatch, result("alice"))
    nb = new_notebook(cells=[_cell("# Hidden check: gone", "hidden_test_gone", grade=True, points=1)])
    nb, _ = RunnerOutputs(config=_config(tmp_path)).preprocess(nb, _resources(tmp_path))
    assert utils.determine_grade(nb.cells[0])[0] == 0 and "hidden-cells" in nb.cells[0].outputs[0].evalue


# -- feedback -------------------------------------------------------------------------------------
def test_feedback_has_no_colour_codes_and_no_instructor_paths(tmp_path):
    course = str(tmp_path)
    tb = [f"\x1b[0;31mFile \x1b[0;32m{sys.prefix}/lib/python3.11/site-packages/keras/layer.py:12\x1b[0m",
          f"File {course}/autograded/alice/assignment07/nice_helpers.py:3",
          "File /opt/other/lib/python3.12/site-packages/numpy/core.py:9", f"File {os.path.expanduser('~')}/x.py"]
    cell = _cell("f()", "answer", solution=True, locked=False)
    cell.outputs = [new_output("error", ename="ValueError", evalue=f"bad {course}/data.npy", traceback=tb),
                    new_output("stream", name="stderr", text=f"{sys.prefix}/lib/x.py:1: UserWarning: w\n")]
    nb, _ = RedactFeedback(config=_config(tmp_path)).preprocess(new_notebook(cells=[cell]), {})
    text = json.dumps(nb.cells[0].outputs)
    for secret in (course, sys.prefix, "/opt/other", os.path.expanduser("~") + "/", "\\u001b"):
        assert secret not in text, secret
    assert nb.cells[0].outputs[0].traceback[:3] == [
        "File <python>/site-packages/keras/layer.py:12",
        "File <course>/autograded/alice/assignment07/nice_helpers.py:3",
        "File <python>/site-packages/numpy/core.py:9"]


# -- the course config ----------------------------------------------------------------------------
def _course_config(monkeypatch):
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(sys, "path", list(sys.path))
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def _classes(names):
    return [import_item(n) if isinstance(n, str) else n for n in names]


def test_config_is_nbgraders_lists_with_the_course_steps_inserted(monkeypatch):
    c = _course_config(monkeypatch)
    added = {"ClearHiddenTests"}  # nbgrader's own, added to the feedback list
    for configured, converter, name in [(c.Autograde.sanitize_preprocessors, Autograde, "sanitize_preprocessors"),
                                        (c.Autograde.autograde_preprocessors, Autograde, "autograde_preprocessors"),
                                        (c.GenerateFeedback.preprocessors, GenerateFeedback, "preprocessors")]:
        theirs = [k for k in _classes(configured) if not k.__module__.startswith("autograder.") and k.__name__ not in added]
        replaced = {Execute}  # by RunnerOutputs: no kernel runs the submission
        assert theirs == [k for k in converter.class_traits()[name].default() if k not in replaced], name
    names = [k.__name__ for k in _classes(c.Autograde.autograde_preprocessors)]
    assert "Execute" not in names and names.index("RunnerOutputs") == 0 and "SaveAutoGrades" in names
    names = [k.__name__ for k in _classes(c.Autograde.sanitize_preprocessors)]
    assert names.index("RestoreHiddenTests") + 1 == names.index("OverwriteCells")
    names = [k.__name__ for k in _classes(c.GenerateFeedback.preprocessors)]
    assert names[:3] == ["GetGrades", "ClearHiddenTests", "RedactFeedback"]
