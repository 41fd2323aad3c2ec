"""Log-likelihood and the training loss, recomputed by the grader; every function on a batch of one."""
import numpy as np
import pytest

from autograder.judge import seeds
from assignments.assignment07 import maths
from assignments.assignment07.builders import DIM, randomized_model
from assignments.assignment07.procedures import judge_log_likelihood

TOL = 0.05  # nats: the notebook's log-likelihood (and loss) against the grader's
#: Rows of the probe that lie far out: their latent codes reach |z| >= 20, where a log-density must still be exact.
TAIL_ROWS, TAIL_SCALE = 16, 30.0


def _probe(rng, n=32):
    """n rows like data and TAIL_ROWS far out in every direction (the contract is every x, not the usual one)."""
    return np.concatenate([rng.standard_normal((n, DIM)), TAIL_SCALE * rng.standard_normal((TAIL_ROWS, DIM))])


@pytest.mark.points(2)
@pytest.mark.parametrize("prior", ["logistic", "normal"])
def test_log_likelihood(submission, prior, measure):
    """log_likelihood(model, x) = log p_H(forward(x)) + log|det J| for the standard logistic / normal prior, in the tails too."""
    model = randomized_model(submission, f"log likelihood {prior}", prior=prior)
    rng = seeds.rng(f"log likelihood {prior}")
    x = _probe(rng)
    got = submission.rows_func("log_likelihood", model, [x])
    expected = judge_log_likelihood(model, x, prior, rng)
    error = maths.nats_error(got, expected, x)
    worst = int(np.argmax(error))
    measure(f"log_likelihood_error_{prior}", np.max(error), TOL, lambda e: (
        f"log_likelihood with prior='{prior}' differs from log p_H(forward(x)) + log|det J| by up to {e:.3f} nats beyond float32 rounding "
        f"(e.g. got {got[worst]:.3f}, expected {expected[worst]:.3f}{' for a point far out' if worst >= len(x) - TAIL_ROWS else ''}): "
        f"check make_prior('{prior}', dim) (independent dimensions, log_prob of shape (batch,), exact for every z) and the "
        "log-det term of log_likelihood"))


@pytest.mark.points(2)
def test_nll_loss(submission, measure):
    """nll_loss(model, x) is the mean negative log-likelihood of the batch (points far out included)."""
    model = randomized_model(submission, "nll loss", prior="logistic")
    rng = seeds.rng("nll loss")
    got, batch = submission.rows_func("nll_loss", model, [_probe(rng, 64)], returns="batch")
    rows = -judge_log_likelihood(model, batch, "logistic", rng)
    expected = float(np.mean(rows))
    measure("nll_loss_error", maths.mean_nats_error(got, rows, batch), TOL,
            f"nll_loss = {got:.3f}, expected the mean NLL {expected:.3f} (nats per example): the mean over the "
            "batch of -log_likelihood")


@pytest.mark.points(1)
def test_batch_of_one(submission):
    """A batch of one example: forward/backward give (1, D), log_likelihood and outlier_score (1,), nll_loss a scalar, each the example's own."""
    model = randomized_model(submission, "batch of one", needs_log_det=False)
    rows = seeds.rng("batch of one").standard_normal((2, 1, DIM))
    answers = {"log_likelihood": [], "outlier_score": [], "nll_loss": []}
    for x in rows:
        model.backward(model.forward(x, hide=False, recheck=False), hide=False, recheck=False)  # shapes (1, D)
        for name, values in answers.items():
            values.append(float(np.ravel(submission.func(name, model, x, returns=() if name == "nll_loss" else (1,)))[0]))
    same = [name for name, (a, b) in answers.items() if a == b]
    assert not same, (f"{' and '.join(same)} gave the same value ({answers[same[0]][0]:.4g}) for two different "
                      "examples alone: each example's answer must be computed from that example")
