"""Hidden probes: decoys look like the judge's rows, the order is secret, answers map back exactly."""
import numpy as np

from autograder.judge import probes


def test_hidden_rows_come_back_in_order_among_decoys():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 3))
    hidden = probes.Hidden(x, rng)
    assert 20 <= hidden.decoy_count <= 42 + 12 * (42 // 24) and len(hidden.batch) == 40 + hidden.decoy_count
    assert np.array_equal(hidden.take(hidden.batch), x)
    assert not np.array_equal(hidden.batch[:40], x), "the judge's rows are not at the front"
    other = hidden.mix(np.ones((40, 3)), np.zeros((hidden.decoy_count, 3)))
    assert np.array_equal(hidden.take(other), np.ones((40, 3))) and other.sum() == 120


def test_rows_asked_again_keep_their_positions_and_the_batch_length_among_new_decoys():
    """Kernels round a row by its position modulo the vector width: the recheck keeps it, nothing else."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((40, 3))
    hidden = probes.Hidden(x, rng)
    rows = probes.recheck_rows(40, rng)
    again = hidden.again(rows, x, rng)
    assert len(again.batch) == len(hidden.batch) and np.array_equal(again.index, hidden.index[rows])
    assert np.array_equal(again.take(again.batch), x[rows])
    others = np.setdiff1d(np.arange(len(hidden.batch)), hidden.index[rows])
    assert not np.isin(again.batch[others], hidden.batch[others]).all(axis=1).any(), "new decoys"
    plain = probes.Hidden.plain(x)
    assert np.array_equal(plain.batch, x)
    again = plain.again(rows, x, rng)
    assert len(again.batch) == 40 and np.array_equal(again.batch[rows], x[rows])


def test_decoys_are_near_copies_at_every_scale_and_some_symmetric_pairs():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((200, 4))
    d = probes.decoys(x, rng, count=200)
    nearest = np.min(np.linalg.norm(d[:, None] - x[None], axis=-1), axis=1)
    assert nearest.min() < 1e-2 and np.median(nearest) < 0.5 < nearest.max(), "close and far ones"
    pairs = 200 // 8
    centres = (d[:pairs] + d[pairs:2 * pairs]) / 2
    gaps = np.linalg.norm(d[:pairs] - d[pairs:2 * pairs], axis=-1)
    assert np.all((gaps >= 4e-3 - 1e-9) & (gaps <= 1.2e-2 + 1e-9)) and np.all(np.isfinite(centres))


def test_some_decoys_are_stencil_shaped_groups_around_one_midpoint():
    """Groups of symmetric pairs that share a midpoint, at every step range of the judge's stencils."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((96, 6))
    d = probes.decoys(x, rng)
    midpoints = {}
    for i in range(len(d)):
        for j in range(i + 1, len(d)):
            gap = np.linalg.norm(d[i] - d[j])
            if gap < 0.15:
                midpoints.setdefault(tuple(np.round((d[i] + d[j]) / 2, 9)), []).append(gap)
    shared = [gaps for gaps in midpoints.values() if len(gaps) >= 2]
    assert shared, "at least one midpoint shared by two or more symmetric pairs"


def test_a_batch_of_one_and_constant_columns_still_get_decoys():
    rng = np.random.default_rng(2)
    hidden = probes.Hidden(np.zeros((1, 3)), rng)
    assert hidden.decoy_count >= 2 and np.all(np.isfinite(hidden.batch))


def test_disagreement_ignores_float_noise_and_catches_context_dependent_answers():
    a = np.array([[1.0, -2.0], [np.nan, 3.0]])
    assert probes.disagreement(a, a * (1 + 1e-7)) == 0.0
    assert probes.disagreement(a, a + [[0, 1e-3], [0, 0]]) > 0
    assert probes.disagreement(a, np.where(np.isnan(a), 0.0, a)) == np.inf  # NaN against a number


def test_disagreement_is_measured_from_the_centre_so_an_offset_does_not_widen_it():
    """An answer 2048 + y is as close to 2048 + y' as y to y': the tolerance does not grow with the offset."""
    y = np.random.default_rng(5).standard_normal((16, 3))
    moved = y + 1e-3
    assert probes.disagreement(y, moved) > 0
    assert probes.disagreement(2048 + y, 2048 + moved) == 0.0  # measured from 0, the offset hides it
    assert probes.disagreement(2048 + y, 2048 + moved, probes.centre_of(2048 + y)) > 0
    assert np.allclose(probes.centre_of(np.array([[1.0, np.nan], [3.0, 2.0], [5.0, np.inf]])), [3.0, 2.0])


def test_recheck_rows_are_a_random_subset():
    rng = np.random.default_rng(3)
    rows = probes.recheck_rows(192, rng)
    assert len(rows) == 24 and len(set(rows)) == 24 and rows.max() < 192
    assert len(probes.recheck_rows(3, rng)) == 2 and len(probes.recheck_rows(1, rng)) == 1
