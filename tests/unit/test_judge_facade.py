"""The graders' facade with a stand-in worker (numpy, no TensorFlow): answers are checked, twins cross-examine.

The stand-in builds every object as a per-dimension affine map z = (x - shift) * scale, with its
weights (shift, scale); ``tweak`` functions change what its methods return, like hostile code would.
"""
import types

import numpy as np
import pytest

from autograder import packs
from autograder.judge import facade
from assignments.assignment07 import procedures
from autograder.judge.facade import Submission, expect_array, expect_scalar

Failed = pytest.fail.Exception
PROGRAM = types.SimpleNamespace(problems={}, cells=[])


class FakeWorker:
    """Answers the judge's requests like a worker would, for affine maps (see the module docstring)."""

    def __init__(self, program=PROGRAM, plan="plan", budget_s=300.0, tweak=None):
        self.program, self.plan, self.tweak = program, plan, tweak or {}
        self.objects, self.ops, self.seeds = {}, [], []
        self.load_status, self.events, self.starts, self.isolation, self.timings = {}, [], 1, {}, {}
        self.closed = False

    def request(self, op, timeout=None, **fields):
        self.ops.append(op)
        return getattr(self, f"op_{op}")(**fields)

    def close(self):
        self.closed = True

    def op_seed(self, seed):
        self.seeds.append(seed)
        return "ok"

    def op_new(self, name, factory, args, kwargs):
        self.objects[name] = {"shift": np.zeros(args[0]), "scale": np.ones(args[0]), "k": 1.0, "memo": {}}
        return "ok"

    def op_get_weights(self, obj):
        o = self.objects[obj]
        return [o["shift"].copy(), o["scale"].copy(), np.array([o["k"]])]

    def op_set_weights(self, obj, arrays):
        o = self.objects[obj]
        o["shift"], o["scale"], (o["k"],) = (np.array(a) for a in arrays)
        return "ok"

    def op_trainable(self, obj):
        return [True, True, False]

    def op_forward_with(self, obj, x, changes):
        saved = self.op_get_weights(obj)
        outputs = []
        for index, entry, value in changes:
            arrays = [a.copy() for a in saved]
            arrays[index].flat[entry] = value
            self.op_set_weights(obj, arrays)
            outputs.append(self.op_call(obj, "forward", [x]))
        self.op_set_weights(obj, saved)
        return np.stack(outputs)

    def op_call(self, obj, method, args=(), kwargs=None, compiled=False):
        o = self.objects[obj]
        o["worker"], o["compiled"] = self, compiled  # for tweaks that answer by path, like real kernels
        if method in self.tweak:
            return self.tweak[method](o, *args)
        if method == "forward":
            return (args[0] - o["shift"]) * o["scale"]
        if method == "backward":
            return args[0] / o["scale"] + o["shift"]
        if method == "log_det_jacobian":
            return float(np.sum(np.log(o["scale"])))
        raise ValueError(method)

    def op_func(self, name, args=(), kwargs=None):
        return self.tweak[name](*args) if name in self.tweak else {}


@pytest.fixture
def workers(monkeypatch):
    """Every FakeWorker made (the facade starts the twin through ``facade.Worker``)."""
    made = []

    def make(*args, **kwargs):
        kwargs.setdefault("tweak", made[0].tweak if made else None)
        made.append(FakeWorker(*args, **kwargs))
        return made[-1]
    monkeypatch.setattr(facade, "Worker", make)
    return make, made


def test_expect_array_checks_shape_type_and_finiteness():
    assert expect_array([[1, 2, 3]], (1, 3), "f(x)").dtype == np.float64
    for value, message in [(np.zeros(3), "f(x): expected an array of shape (1, 3), got shape (3,)"),
                           (2.0, "got a scalar"), (None, "got None"), ("text", "got a str"),
                           ({"a": 1}, "got a dict"), ([[1, 2], [3]], "got a list")]:
        with pytest.raises(Failed, match=message.replace("(", r"\(").replace(")", r"\)")):
            expect_array(value, (1, 3), "f(x)")
    with pytest.raises(Failed, match="f\\(x\\): 2 of 3 entries are NaN or infinite"):
        expect_array([[np.nan, 1.0, np.inf]], (1, 3), "f(x)")
    assert np.isnan(expect_array([np.nan], (1,), "f(x)", finite=False)[0])


