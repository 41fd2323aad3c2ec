"""Inpainting: the update rule of NICE section 5.2 and the behaviour of the full loop, on weights the grader draws."""
import numpy as np
import pytest

from autograder.judge import seeds
from assignments.assignment07 import maths
from assignments.assignment07.builders import WEIGHT_STD, gradient_hint
from autograder.judge.facade import f32
from assignments.assignment07.procedures import judge_jacobians, judge_log_likelihood

DIM = 4
#: inpaint's rows come in pairs that start alike; after 60 steps a correct step leaves them 0.14-0.55 apart
#: (median over the hidden entries; the reference over 24 keyed streams, calibration.json), noise added
#: outside the step size 3.8 apart, no noise at all about 1e-3 apart.
PAIRS = 16
SPREAD_LIMIT = 1.0
SPREAD_FLOOR = 0.05
#: inpainting_step's hidden entries may differ from the grader's step by this share of the data range's
#: width in 10% of them (the grader's finite-difference gradient is off where a ReLU kink lies within a step).
STEP_TOL = 1e-2
#: The steep model: the median |d log p / d x| of its hidden entries lies in this range (a trained MNIST
#: model's is 150-1000; the weights of std 0.3 give about 0.5).
STEEP = (20.0, 1000.0)
#: The inpaint loop's model: steep enough that 60 steps raise log p visibly, whatever the notebook's scale.
SLOPED = (0.5, 5.0)
#: The least rise of the mean log p over inpaint's 60 steps.  Correct inpainting (the reference, every
#: alternative and the bugs elsewhere) rose 0.97 to 17 nats over 94 graded notebooks' streams (1.67 at least
#: over the reference's 24), inpainting that descends -1.1, one on the mean gradient 0.3 to 0.45.
GAIN_FLOOR = 0.5


def _model(sub, label):
    model = sub.shared(seeds.seed(f"{label}: model"), "NICE", DIM, num_couplings=4, hidden_units=[16],
                       prior="logistic")
    rng = seeds.rng(f"{label}: weights")
    model.set_random_weights(WEIGHT_STD, rng, rng.standard_normal((8, DIM)))
    return model


def _masks(rng, n):
    """A different observed mask (1 = observed) in every row: row 1 the complement of row 0, row 2 all hidden."""
    masks = (rng.uniform(size=(n, DIM)) < 0.5).astype(np.float64)
    masks[0] = [1.0, 0.0, 1.0, 0.0] if rng.uniform() < 0.5 else [0.0, 1.0, 1.0, 0.0]
    masks[1] = 1.0 - masks[0]
    masks[2] = 0.0
    hidden_free = masks.min(axis=1) == 1.0  # rows with nothing to inpaint get one hidden entry
    masks[hidden_free, rng.integers(0, DIM, hidden_free.sum())] = 0.0
    return masks


def _decoy_masks_and_noise(rng):
    def make(hidden):
        return {1: (rng.uniform(size=(hidden.decoy_count, DIM)) < 0.5).astype(np.float64),
                3: rng.standard_normal((hidden.decoy_count, DIM))}
    return make


def _gradients(model, x, rng, scales):
    """The grader's d log p(x) / dx at each of the finite-difference ``scales``: J^T of forward times the
    logistic prior's score (the log-det is constant in x); the first is the one to use alone.

    Each is off where a ReLU kink lies within its steps, and ``micro`` (steps of 3e-5) by float32's rounding
    of a steep forward: on a (64, 64) network of slope 20-600, 10% of the ``tiny`` gradients are off by 1-7%
    and some by 20%.  A step is compared with the nearest of the three (see :func:`_one_step`).
    """
    jacobians = judge_jacobians(model, x, rng, scales)
    score = maths.logistic_score(model.forward(x))
    return [np.einsum("nij,ni->nj", jacobians[scale], score) for scale in scales]


def _steepen(model, rng, x, slope=STEEP, std=1.0, tries=8):
    """Draw weights of std ``std``, then of stds bisected (geometrically) until the median |d log p / dx| at
    ``x`` lies in ``slope``; returns the gradient of the last draw."""
    low, high = 0.02, 3.0
    for _ in range(tries):
        model.set_random_weights(std, rng, x[:8])
        grad = _gradients(model, x, rng, ("tiny",))[0]
        median = np.median(np.abs(grad))
        if slope[0] <= median <= slope[1]:
            break
        low, high = (std, high) if median < slope[0] else (low, std)
        std = float(np.sqrt(low * high))
    return grad


