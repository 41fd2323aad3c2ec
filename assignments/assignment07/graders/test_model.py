"""The NICE model: invertible, alternating, one network per coupling, the architecture it is given, its log-det."""
import itertools

import numpy as np
import pytest

from autograder.judge import probes, seeds
from assignments.assignment07 import maths
from assignments.assignment07.builders import (DIM, HIDDEN, constant_blocks, inverse_blame, isolated_outputs, mlp_params,
                                       randomized_model)
from assignments.assignment07.procedures import judge_jacobian, judge_jacobians, smooth_jacobians

#: max |backward(forward(x)) - x| / (1 + |x|) of a model.  A correct one, even of (64, 64) networks on the
#: judge's weights: at most 1.2e-4 (float32, and the judge's expectation); the mistakes of the bank: 0.5 and more.
INVERSE_TOL = 2e-3
HINT = "NICE.backward must undo the scaling first, then the couplings in reverse order, each with CouplingLayer.backward"
#: Share of 4 networks' parameters that forward of NICE(num_couplings=4) must show: an entry of a ReLU unit
#: that no probe row activates shows nowhere, and the count is estimated from a sample of entries (the
#: reference: 0.75-0.93 of them); two networks shared by four couplings show 0.5.
SHOWN = 0.6
#: The same for each coupling of NICE(num_couplings=1 and 2, hidden_units=h) (the second's as the difference
#: of the two): deeper networks of the judge's weights leave more units dead (the reference: 0.6-1.0 for h up
#: to [32, 32, 32]; 0.39 at least over 93 graded notebooks' streams, but 0.13 once under another key for a
#: forward like the reference's: the estimate has a long lower tail, and no mistake of the bank needs more).
HIDDEN_SHOWN = 0.1
#: How many times more parameters each coupling's network must show for hidden_units [32, 32, 32] than
#: for [8] (their networks have 32 times as many): the counts are estimated from a sample of entries, so
#: one network counted twice comes out larger the second time about half of the time.
HIDDEN_GROWTH = 2.0


#: Between the two workers a round trip's middle moves by this share of its size, so no answer is relayed
#: verbatim: forward's answers go to the copy's backward moved by RELAY_SHARE (a mark in their 6 lowest
#: float32 bits is gone, and the bits above can carry far less than the x the copy would need), the copy's
#: answers to forward by FORWARD_RELAY_SHARE (backward's answer is the copy's to choose: no move keeps
#: forward from recognising it, so that half only checks backward's tails; the first half is the proof).
RELAY_SHARE = 1e-5
FORWARD_RELAY_SHARE = 1e-6


def _relative_error(got, expected):
    """max |got - expected| / (1 + |expected|): float32 keeps about 7 digits, of a row far out as of one near 0."""
    return float(np.max(np.abs(got - expected) / (1.0 + np.abs(expected))))


def _probe(rng):
    return np.concatenate([rng.standard_normal((112, DIM)), 15.0 * rng.standard_normal((16, DIM))])  # tails too


def _solve(inverses, r):
    return np.einsum("nij,nj->ni", inverses, r)


def _preimage(model, x, z, moved, rng):
    """The judge's x' with forward(x') = ``moved``, near x = backward(z) (forward's answers, never backward's).

    Linear steps x + J^-1 (moved - z) with finite-difference Jacobians at two step sizes, then one more
    step from each; each row keeps the candidate whose forward lies nearest ``moved``.  One linear step
    alone misses by up to 4e-3 (1 + |x|) where a ReLU kink lies between x and x' (a (64, 64) network);
    the nearest candidate by 1e-4.
    """
    inverses = [np.linalg.pinv(j) for j in judge_jacobians(model, x, rng, ("tiny", "small")).values()]
    first = [x + _solve(p, moved - z) for p in inverses]
    images = np.split(model.forward(np.concatenate(first)), len(first))
    second = [c + _solve(p, moved - image) for c, image in zip(first, images) for p in inverses]
    candidates = np.array(first + second)
    images = np.array(images + np.split(model.forward(np.concatenate(second)), len(second)))
    miss = np.max(np.abs(images - moved) / (1.0 + np.abs(moved)), axis=2)  # (candidate, row)
    return candidates[np.argmin(miss, axis=0), np.arange(len(x))]


