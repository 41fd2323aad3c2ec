"""Hostile submissions: every run ends, each scores no more than its honest part, the others are unaffected."""
import ctypes
import os
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from autograder.grade.run import grade_submissions

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_hostile  # noqa: E402

pytestmark = pytest.mark.slow
PR_SET_CHILD_SUBREAPER = 36


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


def _forkers():
    """Live processes named like the hostile forker, wherever they are."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            process = _process(entry)
            if process and process[0] == make_hostile.FORKER_NAME and process[1] != "Z":
                found.append(int(entry))
    return found


def _reap_zombie_children():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the bank beside the reference, as this process's orphans' reaper (a child subreaper).

    Whatever the runner, the judges or a sandbox leave behind is then re-parented to this process, unless
    a pid namespace ends it first: after grading it must have no live child process left.
    """
    paths = make_hostile.build()
    subs = [("reference", ROOT / "source/assignment07/assignment07.ipynb")]
    subs += [(h.name, paths[h.name]) for h in make_hostile.BANK]
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    shmem_before = _shmem_bytes()
    forker_seen, done = [], threading.Event()

    def watch():  # proves the forking attack really ran while grading
        while not done.wait(0.2) and not forker_seen:
            forker_seen.extend(_forkers())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        results = grade_submissions(subs, workers=2, progress=False)
        done.set()
        watcher.join()
        left = {pid: _process(pid) for pid in _forkers()}
        left.update({int(e): p for e in os.listdir("/proc") if e.isdigit() and (p := _process(e))
                     and p[2] == os.getpid() and p[1] != "Z"})
        shmem_growth = _shmem_bytes() - shmem_before
    finally:
        done.set()
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        _reap_zombie_children()
    return {r.student: r for r in results}, (left, bool(forker_seen)), shmem_growth


def _evidence(result):
    w = result.worker
    return "\n".join([result.error, *(t.message for t in result.tests), *w.get("events", []),
                      *map(str, w.get("load_status", {}).values()), *w.get("problems", {}).values(),
                      *(text for _, text in w.get("notes", []))])


def test_reference_in_the_same_run_is_unaffected(graded):
    results, _, _ = graded
    ref = results["reference"]
    assert ref.score == ref.max_score, [(t.name, t.message) for t in ref.tests if not t.passed]


@pytest.mark.parametrize("hostile", make_hostile.BANK, ids=lambda h: h.name)
def test_hostile_submission(graded, hostile):
    results, _, _ = graded
    result = results[hostile.name]
    assert {t.name for t in result.tests} == make_hostile.ALL_TESTS, "every check must have a result"
    failed = {t.name for t in result.tests if not t.passed}
    detail = {t.name: t.message[:200] for t in result.tests if not t.passed}
    if hostile.exact:
        assert failed == set(hostile.fails), detail
    else:
        assert failed >= set(hostile.fails), detail
    assert hostile.evidence in _evidence(result)
    isolation = result.worker.get("isolation", {})
    assert isolation.get("network", "").startswith("none")
    assert isolation["namespaces"]["pid"].startswith("own")
    assert isolation["filesystem"]["root"].startswith("allowlist")
    assert isinstance(isolation["syscalls"], dict), isolation.get("syscalls")  # the seccomp filter is loaded


def test_no_fake_results_no_stray_processes_no_kept_memory(graded):
    results, (left, forker_seen), shmem_growth = graded
    for path in ("grading-output/grades.csv", "results.json"):
        assert not (ROOT / path).exists() or "999" not in (ROOT / path).read_text()
    assert forker_seen, f"the {make_hostile.FORKER_NAME} process never ran: the check below would prove nothing"
    assert not left, f"processes outlived grading: {left}"
    assert shmem_growth < 256 * 2**20, f"shared memory grew by {shmem_growth / 2**20:.0f} MiB during grading"