def test_expect_scalar_and_count():
    assert expect_scalar(np.float64(2.5), "g()") == 2.5
    with pytest.raises(Failed, match=r"log_det_jacobian\(\) must return a scalar, got shape \(6,\)"):
        expect_scalar(np.zeros(6), "log_det_jacobian()")
    with pytest.raises(Failed, match="NaN or infinite"):
        expect_scalar(float("nan"), "g()")


def test_ref_methods_check_their_answers_and_name_the_call(workers):
    make, _ = workers
    sub = Submission(make(tweak={"forward": lambda o, x: x[0]}), PROGRAM)
    with pytest.raises(Failed, match=r"NICE\(6, num_couplings=4\)\.forward\(<zeros>\): expected an "
                                     r"array of shape \(2, 6\), got shape \(6,\)"):
        sub.new("NICE", 6, num_couplings=4)  # every object is built (a forward of zeros) as it is made
    sub = Submission(make(tweak={"log_det_jacobian": lambda o: np.log(o["scale"])}), PROGRAM)
    model = sub.new("NICE", 6, num_couplings=4)
    with pytest.raises(Failed, match=r"NICE\(6, num_couplings=4\)\.log_det_jacobian\(\) must return a scalar, "
                                     r"got shape \(6,\)"):
        model.log_det()
    assert model.backward(np.ones((2, 6)), recheck=False).shape == (2, 6)
    with pytest.raises(Failed, match=r"nll_loss\(NICE\(6, num_couplings=4\), <array \(3, 6\)>\) must return a scalar"):
        sub.func("nll_loss", model, np.zeros((3, 6)), returns=())


def test_nan_answers_fail_the_check(workers):
    make, _ = workers
    sub = Submission(make(tweak={"forward": lambda o, x: np.full(x.shape, np.nan)}), PROGRAM)
    with pytest.raises(Failed, match="48 of 48 entries are NaN or infinite"):
        sub.new("NICE", 6).forward(np.zeros((8, 6)))


def test_twin_is_another_worker_with_the_same_recipe_and_weights(workers):
    make, made = workers
    sub = Submission(make(), PROGRAM, budget_s=100.0)
    sub.seed(7)
    model = sub.new("NICE", 3, prior="normal")
    model.set_random_weights(0.5, np.random.default_rng(1), np.ones((2, 3)))
    copy = model.twin()
    twin = made[1]
    assert copy.sub.worker is twin and twin is not made[0] and twin.plan == made[0].plan
    assert twin.seeds == [7] and copy.recipe == ("NICE", (3,), {"prior": "normal"}, 7)
    assert copy.label == "a second NICE(3, prior='normal')"
    assert all(np.array_equal(a, b) for a, b in zip(model.weights(), copy.weights()))
    assert twin.ops == ["seed", "new", "call", "get_weights", "set_weights", "get_weights"]  # built, read, set; read here
    model.twin()
    assert len(made) == 2, "one twin worker per submission"
    sub.close()
    assert made[0].closed and made[1].closed
    assert sub.info()["twin"]["starts"] == 1


def test_a_memo_in_one_process_cannot_answer_the_round_trip(workers):
    """backward adds instead of inverting, and remembers forward's answers: only a twin sees the bug."""
    def forward(o, x):
        y = (x - o["shift"]) * o["scale"]
        o["memo"].update({row.tobytes(): x_row for row, x_row in zip(y, x)})
        return y

    def backward(o, z):
        return np.array([o["memo"].get(row.tobytes(), row * o["scale"] + o["shift"]) for row in z])
    make, _ = workers
    sub = Submission(make(tweak={"forward": forward, "backward": backward}), PROGRAM)
    model = sub.new("NICE", 2)
    model.set_random_weights(0.5, np.random.default_rng(0), np.ones((2, 2)))
    copy = model.twin()
    x = np.random.default_rng(0).standard_normal((16, 2))
    assert np.allclose(model.backward(model.forward(x, recheck=False), recheck=False), x)  # fooled in one process
    assert not np.allclose(copy.backward(model.forward(x, recheck=False)), x)              # not across two
    with pytest.raises(Failed, match=r"NICE\(2\)\.backward is not a fixed function of each row"):
        model.backward(model.forward(x))  # and asking the twin again shows the memo


