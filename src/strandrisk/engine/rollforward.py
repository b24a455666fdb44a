"""The fixed-asset roll-forward an auditor ties, year by year, under IFRS or US GAAP.

Opening + additions - depreciation - impairment + reversals = closing. Built from a
simulation's series (:attr:`SimulationResult.series`): the carrying amounts after each
standard's test, the capex, the depreciation charged on carrying amounts (after write-downs,
IAS 36.63 / ASC 360-10-35-20), the gross losses and the IFRS reversals. The pieces come from
separate parts of the model (the booked schedule, the impairment test's allocation of each
loss to the cohorts), so the ``difference`` column is a real check: it is zero, to rounding,
when the books and the impairment bookkeeping agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from strandrisk.errors import InputError

__all__ = ["ROLLFORWARD_COLUMNS", "STANDARDS", "rollforward", "rollforward_table"]

STANDARDS = ("ifrs", "usgaap")
"""The standards a roll-forward follows: IAS 36 (with reversals) and ASC 360."""
ROLLFORWARD_COLUMNS = (
    "opening",
    "additions",
    "depreciation",
    "impairment",
    "reversals",
    "closing",
    "difference",
)
"""Columns of a roll-forward, in USD; ``difference`` is what fails to tie."""


def rollforward(
    series: xr.Dataset, company: str = "industry", standard: str = "ifrs", scenario: int = 0
) -> pd.DataFrame:
    """Return the yearly roll-forward of one company's AI infrastructure under one standard.

    Parameters
    ----------
    series : xarray.Dataset
        :attr:`SimulationResult.series` (or one scenario of it). [USD]
    company : str
        A company of the run, or ``"industry"``. [-]
    standard : {"ifrs", "usgaap"}
        IAS 36 (losses and reversals) or ASC 360 (losses only). [-]
    scenario : int
        Which scenario, when ``series`` has several. [-]

    Returns
    -------
    pandas.DataFrame
        Index year; columns :data:`ROLLFORWARD_COLUMNS`: the carrying amount at the start
        of the year (the booked value before the first year: nothing was impaired before
        the model starts), capex, depreciation on carrying amounts, gross impairment
        losses, reversals, the carrying amount at the end of the year, and ``opening +
        additions - depreciation - impairment + reversals - closing``. [USD]
    """
    if standard not in STANDARDS:
        raise InputError(f"standard {standard!r}: one of {', '.join(STANDARDS)}")
    ds = series.isel(scenario=scenario) if "scenario" in series.dims else series
    companies = [str(c) for c in ds["company"].values]
    if company not in companies:
        raise InputError(f"company {company!r}: the run has {', '.join(companies)}")
    ds = ds.sel(company=company)

    def quarterly(name: str) -> np.ndarray:
        return np.asarray(ds[name].values, dtype=float)

    carrying = quarterly(f"carrying_{standard}")
    years = len(carrying) // 4
    by_year = (years, 4)
    reversal = quarterly("reversal_ifrs") if standard == "ifrs" else np.zeros_like(carrying)
    closing = carrying.reshape(by_year)[:, -1]
    opening = np.concatenate([quarterly("book_value_opening")[:1], closing[:-1]])
    additions = quarterly("capex").reshape(by_year).sum(axis=1)
    depreciation = quarterly(f"depreciation_{standard}").reshape(by_year).sum(axis=1)
    losses = (quarterly(f"impairment_{standard}") + reversal).reshape(by_year).sum(axis=1)
    reversals = reversal.reshape(by_year).sum(axis=1)
    difference = opening + additions - depreciation - losses + reversals - closing
    first = int(str(ds["quarter"].values[0])[:4])
    return pd.DataFrame(
        {
            "opening": opening,
            "additions": additions,
            "depreciation": depreciation,
            "impairment": losses,
            "reversals": reversals,
            "closing": closing,
            "difference": difference,
        },
        index=pd.Index(range(first, first + years), name="year"),
    )


def rollforward_table(series: xr.Dataset, scenario: int = 0) -> pd.DataFrame:
    """Return every company's roll-forward under both standards as one long table.

    Parameters
    ----------
    series : xarray.Dataset
        :attr:`SimulationResult.series`. [USD]
    scenario : int
        Which scenario. [-]

    Returns
    -------
    pandas.DataFrame
        Columns ``company``, ``standard``, ``year`` and :data:`ROLLFORWARD_COLUMNS`. [USD]
    """
    parts = []
    for company in (str(c) for c in series["company"].values):
        for standard in STANDARDS:
            frame = rollforward(series, company, standard, scenario).reset_index()
            frame.insert(0, "standard", standard)
            frame.insert(0, "company", company)
            parts.append(frame)
    return pd.concat(parts, ignore_index=True)
