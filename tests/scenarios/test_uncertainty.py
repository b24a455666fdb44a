"""Distributions, samplers, rank correlations and the uncertainty block of scenario files."""

import math
import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from threadpoolctl import threadpool_info, threadpool_limits

import strandrisk as sr
from strandrisk import InputError
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import (
    BLOCK,
    UncertaintySpace,
    _block_uniforms,
    _strata_and_draws,
    iman_conover,
    latin_hypercube,
    sample_range,
)


def test_distribution_quantiles():
    u = np.array([0.05, 0.5, 0.95])
    np.testing.assert_allclose(Distribution("uniform", low=2, high=4).ppf(u), [2.1, 3.0, 3.9])
    np.testing.assert_allclose(Distribution("normal", low=1, high=3).ppf(u), [1, 2, 3], atol=1e-9)
    np.testing.assert_allclose(
        Distribution("lognormal", low=1, high=100).ppf(u), [1, 10, 100], rtol=1e-9
    )
    np.testing.assert_allclose(
        Distribution("loguniform", low=1, high=100).ppf(np.array([0, 0.5, 1])), [1, 10, 100]
    )
    tri = Distribution("triangular", low=0, mode=0, high=1).ppf(np.array([0.75]))
    assert tri[0] == pytest.approx(1 - np.sqrt(0.25))
    pert = Distribution("pert", low=0, mode=0.2, high=1).ppf(np.linspace(0.001, 0.999, 999))
    assert pert.min() >= 0
    assert pert.max() <= 1
    assert pert.mean() == pytest.approx((0 + 4 * 0.2 + 1) / 6, abs=0.01)  # PERT mean
    assert set(
        Distribution("empirical", values=(1.0, 2.0, 3.0)).ppf(np.array([0.1, 0.5, 0.9]))
    ) == {1.0, 2.0, 3.0}


def test_a_truncated_normal_or_lognormal_is_the_distribution_conditioned_on_its_interval():
    """@RISK's RiskTruncate: checked against scipy's truncnorm, written independently (its
    a, b in standard deviations), and the lognormal's as exp of a truncated normal."""
    u = np.linspace(0.0005, 0.9995, 2000)
    plain = Distribution("normal", low=1.0, high=9.0)
    cut = Distribution("normal", low=1.0, high=9.0, truncate=(2.0, np.inf))
    mean, sd = 5.0, 4.0 / stats.norm.ppf(0.95)
    ref = stats.truncnorm((2.0 - mean) / sd, np.inf, loc=mean, scale=sd)
    np.testing.assert_allclose(cut.ppf(u), ref.ppf(u), rtol=1e-12)
    assert cut.support() == (2.0, np.inf)
    assert plain.support() == (-np.inf, np.inf)
    logcut = Distribution("lognormal", low=1.0, high=100.0, truncate=(-5.0, 50.0))
    mu, s = np.log(10.0), np.log(10.0) / stats.norm.ppf(0.95)
    ref = stats.truncnorm(-np.inf, (np.log(50.0) - mu) / s, loc=mu, scale=s)
    np.testing.assert_allclose(logcut.ppf(u), np.exp(ref.ppf(u)), rtol=1e-12)
    assert logcut.support() == (0.0, 50.0)
    # a stress band is a band of the truncated distribution: its top decile
    top = replace(cut, band=(0.9, 1.0))
    np.testing.assert_array_equal(top.ppf(u), cut.ppf(0.9 + (1.0 - 0.9) * u))
    # far in a tail, the draws stay inside the interval
    tail = Distribution("normal", low=-1.0, high=1.0, truncate=(12.0, 13.0)).ppf(u)
    assert tail.min() >= 12.0
    assert tail.max() <= 13.0
    # untruncated, the quantiles are scipy's with loc and scale, to the last bit
    assert np.array_equal(plain.ppf(u), stats.norm.ppf(u, loc=mean, scale=sd))


def test_a_weighted_empirical_distribution_draws_each_value_with_its_probability():
    """@RISK's RiskDiscrete({1, 3, 10}, {0.5, 0.3, 0.2}): on a fine grid of u, each value's
    share is its weight (scaled to sum to 1), whatever order the values come in."""
    u = (np.arange(100_000) + 0.5) / 100_000
    d = Distribution("empirical", values=(10.0, 1.0, 3.0, 7.0), weights=(2.0, 5.0, 3.0, 0.0))
    x = d.ppf(u)
    values, counts = np.unique(x, return_counts=True)
    assert values.tolist() == [1.0, 3.0, 10.0]  # 7 has no weight: never drawn
    np.testing.assert_allclose(counts / len(u), [0.5, 0.3, 0.2], atol=1e-4)
    assert np.all(np.diff(x) >= 0)  # a quantile function: rising in u
    assert d.support() == (1.0, 10.0)
    equal = Distribution("empirical", values=(3.0, 1.0, 2.0), weights=(1.0, 1.0, 1.0))
    np.testing.assert_array_equal(equal.ppf(u), replace(equal, weights=()).ppf(u))


