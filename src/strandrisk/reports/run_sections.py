"""Sections of a run's HTML report: roll-forward, headroom, lives, capex years, cohorts, positions.

Each renders a table (and its note) from what the engine computed; :mod:`strandrisk.reports.html`
puts them in the page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from strandrisk.reports.brief import breakeven_value

__all__: list[str] = []


_ROLL_LABELS = {
    "opening": "carrying amount at the start of the year",
    "additions": "additions (capex)",
    "depreciation": "depreciation, on carrying amounts",
    "impairment": "impairment losses",
    "reversals": "reversals of impairment",
    "closing": "carrying amount at the end of the year",
    "difference": "check: opening + additions − depreciation − impairment + reversals − closing",
}


def _billions(v: float) -> str:
    """Write USD in $ billions with one decimal, never as "-0.0"."""
    b = round(float(v) / 1e9, 1)
    return f"{b + 0.0:,.1f}"


def _rollforward_section(frames: Mapping[str, pd.DataFrame]) -> str:
    """Render the industry's roll-forward under each standard, years across, in $B."""
    if not frames:
        return ""
    names = {"ifrs": "IFRS (IAS 36)", "usgaap": "US GAAP (ASC 360: no reversals)"}
    parts = []
    for standard, frame in frames.items():
        head = "".join(f"<th>{int(y)}</th>" for y in frame.index)
        rows = "".join(
            f'<tr><th class="text">{html.escape(_ROLL_LABELS[c])}</th>'
            + "".join(f"<td>{_billions(v)}</td>" for v in frame[c])
            + "</tr>"
            for c in frame.columns
            if not (c == "reversals" and standard == "usgaap")
        )
        parts.append(
            f"<h3>{html.escape(names.get(standard, standard))}, $B</h3>"
            f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )
    return (
        "<h2>The asset roll-forward (the industry)</h2><p>Compute, network and facilities as "
        "an auditor ties them: after a write-down each cohort is depreciated on its reduced "
        "carrying amount (IAS 36.63, ASC 360-10-35-20), so later depreciation falls; the check "
        "row is zero when the books and the impairment tests agree.</p>" + "".join(parts)
    )


def _headroom_section(room: Any) -> str:
    """Render the impairment tests' headroom and what removes the industry's (IAS 36.134(f))."""
    if room is None:
        return ""
    rows = "".join(
        f'<tr><th class="text">{html.escape(str(c))}</th><td>{_billions(r["carrying"])}</td>'
        f"<td>{_billions(r['recoverable'])}</td><td>{_billions(r['headroom'])}</td>"
        f"<td>{100 * r['headroom_share']:+.1f}</td></tr>"
        for c, r in room.position.iterrows()
    )

    def side(v: float, change: float) -> str:
        return breakeven_value(v, change, "none in the range")

    keys = "".join(
        f'<tr><th class="text">{html.escape(str(k))}</th><td>{r["value"]:.4g}</td>'
        f"<td>{side(r['below'], r['change_down'])}</td>"
        f"<td>{side(r['above'], r['change_up'])}</td>"
        f'<td class="text">{html.escape(str(r["unit"]))}</td></tr>'
        for k, r in room.assumptions.xs("industry", level="company").iterrows()
    )
    return (
        f"<h2>Impairment-test headroom at the end of {html.escape(room.quarter)}</h2>"
        "<p>Each unit's recoverable amount less its scheduled carrying amount, and the value of "
        "each key assumption, all else as given, at which the industry's headroom would be "
        "gone: the sensitivity IAS 36.134(f) asks a company to disclose, searched over each "
        "assumption's register range (<code>strandrisk headroom --company NAME</code> for a "
        "company's).</p>"
        "<table><thead><tr><th></th><th>carrying, $B</th><th>recoverable, $B</th>"
        f"<th>headroom, $B</th><th>of carrying, %</th></tr></thead><tbody>{rows}</tbody></table>"
        "<h3>What removes the industry's headroom</h3><table><thead><tr><th></th><th>value</th>"
        "<th>below it</th><th>above it</th><th>unit</th></tr></thead>"
        f"<tbody>{keys}</tbody></table>"
    )


