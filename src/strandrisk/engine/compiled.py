"""The compiled engine: NumPy builds the cohorts and market paths, Numba does the rest.

Cohorts, prices, throughput and demand are cheap (no vintage-by-quarter arrays) and are
built by the NumPy engine's own functions; dispatch, retirement, books, valuation,
impairment, cash flows and the 2026 programme run in :mod:`strandrisk.engine._kernel`,
one scenario per thread. The NumPy engine stays the tested reference: the tests require
the two to agree on every outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strandrisk.core.finance import _GRID as IRR_GRID
from strandrisk.engine import _kernel
from strandrisk.engine._kernel.cache import in_cache
from strandrisk.engine.model import Cohorts, Grid, HistoryArrays, build_cohorts, market
from strandrisk.engine.params import Params
from strandrisk.engine.valuation import discount_end

__all__ = [
    "KernelInputs",
    "KernelOutcomes",
    "compiled_inputs",
    "kernel_cached",
    "prepare_kernel",
    "programme_npv_compiled",
    "run_kernel",
]


@dataclass(frozen=True, slots=True)
class KernelOutcomes:
    """Per-scenario results of the kernel (``K1`` = companies + industry).

    Attributes
    ----------
    cohorts : Cohorts
        The cohorts the kernel ran on.
    values : ndarray, shape (S, K1, 5, n)
        Stranded value, the IFRS and US GAAP impairment charges, the scheduled book value
        and the economic (recoverable) value per reporting quarter; empty (0 rows) unless
        asked for. [USD]
    summary : ndarray, shape (S, K1, 9)
        Peak stranded value [USD], its quarter, IFRS and US GAAP impairment totals [USD],
        first quarters of a material IFRS and US GAAP charge, the lowest annual DSCR [-]
        (inf without debt service), the first year of negative unlevered free cash flow,
        the lowest annual interest cover [-] (inf without interest); quarters and years
        count from 2026Q1 / 2026, -1 for never.
    life_2026 : ndarray, shape (S, K, 4)
        Economic life of each 2026 vintage. [year]
    programme : ndarray, shape (S, K1, 3)
        NPV [USD], IRR [1/year] and payback [year] of the 2026 programme (NaN where
        there is no IRR or no payback).
    loan_cover : ndarray, shape (S, K1, 2)
        The lowest loan life cover ratio over the reporting quarters [-] (NaN without
        debt) and the first quarter it is below 1 (from 2026Q1, -1 for never); empty (0
        rows) unless asked for.
    year_peak : ndarray, shape (S, K1, Y)
        Each calendar year's capex (from 2022) valued alone: the peak of its stranded value;
        empty (0 rows) unless asked for. [USD]
    """

    cohorts: Cohorts
    values: np.ndarray
    summary: np.ndarray
    life_2026: np.ndarray
    programme: np.ndarray
    loan_cover: np.ndarray
    year_peak: np.ndarray


def _c(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return np.ascontiguousarray(np.broadcast_to(x, shape), dtype=float)


def _rows(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """As :func:`_c`, but one row (shape (1, ...)) where ``x`` repeats a row for every scenario."""
    x = np.broadcast_to(x, shape)
    if x.shape[0] > 1 and x.strides[0] != 0:
        return np.ascontiguousarray(x, dtype=float)
    return np.ascontiguousarray(x[:1], dtype=float)


def _scalars(p: Params) -> np.ndarray:
    """Return the kernel's per-scenario parameters, shape (S, len(SCALARS)), in its order."""
    sp = np.empty((p.n, len(_kernel.SCALARS)))
    for j, name in enumerate(_kernel.SCALARS):
        sp[:, j] = p[name].reshape(-1)  # one row (a value held fixed) or S
    return sp


def compiled_inputs(p: Params, grid: Grid, cohorts: Cohorts) -> dict[str, np.ndarray]:
    """Cohort and parameter arrays in the programme kernel's layout (per scenario on axis 0).

    With the merit order, ``order`` (the outcome kernel sorts for itself: see
    :func:`prepare_kernel`). The break-even solver builds them once and reuses them across
    its evaluations.

    Parameters
    ----------
    p : Params
        Parameter arrays, S scenarios. [-]
    grid : Grid
        Axes (the internal grid with every vintage). [-]
    cohorts : Cohorts
        From :func:`strandrisk.engine.model.build_cohorts`. [USD, unit, kW]
    """
    s, k, v = p.n, len(p.companies), grid.vintage.size
    power = _c(cohorts.power, (s, k, v))
    return {
        "capex": _c(cohorts.capex, (s, k, v)),
        "units": _c(cohorts.units, (s, k, v)),
        "power": power,
        **_per_scenario(p, grid),
        "order": np.argsort(power, axis=-1, kind="stable"),  # the merit order: stable
    }


def _per_scenario(p: Params, grid: Grid) -> dict[str, np.ndarray]:
    """Return the vintages' quarters, the kernel's scalar parameters and the booked lives."""
    k = len(p.companies)
    lives = np.stack(
        np.broadcast_arrays(p["company.compute_life"], p["company.network_life"]), axis=-1
    )
    return {
        "vint": np.ascontiguousarray(grid.vintage, dtype=np.int64),
        "sp": _scalars(p),
        "lives": _c(lives.reshape(-1, k, 2), (p.n, k, 2)),
    }