def _parabola_fit(o, x):
    """An honest bijection fitted to the parabola: x2 / 4 and x1 - x2^2 / 4 are independent N(0, 1)."""
    x1, x2 = np.asarray(x).T
    return np.stack([(x1 - x2 ** 2 / 4) * o["k"], x2 / 4 * o["k"]], axis=1)


def _saw_tooth(o, x):
    z = _parabola_fit(o, x)
    return z + 20.0 * (z - 0.05 * np.floor(z / 0.05))


@pytest.mark.parametrize("forward, is_density", [(_parabola_fit, True), (_saw_tooth, False)])
def test_trained_density_must_integrate_to_at_most_one(workers, monkeypatch, forward, is_density):
    monkeypatch.setattr(procedures, "parabola_transform", lambda rng: (np.eye(2), np.zeros(2), 0.0))
    def train(model, *args, **kwargs):
        sub.worker.objects[model["__ref__"]]["k"] = np.pi / np.sqrt(3.0)  # logistic std
        return {}
    make, _ = workers
    sub = Submission(make(tweak={"forward": forward, "train": train}), PROGRAM, changes_weights=packs.load("assignment07").changes_weights)
    run = procedures.parabola_nll(sub, lambda label: np.random.default_rng(len(label)))
    if is_density:
        assert run.mass <= procedures.MASS_LIMIT and run.nll < 5.5 and run.log_det_change > 1.0
    else:
        assert run.mass > 100 and run.nll < 0  # the NLL alone would reward the saw-tooth


def test_not_implemented_only_for_the_templates_own_stub(workers):
    """A NotImplementedError is "not implemented" only when raised by the release's stub line in the cell."""
    program = types.SimpleNamespace(problems={}, cells=[
        {"grade_id": "training", "code": "def nll_loss(model, x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"},
        {"grade_id": "other", "code": "def f():\n    return np.mean(t)\n"}])

    def raising(where):
        def op(*args, **kwargs):
            raise facade.WorkerError("student", "NotImplementedError: Cannot convert a symbolic tf.Tensor",
                                     "  <cell other>, line 2, in f: ", raised_at=where)
        return op
    make, _ = workers
    for where, expected in [(["training", 3], r"not implemented yet: nll_loss \(nll_loss\(<array \(2, 2\)>\) reached"),
                            (["other", 2], "calling nll_loss"), (None, "calling nll_loss"),
                            (["training", 2], "calling nll_loss"), (["nowhere", 1], "calling nll_loss")]:
        worker = make(program=program)
        worker.request = raising(where)
        with pytest.raises(Failed, match=expected):
            Submission(worker, program).func("nll_loss", np.zeros((2, 2)))


def test_not_implemented_names_the_function_around_the_stub():
    code = ("class NICE(NICEBase):\n    def __init__(self, dim):\n        super().__init__(dim)\n"
            "        # YOUR CODE HERE\n        raise NotImplementedError()\n\n    def forward(self, x):\n"
            "        raise NotImplementedError()\n")
    assert [facade._enclosing(code, line) for line in (5, 8, 1)] == ["NICE.__init__", "NICE.forward", "NICE"]
    assert facade._enclosing("raise NotImplementedError()", 1) is None and facade._enclosing("def (:", 1) is None


def test_hidden_rows_reach_the_worker_among_decoys_and_come_back_in_order(workers):
    make, made = workers
    sent = []

    def forward(o, x):
        sent.append(np.array(x))
        return (x - o["shift"]) * o["scale"]
    sub = Submission(make(tweak={"forward": forward}), PROGRAM)
    model = sub.new("NICE", 3)
    x = np.random.default_rng(5).standard_normal((40, 3))
    assert np.allclose(model.forward(x), x)
    batch = sent[-2]  # the main worker's batch (the last one is the twin's recheck)
    assert len(batch) > 40 and not np.array_equal(batch[:40], x)
    assert {r.tobytes() for r in x} <= {r.tobytes() for r in batch}