def _lives_section(effect: Any, source: str | None) -> str:
    """Render what the booked lives leave out against one shorter life, and the implied life."""
    if effect is None:
        return ""
    e, life = effect, f"{effect.life:g}"
    span = f"{e.first}–{e.last}"
    rows = "".join(
        f'<tr><th class="text">{html.escape(str(c))}</th><td>{_billions(r["booked"])}</td>'
        f"<td>{_billions(r['at_life'])}</td><td>{_billions(r['understated'])}</td>"
        f"<td>{_billions(r['ebit_booked'])}</td><td>{_billions(r['ebit_at_life'])}</td>"
        + (
            "<td>–</td>"
            if pd.isna(r["overstated_last"])
            else f"<td>{100 * r['overstated_last']:+.0f}</td>"
        )
        + "</tr>"
        for c, r in e.total.iterrows()
    )
    implied = ""
    if e.target is not None and e.implied_life is not None and not np.isnan(e.implied_life):
        whose = f"Michael Burry's estimate (register row <code>{source}</code>)" if source else ""
        implied = (
            f"<p>{whose or 'The target'}, ${e.target / 1e9:,.0f}B of depreciation understated over "
            f"{span}, is what this scenario gives if every company booked compute and network "
            f"over {e.implied_life:.2f} years.</p>"
        )
    later = "".join(
        f'<tr><th class="text">{html.escape(str(c))}</th>'
        + "".join(
            f"<td>{_billions(r[f'{o}_{w}'])}</td>"
            for o in ("stranded_peak", "stranded_peak_to_2026", "impairment_ifrs")
            for w in ("booked", "at_life")
        )
        + "</tr>"
        for c, r in e.later.iterrows()
    )
    later_table = (
        "<h3>What each booking strands later</h3><p>Peak stranded value (the whole book's, and "
        "today's capital's: the installed base and the 2026 programme, valued alone) and IFRS "
        "impairments over the whole horizon at the booked lives and at the shorter one: the "
        "write-downs a faster schedule takes through depreciation in advance.</p>"
        f"<table><thead><tr><th></th><th>peak stranded, booked, $B</th><th>at {life} years, $B"
        f"</th><th>today's capital, booked, $B</th><th>at {life} years, $B</th>"
        f"<th>IFRS impaired, booked, $B</th><th>at {life} years, $B</th></tr></thead>"
        f"<tbody>{later}</tbody></table>"
    )
    return (
        f"<h2>What the booked lives leave out, {span}</h2><p>Depreciation of compute, network "
        f"and facilities at each company's disclosed lives and at {life} years for compute and "
        "network (the article's refresh cycle of two to three years), and the AI "
        "infrastructure's EBIT under each: EBITDA does not depend on the booked life, so EBIT "
        "falls by exactly the difference (<code>strandrisk lives --life YEARS</code>). A "
        "company's whole earnings are larger, so its overstatement in per cent is smaller.</p>"
        f"<table><thead><tr><th></th><th>booked, $B</th><th>at {life} years, $B</th>"
        f"<th>understated, $B</th><th>EBIT booked, $B</th><th>EBIT at {life} years, $B</th>"
        f"<th>{e.last} EBIT overstated, %</th></tr></thead><tbody>{rows}</tbody></table>"
        + implied
        + later_table
    )


def _indent(label: str) -> str:
    """Indent a sub-row on the page as the terminal does (its label starts with spaces)."""
    return ' style="padding-left: 1.5em"' if label.startswith(" ") else ""


