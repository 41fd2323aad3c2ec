"""Hostile submissions: every run ends, each scores no more than its honest part, the others are unaffected."""
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from autograder.wire import cgroups
from autograder.wire.plan import Limits

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_hostile  # noqa: E402

pytestmark = pytest.mark.slow


def to_grade(items):
    """``[(name, notebook)]`` to grade when a test of this module is selected: the committed hostile bank
    beside the reference (see tests/conftest.py ``graded_banks``: one run with the bug bank, watched for
    processes that outlive it)."""
    if not any(item.module.__name__ == __name__ for item in items):
        return []
    return [("reference", ROOT / "source/assignment07/assignment07.ipynb")] + [
        (h.name, make_hostile.OUT_DIR / f"{h.name}.ipynb") for h in make_hostile.BANK]


@pytest.fixture(scope="module")
def graded(graded_banks):
    """The session's run of the banks, as this process's orphans' reaper (tests/grading_watch.py)."""
    run = graded_banks
    return run.results, (run.left, run.seen), run.shmem_growth, (run.memory, run.swept)


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
