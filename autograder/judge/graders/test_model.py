"""The NICE model: invertible, alternating, one network per coupling, the architecture it is given, its log-det."""
import itertools

import numpy as np
import pytest

from autograder.judge import maths, probes, seeds
from autograder.judge.builders import (DIM, HIDDEN, constant_blocks, inverse_blame, isolated_outputs, mlp_params,
                                       randomized_model)
from autograder.judge.procedures import judge_jacobian, smooth_jacobians

INVERSE_TOL = 1e-3  # max |backward(forward(x)) - x| / (1 + |x|) of a model
HINT = "NICE.backward must undo the scaling first, then the couplings in reverse order, each with CouplingLayer.backward"
#: Share of 4 networks' parameters that forward of NICE(num_couplings=4) must show: an entry of a ReLU unit
#: that no probe row activates shows nowhere, and the count is estimated from a sample of entries (the
#: reference: 0.75-0.93 of them); two networks shared by four couplings show 0.5.
SHOWN = 0.6
#: The same for each coupling of NICE(num_couplings=1 and 2, hidden_units=h) (the second's as the difference
#: of the two): deeper networks of the judge's weights leave more units dead (the reference: 0.6-1.0 for h up
#: to [32, 32, 32]).
HIDDEN_SHOWN = 0.25


#: Between the two workers a round trip's middle moves by this share of its size: a mark hidden in its ten
#: lowest float32 bits is gone.  The judge moves its expectation with it, by forward's Jacobian.
RELAY_SHARE = 1e-4


def _relative_error(got, expected):
    """max |got - expected| / (1 + |expected|): float32 keeps about 7 digits, of a row far out as of one near 0."""
    return float(np.max(np.abs(got - expected) / (1.0 + np.abs(expected))))


def _probe(rng):
    return np.concatenate([rng.standard_normal((112, DIM)), 15.0 * rng.standard_normal((16, DIM))])  # tails too


@pytest.mark.points(3)
def test_nice_inverse(submission, measure):
    """backward(forward(x)) = x and forward(backward(z)) = z for the whole model, in the tails too (on two copies of it)."""
    model = randomized_model(submission, "nice inverse", needs_log_det=False)
    copy = model.twin()  # same weights, another process: it cannot look up what `model` returned
    rng = seeds.rng("nice inverse")
    x = _probe(rng)
    z = model.forward(x)
    moved = probes.relay(z, rng, RELAY_SHARE)
    step = np.einsum("nij,nj->ni", np.linalg.pinv(judge_jacobian(model, x, rng)), moved - z)  # J^-1 (moved - z)
    measure("model_inverse_error", _relative_error(copy.backward(moved), x + step), INVERSE_TOL,
            lambda e: f"|backward(forward(x)) - x| is up to {e:.3g} (1 + |x|), expected < {INVERSE_TOL:g}: "
                      f"{inverse_blame(submission, HINT)}")
    z = _probe(rng)
    back = copy.backward(z)
    moved = probes.relay(back, rng, RELAY_SHARE)
    step = np.einsum("nij,nj->ni", judge_jacobian(model, back, rng), moved - back)  # J (moved - back)
    measure("model_forward_of_backward_error", _relative_error(model.forward(moved), z + step), INVERSE_TOL,
            lambda e: f"|forward(backward(z)) - z| is up to {e:.3g} (1 + |z|), expected < {INVERSE_TOL:g}: "
                      f"{inverse_blame(submission, HINT)}")


