"""Calibrate assignment 08's stochastic limits: what a correct training leaves untrained (graders/test_training.py).

    python -m autograder calibrate --assignment assignment08          # writes assignments/assignment08/calibration.json

Measuring: the reference and every correct alternative of the bank are graded under the judge's keyed
streams (``--seed-offset``), exactly as a grading run grades them; each grading records the :data:`MEASURES`.
Deciding: each limit is the largest of the highest value of a correct notebook times :data:`MARGIN`, their
mean plus :data:`SPREADS` standard deviations, and the measure's floor.
Writing: calibration.json records the limit, what it rests on, the nearest mistake of the bank and what
the file was made from (:mod:`autograder.made_from`).
"""
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import packs
from autograder.judge.seeds import GRADING_VARIANT
from autograder.made_from import record
from autograder.paths import ROOT

PACK = "assignment08"
COMMAND = f"python -m autograder calibrate --assignment {PACK}"
#: The calibrated measures (graders/test_training.py), each with the least limit its rule may give: a share of
#: scales left untrained is 0 for most correct runs, and one scale in four may be (the optimizer's noise).
MEASURES = {"training_excess_share": 0.0, "ladder_untrained_scales": 0.25}
SEEDS, ALT_STREAMS = 16, 2  # keyed streams of the reference, and of each correct alternative
MARGIN, SPREADS = 1.5, 4.0
#: What the limit depends on: the graders, the judge's maths, the worker side, the core that runs them,
#: the reference notebook and its helpers, the bank and the pinned packages.
INPUTS = ["assignments/assignment08/graders", "assignments/assignment08/maths.py", "assignments/assignment08/judge.py",
          "assignments/assignment08/worker_objects.py", "assignments/assignment08/pack.py",
          "assignments/assignment08/calibrate.py", "assignments/assignment08/bank", "autograder/judge",
          "autograder/worker", "autograder/wire", "autograder/grade/run.py", "autograder/notebook.py",
          "autograder/packs.py", "autograder/secret.py", "source/assignment08", "requirements.txt"]


@dataclass(frozen=True)
class Size:
    seeds: int
    alt_streams: int
    fixtures: int | None  # alternatives and bugs of the bank measured (None: all)
    out: Path
    command: str


def _pack():
    return packs.load(PACK)


FULL = Size(SEEDS, ALT_STREAMS, None, ROOT / "assignments" / PACK / "calibration.json", COMMAND)
SMOKE = Size(2, 1, 1, ROOT / "build" / f"calibration-smoke-{PACK}" / "calibration.json", COMMAND + " --smoke")


def size(seeds=None, smoke=False):
    """The run that ``calibrate --assignment assignment08 [--seeds N] [--smoke]`` asks for."""
    if smoke:
        return SMOKE
    return FULL if seeds in (None, SEEDS) else Size(seeds, ALT_STREAMS, None, FULL.out, f"{COMMAND} --seeds {seeds}")


def measure(jobs):
    """``{(name, variant): {measure: value}}`` of every ``(name, notebook, variant)``, graded two at a time as a
    run grades (inf where a check stopped before its measure)."""
    from autograder.grade.run import grade_submissions
    subs = [(f"{name}@{variant}", nb) for name, nb, variant in jobs]
    args = [["--seed-offset", str(variant)] for _, _, variant in jobs]
    results = grade_submissions(subs, workers=2, progress=False, judge_args=args, pack=_pack())
    values = {}
    for (name, _, variant), result in zip(jobs, results):
        found = {k: m["value"] for t in result.tests for k, m in t.measures.items()}
        values[(name, variant)] = {m: found.get(m, float("inf")) for m in MEASURES}
    return values


def decide(correct, floor=0.0):
    """The limit from the values of correct notebooks (never below ``floor``)."""
    values = np.asarray(correct, np.float64)
    return float(max(values.max() * MARGIN, values.mean() + SPREADS * values.std(ddof=1), floor))


def main(run=FULL):
    started = time.time()
    pack = _pack()
    made_from = record(INPUTS, run.command)
    alternatives = sorted(pack.bank.glob("alt_*.ipynb"))[:run.fixtures]
    bugs = sorted(pack.bank.glob("bug_*.ipynb"))[:run.fixtures]
    variants = list(range(1, run.seeds + 1)) + [GRADING_VARIANT]
    jobs = ([("reference", pack.notebook, v) for v in variants]
            + [(nb.stem, nb, v) for nb in alternatives for v in range(1, run.alt_streams + 1)]
            + [(nb.stem, nb, GRADING_VARIANT) for nb in bugs])
    values = measure(jobs)
    checks = {}
    for name, floor in MEASURES.items():
        reference = [values[("reference", v)][name] for v in variants]
        alts = {nb.stem: max(values[(nb.stem, v)][name] for v in range(1, run.alt_streams + 1)) for nb in alternatives}
        limit = decide(reference + list(alts.values()), floor)
        bugs_seen = {nb.stem: values[(nb.stem, GRADING_VARIANT)][name] for nb in bugs
                     if np.isfinite(values[(nb.stem, GRADING_VARIANT)][name])}
        failing = {k: v for k, v in bugs_seen.items() if v >= limit}
        nearest = min(failing.items(), key=lambda kv: kv[1], default=None)
        checks[name] = {
            "limit": round(limit, 4), "rule": f"max(highest correct x {MARGIN}, mean + {SPREADS} sd of the correct ones, {floor})",
            "reference": {"streams": len(variants), "min": round(min(reference), 4), "max": round(max(reference), 4),
                          "mean": round(float(np.mean(reference)), 4)},
            "correct_alternatives": {k: round(v, 4) for k, v in alts.items()},
            "bugs_measured": {k: round(v, 4) for k, v in sorted(bugs_seen.items())},
            "nearest_mistake_failing": nearest and {"fixture": nearest[0], "value": round(nearest[1], 4)}}
    out = {"made_from": made_from, "seconds": round(time.time() - started), "checks": checks}
    run.out.parent.mkdir(parents=True, exist_ok=True)
    run.out.write_text(json.dumps(out, indent=1) + "\n")
    for name, check in checks.items():
        alts = check["correct_alternatives"].values()
        print(f"{PACK}: {name} limit {check['limit']} (reference {check['reference']['min']}-{check['reference']['max']} "
              f"over {len(variants)} streams, alternatives up to {max(alts, default=float('nan')):.4g}); nearest "
              f"mistake failing it {check['nearest_mistake_failing']}")
    print(f"{run.out.relative_to(ROOT)} in {out['seconds']} s")
    return out
