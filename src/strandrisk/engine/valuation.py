"""Value in use, fair value, recoverable amount, stranding and impairment per company.

Every array here has a company axis that includes the industry total as its last row
(one cash-generating unit per company, and the industry as one more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strandrisk.core.impairment import ImpairmentPath, impairment_ifrs, impairment_usgaap
from strandrisk.core.numeric import ordered_cumsum, ordered_sum
from strandrisk.engine.model import (
    HOURS_PER_QUARTER,
    QUARTER,
    START_YEAR,
    Accounts,
    Cohorts,
    Grid,
    Operations,
    discount_end,
)
from strandrisk.engine.params import Params

__all__ = [
    "ByCapexYear",
    "CapitalTo2026",
    "Valuation",
    "add_industry",
    "capex_years",
    "discount_end",
    "value_assets",
]


def add_industry(x: np.ndarray, axis: int = 1) -> np.ndarray:
    """Append the sum over companies as one more company (the industry total).

    Parameters
    ----------
    x : ndarray
        Per-company values, companies on ``axis``. [any unit]
    axis : int
        The company axis. [-]
    """
    return np.concatenate([x, ordered_sum(x, axis=axis, keepdims=True)], axis=axis)


@dataclass(frozen=True, slots=True)
class CapitalTo2026:
    """The capital commissioned to the end of 2026, valued as a group of its own, (S, K+1, T).

    The installed base (2022-2025 vintages) and the 2026 programme: today's capital. Its
    cohorts are dispatched with every later one, so later capex lowers what it earns.

    Attributes
    ----------
    book_compute : ndarray
        Scheduled net book value of its compute + network. [USD]
    value_in_use : ndarray
        PV at WACC of the EBITDA its cohorts will still earn. [USD]
    fair_value : ndarray
        Its replacement-cost value (capped at the value in use with economic
        obsolescence, as the unit's). [USD]
    stranded : ndarray
        ``max(0, book_compute - max(value_in_use, fair_value))``. [USD]
    """

    book_compute: np.ndarray
    value_in_use: np.ndarray
    fair_value: np.ndarray
    stranded: np.ndarray


@dataclass(frozen=True, slots=True)
class ByCapexYear:
    """Each calendar year's capex valued as a group of its own, (S, K+1, Y, T).

    As :class:`CapitalTo2026`, for the four vintages commissioned in each year (the installed
    base's 2022-2025 and every year of the horizon): which year's capex strands.

    Attributes
    ----------
    years : ndarray, shape (Y,)
        The calendar years. [year]
    book_compute : ndarray
        Scheduled net book value of the year's compute + network. [USD]
    stranded : ndarray
        ``max(0, book - max(value in use, fair value))`` of the year's cohorts alone. [USD]
    """

    years: np.ndarray
    book_compute: np.ndarray
    stranded: np.ndarray


@dataclass(frozen=True, slots=True)
class Valuation:
    """End-of-quarter values over the reporting horizon, shape (S, K+1, T).

    Attributes
    ----------
    value_in_use : ndarray
        PV at WACC of the EBITDA existing compute cohorts will still earn. [USD]
    undiscounted : ndarray
        The same cash flows undiscounted (ASC 360 recoverability). [USD]
    fair_value : ndarray
        Replacement cost of the existing compute, for its remaining life and energy
        disadvantage. [USD]
    book_compute, book_facilities : ndarray
        Scheduled net book value of compute + network, and of facilities. [USD]
    recoverable : ndarray
        ``facilities + max(value in use, fair value)``. [USD]
    stranded : ndarray
        ``max(0, book - recoverable)``. [USD]
    gap : ndarray
        Depreciation gap, book minus economic (recoverable) value. [USD]
    ifrs, usgaap : ImpairmentPath
        Losses and carrying amounts under IAS 36 and ASC 360.
    to_2026 : CapitalTo2026
        Today's capital (the vintages to 2026Q4) valued as a group of its own.
    by_capex_year : ByCapexYear or None
        Each calendar year's capex valued as a group of its own (only if asked for: the
        quarterly series show it, the outcome table does not).
    opening_compute, opening_book : ndarray, shape (S, K+1)
        Scheduled book value of compute + network, and of everything, at the start of the
        first quarter. [USD]
    additions_compute : ndarray
        Cost of the compute + network commissioned in each quarter. [USD]
    """

    value_in_use: np.ndarray
    undiscounted: np.ndarray
    fair_value: np.ndarray
    book_compute: np.ndarray
    book_facilities: np.ndarray
    recoverable: np.ndarray
    stranded: np.ndarray
    gap: np.ndarray
    ifrs: ImpairmentPath
    usgaap: ImpairmentPath
    to_2026: CapitalTo2026
    by_capex_year: ByCapexYear | None
    opening_compute: np.ndarray | None = None
    opening_book: np.ndarray | None = None
    additions_compute: np.ndarray | None = None


def _fair_value_by_vintage(p: Params, grid: Grid, cohorts: Cohorts, ops: Operations) -> np.ndarray:
    """Replacement-cost value of each cohort at the end of each reporting quarter."""
    n = grid.t_rep
    end_age = grid.age[:, :n] + QUARTER
    life = p["technology.physical_life"]
    remaining = np.clip(1.0 - end_age / life, 0.0, 1.0) * (end_age > 0) * ops.alive[..., :n]
    new_cost = cohorts.new_unit_cost[..., 1 : n + 1]
    new_power = cohorts.new_unit_power[..., 1 : n + 1]
    extra_kw = np.maximum(cohorts.power[..., None] - new_power, 0.0)
    energy = extra_kw * p["costs.pue"] * p["costs.electricity_price"] * 4 * HOURS_PER_QUARTER
    energy_left = energy * p["market.utilisation"] * remaining * life
    return np.maximum(cohorts.units[..., None] * new_cost * remaining - energy_left, 0.0)


def _future_sums(flow: np.ndarray, n: int) -> np.ndarray:
    """Per vintage, sum over quarters after each of the first ``n`` quarters."""
    total = ordered_cumsum(flow, axis=-1, reverse=True)
    return (total - flow)[..., :n]


def _impairable_movements(
    p: Params, grid: Grid, cohorts: Cohorts, acc: Accounts
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Return the opening balance per cohort and additions per quarter of compute + network.

    The industry appended; None where the accounts carry no opening balances.
    """
    if acc.opening_compute is None:
        return None, None
    n = grid.t_rep
    capex = cohorts.capex[..., grid.n_hist : grid.n_hist + n]  # one vintage a quarter
    compute = capex * p["capex.share_compute"][..., 0]
    network = capex * p["capex.share_network"][..., 0]
    return add_industry(acc.opening_compute), add_industry(compute + network)


def value_assets(
    p: Params,
    grid: Grid,
    cohorts: Cohorts,
    ops: Operations,
    acc: Accounts,
    *,
    by_capex_year: bool = False,
) -> Valuation:
    """Value the existing assets at every quarter end and run both impairment tests.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes. [-]
    cohorts, ops, acc : Cohorts, Operations, Accounts
        Model results per company. [-]
    by_capex_year : bool
        Also value each calendar year's capex alone (``Valuation.by_capex_year``; for the
        quarterly series, about 5 % of the reference engine's time). [-]

    Returns
    -------
    Valuation
        Values, stranding and impairment with the industry appended.
    """
    n = grid.t_rep
    existing = (grid.vintage[:, None] <= np.arange(n)[None, :]).astype(float)  # (V, T)
    df = discount_end(p, grid)
    # each company's future EBITDA summed over its vintages, then the industry's over its
    # companies (the same sums as over the industry's vintages, in company order)
    future = _future_sums(ops.ebitda * df, n)
    viu = add_industry(ordered_sum(existing * future, axis=-2)) / df[..., 0, :n]
    undiscounted = add_industry(ordered_sum(existing * _future_sums(ops.ebitda, n), axis=-2))
    fair_v = add_industry(_fair_value_by_vintage(p, grid, cohorts, ops))
    fair = ordered_sum(fair_v, axis=-2)
    if p.economic_obsolescence:  # no buyer pays more than the assets will earn (IFRS 13.B9)
        fair = np.minimum(fair, viu)
    book_c_v = add_industry(acc.book_compute[..., :n])
    to_2026 = _capital_to_2026(p, grid, existing, future, df[..., 0, :n], fair_v, book_c_v)
    book_c = ordered_sum(book_c_v, axis=-2)
    book_f = ordered_sum(add_industry(acc.book_facilities[..., :n]), axis=-2)
    economic_compute = np.maximum(viu, fair)
    recoverable = book_f + economic_compute
    opening, additions = _impairable_movements(p, grid, cohorts, acc)
    ifrs = impairment_ifrs(book_c_v, book_f, recoverable, True, opening, additions)
    usgaap = impairment_usgaap(
        book_c_v, book_f, undiscounted + book_f, fair + book_f, opening, additions
    )
    return Valuation(
        value_in_use=viu,
        undiscounted=undiscounted,
        fair_value=fair,
        book_compute=book_c,
        book_facilities=book_f,
        recoverable=recoverable,
        stranded=np.maximum(book_c - economic_compute, 0.0),
        gap=book_c + book_f - recoverable,
        ifrs=ifrs,
        usgaap=usgaap,
        opening_compute=None if opening is None else ordered_sum(opening, axis=-1),
        opening_book=None
        if opening is None
        else ordered_sum(opening, axis=-1)
        + ordered_sum(add_industry(acc.opening_facilities), axis=-1),  # type: ignore[arg-type]
        additions_compute=additions,
        to_2026=to_2026,
        by_capex_year=_by_capex_year(p, grid, existing, future, df[..., 0, :n], fair_v, book_c_v)
        if by_capex_year
        else None,
    )


def _capital_to_2026(
    p: Params,
    grid: Grid,
    existing: np.ndarray,
    future: np.ndarray,
    df: np.ndarray,
    fair_v: np.ndarray,
    book_c_v: np.ndarray,
) -> CapitalTo2026:
    """Value the vintages commissioned to 2026Q4 alone, as :func:`value_assets` values all.

    ``future``: per company and vintage, the discounted EBITDA after each quarter (the
    industry's value in use is its companies' sum); ``df``: the discount factor at each
    reporting quarter's end; ``fair_v``, ``book_c_v``: fair value and compute book per
    vintage, with the industry appended.
    """
    group = (np.arange(grid.vintage.shape[0]) < grid.v2026.stop).astype(float)[:, None]
    viu = add_industry(ordered_sum(existing * group * future, axis=-2)) / df
    book = ordered_sum(group * book_c_v, axis=-2)
    fair, stranded = _alone(p, viu, ordered_sum(group * fair_v, axis=-2), book)
    return CapitalTo2026(book, viu, fair, stranded)


def _alone(
    p: Params, viu: np.ndarray, fair: np.ndarray, book: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return a group's fair value (capped as the unit's) and stranded value, valued alone."""
    if p.economic_obsolescence:
        fair = np.minimum(fair, viu)
    return fair, np.maximum(book - np.maximum(viu, fair), 0.0)


def capex_years(grid: Grid) -> np.ndarray:
    """Return the calendar years of the reported vintages, one per four of them [year].

    Parameters
    ----------
    grid : Grid
        Axes; the vintages to the horizon are its first ``n_hist + t_rep``. [-]
    """
    return START_YEAR + grid.vintage[: grid.n_hist + grid.t_rep : 4] // 4


def _by_capex_year(
    p: Params,
    grid: Grid,
    existing: np.ndarray,
    future: np.ndarray,
    df: np.ndarray,
    fair_v: np.ndarray,
    book_c_v: np.ndarray,
) -> ByCapexYear:
    """Value each calendar year's four vintages alone (arguments as :func:`_capital_to_2026`).

    The vintages run a quarter each from 2022Q1, so a year's are four neighbours: each sum over
    them is an ordered sum over an axis of length four.
    """
    if grid.n_hist % 4 or grid.vintage.shape[0] % 4:
        raise ValueError("the vintages must start and end with a calendar year")

    def per_year(x: np.ndarray) -> np.ndarray:  # (..., V, T) -> (..., Y, T)
        *lead, v, t = x.shape
        return ordered_sum(x.reshape(*lead, v // 4, 4, t), axis=-2)

    viu = add_industry(per_year(existing * future)) / df[..., None, :]
    book = per_year(book_c_v)
    _, stranded = _alone(p, viu, per_year(fair_v), book)
    return ByCapexYear(capex_years(grid), book, stranded)