def _market(
    p: Params,
    grid: Grid,
    cohorts: Cohorts,
    growth: np.ndarray | None = None,
    decline: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    s, k, t = p.n, len(p.companies), grid.t_int
    price, theta, demand = market(p, grid, cohorts, growth, decline)
    return {
        "price": _c(price.reshape(price.shape[0], -1, t), (s, k, t)),
        "theta": _c(theta.reshape(-1, t), (s, t)),
        "demand": _c(demand.reshape(demand.shape[0], -1, t), (s, k, t)),
    }


@dataclass(frozen=True, slots=True)
class KernelInputs:
    """What :func:`run_kernel` needs for a batch: the cohorts and the kernel's arguments."""

    cohorts: Cohorts
    args: tuple


def prepare_kernel(p: Params, grid: Grid, hist: HistoryArrays) -> KernelInputs:
    """Build the cohorts and market paths of a batch with NumPy (no kernel call).

    Parameters
    ----------
    p : Params
        Parameter arrays, S scenarios. [-]
    grid : Grid
        Axes (the internal grid with every vintage). [-]
    hist : HistoryArrays
        Installed base. [-]

    Returns
    -------
    KernelInputs
        The cohorts and the kernel's arguments, except ``keep_values``.
    """
    p = p.collapsed()  # what depends only on values held fixed: computed once
    cohorts = build_cohorts(p, grid, hist)
    s, t = p.n, grid.t_int
    args = _per_scenario(p, grid)
    mk = _market(p, grid, cohorts)
    shape = (s, len(p.companies), grid.vintage.size)
    return KernelInputs(
        cohorts,
        (
            _rows(cohorts.capex, shape),  # one row where no scenario's differs
            _c(cohorts.units, shape),
            _rows(cohorts.power, shape),
            mk["demand"],
            mk["price"],
            mk["theta"],
            _c(cohorts.new_unit_cost.reshape(-1, t), (s, t)),
            _c(cohorts.new_unit_power.reshape(-1, t), (s, t)),
            _discount(p, grid),
            args["vint"],
            grid.n_hist,
            grid.t_rep,
            bool(p.amortising),
            bool(p.economic_obsolescence),
            p.retirement == "foresight",
            args["sp"],
            args["lives"],
            IRR_GRID,
        ),
    )


def run_kernel(
    inputs: KernelInputs, keep_values: bool = False, llcr: bool = False, by_year: bool = False
) -> KernelOutcomes:
    """Run the compiled model on a prepared batch (all Numba threads).

    Parameters
    ----------
    inputs : KernelInputs
        From :func:`prepare_kernel`. [-]
    keep_values : bool
        Also return the value paths per quarter (for fan charts). [-]
    llcr : bool
        Also the loan life cover ratio's lowest value and first quarter below 1 (about a
        third to a half more work). [-]
    by_year : bool
        Also each calendar year's capex valued alone: the peak of its stranded value. [-]

    Returns
    -------
    KernelOutcomes
        What the outcome table is computed from.
    """
    args = (*inputs.args, keep_values, llcr, by_year)
    return KernelOutcomes(inputs.cohorts, *_kernel.outcome_rows(*args))


def programme_npv_compiled(
    p: Params,
    grid: Grid,
    cohorts: Cohorts,
    growth: np.ndarray | None = None,
    decline: np.ndarray | None = None,
    common: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """NPV of the 2026 programme with a trial growth or decline, shape (S, K + 1).

    The compiled counterpart of ``operate`` followed by ``programme_npv``; used by the
    break-even solver, which passes ``common`` (:func:`compiled_inputs`) to avoid
    rebuilding it. [USD]

    Parameters
    ----------
    p : Params
        Parameter arrays, S scenarios. [-]
    grid : Grid
        Axes (the internal grid). [-]
    cohorts : Cohorts
        The cohorts. [USD, unit, kW]
    growth, decline : ndarray, optional
        Trial demand growth or price decline per scenario, in place of the scenario's. [1/year]
    common : dict, optional
        Arrays from :func:`compiled_inputs`, reused. [-]
    """
    args = compiled_inputs(p, grid, cohorts) if common is None else common
    mk = _market(p, grid, cohorts, growth, decline)
    return _kernel.programme_rows(
        args["capex"],
        args["units"],
        args["power"],
        args["order"],
        mk["demand"],
        mk["price"],
        mk["theta"],
        args["vint"],
        grid.n_hist,
        args["sp"],
        args["lives"],
        _discount(p, grid),
        p.retirement == "foresight",
    )


def kernel_cached() -> bool | None:
    """Whether the outcome kernel is in Numba's on-disk cache for this source and Python.

    Without it, the first call compiles the kernels (about 40 s on two cores), so the CLI
    says so while it waits. ``None`` where Numba's cache cannot be inspected (its layout is
    not a public interface).

    Returns
    -------
    bool or None
        True when a compiled version can be loaded, False when the first call will
        compile, None when unknown. [-]
    """
    return in_cache(_kernel.rows._outcome_block)


def _discount(p: Params, grid: Grid) -> np.ndarray:
    return _c(discount_end(p, grid).reshape(-1, grid.t_int), (p.n, grid.t_int))
