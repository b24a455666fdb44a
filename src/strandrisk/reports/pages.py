"""One-page HTML reports of the analysis commands (``discover``, ``sensitivity``, ``breakeven``).

Each page is one self-contained file (Plotly's JavaScript inlined, nothing loaded from the
network): a heading, a paragraph saying what was computed, tables, and the charts, which
``--png`` also writes as PNG files.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from strandrisk import __version__
from strandrisk.analysis.bridge import Bridge
from strandrisk.analysis.prim import PrimResult
from strandrisk.analysis.sensitivity import Swing
from strandrisk.engine.decisions import DecisionComparison
from strandrisk.engine.limits import LimitSolution
from strandrisk.engine.montecarlo import MCResult
from strandrisk.io.files import ensure_folder, write_text_atomic
from strandrisk.reports.brief import (
    DRIVER_NAMES,
    condition_label,
    covenant_label,
    driver_notes,
    precision_note,
)
from strandrisk.reports.figures import (
    breakeven_surface_figure,
    bridge_figure,
    convergence_figure,
    cumulative_figure,
    display_unit,
    fan_figure,
    limit_figure,
    mc_histogram_figure,
    morris_figure,
    p_impairment_figure,
    pawn_figure,
    prim_box_figure,
    prim_tradeoff_figure,
    rank_drivers_figure,
    sobol_figure,
    tornado_figure,
)
from strandrisk.scenarios.sampling import SAMPLER_NAMES
from strandrisk.scenarios.schema import COMPANIES

__all__ = [
    "PAGE_CSS",
    "breakeven_page",
    "bridge_page",
    "decisions_page",
    "html_page",
    "limit_page",
    "mc_page",
    "prim_page",
    "sensitivity_page",
    "write_charts",
    "write_page",
]

PAGE_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #1d2330; line-height: 1.45; padding: 0 1rem; }
table { border-collapse: collapse; font-size: .88rem; margin: .6rem 0; }
th, td { border-bottom: 1px solid #e4e6ee; padding: .25rem .6rem; text-align: right; vertical-align: top; }
th { background: #f4f5f9; } .text { text-align: left; } .small { font-size: .8rem; color: #5a6070; }
.no { color: #b3261e; font-weight: 600; } .yes { color: #1b6e3a; }
"""
"""Style of the one-page reports (this module's and the TCO page)."""


