"""Fast unit tests: the nbgrader-style cell matching (the wire format: tests/unit/test_protocol.py)."""
import json

from conftest import ROOT
from autograder import notebook

SOURCE = ROOT / "source/assignment07/assignment07.ipynb"


def _write(tmp_path, cells):
    nb = json.loads(SOURCE.read_text())
    nb["cells"] = cells(nb["cells"])
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_locked_cells_come_from_source(tmp_path):
    def edit(cells):
        for c in cells:
            if c["metadata"]["nbgrader"]["grade_id"] == "train_loop":
                c["source"] = "raise SystemExit('cheat')"
        return cells
    program = notebook.assemble(_write(tmp_path, edit))
    code = {c["grade_id"]: c["code"] for c in program.cells}
    assert "def train(" in code["train_loop"] and not program.problems


def test_missing_cells_are_reported_and_retyped_ones_run_as_code(tmp_path):
    def edit(cells):
        cells = [c for c in cells if c["metadata"]["nbgrader"]["grade_id"] != "scaling_layer"]
        for c in cells:
            if c["metadata"]["nbgrader"]["grade_id"] == "log_likelihood":
                c["cell_type"] = "markdown"
        return cells
    program = notebook.assemble(_write(tmp_path, edit))
    assert list(program.problems) == ["scaling_layer"] and "missing" in program.problems["scaling_layer"]
    assert "scaling_layer" not in {c["grade_id"] for c in program.cells}
    assert "def log_likelihood(" in next(c["code"] for c in program.cells if c["grade_id"] == "log_likelihood")
    assert program.notes == [["type", "your cell defining log_likelihood is a markdown cell, not a code cell: "
                                      "graded as the code it holds (make it a code cell again)"]]


def test_experiments_and_tests_are_not_run():
    ids = {c["grade_id"] for c in notebook.assemble(SOURCE).cells}
    assert "mnist_train" not in ids and "test_coupling_layer" not in ids and "coupling_layer" in ids


def test_unreadable_notebook_is_a_problem_not_a_crash(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    program = notebook.assemble(bad)
    assert "notebook" in program.problems and "coupling_layer" in program.problems
