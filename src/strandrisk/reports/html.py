"""The self-contained HTML report: charts with Plotly's JavaScript inlined, tables, sources.

The page loads nothing from the network: the Plotly bundle is embedded once in a
``<script>`` element and every chart is a ``<div>`` drawn by it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from strandrisk.analysis.sensitivity import Swing
from strandrisk.assumptions.claims import Claim
from strandrisk.assumptions.schema import Record
from strandrisk.reports.figures import FIGURES, MC_FIGURES
from strandrisk.reports.pages import html_page
from strandrisk.reports.run_sections import (
    _capex_year_section,
    _cohorts_section,
    _headroom_section,
    _lives_section,
    _positions_section,
    _rollforward_section,
)
from strandrisk.units import annual_change

__all__ = ["render_report"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 1180px; color: #1d2330; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.4rem; border-bottom: 1px solid #dde;
     padding-bottom: .3rem; font-size: 1.25rem; }
.lede { color: #4a5060; } table { border-collapse: collapse; font-size: .86rem; margin: .6rem 0; }
th, td { border-bottom: 1px solid #e4e6ee; padding: .25rem .55rem; text-align: right; vertical-align: top; }
th { background: #f4f5f9; } td.text, th.text { text-align: left; }
.inconsistent { color: #b3261e; font-weight: 600; } .consistent { color: #1b6e3a; }
.small { font-size: .8rem; color: #5a6070; } .chart { margin: 1rem 0 2rem; }
"""

_MONEY = (
    "capex_2026",
    "npv_2026",
    "stranded_peak",
    "stranded_peak_to_2026",
    "impairment_ifrs",
    "impairment_usgaap",
)


def _fmt_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    table = outcomes.drop(columns="scenario").set_index("company").copy()
    for column in _MONEY:
        table[column] = (table[column] / 1e9).map(lambda v: f"{v:,.1f}")
    table["irr_2026"] = table["irr_2026"].map(lambda v: "-" if pd.isna(v) else f"{v:.1%}")
    for column, decline in (("breakeven_demand_growth", False), ("breakeven_price_decline", True)):
        # continuous rates, shown as the change over a year (a 1.15 decline is a 68 % fall)
        table[column] = table[column].map(
            lambda v, d=decline: "-" if pd.isna(v) else f"{annual_change(v, d):+.0%} a year"
        )
    for column in (
        "booked_life_years",
        "economic_life_years",
        "payback_years_2026",
        "min_dscr",
        "min_interest_cover",
    ):
        table[column] = table[column].map(lambda v: "-" if pd.isna(v) else f"{v:.2f}")
    return table.T.fillna("-")


_LABELS = {
    "capex_2026": "2026 capex ($B)",
    "booked_life_years": "booked life (years)",
    "economic_life_years": "economic life (years)",
    "npv_2026": "NPV of the 2026 programme ($B)",
    "irr_2026": "IRR of the 2026 programme",
    "payback_years_2026": "payback of the 2026 programme (years)",
    "stranded_peak": "peak stranded value ($B)",
    "stranded_peak_date": "peak stranded value: quarter",
    "stranded_peak_to_2026": "peak stranded value of today's capital ($B)",
    "stranded_peak_to_2026_date": "peak stranded value of today's capital: quarter",
    "impairment_ifrs": "impairment charges, IFRS ($B, total)",
    "impairment_usgaap": "impairment charges, US GAAP ($B, total)",
    "first_impairment_ifrs": "first IFRS impairment",
    "first_impairment_usgaap": "first US GAAP impairment",
    "min_dscr": "minimum DSCR",
    "min_interest_cover": "minimum interest cover (EBIT / interest)",
    "first_negative_fcf_year": "first year of negative free cash flow",
    "breakeven_demand_growth": "break-even demand growth",
    "breakeven_price_decline": "break-even token price change",
}
"""Row labels of the report's outcome table; each row's title is the column name in the JSON."""


