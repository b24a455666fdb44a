"""Reference values, invariants and coverage of the log-linear trend fit."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strandrisk.core.trend import fit_log_linear


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(-5.0, 5.0, allow_nan=False).filter(lambda r: abs(r) > 1e-6),
    start=st.floats(1e-3, 1e6),
    n=st.integers(3, 40),
    span=st.floats(0.5, 30.0),
)
def test_exact_exponential_is_recovered(rate, start, n, span):
    t = np.linspace(0.0, span, n) + 2010.0
    y = start * np.exp(rate * (t - 2010.0))
    fit = fit_log_linear(t, y)
    assert fit.rate_per_year == pytest.approx(rate, abs=1e-9)
    assert math.exp(fit.intercept + fit.rate_per_year * 2010.0) == pytest.approx(start, rel=1e-9)
    assert fit.r2 == pytest.approx(1.0, abs=1e-9)
    if rate > 0:
        assert fit.doubling_time_years == pytest.approx(math.log(2) / rate, rel=1e-9)
        assert np.isnan(fit.halving_time_years)
    else:
        assert fit.halving_time_years == pytest.approx(math.log(2) / -rate, rel=1e-9)
        assert np.isnan(fit.doubling_time_years)


def test_hand_computed_three_points():
    # ln y = [0, ln 2, ln 4 + 0.3] at t = 0, 1, 2: slope = (ln 4 + 0.3) / 2; residuals by hand
    t = np.array([0.0, 1.0, 2.0])
    y = np.exp(np.array([0.0, math.log(2), math.log(4) + 0.3]))
    fit = fit_log_linear(t, y)
    slope = (math.log(4) + 0.3) / 2
    intercept = (math.log(2) + math.log(4) + 0.3) / 3 - slope
    resid = np.log(y) - (intercept + slope * t)
    se = math.sqrt((resid**2).sum() / 1 / 2.0)  # n-2 = 1, S_xx = 2
    assert fit.rate_per_year == pytest.approx(slope, rel=1e-12)
    assert fit.rate_stderr == pytest.approx(se, rel=1e-12)
    t975_df1 = 12.706204736174707  # Student t, 97.5 % quantile, 1 degree of freedom
    assert fit.rate_ci95[1] - slope == pytest.approx(t975_df1 * se, rel=1e-9)


@pytest.mark.parametrize(("n", "seed"), [(4, 1), (6, 2), (30, 3)])
def test_interval_covers_true_rate_95_percent_of_the_time(n, seed):
    """Seeded trials, fitted all at once: coverage within ±3 standard errors of 95 %."""
    rng = np.random.default_rng(seed)
    trials, true_rate, sigma = 4000, -0.7, 0.4
    t = np.sort(rng.uniform(0, 5, size=(trials, n)), axis=1)
    y = 3.0 * np.exp(true_rate * t + rng.normal(0, sigma, size=(trials, n)))
    fit = fit_log_linear(t, y)
    covered = (fit.rate_ci95[:, 0] <= true_rate) & (true_rate <= fit.rate_ci95[:, 1])
    se = math.sqrt(0.95 * 0.05 / trials)
    assert abs(covered.mean() - 0.95) < 3 * se


def test_broadcasts_over_batches_and_masks():
    t = np.arange(6.0)
    y = np.stack([2.0**t, 3.0**-t])
    mask = np.array([True, True, True, True, False, False])
    fit = fit_log_linear(t, y, mask=mask)
    assert fit.rate_per_year.shape == (2,)
    np.testing.assert_allclose(fit.rate_per_year, [math.log(2), -math.log(3)], rtol=1e-12)
    np.testing.assert_array_equal(fit.n, [4, 4])
    assert fit.rate_ci95.shape == (2, 2)


def test_masked_cells_may_hold_anything():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, np.e, np.e**2, -5.0])
    fit = fit_log_linear(t, y, mask=[True, True, True, False])
    assert fit.rate_per_year == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("t", "y", "message"),
    [
        ([0, 1], [1, 2], "at least 3"),
        ([0, 1, 2], [1, 0, 2], "positive"),
        ([0, 1, 2], [1, np.nan, 2], "positive"),
        ([1, 1, 1], [1, 2, 3], "same date"),
        ([0, np.inf, 2], [1, 2, 3], "finite"),
    ],
)
def test_refuses_unfittable_input(t, y, message):
    with pytest.raises(ValueError, match=message):
        fit_log_linear(t, y)


def test_flat_series_has_zero_rate_and_no_doubling():
    fit = fit_log_linear([0.0, 1.0, 2.0], [5.0, 5.0, 5.0])
    assert fit.rate_per_year == 0.0
    assert np.isnan(fit.doubling_time_years)
    assert np.isnan(fit.halving_time_years)
