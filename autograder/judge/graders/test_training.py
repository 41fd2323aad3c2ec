"""Training: the notebook's own train() must fit the parabola within a fixed budget, scale included."""
import json

import pytest

from autograder import paths
from autograder.judge.procedures import MASS_LIMIT, PARABOLA, parabola_nll
from autograder.judge.seeds import seeded

SEED = 2024  # hidden; the thresholds cover correct implementations over many seeds (calibration.json)


def _calibration():
    return json.loads(paths.CALIBRATION.read_text())["parabola_nll"]


@pytest.fixture(scope="module")
def parabola_run(submission):
    """The trained model's test NLL, change of log|det J| and the mass of its density, all computed by the grader."""
    return parabola_nll(submission, seeded(SEED))


def _assert_a_density(run):
    assert run.mass <= MASS_LIMIT, (
        f"after training, the density the grader computes from your model, p(x) = p_H(forward(x)) |det J|, "
        f"integrates to {run.mass:.3g} over the region of the data, but a density integrates to at most 1: "
        "forward is not one-to-one there, so its likelihood means nothing")


@pytest.mark.points(3)
@pytest.mark.hidden  # calibrated threshold: students learn the result once grades are published
def test_parabola_training(parabola_run, measure):
    """train() on the parabola reaches a test NLL (computed by the grader) below the calibrated threshold."""
    threshold = _calibration()["threshold"]
    measure("parabola_density_mass", parabola_run.mass, MASS_LIMIT)
    _assert_a_density(parabola_run)
    nll = measure("parabola_test_nll", parabola_run.nll, threshold)
    assert nll <= threshold, (
        f"after train(model, parabola data, steps={PARABOLA['steps']}, "
        f"learning_rate={PARABOLA['learning_rate']}) the test NLL is {nll:.3f} nats; a correct model "
        f"reaches at most {threshold:.2f} (an untrained one about 9). Check nll_loss and make_train_step")


@pytest.mark.points(1)
def test_training_moves_the_scale(parabola_run, measure):
    """Training changes log|det J|: the scaling layer is a trained parameter (additive couplings alone keep it 0)."""
    minimum = _calibration()["scale_change_min"]
    _assert_a_density(parabola_run)
    change = measure("log_det_change_in_training", parabola_run.log_det_change, minimum)
    assert change >= minimum, (
        f"training on the parabola changed log|det J| by {change:.4f}; a model whose scale is trained "
        f"changes it by at least {minimum:.2f}. Is the scale a tracked weight (add_weight) in trainable_variables?")
