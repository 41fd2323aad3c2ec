"""The judge's own maths for assignment 08 (numpy only): what the notebook's answers are compared with.

Conventions (the notebook's, after Song & Ermon 2020, "Improved techniques"): noise scales are ordered
largest first, the order annealed Langevin dynamics visits them; the step size at scale sigma is
eps * sigma^2 / sigma_min^2; one update is x + a * score + sqrt(2 a) * z.
"""
import numpy as np


def ladder(sigma_min, sigma_max, num_scales):
    """The geometric ladder of noise scales from ``sigma_max`` down to ``sigma_min``."""
    return np.geomspace(sigma_max, sigma_min, num_scales)


def step_size(sigma, sigma_min, eps):
    """Langevin step size at scale ``sigma``: eps * sigma^2 / sigma_min^2 (variances, not standard deviations)."""
    return eps * np.square(sigma) / np.square(sigma_min)


def update(x, score, alpha, noise):
    """One Langevin update: x + alpha * score + sqrt(2 alpha) * noise."""
    return x + alpha * score + np.sqrt(2.0 * alpha) * noise


def dsm_loss(score, noise, sigma):
    """Denoising score matching at one scale, weighted by sigma^2:
    1/2 mean over rows of ||sigma * s(x + sigma z, sigma) + z||^2, given s at the noisy points."""
    return 0.5 * float(np.mean(np.sum(np.square(sigma * score + noise), axis=1)))


def gaussian_score(x, mu, var, sigma):
    """The score of N(mu, var I) perturbed by N(0, sigma^2 I) (what the worker's GaussianScore computes)."""
    return -(x - mu) / (var + sigma ** 2)


def annealed_gaussian(x0, mu, var, sigmas, steps, eps):
    """Mean (per row) and variance (per entry) of annealed Langevin dynamics started at ``x0`` with the exact
    score of N(mu, var I): every update is linear, x' - mu = (1 - a / v)(x - mu) + sqrt(2 a) z with
    v = var + sigma^2, so both follow exactly."""
    mean, spread = np.asarray(x0, np.float64) - mu, 0.0
    for sigma in sigmas:
        alpha = step_size(sigma, sigmas[-1], eps)
        keep = 1.0 - alpha / (var + sigma ** 2)
        for _ in range(steps):
            mean, spread = keep * mean, keep ** 2 * spread + 2.0 * alpha
    return mu + mean, spread


def mixture_score(x, means, var, sigma):
    """The exact score of an equal-weight mixture of N(means[k], var I), perturbed by N(0, sigma^2 I)."""
    v = var + sigma ** 2
    diff = x[:, None, :] - means[None, :, :]                      # (N, K, D)
    logits = -0.5 * np.sum(diff ** 2, axis=2) / v
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return -np.einsum("nk,nkd->nd", weights, diff) / v


def ring(rng, modes=8):
    """The training set's mixture, under a secret similarity transform: means (modes, 2) and the variance.

    A ring of radius 2 with modes of standard deviation 0.15, as the notebook's toy set, rotated by a
    secret angle, scaled by 0.8 to 1.25 and shifted by up to 0.5.
    """
    angle = rng.uniform(0.0, 2 * np.pi) + 2 * np.pi * np.arange(modes) / modes
    scale = rng.uniform(0.8, 1.25)
    means = scale * 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1) + rng.uniform(-0.5, 0.5, 2)
    return means, (scale * 0.15) ** 2


def draw(rng, means, var, n):
    """``n`` points of the mixture."""
    return means[rng.integers(len(means), size=n)] + np.sqrt(var) * rng.standard_normal((n, means.shape[1]))
