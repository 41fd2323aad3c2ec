"""Hostile submissions: every run ends, each scores no more than its honest part, the others are unaffected."""
import sys
from pathlib import Path

import pytest

from conftest import ROOT

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
    return run.results, (run.left, run.seen), run.shmem_growth


def _evidence(result):
    w = result.worker
    return "\n".join([result.error, *(t.message for t in result.tests), *w.get("events", []),
                      *map(str, w.get("load_status", {}).values()), *w.get("problems", {}).values()])


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
