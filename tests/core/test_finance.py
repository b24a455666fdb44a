"""IRR against numpy-financial, NPV and debt schedules against closed forms."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strandrisk import irr
from strandrisk.core.finance import debt_schedule, npv


@pytest.mark.parametrize(
    "cf",
    [
        [-100, 39, 59, 55, 20],
        [-100, 0, 0, 74],
        [-100, 100, 0, -7],  # two sign changes: the root nearest zero, as numpy-financial
        [-100, 100, 0, 7],
        [-5, 10.5, 1, -8, 1],
    ],
)
def test_irr_matches_numpy_financial_examples(cf):
    assert irr(cf) == pytest.approx(npf.irr(cf), abs=1e-9)


def test_irr_vectorised_rows_match_numpy_financial():
    rng = np.random.default_rng(42)
    cf = np.concatenate([-rng.uniform(50, 150, (500, 1)), rng.uniform(-5, 20, (500, 40))], axis=1)
    ours = irr(cf)
    ref = np.array([npf.irr(row) for row in cf])
    both = np.isfinite(ours) & np.isfinite(ref)
    assert both.sum() > 450
    np.testing.assert_allclose(ours[both], ref[both], atol=1e-6)


def test_irr_is_nan_without_a_sign_change_and_annualises_quarters():
    assert np.isnan(irr([1.0, 2.0, 3.0]))
    assert np.isnan(irr([-1.0, -2.0]))
    quarterly = irr([-100.0] + [0.0] * 3 + [110.0], periods_per_year=4)  # 10 % over one year
    assert quarterly == pytest.approx(0.10, rel=1e-10)


@settings(max_examples=60, deadline=None)
@given(rate=st.floats(-0.5, 2.0), n=st.integers(2, 60))
def test_irr_recovers_the_rate_of_an_annuity(rate, n):
    # price an annuity at `rate`, then ask for its IRR
    pay = 10.0
    price = sum(pay / (1 + rate) ** i for i in range(1, n + 1))
    assert irr([-price] + [pay] * n) == pytest.approx(rate, abs=1e-7)


@pytest.mark.parametrize("n", range(1, 14))  # every remainder of n / 4, and n < 4
def test_the_kernels_polynomial_in_four_chains_is_the_polynomial_and_its_derivative(n):
    from strandrisk.core._irr_kernel import _poly, _value

    cf = np.random.default_rng(n).normal(size=n)
    for x in (0.05, 0.5, 0.99, 1.0, 1.25, 20.0):
        f, df = _poly(cf, x)
        want = np.polynomial.polynomial.polyval(x, cf)
        slope = np.polynomial.polynomial.polyval(x, np.polynomial.polynomial.polyder(cf))
        scale = np.polynomial.polynomial.polyval(abs(x), np.abs(cf))  # rounding's size
        assert f == pytest.approx(want, abs=1e-14 * scale)
        assert _value(cf, x) == pytest.approx(want, abs=1e-14 * scale)
        assert df == pytest.approx(slope, abs=1e-14 * n * scale / min(abs(x), 1.0))


def test_npv_closed_form():
    r, c, n = 0.08, 5.0, 12
    annuity = c * (1 - (1 + r) ** -n) / r  # payments at the ends of years 1..n
    assert npv(r, [0.0] + [c] * n) == pytest.approx(annuity, rel=1e-12)


@pytest.mark.parametrize("amortising", [True, False])
def test_debt_is_repaid_exactly_and_ends_at_zero(amortising):
    age = np.arange(-2, 40) * 0.25
    outstanding, repaid = debt_schedule(100.0, age, 7.0, amortising, 0.25)
    assert repaid.sum() == pytest.approx(100.0)
    assert outstanding[-1] == 0.0
    assert outstanding[age == 0][0] == 100.0
    if amortising:
        np.testing.assert_allclose(repaid[(age >= 0) & (age < 7)], 100.0 / 28)
    else:
        assert repaid[np.isclose(age, 6.75)][0] == pytest.approx(100.0)


@pytest.mark.parametrize("bad", [0, -4, True, float("nan"), float("inf"), "four"])
def test_irr_refuses_a_period_count_that_is_not_a_positive_number(bad):
    with pytest.raises(ValueError, match="periods_per_year: expected a positive number"):
        irr(np.array([[-100.0, 60.0, 60.0]]), periods_per_year=bad)


def test_irr_refuses_three_dimensional_cash_flows_and_takes_numpy_period_counts():
    with pytest.raises(ValueError, match=r"expected shape \(N, P\) or \(P,\), got \(2, 2, 3\)"):
        irr(np.ones((2, 2, 3)))
    cf = np.array([[-100.0, 60.0, 60.0]])
    assert irr(cf, periods_per_year=np.int64(4)) == irr(cf, periods_per_year=4)


def _one_loan(principal, maturity_q, amortising, cf, rate, t_all=24, start=0):
    """One cohort commissioned in period ``start``: its loan, its cash flows and the LLCR."""
    from strandrisk.core.finance import loan_life_cover

    age = (np.arange(t_all) - start) * 0.25
    bal, paid = debt_schedule(principal, age, maturity_q * 0.25, amortising, 0.25)
    flows = np.where(np.arange(t_all) >= start, cf, 0.0)
    existing = np.array([start])[:, None] <= np.arange(t_all)[None, :]
    return loan_life_cover(flows[None], bal[None], paid[None], rate, existing, 0.25)


def test_llcr_of_a_bullet_loan_is_the_annuity_of_its_cash_flow_over_the_debt():
    # constant cash flow c each quarter, bullet loan P due at the end of quarter m - 1:
    # in quarter t the cover is c times the annuity of (m - t) quarters at r / 4
    c, p, m, r = 12.0, 100.0, 8, 0.08
    cover, debt = _one_loan(p, m, False, c, r)
    g = 1 + r / 4
    for t in range(m):
        annuity = sum(g ** -(k + 1) for k in range(m - t))
        assert cover[t] == pytest.approx(c * annuity, rel=1e-12)
        assert debt[t] == p
    assert (debt[m:] == 0).all()
    assert (cover[m:] == 0).all()


def test_llcr_of_an_amortising_loan_and_a_late_cohort():
    # an amortising loan: the debt falls, the window is the same (to the last instalment)
    c, p, m, r = 5.0, 40.0, 6, 0.0
    cover, debt = _one_loan(p, m, True, c, r, start=3)
    assert (cover[:3] == 0).all()
    assert (debt[:3] == 0).all()  # nothing owed, nothing in service yet
    for t in range(3, 3 + m):
        assert cover[t] == pytest.approx(c * (3 + m - t), rel=1e-12)  # no discounting at r = 0
        assert debt[t] == pytest.approx(p * (1 - (t - 3) / m), rel=1e-12)


def test_llcr_counts_only_the_cohorts_in_service_and_the_debt_outstanding():
    from strandrisk.core.finance import loan_life_cover

    t_all = 16
    age = np.stack([np.arange(t_all) * 0.25, (np.arange(t_all) - 4) * 0.25])  # two cohorts
    bal, paid = debt_schedule(np.array([[50.0], [80.0]]), age, 2.0, False, 0.25)
    flows = np.stack([np.full(t_all, 3.0), np.where(np.arange(t_all) >= 4, 7.0, 0.0)])
    existing = np.array([[0], [4]]) <= np.arange(t_all)[None, :]
    cover, debt = loan_life_cover(flows, bal, paid, 0.0, existing, 0.25)
    # quarter 2: only the first cohort (in service, 50 owed to quarter 7): 3 x 6 quarters
    assert cover[2] == pytest.approx(18.0)
    assert debt[2] == 50.0
    # quarter 5: both; the second loan runs to quarter 11, so both cohorts count to it
    assert cover[5] == pytest.approx(3.0 * 7 + 7.0 * 7)
    assert debt[5] == 130.0
