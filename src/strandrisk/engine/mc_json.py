"""The JSON form of a Monte Carlo run's summary: its blocks' shapes and their units.

What :meth:`strandrisk.engine.mc_result.MCResult.as_json` assembles, block by block, from the
result's tables (pandas frames in, plain dicts of numbers and ``None`` out), and the unit of
each block (:data:`JSON_UNITS`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from strandrisk.core.drivers import variance_contribution
from strandrisk.jsonable import json_number, json_rows

__all__ = [
    "JSON_UNITS",
    "breaches_json",
    "capex_years_json",
    "drivers_json",
    "intervals_json",
    "loan_cover_json",
    "scenarios_json",
    "together_json",
]


def intervals_json(
    intervals: pd.DataFrame, levels: Sequence[float]
) -> dict[str, dict[str, list[float | None]]]:
    """Return each quantile's interval as ``[low, high]`` per ``company.outcome``.

    Parameters
    ----------
    intervals : pandas.DataFrame
        Indexed by (company, outcome), columns ``pNN_low`` and ``pNN_high``. [USD]
    levels : sequence of float
        The quantiles' levels, ``NN`` their percent. [fraction]
    """
    return {
        f"{company}.{outcome}": {
            f"p{round(level * 100)}": [
                json_number(row[f"p{round(level * 100)}_low"]),
                json_number(row[f"p{round(level * 100)}_high"]),
            ]
            for level in levels
        }
        for (company, outcome), row in intervals.iterrows()
    }


def scenarios_json(scenarios: pd.DataFrame, significant: float) -> dict[str, dict]:
    """Return the scenario analysis per ``company.outcome.band``: its share and parameters.

    Parameters
    ----------
    scenarios : pandas.DataFrame
        Indexed by (company, outcome, band, parameter), columns ``median_subset``,
        ``median_all``, ``sd``, ``delta_sd`` and ``share``, largest ``|delta_sd|`` first. [-]
    significant : float
        Keep the parameters whose ``|delta_sd|`` is above this. [sd]
    """
    out: dict[str, dict] = {}
    for (company, outcome, band), frame in scenarios.groupby(level=[0, 1, 2], sort=False):
        kept = frame[frame["delta_sd"].abs() > significant]
        out[f"{company}.{outcome}.{band}"] = {
            "share": json_number(frame["share"].iloc[0]),
            "parameters": {
                str(p): {
                    c: json_number(row[c]) for c in ("delta_sd", "median_subset", "median_all")
                }
                for (*_, p), row in kept.iterrows()
            },
        }
    return out


def drivers_json(drivers: pd.DataFrame) -> dict[str, dict]:
    """Return the rank drivers per ``company.outcome``: ``r2`` and each parameter's measures.

    Each parameter's ``contribution`` is Crystal Ball's contribution to variance
    (:func:`~strandrisk.core.drivers.variance_contribution`) over all the outcome's parameters.

    Parameters
    ----------
    drivers : pandas.DataFrame
        Indexed by (company, outcome, parameter), columns ``r2``, ``spearman``,
        ``spearman_pm`` and ``srrc``. [-]
    """
    out: dict[str, dict] = {}
    for (company, outcome), frame in drivers.groupby(level=[0, 1], sort=False):
        shares = variance_contribution(frame["spearman"].to_numpy())
        out[f"{company}.{outcome}"] = {
            "r2": json_number(frame["r2"].iloc[0]),
            "parameters": {
                str(p): {
                    **{c: json_number(row[c]) for c in ("spearman", "spearman_pm", "srrc")},
                    "contribution": json_number(share),
                }
                for ((_, _, p), row), share in zip(frame.iterrows(), shares, strict=True)
            },
        }
    return out


def capex_years_json(tables: Mapping[str, pd.DataFrame | None]) -> dict[str, object] | None:
    """Return each company's capex-year table by year (None where no company has one).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame or None
        Per company, :func:`strandrisk.engine.mc_result.capex_year_table`'s frame. [USD]
    """
    out: dict[str, object] = {
        company: {
            str(year): {k: json_number(v) for k, v in row.items()} for year, row in table.iterrows()
        }
        for company, table in tables.items()
        if table is not None
    }
    return out or None


def loan_cover_json(lowest: pd.DataFrame, below_1: pd.DataFrame) -> dict[str, object]:
    """Return the loan life cover block: the lowest LLCR's table, and its fall below 1 by year.

    Parameters
    ----------
    lowest : pandas.DataFrame
        :meth:`~strandrisk.engine.mc_result.MCResult.loan_cover`. [ratio, fraction]
    below_1 : pandas.DataFrame
        Indexed by (year, company), column ``share``. [fraction]
    """
    by_year = below_1["share"].unstack("company")
    return {
        "lowest": json_rows(lowest),
        "below_1_by_year": {
            str(year): {str(c): json_number(v) for c, v in row.items()}
            for year, row in by_year.iterrows()
        },
    }


def together_json(together: pd.DataFrame) -> dict[str, dict[str, dict[str, float]]]:
    """Return how many companies at once, by event and year: the share for each count.

    Parameters
    ----------
    together : pandas.DataFrame
        :attr:`~strandrisk.engine.mc_result.MCResult.together`: index (event, year), a
        column per number of companies. [fraction]
    """
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (event, year), row in together.iterrows():
        out.setdefault(str(event), {})[str(year)] = {str(k): float(v) for k, v in row.items()}
    return out


def breaches_json(breaches: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Return how many companies breach each covenant at once: the share for each count.

    Parameters
    ----------
    breaches : pandas.DataFrame
        :attr:`~strandrisk.engine.mc_result.MCResult.breaches`: index covenant level, a
        column per number of companies. [ratio, fraction]
    """
    return {
        f"{level:g}": {str(k): float(v) for k, v in row.items()}
        for level, row in breaches.iterrows()
    }


