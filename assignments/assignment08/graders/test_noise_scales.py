"""The noise ladder: a geometric sequence from the largest scale down to the smallest."""
import numpy as np
import pytest

from autograder.judge import seeds
from assignments.assignment08 import maths


@pytest.mark.points(2)
def test_noise_scales_geometric(submission, measure):
    """noise_scales(sigma_min, sigma_max, L) is the geometric ladder from sigma_max down to sigma_min."""
    rng = seeds.rng("noise scales")
    worst = 0.0
    for _ in range(3):
        lo, hi, n = float(rng.uniform(0.002, 0.08)), float(rng.uniform(0.8, 40.0)), int(rng.integers(2, 40))
        got = submission.func("noise_scales", lo, hi, n, returns=(n,))
        want = maths.ladder(lo, hi, n)
        if np.allclose(got[::-1], want, rtol=1e-4):
            pytest.fail(f"noise_scales({lo:.4g}, {hi:.4g}, {n}) runs from the smallest scale up; the notebook's order "
                        "is largest first (the order annealed Langevin dynamics visits them)", pytrace=False)
        error = float(np.max(np.abs(got / want - 1.0)))
        worst = max(worst, error)
        measure("noise_scales_relative_error", error, 1e-4, lambda e: (
            f"noise_scales({lo:.4g}, {hi:.4g}, {n}) returned {np.array2string(got[:4], precision=4)}..., expected the "
            f"geometric ladder {np.array2string(want[:4], precision=4)}... (relative error {e:.3g}): "
            "np.geomspace(sigma_max, sigma_min, num_scales)"))
