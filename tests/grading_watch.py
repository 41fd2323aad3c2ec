"""Grade submissions as this process's orphans' reaper and report what outlived the run.

Whatever the runner, the judges or a sandbox leave behind is re-parented to this process (a child
subreaper), unless a pid namespace ends it first: after grading it must have no live child process left.
"""
import ctypes
import os
import threading
import time
from dataclasses import dataclass

from memory_sampler import Sampler

from autograder.grade.run import grade_submissions
from autograder.wire import cgroups

PR_SET_CHILD_SUBREAPER = 36


@dataclass
class WatchedRun:
    """A grading run's results (name -> SubmissionResult) and what the watch saw."""
    results: dict
    left: dict  # pid -> (name, state, parent pid) of every process that outlived grading
    seen: bool  # whether a process named like the watched one ran while grading
    shmem_growth: int  # bytes of shared memory more than before grading
    wall_s: float
    memory: object = None  # the memory_sampler.Sampler of the run: each sandbox's peak, the host's rise
    swept: list = None     # the cgroups that no judge removed (the runner's sweep found them)


def _shmem_bytes():
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("Shmem:"))


def _process(pid):
    """``(name, state, parent pid)`` of a live process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f)
    except (OSError, ValueError):
        return None
    return status["Name"].strip(), status["State"].split()[0], int(status["PPid"])


def _named(name):
    """Live processes called ``name``, wherever they are."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            process = _process(entry)
            if process and process[0] == name and process[1] != "Z":
                found.append(int(entry))
    return found


def _reap_zombie_children():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def grade_watched(submissions, watch_name, workers=2):
    """Grade ``[(name, notebook)]`` ``workers`` at a time (the grading machine's two cores by default) as a
    child subreaper, watching for a process called ``watch_name``."""
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    shmem_before = _shmem_bytes()
    seen, done = [], threading.Event()

    def watch():  # proves the watched process really ran while grading
        while not done.wait(0.2) and not seen:
            seen.extend(_named(watch_name))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    swept, real_sweep = [], cgroups.sweep
    try:
        cgroups.sweep = lambda: swept.extend(real_sweep()) or swept  # what no judge removed
        with Sampler() as memory:
            results = grade_submissions(submissions, workers=workers, progress=False)
        done.set()
        watcher.join()
        left = {pid: _process(pid) for pid in _named(watch_name)}
        left.update({int(e): p for e in os.listdir("/proc") if e.isdigit() and (p := _process(e))
                     and p[2] == os.getpid() and p[1] != "Z"})
        shmem_growth = _shmem_bytes() - shmem_before
        wall_s = time.monotonic() - started
    finally:
        cgroups.sweep = real_sweep
        done.set()
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        _reap_zombie_children()
    print(f"peak memory of one sandbox {max(memory.sandbox.values(), default=0) / 2**20:.0f} MiB; host memory "
          f"in use rose by at most {memory.host / 2**20:.0f} MiB while grading")
    return WatchedRun({r.student: r for r in results}, left, bool(seen), shmem_growth, wall_s, memory, swept)
