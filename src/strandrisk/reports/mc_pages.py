"""One-page HTML reports of a Monte Carlo run and of a comparison of decisions on its draws.

:mod:`strandrisk.reports.pages` re-exports both pages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strandrisk.analysis.deciles import decile_noise_floor, mean_swings, outcome_by_decile
from strandrisk.engine.decisions import DecisionComparison
from strandrisk.engine.montecarlo import MCResult
from strandrisk.reports._page import _in_order, _small, _table, write_page
from strandrisk.reports.brief import (
    DRIVER_NAMES,
    condition_label,
    covenant_label,
    driver_notes,
    precision_note,
    scenario_tails,
    together_rows,
)
from strandrisk.reports.figures import (
    MC_FIGURES,
    convergence_figure,
    cumulative_figure,
    decile_figure,
    fan_figure,
    mc_histogram_figure,
    p_impairment_figure,
    rank_drivers_figure,
    together_figure,
    tornado_figure,
)
from strandrisk.scenarios.sampling import SAMPLER_NAMES, copula_text
from strandrisk.scenarios.schema import COMPANIES
from strandrisk.units import signed_text

__all__ = ["DECILE_SCENARIOS", "deciles_shown", "decisions_page", "mc_page"]


def mc_page(
    result: MCResult,
    scenario: str,
    parameters: int,
    outcomes: pd.DataFrame,
    out: Path | None,
    png: Path | None,
    company: str = "industry",
    conditions: Sequence[tuple[str, float, bool]] = (),
    note: str = "",
    samples: pd.DataFrame | None = None,
    copula_df: float = math.inf,
    levels: Sequence[float] = (),
) -> list[Path]:
    """Write the page of ``strandrisk mc``: quantiles, Capex-at-Risk, P(impairment), drivers.

    Parameters
    ----------
    result : MCResult
        The run's summary. [USD, fraction]
    scenario : str
        The scenario's name. [-]
    parameters : int
        Uncertain parameters. [count]
    outcomes : pandas.DataFrame
        The industry's outcome per scenario (``stranded_peak``, ``npv_2026``), for the
        histograms. [USD]
    out, png : Path or None
        Folders for ``mc.html`` and the PNG files. [-]
    company : str
        Whose drivers to rank. [-]
    conditions : sequence of (outcome, threshold, above)
        Probabilities to show besides the 2026 programme's NPV below 0. [USD]
    note : str
        A sentence after the introduction (where the page was rebuilt from). [-]
    samples : pandas.DataFrame, optional
        The drawn parameters of the same scenarios, in the same order: the page then shows
        the outcomes by decile of their strongest parameters (over the first
        :data:`DECILE_SCENARIOS`). [parameter units]
    copula_df : float
        Degrees of freedom of the t copula that joined the parameters (``inf``: the
        normal copula, not mentioned). [-]
    levels : sequence of float
        Confidence levels of Capex-at-Risk besides 95 %, e.g. 0.995, as rows of its table. [-]
    """
    r = result
    joined = f" ({copula_text(copula_df)})" if math.isfinite(copula_df) else ""
    intro = (
        f"{r.n:,} scenarios of '{scenario}' ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, "
        f"seed {r.seed}) over "
        f"{parameters} uncertain parameter{'' if parameters == 1 else 's'}{joined}. Money in US dollars; Capex-at-Risk is the 95th "
        "percentile of peak stranded value, the expected shortfall the mean beyond it."
        + (f" {note}" if note else "")
    )
    tables = _mc_tables(r, company, conditions, levels)
    figures = _mc_figures(r, outcomes, company)
    if samples is not None:
        figures.update(_decile_figures(samples, outcomes))
    return write_page("mc", f"Monte Carlo: {scenario}", intro, tables, figures, out, png)


_SHAPE = {"skewness": "skewness", "excess_kurtosis": "excess kurtosis"}
"""The moments without a unit, shown beside the ones in $B, not divided by 1e9."""


def _mc_tables(
    r: MCResult,
    company: str,
    conditions: Sequence[tuple[str, float, bool]],
    levels: Sequence[float] = (),
) -> list[tuple[str, str]]:
    """Return the Monte Carlo page's tables: quantiles, Capex-at-Risk, chances, cover, drivers."""
    q = r.quantiles.join(r.moments.drop(columns=list(_SHAPE)))
    q.index = [f"{c} {o}" for c, o in q.index]
    q = q / 1e9  # every summarised outcome is money
    q.columns = [c.upper() if c[1:].isdigit() else c for c in q.columns]
    for column, label in _SHAPE.items():  # two decimals, as text (the table's are $B)
        q[label] = ["-" if np.isnan(v) else f"{v:.2f}" for v in r.moments[column]]
    car_tables = _car_table(r, 0.95) + "".join(
        f"<h3>At {100 * level:g} %</h3>" + _car_table(r, level) for level in levels
    )
    odds = r.probabilities(conditions) * 100
    odds.columns = [condition_label(c) for c in odds.columns]
    odds = odds.loc[[c for c in (*COMPANIES, "industry") if c in odds.index]]
    cover = _cover_table(r.debt_cover())
    present = set(r.p_impairment.index.get_level_values("company"))
    p = r.impairment_by_year([c for c in (*COMPANIES, "industry") if c in present]) * 100
    wide = r.driver_table(company)
    notes = driver_notes(r.drivers_of(company), list(wide.index), r.driver_scenarios)
    wide.columns = [DRIVER_NAMES.get(c, c) for c in wide.columns]
    precision = precision_note(r.intervals, r.quantiles, r.n, r.precision)
    tables = [
        (
            "Quantiles, mean, standard deviation, the mean's standard error, min and max ($B); "
            "skewness and excess kurtosis",
            _table(q, "company and outcome", "{:,.1f}") + _small(precision),
        ),
        ("Capex-at-Risk", car_tables),
        ("Chance of each outcome, per company (%)", _table(odds, "company", "{:.1f}")),
        (
            "Debt service cover: the lowest annual DSCR over the horizon",
            _table(cover, "company", "{:.2f}")
            + _small(
                "P5, P50 and P95 of each company's lowest annual debt service cover ratio over "
                "the scenarios with debt service; the other columns are the shares of all "
                "scenarios (%) whose lowest DSCR falls below each level."
            ),
        ),
        (
            "Interest cover: the lowest annual EBIT over interest",
            _table(_cover_table(r.interest_cover()), "company", "{:.2f}")
            + _small(
                "EBIT (EBITDA less the booked depreciation, before impairment) over the "
                "interest paid in the year. P5, P50 and P95 of each company's lowest annual "
                "cover over the scenarios that pay interest; the other columns are the shares of "
                "all scenarios (%) whose lowest cover falls below each level."
            ),
        ),
        *(_loan_cover_sections(r) if r.has_loan_cover else []),
        (
            "Economic life of the 2026 cohorts against the booked (years)",
            _table(_life_table(r.economic_life()), "company", "{:.1f}")
            + _small(
                "Capex-weighted years from commissioning until a cohort's EBITDA turns "
                "non-positive or it retires: P5, P50 and P95 over the scenarios, the booked "
                "compute life beside them (its median, if drawn), and the share of scenarios "
                "(%) whose economic life is shorter than their booked one."
            ),
        ),
        (
            "Probability of a material impairment by the end of the year (%)",
            _table(p, "company", "{:.0f}"),
        ),
        *_together_section(r),
        *_peak_year_section(r),
        *_capex_year_section(r, company),
        (
            f"What moves the outcomes ({company}): rank correlation with each parameter",
            _table(wide.map(lambda v: "-" if pd.isna(v) else signed_text(v)), "parameter")
            + "".join(_small(n) for n in notes),
        ),
        (
            f"Contribution to variance ({company}; Crystal Ball's sensitivity chart, %)",
            _table(_contributions(r, company), "parameter")
            + _small(
                "Each parameter's squared rank correlation over the sum of all the parameters' "
                "squares, with its correlation's sign: Crystal Ball's reading of the same "
                "correlations. It apportions by correlation alone, so correlated parameters "
                "share each other's part and interactions are left out; the rank regression "
                "above and `strandrisk sensitivity` (Sobol') apportion the variance properly."
            ),
        ),
        *_scenario_section(r, company),
    ]
    return tables


