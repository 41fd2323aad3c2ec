"""Log-likelihood and the training loss, recomputed by the grader."""
import numpy as np
import pytest

from autograder.judge import maths
from autograder.judge.facade import expect_array
from autograder.judge.procedures import judge_log_likelihood
from autograder.judge.graders.test_model import DIM, SEED, randomized_model
from autograder.judge.seeds import seeded


@pytest.mark.points(2)
@pytest.mark.parametrize("prior", ["logistic", "normal"])
def test_log_likelihood(submission, prior, measure):
    """log_likelihood(model, x) = log p_H(forward(x)) + log|det J| for the standard logistic / normal prior."""
    model = randomized_model(submission, prior=prior)
    x = np.random.default_rng(seeded(SEED + 10)).standard_normal((32, DIM))
    got = expect_array(submission.func("log_likelihood", model, x), (32,), "log_likelihood(model, x)")
    expected = judge_log_likelihood(model, x, prior)
    err = measure(f"log_likelihood_error_{prior}", np.max(np.abs(got - expected)), 0.05)
    assert err < 0.05, (f"log_likelihood with prior='{prior}' differs from log p_H(forward(x)) + log|det J| "
                        f"by up to {err:.3f} nats (e.g. got {got[0]:.3f}, expected {expected[0]:.3f})")


@pytest.mark.points(2)
def test_nll_loss(submission, measure):
    """nll_loss(model, x) is the mean negative log-likelihood of the batch."""
    model = randomized_model(submission, prior="logistic")
    x = np.random.default_rng(seeded(SEED + 11)).standard_normal((64, DIM))
    got = submission.func("nll_loss", model, x)
    if np.ndim(got) != 0:
        pytest.fail(f"nll_loss returned shape {np.shape(got)}, expected a scalar", pytrace=False)
    expected = float(-np.mean(judge_log_likelihood(model, x, "logistic")))
    measure("nll_loss_error", abs(float(got) - expected), 0.05)
    assert abs(float(got) - expected) < 0.05, (
        f"nll_loss = {float(got):.3f}, expected the mean NLL {expected:.3f} (nats per example)")