def _one_step(submission, model, rng, low, high, steep=False):
    """Ask inpainting_step for one step on data_range (low, high); returns (got, expected, observed, up, down).

    Without ``steep``, hidden entries at both edges get noise that pushes them out (rows 12-17 above,
    18-23 below the range): only the projection brings them back.  With ``steep`` the model's weights are
    drawn large and the step size small, so the gradient, not the noise, moves the entries.  Either way
    the observed entries of rows 6-11 lie beyond the range's ends: they stay as they are, wherever they are.
    """
    n, width = 24, high - low
    x = f32(rng.uniform(low + 0.05 * width, high - 0.05 * width, (n, DIM)))
    observed = _masks(rng, n)
    outside = np.zeros((n, DIM), bool)
    outside[6:12] = observed[6:12] > 0  # observed entries beyond the range's ends: they stay too
    beyond = rng.uniform(0.05, 0.5, outside.sum()) * width
    x[outside] = f32(np.where(rng.uniform(size=outside.sum()) < 0.5, low - beyond, high + beyond))
    noise = rng.standard_normal((n, DIM))
    up, down = np.zeros((n, DIM), bool), np.zeros((n, DIM), bool)
    if steep:
        step = 0.25 * width / max(np.median(np.abs(_steepen(model, rng, x))), 1e-6)
    else:
        up[12:18], down[18:] = observed[12:18] == 0, observed[18:] == 0
        x[up], x[down] = f32(high - 0.01 * width), f32(low + 0.01 * width)
        noise[up], noise[down] = np.abs(noise[up]) + 6.0, -np.abs(noise[down]) - 6.0
        step = 0.1 * width
    # the step size as a tensor, as inpaint passes it (a notebook cannot tell the two calls apart by its type)
    got = submission.rows_func("inpainting_step", model, [x, observed, np.asarray(step), noise, [low, high]],
                               decoys=_decoy_masks_and_noise(rng), returns="rows")
    kept = observed > 0
    changed_rows = [i for i in range(n) if not np.array_equal(got[i][kept[i]], x[i][kept[i]])]
    assert not changed_rows, (
        f"inpainting_step with data_range=({low:.3g}, {high:.3g}) changed observed entries (rows {changed_rows[:5]}): "
        "each row has its own mask (observed == 1 marks what stays exactly), and the observed entries of every row "
        "must stay bit for bit, whatever the range")
    grads = _gradients(model, x, rng, ("tiny", "small", "micro") if steep else ("tiny", "small"))
    unclipped = x + step * (grads[0] + noise)
    # where the judge's step lands clearly outside (a steep log p can outweigh the noise; a kink can
    # put the finite-difference gradient off by about 1, i.e. 0.1 of the width after the step)
    up, down = up & (unclipped > high + 0.1 * width), down & (unclipped < low - 0.1 * width)
    assert np.allclose(got[up], high, atol=1e-6) and np.allclose(got[down], low, atol=1e-6), (
        f"inpainting_step: hidden entries that the step pushes out of data_range = ({low:.3g}, {high:.3g}) must be "
        f"projected back onto its ends: those pushed above came back as {np.round(got[up][:6], 3)}, those "
        f"pushed below as {np.round(got[down][:6], 3)}")
    expected = [np.where(kept, x, np.clip(x + step * (grad + noise), low, high)) for grad in grads]
    nearest = np.min([np.abs(got - e) for e in expected], axis=0)
    error = np.quantile(nearest[~kept], 0.9) / width
    return error, grads[0][~kept]


