"""notebook: a submission is read only if it is a regular file under the cap, and parsed only if well formed."""
import json
import os
import threading

import pytest

from autograder import notebook
from autograder.notebook import NotebookError, parse_notebook, read_input, read_notebook

NB = {"cells": [{"cell_type": "code", "id": "a1", "source": ["x = 1\n", "y = 2"], "outputs": [],
                 "metadata": {"nbgrader": {"grade_id": "answer", "solution": True}, "tags": ["t"]}}],
      "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _refused(call, *words):
    with pytest.raises(NotebookError) as err:
        call()
    assert all(w in str(err.value) for w in words) and "\n" not in str(err.value), str(err.value)


def test_a_regular_notebook_is_read(tmp_path):
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(NB))
    assert read_notebook(path) == NB


def test_symlinks_are_refused_even_to_the_source_notebook(tmp_path):
    link = tmp_path / "a.ipynb"
    link.symlink_to(notebook.paths.SOURCE_NOTEBOOK)
    _refused(lambda: read_input(link), "symlink")
    zero = tmp_path / "zero.ipynb"
    zero.symlink_to("/dev/zero")
    _refused(lambda: read_input(zero), "symlink")


def test_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "a.ipynb"
    os.mkfifo(fifo)
    done = []
    reader = threading.Thread(target=lambda: done.append(pytest.raises(NotebookError, read_input, fifo)), daemon=True)
    reader.start()
    reader.join(5)
    assert done and "named pipe" in str(done[0].value)


def test_devices_and_folders_are_refused(tmp_path):
    _refused(lambda: read_input("/dev/zero"), "device")
    _refused(lambda: read_input(tmp_path), "folder")
    _refused(lambda: read_input(tmp_path / "gone.ipynb"), "cannot be opened")


def test_the_size_cap_is_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.ipynb"
    path.write_bytes(b" " * 101)
    _refused(lambda: read_input(path, limit=100), "larger than", "101 bytes")
    assert read_input(path, limit=101) == b" " * 101


@pytest.mark.parametrize("text, words", [
    ("{not json", ("not JSON",)),
    ("[" * 100_000 + "]" * 100_000, ("nested too deeply",)),
    ('"just text"', ("no cell list",)),
    ('{"cells": [3]}', ("cell 0", "not a JSON object")),
])
def test_text_that_is_no_notebook_is_refused(text, words):
    _refused(lambda: parse_notebook(text.encode()), *words)


def _broken(edit):
    nb = json.loads(json.dumps(NB))
    edit(nb["cells"][0])
    return json.dumps(nb).encode()


@pytest.mark.parametrize("edit, words", [
    (lambda c: c.update(source=["x = 1\n", 7]), "source is not text"),
    (lambda c: c.update(source={"a": 1}), "source is not text"),
    (lambda c: c.update(cell_type=["code"]), "cell_type is not text"),
    (lambda c: c.update(id=12), "id is not text"),
    (lambda c: c["metadata"]["nbgrader"].update(grade_id=["coupling_layer"]), "grade_id is not text"),
    (lambda c: c["metadata"]["nbgrader"].update(points="38"), "points is not a number"),
    (lambda c: c["metadata"].update(nbgrader=[]), "nbgrader metadata"),
    (lambda c: c["metadata"].update(tags="experiment"), "tags"),
    (lambda c: c.update(metadata=None), "metadata is not"),
])
def test_malformed_cells_are_refused_with_their_index(edit, words):
    _refused(lambda: parse_notebook(_broken(edit)), "cell 0", words)


def test_bytes_that_are_not_utf8_are_refused():
    _refused(lambda: parse_notebook(b'{"cells": ["\xff"]}'), "UTF-8")


def test_the_program_has_magics_commented_and_each_cell_labelled(tmp_path):
    nb = json.loads(notebook.paths.RELEASE_NOTEBOOK.read_text())
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "outlier_score")
    cell["source"] = "%matplotlib inline\n!pip list\n" + "".join(cell["source"])
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(nb))
    program = notebook.assemble(path)
    code = next(c["code"] for c in program.cells if c["grade_id"] == "outlier_score")
    assert code.startswith("pass  # %matplotlib inline\npass  # !pip list\ndef outlier_score(")
    assert program.labels["outlier_score"] == "your cell defining outlier_score" and not program.notes
    assert set(program.labels) == {c["grade_id"] for c in program.cells}