def _scenario_section(r: MCResult, company: str) -> list[tuple[str, str]]:
    """@RISK's scenario analysis: the parameters that set each outcome's tails apart."""
    from strandrisk.core.drivers import SIGNIFICANT_SD

    tails = scenario_tails(r, company, {k: v[0].upper() + v[1:] for k, v in DRIVER_NAMES.items()})
    if not tails:
        return []
    rows = []
    for label, moved in tails:
        if moved.empty:
            rows.append((label, "none", "", "", ""))
        for parameter, row in moved.iterrows():
            rows.append(
                (
                    label,
                    str(parameter),
                    signed_text(float(row["delta_sd"])),
                    f"{row['median_subset']:.4g}",
                    f"{row['median_all']:.4g}",
                )
            )
    frame = pd.DataFrame(
        [row[1:] for row in rows],
        index=[row[0] for row in rows],
        columns=["parameter", "median's move (sd)", "median in the tail", "median over all"],
    )
    return [
        (
            f"Scenario analysis ({company}; @RISK's): what each outcome's tails have in common",
            _table(frame, "outcome's tail")
            + _small(
                f"Over the first {r.driver_scenarios:,} scenarios: where an outcome is above its "
                "90th percentile (below its 10th), each parameter's median there against its "
                "median over all draws, in its own standard deviations; the parameters that "
                f"move more than {SIGNIFICANT_SD:g} sd (@RISK's threshold), in each "
                "parameter's unit. A tail can depend on a parameter the rank correlations, "
                "averaged over the whole range, rank low."
            ),
        )
    ]


