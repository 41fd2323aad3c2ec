"""Sampling and outlier scores."""
import numpy as np
import pytest

from autograder.judge import maths
from autograder.judge.facade import expect_array
from autograder.judge.procedures import judge_log_likelihood
from autograder.judge.graders.test_model import DIM, SEED, randomized_model
from autograder.judge.seeds import seeded


@pytest.mark.points(1)
def test_sampling(submission, measure):
    """model.sample(n) returns n finite points whose latent codes forward(x) follow the prior."""
    model = randomized_model(submission, prior="logistic")
    samples = expect_array(model("sample", 4000, seed=seeded(7)), (4000, DIM), f"{model.label}.sample(4000)")
    z = model.forward(samples)
    std = maths.PRIOR_STD["logistic"]
    measure("latent_mean_over_std", np.max(np.abs(z.mean(axis=0))) / std, 0.15)
    measure("latent_std_relative_error", np.max(np.abs(z.std(axis=0) / std - 1)), 0.1)
    assert np.max(np.abs(z.mean(axis=0))) < 0.15 * std and np.allclose(z.std(axis=0), std, rtol=0.1), (
        f"forward(sample(n)) has mean {np.round(z.mean(0), 2)} and std {np.round(z.std(0), 2)}; "
        f"samples must be backward(z) with z from the logistic prior (std {std:.2f})")


@pytest.mark.points(2)
def test_outlier_score(submission, measure):
    """outlier_score ranks like -log p(x) (grader-computed): noise scores above typical data."""
    model = randomized_model(submission, seed=SEED + 20, min_abs_log_det=0.0, prior="logistic")
    rng = np.random.default_rng(seeded(SEED + 21))
    typical = model.backward(rng.logistic(size=(300, DIM)))
    noise = rng.uniform(-30, 30, (300, DIM))
    x = np.concatenate([typical, noise])
    scores = expect_array(submission.func("outlier_score", model, x), (600,), "outlier_score(model, x)")
    nll = -judge_log_likelihood(model, x, "logistic")
    rho = measure("outlier_rank_correlation", maths.spearman(scores, nll), 0.99)
    assert rho > 0.99, (f"outlier scores should increase with -log p(x); their rank correlation with it "
                        f"is {rho:.3f}")
    assert np.median(scores[300:]) > np.median(scores[:300]), "uniform noise scored as less atypical than data"
