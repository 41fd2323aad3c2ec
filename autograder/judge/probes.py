"""How the judge asks: its rows hidden among decoys in random order, and asked again elsewhere.

A submission that recognised the judge's probes (a finite-difference stencil, a test set) could
answer them differently from everything else.  So every batch the judge sends mixes its rows with
decoys drawn like them (copies jittered at every scale from 3e-4 to 1 standard deviation, symmetric
pairs, and stencil-shaped groups: several symmetric pairs around one shared midpoint, at the steps
the judge's stencils use), in an order drawn from the judge's secret stream; and a random part of the
rows is asked again, among other decoys, of the submission's other worker: at the positions they had,
in a batch of the same length, on the same path (eager or compiled, :class:`Asked`).  A function of each
row alone then gives the same row back: TensorFlow's CPU kernels do, bit for bit, whatever the other
rows, but not at another position modulo the vector width (a row of a LayerNormalization + tanh network
moved by 5 positions changed by 630 float32 steps) nor compiled against eager (1,008 steps).  Two
answers that differ by more than :data:`AGREE` mean the submission answers by context.
"""
from dataclasses import dataclass

import numpy as np


#: Relative and absolute tolerance for "the same row gave the same answer" (float32 rounding slack).
#: Finite-difference step sizes (absolute) the judge may use: decoys imitate stencils of each.
STEPS = {"micro": (2e-5, 4e-5), "tiny": (5e-4, 1e-3), "small": (2e-3, 6e-3), "large": (2e-2, 6e-2)}
AGREE = 1e-5
#: ... and this many float32 rounding steps of the answer itself.
ULPS = 4
#: How many rows of a batch are asked again: an eighth, at least 2 and at most 64.
RECHECK_SHARE, RECHECK_MIN, RECHECK_MAX = 8, 2, 64
#: The step ranges of the judge's finite differences, which stencil-shaped decoys copy.
STENCIL_STEPS = tuple(STEPS.values())


def _stencil_groups(centres, rng):
    """For each centre, 2 to 6 symmetric pairs around it along random directions at a stencil's steps."""
    rows = []
    d = centres.shape[1]
    for centre in centres:
        k = int(rng.integers(2, 7))
        low, high = STENCIL_STEPS[rng.integers(len(STENCIL_STEPS))]
        direction = rng.standard_normal((k, d))
        direction *= rng.uniform(low, high, (k, 1)) / np.linalg.norm(direction, axis=1, keepdims=True)
        rows += [centre + direction, centre - direction]
    return np.concatenate(rows) if rows else np.zeros((0, d))


def decoys(x, rng, count=None):
    """Rows that look like ``x``'s: jittered copies at log-uniform scales, symmetric pairs and stencil groups.

    About a quarter of them come in symmetric pairs around a midpoint of their own, and a few groups of
    pairs share one midpoint (a finite-difference stencil's shape); every step size a stencil uses
    occurs among them, so neither shape marks the judge's own stencils.
    """
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
    groups = m // 24
    if groups and d and count is None:
        rows = np.concatenate([rows, _stencil_groups(rows[2 * pairs:2 * pairs + groups], rng)])
    return rows


def _exactly(x, rng, count):
    """``count`` decoys of x's kind, stencil groups included (a random part of :func:`decoys` and more)."""
    if not count:
        return np.zeros((0, x.shape[1]))
    if not len(x):
        return np.zeros((count, x.shape[1]))
    rows = decoys(x, rng)
    if len(rows) < count:
        rows = np.concatenate([rows, decoys(x, rng, count - len(rows))])
    return rows[rng.permutation(len(rows))[:count]]


