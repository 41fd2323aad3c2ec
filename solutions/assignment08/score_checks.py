"""Self-checks for assignment 08 (score-based generative models), to run in your own notebook.

Given code: do not edit this module.  Each ``check_*`` function tests one part of the assignment on
small inputs with its own fixed seeds and prints ``<part>: OK`` or a FAILED block: what was expected,
what came back and a hint, or the error your code raised with the lines of your code it passed through.
A check never raises, so *Run All* goes on.  ``check_all(globals())`` runs every part and prints a table.
``keep_going`` does what a check does for the given cells that run your code (the experiments): report,
and go on.

The checks compute what they compare against themselves (the loss and the Langevin update from their
formulas, the exact score of a Gaussian), so they do not trust your other functions.  They are not the
autograder: that one uses its own data and seeds, and also checks the distribution of your samples after
training.  Like the notebook's own cells they reseed TensorFlow, NumPy and ``random``
(``tf.keras.utils.set_random_seed``).  TensorFlow is imported on first use, not by ``import score_checks``.
"""
import contextlib
import functools
import os
import re
import traceback

import numpy as np

class CheckFailed(AssertionError):
    """A self-check found a mistake; the message says what was expected and what came back."""


#: Frames of these files are never shown: this module's own, and installed packages (TensorFlow, ...).
_HIDDEN_FRAMES = (os.path.abspath(__file__), os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep,
                  "<frozen ")
_RULE = "-" * 100


# --------------------------------------------------------------------------------------- plumbing
@functools.lru_cache(maxsize=None)
def _tf():
    """TensorFlow, imported on first use (without its CPU-only log lines)."""
    from score_helpers import quiet_tensorflow
    return quiet_tensorflow()


def _fail(what, expected, got, hint):
    raise CheckFailed(f"{what}: expected {expected}, got {got}.\n    Hint: {hint}")


def _plain(text):
    """``text`` without terminal colour codes."""
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(text))


def _your_frames(err):
    """The traceback lines of ``err`` that are in your code (never this module's, nor TensorFlow's)."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if not any(h in os.path.abspath(f.filename) or f.filename.startswith(h) for h in _HIDDEN_FRAMES)]
    return "".join(f'    File "{f.filename}", line {f.lineno}, in {f.name}\n' + (f"      {f.line}\n" if f.line else "")
                   for f in frames)


def _where_raised(err):
    """The function of your code that raised ``err`` (``ScoreModel.call``), or None."""
    tb, name = err.__traceback__, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not any(h in os.path.abspath(filename) or filename.startswith(h) for h in _HIDDEN_FRAMES):
            name = tb.tb_frame.f_code.co_qualname
        tb = tb.tb_next
    return name


def _error(err):
    """(one-line summary, full text) of an error your code raised, colour-free: "not implemented yet:
    FUNCTION" for a ``raise NotImplementedError()`` still there, else its type, message and your lines."""
    if isinstance(err, NotImplementedError):
        text = f"not implemented yet: {_where_raised(err) or 'raise NotImplementedError() is still there'}"
        return text, text
    message = " / ".join(line.strip() for line in _plain(err).splitlines() if line.strip())[:500]
    frames = _your_frames(err)
    return (f"your code raised {type(err).__name__}: {message[:200]}",
            f"your code raised {type(err).__name__}: {message}\n" + (f"  where, in your code:\n{frames}" if frames else ""))


def _verdict(fn, args):
    """(True, what passed) if ``fn(*args)`` passes, else (False, one-line summary, full text), colour-free."""
    try:
        return True, fn(*args)
    except CheckFailed as err:
        text = _plain(err)
        return False, text.splitlines()[0], text
    except Exception as err:  # noqa: BLE001 - any error in student code is a verdict, never a crash
        return (False, *_error(err))


@contextlib.contextmanager
def keep_going(what):
    """For a given cell that runs your code (an experiment, a demonstration): if your code is not ready,
    the rest of the cell is skipped with one line saying why, as a self-check says it, and *Run All*
    goes on to the end.  A name that an earlier skipped cell did not make is said as such."""
    try:
        yield
    except NameError as err:
        print(f"{what}: skipped: it needs {err.name}, which a cell above did not make (see the message there)")
    except Exception as err:  # noqa: BLE001 - any error in your code: said, never a stop
        print(f"{what}: skipped: {_error(err)[1].rstrip()}\n  (a given cell: it runs once the code it calls works)")