def _car_table(r: MCResult, level: float) -> str:
    """Return Capex-at-Risk at ``level`` as an HTML table in $B, its sampling error beside."""
    columns = [
        f"CaR {100 * level:g} ($B)",
        "sampling error (95 %): low",
        "high",
        "expected shortfall ($B)",
    ]
    car = (r.capex_at_risk_at(level) / 1e9).set_axis(columns, axis=1)
    return _table(car, "company", "{:,.1f}")


def _contributions(r: MCResult, company: str) -> pd.DataFrame:
    """Return the contribution-to-variance table in signed per cent, outcomes named in words."""
    table = r.contribution_to_variance(company)
    table.columns = [DRIVER_NAMES.get(c, c) for c in table.columns]
    return table.map(lambda v: "-" if pd.isna(v) else f"{100 * v:+.1f}")


def _together_section(r: MCResult) -> list[tuple[str, str]]:
    """How many companies have been impaired at once, by year, under each standard."""
    if r.together is None:
        return []
    parts = []
    for event, standard in (("ifrs", "IFRS"), ("usgaap", "US GAAP")):
        wide = together_rows(r.at_once(event)) * 100
        parts.append(f"<h3>{standard}</h3>" + _table(wide, "companies", "{:.0f}"))
    if r.breaches is not None:
        wide = together_rows(r.breaches_at_once()) * 100
        wide.columns = [covenant_label(f"below {level:g}") for level in wide.columns]
        parts.append(
            "<h3>Covenant breaches: each company's lowest annual DSCR below each level</h3>"
            + _table(wide, "companies", "{:.1f}")
        )
    return [
        (
            "How many companies at once: the share of scenarios (%) in which so many have had "
            "a material impairment by the end of the year, or breach a DSCR covenant",
            "".join(parts)
            + _small(
                "The companies (the industry aside) share one market, so their impairments "
                "and breaches come together; the last row of each table is the chance that all "
                "would be, were they independent, the product of their own chances. A company "
                "without debt service breaches no covenant."
            ),
        )
    ]