def test_a_cumulative_distribution_passes_through_its_points_linearly():
    """@RISK's RiskCumul(0.3, 2.5, {0.6, 0.88, 1.4}, {0.1, 0.5, 0.9}): the quantile at each
    given probability is its value, linear between them, the ends at 0 and 1; by hand."""
    d = Distribution(
        "cumulative", low=0.3, high=2.5, values=(0.6, 0.88, 1.4), probabilities=(0.1, 0.5, 0.9)
    )
    u = np.array([0.0, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0])
    by_hand = [0.3, 0.45, 0.6, 0.74, 0.88, 1.14, 1.4, 1.95, 2.5]
    np.testing.assert_allclose(d.ppf(u), by_hand, rtol=1e-12)
    assert d.support() == (0.3, 2.5)
    grid = (np.arange(100_000) + 0.5) / 100_000
    x = d.ppf(grid)
    assert np.all(np.diff(x) > 0)
    # the mean of a piecewise-uniform density: each segment's midpoint by its probability
    segments = [(0.3, 0.6, 0.1), (0.6, 0.88, 0.4), (0.88, 1.4, 0.4), (1.4, 2.5, 0.1)]
    assert x.mean() == pytest.approx(sum(p * (a + b) / 2 for a, b, p in segments), rel=1e-6)
    stressed = replace(d, band=(0.9, 1.0))  # the top tenth: between 1.4 and 2.5
    assert stressed.ppf(np.array([0.0, 0.5, 1.0])).tolist() == pytest.approx([1.4, 1.95, 2.5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "uniform", "low": 3, "high": 1}, "must be below high"),
        (
            {"kind": "cumulative", "low": 0, "high": 1, "values": (0.5,), "probabilities": ()},
            r"values and their probabilities, one each \(got 1 values and 0 probabilities\)",
        ),
        (
            {
                "kind": "cumulative",
                "low": 0,
                "high": 1,
                "values": (0.6, 0.4),
                "probabilities": (0.2, 0.8),
            },
            "values must rise strictly from low",
        ),
        (
            {
                "kind": "cumulative",
                "low": 0,
                "high": 1,
                "values": (0.5, 1.5),
                "probabilities": (0.2, 0.8),
            },
            "values must rise strictly from low",
        ),
        (
            {
                "kind": "cumulative",
                "low": 0,
                "high": 1,
                "values": (0.4, 0.6),
                "probabilities": (0.5, 0.5),
            },
            "probabilities are its CDF at the values: rising strictly",
        ),
        (
            {"kind": "cumulative", "low": 0, "high": 1, "values": (0.4,), "probabilities": (1.0,)},
            "each between 0 and 1",
        ),
        (
            {"kind": "uniform", "low": 0, "high": 1, "probabilities": (0.5,)},
            "uniform: probabilities belong to a cumulative distribution's values",
        ),
        (
            {"kind": "empirical", "values": (1, 2, 3), "weights": (0.5, 0.5)},
            r"weights \(2\) must match its values \(3\), one each",
        ),
        (
            {"kind": "empirical", "values": (1, 2), "weights": (0.5, -0.1)},
            "weights must be finite, none negative, and not all zero",
        ),
        (
            {"kind": "empirical", "values": (1, 2), "weights": (0.0, 0.0)},
            "weights must be finite, none negative, and not all zero",
        ),
        (
            {"kind": "pert", "low": 0, "mode": 0.5, "high": 1, "truncate": (0.1, 0.9)},
            "pert: truncate applies to a normal or lognormal",
        ),
        (  # a fixed one returned before its fields were looked at
            {"kind": "fixed", "mode": 1, "truncate": (0.0, 2.0)},
            "fixed: truncate applies to a normal or lognormal",
        ),
        (
            {"kind": "uniform", "low": 0, "high": 1, "weights": (1.0, 2.0)},
            "uniform: weights belong to an empirical distribution's values",
        ),
        ({"kind": "normal", "low": 0, "high": 1, "truncate": (1, 1)}, "the first below the second"),
        ({"kind": "normal", "low": 0, "high": 1, "truncate": (np.nan, 1)}, "two numbers"),
        (
            {"kind": "lognormal", "low": 1, "high": 2, "truncate": (-2, -1)},
            r"lognormal: truncate \[-2, -1\] keeps none of the distribution",
        ),
        ({"kind": "triangular", "low": 0, "high": 1, "mode": 2}, "mode"),
        ({"kind": "loguniform", "low": -1, "high": 1}, "positive"),
        ({"kind": "gamma", "low": 0, "high": 1}, "unknown distribution"),
    ],
)
def test_impossible_distributions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Distribution(**kwargs)


def test_lhs_has_one_draw_per_stratum():
    u = latin_hypercube(1000, 3, np.random.default_rng(1))
    for j in range(3):
        assert sorted(np.floor(u[:, j] * 1000).astype(int)) == list(range(1000))


def test_lhs_blocks_stay_stratified_after_rank_correlation():
    sc = sr.load_scenario("base")
    space = load_uncertainty("base", sc)
    u = _block_uniforms(space, 0, BLOCK, 3, "lhs")
    for j in range(u.shape[1]):
        assert sorted(np.floor(u[:, j] * BLOCK).astype(int)) == list(range(BLOCK))


