"""Log-likelihood and the training loss, recomputed by the grader; every function on a batch of one."""
import numpy as np
import pytest

from autograder.judge import seeds
from autograder.judge.builders import DIM, built_model, randomized_model
from autograder.judge.procedures import judge_log_likelihood

@pytest.mark.points(2)
@pytest.mark.parametrize("prior", ["logistic", "normal"])
def test_log_likelihood(submission, prior, measure):
    """log_likelihood(model, x) = log p_H(forward(x)) + log|det J| for the standard logistic / normal prior."""
    model = randomized_model(submission, f"log likelihood {prior}", prior=prior)
    rng = seeds.rng(f"log likelihood {prior}")
    x = rng.standard_normal((32, DIM))
    got = submission.rows_func("log_likelihood", model, [x])
    expected = judge_log_likelihood(model, x, prior, rng)
    measure(f"log_likelihood_error_{prior}", np.max(np.abs(got - expected)), 0.05, lambda e: (
        f"log_likelihood with prior='{prior}' differs from log p_H(forward(x)) + log|det J| by up to {e:.3f} nats "
        f"(e.g. got {got[0]:.3f}, expected {expected[0]:.3f}): check make_prior('{prior}', dim) (independent "
        "dimensions, log_prob of shape (batch,)) and the log-det term of log_likelihood"))


@pytest.mark.points(2)
def test_nll_loss(submission, measure):
    """nll_loss(model, x) is the mean negative log-likelihood of the batch."""
    model = randomized_model(submission, "nll loss", prior="logistic")
    rng = seeds.rng("nll loss")
    got, batch = submission.rows_func("nll_loss", model, [rng.standard_normal((64, DIM))], returns="batch")
    expected = float(-np.mean(judge_log_likelihood(model, batch, "logistic", rng)))
    measure("nll_loss_error", abs(got - expected), 0.05,
            f"nll_loss = {got:.3f}, expected the mean NLL {expected:.3f} (nats per example): the mean over the "
            "batch of -log_likelihood")


@pytest.mark.points(1)
def test_batch_of_one(submission):
    """A batch of one example: forward/backward give (1, D), log_likelihood and outlier_score (1,), nll_loss a scalar."""
    model = built_model(submission, "batch of one")
    x = seeds.rng("batch of one").standard_normal((1, DIM))
    model.backward(model.forward(x, hide=False, recheck=False), hide=False, recheck=False)  # shapes (1, D)
    submission.func("log_likelihood", model, x, returns=(1,))
    submission.func("outlier_score", model, x, returns=(1,))
    submission.func("nll_loss", model, x, returns=())
