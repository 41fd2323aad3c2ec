"""The NICE model: invertible, alternating, one network per coupling, scaling log-det."""
import numpy as np
import pytest

from autograder.judge import maths
from autograder.judge.facade import expect_array
from autograder.judge.procedures import judge_log_det
from autograder.judge.seeds import seeded

DIM = 6
SEED = 31337
HIDDEN = [24, 24]


def _model(sub, seed=SEED, **kwargs):
    sub.seed(seeded(seed))
    model = sub.new("NICE", DIM, num_couplings=4, hidden_units=HIDDEN, **kwargs)
    model.forward(np.zeros((1, DIM)))  # builds every layer
    return model


def randomized_model(sub, seed=SEED, min_abs_log_det=1.0, **kwargs):
    """A NICE whose weights (the scale included) are random, with a clearly non-zero log-det."""
    model = _model(sub, seed, **kwargs)
    for k in range(20):
        model.randomize(seeded(seed) + k, 0.3)
        if abs(float(model.log_det())) > min_abs_log_det:
            break
    return model


def _mlp_params(n_in, n_out, hidden):
    sizes = [n_in, *hidden, n_out]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


@pytest.mark.points(3)
def test_nice_inverse(submission, measure):
    """backward(forward(x)) = x and forward(backward(z)) = z for the whole model."""
    model = randomized_model(submission)
    rng = np.random.default_rng(seeded(SEED))
    x = rng.standard_normal((128, DIM))
    z = expect_array(model.forward(x), x.shape, f"{model.label}.forward(x)")
    assert np.max(np.abs(z - x)) > 1e-3, f"{model.label}.forward(x) returned x unchanged"
    err = np.max(np.abs(expect_array(model.backward(z), x.shape, "backward(forward(x))") - x))
    measure("model_inverse_error", err, 1e-3)
    assert err < 1e-3, f"max |backward(forward(x)) - x| = {err:.3g}, expected < 1e-3"
    z = rng.standard_normal((128, DIM))
    err = np.max(np.abs(model.forward(model.backward(z)) - z))
    measure("model_forward_of_backward_error", err, 1e-3)
    assert err < 1e-3, f"max |forward(backward(z)) - z| = {err:.3g}, expected < 1e-3"


@pytest.mark.points(2)
def test_nice_alternation(submission, measure):
    """Every output depends on other inputs: the couplings alternate which half they modify."""
    model = randomized_model(submission)
    x = np.random.default_rng(seeded(SEED + 1)).standard_normal((4, DIM))
    outputs = model.forward(maths.finite_difference_points(x, 1e-3))
    jac = np.max(np.abs(maths.finite_difference_jacobian(x, outputs, 1e-3)), axis=0)
    off = jac - np.diag(np.diag(jac))
    measure("weakest_cross_dependence", off.max(axis=1).min(), 1e-3)
    isolated = [i for i in range(DIM) if off[i].max() < 1e-3]
    assert not isolated, (f"outputs {isolated} of forward depend only on their own input: those dims are "
                          "never shifted by any coupling (do the layers alternate halves?)")


@pytest.mark.points(1)
def test_nice_separate_networks(submission):
    """Each of the 4 couplings has its own network (no weight sharing)."""
    model = _model(submission)
    x = np.random.default_rng(seeded(SEED + 4)).standard_normal((64, DIM))
    used = model.used_parameters(x)
    smallest = min(_mlp_params(DIM // 2, DIM - DIM // 2, HIDDEN), _mlp_params(DIM - DIM // 2, DIM // 2, HIDDEN))
    assert used >= 4 * smallest, (
        f"forward of NICE(num_couplings=4) depends on {used} trainable parameters, fewer than 4 separate "
        f"coupling networks of hidden_units={HIDDEN} have ({4 * smallest}): are networks shared?")


@pytest.mark.points(2)
def test_scaling_layer_log_det(submission, measure):
    """ScalingLayer: a diagonal scaling whose log_det_jacobian is the sum of log scales it applies."""
    rng = np.random.default_rng(seeded(SEED + 2))
    layer = submission.new("ScalingLayer", DIM)
    x = rng.uniform(0.5, 2.0, (8, DIM))
    layer.forward(x)  # build
    layer.randomize(seeded(SEED), 0.7)
    y = expect_array(layer.forward(x), x.shape, f"{layer.label}.forward(x)")
    ratio = y / x
    assert np.allclose(ratio, ratio[0], rtol=1e-4), "forward is not a per-dimension scaling (y / x varies by row)"
    assert not np.allclose(ratio[0], 1.0), "with random weights the scaling layer still returns its input"
    expected = float(np.sum(np.log(np.abs(ratio[0]))))
    got = float(layer.log_det())
    measure("scaling_log_det_error", abs(got - expected), 1e-3)
    assert abs(got - expected) < 1e-3, (
        f"log_det_jacobian() returned {got:.4f}, but forward scales the dims by {np.round(ratio[0], 3)} "
        f"whose log|det| is {expected:.4f}")
    err = np.max(np.abs(layer.backward(y) - x))
    assert err < 1e-4, f"backward does not undo the scaling (max error {err:.3g})"


@pytest.mark.points(3)
def test_model_log_det_matches_jacobian(submission, measure):
    """model.log_det_jacobian() equals log|det| of the Jacobian of forward, computed by the grader."""
    model = randomized_model(submission)
    x = np.random.default_rng(seeded(SEED + 3)).standard_normal((16, DIM))
    numeric = judge_log_det(model, x)
    got = float(model.log_det())
    err = measure("model_log_det_error", abs(float(np.median(numeric)) - got), 0.02)
    assert err < 0.02, (
        f"log_det_jacobian() = {got:.4f}, but log|det J_forward(x)| (median over 16 points) is "
        f"{float(np.median(numeric)):.4f}")
