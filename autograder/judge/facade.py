"""What graders call: build objects in the worker, call them, and fail with a message a student can use.

Every failure says what was called and what came back; student exceptions keep the lines of the
student's own cells from the traceback and nothing of the grader.

Every answer is checked here, before a grader uses it: arrays have the shape the contract promises
and finite entries (``NaN < tol`` is False, so an unchecked NaN passes any check written as "no
entry exceeds the tolerance"), scalars are scalars.

**The worker is an adversary.**  Whatever runs in it can be rebound by the notebook, so everything it
returns is a claim, and the judge confirms claims by behaviour it chooses:

* *Hidden probes.*  Rows sent to ``forward``/``backward`` sit among decoys in a secret random order
  (:mod:`.probes`), and a random part of them is asked again of the *twin* (:meth:`Ref.twin`: the
  same object built in the submission's second worker, another confined process that cannot reach
  the first); both answers must agree.  The twin gets the object's weights *before* a check's data
  reaches the object, and again after anything changed them (training, weights the judge set), so a
  memo of earlier answers, in memory or in a weight, cannot make the two agree on new data.
* *No relation between two answers of one process* is accepted: round trips run forward in one
  worker and backward in the other.
* *Weights the judge draws.*  The judge reads the weights' shapes (a claim), draws their values from
  its secret stream, sets them and checks that forward moved; what depends on which weight is
  measured by perturbing each and watching forward (:meth:`Ref.dependent_parameters`), never by
  asking the worker to count.
"""
import ast
import itertools
import time

import numpy as np
import pytest

from ..notes import notebook_notes
from ..results import NOTES
from ..wire.budgets import REQUEST_TIMEOUT_S as REQUEST_TIMEOUT
from ..wire.budgets import SUBMISSION_BUDGET_S
from . import probes, seeds
from .client import Worker, WorkerError

STUB = "raise NotImplementedError()"  # what each gap of the release holds (nbgrader_config.py's code_stub)
MAX_WEIGHTS = 10_000                  # more tracked weights than any model of the graders has
ENTRIES_PER_WEIGHT = 8                # entries of each weight perturbed to measure what forward depends on
MAX_ENTRIES = 120                     # and at most this many in all (fewer of each weight where there are many)
DEPENDENCE_TOL = 2e-3                 # how much a perturbed entry must move an output (differently in two rows)
VERIFIED_CHANGES = 2                  # perturbations of forward_with repeated in the twin
#: Batches of each row method of an object run eagerly before the judge asks for compiled ones: tracing
#: costs about ten eager calls, so objects asked once or twice are not traced.
EAGER_CALLS = 2
#: How a failure in the submission's second worker starts: students know one notebook, not two workers.
TWIN_NAME = "in the second copy of your notebook that the grader runs to confirm answers, "


def _describe_arg(value):
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    if isinstance(value, Ref):
        return value.label
    return repr(value)


