"""Training: denoising score matching with one noise scale drawn per step learns the data's scores.

The data are the notebook's ring of Gaussians under a secret similarity transform, so the judge knows
the exact score of the data perturbed at every scale (:func:`maths.mixture_score`): the loss of the exact
score is the least any model can reach.  The judge measures the loss itself, on data and noise of its
own, from the scores the model gives before and after ``train``.
"""
import json

import numpy as np
import pytest

from autograder.judge import seeds
from assignments.assignment08 import maths
from assignments.assignment08.judge import score
from assignments.assignment08.pack import CALIBRATION

#: The run the judge asks for (the calibration measured this one).
STEPS, BATCH, LEARNING_RATE, HIDDEN = 600, 128, 3e-3, (64, 64)
NUM_SCALES, SIGMA_MIN, SIGMA_MAX = 8, 0.1, 4.0
EVAL_ROWS = 400


def limit():
    """The calibrated limit of the share of the excess loss left after training (calibration.json; NaN, which
    fails every share, before the first calibration: the share is recorded all the same)."""
    from autograder.paths import ROOT
    path = ROOT / CALIBRATION
    return json.loads(path.read_text())["checks"]["training_excess_share"]["limit"] if path.is_file() else float("nan")


def excess(sub, model, rng, means, var, sigmas):
    """Sum over the scales of the loss of the model's scores above the exact score's, on the judge's draws."""
    total = 0.0
    for sigma in sigmas:
        x = maths.draw(rng, means, var, EVAL_ROWS)
        noise = rng.standard_normal(x.shape)
        noisy = x + sigma * noise
        total += (maths.dsm_loss(score(model, noisy, sigma), noise, sigma)
                  - maths.dsm_loss(maths.mixture_score(noisy, means, var, sigma), noise, sigma))
    return total


def trained_share(sub, label="training"):
    """Train a ScoreModel on the secret ring; returns (share of the excess loss left, the losses train returned)."""
    rng = seeds.rng(label)
    means, var = maths.ring(rng)
    data = maths.draw(rng, means, var, 4000)
    sigmas = maths.ladder(SIGMA_MIN, SIGMA_MAX, NUM_SCALES)
    sub.seed(seeds.seed(label))
    model = sub.build("ScoreModel", 2, hidden_units=list(HIDDEN))
    state = rng.bit_generator.state
    before = excess(sub, model, rng, means, var, sigmas)
    losses = sub.func("train", model, data, sigmas, STEPS, batch_size=BATCH, learning_rate=LEARNING_RATE,
                      seed=seeds.seed(f"{label} seed"), returns=(STEPS,), timeout=240)
    rng.bit_generator.state = state  # the same evaluation draws after training
    after = excess(sub, model, rng, means, var, sigmas)
    return after / before, losses


@pytest.mark.points(4)
def test_training_learns_the_scores(submission, measure):
    """train() on the secret ring leaves at most the calibrated share of the untrained model's excess loss."""
    share, losses = trained_share(submission)
    if share < -0.05:
        pytest.fail(f"after train() the model's loss is below that of the exact score (share {share:.3g}): "
                    "the grader computes the loss itself, so this cannot happen", pytrace=False)
    measure("training_excess_share", share, limit(), lambda s: (
        f"after train({STEPS} steps) the model's denoising loss is still {s:.0%} of the way from the exact scores' "
        "to the untrained model's: check that each step draws one noise scale from all of sigmas (uniformly), "
        "fresh noise and fresh rows, and minimises dsm_loss with Adam(learning_rate)"))