def _report(part, fn, args):
    """Runs one part's check and prints ``<part>: OK (...)`` or a FAILED block; returns None."""
    verdict = _verdict(fn, args)
    if verdict[0]:
        print(f"{part}: OK ({verdict[1]})")
    else:
        print(f"{_RULE}\n{part}: FAILED\n{verdict[2].rstrip()}\n{_RULE}")


def _array(value, shape, what):
    """``value`` as a float64 array of ``shape`` with finite entries, or CheckFailed."""
    try:
        arr = np.asarray(value, np.float64)
    except (TypeError, ValueError) as err:
        _fail(what, f"an array of shape {shape}", f"{type(value).__name__} ({err})",
              "return a tf.Tensor or numpy array")
    if arr.shape != tuple(shape):
        _fail(what, f"shape {tuple(shape)}", f"shape {arr.shape}",
              "keep one row per example and one column per dimension (a batch of scalars: shape (batch,))")
    if not np.all(np.isfinite(arr)):
        _fail(what, "finite values", f"{np.sum(~np.isfinite(arr))} NaN/inf entries",
              "look for a log of a non-positive number or an exploding exp")
    return arr


def _scalar(value, what):
    arr = np.asarray(value, np.float64)
    if arr.size != 1:
        _fail(what, "a scalar", f"shape {arr.shape}", "reduce over every dimension (tf.reduce_sum / reduce_mean)")
    return float(arr.reshape(()))


def _which(got, candidates, tol):
    """The label of the first candidate array that ``got`` matches within ``tol``, else None."""
    for label, value in candidates.items():
        if np.allclose(got, value, atol=tol, rtol=1e-4):
            return label
    return None


def _tolerance(expected, atol=1e-3):
    """Absolute tolerance for float32 results of magnitude |expected|: atol * max(1, max|expected|)."""
    return atol * max(1.0, float(np.max(np.abs(expected))))


def _seed(seed):
    _tf().keras.utils.set_random_seed(seed)

def _gaussian_score(mu, s0):
    """The exact score of N(mu, s0^2 I) perturbed by N(0, sigma^2 I): -(x - mu) / (s0^2 + sigma^2), a plain
    function ``score(x, sigma)`` of TensorFlow ops (not a ScoreModel)."""
    tf = _tf()
    mu = tf.constant(np.asarray(mu, np.float32))

    def score(x, sigma):
        return -(tf.cast(x, tf.float32) - mu) / (s0 ** 2 + tf.cast(sigma, tf.float32) ** 2)
    return score


def _langevin_std(s0, sigma_min, eps):
    """Standard deviation that Langevin steps of size eps reach at the smallest scale on the exact score of
    N(mu, s0^2 I) perturbed by sigma_min: variance v / (1 - eps / (2 v)), v = s0^2 + sigma_min^2 (the
    discretised chain's own stationary variance, slightly above v)."""
    v = s0 ** 2 + float(sigma_min) ** 2
    return float(np.sqrt(v / (1 - eps / (2 * v))))


# ----------------------------------------------------------------------------------- the checks
def _noise_scales(noise_scales):
    """noise_scales(sigma_min, sigma_max, L): float32 (L,), sigma_max first, sigma_min last, a constant
    ratio between neighbours (a geometric ladder), for two ladders."""
    for sigma_min, sigma_max, num in ((0.01, 1.0, 10), (0.05, 20.0, 7)):
        call = f"noise_scales({sigma_min}, {sigma_max}, {num})"
        got = noise_scales(sigma_min, sigma_max, num)
        if np.asarray(got).dtype != np.float32:
            _fail(f"{call}.dtype", "float32", np.asarray(got).dtype, "return np.asarray(..., np.float32)")
        got = _array(got, (num,), call)
        want = np.geomspace(sigma_max, sigma_min, num)
        if np.allclose(got, want[::-1], rtol=1e-5):
            _fail(f"{call}: order", "largest first (the order Langevin visits them)", "smallest first",
                  "np.geomspace(sigma_max, sigma_min, num_scales): sigmas[0] is the largest here")
        if np.allclose(got, np.linspace(sigma_max, sigma_min, num), rtol=1e-5):
            _fail(f"{call}: spacing", "a geometric ladder (constant ratio)", "an arithmetic one (constant step)",
                  "np.geomspace, not np.linspace")
        if not np.allclose(got, want, rtol=1e-5):
            _fail(call, np.round(want, 5).tolist(), np.round(got, 5).tolist(),
                  "a geometric ladder from sigma_max down to sigma_min, both included")
    return "geometric, largest first, float32"


