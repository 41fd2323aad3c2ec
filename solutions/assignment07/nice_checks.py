"""Self-checks for assignment 07 (NICE), to run in your own notebook.

Given code: do not edit this module.  Each ``check_*`` function tests one part of the assignment on
small inputs with its own fixed seeds and prints ``<part>: OK`` or a FAILED block: what was expected,
what came back and a hint, or the error your code raised with the lines of your code it passed through.
A check never raises, so *Run All* goes on.  ``check_all(globals())`` runs every part and prints a table;
it first runs your saved notebook the way the autograder will (``nice_cells``: your solution cells with
the given cells, nothing else but the definitions your solution takes from cells you added) and checks
that, saying what the autograder does differently from your kernel.  ``keep_going`` does what a check
does for the given cells that run your code (the experiments): report, and go on.

The checks compute what they compare against themselves (Jacobians with ``tf.GradientTape``, the prior
densities from their formulas), so they do not trust your ``log_det_jacobian()`` or ``log_likelihood``.
They are not the autograder: that one uses its own data, and also grades how well training fits.
Like the notebook's own cells they reseed TensorFlow, NumPy and ``random``
(``tf.keras.utils.set_random_seed``).  TensorFlow is imported on first use, not by ``import nice_checks``.
"""
import contextlib
import functools
import os
import re
import traceback

import numpy as np

#: Random weights are perturbed by N(0, PERTURB^2), so the scale (and the log-det) is not 0.
PERTURB = 0.3
#: A perturbed model's |log det J| must exceed this, so that sign, mean and missing-term mistakes show.
MIN_ABS_LOG_DET = 0.5


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
    from nice_helpers import quiet_tensorflow
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
    """The function of your code that raised ``err`` (``CouplingLayer.forward``), or None."""
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


# ------------------------------------------------------------------------------------ references
def log_prior(z, prior):
    """Standard prior log-density summed over dims, in TensorFlow (differentiable).

    logistic: log p(z) = -sum_i (softplus(z_i) + softplus(-z_i));
    normal:   log p(z) = -1/2 sum_i (z_i^2 + log 2 pi).
    """
    tf = _tf()
    z = tf.cast(z, tf.float64)
    if prior == "logistic":
        return -tf.reduce_sum(tf.nn.softplus(z) + tf.nn.softplus(-z), axis=-1)
    return -0.5 * tf.reduce_sum(tf.square(z) + np.log(2 * np.pi), axis=-1)


def jacobian(fn, x):
    """Per-example Jacobians d fn(x)_k / d x_j of a batch map, (batch, D_out, D_in) float64 numpy, D_out <= D_in.

    Each example is repeated D_in times and copy k gives row k: the gradient of sum_k fn(copies)[copy k, k] with
    respect to the copies, one forward and one backward pass for the whole batch (examples do not mix).
    """
    tf = _tf()
    x = np.asarray(x, np.float32)
    n, dim = x.shape
    inputs = tf.constant(np.repeat(x, dim, axis=0))
    with tf.GradientTape() as recorder:
        recorder.watch(inputs)
        outputs = fn(inputs)
        if len(outputs.shape) != 2 or outputs.shape[0] != n * dim or outputs.shape[1] > dim:
            _fail("forward(x)", f"shape {(n * dim, dim)}", f"shape {tuple(outputs.shape)}",
                  "forward must return one row of D numbers for each row of x")
        picked = tf.reduce_sum(outputs * tf.constant(np.tile(np.eye(dim, outputs.shape[1]), (n, 1)), outputs.dtype))
    rows = recorder.gradient(picked, inputs)
    if rows is None:
        _fail("d forward(x) / dx", "a Jacobian", "None (forward is not differentiable by tf.GradientTape)",
              "keep forward in TensorFlow operations (no .numpy() or numpy calls inside)")
    return rows.numpy().reshape(n, dim, dim)[:, :outputs.shape[1]].astype(np.float64)


def numeric_log_det(model, x):
    """log|det J_f(x)| per example from the Jacobian of ``model.forward`` (never log_det_jacobian())."""
    return np.linalg.slogdet(jacobian(model.forward, x))[1]


def expected_log_likelihood(model, x, prior):
    """log p(x) = log p_H(f(x)) + log|det J_f(x)|, with the Jacobian computed numerically, (batch,)."""
    z = model.forward(np.asarray(x, np.float32))
    return log_prior(z, prior).numpy() + numeric_log_det(model, x)


