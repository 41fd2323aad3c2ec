"""The ``calibrate`` verb: set the parabola threshold and document the margin of every check.

1. The parabola NLL threshold lies halfway between the correct styles and the nearest bug.  Each correct
   style is measured on its own: the reference over ``--seeds`` of the judge's keyed streams, every
   ``alt_*`` of the bank over ``ALT_STREAMS`` streams (the grading one included); a style's bound is its
   mean + 4 of its own standard deviations, and at least its worst run + 0.1 nats.  Every ``bug_*`` is
   trained once, under the grading stream.  The threshold is the midpoint between the highest bound and
   the lowest bug NLL above it (the highest bound where no bug lies above).  The midpoint, not the
   bound: a slow correct style has a heavy tail that a few streams do not show (alt_layernorm_tanh_deeper,
   64 streams under two keys: mean 4.51, standard deviation 0.06 without its one run at 5.035).  The
   scale check needs a hundredth of the smallest change of log|det J| the correct styles show: a scale
   left out of training changes it by the finite differences' noise (1e-5), while a loss that weighs the
   log-det otherwise (a per-dimension mean, bug_prior_not_independent) still trains it, by as little as
   0.016 under one key (the correct styles: 0.45 and more).  The file
   records the mass of each trained model's density too (a density has mass at most 1; the graders fail
   a model above procedures.MASS_LIMIT, a fixed margin for the Monte-Carlo error only, not a calibrated
   threshold).  These parabola runs go two at a time.
2. Every graded statistic (what each check compares with its limit) is measured on the reference
   graded with ``--seeds`` different grader seed offsets, and on the bug bank; the file records the
   reference's range, the limit, and the nearest mutant on the failing side (the bug bank's parabola
   NLLs and log-det changes under grading are recorded from this run: the same streams as item 1's).  The correct alternatives are graded in the same run: any
   check one of them fails is listed (``alternative_failures``, empty when the limits are fair).

Writes ``assignments/assignment07/calibration.json``, with a record of what it was made from (``made_from``: the hashes
of :data:`INPUTS`, checked by tests/test_calibration.py), and every result it graded to
``build/calibration/graded.json``.  ``--smoke`` runs the same steps at the smallest size (2 reference
streams, one alternative and one bug) into ``build/calibration-smoke/``: it proves the command works (the
tests run it), grades with the committed limits and never replaces the committed file.
"""
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import notebook, packs, paths, secret
from autograder.judge.client import Worker
from autograder.wire.names import ZYGOTE_ENV
from autograder.grade.run import grade_submissions, zygote
from autograder.judge import seeds
from autograder.judge.seeds import GRADING_VARIANT
from autograder.judge.facade import Submission
from autograder.made_from import record
from autograder.results import file_sha256
from .procedures import MASS_LIMIT, PARABOLA, ParabolaRun, parabola_nll

PACK = packs.load("assignment07")
MUTANTS = PACK.bank
SEEDS = 24  # the judge's keyed streams the reference is graded under (--seeds)
ALT_STREAMS = 8  # the streams each correct alternative is trained under, the grading one first
SPREADS = 4  # a style's bound: its mean + SPREADS standard deviations (and at least its worst run + FLOOR)
FLOOR = 0.1
AT_ONCE = 2  # parabola runs and graded submissions at a time (one per core of the course's machines)
COMMAND = "python -m autograder calibrate"
#: What the calibration's numbers depend on: the judge and its graders, the worker that runs a notebook and
#: the wire between them, the runner, this command, the source (reference, helpers), the bug and
#: alternative banks, and the pinned packages.
INPUTS = ["assignments/assignment07/*.py", "assignments/assignment07/graders", "autograder/judge", "autograder/worker",
          "autograder/wire", "autograder/grade/run.py", "autograder/notebook.py", "autograder/packs.py",
          "autograder/secret.py", "assignments/__init__.py", "source/assignment07",
          "tests/fixtures/submissions/alt_*.ipynb", "tests/fixtures/submissions/bug_*.ipynb", "requirements.txt"]