def _table(frame: pd.DataFrame, index_name: str, fmt: str = "{:.4g}") -> str:
    """Render a data frame as an HTML table, the index as the first, left-aligned column."""
    head = f'<th class="text">{html.escape(index_name)}</th>' + "".join(
        f"<th>{html.escape(str(c))}</th>" for c in frame.columns
    )
    rows = "".join(
        f'<tr><td class="text">{html.escape(str(i))}</td>'
        + "".join(
            f"<td>{'-' if pd.isna(v) else (fmt.format(v) if not isinstance(v, str) else v)}</td>"
            for v in row
        )
        + "</tr>"
        for i, row in zip(frame.index, frame.to_numpy(), strict=True)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the columns (companies) in the model's order, the industry last."""
    return frame[[c for c in (*COMPANIES, "industry") if c in frame.columns]]


_MONEY_OUTCOMES = ("stranded_peak", "npv_2026", "impairment_ifrs", "impairment_usgaap")


def _small(text: str) -> str:
    """Return a note under a table (plain text, escaped)."""
    return f'<p class="small">{html.escape(text)}</p>'


def write_page(
    name: str,
    title: str,
    intro: str,
    tables: Sequence[tuple[str, str]],
    figures: dict[str, go.Figure],
    out: Path | None,
    png: Path | None,
) -> list[Path]:
    """Write ``<name>.html`` to ``out`` and each figure as ``<key>.png`` to ``png``.

    Parameters
    ----------
    name : str
        File name of the page, without ``.html``. [-]
    title : str
        Heading. [-]
    intro : str
        A paragraph of plain text (escaped here). [-]
    tables : sequence of (heading, HTML table)
        Sections with a table each. [-]
    figures : dict of str to plotly Figure
        Charts, keyed by their PNG file names. [-]
    out, png : Path or None
        Folders for the page and the PNG files; either may be None. [-]

    Returns
    -------
    list of Path
        The files written.
    """
    written: list[Path] = []
    if out is not None:
        ensure_folder(out)
        sections = "".join(f"<h2>{html.escape(h)}</h2>{t}" for h, t in tables)
        charts = "".join(
            fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{key}")
            for key, fig in figures.items()
        )
        body = f"""<h1>{html.escape(title)}</h1>
<p>{html.escape(intro)}</p>
{sections}
<h2>Charts</h2>
{charts}
<p class="small">strandrisk {__version__}</p>
"""
        page = html_page(f"strandrisk: {title}", body)
        written.append(write_text_atomic(Path(out) / f"{name}.html", page))
    return written + write_charts(figures, png)


def html_page(page_title: str, body: str, css: str = PAGE_CSS) -> str:
    """Wrap a page body in a self-contained document: style and Plotly's JavaScript inlined.

    Parameters
    ----------
    page_title : str
        The browser's title. [-]
    body : str
        The HTML inside ``<body>``. [-]
    css : str
        The style sheet (the run report has its own). [-]
    """
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(page_title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{css}</style>
<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>
</head><body>
{body}</body></html>
"""


def write_charts(figures: dict[str, go.Figure], png: Path | None) -> list[Path]:
    """Write each figure as ``<key>.png`` in ``png`` (nothing when it is None).

    Parameters
    ----------
    figures : dict of str to plotly Figure
        Charts, keyed by their file names. [-]
    png : Path or None
        The folder, created if needed. [-]
    """
    if png is None:
        return []
    from strandrisk.reports.png import write_pngs

    ensure_folder(png, "PNG folder")
    return write_pngs(figures, png)


def prim_page(
    result: PrimResult,
    question: str,
    cases: int,
    n: int,
    out: Path | None,
    png: Path | None,
    regional: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the page of ``strandrisk discover``: the box, the trade-off and box charts.

    Parameters
    ----------
    result : PrimResult
        The peeling trajectory and the chosen box. [-]
    question : str
        What was asked, e.g. "industry stranded_peak above 1.5e+12 USD". [-]
    cases, n : int
        Scenarios that are cases of interest, and all scenarios. [count]
    out, png : Path or None
        Folders for ``discover.html`` and the PNG files. [-]
    regional : pandas.DataFrame, optional
        :func:`~strandrisk.analysis.regional.regional_sensitivity` of the same cases. [-]
    """
    box = result.boxes[result.chosen]
    intro = (
        f"{cases:,} of {n:,} scenarios are cases of interest. PRIM (peeling and pasting) looks "
        "for the parameter ranges that hold them: the chosen box (step "
        f"{result.chosen} of {len(result.trajectory) - 1}) covers {box.coverage:.1%} of the "
        f"cases, {box.density:.1%} of the scenarios inside it are cases, and it holds "
        f"{box.mass:.1%} of all scenarios."
    )
    limits = result.limits.rename(
        columns={
            "min": "data min",
            "max": "data max",
            "qp_lower": "qp lower",
            "qp_upper": "qp upper",
        }
    )
    qp_note = _small(
        "qp: the quasi-p-value of each restricted side (Bryant and Lempert, 2010): the chance of "
        "the box's density if that one restriction were dropped. Below 0.05 the restriction "
        "concentrates the cases beyond chance; '-' marks a side left at the data's end."
    )
    figures = {
        "prim_tradeoff": prim_tradeoff_figure(
            result.trajectory, result.chosen, "PRIM: the coverage-density trade-off of the peels"
        ),
        "prim_box": prim_box_figure(result.limits, box, "PRIM: the chosen box's parameter ranges"),
    }
    return write_page(
        "discover",
        f"Scenario discovery: {question}",
        intro,
        [("The box", _table(limits, "parameter") + qp_note), *_regional_section(regional)],
        figures,
        out,
        png,
    )


def _regional_section(regional: pd.DataFrame | None) -> list[tuple[str, str]]:
    if regional is None:
        return []
    frame = regional.rename(
        columns={
            "ks": "KS distance",
            "p_value": "p-value",
            "cases_median": "median, cases",
            "others_median": "median, others",
        }
    )
    note = _small(
        "Kolmogorov-Smirnov distance between each parameter's values in the cases and in the "
        "other scenarios (0: spread alike; 1: apart), as EMA Workbench's regional sensitivity "
        "analysis: it sees a parameter that matters in several places or only with others."
    )
    return [("Which parameters separate the cases", _table(frame, "parameter") + note)]


def sensitivity_page(
    indices: pd.DataFrame,
    swings: Sequence[Swing],
    runs: int,
    out: Path | None,
    png: Path | None,
    company: str = "industry",
) -> list[Path]:
    """Write the page of ``strandrisk sensitivity``: Sobol or Morris, and the P10-P90 tornado.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``S1, S1_conf, ST, ST_conf`` (Sobol' indices), or
        ``mu, mu_star, mu_star_conf, sigma`` (Morris screening, in the outcome's unit). [-]
    swings : sequence of Swing
        Peak stranded value with each parameter at its P10 and P90. [USD]
    runs : int
        Model runs behind the indices. [count]
    out, png : Path or None
        Folders for ``sensitivity.html`` and the PNG files. [-]
    company : str
        Whose outcomes. [-]
    """
    outcomes = list(dict.fromkeys(indices.index.get_level_values("outcome")))
    morris = "mu_star" in indices.columns
    pawn = "median" in indices.columns
    if pawn:
        intro = (
            f"PAWN indices of {company}'s outcomes from {runs:,} draws (SALib; "
            "Pianosi and Wagener, 2015): for each parameter, the Kolmogorov-Smirnov distance "
            "between the outcome's distribution with the parameter held in one tenth of its "
            "range and over all draws, the median over the ten (0: no effect). Based on whole "
            "distributions, not variances, so it suits skewed or saturated outcomes. The noise "
            "floor is the 95th percentile of 20 dummy parameters that do nothing."
            + (
                " The tornado moves one parameter at a time to its 10th and 90th percentile."
                if swings
                else ""
            )
        )
        tables = [
            (f"PAWN indices of {o}", _table(indices.loc[o], "parameter", "{:.3f}"))
            for o in outcomes
        ]
    elif morris:
        intro = (
            f"Morris elementary effects on {company}'s outcomes from {runs:,} model runs (SALib), "
            "with 95 % bootstrap intervals: mu* is the mean absolute change of the outcome as a "
            "parameter moves across its range in probability, sigma how much that change varies "
            "(nonlinearity, interactions), mu its mean with sign; money in $B. A screening: it "
            "ranks what matters, where Sobol' indices apportion the variance. The tornado moves "
            "one parameter at a time to its 10th and 90th percentile."
        )
        tables = [
            (
                f"Morris elementary effects on {o}",
                _table(
                    indices.loc[o] / (1e9 if o in _MONEY_OUTCOMES else 1.0), "parameter", "{:,.3g}"
                ),
            )
            for o in outcomes
        ]
    else:
        intro = (
            f"Sobol first-order (S1) and total (ST) indices of {company}'s outcomes from {runs:,} "
            "model runs (Saltelli's design, SALib), with 95 % bootstrap intervals: the share of "
            "an outcome's variance due to each parameter alone (S1) and with its interactions "
            "(ST). The tornado moves one parameter at a time to its 10th and 90th percentile."
        )
        tables = [
            (f"Sobol indices of {o}", _table(indices.loc[o], "parameter", "{:.3f}"))
            for o in outcomes
        ]
    tornado = pd.DataFrame(
        {
            "P10": [s.low for s in swings],
            "P90": [s.high for s in swings],
            "at P10 ($B)": [s.outcome_low / 1e9 for s in swings],
            "at P90 ($B)": [s.outcome_high / 1e9 for s in swings],
        },
        index=[s.key for s in swings],
    )
    if swings:  # none for PAWN on a kept run's draws
        tables.append(
            (
                "Tornado: peak stranded value at each parameter's P10 and P90",
                _table(tornado, "parameter"),
            )
        )

    def chart(o: str) -> go.Figure:
        if pawn:
            from strandrisk.analysis.pawn import DUMMY

            return pawn_figure(
                indices.loc[o].drop(index=DUMMY),
                float(indices.loc[(o, DUMMY), "median"]),
                f"PAWN indices of {o} ({company})",
            )
        if morris:
            return morris_figure(
                indices.loc[o],
                f"Morris screening of {o} ({company})",
                "$B" if o in _MONEY_OUTCOMES else "outcome's unit",
                1e9 if o in _MONEY_OUTCOMES else 1.0,
            )
        return sobol_figure(indices.loc[o], f"Sobol indices of {o} ({company})")

    method = "pawn" if pawn else "morris" if morris else "sobol"
    figures = {f"{method}_{o}": chart(o) for o in outcomes}
    if swings:
        figures["tornado_p10_p90"] = tornado_figure(
            swings, f"Peak stranded value, each parameter at its P10 and P90 ({company})"
        )
    return write_page(
        "sensitivity", f"Sensitivity of {company}'s outcomes", intro, tables, figures, out, png
    )


def breakeven_page(
    dist: pd.DataFrame,
    surface: pd.DataFrame,
    x: str,
    y: str,
    n: int,
    out: Path | None,
    png: Path | None,
    company: str = "industry",
) -> list[Path]:
    """Write the page of ``strandrisk breakeven``: the distribution and the surface.

    Parameters
    ----------
    dist : pandas.DataFrame
        Quantiles of the break-even values and the share found. [1/year, fraction]
    surface : pandas.DataFrame
        Break-even demand growth over ``x`` (index) and ``y`` (columns). [1/year]
    x, y : str
        The surface's parameters. [-]
    n : int
        Scenarios behind the distribution. [count]
    out, png : Path or None
        Folders for ``breakeven.html`` and the PNG files. [-]
    company : str
        Whose break-even values. [-]
    """
    intro = (
        f"The demand growth at which the 2026 programme's NPV is zero, and the fastest token-price "
        f"decline it survives, over {n:,} Latin-hypercube scenarios ({company}, rates per year); "
        f"then the break-even demand growth over {x} and {y}, every other parameter at its value "
        "in the scenario. Empty cells: NPV does not reach zero in the searched range."
    )
    tables = [
        ("Break-even values over the uncertainty space", _table(dist, "break-even", "{:.3f}")),
        (f"Break-even demand growth: {x} (rows) by {y} (columns)", _table(surface, x, "{:.3f}")),
    ]
    figures = {
        "breakeven_surface": breakeven_surface_figure(
            surface, x, y, f"Break-even demand growth over {x} and {y} ({company})"
        )
    }
    return write_page(
        "breakeven", "Break-even demand growth and price decline", intro, tables, figures, out, png
    )


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
    """
    r = result
    intro = (
        f"{r.n:,} scenarios of '{scenario}' ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, "
        f"seed {r.seed}) over "
        f"{parameters} uncertain parameter{'' if parameters == 1 else 's'}. Money in US dollars; Capex-at-Risk is the 95th "
        "percentile of peak stranded value, the expected shortfall the mean beyond it."
        + (f" {note}" if note else "")
    )
    q = r.quantiles.join(r.moments)
    q.index = [f"{c} {o}" for c, o in q.index]
    q = q / 1e9  # every summarised outcome is money
    q.columns = [c.upper() if c[1:].isdigit() else c for c in q.columns]
    car = (r.capex_at_risk / 1e9).join(
        r.intervals.xs("stranded_peak", level="outcome")[["p95_low", "p95_high"]] / 1e9
    )
    car = car[["car95", "p95_low", "p95_high", "expected_shortfall"]]
    car.columns = [
        "CaR 95 ($B)",
        "sampling error (95 %): low",
        "high",
        "expected shortfall ($B)",
    ]
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
            "Quantiles, mean, standard deviation and the mean's standard error ($B)",
            _table(q, "company and outcome", "{:,.1f}") + _small(precision),
        ),
        ("Capex-at-Risk", _table(car, "company", "{:,.1f}")),
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
        (
            f"What moves the outcomes ({company}): rank correlation with each parameter",
            _table(wide, "parameter", "{:+.2f}") + "".join(_small(n) for n in notes),
        ),
    ]
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
    return write_page("mc", f"Monte Carlo: {scenario}", intro, tables, figures, out, png)


def _life_table(lives: pd.DataFrame) -> pd.DataFrame:
    """``economic_life()`` for a page: companies in model order, the share in %."""
    lives = lives.loc[[c for c in (*COMPANIES, "industry") if c in lives.index]].copy()
    lives["shorter"] = lives["shorter"] * 100
    return lives.rename(
        columns={
            "booked": "booked",
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
    regret = c.regret(company).copy()
    if not regret.empty:
        regret["best_in"] *= 100
        regret[["mean", "p90", "max"]] /= 1e9
        regret.index = [f"{d}: {DRIVER_NAMES.get(o, o)}" for d, o in regret.index]
        regret.columns = ["best in (%)", "mean regret ($B)", "P90 ($B)", "max ($B)"]
        tables.append(
            (
                "Regret: how far each falls short of the best decision in each draw",
                _table(regret, "decision and outcome", "{:,.1f}")
                + _small(
                    "In each draw the best decision has the highest NPV (the lowest peak "
                    "stranded value); a decision's regret is its distance from it, zero when it "
                    "is the best or tied. Minimax regret picks the decision with the smallest "
                    "maximum (EMA Workbench's robustness metrics); stresses take no part."
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


def _capital(text: str) -> str:
    """Return ``text`` with its first letter in upper case (a title)."""
    return text[:1].upper() + text[1:]


def _bridge_value(v: object, unit: str) -> str:
    """Write a bridge figure in its unit: USD in billions, rates in per cent."""
    if v is None or pd.isna(v):
        return "-"
    x = float(v)  # type: ignore[arg-type]
    if unit == "USD":
        return f"{x / 1e9:,.1f}"
    if unit == "1/year":
        return f"{100 * x:,.2f}"
    return f"{x:,.3f}"


def bridge_page(
    result: Bridge,
    diff: pd.DataFrame,
    priors: pd.DataFrame,
    labels: tuple[str, str],
    out: Path | None,
    png: Path | None,
) -> list[Path]:
    """Write the page of ``strandrisk scenario diff``: the differences and the bridge.

    Parameters
    ----------
    result : Bridge
        From :func:`~strandrisk.analysis.bridge.bridge`. [outcome units]
    diff : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.scenario_diff`. [canonical units]
    priors : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.prior_diff`. [-]
    labels : (str, str)
        The two scenarios' names. [-]
    out, png : Path or None
        Folders for ``bridge.html`` and the PNG files. [-]
    """
    from strandrisk.engine.simulate import OUTCOME_UNITS

    outcomes = list(result.start.index)
    intro = (
        f"From '{labels[0]}' to '{labels[1]}' ({result.company}): the values the two scenarios "
        f"set differently, and a bridge of the outcomes over {result.runs:,} model runs (every "
        "subset of the differences). Each step is the difference's Shapley contribution: its "
        "effect averaged over every order of making the changes, so the steps add up exactly "
        f"to the change and no order is chosen; beside it, its effect made alone from "
        f"'{labels[0]}'. Money in USD billions, rates in per cent a year."
    )
    values = diff.set_index("key")[["unit", "first", "second"]].astype(object)
    values.columns = ["unit", labels[0], labels[1]]
    tables = [("Values that differ", _table(values, "key"))]
    if len(priors):
        p = priors.set_index("key")[["first", "second"]]
        p.columns = [labels[0], labels[1]]
        tables.append(("Priors that differ", _table(p, "key")))
    rows: dict[str, list[str]] = {labels[0]: [], **{s: [] for s in result.steps}, labels[1]: []}
    columns = []
    for o in outcomes:
        unit = OUTCOME_UNITS[o]
        name = DRIVER_NAMES.get(o, o)
        columns += [f"{name}: Shapley", f"{name}: alone"]
        rows[labels[0]] += [_bridge_value(result.start[o], unit), ""]
        for s in result.steps:
            rows[s] += [
                _bridge_value(result.contribution.loc[s, o], unit),
                _bridge_value(result.alone.loc[s, o], unit),
            ]
        rows[labels[1]] += [_bridge_value(result.end[o], unit), ""]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    tables.append(
        (
            "The bridge",
            _table(frame, "step")
            + _small(
                "What a step owes to the other changes is the gap between its two columns; "
                + ("more than 12 differences: grouped by TOML table. " if result.grouped else "")
                + "Steps in the order of a scenario file."
            ),
        )
    )
    figures = {
        f"bridge_{o}": bridge_figure(
            [labels[0], *result.steps, labels[1]],
            float(result.start[o]),
            list(result.contribution[o]),
            float(result.end[o]),
            f"{_capital(DRIVER_NAMES.get(o, o))} from {labels[0]} to {labels[1]} "
            f"({result.company})",
            OUTCOME_UNITS[o],
        )
        for o in outcomes
    }
    return write_page(
        "bridge", f"From {labels[0]} to {labels[1]}", intro, tables, figures, out, png
    )


def limit_page(result: LimitSolution, out: Path | None, png: Path | None) -> list[Path]:
    """Write the page of ``strandrisk limit``: the values tried and where the limits bind.

    Parameters
    ----------
    result : LimitSolution
        From :func:`~strandrisk.engine.limits.solve_limit`. [-]
    out, png : Path or None
        Folders for ``limit.html`` and one PNG file per limit. [-]
    """
    r = result
    if r.status == "binds":
        where = "; ".join(
            f"{c:.4g}" + (f" (±{e:.2g})" if e == e else "") + f", where {b} binds"
            for c, e, b in zip(r.crossings, r.errors, r.binding, strict=True)
        )
        side = "below" if r.meets_below else "above"
        found = f"The limits bind at {r.key} = {where}; they are met {side} the first crossing."
    else:
        met = "met" if r.status == "holds" else "breached"
        found = f"The limits are {met} over the whole range, {r.low:g} to {r.high:g}."
    texts = [rule.text for rule in r.limits]
    how = (
        f"every value on the same {r.n:,} draws ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, "
        f"seed {r.seed}), the decision held at the value in every draw"
        if r.drawn
        else "the scenario as given, no draws (a goal seek on its outcome)"
    )
    intro = (
        f"{'; '.join(texts)} for {r.company}, as {r.key} moves from {r.low:g} to {r.high:g}: "
        f"{how}. {found} The scenario's own value is {r.own_value:.4g}."
        + (
            " The band is the statistic's 95 % sampling interval; the ± of a crossing is that "
            "interval over the statistic's slope."
            if r.drawn
            else ""
        )
    )
    tables, figures = [], {}
    for j, rule in enumerate(r.limits):
        unit = rule.unit
        rows = r.trials[r.trials["limit"] == rule.text]
        scale, _, label = display_unit(unit)
        table = rows.set_index("value")[["statistic", "low", "high"]] * scale
        table.columns = [f"statistic ({label})", f"95 % low ({label})", f"95 % high ({label})"]
        table["limit"] = ["met" if m else "breached" for m in rows["met"]]
        tables.append((f"{rule.text}: every value tried", _table(table, r.key, "{:,.4g}")))
        binds = [c for c, b in zip(r.crossings, r.binding, strict=True) if rule.text in b]
        figures["limit" if j == 0 else f"limit_{j + 1}"] = limit_figure(
            rows, rule.bound, binds, f"{rule.text} ({r.company}) as {r.key} moves", r.key, unit
        )
    title = f"Risk limit: {texts[0]}" if len(texts) == 1 else f"Risk limits: {len(texts)}"
    return write_page("limit", title, intro, tables, figures, out, png)