def _mc_figures(r: MCResult, outcomes: pd.DataFrame, company: str) -> dict[str, go.Figure]:
    """Return the Monte Carlo page's charts: histogram, fan, distributions, odds, drivers."""
    ranked = r.drivers_of(company)
    outcome = ranked.index.get_level_values("outcome")
    figures = {
        "mc_histogram": mc_histogram_figure(
            outcomes, "Peak stranded value and NPV of the 2026 programme (industry)"
        ),
        "mc_fan": fan_figure(
            r.fans,
            "Stranded value: 5th-95th and 25th-75th percentiles (industry)",
        ),
        "mc_cdf_stranded_peak": cumulative_figure(
            _in_order(r.cumulative("stranded_peak")),
            "Cumulative distribution of peak stranded value, per company",
            "peak stranded value, USD billion",
        ),
        "mc_cdf_npv_2026": cumulative_figure(
            _in_order(r.cumulative("npv_2026")),
            "Cumulative distribution of the 2026 programme's NPV, per company",
            "NPV of the 2026 programme, USD billion",
        ),
        "mc_p_impairment": p_impairment_figure(
            r.p_impairment,
            "Probability of an impairment by the end of each year (industry)",
        ),
        **(
            {"mc_together": together_figure(r.at_once("ifrs"), MC_FIGURES["mc_together"])}
            if r.together is not None
            else {}
        ),
        **{
            f"mc_drivers_{name}": rank_drivers_figure(
                ranked[outcome == name].droplevel("outcome"),
                f"What moves {DRIVER_NAMES[name]} ({company}), over the first "
                f"{r.driver_scenarios:,} scenarios",
            )
            for name in ("stranded_peak", "npv_2026")
        },
    }
    if r.precision is not None and len(r.precision.checked) == len(r.precision.history):
        figures["mc_convergence"] = convergence_figure(
            r.precision.checked, r.precision.history, r.precision.target
        )
    return figures


DECILE_SCENARIOS = 100_000
"""Scenarios the charts by decile read, at most (the first ones: a sort per parameter)."""


def deciles_shown(samples: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, float] | None:
    """Return an outcome by decile of each parameter and its noise floor, as a page shows them.

    Over the first :data:`DECILE_SCENARIOS` scenarios; None below two scenarios a tenth.

    Parameters
    ----------
    samples : pandas.DataFrame
        The drawn parameters, a row per scenario. [parameter units]
    y : ndarray
        The outcome of the same scenarios, in the same order. [unit of the outcome]
    """
    head = min(len(samples), DECILE_SCENARIOS)
    if head < 20:
        return None
    return outcome_by_decile(samples.iloc[:head], y[:head]), decile_noise_floor(y[:head])


def _decile_figures(samples: pd.DataFrame, outcomes: pd.DataFrame) -> dict[str, go.Figure]:
    """Return the industry's peak stranded value and NPV by decile of their strongest drivers."""
    figures = {}
    for name, words in (("stranded_peak", "peak stranded value"), ("npv_2026", "the 2026 NPV")):
        y = outcomes.loc[samples.index, name].to_numpy()
        shown = deciles_shown(samples, y)
        if shown is None:
            return {}
        figures[f"mc_deciles_{name}"] = decile_figure(
            shown[0],
            f"{words.capitalize()} (industry) per tenth of each parameter's draws: medians, "
            "the parameters above noise",
            f"median {words}, USD billion",
            floor=shown[1],
        )
        head = min(len(y), DECILE_SCENARIOS)  # the draws the deciles read
        figures[f"mc_mean_tornado_{name}"] = tornado_figure(
            mean_swings(shown[0], float(np.mean(y[:head]))),
            f"Change in the mean of {words} (industry), @RISK's tornado over the draws",
            top=10,
            what=f"the mean of {words}",
            ends=("the parameter's lowest tenth", "its highest tenth"),
        )
    return figures


