"""Log-likelihood and the training loss, recomputed by the grader; every function on a batch of one."""
import numpy as np
import pytest

from autograder.judge.procedures import judge_log_likelihood
from autograder.judge.graders.test_model import DIM, SEED, built_model, randomized_model
from autograder.judge.seeds import seeded


@pytest.mark.points(2)
@pytest.mark.parametrize("prior", ["logistic", "normal"])
def test_log_likelihood(submission, prior, measure):
    """log_likelihood(model, x) = log p_H(forward(x)) + log|det J| for the standard logistic / normal prior."""
    model = randomized_model(submission, prior=prior)
    x = np.random.default_rng(seeded(SEED + 10)).standard_normal((32, DIM))
    got = submission.func("log_likelihood", model, x, returns=(32,))
    expected = judge_log_likelihood(model, x, prior)
    err = measure(f"log_likelihood_error_{prior}", np.max(np.abs(got - expected)), 0.05)
    assert err < 0.05, (f"log_likelihood with prior='{prior}' differs from log p_H(forward(x)) + log|det J| "
                        f"by up to {err:.3f} nats (e.g. got {got[0]:.3f}, expected {expected[0]:.3f})")


@pytest.mark.points(2)
def test_nll_loss(submission, measure):
    """nll_loss(model, x) is the mean negative log-likelihood of the batch."""
    model = randomized_model(submission, prior="logistic")
    x = np.random.default_rng(seeded(SEED + 11)).standard_normal((64, DIM))
    got = submission.func("nll_loss", model, x, returns=())
    expected = float(-np.mean(judge_log_likelihood(model, x, "logistic")))
    measure("nll_loss_error", abs(got - expected), 0.05)
    assert abs(got - expected) < 0.05, (
        f"nll_loss = {got:.3f}, expected the mean NLL {expected:.3f} (nats per example)")


@pytest.mark.points(1)
def test_batch_of_one(submission):
    """A batch of one example: forward/backward give (1, D), log_likelihood and outlier_score (1,), nll_loss a scalar."""
    model = built_model(submission, seed=SEED + 12)
    x = np.random.default_rng(seeded(SEED + 12)).standard_normal((1, DIM))
    model.backward(model.forward(x))  # both checked to return shape (1, D)
    submission.func("log_likelihood", model, x, returns=(1,))
    submission.func("outlier_score", model, x, returns=(1,))
    submission.func("nll_loss", model, x, returns=())
