"""Hostile submissions: every run ends, each scores no more than its honest part, the others are unaffected."""
import os
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from autograder.grade.run import grade_submissions

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_hostile  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    paths = make_hostile.build()
    subs = [("reference", ROOT / "source/assignment07/assignment07.ipynb")]
    subs += [(h.name, paths[h.name]) for h in make_hostile.BANK]
    out = tmp_path_factory.mktemp("hostile-out")
    results = grade_submissions(subs, workers=2, hide=[out], progress=False)
    return {r.student: r for r in results}, out


def _evidence(result):
    w = result.worker
    return "\n".join([result.error, *(t.message for t in result.tests), *w.get("events", []),
                      *map(str, w.get("load_status", {}).values()), *w.get("problems", {}).values()])


def test_reference_in_the_same_run_is_unaffected(graded):
    results, _ = graded
    ref = results["reference"]
    assert ref.score == ref.max_score, [(t.name, t.message) for t in ref.tests if not t.passed]


@pytest.mark.parametrize("hostile", make_hostile.BANK, ids=lambda h: h.name)
def test_hostile_submission(graded, hostile):
    results, _ = graded
    result = results[hostile.name]
    assert {t.name for t in result.tests} == make_hostile.ALL_TESTS, "every check must have a result"
    failed = {t.name for t in result.tests if not t.passed}
    detail = {t.name: t.message[:200] for t in result.tests if not t.passed}
    if hostile.exact:
        assert failed == set(hostile.fails), detail
    else:
        assert failed >= set(hostile.fails), detail
    assert hostile.evidence in _evidence(result)
    assert result.worker.get("isolation", {}).get("network", "").startswith("none")


def test_no_fake_results_and_no_stray_processes(graded):
    results, out = graded
    assert not list(out.iterdir()), "a submission wrote into the output folder"
    for path in ("grading-output/grades.csv", "results.json"):
        assert not (ROOT / path).exists() or "999" not in (ROOT / path).read_text()
    worker_uids = {r.worker.get("isolation", {}).get("user", "").split(" ")[1]
                   for r in results.values() if r.worker.get("isolation")}
    leftover = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uid = next(l.split()[1] for l in open(f"/proc/{entry}/status") if l.startswith("Uid:"))
            except (OSError, StopIteration):
                continue
            if uid in worker_uids:
                leftover.append(entry)
    assert not leftover, f"worker processes survived grading: {leftover}"
