"""The judge's side of the channel: start a worker, send requests, enforce time limits from outside.

A worker comes from the zygote (``AUTOGRADER_ZYGOTE`` names its socket: a process that already
imported TensorFlow forks one per submission) or, without one, from a fresh ``python -m
autograder.worker``.  A request that times out or finds the worker dead kills it; the next request
starts a new one and reloads the program, up to ``max_starts`` times per submission.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from .. import paths
from ..wire import protocol
from ..wire.budgets import HELLO_TIMEOUT_S, LOAD_TIMEOUT_S, REQUEST_TIMEOUT_S, SUBMISSION_BUDGET_S
from ..wire.names import ZYGOTE_ENV
from ..wire.plan import UID_BASE, Plan


class WorkerError(Exception):
    """A request did not produce a result.  ``kind``: student, timeout, crashed, unavailable."""

    def __init__(self, kind, message, traceback="", output=""):
        super().__init__(message)
        self.kind, self.message, self.traceback, self.output = kind, message, traceback, output

    def describe(self):
        text = self.message
        if self.traceback:
            text += "\n" + self.traceback
        return text


def default_plan(hide=()):
    """The sandbox plan every worker gets: the graders and the given folders hidden."""
    return Plan(hide=[str(paths.PACKAGE), *map(str, hide)], files=[str(paths.HELPERS)])


class Worker:
    """One submission's worker, (re)started on demand."""

    def __init__(self, program, plan=None, max_starts=3, budget_s=SUBMISSION_BUDGET_S):
        self.program, self.plan = program, plan or default_plan()
        self.max_starts, self.deadline = max_starts, time.monotonic() + budget_s
        self.sock = self.pid = self.workdir = None
        self.starts, self.isolation, self.load_status, self.events = 0, {}, {}, []

    # -- lifecycle ------------------------------------------------------------------------------
    def _spawn(self):
        zygote = os.environ.get(ZYGOTE_ENV)
        if zygote:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(zygote)
                return sock, None
            except OSError as err:
                self.events.append(f"zygote unavailable ({err}); started a fresh worker")
        parent, child = socket.socketpair()
        proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker", "--fd", str(child.fileno()),
             "--plan", self.plan.to_json()],
            pass_fds=[child.fileno()], cwd=paths.ROOT, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child.close()
        return parent, proc

    def start(self):
        if self.starts >= self.max_starts:
            raise WorkerError("unavailable", f"the worker was restarted {self.max_starts} times already; "
                              "no further requests are run for this submission")
        self.starts += 1
        sock, proc = self._spawn()
        sock.settimeout(max(1.0, min(HELLO_TIMEOUT_S, self.deadline - time.monotonic())))
        try:
            hello = protocol.recv(sock)
        except (OSError, protocol.ProtocolError) as err:
            sock.close()
            if proc is not None:
                kill_worker(proc.pid)
            raise WorkerError("crashed", f"the worker did not start: {err}") from None
        self.sock, self.pid, self.workdir = sock, int(hello["pid"]), hello["workdir"]
        self.isolation = hello["isolation"]
        try:
            self.load_status = self._send({"op": "load", "cells": self.program.cells}, timeout=LOAD_TIMEOUT_S)
        except WorkerError as err:
            self.starts = self.max_starts  # loading is deterministic: a retry would fail the same way
            raise WorkerError(err.kind, f"running the notebook's cells failed: {err.message}") from None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.pid is not None:
            kill_worker(self.pid)
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.pid = None

    # -- requests -------------------------------------------------------------------------------
    def _send(self, message, timeout):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.close()
            raise WorkerError("timeout", "the submission used up its total time budget")
        self.sock.settimeout(min(timeout, remaining))
        op = message.get("op")
        try:
            protocol.send(self.sock, message)
            reply = protocol.recv(self.sock)
        except socket.timeout:
            self.close()
            self.events.append(f"request '{op}' timed out after {min(timeout, remaining):.0f} s; worker killed")
            raise WorkerError("timeout", f"no answer within {min(timeout, remaining):.0f} s "
                              "(infinite loop or far too slow?)") from None
        except (OSError, protocol.ProtocolError) as err:
            self.close()
            self.events.append(f"worker died during '{op}' ({err})")
            raise WorkerError("crashed", "the worker process died while running your code "
                              "(os._exit, a crash, or the memory limit)") from None
        if not isinstance(reply, dict) or "ok" not in reply:
            self.close()
            raise WorkerError("crashed", "the worker sent an answer that is not a reply")
        if not reply["ok"]:
            raise WorkerError("student", f"{reply.get('error')}: {reply.get('message')}",
                              reply.get("traceback", ""), reply.get("output", ""))
        return reply["result"]

    def request(self, op, timeout=REQUEST_TIMEOUT_S, **fields):
        """Run one operation in the worker and return its (plain) result, or raise WorkerError."""
        if self.sock is None:
            self.start()
        return self._send({"op": op, **fields}, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def kill_worker(pid):
    """Kill the worker's process group and every process that runs under its uid."""
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass
    uid = UID_BASE + pid
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                real_uid = next(line.split()[1] for line in f if line.startswith("Uid:"))
            if int(real_uid) == uid:
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, StopIteration, ValueError):
            pass
