"""One cohort through the model, quarter by quarter: what a company's figures are made of.

A company's figures are sums over its cohorts (one per quarter of capex). This module takes
one cohort out of the NumPy reference engine and lays out everything the model computes for
it: units in service, capacity and tokens served, the token price, revenue, energy, fixed
opex, EBITDA, booked depreciation and tax, the after-tax cash flow, the discount factor, and
at each reporting quarter's end its book value, value in use, fair value and stranded value
valued alone. Two reconciliations tie it back to the company: the company's EBITDA is the sum
of its cohorts', and the 2026 programme's NPV is the sum of its four cohorts' (each from the
compiled engine's own outcomes, so they also check one engine against the other).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.core.finance import irr, npv
from strandrisk.engine.finance import cohort_flows
from strandrisk.engine.model import (
    START_YEAR,
    Accounts,
    Cohorts,
    Grid,
    Operations,
    accounts,
    build_cohorts,
    make_grid,
    operate,
    reported_vintages,
)
from strandrisk.engine.params import Params, build_params
from strandrisk.engine.simulate import (
    SimulationResult,
    _economic_life,
    _history,
    quarter_label,
    simulate,
)
from strandrisk.engine.valuation import _fair_value_by_vintage, _future_sums, discount_end
from strandrisk.errors import InputError
from strandrisk.scenarios.schema import Scenario

__all__ = ["FACT_UNITS", "TRACE_UNITS", "CohortTrace", "trace_cohort", "trace_cohorts"]

TRACE_UNITS = {
    "in_service": "0/1",
    "units": "unit",
    "capacity": "Mtok/quarter",
    "served": "Mtok/quarter",
    "utilisation": "fraction",
    "token_price": "USD/Mtok",
    "revenue": "USD",
    "energy_cost": "USD",
    "fixed_opex": "USD",
    "ebitda": "USD",
    "depreciation": "USD",
    "tax": "USD",
    "capex": "USD",
    "shell": "USD",
    "cash_flow": "USD",
    "discount_factor": "-",
    "book_compute": "USD",
    "book_facilities": "USD",
    "value_in_use": "USD",
    "fair_value": "USD",
    "stranded_value": "USD",
}
"""Columns of :attr:`CohortTrace.quarters` and their units: flows per quarter, stocks at the
quarter's end (valuations at the reporting quarters only; NaN in the run-off after them).
``depreciation`` is the booked charge; ``tax`` is on EBITDA less the depreciation the
cohort's investment case counts (the shell's stops when it passes on with the compute at its
physical life, ``shell`` being its book value then, a cash inflow); ``cash_flow`` is
``ebitda - tax - capex + shell``, whose NPV at WACC (capex from the start of its quarter,
the rest from each quarter's end) is ``facts["npv"]``."""

FACT_UNITS = {
    "capex": "USD",
    "capex_compute": "USD",
    "capex_network": "USD",
    "capex_facilities": "USD",
    "units": "unit",
    "power_per_unit": "kW",
    "compute_life": "year",
    "network_life": "year",
    "physical_life": "year",
    "economic_life": "year",
    "wacc": "1/year",
    "tax_rate": "fraction",
    "npv": "USD",
    "irr": "1/year",
    "stranded_peak": "USD",
}
"""Entries of :attr:`CohortTrace.facts` and their units."""

_VINTAGE = re.compile(r"(\d{4})Q([1-4])")


@dataclass(frozen=True, slots=True)
class CohortTrace:
    """One cohort of one company, everything the model computes for it.

    Attributes
    ----------
    scenario, company, vintage : str
        Whose cohort: the scenario's name, the company, the quarter of its capex.
    facts : dict of str to float
        Its capex and split, units and power, lives, economic life, NPV and IRR at WACC
        (cash flows from 2026; NaN for the installed base, whose capex is sunk) and peak
        stranded value valued alone (:data:`FACT_UNITS`). [units as listed]
    first_loss, stranded_peak_date : str or None
        The first quarter its EBITDA is not positive or it retires (None if never within the
        model's grid), and the quarter of its peak stranded value (None if it never strands).
    retired : str or None
        The quarter it is retired early, before its physical life, by ``retirement_rule``
        (the scenario's ``technology.retirement``); None if it serves its physical life out or
        past the grid's end.
    retirement_rule : str
        ``"trailing-year"`` or ``"foresight"``.
    quarters : pandas.DataFrame
        Index quarter (ISO), from its commissioning (or 2026Q1) while it is in service or on
        the books; columns :data:`TRACE_UNITS`. [units as listed]
    checks : pandas.DataFrame
        Index check; columns ``cohorts`` (from the trace), ``model`` (the company's figure
        from :func:`strandrisk.simulate`) and ``difference``. [USD]
    """

    scenario: str
    company: str
    vintage: str
    facts: dict[str, float]
    first_loss: str | None
    stranded_peak_date: str | None
    quarters: pd.DataFrame
    checks: pd.DataFrame
    retired: str | None = None
    retirement_rule: str = "trailing-year"

    def years(self) -> pd.DataFrame:
        """Return the trace by calendar year: flows summed, stocks at the year's last quarter.

        Returns
        -------
        pandas.DataFrame
            Index year; ``utilisation`` (served over capacity in the year), ``revenue``,
            ``energy_cost``, ``fixed_opex``, ``ebitda``, ``cash_flow``, and the year-end
            ``book_compute``, ``value_in_use``, ``fair_value``, ``stranded_value``. [USD,
            fraction]
        """
        q = self.quarters
        year = np.array([int(label[:4]) for label in q.index])
        flows = ["capacity", "served", "revenue", "energy_cost", "fixed_opex", "ebitda"]
        summed = q[[*flows, "cash_flow"]].groupby(year).sum()
        stocks = q[["book_compute", "value_in_use", "fair_value", "stranded_value"]]
        last = stocks.groupby(year).last()  # the year's last quarter on the grid
        with np.errstate(invalid="ignore", divide="ignore"):
            use = summed["served"] / summed["capacity"]
        out = pd.concat([use.rename("utilisation"), summed.drop(columns=flows[:2]), last], axis=1)
        out.index.name = "year"
        return out


def _vintage_offset(vintage: str, n_hist: int, n: int) -> int:
    """Return a vintage's quarter from 2026Q1 (negative for the installed base)."""
    m = _VINTAGE.fullmatch(vintage.strip())
    if m is None:
        raise InputError(f"vintage {vintage!r}: expected a quarter such as 2026Q1")
    offset = (int(m.group(1)) - START_YEAR) * 4 + int(m.group(2)) - 1
    if not -n_hist <= offset < n:
        raise InputError(
            f"vintage {vintage}: outside {quarter_label(-n_hist)} to {quarter_label(n - 1)}, "
            "the cohorts the model accounts for"
        )
    return offset


def trace_cohort(scenario: Scenario, company: str, vintage: str) -> CohortTrace:
    """Trace one cohort through the model, quarter by quarter (:func:`trace_cohorts`, one).

    Parameters
    ----------
    scenario : Scenario
        The parameter set (one scenario). [-]
    company : str
        One of the scenario's companies (a cohort belongs to one). [-]
    vintage : str
        The quarter of the cohort's capex, from the installed base's first (2022Q1) to the
        horizon's last, e.g. ``"2026Q1"``. [ISO quarter]

    Returns
    -------
    CohortTrace
        Its facts, its quarters and two reconciliations with the company's figures.

    Raises
    ------
    InputError
        An unknown company, ``"industry"``, a vintage outside the model's cohorts, or one
        without capex (after 2026 with ``capex.path = "none"``, say).
    """
    return trace_cohorts(scenario, vintage, (company,))[0]


def trace_cohorts(
    scenario: Scenario, vintage: str, companies: Sequence[str] | None = None
) -> list[CohortTrace]:
    """Trace the same quarter's cohort of several companies: the model and its checks run once.

    Parameters
    ----------
    scenario : Scenario
        The parameter set (one scenario). [-]
    vintage : str
        The quarter of the cohorts' capex, as :func:`trace_cohort`. [ISO quarter]
    companies : sequence of str, optional
        Whose cohorts (default: every company of the scenario). [-]

    Returns
    -------
    list of CohortTrace
        One per company, in the order given.

    Raises
    ------
    InputError
        As :func:`trace_cohort`.
    """
    names = [c.name for c in scenario.companies] if companies is None else list(companies)
    for company in names:
        scenario.check_company(company)
        if company == "industry":
            raise InputError(
                "company 'industry': a cohort belongs to one company; the industry sums theirs"
            )
    p = build_params(scenario)
    grid = make_grid(scenario.years)
    cohorts = build_cohorts(p, grid, _history(p.companies))
    grid, cohorts, ops = reported_vintages(grid, cohorts, operate(p, grid, cohorts))
    model = (p, grid, cohorts, ops, accounts(p, grid, cohorts))
    offset = _vintage_offset(vintage, grid.n_hist, grid.t_rep)
    for company in names:  # refuse before any work
        capex = float(cohorts.capex[0, p.companies.index(company), offset + grid.n_hist])
        if not capex > 0:
            raise InputError(
                f"{company} {'buys' if offset >= 0 else 'bought'} nothing in "
                f"{quarter_label(offset)} in scenario '{scenario.name}' (capex $0): no cohort "
                "to trace"
            )
    result = simulate(scenario, breakeven=False)  # the company figures the checks tie to
    return [_trace(scenario, model, result, company, offset) for company in names]


def _trace(
    scenario: Scenario,
    model: tuple[Params, Grid, Cohorts, Operations, Accounts],
    result: SimulationResult,
    company: str,
    offset: int,
) -> CohortTrace:
    """Trace one company's cohort from a model already run."""
    p, grid, cohorts, ops, acc = model
    n, t_all = grid.t_rep, grid.t_int
    k, v = p.companies.index(company), offset + grid.n_hist
    at = (0, k, v)
    ebitda, dep = ops.ebitda[at], acc.depreciation[at]
    tau = float(p["costs.tax_rate"].reshape(-1)[0])
    wacc = float(p["financing.wacc"].reshape(-1)[0])
    life = float(p["technology.physical_life"].reshape(-1)[0])
    df = discount_end(p, grid).reshape(-1)
    capex = float(cohorts.capex[at])
    tax, capex_t, shell = _investment_flows(model, k, v, offset)
    # valued at each reporting quarter's end once commissioned, alone
    existing = np.arange(n) >= offset
    viu = np.where(existing, _future_sums(ebitda * df, n) / df[:n], 0.0)
    fair = _fair_value_by_vintage(p, grid, cohorts, ops)[at][:n]
    if p.economic_obsolescence:
        fair = np.minimum(fair, viu)
    book_c, book_f = acc.book_compute[at], acc.book_facilities[at]
    stranded = np.maximum(book_c[:n] - np.maximum(viu, fair), 0.0)
    frame = _trace_frame(
        ops,
        cohorts,
        at,
        t_all,
        (dep, tax, capex_t, shell),
        df,
        (book_c, book_f),
        (viu, fair, stranded),
    )
    alive = ops.alive[at]
    present = (np.arange(t_all) >= max(offset, 0)) & (
        alive | ((np.arange(t_all) < n) & (book_c + book_f > 0))
    )
    rows = np.flatnonzero(present)
    quarters = frame.iloc[rows[0] : rows[-1] + 1] if len(rows) else frame.iloc[:0]
    cf_v = np.zeros(t_all + 1)  # capex at its quarter's start, the rest at each quarter's end
    cf_v[1:] = ebitda - tax + shell
    if offset >= 0:
        cf_v[offset] -= capex
    big = max(float(book_c[:n].max()), 1.0) * 1e-9
    peak = float(stranded.max())
    economic = float(_economic_life(grid, ops)[at])
    ended = (grid.age[v] >= 0) & (~alive | (ebitda <= 0))
    gone = (grid.age[v] >= 0) & (grid.age[v] < life) & ~alive  # out before its physical life
    facts = {
        "capex": capex,
        "capex_compute": capex * float(p["capex.share_compute"].reshape(-1)[0]),
        "capex_network": capex * float(p["capex.share_network"].reshape(-1)[0]),
        "capex_facilities": capex * float(p["capex.share_facilities"].reshape(-1)[0]),
        "units": float(cohorts.units[at]),
        "power_per_unit": float(cohorts.power[at]),
        "compute_life": float(p["company.compute_life"][0, k].reshape(-1)[0]),
        "network_life": float(p["company.network_life"][0, k].reshape(-1)[0]),
        "physical_life": life,
        "economic_life": economic,
        "wacc": wacc,
        "tax_rate": tau,
        "npv": float(npv(wacc, cf_v, periods_per_year=4)) if offset >= 0 else math.nan,
        "irr": float(irr(cf_v[None, :], periods_per_year=4)[0]) if offset >= 0 else math.nan,
        "stranded_peak": peak,
    }
    return CohortTrace(
        scenario=scenario.name,
        company=company,
        vintage=quarter_label(offset),
        facts=facts,
        first_loss=quarter_label(int(np.argmax(ended))) if ended.any() else None,
        stranded_peak_date=quarter_label(int(stranded.argmax())) if peak > big else None,
        quarters=quarters,
        checks=_checks(model, result, company, k),
        retired=quarter_label(int(np.argmax(gone))) if gone.any() else None,
        retirement_rule=p.retirement,
    )


def _trace_frame(
    ops: Operations,
    cohorts: Cohorts,
    at: tuple[int, int, int],
    t_all: int,
    flows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    df: np.ndarray,
    books: tuple[np.ndarray, np.ndarray],
    values: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> pd.DataFrame:
    """Return the cohort ``at``'s quarterly frame over every internal quarter.

    ``flows``: depreciation, tax, capex and shell cash per quarter [USD]; ``df``: discount
    factors [-]; ``books``: compute and facilities book value [USD]; ``values``: value in
    use, fair value and stranded value over the reporting quarters [USD] (NaN after them).
    """
    dep, tax, capex_t, shell = flows
    book_c, book_f = books
    pad = np.full(t_all - len(values[0]), np.nan)
    viu, fair, stranded = (np.concatenate([x, pad]) for x in values)
    ebitda = ops.ebitda[at]
    capacity, served = ops.capacity[at], ops.served[at]
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(capacity > 0, served / capacity, np.nan)
    alive = ops.alive[at]
    frame = pd.DataFrame(
        {
            "in_service": alive.astype(float),
            "units": float(cohorts.units[at]) * alive,
            "capacity": capacity,
            "served": served,
            "utilisation": utilisation,
            "token_price": np.broadcast_to(ops.price, (1, 1, 1, t_all)).reshape(-1),
            "revenue": ops.revenue[at],
            "energy_cost": ops.energy[at],
            "fixed_opex": ops.fixed[at],
            "ebitda": ebitda,
            "depreciation": dep,
            "tax": tax,
            "capex": capex_t,
            "shell": shell,
            "cash_flow": ebitda - tax - capex_t + shell,
            "discount_factor": df,
            "book_compute": book_c,
            "book_facilities": book_f,
            "value_in_use": viu,
            "fair_value": fair,
            "stranded_value": stranded,
        },
        index=[quarter_label(t) for t in range(t_all)],
    )
    frame.index.name = "quarter"
    return frame


def _investment_flows(
    model: tuple[Params, Grid, Cohorts, Operations, Accounts], k: int, v: int, offset: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a cohort's tax, capex and shell hand-over per quarter, as its NPV counts them.

    The tax and the hand-over as the 2026 programme's cash flows count them
    (:func:`~strandrisk.engine.finance.cohort_flows`); the shell's book value an inflow at
    the end of the quarter before the hand-over. Capex and the shell only for cohorts bought
    from 2026 (an installed-base cohort's capex is sunk).
    """
    p, grid, cohorts, ops, acc = model
    t_all = grid.t_int
    flows = cohort_flows(p, grid, cohorts, ops, acc, slice(v, v + 1))
    capex_t, shell = np.zeros(t_all), np.zeros(t_all)
    if offset >= 0:
        capex_t[offset] = cohorts.capex[0, k, v]
        shell[min(int(flows.hand[0, 0, 0]), t_all) - 1] = flows.shell[0, k, 0]
    return flows.tax[0, k, 0], capex_t, shell


def _checks(
    model: tuple[Params, Grid, Cohorts, Operations, Accounts],
    result: SimulationResult,
    company: str,
    k: int,
) -> pd.DataFrame:
    """Tie the cohorts back to the company's figures from :func:`strandrisk.simulate`."""
    p, grid, _, ops, _ = model
    n, t_all = grid.t_rep, grid.t_int
    assert result.series is not None  # kept by default
    ebitda_model = result.series["ebitda"].sel(company=company).to_numpy().reshape(-1)[:n]
    ebitda_sum = ops.ebitda[0, k, :, :n].sum(axis=0)
    gap = np.abs(ebitda_sum - ebitda_model)
    worst = int(gap.argmax())
    wacc = float(p["financing.wacc"].reshape(-1)[0])
    npvs = []
    for j in range(4):  # the 2026 programme: vintages 2026Q1 to 2026Q4
        v = grid.n_hist + j
        tax, capex, shell = _investment_flows(model, k, v, j)
        cf = np.zeros(t_all + 1)
        cf[1:] = ops.ebitda[0, k, v] - tax + shell
        cf[j] -= capex[j]
        npvs.append(float(npv(wacc, cf, periods_per_year=4)))
    out = result.outcomes.set_index("company")
    rows = {
        f"EBITDA in {quarter_label(worst)} (the largest gap of {n} quarters)": (
            float(ebitda_sum[worst]),
            float(ebitda_model[worst]),
        ),
        "NPV of the 2026 programme (its four cohorts')": (
            float(sum(npvs)),
            float(out.loc[company, "npv_2026"]),
        ),
    }
    checks = pd.DataFrame.from_dict(rows, orient="index", columns=["cohorts", "model"])
    checks["difference"] = checks["cohorts"] - checks["model"]
    checks.index.name = "check"
    return checks
