"""Hostile submissions: every run ends, each scores no more than its honest part, the others are unaffected."""
import ctypes
import os
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from autograder.grade.run import grade_submissions
from autograder.wire import cgroups
from autograder.wire.plan import Limits

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_hostile  # noqa: E402
from memory_sampler import Sampler  # noqa: E402

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
    forker_seen, done, swept = [], threading.Event(), []

    def watch():  # proves the forking attack really ran while grading
        while not done.wait(0.2) and not forker_seen:
            forker_seen.extend(_forkers())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    real_sweep = cgroups.sweep
    try:
        cgroups.sweep = lambda: swept.extend(real_sweep()) or swept  # what no judge removed
        with Sampler() as memory:
            results = grade_submissions(subs, workers=2, progress=False)
        done.set()
        watcher.join()
        left = {pid: _process(pid) for pid in _forkers()}
        left.update({int(e): p for e in os.listdir("/proc") if e.isdigit() and (p := _process(e))
                     and p[2] == os.getpid() and p[1] != "Z"})
        shmem_growth = _shmem_bytes() - shmem_before
    finally:
        cgroups.sweep = real_sweep
        done.set()
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        _reap_zombie_children()
    print(f"peak memory of one sandbox {max(memory.sandbox.values(), default=0) / 2**20:.0f} MiB; host memory "
          f"in use rose by at most {memory.host / 2**20:.0f} MiB while grading")
    return {r.student: r for r in results}, (left, bool(forker_seen)), shmem_growth, (memory, swept)


def _evidence(result):
    w = result.worker
    return "\n".join([result.error, *(t.message for t in result.tests), *w.get("events", []),
                      *map(str, w.get("load_status", {}).values()), *w.get("problems", {}).values(),
                      *(text for _, text in w.get("notes", []))])


def test_reference_in_the_same_run_is_unaffected(graded):
    results, *_ = graded
    ref = results["reference"]
    assert ref.score == ref.max_score, [(t.name, t.message) for t in ref.tests if not t.passed]


@pytest.mark.parametrize("hostile", make_hostile.BANK, ids=lambda h: h.name)
def test_hostile_submission(graded, hostile):
    results, *_ = graded
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
    results, (left, forker_seen), shmem_growth, _ = graded
    for path in ("grading-output/grades.csv", "results.json"):
        assert not (ROOT / path).exists() or "999" not in (ROOT / path).read_text()
    assert forker_seen, f"the {make_hostile.FORKER_NAME} process never ran: the check below would prove nothing"
    assert not left, f"processes outlived grading: {left}"
    assert shmem_growth < 256 * 2**20, f"shared memory grew by {shmem_growth / 2**20:.0f} MiB during grading"


def test_each_sandbox_stays_within_its_memory_budget(graded):
    """The fork-memory notebook's children together would hold 3.2 GB: the sandbox is ended at its budget."""
    results, _, _, (memory, swept) = graded
    budget = Limits().sandbox_memory_bytes
    ours = {int(r.worker["isolation"]["user"].split()[1]) for r in results.values() if r.worker.get("isolation")}
    used = {uid: peak for uid, peak in memory.sandbox.items() if uid in ours}  # the machine may grade others too
    # Pss splits the pages a sandbox shares with the zygote (charged to the zygote, not to the sandbox)
    assert len(used) > len(results) // 2 and max(used.values()) <= budget + 512 * 2**20, \
        f"a sandbox used {max(used.values()) / 2**20:.0f} MiB"
    assert "memory budget" in _evidence(results["hostile_fork_memory"])
    assert results["hostile_fork_memory"].worker["isolation"]["budgets"]["mechanism"].startswith("cgroup v")
    assert swept == [] and not cgroups.sweep(), "a judge left its sandbox's cgroup behind"
