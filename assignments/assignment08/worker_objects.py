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
