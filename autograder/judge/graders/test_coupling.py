"""Coupling layer: invertibility, structure, its own network."""
import numpy as np
import pytest

from autograder.judge.facade import f32
from autograder.judge.seeds import seeded

DIM = 7          # odd on purpose: the halves differ in size
SEED = 90417     # hidden: students never see the graders' data
KEPT = {0: DIM // 2, 1: DIM - DIM // 2}  # parity 0 keeps floor(D/2) dims, parity 1 the other ceil(D/2)


def _layer(sub, parity):
    return sub.new("CouplingLayer", DIM, parity, hidden_units=[32, 32])


@pytest.mark.points(3)
def test_coupling_inverse(submission, measure):
    """backward(forward(x)) = x and forward(backward(z)) = z for both parities (on two copies of the layer)."""
    rng = np.random.default_rng(seeded(SEED))
    worst = 0.0
    for parity in (0, 1):
        layer = _layer(submission, parity)
        copy = layer.twin()  # same weights, another process: it cannot look up what `layer` returned
        x = f32(2.0 * rng.standard_normal((64, DIM)))
        y = layer.forward(x)
        if np.max(np.abs(y - x)) < 1e-3:
            pytest.fail(f"{layer.label}.forward(x) returned x unchanged: an identity is invertible but "
                        "is not a coupling layer", pytrace=False)
        err = np.max(np.abs(copy.backward(y) - x))
        worst = measure("coupling_round_trip_error", max(worst, err), 1e-4)
        assert err < 1e-4, f"parity={parity}: max |backward(forward(x)) - x| = {err:.3g}, expected < 1e-4"
        z = 2.0 * rng.standard_normal((64, DIM))
        err = np.max(np.abs(layer.forward(copy.backward(z)) - z))
        worst = measure("coupling_round_trip_error", max(worst, err), 1e-4)
        assert err < 1e-4, f"parity={parity}: max |forward(backward(z)) - z| = {err:.3g}, expected < 1e-4"


@pytest.mark.points(3)
def test_coupling_structure(submission, measure):
    """One half passes bit-for-bit (parity 0: floor(D/2) dims, parity 1 the others), the other is shifted by a function of the first."""
    rng = np.random.default_rng(seeded(SEED + 1))
    kept_sets = []
    for parity in (0, 1):
        layer = _layer(submission, parity)
        copy = layer.twin()
        x = f32(2.0 * rng.standard_normal((64, DIM)))
        y = layer.forward(x)
        kept = [j for j in range(DIM) if np.array_equal(y[:, j], x[:, j])]
        changed = [j for j in range(DIM) if np.mean(y[:, j] != x[:, j]) > 0.9]
        assert len(kept) == KEPT[parity], (
            f"parity={parity}: {len(kept)} of {DIM} dimensions pass through unchanged (dims {kept}); "
            f"with D = {DIM}, parity=0 keeps floor(D/2) = {KEPT[0]} dims exactly and parity=1 the other {KEPT[1]}")
        assert sorted(kept + changed) == list(range(DIM)), (
            f"parity={parity}: dims {sorted(set(range(DIM)) - set(kept) - set(changed))} are neither kept "
            "exactly nor shifted")
        x2 = x.copy()
        x2[:, changed] = f32(x2[:, changed] + rng.standard_normal((64, len(changed))))
        shift1 = (y - x)[:, changed]
        shift2 = (copy.forward(x2) - x2)[:, changed]
        measure(f"shift_dependence_parity{parity}", np.max(np.abs(shift1 - shift2), initial=0.0), 1e-4)
        assert np.allclose(shift1, shift2, atol=1e-4), (
            f"parity={parity}: the shift m(.) changed when only the shifted half changed; "
            "m must depend on the pass-through half only")
        kept_sets.append(set(kept))
    both, neither = kept_sets[0] & kept_sets[1], set(range(DIM)) - kept_sets[0] - kept_sets[1]
    assert not both and not neither, (
        f"parity 0 keeps dims {sorted(kept_sets[0])} and parity 1 dims {sorted(kept_sets[1])}: the two "
        "parities must keep complementary halves, so that every dim is kept by exactly one of them")


@pytest.mark.points(1)
def test_coupling_own_network(submission):
    """Two coupling layers built alike have their own, independently initialised networks."""
    x = np.random.default_rng(seeded(SEED + 2)).standard_normal((16, DIM))
    submission.seed(seeded(SEED))
    a = _layer(submission, 0).forward(x)
    b = _layer(submission, 0).forward(x)
    assert not np.allclose(a, b), ("two CouplingLayer(...) objects computed the same shift: each "
                                   "layer needs its own network m")
