"""What graders call: build objects in the worker, call them, and fail with a message a student can use.

Every failure says what was called and what came back; student exceptions keep the lines of the
student's own cells from the traceback and nothing of the grader.

Every answer is checked here, before a grader uses it: arrays have the shape the contract promises
and finite entries (``NaN < tol`` is False, so an unchecked NaN passes any check written as "no
entry exceeds the tolerance"), scalars are scalars.

**Cross-examination.**  A submission can remember what it was asked: a memo from forward's outputs
back to its inputs answers ``backward(forward(x)) = x`` whatever backward computes.  So no grader
accepts a relation between two answers of one process.  :meth:`Ref.twin` builds the same object in
the submission's second worker (its *twin*: the same program in another confined process, which
cannot reach the first) and copies the object's weights into it *before* the object sees the data
of the check; then forward runs in one process and backward in the other, on inputs neither saw
before.  Rule for graders: call ``twin()`` before sending a check's data, and use fresh data in
every check.
"""
import itertools
import time

import numpy as np
import pytest

from ..wire.budgets import REQUEST_TIMEOUT_S as REQUEST_TIMEOUT
from ..wire.budgets import SUBMISSION_BUDGET_S
from .client import Worker, WorkerError


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


def expect_scalar(value, what):
    """``value`` as a finite float if it is a scalar (shape ``()``); else fail the check."""
    arr = _as_array(value)
    if arr is None or arr.ndim != 0:
        pytest.fail(f"{what} must return a scalar, got {_what_came(value, arr)}", pytrace=False)
    _check_finite(arr, what)
    return float(arr)


def expect_count(value, what):
    """``value`` if it is a non-negative integer; else fail the check."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        pytest.fail(f"{what}: expected a count, got {value!r:.80}", pytrace=False)
    return value


class Ref:
    """An object living in a worker (a layer or model), named by the judge.

    ``recipe`` is how it was built: (class name, args, kwargs, the seed in force), so that
    :meth:`twin` can build it again in the other worker.
    """

    def __init__(self, sub, name, label, recipe):
        self.sub, self.name, self.label, self.recipe = sub, name, label, recipe

    @property
    def dim(self):
        """The data dimension D (every class of the API takes it first)."""
        return self.recipe[1][0]

    def __call__(self, method, *args, **kwargs):
        """Call ``method`` and return its raw answer (the named methods below check theirs)."""
        return self.sub.run(f"{self.label}.{_signature(method, args, kwargs)}", "call",
                            obj=self.name, method=method, args=list(args), kwargs=kwargs)

    def _map(self, method, x, finite):
        x = np.asarray(x, np.float64)
        return expect_array(self(method, x), x.shape, f"{self.label}.{method}({_describe_arg(x)})", finite)

    def forward(self, x, finite=True):
        """forward(x), checked to have x's shape and (unless ``finite=False``) finite entries."""
        return self._map("forward", x, finite)

    def backward(self, z, finite=True):
        """backward(z), checked like :meth:`forward`."""
        return self._map("backward", z, finite)

    def log_det(self):
        """log_det_jacobian(), checked to be a finite scalar."""
        return expect_scalar(self("log_det_jacobian"), f"{self.label}.log_det_jacobian()")

    def sample(self, n, seed):
        """sample(n, seed=seed), checked to be n finite points of dimension D."""
        return expect_array(self("sample", n, seed=seed), (n, self.dim), f"{self.label}.sample({n})")

    def build(self):
        """Call forward once on two zero rows so that lazily built layers create their weights."""
        self.forward(np.zeros((2, self.dim)))

    def randomize(self, seed, std):
        return self.sub.run(f"randomizing the weights of {self.label}", "randomize",
                            obj=self.name, seed=seed, std=std)

    def used_parameters(self, x):
        what = f"counting the parameters {self.label}.forward(x) depends on"
        return expect_count(self.sub.run(what, "used_parameters", obj=self.name, x=np.asarray(x)), what)

    def weights(self):
        """The values of the object's tracked weights, in order."""
        value = self.sub.run(f"reading the weights of {self.label}", "get_weights", obj=self.name)
        if not isinstance(value, list):
            pytest.fail(f"reading the weights of {self.label}: got {type(value).__name__}", pytrace=False)
        return [expect_array(w, np.shape(w), f"weight {i} of {self.label}") for i, w in enumerate(value)]

    def twin(self):
        """The same object built in the submission's twin worker, with this object's weights now.

        Call it before this object sees the check's data: the copy then knows nothing the check asks.
        """
        factory, args, kwargs, seed = self.recipe
        other = self.sub.twin()
        if seed is not None:
            other.seed(seed)
        copy = other._new(f"a second {self.label}", factory, args, kwargs)
        self.build()
        copy.build()
        other.run(f"copying the weights of {self.label} into {copy.label}", "set_weights",
                  obj=copy.name, arrays=self.weights())
        return copy