def perturb(model, seed, scale=PERTURB, start=None):
    """Sets every trainable variable of a built ``model`` (the scale included) to its value in ``start``
    (default: its current value) plus N(0, scale^2) noise."""
    rng = np.random.default_rng(seed)
    start = start or [v.numpy() for v in model.trainable_variables]
    for v, value in zip(model.trainable_variables, start):
        v.assign((value + scale * rng.standard_normal(value.shape)).astype(value.dtype))


def built_nice(NICE, dim, seed, **kwargs):
    """NICE(dim, **kwargs) built on one example, its weights initialised under ``seed``."""
    _seed(seed)
    model = NICE(dim, **kwargs)
    model.forward(np.zeros((1, dim), np.float32))
    return model


def random_nice(NICE, dim, seed, prior="logistic", hidden_units=(16, 16)):
    """A NICE(dim, 4 couplings) whose weights are perturbed until |log det J| > MIN_ABS_LOG_DET (10 tries).

    Returns (model, log|det J| from the Jacobian of forward); that value stays ~0 when the scale is not
    among ``model.trainable_variables``.
    """
    model = built_nice(NICE, dim, seed, num_couplings=4, hidden_units=hidden_units, prior=prior)
    probe = np.random.default_rng(seed).standard_normal((4, dim)).astype(np.float32)
    start = [v.numpy() for v in model.trainable_variables]
    log_det = 0.0
    for k in range(10):
        perturb(model, seed + k, start=start)
        log_det = float(np.median(numeric_log_det(model, probe)))
        if abs(log_det) > MIN_ABS_LOG_DET:
            break
    return model, log_det


