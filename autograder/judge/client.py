"""The judge's side of the channel: start a worker, send requests, enforce time limits from outside.

A worker comes from the zygote (``AUTOGRADER_ZYGOTE`` names its socket: a process that already
imported TensorFlow forks one per submission) or, without one, from a fresh ``python -m
autograder.worker`` started with the worker's clean environment.  The judge sends the sandbox plan,
receives a pidfd of the sandbox's init (a handle that kills exactly that process, whatever its pid),
then the hello.  Each sandbox gets a cgroup of its own, made here before it starts and removed once
it has ended (:mod:`autograder.worker.cgroups`).  Closing the channel ends the sandbox: its init
exits, and with it every process of its pid namespace.  A request that times out or finds the worker
dead closes it; the next request starts a new one and reloads the program, up to ``max_starts``
times per submission.
"""
import dataclasses
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from .. import packs, paths
from ..wire import protocol
from ..wire.budgets import HELLO_TIMEOUT_S, LOAD_TIMEOUT_S, REQUEST_TIMEOUT_S, SUBMISSION_BUDGET_S
from ..wire.names import ZYGOTE_ENV
from ..wire.plan import Plan, launch_env
from ..wire import cgroups

END_GRACE_S = 2.0  # the init exits at once when the channel closes; SIGKILL after this
NAMED_BY = {"func": "name", "call": "method", "new": "factory"}  # the field naming what a request runs


class WorkerError(Exception):
    """A request did not produce a result.  ``kind``: student, timeout, crashed, unavailable."""

    def __init__(self, kind, message, traceback="", output="", raised_at=None):
        super().__init__(message)
        self.kind, self.message, self.traceback, self.output = kind, message, traceback, output
        self.raised_at = raised_at  # (grade_id, line) where a student exception was raised, if in a cell

    def describe(self):
        text = self.message
        if self.traceback:
            text += "\n" + self.traceback
        return text


def default_plan(pack=None):
    """The sandbox plan every worker of ``pack``'s submissions gets (default: the course's default assignment):
    the assignment's helper modules in its working directory, the calls it allows, its short budgets."""
    pack = pack or packs.load()
    return Plan(files=[str(p) for p in pack.helper_paths()], calls=pack.calls.to_plan(), quick_env=pack.quick_env)