class Hidden:
    """``x``'s rows among decoys in a random order: send :attr:`batch`, read the answers with :meth:`take`.

    Arrays aligned with ``x`` (masks, noise) are mixed in the same order with :meth:`mix`.
    """

    def __init__(self, x, rng, count=None, positions=None, length=None):
        x = np.asarray(x, np.float64)
        self.n = len(x)
        if positions is None:
            self.decoy_rows = decoys(x, rng, count)
            self.order = rng.permutation(self.n + len(self.decoy_rows))
        else:  # x's rows at these positions of a batch of ``length`` rows, decoys elsewhere
            self.decoy_rows = _exactly(x, rng, length - self.n)
            rest = np.setdiff1d(np.arange(length), positions)
            self.order = np.argsort(np.concatenate([positions, rng.permutation(rest) if len(rest) else rest]))
        self.index = np.argsort(self.order)[:self.n]
        self.batch = np.concatenate([x, self.decoy_rows])[self.order]

    @classmethod
    def plain(cls, x):
        """x's rows alone, in their order (no decoys)."""
        return cls(x, None, positions=np.arange(len(x)), length=len(x))

    def again(self, rows, x, rng):
        """A batch of the same length with x[rows] at the positions they have here and new decoys elsewhere.

        ``x``: the rows this batch hides (the caller keeps them; the batch holds them in float64)."""
        x = np.asarray(x, np.float64)[rows]
        return Hidden(x, rng, positions=self.index[rows], length=len(self.batch))

    @property
    def decoy_count(self):
        return len(self.decoy_rows)

    def mix(self, rows, decoy_rows):
        """``rows`` (aligned with x) and ``decoy_rows`` (aligned with the decoys) in the batch's order."""
        return np.concatenate([np.asarray(rows), np.asarray(decoy_rows)])[self.order]

    def take(self, answers):
        """The answers to x's rows, in x's order, from the answers to :attr:`batch`."""
        return np.asarray(answers)[self.index]


@dataclass
class Asked:
    """One batch of a row method as asked: x's answers (:attr:`values`), the batch's layout and its path."""
    values: np.ndarray
    layout: Hidden
    compiled: bool


def recheck_rows(n, rng):
    """Which of ``n`` rows to ask again (a random subset, sorted)."""
    k = min(n, max(RECHECK_MIN, min(RECHECK_MAX, n // RECHECK_SHARE)))
    return np.sort(rng.choice(n, size=k, replace=False))


def centre_of(answers):
    """The per-column median of a batch of answers over its finite entries: where :func:`disagreement` measures from."""
    a = np.asarray(answers, np.float64)
    if a.ndim == 0 or not a.size:
        return 0.0
    a = a.reshape(len(a), -1)
    centre = [np.median(col[np.isfinite(col)]) if np.isfinite(col).any() else 0.0 for col in a.T]
    return np.asarray(centre).reshape(np.shape(answers)[1:])


def disagreement(a, b, centre=0.0):
    """The largest difference between two answers to the same rows beyond :data:`AGREE` (0 if none).

    The tolerance is relative to the answers' distance from ``centre`` (e.g. :func:`centre_of` the
    batch), not from 0, plus :data:`ULPS` float32 rounding steps of the answer (kernels that reduce in
    another order for another batch size, LayerNormalization's say): a constant the notebook adds to
    every answer widens it by those rounding steps only, far less than finite differences need.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore", over="ignore"):
        ulp = np.spacing(np.abs(a).astype(np.float32)).astype(np.float64)
        excess = np.abs(a - b) - AGREE * (1.0 + np.abs(a - centre)) - ULPS * ulp
    excess = np.where(both_nan, 0.0, np.where(np.isnan(excess), np.inf, excess))
    return float(max(0.0, np.max(excess, initial=0.0)))


def relay(values, rng, share=1e-6):
    """``values`` that one worker answered, moved before another worker sees them.

    Each entry moves by Gaussian noise of ``share`` times its own size (and at least 1% of its column's
    spread): a mark hidden in the last bits of an answer (to be recognised when it comes back) is gone,
    while a round trip's error grows by far less than its tolerance.
    """
    values = np.asarray(values, np.float64)
    spread = values.std(axis=0) if len(values) > 1 else np.abs(values[0])
    spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
    return values + rng.standard_normal(values.shape) * share * (np.abs(values) + 0.01 * spread)
