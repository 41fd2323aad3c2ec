"""Training: the notebook's own train() must fit the parabola within a fixed budget, scale included."""
import json

import pytest

from autograder import paths
from autograder.judge.procedures import PARABOLA, parabola_nll
from autograder.judge.seeds import seeded

SEED = 2024  # hidden; the thresholds cover correct implementations over many seeds (calibration.json)


def _calibration():
    return json.loads(paths.CALIBRATION.read_text())["parabola_nll"]


@pytest.fixture(scope="module")
def parabola_run(submission):
    """(test NLL, |change of log det|) after train() on the parabola, both computed by the grader."""
    return parabola_nll(submission, seeded(SEED))


@pytest.mark.points(3)
@pytest.mark.hidden  # calibrated threshold: students learn the result once grades are published
def test_parabola_training(parabola_run, measure):
    """train() on the parabola reaches a test NLL (computed by the grader) below the calibrated threshold."""
    threshold = _calibration()["threshold"]
    nll = measure("parabola_test_nll", parabola_run[0], threshold)
    assert nll <= threshold, (
        f"after train(model, parabola data, steps={PARABOLA['steps']}, "
        f"learning_rate={PARABOLA['learning_rate']}) the test NLL is {nll:.3f} nats; a correct model "
        f"reaches at most {threshold:.2f} (an untrained one about 9). Check nll_loss and make_train_step")


@pytest.mark.points(1)
def test_training_moves_the_scale(parabola_run, measure):
    """Training changes log|det J|: the scaling layer is a trained parameter (additive couplings alone keep it 0)."""
    minimum = _calibration()["scale_change_min"]
    change = measure("log_det_change_in_training", parabola_run[1], minimum)
    assert change >= minimum, (
        f"training on the parabola changed log|det J| by {change:.4f}; a model whose scale is trained "
        f"changes it by at least {minimum:.2f}. Is the scale a tracked weight (add_weight) in trainable_variables?")
