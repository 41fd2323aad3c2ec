"""discover: every layout of grading inputs, and a one-line error for inputs that hold no notebook."""
import json

import pytest

from autograder.grade.discover import DiscoveryError, discover

NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _tree(tmp_path, *students):
    for s in students:
        folder = tmp_path / "submitted" / s / "assignment07"
        folder.mkdir(parents=True)
        (folder / "assignment07.ipynb").write_text(NB)
    return tmp_path / "submitted"


def _names(found):
    return [s for s, _ in found]


def test_submitted_tree(tmp_path):
    found = discover([str(_tree(tmp_path, "bob", "alice"))])
    assert _names(found) == ["alice", "bob"]
    assert all(nb.name == "assignment07.ipynb" and nb.exists() for _, nb in found)


def test_one_students_folder_and_its_assignment_folder(tmp_path):
    submitted = _tree(tmp_path, "alice", "bob")
    assert _names(discover([str(submitted / "alice")])) == ["alice"]
    assert _names(discover([str(submitted / "bob" / "assignment07")])) == ["bob"]


def test_single_notebook_in_the_tree_and_loose(tmp_path):
    submitted = _tree(tmp_path, "alice")
    assert _names(discover([str(submitted / "alice/assignment07/assignment07.ipynb")])) == ["alice"]
    (tmp_path / "carol.ipynb").write_text(NB)
    assert _names(discover([str(tmp_path / "carol.ipynb")])) == ["carol"]


def test_folder_of_notebooks_and_unique_names(tmp_path):
    for name in ("x y", "z"):
        (tmp_path / f"{name}.ipynb").write_text(NB)
    assert _names(discover([str(tmp_path), str(tmp_path / "z.ipynb")])) == ["x_y", "z", "z-2"]


def test_the_assignment_notebook_is_preferred_in_a_students_folder(tmp_path):
    submitted = _tree(tmp_path, "alice")
    (submitted / "alice/assignment07/scratch.ipynb").write_text(NB)
    assert [nb.name for _, nb in discover([str(submitted)])] == ["assignment07.ipynb"]


def _csv(folder):
    (folder / "grades.csv").write_text("student,total\n")
    return folder / "grades.csv"


@pytest.mark.parametrize("make, words", [
    (lambda p: p / "missing", "no such notebook or folder"),
    (lambda p: p, "no notebook here"),
    (_csv, "not a notebook"),
])
def test_clear_one_line_errors(tmp_path, make, words):
    path = make(tmp_path)
    with pytest.raises(DiscoveryError) as err:
        discover([str(path)])
    assert words in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)
