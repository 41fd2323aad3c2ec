"""nice_checks, the students' self-checks: OK on the reference, the right message on realistic mistakes,
a FAILED block instead of an exception (Run All goes on), the function most likely wrong named, no
internal frames and no colour codes.

Mistakes come from the bug bank (tests/fixtures/make_submissions.py) plus two of its own: the cells the
grader runs of a mutated notebook are re-executed over a copy of the reference namespace, so the given
classes see a given function that the mutated solution cell redefines, as they would in the notebook.
"""
import json
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from conftest import ROOT
from autograder.notebook import graded_cells

ASSIGNMENT = ROOT / "source" / "assignment07"
SOURCE = ASSIGNMENT / "assignment07.ipynb"
sys.path.insert(0, str(ASSIGNMENT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import make_submissions as bank  # noqa: E402
import nice_checks as checks  # noqa: E402

SELF_CHECK_CELLS = {"test_coupling_layer": "check_coupling_layer", "test_nice_model": "check_nice",
                    "test_log_likelihood": "check_log_likelihood", "test_training": "check_training",
                    "test_inpainting": "check_inpainting", "test_outlier_score": "check_outlier_score",
                    "before_submit_check": "check_all"}
ARGS = {checks.check_coupling_layer: ("CouplingLayer",), checks.check_nice: ("NICE", "CouplingLayer", "ScalingLayer"),
        checks.check_log_likelihood: ("NICE", "log_likelihood"),
        checks.check_training: ("NICE", "nll_loss", "make_train_step"),
        checks.check_inpainting: ("NICE", "inpainting_step"), checks.check_outlier_score: ("NICE", "outlier_score")}
BANK = {m.name: m for m in bank.BANK}
OUTLIER_NO_LOG_DET = bank.bug(
    "outlier_no_log_det", "outlier_score",
    "return -log_likelihood(model, tf.convert_to_tensor(x, tf.float32)).numpy()",
    "return -model.prior.log_prob(model.forward(tf.convert_to_tensor(x, tf.float32))).numpy()",
    {"test_outlier_score"}, "outlier score from the prior alone, without the log-det")
INPAINT_CLIP_TOP = bank.bug(
    "inpaint_clip_top", "inpainting",
    "tf.clip_by_value(x + step_size * (grad + noise), data_range[0], data_range[1])",
    "tf.minimum(x + step_size * (grad + noise), data_range[1])",
    {"test_inpainting_step_rule"}, "projection at the top edge only")

MISTAKES = [  # (mutation, check, what its message must say)
    (BANK["bug_log_det_sign"], checks.check_nice, "your value is the wrong sign"),
    (BANK["bug_log_det_sign"], checks.check_log_likelihood, "the log-det has the wrong sign"),
    (BANK["bug_log_det_mean"], checks.check_nice, "a mean over dims instead of a sum"),
    (BANK["bug_coupling_backward_adds"], checks.check_coupling_layer, "max |backward(forward(x)) - x|"),
    (BANK["bug_shared_network_cache"], checks.check_coupling_layer, "its own network m"),
    (BANK["bug_no_alternation"], checks.check_nice, "depend only on their own input"),
    (BANK["bug_raw_variable_scale"], checks.check_nice, "create it with self.add_weight"),
    (BANK["bug_ll_missing_log_det"], checks.check_log_likelihood, "the log-det term is missing"),
    (BANK["bug_nll_sum"], checks.check_training, "the summed NLL"),
    (BANK["bug_inpaint_descent"], checks.check_inpainting, "gradient descent instead of ascent"),
    (INPAINT_CLIP_TOP, checks.check_inpainting, "lands 1 below data_range[0] = -1: expected exactly -1"),
    (OUTLIER_NO_LOG_DET, checks.check_outlier_score, "-log p_H(f(x)): the log-det term is missing"),
    # the model's check tests its layers first and blames the function most likely wrong
    (BANK["bug_coupling_backward_adds"], checks.check_nice, "most likely CouplingLayer.backward"),
    (BANK["bug_backward_skips_scaling"], checks.check_nice, "so NICE.backward is wrong"),
    (BANK["bug_backward_same_order"], checks.check_nice, "so NICE.backward is wrong"),
]


@pytest.fixture(scope="module")
def reference():
    """The reference notebook's namespace (imports TensorFlow: ~5 s)."""
    from benchmarks._reference import load_reference
    return load_reference()


def variant(reference, mutation):
    """The reference namespace with the graded cells of ``mutation``'s notebook executed over a copy."""
    ns = dict(reference)
    for cell, nbg in graded_cells(bank.apply(bank.load_source(), mutation)):
        try:
            exec(compile("".join(cell["source"]), f"<{mutation.name}:{nbg['grade_id']}>", "exec"), ns)
        except AssertionError:  # a given cell's own assert (the scale is tracked) fails, as in the notebook
            assert not nbg.get("solution")
    return ns


def test_reference_passes_every_part(reference, capsys):
    checks.check_all(reference)
    out = capsys.readouterr().out
    assert out.count("  OK\n") == len(checks.PARTS) and "All self-checks passed" in out, out


def test_jacobian_is_tensorflows_batch_jacobian(reference):
    """The one-pass Jacobian (each example repeated once per output) equals tf.GradientTape.batch_jacobian,
    for a NICE (D_out = D) and for a scalar of each row (D_out = 1), and so does the log-det it gives."""
    tf = reference["tf"]
    model, numeric = checks.random_nice(reference["NICE"], 5, seed=3)
    x = np.random.default_rng(0).standard_normal((7, 5)).astype(np.float32)
    for fn in (model.forward, lambda v: tf.reduce_sum(model.forward(v) ** 2, axis=1, keepdims=True)):
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = fn(inputs)
        expected = tape.batch_jacobian(outputs, inputs).numpy()
        np.testing.assert_allclose(checks.jacobian(fn, x), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(checks.numeric_log_det(model, x), model.log_det_jacobian().numpy(), atol=1e-4)
    assert abs(numeric) > checks.MIN_ABS_LOG_DET


@pytest.mark.parametrize("mutation, check, says", MISTAKES,
                         ids=[f"{m.name}-{c.__name__}" for m, c, _ in MISTAKES])
def test_mistake_is_caught_with_its_message(reference, mutation, check, says, capsys):
    ns = variant(reference, mutation)
    assert check(*(ns[name] for name in ARGS[check])) is None  # prints, never raises
    out = capsys.readouterr().out
    assert f"{checks._RULE}\n" in out and ": FAILED\n" in out and ": OK" not in out, out
    assert says in out and "expected" in out and "got" in out and "Hint:" in out, out


def test_layer_mistakes_are_not_blamed_on_the_model(reference, capsys):
    """A correct NICE built from correct layers passes; the model's own mistake does not blame the layers."""
    checks.check_nice(reference["NICE"], reference["CouplingLayer"], reference["ScalingLayer"])
    assert capsys.readouterr().out.startswith("NICE model: OK")
    ns = variant(reference, BANK["bug_backward_same_order"])
    checks.check_nice(ns["NICE"], ns["CouplingLayer"], ns["ScalingLayer"])
    assert "CouplingLayer.backward" not in capsys.readouterr().out


class _BrokenCoupling:
    """A CouplingLayer whose forward fails in the student's own code, with colour codes in its message."""

    def __init__(self, dim, parity, **kwargs):
        self.dim = dim

    def forward(self, x):
        return self.helper(x)

    def helper(self, x):
        raise ValueError("\x1b[31mshapes do not match\x1b[0m")


def test_an_error_in_student_code_prints_its_lines_only(capsys):
    """No exception escapes; the block names the error and the student's frames, never nice_checks' own."""
    assert checks.check_coupling_layer(_BrokenCoupling) is None
    out = capsys.readouterr().out
    assert "coupling layer: FAILED\nyour code raised ValueError: shapes do not match" in out, out
    assert f'File "{__file__}"' in out and "in helper" in out and "return self.helper(x)" in out, out
    assert f'File "{checks.__file__}"' not in out and "site-packages" not in out and "\x1b" not in out, out


def test_check_all_tables_unfinished_and_missing_parts(capsys):
    class CouplingLayer:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError()

    assert checks.check_all({"CouplingLayer": CouplingLayer}) is None  # the whole table, no exception
    out = capsys.readouterr().out
    assert out.startswith("part            result\n") and len(out.splitlines()) >= len(checks.PARTS) + 1
    assert "coupling layer  FAILED: not implemented yet: test_check_all_tables_unfinished_and_missing_parts.<locals>" \
           ".CouplingLayer.__init__" in out
    assert out.count("FAILED: not defined: NICE") == len(checks.PARTS) - 1, out
    assert f"{len(checks.PARTS)} of {len(checks.PARTS)} parts do not pass yet" in out


def test_check_all_shows_a_student_error_in_one_line(capsys):
    checks.check_all({"CouplingLayer": _BrokenCoupling})
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("coupling layer"))
    assert row == "coupling layer  FAILED: your code raised ValueError: shapes do not match", row


def test_given_cells_that_run_student_code_say_why_and_go_on(capsys):
    """keep_going: Run All reaches the end of the notebook whatever the student's code does."""
    def make_prior(name, dim):
        raise NotImplementedError()

    with checks.keep_going("the scale check"):
        make_prior("logistic", 4)
        raise AssertionError("never reached")
    with checks.keep_going("the parabola plots"):
        parabola_model  # noqa: B018, F821 - made by a cell that was skipped
    with checks.keep_going("the MNIST experiment"):
        _BrokenCoupling(4, 0).forward(None)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("the scale check: skipped: not implemented yet: "
                      "test_given_cells_that_run_student_code_say_why_and_go_on.<locals>.make_prior")
    assert out[2] == "the parabola plots: skipped: it needs parabola_model, which a cell above did not make (see the message there)"
    assert out[3] == "the MNIST experiment: skipped: your code raised ValueError: shapes do not match"
    assert out[-1] == "  (a given cell: it runs once the code it calls works)"


def test_importing_the_module_does_not_import_tensorflow():
    code = (f"import sys; sys.path.insert(0, {str(ASSIGNMENT)!r}); import nice_checks; "
            "assert 'tensorflow' not in sys.modules")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def _cells():
    return {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in json.loads(SOURCE.read_text())["cells"]}


def test_self_check_cells_are_locked_ungraded_and_never_graded():
    from nbgrader.nbgraderformat import MetadataValidator
    MetadataValidator().validate_nb(nbformat.read(SOURCE, as_version=4))  # nbgrader accepts every cell
    cells = _cells()
    for grade_id, function in SELF_CHECK_CELLS.items():
        cell = cells[grade_id]
        assert cell["metadata"]["nbgrader"] == {"grade": False, "grade_id": grade_id, "locked": True,
                                                "schema_version": 3, "solution": False}
        assert "self-check" in cell["metadata"]["tags"] and f"{function}(" in "".join(cell["source"])
        assert callable(getattr(checks, function))
    run_by_grader = {nbg["grade_id"] for _, nbg in graded_cells(json.loads(SOURCE.read_text()))}
    assert not run_by_grader & set(SELF_CHECK_CELLS)
    ids = list(cells)
    assert ids.index("before_submit") + 1 == ids.index("before_submit_check") == ids.index("hidden_checks_intro") - 1


def test_intro_states_the_points_nbgrader_counts():
    cells = _cells()
    graded = [c["metadata"]["nbgrader"] for c in cells.values() if c["metadata"].get("nbgrader", {}).get("grade")]
    auto = sum(n["points"] for n in graded if n["grade_id"].startswith("hidden_"))
    written = sum(n["points"] for n in graded if n["grade_id"].startswith("answer_"))
    assert len(graded) == sum(n["grade_id"].startswith(("hidden_", "answer_")) for n in graded)
    parts = " + ".join(f"{cells[g]['metadata']['nbgrader']['points']:g}" for g in ("answer_toy", "answer_outliers"))
    intro = "".join(cells["intro"]["source"])
    claim = f"**Points: {auto + written:g} in total:** {auto:g} autograded, {written:g} for the two written answers ({parts},"
    assert claim in intro, claim


def test_written_answers_are_in_the_source_and_cleared_in_the_release():
    from nbgrader.preprocessors import ClearSolutions
    cells = _cells()
    for grade_id in ("answer_toy", "answer_outliers"):
        cell = nbformat.from_dict(cells[grade_id])
        assert len("".join(cell.source)) > 500 and "YOUR ANSWER HERE" not in "".join(cell.source)
        cell.source = "".join(cell.source)
        released, _ = ClearSolutions().preprocess_cell(cell, {"language": "python"}, 0)
        assert released.source == "YOUR ANSWER HERE"


@pytest.mark.slow
@pytest.mark.parametrize("mutation", bank.ALTERNATIVES, ids=[m.name for m in bank.ALTERNATIVES])
def test_correct_alternatives_pass(reference, mutation, capsys):
    checks.check_all(variant(reference, mutation))
    assert "All self-checks passed" in capsys.readouterr().out


def _roundtrip(name):
    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    import make_roundtrip
    return make_roundtrip, next(r for r in make_roundtrip.BANK if r.name == name)


def test_check_all_runs_the_saved_notebook_the_way_the_grader_does(reference, tmp_path, capsys):
    """The helper in an added cell: the warning names it before hand-in, and the checks pass as graded."""
    rt, entry = _roundtrip("roundtrip_helper_added_cell")
    path = rt.build(tmp_path, [entry])[entry.name]
    checks.check_all(dict(reference), notebook=path)
    out = capsys.readouterr().out
    head, table = out.split("part            result\n")
    assert head.startswith(f"How the autograder will run your notebook ({path}):\n  - my_merge (used by your solution)")
    assert "a cell you added (cell 5, which starts `def my_merge(parts):`)" in head
    assert table.count("  OK\n") == len(checks.PARTS) and "read the notes above before you submit" in table


def test_what_the_grader_would_not_run_fails_here_too(reference, tmp_path):
    """A helper set by code the grader does not run: a warning, and the grader's program lacks it (its checks fail)."""
    rt, entry = _roundtrip("roundtrip_helper_added_cell")
    computed = rt.Roundtrip("computed", rt._both(rt._add("coupling_base", "MERGE = tf.concat\n"), rt._replace(
        "coupling_layer", "        return tf.concat(parts, axis=1)\n", "        return MERGE(parts, axis=1)\n")), "")
    path = rt.build(tmp_path, [computed])["computed"]
    names, warnings = checks.as_graded(dict(reference), path)
    assert any(w.startswith("MERGE (used by your solution) is set in a cell you added") for w in warnings), warnings
    assert "MERGE" not in names and names["CouplingLayer"] is not reference["CouplingLayer"]


def test_check_all_says_when_it_tested_the_kernel_and_when_the_file_is_stale(reference, tmp_path, capsys):
    rt, entry = _roundtrip("roundtrip_metadata_stripped")
    path = rt.build(tmp_path, [entry])[entry.name]
    names, warnings = checks.as_graded({**reference, "In": ["", "x = 1"]}, path)
    assert warnings[0].startswith("found by what they define") and "as saved differs from what this kernel ran" in warnings[-1]
    assert checks.notebook_file({}, None) is None and checks.notebook_file({"__session__": str(path)}) == str(path)