def _capex_year_section(table: pd.DataFrame | None) -> str:
    """Render which year's capex strands: each year's cohorts valued alone (the industry)."""
    if table is None or table.empty:
        return ""
    rows = "".join(
        f'<tr><th class="text">{year}</th><td>{_billions(r["stranded_peak"])}</td>'
        f"<td>{html.escape(r['stranded_peak_date'] or 'never')}</td>"
        f"<td>{_billions(r['book_at_peak'])}</td></tr>"
        for year, r in table.iterrows()
    )
    return (
        "<h2>Which year's capex strands</h2><p>Each calendar year's cohorts valued as a group "
        "of their own (the industry): their compute and network book above the larger of what "
        "they will still earn (value in use) and their replacement value, at its peak over the "
        "horizon, and their book then. Later years' cohorts take work from earlier ones in the "
        "merit order; a year's peak late in the horizon may still be rising.</p>"
        "<table><thead><tr><th>capex year</th><th>peak stranded, $B</th><th>when</th>"
        f"<th>book then, $B</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _cohorts_section(cohorts: Sequence[Any]) -> str:
    """Render each company's first 2026 cohort, traced (:func:`strandrisk.trace_cohort`)."""
    if not cohorts:
        return ""

    def cell(v: float, fmt: str) -> str:
        return "-" if not math.isfinite(v) else fmt.format(v)

    rows = "".join(
        f'<tr><th class="text">{html.escape(c.company)}</th>'
        f"<td>{_billions(c.facts['capex'])}</td>"
        f"<td>{c.facts['compute_life']:g}</td><td>{c.facts['economic_life']:.2f}</td>"
        f"<td>{html.escape(c.first_loss or 'beyond the grid')}</td>"
        f"<td>{_billions(c.facts['npv'])}</td><td>{cell(100 * c.facts['irr'], '{:.1f}%')}</td>"
        f"<td>{_billions(c.facts['stranded_peak'])}</td>"
        f"<td>{html.escape(c.stranded_peak_date or 'never')}</td></tr>"
        for c in cohorts
    )
    worst = max(
        abs(float(row["difference"])) / max(abs(float(row["model"])), 1.0)
        for c in cohorts
        for _, row in c.checks.iterrows()
    )
    return (
        f"<h2>One cohort, traced: each company's {html.escape(cohorts[0].vintage)} cohort</h2>"
        "<p>A company's figures are sums over its cohorts, one per quarter of capex. Its first "
        "2026 cohort on its own: capex, booked and economic life (until its EBITDA is no "
        "longer positive or it retires), the quarter that happens, its NPV and IRR at WACC "
        "(capex, EBITDA less tax, and the shell's book value when it passes on at the physical "
        "life), and its peak stranded value valued alone. Rebuilt from the cohorts, each "
        "company's EBITDA and 2026 programme NPV agree with the model "
        + ("to within a billionth" if worst < 1e-9 else f"to within {worst:.1e}")
        + " of their size. <code>strandrisk trace COMPANY QUARTER</code> shows any cohort "
        "quarter by quarter.</p>"
        "<table><thead><tr><th>company</th><th>capex, $B</th><th>booked life, years</th>"
        "<th>economic life, years</th><th>EBITDA ends</th><th>NPV, $B</th><th>IRR</th>"
        "<th>peak stranded alone, $B</th><th>when</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _positions_section(positions: Mapping[str, pd.DataFrame]) -> str:
    """Render each company's position at the end of the quarters ``run --at`` asked for."""
    from strandrisk.reports.brief import POSITION_NOTE, POSITION_ROWS

    parts = []
    for quarter, table in positions.items():
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.index)
        rows = "".join(
            f'<tr><th class="text"{_indent(label)}>{html.escape(label.strip())}</th>'
            + "".join(
                f"<td>{100 * v:.1f} %</td>"
                if column == "utilisation"
                else f"<td>{_billions(v)}</td>"
                for v in table[column]
            )
            + "</tr>"
            for label, column in POSITION_ROWS
        )
        parts.append(
            f"<h3>At the end of {html.escape(quarter)}, $B</h3>"
            f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )
    if not parts:
        return ""
    return (
        "<h2>Positions at chosen dates</h2><p>Each unit's books, values and impairment at the "
        f"end of each quarter asked for (<code>--at</code>); {html.escape(POSITION_NOTE)}. "
        "Impairment to date is net of IFRS reversals; EBITDA is the quarter's.</p>" + "".join(parts)
    )
