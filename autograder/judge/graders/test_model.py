"""The NICE model: invertible, alternating, one network per coupling, the architecture it is given, scaling log-det."""
import itertools

import numpy as np
import pytest

from autograder.judge import maths
from autograder.judge.procedures import judge_log_det, robust_log_det
from autograder.judge.seeds import seeded

DIM = 6
SEED = 31337
HIDDEN = [24, 24]


def built_model(sub, seed=SEED, num_couplings=4, hidden_units=HIDDEN, **kwargs):
    """A fresh NICE(DIM, ...) built under ``seed``, its layers built (weights as initialized)."""
    sub.seed(seeded(seed))
    model = sub.new("NICE", DIM, num_couplings=num_couplings, hidden_units=hidden_units, **kwargs)
    model.build()
    return model


def randomized_model(sub, seed=SEED, min_abs_log_det=0.5, **kwargs):
    """A NICE whose weights (the scale included) are random, with a log-det far from 0 (10x the tolerances).

    The log-det is the grader's own (finite differences of forward): a wrong log_det_jacobian() costs
    only the checks of log_det_jacobian itself.
    """
    model = built_model(sub, seed, **kwargs)
    probe = np.random.default_rng(seeded(seed) + 1000).standard_normal((8, DIM))
    for k in range(20):
        model.randomize(seeded(seed) + k, 0.3)
        if abs(robust_log_det(model, probe)) > min_abs_log_det:
            break
    return model


def _mlp_params(n_in, n_out, hidden):
    sizes = [n_in, *hidden, n_out]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def _isolated_outputs(model, x):
    """Outputs of forward whose finite-difference Jacobian row is zero off the diagonal."""
    outputs = model.forward(maths.finite_difference_points(x, 1e-3))
    jac = np.max(np.abs(maths.finite_difference_jacobian(x, outputs, 1e-3)), axis=0)
    off = jac - np.diag(np.diag(jac))
    return [i for i in range(len(off)) if off[i].max() < 1e-3], off


@pytest.mark.points(3)
def test_nice_inverse(submission, measure):
    """backward(forward(x)) = x and forward(backward(z)) = z for the whole model (on two copies of it)."""
    model = randomized_model(submission)
    copy = model.twin()  # same weights, another process: it cannot look up what `model` returned
    rng = np.random.default_rng(seeded(SEED))
    x = rng.standard_normal((128, DIM))
    z = model.forward(x)
    assert np.max(np.abs(z - x)) > 1e-3, f"{model.label}.forward(x) returned x unchanged"
    err = np.max(np.abs(copy.backward(z) - x))
    measure("model_inverse_error", err, 1e-3)
    assert err < 1e-3, f"max |backward(forward(x)) - x| = {err:.3g}, expected < 1e-3"
    z = rng.standard_normal((128, DIM))
    err = np.max(np.abs(model.forward(copy.backward(z)) - z))
    measure("model_forward_of_backward_error", err, 1e-3)
    assert err < 1e-3, f"max |forward(backward(z)) - z| = {err:.3g}, expected < 1e-3"


@pytest.mark.points(2)
def test_nice_alternation(submission, measure):
    """Every output depends on other inputs: the couplings alternate which half they modify."""
    model = randomized_model(submission)
    isolated, off = _isolated_outputs(model, np.random.default_rng(seeded(SEED + 1)).standard_normal((4, DIM)))
    measure("weakest_cross_dependence", off.max(axis=1).min(), 1e-3)
    assert not isolated, (f"outputs {isolated} of forward depend only on their own input: those dims are "
                          "never shifted by any coupling (do the layers alternate halves?)")


