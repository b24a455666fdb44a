"""Depreciation, technology, market and dispatch: references, invariants, broadcasting."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strandrisk.core.depreciation import (
    declining_balance_book,
    straight_line_book,
    straight_line_charge,
)
from strandrisk.core.dispatch import merit_order_dispatch
from strandrisk.core.market import adoption_curve, demand_index, token_price
from strandrisk.core.technology import cumulative_doublings, progress_factor


@settings(max_examples=100, deadline=None)
@given(capex=st.floats(1.0, 1e12), life=st.floats(0.25, 30.0))
def test_straight_line_charges_sum_to_capex(capex, life):
    age = np.arange(-4, 4 * 31) * 0.25
    charges = straight_line_charge(capex, life, age, 0.25)
    assert charges.sum() == pytest.approx(capex, rel=1e-9)
    assert np.all(charges >= -1e-6 * capex)
    assert straight_line_book(capex, life, life / 2) == pytest.approx(capex / 2)


def test_double_declining_balance_by_hand():
    """5 years at 2x: 10 % of the opening book a quarter, straight line from half the life."""
    ages = np.array([0.0, 1.0, 2.5, 3.75, 5.0, 6.0, -0.25])
    got = declining_balance_book(100.0, 5.0, ages, 2.0)
    switch = 100.0 * 0.9**10  # (5 - 5/2) / 0.25 = 10 quarters of 10 %
    expected = [100.0, 100.0 * 0.9**4, switch, switch * 1.25 / 2.5, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-12)
    # 150 % over 4 years: 9.375 % a quarter, switching after ceil(5.33) = 6 quarters
    six = 0.90625**6
    assert float(declining_balance_book(1.0, 4.0, 1.5, 1.5)) == pytest.approx(six, rel=1e-13)
    assert float(declining_balance_book(1.0, 4.0, 2.75, 1.5)) == pytest.approx(six * 0.5)


def test_a_factor_of_one_is_straight_line_exactly():
    ages = np.arange(-4, 40) * 0.25
    for life in (0.25, 4.0, 5.5, 6.0):
        np.testing.assert_array_equal(
            declining_balance_book(3.0, life, ages, 1.0), straight_line_book(3.0, life, ages)
        )


@settings(max_examples=100, deadline=None)
@given(capex=st.floats(1.0, 1e12), life=st.floats(0.25, 30.0), factor=st.floats(1.0, 3.0))
def test_a_declining_balance_writes_off_the_cost_by_the_end_of_the_life_and_faster(
    capex, life, factor
):
    ages = np.arange(0, 4 * 31 + 1) * 0.25
    book = declining_balance_book(capex, life, ages, factor)
    charges = -np.diff(book)
    assert book[0] == capex
    assert charges.sum() == pytest.approx(capex, rel=1e-9)  # written off, never below zero
    assert (charges >= -1e-9 * capex).all()
    assert (book >= 0).all()
    assert (book[ages >= life] == 0).all()
    assert (book <= straight_line_book(capex, life, ages) * (1 + 1e-12)).all()


def test_depreciation_broadcasts_over_s_k_v_t():
    capex = np.full((3, 2, 4), 90.0)[..., None]
    age = (np.arange(8)[None, :] - np.arange(4)[:, None]) * 0.25
    assert straight_line_charge(capex, 3.0, age, 0.25).shape == (3, 2, 4, 8)
    factor = np.array([1.0, 2.0, 1.5])[:, None, None, None]
    assert declining_balance_book(capex, 3.0, age, factor).shape == (3, 2, 4, 8)


def test_progress_doubles_every_doubling_time_and_accelerates():
    assert progress_factor(5.0, 2.5) == pytest.approx(4.0)
    assert cumulative_doublings(2.0, 2.0, 0.0) == pytest.approx(1.0)
    k, d0, t = 0.1, 2.5, 4.0
    assert cumulative_doublings(t, d0, k) == pytest.approx((math.exp(k * t) - 1) / (k * d0))
    assert cumulative_doublings(t, d0, 1e-12) == pytest.approx(t / d0)


def test_price_path_and_floor():
    t = np.array([0.0, 1.0, 10.0])
    np.testing.assert_allclose(token_price(t, 2.0, 0.5), 2.0 * np.exp(-0.5 * t))
    assert token_price(10.0, 2.0, 0.5, floor_ratio=0.1) == pytest.approx(0.2)


def test_adoption_starts_at_zero_and_reaches_its_ceiling():
    assert adoption_curve(0.0, 0.4, 2.0, 0.5) == pytest.approx(0.0)
    assert adoption_curve(100.0, 0.4, 2.0, 0.5) == pytest.approx(0.4)
    assert 0.19 < adoption_curve(2.0, 0.4, 2.0, 0.5) < 0.21  # near half at the midpoint


def test_demand_index_closed_form_and_fading_growth():
    t = 2.0
    got = demand_index(t, 0.5, 0.3, 1.2, 1.0, 0.25)
    assert got == pytest.approx(math.exp(0.6) * 0.5**-1.2 * 2.0 * 0.75)
    faded = demand_index(t, 1.0, 0.3, 1.0, 0.0, 0.0, decay=0.5)
    assert faded == pytest.approx(math.exp(0.3 * (1 - math.exp(-1.0)) / 0.5))


def test_dispatch_serves_cheapest_first_and_never_below_cost():
    capacity = np.array([[10.0], [10.0], [10.0]])
    cost = np.array([[3.0], [1.0], [9.0]])
    served = merit_order_dispatch(capacity, np.array([[15.0]]), cost, np.array([[5.0]]))
    np.testing.assert_allclose(served[:, 0], [5.0, 10.0, 0.0])
    short = merit_order_dispatch(capacity, np.array([[50.0]]), cost, np.array([[5.0]]))
    np.testing.assert_allclose(short[:, 0], [10.0, 10.0, 0.0])  # third cohort costs more than price


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_dispatch_invariants(seed):
    rng = np.random.default_rng(seed)
    cap = rng.uniform(0, 10, (3, 7, 5))
    cost = rng.uniform(0, 2, (3, 7, 5))
    demand = rng.uniform(0, 40, (3, 1, 5))
    price = np.ones((3, 1, 5))
    served = merit_order_dispatch(cap, demand, cost, price)
    economic = np.where(cost <= price, cap, 0).sum(axis=-2)
    assert np.all(served >= 0)
    assert np.all(served <= cap + 1e-12)
    np.testing.assert_allclose(served.sum(axis=-2), np.minimum(demand[:, 0], economic), atol=1e-9)


def test_adoption_curve_with_a_midpoint_long_past_tends_to_its_limit():
    from strandrisk.core.market import adoption_curve

    t = np.linspace(0.0, 10.0, 41)
    far = adoption_curve(t, 1.0, -50.0, 0.7)  # L(0) rounds to 1: the direct ratio is 0/0
    np.testing.assert_allclose(far, 1.0 - np.exp(-t / 0.7), rtol=1e-12, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow noise at the ends of the allowed ranges
        for m, w in ((74.0, 0.05), (-26.0, 0.05), (74.0, 20.0), (-26.0, 20.0)):
            assert np.isfinite(adoption_curve(t, 1.0, m, w)).all()
    for m, w in ((2.5, 0.68), (0.0, 0.5), (40.0, 2.0)):  # the textbook form elsewhere
        logistic = 1.0 / (1.0 + np.exp(-(t - m) / w))
        at_start = 1.0 / (1.0 + np.exp(m / w))
        np.testing.assert_allclose(
            adoption_curve(t, 2.0, m, w), 2.0 * (logistic - at_start) / (1.0 - at_start),
            rtol=1e-12, atol=1e-14,
        )  # fmt: skip


def test_doublings_are_capped_so_progress_stays_finite():
    from strandrisk.core.technology import MAX_DOUBLINGS, cumulative_doublings, progress_factor

    assert cumulative_doublings(40.0, 2.5, 1.0) == MAX_DOUBLINGS  # uncapped: ~3e16
    assert np.isfinite(progress_factor(40.0, 0.1, 1.0))
    assert cumulative_doublings(5.0, 2.5, 0.0) == 2.0  # far below the cap: unchanged
