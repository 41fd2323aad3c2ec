"""Training: denoising score matching with one noise scale drawn per step learns the data's scores.

The data are the notebook's ring of Gaussians under a secret similarity transform, so the judge knows
the exact score of the data perturbed at every scale (:func:`maths.mixture_score`): the loss of the exact
score is the least any model can reach.  The judge measures the loss itself, on data and noise of its
own, from the scores the model gives before and after ``train``.
"""
import json

import numpy as np
import pytest

from autograder import packs
from autograder.judge import seeds
from assignments.assignment08 import maths
from assignments.assignment08.judge import score

#: The runs the judge asks for (the calibration measured these).
STEPS, BATCH, LEARNING_RATE, HIDDEN = 600, 128, 3e-3, (64, 64)
NUM_SCALES, SIGMA_MIN, SIGMA_MAX = 8, 0.1, 4.0
#: The scales at which a network divided by sigma (technique 3) can learn the ring's scores: the larger half.
#: Below the modes' own spread one network cannot serve every scale (its share there is about 1 whatever the code).
LEARNABLE = NUM_SCALES // 2
LADDER_STEPS, LADDER_LEARNING_RATE = 1000, 0.05
#: A scale of the judge's ladder model counts as trained when it left at most this share of its start's excess loss
#: (a scale never drawn keeps 1; a trained one ends near 0, a few of them up to about 0.3 by the optimizer's noise).
TRAINED = 0.5
EVAL_ROWS = 400


def limit(name):
    """The calibrated limit of the measure ``name`` (calibration.json; NaN, which fails every share, before the
    first calibration: the share is recorded all the same)."""
    path = packs.load("assignment08").calibration
    return json.loads(path.read_text())["checks"][name]["limit"] if path.is_file() else float("nan")


def shares(table):
    """Per scale, the share of the start's excess loss over the exact score's that is left (0: the exact scores)."""
    return (table[:, 0] - table[:, 1]) / (table[:, 2] - table[:, 1])


def losses_by_scale(model, rng, means, var, sigmas, start):
    """Per scale: the loss of the model's scores, of the exact scores and of the scores ``start(noisy, sigma)``
    (where training starts from), on the judge's draws."""
    rows = []
    for sigma in sigmas:
        x = maths.draw(rng, means, var, EVAL_ROWS)
        noise = rng.standard_normal(x.shape)
        noisy = x + sigma * noise
        rows.append((maths.dsm_loss(score(model, noisy, sigma), noise, sigma),
                     maths.dsm_loss(maths.mixture_score(noisy, means, var, sigma), noise, sigma),
                     maths.dsm_loss(start(noisy, sigma), noise, sigma)))
    return np.array(rows)


def trained_shares(sub, label="training"):
    """Train a ScoreModel on the secret ring; per scale, the share of a zero score's excess loss over the exact
    score's that the trained model still has (0: the exact scores, 1: no better than a zero score)."""
    rng = seeds.rng(label)
    means, var = maths.ring(rng)
    data = maths.draw(rng, means, var, 4000)
    sigmas = maths.ladder(SIGMA_MIN, SIGMA_MAX, NUM_SCALES)
    sub.seed(seeds.seed(label))
    model = sub.build("ScoreModel", 2, hidden_units=list(HIDDEN))
    sub.func("train", model, data, sigmas, STEPS, batch_size=BATCH, learning_rate=LEARNING_RATE,
             seed=seeds.seed(f"{label} seed"), returns=(STEPS,), timeout=240)
    table = losses_by_scale(model, rng, means, var, sigmas, lambda noisy, sigma: np.zeros_like(noisy))
    return sigmas, shares(table)


def _record(measure, name, sigmas, values):
    for sigma, value in zip(sigmas, values):
        measure(f"{name}_at_{sigma:.3g}", value, TRAINED)  # every scale's, recorded for the calibration


@pytest.mark.points(2)
def test_training_learns_the_scores(submission, measure):
    """train() on the secret ring learns the scores at the larger noise scales (at most the calibrated share of a zero score's excess loss)."""
    sigmas, values = trained_shares(submission)
    sigmas, values = sigmas[:LEARNABLE], values[:LEARNABLE]
    _record(measure, "training_excess_share", sigmas, values)
    worst = int(np.argmax(values))
    measure("training_excess_share", float(values[worst]), limit("training_excess_share"), lambda s: (
        f"after train({STEPS} steps) the model's denoising loss at sigma = {sigmas[worst]:.3g} is still {s:.0%} of the "
        "way from the exact scores' to a zero score's: train must minimise dsm_loss with Adam(learning_rate) on "
        "fresh rows, a noise scale drawn from sigmas and fresh noise at every step"))


@pytest.mark.points(3)
def test_training_draws_every_scale(submission, measure):
    """train() trains at every noise scale of the ladder, with fresh noise: the judge's model with parameters of its own per scale learns each one."""
    rng = seeds.rng("ladder training")
    mu, var = rng.uniform(-1.0, 1.0, 2), float(rng.uniform(0.3, 1.5))
    sigmas = maths.ladder(float(rng.uniform(0.05, 0.2)), float(rng.uniform(2.0, 6.0)), int(rng.integers(6, 11)))
    # every scale starts far from its best parameters (mu; log((1 + sigma^2) / (var + sigma^2))), each its own way
    angle = rng.uniform(0.0, 2 * np.pi, len(sigmas))
    offset = mu + 2.5 * np.sqrt(var) * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    log_gain = np.log((1.0 + sigmas ** 2) / (var + sigmas ** 2)) + rng.choice([-1.0, 1.0], len(sigmas))
    model = submission.judge_object("LadderScore", sigmas, offset, log_gain)
    data = mu + np.sqrt(var) * rng.standard_normal((4000, 2))
    submission.func("train", model, data, sigmas, LADDER_STEPS, batch_size=BATCH, learning_rate=LADDER_LEARNING_RATE,
                    seed=seeds.seed("ladder training seed"), returns=(LADDER_STEPS,), timeout=240)
    level = {float(s): k for k, s in enumerate(sigmas)}

    def start(noisy, sigma):
        k = level[float(sigma)]
        return -(noisy - offset[k]) * np.exp(log_gain[k]) / (1.0 + sigma ** 2)
    values = shares(losses_by_scale(model, rng, mu[None, :], var, sigmas, start))
    _record(measure, "ladder_excess_share", sigmas, values)
    untrained = values > TRAINED
    measure("ladder_untrained_scales", float(np.mean(untrained)), limit("ladder_untrained_scales"), lambda s: (
        f"train({LADDER_STEPS} steps) of a score model with separate parameters per noise scale left {s:.0%} of the "
        f"scales (sigma = {', '.join(f'{x:.3g}' for x in sigmas[untrained])}) (almost) where they started: those "
        "scales were never trained. Draw the noise scale of each step uniformly from all of sigmas, as a TensorFlow "
        "op inside a compiled step (numpy or random there is drawn once, when it is traced) or outside it"))
