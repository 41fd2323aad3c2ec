"""What several graders build: NICE models with the judge's weights, and the structure of their Jacobian.

Every seed and weight comes from the judge's keyed streams (:mod:`.seeds`), labelled by the check.
"""
import numpy as np
import pytest

from autograder.judge import seeds
from .procedures import judge_jacobian, robust_log_det, smooth_jacobians

DIM = 6
HIDDEN = [24, 24]
#: A model whose log|det J| the grader made is at least this far from 0 (10x the checks' tolerances).
MIN_ABS_LOG_DET = 0.5
DRAWN_ABS_LOG_DET = 1.5 * MIN_ABS_LOG_DET  # what the draws aim for (the sum of 6 log-scales of std 0.3: 30 % of draws)
WEIGHT_STD = 0.3
TRIES = 20


def built_model(sub, label, num_couplings=4, hidden_units=HIDDEN, dim=DIM, prior="logistic"):
    """The submission's NICE(dim, ...) of this architecture, built once (:meth:`Submission.shared`).

    Its weights are what the last check gave it (or its initial ones): a check that needs weights of its
    own draws them (:func:`randomized_model`).
    """
    return sub.shared(seeds.seed(f"{label}: model"), "NICE", dim, num_couplings=num_couplings,
                      hidden_units=list(hidden_units), prior=prior)


def randomized_layer(sub, label, cls, *args, std=WEIGHT_STD, new=False, **kwargs):
    """A ``cls(*args, **kwargs)`` (a layer) whose trainable weights the judge drew for ``label`` (std ``std``).

    The judge's weights, not the notebook's initial ones: a correct layer may start as the identity
    (an output layer initialised at zero) or with any other weights.  The layer is built once per
    submission and configuration (:meth:`Submission.shared`: each check draws its own weights), or
    anew with ``new`` (a check about two layers built alike).
    """
    if new:
        sub.seed(seeds.seed(f"{label}: layer"))
        layer = sub.new(cls, *args, **kwargs)
    else:
        layer = sub.shared(seeds.seed(f"{cls}{args}{sorted(kwargs.items())}: layer"), cls, *args, **kwargs)
    rng = seeds.rng(f"{label}: weights")
    layer.set_random_weights(std, rng, rng.standard_normal((8, layer.dim)))
    return layer


def randomized_model(sub, label, needs_log_det=True, wide=(), **kwargs):
    """A NICE whose trainable weights the judge drew; with ``needs_log_det``, |log det J| > MIN_ABS_LOG_DET.

    The log-det is the judge's own (finite differences of forward).  ``needs_log_det``: the check is
    about the log-det (a sign or a sum would be invisible at 0): the judge draws weights until the
    log-det is far from 0, confirms it with the twin, and fails the check, with the likely cause, if
    no weights move it.  ``needs_log_det="prefer"``: the same, but a log-det that no weights move is
    left as it is (the check is about something else, which a log-det far from 0 only makes visible).
    ``wide``: shapes of weights with two entries far out (:meth:`Ref.set_random_weights`).
    """
    model = built_model(sub, label, **kwargs)
    rng = seeds.rng(f"{label}: weights")
    probe = rng.standard_normal((8, model.dim))
    model.set_random_weights(WEIGHT_STD, rng, probe, wide)
    if not needs_log_det:
        return model
    seen = [robust_log_det(model, probe, rng, recheck=False)]
    # draw until well past the bound: the confirmation below estimates the log-det again at other points
    # (0.483 after 0.5+ was seen once), and must not fall back under it
    while abs(seen[-1]) <= DRAWN_ABS_LOG_DET and len(seen) < TRIES:
        if len(seen) == 3 and np.ptp(seen) < 1e-3:
            break  # the weights do not move the log-det at all: more tries would not either
        model.set_random_weights(WEIGHT_STD, rng, probe, wide)
        seen.append(robust_log_det(model, probe, rng, recheck=False))
    confirmed = robust_log_det(model, rng.standard_normal((8, model.dim)), rng)  # asked again of the twin
    if abs(confirmed) <= MIN_ABS_LOG_DET and needs_log_det != "prefer":
        pytest.fail(
            f"the grader gave {model.label} random weights {len(seen)} times, but log|det J| of its forward "
            f"stayed within {MIN_ABS_LOG_DET} of 0 (last {confirmed:.3g}), so this check cannot see the log-determinant: "
            "is ScalingLayer's log-scale a weight Keras tracks (add_weight), trainable and used by forward?",
            pytrace=False)
    return model