def test_a_latin_hypercubes_strata_sort_its_columns_as_a_sort_does():
    """Iman-Conover given the strata (no sort) reorders each column as it does sorting it."""
    target = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, -0.4], [0.2, -0.4, 1.0]])
    strata, u = _strata_and_draws(2000, 3, np.random.default_rng(4))
    u = np.clip(u, 0.3, 0.7)  # non-decreasing, with ties: the strata still rank the draws
    with_ranks = iman_conover(u, target, np.random.default_rng(9), strata)
    sorting = iman_conover(u, target, np.random.default_rng(9))
    np.testing.assert_array_equal(with_ranks, sorting)
    assert not np.array_equal(sorting, u)


def test_the_sampler_leaves_the_blas_thread_count_as_it_was():
    """Iman-Conover runs its products on one BLAS thread, the same numbers, then lets go."""
    target = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, -0.4], [0.2, -0.4, 1.0]])
    u = np.random.default_rng(4).random((3000, 3))
    before = [lib["num_threads"] for lib in threadpool_info()]
    one = iman_conover(u, target, np.random.default_rng(9))
    assert [lib["num_threads"] for lib in threadpool_info()] == before
    with threadpool_limits(limits=2, user_api="blas"):  # more threads: the same draws
        np.testing.assert_array_equal(iman_conover(u, target, np.random.default_rng(9)), one)


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_sampling_on_threads_gives_each_scenario_the_same_values(sampler, monkeypatch):
    """Parts of whole blocks on threads: the values of one range, the BLAS limit let go."""
    import numba

    from strandrisk.engine.mc_exec import sample_in_threads

    sc = sr.load_scenario("base")
    space = load_uncertainty("base", sc)
    before = [lib["num_threads"] for lib in threadpool_info()]
    for threads in (2, 3):
        monkeypatch.setattr(numba, "get_num_threads", lambda threads=threads: threads)
        for start, stop in ((0, 3 * BLOCK + 5), (BLOCK - 7, 2 * BLOCK + 1), (5, 900)):
            got = sample_in_threads(space, start, stop, 7, sampler)
            want = sample_range(space, start, stop, 7, sampler)
            assert list(got) == list(want)
            for key in want:
                np.testing.assert_array_equal(got[key], want[key])
    assert [lib["num_threads"] for lib in threadpool_info()] == before


def test_rank_correlation_is_achieved():
    space = UncertaintySpace(
        ("a", "b", "c"),
        (Distribution("uniform", low=0, high=1),) * 3,
        np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.0], [-0.3, 0.0, 1.0]]),
    )
    s = sample_range(space, 0, BLOCK, 11, "mc")
    rho = stats.spearmanr(np.column_stack([s["a"], s["b"], s["c"]])).statistic
    np.testing.assert_allclose(rho[0, 1], 0.6, atol=0.04)
    np.testing.assert_allclose(rho[0, 2], -0.3, atol=0.04)
    np.testing.assert_allclose(rho[1, 2], 0.0, atol=0.04)


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_samples_do_not_depend_on_the_range_they_are_drawn_in(sampler):
    space = load_uncertainty("base", sr.load_scenario("base"))
    whole = sample_range(space, 0, 9000, 5, sampler)
    part = sample_range(space, 4000, 8500, 5, sampler)
    for key in space.keys:
        np.testing.assert_array_equal(whole[key][4000:8500], part[key])
    other = sample_range(space, 0, 100, 6, sampler)
    assert not np.array_equal(whole[space.keys[0]][:100], other[space.keys[0]])


