"""Stopping a class run on SIGINT or SIGTERM: nothing new starts, the judges in flight are killed.

The judges run in sessions of their own, so a Ctrl-C in the terminal reaches the runner only; its
handler (:meth:`Stop.request`) kills every judge in flight (closing a judge's channel ends its
sandbox), and the submissions they were grading get no result (:class:`Stopped`).  What was graded
stays written; the run then writes the class files and ends with :class:`Interrupted`.  A second
signal raises :class:`StopNow` wherever the runner is: it unwinds at once, class files left as they are.
"""
import signal
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(Exception):
    """A submission's judge was killed by :meth:`Stop.request`: it has no result."""


class StopNow(BaseException):
    """A second signal: stop at once (a BaseException, so that no ``except Exception`` holds it up)."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


class Interrupted(Exception):
    """A grading run stopped by a signal: the one line to print and the exit status (128 + the signal)."""

    def __init__(self, signum, graded, total, at_once=False):
        self.status = 128 + signum
        how = "interrupted again, stopped at once" if at_once else "interrupted"
        super().__init__(f"{how}: {graded} of {total} graded; run the same command again to grade the rest")


class Stop:
    """The stop request of one run: :attr:`signum` once a signal came; the judges it killed."""

    def __init__(self):
        self.signum = None
        self._running = {}  # pid -> Popen of the judges in flight
        self._killed = set()

    def request(self, signum, frame=None):
        """Signal handler: the first signal kills the judges in flight, a second raises :class:`StopNow`."""
        if self.signum is not None:
            raise StopNow(signum)
        self.signum = signum
        for proc in list(self._running.values()):
            self._kill(proc)

    def _kill(self, proc):
        self._killed.add(proc.pid)
        proc.kill()  # does nothing once the judge has been waited for

    @contextmanager
    def tracking(self, proc):
        """While the judge ``proc`` runs: a stop request kills it (at once if one came already)."""
        self._running[proc.pid] = proc
        try:
            if self.signum is not None:
                self._kill(proc)
            yield
        finally:
            self._running.pop(proc.pid, None)

    def killed(self, proc):
        """Whether :meth:`request` killed ``proc`` (its output is no result)."""
        return proc.pid in self._killed

    def check(self):
        """Raise :class:`Stopped` if a stop was requested (before a submission's judge starts)."""
        if self.signum is not None:
            raise Stopped()

    @contextmanager
    def handling(self):
        """Make SIGINT and SIGTERM call :meth:`request` (in the main thread; elsewhere Python allows no handler)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {sig: signal.signal(sig, self.request) for sig in SIGNALS}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