class Submission:
    """The graders' view of one submission: its worker, and a twin worker started when first needed."""

    def __init__(self, worker, program, budget_s=SUBMISSION_BUDGET_S):
        self.worker, self.program, self.budget_s = worker, program, budget_s
        self.started = time.monotonic()
        self._ids = itertools.count()
        self._seed = None
        self._twin = None

    def _hint(self):
        notes = list(self.program.problems.values())
        notes += [f"cell '{gid}' failed when run: {status}"
                  for gid, status in (self.worker.load_status or {}).items() if status != "ok"]
        return ("\nNote: " + "; ".join(notes)) if notes else ""

    def run(self, what, op, timeout=REQUEST_TIMEOUT, **fields):
        """Send one request; on failure fail the test with what was called and what happened."""
        fields = {k: (v.name if isinstance(v, Ref) and k == "obj" else v) for k, v in fields.items()}
        fields = _refs_to_wire(fields)
        try:
            return self.worker.request(op, timeout=timeout, **fields)
        except WorkerError as err:
            error = err
        if error.kind == "student" and error.message.startswith("NotImplementedError"):
            pytest.fail(f"not implemented: {what} raised NotImplementedError "
                        "(fill in the code marked YOUR CODE HERE)", pytrace=False)
        pytest.fail(f"calling {what}: {error.describe()}{self._hint()}", pytrace=False)

    def seed(self, seed):
        self._seed = seed
        self.run(f"tf.keras.utils.set_random_seed({seed})", "seed", seed=seed)

    def _new(self, label, cls, args, kwargs):
        name = f"obj{next(self._ids)}"
        self.run(label, "new", name=name, factory=cls, args=list(args), kwargs=kwargs)
        return Ref(self, name, label, (cls, tuple(args), dict(kwargs), self._seed))

    def new(self, cls, *args, **kwargs):
        """Build ``cls(*args, **kwargs)`` in the worker (args[0] is the dimension D)."""
        return self._new(_signature(cls, args, kwargs), cls, args, kwargs)

    def func(self, name, *args, returns=None, timeout=REQUEST_TIMEOUT, **kwargs):
        """Call the notebook's function ``name``; ``returns``: the shape its answer must have (``()``: a scalar)."""
        what = _signature(name, args, kwargs)
        value = self.run(what, "func", timeout=timeout, name=name, args=list(args), kwargs=kwargs)
        if returns is None:
            return value
        return expect_scalar(value, what) if tuple(returns) == () else expect_array(value, returns, what)

    def twin(self):
        """The submission's second worker (same program, own process), started on first use."""
        if self._twin is None:
            left = max(1.0, self.budget_s - (time.monotonic() - self.started))
            self._twin = Submission(Worker(self.program, plan=self.worker.plan, budget_s=left),
                                    self.program, budget_s=left)
        return self._twin

    def close(self):
        """Stop the workers (the main one and the twin, if it was started)."""
        self.worker.close()
        if self._twin is not None:
            self._twin.close()

    def info(self):
        """What the workers reported, for the results file."""
        info = {"isolation": self.worker.isolation, "load_status": self.worker.load_status,
                "problems": self.program.problems, "events": list(self.worker.events),
                "starts": self.worker.starts}
        if self._twin is not None:
            twin = self._twin.worker
            info["twin"] = {"load_status": twin.load_status, "events": list(twin.events), "starts": twin.starts}
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
