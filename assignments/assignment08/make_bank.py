"""Build assignment 08's submission bank: mutated copies of its reference notebook, named by outcome.

``alt_*`` fixtures are correct alternatives (full marks), ``bug_*`` fixtures one realistic mistake each,
failing exactly the grader tests in ``fails`` (tests/fixtures/mutations.py: the machinery, shared with
assignment 07's bank).  The output is deterministic (same bytes on every run).

    PYTHONPATH=. .venv/bin/python assignments/assignment08/make_bank.py   # writes assignments/assignment08/bank/

``tests/test_assignment08_bank.py`` grades every fixture and checks the expectations recorded here.
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from mutations import Bank, alt, bug, graded_tests, solution_cells  # noqa: E402

SOURCE_NOTEBOOK = ROOT / "source" / "assignment08" / "assignment08.ipynb"
OUT_DIR = HERE / "bank"

#: Every graded test, by the name the judge writes into the results JSON, and the cells a fixture may edit.
ALL_TESTS = graded_tests("assignment08")
SOLUTION_CELLS = solution_cells(SOURCE_NOTEBOOK)


# Frequently expected failure sets.
LOSS = {"test_dsm_loss_exact_score", "test_dsm_loss_score_model"}
CHAIN = {"test_annealed_langevin_gaussian", "test_sample_gaussian"}
TRAINING = {"test_training_learns_the_scores"}
SCALES = {"test_training_draws_every_scale"}

# The reference's text, as the edits below replace it.
NET_OUT = "        layers += [tf.keras.layers.Dense(dim)]\n"
CALL = "        return self.net(x) / sigma\n"
RESIDUAL = "    residual = sigma * model(x + sigma * noise, sigma) + noise\n"
PER_EXAMPLE = "    per_example = tf.reduce_sum(tf.reshape(tf.square(residual), [tf.shape(x)[0], -1]), axis=1)\n"
LOSS_TAIL = RESIDUAL + PER_EXAMPLE + "    return 0.5 * tf.reduce_mean(per_example)\n"
DRAW_SIGMA = ("        sigma = tf.gather(sigmas, rng.uniform([], 0, tf.shape(sigmas, out_type=tf.int64)[0], "
              "dtype=tf.int64))\n")
STEP_SIZE = "    return eps * sigma ** 2 / sigma_min ** 2\n"
UPDATE = "    return x + step_size * score + (2.0 * step_size) ** 0.5 * noise\n"

# ------------------------------------------------------------------------------------------------
# Correct alternatives: every one must get full marks.
# ------------------------------------------------------------------------------------------------
ALTERNATIVES = [
    alt("paper_loss_form", [
        ("dsm_loss", LOSS_TAIL,
         "    x_tilde = x + sigma * noise\n"
         "    target = -(x_tilde - x) / sigma ** 2  # the score of N(x, sigma^2 I) at x_tilde\n"
         "    weight = sigma ** 2                   # lambda(sigma) = sigma^2\n"
         "    squared = tf.reduce_sum(tf.square(model(x_tilde, sigma) - target), axis=1)\n"
         "    return tf.reduce_mean(weight * squared / 2)\n"),
    ], "the loss in the original paper's form, lambda(sigma) * ||s(x~, sigma) + (x~ - x) / sigma^2||^2 / 2 with "
       "lambda(sigma) = sigma^2 made explicit: the same number as the notebook's form (up to float32 rounding of "
       "x~ - x, about 1e-5 relative at sigma = 0.01)"),

    alt("log_linspace_ladder", [
        ("noise_scales", "    return np.geomspace(sigma_max, sigma_min, num_scales).astype(np.float32)\n",
         "    return np.exp(np.linspace(np.log(sigma_max), np.log(sigma_min), num_scales)).astype(np.float32)\n"),
    ], "the ladder as exp(linspace(log sigma_max, log sigma_min)): the geometric ladder written out"),

    alt("eager_numpy_langevin", [
        ("langevin",
         "    rng = tf.random.Generator.from_seed(seed)\n"
         "\n"
         "    @tf.function\n"
         "    def step(x, sigma, step_size):\n"
         "        return langevin_update(x, model(x, sigma), step_size, rng.normal(tf.shape(x)))\n"
         "\n"
         "    x = tf.cast(x, tf.float32)\n"
         "    sigma_min = float(sigmas[-1])\n"
         "    for sigma in sigmas:\n"
         "        step_size = tf.constant(langevin_step_size(float(sigma), sigma_min, eps), tf.float32)\n"
         "        sigma = tf.constant(sigma, tf.float32)\n"
         "        for _ in range(steps_per_scale):\n"
         "            x = step(x, sigma, step_size)\n"
         "    return x.numpy().astype(np.float32)\n",
         "    rng = tf.random.Generator.from_seed(seed)\n"
         "    x = np.array(x, np.float32)\n"
         "    for sigma in sigmas:  # a plain eager loop on numpy arrays, no tf.function\n"
         "        step_size = langevin_step_size(float(sigma), float(sigmas[-1]), eps)\n"
         "        for _ in range(steps_per_scale):\n"
         "            score = np.asarray(model(x, float(sigma)))\n"
         "            x = langevin_update(x, score, step_size, rng.normal(x.shape).numpy())\n"
         "    return x.astype(np.float32)\n"),
    ], "annealed_langevin as a plain eager loop on numpy arrays (model called with Python floats, noise from the "
       "seeded tf.random.Generator turned into numpy): slower, the same chain"),

    alt("numpy_batches_outside_step", [
        ("training",
         "    data = tf.constant(np.asarray(data, np.float32))\n"
         "    sigmas = tf.constant(np.asarray(sigmas, np.float32))\n"
         "    rng = tf.random.Generator.from_seed(seed)\n"
         "    optimizer = tf.keras.optimizers.Adam(learning_rate)\n"
         "    optimizer.build(model.trainable_variables)  # its slots now: the step is traced once\n"
         "\n"
         "    @tf.function\n"
         "    def train_step():\n"
         "        rows = rng.uniform([batch_size], 0, tf.shape(data, out_type=tf.int64)[0], dtype=tf.int64)\n"
         "        x = tf.gather(data, rows)\n"
         + DRAW_SIGMA +
         "        noise = rng.normal(tf.shape(x))\n"
         "        with tf.GradientTape() as tape:\n",
         "    data = np.asarray(data, np.float32)\n"
         "    sigmas = np.asarray(sigmas, np.float32)\n"
         "    rng = np.random.default_rng(seed)\n"
         "    optimizer = tf.keras.optimizers.Adam(learning_rate)\n"
         "\n"
         "    @tf.function\n"
         "    def compiled_step(x, sigma, noise):\n"
         "        with tf.GradientTape() as tape:\n"),
        ("training",
         "    losses = np.empty(steps, np.float32)\n"
         "    for step in range(steps):\n"
         "        losses[step] = train_step().numpy()\n"
         "    return losses\n",
         "    losses = []\n"
         "    for _ in range(steps):  # the random draws in numpy, outside the compiled step\n"
         "        x = data[rng.integers(len(data), size=batch_size)]\n"
         "        sigma = tf.constant(rng.choice(sigmas), tf.float32)\n"
         "        noise = rng.standard_normal(x.shape).astype(np.float32)\n"
         "        losses.append(float(compiled_step(x, sigma, noise)))\n"
         "    return np.array(losses, np.float32)\n"),
    ], "train draws the batch, the noise level and the noise with a seeded numpy Generator outside the compiled "
       "step and passes them in as tensors (Adam builds its slots in the first call)"),

    alt("dense_list_subclass", [
        ("score_model",
         "        layers = [tf.keras.Input((dim,))]\n"
         "        layers += [tf.keras.layers.Dense(units, activation=activation) for units in hidden_units]\n"
         + NET_OUT +
         "        self.net = tf.keras.Sequential(layers)\n",
         "        self.hidden = [tf.keras.layers.Dense(units, activation=activation) for units in hidden_units]\n"
         "        self.last = tf.keras.layers.Dense(dim)\n"
         "        width = dim\n"
         "        for layer in self.hidden + [self.last]:  # built now: their weights exist after __init__\n"
         "            layer.build((None, width))\n"
         "            width = layer.units\n"),
        ("score_model", CALL,
         "        h = x\n"
         "        for layer in self.hidden:\n"
         "            h = layer(h)\n"
         "        return self.last(h) / sigma\n"),
    ], "the network as a list of Dense layers on the subclass (no Sequential), each built in __init__"),

    alt("group_norm_hidden", [
        ("score_model",
         "        layers += [tf.keras.layers.Dense(units, activation=activation) for units in hidden_units]\n",
         "        for units in hidden_units:  # GroupNormalization normalises within one example, unlike BatchNorm\n"
         "            layers += [tf.keras.layers.Dense(units), tf.keras.layers.GroupNormalization(groups=1),\n"
         "                       tf.keras.layers.Activation(activation)]\n"),
    ], "GroupNormalization (one group) between the hidden layers: each example normalised by itself, as the "
       "notebook's batch-norm answer allows"),

    alt("norm_loss_ratio_step", [
        ("dsm_loss", PER_EXAMPLE + "    return 0.5 * tf.reduce_mean(per_example)\n",
         "    return tf.reduce_mean(tf.norm(residual, axis=1) ** 2) / 2\n"),
        ("langevin", STEP_SIZE, "    return eps * (sigma / sigma_min) ** 2\n"),
    ], "the loss through tf.norm(...)**2 and the step size as eps * (sigma / sigma_min)^2: the same numbers"),
]

# ------------------------------------------------------------------------------------------------
# Realistic mistakes: each must fail exactly the tests in `fails`.
# ------------------------------------------------------------------------------------------------
BUGS = [
    # --- the noise ladder (the judge's other checks use ladders of their own) ------------------
    bug("ladder_ascending", "noise_scales",
        "np.geomspace(sigma_max, sigma_min, num_scales)", "np.geomspace(sigma_min, sigma_max, num_scales)",
        {"test_noise_scales_geometric"},
        "the ladder smallest first: the right scales in the wrong order (annealing must start at sigma_max). The "
        "sampler's checks hand annealed_langevin ladders of the judge's own, so only the ladder's check fails"),
    bug("ladder_linspace", "noise_scales",
        "np.geomspace(sigma_max, sigma_min, num_scales)", "np.linspace(sigma_max, sigma_min, num_scales)",
        {"test_noise_scales_geometric"},
        "an arithmetic ladder (np.linspace): right ends, no constant ratio between neighbours"),

    # --- the score model ------------------------------------------------------------------------
    bug("score_not_divided", "score_model", CALL, "        return self.net(x)\n",
        {"test_score_model_divides_by_sigma"},
        "the network's output is the score at every sigma (not divided by sigma): sigma * s changes with sigma. "
        "Training still passes, rightly so by its own measure: on the 2-D ring a perturbed point's place tells "
        "its noise level (near the ring: small sigma, far out: large), so a model without sigma learns the scores "
        "(excess share 0.04 to 0.08 under three keys, the reference's 0.08 to 0.32)"),
    bug("score_times_sigma", "score_model", CALL, "        return self.net(x) * sigma\n",
        {"test_score_model_divides_by_sigma"},
        "multiplied by sigma instead of divided: the score shrinks with the noise where it must grow. On the ring "
        "the network learns the larger scales' scores about as badly as a zero score (worst share 0.95 under the "
        "course key, the limit 0.93): the training check's verdict depends on the key",
        maybe=TRAINING),
    bug("output_tanh", "score_model", NET_OUT, '        layers += [tf.keras.layers.Dense(dim, activation="tanh")]\n',
        {"test_score_model_no_output_activation"},
        "a tanh on the output layer: sigma * s stays within [-1, 1] while the target -z does not. Training passes "
        "(excess share 0.27 to 0.40 under three keys): most of each scale's target lies within [-1, 1]"),
    bug("output_activation_copied", "score_model", NET_OUT,
        "        layers += [tf.keras.layers.Dense(dim, activation=activation)]\n",
        {"test_score_model_no_output_activation"},
        "the hidden layers' activation (softplus) copied onto the output layer: every score is positive. Training "
        "passes (excess share 0.14 to 0.44 under three keys): the share is relative to the untrained model's "
        "excess, which a sign-constrained model still mostly removes"),

    # --- the loss -------------------------------------------------------------------------------
    bug("loss_without_half", "dsm_loss", "    return 0.5 * tf.reduce_mean(per_example)\n",
        "    return tf.reduce_mean(per_example)\n", LOSS,
        "the loss without its 1/2: twice the number. Adam is invariant to a constant factor of the loss, so "
        "training is as good as the reference's"),
    bug("loss_sign", "dsm_loss", RESIDUAL, "    residual = sigma * model(x + sigma * noise, sigma) - noise\n",
        LOSS | TRAINING | SCALES,
        "sigma * s - z instead of sigma * s + z: the model learns minus the score (it points away from the data)"),
    bug("loss_mean_over_dims", "dsm_loss", PER_EXAMPLE,
        "    per_example = tf.reduce_mean(tf.reshape(tf.square(residual), [tf.shape(x)[0], -1]), axis=1)\n", LOSS,
        "the squared error averaged over the dimensions instead of summed: 1/D of the loss (D = 2 in training, "
        "where Adam does not see the factor)"),
    bug("loss_unweighted", "dsm_loss", RESIDUAL,
        "    residual = model(x + sigma * noise, sigma) + noise / sigma  # ||s + z / sigma||^2 / 2\n", LOSS,
        "NCSN's loss at one scale without the sigma^2 weight, ||s + z / sigma||^2 / 2: 1/sigma^2 times the "
        "notebook's. Training minimises each scale's loss with its own weight; the model still learns"),
    bug("loss_noise_unscaled", "dsm_loss", RESIDUAL,
        "    residual = sigma * model(x + noise, sigma) + noise\n", LOSS,
        "the data perturbed by z instead of sigma * z: the model is trained on points one unit of noise away "
        "whatever sigma it is told. Whether the training checks see it depends on the key: the ring's shares and "
        "how far the judge's ladder reaches below 1",
        maybe=TRAINING | SCALES),

    # --- training -------------------------------------------------------------------------------
    bug("train_numpy_in_tf_function", "training",
        DRAW_SIGMA + "        noise = rng.normal(tf.shape(x))\n",
        "        sigma = sigmas[np.random.randint(len(sigmas))]  # one noise level per step\n"
        "        noise = tf.constant(np.random.randn(batch_size, data.shape[1]), tf.float32)\n",
        SCALES,
        "np.random inside the tf.function: it runs once, when the step is traced, so every step uses the same "
        "noise level and the same noise array (frozen at trace time): the judge's model with parameters per "
        "scale learns one scale only. On the ring, whether the frozen scale leaves the larger scales unlearnt "
        "depends on which one it froze",
        maybe=TRAINING),
    bug("train_largest_sigma_only", "training", DRAW_SIGMA, "        sigma = sigmas[0]\n", SCALES,
        "every step trains at sigmas[0], the largest scale: the smaller scales are never learnt (a network "
        "divided by sigma learns about as much of the ring from the largest scale alone, so only the judge's "
        "model with parameters per scale shows it)"),
    bug("train_smallest_sigma_only", "training", DRAW_SIGMA, "        sigma = sigmas[-1]\n", SCALES,
        "every step trains at sigmas[-1], the smallest scale: the larger scales are never learnt. On the ring "
        "the network's shares at the larger scales (0.77 to 0.92) stay under the limit",
        maybe=TRAINING),

    # --- Langevin dynamics -----------------------------------------------------------------------
    bug("step_size_std_ratio", "langevin", STEP_SIZE, "    return eps * sigma / sigma_min\n",
        {"test_langevin_step_size", "test_annealed_langevin_gaussian"},
        "the step size from the standard deviations (sigma / sigma_min) instead of the variances: the chain "
        "takes too small steps at the large scales. sample's check runs 60 steps per scale from N(0, sigma_max^2), "
        "long enough that the chain mostly forgets it: it sees the mistake under about 19 % of keys (exact "
        "Gaussian moments over 400 random draws of its parameters)",
        maybe={"test_sample_gaussian"}),
    bug("update_ncsn", "langevin", UPDATE, "    return x + step_size / 2 * score + step_size ** 0.5 * noise\n",
        {"test_langevin_update", "test_annealed_langevin_gaussian"},
        "the original NCSN update, x + a/2 * score + sqrt(a) * z, with the notebook's step size a: half the "
        "step of the improved paper's x + a * score + sqrt(2 a) * z, so the chain moves half as far. sample's "
        "long chain nearly reaches the same end (variance ratio 1.00 to 1.23, its limit about 1.19): it sees "
        "the mistake under about 1 % of keys, this repository's tests' key among them",
        maybe={"test_sample_gaussian"}),
    bug("update_without_noise", "langevin", UPDATE, "    return x + step_size * score\n",
        {"test_langevin_update"} | CHAIN,
        "the update without its noise: gradient ascent on log p, every chain collapses onto the mode"),
    bug("annealed_smallest_first", "langevin", "    for sigma in sigmas:\n", "    for sigma in sorted(sigmas):\n",
        CHAIN, "the scales visited smallest first (sorted ascending): the chain ends at the largest noise level"),
    bug("annealed_step_from_sigma_max", "langevin", "    sigma_min = float(sigmas[-1])\n",
        "    sigma_min = float(sigmas[0])\n", CHAIN,
        "annealed_langevin passes sigmas[0] (the largest scale) as sigma_min: every step size is "
        "(sigma_min / sigma_max)^2 times too small"),
    bug("annealed_noise_reused", "langevin",
        "    @tf.function\n"
        "    def step(x, sigma, step_size):\n"
        "        return langevin_update(x, model(x, sigma), step_size, rng.normal(tf.shape(x)))\n",
        "    noise = rng.normal(tf.shape(x))  # drawn once, reused by every step\n"
        "\n"
        "    @tf.function\n"
        "    def step(x, sigma, step_size):\n"
        "        return langevin_update(x, model(x, sigma), step_size, noise)\n",
        CHAIN, "one noise array drawn before the loop and reused by every step: the noise adds up coherently "
               "instead of averaging out, and the chain drifts along it"),
    bug("sample_returns_start", "sampling",
        "    return annealed_langevin(model, start.astype(np.float32), sigmas, steps_per_scale, eps, seed=seed)\n",
        "    annealed_langevin(model, start.astype(np.float32), sigmas, steps_per_scale, eps, seed=seed)\n"
        "    return start.astype(np.float32)\n",
        {"test_sample_gaussian"}, "sample runs the chain but returns its start, N(0, sigma_max^2 I)"),
]

BANK = ALTERNATIVES + BUGS
_BANK = Bank(SOURCE_NOTEBOOK, SOLUTION_CELLS, ALL_TESTS, OUT_DIR, tuple(BANK))
build = _BANK.build

if __name__ == "__main__":
    _BANK.main()
