"""The quantile sketch: relative accuracy against exact quantiles, exact and order-free merges."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from strandrisk.core.sketch import ALPHA, X_MIN, QuantileSketch

LEVELS = np.array([0.0, 0.05, 0.25, 0.5, 0.95, 0.99, 1.0])
money = st.one_of(
    st.just(0.0),
    st.floats(-1e13, 1e13, allow_nan=False),
    st.floats(1e9, 1e12),  # the size of peak stranded value, USD
)


def _bound(values, q):
    """Error allowed: alpha of the larger of the two order statistics interpolated between."""
    x = np.sort(values)
    h = (x.size - 1) * q
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, x.size - 1)
    return ALPHA * np.maximum(np.abs(x[lo]), np.abs(x[hi])) + X_MIN


@settings(max_examples=200, deadline=None)
@given(arrays(float, st.integers(1, 300), elements=money))
def test_quantiles_within_the_relative_accuracy(values):
    got = QuantileSketch.of(values).quantile(LEVELS)
    exact = np.quantile(values, LEVELS)
    assert np.all(np.abs(got - exact) <= _bound(values, LEVELS) * (1 + 1e-9))


@settings(max_examples=100, deadline=None)
@given(
    arrays(float, st.integers(2, 200), elements=money),
    st.lists(st.integers(0, 200), max_size=5),
    st.randoms(use_true_random=False),
)
def test_merging_parts_in_any_order_gives_the_whole(values, cuts, rnd):
    edges = sorted({0, values.size, *(c % values.size for c in cuts)})
    parts = [QuantileSketch.of(values[a:b]) for a, b in itertools.pairwise(edges)]
    rnd.shuffle(parts)
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    whole = QuantileSketch.of(values)
    np.testing.assert_array_equal(merged.keys, whole.keys)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_array_equal(merged.quantile(LEVELS), whole.quantile(LEVELS))


def test_the_tail_mean_is_the_expected_shortfall():
    x = np.random.default_rng(3).lognormal(25, 1.0, 100_000)
    sketch = QuantileSketch.of(x)
    car = float(sketch.quantile(0.95))
    assert car == pytest.approx(np.quantile(x, 0.95), rel=ALPHA)
    exact = x[x >= car].mean()
    assert sketch.mean_from(car) == pytest.approx(exact, rel=2 * ALPHA)
    assert sketch.mean_from(car) >= car


def test_sizes_stay_bounded_by_the_range_not_the_count():
    x = np.random.default_rng(4).uniform(1e9, 1e11, 1_000_000)  # two orders of magnitude
    sketch = QuantileSketch.of(x)
    assert sketch.keys.size <= np.log(100) / np.log(sketch.gamma) + 2  # ~23,000 buckets
    assert sketch.count == x.size


def test_nan_is_left_out_and_counted_and_inf_is_refused():
    sketch = QuantileSketch.of(np.array([1.0, np.nan, 3.0]))
    assert (sketch.count, sketch.dropped) == (2, 1)
    assert sketch.quantile(0.5) == pytest.approx(2.0, rel=ALPHA)
    assert np.isnan(QuantileSketch.of(np.array([np.nan])).quantile(0.5))
    with pytest.raises(ValueError, match="infinite"):
        QuantileSketch.of(np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="same alpha"):
        QuantileSketch.of(np.ones(3)).merge(QuantileSketch.of(np.ones(3), alpha=0.01))


@settings(max_examples=100, deadline=None)
@given(arrays(float, st.integers(2, 300), elements=money))
def test_mean_and_standard_deviation_within_the_relative_accuracy(values):
    sketch = QuantileSketch.of(values)
    scale = np.abs(values).mean() + np.abs(values).max() * 1e-12
    assert abs(sketch.mean() - values.mean()) <= ALPHA * scale + X_MIN
    # each value moves by at most alpha of its magnitude, so the deviation by at most that
    rms = np.sqrt(np.mean(values * values))
    slack = 2 * ALPHA * rms * np.sqrt(values.size / (values.size - 1)) + 2 * X_MIN
    assert abs(sketch.std() - values.std(ddof=1)) <= slack * (1 + 1e-9)


def test_order_interval_of_the_median_is_the_textbook_one():
    # Conover (1999), table A3: for n = 100 the 95 % interval of the median is X(40)..X(61)
    x = np.arange(1.0, 101.0)  # the k-th order statistic is k
    low, high = QuantileSketch.of(x).order_interval(0.5)
    assert low == pytest.approx(40.0, rel=ALPHA)
    assert high == pytest.approx(61.0, rel=ALPHA)


def test_order_interval_is_unbounded_with_too_few_values():
    low, high = QuantileSketch.of(np.arange(1.0, 51.0)).order_interval(np.array([0.5, 0.99]))
    assert np.isfinite(low).all()
    assert np.isfinite(high[0])
    assert np.isnan(high[1])  # 50 values cannot bound the 99th percentile from above
    empty = QuantileSketch.of(np.array([np.nan]))
    assert np.isnan(empty.order_interval(0.5)[0])


def test_order_intervals_cover_the_true_quantile_as_often_as_they_claim():
    rng = np.random.default_rng(11)
    levels = np.array([0.05, 0.5, 0.95])
    hits = np.zeros(3)
    trials = 400
    for _ in range(trials):
        x = rng.uniform(1.0, 2.0, 400)  # the true q quantile is 1 + q
        low, high = QuantileSketch.of(x).order_interval(levels)
        hits += (low <= 1 + levels) & (1 + levels <= high)
    # at least 95 % by construction; allow three standard errors of the estimate
    assert (hits / trials >= 0.95 - 3 * np.sqrt(0.95 * 0.05 / trials)).all()


@settings(max_examples=100, deadline=None)
@given(arrays(float, st.integers(1, 300), elements=money), st.floats(-1e12, 1e12))
def test_share_beyond_a_threshold(values, threshold):
    sketch = QuantileSketch.of(values)
    # exact except for values within the relative accuracy of the threshold
    near = np.abs(values - threshold) <= ALPHA * np.abs(values) + X_MIN
    for above, exact in ((True, values > threshold), (False, values < threshold)):
        got = sketch.share_beyond(threshold, above)
        assert abs(got - exact.mean()) <= near.mean() + 1e-12
    # the sign is kept exactly: the share below zero is exact
    negative = (values < 0) & (np.abs(values) >= X_MIN)
    assert sketch.share_beyond(0.0, above=False) == negative.mean()


@given(arrays(np.int64, st.integers(0, 400), elements=st.integers(-3000, 3000)))
def test_keys_are_counted_as_numpys_unique_counts_them(signed):
    from strandrisk.core.sketch import _count_keys

    keys, counts = _count_keys(signed)
    want_keys, want_counts = np.unique(signed, return_counts=True)
    np.testing.assert_array_equal(keys, want_keys)
    np.testing.assert_array_equal(counts, want_counts)
    assert keys.dtype == counts.dtype == np.int64


def test_keys_over_a_range_far_wider_than_the_values_are_counted_by_sorting():
    from strandrisk.core.sketch import _count_keys

    signed = np.array([-(10**12), 0, 0, 7, 10**12], dtype=np.int64)  # a dense count: 2e12 cells
    keys, counts = _count_keys(signed)
    np.testing.assert_array_equal(keys, [-(10**12), 0, 7, 10**12])
    np.testing.assert_array_equal(counts, [1, 2, 1, 1])


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng: rng.normal(5e11, 1e11, 20_000),  # symmetric: skewness and kurtosis ≈ 0
        lambda rng: rng.lognormal(26.0, 0.8, 20_000),  # a long right tail
        lambda rng: rng.uniform(-1e12, 1e12, 20_000),  # light tails: kurtosis -1.2
        lambda rng: -rng.exponential(1e11, 20_000),  # a long left tail
    ],
)
def test_shape_and_range_against_scipy(draw):
    """Skewness and excess kurtosis as SciPy computes them from the values (Fisher's,
    biased), within the error the buckets allow; min and max within alpha."""
    from scipy import stats

    values = draw(np.random.default_rng(5))
    sketch = QuantileSketch.of(values)
    assert sketch.skewness() == pytest.approx(stats.skew(values), abs=2e-3)
    assert sketch.excess_kurtosis() == pytest.approx(stats.kurtosis(values), abs=1e-2)
    assert sketch.minimum() == pytest.approx(values.min(), rel=ALPHA)
    assert sketch.maximum() == pytest.approx(values.max(), rel=ALPHA)


def test_shape_is_undefined_without_spread_and_everything_without_values():
    one_bucket = QuantileSketch.of(np.full(10, 3e9))
    assert np.isnan(one_bucket.skewness())
    assert np.isnan(one_bucket.excess_kurtosis())
    assert one_bucket.minimum() == one_bucket.maximum() == pytest.approx(3e9, rel=ALPHA)
    empty = QuantileSketch.of(np.array([np.nan]))
    for stat in (empty.skewness, empty.excess_kurtosis, empty.minimum, empty.maximum):
        assert np.isnan(stat())


@settings(max_examples=100, deadline=None)
@given(arrays(float, st.integers(1, 300), elements=money))
def test_min_and_max_are_the_extreme_values_to_alpha(values):
    sketch = QuantileSketch.of(values)
    for got, exact in ((sketch.minimum(), values.min()), (sketch.maximum(), values.max())):
        assert abs(got - exact) <= ALPHA * abs(exact) + X_MIN
