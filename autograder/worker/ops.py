"""The operations a worker answers: run the cells, build objects, call their methods, read and set their
weights (so that the judge can copy an object into the submission's second worker and set weights it
drew), all as plain data.  The notebook can rebind any of this: the judge treats every answer as a claim.

One :class:`Session` per worker.  Only the names of the assignment's allowlists (:class:`autograder.packs.Calls`,
sent in the sandbox plan) can be called; results are converted to numbers, strings and float arrays before
they leave (:func:`plain`).
"""
import os
import sys

import numpy as np

from ..wire.calls import Calls
from ..wire.cells import filename as cell_file


def _load_error(err, cells):
    """What a cell raised when run, in one line: ``Type: message`` (the type alone if there is no message), or
    ``not implemented yet: FUNC`` for the template's own ``raise NotImplementedError()`` in FUNC of any cell
    (a function of a solution cell that a given cell calls)."""
    if isinstance(err, NotImplementedError):
        code = {cell_file(c["grade_id"]): c["code"].splitlines() for c in cells}
        tb, last = err.__traceback__, None
        while tb is not None:
            last = tb if tb.tb_frame.f_code.co_filename in code else last
            tb = tb.tb_next
        lines = code[last.tb_frame.f_code.co_filename] if last else []
        if last and 0 < last.tb_lineno <= len(lines) and lines[last.tb_lineno - 1].strip() == "raise NotImplementedError()":
            return f"not implemented yet: {last.tb_frame.f_code.co_qualname}"
    return (f"{type(err).__name__}: {err}" if str(err) else type(err).__name__)[:500]


def plain(value):
    """Convert a result to protocol data: arrays, numbers, lists and dicts of them."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not (value and isinstance(value[0], (float, int))):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


class Session:
    """The submission's namespace and the objects the judge asked to build."""

    def __init__(self, calls=Calls(), judge_objects=None):
        self.calls, self.judge_objects = calls, judge_objects or {}
        self.ns = {"__name__": "__main__"}
        self.objects = {}
        self.compiled = {}  # (object name, method) -> the method, compiled where that works (see _row_method)
        self.owner = os.getpid()
        _without_graph_optimizer()

    def leave_if_forked(self):
        """A process forked by submission code must never answer on the channel: it leaves at once."""
        if os.getpid() != self.owner:
            os._exit(0)

    def _resolve(self, value):
        if isinstance(value, dict) and "__ref__" in value:
            return self.objects[value["__ref__"]]
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if isinstance(value, np.ndarray):
            import tensorflow as tf
            return tf.constant(value, tf.float32)
        return value

    def op_load(self, cells):
        """Run the program's cells in order (the judge made IPython magic lines comments); key -> "ok" or the error."""
        status = {}
        for cell in cells:
            try:
                exec(compile(cell["code"], cell_file(cell["grade_id"]), "exec"), self.ns)
                status[cell["grade_id"]] = "ok"
            except BaseException as err:  # noqa: BLE001  (SystemExit included: it is the student's)
                status[cell["grade_id"]] = _load_error(err, cells)
            finally:
                self.leave_if_forked()
        return status

    def op_new(self, name, factory, args=(), kwargs=None):
        if factory not in self.calls.classes:
            raise ValueError(f"unknown factory {factory}")
        if factory not in self.ns:
            raise NameError(f"name '{factory}' is not defined")
        self.objects[name] = self.ns[factory](*self._resolve(list(args)), **self._resolve(kwargs or {}))
        return "ok"

    def op_judge_object(self, name, factory, args=(), kwargs=None):
        """Build one of the judge's own classes (the assignment's worker module), e.g. an exact score that
        the notebook's functions are then given; like any answer here, what it computes is a claim."""
        if factory not in self.calls.judge_objects or factory not in self.judge_objects:
            raise ValueError(f"unknown judge object {factory}")
        self.objects[name] = self.judge_objects[factory](*self._resolve(list(args)), **self._resolve(kwargs or {}))
        return "ok"

    def op_seed(self, seed):
        """Seed Python, numpy and TensorFlow, with deterministic kernels: one file, the same numbers."""
        import tensorflow as tf
        tf.keras.utils.set_random_seed(int(seed))
        tf.config.experimental.enable_op_determinism()
        return "ok"

    def op_call(self, obj, method, args=(), kwargs=None, compiled=False):
        """``obj.method(*args, **kwargs)``; a row method of one batch runs compiled when the judge asks
        (``compiled``), so that two workers asked the same rows run the same kernels."""
        if method not in self.calls.methods:
            raise ValueError(f"method {method} not allowed")
        if method in self.calls.row_methods and len(args) == 1 and not kwargs and isinstance(args[0], np.ndarray):
            return plain(self._row_method(obj, method)(self._resolve(args[0]), compiled=bool(compiled)))
        target = self.objects[obj]
        for part in method.split("."):
            target = getattr(target, part)
        return plain(target(*self._resolve(list(args)), **self._resolve(kwargs or {})))

    def _row_method(self, obj, method):
        """``obj.method`` for a batch of rows, run through :func:`tf.function` where that works.

        An eager Keras call costs 8-200 ms whatever the batch, a compiled one about 1 ms; the judge calls
        forward and backward of each object many times.  The first compiled call traces with a batch-agnostic
        signature and keeps the compiled function only if it gives what the eager one gives; any error
        of a compiled call is answered by the eager method (so the student's own lines are reported).
        """
        key = (obj, method)
        if key not in self.compiled:
            eager = getattr(self.objects[obj], method)
            self.compiled[key] = _Compiled(eager)
        return self.compiled[key]

    def op_func(self, name, args=(), kwargs=None):
        if name not in self.calls.functions:
            raise ValueError(f"function {name} not allowed")
        if name not in self.ns:
            raise NameError(f"name '{name}' is not defined")
        return plain(self.ns[name](*self._resolve(list(args)), **self._resolve(kwargs or {})))

    def op_get_weights(self, obj):
        """The values of every weight Keras tracks for ``obj`` (``obj.weights``), in order."""
        return [np.asarray(v.numpy(), np.float64) for v in self.objects[obj].weights]

    def op_set_weights(self, obj, arrays):
        """Assign ``arrays`` (as returned by :meth:`op_get_weights`) to the weights of ``obj``."""
        variables = self.objects[obj].weights
        if len(arrays) != len(variables):
            raise ValueError(f"this object has {len(variables)} weights, {len(arrays)} values were given")
        for v, value in zip(variables, arrays):
            value = np.asarray(value)
            if tuple(v.shape) != value.shape:
                raise ValueError(f"weight {v.path} has shape {tuple(v.shape)}, its value {value.shape}")
            v.assign(value.astype(getattr(v.dtype, "as_numpy_dtype", v.dtype)))
        return "ok"

    def op_trainable(self, obj):
        """Whether each weight of ``obj.weights`` is trainable, in the same order."""
        trainable = {id(v) for v in self.objects[obj].trainable_weights}
        return [id(v) in trainable for v in self.objects[obj].weights]

    def op_vjp(self, obj, x, v):
        """The gradient of sum(v * forward(x)) with respect to x, by TensorFlow's autodiff (v^T J per row)."""
        import tensorflow as tf
        inputs, weights = self._resolve(x), self._resolve(v)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            total = tf.reduce_sum(weights * self.objects[obj].forward(inputs))
        grad = tape.gradient(total, inputs)
        return np.zeros(np.shape(x)) if grad is None else np.asarray(grad, np.float64)

    def op_forward_with(self, obj, x, changes):
        """forward(x) once per change ``[index, entry, value]``: entry ``entry`` (flat) of weight ``index``
        set to ``value``, then restored.

        Returns an array (len(changes), *x.shape): what forward depends on, in one request.  forward runs
        compiled (:func:`tf.function`, traced once) where tracing works, eagerly where it does not (as a
        call with ``compiled=True`` does).
        """
        variables = self.objects[obj].weights
        inputs = self._resolve(x)
        forward = self._row_method(obj, "forward")
        outputs = []
        for index, entry, value in changes:
            v = variables[int(index)]
            original = v.numpy()
            changed = original.copy()
            changed.flat[int(entry)] = value
            v.assign(changed)
            try:
                outputs.append(np.asarray(forward(inputs, compiled=True), np.float64))
            finally:
                v.assign(original)
        return np.stack(outputs) if outputs else np.zeros((0, *np.shape(x)))


