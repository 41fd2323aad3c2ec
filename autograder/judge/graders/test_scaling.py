"""The scaling layer: a diagonal scaling whose log-det is the sum of its log-scales."""
import numpy as np
import pytest

from autograder.judge import probes, seeds
from autograder.judge.builders import DIM


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
