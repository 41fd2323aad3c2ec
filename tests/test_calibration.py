"""Stability: the reference gets full marks under 20 grader seeds; calibration.json is coherent."""
import json

import pytest

from autograder import paths
from autograder.grade.run import grade_submissions

pytestmark = pytest.mark.slow
OFFSETS = range(1, 21)


def test_reference_full_marks_under_20_grader_seeds():
    subs = [(f"reference-{k}", paths.SOURCE_NOTEBOOK) for k in OFFSETS]
    results = grade_submissions(subs, workers=2, progress=False,
                                judge_args=[["--seed-offset", str(k)] for k in OFFSETS])
    lost = {r.student: [(t.name, t.message[:120]) for t in r.tests if not t.passed]
            for r in results if r.score != r.max_score}
    assert not lost


def test_calibration_file_is_coherent():
    cal = json.loads(paths.CALIBRATION.read_text())
    par = cal["parabola_nll"]
    assert par["reference"]["seeds"] >= 20
    assert par["reference"]["max"] + par["reference"]["margin"] <= par["threshold"] + 1e-6
    assert 0 < par["scale_change_min"] < par["reference"]["log_det_change_min"]
    assert par["nearest_failing_mutant"]["nll"] > par["threshold"]
    checks = {k: v for k, v in cal["checks"].items() if isinstance(v, dict)}
    assert len(checks) >= 15
    for name, c in checks.items():
        ok = c["reference_max"] < c["limit"] if c["kind"] == "value < limit" else c["reference_min"] > c["limit"]
        assert ok, f"{name}: the reference itself is not inside the limit"
