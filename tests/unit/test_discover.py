"""discover: every layout of grading inputs, a one-line error for inputs that hold no notebook, distinct names."""
import json
import os
import re

import pytest

from autograder.grade.discover import OUTPUT_FILES, DiscoveryError, discover, student_name

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
    found = discover([str(tmp_path), str(tmp_path / "z.ipynb")])
    assert _names(found) == [student_name("x y")[0], "z", "z~2"]
    assert len(found.notes) == 2 and "'x y'" in found.notes[0] and "second submission" in found.notes[1]


def test_names_that_differ_stay_distinct_and_stable(tmp_path):
    found = discover([str(_tree(tmp_path, "al ice", "al_ice", "al_ice-2", "al?ice"))])
    names = dict((str(nb.parent.parent.name), s) for s, nb in found)
    assert names["al_ice"] == "al_ice" and names["al_ice-2"] == "al_ice-2"
    assert re.fullmatch(r"al_ice~[0-9a-f]{6}", names["al ice"]) and re.fullmatch(r"al_ice~[0-9a-f]{6}", names["al?ice"])
    assert len(set(names.values())) == 4
    assert [n for n in found.notes if "'al ice'" in n] == [
        f"student 'al ice' ({found[[s for s, _ in found].index(names['al ice'])][1]}) is graded as "
        f"{names['al ice']}: not safe as a folder name"]
    again = discover([str(tmp_path / "submitted" / "al ice")])  # a regrade of one student: the same name
    assert _names(again) == [names["al ice"]]


@pytest.mark.parametrize("original", [*OUTPUT_FILES, "GRADES.CSV", ".hidden", "-rf", "x" * 65, "a/b", ""])
def test_output_files_and_unsafe_names_are_renamed_visibly(original):
    name, why = student_name(original)
    assert why and name != original and "~" in name and name.lower() not in OUTPUT_FILES
    assert re.fullmatch(r"[A-Za-z0-9_.-]*~[0-9a-f]{6}", name) and not name.startswith((".", "-"))


@pytest.mark.parametrize("original", ["alice", "john.doe", "a_b-2", "x9"])
def test_safe_names_are_kept(original):
    assert student_name(original) == (original, None)


def test_names_that_differ_only_in_case_never_share_a_folder(tmp_path):
    """On a file system that ignores case (macOS, Windows) Ana/ and ana/ would be one folder: names that differ
    only in case, in one run or beside a folder already in the output, get the hash form; capitals alone do not."""
    found = discover([str(_tree(tmp_path, "Ana", "ana", "ANA", "aNa", "Bob"))])
    names = _names(found)
    assert len({n.casefold() for n in names}) == 5 and "Bob" in names, names
    assert all(re.fullmatch(r"[aA][nN][aA]~[0-9a-f]{6}", n) for n in names if n != "Bob"), names
    assert sum("but for capitals" in note for note in found.notes) == 4
    regrade = discover([str(tmp_path / "submitted" / "Ana")], existing=["ana"])  # an earlier run's ana/ is there
    assert _names(regrade) == [n for n in names if n.startswith("Ana~")]  # as in the class run, not Ana/ in ana/
    assert _names(discover([str(tmp_path / "submitted" / "Bob")], existing=["Bob"])) == ["Bob"]  # its own folder


def test_a_student_named_like_an_output_file(tmp_path):
    found = discover([str(_tree(tmp_path, "grades.csv", "bob"))])
    assert _names(found)[0] == "bob" and _names(found)[1].startswith("grades.csv~")
    assert "name of an output file" in found.notes[0]


def test_pipes_and_symlinks_are_listed_and_symlinked_folders_are_not(tmp_path):
    submitted = _tree(tmp_path, "alice")
    (submitted / "mallory").symlink_to(submitted / "alice")  # would be graded as alice's notebook
    pipe = submitted / "pat" / "assignment07" / "assignment07.ipynb"
    pipe.parent.mkdir(parents=True)
    os.mkfifo(pipe)
    link = submitted / "lee" / "assignment07" / "assignment07.ipynb"
    link.parent.mkdir(parents=True)
    link.symlink_to(submitted / "alice" / "assignment07" / "assignment07.ipynb")
    found = discover([str(submitted)])
    assert _names(found) == ["alice", "lee", "pat"]  # read_input refuses the last two, each in its own result
    assert found.notes == [f"{submitted}/mallory/assignment07/assignment07.ipynb: not graded "
                           "(reached through a symlinked folder)"]
    assert _names(discover([str(pipe)])) == ["pat"] and _names(discover([str(link)])) == ["lee"]


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


def test_a_name_this_module_made_is_kept_when_read_back(tmp_path):
    """grade --submitted writes folders under the output names: reading them back gives the same names."""
    renamed = student_name("zoë")[0]
    found = discover([str(_tree(tmp_path, renamed, f"{renamed}~2", "bob~2"))])
    assert _names(found) == sorted([renamed, f"{renamed}~2", "bob~2"]) and not found.notes
    assert _names(discover([str(tmp_path / "submitted"), str(tmp_path / "submitted" / renamed)]))[-1] == f"{renamed}~3"