def _signature(name, args, kwargs):
    parts = [_describe_arg(a) for a in args] + [f"{k}={_describe_arg(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _as_array(value):
    """``value`` as a float64 array, or None if it is not numeric data (text, None, a dict, ragged lists)."""
    if value is None or isinstance(value, (bool, str, dict)):
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        return None


def _what_came(value, arr):
    if arr is None:
        return "None" if value is None else "a " + type(value).__name__
    return "a scalar" if arr.ndim == 0 else f"shape {arr.shape}"


def _row(values):
    return "[" + ", ".join(f"{v:.6g}" for v in np.asarray(values).ravel()[:6]) + "]"


def _check_finite(arr, what):
    bad = int(np.sum(~np.isfinite(arr)))
    if bad:
        pytest.fail(f"{what}: {bad} of {arr.size} entries are NaN or infinite", pytrace=False)


def expect_array(value, shape, what, finite=True):
    """``value`` as a float64 array of ``shape``, finite unless ``finite=False``; else fail the check."""
    arr = _as_array(value)
    if arr is None or arr.shape != tuple(shape):
        pytest.fail(f"{what}: expected an array of shape {tuple(shape)}, got {_what_came(value, arr)}",
                    pytrace=False)
    if finite:
        _check_finite(arr, what)
    return arr


def expect_scalar(value, what, finite=True):
    """``value`` as a float if it is a scalar (shape ``()``), finite unless ``finite=False``; else fail the check."""
    arr = _as_array(value)
    if arr is None or arr.ndim != 0:
        pytest.fail(f"{what} must return a scalar, got {_what_came(value, arr)}", pytrace=False)
    if finite:
        _check_finite(arr, what)
    return float(arr)


class Ref:
    """An object living in a worker (a layer or model), named by the judge.

    ``recipe`` is how it was built: (class name, args, kwargs, the seed in force), so that
    :meth:`twin` can build it again in the other worker.
    """

    def __init__(self, sub, name, label, recipe):
        self.sub, self.name, self.label, self.recipe = sub, name, label, recipe
        self.generation = sub.worker.starts  # objects live as long as the worker process that built them
        self._copy = None      # the twin (a Ref in the other worker), once made
        self._stale = False    # this object's weights changed since the twin got them
        self._weights = None   # the weights the judge set, or last read (a claim) after the object changed them
        self._trainable = None  # which of them are trainable (a claim, read once)
        self._seen = None      # (rows, forward's answer to them with the current weights), for set_random_weights
        self._calls = {}       # row method -> batches asked of it (the first EAGER_CALLS run eagerly)

    @property
    def alive(self):
        """Whether the worker that built this object still runs (a crash or a time-out restarts it empty)."""
        return getattr(self.sub.worker, "sock", True) is not None and self.generation == self.sub.worker.starts

    @property
    def dim(self):
        """The data dimension D (every class of the API takes it first)."""
        return self.recipe[1][0]

    def __call__(self, method, *args, **kwargs):
        """Call ``method`` and return its raw answer (the named methods below check theirs)."""
        return self.sub.run(f"{self.label}.{_signature(method, args, kwargs)}", "call",
                            obj=self.name, method=method, args=list(args), kwargs=kwargs)

    def ask(self, method, x, finite=True, hide=True, recheck=True, layout=None, compiled=None):
        """``method`` of rows x (:class:`probes.Asked`), hidden among decoys unless ``hide=False``; a random
        part asked again of the twin, at the same positions of a batch as long and on the same path.

        ``layout``, ``compiled``: ask as an earlier batch was (:meth:`repeat`); by default the first
        :data:`EAGER_CALLS` batches of each method run eagerly and the later ones compiled.
        """
        x = np.asarray(x, np.float64)
        what = f"{self.label}.{method}({_describe_arg(x)})"
        twin = self._synced_twin() if recheck and self.sub.is_main else None
        if layout is None:
            layout = probes.Hidden(x, self.sub.rng) if hide and len(x) else probes.Hidden.plain(x)
        if compiled is None:
            compiled = self._calls.get(method, 0) >= EAGER_CALLS
        self._calls[method] = self._calls.get(method, 0) + 1
        raw = self.sub.run(f"{self.label}.{_signature(method, (x,), {})}", "call", obj=self.name, method=method,
                           args=[layout.batch], kwargs={}, compiled=compiled)
        out = layout.take(expect_array(raw, layout.batch.shape, what, finite=False))
        if finite:
            _check_finite(out, what)
        if twin is not None and len(x):
            rows = probes.recheck_rows(len(x), self.sub.rng)
            again = twin.ask(method, x[rows], finite=False, recheck=False,
                             layout=layout.again(rows, x, self.sub.rng), compiled=compiled).values
            gap = probes.disagreement(out[rows], again, probes.centre_of(out))
            if gap:
                worst = rows[int(np.argmax(np.max(np.abs(out[rows] - again), axis=1)))]
                pytest.fail(
                    f"{self.label}.{method} is not a fixed function of each row: the same input row gave "
                    f"different answers in two calls (in different batches, to two copies of the object with the "
                    f"same weights), e.g. {_row(out[worst])} and {_row(again[list(rows).index(worst)])}. "
                    f"{method} must not depend on the other rows of the batch, on earlier calls or on hidden "
                    "state", pytrace=False)
        return probes.Asked(out, layout, compiled)

    def repeat(self, method, x, asked):
        """``method`` of the same rows x again, as ``asked`` was (positions, batch length, path), new decoys."""
        return self.ask(method, x, finite=False, recheck=False, layout=asked.layout.again(np.arange(len(x)), x,
                                                                                          self.sub.rng),
                        compiled=asked.compiled).values

    def forward(self, x, finite=True, hide=True, recheck=True):
        """forward(x), checked to have x's shape and (unless ``finite=False``) finite entries."""
        return self.ask("forward", x, finite, hide, recheck).values

    def backward(self, z, finite=True, hide=True, recheck=True):
        """backward(z), checked like :meth:`forward`."""
        return self.ask("backward", z, finite, hide, recheck).values

    def log_det(self, finite=True):
        """log_det_jacobian(), checked to be a scalar (and finite, unless ``finite=False``)."""
        return expect_scalar(self("log_det_jacobian"), f"{self.label}.log_det_jacobian()", finite)

    def sample(self, n, seed):
        """sample(n, seed=seed), checked to be n finite points of dimension D."""
        return expect_array(self("sample", n, seed=seed), (n, self.dim), f"{self.label}.sample({n})")

    def build(self):
        """Call forward once on two zero rows so that lazily built layers create their weights."""
        self._calls["forward"] = self._calls.get("forward", 0) + 1  # an eager batch as well
        expect_array(self("forward", np.zeros((2, self.dim))), (2, self.dim), f"{self.label}.forward(<zeros>)",
                     finite=False)

    def prepare(self):
        """Build the object and read its weights: every object the judge makes goes through this at once.

        So every object the notebook sees used has been built and read the same way, whatever the check
        does with it next (a notebook cannot tell a check's objects apart by their history).
        """
        self.build()
        self._weights = self.weights()
        return self

    # -- weights: what the worker says they are is a claim; the judge checks what they do ----------
    def weights(self):
        """The values of the object's tracked weights, in order (a claim of the worker)."""
        value = self.sub.run(f"reading the weights of {self.label}", "get_weights", obj=self.name)
        if not isinstance(value, list) or len(value) > MAX_WEIGHTS:
            pytest.fail(f"reading the weights of {self.label}: got {type(value).__name__}", pytrace=False)
        return [expect_array(w, np.shape(w), f"weight {i} of {self.label}") for i, w in enumerate(value)]

    def known_weights(self):
        """The weights as the judge last set or read them."""
        if self._weights is None:
            self._weights = self.weights()
        return self._weights

    def trainable(self, count):
        """Which of the ``count`` weights are trainable (a claim of the worker, read once; a list of booleans)."""
        if self._trainable is None or len(self._trainable) != count:
            value = self.sub.run(f"reading which weights of {self.label} are trainable", "trainable", obj=self.name)
            if not (isinstance(value, list) and len(value) == count and all(isinstance(v, bool) for v in value)):
                pytest.fail(f"reading which weights of {self.label} are trainable: expected {count} booleans",
                            pytrace=False)
            self._trainable = value
        return self._trainable

    def set_weights(self, arrays):
        """Give the object these weight values; its twin gets them before its next use."""
        arrays = [np.asarray(a, np.float64) for a in arrays]
        self.sub.run(f"setting the weights of {self.label}", "set_weights", obj=self.name, arrays=arrays)
        self._weights, self._seen = arrays, None
        self._stale = True

    def set_random_weights(self, std, rng, probe, wide=()):
        """Give every trainable weight i.i.d. N(0, std^2) values the judge draws; check forward moved.

        ``probe``: rows whose outputs must change (a worker that ignored the values would keep them).
        ``wide``: shapes of weights (a log-scale's, (D,)) of which two entries get +-5.5 to 8 instead.
        """
        weights = self.known_weights()
        probe, before = self._seen or (probe, self.forward(probe, recheck=False))  # rows asked with these weights
        drawn = [rng.normal(0.0, std, w.shape) if t else w
                 for w, t in zip(weights, self.trainable(len(weights)))]
        for w in drawn:
            if w.shape in wide and w.size >= 2:
                w.flat[rng.choice(w.size, 2, replace=False)] = rng.choice([-1.0, 1.0], 2) * rng.uniform(5.5, 8.0, 2)
        self.set_weights(drawn)
        after = self.forward(probe, recheck=False)
        self._seen = (probe, after)
        if np.allclose(before, after, rtol=0.0, atol=1e-6):
            pytest.fail(f"the grader gave the weights of {self.label} random values (those Keras tracks in "
                        "`weights`), but forward still returns the same outputs: are the layers' weights "
                        "tracked (add_weight, Keras layers as attributes) and used by forward?", pytrace=False)
        return drawn

    def dependence(self, x, rng, trainable_only=False, max_entries=MAX_ENTRIES):
        """Which tracked parameters forward(x) depends on, estimated entry by entry (:class:`Dependence`).

        Of every weight the judge perturbs a secret sample of entries, one at a time, by amounts a real
        parameter shows (half to one and a half times the larger of the weight's spread and 0.3); an
        entry counts when it changes some output column by more than :data:`DEPENDENCE_TOL`, *differently in
        different rows* (a change that is the same in every row is a translation, not a network's
        dependence on its input).  The worker runs the perturbations in one request (a claim); the judge
        repeats :data:`VERIFIED_CHANGES` of them, chosen at random, in the twin, and forward must still give
        its old outputs afterwards.
        """
        weights = self.known_weights()
        use = self.trainable(len(weights)) if trainable_only else [True] * len(weights)
        entries = []  # (weight, flat entry, new value)
        per_weight = max(2, min(ENTRIES_PER_WEIGHT, max_entries // max(1, sum(use))))
        for i, w in enumerate(weights):
            if not use[i] or not w.size:
                continue
            size = max(float(np.std(w)), 0.3)
            for e in rng.choice(w.size, size=min(w.size, per_weight), replace=False):
                entries.append((i, int(e), float(w.flat[e] + rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5) * size)))
        x = np.asarray(x, np.float64)
        first = self.ask("forward", x, finite=False, recheck=False, compiled=True)  # forward_with runs compiled
        base, batch = first.values, first.layout.batch
        what = f"forward of {self.label} with one weight entry changed at a time"
        outputs = expect_array(self.sub.run(what, "forward_with", obj=self.name, x=batch,
                                            changes=[list(c) for c in entries]),
                               (len(entries), *batch.shape), what, finite=False)[:, first.layout.index]
        if probes.disagreement(self.repeat("forward", x, first), base, probes.centre_of(base)):
            pytest.fail(f"{self.label}: after each weight was set back, forward gave other outputs than before: "
                        "forward must depend only on its input and the weights", pytrace=False)
        self._verify_changes(x, entries, outputs, rng, first)
        with np.errstate(invalid="ignore"):
            spread = np.ptp(np.where(np.isfinite(outputs), outputs - base, np.inf), axis=1)  # (entries, D_out)
        supports = [frozenset(np.flatnonzero(~(col <= DEPENDENCE_TOL)).tolist()) for col in spread]
        return Dependence([w.size for w in weights], [(i, s) for (i, _, _), s in zip(entries, supports)], use)

    def _verify_changes(self, x, entries, claimed, rng, first):
        """Repeat a few of forward_with's perturbations in the twin (as ``first`` was asked): its answers are claims."""
        if not self.sub.is_main or not entries:
            return
        twin = self._synced_twin()
        for k in rng.choice(len(entries), size=min(VERIFIED_CHANGES, len(entries)), replace=False):
            index, entry, value = entries[k]
            arrays = [w.copy() for w in self.known_weights()]
            arrays[index].flat[entry] = value
            twin.sub.run(f"setting the weights of {twin.label}", "set_weights", obj=twin.name, arrays=arrays)
            self._stale = True  # the twin gets this object's weights back before its next use
            again = twin.repeat("forward", x, first)
            if probes.disagreement(claimed[k], again, probes.centre_of(again)):
                pytest.fail(f"{self.label}: forward with one weight entry changed gave other outputs when the grader "
                            "asked for it in one request than in a second copy of the object given the same "
                            "weights: forward must depend only on its input and the weights", pytrace=False)

    def dependent_parameters(self, x, rng):
        """How many tracked parameters forward(x) depends on (:meth:`dependence`, every weight)."""
        return self.dependence(x, rng).count()

    def autodiff_gap(self, x, jacobians):
        """How far TensorFlow's gradients through forward are from the judge's finite differences (relative).

        ``jacobians``: the judge's Jacobians of forward at the rows of x.  The worker's gradient is a
        claim, used only to say which function to look at: a forward that TensorFlow cannot
        differentiate (tf.stop_gradient, numpy) trains (and follows gradients) wrongly although its values are right.
        """
        v = self.sub.rng.standard_normal(np.shape(x))
        what = f"gradients through {self.label}.forward"
        got = expect_array(self.sub.run(what, "vjp", obj=self.name, x=np.asarray(x, np.float64), v=v), np.shape(x),
                           what, finite=False)
        expected = np.einsum("nij,ni->nj", jacobians, v)
        gaps = np.linalg.norm(got - expected, axis=1) / np.maximum(np.linalg.norm(expected, axis=1), 1e-12)
        return float(np.median(gaps))  # per row: a cut gradient shows in every row, a kink in a few

    def twin(self):
        """The same object in the submission's twin worker, holding this object's weights now.

        Made (or given the weights again) before this object sees a check's data: the copy then knows
        nothing the check asks.
        """
        return self._synced_twin()

    def _synced_twin(self):
        if self._copy is not None and not self._copy.alive:
            self._copy = None  # the twin worker was restarted: build the copy again
        if self._copy is None:
            factory, args, kwargs, seed = self.recipe
            other = self.sub.twin()
            if seed is not None:
                other.seed(seed)
            self._copy = other._new(f"a second {self.label}", factory, args, kwargs).prepare()
            self._stale = True
        if self._stale:
            self._copy.sub.run(f"copying the weights of {self.label} into {self._copy.label}", "set_weights",
                               obj=self._copy.name, arrays=self.known_weights())
            self._copy._weights = self.known_weights()
            self._stale = False
        return self._copy

    def changed(self):
        """Note that something (training) changed the object's weights: read them (a claim); the twin gets them."""
        self._weights, self._seen = self.weights(), None
        self._stale = True


class Dependence:
    """What forward depends on, from a sample of perturbed weight entries (:meth:`Ref.dependence`).

    ``entries``: (weight index, the output columns the entry changed; empty if none); ``sizes``: every
    weight's number of entries; ``used``: which weights were sampled.
    """

    def __init__(self, sizes, entries, used):
        self.sizes, self.entries, self.used = sizes, entries, used

    def count(self, keep=lambda support: True):
        """Estimated number of parameters forward depends on whose output columns satisfy ``keep``.

        Each weight counts its size times the share of its sampled entries that changed outputs (and
        whose columns ``keep`` accepts).
        """
        total = 0.0
        for i, size in enumerate(self.sizes):
            supports = [s for j, s in self.entries if j == i]
            if supports:
                total += size * sum(1 for s in supports if s and keep(s)) / len(supports)
        return int(round(total))

    def share(self):
        """The estimated share of the sampled weights' parameters that forward depends on."""
        total = sum(size for size, u in zip(self.sizes, self.used) if u)
        return self.count() / total if total else 0.0

    def columns(self):
        """The output columns that the most entries change together, among entries that change several but not all.

        E.g. for a flow of two couplings: the half the last coupling changes (each entry of its network
        changes exactly that half; an entry of the first coupling's network changes more, a scale entry one column).
        """
        width = max((max(s) + 1 for _, s in self.entries if s), default=0)
        sets = [s for _, s in self.entries if 2 <= len(s) < width]
        return max(set(sets), key=sets.count) if sets else frozenset()


def _enclosing(code, line):
    """The qualified name of the innermost function of ``code`` around ``line`` ("Model.__init__"), or None.

    The code is only parsed, never run."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    names, body = [], tree.body
    while True:
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and n.lineno <= line <= (n.end_lineno or n.lineno)), None)
        if node is None:
            return ".".join(names) or None
        names.append(node.name)
        body = node.body


class Submission:
    """The graders' view of one submission: its worker, and a twin worker started when first needed."""

    def __init__(self, worker, program, budget_s=SUBMISSION_BUDGET_S, is_main=True, changes_weights=()):
        """``changes_weights``: the notebook functions that change the weights of the model they get
        (:attr:`autograder.packs.Pack.changes_weights`)."""
        self.worker, self.program, self.budget_s, self.is_main = worker, program, budget_s, is_main
        self.changes_weights = tuple(changes_weights)
        self.started = time.monotonic()
        self.rng = seeds.rng("decoys" if is_main else "decoys of the twin")
        self._ids = itertools.count()
        self._seed = None
        self._twin = None
        self._shared = {}

    def _hint(self):
        notes = notebook_notes({"problems": self.program.problems, "load_status": self.worker.load_status or {},
                                "labels": getattr(self.program, "labels", {})})
        return (NOTES + "; ".join(notes)) if notes else ""

    def _stub(self, error):
        """The function whose template ``raise NotImplementedError()`` raised ``error`` (its qualified name,
        e.g. ``Model.forward``), or None if ``error`` is anything else.

        The worker says where the exception was raised (a claim); the judge checks that line of the
        program it sent, and parses that cell to name the function around the line.
        """
        if not (error.kind == "student" and error.message.startswith("NotImplementedError")):
            return None
        where = getattr(error, "raised_at", None)
        if not (isinstance(where, (list, tuple)) and len(where) == 2):
            return None
        cells = {c["grade_id"]: c["code"] for c in self.program.cells}
        code, line = cells.get(where[0], ""), where[1]
        lines = code.splitlines()
        if not (isinstance(line, int) and 0 < line <= len(lines) and lines[line - 1].strip() == STUB):
            return None
        return _enclosing(code, line) or f"the cell {where[0]}"

    def run(self, what, op, timeout=REQUEST_TIMEOUT, **fields):
        """Send one request; on failure fail the test with what was called and what happened."""
        fields = {k: (v.name if isinstance(v, Ref) and k == "obj" else v) for k, v in fields.items()}
        fields = _refs_to_wire(fields)
        try:
            return self.worker.request(op, timeout=timeout, **fields)
        except WorkerError as err:
            error = err
        stub = self._stub(error)
        if stub:
            pytest.fail(f"not implemented yet: {stub} ({what} reached the template's `raise NotImplementedError()` "
                        "there: fill in the code marked YOUR CODE HERE)", pytrace=False)
        where = "" if self.is_main else TWIN_NAME
        pytest.fail(f"{where}calling {what}: {error.describe()}{self._hint()}", pytrace=False)

    def seed(self, seed):
        self._seed = seed
        self.run(f"tf.keras.utils.set_random_seed({seed})", "seed", seed=seed)

    def _new(self, label, cls, args, kwargs):
        name = f"obj{next(self._ids)}"
        self.run(label, "new", name=name, factory=cls, args=list(args), kwargs=kwargs)
        return Ref(self, name, label, (cls, tuple(args), dict(kwargs), self._seed))

    def build(self, cls, *args, **kwargs):
        """Build ``cls(*args, **kwargs)`` of the notebook in the worker, as it is (no call, nothing read)."""
        return self._new(_signature(cls, args, kwargs), cls, args, kwargs)

    def judge_object(self, cls, *args, **kwargs):
        """Build the judge's own ``cls(*args, **kwargs)`` (the assignment's worker module) in the worker, to
        hand to the notebook's functions; what it computes there is a claim like any other answer."""
        name = f"obj{next(self._ids)}"
        label = _signature(cls, args, kwargs)
        self.run(f"the grader's {label}", "judge_object", name=name, factory=cls, args=list(args), kwargs=kwargs)
        return Ref(self, name, label, (cls, tuple(args), dict(kwargs), self._seed))

    def new(self, cls, *args, **kwargs):
        """Build ``cls(*args, **kwargs)`` in the worker (args[0] is the dimension D), built and read (:meth:`Ref.prepare`)."""
        return self._new(_signature(cls, args, kwargs), cls, args, kwargs).prepare()

    def shared(self, seed, cls, *args, **kwargs):
        """``cls(*args, **kwargs)`` built once per submission (under ``seed``) and reused by every check.

        Building a Keras model is the costliest request; checks that give the object weights of their
        own (or only read it) share one.  Its twin is given its weights before each check's data.
        """
        key = repr((cls, args, sorted(kwargs.items())))
        if key not in self._shared or not self._shared[key].alive:  # a restarted worker has no objects
            self.seed(seed)
            self._shared[key] = self.new(cls, *args, **kwargs)
        return self._shared[key]

    def func(self, name, *args, returns=None, timeout=REQUEST_TIMEOUT, **kwargs):
        """Call the notebook's function ``name``; ``returns``: the shape its answer must have (``()``: a scalar).

        A Ref among the arguments of ``train`` has other weights afterwards (:meth:`Ref.changed`).
        """
        what = _signature(name, args, kwargs)
        for ref in (a for a in (*args, *kwargs.values()) if isinstance(a, Ref)):
            if ref._copy is not None and self.is_main:
                ref._synced_twin()  # the twin gets the weights before this call's data reaches the object
        value = self.run(what, "func", timeout=timeout, name=name, args=list(args), kwargs=kwargs)
        if name in self.changes_weights:
            for ref in (a for a in (*args, *kwargs.values()) if isinstance(a, Ref)):
                ref.changed()
        if returns is None:
            return value
        return expect_scalar(value, what) if tuple(returns) == () else expect_array(value, returns, what)

    def rows_func(self, name, model, args, decoys=None, returns="values", timeout=REQUEST_TIMEOUT, hidden=None,
                  **kwargs):
        """Call ``name(model, *args, **kwargs)`` with x = args[0] hidden among decoy rows.

        ``decoys(hidden)``: ``{position in args: decoy rows}`` for the other row-aligned arguments (a
        mask, noise); x's decoys are drawn by :class:`probes.Hidden` (``hidden``: one already drawn, to
        ask two functions the very same batch).  ``returns``: "values" (one number per row), "rows" (a
        row per row, x's shape), or "batch" (a scalar over the whole batch: returned with the batch, for
        the grader to recompute).  Only x's rows are returned.
        """
        hidden = hidden or probes.Hidden(args[0], self.rng)
        extra = decoys(hidden) if decoys else {}
        call = [hidden.batch] + [hidden.mix(a, extra[i]) if i in extra else a for i, a in enumerate(args[1:], 1)]
        what = _signature(name, [model, *[np.asarray(a) if i in extra or i == 0 else a
                                           for i, a in enumerate(args)]], kwargs)
        value = self.func(name, model, *call, timeout=timeout, **kwargs)
        if returns == "batch":
            return expect_scalar(value, what), hidden.batch
        shape = hidden.batch.shape if returns == "rows" else (len(hidden.batch),)
        return hidden.take(expect_array(value, shape, what))

    def start_twin(self):
        """Start the twin worker now, in the background, so that its start overlaps the first checks."""
        self.twin().worker.start_in_background()

    def twin(self):
        """The submission's second worker (same program, own process), made on first use."""
        if self._twin is None:
            left = max(1.0, self.budget_s - (time.monotonic() - self.started))
            self._twin = Submission(Worker(self.program, plan=self.worker.plan, budget_s=left),
                                    self.program, budget_s=left, is_main=False, changes_weights=self.changes_weights)
        return self._twin

    def close(self):
        """Stop the workers (the main one and the twin, if it was started)."""
        self.worker.close()
        if self._twin is not None:
            self._twin.close()

    def info(self):
        """What the workers reported, for the results file."""
        info = {"isolation": self.worker.isolation, "load_status": self.worker.load_status,
                "problems": self.program.problems, "notes": getattr(self.program, "notes", []),
                "labels": getattr(self.program, "labels", {}), "events": list(self.worker.events),
                "starts": self.worker.starts, "requests": self.worker.timings}
        if self._twin is not None:
            twin = self._twin.worker
            info["twin"] = {"load_status": twin.load_status, "events": list(twin.events), "starts": twin.starts,
                            "requests": twin.timings}
        return info


def _refs_to_wire(value):
    if isinstance(value, Ref):
        return {"__ref__": value.name}
    if isinstance(value, dict):
        return {k: _refs_to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_refs_to_wire(v) for v in value]
    return value


def f32(x):
    """``x`` rounded to float32, so that "unchanged" can be checked bit for bit."""
    return np.asarray(x, np.float32).astype(np.float64)