JSON_UNITS: dict[str, str] = {
    "quantiles": "USD",
    "moments": "USD (mean, sample standard deviation, standard error of the mean, min, "
    "max); skewness and excess_kurtosis (0 for a normal) without a unit",
    "intervals": "USD ([low, high] of each quantile; null where too few scenarios bound it)",
    "capex_at_risk": "USD",
    "p_impairment": "share of scenarios with a material charge by the end of the year",
    "probabilities": "share of scenarios with the outcome beyond the value (USD; "
    "a ratio for min_dscr, min_interest_cover and min_llcr, where no debt service, "
    "no interest or no debt counts as above)",
    "debt_cover": "lowest annual DSCR (ratio) at P5, P50, P95 over the scenarios "
    "with debt service; no_debt_service and below <level> shares of all scenarios",
    "interest_cover": "lowest annual EBIT / interest (ratio) at P5, P50, P95 over "
    "the scenarios that pay interest; no_interest and below <level> shares of all "
    "scenarios",
    "economic_life": "years: the booked compute life (median) and the economic "
    "life of the 2026 cohorts at P5, P50, P95; shorter: share of scenarios whose "
    "economic life is shorter than the booked",
    "loan_cover": "lowest quarterly LLCR (ratio) at P5, P50, P95 over the "
    "scenarios with debt; no_debt and below <level> shares of all scenarios; "
    "below_1_by_year: share whose LLCR has fallen below 1 by the end of each year; "
    "null unless the run computed the loan life cover (--llcr)",
    "capex_years": "each calendar year's capex valued alone: P50, P95 and mean of "
    "its peak stranded value (USD) and the share of scenarios in which it strands; "
    "null unless the run computed it (--capex-years)",
    "peak_year_to_2026": "share of scenarios whose today's capital (installed "
    "base and 2026 programme, valued alone) has its peak stranded value in each "
    "year; none: never a material one",
    "together": "share of scenarios in which exactly 0, 1, ... of the companies (the "
    "industry aside) have had the event by the end of each year: ifrs, usgaap (a material "
    "charge), llcr_below_1 (with --llcr); null for a summary without the counts",
    "breaches": "share of scenarios in which exactly 0, 1, ... of the companies' lowest "
    "annual DSCR falls below each covenant level (no debt service: no breach)",
    "drivers": "rank correlation and standardised rank regression coefficient "
    "(-1 to 1), r2 a fraction, over the first driver_scenarios scenarios; contribution: "
    "Crystal Ball's contribution to variance, the squared rank correlation over the sum of "
    "the outcome's, signed (a fraction)",
    "scenario_analysis": "@RISK's scenario analysis over the first driver_scenarios "
    "scenarios: for the draws where each outcome is above its P90 (above_p90) or below its "
    "P10 (below_p10), the parameters whose median there moves more than 0.5 of their standard "
    "deviations from their median over all draws: delta_sd in standard deviations, the medians "
    "in the parameter's unit, share the fraction of the draws in the band; null for a summary "
    "without it",
    "precision": "target, achieved and history (at each size checked; null "
    "while a quantile is unbounded): widest relative half-width (fraction) of the "
    "95 % intervals of P50, P95 and P99; checked and maximum: scenarios; null for "
    "a run of a fixed size",
}
"""The unit of each block of :meth:`~strandrisk.engine.mc_result.MCResult.as_json`. [-]"""