def test_non_psd_correlations_are_refused():
    """By hand: C - I = rho P has the eigenvalues -2 rho (on (1, -1, 1)), rho and rho, so C's
    smallest is 1 - 2 rho = -0.8 at rho = 0.9, and rho P scaled by s holds together while
    1 - 1.8 s >= 0: s <= 0.556, which the message offers as 0.55 (0.9 to 0.5)."""
    dists = (Distribution("uniform", low=0, high=1),) * 3
    pattern = np.array([[0, 1, -1], [1, 0, 1], [-1, 1, 0]])
    with pytest.raises(
        ValueError,
        match=r"positive semi-definite \(smallest eigenvalue -0\.8\): these correlations cannot "
        r"hold together; scaled by 0\.55 they can \(the strongest, 0\.9, to 0\.5\); or the "
        r"nearest matrix that can \(Higham 2002\): a ~ b 0\.9 to 0\.5, a ~ c -0\.9 to -0\.5, "
        r'b ~ c 0\.9 to 0\.5 \(pairs = \[\["a", "b", 0\.5\], \["a", "c", -0\.5\], '
        r'\["b", "c", 0\.5\]\]\)$',
    ):
        UncertaintySpace(("a", "b", "c"), dists, np.eye(3) + 0.9 * pattern)
    UncertaintySpace(("a", "b", "c"), dists, np.eye(3) + 0.55 * 0.9 * pattern)  # as offered


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            '[uncertainty]\n"market.price_decline" = { dist = "uniform", low = 2.0, high = 1.0 }\n',
            "must be below high",
        ),
        (
            '[uncertainty]\n"market.utilisation" = { dist = "uniform", low = 0.5, high = 1.5 }\n',
            "outside the parameter's allowed range",
        ),
        (
            '[uncertainty]\n"market.nothing" = { dist = "uniform", low = 0, high = 1 }\n',
            "not a numeric scenario parameter",
        ),
        (
            '[uncertainty]\n"market.elasticity" = { dist = "uniform", low = 0.5, high = 1.5 }\n'
            '"market.price_decline" = { dist = "uniform", low = 0.5, high = 1.5 }\n'
            '"market.utilisation" = { dist = "uniform", low = 0.5, high = 0.9 }\n'
            '[correlations]\npairs = [["market.elasticity", "market.price_decline", 0.9], '
            '["market.price_decline", "market.utilisation", 0.9], ["market.elasticity", "market.utilisation", -0.9]]\n',
            "not positive semi-definite",
        ),
        (
            '[uncertainty]\n"technology.doubling_time" = { dist = "fit", fit = "nope" }\n',
            "unknown trend fit",
        ),
        ('[uncertainty]\nfrom_register = "yes"\n', "from_register: expected true or false"),
        (
            "[uncertainty]\nfrom_register = true\n[correlations]\npairs = 3\n",
            "correlations.pairs: expected a list",
        ),
        (
            "[uncertainty]\nfrom_register = true\n[correlations]\npair = []\n",
            "correlations: unknown key 'pair'",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "fixed", value = 0.9 }\n'
            '"market.elasticity" = { dist = "uniform", low = 0.6, high = 1.4 }\n'
            '[correlations]\npairs = [["market.price_decline", "market.elasticity", 0.5]]\n',
            "'market.price_decline' is fixed at 0.9 \\(a constant has no ranks\\), so it cannot "
            "be correlated with 'market.elasticity'",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "fixed", value = 12 }\n',
            r"reaches \[12, 12\], outside the parameter's allowed range \[-1, 10\]",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "fixed" }\n',
            "a fixed distribution needs a finite value",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "empirical", values = [0.5] }\n',
            "an empirical distribution needs at least two finite values",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "empirical", values = [0.5, 11] }\n',
            r"reaches \[0.5, 11\], outside",
        ),
        (  # a misspelt key gets the key it is closest to, in either table
            '[uncertainty]\n"market.price_declin" = { dist = "uniform", low = 0.5, high = 1 }\n',
            "'market.price_declin' is not a numeric scenario parameter "
            r"\(did you mean market\.price_decline\?\)$",
        ),
        (
            "[uncertainty]\nfrom_register = true\n[correlations]\n"
            'pairs = [["market.price_declin", "market.elasticity", 0.5]]\n',
            "correlations: 'market.price_declin' is not an uncertain parameter "
            r"\(did you mean market\.price_decline\?\)$",
        ),
        (  # a field the kind does not take says what it takes
            '[uncertainty]\n"market.price_decline" = { dist = "normal", mu = 0.9, sd = 0.2 }\n',
            "uncertainty.market.price_decline: unknown field 'mu'; a normal distribution takes "
            "low and high, its 5th and 95th percentiles, or mean and sd; and truncate = "
            r"\[min, max\] if it is to be cut$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "uniform", mean = 0.9, sd = 0.2 }\n',
            "unknown field 'mean'; a uniform distribution takes low and high$",
        ),
        (  # a normal or lognormal by its mean and sd: both, and not beside low and high
            '[uncertainty]\n"market.price_decline" = { dist = "lognormal", mean = 0.9 }\n',
            "a lognormal distribution takes mean and sd together",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "normal", mean = 0.9, sd = 0.1, '
            "high = 1.2 }\n",
            "a normal distribution takes low and high or mean and sd, not both$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "normal", mean = 0.9, sd = 0 }\n',
            "mean and sd must be finite numbers and sd positive, got mean = 0.9, sd = 0$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "normal", mean = "0.9", sd = 1 }\n',
            "mean and sd must be numbers, got mean = '0.9', sd = 1$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "lognormal", mean = -1, sd = 1 }\n',
            "a lognormal's mean must be positive, got -1$",
        ),
        (  # a normal reaching outside the allowed range is told to truncate
            '[uncertainty]\n"market.price_decline" = { dist = "normal", mean = 9, sd = 1 }\n',
            r"reaches \[5\.281, 12\.72\], outside the parameter's allowed range \[-1, 10\]: "
            r"truncate it \(truncate = \[-1, 10\]\) or give it a bounded kind$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "normal", mean = 9, sd = 1, '
            "truncate = [5, 11] }\n",
            r"reaches \[5\.\d+, 11\], outside the parameter's allowed range \[-1, 10\]: truncate",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "normal", mean = 9, sd = 1, '
            "truncate = 5 }\n",
            r"^[^:]*u\.toml: uncertainty\.market\.price_decline: truncate is \[min, max\], two "
            r"numbers \(inf or -inf for an end left open\), got 5$",  # named once
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "uniform", low = 0.5, high = 1, '
            "truncate = [0.6, 0.9] }\n",
            "unknown field 'truncate'; a uniform distribution takes low and high$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "uniform", low = 0.5, high = 1, '
            "weights = [1, 2] }\n",
            "unknown field 'weights'; a uniform distribution takes low and high$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "empirical", values = [0.5, 1], '
            "weights = [1] }\n",
            r"uncertainty\.market\.price_decline: an empirical distribution's weights \(1\) must",
        ),
        (  # a weighted value outside the allowed range is refused as an unweighted one is
            '[uncertainty]\n"market.price_decline" = { dist = "empirical", values = [0.5, 11], '
            "weights = [1, 1] }\n",
            r"reaches \[0.5, 11\], outside",
        ),
        (  # even one another kind takes (a normal's high would have been taken as its p95)
            '[uncertainty]\n"market.price_decline" = { dist = "empirical", values = [0.5, 1], '
            "high = 0.8 }\n",
            "unknown field 'high'; an empirical distribution takes values, a list of at least two, "
            "and weights, the probability of each, if they are not equally likely$",
        ),
        (
            '[uncertainty]\n"technology.doubling_time" = { dist = "fit", fit = '
            '"gpu_fp32_flops_per_usd", low = 2 }\n',
            "unknown field 'low'; a fit distribution takes fit, the name of a register trend fit",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "weibull", a = 2, b = 3 }\n',
            "unknown distribution 'weibull'; one of fixed, uniform, .*, cumulative, beta, fit$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "beta", a = 2, b = 3 }\n',
            "unknown field 'a'; a beta distribution takes low and high, its ends, and alpha and "
            "beta",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "beta", low = 0.5, high = 1.5, '
            "alpha = 2 }\n",
            "a beta distribution takes alpha and beta, two positive numbers: got 2$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "beta", low = 0.5, high = 1.5, '
            "alpha = 2, beta = -1 }\n",
            "a beta distribution takes alpha and beta, two positive numbers: got 2, -1$",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = ["uniform"], low = 0.5, high = 1 }\n',
            r"unknown distribution \['uniform'\]; one of fixed",
        ),
        (
            '[uncertainty]\n"market.price_decline" = { dist = "uniform", low = 0.5, high = 1 }\n'
            '[correlations]\npairs = [["market.price_decline", "market.elasticity", 0.5]]\n',
            r"^[^:]*u\.toml: correlations: 'market\.elasticity' is not an uncertain parameter$",
        ),
    ],
)
def test_impossible_uncertainty_blocks_are_refused(tmp_path, block, message):
    path = tmp_path / "u.toml"
    path.write_text(block)
    with pytest.raises(InputError, match=message):
        load_uncertainty(path, sr.load_scenario(path))


