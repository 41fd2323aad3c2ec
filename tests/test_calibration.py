"""assignments/assignment07/calibration.json is coherent (``python -m autograder calibrate`` writes it; tests/test_generated_files.py
checks that it was made from the current sources)."""
import json

from autograder import paths


def assert_coherent(cal):
    """The threshold covers the reference with its margin, the nearest mutant lies beyond it, the
    reference stays inside every check's limit over every grader seed offset, and every correct
    alternative passes every check."""
    par = cal["parabola_nll"]
    assert par["reference"]["seeds"] >= 20
    rounding = 5e-4 + 1e-9  # the threshold is rounded to 3 decimals
    assert par["reference"]["max"] + par["reference"]["margin"] <= par["threshold"] + rounding
    for name, alt in par["correct_alternatives"].items():  # every correct style, with the same margin
        assert alt["nll_max"] + par["reference"]["margin"] <= par["threshold"] + rounding, name
    assert set(par["bounds"]) == {"reference", *par["correct_alternatives"]}
    assert max(par["bounds"].values()) <= par["threshold"] + rounding  # each style's mean + 4 std
    assert 0 < par["scale_change_min"] < par["reference"]["log_det_change_min"]
    nearest = par["nearest_failing_mutant"]  # None: no mutant of the bank trains past the threshold
    assert nearest is None or nearest["nll"] > par["threshold"]
    checks = {k: v for k, v in cal["checks"].items() if isinstance(v, dict)}
    assert len(checks) >= 15
    assert not cal["checks"]["reference_failures"], cal["checks"]["reference_failures"]
    assert not cal["checks"]["alternative_failures"], cal["checks"]["alternative_failures"]  # fair to other styles
    for name, c in checks.items():
        if not c["reference_n"]:
            continue  # a fallback's statistic, which the reference never reaches
        ok = c["reference_max"] < c["limit"] if c["kind"] == "value < limit" else c["reference_min"] >= c["limit"]
        assert ok, f"{name}: the reference itself is not inside the limit"


def test_calibration_file_is_coherent():
    assert_coherent(json.loads(paths.CALIBRATION.read_text()))
