"""Trend fits over dated observations: ``fit_trend(dates, values)``.

A thin layer over :func:`strandrisk.core.trend.fit_log_linear` that accepts calendar
dates and reports the figures an analyst quotes: annual factor with its 95 % interval,
doubling or halving time, R².
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.core.trend import fit_log_linear
from strandrisk.errors import InputError

__all__ = ["DAYS_PER_YEAR", "TrendFit", "decimal_years_to_dates", "fit_trend", "to_years"]

DAYS_PER_YEAR = 365.25
"""Days in the (Julian) year used to turn dates into years."""


@dataclass(frozen=True, slots=True)
class TrendFit:
    """A fitted exponential trend ``value = exp(a + r t)``.

    Attributes
    ----------
    n : int
        Observations used. [count]
    start, end : str
        ISO dates of the first and last observation.
    rate_per_year : float
        Slope ``r`` of ``ln(value)`` on time. [1/year]
    rate_ci95 : tuple of float
        95 % t interval of ``r``. [1/year]
    r2 : float
        Coefficient of determination on the log scale. [fraction]
    skipped : int
        Rows skipped before fitting for empty cells. [count]
    """

    n: int
    start: str
    end: str
    rate_per_year: float
    rate_ci95: tuple[float, float]
    r2: float
    skipped: int = 0

    @property
    def annual_factor(self) -> float:
        """Value one year later divided by value now; < 1 for a decline. [x/year]."""
        return math.exp(self.rate_per_year)

    @property
    def annual_factor_ci95(self) -> tuple[float, float]:
        """95 % interval of :attr:`annual_factor`. [x/year]."""
        return (math.exp(self.rate_ci95[0]), math.exp(self.rate_ci95[1]))

    @property
    def doubling_time_years(self) -> float | None:
        """``ln 2 / r`` for a growing series, else ``None``. [year]."""
        return math.log(2.0) / self.rate_per_year if self.rate_per_year > 0 else None

    @property
    def halving_time_years(self) -> float | None:
        """``ln 2 / -r`` for a declining series, else ``None``. [year]."""
        return math.log(2.0) / -self.rate_per_year if self.rate_per_year < 0 else None

    def to_dict(self) -> dict[str, object]:
        """Return the fit as the JSON object printed by ``strandrisk fit --json``."""
        return {
            "n": self.n,
            "start": self.start,
            "end": self.end,
            "annual_factor": self.annual_factor,
            "annual_factor_ci95": list(self.annual_factor_ci95),
            "doubling_time_years": self.doubling_time_years,
            "halving_time_years": self.halving_time_years,
            "rate_per_year": self.rate_per_year,
            "r2": self.r2,
            "skipped": self.skipped,
        }


def decimal_years_to_dates(years: np.ndarray) -> np.ndarray:
    """Turn decimal calendar years (2024, 2024.5) into dates.

    Parameters
    ----------
    years : ndarray of float
        Calendar years with a fraction of the year. [year]

    Returns
    -------
    ndarray of datetime64[D]
        1 January of the year plus the fraction times 365.25 days, to the nearest day.
    """
    years = np.asarray(years, dtype=float)
    start = (np.floor(years) - 1970).astype("int64").astype("datetime64[Y]")
    days = (years - np.floor(years)) * DAYS_PER_YEAR
    return (start.astype("datetime64[D]") + np.round(days).astype("timedelta64[D]")).astype(
        "datetime64[D]"
    )


def to_years(dates: Sequence[object] | np.ndarray) -> np.ndarray:
    """Convert dates to decimal years since 1970-01-01.

    Parameters
    ----------
    dates : sequence
        ISO strings, ``datetime``/``date`` objects, ``numpy.datetime64`` values, or numbers
        read as decimal calendar years (:func:`decimal_years_to_dates`). [-]

    Returns
    -------
    ndarray of float
        Days since 1970-01-01 divided by 365.25. [year]

    Raises
    ------
    InputError
        If a date cannot be parsed.
    """
    arr = np.asarray(dates)
    if arr.dtype.kind in "iuf":  # decimal calendar years, as in a CSV's date column
        if not np.all(np.isfinite(arr)):
            raise InputError(f"cannot read {arr[~np.isfinite(arr)][0]!r} as a year")
        arr = decimal_years_to_dates(arr)
    if np.issubdtype(arr.dtype, np.datetime64):
        days = arr.astype("datetime64[D]").astype("int64")
    else:
        parsed = pd.to_datetime(pd.Series(list(arr), dtype=object), errors="coerce", format="mixed")
        if parsed.isna().any():
            bad = arr[parsed.isna().to_numpy()][0]
            raise InputError(f"cannot parse date {bad!r}")
        days = parsed.to_numpy().astype("datetime64[D]").astype("int64")
    return days / DAYS_PER_YEAR


def _iso(years: float) -> str:
    return str(np.datetime64(round(years * DAYS_PER_YEAR), "D"))


def fit_trend(
    dates: Sequence[object] | np.ndarray, values: Sequence[float] | np.ndarray, *, skipped: int = 0
) -> TrendFit:
    """Fit an exponential trend to dated values by least squares on ``ln(value)``.

    Parameters
    ----------
    dates : sequence
        Observation dates (ISO strings, dates or ``datetime64``). [-]
    values : sequence of float
        Positive observations, same length as ``dates``. [any unit]
    skipped : int, optional
        Rows the caller dropped for empty cells, reported back. [count]

    Returns
    -------
    TrendFit
        Rate per year with its 95 % interval, annual factor, doubling/halving time, R².

    Raises
    ------
    InputError
        Fewer than 3 observations, a non-positive or non-finite value, lengths that differ,
        an unparseable date, or all observations on one date.

    Examples
    --------
    >>> fit = fit_trend(["2020-01-01", "2021-01-01", "2022-01-01"], [100.0, 50.0, 25.0])
    >>> round(fit.halving_time_years, 2)
    1.0
    """
    t = to_years(dates)
    v = np.asarray(values, dtype=float)
    if t.shape != v.shape or t.ndim != 1:
        raise InputError(f"dates and values must be 1-D of one length, got {t.shape} and {v.shape}")
    bad = ~(np.isfinite(v) & (v > 0))
    if bad.any():
        raise InputError(
            f"values must be positive to fit a trend on a log scale; "
            f"{int(bad.sum())} are not (first: {float(v[bad][0]):g})"
        )
    if v.size < 3:
        raise InputError(f"at least 3 usable rows are needed for a trend, got {v.size}")
    try:
        core = fit_log_linear(t, v)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    lo, hi = core.rate_ci95
    return TrendFit(
        n=int(core.n),
        start=_iso(float(t.min())),
        end=_iso(float(t.max())),
        rate_per_year=float(core.rate_per_year),
        rate_ci95=(float(lo), float(hi)),
        r2=float(core.r2),
        skipped=skipped,
    )
