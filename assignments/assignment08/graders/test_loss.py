"""Denoising score matching at one noise scale, weighted by sigma^2 (improved paper, eq. 2)."""
import numpy as np
import pytest

from autograder.judge import seeds
from assignments.assignment08 import maths
from assignments.assignment08.judge import gaussian, score, score_model

MESSAGE = ("dsm_loss({what}, x, sigma={sigma:.3g}, noise) returned {got:.6g}, expected {want:.6g}: "
           "1/2 * mean over rows of ||sigma * model(x + sigma * noise, sigma) + noise||^2 (summed over dimensions)")


def _check(sub, measure, model, what, x, sigma, noise, want):
    got = sub.func("dsm_loss", model, x, sigma, noise, returns=())
    measure("dsm_loss_relative_error", abs(got - want) / max(abs(want), 1e-6), 1e-4,
            MESSAGE.format(what=what, sigma=sigma, got=got, want=want))


@pytest.mark.points(3)
def test_dsm_loss_exact_score(submission, measure):
    """dsm_loss on the exact score of a Gaussian, at several noise scales, equals the judge's own computation."""
    rng = seeds.rng("dsm loss gaussian")
    dim = int(rng.integers(2, 7))
    model, mu, var = gaussian(submission, rng, dim)
    for sigma in (float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.5, 3.0)), float(rng.uniform(5.0, 30.0))):
        x = mu + np.sqrt(var) * rng.standard_normal((int(rng.integers(20, 60)), dim))
        noise = rng.standard_normal(x.shape)
        want = maths.dsm_loss(maths.gaussian_score(x + sigma * noise, mu, var, sigma), noise, sigma)
        _check(submission, measure, model, "<an exact Gaussian score>", x, sigma, noise, want)


@pytest.mark.points(1)
def test_dsm_loss_score_model(submission, measure):
    """dsm_loss on a ScoreModel with judge weights equals the loss the judge computes from the model's own scores."""
    rng = seeds.rng("dsm loss model")
    dim = int(rng.integers(2, 6))
    model = score_model(submission, rng, dim, "loss")
    sigma = float(rng.uniform(0.1, 5.0))
    x = rng.normal(0.0, 1.5, (32, dim))
    noise = rng.standard_normal(x.shape)
    want = maths.dsm_loss(score(model, x + sigma * noise, sigma), noise, sigma)
    _check(submission, measure, model, model.label, x, sigma, noise, want)
