"""How the judge asks: its rows hidden among decoys in random order, and asked again elsewhere.

A submission that recognised the judge's probes (a finite-difference stencil, a test set) could
answer them differently from everything else.  So every batch the judge sends mixes its rows with
decoys drawn like them (copies jittered at every scale from 3e-4 to 1 standard deviation, and
symmetric pairs like a stencil's), in an order drawn from the judge's secret stream; and a random
part of the rows is asked again, among other decoys, of the submission's other worker.  A function of
each row alone gives the same row back (TensorFlow's CPU kernels do, bit for bit, whatever the batch):
two answers that differ by more than :data:`AGREE` mean the submission answers by context.
"""
import numpy as np

#: Relative and absolute tolerance for "the same row gave the same answer" (float32 rounding slack).
AGREE = 1e-5
#: How many rows of a batch are asked again: an eighth, at least 2 and at most 64.
RECHECK_SHARE, RECHECK_MIN, RECHECK_MAX = 8, 2, 64


def decoys(x, rng, count=None):
    """Rows that look like ``x``'s: jittered copies at log-uniform scales, a quarter in symmetric pairs."""
    x = np.asarray(x, np.float64)
    n, d = x.shape
    m = int(count if count is not None else rng.integers(max(2, n // 2), n + 3))
    spread = x.std(axis=0) if n > 1 else np.abs(x[0])
    spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
    scale = 10.0 ** rng.uniform(-3.5, 0.0, (m, 1))
    rows = x[rng.integers(0, n, m)] + rng.standard_normal((m, d)) * spread * scale
    pairs = m // 8
    if pairs and d:
        direction = rng.standard_normal((pairs, d))
        direction *= rng.uniform(2e-3, 6e-3, (pairs, 1)) / np.linalg.norm(direction, axis=1, keepdims=True)
        centre = rows[:pairs].copy()
        rows[:pairs], rows[pairs:2 * pairs] = centre + direction, centre - direction
    return rows


class Hidden:
    """``x``'s rows among decoys in a random order: send :attr:`batch`, read the answers with :meth:`take`.

    Arrays aligned with ``x`` (masks, noise) are mixed in the same order with :meth:`mix`.
    """

    def __init__(self, x, rng, count=None):
        x = np.asarray(x, np.float64)
        self.n = len(x)
        self.decoy_rows = decoys(x, rng, count)
        self.order = rng.permutation(self.n + len(self.decoy_rows))
        self.index = np.argsort(self.order)[:self.n]
        self.batch = np.concatenate([x, self.decoy_rows])[self.order]

    @property
    def decoy_count(self):
        return len(self.decoy_rows)

    def mix(self, rows, decoy_rows):
        """``rows`` (aligned with x) and ``decoy_rows`` (aligned with the decoys) in the batch's order."""
        return np.concatenate([np.asarray(rows), np.asarray(decoy_rows)])[self.order]

    def take(self, answers):
        """The answers to x's rows, in x's order, from the answers to :attr:`batch`."""
        return np.asarray(answers)[self.index]


def recheck_rows(n, rng):
    """Which of ``n`` rows to ask again (a random subset, sorted)."""
    k = min(n, max(RECHECK_MIN, min(RECHECK_MAX, n // RECHECK_SHARE)))
    return np.sort(rng.choice(n, size=k, replace=False))


def disagreement(a, b):
    """The largest difference between two answers to the same rows beyond :data:`AGREE` (0 if none)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        excess = np.abs(a - b) - AGREE * (1.0 + np.abs(a))
    excess = np.where(both_nan, 0.0, np.where(np.isnan(excess), np.inf, excess))
    return float(max(0.0, np.max(excess, initial=0.0)))