def _score_model(ScoreModel):
    """ScoreModel(dim, hidden_units, activation): weights right after construction, as many as an MLP
    dim -> hidden -> dim has; model(x, sigma) of shape (N, dim) for sigma a float or a 0-d tensor; the
    output is net(x) / sigma (sigma times the output does not depend on sigma); rows do not mix (no batch
    statistics); outputs of both signs and any size (no output activation)."""
    tf = _tf()
    for dim, hidden in ((2, (16, 16)), (5, (8, 12, 4))):
        _seed(dim)
        where = f"ScoreModel({dim}, hidden_units={hidden})"
        model = ScoreModel(dim, hidden_units=hidden)
        if not model.weights:
            _fail(f"{where}.weights right after construction", "the network's weights", "none",
                  "build the network in __init__: a Sequential that starts with tf.keras.Input((dim,)), "
                  "or call self.net.build((None, dim))")
        sizes = [dim, *hidden, dim]
        expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        count = int(sum(np.prod(v.shape) for v in model.trainable_variables))
        if count != expected:
            _fail(f"{where}: number of trainable parameters", f"{expected} (Dense layers {sizes}, with biases)",
                  count, "an MLP dim -> hidden_units... -> dim and nothing else (no batch normalisation)")
        if any(isinstance(layer, tf.keras.layers.BatchNormalization) for layer in model._flatten_layers()):
            _fail(where, "no BatchNormalization layer", "one", "see the written question: leave it out")
        rng = np.random.default_rng(dim)
        x = (2.0 * rng.standard_normal((16, dim))).astype(np.float32)
        for sigma in (0.5, tf.constant(0.5)):
            _array(model(x, sigma), x.shape, f"{where}(x, sigma={sigma!r}) with x of shape {x.shape}")
        small, large = (_array(model(x, s), x.shape, f"{where}(x, {s})") for s in (0.1, 2.0))
        if not np.allclose(0.1 * small, 2.0 * large, atol=_tolerance(0.1 * small, 1e-4), rtol=1e-4):
            _fail(f"{where}: 0.1 * model(x, 0.1) vs 2.0 * model(x, 2.0)", "equal (output = net(x) / sigma)",
                  f"max difference {np.max(np.abs(0.1 * small - 2.0 * large)):.3g}",
                  "divide the network's output by sigma (technique 3); do not feed sigma into the network")
        if np.allclose(small, large, atol=1e-6):
            _fail(f"{where}: model(x, 0.1) vs model(x, 2.0)", "different (the output is divided by sigma)",
                  "the same", "return self.net(x) / sigma")
        rows = _array(model(x[:3], 1.0), (3, dim), f"{where}(x[:3], 1.0)")
        if not np.allclose(rows, _array(model(x, 1.0), x.shape, f"{where}(x, 1.0)")[:3], atol=1e-5):
            _fail(f"{where}: the first 3 rows alone vs within 16", "the same scores (rows do not mix)",
                  "different", "no batch statistics (batch normalisation) in a score model")
        out = _array(model(x * 50.0, 0.01), x.shape, f"{where}(50 x, 0.01)")
        if out.min() >= 0 or out.max() <= 0 or np.max(np.abs(out)) <= 1.0:
            _fail(f"{where}(50 x, 0.01): range of the outputs", "both signs and beyond [-1, 1]",
                  f"[{out.min():.3g}, {out.max():.3g}]", "no activation on the output layer")
    return "shapes, weights, division by sigma, no output activation"