#: Relative gap between TensorFlow's gradient through forward and the judge's finite differences above which
#: forward is not differentiable by TensorFlow (a correct forward: about 1e-3).
GRADIENT_GAP = 0.1


def gradient_hint(sub):
    """A sentence naming the forward that TensorFlow cannot differentiate, or "" (for failed checks' messages).

    A forward whose values are right but whose gradient is cut (tf.stop_gradient, .numpy(), numpy
    functions) fails training and inpainting although neither nll_loss nor inpainting_step is wrong.
    """
    try:
        for cls, args, kwargs in (("CouplingLayer", (DIM, 0), {"hidden_units": [8]}),
                                  ("NICE", (DIM,), {"num_couplings": 2, "hidden_units": [8]})):
            obj = randomized_layer(sub, f"gradient hint {cls}", cls, *args, **kwargs)
            x = seeds.rng(f"gradient hint {cls}").standard_normal((8, DIM))
            if obj.autodiff_gap(x, judge_jacobian(obj, x, sub.rng, recheck=False)) > GRADIENT_GAP:
                return (f" TensorFlow's gradients through {cls}.forward differ from its finite differences: a "
                        f"tf.stop_gradient, .numpy() or numpy function in {cls}.forward cuts the gradient that "
                        "training and inpainting follow.")
    except pytest.fail.Exception:  # the diagnosis itself failed: no hint
        pass
    return ""


def mlp_params(n_in, n_out, hidden):
    """Parameters of a dense network n_in -> hidden... -> n_out (weights and biases)."""
    sizes = [n_in, *hidden, n_out]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


#: An output whose finite-difference derivative (at the ``large`` steps) by every other input stays
#: below this share of its derivative by its own input depends on its own input only; a real dependence
#: of the judge's models is at least 0.28 (absolute).  A share, not a size: a model whose scale is not an
#: exponential (bug_scale_without_exp) may scale an output by 1e-3, every derivative of it with it.
ISOLATION_TOL = 1e-2


def isolated_outputs(model, x, rng, measure):
    """Outputs of forward that depend on no input but their own (their Jacobian row is 0 off the diagonal).

    Returns ``(isolated, off, jac)``: their indices, max |J_ij| over the rows of x for i != j, and the
    Jacobians at the rows of x.  Dependence is read at the ``large`` steps (maths.STEPS), after
    :func:`smooth_jacobians` checked that forward is smooth: a dither cannot fake it there.
    """
    jac = smooth_jacobians(model, x, rng, measure, scales=("large",))["large"]
    magnitude = np.max(np.abs(jac), axis=0)
    off = magnitude - np.diag(np.diag(magnitude))
    return [i for i in range(len(off)) if off[i].max() < ISOLATION_TOL * min(1.0, magnitude[i, i])], off, jac


def constant_blocks(jac, halves, tol=2e-3):
    """The halves whose own block J[h, h] is the same at every row (a half no coupling changed using the other).

    After an alternating stack of k >= 3 couplings, each half's own block depends on x; two
    consecutive couplings that change the same half act as one, and leave one block constant.
    """
    constant = []
    for half in halves:
        block = jac[:, half][:, :, half]
        if np.max(np.abs(block - block[0])) < tol * (1.0 + np.max(np.abs(block))):
            constant.append(half)
    return constant



def inverse_blame(sub, otherwise, tol=1e-3):
    """What to fix when a model does not invert, in the order of the notebook's self-check: a lone
    CouplingLayer of the submission that does not invert (within ``tol``, on the judge's weights) first, since
    the model's backward is built from it; else ``otherwise`` (the check's own hint).  A diagnosis for a
    failed check's message: a failure of the diagnosis itself gives ``otherwise``."""
    rng = seeds.rng("inverse blame")
    x = 2.0 * rng.standard_normal((16, DIM))
    try:
        for parity in (0, 1):
            layer = randomized_layer(sub, f"inverse blame {parity}", "CouplingLayer", DIM, parity,
                                     hidden_units=list(HIDDEN))
            error = np.max(np.abs(layer.twin().backward(layer.forward(x)) - x))
            if error > tol:
                return (f"a CouplingLayer alone does not invert (parity={parity}: max |backward(forward(x)) - x| = "
                        f"{error:.3g}): fix CouplingLayer.forward/backward first (the coupling inverse check says "
                        "more); NICE.backward undoes each coupling with CouplingLayer.backward")
    except pytest.fail.Exception:
        pass
    return otherwise