def test_normal_and_lognormal_by_mean_and_sd_as_risk_writes_them(tmp_path):
    """@RISK's RiskNormal(mean, sd) and RiskLognorm(mean, sd): the lognormal's mean and sd are
    the value's own. Checked against the closed forms: E[X] = exp(mu + s^2/2) and
    Var[X] = (exp(s^2) - 1) exp(2 mu + s^2) for the log's mu and s, and 0.05 / 0.95 quantiles."""
    path = tmp_path / "u.toml"
    path.write_text(
        "[uncertainty]\n"
        '"market.elasticity" = { dist = "normal", mean = 1.1, sd = 0.1 }\n'
        '"market.price_decline" = { dist = "lognormal", mean = 0.9, sd = 0.3 }\n'
    )
    normal, lognormal = load_uncertainty(path, sr.load_scenario(path)).distributions
    assert math.isclose(normal.low, 1.1 - 0.1 * stats.norm.ppf(0.95))
    assert math.isclose(normal.high, 1.1 + 0.1 * stats.norm.ppf(0.95))
    mu = (math.log(lognormal.low) + math.log(lognormal.high)) / 2
    s = (math.log(lognormal.high) - math.log(lognormal.low)) / (2 * stats.norm.ppf(0.95))
    assert math.isclose(math.exp(mu + s**2 / 2), 0.9)
    assert math.isclose(math.sqrt(math.expm1(s**2) * math.exp(2 * mu + s**2)), 0.3)
    path.write_text(  # cut to the parameter's allowed range, as @RISK's RiskTruncate
        "[uncertainty]\n"
        '"market.price_decline" = { dist = "normal", mean = 9, sd = 1, truncate = [-1, 10] }\n'
        '"market.elasticity" = { dist = "lognormal", low = 0.5, high = 2, truncate = [0.6, inf] }\n'
    )
    elasticity, decline = load_uncertainty(path, sr.load_scenario(path)).distributions
    assert decline.truncate == (-1.0, 10.0)
    assert decline.low == 9 - stats.norm.ppf(0.95)
    assert elasticity.truncate == (0.6, math.inf)
    assert elasticity.ppf(np.array([0.0]))[0] == pytest.approx(0.6)
    u = (np.arange(200_000) + 0.5) / 200_000  # a fine midpoint grid of the quantiles
    x = lognormal.ppf(u)
    assert math.isclose(x.mean(), 0.9, rel_tol=1e-3)
    assert math.isclose(x.std(), 0.3, rel_tol=1e-2)


def test_fit_distribution_and_presets_carry_an_uncertainty_block(tmp_path):
    path = tmp_path / "u.toml"
    path.write_text(
        '[uncertainty]\n"technology.doubling_time" = { dist = "fit", fit = "gpu_fp32_flops_per_usd" }\n'
    )
    space = load_uncertainty(path, sr.load_scenario(path))
    d = space.distributions[0]
    assert d.low < sr.load_register()["gpu_price_performance_doubling_fit"].value < d.high
    for preset in sr.PRESETS:
        assert len(load_uncertainty(preset, sr.load_scenario(preset)).keys) >= 15


