"""Rank drivers from a sample: Spearman against SciPy, SRRC against the normal equations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata, spearmanr

from strandrisk.core.drivers import rank_drivers, spearman_interval


def _sample(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, (n, 3))
    y = np.column_stack([np.exp(3 * x[:, 0]) + 0.3 * x[:, 1], -x[:, 2] + 0.1 * rng.normal(size=n)])
    return x, y


def test_spearman_agrees_with_scipy():
    x, y = _sample(500)
    got = rank_drivers(x, y).spearman
    for i in range(3):
        for j in range(2):
            assert got[i, j] == pytest.approx(spearmanr(x[:, i], y[:, j]).statistic, abs=1e-12)


def test_srrc_solves_the_normal_equations_of_the_rank_correlations():
    # beta = R_xx^-1 r_xy and R^2 = r_xy . beta, with R the Spearman matrices (a different
    # route from the least-squares fit on standardised ranks)
    rng = np.random.default_rng(5)
    base = rng.normal(size=(800, 3))
    x = np.column_stack([base[:, 0], base[:, 0] + 0.7 * base[:, 1], base[:, 2]])  # correlated
    y = (x[:, 0] + 0.2 * x[:, 2] ** 3)[:, None]
    d = rank_drivers(x, y)
    rx = np.column_stack([rankdata(c) for c in x.T])
    rxx = np.corrcoef(rx, rowvar=False)
    rxy = np.array([np.corrcoef(rx[:, i], rankdata(y[:, 0]))[0, 1] for i in range(3)])
    beta = np.linalg.solve(rxx, rxy)
    np.testing.assert_allclose(d.srrc[:, 0], beta, atol=1e-10)
    assert d.r2[0] == pytest.approx(rxy @ beta, abs=1e-10)


def test_a_correlated_bystander_shares_the_correlation_but_not_the_coefficient():
    rng = np.random.default_rng(2)
    cause = rng.uniform(size=5000)
    bystander = cause + 0.3 * rng.uniform(size=5000)  # moves with the cause, acts on nothing
    d = rank_drivers(np.column_stack([cause, bystander]), (2 * cause)[:, None])
    assert d.spearman[1, 0] > 0.9
    assert abs(d.srrc[1, 0]) < 0.02
    assert d.srrc[0, 0] == pytest.approx(1.0, abs=0.02)
    assert d.r2[0] == pytest.approx(1.0, abs=1e-9)


def test_a_parameter_or_outcome_that_does_not_vary_has_no_measure():
    x, y = _sample(200)
    x[:, 1] = 4.0
    y[:, 1] = 0.0
    d = rank_drivers(x, y)
    assert np.isnan(d.spearman[1]).all()
    assert np.isnan(d.spearman[:, 1]).all()
    assert np.isnan(d.srrc[1]).all()
    assert np.isnan(d.r2[1])
    assert np.isfinite(d.spearman[[0, 2], 0]).all()
    assert np.isfinite(d.r2[0])


def test_too_few_scenarios_for_the_regression_and_bad_shapes():
    x, y = _sample(4)
    d = rank_drivers(x, y)
    assert np.isnan(d.srrc).all()
    assert np.isnan(d.r2).all()
    assert np.isfinite(d.spearman).all()
    with pytest.raises(ValueError, match="one row per scenario"):
        rank_drivers(x, y[:3])
    with pytest.raises(ValueError, match="NaN"):
        rank_drivers(x, np.full_like(y, np.nan))


@settings(max_examples=50, deadline=None)
@given(st.integers(10, 200), st.integers(0, 10_000))
def test_monotone_transforms_change_nothing(n, seed):
    x, y = _sample(n, seed)
    a = rank_drivers(x, y)
    b = rank_drivers(np.exp(x), np.column_stack([y[:, 0] ** 3, 5 * y[:, 1] - 2]))
    np.testing.assert_allclose(a.spearman, b.spearman, atol=1e-12)
    np.testing.assert_allclose(a.srrc, b.srrc, atol=1e-9)
    assert (np.abs(a.spearman) <= 1 + 1e-12).all()


def test_spearman_interval():
    # at rho = 0: 1.96 * sqrt(1.06 / (n - 3)), tanh of it
    assert spearman_interval(np.array([0.0]), 1003)[0] == pytest.approx(
        np.tanh(1.959964 * np.sqrt(1.06 / 1000)), rel=1e-6
    )
    narrow, wide = spearman_interval(np.array([0.9, 0.0]), 1003)
    assert narrow < wide  # strong correlations are known more tightly
    assert np.isnan(spearman_interval(np.array([0.5]), 3)).all()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    k=st.integers(1, 6),
    levels=st.sampled_from([2, 5, 1000]),
    seed=st.integers(0, 2**16),
)
def test_average_ranks_are_scipys_bit_for_bit_ties_and_layout_included(n, k, levels, seed):
    """The SIMD-sorted ranks give rankdata's numbers in rankdata's (column-major) layout."""
    from strandrisk.core.drivers import _average_ranks

    a = np.random.default_rng(seed).integers(0, levels, (n, k)) / 7.0  # ties at few levels
    got, want = _average_ranks(a), rankdata(a, axis=0)
    np.testing.assert_array_equal(got, want)
    assert got.strides == want.strides
