"""Prove assignment 08's graders with its bank (assignments/assignment08/make_bank.py).

The reference notebook gets full marks, the release 0 points, every ``alt_*`` fixture full marks and every
``bug_*`` fixture fails exactly the grader tests recorded next to its mutation; the mutation score must be
100 %.  Everything is graded in one run of the grading runner, two at a time, as a class is graded.  A
fixture whose mutation carries a ``gap`` note exposes a known grader blind spot: it stays red until the
grader is fixed.
"""
import sys
import time

import pytest

from conftest import ROOT
from assignments.assignment08 import make_bank as bank

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import mutations  # noqa: E402

pytestmark = pytest.mark.slow

MUTATIONS = {m.name: m for m in bank.BANK}
ALTERNATIVES = [m.name for m in bank.BANK if not m.is_bug]
BUGS = [m.name for m in bank.BANK if m.is_bug]
REFERENCE = ("reference", ROOT / "source" / "assignment08" / "assignment08.ipynb")
RELEASE = ("release", ROOT / "release" / "assignment08" / "assignment08.ipynb")


@pytest.fixture(scope="module")
def graded():
    """{name: verdict input} of the reference, the release and every fixture, graded in one run; "__wall_s__"."""
    from autograder import packs
    from autograder.grade.run import grade_submissions

    submissions = [REFERENCE, RELEASE] + [(n, bank.OUT_DIR / f"{n}.ipynb") for n in MUTATIONS]
    missing = [str(path) for _, path in submissions if not path.exists()]
    assert not missing, f"not built (run assignments/assignment08/make_bank.py): {missing}"
    start = time.monotonic()
    results = grade_submissions(submissions, workers=2, progress=False, pack=packs.load("assignment08"))
    graded = {name: mutations.verdict_input(result) for (name, _), result in zip(submissions, results)}
    graded["__wall_s__"] = time.monotonic() - start
    return graded


def _score(result):
    return sum(r["score"] for r in result["tests"].values()), sum(r["points"] for r in result["tests"].values())


def test_reference_gets_full_marks(graded):
    result = graded["reference"]
    assert not result["error"], result["error"]
    failed = {t: r["message"] for t, r in result["tests"].items() if not r["passed"]}
    assert set(result["tests"]) == bank.ALL_TESTS and not failed, failed
    score, points = _score(result)
    assert score == points > 0


def test_release_gets_nothing(graded):
    result = graded["release"]
    assert not result["error"], result["error"]
    assert set(result["tests"]) == bank.ALL_TESTS
    assert _score(result)[0] == 0


def _expect_verdict(graded, name):
    ok, message = mutations.verdict(MUTATIONS[name], graded[name], bank.ALL_TESTS)
    if not ok:
        pytest.fail(message, pytrace=False)


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_gets_full_marks(graded, name):
    _expect_verdict(graded, name)


@pytest.mark.parametrize("name", BUGS)
def test_bug_fails_exactly_its_tests(graded, name):
    _expect_verdict(graded, name)


def test_mutation_score(graded, capsys):
    """Bugs caught (at least one grader test fails) / bugs; how many match their expectation exactly."""
    caught = [n for n in BUGS if any(not r["passed"] for r in graded[n]["tests"].values())]
    exact = [n for n in BUGS if mutations.verdict(MUTATIONS[n], graded[n], bank.ALL_TESTS)[0]]
    line = (f"assignment08 mutation score: {len(caught)}/{len(BUGS)} bugs caught "
            f"({100 * len(caught) / len(BUGS):.0f} %), {len(exact)}/{len(BUGS)} fail exactly their expected tests; "
            f"{len(graded) - 1} submissions graded in {graded['__wall_s__']:.0f} s wall, 2 at a time")
    mutations.report_uncaught(line, bank.BUGS, graded, capsys)