@dataclass(frozen=True)
class Size:
    """How much one calibration run measures, and where it writes."""
    seeds: int  # the judge's keyed streams the reference is graded under
    alt_streams: int  # the streams each correct alternative is trained under
    fixtures: int | None  # how many alt_ and how many bug_ fixtures of the bank (None: all)
    out: Path  # the calibration file
    graded: Path  # every graded result
    command: str


#: Every submission the calibration graded, as results (not committed: build/ is ignored).
GRADED = paths.ROOT / "build" / "calibration" / "graded.json"
FULL = Size(SEEDS, ALT_STREAMS, None, PACK.calibration, GRADED, COMMAND)
SMOKE_DIR = paths.ROOT / "build" / "calibration-smoke"
SMOKE = Size(2, 2, 1, SMOKE_DIR / "calibration.json", SMOKE_DIR / "graded.json", COMMAND + " --smoke")


def _measure_one(job):
    """The parabola run of notebook ``job[0]`` under the judge's keyed variant ``job[1]`` (see judge/seeds.py).

    It gets workers of its own (a main one and a twin) with a whole submission's budget, as in a grading run.
    """
    notebook_path, variant = job
    program = notebook.assemble(notebook_path, pack=PACK)
    sha = seeds.SUBMISSION = file_sha256(notebook_path)
    sub = Submission(Worker(program, pack=PACK), program, changes_weights=PACK.changes_weights)
    try:
        return parabola_nll(sub, lambda label: secret.rng(sha, label, variant))
    except BaseException as err:  # pytest.fail raises an OutcomeException  # noqa: BLE001
        print(f"  {Path(notebook_path).stem} variant {variant}: {str(err).splitlines()[0][:120]}", flush=True)
        return ParabolaRun(float("inf"), 0.0, float("inf"))
    finally:
        sub.close()


def _measure(jobs):
    """:func:`_measure_one` of every ``(notebook, variant)``, ``AT_ONCE`` at a time (the judge is pure
    Python and numpy: each forked process drives its own workers); results in input order."""
    with ProcessPoolExecutor(max_workers=AT_ONCE, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_measure_one, jobs))


def _bound(nlls):
    """The highest test NLL a correct style is expected to reach (see 1. above)."""
    return max(float(np.mean(nlls) + SPREADS * np.std(nlls, ddof=1)), float(np.max(nlls)) + FLOOR)


def _measures(result):
    """Every statistic a graded submission's checks recorded: name -> {"value", "limit"}."""
    return {name: m for t in result.tests for name, m in t.measures.items()}


def _parabola_of(result):
    """``(nll, log-det change)`` the grading run measured for a bug, or None where its checks stopped first."""
    measures = _measures(result)
    if "parabola_test_nll" not in measures:
        return None
    change = measures.get("log_det_change_in_training", {"value": 0.0})
    return measures["parabola_test_nll"]["value"], change["value"]


def size(seeds=None, smoke=False):
    """The run that ``calibrate [--seeds N] [--smoke]`` asks for."""
    if smoke:
        return SMOKE
    return FULL if seeds in (None, SEEDS) else Size(seeds, ALT_STREAMS, None, FULL.out, FULL.graded,
                                                     f"{COMMAND} --seeds {seeds}")


