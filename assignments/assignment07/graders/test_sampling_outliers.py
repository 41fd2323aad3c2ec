"""Sampling and outlier scores."""
import numpy as np
import pytest

from autograder.judge import probes, seeds
from assignments.assignment07 import maths
from assignments.assignment07.builders import DIM, inverse_blame, randomized_model
from autograder.judge.facade import expect_array
from assignments.assignment07.procedures import judge_log_likelihood

SCORE_TOL = 0.05  # nats: outlier_score against the grader's -log p(x), or against the notebook's -log_likelihood
SAMPLES = 4000
#: sqrt(n) times the largest Kolmogorov-Smirnov distance between a dimension of the latent codes and
#: the prior, over the dimensions: a correct sampler exceeds it with probability about 4e-7 per
#: dimension; a standard logistic where a standard normal belongs reaches about 7.
KS_LIMIT = 2.8
#: The samples reach forward moved by this share of their size: answers copied from one worker to the
#: other (a mark in their last bits) are no longer recognisable, and the latent codes move by far less than the KS test sees.
JITTER = 1e-4
#: The least rank correlation between the notebook's log_likelihood and log p(x) under which an outlier
#: score that is -log_likelihood is accepted although log_likelihood is wrong (a wrong prior or log-det still
#: ranks points nearly as log p does: 0.9 or more; a constant or a function of nothing does not rank them).
RANK_FLOOR = 0.5


def _ks(z, prior):
    """sqrt(n) * the largest Kolmogorov-Smirnov distance of a column of ``z`` from the prior's marginal."""
    n = len(z)
    cdf = maths.prior_cdf(prior, np.sort(z, axis=0))
    steps = np.arange(1, n + 1)[:, None] / n
    return float(np.sqrt(n) * np.max(np.maximum(steps - cdf, cdf - (steps - 1.0 / n))))


@pytest.mark.points(1)
def test_sampling(submission, measure):
    """model.prior.sample and model.sample(n) follow the prior, for both priors: forward(sample(n)) is distributed as the prior (sampled on a copy)."""
    for prior in ("logistic", "normal"):
        model = randomized_model(submission, f"sampling {prior}", needs_log_det=False, prior=prior)
        rng = seeds.rng(f"sampling {prior}")
        copy = model.twin()  # samples are drawn in another process than forward runs in
        drawn = copy("prior.sample", SAMPLES, seed=seeds.seed(f"sampling {prior}: prior"))
        drawn = expect_array(drawn, (SAMPLES, DIM), f"{copy.label}.prior.sample({SAMPLES})")
        measure(f"prior_sample_ks_{prior}", _ks(drawn, prior), KS_LIMIT, lambda k: (
            f"model.prior.sample(n) with prior='{prior}' does not follow the standard {prior} distribution "
            f"(Kolmogorov-Smirnov distance {k / np.sqrt(SAMPLES):.3f}; mean {np.round(drawn.mean(0), 2)}, std "
            f"{np.round(drawn.std(0), 2)}): check make_prior('{prior}', dim)"))
        samples = _samples(copy, seeds.seed(f"sampling {prior}"))
        samples = probes.relay(samples, rng, JITTER)
        z = model.forward(samples)
        measure(f"latent_ks_{prior}", _ks(z, prior), KS_LIMIT, lambda k: (
            f"forward(sample(n)) with prior='{prior}' has mean {np.round(z.mean(0), 2)} and std "
            f"{np.round(z.std(0), 2)} and does not follow the prior (Kolmogorov-Smirnov distance "
            f"{k / np.sqrt(SAMPLES):.3f}), although model.prior.sample does: "
            + inverse_blame(submission, "NICE.sample must return backward(z) with z drawn from the prior (check "
                                        "NICE.backward)")))


def _samples(model, seed):
    """model.sample(SAMPLES, seed), blaming make_prior for a dtype error (model.prior.sample worked already)."""
    try:
        return model.sample(SAMPLES, seed=seed)
    except pytest.fail.Exception as err:
        if "double" not in str(err) and "float64" not in str(err):
            raise
        pytest.fail("model.prior.sample(n) works, but its samples are float64 (double) while the model computes in "
                    "float32, so sample(n) fails in backward: build the prior in make_prior from float32 tensors "
                    f"(tf.zeros(dim), tf.ones(dim)), not numpy arrays. {err}", pytrace=False)


@pytest.mark.points(2)
def test_outlier_score(submission, measure):
    """outlier_score(model, x) is -log p(x) in nats for either prior, for typical points and for noise (the grader's, or your log_likelihood's if that one ranks points as log p does)."""
    for prior in ("logistic", "normal"):
        model = randomized_model(submission, f"outlier score {prior}", needs_log_det="prefer", prior=prior)  # its term shows
        rng = seeds.rng(f"outlier score {prior}")
        latent = rng.logistic(size=(300, DIM)) if prior == "logistic" else rng.standard_normal((300, DIM))
        typical = probes.relay(model.twin().backward(latent), rng)
        x = np.concatenate([typical, rng.uniform(-30, 30, (300, DIM))])
        batch = probes.Hidden(x, submission.rng)  # both functions get the very same batch
        scores = submission.rows_func("outlier_score", model, [x], hidden=batch)
        own = -submission.rows_func("log_likelihood", model, [x], hidden=batch)
        nll = -judge_log_likelihood(model, x, prior, rng)
        err = measure(f"outlier_score_error_{prior}", np.max(maths.nats_error(scores, nll, x)), SCORE_TOL)
        if err < SCORE_TOL:
            continue
        worst = int(np.argmax(maths.nats_error(scores, nll, x)))
        # A wrong log_likelihood costs the likelihood checks; an outlier score that is -log_likelihood passes
        # here, if that log_likelihood is a log-density of the model at all (it ranks points as log p does).
        assert np.max(maths.nats_error(scores, own, x)) < SCORE_TOL, (
            f"outlier_score should be -log p(x) in nats (prior='{prior}'): at one point it is {scores[worst]:.3f}, "
            f"but -log p(x) = -log p_H(forward(x)) - log|det J| = {nll[worst]:.3f} "
            f"(and -log_likelihood(model, x) = {own[worst]:.3f})")
        measure("outlier_rank_agreement", maths.rank_correlation(own, nll), RANK_FLOOR, at_least=True,
                fail=lambda r: (
                    f"outlier_score equals -log_likelihood(model, x), but log_likelihood is far from log p(x) (e.g. "
                    f"{-own[worst]:.3f} where log p(x) = {-nll[worst]:.3f}) and does not even rank points as log p(x) "
                    f"does (rank correlation {r:.2f}): fix log_likelihood"))
