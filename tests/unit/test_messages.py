"""What students read of a failure: no colour codes, no grader introspection, notes once, their own lines."""
import json

import sys
from pathlib import Path

from autograder.grade.messages import cell_label, notebook_notes, student_message, submission_cells, visible
from autograder.results import file_sha256

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
from hostile_text import HOSTILE, INVISIBLE, unclean  # noqa: E402

WORKER = {"problems": {"log_likelihood": "cell 'log_likelihood' is missing from the submission"},
          "load_status": {"setup": "ok", "train_loop": "NameError: name 'nll_loss' is not defined"}}


def test_notes_are_said_once_and_cut_from_each_message():
    notes = notebook_notes(WORKER, error="judge exited with status 3: boom\nmore")
    assert notes == ["grading problem: judge exited with status 3: boom",
                     "cell 'log_likelihood' is missing from the submission",
                     "the given cell with xla_pays_off, train, evaluate_nll failed when run: NameError: name 'nll_loss' "
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
    assert student_message(message, cells=cells).splitlines()[1:] == [
        "  in your cell with CouplingLayer, line 2, in forward:", "      return x + self.m(x[:, :3])"]
    assert student_message(message).splitlines()[1:] == ["  in your cell with CouplingLayer, line 2, in forward:"]


def test_cells_are_named_as_students_find_them():
    assert [cell_label(gid) for gid in ("nice_model", "coupling_base", "scale_is_tracked", "setup", "zz")] == [
        "your cell with make_prior, NICE", "the given cell with make_shift_network, CouplingLayerBase",
        'the given cell "The scale must be a tracked weight, or it is never trained."',
        'the given cell starting "import os"', "cell 'zz'"]


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