def _dsm_loss(dsm_loss):
    """dsm_loss(model, x, sigma, noise) = 0.5 * mean over rows of sum over dims of
    (sigma * model(x + sigma * noise, sigma) + noise)^2, on tiny inputs with a known score function."""
    tf = _tf()
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    noise = rng.standard_normal((5, 3)).astype(np.float32)
    weights = rng.standard_normal((3, 3)).astype(np.float32)

    def model(inputs, sigma):  # a fixed score function: tanh(x W) / sigma
        return tf.tanh(tf.cast(inputs, tf.float32) @ weights) / tf.cast(sigma, tf.float32)

    def net(inputs):
        return np.tanh(inputs.astype(np.float64) @ weights)

    for sigma in (0.3, 2.0):
        tilde = x + sigma * noise
        score = net(tilde) / sigma
        residual = sigma * score + noise
        want = 0.5 * np.mean(np.sum(residual ** 2, axis=1))
        got = _scalar(dsm_loss(model, tf.constant(x), sigma, tf.constant(noise)), f"dsm_loss(model, x, {sigma}, noise)")
        if abs(got - want) <= 1e-4 * max(1.0, abs(want)):
            continue
        mistakes = {
            "without the factor 1/2": 2 * want,
            "a mean over every entry (divided by the dimension too)": want / 3,
            "without the weighting lambda(sigma) = sigma^2": 0.5 * np.mean(np.sum((score + noise / sigma) ** 2, 1)),
            "with the target +noise instead of -noise (score - noise / sigma)": 0.5 * np.mean(np.sum((sigma * score - noise) ** 2, 1)),
            "with the model applied to x instead of x + sigma * noise": 0.5 * np.mean(np.sum((net(x) + noise) ** 2, 1)),
            "with x + noise instead of x + sigma * noise": 0.5 * np.mean(np.sum((net(x + noise) + noise) ** 2, 1)),
        }
        label = _which(np.array(got), {k: np.array(v) for k, v in mistakes.items()}, 1e-4 * max(1.0, abs(want)))
        _fail(f"dsm_loss(model, x, sigma={sigma}, noise) on a 5 x 3 batch", f"{want:.6f}", f"{got:.6f}"
              + (f" (= the loss {label})" if label else ""),
              "0.5 * mean over rows of sum over dims of (sigma * model(x + sigma * noise, sigma) + noise)^2")
    return "matches the formula for sigma = 0.3 and 2.0"


def _training(ScoreModel, train):
    """train(model, data, sigmas, steps, ...): a numpy array of `steps` finite losses; 300 steps on the ring
    of Gaussians lower the loss and change every weight; the same seed gives the same losses."""
    from score_helpers import ring_of_gaussians
    data = ring_of_gaussians(2000, seed=4)
    sigmas = np.geomspace(3.0, 0.1, 6).astype(np.float32)
    runs = []
    for _ in range(2):
        _seed(5)
        model = ScoreModel(2, hidden_units=(32, 32))
        start = [v.numpy() for v in model.trainable_variables]
        losses = _array(train(model, data, sigmas, 300, batch_size=64, learning_rate=3e-3, seed=1), (300,),
                        "train(model, data, sigmas, steps=300)")
        runs.append(losses)
    frozen = [v.path for v, s in zip(model.trainable_variables, start) if np.array_equal(v.numpy(), s)]
    if frozen:
        _fail("weights after 300 steps", "every trainable variable changed", f"unchanged: {frozen}",
              "apply the gradients to model.trainable_variables")
    first, last = losses[:75].mean(), losses[-75:].mean()
    if not last < first:
        _fail("mean loss of the last 75 steps vs the first 75", f"lower than {first:.4f}", f"{last:.4f}",
              "minimise dsm_loss with Adam, one random noise scale per step")
    if np.std(losses[-75:]) < 1e-3 * abs(last):
        _fail("the losses of the last 75 steps", "varying (a new batch, noise scale and noise every step)",
              "(almost) constant", "draw with tf.random (a tf.random.Generator) inside the tf.function step, "
              "or outside it: numpy/Python random numbers inside are drawn once, when it is traced")
    if not np.allclose(runs[0], runs[1], rtol=1e-3, atol=1e-4):
        _fail("two runs from the same weights with seed=1", "the same losses", "different losses",
              "draw every random number from a generator seeded with `seed` (tf.random.Generator.from_seed)")
    return f"loss {first:.3f} -> {last:.3f} in 300 steps"


