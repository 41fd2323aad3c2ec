"""Training: the notebook's own train() must fit the (secretly transformed) parabola within a fixed budget, scale included."""
import json

import numpy as np
import pytest

from autograder import packs
from autograder.judge import seeds
from assignments.assignment07.builders import gradient_hint
from assignments.assignment07.procedures import (ENTROPY_MARGIN, MASS_FLOOR, MASS_LIMIT, PARABOLA, PARABOLA_ENTROPY,
                                         parabola_nll)

#: The least share of its trainable parameters a trained model's forward must still depend on: training
#: leaves many ReLU units dead on the data (correct styles: 0.4 and more), a notebook that swaps forward
#: for a fixed map after training depends on none.
TRAINED_SHARE = 0.15


def _calibration():
    return json.loads(packs.load("assignment07").calibration.read_text())["parabola_nll"]


@pytest.fixture(scope="module")
def parabola_run(submission):
    """The trained model's test NLL, change of log|det J| and the mass of its density, all computed by the grader."""
    return parabola_nll(submission, seeds.rng)


def _assert_trained(run, measure):
    """Training happened: some trainable weight changed, and the trained forward still depends on its weights."""
    if not any(run.moved):
        pytest.fail("train() changed none of the model's trainable weights: make_train_step must take an optimizer "
                    "step on nll_loss (the gradients of model.trainable_variables, applied by the optimizer)",
                    pytrace=False)
    if np.isfinite(run.nll):
        measure("trained_dependent_share", run.dependent_share, TRAINED_SHARE, at_least=True, fail=lambda s: (
            f"after train(), forward depends on only {s:.0%} of the model's trainable parameters: training must "
            "fit the coupling networks and the scale, and forward must go on using them"))


def _frozen_hint(run, submission):
    """Which trainable weights training left as they were, and why, as a hint (gradients that never reach them)."""
    frozen = [shape for shape, moved in zip(run.shapes, run.moved) if not moved]
    if not frozen or len(frozen) == len(run.moved):
        return ""
    cause = gradient_hint(submission) or " Does make_train_step apply gradients to every trainable variable?"
    return (f" Training left {len(frozen)} of the model's {len(run.moved)} trainable weights as they were (shapes "
            f"{', '.join(str(tuple(s)) for s in frozen[:4])}{', ...' if len(frozen) > 4 else ''}): no gradient "
            f"reaches them.{cause}")


def _assert_a_density(run, measure, floor=False):
    measure("parabola_density_mass", run.mass, MASS_LIMIT, (
        f"after training, the density the grader computes from your model, p(x) = p_H(forward(x)) |det J|, "
        f"integrates to {run.mass:.3g} over the region of the data, but a density integrates to at most 1: "
        "forward is not one-to-one there, so its likelihood means nothing"))
    if not floor:
        return
    measure("parabola_density_mass_floor", run.mass, MASS_FLOOR, at_least=True, fail=(
        f"after training, the density the grader computes from your model integrates to only {run.mass:.3g} over "
        f"the region of the data (its test NLL is {run.nll:.3f} nats): the model does not describe the data it "
        "was trained on"))


@pytest.mark.points(3)
@pytest.mark.hidden  # calibrated threshold: students learn the result once grades are published
def test_parabola_training(parabola_run, measure, submission):
    """train() on the parabola reaches a test NLL (computed by the grader) below the calibrated threshold."""
    threshold = _calibration()["threshold"]
    _assert_trained(parabola_run, measure)
    _assert_a_density(parabola_run, measure, floor=True)
    nll = measure("parabola_test_nll", parabola_run.nll, threshold + 1e-12, lambda v: (
        f"after train(model, parabola data, steps={PARABOLA['steps']}, learning_rate={PARABOLA['learning_rate']}) "
        f"the test NLL is {v:.3f} nats; a correct model reaches at most {threshold:.2f} (an untrained one about 9). "
        f"Check nll_loss and make_train_step.{_frozen_hint(parabola_run, submission)}"))
    floor = PARABOLA_ENTROPY - ENTROPY_MARGIN
    measure("parabola_test_nll_floor", nll, floor, at_least=True, fail=(
        f"the test NLL {nll:.3f} nats is below the parabola's entropy ({PARABOLA_ENTROPY} nats), which no model "
        "of its density can reach: the model's outputs depend on which points it is asked about"))


@pytest.mark.points(1)
def test_training_moves_the_scale(parabola_run, measure):
    """Training changes log|det J|: the scaling layer is a trained parameter (additive couplings alone keep it 0)."""
    minimum = _calibration()["scale_change_min"]
    _assert_trained(parabola_run, measure)
    _assert_a_density(parabola_run, measure)
    measure("log_det_change_in_training", parabola_run.log_det_change, minimum, at_least=True, fail=lambda c: (
        f"training on the parabola changed log|det J| by {c:.4f}; a model whose scale is trained changes it by "
        f"at least {minimum:.3g}. Is ScalingLayer's log-scale a tracked weight (add_weight) in trainable_variables, "
        "and does make_train_step update every trainable variable?"))
