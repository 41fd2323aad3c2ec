"""The judge's own computations, in float64 numpy: it never trusts a submission's numbers."""
import numpy as np

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


def identify_prior(z, log_prob, atol=1e-3):
    """Which standard prior ("logistic"/"normal") gives ``log_prob`` at ``z``, or None."""
    for name, fn in PRIORS.items():
        if np.allclose(log_prob, fn(z), atol=atol, rtol=1e-5):
            return name
    return None


def finite_difference_points(x, h):
    """Points x +- h e_j for each example and dimension: shape (n * 2D, D)."""
    x = np.asarray(x, np.float64)
    n, d = x.shape
    eye = np.eye(d) * h
    return np.concatenate([x[:, None, :] + eye[None], x[:, None, :] - eye[None]], axis=1).reshape(-1, d)


def finite_difference_jacobian(x, outputs, h):
    """Central-difference Jacobians (n, D_out, D_in) from the outputs at finite_difference_points."""
    n, d = np.asarray(x).shape
    out = np.asarray(outputs, np.float64).reshape(n, 2, d, -1)
    return np.transpose((out[:, 0] - out[:, 1]) / (2 * h), (0, 2, 1))


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