def main(run=FULL):
    started = time.time()
    made_from = record(INPUTS, run.command)  # the inputs as this run reads them
    seeds = run.seeds
    alternatives = sorted(MUTANTS.glob("alt_*.ipynb"))[:run.fixtures]
    bugs = sorted(MUTANTS.glob("bug_*.ipynb"))[:run.fixtures]
    with zygote(enabled=True) as sock:
        os.environ[ZYGOTE_ENV] = sock
        alt_variants = [GRADING_VARIANT] + list(range(1, run.alt_streams))
        runs = _measure([(PACK.notebook, v) for v in list(range(1, seeds + 1)) + [GRADING_VARIANT]]
                        + [(nb, v) for nb in alternatives for v in alt_variants]
                        + [(nb, GRADING_VARIANT) for nb in bugs])
        runs = [(r.nll, r.log_det_change, r.mass) for r in runs]
        os.environ.pop(ZYGOTE_ENV, None)
    ref = np.array(runs[:seeds + 1])
    alt_runs = np.array(runs[seeds + 1:len(runs) - len(bugs)]).reshape(len(alternatives), len(alt_variants), 3)
    bug_nll = {nb.stem: r[0] for nb, r in zip(bugs, runs[len(runs) - len(bugs):])}
    correct = {nb.stem: r for nb, r in zip(alternatives, alt_runs)}  # (streams, [nll, change, mass])
    nll, change, mass = ref[:, 0], ref[:, 1], ref[:, 2]
    by_seed = nll[:-1]
    styles = {"reference": by_seed, **{k: v[:, 0] for k, v in correct.items()}}
    bounds = {k: _bound(v) for k, v in styles.items()}
    worst_correct = max(float(v.max()) for v in styles.values())
    bound = max(bounds.values())
    beyond = {k: v for k, v in bug_nll.items() if bound < v < float("inf")}
    nearest = min(beyond.items(), key=lambda kv: kv[1]) if beyond else None  # also the nearest above the threshold
    threshold = round((bound + nearest[1]) / 2 if nearest else bound, 3)
    margin = threshold - worst_correct
    scale_change_min = round(min([float(change.min())] + [float(v[:, 1].min()) for v in correct.values()]) / 100, 4)
    if run.out == PACK.calibration:  # the checks below grade with the new limits (a smoke run: the committed ones)
        PACK.calibration.write_text(json.dumps({"parabola_nll": {"threshold": threshold,
                                                                  "scale_change_min": scale_change_min}}) + "\n")
    checks, graded = _check_margins(seeds, bugs + alternatives, run.graded)
    mutants = {r.student: _parabola_of(r) for r in graded[seeds:] if r.student.startswith("bug_")}
    data = {"parabola_nll": {
        "threshold": threshold,
        "rule": f"halfway between the highest bound of a correct style (the reference over seeds, every correct "
                f"alternative of the bank over its streams; a bound: the style's mean + {SPREADS} sample standard "
                f"deviations, at least its worst + {FLOOR} nats) and the lowest bug NLL above it (grading stream)",
        "bounds": {k: round(v, 4) for k, v in bounds.items()},
        "scale_change_min": scale_change_min,
        "scale_rule": "a hundredth of the smallest |change of log det| over the reference seeds and the alternatives",
        "budget": PARABOLA,
        "reference": {"seeds": seeds, "min": round(float(by_seed.min()), 4), "mean": round(float(by_seed.mean()), 4),
                      "max": round(float(by_seed.max()), 4), "std": round(float(by_seed.std(ddof=1)), 4),
                      "margin": round(margin, 4), "at_grading_seed": round(float(nll[-1]), 4),
                      "values": [round(float(v), 4) for v in by_seed],
                      "log_det_change_min": round(float(change.min()), 4),
                      "density_mass_max": round(float(mass.max()), 4)},
        "density_mass_limit": MASS_LIMIT,
        "correct_alternatives": {k: {"streams": alt_variants, "nll": [round(float(x), 4) for x in v[:, 0]],
                                     "nll_max": round(float(v[:, 0].max()), 4), "nll_std": round(float(v[:, 0].std(ddof=1)), 4),
                                     "log_det_change_min": round(float(v[:, 1].min()), 4),
                                     "density_mass_max": round(float(v[:, 2].max()), 4)}
                                 for k, v in correct.items()},
        "mutants_at_grading_seed": {k: [round(v[0], 4) if np.isfinite(v[0]) else "inf", round(v[1], 4)] if v
                                    else "stopped before the NLL (see checks)" for k, v in mutants.items()},
        "nearest_failing_mutant": ({"name": nearest[0], "nll": round(nearest[1], 4),
                                    "gap_to_threshold": round(nearest[1] - threshold, 4)} if nearest else None),
        "seconds": round(time.time() - started, 1),
    }, "checks": checks, "made_from": made_from}
    run.out.parent.mkdir(parents=True, exist_ok=True)
    run.out.write_text(json.dumps(data, indent=1) + "\n")
    ref_stats = data["parabola_nll"]["reference"]
    print(f"reference parabola NLL over {seeds} seeds: min {ref_stats['min']}, mean {ref_stats['mean']}, "
          f"max {ref_stats['max']}, std {ref_stats['std']}")
    widest = max(bounds, key=bounds.get)
    print(f"threshold {threshold}: halfway between the bound of {widest} ({bound:.4f}: mean "
          f"{np.mean(styles[widest]):.4f}, std {np.std(styles[widest], ddof=1):.4f}) and the nearest bug above it "
          f"({data['parabola_nll']['nearest_failing_mutant'] or 'none'}); margin over the worst correct run "
          f"{margin:.3f}")
    print(checks["reference_full_marks"], "got full marks; checks failed by a correct alternative:",
          checks["alternative_failures"] or "none")
    for name, c in checks.items():
        if not isinstance(c, dict) or "limit" not in c:
            continue
        span = (f"[{c['reference_min']:.4g}, {c['reference_max']:.4g}]" if c["reference_n"]
                else "(not measured: a fallback the reference never reaches)")
        print(f"  {name:34s} limit {c['limit']:<8g} reference {span}"
              f"  nearest failing mutant: {c['nearest_failing_mutant']}")
    print(f"wrote {run.out}; the graded results: {run.graded}")


