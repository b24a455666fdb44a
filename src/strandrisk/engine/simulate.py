"""``simulate``: run the cohort model for a scenario (or a batch) and collect the results.

Scenarios are processed in chunks so memory stays bounded; each scenario's results do
not depend on the chunk it falls in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numba
import numpy as np
import pandas as pd
import xarray as xr

from strandrisk.assumptions.installed_base import load_installed_base
from strandrisk.core.numeric import ordered_sum
from strandrisk.engine._kernel import map_in_threads
from strandrisk.engine.allocator import keep_freed_memory
from strandrisk.engine.breakeven import breakeven
from strandrisk.engine.compiled import (
    KernelInputs,
    KernelOutcomes,
    prepare_kernel,
    run_kernel,
)
from strandrisk.engine.finance import CompanyFlows, company_flows, programme_2026
from strandrisk.engine.model import (
    START_YEAR,
    Cohorts,
    Grid,
    HistoryArrays,
    Operations,
    accounts,
    build_cohorts,
    make_grid,
    operate,
    reported_vintages,
)
from strandrisk.engine.outcomes import (  # re-exported: the table and the result
    LLCR_COLUMNS,
    OUTCOME_COLUMNS,
    OUTCOME_UNITS,
    SERIES_UNITS,
    VALUE_AT_COLUMNS,
    SimulationResult,
    position_at,
    quarter_label,
)
from strandrisk.engine.params import Params, build_params
from strandrisk.engine.valuation import Valuation, add_industry, value_assets
from strandrisk.engine.valuation import capex_years as year_labels
from strandrisk.errors import whole_number
from strandrisk.scenarios.schema import Scenario

__all__ = [
    "LLCR_COLUMNS",
    "OUTCOME_COLUMNS",
    "OUTCOME_UNITS",
    "SERIES_UNITS",
    "VALUE_AT_COLUMNS",
    "OutcomeArrays",
    "SimulationResult",
    "outcome_arrays",
    "position_at",
    "quarter_label",
    "simulate",
    "value_paths",
]


def _history(companies: tuple[str, ...]) -> HistoryArrays:
    base = load_installed_base()
    idx = [base.companies.index(c) for c in companies]
    y25 = slice(12, 16)
    return HistoryArrays(
        nvidia_spend=base.nvidia_spend[idx],
        nvidia_h100e=base.nvidia_h100e[idx],
        custom_h100e=base.custom_h100e[idx],
        tdp=base.tdp[idx],
        nvidia_cost_per_h100e=base.nvidia_cost_per_h100e,
        spend_2025_all=float(base.nvidia_spend[:, y25].sum()),
        h100e_2025_nvidia_all=float(base.nvidia_h100e[:, y25].sum()),
        h100e_2025_custom_all=float(base.custom_h100e[:, y25].sum()),
        tdp_2025_all=float(base.tdp[:, y25].sum()),
    )


def _first_index(mask: np.ndarray) -> np.ndarray:
    """First True along the last axis, -1 where none."""
    return np.where(mask.any(axis=-1), np.argmax(mask, axis=-1), -1)


def _economic_life(grid: Grid, ops: Operations) -> np.ndarray:
    """Years from commissioning until EBITDA turns non-positive or the cohort retires."""
    ended = (grid.age >= 0) & (~ops.alive | (ops.ebitda <= 0))
    first = np.argmax(ended, axis=-1)  # every cohort ends within the internal horizon
    return np.take_along_axis(np.broadcast_to(grid.age, ended.shape), first[..., None], axis=-1)[
        ..., 0
    ]


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the last axis, and the industry (all companies) appended."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per = ordered_sum(values * weights) / ordered_sum(weights)
        ind = ordered_sum(ordered_sum(values * weights)) / ordered_sum(ordered_sum(weights))
    return np.concatenate([per, ind[:, None]], axis=1)


_CHUNK = {"compiled": 4096, "numpy": 64}
"""Scenarios a chunk by default, per engine (memory stays bounded; results do not depend on it)."""

PART_MIN = 256
"""Fewest scenarios in a part of a chunk that is prepared on a thread of its own."""


def _prepare_parts(p: Params, grid: Grid, hist: HistoryArrays) -> list[tuple[Params, KernelInputs]]:
    """Split a chunk into row parts and build their kernel inputs concurrently.

    The NumPy preparation (cohorts, prices, demand) runs on one core while the kernel uses
    them all; with one part per Numba thread, prepared in threads (NumPy releases the GIL;
    the kernel's helper threads beside this one), it uses them all too. Every quantity is
    computed row by row, so a scenario's inputs do not depend on the part it falls in.
    """
    parts = max(1, min(numba.get_num_threads(), p.n // PART_MIN))
    bounds = [p.n * i // parts for i in range(parts + 1)]
    ps = [p.take(slice(a, b)) for a, b in pairwise(bounds)] if parts > 1 else [p]
    return list(zip(ps, map_in_threads(lambda q: prepare_kernel(q, grid, hist), ps), strict=True))


def _chunk_compiled(
    p: Params,
    grid: Grid,
    hist: HistoryArrays,
    with_breakeven: bool,
    keep: bool,
    llcr: bool,
    by_year: bool = False,
) -> tuple[dict, dict]:
    parts = [
        _kernel_columns(q, grid, run_kernel(k, llcr=llcr, by_year=by_year))
        for q, k in _prepare_parts(p, grid, hist)
    ]
    out = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    if with_breakeven:
        out.update(_breakeven_columns(p, grid, hist, "compiled"))
    series: dict[str, np.ndarray] = {}
    if keep:  # the quarterly series come from the reference engine
        _, series = _chunk(p, grid, hist, False, True, False)
    return out, series


def _kernel_columns(p: Params, grid: Grid, ko: KernelOutcomes) -> dict[str, np.ndarray]:
    """Return the outcome columns the kernel gives, per scenario and company (industry last)."""
    sm = ko.summary
    cover = {}
    if ko.loan_cover.shape[0]:
        cover = {
            "min_llcr": ko.loan_cover[..., 0],
            "first_llcr_below_1_q": ko.loan_cover[..., 1].astype(np.int64),
        }
    return {
        **cover,
        **_cohort_2026(p, ko.cohorts.capex[..., grid.v2026], ko.life_2026),
        "npv_2026": ko.programme[..., 0],
        "irr_2026": ko.programme[..., 1],
        "payback_years_2026": ko.programme[..., 2],
        "stranded_peak": sm[..., 0],
        "stranded_peak_q": sm[..., 1].astype(np.int64),
        "stranded_peak_to_2026": sm[..., 9],
        "stranded_peak_to_2026_q": sm[..., 10].astype(np.int64),
        "impairment_ifrs": sm[..., 2],
        "impairment_usgaap": sm[..., 3],
        "first_impairment_ifrs_q": sm[..., 4].astype(np.int64),
        "first_impairment_usgaap_q": sm[..., 5].astype(np.int64),
        "min_dscr": sm[..., 6],
        "min_interest_cover": sm[..., 8],
        "first_negative_fcf_y": sm[..., 7].astype(np.int64),
        **({"capex_year_peak": ko.year_peak} if ko.year_peak.shape[0] else {}),
    }


def _cohort_2026(p: Params, w2026: np.ndarray, life_2026: np.ndarray) -> dict[str, np.ndarray]:
    """Capex, booked and economic life of the 2026 cohorts, ``w2026`` their capex (S, K, 4)."""
    booked = np.broadcast_to(p["company.compute_life"][..., 0, 0], w2026.shape[:-1])
    return {
        "capex_2026": ordered_sum(add_industry(w2026)),
        "booked_life_years": _weighted(booked[..., None], ordered_sum(w2026, keepdims=True)),
        "economic_life_years": _weighted(life_2026, w2026),
    }


def _breakeven_columns(p: Params, grid: Grid, hist: HistoryArrays, engine: str) -> dict:
    return {
        "breakeven_demand_growth": breakeven(p, grid, hist, "growth", engine=engine),
        "breakeven_price_decline": breakeven(p, grid, hist, "decline", engine=engine),
    }


def _chunk(
    p: Params,
    grid: Grid,
    hist: HistoryArrays,
    with_breakeven: bool,
    keep: bool,
    llcr: bool,
    by_year: bool = False,
) -> tuple[dict, dict]:
    full_grid = grid
    cohorts = build_cohorts(p, full_grid, hist)
    ops = operate(p, full_grid, cohorts)
    grid, cohorts, ops = reported_vintages(full_grid, cohorts, ops)
    acc = accounts(p, grid, cohorts)
    val = value_assets(p, grid, cohorts, ops, acc, by_capex_year=keep or by_year)
    to_2026 = val.to_2026
    flows = company_flows(p, grid, cohorts, ops, acc)
    prog = programme_2026(p, grid, cohorts, ops, acc)
    life_v = _economic_life(grid, ops)  # (S, K, V)
    big = np.maximum(val.book_compute.max(axis=-1, keepdims=True), 1.0) * 1e-9
    annual_fcf = ordered_sum(flows.fcf_unlevered.reshape(*flows.fcf_unlevered.shape[:-1], -1, 4))
    out = {
        **_cohort_2026(p, cohorts.capex[..., grid.v2026], life_v[..., grid.v2026]),
        "npv_2026": prog.npv,
        "irr_2026": prog.irr,
        "payback_years_2026": prog.payback_years,
        "stranded_peak": val.stranded.max(-1),
        "stranded_peak_q": np.where(
            val.stranded.max(-1) > big[..., 0], val.stranded.argmax(-1), -1
        ),
        "stranded_peak_to_2026": to_2026.stranded.max(-1),
        "stranded_peak_to_2026_q": np.where(
            to_2026.stranded.max(-1) > big[..., 0], to_2026.stranded.argmax(-1), -1
        ),
        "impairment_ifrs": ordered_sum(val.ifrs.charge),
        "impairment_usgaap": ordered_sum(val.usgaap.charge),
        "first_impairment_ifrs_q": _first_index(val.ifrs.charge > big),
        "first_impairment_usgaap_q": _first_index(val.usgaap.charge > big),
        "min_dscr": np.nanmin(np.where(np.isnan(flows.dscr), np.inf, flows.dscr), axis=-1),
        "min_interest_cover": np.min(
            np.where(np.isnan(flows.interest_cover), np.inf, flows.interest_cover), axis=-1
        ),
        "first_negative_fcf_y": _first_index(annual_fcf < 0),
    }
    if llcr:
        with np.errstate(invalid="ignore"):
            out["min_llcr"] = np.fmin.reduce(flows.llcr, axis=-1)  # NaN only without debt
            out["first_llcr_below_1_q"] = _first_index(flows.llcr < 1.0)
    if by_year and val.by_capex_year is not None:
        out["capex_year_peak"] = val.by_capex_year.stranded.max(axis=-1)
    if with_breakeven:
        out.update(_breakeven_columns(p, full_grid, hist, "numpy"))
    series: dict[str, np.ndarray] = {}
    if keep:
        series = _series(grid, cohorts, ops, val, flows)
        series["economic_life"] = life_v
    return out, series


def _series(
    grid: Grid, cohorts: Cohorts, ops: Operations, val: Valuation, flows: CompanyFlows
) -> dict[str, np.ndarray]:
    n = grid.t_rep
    served = add_industry(ordered_sum(ops.served[..., :n], axis=-2))
    capacity = add_industry(ordered_sum(ops.capacity[..., :n], axis=-2))
    units = add_industry(ordered_sum(cohorts.units[..., None] * ops.alive[..., :n], axis=-2))
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(capacity > 0, served / capacity, np.nan)
    k1 = served.shape[1]
    book = val.book_compute + val.book_facilities
    extra = _rollforward_series(flows, val, book)
    to_2026, by_year = val.to_2026, val.by_capex_year
    assert by_year is not None  # asked for with the series
    return {
        **extra,
        "capex": flows.capex, "revenue": flows.revenue, "energy_cost": flows.energy,
        "fixed_opex": flows.fixed, "ebitda": flows.ebitda, "depreciation": flows.depreciation,
        "tax": flows.tax, "fcf_unlevered": flows.fcf_unlevered, "debt": flows.debt,
        "interest": flows.interest, "principal": flows.principal, "fcf_levered": flows.fcf_levered,
        "book_value": book, "book_compute": val.book_compute,
        "book_facilities": val.book_facilities, "value_in_use": val.value_in_use,
        "fair_value": val.fair_value, "recoverable_amount": val.recoverable,
        "economic_value": val.recoverable, "stranded_value": val.stranded,
        "depreciation_gap": val.gap, "impairment_ifrs": val.ifrs.charge,
        "impairment_usgaap": val.usgaap.charge, "carrying_ifrs": val.ifrs.carrying,
        "carrying_usgaap": val.usgaap.carrying, "demand": add_industry(ops.demand[..., 0, :n]),
        "capacity": capacity, "served": served, "utilisation": utilisation,
        "installed_units": units,
        "token_price": np.broadcast_to(ops.price[..., 0, :n], (served.shape[0], k1, n)),
        "dscr": flows.dscr, "interest_cover": flows.interest_cover, "llcr": flows.llcr,
        "book_compute_to_2026": to_2026.book_compute,
        "value_in_use_to_2026": to_2026.value_in_use, "fair_value_to_2026": to_2026.fair_value,
        "stranded_value_to_2026": to_2026.stranded,
        "book_by_capex_year": by_year.book_compute,
        "stranded_by_capex_year": by_year.stranded,
    }  # fmt: skip


def _rollforward_series(
    flows: CompanyFlows, val: Valuation, book: np.ndarray
) -> dict[str, np.ndarray]:
    """Return what a fixed-asset roll-forward needs beyond the other series.

    ``book_value_opening`` is the scheduled book value at the start of each quarter (the
    end of the previous one; the first from the accounts' opening balances). The
    depreciation under each standard is the booked one with the written-down cohorts'
    share replaced by its charge on their carrying amounts: the scheduled share is the
    same movement with every ratio 1, ``additions - (book_c - book_c before)``.
    """
    opening = val.opening_book
    if (
        opening is None
        or val.opening_compute is None
        or val.additions_compute is None
        or val.ifrs.depreciation is None
        or val.usgaap.depreciation is None
    ):
        raise ValueError("the roll-forward needs the accounts' opening balances")
    before = np.concatenate([opening[..., None], book[..., :-1]], axis=-1)
    before_c = np.concatenate([val.opening_compute[..., None], val.book_compute[..., :-1]], -1)
    scheduled_c = val.additions_compute - (val.book_compute - before_c)
    return {
        "book_value_opening": before,
        "reversal_ifrs": val.ifrs.reversal,
        "depreciation_ifrs": flows.depreciation - scheduled_c + val.ifrs.depreciation,
        "depreciation_usgaap": flows.depreciation - scheduled_c + val.usgaap.depreciation,
    }


def _outcome_frame(names: tuple[str, ...], out: dict[str, np.ndarray]) -> pd.DataFrame:
    s, k1 = out["npv_2026"].shape
    companies = [*names, "industry"]

    def label(q: np.ndarray) -> pd.Series:
        # object dtype keeps None for "never", whether or not other rows have a date
        q = q.ravel()
        table = np.array([None] + [quarter_label(i) for i in range(int(q.max(initial=0)) + 1)])
        return pd.Series(table[q + 1], dtype=object)

    frame = pd.DataFrame(
        {
            "scenario": np.repeat(np.arange(s), k1),
            # each company's name taken from one string array (not s copies to convert)
            "company": pd.array(companies, dtype="str").take(np.tile(np.arange(k1), s)),
            **{c: out[c].ravel() for c in OUTCOME_COLUMNS if c in out and c != "company"},
        }
    )
    frame["stranded_peak_date"] = label(out["stranded_peak_q"])
    frame["stranded_peak_to_2026_date"] = label(out["stranded_peak_to_2026_q"])
    frame["first_impairment_ifrs"] = label(out["first_impairment_ifrs_q"])
    frame["first_impairment_usgaap"] = label(out["first_impairment_usgaap_q"])
    if "min_llcr" in out:
        frame["min_llcr"] = out["min_llcr"].ravel()
        frame["first_llcr_below_1"] = label(out["first_llcr_below_1_q"])
    years = out["first_negative_fcf_y"].ravel().astype(np.int64)
    frame["first_negative_fcf_year"] = pd.arrays.IntegerArray(START_YEAR + years, years < 0)
    for column in ("breakeven_demand_growth", "breakeven_price_decline"):
        if column not in frame:
            frame[column] = np.nan
    extra = [c for c in LLCR_COLUMNS if c in frame]
    return frame[["scenario", *OUTCOME_COLUMNS, *extra]]


def _dataset(names: tuple[str, ...], grid: Grid, series: dict[str, np.ndarray]) -> xr.Dataset:
    companies = [*names, "industry"]
    quarters = [quarter_label(q) for q in range(grid.t_rep)]
    years = [START_YEAR + y for y in range(grid.t_rep // 4)]
    vintages = [quarter_label(int(v)) for v in grid.vintage[: grid.n_hist + grid.t_rep]]
    by_year = ("book_by_capex_year", "stranded_by_capex_year")
    data: dict[str, tuple[tuple[str, ...], np.ndarray]] = {
        k: (("scenario", "company", "quarter"), v)
        for k, v in series.items()
        if k not in ("dscr", "interest_cover", "economic_life", *by_year)
    }
    for k in by_year:  # each calendar year's capex valued alone
        data[k] = (("scenario", "company", "capex_year", "quarter"), series[k])
    for k in ("dscr", "interest_cover"):
        data[k] = (("scenario", "company", "year"), series[k])
    data["economic_life"] = (("scenario", "company_model", "vintage"), series["economic_life"])
    ds = xr.Dataset(
        data,
        coords={
            "company": companies,
            "company_model": list(names),
            "quarter": quarters,
            "year": years,
            "vintage": vintages,
            "capex_year": [START_YEAR - grid.n_hist // 4 + y for y in range(len(vintages) // 4)],
        },
    )
    for name in ds.data_vars:
        ds[name].attrs["units"] = SERIES_UNITS[str(name)]
    ds.attrs["units"] = (
        "money in USD per quarter (stocks at quarter end); tokens in Mtok; lives in years; "
        "each variable's own in its 'units' attribute"
    )
    return ds


def simulate(
    scenario: Scenario,
    samples: Mapping[str, np.ndarray] | None = None,
    *,
    breakeven: bool = True,
    keep_series: bool = True,
    chunk_size: int | None = None,
    engine: str = "compiled",
    llcr: bool = False,
    capex_years: bool = False,
) -> SimulationResult:
    """Run the cohort model.

    Parameters
    ----------
    scenario : Scenario
        The parameter set (:func:`strandrisk.load_scenario`). [-]
    samples : mapping of str to ndarray (S,), optional
        Per-scenario values of numeric parameters (dotted keys of
        :meth:`Scenario.flat`); without it a single scenario is run. [canonical units]
    breakeven : bool
        Solve break-even demand growth and price decline (about 130 extra model passes
        per chunk). [-]
    keep_series : bool
        Return the quarterly series as an xarray Dataset. [-]
    chunk_size : int, optional
        Scenarios per chunk (default 4,096 for the compiled engine, 64 for NumPy); results
        do not depend on it. [-]
    engine : {"compiled", "numpy"}
        ``compiled`` runs dispatch, books, valuation and impairment in the Numba kernel
        (:mod:`strandrisk.engine.compiled`); ``numpy`` is the plain, vectorised reference.
        The two agree to rounding (tested). Quarterly series always come from the
        reference engine. [-]
    llcr : bool
        Add :data:`LLCR_COLUMNS` to the outcome table: each company's lowest quarterly loan
        life cover ratio and the first quarter it falls below 1 (about a third to a half
        more work in the compiled engine; the quarterly ratio is the series ``llcr``). [-]
    capex_years : bool
        Also value each calendar year's capex alone and keep the peak of its stranded value
        per scenario and company (``SimulationResult.capex_year_peak``), without the
        quarterly series. [-]

    Returns
    -------
    SimulationResult
        Outcome table and series.

    Raises
    ------
    TypeError
        If ``scenario`` is not a :class:`Scenario` (a preset name, say).
    ValueError
        For samples a scenario file would refuse: an unknown or non-numeric key, arrays
        of different lengths, NaN or inf, a value outside the parameter's allowed range,
        capex shares that do not add to 1 (the message names the key and the scenario).

    Examples
    --------
    >>> import strandrisk as sr
    >>> result = sr.simulate(sr.load_scenario("base"), breakeven=False)
    >>> list(result.outcomes["company"])[-1]
    'industry'
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario: expected a Scenario, got {type(scenario).__name__} {scenario!r:.60}; "
            "make one with strandrisk.load_scenario('base') (a preset name or a TOML path)"
        )
    if engine not in ("compiled", "numpy"):
        raise ValueError(f"engine must be 'compiled' or 'numpy', got {engine!r}")
    if chunk_size is None:
        chunk_size = _CHUNK[engine]
    chunk_size = whole_number("chunk_size", chunk_size, 1)
    arrays, ds = _run(
        scenario, samples, breakeven, keep_series, chunk_size, engine, llcr, capex_years
    )
    return SimulationResult(
        scenario=scenario,
        outcomes=arrays.frame(),
        series=ds,
        capex_year_peak=arrays.capex_year_peak,
        capex_years=arrays.capex_years,
    )


@dataclass(frozen=True, slots=True)
class OutcomeArrays:
    """The outcome table's columns as arrays, before the table is made.

    What a Monte Carlo task reduces: a quantile sketch of a company's outcome reads its
    column of an array, and a first event's year its quarter index, with no table between.

    Attributes
    ----------
    companies : tuple of str
        The scenario's companies, in order (the arrays' last column is the industry). [-]
    columns : dict of str to ndarray, shape (S, K+1)
        :func:`simulate`'s outcome columns per scenario and company, quarters and years as
        indices from 2026 (``*_q``, ``*_y``; -1 for never). [units of each column]
    capex_year_peak : ndarray, shape (S, K+1, Y), or None
        As :attr:`SimulationResult.capex_year_peak`. [USD]
    capex_years : tuple of int
        The calendar years of ``capex_year_peak``'s last axis. [year]
    """

    companies: tuple[str, ...]
    columns: dict[str, np.ndarray]
    capex_year_peak: np.ndarray | None = None
    capex_years: tuple[int, ...] = ()

    def frame(self, scenarios: int | None = None) -> pd.DataFrame:
        """Return the outcome table, as :func:`simulate` does, of the first ``scenarios`` (all).

        Parameters
        ----------
        scenarios : int, optional
            How many of the first scenarios. [count]
        """
        columns = self.columns
        if scenarios is not None:
            columns = {k: v[:scenarios] for k, v in columns.items()}
        return _outcome_frame(self.companies, columns)


def outcome_arrays(
    scenario: Scenario,
    samples: Mapping[str, np.ndarray],
    *,
    llcr: bool = False,
    capex_years: bool = False,
) -> OutcomeArrays:
    """:func:`simulate`'s outcomes on the compiled engine, as arrays rather than a table.

    Without break-even solves or series (what a Monte Carlo task asks for);
    :meth:`OutcomeArrays.frame` gives the table ``simulate`` would.

    Parameters
    ----------
    scenario : Scenario
        The parameter set. [-]
    samples : mapping of str to ndarray (S,)
        Per-scenario values of numeric parameters. [canonical units]
    llcr, capex_years : bool
        As :func:`simulate`. [-]
    """
    arrays, _ = _run(
        scenario, samples, False, False, _CHUNK["compiled"], "compiled", llcr, capex_years
    )
    return arrays


def _run(
    scenario: Scenario,
    samples: Mapping[str, np.ndarray] | None,
    breakeven: bool,
    keep_series: bool,
    chunk_size: int,
    engine: str,
    llcr: bool,
    capex_years: bool,
) -> tuple[OutcomeArrays, xr.Dataset | None]:
    """Run the chunks and merge their outcome columns (and series, if kept)."""
    run_chunk = _chunk_compiled if engine == "compiled" else _chunk
    keep_freed_memory()
    params = build_params(scenario, samples)
    hist = _history(params.companies)
    grid = make_grid(scenario.years)
    outs, series = [], []
    for start in range(0, params.n, chunk_size):
        out, ser = run_chunk(
            params.take(slice(start, start + chunk_size)),
            grid,
            hist,
            breakeven,
            keep_series,
            llcr,
            capex_years,
        )
        outs.append(out)
        series.append(ser)
    merged = {k: np.concatenate([o[k] for o in outs]) for k in outs[0]}
    for column in ("min_dscr", "min_interest_cover"):  # inf: no debt service, no interest
        merged[column][merged[column] == np.inf] = np.nan
    peaks = merged.pop("capex_year_peak", None)
    ds = None
    if keep_series:
        ds = _dataset(
            params.companies, grid, {k: np.concatenate([s[k] for s in series]) for k in series[0]}
        )
    years = tuple(int(y) for y in year_labels(grid)) if peaks is not None else ()
    return OutcomeArrays(params.companies, merged, peaks, years), ds


def value_paths(
    scenario: Scenario, samples: Mapping[str, np.ndarray] | None = None
) -> dict[str, Any]:
    """Book, economic and stranded value per quarter from the compiled engine.

    What the Monte Carlo fan charts need, without the full quarterly series.

    Parameters
    ----------
    scenario : Scenario
        The parameter set. [-]
    samples : mapping of str to ndarray (S,), optional
        Per-scenario values of numeric parameters. [canonical units]

    Returns
    -------
    dict
        ``stranded_value``, ``book_value``, ``economic_value``: arrays (S, K+1, quarters)
        [USD]; ``companies`` and ``quarters``: their labels.
    """
    keep_freed_memory()
    params = build_params(scenario, samples)
    grid = make_grid(scenario.years)
    ko = run_kernel(prepare_kernel(params, grid, _history(params.companies)), keep_values=True)
    return {
        "stranded_value": ko.values[:, :, 0],
        "book_value": ko.values[:, :, 3],
        "economic_value": ko.values[:, :, 4],
        "companies": [*params.companies, "industry"],
        "quarters": [quarter_label(q) for q in range(grid.t_rep)],
    }
