"""The NICE model: invertible, alternating, one network per coupling, the architecture it is given, its log-det."""
import itertools

import numpy as np
import pytest

from autograder.judge import seeds
from autograder.judge.builders import (DIM, HIDDEN, built_model, constant_blocks, inverse_blame, isolated_outputs,
                                       mlp_params, randomized_model)
from autograder.judge.procedures import judge_log_det

INVERSE_TOL = 1e-3  # max |backward(forward(x)) - x| of a model, and the least change forward must make
HINT = "NICE.backward must undo the scaling first, then the couplings in reverse order, each with CouplingLayer.backward"


@pytest.mark.points(3)
def test_nice_inverse(submission, measure):
    """backward(forward(x)) = x and forward(backward(z)) = z for the whole model (on two copies of it)."""
    model = randomized_model(submission, "nice inverse", needs_log_det=False)
    copy = model.twin()  # same weights, another process: it cannot look up what `model` returned
    rng = seeds.rng("nice inverse")
    x = rng.standard_normal((128, DIM))
    z = model.forward(x)
    assert np.max(np.abs(z - x)) > INVERSE_TOL, "NICE.forward returned its input unchanged"
    measure("model_inverse_error", np.max(np.abs(copy.backward(z) - x)), INVERSE_TOL,
            lambda e: f"max |backward(forward(x)) - x| = {e:.3g}, expected < {INVERSE_TOL:g}: {inverse_blame(submission, HINT)}")
    z = rng.standard_normal((128, DIM))
    measure("model_forward_of_backward_error", np.max(np.abs(model.forward(copy.backward(z)) - z)), INVERSE_TOL,
            lambda e: f"max |forward(backward(z)) - z| = {e:.3g}, expected < {INVERSE_TOL:g}: {inverse_blame(submission, HINT)}")



@pytest.mark.points(2)
def test_nice_alternation(submission, measure):
    """The couplings alternate which half they change: for 2, 3, 4 and 5 couplings no output is left untransformed, and no half is changed twice in a row."""
    rng = seeds.rng("nice alternation")
    kept_first = None
    for k in (1, 4, 2, 3, 5):
        model = randomized_model(submission, f"nice alternation k={k}", needs_log_det=False, num_couplings=k)
        x = rng.standard_normal((8, DIM))
        isolated, off, jac = isolated_outputs(model, x, rng)
        if k == 1:
            kept_first = isolated  # the half the first coupling keeps: what the second one must change
            continue
        if k == 4:
            measure("weakest_cross_dependence", off.max(axis=1).min(), 1e-3, at_least=True)
        assert not isolated, (
            f"with NICE({DIM}, num_couplings={k}), outputs {isolated} of forward depend only on their own input: "
            "those dims are never changed by any coupling. Each coupling must change the half the previous one "
            "kept (NICE builds its couplings with alternating parity)")
        if k == 3 and len(kept_first) == DIM // 2:
            other = [j for j in range(DIM) if j not in kept_first]
            constant = constant_blocks(jac, [kept_first, other])
            assert not constant, (
                f"with NICE({DIM}, num_couplings=3), the dims {constant[0]} are changed by one coupling only, as "
                "if two consecutive couplings changed the same half: each coupling must change the half the "
                "previous one kept (alternating parity 0, 1, 0, ...)")


@pytest.mark.points(1)
def test_nice_separate_networks(submission):
    """Each of the 4 couplings has its own network (no weight sharing)."""
    model = built_model(submission, "separate networks")
    rng = seeds.rng("separate networks")
    used = model.dependent_parameters(rng.standard_normal((64, DIM)), rng)
    smallest = min(mlp_params(DIM // 2, DIM - DIM // 2, HIDDEN), mlp_params(DIM - DIM // 2, DIM // 2, HIDDEN))
    assert used >= 4 * smallest, (
        f"forward of NICE(num_couplings=4) depends on {used} tracked parameters, fewer than 4 separate "
        f"coupling networks of hidden_units={HIDDEN} have ({4 * smallest}): are networks shared between "
        "CouplingLayers?")


@pytest.mark.points(1)
def test_nice_num_couplings(submission):
    """NICE(num_couplings=k) stacks k couplings: k = 1 is one coupling (half the outputs pass through), and k = 1, 2, 3, 5 differ."""
    rng = seeds.rng("num couplings")
    x, probe = rng.standard_normal((64, DIM)), rng.standard_normal((4, DIM))
    outputs = {}
    for k in (1, 2, 3, 5):
        model = randomized_model(submission, f"num couplings k={k}", needs_log_det=False, num_couplings=k)
        outputs[k] = model.forward(x)
        if k == 1:
            isolated = isolated_outputs(model, probe, rng)[0]
            assert len(isolated) == DIM // 2, (
                f"NICE({DIM}, num_couplings=1) should be one coupling and the scaling, so that the {DIM // 2} "
                f"outputs of its kept half depend only on their own input; {len(isolated)} do (outputs "
                f"{isolated}). Does NICE build num_couplings CouplingLayers?")
    same = [(a, b) for a, b in itertools.combinations(outputs, 2) if np.allclose(outputs[a], outputs[b], atol=1e-6)]
    assert not same, (f"NICE({DIM}, num_couplings=k) computes the same forward for k = "
                      f"{' and '.join(map(str, same[0]))}: does NICE build num_couplings CouplingLayers?")


@pytest.mark.points(1)
def test_nice_hidden_units(submission):
    """NICE(hidden_units=h) builds the coupling networks with hidden layers h: more and wider layers, more parameters."""
    rng = seeds.rng("hidden units")
    x = rng.standard_normal((64, DIM))
    configs = ([8], [16, 16], [32, 32, 32])
    # two couplings show it as well as four, with half the weights to perturb one at a time
    models = [built_model(submission, f"hidden units {h}", num_couplings=2, hidden_units=h) for h in configs]
    counts = [model.dependent_parameters(x, rng) for model in models]
    floors = [mlp_params(DIM // 2, DIM - DIM // 2, h) for h in configs]
    grows = counts[0] < counts[1] < counts[2]
    assert grows and all(c >= f for c, f in zip(counts, floors)), (
        f"forward of NICE({DIM}, num_couplings=2, hidden_units=h) for h = {', '.join(map(str, configs))} "
        f"depends on {', '.join(map(str, counts))} tracked parameters; it should depend on more for more and "
        "wider hidden layers, and on at least one network with those hidden layers "
        f"({', '.join(map(str, floors))} parameters). Does NICE pass hidden_units to every CouplingLayer's network?")


@pytest.mark.points(3)
def test_model_log_det_matches_jacobian(submission, measure):
    """model.log_det_jacobian() equals log|det| of the Jacobian of forward, computed by the grader."""
    model = randomized_model(submission, "model log det")
    rng = seeds.rng("model log det")
    numeric = float(np.median(judge_log_det(model, rng.standard_normal((16, DIM)), rng)))
    got = model.log_det()
    measure("model_log_det_error", abs(numeric - got), 0.02, lambda e: (
        f"NICE.log_det_jacobian() = {got:.4f}, but log|det J| of forward (median over 16 points) is {numeric:.4f}: "
        "additive couplings have log-det 0, so the model's log-det is the scaling layer's (check "
        "ScalingLayer.log_det_jacobian and NICE.log_det_jacobian)"))
