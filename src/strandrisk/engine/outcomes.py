"""The outcome table, the quarterly series and the result ``simulate`` returns.

Column and variable names with their units, ISO quarter labels, :class:`SimulationResult`
and the readers of a result's series at a quarter (:func:`position_at`). Re-exported by
:mod:`strandrisk.engine.simulate`, which computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from strandrisk.engine.model import START_YEAR
from strandrisk.errors import InputError
from strandrisk.scenarios.schema import Scenario

__all__ = [
    "LLCR_COLUMNS",
    "OUTCOME_COLUMNS",
    "OUTCOME_UNITS",
    "SERIES_UNITS",
    "VALUE_AT_COLUMNS",
    "SimulationResult",
    "position_at",
    "quarter_label",
]


OUTCOME_COLUMNS: tuple[str, ...] = (
    "company",
    "capex_2026",
    "booked_life_years",
    "economic_life_years",
    "npv_2026",
    "irr_2026",
    "payback_years_2026",
    "stranded_peak",
    "stranded_peak_date",
    "stranded_peak_to_2026",
    "stranded_peak_to_2026_date",
    "impairment_ifrs",
    "impairment_usgaap",
    "first_impairment_ifrs",
    "first_impairment_usgaap",
    "min_dscr",
    "min_interest_cover",
    "first_negative_fcf_year",
    "breakeven_demand_growth",
    "breakeven_price_decline",
)
"""Columns of the outcome table (money in USD, rates per year, dates as ISO quarters)."""

OUTCOME_UNITS: dict[str, str] = {
    "capex_2026": "USD",
    "booked_life_years": "year",
    "economic_life_years": "year",
    "npv_2026": "USD",
    "irr_2026": "1/year",  # effective annual rate
    "payback_years_2026": "year",
    "stranded_peak": "USD",
    "stranded_peak_date": "ISO quarter",
    "stranded_peak_to_2026": "USD",
    "stranded_peak_to_2026_date": "ISO quarter",
    "impairment_ifrs": "USD",
    "impairment_usgaap": "USD",
    "first_impairment_ifrs": "ISO quarter",
    "first_impairment_usgaap": "ISO quarter",
    "min_dscr": "ratio",
    "min_interest_cover": "ratio",
    "first_negative_fcf_year": "year (date)",
    "breakeven_demand_growth": "1/year",  # continuous rates, like the parameters
    "breakeven_price_decline": "1/year",
    "min_llcr": "ratio",
    "first_llcr_below_1": "ISO quarter",
}
"""Unit of each column of the outcome table but ``company``: rates are fractions per year
(``irr_2026`` effective annual, the break-even values continuous like the parameters they
solve for), ``min_dscr`` the lowest annual debt-service cover, ``min_interest_cover`` the
lowest annual EBIT over interest, dates ISO quarters or years."""

LLCR_COLUMNS: tuple[str, ...] = ("min_llcr", "first_llcr_below_1")
"""Columns the outcome table gains with ``simulate(..., llcr=True)``: the lowest quarterly
loan life cover ratio over the horizon (NaN without debt) and the first quarter it is below
1 (null if never)."""

_FLOW = "USD/quarter"
SERIES_UNITS: dict[str, str] = {
    **dict.fromkeys(
        ("capex", "revenue", "energy_cost", "fixed_opex", "ebitda", "depreciation", "tax",
         "fcf_unlevered", "interest", "principal", "fcf_levered", "impairment_ifrs",
         "impairment_usgaap", "reversal_ifrs", "depreciation_ifrs", "depreciation_usgaap"),
        _FLOW,
    ),
    **dict.fromkeys(
        ("debt", "book_value", "book_value_opening", "book_compute", "book_facilities",
         "value_in_use", "fair_value", "recoverable_amount", "economic_value", "stranded_value",
         "depreciation_gap", "carrying_ifrs", "carrying_usgaap", "book_compute_to_2026",
         "value_in_use_to_2026", "fair_value_to_2026", "stranded_value_to_2026",
         "book_by_capex_year", "stranded_by_capex_year"),
        "USD",
    ),
    "demand": "Mtok/quarter",
    "capacity": "Mtok/quarter",
    "served": "Mtok/quarter",
    "utilisation": "fraction",
    "installed_units": "H100e",
    "token_price": "USD/Mtok",
    "dscr": "ratio",
    "interest_cover": "ratio",
    "llcr": "ratio",
    "economic_life": "year",
}  # fmt: skip
"""Unit of each variable of :attr:`SimulationResult.series` (also its ``units`` attribute):
flows per quarter, stocks (``USD``) at quarter end, ``dscr`` and ``interest_cover`` (EBIT
over interest) per year, ``economic_life`` per cohort, ``book_by_capex_year`` and
``stranded_by_capex_year`` per calendar year of capex (each year's cohorts valued alone);
``H100e`` counts units of compute in H100 equivalents."""


def quarter_label(index: int) -> str:
    """ISO quarter of reporting quarter ``index`` (0 is 2026Q1).

    Parameters
    ----------
    index : int
        Reporting quarter counted from 2026Q1 (>= 0). [quarter]
    """
    return f"{START_YEAR + index // 4}Q{index % 4 + 1}"


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    scenario : Scenario
        The scenario run.
    outcomes : pandas.DataFrame
        One row per scenario and company (industry included), columns ``scenario`` and
        :data:`OUTCOME_COLUMNS` (and :data:`LLCR_COLUMNS` when asked for).
    series : xarray.Dataset or None
        Quarterly series with dims (scenario, company, quarter), each calendar year's capex
        valued alone with dims (scenario, company, capex_year, quarter), and per-cohort lives
        with dims (scenario, company, vintage); ``None`` if not kept.
    capex_year_peak : ndarray, shape (S, K+1, Y), or None
        With ``simulate(..., capex_years=True)``: each calendar year's capex (``capex_years``)
        valued alone, the peak of its stranded value over the horizon, per scenario and
        company (industry last). [USD]
    capex_years : tuple of int
        The calendar years of ``capex_year_peak``'s last axis (2022 on). [year]
    """

    scenario: Scenario
    outcomes: pd.DataFrame
    series: xr.Dataset | None
    capex_year_peak: np.ndarray | None = None
    capex_years: tuple[int, ...] = ()

    def stranded_by_capex_year(self, company: str = "industry", scenario: int = 0) -> pd.DataFrame:
        """Which year's capex strands: each calendar year's cohorts valued as a group alone.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]
        scenario : int
            Row of a batch (0 for a single scenario). [-]

        Returns
        -------
        pandas.DataFrame
            Index ``capex_year``; ``stranded_peak`` (the largest stranded value of the year's
            cohorts over the horizon) [USD], ``stranded_peak_date`` (its quarter, None if
            none is stranded) and ``book_at_peak`` (their compute + network book then) [USD].

        Raises
        ------
        InputError
            No series kept, an unknown company or no such scenario.
        """
        self.scenario.check_company(company)
        one = _one_scenario(self._kept_series("stranded_by_capex_year"), scenario)
        one = one.sel(company=company)
        stranded = one["stranded_by_capex_year"].to_numpy()  # (capex_year, quarter)
        book = one["book_by_capex_year"].to_numpy()
        at = stranded.argmax(axis=-1)
        peak = np.take_along_axis(stranded, at[:, None], axis=-1)[:, 0]
        quarters = one["quarter"].to_numpy()
        index = pd.Index(one["capex_year"].to_numpy(), name="capex_year")
        dates = [str(quarters[i]) if v > 0 else None for i, v in zip(at, peak, strict=True)]
        frame = pd.DataFrame({"stranded_peak": peak}, index=index)
        frame["stranded_peak_date"] = pd.Series(dates, index=index, dtype=object)  # None: never
        frame["book_at_peak"] = np.take_along_axis(book, at[:, None], axis=-1)[:, 0]
        return frame

    def value_at(self, quarter: str, scenario: int = 0) -> pd.DataFrame:
        """Each company's position at the end of one quarter: book, value, impairment.

        What an analyst reads off for a date ("Meta's stranded book value in 2029Q4"):
        the stocks at the quarter's end, the impairment charged up to and including it (net
        of IFRS reversals), and the quarter's own utilisation and EBITDA.

        Parameters
        ----------
        quarter : str
            An ISO quarter of the horizon, such as ``"2029Q4"``. [ISO quarter]
        scenario : int
            Which scenario of the run (its position, from 0). [-]

        Returns
        -------
        pandas.DataFrame
            Index company (industry last); columns :data:`VALUE_AT_COLUMNS`: money in USD,
            utilisation a fraction.

        Raises
        ------
        InputError
            No series kept (``keep_series=False``), a quarter outside the horizon, or no such
            scenario.
        """
        return position_at(self._kept_series("value_at"), quarter, scenario)

    def _kept_series(self, what: str) -> xr.Dataset:
        """Return the series, or refuse ``what`` on a result that did not keep them."""
        if self.series is None:
            raise InputError(f"{what} needs the quarterly series: simulate with keep_series=True")
        return self.series


VALUE_AT_COLUMNS = (
    "book_compute",
    "value_in_use",
    "fair_value",
    "stranded_value",
    "book_compute_to_2026",
    "stranded_value_to_2026",
    "book_facilities",
    "book_value",
    "recoverable_amount",
    "carrying_ifrs",
    "impairment_ifrs_to_date",
    "carrying_usgaap",
    "impairment_usgaap_to_date",
    "utilisation",
    "ebitda",
)
"""Columns of :meth:`SimulationResult.value_at`: the stocks at the quarter's end (the
scheduled book of compute and network, its value in use and fair value, the stranded value
``max(0, book_compute - max(value_in_use, fair_value))``, the book and stranded value of
today's capital (the vintages to 2026Q4, valued on their own), the facilities' book, the whole
book, the recoverable amount with facilities, the carrying amounts), the impairment charged
up to it (net of IFRS reversals) [USD], the quarter's utilisation [fraction] and EBITDA
[USD/quarter]."""


def position_at(series: xr.Dataset, quarter: str, scenario: int = 0) -> pd.DataFrame:
    """Each company's position at the end of one quarter, from a run's quarterly series.

    :meth:`SimulationResult.value_at` on a result; also for series read back from a store.

    Parameters
    ----------
    series : xarray.Dataset
        Quarterly series with dims (scenario, company, quarter), or (company, quarter) for
        one scenario, holding the variables :data:`VALUE_AT_COLUMNS` is read from. [USD]
    quarter : str
        An ISO quarter of the horizon, such as ``"2029Q4"``. [ISO quarter]
    scenario : int
        Which scenario (its position, from 0). [-]

    Returns
    -------
    pandas.DataFrame
        Index company; columns :data:`VALUE_AT_COLUMNS`. [USD, fraction]

    Raises
    ------
    InputError
        A quarter outside the horizon, or no such scenario.
    """
    ds = series
    quarters = [str(q) for q in ds["quarter"].values]
    if quarter not in quarters:
        raise InputError(
            f"quarter {quarter!r}: not in the horizon, {quarters[0]} to {quarters[-1]}"
        )
    one = _one_scenario(ds, scenario)
    upto = one.sel(quarter=quarters[: quarters.index(quarter) + 1])
    at = one.sel(quarter=quarter)
    columns = {name: at[name].to_numpy() for name in VALUE_AT_COLUMNS if name in one.data_vars}
    for standard in ("ifrs", "usgaap"):
        columns[f"impairment_{standard}_to_date"] = (
            upto[f"impairment_{standard}"].sum("quarter").to_numpy()
        )
    index = pd.Index([str(c) for c in ds["company"].values], name="company")
    # a run stored before a column was kept has NaN in it
    return pd.DataFrame(columns, index=index).reindex(columns=list(VALUE_AT_COLUMNS))


def _one_scenario(ds: xr.Dataset, scenario: int) -> xr.Dataset:
    """Return one scenario's series, refusing a scenario the run does not have."""
    n = ds.sizes.get("scenario", 1)  # a single scenario's series may have dropped the axis
    if not 0 <= scenario < n:
        raise InputError(f"scenario {scenario}: the run has {n} (0 to {n - 1})")
    return ds.isel(scenario=scenario) if "scenario" in ds.dims else ds
