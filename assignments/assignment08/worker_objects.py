"""What the judge of assignment 08 builds in the worker to hand to the notebook's functions.

Imported by the worker before confinement (the pack's ``WORKER_OBJECTS``).  The judge knows exactly
what these compute, so a notebook function given one (``dsm_loss``, ``annealed_langevin``, ``sample``)
can be checked against numbers the judge works out itself.
"""
import tensorflow as tf


class GaussianScore:
    """The exact score of N(mu, var I) perturbed by N(0, sigma^2 I): s(x, sigma) = -(x - mu) / (var + sigma^2).

    Called as a score model is, ``score(x, sigma)``: x (N, D), sigma a scalar; returns (N, D) float32.
    """

    def __init__(self, mu, var):
        self.mu = tf.constant(mu, tf.float32)
        self.var = float(var)

    def __call__(self, x, sigma, **kwargs):  # noqa: ARG002 (training=... and the like change nothing here)
        x = tf.cast(x, tf.float32)
        sigma = tf.cast(sigma, tf.float32)
        return -(x - self.mu) / (self.var + tf.square(sigma))


class LadderScore(tf.keras.Model):
    """A score model with parameters of its own at each noise scale of a ladder, for ``train`` to train.

    At scale ``sigmas[k]`` (the nearest on a log scale): s(x, sigma) = -(x - offset[k]) * exp(log_gain[k]) / (1 + sigma^2).
    For data N(mu, v I) the best parameters at every scale are offset = mu and exp(log_gain) = (1 + sigma^2) /
    (v + sigma^2), so what training did at each scale shows in that scale's parameters alone: a scale it
    never drew keeps its start (``offset`` (levels, dim), ``log_gain`` (levels,), which the judge chooses far
    from the best ones).
    """

    def __init__(self, sigmas, offset, log_gain, **kwargs):
        super().__init__(**kwargs)
        self.log_sigmas = tf.constant(tf.math.log(tf.constant(sigmas, tf.float32)))
        offset, log_gain = tf.constant(offset, tf.float32), tf.constant(log_gain, tf.float32)
        self.offset = self.add_weight(shape=offset.shape, initializer=tf.keras.initializers.Constant(offset),
                                      name="offset")
        self.log_gain = self.add_weight(shape=log_gain.shape, initializer=tf.keras.initializers.Constant(log_gain),
                                        name="log_gain")

    def __call__(self, x, sigma, **kwargs):
        return super().__call__(tf.cast(x, tf.float32), tf.cast(sigma, tf.float32), **kwargs)

    def call(self, x, sigma):
        sigma = tf.reshape(sigma, [-1])[0]  # one scale for the batch (the notebook's contract)
        level = tf.argmin(tf.abs(self.log_sigmas - tf.math.log(sigma)))
        offset, gain = tf.gather(self.offset, level), tf.exp(tf.gather(self.log_gain, level))
        return -(x - offset) * gain / (1.0 + tf.square(sigma))
