"""The scaling layer: a diagonal scaling whose log-det is the sum of its log-scales."""
import numpy as np
import pytest

from autograder.judge import probes, seeds
from assignments.assignment07.builders import DIM

#: |log det| the judge also asks for, both ways: past float32's exp(88.7) and exp(-103.3), so a log-det
#: computed as log(prod(exp(s))) overflows or underflows (a trained 784-dim MNIST model's is about 5400).
EXTREME = 110.0
#: The sizes of the weights tried for it, in turn: a log-scale's (17.3 each of 7), then up to a softplus
#: parameter's or a scale's own (2^23: log 15.9), then down to a scale's own towards 0.
EXTREME_SIZES = (1.1 * EXTREME / DIM, 4 * EXTREME / DIM, 2.0 ** 10, 2.0 ** 16, 2.0 ** 23, 2.0 ** -16, 2.0 ** -23)


def _extreme(layer, rng, x, sign):
    """Set every trainable weight of ``layer`` to ``sign`` times a size until forward scales x by
    |log det| > EXTREME; returns (the per-dim scales, their log|det|), or None where no size gets there."""
    weights = layer.known_weights()
    trainable = layer.trainable(len(weights))
    for size in EXTREME_SIZES:
        layer.set_weights([sign * size * rng.uniform(0.95, 1.05, w.shape) if t else w
                           for w, t in zip(weights, trainable)])
        with np.errstate(all="ignore"):
            ratio = layer.forward(x, finite=False)[0] / x[0]
            total = float(np.sum(np.log(np.abs(ratio))))
        if np.isfinite(total) and abs(total) > EXTREME:
            return ratio, total
    return None


@pytest.mark.points(2)
def test_scaling_layer_log_det(submission, measure):
    """ScalingLayer: a diagonal scaling whose log_det_jacobian is the sum of log scales it applies, large ones included."""
    rng = seeds.rng("scaling layer")
    submission.seed(seeds.seed("scaling layer"))
    layer = submission.new("ScalingLayer", DIM)
    # two log-scales far out (+-5.5 to 8): a trained MNIST model's reach 6.9, and any value is allowed
    layer.set_random_weights(0.7, rng, rng.uniform(0.5, 2.0, (4, DIM)), wide=[(DIM,)])
    copy = layer.twin()
    x = rng.uniform(0.5, 2.0, (8, DIM))
    y = layer.forward(x)
    ratio = y / x
    assert np.allclose(ratio, ratio[0], rtol=1e-4), "ScalingLayer.forward is not a per-dimension scaling (y / x varies by row)"
    expected = float(np.sum(np.log(np.abs(ratio[0]))))
    got = layer.log_det()
    measure("scaling_log_det_error", abs(got - expected), 1e-3, lambda e: (
        f"ScalingLayer.log_det_jacobian() returned {got:.4f}, but forward scales the dims by {np.round(ratio[0], 3)} "
        f"whose log|det| is {expected:.4f}: the log-det of z = exp(s) * h is the sum of the log-scales s"))
    err = np.max(np.abs(copy.backward(probes.relay(y, rng, 1e-7)) - x))
    assert err < 1e-4, f"ScalingLayer.backward does not undo the scaling (max error {err:.3g}): divide by exp(s)"
    for sign in (1.0, -1.0):
        found = _extreme(layer, rng, x[:1], sign)
        if found is None:
            continue
        ratio, expected = found
        got = layer.log_det(finite=False)
        measure("scaling_extreme_log_det_error", abs(got - expected) if np.isfinite(got) else np.inf, 1e-3,
                lambda e: (
            f"ScalingLayer.log_det_jacobian() returned {got:.4f} for scales {np.array2string(ratio, precision=3)}, "
            f"whose log|det| is {expected:.4f}: compute the sum of the log-scales directly (a product of exp(s) "
            "overflows float32 beyond exp(88.7) and underflows below exp(-103.3); a 784-dim model reaches both)"))
