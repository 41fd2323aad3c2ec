"""Inpainting: the update rule of NICE section 5.2 and the behaviour of the full loop."""
import numpy as np
import pytest

from autograder.judge import maths
from autograder.judge.facade import f32
from autograder.judge.procedures import judge_log_likelihood
from autograder.judge.seeds import seeded

DIM = 4
SEED = 5150


def _model(sub):
    sub.seed(seeded(SEED))
    model = sub.new("NICE", DIM, num_couplings=4, hidden_units=[16], prior="logistic")
    model.build()
    return model


@pytest.mark.points(2)
def test_inpainting_step_rule(submission, measure):
    """inpainting_step: x_H <- clip(x_H + a (d log p / d x_H + eps)) into data_range (both ends); observed entries stay."""
    model = _model(submission)
    rng = np.random.default_rng(seeded(SEED))
    low, high = -0.5, 1.5  # not [0, 1]: the range is an argument
    x = f32(rng.uniform(low + 0.05, high - 0.05, (16, DIM)))
    observed = np.tile([1.0, 0.0, 1.0, 0.0], (16, 1))
    noise = rng.standard_normal((16, DIM))
    # hidden entries at the edges, pushed out by the noise (rows 8-11 above, 12-15 below the range):
    # only the projection brings them back
    x[8:12, [1, 3]], x[12:, [1, 3]] = f32(high - 0.02), f32(low + 0.02)
    push = np.abs(noise[8:, [1, 3]]) + 6.0
    noise[8:12, [1, 3]], noise[12:, [1, 3]] = push[:4], -push[4:]
    step = 0.2
    got = submission.func("inpainting_step", model, x, observed, step, noise, [low, high], returns=x.shape)
    h = 1e-3
    prior_lp = maths.logistic_log_prob(model.forward(maths.finite_difference_points(x, h)))
    pair = prior_lp.reshape(16, 2, DIM)
    grad = (pair[:, 0] - pair[:, 1]) / (2 * h)  # the log-det is constant in x
    expected = np.where(observed > 0, x, np.clip(x + step * (grad + noise), low, high))
    assert np.array_equal(got[:, [0, 2]], x[:, [0, 2]]), "observed entries changed"
    above, below = got[8:12][:, [1, 3]], got[12:][:, [1, 3]]
    assert np.allclose(above, high, atol=1e-6) and np.allclose(below, low, atol=1e-6), (
        f"hidden entries that the step pushes out of data_range = ({low}, {high}) must be projected back onto "
        f"its ends: those pushed above came back as {np.round(above.ravel(), 3)}, those pushed below as "
        f"{np.round(below.ravel(), 3)}")
    # 90th percentile: the grader's finite-difference gradient is off where a ReLU kink lies within h
    err = measure("inpainting_step_error", np.quantile(np.abs(got - expected), 0.9), 2e-2)
    assert err < 2e-2, (f"hidden entries differ from clip(x + step_size * (grad log p + noise), low, high) by "
                        f"{err:.3f} or more in 10% of entries (gradient ascent on log p, noise inside the step, "
                        "then projection into data_range)")


@pytest.mark.points(2)
def test_inpaint_behaviour(submission, measure):
    """inpaint keeps observed entries, changes hidden ones, stays in range and raises log p."""
    model = _model(submission)
    rng = np.random.default_rng(seeded(SEED + 1))
    low, high = -5.0, 5.0
    x = f32(rng.uniform(-1.0, 1.0, (32, DIM)))
    observed = np.array([[0.0, 1.0, 0.0, 1.0]])
    x[:, [0, 2]] = 4.5  # far in the prior's tail: an unlikely start for the hidden entries
    out = submission.func("inpaint", model, x, observed, steps=60, data_range=[low, high], seed=seeded(SEED),
                          timeout=60.0, returns=x.shape)
    assert np.array_equal(out[:, [1, 3]], x[:, [1, 3]]), "observed entries changed"
    assert np.mean(np.abs(out[:, [0, 2]] - x[:, [0, 2]]) > 1e-4) > 0.9, "hidden entries did not change"
    assert out.min() >= low - 1e-6 and out.max() <= high + 1e-6, (
        f"values left the data range [{low:g}, {high:g}]: min {out.min():.3f}, max {out.max():.3f}")
    before = judge_log_likelihood(model, x, "logistic").mean()
    after = judge_log_likelihood(model, out, "logistic").mean()
    measure("inpaint_log_p_gain", after - before, 1.0)
    assert after > before + 1.0, f"mean log p went from {before:.3f} to {after:.3f}; inpainting should raise it"
