"""What students read of a failure: no colour codes, no grader introspection, notes once, their own lines."""
import json

import sys
from pathlib import Path

from autograder.grade.messages import notebook_notes, student_message, submission_cells, visible
from autograder.notes import notebook_flags
from autograder.results import file_sha256

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
from hostile_text import HOSTILE, INVISIBLE, unclean  # noqa: E402

WORKER = {"problems": {"log_likelihood": "cell 'log_likelihood' is missing from the submission"},
          "load_status": {"setup": "ok", "train_loop": "NameError: name 'nll_loss' is not defined"},
          "labels": {"train_loop": "the given cell defining xla_pays_off, train and evaluate_nll"}}


def test_notes_are_said_once_and_cut_from_each_message():
    notes = notebook_notes(WORKER, error="judge exited with status 3: boom\nmore")
    assert notes == ["grading problem: judge exited with status 3: boom",
                     "cell 'log_likelihood' is missing from the submission",
                     "the given cell defining xla_pays_off, train and evaluate_nll failed when run: NameError: name 'nll_loss' "
                     "is not defined"]
    message = "calling f(x): NameError: name 'g' is not defined\nNote: " + "; ".join(notes[1:])
    assert student_message(message, WORKER) == "calling f(x): NameError: name 'g' is not defined"
    assert "Note:" in student_message(message, {})  # nothing to show at the top: the note stays


def test_colour_codes_and_pytest_introspection_go():
    message = ("AssertionError: log_likelihood differs by 8.4 nats\n"
               "assert np.float64(8.4) < 0.05\n +  where np.float64(8.4) = <function max at 0x7f>(...)")
    assert student_message(message) == "log_likelihood differs by 8.4 nats"
    assert student_message("ValueError: \x1b[1mInput 0 is incompatible\x1b[0m") == "ValueError: Input 0 is incompatible"


def test_the_students_own_line_is_shown():
    message = "calling m.forward(<array (4, 2)>): ValueError: bad shape\n  <cell coupling_layer>, line 2, in forward: "
    cells = {"coupling_layer": "def forward(x):\n    return x + self.m(x[:, :3])\n"}
    worker = {"labels": {"coupling_layer": "your cell defining CouplingLayer"}}
    assert student_message(message, worker, cells).splitlines()[1:] == [
        "  in your cell defining CouplingLayer, line 2, in forward:", "      return x + self.m(x[:, :3])"]
    assert student_message(message, worker).splitlines()[1:] == ["  in your cell defining CouplingLayer, line 2, in forward:"]
    assert student_message(message).splitlines()[1] == "  in cell 'coupling_layer', line 2, in forward:"  # no labels


def test_submission_cells_only_for_the_graded_file(tmp_path):
    nb = tmp_path / "s.ipynb"
    nb.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    cells = submission_cells(nb, file_sha256(nb))
    assert "setup" in cells  # locked source cells come from the source notebook
    assert submission_cells(nb, "0" * 64) == {} and submission_cells(tmp_path / "gone.ipynb") == {}


def test_escapes_go_and_control_characters_show():
    assert visible(HOSTILE) == "<U+202E>evil<U+202C> red score: 0\nscore: 38\nline\\x08\\x00\\x07<U+2066>end"
    assert not INVISIBLE.search(visible(HOSTILE))
    assert visible("tab\tand\nnewline stay; ünïcode too") == "tab\tand\nnewline stay; ünïcode too"
    assert visible("\x1b]8;;http://e.vil\x07link\x1b]8;;\x07") == "link"  # a hyperlink: its text stays


def test_every_message_a_student_reads_passes_the_sanitizer():
    worker = {"problems": {"x": f"cell 'x' is missing {HOSTILE}"}, "load_status": {"y": f"ValueError: {HOSTILE}"}}
    texts = notebook_notes(worker, error=f"judge exited: {HOSTILE}") + [student_message(f"ValueError: {HOSTILE}")]
    assert not any(map(unclean, texts)), texts


def test_cells_are_named_in_the_students_terms_and_notes_flag_the_notebook():
    worker = {"problems": {"coupling_layer": "CouplingLayer is defined in 2 cells (...)"},
              "notes": [["content", "found by what they define, not by their nbgrader id (...)"],
                        ["helper", "my_merge (used by your solution) is defined in a cell you added (...)"]],
              "labels": {"coupling_layer": "your cell defining CouplingLayer",
                         "scale_is_tracked": "the given cell that starts `# The scale must be a tracked weight`"},
              "load_status": {"scale_is_tracked": "NameError: name 'my_merge' is not defined"}}
    assert notebook_notes(worker) == [
        "CouplingLayer is defined in 2 cells (...)", "found by what they define, not by their nbgrader id (...)",
        "my_merge (used by your solution) is defined in a cell you added (...)",
        "the given cell that starts `# The scale must be a tracked weight` failed when run: NameError: name "
        "'my_merge' is not defined"]
    message = "calling m.forward(<array (4, 2)>): NameError: x\n  <cell coupling_layer>, line 2, in forward: "
    assert student_message(message, worker, {"coupling_layer": "a\n  return my_merge(parts)\n"}).splitlines()[1:] == [
        "  in your cell defining CouplingLayer, line 2, in forward:", "      return my_merge(parts)"]
    assert notebook_flags(worker) == ["cells matched by content", "helpers taken from added cells",
                                      "solution cells missing or ambiguous"]
    assert notebook_flags({}) == [] and notebook_flags(WORKER) == ["solution cells missing or ambiguous"]