def _langevin(langevin_step_size, langevin_update):
    """langevin_step_size = eps * sigma^2 / sigma_min^2 (variances); langevin_update = x + step * score +
    sqrt(2 step) * noise (improved paper, Algorithm 1), on tiny inputs."""
    for sigma, sigma_min, eps in ((1.0, 0.01, 2e-5), (0.3, 0.1, 1e-3)):
        want = eps * sigma ** 2 / sigma_min ** 2
        got = _scalar(langevin_step_size(sigma, sigma_min, eps), f"langevin_step_size({sigma}, {sigma_min}, {eps})")
        if abs(got - want) > 1e-6 * want:
            label = _which(np.array(got), {"eps * sigma / sigma_min (standard deviations)": np.array(eps * sigma / sigma_min),
                                           "eps * sigma_min^2 / sigma^2 (inverted)": np.array(eps * sigma_min ** 2 / sigma ** 2)},
                           1e-6 * want)
            _fail(f"langevin_step_size({sigma}, {sigma_min}, {eps})", f"{want:.6g}", f"{got:.6g}"
                  + (f" (= {label})" if label else ""), "alpha_i = eps * sigma_i^2 / sigma_L^2: variances")
    rng = np.random.default_rng(6)
    x, score, noise = (rng.standard_normal((4, 3)).astype(np.float32) for _ in range(3))
    for step in (0.02, 0.5):
        want = x + step * score + np.sqrt(2 * step) * noise
        got = _array(langevin_update(x, score, step, noise), x.shape, f"langevin_update(x, score, {step}, noise)")
        if np.allclose(got, want, atol=1e-5):
            continue
        label = _which(got, {
            "the NCSN paper's x + step / 2 * score + sqrt(step) * noise": x + step / 2 * score + np.sqrt(step) * noise,
            "noise scaled by sqrt(step) instead of sqrt(2 step)": x + step * score + np.sqrt(step) * noise,
            "noise scaled by the step instead of its square root": x + step * score + 2 * step * noise,
            "a step against the score": x - step * score + np.sqrt(2 * step) * noise,
        }, 1e-5)
        _fail(f"langevin_update(x, score, step_size={step}, noise)", "x + step * score + sqrt(2 step) * noise",
              f"another value (max difference {np.max(np.abs(got - want)):.3g})" + (f": {label}" if label else ""),
              "the improved paper's Algorithm 1 (this notebook's step size convention)")
    return "step size and one update match the formulas"


def _annealed_langevin(annealed_langevin):
    """annealed_langevin with the exact score of a Gaussian N(mu, 0.5^2 I) (a plain function, not a
    ScoreModel): (N, D) float32 numpy; the samples' mean and standard deviation are the Gaussian's
    (perturbed by the smallest sigma); the same seed gives the same samples, another seed others."""
    mu, s0 = np.array([1.0, -2.0, 0.5], np.float32), 0.5
    score = _gaussian_score(mu, s0)
    sigmas = np.geomspace(3.0, 0.2, 6).astype(np.float32)
    start = (3.0 * np.random.default_rng(8).standard_normal((2000, 3))).astype(np.float32)
    got = annealed_langevin(score, start, sigmas, 100, 5e-3, seed=3)
    if not isinstance(got, np.ndarray) or got.dtype != np.float32:
        _fail("annealed_langevin(...)", "a float32 numpy array", f"{type(got).__name__} of {getattr(got, 'dtype', '?')}",
              "return x.numpy() (float32)")
    got = _array(got, start.shape, "annealed_langevin(score, x, sigmas, 100, 5e-3)")
    want_std = _langevin_std(s0, sigmas[-1], 5e-3)
    mean_err = np.max(np.abs(got.mean(axis=0) - mu))
    std = got.std(axis=0)
    if mean_err > 0.06 or np.max(np.abs(std / want_std - 1)) > 0.1:
        _fail("samples of N(mu, 0.5^2 I) from its exact score (2000 chains, 6 scales x 100 steps)",
              f"mean {mu.tolist()} (+-0.06), std {want_std:.3f} (+-10%)",
              f"mean {np.round(got.mean(0), 3).tolist()}, std {np.round(std, 3).tolist()}",
              "largest sigma first; step size from langevin_step_size(sigma, sigmas[-1], eps); score model(x, sigma); "
              "fresh N(0, I) noise at every step")
    again = annealed_langevin(score, start, sigmas, 100, 5e-3, seed=3)
    if not np.allclose(again, got):
        _fail("two runs with seed=3", "the same samples", "different ones",
              "draw the noise from tf.random.Generator.from_seed(seed)")
    if np.allclose(annealed_langevin(score, start, sigmas, 100, 5e-3, seed=4), got):
        _fail("runs with seed=3 and seed=4", "different samples", "the same ones", "seed the generator with `seed`")
    return f"Gaussian recovered (mean error {mean_err:.3f}, std {np.round(std, 3).tolist()} vs {want_std:.3f})"


