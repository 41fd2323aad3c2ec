"""The benchmark scripts still run (tiny sizes); their numbers are read by people, not asserted."""
import json
import math
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": "/tmp"}


@pytest.mark.parametrize("args", [
    ["benchmarks/train_step.py", "--small", "--variants", "function", "xla", "peer", "ceiling", "--no-bf16"],
    ["benchmarks/parabola_quality.py", "--steps", "100", "--eval-every", "50"],
    ["benchmarks/inpainting_quality.py", "--train-steps", "30", "--images", "8", "--steps", "10"],
])
def test_benchmark_script_runs(args):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, env=ENV)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ours/peer" in proc.stdout or "test NLL" in proc.stdout
    if args[0].endswith("train_step.py"):  # 784 dims, 3000 steps: the notebook's train() compiles with XLA
        assert "the notebook's train() for 3000 steps at this size runs [xla]" in proc.stdout, proc.stdout


def test_grading_benchmark_compares_the_three_routes():
    """grading.py --smoke grades with ours, (a) a plain nbgrader course and (b) our nbgrader route (each gives
    the reference full marks, the script asserts it) and prints the three rows, finite ratios and the phases of
    one submission."""
    proc = subprocess.run([sys.executable, "benchmarks/grading.py", "--smoke"], cwd=ROOT, capture_output=True,
                          text=True, timeout=900, env=ENV)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line.split("  ")[0].strip() for line in proc.stdout.splitlines()]
    for row in ("ours, 1 judge", "(a) plain nbgrader", "(b) our nbgrader route"):
        assert row in rows, proc.stdout
    assert "profile of one submission" in proc.stdout and "worker start" in proc.stdout  # where its seconds go
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result["ratios"]) == {"ours/(a)", "ours/(b)", "(b)/(a)"}
    assert all(math.isfinite(v) and v > 0 for v in result["ratios"].values()), result
    assert all(math.isfinite(per) and per > 0 for per, _ in result["rows"].values()), result


def _bug(ns, kind):
    """A wrong version of one name of the reference namespace (the name, the wrong object)."""
    if kind == "backward applies forward":
        return "CouplingLayer", type("C", (ns["CouplingLayer"],), {"backward": lambda self, y: self.forward(y)})
    if kind == "log-likelihood without the log-det":
        return "log_likelihood", lambda model, x: model.prior.log_prob(model.forward(x))
    base = ns["ScalingLayer"]
    return "ScalingLayer", type("S", (base,), {"log_det_jacobian": lambda self: -base.log_det_jacobian(self)})


@pytest.mark.parametrize("kind, checks", [
    ("backward applies forward", ["hidden_test_coupling_inverse", "hidden_test_nice_inverse"]),
    ("log-likelihood without the log-det",
     ["hidden_test_log_likelihood-logistic", "hidden_test_nll_loss", "hidden_test_outlier_score"]),
    ("log-det sign flipped", ["hidden_test_scaling_layer_log_det", "hidden_test_model_log_det_matches_jacobian"]),
])
def test_plain_course_checks_catch_bugs(kind, checks):
    """(a)'s hidden asserts pass on the reference and fail on a wrong coupling, likelihood or log-det."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _reference import load_reference
    from grading import PLAIN_CHECKS

    ns = load_reference()
    exec(PLAIN_CHECKS["hidden_test_coupling_inverse"], ns)  # the first check cell also defines the helpers
    for name in checks:
        exec(PLAIN_CHECKS[name], ns)
    name, wrong = _bug(ns, kind)
    ns[name] = wrong
    for check in checks:
        with pytest.raises(AssertionError):
            exec(PLAIN_CHECKS[check], ns)
