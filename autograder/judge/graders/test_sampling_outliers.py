"""Sampling and outlier scores."""
import numpy as np
import pytest

from autograder.judge import maths, seeds
from autograder.judge.builders import DIM, inverse_blame, randomized_model
from autograder.judge.procedures import judge_log_likelihood

SCORE_TOL = 0.05  # nats: outlier_score against the grader's -log p(x), or against the notebook's -log_likelihood

@pytest.mark.points(1)
def test_sampling(submission, measure):
    """model.sample(n) returns n finite points whose latent codes forward(x) follow the prior (sampled on a copy)."""
    model = randomized_model(submission, "sampling", needs_log_det=False, prior="logistic")
    samples = model.twin().sample(4000, seed=seeds.seed("sampling"))  # drawn in another process than forward runs in
    z = model.forward(samples)
    std = maths.PRIOR_STD["logistic"]
    message = lambda _: (f"forward(sample(n)) has mean {np.round(z.mean(0), 2)} and std {np.round(z.std(0), 2)}; "
                         + inverse_blame(submission, "NICE.sample must return backward(z) with z drawn from the prior "
                                                     f"(logistic: std {std:.2f})"))
    measure("latent_mean_over_std", np.max(np.abs(z.mean(axis=0))) / std, 0.15, message)
    measure("latent_std_relative_error", np.max(np.abs(z.std(axis=0) / std - 1)), 0.1, message)


@pytest.mark.points(2)
def test_outlier_score(submission, measure):
    """outlier_score(model, x) is -log p(x) in nats, for typical points and for noise (the grader's or your log_likelihood's)."""
    model = randomized_model(submission, "outlier score", needs_log_det=False, prior="logistic")
    rng = seeds.rng("outlier score")
    typical = model.twin().backward(rng.logistic(size=(300, DIM)))
    x = np.concatenate([typical, rng.uniform(-30, 30, (300, DIM))])
    scores = submission.rows_func("outlier_score", model, [x])
    nll = -judge_log_likelihood(model, x, "logistic", rng)
    err = measure("outlier_score_error", np.max(np.abs(scores - nll)), SCORE_TOL)
    if err < SCORE_TOL:
        return
    # A wrong log_likelihood costs the likelihood checks; an outlier score that is -log_likelihood passes here.
    own = -submission.rows_func("log_likelihood", model, [x])
    worst = int(np.argmax(np.abs(scores - nll)))
    assert np.max(np.abs(scores - own)) < SCORE_TOL, (
        f"outlier_score should be -log p(x) in nats: at one point it is {scores[worst]:.3f}, but "
        f"-log p(x) = -log p_H(forward(x)) - log|det J| = {nll[worst]:.3f} "
        f"(and -log_likelihood(model, x) = {own[worst]:.3f})")
