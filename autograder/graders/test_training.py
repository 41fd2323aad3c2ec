"""Training: the notebook's own train() must fit the parabola within a fixed budget."""
import json

import pytest

from autograder import paths
from autograder.judge.procedures import PARABOLA, parabola_nll
from autograder.judge.seeds import seeded

SEED = 2024  # hidden; the threshold covers the reference's spread over many seeds (calibration.json)


@pytest.mark.points(4)
@pytest.mark.hidden  # calibrated threshold: students learn the result once grades are published
def test_parabola_training(submission, measure):
    """train() on the parabola reaches a test NLL (computed by the grader) below the calibrated threshold."""
    threshold = json.loads(paths.CALIBRATION.read_text())["parabola_nll"]["threshold"]
    nll = measure("parabola_test_nll", parabola_nll(submission, seeded(SEED)), threshold)
    assert nll <= threshold, (
        f"after train(model, parabola data, steps={PARABOLA['steps']}, "
        f"learning_rate={PARABOLA['learning_rate']}) the test NLL is {nll:.3f} nats; a correct model "
        f"reaches at most {threshold:.2f} (an untrained one about 9). Check nll_loss, make_train_step "
        "and that every parameter, the scale included, is trained")
