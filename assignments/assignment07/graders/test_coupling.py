"""Coupling layer: invertibility, structure, its own network, on weights the grader draws."""
import numpy as np
import pytest

from autograder.judge import probes, seeds
from assignments.assignment07.builders import WEIGHT_STD, randomized_layer
from autograder.judge.facade import f32

DIM = 7          # odd on purpose: the halves differ in size
KEPT = {0: DIM // 2, 1: DIM - DIM // 2}  # parity 0 keeps floor(D/2) dims, parity 1 the other ceil(D/2)
ROUND_TRIP_TOL = 1e-4  # max |backward(forward(x)) - x| of one layer


def _layer(sub, parity, label, new=False):
    """The CouplingLayer(DIM, parity) of the checks (one per parity, unless ``new``), with weights drawn for ``label``."""
    return randomized_layer(sub, f"{label}: layer {parity}", "CouplingLayer", DIM, parity, hidden_units=[32, 32],
                            new=new)


def _probe(rng, n=64):
    """Rows the contract allows: most like data, an eighth far out (|x| up to about 40)."""
    return f32(np.concatenate([2.0 * rng.standard_normal((n - n // 8, DIM)), 15.0 * rng.standard_normal((n // 8, DIM))]))


@pytest.mark.points(3)
def test_coupling_inverse(submission, measure):
    """backward(forward(x)) = x and forward(backward(z)) = z for both parities (on two copies of the layer)."""
    rng = seeds.rng("coupling inverse")
    worst = 0.0
    for parity in (0, 1):
        layer = _layer(submission, parity, "coupling inverse")
        copy = layer.twin()  # same weights, another process: it cannot look up what `layer` returned
        x = _probe(rng)
        y = layer.forward(x)
        for name, err in (("backward(forward(x))", np.max(np.abs(copy.backward(probes.relay(y, rng, 1e-7)) - x))),
                          ("forward(backward(z))", None)):
            if err is None:
                z = _probe(rng)
                err = np.max(np.abs(layer.forward(probes.relay(copy.backward(z), rng, 1e-7)) - z))
            worst = max(worst, err)
            measure("coupling_round_trip_error", worst, ROUND_TRIP_TOL, lambda e, n=name, p=parity: (
                f"CouplingLayer.backward does not undo CouplingLayer.forward (parity={p}): max |{n} - input| = "
                f"{e:.3g}, expected < {ROUND_TRIP_TOL:g}. backward must subtract the same shift m(kept half) that forward adds, "
                "computed from the kept half, and put both halves back where split_halves took them"))


@pytest.mark.points(3)
def test_coupling_structure(submission, measure):
    """One half passes bit-for-bit (parity 0: floor(D/2) dims, parity 1 the others), the other is shifted by a function of the first."""
    rng = seeds.rng("coupling structure")
    kept_sets = []
    for parity in (0, 1):
        layer = _layer(submission, parity, "coupling structure")
        copy = layer.twin()
        x = _probe(rng)
        y = layer.forward(x)
        kept = [j for j in range(DIM) if np.array_equal(y[:, j], x[:, j])]
        changed = [j for j in range(DIM) if np.mean(y[:, j] != x[:, j]) > 0.9]
        assert len(kept) == KEPT[parity], (
            f"CouplingLayer.forward with parity={parity}: {len(kept)} of {DIM} dimensions pass through unchanged "
            f"(dims {kept}); with D = {DIM}, parity=0 keeps floor(D/2) = {KEPT[0]} dims exactly and parity=1 the "
            f"other {KEPT[1]} (check split_halves)")
        assert sorted(kept + changed) == list(range(DIM)), (
            f"CouplingLayer.forward with parity={parity}: dims {sorted(set(range(DIM)) - set(kept) - set(changed))} "
            "are neither kept exactly nor shifted (check split_halves and merge_halves)")
        x2 = x.copy()
        x2[:, changed] = f32(x2[:, changed] + rng.standard_normal((len(x), len(changed))))
        shift1 = (y - x)[:, changed]
        shift2 = (copy.forward(x2) - x2)[:, changed]
        measure(f"shift_dependence_parity{parity}", np.max(np.abs(shift1 - shift2), initial=0.0), 1e-4,
                f"CouplingLayer.forward with parity={parity}: the shift m(.) changed when only the shifted half "
                "changed; m must take the pass-through half only")
        kept_sets.append(set(kept))
    both, neither = kept_sets[0] & kept_sets[1], set(range(DIM)) - kept_sets[0] - kept_sets[1]
    assert not both and not neither, (
        f"CouplingLayer: parity 0 keeps dims {sorted(kept_sets[0])} and parity 1 dims {sorted(kept_sets[1])}: the "
        "two parities must keep complementary halves, so that every dim is kept by exactly one of them")


@pytest.mark.points(1)
def test_coupling_own_network(submission):
    """Two coupling layers built alike have their own networks: new weights for one do not change what the other computes."""
    rng = seeds.rng("coupling own network")
    x = rng.standard_normal((16, DIM))
    first = _layer(submission, 0, "coupling own network: first")
    second = _layer(submission, 0, "coupling own network: second", new=True)  # built after `first`, alike
    before = second.ask("forward", x)
    first.set_random_weights(WEIGHT_STD, rng, x)
    after = second.repeat("forward", x, before)  # the judge knows `second`'s weights as it set them, not as `first` left them
    before = before.values
    assert not probes.disagreement(after, before, probes.centre_of(before)), (
        "two CouplingLayer(...) objects share their network m: giving one of them new weights changed what the "
        "other computes. Each layer needs its own network (build it in __init__, not once for all layers)")