class Worker:
    """One submission's worker, (re)started on demand."""

    def __init__(self, program, plan=None, max_starts=3, budget_s=SUBMISSION_BUDGET_S, pack=None):
        """``pack``: the assignment (default: the course's default); it sets the default ``plan`` and what a
        fresh worker preloads."""
        self.pack = pack or packs.load()
        self.program, self.plan = program, plan or default_plan(self.pack)
        self.max_starts, self.deadline = max_starts, time.monotonic() + budget_s
        self.sock = self.proc = self.pidfd = self.group = None
        self.starts, self.isolation, self.load_status, self.events = 0, {}, {}, []
        self.timings = {}  # "op" or "op:name" -> [requests, seconds]: where a submission's time goes (grading.json)
        self._starter, self._start_error = None, None

    # -- lifecycle ------------------------------------------------------------------------------
    def _spawn(self):
        """A channel to a new worker, and its process when the judge started it itself."""
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
            [sys.executable, "-m", "autograder.worker", "--fd", str(child.fileno()), *self.pack.worker_args()],
            pass_fds=[child.fileno()], cwd=paths.ROOT, env=launch_env(os.environ, self.pack.quick_env),
            start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child.close()
        return parent, proc

    def start(self):
        if self.starts >= self.max_starts:
            raise WorkerError("unavailable", f"the worker was restarted {self.max_starts} times already; "
                              "no further requests are run for this submission")
        self.starts += 1
        self.group, note = cgroups.create(self.plan.limits)
        plan = dataclasses.replace(self.plan, cgroup=self.group.to_plan() if self.group else {"note": note})
        self.sock, self.proc = self._spawn()
        self.sock.settimeout(max(1.0, min(HELLO_TIMEOUT_S, self.deadline - time.monotonic())))
        try:
            protocol.send(self.sock, {"plan": plan.to_json()})
            self.pidfd = _receive_pidfd(self.sock)
            hello = protocol.check_hello(protocol.recv(self.sock))
        except (OSError, protocol.ProtocolError) as err:
            self.close()
            raise WorkerError("crashed", f"the worker did not start: {err}") from None
        self.isolation = hello["isolation"]
        try:
            self.load_status = self._send({"op": "load", "cells": self.program.cells}, timeout=LOAD_TIMEOUT_S)
        except WorkerError as err:
            self.starts = self.max_starts  # loading is deterministic: a retry would fail the same way
            raise WorkerError(err.kind, f"running the notebook's cells failed: {err.message}") from None

    def start_in_background(self):
        """Start the worker in a thread while the caller goes on; the next request waits for it.

        What starting raised is raised by that request, as if the request had started the worker.
        """
        def start():
            try:
                self._timed_start()
            except Exception as err:  # noqa: BLE001 (raised in the caller's thread by the next request)
                self._start_error = err
        self._starter = threading.Thread(target=start, name="worker start", daemon=True)
        self._starter.start()

    def _started(self):
        """Wait for a start begun by :meth:`start_in_background`; raise what it raised."""
        if self._starter is not None:
            self._starter.join()
            self._starter = None
            error, self._start_error = self._start_error, None
            if error is not None:
                raise error

    def close(self):
        """End the sandbox, wait until none of its processes is left, remove its cgroup."""
        if self._starter is not None and self._starter is not threading.current_thread():
            self._starter.join()  # (a start that fails closes the worker from the starting thread itself)
            self._starter = None
        if self.sock is not None:
            self.sock.close()  # the sandbox's init exits when it sees this
            self.sock = None
        if self.pidfd is not None:
            if not _exited(self.pidfd, END_GRACE_S):
                self.events.append("the sandbox did not end when its channel closed; killed")
                try:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _exited(self.pidfd, END_GRACE_S)
            os.close(self.pidfd)
            self.pidfd = None
        if self.proc is not None:  # a fresh worker's keeper returns once the sandbox has ended
            try:
                self.proc.wait(END_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.group is not None:
            left = self.group.remove()
            if left:
                self.events.append(f"the sandbox's cgroup could not be removed: {', '.join(left)}")
            self.group = None

    # -- requests -------------------------------------------------------------------------------
    def _send(self, message, timeout):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.close()
            raise WorkerError("timeout", "the submission used up its total time budget")
        self.sock.settimeout(min(timeout, remaining))
        op = message.get("op")
        began = time.monotonic()
        what = message.get(NAMED_BY.get(op, ""))
        try:
            protocol.send(self.sock, message)
            reply = protocol.check_reply(protocol.recv(self.sock))
            self._time(f"{op}:{what}" if isinstance(what, str) else op, began)
        except socket.timeout:
            self.close()
            self.events.append(f"request '{op}' timed out after {min(timeout, remaining):.0f} s; worker killed")
            raise WorkerError("timeout", f"no answer within {min(timeout, remaining):.0f} s "
                              "(infinite loop or far too slow?)") from None
        except protocol.MalformedMessage as err:
            self.close()
            self.events.append(f"malformed reply to '{op}' ({err}); worker killed")
            raise WorkerError("crashed", f"the worker sent a malformed reply: {err}") from None
        except (OSError, protocol.ProtocolError) as err:
            self.close()
            self.events.append(f"worker died during '{op}' ({err})")
            raise WorkerError("crashed", "the worker process died while running your code "
                              "(os._exit, a crash, or the memory limit)") from None
        if not reply["ok"]:
            if reply.get("ended") is True:  # the sandbox's init ended it (over its memory budget): start anew next
                self.close()
                self.events.append(f"the sandbox was ended during '{op}': {reply.get('message')}")
            raise WorkerError("student", f"{reply.get('error')}: {reply.get('message')}",
                              reply.get("traceback", ""), reply.get("output", ""), reply.get("raised_at"))
        return reply["result"]

    def _time(self, op, began):
        entry = self.timings.setdefault(op, [0, 0.0])
        entry[0] += 1
        entry[1] = round(entry[1] + time.monotonic() - began, 4)

    def request(self, op, timeout=REQUEST_TIMEOUT_S, **fields):
        """Run one operation in the worker and return its (plain) result, or raise WorkerError."""
        self._started()
        if self.sock is None:
            self._timed_start()
        return self._send({"op": op, **fields}, timeout)

    def _timed_start(self):
        """:meth:`start`, its seconds counted under "start" (a failed start's too)."""
        began = time.monotonic()
        try:
            self.start()
        finally:
            self._time("start", began)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _receive_pidfd(sock):
    """The pidfd the sandbox's init sends first (None where the kernel has no pidfds)."""
    data, fds, _, _ = socket.recv_fds(sock, 1, 1)
    if not data:
        raise protocol.ProtocolError("channel closed")
    return fds[0] if fds else None


def _exited(pidfd, timeout):
    """Whether the process behind ``pidfd`` has exited (waiting up to ``timeout`` seconds).

    An init's exit completes only after every other process of its pid namespace is gone.
    """
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    return bool(poller.poll(timeout * 1000))
