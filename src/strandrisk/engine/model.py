"""The cohort model over (scenario, company, vintage, quarter) arrays.

``build_cohorts`` turns capex into cohorts (units of compute, power per unit);
``operate`` runs the market and the merit-order dispatch, with early retirement;
``accounts`` computes accounting depreciation and book values. All are vectorised over
scenarios, companies and vintages; the equations are in ``docs/model.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np

from strandrisk.core.depreciation import declining_balance_book, straight_line_book
from strandrisk.core.dispatch import merit_order_dispatch
from strandrisk.core.market import adoption_curve, demand_index, tco_adoption, token_price
from strandrisk.core.numeric import ordered_sum, power
from strandrisk.core.technology import cumulative_doublings
from strandrisk.engine.params import Params

__all__ = [
    "HOURS_PER_QUARTER",
    "LIFE_CAP",
    "QUARTER",
    "START_YEAR",
    "Accounts",
    "Cohorts",
    "Grid",
    "HistoryArrays",
    "Operations",
    "accounts",
    "build_cohorts",
    "discount_end",
    "make_grid",
    "market",
    "operate",
    "reported_vintages",
]

QUARTER = 0.25
"""Length of a model period. [year]"""
HOURS_PER_QUARTER = 8766.0 / 4
"""Hours in a quarter of a 365.25-day year. [hour]"""
LIFE_CAP = 10
"""Longest physical life the internal horizon covers beyond the reporting horizon. [year]"""
START_YEAR = 2026
"""Calendar year of the start quarter (2026Q1)."""
_MID_2025 = -0.5  # the 2025 purchases' average date, in years from the start


@dataclass(frozen=True, slots=True)
class Grid:
    """Time and vintage axes.

    Attributes
    ----------
    n_hist : int
        Installed-base vintages before the start (2022Q1-2025Q4).
    t_rep : int
        Reporting quarters (``4 * years``).
    t_int : int
        Internal quarters: reporting plus :data:`LIFE_CAP` years, so that every cohort
        built in the horizon runs its whole physical life.
    vintage : ndarray, shape (V,)
        Commissioning quarter of each vintage relative to the start quarter. Cohorts are
        built on the capex path through the run-off years too, so that assets existing at
        the end of the horizon still face newer competition when they are valued.
    time : ndarray, shape (T,)
        Start of each quarter in years from the start quarter. [year]
    age : ndarray, shape (V, T)
        Age of each vintage at the start of each quarter. [year]
    """

    n_hist: int
    t_rep: int
    t_int: int
    vintage: np.ndarray
    time: np.ndarray
    age: np.ndarray

    @property
    def v2026(self) -> slice:
        """Vintages commissioned in 2026."""
        return slice(self.n_hist, self.n_hist + 4)


def make_grid(years: int, n_hist: int = 16) -> Grid:
    """Build the axes for a horizon of ``years``.

    Parameters
    ----------
    years : int
        Reporting horizon from 2026Q1. [year]
    n_hist : int
        Quarters of installed base before 2026 (2022Q1-2025Q4). [quarter]
    """
    t_rep = 4 * years
    t_int = t_rep + 4 * LIFE_CAP
    vintage = np.arange(-n_hist, t_int)  # cohorts keep coming after the horizon: competition
    quarter = np.arange(t_int)
    age = (quarter[None, :] - vintage[:, None]) * QUARTER
    return Grid(n_hist, t_rep, t_int, vintage, quarter * QUARTER, age)


@dataclass(frozen=True, slots=True)
class HistoryArrays:
    """Installed-base data for the modelled companies (see ``InstalledBase``).

    ``*_all`` arrays cover all five companies and set the blended 2025 cost and power.
    """

    nvidia_spend: np.ndarray  # (K, Vh) [USD]
    nvidia_h100e: np.ndarray  # (K, Vh) [H100e]
    custom_h100e: np.ndarray  # (K, Vh) [H100e]
    tdp: np.ndarray  # (K, Vh) [W]
    nvidia_cost_per_h100e: np.ndarray  # (Vh,) [USD/unit]
    spend_2025_all: float  # Nvidia spend 2025, five companies [USD]
    h100e_2025_nvidia_all: float
    h100e_2025_custom_all: float
    tdp_2025_all: float  # [W]


@dataclass(frozen=True, slots=True)
class Cohorts:
    """Capex cohorts and what each bought.

    ``capex``, ``units`` and ``power`` are read-only views where their table is the same for
    every scenario (stored once; see ``_vintages``).

    Attributes
    ----------
    capex : ndarray, shape (S, K, V)
        AI capex of each vintage. [USD]
    units : ndarray, shape (S, K, V)
        Compute bought. [H100e]
    power : ndarray, shape (S, K, V)
        Server power per unit (IT load, before PUE). [kW]
    new_unit_cost : ndarray, shape (S, 1, 1, T)
        Compute + network capex of one new unit at each quarter (replacement cost). [USD]
    new_unit_power : ndarray, shape (S, 1, 1, T)
        Server power of one new unit at each quarter. [kW]
    """

    capex: np.ndarray
    units: np.ndarray
    power: np.ndarray
    new_unit_cost: np.ndarray
    new_unit_power: np.ndarray


def _future_capex(p: Params, grid: Grid) -> np.ndarray:
    q = np.arange(grid.t_int)
    year = q // 4
    first = p["company.capex_2026"][..., 0] * p["capex.ai_share"][..., 0] / 4.0  # (S, K, 1)
    if p.path == "guided":
        factor = power(1.0 + p["capex.growth"][..., 0], year)
    elif p.path == "flat":
        factor = np.ones(year.shape)
    else:
        factor = (year == 0).astype(float)
    return first * factor  # (S, K, T), or (1, K, T) where only values held fixed enter


def _progress(p: Params, t: np.ndarray) -> np.ndarray:
    """Compute per dollar at ``t`` relative to mid-2025."""
    d0, k = p["technology.doubling_time"], p["technology.doubling_acceleration"]
    return np.exp2(cumulative_doublings(t, d0, k) - cumulative_doublings(_MID_2025, d0, k))


def _vintages(installed: np.ndarray, new: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Return the installed base's vintages, then the new ones, as one (S, K, V) array.

    ``shape`` is the new vintages' (S, K, T); either part may broadcast to its place. Where
    neither part varies by scenario (one row each) the values are stored once, C-ordered,
    and the result is a read-only view repeating them for every scenario (stride 0 on the
    first axis): :func:`strandrisk.engine.compiled.prepare_kernel` hands the kernel that
    one row, not S copies.
    """
    n_hist = installed.shape[-1]
    rows = np.broadcast_shapes(installed.shape[:-1], new.shape[:-1], (1, shape[1]))
    out = np.empty((*rows, n_hist + shape[-1]))
    out[..., :n_hist] = installed
    out[..., n_hist:] = new
    return np.broadcast_to(out, (*shape[:-1], out.shape[-1]))