@pytest.mark.points(2)
def test_inpainting_step_rule(submission, measure):
    """inpainting_step: x_H <- clip(x_H + a (d log p / d x_H + eps)) into data_range (both ends), for ranges with and without 0 and steep models; observed entries stay."""
    model = _model(submission, "inpainting step")
    rng = seeds.rng("inpainting step")
    near = rng.uniform(0.5, 3.0)  # a range on one side of 0, either side
    far = sorted(rng.choice([-1.0, 1.0]) * np.array([near, near + rng.uniform(1.0, 4.0)]))
    cases = {"around 0": (rng.uniform(-1.5, -0.2), rng.uniform(0.5, 2.5), False),
             "without 0": (far[0], far[1], False),
             "steep model": (rng.uniform(-1.5, -0.2), rng.uniform(0.5, 2.5), True)}
    errors, gradients = {}, {}
    for name, (low, high, steep) in cases.items():
        errors[name], gradients[name] = _one_step(submission, model, rng, low, high, steep)
    worst = max(errors, key=errors.get)
    hint = ""
    if errors[worst] >= STEP_TOL:
        hint = gradient_hint(submission)
        if not hint and worst == "steep model":
            hint = (f" (on a steep model, |d log p / dx| about {np.median(np.abs(gradients[worst])):.0f}: is the "
                    "gradient clipped or scaled?)")
    measure("inpainting_step_error", errors[worst], STEP_TOL, lambda e: (
        f"inpainting_step ({worst}): hidden entries differ from clip(x + step_size * (grad log p + noise), low, high) by "
        f"{e:.3f} of the range's width or more in 10% of them (gradient ascent on log p, noise inside the step, "
        f"then projection into data_range).{hint}"))


@pytest.mark.points(2)
def test_inpaint_behaviour(submission, measure):
    """inpaint keeps observed entries, changes hidden ones, stays in range, raises log p and adds the step's noise."""
    model = _model(submission, "inpaint")
    rng = seeds.rng("inpaint")
    low, high = -5.0, 5.0
    x = rng.uniform(-1.0, 1.0, (PAIRS, DIM))
    x = f32(np.concatenate([x, x + rng.uniform(-1e-3, 1e-3, x.shape)]))  # row i + PAIRS starts almost as row i
    observed = np.tile([0.0, 1.0, 0.0, 1.0], (2 * PAIRS, 1))
    x[:, [0, 2]] = 4.5  # far in the prior's tail: an unlikely start for the hidden entries
    _steepen(model, rng, x, SLOPED, std=WEIGHT_STD)
    out = submission.rows_func("inpaint", model, [x, observed], steps=60, data_range=[low, high],
                               seed=seeds.seed("inpaint"), timeout=60.0, returns="rows",
                               decoys=lambda h: {1: np.tile([0.0, 1.0, 0.0, 1.0], (h.decoy_count, 1))})
    assert np.array_equal(out[:, [1, 3]], x[:, [1, 3]]), "inpaint changed observed entries (check inpainting_step)"
    assert np.mean(np.abs(out[:, [0, 2]] - x[:, [0, 2]]) > 1e-4) > 0.9, \
        "inpaint did not change the hidden entries (check inpainting_step)"
    assert out.min() >= low - 1e-6 and out.max() <= high + 1e-6, (
        f"inpaint: values left the data range [{low:g}, {high:g}]: min {out.min():.3f}, max {out.max():.3f} "
        "(inpainting_step must project into data_range)")
    before = judge_log_likelihood(model, x, "logistic", rng).mean()
    after = judge_log_likelihood(model, out, "logistic", rng).mean()
    measure("inpaint_log_p_gain", after - before, GAIN_FLOOR, at_least=True, fail=(
        f"inpaint: 60 steps took the mean log p from {before:.3f} to {after:.3f}; on this model they raise it by "
        f"at least {GAIN_FLOOR:g} nat (inpainting_step climbs the gradient of log p, at the full step size)"))
    hidden = out[:, [0, 2]]
    spread = np.median(np.abs(hidden[:PAIRS] - hidden[PAIRS:]))
    measure("inpaint_noise_spread", spread, SPREAD_LIMIT, lambda s: (
        f"inpaint: two rows that start alike end {s:.2f} apart (median over their hidden entries), but the noise of "
        f"60 steps moves them less than {SPREAD_LIMIT:g} apart when each step is x_H + alpha (grad + eps): is the "
        "noise inside the step, multiplied by the step size?"))
    measure("inpaint_noise_spread_floor", spread, SPREAD_FLOOR, at_least=True, fail=lambda s: (
        f"inpaint: two rows that start alike end only {s:.2g} apart (median over their hidden entries): each step "
        "adds noise (x_H + alpha (grad + eps), eps ~ N(0, I) given as inpainting_step's noise), which moves them "
        f"about 0.15-0.55 apart in 60 steps. Does inpainting_step add its noise argument?"))
