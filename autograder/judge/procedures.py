"""Measurements shared by the graders and the calibration command, so both measure the same thing."""
import importlib.util

import numpy as np

from .. import paths
from . import maths


def course_helpers():
    """The course's own helper module (data definitions; no TensorFlow at import)."""
    spec = importlib.util.spec_from_file_location("nice_helpers", paths.HELPERS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PARABOLA = dict(train_size=8000, test_size=4000, steps=300, batch_size=256, learning_rate=3e-3,
                num_couplings=4, hidden_units=[32, 32])
FD_STEP = 1e-3


def judge_log_det(model, x, h=FD_STEP):
    """log|det J| of ``model.forward`` at each row of x, from central differences of its outputs."""
    x = np.asarray(x, np.float64)
    outputs = model.forward(maths.finite_difference_points(x, h))
    return maths.slogdet(maths.finite_difference_jacobian(x, outputs, h))


def robust_log_det(model, x, h=FD_STEP):
    """The median of the finite-difference log-dets over the rows of x.

    NICE's log-det is the same at every x; the median discards rows where a ReLU kink lies within h.
    """
    return float(np.median(judge_log_det(model, x, h)))


def judge_log_likelihood(model, x, prior):
    """log p(x) computed by the judge: prior density of forward(x) plus the (robust) log-det."""
    z = model.forward(x)
    return maths.PRIORS[prior](z) + robust_log_det(model, x)


def parabola_nll(sub, seed, cfg=PARABOLA):
    """Train a fresh NICE on the parabola with the notebook's ``train``.

    Returns ``(test_nll, log_det_change)``, both computed by the judge from ``forward`` outputs: the test
    NLL under the logistic prior, and how much training changed log|det J| (0 if the scale never trains:
    additive couplings preserve volume).
    """
    parabola = course_helpers().parabola
    train_x = parabola(cfg["train_size"], seed=seed)
    test_x = parabola(cfg["test_size"], seed=seed + 1)
    sub.seed(seed)
    model = sub.new("NICE", 2, num_couplings=cfg["num_couplings"], hidden_units=cfg["hidden_units"],
                    prior="logistic")
    log_det_before = robust_log_det(model, test_x[:32])
    sub.func("train", model, train_x, steps=cfg["steps"], batch_size=cfg["batch_size"],
             learning_rate=cfg["learning_rate"], seed=seed, progress=False, timeout=120.0)
    z = model.forward(test_x)
    log_det = robust_log_det(model, test_x[:32])
    nll = float(-np.mean(maths.logistic_log_prob(z)) - log_det)
    change = abs(log_det - log_det_before)
    return (nll if np.isfinite(nll) else float("inf")), (change if np.isfinite(change) else 0.0)
