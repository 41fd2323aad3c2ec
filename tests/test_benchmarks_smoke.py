"""The benchmark scripts still run (tiny sizes); their numbers are read by people, not asserted."""
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("args", [
    ["benchmarks/train_step.py", "--small", "--variants", "function", "peer", "ceiling", "--no-bf16"],
    ["benchmarks/parabola_quality.py", "--steps", "100", "--eval-every", "50"],
    ["benchmarks/inpainting_quality.py", "--train-steps", "30", "--images", "8", "--steps", "10"],
])
def test_benchmark_script_runs(args):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ours/peer" in proc.stdout or "test NLL" in proc.stdout