def _outcomes_table(frame: pd.DataFrame) -> str:
    """Render the outcome table, a row per outcome in words (its JSON column name on hover)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        f'<tr><th class="text" title="{html.escape(str(name))}">'
        f"{html.escape(_LABELS.get(str(name), str(name)))}</th>"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        + "</tr>"
        for name, row in zip(frame.index, frame.to_numpy(), strict=True)
    )
    return f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _value(value: float, unit: str) -> str:
    """Format a register value for reading: large dollar sums in millions or billions."""
    if unit == "USD" and abs(value) >= 1e9:
        return f"{value / 1e9:,.6g} billion"
    if unit == "USD" and abs(value) >= 1e6:
        return f"{value / 1e6:,.6g} million"
    return f"{value:.6g}"


def _assumptions_table(used: Sequence[tuple[str, float, str, Record | None]]) -> str:
    rows = []
    for key, value, unit, rec in used:
        if rec is None:
            text = "set in the scenario file"
        elif rec.kind == "derived":
            text = f"= {rec.formula}"
        elif rec.kind == "assumption":
            text = f"assumption: {rec.note}"
        else:
            text = rec.source
        source = html.escape(text)
        kind = rec.kind if rec else "scenario"
        row = html.escape(rec.name) if rec else ""
        rows.append(
            f'<tr><td class="text">{html.escape(key)}</td><td>{_value(value, unit)}</td><td class="text">{html.escape(unit)}</td>'
            f'<td class="text">{kind}</td><td class="text">{row}</td><td class="text small">{source}</td></tr>'
        )
    head = "".join(
        f'<th class="text">{h}</th>'
        for h in ("parameter", "value", "unit", "kind", "register row", "source")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _choices_table(choices: Sequence[tuple[str, object, str]]) -> str:
    """Render the scenario's modelling choices and switches, with what each means."""
    if not choices:
        return ""
    rows = "".join(
        f'<tr><td class="text">{html.escape(key)}</td>'
        f'<td class="text">{html.escape(str(value).lower() if isinstance(value, bool) else str(value))}</td>'
        f'<td class="text small">{html.escape(meaning)}</td></tr>'
        for key, value, meaning in choices
    )
    head = "".join(f'<th class="text">{h}</th>' for h in ("modelling choice", "value", "meaning"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _claims_section(claims: Sequence[Claim]) -> str:
    counts = {
        v: sum(c.verdict == v for c in claims)
        for v in ("consistent", "inconsistent", "not-checkable")
    }
    rows = "".join(
        f'<tr><td class="text">{c.id}</td><td class="text">{html.escape(c.statement)}</td>'
        f"<td>{c.stated:.4g}</td><td>{'-' if c.recomputed is None else f'{c.recomputed:.4g}'}</td>"
        f'<td class="text">{c.unit}</td><td class="text {c.verdict}">{c.verdict}</td>'
        f'<td class="text small">{html.escape(c.note)}</td></tr>'
        for c in claims
        if c.verdict == "inconsistent"
    )
    head = "".join(
        f'<th class="text">{h}</th>'
        for h in ("id", "claim", "stated", "recomputed", "unit", "verdict", "note")
    )
    return (
        f"<p>{len(claims)} quantitative claims of the article: {counts['consistent']} consistent, "
        f"{counts['inconsistent']} inconsistent, {counts['not-checkable']} not checkable "
        "(<code>strandrisk claims</code> lists them all). The inconsistent ones:</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _charts(figures: dict[str, go.Figure], keys: Iterable[str]) -> str:
    """Chart ``<div>``s for the figures in ``keys`` (in that order) that were built."""
    return "".join(
        f'<div class="chart" id="{key}">'
        + figures[key].to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{key}")
        + "</div>"
        for key in keys
        if key in figures
    )


def _bridges_section(bridges: Mapping[str, Any], name: str) -> str:
    """Render what separates each preset from the scenario: a row per preset, its largest steps."""
    if not bridges:
        return ""
    rows = []
    for preset, b in bridges.items():
        start, end = float(b.start["stranded_peak"]), float(b.end["stranded_peak"])
        c = b.contribution["stranded_peak"]
        alone = b.alone["stranded_peak"]
        steps = c.reindex(c.abs().sort_values(ascending=False).index)[:3]
        text = "; ".join(
            f"{html.escape(str(step))} {_signed_b(v)} (alone {_signed_b(alone[step])})"
            for step, v in steps.items()
            if abs(v) >= 0.5e9 or abs(alone[step]) >= 0.5e9
        )
        rows.append(
            f'<tr><td class="text">{html.escape(preset)}</td><td>${end / 1e9:,.0f}B</td>'
            f"<td>{_signed_b(end - start)}</td>"
            f'<td class="text">{text or "-"}</td></tr>'
        )
    return (
        f"<h2>What separates the presets from this scenario</h2><p>Peak stranded value of the "
        f"industry, from '{html.escape(name)}' to each preset (the same companies and horizon), "
        "and the differences that account for most of the change: each one's Shapley "
        "contribution (its effect averaged over every order of making the changes, so all of "
        "them add up to the change) and its effect alone. Every difference and the other "
        "outcomes: <code>strandrisk scenario diff</code>.</p>"
        '<table><thead><tr><th class="text">preset</th><th>peak stranded</th>'
        '<th>change</th><th class="text">largest steps</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )


def _choice_effects_section(effects: Any, name: str) -> str:
    """Render what each alternative modelling choice does to the industry's outcomes."""
    from strandrisk.analysis.choices import setting_text

    if effects is None or effects.table.empty:
        return ""
    heads = {
        "stranded_peak": "peak stranded",
        "stranded_peak_to_2026": "today's capital's peak",
        "impairment_ifrs": "IFRS charges",
        "npv_2026": "2026 NPV",
    }
    outcomes = [o for o in effects.outcomes if o in heads]
    first = "".join(f"<td>${effects.scenario[o] / 1e9:,.0f}B</td>" for o in outcomes)
    rows = [f'<tr><td class="text">{html.escape(name)} as it is</td>{first}</tr>']
    for row in effects.changes().to_dict(orient="records"):
        alt = setting_text(row["alternative"])
        cells = "".join(f"<td>{_signed_b(row[o])}</td>" for o in outcomes)
        rows.append(
            f'<tr><td class="text">{html.escape(row["key"])} = {html.escape(alt)}</td>{cells}</tr>'
        )
    head = "".join(f"<th>{heads[o]}</th>" for o in outcomes)
    return (
        "<h2>What the modelling choices do</h2><p>Settings no range covers are the modeller's "
        "choices (listed with their meaning under the assumptions used). The industry with each "
        f"alternative, one at a time, every other setting and value as in '{html.escape(name)}': "
        "the change from the scenario as it is. <code>strandrisk scenario choices</code>.</p>"
        f'<table><thead><tr><th class="text">choice</th>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )


def _signed_b(v: float) -> str:
    """Write a change in $ billions with its sign (+$2,083B, -$46B, $0B)."""
    b = round(float(v) / 1e9)
    return "$0B" if b == 0 else f"{'+' if b > 0 else '-'}${abs(b):,.0f}B"


def render_report(
    *,
    title: str,
    subtitle: str,
    figures: dict[str, go.Figure],
    outcomes: pd.DataFrame,
    swings: Sequence[Swing],
    used: Sequence[tuple[str, float, str, Record | None]],
    claims: Sequence[Claim],
    footer: str,
    mc_note: str = "",
    brief: Sequence[str] = (),
    choices: Sequence[tuple[str, object, str]] = (),
    rollforward: Mapping[str, pd.DataFrame] | None = None,
    bridges: Mapping[str, Any] | None = None,
    scenario_name: str = "",
    headroom: Any = None,
    positions: Mapping[str, pd.DataFrame] | None = None,
    lives: Any = None,
    lives_source: str | None = None,
    swings_to_2026: Sequence[Swing] = (),
    by_capex_year: pd.DataFrame | None = None,
    cohorts: Sequence[Any] = (),
    choice_effects: Any = None,
) -> str:
    """Assemble the report as one HTML document.

    Parameters
    ----------
    title, subtitle : str
        Heading and one line under it. [-]
    figures : dict of str to plotly Figure
        Charts keyed as :data:`~strandrisk.reports.figures.FIGURES`. [-]
    outcomes : pandas.DataFrame
        Outcome table of the scenario. [-]
    swings : sequence of Swing
        One-at-a-time swings. [-]
    used : sequence of (key, value, unit, register row or None)
        The assumptions the run used. [-]
    claims : sequence of Claim
        The claims register. [-]
    footer : str
        Provenance line (version, register hash, time). [-]
    mc_note : str
        One paragraph above the Monte Carlo charts (scenarios, seed, sampler). [-]
    brief : sequence of str
        Plain sentences on what the industry's outcomes mean
        (:func:`strandrisk.reports.brief.in_brief`). [-]
    choices : sequence of (key, value, meaning)
        The scenario's modelling choices and switches
        (:func:`strandrisk.scenarios.schema.modelling_choices`). [-]
    rollforward : mapping of str to pandas.DataFrame, optional
        The industry's yearly roll-forward per standard
        (:func:`strandrisk.engine.rollforward.rollforward`). [USD]
    bridges : mapping of str to Bridge, optional
        Peak stranded value bridged from the scenario to each preset
        (:func:`strandrisk.jobs.preset_bridges`). [USD]
    scenario_name : str
        The scenario's name, for the bridges' heading. [-]
    headroom : Headroom, optional
        The impairment tests' headroom at the end of the first year
        (:func:`strandrisk.engine.headroom.headroom`). [USD, each key's unit]
    positions : mapping of str to pandas.DataFrame, optional
        Each company's position at the end of a quarter, keyed by the quarter
        (:meth:`strandrisk.SimulationResult.value_at`). [USD, fraction]
    lives : LifeEffect, optional
        Depreciation at the booked lives against a shorter one
        (:func:`strandrisk.engine.lives.life_effect`). [USD, year]
    by_capex_year : pandas.DataFrame, optional
        The industry's stranded value by the year its capex was spent, each year's cohorts
        valued alone (:meth:`strandrisk.SimulationResult.stranded_by_capex_year`). [USD]
    swings_to_2026 : sequence of Swing
        One-at-a-time swings of today's capital's peak stranded value
        (``stranded_peak_to_2026``); a second list beside the first if given. [-]
    cohorts : sequence of CohortTrace
        Each company's first 2026 cohort, traced (:func:`strandrisk.trace_cohort`). [USD,
        year]
    lives_source : str, optional
        The register row of the understatement whose implied life is given. [-]
    choice_effects : ChoiceEffects, optional
        The industry's outcomes with each alternative modelling choice
        (:func:`strandrisk.choice_effects`). [USD]

    Returns
    -------
    str
        The HTML document.
    """
    charts, mc = _charts(figures, FIGURES), _charts(figures, MC_FIGURES)
    capped = (
        ", capped at what the assets will earn: economic obsolescence"
        if dict((k, v) for k, v, _ in choices).get("accounting.economic_obsolescence")
        else ""
    )
    if mc:
        mc = f"<h2>Monte Carlo over the uncertain assumptions</h2><p>{html.escape(mc_note)}</p>{mc}"
    top = _top_swings(swings)
    if swings_to_2026:
        top += (
            "</ol><h3>And today's capital's (the installed base and the 2026 programme, "
            f"valued alone)</h3><ol>{_top_swings(swings_to_2026)}"
        )
    brief_html = (
        "<h2>In brief (the industry)</h2><ul>"
        + "".join(f"<li>{html.escape(line)}</li>" for line in brief)
        + "</ul>"
        if brief
        else ""
    )
    return html_page(
        title,
        f"""<h1>{html.escape(title)}</h1>
<p class="lede">{html.escape(subtitle)}</p>
<p>How to read this: <b>book value</b> is what the companies carry on their booked schedules;
<b>economic value</b> is the most the assets can still earn (value in use, discounted at WACC) or fetch
(replacement cost of the same compute today, for its remaining life and energy disadvantage{capped}).
<b>Stranded value</b> is book above economic value. Impairments follow IFRS (IAS 36) and US GAAP
(ASC 360); their totals add up every quarter's charge, so they can exceed the peak stranded value when
new capex keeps joining an impaired business. Money in US dollars; the industry is the five companies as
one business.</p>
{brief_html}
<h2>Outcomes</h2>
{_outcomes_table(_fmt_outcomes(outcomes))}
{_rollforward_section(rollforward or {})}
{_headroom_section(headroom)}
{_lives_section(lives, lives_source)}
{_positions_section(positions or {})}
{_capex_year_section(by_capex_year)}
{_cohorts_section(cohorts)}
<h2>Assumptions that move peak stranded value most</h2>
<ol>{top}</ol>
{_bridges_section(bridges or {}, scenario_name)}
{_choice_effects_section(choice_effects, scenario_name)}
<h2>Charts</h2>
{charts}
{mc}
<h2>Assumptions used, with their sources</h2>
{_choices_table(choices)}
{_assumptions_table(used)}
<h2>The article's arithmetic</h2>
{_claims_section(claims)}
<p class="small">{html.escape(footer)}</p>
""",
        css=_CSS,
    )


def _top_swings(swings: Sequence[Swing]) -> str:
    """List the three largest one-at-a-time swings of an outcome in USD."""
    return "".join(
        f"<li><b>{html.escape(s.key)}</b> ({html.escape(s.row)}): peak stranded value "
        f"${s.outcome_low / 1e9:,.0f}B at {s.low:.4g} vs ${s.outcome_high / 1e9:,.0f}B at {s.high:.4g}</li>"
        for s in list(swings)[:3]
    )
