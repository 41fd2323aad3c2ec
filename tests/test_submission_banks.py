"""Prove the graders with the submission bank of tests/fixtures/make_submissions.py.

* every ``alt_*`` fixture (a correct alternative implementation) gets full marks;
* every ``bug_*`` fixture (one realistic mistake) fails exactly the grader tests recorded next to its
  mutation and passes all the others;
* the mutation score (bugs caught by at least one test / bugs) is reported and must be 100 %.

The fixtures are graded by the grading runner (one judge process per fixture, two at a time, workers
forked from one zygote), exactly as ``python -m autograder grade`` grades students, in the session's one
run of the banks (tests/conftest.py ``graded_banks``, with tests/test_hostile_bank.py's).  Only the
fixtures the selected tests need are graded (``-k alt_`` grades the alternatives only).  A fixture whose
mutation carries a ``gap`` note exposes a known grader blind spot or unfairness: its failure message
says so, and it stays red until the grader is fixed.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import make_submissions as bank  # noqa: E402
import mutations  # noqa: E402

MUTATIONS = {m.name: m for m in bank.BANK}
ALTERNATIVES = [m.name for m in bank.BANK if not m.is_bug]
BUGS = [m.name for m in bank.BANK if m.is_bug]


def _needed(items):
    """Fixture names the selected tests of this module need (all bugs for the mutation score)."""
    names = set()
    for item in items:
        if item.module.__name__ != __name__:
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "name" in callspec.params:
            names.add(callspec.params["name"])
        elif item.originalname == "test_mutation_score":
            names.update(BUGS)
    return [n for n in MUTATIONS if n in names]


def to_grade(items):
    """``[(name, notebook)]`` this module's selected tests need graded (see tests/conftest.py ``graded_banks``)."""
    return [(n, bank.OUT_DIR / f"{n}.ipynb") for n in _needed(items)]


@pytest.fixture(scope="module")
def graded(request, graded_banks):
    """Every needed fixture, graded from the committed notebooks in the session's run of the banks."""
    names = _needed(request.session.items)
    missing = [n for n in names if not (bank.OUT_DIR / f"{n}.ipynb").exists()]
    assert not missing, f"fixtures not built (run tests/fixtures/make_submissions.py): {missing}"
    graded = {n: mutations.verdict_input(graded_banks.results[n]) for n in names}
    graded["__run__"] = graded_banks
    return graded


def _verdict(name, result):
    """(ok, message): does the fixture get exactly what its mutation expects?"""
    return mutations.verdict(MUTATIONS[name], result, bank.ALL_TESTS)


def _expect_verdict(graded, name):
    ok, message = _verdict(name, graded[name])
    if not ok:
        pytest.fail(message, pytrace=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_gets_full_marks(graded, name):
    _expect_verdict(graded, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", BUGS)
def test_bug_fails_exactly_its_tests(graded, name):
    _expect_verdict(graded, name)


@pytest.mark.slow
def test_mutation_score(graded, capsys):
    """Bugs caught (at least one grader test fails) / bugs, and how many match their expectation."""
    caught = [n for n in BUGS if any(not r["passed"] for r in graded[n]["tests"].values())]
    exact = [n for n in BUGS if _verdict(n, graded[n])[0]]
    alts_ok = [n for n in ALTERNATIVES if n in graded and _verdict(n, graded[n])[0]]
    seconds = sum(graded[n]["seconds"] for n in BUGS + ALTERNATIVES if n in graded)
    run = graded["__run__"]
    line = (f"mutation score: {len(caught)}/{len(BUGS)} bugs caught ({100 * len(caught) / len(BUGS):.0f} %), "
            f"{len(exact)}/{len(BUGS)} fail exactly their expected tests"
            + (f"; alternatives with full marks: {len(alts_ok)}/{len(ALTERNATIVES)}"
               if all(n in graded for n in ALTERNATIVES) else "")
            + f"; {seconds:.0f} s of judge time, graded in the session's run of {len(run.results)} submissions "
              f"({run.wall_s:.0f} s wall, 2 at a time)")
    mutations.report_uncaught(line, [MUTATIONS[n] for n in BUGS], graded, capsys)