# ----------------------------------------------------------------------------------- the checks
def _coupling_layer(CouplingLayer):
    """CouplingLayer(D, parity) for D = 6 and 5 (odd) and both parities.

    * backward(forward(x)) = x and forward(backward(z)) = z (max error < 1e-4);
    * one half passes bit-for-bit (floor(D/2) or ceil(D/2) dims), the other is shifted:
      y_keep = x_keep, y_change = x_change + m(x_keep), and the shift m depends on x_keep only;
    * the two parities change complementary halves;
    * two layers built alike have their own networks m (different shifts).
    """
    rng = np.random.default_rng(7)
    for dim in (6, 5):
        kept_sets = []
        for parity in (0, 1):
            _seed(100 * dim + parity)
            layer = CouplingLayer(dim, parity, hidden_units=(32, 32))
            where = f"CouplingLayer({dim}, parity={parity})"
            x = (2.0 * rng.standard_normal((32, dim))).astype(np.float32)
            _array(layer.forward(x), x.shape, f"{where}.forward(x)")  # builds the layer's weights
            perturb(layer, 100 * dim + parity)  # any initialisation is allowed (an output layer of zeros too)
            y = _array(layer.forward(x), x.shape, f"{where}.forward(x)")
            back = _array(layer.backward(y.astype(np.float32)), x.shape, f"{where}.backward(y)")
            err = np.max(np.abs(back - x))
            if err > 1e-4:
                _fail(f"{where}: max |backward(forward(x)) - x|", "< 1e-4", f"{err:.3g}",
                      "backward must subtract the same shift m(keep) that forward adds, computed from the "
                      "pass-through half, and put both halves back in place")
            z = (2.0 * rng.standard_normal((32, dim))).astype(np.float32)
            again = _array(layer.forward(_array(layer.backward(z), z.shape, f"{where}.backward(z)")
                                         .astype(np.float32)), z.shape, f"{where}.forward(backward(z))")
            err = np.max(np.abs(again - z))
            if err > 1e-4:
                _fail(f"{where}: max |forward(backward(z)) - z|", "< 1e-4", f"{err:.3g}",
                      "forward adds m(keep), backward subtracts it")
            kept = [j for j in range(dim) if np.array_equal(y[:, j], x[:, j])]
            changed = [j for j in range(dim) if np.mean(y[:, j] != x[:, j]) > 0.9]
            if len(kept) not in (dim // 2, dim - dim // 2) or sorted(kept + changed) != list(range(dim)):
                _fail(f"{where}: dims passed through bit-for-bit",
                      f"one half ({dim // 2} or {dim - dim // 2} dims) kept exactly, the rest shifted",
                      f"kept {kept}, shifted {changed}",
                      "return the pass-through half itself (no arithmetic on it), shift the other half")
            x2 = x.copy()
            x2[:, changed] += rng.standard_normal((len(x), len(changed))).astype(np.float32)
            shift2 = _array(layer.forward(x2), x.shape, f"{where}.forward(x)") - x2
            moved = np.max(np.abs((y - x)[:, changed] - shift2[:, changed]))
            if moved > 1e-4:
                _fail(f"{where}: change of the shift when only the shifted half changes", "0",
                      f"{moved:.3g}", "m must take the pass-through half as input, never the half it shifts")
            kept_sets.append(set(kept))
        if kept_sets[0] & kept_sets[1]:
            _fail(f"CouplingLayer({dim}, parity=0 / 1): dims kept by both parities", "none",
                  sorted(kept_sets[0] & kept_sets[1]), "parity 1 must keep the half that parity 0 shifts")
    _seed(11)
    x = rng.standard_normal((16, 6)).astype(np.float32)
    first, second = (CouplingLayer(6, 0, hidden_units=(32, 32)) for _ in range(2))
    for k, layer in enumerate((first, second)):
        layer.forward(x)  # builds the layer's weights
        perturb(layer, 11 + k)
    before = np.asarray(first.forward(x))
    perturb(second, 13)  # new weights for the second layer must not change what the first computes
    if not np.array_equal(np.asarray(first.forward(x)), before):
        _fail("two CouplingLayer(6, 0) objects", "new weights for one leave the other's outputs as they were "
              "(each layer has its own network m)", "the other's outputs changed",
              "each layer must use its own network self.shift_net, the one the given base class builds for it "
              "(no shared or cached network)")
    return "round trips, pass-through half, shift inputs, own networks; D = 6 and 5, both parities"


def _layers_invert(CouplingLayer, ScalingLayer):
    """CouplingLayer(D, parity) and ScalingLayer(D) (scale perturbed) each invert: backward(forward(x)) = x."""
    rng = np.random.default_rng(13)
    for dim in (6, 5):
        x = rng.standard_normal((16, dim)).astype(np.float32)
        for parity in (0, 1):
            if CouplingLayer is None:
                break
            _seed(30 + 2 * dim + parity)
            layer = CouplingLayer(dim, parity, hidden_units=(16, 16))
            where = f"CouplingLayer({dim}, parity={parity}), one of the layers of NICE"
            _array(layer.forward(x), x.shape, f"{where}: forward(x)")  # builds the layer's weights
            perturb(layer, 30 + 2 * dim + parity)
            y = _array(layer.forward(x), x.shape, f"{where}: forward(x)").astype(np.float32)
            err = np.max(np.abs(_array(layer.backward(y), x.shape, f"{where}: backward(y)") - x))
            if err > 1e-4:
                _fail(f"{where}: max |backward(forward(x)) - x|", "< 1e-4", f"{err:.3g}",
                      "the mistake is in CouplingLayer, most likely CouplingLayer.backward (it must take away "
                      "exactly the shift that forward adds): the coupling layer's self-check says more")
        if ScalingLayer is None:
            continue
        layer = ScalingLayer(dim)
        perturb(layer, seed=dim)
        where = f"ScalingLayer({dim}) with random log-scales, one of the layers of NICE"
        y = _array(layer.forward(x), x.shape, f"{where}: forward(h)").astype(np.float32)
        err = np.max(np.abs(_array(layer.backward(y), x.shape, f"{where}: backward(z)") - x))
        if err > 1e-4:
            _fail(f"{where}: max |backward(forward(h)) - h|", "< 1e-4", f"{err:.3g}",
                  "the mistake is in ScalingLayer.backward: it must undo forward's multiplication by exp(s)")


def _nice(NICE, CouplingLayer=None, ScalingLayer=None):
    """NICE(D, num_couplings=4) for D = 6 and 5, with every weight perturbed (the scale is not 0).

    * first the layers it is built from, so that a failure names the function most likely wrong:
      CouplingLayer and ScalingLayer each invert (backward(forward(x)) = x);
    * backward(forward(x)) = x and forward(backward(z)) = z (max error < 1e-3);
    * the scale is a tracked weight: perturbing ``trainable_variables`` makes log|det J| non-zero;
    * log_det_jacobian() = log|det(d forward(x) / dx)| = sum_i s_i (|error| < 1e-3);
    * alternation: every output of forward depends on some other input (J has off-diagonal entries);
    * sample(n) has shape (n, D).
    """
    _layers_invert(CouplingLayer, ScalingLayer)
    for dim in (6, 5):
        model, numeric = random_nice(NICE, dim, seed=20 + dim)
        where = f"NICE({dim})"
        rng = np.random.default_rng(dim)
        data = rng.standard_normal((16, dim)).astype(np.float32)
        z = _array(model.forward(data), data.shape, f"{where}.forward(x)")
        back = _array(model.backward(z.astype(np.float32)), data.shape, f"{where}.backward(z)")
        err = np.max(np.abs(back - data))
        if err > 1e-3:
            _fail(f"{where}: max |backward(forward(x)) - x|", "< 1e-3", f"{err:.3g}",
                  ("its layers invert one by one (checked first), so NICE.backward is wrong: " if CouplingLayer
                   and ScalingLayer else "") + "NICE.backward must undo the scaling first, then the couplings "
                  "in reverse order")
        z = rng.standard_normal((16, dim)).astype(np.float32)
        back = _array(model.backward(z), z.shape, f"{where}.backward(z)").astype(np.float32)
        err = np.max(np.abs(_array(model.forward(back), z.shape, f"{where}.forward(backward(z))") - z))
        if err > 1e-3:
            _fail(f"{where}: max |forward(backward(z)) - z|", "< 1e-3", f"{err:.3g}",
                  ("its layers invert one by one (checked first), so NICE.backward is wrong: " if CouplingLayer
                   and ScalingLayer else "") + "NICE.backward must undo the scaling first, then the couplings "
                  "in reverse order")
        if abs(numeric) < 1e-2:
            _fail(f"{where}: log|det J| after perturbing every variable in model.trainable_variables",
                  "a non-zero value (the scaling layer's sum(s))", f"{numeric:.3g}",
                  "the scale must be a tracked weight: create it with self.add_weight (a raw tf.Variable "
                  "on a Keras 3 layer is not in trainable_variables and is never trained)")
        got = _scalar(model.log_det_jacobian(), f"{where}.log_det_jacobian()")
        mistake = _which(got, {"the wrong sign": -numeric, "a mean over dims instead of a sum": numeric / dim,
                               "0 (no scaling term)": 0.0}, 1e-3)
        if abs(got - numeric) > 1e-3:
            _fail(f"{where}.log_det_jacobian()",
                  f"{numeric:.4f} = log|det J| of forward (from tf.GradientTape + slogdet)", f"{got:.4f}",
                  (f"your value is {mistake}; " if mistake else "") +
                  "with z = exp(s) * h the log-determinant is sum_i s_i (additive couplings add 0)")
        jac = np.max(np.abs(jacobian(model.forward, data)), axis=0)
        off = jac - np.diag(np.diag(jac))
        isolated = [i for i in range(dim) if off[i].max() < 1e-5]
        if isolated:
            _fail(f"{where}: outputs that depend only on their own input", "none",
                  f"outputs {isolated}", "give the couplings alternating parities (0, 1, 0, 1, ...) so "
                  "that every dimension gets shifted by a function of the others")
        _array(model.sample(5, seed=3), (5, dim), f"{where}.sample(5)")
    return ("layers invert, round trips, log-det = Jacobian's, scale tracked, alternation, sample; "
            "D = 6 and 5")


def _log_likelihood(NICE, log_likelihood):
    """log_likelihood(model, x) = log p_H(forward(x)) + log|det J_f(x)| per example, for both priors.

    The expected value takes the prior's formula (:func:`log_prior`) and the log-det from the Jacobian
    of forward, on a NICE(4) with perturbed weights; tolerance 1e-3 * max(1, max|log p|) nats.
    """
    dim = 4
    x = np.random.default_rng(41).standard_normal((8, dim)).astype(np.float32)
    for prior in ("logistic", "normal"):
        model, log_det = random_nice(NICE, dim, seed=40, prior=prior)
        expected = expected_log_likelihood(model, x, prior)
        got = _array(log_likelihood(model, x), (8,), f"log_likelihood(model, x) with prior='{prior}'")
        tol = _tolerance(expected)
        if not np.allclose(got, expected, atol=tol, rtol=0):
            base = expected - log_det  # log p_H(f(x))
            mistake = _which(got, {
                "log p_H(f(x)) - log|det J|: the log-det has the wrong sign": base - log_det,
                "log p_H(f(x)) alone: the log-det term is missing": base,
                "log p_H(f(x)) + log|det J| / D: the log-det is a mean, not a sum": base + log_det / dim,
                "log p_H(backward(x)) + log|det J|: the prior must see forward(x)":
                    log_prior(model.backward(x), prior).numpy() + log_det}, tol)
            _fail(f"log_likelihood(model, x) with prior='{prior}', first 3 examples",
                  np.round(expected[:3], 4), np.round(got[:3], 4),
                  (f"yours is {mistake}. " if mistake else "") +
                  "log p(x) is the prior's log-density (model.prior) at the latent code f(x), plus the "
                  "model's log-determinant, the same for every example (the NICE self-check checks "
                  "log_det_jacobian() itself)")
    return "log p_H(f(x)) + log|det J| for the logistic and normal priors"


def _training(NICE, nll_loss, make_train_step):
    """nll_loss and make_train_step.

    * nll_loss(model, x) = -(1/n) sum_k log p(x_k), a scalar (the mean, not the sum);
    * 150 Adam steps (learning rate 3e-3, batches of 256) of train_step on 2,000 parabola points lower
      the NLL by more than 1 nat, change every trainable variable and change log|det J| (the scale is
      trained).
    """
    tf = _tf()
    from nice_helpers import parabola

    model, _ = random_nice(NICE, 4, seed=50)
    x = np.random.default_rng(51).standard_normal((32, 4)).astype(np.float32)
    expected = -float(np.mean(expected_log_likelihood(model, x, "logistic")))
    got = _scalar(nll_loss(model, x), "nll_loss(model, x)")
    if abs(got - expected) > _tolerance(expected):
        mistake = _which(got, {"the summed NLL: take the mean over the batch": 32 * expected,
                               "the mean log-likelihood: the sign is missing": -expected}, _tolerance(expected))
        _fail("nll_loss(model, x) for a batch of 32", f"{expected:.4f} (mean negative log-likelihood)",
              f"{got:.4f}", (f"yours is {mistake}. " if mistake else "") +
              "the loss is minus the average of log_likelihood over the batch, a single number; if the "
              "log-likelihood self-check fails, fix that first")

    data = parabola(2000, seed=0)
    model = built_nice(NICE, 2, 0, num_couplings=4, hidden_units=(16,), prior="logistic")
    names = [v.path if hasattr(v, "path") else v.name for v in model.trainable_variables]
    before = [v.numpy().copy() for v in model.trainable_variables]
    nll_before = -float(np.mean(expected_log_likelihood(model, data, "logistic")))
    log_det_before = float(np.median(numeric_log_det(model, data[:8])))
    train_step = make_train_step(model, tf.keras.optimizers.Adam(3e-3))
    rng = np.random.default_rng(0)
    for _ in range(150):
        loss = train_step(tf.constant(data[rng.integers(0, len(data), 256)]))
    loss = _scalar(loss, "train_step(x)")
    if not np.isfinite(loss):
        _fail("the loss returned by train_step(x) after 150 steps", "a finite number", loss,
              "train_step returns nll_loss(model, x); a NaN often means log of a non-positive scale")
    frozen = [n for n, b, v in zip(names, before, model.trainable_variables) if np.array_equal(b, v.numpy())]
    if frozen:
        _fail("trainable variables changed by 150 train_step calls", f"all {len(names)}",
              "none" if len(frozen) == len(names) else f"all but {len(frozen)}: {', '.join(frozen[:4])}"
              + (", ..." if len(frozen) > 4 else ""),
              "train_step must take the gradient of nll_loss with respect to every variable in "
              "model.trainable_variables and have the optimizer apply all of them; a variable that "
              "forward never uses gets no gradient either (a network shared between couplings?)")
    log_det_after = float(np.median(numeric_log_det(model, data[:8])))
    if abs(log_det_after - log_det_before) < 0.05:
        _fail("change of log|det J| in training", "more than 0.05 (the scale is trained)",
              f"{log_det_before:.4f} -> {log_det_after:.4f}",
              "the scale must be a tracked weight (self.add_weight) so that it is in trainable_variables")
    nll_after = -float(np.mean(expected_log_likelihood(model, data, "logistic")))
    if nll_after > nll_before - 1.0:
        _fail("training NLL on the parabola after 150 steps", f"below {nll_before - 1.0:.3f} nats",
              f"{nll_before:.3f} -> {nll_after:.3f}", "each step must lower nll_loss (minimise it, not "
              "its negative): record the loss under tf.GradientTape, then let the optimizer apply the gradients")
    return (f"nll_loss is the mean; 150 steps: NLL {nll_before:.2f} -> {nll_after:.2f} nats, "
            f"log|det J| {log_det_before:.2f} -> {log_det_after:.2f}")


def _inpainting(NICE, inpainting_step):
    """inpainting_step(model, x, observed, step_size, noise, data_range) on a NICE(4), range [-1, 2].

    * observed entries come back bit-for-bit;
    * hidden entries are clip(x_H + a (d log p(x) / d x_H + eps), low, high) (gradient ascent, noise
      inside the step), the gradient taken by tf.GradientTape of log p_H(f(x)) (the log-det is constant);
    * hidden entries whose step lands 1 above high / 1 below low come back exactly at high / low
      (projection at both edges).
    """
    tf = _tf()
    model = built_nice(NICE, 4, 60, num_couplings=4, hidden_units=(16,), prior="logistic")
    low, high, step = -1.0, 2.0, 0.05
    rng = np.random.default_rng(61)
    x = rng.uniform(low + 0.5, high - 0.5, (12, 4)).astype(np.float32)
    observed = np.tile(np.float32([1, 0, 1, 0]), (12, 1))
    xt = tf.constant(x)
    grad = np.sum(jacobian(lambda v: log_prior(model.forward(v), "logistic")[:, None], x), axis=1)
    noise = rng.standard_normal((12, 4))
    up, down, rule = slice(0, 4), slice(4, 8), slice(8, 12)
    noise[up] = (high + 1.0 - x[up]) / step - grad[up]      # the step lands at high + 1
    noise[down] = (low - 1.0 - x[down]) / step - grad[down]  # and at low - 1
    got = _array(inpainting_step(model, xt, tf.constant(observed), tf.constant(step, tf.float32),
                                 tf.constant(noise, tf.float32), (low, high)), x.shape,
                 "inpainting_step(model, x, observed, step_size, noise, data_range)")
    if not np.array_equal(got[:, 0::2], x[:, 0::2]):
        _fail("observed entries (observed == 1) after one step", "unchanged, bit-for-bit",
              f"max change {np.max(np.abs(got[:, 0::2] - x[:, 0::2])):.3g}",
              "update only the hidden entries (observed == 0); wherever observed is 1 return x as it was")
    clip = lambda v: np.clip(v, low, high)[rule, 1::2]  # noqa: E731 - hidden entries of the rule rows
    expected = clip(x + step * (grad + noise))
    if not np.allclose(got[rule, 1::2], expected, atol=1e-4):
        mistake = _which(got[rule, 1::2], {
            "x - a (grad + eps): gradient descent instead of ascent": clip(x - step * (grad + noise)),
            "x + a grad + eps: the noise must be inside the step": clip(x + step * grad + noise),
            "x + a grad: the noise eps is missing": clip(x + step * grad)}, 1e-4)
        _fail("hidden entries after one step (4 examples)", np.round(expected.ravel(), 4),
              np.round(got[rule, 1::2].ravel(), 4), (f"yours is {mistake}. " if mistake else "") +
              "x_H <- clip(x_H + step_size * (d log p(x) / d x_H + noise), low, high): the gradient of the "
              "batch's summed log-likelihood with respect to x (tf.GradientTape, watching x), the noise "
              "added to it, both times step_size")
    for rows, edge, name in ((up, high, "above data_range[1]"), (down, low, "below data_range[0]")):
        out = got[rows, 1::2]
        if not np.allclose(out, edge, atol=1e-6):
            _fail(f"hidden entries whose step lands 1 {name} = {edge:g}", f"exactly {edge:g}",
                  f"values from {out.min():.4g} to {out.max():.4g}",
                  "project the proposal back into the data range at both edges (below data_range[0] "
                  "and above data_range[1])")
    return "observed entries kept, ascent step with noise, projection at both edges"


def _outlier_score(NICE, outlier_score):
    """outlier_score(model, x) = -log p(x) = -(log p_H(f(x)) + log|det J|) per example, (batch,).

    Checked on 50 typical points (backward of prior samples) and 50 uniform-noise points of a NICE(4)
    with perturbed weights; tolerance 1e-3 * max(1, max|log p|) nats.
    """
    model, log_det = random_nice(NICE, 4, seed=70)
    rng = np.random.default_rng(71)
    typical = np.asarray(model.backward(rng.logistic(size=(50, 4)).astype(np.float32)))
    x = np.concatenate([typical, rng.uniform(-30, 30, (50, 4))]).astype(np.float32)
    expected = -expected_log_likelihood(model, x, "logistic")
    got = _array(outlier_score(model, x), (100,), "outlier_score(model, x)")
    tol = _tolerance(expected)
    if not np.allclose(got, expected, atol=tol, rtol=0):
        mistake = _which(got, {"-log p_H(f(x)): the log-det term is missing": expected + log_det,
                               "log p(x): the sign is flipped (outliers must score high)": -expected}, tol)
        _fail("outlier_score(model, x), first 3 examples", np.round(expected[:3], 3), np.round(got[:3], 3),
              (f"yours is {mistake}. " if mistake else "") +
              "the score is minus the log-likelihood of each example, as a numpy array; if the "
              "log-likelihood self-check fails, fix that first")
    if np.median(got[50:]) <= np.median(got[:50]):
        _fail("median outlier score of uniform noise vs typical points", "noise higher",
              f"{np.median(got[50:]):.2f} vs {np.median(got[:50]):.2f}", "higher must mean more atypical")
    return "-log p(x) with the log-det, noise above typical points"


# --------------------------------------------------------------------------- what the notebook calls
def check_coupling_layer(CouplingLayer):
    """Self-check of CouplingLayer (see :func:`_coupling_layer`): prints OK or a FAILED block."""
    _report("coupling layer", _coupling_layer, (CouplingLayer,))


def check_nice(NICE, CouplingLayer=None, ScalingLayer=None):
    """Self-check of NICE, after the layers it is built from (see :func:`_nice`): prints OK or FAILED."""
    _report("NICE model", _nice, (NICE, CouplingLayer, ScalingLayer))


def check_log_likelihood(NICE, log_likelihood):
    """Self-check of log_likelihood (see :func:`_log_likelihood`): prints OK or a FAILED block."""
    _report("log-likelihood", _log_likelihood, (NICE, log_likelihood))


def check_training(NICE, nll_loss, make_train_step):
    """Self-check of nll_loss and make_train_step (see :func:`_training`): prints OK or a FAILED block."""
    _report("training", _training, (NICE, nll_loss, make_train_step))


def check_inpainting(NICE, inpainting_step):
    """Self-check of inpainting_step (see :func:`_inpainting`): prints OK or a FAILED block."""
    _report("inpainting", _inpainting, (NICE, inpainting_step))


def check_outlier_score(NICE, outlier_score):
    """Self-check of outlier_score (see :func:`_outlier_score`): prints OK or a FAILED block."""
    _report("outlier score", _outlier_score, (NICE, outlier_score))


#: (part, check, names it needs from the notebook), in notebook order.
PARTS = (
    ("coupling layer", _coupling_layer, ("CouplingLayer",)),
    ("NICE model", _nice, ("NICE", "CouplingLayer", "ScalingLayer")),
    ("log-likelihood", _log_likelihood, ("NICE", "log_likelihood")),
    ("training", _training, ("NICE", "nll_loss", "make_train_step")),
    ("inpainting", _inpainting, ("NICE", "inpainting_step")),
    ("outlier score", _outlier_score, ("NICE", "outlier_score")),
)


NOTEBOOK = "assignment07.ipynb"


def notebook_file(namespace, notebook=None):
    """The saved notebook this kernel runs: ``notebook`` if given, else the one JupyterLab or VS Code names
    (``__session__``, ``__vsc_ipynb_file__`` in ``namespace``), else ``assignment07.ipynb`` in the working
    folder; None if none of them is a file."""
    session = str(namespace.get("__session__") or "")
    for candidate in (notebook, namespace.get("__vsc_ipynb_file__"), session, os.path.basename(session), NOTEBOOK):
        if candidate and str(candidate).endswith(".ipynb") and os.path.isfile(candidate):
            return str(candidate)
    return None


def _ran_in_kernel(namespace):
    """Fingerprints of the cells this kernel ran (IPython's ``In``), or None outside IPython."""
    import nice_cells
    history = namespace.get("In")
    return {nice_cells.fingerprint(str(text)) for text in history} if isinstance(history, list) and history else None


def as_graded(namespace, path):
    """``(names, warnings)``: what the autograder's run of the saved notebook at ``path`` defines, run here
    the way it runs it (:mod:`nice_cells`), and what it does differently from your kernel.

    Given cells run as your notebook holds them (the kernel's objects where it lacks one); their output
    is not shown.  Errors are warnings, never exceptions.
    """
    import contextlib
    import io
    import json
    import nice_cells

    with open(path, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    template = nice_cells.Template.from_table(nice_cells.TABLE)
    found = nice_cells.match(cells, template)
    warnings = [*found.problems.values(), *(text for _, text in found.notes)]
    names = {"__name__": "__main__"}

    def given(slot):
        where = found.given.get(slot.grade_id)
        if where is None:  # not in the notebook: the kernel's objects stand in for the course's copy
            names.update({n: namespace[n] for n in slot.names if n in namespace})
            return None
        text = nice_cells.cell_text(cells[where])
        if slot.grade_id not in template.known.get(nice_cells.fingerprint(text), []):
            warnings.append(f"you changed the given cell defining {', '.join(slot.names)} ({found.describe(where)}): "
                            "the autograder runs the course's own copy of it")
        return text

    ran = _ran_in_kernel(namespace)
    for cell in found.program(template, given):
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(nice_cells.python_source(cell.code), f"<{cell.label}>", "exec"), names)
        except (Exception, SystemExit) as err:  # noqa: BLE001 - the grader's run of this cell fails: say so, go on
            warnings.append(f"{cell.label} fails when the autograder runs it: {type(err).__name__}: {_plain(err)}")
    stale = [p for parts in found.parts.values() for p in parts
             if ran is not None and p.cell_type == "code" and nice_cells.fingerprint(p.code) not in ran]
    if stale:
        warnings.append(f"{path} as saved differs from what this kernel ran ({found.describe(stale[0].index)}): "
                        "save the notebook and run this cell again (the autograder grades the saved file)")
    return names, warnings


def check_all(namespace, notebook=None):
    """Runs every part's check, on your notebook run the way the autograder runs it; prints a table.

    With your saved notebook (:func:`notebook_file`), the checks test what the autograder's run of it
    defines (:func:`as_graded`: your solution cells with the given cells, from cells you added only the
    definitions your solution needs), and first print what it does differently from your kernel (a cell
    found by what it defines, a helper taken from a cell you added, a name it will not have, ...).
    Without it they test the classes and functions in ``namespace`` (pass ``globals()``), and say so.
    Always prints the whole table, one line per part, and never raises; returns None.
    """
    path, warnings = notebook_file(namespace, notebook), []
    if path:
        try:
            namespace, warnings = as_graded(namespace, path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            warnings = [f"it could not be read ({type(err).__name__}: {_plain(err)}): the checks below test the "
                        "code in this kernel"]
        print(f"How the autograder will run your notebook ({path}):")
        print("\n".join(f"  - {w}" for w in warnings) if warnings else
              "  as this kernel did: it finds every solution cell by its id and needs nothing from cells you added")
        print()
    verdicts = {}
    for part, fn, names in PARTS:
        missing = [n for n in names if n not in namespace]
        absent = f"not defined: {', '.join(missing)} " + (
            "(when the autograder runs your notebook: see above)" if path else "(run the cells above first)")
        verdicts[part] = ((False, absent, absent) if missing
                          else _verdict(fn, [namespace[n] for n in names]))
    width = max(len(part) for part in verdicts)
    print(f"{'part':{width}s}  result")
    for part, verdict in verdicts.items():
        print(f"{part:{width}s}  " + ("OK" if verdict[0] else "FAILED: " + verdict[1]))
    failed = [part for part, verdict in verdicts.items() if not verdict[0]]
    if failed:
        print(f"\n{len(failed)} of {len(PARTS)} parts do not pass yet ({', '.join(failed)}): run each one's "
              "self-check cell above for what was expected, what came back and a hint.")
    elif path and warnings:
        print("\nAll self-checks passed as the autograder will run your notebook; read the notes above before "
              "you submit assignment07.ipynb.")
    else:
        print("\nAll self-checks passed: save the notebook and submit assignment07.ipynb.")
    if not path:
        print(f"(These checks tested the code in this kernel: {NOTEBOOK} was not found in the working folder, "
              "so they could not run it the way the autograder will.)")
