"""pytest plugin loaded first into every judge (``-p autograder.grade.tether``): the judge dies with its runner.

Judges run in sessions of their own (:mod:`.run`), out of reach of the terminal's signals; without
this, a runner killed outright (SIGKILL, the out-of-memory killer) would leave them grading on, unseen,
beside the run that follows.  The runner's pid comes in :data:`~autograder.wire.names.RUNNER_ENV`.
"""
import os

from ..wire.names import RUNNER_ENV
from ..worker.sandbox import die_with_parent


def tether():
    """SIGKILL this process when the runner that started it ends; exit at once if it has ended already."""
    runner = os.environ.get(RUNNER_ENV)
    if runner:
        die_with_parent()
        if os.getppid() != int(runner):  # it ended before the tether held
            os._exit(1)


tether()