def test_keys_held_fixed_leave_the_space_with_their_correlations(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(
        'name = "s"\n[uncertainty]\n'
        '"market.elasticity" = {dist = "uniform", low = 0.5, high = 1.5}\n'
        '"market.price_decline" = {dist = "uniform", low = 0.5, high = 1.5}\n'
        '"technology.software_efficiency" = {dist = "uniform", low = 0.3, high = 0.9}\n'
        "[correlations]\n"
        'pairs = [["market.price_decline", "technology.software_efficiency", 0.5],'
        ' ["market.elasticity", "technology.software_efficiency", -0.3]]\n'
    )
    sc = sr.load_scenario(f)
    whole = load_uncertainty(f, sc)
    held = load_uncertainty(f, sc, fixed=["market.elasticity", "costs.pue"])  # pue: not drawn
    assert held.keys == ("market.price_decline", "technology.software_efficiency")
    assert held.distributions == whole.distributions[1:]
    np.testing.assert_array_equal(held.correlation, [[1.0, 0.5], [0.5, 1.0]])
    assert whole.without(()).keys == whole.keys
    with pytest.raises(InputError, match="no uncertain parameters left"):
        load_uncertainty(f, sc, fixed=iter(whole.keys))


def test_mc_holds_a_set_uncertain_key_at_its_value_and_says_so(tmp_path):
    import duckdb
    from typer.testing import CliRunner

    from strandrisk.cli.main import app

    keep = tmp_path / "k.duckdb"
    args = ["mc", "--n", "20", "--set", "years=3", "--set", "capex.growth=0.02"]
    r = CliRunner().invoke(app, [*args, "--keep", str(keep)])
    assert r.exit_code == 0, r.output
    assert "held fixed by --set, not drawn: capex.growth = 0.02" in " ".join(r.output.split())
    with duckdb.connect(str(keep), read_only=True) as con:
        columns = {row[0] for row in con.execute("DESCRIBE samples").fetchall()}
    assert "capex.growth" not in columns
    assert "market.elasticity" in columns


def test_a_key_set_outside_the_register_range_leaves_the_correlations_it_cannot_join(tmp_path):
    # base correlates the price decline with software efficiency; -1 (prices rising) is allowed
    # but outside the register's range, so from_register holds it fixed and drops the pair
    sc = sr.load_scenario("base", {"market.price_decline": -1.0})
    with pytest.raises(InputError, match=r"its value -1 lies outside the register's range \["):
        load_uncertainty("base", sc)
    space = load_uncertainty("base", sc, fixed=["market.price_decline"])
    assert "market.price_decline" not in space.keys
    assert "technology.software_efficiency" in space.keys
    np.testing.assert_array_equal(space.correlation, np.eye(len(space.keys)))
    whole = load_uncertainty("base", sc, fixed=["market.price_decline"], hold=False)
    assert whole.keys == space.keys

    from typer.testing import CliRunner

    from strandrisk.cli.main import app

    r = CliRunner().invoke(app, ["mc", "--n", "8", "--set", "market.price_decline=-1", "--json"])
    assert r.exit_code == 0, r.output


def test_nested_tables_name_the_same_parameters_as_dotted_keys(tmp_path):
    nested, dotted = tmp_path / "n.toml", tmp_path / "d.toml"
    nested.write_text(
        "[uncertainty.market.price_decline]\n"
        'dist = "triangular"\nlow = 0.6\nmode = 0.9\nhigh = 1.5\n'
        "[uncertainty.technology]\n"
        'doubling_time = { dist = "uniform", low = 2.0, high = 3.0 }\n'
    )
    dotted.write_text(
        "[uncertainty]\n"
        '"market.price_decline" = { dist = "triangular", low = 0.6, mode = 0.9, high = 1.5 }\n'
        '"technology.doubling_time" = { dist = "uniform", low = 2.0, high = 3.0 }\n'
    )
    a = load_uncertainty(nested, sr.load_scenario(nested))
    b = load_uncertainty(dotted, sr.load_scenario(dotted))
    assert a.keys == b.keys == ("market.price_decline", "technology.doubling_time")
    assert a.distributions == b.distributions
    nested.write_text('[uncertainty.market]\nnope = { dist = "uniform", low = 0, high = 1 }\n')
    with pytest.raises(InputError, match=r"'market\.nope' is not a numeric scenario parameter"):
        load_uncertainty(nested, sr.load_scenario(nested))


@pytest.mark.parametrize(
    "command", [["run", "--out", "o", "--store", "s.duckdb"], ["headroom"], ["sweep", "years=3,4"]]
)
def test_every_command_checks_a_scenario_files_uncertainty_block(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from typer.testing import CliRunner

    from strandrisk.cli.main import app

    f = tmp_path / "s.toml"
    f.write_text(
        '[uncertainty]\n"market.price_decline" = { dist = "uniform", low = 2, high = 1 }\n'
    )
    r = CliRunner().invoke(app, [*command, "--scenario", str(f)])
    assert r.exit_code == 2, r.output
    assert "uncertainty.market.price_decline" in r.output
    assert "must be below high" in r.output


def test_fixed_and_empirical_distributions_from_a_file(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(
        "[uncertainty]\n"
        '"market.price_decline" = { dist = "fixed", value = 0.9 }\n'
        '"market.elasticity" = { dist = "empirical", values = [0.6, 0.8, 1.0, 1.3] }\n'
        '"market.utilisation" = { dist = "uniform", low = 0.6, high = 0.9 }\n'
    )
    space = load_uncertainty(f, sr.load_scenario(f))
    draws = sample_range(space, 0, 4096, seed=1, sampler="lhs")  # one whole block of strata
    assert set(draws["market.price_decline"]) == {0.9}
    assert set(draws["market.elasticity"]) == {0.6, 0.8, 1.0, 1.3}
    # each value of the empirical distribution equally often under Latin hypercube strata
    _, counts = np.unique(draws["market.elasticity"], return_counts=True)
    assert list(counts) == [1024, 1024, 1024, 1024]
    assert Distribution("fixed", mode=2.0).support() == (2.0, 2.0)
    assert Distribution("empirical", values=(3.0, 1.0, 2.0)).support() == (1.0, 3.0)


def test_a_cumulative_distribution_from_a_file(tmp_path):
    """An expert's P10, P50 and P90 with the ends, read and drawn; bad fields named."""
    f = tmp_path / "s.toml"
    spec = 'dist = "cumulative", low = 0.3, high = 2.5, values = [0.6, 0.88, 1.4]'
    f.write_text(
        f'[uncertainty]\n"market.price_decline" = {{ {spec}, probabilities = [0.1, 0.5, 0.9] }}\n'
    )
    space = load_uncertainty(f, sr.load_scenario(f))
    draws = sample_range(space, 0, 4096, seed=1, sampler="lhs")["market.price_decline"]
    assert np.quantile(draws, [0.1, 0.5, 0.9]) == pytest.approx([0.6, 0.88, 1.4], abs=2e-3)
    f.write_text(f'[uncertainty]\n"market.price_decline" = {{ {spec}, weights = [1, 2, 3] }}\n')
    with pytest.raises(
        InputError, match="unknown field 'weights'; a cumulative distribution takes"
    ):
        load_uncertainty(f, sr.load_scenario(f))
    f.write_text(
        f'[uncertainty]\n"market.price_decline" = {{ {spec}, probabilities = [0.1, 0.5] }}\n'
    )
    with pytest.raises(InputError, match=r"uncertainty\.market\.price_decline: a cumulative"):
        load_uncertainty(f, sr.load_scenario(f))
    f.write_text(
        '[uncertainty]\n"market.price_floor_ratio" = { dist = "cumulative", low = -0.1, '
        "high = 0.3, values = [0.1], probabilities = [0.5] }\n"
    )
    with pytest.raises(InputError, match="outside the parameter's allowed range"):
        load_uncertainty(f, sr.load_scenario(f))


@given(
    st.sampled_from(["normal", "lognormal"]),
    st.floats(0.01, 100),
    st.floats(1.01, 50),
    st.floats(-5, 5),
    st.floats(0.01, 10),
    st.sampled_from(["both", "below", "above"]),
)
def test_a_truncated_distribution_draws_inside_its_interval_in_order(
    kind, low, ratio, start, width, closed
):
    """Whatever the interval (far in a tail, one end open), the quantiles are finite, inside
    the interval and rising in u; an interval holding none of the distribution is refused."""
    high = low * ratio
    centre = Distribution(kind, low=low, high=high).ppf(np.array([0.5]))[0]
    a = centre + start * (high - low)
    truncate = {
        "both": (a, a + width * (high - low)),
        "below": (-np.inf, a),
        "above": (a, np.inf),
    }[closed]
    z = stats.norm.ppf(0.95)
    if kind == "normal":
        ends = [(t - (low + high) / 2) / ((high - low) / (2 * z)) for t in truncate]
    else:
        mu, s = (np.log(low) + np.log(high)) / 2, (np.log(high) - np.log(low)) / (2 * z)
        ends = [(np.log(t) - mu) / s if t > 0 else -np.inf for t in truncate]
    mass = max(np.diff(stats.norm.cdf(ends))[0], -np.diff(stats.norm.sf(ends))[0])
    if mass == 0.0:  # below the smallest double: nothing to draw from
        with pytest.raises(ValueError, match="keeps none of the distribution"):
            Distribution(kind, low=low, high=high, truncate=truncate)
        return
    d = Distribution(kind, low=low, high=high, truncate=truncate)
    x = d.ppf(np.linspace(0.0, 1.0, 201))[1:-1]
    lo, hi = d.support()
    assert np.isfinite(x).all()
    assert (x >= lo).all()
    assert (x <= hi).all()
    assert (np.diff(x) >= 0).all()


def test_a_correlation_matrix_reads_as_its_pairs(tmp_path):
    """@RISK's RiskCorrmat: keys and a symmetric matrix with a unit diagonal give the same
    space as the pairs it holds; a matrix that cannot be one is refused, naming the entry."""
    priors = (
        '"market.price_decline" = { dist = "uniform", low = 0.5, high = 1.5 }\n'
        '"market.elasticity" = { dist = "uniform", low = 0.8, high = 1.6 }\n'
        '"technology.software_efficiency" = { dist = "uniform", low = 0.5, high = 0.9 }\n'
    )
    keys = '["market.price_decline", "market.elasticity", "technology.software_efficiency"]'
    forms = {
        "matrix": f"keys = {keys}\nmatrix = [[1, -0.3, 0.5], [-0.3, 1, 0], [0.5, 0, 1]]\n",
        "pairs": 'pairs = [["market.price_decline", "technology.software_efficiency", 0.5], '
        '["market.elasticity", "market.price_decline", -0.3]]\n',
        "both": 'pairs = [["market.price_decline", "technology.software_efficiency", 0.5]]\n'
        f"keys = {keys}\nmatrix = [[1, -0.3, 0.5], [-0.3, 1, 0], [0.5, 0, 1]]\n",
    }
    spaces = {}
    for name, table in forms.items():
        f = tmp_path / f"{name}.toml"
        f.write_text(f"[uncertainty]\n{priors}[correlations]\n{table}")
        spaces[name] = load_uncertainty(f, sr.load_scenario(f))
    np.testing.assert_array_equal(spaces["matrix"].correlation, spaces["pairs"].correlation)
    np.testing.assert_array_equal(spaces["both"].correlation, spaces["pairs"].correlation)
    bad = {
        "[[1, 0.5, 0], [0.4, 1, 0], [0, 0, 1]]": "not symmetric: market.price_decline ~ "
        "market.elasticity is 0.5 in row 1 and 0.4 in row 2",
        "[[1, 0, 0], [0, 0.9, 0], [0, 0, 1]]": "the diagonal is 1 (market.elasticity has 0.9)",
        "[[1, 0], [0, 1]]": "expected 3 rows of 3 numbers, one per key",
        "[[1, 2, 0], [2, 1, 0], [0, 0, 1]]": "every entry must be a number in [-1, 1]",
    }
    for matrix, message in bad.items():
        f = tmp_path / "bad.toml"
        f.write_text(f"[uncertainty]\n{priors}[correlations]\nkeys = {keys}\nmatrix = {matrix}\n")
        with pytest.raises(InputError, match=re.escape(message)):
            load_uncertainty(f, sr.load_scenario(f))
    f = tmp_path / "clash.toml"
    f.write_text(
        f"[uncertainty]\n{priors}[correlations]\n"
        'pairs = [["market.elasticity", "market.price_decline", 0.2]]\n'
        f"keys = {keys}\nmatrix = [[1, -0.3, 0.5], [-0.3, 1, 0], [0.5, 0, 1]]\n"
    )
    with pytest.raises(InputError, match=re.escape("is 0.2 in pairs and -0.3 in the matrix")):
        load_uncertainty(f, sr.load_scenario(f))
    f.write_text(f"[uncertainty]\n{priors}[correlations]\nmatrix = [[1]]\n")
    with pytest.raises(InputError, match="a matrix needs keys"):
        load_uncertainty(f, sr.load_scenario(f))


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=8, unique=True),
    st.lists(st.floats(0.001, 0.999), min_size=1, max_size=6, unique=True),
    st.lists(st.floats(0.0, 1.0), min_size=20, max_size=20),
)
def test_a_cumulative_distribution_is_its_points_joined(xs, ps, us):
    """Whatever the points: the quantile at each given probability is its value, the ends at
    0 and 1, and the quantile function rises between them, inside [low, high]."""
    xs = sorted(xs)  # distinct: low, the k values, high
    k = min(len(xs) - 2, len(ps))
    values, probs = tuple(xs[1 : 1 + k]), tuple(sorted(ps)[:k])
    low, high = xs[0], xs[1 + k]
    d = Distribution("cumulative", low=low, high=high, values=values, probabilities=probs)
    np.testing.assert_allclose(d.ppf(np.array(probs)), values, rtol=1e-9, atol=1e-9)
    assert d.ppf(np.array([0.0, 1.0])).tolist() == [low, high]
    q = d.ppf(np.sort(np.asarray(us)))
    assert np.all(np.diff(q) >= 0)
    assert np.all((q >= low) & (q <= high))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1.0, 1.0), min_size=3, max_size=3))
