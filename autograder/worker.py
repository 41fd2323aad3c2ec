"""The process that runs a submission and answers the judge's requests with plain numbers and arrays.

Run as ``python -m autograder.worker --fd N --plan JSON`` (or forked by :mod:`autograder.zygote`).  It
imports TensorFlow, confines itself (:mod:`autograder.sandbox`), says hello, then serves requests until
the channel closes.  Every request gets an answer; student exceptions, ``sys.exit`` included, become
error answers.  The judge enforces time limits from outside.
"""
import argparse
import io
import json
import os
import socket
import sys
import traceback

import numpy as np

from . import protocol, sandbox

OUTPUT_LIMIT = 20_000
ALLOWED_CLASSES = ("CouplingLayer", "ScalingLayer", "NICE")
ALLOWED_FUNCTIONS = ("log_likelihood", "nll_loss", "train", "evaluate_nll", "inpaint",
                     "inpainting_step", "outlier_score")
ALLOWED_METHODS = ("forward", "backward", "log_det_jacobian", "sample", "prior.log_prob")


class BoundedText(io.TextIOBase):
    """A stdout/stderr stand-in that keeps the first OUTPUT_LIMIT characters and counts the rest."""

    def __init__(self):
        self.parts, self.size = [], 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < OUTPUT_LIMIT:
            self.parts.append(text[: OUTPUT_LIMIT - self.size])
        self.size += len(text)
        return len(text)

    def take(self):
        text = "".join(self.parts)
        if self.size > OUTPUT_LIMIT:
            text += f"\n[... {self.size - OUTPUT_LIMIT} more characters of output dropped]"
        self.parts, self.size = [], 0
        return text


def preload():
    """Import what every submission needs, once, before confinement (and before forking)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    os.environ.setdefault("NICE_QUICK", "1")
    os.environ.setdefault("MPLBACKEND", "Agg")
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
        import tensorflow_probability  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _strip_magics(code):
    return "\n".join("pass  # " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in code.splitlines())


def _plain(value):
    """Convert a result to protocol data: arrays, numbers, lists and dicts of them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not (value and isinstance(value[0], (float, int))):
        return [_plain(v) for v in value]
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
        status = {}
        for cell in cells:
            try:
                exec(compile(_strip_magics(cell["code"]), f"<cell {cell['grade_id']}>", "exec"), self.ns)
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
        import tensorflow as tf
        tf.keras.utils.set_random_seed(int(seed))
        return "ok"

    def op_call(self, obj, method, args=(), kwargs=None):
        if method not in ALLOWED_METHODS:
            raise ValueError(f"method {method} not allowed")
        target = self.objects[obj]
        for part in method.split("."):
            target = getattr(target, part)
        return _plain(target(*self._resolve(list(args)), **self._resolve(kwargs or {})))

    def op_func(self, name, args=(), kwargs=None):
        if name not in ALLOWED_FUNCTIONS:
            raise ValueError(f"function {name} not allowed")
        if name not in self.ns:
            raise NameError(f"name '{name}' is not defined")
        return _plain(self.ns[name](*self._resolve(list(args)), **self._resolve(kwargs or {})))

    def op_used_parameters(self, obj, x):
        """Number of trainable parameters whose gradient of sum(forward(x)^2) is non-zero."""
        import tensorflow as tf
        model = self.objects[obj]
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(tf.square(model.forward(self._resolve(x))))
        variables = model.trainable_variables
        grads = tape.gradient(total, variables)
        return int(sum(int(np.prod(v.shape)) for v, g in zip(variables, grads)
                       if g is not None and bool(tf.reduce_any(tf.not_equal(tf.convert_to_tensor(g), 0.0)))))

    def op_randomize(self, obj, seed, std):
        """Give every trainable variable of ``obj`` i.i.d. N(0, std^2) values."""
        rng = np.random.default_rng(int(seed))
        for v in self.objects[obj].trainable_variables:
            dtype = getattr(v.dtype, "as_numpy_dtype", v.dtype)
            v.assign(rng.normal(0.0, float(std), tuple(v.shape)).astype(dtype))
        return "ok"


def serve(sock, hello):
    """Answer requests until the judge closes the channel."""
    session = Session()
    out = BoundedText()
    sys.stdout = sys.stderr = out
    protocol.send(sock, hello)
    while True:
        try:
            request = protocol.recv(sock)
        except protocol.ProtocolError:
            return
        op = request.pop("op", None)
        try:
            result = getattr(session, f"op_{op}")(**request)
            reply = {"ok": True, "result": result}
        except BaseException as err:  # noqa: BLE001
            tb = traceback.extract_tb(err.__traceback__)
            student = [f"  {f.filename}, line {f.lineno}, in {f.name}: {(f.line or '').strip()}"
                       for f in tb if f.filename.startswith("<cell ")]
            reply = {"ok": False, "error": type(err).__name__, "message": str(err)[:400],
                     "traceback": "\n".join(student[-8:])}
        reply["output"] = out.take()
        session.leave_if_forked()
        try:
            protocol.send(sock, reply)
        except (TypeError, ValueError) as err:
            protocol.send(sock, {"ok": False, "error": "BadResult", "message": str(err)[:500],
                                 "traceback": "", "output": ""})


def run_child(sock, plan):
    """Confine, then serve: what a forked or freshly started worker does with its channel."""
    for fd in (0, 1, 2):
        os.dup2(os.open(os.devnull, os.O_RDWR), fd)
    workdir, isolation = sandbox.enter(plan)
    sys.path.insert(0, workdir)
    serve(sock, {"pid": os.getpid(), "workdir": workdir, "isolation": isolation})


def plan_from_json(text):
    data = json.loads(text)
    return sandbox.Plan(limits=sandbox.Limits(**data.get("limits", {})), hide=data.get("hide", []),
                        files=data.get("files", []), network=data.get("network", False))


def main(argv=None):
    parser = argparse.ArgumentParser(description="NICE grading worker (started by the judge)")
    parser.add_argument("--fd", type=int, required=True, help="inherited socket to the judge")
    parser.add_argument("--plan", required=True, help="sandbox plan as JSON")
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    preload()
    run_child(sock, plan_from_json(args.plan))


if __name__ == "__main__":
    main()
