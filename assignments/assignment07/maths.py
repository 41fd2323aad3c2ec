"""The judge's own computations, in float64 numpy: it never trusts a submission's numbers."""
import math

import numpy as np

from autograder.judge.probes import STEPS  # the finite-difference steps (the decoys imitate their stencils)

LOG_2PI = np.log(2 * np.pi)
PRIOR_STD = {"logistic": np.pi / np.sqrt(3.0), "normal": 1.0}


def logistic_log_prob(z):
    """Standard logistic log-density summed over the last axis: -sum(softplus(z) + softplus(-z))."""
    z = np.asarray(z, np.float64)
    return -np.sum(np.logaddexp(0.0, z) + np.logaddexp(0.0, -z), axis=-1)


def normal_log_prob(z):
    """Standard normal log-density summed over the last axis: -sum(z^2 + log(2 pi)) / 2."""
    z = np.asarray(z, np.float64)
    return -0.5 * np.sum(z ** 2 + LOG_2PI, axis=-1)


PRIORS = {"logistic": logistic_log_prob, "normal": normal_log_prob}
_ERFC = np.frompyfunc(math.erfc, 1, 1)  # (scipy.special would add most of a second to every judge's start)


def prior_cdf(prior, z):
    """The standard logistic or normal cumulative distribution function, elementwise."""
    z = np.asarray(z, np.float64)
    if prior == "logistic":
        return 0.5 * (1.0 + np.tanh(z / 2.0))
    return 0.5 * _ERFC(-z / math.sqrt(2.0)).astype(np.float64)


def rank_correlation(a, b):
    """Spearman's rank correlation of two vectors (0 where either is constant or not finite)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))) or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    ra, rb = (np.argsort(np.argsort(v)) for v in (a, b))  # ranks (ties do not occur in real-valued answers)
    return float(np.corrcoef(ra, rb)[0, 1])


def random_rotations(rng, n, d):
    """``n`` random orthonormal d x d matrices (Haar-distributed, from the QR of Gaussian matrices)."""
    q, r = np.linalg.qr(rng.standard_normal((n, d, d)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[:, None, :]


#: Step ranges of the judge's finite differences.  ``small`` gives Jacobians (log-determinants, the
#: inpainting gradient); ``tiny`` checks them: a derivative is the same at both, a dither of fixed size
#: is not; ``large`` tells which output depends on which input, where a dither of fixed size cannot
#: fake a dependence (it contributes about its size / step).
#: float32 keeps about 7 digits: a log-density of -4.4e5 nats (the normal prior at |z| about 900, a tail
#: probe of a (64, 64) network) is exact to 0.03 nats at best.  Share of a value's size left to rounding,
#: on the rows the judge put far out (beyond FAR in some coordinate) only: a notebook that makes every
#: log-density huge (an offset on z) gets no more room on the rows like data.
FLOAT32_SHARE, FAR = 1e-6, 10.0


def _rounding(expected, x):
    return FLOAT32_SHARE * np.abs(expected) * (np.max(np.abs(np.asarray(x, np.float64)), axis=1) > FAR)


def nats_error(got, expected, x):
    """Per row of x: |got - expected| beyond float32's rounding of a log-density of that size (far rows only)."""
    return np.maximum(np.abs(np.asarray(got, np.float64) - expected) - _rounding(expected, x), 0.0)


def mean_nats_error(got, expected, x):
    """|got - mean(expected)| beyond the rounding of the rows' log-densities (far rows only), for a batch mean."""
    return max(abs(float(got) - float(np.mean(expected))) - float(np.mean(_rounding(expected, x))), 0.0)




class Stencil:
    """Central differences along random directions with random steps: points x +- h_k v_k.

    The directions v_k of each row are the columns of a random rotation V and each step h_k is drawn
    from ``steps``, so no probe lies along an axis or at a fixed distance.  The points are rounded to
    float32 (what the worker computes in) and the differences taken between the rounded points: with
    G = [f(p_k+) - f(p_k-)] and P = [p_k+ - p_k-] (columns), J = G P^-1 exactly up to the curvature.
    """

    def __init__(self, x, rng, steps=STEPS["small"]):
        self.x = np.asarray(x, np.float64)
        n, d = self.x.shape
        offsets = np.swapaxes(random_rotations(rng, n, d) * rng.uniform(*steps, (n, 1, d)), 1, 2)
        plus = (self.x[:, None] + offsets).astype(np.float32).astype(np.float64)   # row k: x + h_k v_k
        minus = (self.x[:, None] - offsets).astype(np.float32).astype(np.float64)
        self.deltas = np.swapaxes(plus - minus, 1, 2)  # (n, D, k): column k is p_k+ - p_k-
        self.points = np.concatenate([plus, minus], axis=1).reshape(-1, d)

    def jacobian(self, outputs):
        """Jacobians (n, D_out, D) from the outputs at :attr:`points` (in their order)."""
        n, d = self.x.shape
        out = np.asarray(outputs, np.float64).reshape(n, 2, d, -1)
        differences = np.swapaxes(out[:, 0] - out[:, 1], 1, 2)  # (n, D_out, k)
        return np.swapaxes(np.linalg.solve(np.swapaxes(self.deltas, 1, 2), np.swapaxes(differences, 1, 2)), 1, 2)


class Stencils:
    """:class:`Stencil` s at several step ranges (names of :data:`STEPS`) around the same rows, asked in one batch."""

    def __init__(self, x, rng, scales=("tiny", "small")):
        self.parts = {scale: Stencil(x, rng, STEPS[scale]) for scale in scales}
        self.points = np.concatenate([part.points for part in self.parts.values()])

    def jacobians(self, outputs):
        """``{scale: Jacobians (n, D_out, D)}`` from the outputs at :attr:`points`."""
        outputs, start, jacobians = np.asarray(outputs, np.float64), 0, {}
        for scale, part in self.parts.items():
            jacobians[scale] = part.jacobian(outputs[start:start + len(part.points)])
            start += len(part.points)
        return jacobians


def roughness(fine, coarse):
    """How much two finite-difference Jacobians of the same rows differ, relative to their size.

    The median over all entries of |fine - coarse|, over the median of each row's largest |entry|: a
    derivative gives the same at both steps up to float32 rounding and the rare kink within a step
    (about 1e-4 on the judge's models), a dither d of fixed size adds about d / step to every entry.
    """
    fine, coarse = np.asarray(fine, np.float64), np.asarray(coarse, np.float64)
    size = np.median(np.max(np.abs(coarse), axis=(-2, -1)))
    return float(np.median(np.abs(fine - coarse)) / max(size, 1e-12))


def slogdet(jac):
    """log|det J| of each matrix of a stack (n, D, D); NaN where J has non-finite entries."""
    jac = np.asarray(jac, np.float64)
    finite = np.all(np.isfinite(jac), axis=(-2, -1))
    out = np.full(jac.shape[:-2], np.nan)
    out[finite] = np.linalg.slogdet(jac[finite])[1]
    return out


def importance_integral(log_p, log_q):
    """Importance-sampling estimate of the integral of p from points x_i ~ q: mean(p(x_i) / q(x_i)).

    For a mixture q = sum_j (n_j / n) q_j sampled with n_j points from each q_j the estimate is
    unbiased too.  A density p integrates to at most 1.
    """
    with np.errstate(over="ignore"):
        return float(np.mean(np.exp(np.asarray(log_p, np.float64) - np.asarray(log_q, np.float64))))


def logistic_score(z):
    """Gradient of :func:`logistic_log_prob` with respect to z: -tanh(z / 2), elementwise."""
    return -np.tanh(np.asarray(z, np.float64) / 2.0)