def test_a_matrix_and_its_pairs_read_alike(rhos):
    """Any three correlations, written as a matrix or as pairs: the same space, or the same
    refusal (a matrix that is not positive semi-definite is refused either way)."""
    import tempfile
    from pathlib import Path

    keys = ["market.price_decline", "market.elasticity", "technology.software_efficiency"]
    r = [round(v, 2) for v in rhos]
    m = [[1, r[0], r[1]], [r[0], 1, r[2]], [r[1], r[2], 1]]
    priors = "".join(f'"{k}" = {{ dist = "uniform", low = 0.5, high = 0.9 }}\n' for k in keys)
    pairs = [[keys[0], keys[1], r[0]], [keys[0], keys[2], r[1]], [keys[1], keys[2], r[2]]]
    forms = [
        f"keys = {keys!r}\nmatrix = {m!r}\n".replace("'", '"'),
        f"pairs = {pairs!r}\n".replace("'", '"'),
    ]
    got = []
    with tempfile.TemporaryDirectory() as folder:
        for table in forms:
            f = Path(folder) / "s.toml"
            f.write_text(f"[uncertainty]\n{priors}[correlations]\n{table}")
            try:
                got.append(load_uncertainty(f, sr.load_scenario(f)).correlation)
            except InputError as exc:
                got.append(str(exc))
    if isinstance(got[0], str):
        assert got[0] == got[1]
    else:
        np.testing.assert_array_equal(got[0], got[1])
