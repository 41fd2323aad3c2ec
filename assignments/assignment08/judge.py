"""What the graders of assignment 08 share: asking the worker for scores, building models with judge weights."""
import numpy as np
import pytest

from autograder.judge.facade import expect_array

#: The judge's exact Gaussian score in the worker (worker_objects.GaussianScore).
GAUSSIAN = "GaussianScore"


def score(model, x, sigma, finite=True):
    """``model(x, sigma)`` in the worker, checked to have x's shape (and finite entries unless ``finite=False``)."""
    x = np.asarray(x, np.float64)
    what = f"{model.label}(<array {x.shape}>, sigma={sigma:.4g})"
    raw = model.sub.run(what, "call", obj=model.name, method="__call__", args=[x, float(sigma)], kwargs={})
    return expect_array(raw, x.shape, what, finite=finite)


def score_model(sub, rng, dim, label, hidden_units=(32, 32), std=0.4):
    """A ScoreModel(dim, hidden_units) built in the worker and given weights the judge draws (every trainable
    weight i.i.d. N(0, std^2)); checks that its scores moved with them."""
    sub.seed(int(rng.integers(2**31)))
    model = sub.build("ScoreModel", dim, hidden_units=list(hidden_units))
    probe = rng.normal(0.0, 1.5, (6, dim))
    before = score(model, probe, 1.0, finite=False)
    if not model.known_weights():
        pytest.fail(f"{model.label} has no weights after it was built: build the network in __init__ (an Input "
                    "layer, or net.build((None, dim))) so that Keras tracks its weights", pytrace=False)
    draw_weights(model, rng, std)
    after = score(model, probe, 1.0, finite=False)
    if np.allclose(before, after, rtol=0.0, atol=1e-6):
        pytest.fail(f"the grader gave the weights of {model.label} random values (those Keras tracks in `weights`), "
                    "but model(x, sigma) still returns the same scores: does call use the tracked network?",
                    pytrace=False)
    return model


def draw_weights(model, rng, std):
    """Give every trainable weight of ``model`` i.i.d. N(0, std^2) values the judge draws (the others stay)."""
    weights = model.known_weights()
    trainable = model.trainable(len(weights))
    model.set_weights([rng.normal(0.0, std, w.shape) if t else w for w, t in zip(weights, trainable)])


def gaussian(sub, rng, dim):
    """The judge's exact score of N(mu, var I) in the worker, with mu and var drawn; returns (ref, mu, var)."""
    mu, var = rng.uniform(-2.0, 2.0, dim), float(rng.uniform(0.3, 2.0))
    return sub.judge_object(GAUSSIAN, mu, var), mu, var