def _sample(sample):
    """sample(model, n, dim, sigmas, ...): (n, dim) samples of N(mu, 0.5^2 I) from its exact score."""
    mu = np.array([-1.0, 2.0], np.float32)
    sigmas = np.geomspace(5.0, 0.2, 6).astype(np.float32)
    got = _array(sample(_gaussian_score(mu, 0.5), 1000, 2, sigmas, steps_per_scale=100, eps=5e-3, seed=2), (1000, 2),
                 "sample(score, 1000, 2, sigmas, steps_per_scale=100, eps=5e-3)")
    want_std = _langevin_std(0.5, sigmas[-1], 5e-3)
    if np.max(np.abs(got.mean(0) - mu)) > 0.1 or np.max(np.abs(got.std(0) / want_std - 1)) > 0.15:
        _fail("sample(...) with the exact score of N(mu, 0.5^2 I)", f"mean {mu.tolist()}, std {want_std:.3f}",
              f"mean {np.round(got.mean(0), 3).tolist()}, std {np.round(got.std(0), 3).tolist()}",
              "start from noise as wide as sigmas[0], then annealed_langevin")
    return "shape and distribution"


def check_noise_scales(noise_scales):
    _report("noise_scales", _noise_scales, (noise_scales,))


def check_score_model(ScoreModel):
    _report("ScoreModel", _score_model, (ScoreModel,))


def check_dsm_loss(dsm_loss):
    _report("dsm_loss", _dsm_loss, (dsm_loss,))


def check_training(ScoreModel, train):
    _report("train", _training, (ScoreModel, train))


def check_langevin(langevin_step_size, langevin_update, annealed_langevin=None):
    _report("langevin_step_size / langevin_update", _langevin, (langevin_step_size, langevin_update))
    if annealed_langevin is not None:
        _report("annealed_langevin", _annealed_langevin, (annealed_langevin,))


def check_sample(sample):
    _report("sample", _sample, (sample,))


#: (part, check, names it needs from the notebook), in notebook order.
PARTS = (
    ("noise_scales", _noise_scales, ("noise_scales",)),
    ("ScoreModel", _score_model, ("ScoreModel",)),
    ("dsm_loss", _dsm_loss, ("dsm_loss",)),
    ("train", _training, ("ScoreModel", "train")),
    ("langevin_step_size / langevin_update", _langevin, ("langevin_step_size", "langevin_update")),
    ("annealed_langevin", _annealed_langevin, ("annealed_langevin",)),
    ("sample", _sample, ("sample",)),
)


def check_all(namespace):
    """Runs every part's check on the classes and functions in ``namespace`` (pass ``globals()``) and
    prints a table, one line per part; never raises, returns None."""
    verdicts = {}
    for part, fn, names in PARTS:
        missing = [n for n in names if n not in namespace]
        absent = f"not defined: {', '.join(missing)} (run the cells above first)"
        verdicts[part] = (False, absent, absent) if missing else _verdict(fn, [namespace[n] for n in names])
    width = max(len(part) for part in verdicts)
    print(f"{'part':{width}s}  result")
    for part, verdict in verdicts.items():
        print(f"{part:{width}s}  " + ("OK" if verdict[0] else "FAILED: " + verdict[1]))
    failed = [part for part, verdict in verdicts.items() if not verdict[0]]
    if failed:
        print(f"\n{len(failed)} of {len(PARTS)} parts do not pass yet ({', '.join(failed)}): run each one's "
              "self-check cell above for what was expected, what came back and a hint.")
    else:
        print("\nAll self-checks passed: save the notebook and submit assignment08.ipynb.")