@pytest.mark.points(1)
def test_nice_separate_networks(submission):
    """Each of the 4 couplings has its own network (no weight sharing)."""
    model = built_model(submission)
    x = np.random.default_rng(seeded(SEED + 4)).standard_normal((64, DIM))
    used = model.used_parameters(x)
    smallest = min(_mlp_params(DIM // 2, DIM - DIM // 2, HIDDEN), _mlp_params(DIM - DIM // 2, DIM // 2, HIDDEN))
    assert used >= 4 * smallest, (
        f"forward of NICE(num_couplings=4) depends on {used} trainable parameters, fewer than 4 separate "
        f"coupling networks of hidden_units={HIDDEN} have ({4 * smallest}): are networks shared?")


@pytest.mark.points(1)
def test_nice_num_couplings(submission):
    """NICE(num_couplings=k) stacks k couplings: k = 1 is one coupling (half the outputs pass through), and k = 1, 2, 3, 5 differ."""
    rng = np.random.default_rng(seeded(SEED + 5))
    x, probe = rng.standard_normal((64, DIM)), rng.standard_normal((4, DIM))
    outputs = {}
    for k in (1, 2, 3, 5):
        model = built_model(submission, seed=SEED + 5, num_couplings=k)
        model.randomize(seeded(SEED + 5), 0.3)
        outputs[k] = model.forward(x)
        if k == 1:
            isolated, _ = _isolated_outputs(model, probe)
            assert len(isolated) == DIM // 2, (
                f"NICE({DIM}, num_couplings=1) should be one coupling and the scaling, so that the {DIM // 2} "
                f"outputs of its kept half depend only on their own input; {len(isolated)} do (outputs "
                f"{isolated}). Is num_couplings used?")
    same = [(a, b) for a, b in itertools.combinations(outputs, 2) if np.allclose(outputs[a], outputs[b], atol=1e-6)]
    assert not same, (f"NICE({DIM}, num_couplings=k) computes the same forward for k = "
                      f"{' and '.join(map(str, same[0]))}: is num_couplings used?")


@pytest.mark.points(1)
def test_nice_hidden_units(submission):
    """NICE(hidden_units=h) builds the coupling networks with hidden layers h: more and wider layers, more parameters."""
    x = np.random.default_rng(seeded(SEED + 6)).standard_normal((64, DIM))
    configs = ([8], [16, 16], [32, 32, 32])
    counts = [built_model(submission, hidden_units=h).used_parameters(x) for h in configs]
    floors = [_mlp_params(DIM // 2, DIM - DIM // 2, h) for h in configs]
    grows = counts[0] < counts[1] < counts[2]
    assert grows and all(c >= f for c, f in zip(counts, floors)), (
        f"forward of NICE({DIM}, hidden_units=h) for h = {', '.join(map(str, configs))} depends on "
        f"{', '.join(map(str, counts))} trainable parameters; it should depend on more for more and wider hidden "
        f"layers, and on at least one network with those hidden layers ({', '.join(map(str, floors))} "
        "parameters). Is hidden_units passed to every coupling network?")


@pytest.mark.points(2)
def test_scaling_layer_log_det(submission, measure):
    """ScalingLayer: a diagonal scaling whose log_det_jacobian is the sum of log scales it applies."""
    rng = np.random.default_rng(seeded(SEED + 2))
    layer = submission.new("ScalingLayer", DIM)
    layer.build()
    layer.randomize(seeded(SEED), 0.7)
    copy = layer.twin()
    x = rng.uniform(0.5, 2.0, (8, DIM))
    y = layer.forward(x)
    ratio = y / x
    assert np.allclose(ratio, ratio[0], rtol=1e-4), "forward is not a per-dimension scaling (y / x varies by row)"
    assert not np.allclose(ratio[0], 1.0), "with random weights the scaling layer still returns its input"
    expected = float(np.sum(np.log(np.abs(ratio[0]))))
    got = layer.log_det()
    measure("scaling_log_det_error", abs(got - expected), 1e-3)
    assert abs(got - expected) < 1e-3, (
        f"log_det_jacobian() returned {got:.4f}, but forward scales the dims by {np.round(ratio[0], 3)} "
        f"whose log|det| is {expected:.4f}")
    err = np.max(np.abs(copy.backward(y) - x))
    assert err < 1e-4, f"backward does not undo the scaling (max error {err:.3g})"


@pytest.mark.points(3)
def test_model_log_det_matches_jacobian(submission, measure):
    """model.log_det_jacobian() equals log|det| of the Jacobian of forward, computed by the grader."""
    model = randomized_model(submission)
    x = np.random.default_rng(seeded(SEED + 3)).standard_normal((16, DIM))
    numeric = judge_log_det(model, x)
    got = model.log_det()
    err = measure("model_log_det_error", abs(float(np.median(numeric)) - got), 0.02)
    assert err < 0.02, (
        f"log_det_jacobian() = {got:.4f}, but log|det J_forward(x)| (median over 16 points) is "
        f"{float(np.median(numeric)):.4f}")