def _check_margins(seeds, bank, graded_file):
    """Reference over ``seeds`` grader seed offsets and ``bank`` (notebooks) at the grading one: every
    statistic's spread, and the graded results (reference runs first, also written to ``graded_file``)."""
    subs = [(f"reference-{k}", PACK.notebook) for k in range(seeds)] + [(nb.stem, nb) for nb in bank]
    args = [["--seed-offset", str(k)] for k in range(1, seeds + 1)] + [[] for _ in bank]
    results = grade_submissions(subs, workers=AT_ONCE, judge_args=args, progress=True)
    graded_file.parent.mkdir(parents=True, exist_ok=True)
    graded_file.write_text(json.dumps([r.to_dict() for r in results]) + "\n")
    ref_full = sum(r.score == r.max_score for r in results[:seeds])
    alternatives = [r for r in results if r.student.startswith("alt_")]
    stats = {}
    for r in results:
        if r.student.startswith("alt_"):
            continue  # a correct style: on no side of a limit on purpose
        for name, m in _measures(r).items():
            stats.setdefault(name, {"limit": m["limit"], "at_least": m.get("at_least", False), "ref": [], "mutants": {}})
            if r.student.startswith("reference-"):
                stats[name]["ref"].append(m["value"])
            else:
                stats[name]["mutants"][r.student] = m["value"]
    checks = {"reference_full_marks": f"{ref_full} of {seeds} grader seed offsets",
              "reference_failures": [f"{r.student}: {t.name}" for r in results[:seeds] for t in r.tests
                                     if not t.passed],
              "alternative_failures": [f"{r.student}: {t.name}" for r in alternatives for t in r.tests
                                       if not t.passed] + [f"{r.student}: {r.error}" for r in alternatives if r.error]}
    for name, s in sorted(stats.items()):
        ref = np.array(s["ref"])
        upper = not s["at_least"]  # the statistic must stay below its limit
        failing = {k: v for k, v in s["mutants"].items() if (v >= s["limit"] if upper else v < s["limit"])}
        nearest = min(failing.items(), key=lambda kv: abs(kv[1] - s["limit"])) if failing else None
        checks[name] = {"limit": s["limit"], "kind": "value < limit" if upper else "value >= limit",
                        "reference_min": float(ref.min()) if len(ref) else None,
                        "reference_max": float(ref.max()) if len(ref) else None,
                        "reference_n": int(len(ref)),
                        "nearest_failing_mutant": [nearest[0], round(float(nearest[1]), 6)] if nearest else None}
    return checks, results
