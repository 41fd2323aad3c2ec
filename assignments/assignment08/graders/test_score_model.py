"""The noise-conditional score model: same shape in and out, no output activation, divided by sigma."""
import numpy as np
import pytest

from autograder.judge import seeds
from assignments.assignment08.judge import draw_weights, score, score_model


@pytest.mark.points(2)
def test_score_model_shape(submission):
    """ScoreModel(dim, hidden_units) maps a batch (N, dim) to scores of the same shape, for any dim and width."""
    rng = seeds.rng("score model shape")
    for dim in (2, int(rng.integers(3, 9))):
        hidden = tuple(int(h) for h in rng.integers(8, 48, 2))
        model = score_model(submission, rng, dim, "shape", hidden_units=hidden)
        for n in (1, int(rng.integers(5, 40))):
            score(model, rng.normal(0.0, 1.0, (n, dim)), float(rng.uniform(0.1, 3.0)))


@pytest.mark.points(3)
def test_score_model_divides_by_sigma(submission, measure):
    """sigma * model(x, sigma) does not depend on sigma: the network's output divided by sigma (technique 3)."""
    rng = seeds.rng("score model sigma")
    dim = int(rng.integers(2, 6))
    model = score_model(submission, rng, dim, "sigma")
    x = rng.normal(0.0, 2.0, (16, dim))
    sigmas = [float(rng.uniform(0.005, 0.05)), float(rng.uniform(0.2, 2.0)), float(rng.uniform(5.0, 50.0))]
    scaled = [s * score(model, x, s) for s in sigmas]
    size = max(float(np.max(np.abs(scaled[1]))), 1e-3)
    worst = max(float(np.max(np.abs(a - scaled[1]))) for a in scaled) / size
    measure("sigma_times_score_spread", worst, 1e-3, lambda e: (
        f"sigma * model(x, sigma) changes with sigma (by {e:.3g} of its size between sigma = "
        f"{', '.join(f'{s:.3g}' for s in sigmas)}): the score model returns net(x) / sigma"))
    if np.allclose(scaled[1], scaled[1][0], atol=1e-6 * size):
        pytest.fail("model(x, sigma) gives every row the same score: the network must take x", pytrace=False)


#: Weight draws pooled: one draw may put every output on one side (softplus units all positive, a last layer of
#: one sign); over several, a linear last layer reaches both signs, a bounded or one-sided activation never does.
OUTPUT_DRAWS = 4


@pytest.mark.points(1)
def test_score_model_no_output_activation(submission, measure):
    """The network ends without an activation: its outputs take any sign and size."""
    rng = seeds.rng("score model output")
    dim = int(rng.integers(2, 6))
    model = score_model(submission, rng, dim, "output", std=1.0)
    outs = []
    for _ in range(OUTPUT_DRAWS):
        draw_weights(model, rng, 1.0)
        outs.append(score(model, rng.normal(0.0, 6.0, (64, dim)), 1.0))
    out = np.concatenate(outs)
    reach = min(float(np.max(out)), float(-np.min(out)))
    measure("output_reach", reach, 1.5, lambda r: (
        f"with large weights and inputs the network's outputs stay within [{np.min(out):.3g}, {np.max(out):.3g}]: "
        "the last layer must have no activation (a score can be any real number)"), at_least=True)
