"""Fast unit tests: the wire format and the nbgrader-style cell matching."""
import json
import socket

import numpy as np
import pytest

from conftest import ROOT
from autograder import notebook
from autograder.wire import protocol

SOURCE = ROOT / "source/assignment07/assignment07.ipynb"


def test_protocol_round_trip_arrays_and_specials():
    a, b = socket.socketpair()
    msg = {"x": np.arange(6.0).reshape(2, 3), "n": 3, "f": float("inf"), "s": "ok", "l": [1.5, None]}
    protocol.send(a, msg)
    got = protocol.recv(b)
    assert np.array_equal(got["x"], msg["x"]) and got["f"] == float("inf") and got["l"] == [1.5, None]


def test_protocol_rejects_oversized_and_malformed():
    a, b = socket.socketpair()
    a.sendall(protocol.HEADER.pack(protocol.MAX_MESSAGE + 1))
    with pytest.raises(protocol.ProtocolError):
        protocol.recv(b)
    payload = json.dumps({"__array__": "AAAA", "shape": [5]}).encode()
    a.sendall(protocol.HEADER.pack(len(payload)) + payload)
    with pytest.raises(protocol.ProtocolError):
        protocol.recv(b)


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


def test_missing_and_retyped_cells_are_reported(tmp_path):
    def edit(cells):
        cells = [c for c in cells if c["metadata"]["nbgrader"]["grade_id"] != "scaling_layer"]
        for c in cells:
            if c["metadata"]["nbgrader"]["grade_id"] == "log_likelihood":
                c["cell_type"] = "markdown"
        return cells
    program = notebook.assemble(_write(tmp_path, edit))
    assert "missing" in program.problems["scaling_layer"]
    assert "markdown" in program.problems["log_likelihood"]
    assert "scaling_layer" not in {c["grade_id"] for c in program.cells}


def test_experiments_and_tests_are_not_run():
    ids = {c["grade_id"] for c in notebook.assemble(SOURCE).cells}
    assert "mnist_train" not in ids and "test_coupling_layer" not in ids and "coupling_layer" in ids


def test_unreadable_notebook_is_a_problem_not_a_crash(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    program = notebook.assemble(bad)
    assert "notebook" in program.problems and "coupling_layer" in program.problems