def build_cohorts(p: Params, grid: Grid, hist: HistoryArrays) -> Cohorts:
    """Build the capex cohorts: installed base 2022-2025, 2026 guidance, the path after.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes. [-]
    hist : HistoryArrays
        Installed-base data for the companies in ``p``. [-]

    Returns
    -------
    Cohorts
        Capex, units and power per vintage, and the replacement cost path.
    """
    ratio = p["capex.custom_accelerator_cost_ratio"][..., 0]  # (S, 1, 1)
    gross_up = (p["capex.server_multiple"] / p["capex.share_compute"])[..., 0]
    spend = hist.nvidia_spend + ratio * hist.custom_h100e * hist.nvidia_cost_per_h100e
    units_hist = np.broadcast_to(hist.nvidia_h100e + hist.custom_h100e, spend.shape)
    cost_2025 = (
        hist.spend_2025_all
        + ratio * hist.h100e_2025_custom_all * hist.nvidia_cost_per_h100e[-4:].mean()
    ) / (
        hist.h100e_2025_nvidia_all + hist.h100e_2025_custom_all
    )  # accelerator cost per H100e, mid-2025 (S, 1, 1)
    spf = p["costs.server_power_fraction"][..., 0]
    power_2025 = (
        hist.tdp_2025_all / (hist.h100e_2025_nvidia_all + hist.h100e_2025_custom_all) / 1000.0 / spf
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        power_hist = np.where(units_hist > 0, hist.tdp / units_hist / 1000.0 / spf, power_2025)
    future = _future_capex(p, grid)
    shape = (p.n, len(p.companies), grid.t_int)
    tau = grid.vintage[grid.n_hist :] * QUARTER
    # all-in capex per unit of the new vintages, whose quarters are the grid's
    progress = _progress(p, grid.time)  # (S, 1, 1, T)
    same = np.array_equal(tau, grid.time)
    unit_cost_future = cost_2025 * gross_up / (progress if same else _progress(p, tau))[..., 0, :]
    d_w = p["technology.energy_doubling_time"][..., 0]
    power_future = power_2025 * np.exp2(-(tau - _MID_2025) / d_w)
    capex = _vintages(spend * gross_up, future, shape)
    units = _vintages(units_hist, future / unit_cost_future, shape)
    power = _vintages(power_hist, power_future, shape)
    cn_share = p["capex.share_compute"] + p["capex.share_network"]
    new_cost = cost_2025[..., None] * gross_up[..., None] * cn_share / progress
    new_power = power_2025[..., None] * np.exp2(
        -(grid.time - _MID_2025) / p["technology.energy_doubling_time"]
    )
    return Cohorts(
        capex=capex, units=units, power=power, new_unit_cost=new_cost, new_unit_power=new_power
    )


@dataclass(frozen=True, slots=True)
class Operations:
    """Market and dispatch results.

    Per vintage, shape (S, K, V, T): ``served`` [Mtok], ``capacity`` [Mtok],
    ``revenue``, ``energy``, ``fixed``, ``ebitda`` [USD per quarter], ``alive`` [bool].
    Per company, shape (S, K, 1, T): ``demand`` [Mtok]. Per scenario, (S, 1, 1, T):
    ``price`` [USD/Mtok] and ``throughput`` [Mtok per unit-hour].
    """

    served: np.ndarray
    capacity: np.ndarray
    revenue: np.ndarray
    energy: np.ndarray
    fixed: np.ndarray
    ebitda: np.ndarray
    alive: np.ndarray
    demand: np.ndarray
    price: np.ndarray
    throughput: np.ndarray


def _tco_leakage(p: Params, t: np.ndarray, decline: np.ndarray) -> np.ndarray:
    """Leakage that follows the cost gap between the cloud API and the alternatives."""
    drift = p["market.alternative_cost_decline"] - decline
    k, half = p["market.adoption_sensitivity"], p["market.adoption_half_ratio"]
    return tco_adoption(
        t, p["market.open_source_share"], p["market.open_source_cost_ratio"], drift, k, half
    ) + tco_adoption(t, p["market.device_share"], p["market.device_cost_ratio"], drift, k, half)


def _demand_shape(
    p: Params, t: np.ndarray, price_ratio: np.ndarray, growth: np.ndarray, decline: np.ndarray
) -> np.ndarray:
    start = float(START_YEAR)
    agentic = adoption_curve(
        t,
        p["market.agentic_multiplier"] - 1.0,
        p["market.agentic_midpoint"] - start,
        p["market.agentic_width"],
    )
    if p.leakage_driver == "tco":
        leakage = np.minimum(_tco_leakage(p, t, decline), 0.99)
        return demand_index(
            t,
            price_ratio,
            growth,
            p["market.elasticity"],
            agentic,
            leakage,
            p["market.demand_growth_decay"],
        )
    leakage = adoption_curve(
        t,
        p["market.open_source_share"],
        p["market.open_source_midpoint"] - start,
        p["market.open_source_width"],
    ) + adoption_curve(
        t, p["market.device_share"], p["market.device_midpoint"] - start, p["market.device_width"]
    )
    return demand_index(
        t,
        price_ratio,
        growth,
        p["market.elasticity"],
        agentic,
        leakage,
        p["market.demand_growth_decay"],
    )


def _dispatch(
    p: Params,
    cohorts: Cohorts,
    alive: np.ndarray,
    demand: np.ndarray,
    price: np.ndarray,
    theta: np.ndarray,
) -> tuple[np.ndarray, ...]:
    hours = cohorts.units[..., None] * HOURS_PER_QUARTER
    capacity = hours * theta * alive
    energy_per_hour = cohorts.power[..., None] * p["costs.pue"] * p["costs.electricity_price"]
    # every cohort's cost per token shares the factor 1 / theta(t): the merit order is
    # the order of power per unit, the same in every quarter
    order = np.argsort(cohorts.power, axis=-1, kind="stable")[..., None]
    served = merit_order_dispatch(capacity, demand, energy_per_hour / theta, price, order=order)
    revenue = served * price
    energy = served / theta * energy_per_hour
    cn_capex = cohorts.capex[..., None] * (p["capex.share_compute"] + p["capex.share_network"])
    fixed = p["costs.fixed_opex_rate"] * cn_capex * QUARTER * alive
    return capacity, served, revenue, energy, fixed


RETIREMENT_WINDOW = 4
"""Quarters over which contribution must fall short of fixed cost before a cohort retires."""


def _trailing(x: np.ndarray, w: int) -> np.ndarray:
    """Sum over the last ``w`` quarters (fewer at the start), from each quarter back.

    ``((x[t] + x[t-1]) + x[t-2]) + ...``: the terms themselves, not a difference of running
    sums (which cancels once the running sum is large).
    """
    out = x.copy()
    for j in range(1, w):
        out[..., j:] += x[..., :-j]
    return out


def discount_end(p: Params, grid: Grid) -> np.ndarray:
    """Discount factor at the end of each internal quarter, shape (S, 1, 1, T).

    Parameters
    ----------
    p : Params
        Parameter arrays (``financing.wacc``). [1/year]
    grid : Grid
        Axes. [-]
    """
    return power(1.0 + p["financing.wacc"], -((np.arange(grid.t_int) + 1) * QUARTER))


def _not_worth_running(
    ebitda: np.ndarray, fixed: np.ndarray, alive: np.ndarray, df: np.ndarray
) -> np.ndarray:
    """Flag the quarters from which a cohort's discounted EBITDA cannot turn positive again.

    The foresight rule: ``V_t = EBITDA_t DF_t + max(V_{t+1}, 0)`` is the best the cohort
    can still add from quarter ``t`` on, stopping when it likes; the cohort is worth
    keeping while ``V_t`` is not negative (beyond a billionth of its fixed cost). A loop
    over quarters: the recursion needs it.
    """
    flow = np.where(alive, ebitda * df, 0.0)
    floor = -1e-9 * np.abs(fixed) * df
    shape = np.broadcast_shapes(flow.shape, floor.shape)
    value = np.zeros(shape[:-1])
    out = np.zeros(shape, dtype=bool)
    for t in range(alive.shape[-1] - 1, -1, -1):
        value = flow[..., t] + np.maximum(value, 0.0)
        out[..., t] = alive[..., t] & (value < floor[..., t])
    return out


def _short_for_a_year(contribution: np.ndarray, fixed: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Flag cohorts in service for a whole trailing year that did not cover fixed cost."""
    w = RETIREMENT_WINDOW
    full_year = _trailing(alive.astype(float), w) >= w
    short = _trailing(contribution - fixed, w) < -1e-9 * np.abs(fixed) * w
    return full_year & short


def market(
    p: Params,
    grid: Grid,
    cohorts: Cohorts,
    growth: np.ndarray | None = None,
    decline: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token price, throughput and demand paths.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes. [-]
    cohorts : Cohorts
        The cohorts (start demand follows from the start capacity). [-]
    growth, decline : ndarray, optional
        Replace demand growth or price decline (see :func:`operate`). [1/year]

    Returns
    -------
    price : ndarray, shape (S, 1, 1, T)
        Token price. [USD/Mtok]
    theta : ndarray, shape (S, 1, 1, T)
        Throughput of one unit. [Mtok per unit-hour]
    demand : ndarray, shape (S, K, 1, T)
        Demand per company. [Mtok per quarter]
    """
    t = grid.time
    growth = p["market.demand_growth"] if growth is None else growth
    decline = p["market.price_decline"] if decline is None else decline
    p0 = p["market.start_price"]
    price = token_price(t, p0, decline, p["market.price_floor_ratio"])
    theta = p["market.rental_rate"] / p0 * np.exp(p["technology.software_efficiency"] * t)
    age0 = grid.age[:, 0]  # in service at the start quarter; the sum stops at the last vintage
    last = int(np.flatnonzero(age0 >= 0)[-1]) + 1  # commissioned (the rest add exact zeros)
    alive0 = (age0[:last] >= 0) & (age0[:last] < p["technology.physical_life"][..., 0])
    hours0 = ordered_sum(cohorts.units[..., :last] * HOURS_PER_QUARTER * alive0)[..., None, None]
    q0 = p["market.utilisation"] * hours0 * theta[..., :1]
    demand = q0 * _demand_shape(p, t, price / p0, growth, decline)
    return price, theta, demand


def operate(
    p: Params,
    grid: Grid,
    cohorts: Cohorts,
    growth: np.ndarray | None = None,
    decline: np.ndarray | None = None,
) -> Operations:
    """Run the market and the merit-order dispatch, with permanent early retirement.

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes. [-]
    cohorts : Cohorts
        The cohorts. [-]
    growth, decline : ndarray, optional
        Replace demand growth ``g`` or price decline ``lambda`` (any shape broadcasting to
        (S, K, 1, 1)); used by the break-even solver. [1/year]

    Returns
    -------
    Operations
        Served volumes, revenue, costs and EBITDA per vintage and quarter.

    Notes
    -----
    A cohort runs from commissioning to its physical life. It retires early, for good,
    once its contribution (revenue - energy) has fallen short of its fixed operating cost
    over a whole trailing year in service (four quarters in the simulation), or, with
    ``technology.retirement = "foresight"``, from the first quarter at which its
    discounted EBITDA from then on can no longer turn positive; retired capacity is then
    removed and demand re-dispatched once.
    """
    price, theta, demand = market(p, grid, cohorts, growth, decline)
    age = grid.age
    alive = (age >= 0) & (age < p["technology.physical_life"])
    _, served, revenue, energy, fixed = _dispatch(p, cohorts, alive, demand, price, theta)
    if p.retirement == "foresight":
        ebitda = revenue - energy - fixed
        trigger = _not_worth_running(ebitda, fixed, alive, discount_end(p, grid))
    else:
        trigger = alive & _short_for_a_year(revenue - energy, fixed, alive)
    alive = alive & ~np.maximum.accumulate(trigger, axis=-1)
    capacity, served, revenue, energy, fixed = _dispatch(p, cohorts, alive, demand, price, theta)
    return Operations(
        served=served,
        capacity=capacity,
        revenue=revenue,
        energy=energy,
        fixed=fixed,
        ebitda=revenue - energy - fixed,
        alive=alive,
        demand=demand,
        price=price,
        throughput=theta,
    )


@dataclass(frozen=True, slots=True)
class Accounts:
    """Accounting schedules per vintage, shape (S, K, V, T).

    ``depreciation`` is the booked charge in each quarter (straight line, or declining
    balance for compute and network) [USD];
    ``book_compute`` (compute + network) and ``book_facilities`` are end-of-quarter net
    book values on the booked schedule, before any impairment [USD].
    ``opening_compute`` and ``opening_facilities``, shape (S, K, V), are the book values
    at the start of the first quarter of the cohorts built before it (the balance a
    roll-forward opens with; zero for later cohorts) [USD].
    """

    depreciation: np.ndarray
    book_compute: np.ndarray
    book_facilities: np.ndarray
    opening_compute: np.ndarray | None = None
    opening_facilities: np.ndarray | None = None


def accounts(p: Params, grid: Grid, cohorts: Cohorts) -> Accounts:
    """Depreciation by asset class with each company's booked lives.

    Straight line, or for compute and network a declining balance when
    ``accounting.declining_balance`` is above 1 (facilities stay on straight line).

    Parameters
    ----------
    p : Params
        Parameter arrays. [-]
    grid : Grid
        Axes. [-]
    cohorts : Cohorts
        The cohorts. [-]

    Returns
    -------
    Accounts
        Depreciation and book values per vintage and quarter.
    """
    capex = cohorts.capex[..., None]
    factor = p["accounting.declining_balance"]
    classes = (  # capex, life, declining-balance factor (facilities: straight line)
        (capex * p["capex.share_compute"], p["company.compute_life"], factor),
        (capex * p["capex.share_network"], p["company.network_life"], factor),
        (capex * p["capex.share_facilities"], p["accounting.facilities_life"], None),
    )

    def book(k: np.ndarray, life: np.ndarray, f: np.ndarray | None, age: np.ndarray) -> np.ndarray:
        if f is None or np.all(f == 1.0):
            return straight_line_book(k, life, age)
        return declining_balance_book(k, life, age, f, QUARTER)

    built = grid.age >= 0
    start, end = np.maximum(grid.age, 0.0), grid.age + QUARTER
    ends = [np.where(built, book(k, life, f, end), 0.0) for k, life, f in classes]
    dep = np.asarray(
        sum(
            np.where(built, book(k, life, f, start) - e, 0.0)
            for (k, life, f), e in zip(classes, ends, strict=True)
        )
    )
    before = grid.vintage < 0  # built before the first quarter: its opening balance
    first = np.maximum(grid.age[:, 0], 0.0)
    opens = [
        np.where(
            before, book(k[..., 0], life[..., 0], None if f is None else f[..., 0], first), 0.0
        )
        for k, life, f in classes
    ]
    return Accounts(
        depreciation=dep,
        book_compute=ends[0] + ends[1],
        book_facilities=ends[2],
        opening_compute=opens[0] + opens[1],
        opening_facilities=opens[2],
    )


@overload
def reported_vintages(
    grid: Grid, cohorts: Cohorts, ops: Operations
) -> tuple[Grid, Cohorts, Operations]: ...
@overload
def reported_vintages(
    grid: Grid, cohorts: Cohorts, ops: None = None
) -> tuple[Grid, Cohorts, None]: ...
def reported_vintages(
    grid: Grid, cohorts: Cohorts, ops: Operations | None = None
) -> tuple[Grid, Cohorts, Operations | None]:
    """Drop the cohorts built after the horizon once dispatch is done.

    They compete for demand in the run-off years (so they are dispatched), but are never on
    the books at a reporting quarter: accounts, valuation and financing need only the
    vintages up to the horizon, which saves about 40 % of that work.

    Parameters
    ----------
    grid : Grid
        The internal grid (every vintage). [-]
    cohorts : Cohorts
        Cohorts of every vintage. [USD, unit, kW]
    ops : Operations, optional
        Dispatch results of every vintage. [Mtok, USD per quarter]
    """
    v = grid.n_hist + grid.t_rep
    short = Grid(grid.n_hist, grid.t_rep, grid.t_int, grid.vintage[:v], grid.time, grid.age[:v])
    trimmed = Cohorts(
        capex=cohorts.capex[..., :v],
        units=cohorts.units[..., :v],
        power=cohorts.power[..., :v],
        new_unit_cost=cohorts.new_unit_cost,
        new_unit_power=cohorts.new_unit_power,
    )
    if ops is None:
        return short, trimmed, None
    per_vintage = ("served", "capacity", "revenue", "energy", "fixed", "ebitda", "alive")
    fields_ = {f: getattr(ops, f)[..., :v, :] for f in per_vintage}
    return (
        short,
        trimmed,
        Operations(**fields_, demand=ops.demand, price=ops.price, throughput=ops.throughput),
    )
