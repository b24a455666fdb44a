"""Company cash flows, debt service and the 2026 programme's NPV, IRR and payback."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strandrisk.core.depreciation import straight_line_book
from strandrisk.core.finance import debt_schedule, irr, loan_life_cover, npv
from strandrisk.core.numeric import ordered_sum
from strandrisk.engine.model import QUARTER, START_YEAR, Accounts, Cohorts, Grid, Operations
from strandrisk.engine.params import Params
from strandrisk.engine.valuation import add_industry

__all__ = [
    "CohortFlows",
    "CompanyFlows",
    "Programme",
    "cohort_flows",
    "company_flows",
    "programme_2026",
    "programme_from_cashflows",
]


@dataclass(frozen=True, slots=True)
class CompanyFlows:
    """Quarterly company totals over the reporting horizon, shape (S, K+1, T) [USD]."""

    capex: np.ndarray
    revenue: np.ndarray
    energy: np.ndarray
    fixed: np.ndarray
    ebitda: np.ndarray
    depreciation: np.ndarray
    tax: np.ndarray
    fcf_unlevered: np.ndarray
    debt: np.ndarray
    new_debt: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    fcf_levered: np.ndarray
    dscr: np.ndarray  # (S, K+1, years): annual CFADS / debt service [-]
    interest_cover: np.ndarray  # (S, K+1, years): annual EBIT / interest [-]
    llcr: np.ndarray  # (S, K+1, T): loan life cover ratio, NaN without debt [-]


def company_flows(
    p: Params, grid: Grid, cohorts: Cohorts, ops: Operations, acc: Accounts
) -> CompanyFlows:
    """Aggregate cohorts into company cash flows and run the debt schedules.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes. [-]
    cohorts, ops, acc : Cohorts, Operations, Accounts
        Model results. [-]

    Returns
    -------
    CompanyFlows
        Company and industry totals.

    Notes
    -----
    Tax is ``tax_rate * (EBITDA - depreciation)``, negative when EBIT is (the group uses the
    loss). Debt: ``debt_share`` of each cohort's capex drawn at commissioning, interest at
    ``risk_free + spread (+ widening after its start)`` on the opening balance, bullet or
    equal instalments over ``maturity``. DSCR is per calendar year,
    ``(EBITDA - tax) / (interest + principal)``. LLCR per quarter
    (:func:`~strandrisk.core.finance.loan_life_cover`): the EBITDA less tax of the cohorts in
    service, from the quarter to the last repayment of the debt outstanding in it, discounted
    at the debt's rate, over that debt; the industry's from the companies' sums.
    """
    n = grid.t_rep
    tau = p["costs.tax_rate"][..., 0]

    def total(x: np.ndarray) -> np.ndarray:
        return add_industry(ordered_sum(x[..., :n], axis=-2))

    principal_v = p["financing.debt_share"][..., 0] * cohorts.capex
    outstanding, repaid = debt_schedule(
        principal_v[..., None], grid.age, p["financing.maturity"], p.amortising, QUARTER
    )
    widening = p["financing.spread_widening"] * (
        START_YEAR + grid.time >= p["financing.spread_widening_start"]
    )
    rate = p["financing.risk_free"] + p["financing.credit_spread"] + widening
    interest = total(outstanding * rate * QUARTER)
    capex = add_industry(cohorts.capex[..., grid.n_hist : grid.n_hist + n])
    ebitda, dep = total(ops.ebitda), total(acc.depreciation)
    tax = tau * (ebitda - dep)
    principal = total(repaid)
    new_debt = p["financing.debt_share"][..., 0] * capex
    ufcf = ebitda - tax - capex
    service = ordered_sum((interest + principal).reshape(*interest.shape[:-1], -1, 4))
    cfads = ordered_sum((ebitda - tax).reshape(*ebitda.shape[:-1], -1, 4))
    ebit = ordered_sum((ebitda - dep).reshape(*ebitda.shape[:-1], -1, 4))
    annual_interest = ordered_sum(interest.reshape(*interest.shape[:-1], -1, 4))
    cfads_v = ops.ebitda - tau[..., None] * (ops.ebitda - acc.depreciation)  # every period
    existing = grid.vintage[:, None] <= np.arange(n)[None, :]
    cover, owed = loan_life_cover(cfads_v, outstanding, repaid, rate, existing, QUARTER)
    cover, owed = add_industry(cover), add_industry(owed)  # the industry: the sums
    with np.errstate(divide="ignore", invalid="ignore"):
        dscr = np.where(service > 0, cfads / service, np.nan)
        icr = np.where(annual_interest > 0, ebit / annual_interest, np.nan)
        llcr = np.where(owed > 0, cover / owed, np.nan)
    return CompanyFlows(
        capex=capex,
        revenue=total(ops.revenue),
        energy=total(ops.energy),
        fixed=total(ops.fixed),
        ebitda=ebitda,
        depreciation=dep,
        tax=tax,
        fcf_unlevered=ufcf,
        debt=total(outstanding),
        new_debt=new_debt,
        interest=interest,
        principal=principal,
        fcf_levered=ufcf - interest * (1.0 - tau) - principal + new_debt,
        dscr=dscr,
        interest_cover=icr,
        llcr=llcr,
    )


@dataclass(frozen=True, slots=True)
class Programme:
    """The 2026 capex programme per company and industry, shape (S, K+1).

    ``cashflows`` has shape (S, K+1, P): period ``i`` is the end of quarter ``i - 1``
    (period 0 is the start of 2026). [USD]
    """

    cashflows: np.ndarray
    npv: np.ndarray
    irr: np.ndarray
    payback_years: np.ndarray


def programme_cashflows(
    p: Params, grid: Grid, cohorts: Cohorts, ops: Operations, acc: Accounts
) -> np.ndarray:
    """Quarterly after-tax cash flows of the 2026 vintages, shape (S, K, T + 1).

    Notes
    -----
    Capex at the start of each vintage's quarter; then ``EBITDA - tax * (EBITDA -
    depreciation)`` each quarter; and the facilities' net book value when the compute
    reaches its physical life, as the shell's value for the next generation. The shell
    passes on with its remaining depreciation: from then on its charge no longer lowers
    the programme's tax (counting both its book value and its later tax shield would count
    the shell's value twice).
    """
    sl = grid.v2026
    capex = cohorts.capex[..., sl]  # (S, K, 4)
    flows = cohort_flows(p, grid, cohorts, ops, acc, sl)
    operating = ordered_sum(ops.ebitda[..., sl, :] - flows.tax, axis=-2)
    cf = np.zeros((*capex.shape[:-1], grid.t_int + 1))
    cf[..., :4] -= capex
    cf[..., 1:] += operating
    hit = np.arange(grid.t_int + 1) == np.minimum(flows.hand, grid.t_int)[..., None]  # (S,1,4,P)
    return cf + ordered_sum(flows.shell[..., None] * hit, axis=-2)


@dataclass(frozen=True, slots=True)
class CohortFlows:
    """What a cohort's investment case counts besides its EBITDA and capex, shape (S, K, v, T).

    Attributes
    ----------
    tax : ndarray, shape (S, K, v, T)
        Tax on EBITDA less depreciation, the shell's charge left out from the hand-over
        on. [USD per quarter]
    hand : ndarray, shape (S, 1, v)
        The quarter (index from 2026Q1) the shell passes on with the compute, at its
        physical life: its book value is an inflow at the end of the quarter before. [-]
    shell : ndarray, shape (S, K, v)
        The shell's (facilities') book value at the physical life. [USD]
    """

    tax: np.ndarray
    hand: np.ndarray
    shell: np.ndarray


def cohort_flows(
    p: Params, grid: Grid, cohorts: Cohorts, ops: Operations, acc: Accounts, sl: slice
) -> CohortFlows:
    """Tax and the shell's hand-over of the vintages ``sl``, as their investment case counts them.

    The facilities' book value at the compute's physical life is the shell's value for the
    next generation; the shell passes on with its remaining depreciation, so from then on its
    charge no longer lowers the cohort's tax (counting both its book value and its later tax
    shield would count the shell twice). Used by :func:`programme_cashflows` and
    :func:`strandrisk.trace_cohort`.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes (reported vintages). [-]
    cohorts, ops, acc : Cohorts, Operations, Accounts
        Model results per company. [USD]
    sl : slice
        The vintages. [-]
    """
    ebitda, dep = ops.ebitda[..., sl, :], acc.depreciation[..., sl, :]
    life = p["technology.physical_life"][..., 0]  # (S, 1, 1)
    facilities = cohorts.capex[..., sl] * p["capex.share_facilities"][..., 0]
    facilities_life = p["accounting.facilities_life"][..., 0]
    hand = grid.vintage[sl] + np.ceil(life / QUARTER).astype(int)  # (S, 1, v)
    age = grid.age[sl]  # (v, T)
    charge = np.where(  # the shell's straight-line charge in each quarter after the hand-over
        (age >= 0) & (np.arange(grid.t_int) >= hand[..., None]),
        straight_line_book(facilities[..., None], facilities_life[..., None], np.maximum(age, 0))
        - straight_line_book(facilities[..., None], facilities_life[..., None], age + QUARTER),
        0.0,
    )
    tax = p["costs.tax_rate"] * (ebitda - (dep - charge))
    return CohortFlows(tax, hand, straight_line_book(facilities, facilities_life, life))


def programme_npv(
    p: Params, grid: Grid, cohorts: Cohorts, ops: Operations, acc: Accounts
) -> np.ndarray:
    """Return the NPV at WACC of the 2026 programme, shape (S, K+1), in USD."""
    cf = add_industry(programme_cashflows(p, grid, cohorts, ops, acc))
    return npv(p["financing.wacc"][..., 0, 0], cf, periods_per_year=4)


def programme_2026(
    p: Params, grid: Grid, cohorts: Cohorts, ops: Operations, acc: Accounts
) -> Programme:
    """NPV, IRR and payback of the 2026 programme per company and for the industry.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes (reported vintages). [-]
    cohorts : Cohorts
        The cohorts up to the horizon. [USD, unit, kW]
    ops : Operations
        Dispatch results: EBITDA and service windows. [USD per quarter]
    acc : Accounts
        Straight-line depreciation schedules. [USD per quarter]

    Returns
    -------
    Programme
        Cash flows, NPV [USD], IRR [1/year] and payback [year] (NaN if never).
    """
    return programme_from_cashflows(p, programme_cashflows(p, grid, cohorts, ops, acc))


def programme_from_cashflows(p: Params, company_cf: np.ndarray, method: str = "numpy") -> Programme:
    """NPV, IRR and payback from the programme's cash flows per company.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    company_cf : ndarray, shape (S, K, P)
        Quarterly cash flows per company (:func:`programme_cashflows`). [USD]
    method : {"numpy", "numba"}
        IRR implementation (:func:`strandrisk.irr`); fixed per engine so that a scenario's
        result never depends on the size of its batch. [-]

    Returns
    -------
    Programme
        With the industry appended.
    """
    cf = add_industry(company_cf)
    value = npv(p["financing.wacc"][..., 0, 0], cf, periods_per_year=4)
    rate = irr(cf.reshape(-1, cf.shape[-1]), periods_per_year=4, method=method)
    rate = rate.reshape(cf.shape[:-1])
    cumulative = np.cumsum(cf, axis=-1)
    paid = (cumulative >= 0) & (np.arange(cf.shape[-1]) >= 4)
    first = np.argmax(paid, axis=-1)
    invested = (cf[..., :4] < 0).any(axis=-1)  # no outlay in 2026: nothing to pay back
    payback = np.where(paid.any(axis=-1) & invested, first * QUARTER, np.nan)
    return Programme(cashflows=cf, npv=value, irr=rate, payback_years=payback)
