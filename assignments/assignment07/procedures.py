"""Measurements shared by the graders and the calibration command, so both measure the same thing."""
import importlib.util
from typing import NamedTuple

import numpy as np

from autograder import packs
from . import maths


def course_helpers():
    """The course's own helper module (data definitions; no TensorFlow at import)."""
    spec = importlib.util.spec_from_file_location("nice_helpers", packs.load("assignment07").helper_paths()[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PARABOLA = dict(train_size=8000, test_size=4000, steps=300, batch_size=256, learning_rate=3e-3,
                num_couplings=4, hidden_units=[32, 32])
#: A box holding all but about 1e-5 of the parabola data (x2 ~ N(0, 4^2): |x2| < 18; x1 ~ x2^2 / 4 + N(0, 1)).
PARABOLA_BOX = (np.array([-8.0, -18.0]), np.array([88.0, 18.0]))
#: Points for the mass of the trained model's density on the box: (drawn like the data, uniform in the
#: box).  Importance sampling from that mixture: about 0.5 % relative standard error on the reference.
MASS_POINTS = (16_000, 4_000)
#: A density has mass <= 1 on the box; the margin covers the Monte-Carlo error only.
MASS_LIMIT = 1.1
#: The parabola's differential entropy (nats): no model has a lower expected test NLL on its data.
PARABOLA_ENTROPY = 4.2242
#: A test NLL this far below the entropy is better than possible (the 4000 test points' standard
#: error is about 0.02 nats): the model must have recognised the test points.
ENTROPY_MARGIN = 0.15
#: Mass below this on the box is a density that puts its mass elsewhere than the data it claims to fit.
MASS_FLOOR = 0.9


#: Largest :func:`maths.roughness` of a smooth forward on the judge's models (weights of std 0.3, inputs
#: N(0, 1)): about 1e-4 (float32 rounding, a kink within a step); a dither of 2e-5 on every output
#: gives 5e-3, and the smallest dither that fakes a dependence at the ``large`` steps gives 0.1 or more.
ROUGHNESS_LIMIT = 5e-3


def judge_jacobians(model, x, rng, scales=("tiny", "small"), finite=True, recheck=True):
    """``{scale: Jacobians (n, D, D)}`` of ``model.forward`` at the rows of x, all scales in one batch."""
    stencils = maths.Stencils(x, rng, scales)
    return stencils.jacobians(model.forward(stencils.points, finite=finite, recheck=recheck))


def smooth_jacobians(model, x, rng, measure, scales=("small",)):
    """Jacobians at ``scales`` (see :func:`judge_jacobians`), after checking that forward is smooth there.

    The ``tiny`` and ``small`` steps must give the same derivative (``measure`` records their
    :func:`maths.roughness` as ``jacobian_roughness``): finite differences of a forward that adds a
    fixed-size dither to its answers depend on the step.
    """
    jac = judge_jacobians(model, x, rng, tuple(dict.fromkeys(("tiny", "small", *scales))))
    measure("jacobian_roughness", maths.roughness(jac["tiny"], jac["small"]), ROUGHNESS_LIMIT, lambda r: (
        f"{model.label}.forward is not a smooth function of its input: its finite differences at steps of "
        f"about 1e-3 and 5e-3 differ by {r:.2g} of their size (a derivative gives the same at both). Does forward "
        "add noise or a per-row constant to its outputs?"))
    return jac


def judge_jacobian(model, x, rng, finite=True, recheck=True, scale="small"):
    """Jacobians (n, D, D) of ``model.forward`` at the rows of x, from a random-direction stencil."""
    return judge_jacobians(model, x, rng, (scale,), finite, recheck)[scale]


def judge_log_det(model, x, rng, finite=True, recheck=True):
    """log|det J| of ``model.forward`` at each row of x (finite differences along random directions)."""
    return maths.slogdet(judge_jacobian(model, x, rng, finite, recheck))


def robust_log_det(model, x, rng, finite=True, recheck=True):
    """The median of the finite-difference log-dets over the rows of x.

    NICE's log-det is the same at every x; the median discards rows where a ReLU kink lies within a step.
    """
    return float(np.median(judge_log_det(model, x, rng, finite, recheck)))


def judge_log_likelihood(model, x, prior, rng):
    """log p(x) computed by the judge: prior density of forward(x) plus the (robust) log-det."""
    z = model.forward(x)
    return maths.PRIORS[prior](z) + robust_log_det(model, x[:16] if len(x) > 16 else x, rng)


class ParabolaRun(NamedTuple):
    """What training on the parabola gives, all computed by the judge from ``forward`` outputs."""
    nll: float             #: mean test NLL under the logistic prior, in the untransformed data's units (inf if not finite)
    log_det_change: float  #: |log|det J| after - before training| (0 if not finite)
    mass: float            #: integral of the judge's density over the (transformed) PARABOLA_BOX (inf if not finite)
    moved: tuple = ()      #: per trainable weight (as the worker reports them): whether training changed it
    shapes: tuple = ()     #: the trainable weights' shapes, in the same order
    dependent_share: float = 0.0  #: the share of its trainable parameters the trained forward depends on


#: Weight entries perturbed to measure what the trained forward depends on: 8 of each weight of the
#: parabola's NICE (25 weights).  With 2 each (64 in all) the four 32 x 32 kernels, 89% of the parameters,
#: were judged on 8 entries, and a correct model came out at 8% on one key (0.43-0.77 on others).
TRAINED_ENTRIES = 200


def parabola_transform(rng):
    """A secret affine map x -> x A^T + b of the plane that keeps the data NICE-shaped (axes stay axes).

    The axes may swap and flip, each is stretched by 1-1.6 and the data shifted by up to 2 in each: the
    training data is no parabola a notebook could know in advance, only one it can learn.  Stretched,
    never shrunk: the model's scale must still move in training (by more than on the plain parabola).
    Returns (A, b, log|det A|).
    """
    scales = np.exp(rng.uniform(0.0, np.log(1.6), 2)) * rng.choice([-1.0, 1.0], 2)
    matrix = np.diag(scales)[rng.permutation(2)]
    return matrix, rng.uniform(-2.0, 2.0, 2), float(np.log(np.abs(np.prod(scales))))


def parabola_log_density(x):
    """log of the parabola's own density: log N(x2; 0, 4^2) + log N(x1; x2^2 / 4, 1)."""
    x1, x2 = np.asarray(x, np.float64).T
    return -0.5 * ((x2 / 4.0) ** 2 + (x1 - x2 ** 2 / 4.0) ** 2) - maths.LOG_2PI - np.log(4.0)


def _mass_proposal(parabola, rng):
    """Points for :func:`maths.importance_integral` over PARABOLA_BOX and the log of their mixture density."""
    low, high = PARABOLA_BOX
    n_data, n_uniform = MASS_POINTS
    points = np.concatenate([parabola(n_data, seed=int(rng.integers(2 ** 31))).astype(np.float64),
                             rng.uniform(low, high, (n_uniform, 2))])
    share = n_data / (n_data + n_uniform)
    log_q = np.logaddexp(np.log(share) + parabola_log_density(points),
                         np.log(1.0 - share) - np.log(np.prod(high - low)))
    inside = np.all((points >= low) & (points <= high), axis=1)
    return points, np.where(inside, log_q, np.inf)  # points outside the box count 0


def parabola_nll(sub, stream, cfg=PARABOLA):
    """Train a fresh NICE on the parabola with the notebook's ``train``; see :class:`ParabolaRun`.

    ``stream(label)``: the judge's keyed generator for a label (:func:`seeds.rng`).  The training data,
    the seeds the worker is given, the test set and the probes come from separate streams: nothing
    the worker sees before training ends tells it the test points, which reach it only afterwards.
    Every point passes through a secret affine map (:func:`parabola_transform`) before the worker
    sees it; the NLL is reported in the untransformed units (log|det A| added back), so the threshold
    and the entropy keep their meaning.  The NLL uses log p(x) = log p_H(forward(x)) + L with L the
    robust finite-difference log-det.  The same density must integrate to at most 1 (``mass``): a map
    that is not one-to-one (a saw-tooth, say) shows a huge local |det J| and a low NLL, but its
    "density" then has a mass far above 1.  The test points and the points of the mass (most of them
    drawn like the data) go through forward in one batch among decoys, so forward cannot tell them
    apart.  Afterwards the trained forward must still depend on its trainable weights
    (``dependent_share``): training is fitting the networks, not switching to a map of no weights.
    """
    parabola = course_helpers().parabola
    matrix, shift, log_det_a = parabola_transform(stream("parabola: data transform"))
    def transform(x):
        return np.asarray(x, np.float64) @ matrix.T + shift

    given = stream("parabola: what the worker is given")
    train_x = transform(parabola(cfg["train_size"], seed=int(given.integers(2 ** 31)))).astype(np.float32)
    sub.seed(int(given.integers(2 ** 31)))
    model = sub.new("NICE", 2, num_couplings=cfg["num_couplings"], hidden_units=cfg["hidden_units"],
                    prior="logistic")
    probes_rng = stream("parabola: log-det probes")
    probe = transform(parabola(32, seed=int(probes_rng.integers(2 ** 31))))
    log_det_before = robust_log_det(model, probe, probes_rng)
    before = model.known_weights()
    trainable = model.trainable(len(before))
    sub.func("train", model, train_x, steps=cfg["steps"], batch_size=cfg["batch_size"],
             learning_rate=cfg["learning_rate"], seed=int(given.integers(2 ** 31)), progress=False, timeout=120.0)
    after = model.known_weights()
    moved = tuple(bool(b.shape != a.shape or not np.array_equal(b, a))
                  for b, a, t in zip(before, after, trainable) if t)
    log_det = robust_log_det(model, probe, probes_rng, finite=False)
    secret = stream("parabola: test set and mass points")
    test_x = parabola(cfg["test_size"], seed=int(secret.integers(2 ** 31)))
    proposal, log_q = _mass_proposal(parabola, secret)
    points = transform(np.concatenate([test_x, proposal]))
    z = model.forward(points, finite=False)
    log_p = maths.logistic_log_prob(z) + log_det
    nll = float(-np.mean(log_p[:len(test_x)])) - log_det_a
    mass = maths.importance_integral(log_p[len(test_x):], log_q - log_det_a)
    change = abs(log_det - log_det_before)
    trained = any(moved) and np.isfinite(nll)
    rows = transform(parabola(64, seed=int(probes_rng.integers(2 ** 31))))
    share = model.dependence(rows, probes_rng, trainable_only=True, max_entries=TRAINED_ENTRIES).share() if trained else 0.0
    return ParabolaRun(nll if np.isfinite(nll) else float("inf"), change if np.isfinite(change) else 0.0,
                       mass if np.isfinite(mass) else float("inf"), moved,
                       tuple(w.shape for w, t in zip(after, trainable) if t), share)
