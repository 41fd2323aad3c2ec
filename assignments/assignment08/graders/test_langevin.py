"""Annealed Langevin dynamics (improved paper, Algorithm 1), checked on the exact score of a Gaussian.

With that score every update is linear, so the judge knows the exact distribution of the chain's end
(:func:`maths.annealed_gaussian`): each row's mean and the common variance.  The judge starts the chain
far enough away that a quarter to a half of the start is still in the end, so the step size, the order
of the scales and the size of the noise all show in the standardised samples.
"""
import numpy as np
import pytest

from autograder.judge import seeds
from assignments.assignment08 import maths
from assignments.assignment08.judge import gaussian

#: Standard errors a standardised sample's mean and variance may be off by (N * D draws: about 1 in 10^8).
SE = 6.0


@pytest.mark.points(2)
def test_langevin_step_size(submission, measure):
    """langevin_step_size(sigma, sigma_min, eps) = eps * sigma^2 / sigma_min^2 (variances, not standard deviations)."""
    rng = seeds.rng("langevin step size")
    for _ in range(3):
        sigma_min = float(rng.uniform(0.005, 0.2))
        sigma, eps = float(sigma_min * rng.uniform(1.5, 300.0)), float(rng.uniform(1e-6, 1e-3))
        got = submission.func("langevin_step_size", sigma, sigma_min, eps, returns=())
        want = maths.step_size(sigma, sigma_min, eps)
        measure("step_size_relative_error", abs(got / want - 1.0), 1e-4, (
            f"langevin_step_size({sigma:.4g}, {sigma_min:.4g}, {eps:.3g}) returned {got:.6g}, expected {want:.6g}: "
            "eps * sigma^2 / sigma_min^2 (the step scales with the variances)"))


@pytest.mark.points(2)
def test_langevin_update(submission, measure):
    """langevin_update(x, score, a, z) = x + a * score + sqrt(2 a) * z (improved paper; NCSN's differs by a factor 2)."""
    rng = seeds.rng("langevin update")
    for _ in range(2):
        n, dim = int(rng.integers(3, 30)), int(rng.integers(1, 6))
        x, s, z = rng.normal(0, 2, (n, dim)), rng.normal(0, 5, (n, dim)), rng.standard_normal((n, dim))
        alpha = float(10 ** rng.uniform(-4, -0.5))
        got = submission.func("langevin_update", x, s, alpha, z, returns=(n, dim))
        want = maths.update(x, s, alpha, z)
        error = float(np.max(np.abs(got - want)) / (1.0 + np.max(np.abs(want))))
        measure("langevin_update_error", error, 1e-5, (
            f"langevin_update(x, score, {alpha:.3g}, noise) gave e.g. {np.round(got[0], 4)} where "
            f"x + a * score + sqrt(2 a) * noise is {np.round(want[0], 4)}"))


def _standardised(samples, mean, variance):
    return (samples - mean) / np.sqrt(variance)


def _judge_distribution(measure, z, name, what):
    count = z.size
    bias, spread = float(np.mean(z)), float(np.var(z))
    measure(f"{name}_mean", abs(bias), SE / np.sqrt(count), (
        f"{what}: the samples' mean is off by {bias:.3g} standard deviations from where the chain must end"))
    measure(f"{name}_variance", abs(spread - 1.0), SE * np.sqrt(2.0 / count), (
        f"{what}: the samples spread {spread:.3g} times as much as the chain's end does (variance ratio). Check the "
        "step size (eps * sigma^2 / sigma_min^2), the update (x + a * score + sqrt(2 a) * z) with fresh noise each "
        "step, and the order of the scales (largest first)"))


def _schedule(rng, var):
    """Noise scales, steps per scale and an eps such that a fraction P (0.25 to 0.45) of the start remains."""
    sigmas = maths.ladder(float(rng.uniform(0.05, 0.3)), float(rng.uniform(2.0, 6.0)), int(rng.integers(4, 9)))
    steps, target = int(rng.integers(10, 30)), float(rng.uniform(0.25, 0.45))

    def remaining(eps):
        keep = [1.0 - maths.step_size(s, sigmas[-1], eps) / (var + s ** 2) for s in sigmas]
        return float(np.prod(np.power(keep, steps)))
    lo, hi = 1e-9, 0.9 * sigmas[-1] ** 2  # a / v < 0.9 at every scale: the chain is stable
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if remaining(mid) > target else (lo, mid)
    return sigmas, steps, float(np.sqrt(lo * hi))


@pytest.mark.points(4)
def test_annealed_langevin_gaussian(submission, measure):
    """annealed_langevin with the exact score of a Gaussian ends where the chain must: each row's mean, the variance."""
    rng = seeds.rng("annealed langevin")
    dim = int(rng.integers(2, 5))
    model, mu, var = gaussian(submission, rng, dim)
    sigmas, steps, eps = _schedule(rng, var)
    end_mean, end_var = maths.annealed_gaussian(np.zeros((1, dim)) + mu + 1.0, mu, var, sigmas, steps, eps)
    reach = (end_mean - mu)[0, 0]  # how much of a unit offset remains
    x0 = mu + rng.choice([-1.0, 1.0], (600, dim)) * 3.0 * np.sqrt(end_var) / max(reach, 1e-3)
    x0 += rng.normal(0.0, 0.2, x0.shape)
    samples = submission.func("annealed_langevin", model, x0, sigmas, steps, eps, seed=int(rng.integers(2**31)),
                              returns=x0.shape, timeout=120)
    mean, variance = maths.annealed_gaussian(x0, mu, var, sigmas, steps, eps)
    _judge_distribution(measure, _standardised(samples, mean, variance), "annealed",
                        f"annealed_langevin(<exact Gaussian score>, x, {len(sigmas)} scales, {steps} steps each, "
                        f"eps={eps:.3g})")


@pytest.mark.points(2)
def test_sample_gaussian(submission, measure):
    """sample(model, n, dim, ...) gives n points of dimension dim that end where a long chain must, whatever its start."""
    rng = seeds.rng("sample")
    dim = int(rng.integers(2, 5))
    model, mu, var = gaussian(submission, rng, dim)
    sigmas = maths.ladder(float(rng.uniform(0.05, 0.3)), float(rng.uniform(2.0, 5.0)), int(rng.integers(4, 8)))
    steps, eps = 60, float(0.3 * sigmas[-1] ** 2)
    n = int(rng.integers(400, 700))
    samples = submission.func("sample", model, n, dim, sigmas, steps, eps, seed=int(rng.integers(2**31)),
                              returns=(n, dim), timeout=120)
    _, variance = maths.annealed_gaussian(np.zeros((1, dim)), mu, var, sigmas, steps, eps)
    _judge_distribution(measure, _standardised(samples, mu, variance), "sample",
                        f"sample(<exact Gaussian score>, {n}, {dim}, {len(sigmas)} scales, {steps} steps each)")