def _without_graph_optimizer():
    """Run compiled functions as traced, without TensorFlow's graph optimizer (grappler), where TensorFlow is loaded.

    The worker traces each object it is asked about many times (:class:`_Compiled`) and the notebook
    compiles its training step; the graphs are small, and grappler's pass on each costs more than it
    saves (the first call of a traced flow of four couplings: 24 ms with it, 9 ms without; later calls alike).
    A compiled function then runs the very ops the same call runs eagerly.
    """
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})


class _Compiled:
    """A method of rows, eager or compiled as each call asks; compiled means traced once, on the first
    compiled call, and kept only if tracing works and agrees with eager (tracing costs about ten eager
    calls); eager otherwise.  The judge decides, so that a row asked again in the submission's other
    worker runs through the same kernels (compiled and eager answers differ in their last bits)."""

    def __init__(self, eager):
        self.eager, self.graph, self.traced = eager, None, False

    def __call__(self, x, compiled=False):
        if not compiled:
            return self.eager(x)
        if not self.traced:
            self.traced = True
            self.graph = _compile(self.eager, x)
        if self.graph is None:
            return self.eager(x)
        try:
            return self.graph(x)
        except Exception:  # noqa: BLE001 (the eager call raises the student's own error, with their lines)
            return self.eager(x)


def _compile(method, example):
    """``method`` under :func:`tf.function` for (batch, D) float32 rows, if it traces and agrees with eager on ``example``.

    Agreeing means within 1e-3 (relative) on nine rows in ten: a traced function that froze randomness or
    Python state differs on every row by far more, while rounding differs by about 1e-4 at most
    (LayerNormalization far out): the same code must get the same verdict in both workers, whatever rows
    it is traced on.
    """
    import tensorflow as tf
    try:
        compiled = tf.function(method, input_signature=[tf.TensorSpec([None, example.shape[-1]], tf.float32)])
        close = np.isclose(np.asarray(compiled(example)), np.asarray(method(example)), rtol=1e-3, atol=1e-4,
                           equal_nan=True)
        if np.mean(np.all(close.reshape(len(close), -1), axis=1)) >= 0.9:
            return compiled
    except Exception:  # noqa: BLE001 (code that cannot be traced runs eagerly)
        pass
    return None