@pytest.mark.points(2)
def test_nice_alternation(submission, measure):
    """The couplings alternate which half they change: for 2, 3, 4 and 5 couplings no output is left untransformed, and no half is changed twice in a row."""
    rng = seeds.rng("nice alternation")
    kept_first = None
    for k in (1, 4, 2, 3, 5):
        model = randomized_model(submission, f"nice alternation k={k}", needs_log_det=False, num_couplings=k)
        x = rng.standard_normal((8, DIM))
        isolated, off, jac = isolated_outputs(model, x, rng, measure)
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
def test_nice_separate_networks(submission, measure):
    """Each of the 4 couplings has its own network (no weight sharing)."""
    model = randomized_model(submission, "separate networks", needs_log_det=False)
    rng = seeds.rng("separate networks")
    used = model.dependence(rng.standard_normal((64, DIM)), rng).count()
    smallest = min(mlp_params(DIM // 2, DIM - DIM // 2, HIDDEN), mlp_params(DIM - DIM // 2, DIM // 2, HIDDEN))
    measure("separate_networks_shown", used / (4 * smallest), SHOWN, at_least=True, fail=(
        f"forward of NICE(num_couplings=4) depends on about {used} parameters, fewer than 4 separate "
        f"coupling networks of hidden_units={HIDDEN} have ({4 * smallest}): are networks shared between "
        "CouplingLayers?"))


@pytest.mark.points(1)
def test_nice_num_couplings(submission, measure):
    """NICE(num_couplings=k) stacks k couplings: k = 1 is one coupling (half the outputs pass through), and k = 1, 2, 3, 5 differ."""
    rng = seeds.rng("num couplings")
    x, probe = rng.standard_normal((64, DIM)), rng.standard_normal((4, DIM))
    outputs = {}
    for k in (1, 2, 3, 5):
        model = randomized_model(submission, f"num couplings k={k}", needs_log_det=False, num_couplings=k)
        outputs[k] = model.forward(x)
        if k == 1:
            isolated = isolated_outputs(model, probe, rng, measure)[0]
            assert len(isolated) == DIM // 2, (
                f"NICE({DIM}, num_couplings=1) should be one coupling and the scaling, so that the {DIM // 2} "
                f"outputs of its kept half depend only on their own input; {len(isolated)} do (outputs "
                f"{isolated}). Does NICE build num_couplings CouplingLayers?")
    same = [(a, b) for a, b in itertools.combinations(outputs, 2) if np.allclose(outputs[a], outputs[b], atol=1e-6)]
    assert not same, (f"NICE({DIM}, num_couplings=k) computes the same forward for k = "
                      f"{' and '.join(map(str, same[0]))}: does NICE build num_couplings CouplingLayers?")


@pytest.mark.points(1)
def test_nice_hidden_units(submission, measure):
    """NICE(hidden_units=h) builds every coupling's network with hidden layers h: more and wider layers, more parameters in each."""
    rng = seeds.rng("hidden units")
    dim = DIM + 1  # odd: the couplings' networks differ in shape, so no working notebook can share one between them
    x = rng.standard_normal((64, dim))
    configs = ([8], [32, 32, 32])
    first, second = [], []
    for h in configs:
        counts = [randomized_model(submission, f"hidden units {h} k={k}", needs_log_det=False, dim=dim, num_couplings=k,
                                   hidden_units=h).dependence(x, rng).count() for k in (1, 2)]
        first.append(counts[0])               # NICE(num_couplings=1): the first coupling (and the scale)
        second.append(counts[1] - counts[0])  # what the second coupling adds
    floors = [mlp_params(dim // 2, dim - dim // 2, h) for h in configs]
    measure("hidden_units_shown", min(c / f for found in (first, second) for c, f in zip(found, floors)), HIDDEN_SHOWN,
            at_least=True)
    for which, found in (("first", first), ("second", second)):
        grows = found[0] < found[1]
        assert grows and all(c >= HIDDEN_SHOWN * f for c, f in zip(found, floors)), (
            f"forward of NICE({dim}, num_couplings=k, hidden_units=h) for h = {', '.join(map(str, configs))}: "
            f"the {which} coupling's network has about {', '.join(map(str, found))} parameters that forward "
            "depends on; it should have more for more and wider hidden layers, and at least about those of a network "
            f"with those hidden layers ({', '.join(map(str, floors))}). Does NICE pass hidden_units to every "
            "CouplingLayer, and does CouplingLayer build its network with them?")


@pytest.mark.points(3)
def test_model_log_det_matches_jacobian(submission, measure):
    """model.log_det_jacobian() equals log|det| of the Jacobian of forward, computed by the grader, large scales included."""
    model = randomized_model(submission, "model log det", wide=[(DIM,)])  # two log-scales far out: any s is allowed
    rng = seeds.rng("model log det")
    numeric = float(np.median(maths.slogdet(smooth_jacobians(model, rng.standard_normal((16, DIM)), rng, measure)["small"])))
    got = model.log_det()
    measure("model_log_det_error", abs(numeric - got), 0.02, lambda e: (
        f"NICE.log_det_jacobian() = {got:.4f}, but log|det J| of forward (median over 16 points) is {numeric:.4f}: "
        "additive couplings have log-det 0, so the model's log-det is the scaling layer's (check "
        "ScalingLayer.log_det_jacobian and NICE.log_det_jacobian)"))
