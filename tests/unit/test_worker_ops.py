"""The worker's operations on the reference program, in this process (TensorFlow, no sandbox)."""
import sys

import numpy as np
import pytest

from conftest import ROOT
from autograder import notebook, packs
from autograder.worker.ops import Session, plain


@pytest.fixture(scope="module")
def session():
    sys.path.insert(0, str(ROOT / "source" / "assignment07"))  # the worker's cwd holds nice_helpers.py
    s = Session(packs.load("assignment07").calls)
    status = s.op_load(notebook.assemble(ROOT / "source/assignment07/assignment07.ipynb").cells)
    assert set(status.values()) == {"ok"}, status
    return s


def _nice(s, name, seed=0, **kwargs):
    s.op_seed(seed)
    s.op_new(name, "NICE", [4], {"num_couplings": 2, "hidden_units": [8], **kwargs})
    s.op_call(name, "forward", [np.zeros((1, 4))])
    return name


def test_load_reports_each_cell_and_goes_on_after_a_failure():
    s = Session()
    status = s.op_load([{"grade_id": "a", "code": "x = 1\npass  # %matplotlib inline (the judge's assemble comments magics)"},
                        {"grade_id": "b", "code": "raise SystemExit('bye')"},
                        {"grade_id": "c", "code": "y = x + 1"}])
    assert status == {"a": "ok", "b": "SystemExit: bye", "c": "ok"} and s.ns["y"] == 2


def test_a_template_stub_reached_while_loading_is_named():
    status = Session().op_load([
        {"grade_id": "model", "code": "def make_prior(name, dim):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"},
        {"grade_id": "given", "code": "prior = make_prior('logistic', 4)"},
        {"grade_id": "own", "code": "raise NotImplementedError()  # not the stub line: its own words"},
        {"grade_id": "empty", "code": "raise KeyError()"}])
    assert status == {"model": "ok", "given": "not implemented yet: make_prior",
                      "own": "NotImplementedError", "empty": "KeyError"}


def test_only_the_allowlisted_names_can_be_built_or_called(session):
    with pytest.raises(ValueError, match="unknown factory"):
        session.op_new("o", "os.system", ["true"])
    with pytest.raises(ValueError, match="not allowed"):
        session.op_func("exec", ["1"])
    with pytest.raises(ValueError, match="not allowed"):
        session.op_call(_nice(session, "m0"), "__class__")
    with pytest.raises(NameError, match="not defined"):
        Session(packs.load("assignment07").calls).op_new("o", "NICE", [4])


def test_calls_return_plain_float64_data(session):
    z = session.op_call(_nice(session, "m1"), "forward", [np.ones((3, 4))])
    assert isinstance(z, np.ndarray) and z.dtype == np.float64 and z.shape == (3, 4)
    assert isinstance(session.op_call("m1", "log_det_jacobian"), float)
    ll = session.op_func("log_likelihood", [{"__ref__": "m1"}, np.ones((3, 4))])
    assert ll.shape == (3,) and np.all(np.isfinite(ll))


def test_row_methods_run_eagerly_or_compiled_as_the_judge_asks(session):
    """The judge picks the path, so the twin answers a recheck through the same kernels as the main worker."""
    name = _nice(session, "m_path")
    x = np.random.default_rng(0).standard_normal((9, 4))
    eager = [session.op_call(name, "forward", [x]) for _ in range(4)]
    assert session.compiled[(name, "forward")].graph is None  # never asked compiled: never traced
    compiled = session.op_call(name, "forward", [x], compiled=True)
    assert session.compiled[(name, "forward")].graph is not None
    assert np.allclose(compiled, eager[0], rtol=1e-5, atol=1e-6)
    assert np.array_equal(session.op_call(name, "forward", [x], compiled=False), eager[0])


def test_plain_converts_nested_results():
    import tensorflow as tf
    got = plain({"a": tf.constant([1.0, 2.0]), "b": [1.5, 2.5], "c": (tf.constant(3.0), None), "d": "s"})
    assert np.array_equal(got["a"], [1.0, 2.0]) and np.array_equal(got["b"], [1.5, 2.5])
    assert got["c"] == [3.0, None] and got["d"] == "s"


def test_weights_copy_an_object_exactly(session):
    x = np.random.default_rng(0).standard_normal((5, 4))
    _nice(session, "m2", seed=1)
    _nice(session, "m3", seed=2)
    assert not np.allclose(session.op_call("m2", "forward", [x]), session.op_call("m3", "forward", [x]))
    session.op_set_weights("m3", session.op_get_weights("m2"))
    assert np.array_equal(session.op_call("m2", "forward", [x]), session.op_call("m3", "forward", [x]))
    weights = session.op_get_weights("m2")
    with pytest.raises(ValueError, match="weights"):
        session.op_set_weights("m3", weights[:-1])
    with pytest.raises(ValueError, match="shape"):
        session.op_set_weights("m3", [np.zeros(w.size + 1) for w in weights])


def test_trainable_flags_every_weight_in_order(session):
    flags = session.op_trainable(_nice(session, "m4"))
    assert flags == [True] * len(session.op_get_weights("m4")) and all(type(f) is bool for f in flags)


def test_forward_with_changes_one_weight_entry_at_a_time_and_restores_it(session):
    x = np.random.default_rng(1).standard_normal((16, 4))
    base = session.op_call(_nice(session, "m5"), "forward", [x])
    weights = session.op_get_weights("m5")
    assert [w.shape for w in weights[:4]] == [(2, 8), (8,), (8, 2), (2,)]  # the first coupling's network
    changes = [[i, 0, float(w.flat[0]) + 1.0] for i, w in enumerate(weights)]  # the first entry of each
    outputs = session.op_forward_with("m5", x, changes)
    assert outputs.shape == (len(weights), 16, 4)
    moved = [not np.allclose(out, base) for out in outputs]
    assert sum(moved) >= len(weights) - 2, "forward depends on the first entry of (nearly) every weight"
    assert np.array_equal(session.op_call("m5", "forward", [x]), base), "every weight is restored"
    assert all(np.array_equal(a, b) for a, b in zip(weights, session.op_get_weights("m5")))


def test_seed_makes_construction_reproducible(session):
    x = np.ones((2, 4))
    a = session.op_call(_nice(session, "m6", seed=11), "backward", [x])
    b = session.op_call(_nice(session, "m7", seed=11), "backward", [x])
    assert np.array_equal(a, b)