@pytest.mark.points(3)
def test_nice_inverse(submission, measure):
    """backward(forward(x)) = x and forward(backward(z)) = z for the whole model, in the tails too (on two copies of it)."""
    model = randomized_model(submission, "nice inverse", needs_log_det=False)
    copy = model.twin()  # same weights, another process: it cannot look up what `model` returned
    rng = seeds.rng("nice inverse")
    x = _probe(rng)
    z = model.forward(x)
    moved = probes.relay(z, rng, RELAY_SHARE)
    measure("model_inverse_error", _relative_error(copy.backward(moved), _preimage(model, x, z, moved, rng)),
            INVERSE_TOL, lambda e: f"|backward(forward(x)) - x| is up to {e:.3g} (1 + |x|), expected < "
                                   f"{INVERSE_TOL:g}: {inverse_blame(submission, HINT)}")
    z = _probe(rng)
    back = copy.backward(z)
    moved = probes.relay(back, rng, FORWARD_RELAY_SHARE)
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


def _hidden_unit_counts(submission, dim, configs, rng):
    """For each hidden_units of ``configs``: the parameters forward depends on of the first coupling's network
    (NICE(num_couplings=1), the scale's included) and of the second's (what NICE(num_couplings=2) adds), or
    None for the second where the notebook builds the same weights for both (num_couplings ignored: a
    mistake the num-couplings check charges, which hides the second network here)."""
    x = rng.standard_normal((64, dim))
    first, second = [], []
    for h in configs:
        counts, shapes = [], []
        for k in (1, 2):  # each counted before the next is built
            model = randomized_model(submission, f"hidden units {h} k={k}", needs_log_det=False, dim=dim,
                                     num_couplings=k, hidden_units=h)
            counts.append(model.dependence(x, rng).count())
            shapes.append([w.shape for w in model.known_weights()])
        first.append(counts[0])
        second.append(None if shapes[0] == shapes[1] else counts[1] - counts[0])
    return first, None if None in second else second


@pytest.mark.points(1)
def test_nice_hidden_units(submission, measure):
    """NICE(hidden_units=h) builds every coupling's network with hidden layers h: more and wider layers, more parameters in each."""
    rng = seeds.rng("hidden units")
    configs = ([8], [32, 32, 32])
    # An odd dim: the couplings' networks differ in shape, so no working notebook can share one between them.
    # A notebook whose couplings fail at odd dims (a mistake the coupling checks charge) is asked at an even one.
    dim = DIM + 1
    try:
        first, second = _hidden_unit_counts(submission, dim, configs, rng)
    except pytest.fail.Exception:
        dim = DIM
        first, second = _hidden_unit_counts(submission, dim, configs, rng)
    found_by = {"first": first, **({"second": second} if second is not None else {})}
    floors = [mlp_params(dim // 2, dim - dim // 2, h) for h in configs]
    measure("hidden_units_shown", min(c / f for found in found_by.values() for c, f in zip(found, floors)),
            HIDDEN_SHOWN, at_least=True)
    measure("hidden_units_growth", min(found[1] / max(found[0], 1) for found in found_by.values()), HIDDEN_GROWTH,
            at_least=True)
    for which, found in found_by.items():
        grows = found[1] >= HIDDEN_GROWTH * found[0]
        assert grows and all(c >= HIDDEN_SHOWN * f for c, f in zip(found, floors)), (
            f"forward of NICE({dim}, num_couplings=k, hidden_units=h) for h = {', '.join(map(str, configs))}: "
            f"the {which} coupling's network has about {', '.join(map(str, found))} parameters that forward "
            f"depends on; it should have at least {HIDDEN_GROWTH:g} times as many for the more and wider hidden "
            f"layers, and at least about those of a network with those hidden layers "
            f"({', '.join(map(str, floors))}). Does NICE pass hidden_units to every CouplingLayer, and does "
            "CouplingLayer build its network with them?")


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
