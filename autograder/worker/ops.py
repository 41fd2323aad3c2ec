"""The operations a worker answers: run the cells, build objects, call their methods, read and set their
weights (so that the judge can copy an object into the submission's second worker and set weights it
drew), all as plain data.  The notebook can rebind any of this: the judge treats every answer as a claim.

One :class:`Session` per worker.  Only the names in the allowlists below can be called; results are
converted to numbers, strings and float arrays before they leave (:func:`plain`).
"""
import os

import numpy as np

ALLOWED_CLASSES = ("CouplingLayer", "ScalingLayer", "NICE")
ALLOWED_FUNCTIONS = ("log_likelihood", "nll_loss", "train", "evaluate_nll", "inpaint",
                     "inpainting_step", "outlier_score")
ALLOWED_METHODS = ("forward", "backward", "log_det_jacobian", "sample", "prior.log_prob")


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

    def __init__(self):
        self.ns = {"__name__": "__main__"}
        self.objects = {}
        self.owner = os.getpid()

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
                exec(compile(cell["code"], f"<cell {cell['grade_id']}>", "exec"), self.ns)
                status[cell["grade_id"]] = "ok"
            except BaseException as err:  # noqa: BLE001  (SystemExit included: it is the student's)
                status[cell["grade_id"]] = f"{type(err).__name__}: {err}"[:500]
            finally:
                self.leave_if_forked()
        return status

    def op_new(self, name, factory, args=(), kwargs=None):
        if factory not in ALLOWED_CLASSES:
            raise ValueError(f"unknown factory {factory}")
        if factory not in self.ns:
            raise NameError(f"name '{factory}' is not defined")
        self.objects[name] = self.ns[factory](*self._resolve(list(args)), **self._resolve(kwargs or {}))
        return "ok"

    def op_seed(self, seed):
        """Seed Python, numpy and TensorFlow, with deterministic kernels: one file, the same numbers."""
        import tensorflow as tf
        tf.keras.utils.set_random_seed(int(seed))
        tf.config.experimental.enable_op_determinism()
        return "ok"

    def op_call(self, obj, method, args=(), kwargs=None):
        if method not in ALLOWED_METHODS:
            raise ValueError(f"method {method} not allowed")
        target = self.objects[obj]
        for part in method.split("."):
            target = getattr(target, part)
        return plain(target(*self._resolve(list(args)), **self._resolve(kwargs or {})))

    def op_func(self, name, args=(), kwargs=None):
        if name not in ALLOWED_FUNCTIONS:
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

    def op_forward_with(self, obj, x, changes):
        """forward(x) once per change ``[index, value]``: weight ``index`` set to ``value``, then restored.

        Returns an array (len(changes), *x.shape): what forward depends on, in one request.
        """
        variables = self.objects[obj].weights
        inputs = self._resolve(x)
        outputs = []
        for index, value in changes:
            v = variables[int(index)]
            original = v.numpy()
            v.assign(np.asarray(value).astype(original.dtype))
            try:
                outputs.append(np.asarray(self.objects[obj].forward(inputs), np.float64))
            finally:
                v.assign(original)
        return np.stack(outputs) if outputs else np.zeros((0, *np.shape(x)))
