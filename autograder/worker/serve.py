"""The worker process: runs a submission and answers the judge's requests with plain numbers and arrays.

Run as ``python -m autograder.worker --fd N`` (or forked by :mod:`.zygote`).  It imports TensorFlow,
reads the sandbox plan from the channel and serves from a sandbox (:mod:`.sandbox`): says hello, then
answers requests (:mod:`.ops`) until the channel closes.  Every request gets an answer; student
exceptions, ``sys.exit`` included, become error answers.  The judge enforces time limits from outside.
"""
import argparse
import importlib
import io
import os
import socket
import sys
import traceback

from ..wire.calls import Calls
from ..wire import cells, protocol
from ..wire.budgets import OUTPUT_LIMIT_CHARS as OUTPUT_LIMIT
from ..wire.plan import LAUNCH_ENV, Plan
from . import sandbox
from .ops import Session

PLAN_TIMEOUT_S = 30.0  # the judge sends the plan as soon as it is connected


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


#: Classes the judge may build in the worker (:attr:`autograder.packs.Calls.judge_objects`), by name:
#: those of the assignment's worker module, imported by :func:`preload`.
JUDGE_OBJECTS = {}


def preload(modules=(), objects=""):
    """Import what every submission needs, once, before confinement (and before forking).

    ``modules``: the assignment's (:attr:`autograder.packs.Pack.preload`, e.g. TensorFlow); ``objects``: its
    worker module (:attr:`autograder.packs.Pack.worker_objects`), whose classes fill :data:`JUDGE_OBJECTS`.
    Everything the worker's own code uses must be imported here or at the top of its modules: once
    confined, nothing of the autograder can be read from disk any more.
    """
    for name, value in LAUNCH_ENV.items():
        os.environ.setdefault(name, value)
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        for name in modules:
            importlib.import_module(name)
        if objects:
            module = importlib.import_module(objects)
            JUDGE_OBJECTS.update({k: v for k, v in vars(module).items() if isinstance(v, type)})
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def add_preload_options(parser):
    """The options of :meth:`autograder.packs.Pack.worker_args`."""
    parser.add_argument("--preload", default="", help="modules to import before confinement, comma-separated")
    parser.add_argument("--objects", default="", help="module of classes the judge may build in the worker")


def preload_from(args):
    preload([m for m in args.preload.split(",") if m], args.objects)


def _raised_at(frames):
    """``[grade_id, line]`` of the innermost frame if it is in a notebook cell (:mod:`..wire.cells`), else None."""
    cell = cells.grade_id(frames[-1].filename) if frames else None
    return [cell, frames[-1].lineno] if cell is not None else None


def serve(sock, hello, plan):
    """Answer requests until the judge closes the channel (only the calls ``plan`` allows)."""
    session = Session(Calls.from_plan(plan.calls), JUDGE_OBJECTS)
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
                       for f in tb if cells.grade_id(f.filename) is not None]
            reply = {"ok": False, "error": type(err).__name__, "message": str(err)[:400],
                     "traceback": "\n".join(student[-8:]), "raised_at": _raised_at(tb)}
        reply["output"] = out.take()
        session.leave_if_forked()
        try:
            protocol.send(sock, reply)
        except (TypeError, ValueError) as err:
            protocol.send(sock, {"ok": False, "error": "BadResult", "message": str(err)[:500],
                                 "traceback": "", "output": ""})


def fork_sandbox(sock):
    """Fork the sandbox's init for the channel ``sock``; returns its pid (the caller must reap it).

    The init reads the judge's plan, confines itself and forks the server (:mod:`.sandbox`); the
    calling process never runs submission code.
    """
    pid, pid_note = sandbox.fork_init()
    if pid == 0:
        try:
            sock.settimeout(PLAN_TIMEOUT_S)
            plan = Plan.from_json(protocol.recv(sock)["plan"])
            sock.settimeout(None)
            sandbox.run_init(sock, plan, pid_note, serve)
        finally:
            os._exit(0)
    return pid


def main(argv=None):
    parser = argparse.ArgumentParser(description="grading worker (started by the judge)")
    parser.add_argument("--fd", type=int, required=True, help="inherited socket to the judge")
    add_preload_options(parser)
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    preload_from(args)
    init = fork_sandbox(sock)
    sock.close()
    os.waitpid(init, 0)
    os._exit(0)  # no interpreter shutdown: TensorFlow's threads would make it slow


if __name__ == "__main__":
    main()
