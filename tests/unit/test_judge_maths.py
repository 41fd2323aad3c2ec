"""The judge's own maths against closed forms and scipy (no TensorFlow, no worker)."""
import numpy as np
import pytest
from scipy import stats

from autograder.judge import maths, procedures


def test_finite_difference_jacobian_matches_the_analytic_one():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 4))
    x = rng.standard_normal((5, 4))
    f = lambda v: v @ a.T + np.sin(v)  # noqa: E731  J(x) = A + diag(cos x)
    h = 1e-4
    jac = maths.finite_difference_jacobian(x, f(maths.finite_difference_points(x, h)), h)
    analytic = a[None] + np.stack([np.diag(np.cos(row)) for row in x])
    assert jac.shape == (5, 4, 4)
    assert np.max(np.abs(jac - analytic)) < 1e-7
    assert np.allclose(maths.slogdet(jac), np.log(np.abs(np.linalg.det(analytic))), atol=1e-6)


def test_slogdet_is_nan_where_the_jacobian_is_not_finite():
    jac = np.stack([np.diag([2.0, 3.0]), np.array([[np.nan, 0.0], [0.0, 1.0]]), np.diag([-1.0, 0.5])])
    got = maths.slogdet(jac)
    assert np.isclose(got[0], np.log(6.0)) and np.isnan(got[1]) and np.isclose(got[2], np.log(0.5))


def test_priors_match_scipy():
    z = np.random.default_rng(1).standard_normal((7, 5)) * 4
    assert np.allclose(maths.logistic_log_prob(z), stats.logistic.logpdf(z).sum(-1))
    assert np.allclose(maths.normal_log_prob(z), stats.norm.logpdf(z).sum(-1))
    assert maths.identify_prior(z, stats.logistic.logpdf(z).sum(-1)) == "logistic"
    assert maths.identify_prior(z, stats.norm.logpdf(z).sum(-1)) == "normal"
    assert maths.identify_prior(z, stats.norm.logpdf(z).sum(-1) + 0.1) is None
    assert np.isclose(maths.PRIOR_STD["logistic"], stats.logistic.std())


def test_importance_integral_of_known_densities():
    rng = np.random.default_rng(3)
    u = rng.uniform(-2.0, 2.0, 200_000)  # q = U(-2, 2): log q = -log 4
    mass = maths.importance_integral(stats.norm.logpdf(u), np.full(u.shape, -np.log(4.0)))
    assert abs(mass - (stats.norm.cdf(2) - stats.norm.cdf(-2))) < 0.005
    # a "density" three times too high has mass 3: what a map that is not one-to-one looks like
    assert abs(maths.importance_integral(stats.norm.logpdf(u) + np.log(3.0), -np.log(4.0)) - 3 * mass) < 1e-9


def test_parabola_density_is_normalised_and_its_box_holds_the_data():
    low, high = procedures.PARABOLA_BOX
    g1, g2 = np.linspace(low[0], high[0], 1601), np.linspace(low[1], high[1], 1201)
    grid = np.stack(np.meshgrid(g1, g2), -1).reshape(-1, 2)
    cell = (g1[1] - g1[0]) * (g2[1] - g2[0])
    assert abs(np.exp(procedures.parabola_log_density(grid)).sum() * cell - 1.0) < 1e-3
    x = procedures.course_helpers().parabola(100_000, seed=0)
    assert np.mean(np.all((x >= low) & (x <= high), axis=1)) > 0.9999


@pytest.mark.parametrize("h", [1e-3, 1e-2])
def test_finite_difference_points_layout(h):
    x = np.arange(6.0).reshape(2, 3)
    pts = maths.finite_difference_points(x, h).reshape(2, 2, 3, 3)
    assert np.allclose(pts[:, 0] - x[:, None], np.eye(3) * h) and np.allclose(pts[:, 1] - x[:, None], -np.eye(3) * h)