def _decision_tables(
    c: DecisionComparison, company: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return each decision's distribution, its changes draw by draw and its debt cover."""
    summary = c.summary(company).copy()
    summary[["stranded_peak_p50", "stranded_peak_p95", "npv_2026_p50", "impairment_ifrs_mean"]] /= (
        1e9
    )
    summary["p_npv_negative"] *= 100
    summary = summary[
        [
            "stranded_peak_p50",
            "stranded_peak_p95",
            "npv_2026_p50",
            "p_npv_negative",
            "impairment_ifrs_mean",
        ]
    ]
    summary.columns = [
        "peak stranded P50 ($B)",
        "CaR 95 ($B)",
        "2026 NPV P50 ($B)",
        "NPV < 0 (%)",
        "IFRS impairments, mean ($B)",
    ]
    change = c.change(company).copy()
    change[["mean", "mean_pm", "p5", "p50", "p95"]] /= 1e9
    change[["share_up", "share_down"]] *= 100
    change.index = [f"{d}: {DRIVER_NAMES.get(o, o)}" for d, o in change.index]
    change.columns = [
        "mean change ($B)",
        "± 95 % ($B)",
        "P5 ($B)",
        "P50 ($B)",
        "P95 ($B)",
        "rises in (%)",
        "falls in (%)",
    ]
    cover = c.cover(company).copy()
    heads = {"min_dscr": "DSCR", "min_interest_cover": "interest cover", "min_llcr": "LLCR"}
    names = {}
    for outcome, level in c.covers.items():
        cover[f"{outcome}_below"] *= 100
        names[f"{outcome}_p50"] = f"lowest {heads[outcome]} P50"
        names[f"{outcome}_below"] = f"lowest {heads[outcome]} < {level:.1f}x (%)"
    cover = cover.rename(columns=names)
    return summary, change, cover


def _satisficing_section(c: DecisionComparison, company: str) -> list[tuple[str, str]]:
    """Return the satisficing table's section (none without requirements)."""
    from strandrisk.engine.decisions import requirement_text

    good = c.satisficing(company)
    if good.empty:
        return []
    text = (
        f"Requirements: {requirement_text(c.requirements)}. The share of the draws in which "
        "each decision meets all of them (EMA Workbench's satisficing robustness metric, "
        "Starr's domain criterion): where regret asks how far a decision falls short of the "
        "best, this asks how often it is good enough. A cover without debt service meets its "
        "requirement, as the cover table counts it."
    )
    return [
        (
            "Satisficing: how often each decision is good enough (%)",
            _table((good * 100).to_frame("share of draws (%)"), "decision", "{:.1f}")
            + _small(text),
        )
    ]


def _regret_section(c: DecisionComparison, company: str) -> list[tuple[str, str]]:
    """Return the regret table's section (none when no decision is compared)."""
    regret = c.regret(company).copy()
    if regret.empty:
        return []
    regret["best_in"] *= 100
    regret[["mean", "p90", "max"]] /= 1e9
    regret.index = [f"{d}: {DRIVER_NAMES.get(o, o)}" for d, o in regret.index]
    regret.columns = ["best in (%)", "mean regret ($B)", "P90 ($B)", "max ($B)"]
    text = (
        "In each draw the best decision has the highest NPV (the lowest peak stranded value); a "
        "decision's regret is its distance from it, zero when it is the best or tied. Minimax "
        "regret picks the decision with the smallest maximum (EMA Workbench's robustness "
        "metrics); stresses take no part."
    )
    return [
        (
            "Regret: how far each falls short of the best decision in each draw",
            _table(regret, "decision and outcome", "{:,.1f}") + _small(text),
        )
    ]


def _robustness_section(c: DecisionComparison, company: str) -> list[tuple[str, str]]:
    """Return the robustness metrics' section (none when no decision is compared)."""
    if not c.regrets:
        return []
    metrics, picks = c.robustness(company)
    shown = metrics.copy()
    money = ["laplace", "maximin", "maximax", "hurwicz", "decile", "sd"]
    shown[money] /= 1e9
    shown.index = [f"{DRIVER_NAMES.get(o, o)}: {d}" for o, d in shown.index]
    shown.columns = [*(f"{m} ($B)" for m in money), "skew", "kurtosis"]
    picks = picks.fillna("-")
    picks.index = [DRIVER_NAMES.get(o, o) for o in picks.index]
    text = (
        "McPhail et al. (2018), EMA Workbench's robustness metrics, over the draws: the mean "
        "(Laplace), the worst and best draw (maximin, maximax), half of each (Hurwicz), the worst "
        "tenth's edge (P10 of the NPV, P90 of the others), the spread, and the percentile "
        "skewness ((P90 + P10)/2 - P50 over (P90 - P10)/2) and kurtosis ((P90 - P10)/(P75 - "
        "P25)). Worst and best by the outcome's direction: a higher NPV, a lower peak stranded "
        "value and impairment. The metrics can pick different decisions: that is their point."
    )
    return [
        (
            "Robustness metrics",
            _table(shown, "outcome and decision", "{:,.3g}")
            + "<h3>The decision each metric ranks first</h3>"
            + _table(picks, "outcome")
            + _small(text),
        )
    ]


def _peak_year_section(r: MCResult) -> list[tuple[str, str]]:
    """When today's capital's stranded value peaks, as a page section (none if not known)."""
    if r.peak_year_to_2026 is None:
        return []
    shares = r.peak_year_to_2026
    shares = shares.loc[[c for c in (*COMPANIES, "industry") if c in shares.index]] * 100
    shares.columns = [str(c) for c in shares.columns]
    return [
        (
            "When today's capital's stranded value peaks (% of scenarios)",
            _table(shares, "company", "{:.0f}")
            + _small(
                "The year in which the peak stranded value of the capital commissioned to "
                "2026Q4 (the installed base and the 2026 programme, valued alone) falls; none: "
                "it never strands materially within the horizon."
            ),
        )
    ]


def _capex_year_section(r: MCResult, company: str) -> list[tuple[str, str]]:
    """Which year's capex strands, over the scenarios, as a page section (none without it)."""
    years = r.capex_years(company)
    if years is None:
        return []
    table = pd.DataFrame(
        {
            "P50 ($B)": years["p50"] / 1e9,
            "P95 ($B)": years["p95"] / 1e9,
            "mean ($B)": years["mean"] / 1e9,
            "strands in (%)": years["strands"] * 100,
        }
    )
    return [
        (
            f"Which year's capex strands ({company}): each year's cohorts valued alone",
            _table(table, "capex year", "{:,.1f}")
            + _small(
                "Each calendar year's compute and network capex valued as a group of its own: "
                "the peak over the horizon of its book above the larger of its value in use "
                "and its replacement value, over the scenarios, and the share of scenarios in "
                "which it strands at all. Peaks within the horizon: the last years' cohorts "
                "have little of their lives in it."
            ),
        )
    ]


def _life_table(lives: pd.DataFrame) -> pd.DataFrame:
    """``economic_life()`` for a page: companies in model order, the share in %."""
    lives = lives.loc[[c for c in (*COMPANIES, "industry") if c in lives.index]].copy()
    lives["shorter"] = lives["shorter"] * 100
    return lives.rename(
        columns={
            "p5": "P5",
            "p50": "P50",
            "p95": "P95",
            "shorter": "shorter than booked (%)",
        }
    )


def _cover_table(cover: pd.DataFrame) -> pd.DataFrame:
    """``debt_cover()``, ``interest_cover()`` or ``loan_cover()`` for a page, shares in %."""
    cover = cover.loc[[c for c in (*COMPANIES, "industry") if c in cover.index]].copy()
    shares = [c for c in cover.columns if c not in ("p5", "p50", "p95")]  # no_debt, below ...
    cover[shares] = cover[shares] * 100
    return cover.rename(
        columns={
            "p5": "P5",
            "p50": "P50",
            "p95": "P95",
            **{c: f"{c.replace('_', ' ')} (%)" for c in shares if c.startswith("no_")},
            **{c: f"{covenant_label(c)} (%)" for c in shares if c.startswith("below ")},
        }
    )


def _loan_cover_sections(r: MCResult) -> list[tuple[str, str]]:
    """Return the page's loan life cover tables: the lowest LLCR, and below 1 by year."""
    by_year = r.p_llcr_below_1["share"].unstack("year") * 100  # type: ignore[index]
    by_year = by_year.loc[[c for c in (*COMPANIES, "industry") if c in by_year.index]]
    by_year.columns = [str(y) for y in by_year.columns]
    return [
        (
            "Loan life cover: the lowest quarterly LLCR over the horizon",
            _table(_cover_table(r.loan_cover()), "company", "{:.2f}")
            + _small(
                "The loan life cover ratio (LLCR) in a quarter is the cash available for "
                "debt service of the assets in place, from that quarter to the last repayment "
                "of the debt outstanding, discounted at the debt's rate, over that debt: below "
                "1, those assets cannot repay it. P5, P50 and P95 of each company's lowest "
                "quarterly LLCR over the scenarios with debt; the other columns are shares of "
                "all scenarios (%)."
            ),
        ),
        (
            "Probability the LLCR has fallen below 1 by the end of the year (%)",
            _table(by_year, "company", "{:.0f}"),
        ),
    ]


def decisions_page(
    comparison: DecisionComparison,
    scenario: str,
    parameters: int,
    out: Path | None,
    png: Path | None,
    company: str = "industry",
    note: str = "",
) -> list[Path]:
    """Write the page of ``strandrisk mc --compare``: decisions over the same draws.

    Parameters
    ----------
    comparison : DecisionComparison
        From :func:`~strandrisk.engine.decisions.compare_decisions`. [USD, fraction]
    scenario : str
        The scenario's name. [-]
    parameters : int
        Uncertain parameters. [count]
    out, png : Path or None
        Folders for ``decisions.html`` and the PNG files. [-]
    company : str
        Whose outcomes to show. [-]
    note : str
        A sentence added to the introduction (where a rebuilt page came from). [-]
    """
    c = comparison
    intro = (
        f"{len(c.decisions) - 1} decision(s) against '{scenario}' as given, each run on the "
        f"same {c.n:,} draws ({SAMPLER_NAMES.get(c.sampler, c.sampler)}, seed {c.seed}) of "
        f"{parameters} uncertain parameter{'' if parameters == 1 else 's'}, so each draw gives a paired change (common random "
        f"numbers). Outcomes of {company}; money in US dollars. A decision that sets an "
        "uncertain parameter holds it at that value in every draw." + (f" {note}" if note else "")
    )
    what = "; ".join(
        f"{label}: " + ", ".join(f"{k} = {v}" for k, v in overrides.items())
        for label, overrides in list(c.decisions.items())[1:]
    )
    summary, change, cover = _decision_tables(c, company)
    tables = [
        ("Each decision's distribution", _table(summary, "decision", "{:,.1f}") + _small(what)),
        (
            "Debt cover under each decision",
            _table(cover, "decision", "{:,.2f}")
            + _small(
                "The lowest annual DSCR ((EBITDA − tax) over interest and principal) and "
                "interest cover (EBIT over interest) over the horizon (and, with --llcr, the "
                "lowest quarterly loan life cover ratio): the median over the draws with debt, "
                "and the share of all draws below the level (a draw without debt counts as no "
                "breach). Financing decisions move these, not the money outcomes above."
            ),
        ),
        (
            "What each decision changes, draw by draw",
            _table(change, "decision and outcome", "{:,.1f}")
            + _small(
                "The ± is the half-width of the mean change's 95 % interval (1.96 standard "
                "deviations of the paired changes over the square root of the draws; "
                "conservative for Latin hypercube and Sobol' samples)."
            ),
        ),
    ]
    tables.extend(_regret_section(c, company))
    tables.extend(_robustness_section(c, company))
    tables.extend(_satisficing_section(c, company))
    together = c.at_once_by_standard()
    if not together.empty:
        together.index = [f"{d}: {standard}" for d, standard in together.index]
        tables.append(
            (
                f"All {len(c.companies()) - 1} companies impaired at once by the end of the "
                "year: share of the draws (%)",
                _table(together * 100, "decision and standard", "{:.0f}")
                + _small(
                    "The companies share one market, so their impairments come together; a "
                    "decision that changes the market for all of them changes how often all "
                    "are hit at once."
                ),
            )
        )
    figures = {
        "decisions_cdf_stranded_peak": cumulative_figure(
            c.cumulative("stranded_peak", company),
            f"Peak stranded value under each decision ({company})",
            "peak stranded value, USD billion",
        ),
        "decisions_cdf_npv_2026": cumulative_figure(
            c.cumulative("npv_2026", company),
            f"NPV of the 2026 programme under each decision ({company})",
            "NPV of the 2026 programme, USD billion",
        ),
        "decisions_change_stranded_peak": cumulative_figure(
            c.cumulative("stranded_peak", company, change=True),
            f"Change in peak stranded value from the scenario as given, draw by draw ({company})",
            "change in peak stranded value, USD billion",
            colours_by=list(c.decisions),
        ),
    }
    return write_page(
        "decisions", f"Decisions compared: {scenario}", intro, tables, figures, out, png
    )
