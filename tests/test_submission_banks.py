"""Prove the graders with the submission bank of tests/fixtures/make_submissions.py.

* every ``alt_*`` fixture (a correct alternative implementation) gets full marks;
* every ``bug_*`` fixture (one realistic mistake) fails exactly the grader tests recorded next to its
  mutation and passes all the others;
* the mutation score (bugs caught by at least one test / bugs) is reported and must be 100 %.

The fixtures are graded by the grading runner (one judge process per fixture, two at a time, workers
forked from one zygote), exactly as ``python -m autograder grade`` grades students.  Only the fixtures
the selected tests need are graded (``-k alt_`` grades the alternatives only).  A session that also runs
tests/test_readme.py::test_calibrate takes the results of that run's calibration command, which grades
the whole bank with the same runner: a fixture is graded again only where a measure lies between the
fresh limit (the tests' key) and the committed one, so that the committed limits decide every verdict.  A fixture whose
mutation carries a ``gap`` note exposes a known grader blind spot or unfairness: its failure message
says so, and it stays red until the grader is fixed.
"""
import json
import sys
import time
from pathlib import Path

import pytest

from autograder import paths
from autograder.grade.run import grade_submissions
from autograder.results import SubmissionResult, file_sha256

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import make_submissions as bank  # noqa: E402

PARALLEL = 2  # the grading machine has two cores; each judge runs one submission's workers
MUTATIONS = {m.name: m for m in bank.BANK}
ALTERNATIVES = [m.name for m in bank.BANK if not m.is_bug]
BUGS = [m.name for m in bank.BANK if m.is_bug]


def _as_verdict_input(result):
    """{"tests": {test name: {"passed", "message", "points", "score"}}, "seconds", "error"} of a graded fixture."""
    tests = {t.name: {"passed": t.passed, "message": t.message, "points": t.points, "score": t.score}
             for t in result.tests}
    return {"tests": tests, "seconds": result.seconds, "error": result.error}


def _needed(session):
    """Fixture names the selected tests need (all bugs for the mutation score)."""
    names = set()
    for item in session.items:
        if item.module.__name__ != __name__:
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "name" in callspec.params:
            names.add(callspec.params["name"])
        elif item.originalname == "test_mutation_score":
            names.update(BUGS)
    return [n for n in MUTATIONS if n in names]


def _runs_calibrate(session):
    return any(item.nodeid.endswith("test_readme.py::test_calibrate") for item in session.items)


def _limit_may_decide(measure, committed):
    """Whether the committed limit could give another verdict than the one ``measure`` got under its own."""
    if committed is None:
        return False
    low, high = sorted((measure["limit"], committed["limit"]))
    return low <= measure["value"] <= high


def _from_calibration(calibrated, names):
    """name -> result, from the session's calibration run, for the fixtures among ``names`` that it graded
    from the same file and whose verdicts the committed limits would not change."""
    checkout, proc = calibrated
    graded_file = checkout / paths.CALIBRATION_GRADED.relative_to(paths.ROOT)
    if proc.returncode != 0 or not graded_file.exists():
        return {}
    results = {r["student"]: SubmissionResult.from_dict(r) for r in json.loads(graded_file.read_text())}
    committed = json.loads(paths.CALIBRATION.read_text())["checks"]
    return {n: results[n] for n in names
            if n in results and results[n].sha256 == file_sha256(bank.OUT_DIR / f"{n}.ipynb")
            and not any(_limit_may_decide(m, committed.get(k)) for t in results[n].tests for k, m in t.measures.items())}


@pytest.fixture(scope="module")
def graded(request):
    """Every needed fixture graded, PARALLEL at a time, from the committed notebooks (or taken from the
    session's calibration run)."""
    names = _needed(request.session)
    missing = [n for n in names if not (bank.OUT_DIR / f"{n}.ipynb").exists()]
    assert not missing, f"fixtures not built (run tests/fixtures/make_submissions.py): {missing}"
    shared = _from_calibration(request.getfixturevalue("calibrated"), names) if _runs_calibrate(request.session) else {}
    rest = [n for n in names if n not in shared]
    started = time.monotonic()
    results = grade_submissions([(n, bank.OUT_DIR / f"{n}.ipynb") for n in rest], workers=PARALLEL,
                                progress=False) if rest else []
    graded = {n: _as_verdict_input(r) for n, r in [*shared.items(), *zip(rest, results)]}
    graded["__wall_s__"] = round(time.monotonic() - started, 1)
    graded["__shared__"] = len(shared)
    return graded


def _verdict(name, result):
    """(ok, message): does the fixture get exactly what its mutation expects?"""
    m = MUTATIONS[name]
    if result["error"]:
        return False, f"{name}: {result['error']}"
    tests = result["tests"]
    lines = []
    if set(tests) != bank.ALL_TESTS:
        lines.append(f"graded tests differ from make_submissions.ALL_TESTS: missing "
                     f"{sorted(bank.ALL_TESTS - set(tests))}, unknown {sorted(set(tests) - bank.ALL_TESTS)}")
    failed = {t for t, r in tests.items() if not r["passed"]}
    for t in sorted(failed - m.fails):
        lines.append(f"  unexpectedly FAILED {t}: {tests[t]['message'][:400]}")
    for t in sorted((m.fails & set(tests)) - failed):
        lines.append(f"  unexpectedly PASSED {t} (grader blind to this mistake?)")
    if not m.is_bug:
        lost = sum(r["points"] - r["score"] for r in tests.values())
        if lost:
            lines.append(f"  lost {lost:g} points")
    if not lines:
        return True, ""
    head = f"{name} ({'bug' if m.is_bug else 'correct alternative'}: {m.why})"
    if m.gap:
        head += f"\n  known grader gap: {m.gap}"
    return False, "\n".join([head, *lines])


def test_fixtures_are_up_to_date(tmp_path):
    """The committed notebooks are exactly what make_submissions.py generates."""
    bank.build(tmp_path)
    expected = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.ipynb")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in bank.OUT_DIR.glob("*.ipynb")
                 if p.name.startswith(("bug_", "alt_"))}
    assert sorted(committed) == sorted(expected), "run: python tests/fixtures/make_submissions.py"
    stale = [n for n in expected if committed[n] != expected[n]]
    assert not stale, f"stale fixtures {stale}: run python tests/fixtures/make_submissions.py"


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
    line = (f"mutation score: {len(caught)}/{len(BUGS)} bugs caught ({100 * len(caught) / len(BUGS):.0f} %), "
            f"{len(exact)}/{len(BUGS)} fail exactly their expected tests"
            + (f"; alternatives with full marks: {len(alts_ok)}/{len(ALTERNATIVES)}"
               if all(n in graded for n in ALTERNATIVES) else "")
            + f"; grading wall time {graded['__wall_s__']:.0f} s ({seconds:.0f} s of judge time, "
              f"{PARALLEL} in parallel"
            + (f"; {graded['__shared__']} graded by the session's calibration run" if graded["__shared__"] else "")
            + ")")
    uncaught = sorted(set(BUGS) - set(caught))
    details = [f"  not caught: {n}: {MUTATIONS[n].why}" + (f"\n    known grader gap: {MUTATIONS[n].gap}"
                                                           if MUTATIONS[n].gap else "") for n in uncaught]
    with capsys.disabled():
        print("\n" + line, *details, sep="\n")
    if uncaught:
        pytest.fail("\n".join([line, *details]), pytrace=False)
