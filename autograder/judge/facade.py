"""What graders call: build objects in the worker, call them, and fail with a message a student can use.

Every failure says what was called and what came back; student exceptions keep the lines of the
student's own cells from the traceback and nothing of the grader.
"""
import itertools

import numpy as np
import pytest

from ..wire.budgets import REQUEST_TIMEOUT_S as REQUEST_TIMEOUT
from .client import WorkerError


def _describe_arg(value):
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    if isinstance(value, Ref):
        return value.label
    return repr(value)


def _signature(name, args, kwargs):
    parts = [_describe_arg(a) for a in args] + [f"{k}={_describe_arg(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class Ref:
    """An object living in the worker (a layer or model), named by the judge."""

    def __init__(self, sub, name, label):
        self.sub, self.name, self.label = sub, name, label

    def __call__(self, method, *args, **kwargs):
        return self.sub.run(f"{self.label}.{_signature(method, args, kwargs)}", "call",
                            obj=self.name, method=method, args=list(args), kwargs=kwargs)

    def forward(self, x):
        return self("forward", np.asarray(x))

    def backward(self, z):
        return self("backward", np.asarray(z))

    def log_det(self):
        return self("log_det_jacobian")

    def randomize(self, seed, std):
        return self.sub.run(f"randomizing the weights of {self.label}", "randomize",
                            obj=self.name, seed=seed, std=std)

    def used_parameters(self, x):
        return self.sub.run(f"counting the parameters {self.label}.forward(x) depends on", "used_parameters",
                            obj=self.name, x=np.asarray(x))


class Submission:
    """The graders' view of one submission."""

    def __init__(self, worker, program):
        self.worker, self.program = worker, program
        self._ids = itertools.count()

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
        self.run(f"tf.keras.utils.set_random_seed({seed})", "seed", seed=seed)

    def new(self, cls, *args, **kwargs):
        label = _signature(cls, args, kwargs)
        name = f"obj{next(self._ids)}"
        self.run(label, "new", name=name, factory=cls, args=list(args), kwargs=kwargs)
        return Ref(self, name, label)

    def func(self, name, *args, timeout=REQUEST_TIMEOUT, **kwargs):
        return self.run(_signature(name, args, kwargs), "func", timeout=timeout, name=name,
                        args=list(args), kwargs=kwargs)


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


def expect_array(value, shape, what):
    """Fail unless ``value`` is a finite array of ``shape``."""
    arr = np.asarray(value, dtype=np.float64) if not isinstance(value, (dict, str)) else None
    if arr is None or arr.shape != tuple(shape):
        got = "a " + type(value).__name__ if arr is None else f"shape {arr.shape}"
        pytest.fail(f"{what}: expected an array of shape {tuple(shape)}, got {got}", pytrace=False)
    if not np.all(np.isfinite(arr)):
        pytest.fail(f"{what}: {int(np.sum(~np.isfinite(arr)))} entries are NaN or infinite", pytrace=False)
    return arr