def test_a_row_is_asked_again_at_its_position_in_a_batch_as_long_on_the_same_path(workers):
    """Real kernels round a row by its position modulo the vector width, and compiled unlike eager: an
    honest forward that does so passes the twin's recheck (the recheck changes only the other rows)."""
    make, made = workers
    asked = []

    def forward(o, x):
        asked.append((o["worker"], len(x), o["compiled"]))
        position = np.arange(len(x))[:, None] % 8
        return (x - o["shift"]) * o["scale"] * (1 + 1e-4 * position + 3e-4 * o["compiled"])
    sub = Submission(make(tweak={"forward": forward}), PROGRAM)
    model = sub.new("NICE", 3)
    x = np.random.default_rng(7).standard_normal((40, 3))
    for _ in range(3):
        model.forward(x)  # passes: each recheck matches its batch
    main = [(n, c) for w, n, c in asked if w is made[0]]
    twin = [(n, c) for w, n, c in asked if w is made[1]]
    assert [c for _, c in main] == [False] * facade.EAGER_CALLS + [True] * 2  # the build's zeros, then batches
    assert twin[-3:] == main[-3:]  # each batch's recheck: as long, on the same path
    with pytest.raises(Failed, match="not a fixed function of each row"):
        made[1].tweak = {"forward": lambda o, x: forward(o, x) * (1 + 1e-3 * abs(x.mean()))}  # by the other rows
        model.forward(x)


def test_objects_of_a_restarted_worker_are_built_again(workers):
    """A crash or time-out restarts the worker empty: shared objects and twins are built anew, not reused."""
    make, made = workers
    sub = Submission(make(), PROGRAM)
    model = sub.shared(1, "NICE", 3)
    assert sub.shared(1, "NICE", 3) is model
    copy = model.twin()
    made[0].starts += 1  # the main worker started again
    again = sub.shared(1, "NICE", 3)
    assert again is not model and again.name != model.name
    made[1].starts += 1  # the twin worker started again
    assert again.twin() is not copy


def test_every_object_is_built_and_read_as_it_is_made(workers):
    """The notebook cannot tell a check's objects apart by their history: each is built and read at once."""
    make, made = workers
    sub = Submission(make(), PROGRAM)
    sub.new("CouplingLayer", 4, 0)
    assert made[0].ops == ["new", "call", "get_weights"]


def test_dependence_counts_entries_that_move_rows_differently(workers):
    """The stand-in's scale multiplies each row's own values (a dependence); its shift moves every row alike
    (a translation, not counted); its third weight is never used."""
    make, _ = workers
    sub = Submission(make(), PROGRAM)
    model = sub.new("NICE", 5)
    model.set_random_weights(0.5, np.random.default_rng(1), np.ones((2, 5)))
    rng = np.random.default_rng(2)
    dependence = model.dependence(rng.standard_normal((32, 5)), rng)
    assert dependence.count() == 5 and 0.45 < dependence.share() < 0.46  # 5 of the 11 entries


def test_forward_with_answers_are_claims_checked_in_the_twin(workers):
    """A worker that says every weight matters (forward_with answers moved by 1) is caught by the twin's repeat."""
    make, made = workers
    sub = Submission(make(), PROGRAM)
    model = sub.new("NICE", 3)
    honest = made[0].op_forward_with
    made[0].op_forward_with = lambda obj, x, changes: honest(obj, x, changes) + np.arange(len(x))[:, None]
    rng = np.random.default_rng(3)
    with pytest.raises(Failed, match="with one weight entry changed gave other outputs"):
        model.dependence(rng.standard_normal((8, 3)), rng)


def test_a_failure_in_the_twin_names_the_second_copy_of_the_notebook(workers):
    make, made = workers
    sub = Submission(make(), PROGRAM)
    model = sub.new("NICE", 3)
    copy = model.twin()

    def dead(*args, **kwargs):
        raise facade.WorkerError("unavailable", "the worker was restarted 3 times already")
    made[1].request = dead
    with pytest.raises(Failed, match="^in the second copy of your notebook"):
        copy.forward(np.ones((2, 3)))
