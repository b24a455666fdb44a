"""Rich tables and panels for the CLI: formatting only, no model logic."""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from strandrisk.analysis.trend import TrendFit
from strandrisk.assumptions.claims import Claim
from strandrisk.assumptions.schema import Record
from strandrisk.engine.breakeven import BRACKETS
from strandrisk.reports.brief import POSITION_NOTE, POSITION_ROWS, lives_line, series_llcr_line
from strandrisk.scenarios.schema import changed_choices
from strandrisk.units import annual_change

if TYPE_CHECKING:  # the types of what is rendered; their modules load on first use
    from strandrisk.analysis.bridge import Bridge
    from strandrisk.analysis.prim import PrimResult
    from strandrisk.engine.decisions import DecisionComparison
    from strandrisk.engine.headroom import Headroom
    from strandrisk.engine.limits import LimitSolution
    from strandrisk.engine.lives import LifeEffect
    from strandrisk.engine.montecarlo import MCResult
    from strandrisk.io.workload import WorkloadFile
    from strandrisk.jobs import MainJob
    from strandrisk.scenarios.sampling import UncertaintySpace
    from strandrisk.scenarios.schema import Scenario
    from strandrisk.tco.model import TCOResult

__all__ = [
    "bridge_table",
    "claims_summary",
    "claims_table",
    "compare_table",
    "debt_cover_table",
    "decisions_tables",
    "diff_tables",
    "drivers_table",
    "fit_panel",
    "fmt",
    "frame_table",
    "headroom_tables",
    "limit_summary",
    "lives_tables",
    "loan_cover_tables",
    "mapping_table",
    "outcome_table",
    "pawn_table",
    "regional_table",
    "register_table",
    "run_summary",
    "sweep_table",
]

_VERDICT_STYLE = {"consistent": "green", "inconsistent": "bold red", "not-checkable": "dim"}


def fmt(x: float | None) -> str:
    """Format a number compactly with up to 4 significant digits.

    Parameters
    ----------
    x : float or None
        The number; None and NaN print as ``-``. [any unit]
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        return f"{x:.3g}"
    return f"{x:,.4g}" if abs(x) >= 1000 else f"{x:.4g}"


REGISTER_WIDE = 120
"""Terminal width [columns] from which the register prints as one table row per record."""


def _register_source(r: Record) -> str:
    return {"derived": f"= {r.formula}", "assumption": f"assumption: {r.note}"}.get(
        r.kind, r.source
    )


def register_table(rows: Sequence[Record], width: int = REGISTER_WIDE) -> Table | Group:
    """Register rows: a table on a wide terminal, two lines per record on a narrow one.

    Parameters
    ----------
    rows : sequence of Record
        The rows to show. [-]
    width : int
        Width of the terminal. [columns] Below :data:`REGISTER_WIDE` each record gets a
        line with its name, value, unit, range and kind, and an indented line with its
        source, so that a name (up to ~60 characters) is never folded.
    """
    title = f"Assumptions register ({len(rows)} rows)"
    if width < REGISTER_WIDE:
        lines: list[Text] = [Text(title, style="italic")]
        for r in rows:
            rng = f" [{fmt(r.low)} - {fmt(r.high)}]" if r.low is not None else ""
            head = Text(r.name, style="bold")
            head.append(f"  {fmt(r.value)} {r.unit}{rng}  ({r.kind})")
            source = textwrap.wrap(
                _register_source(r),
                max(width - 4, 20),
                break_on_hyphens=False,
                break_long_words=False,
            )
            lines += [
                head,
                *(Text(f"    {line}", style="dim") for line in source),
            ]
        return Group(*lines)
    table = Table(title=title, show_lines=False)
    for col in ("name", "value", "unit", "range", "kind", "source"):
        table.add_column(col, overflow="fold", no_wrap=col != "source")
    for r in rows:
        rng = f"{fmt(r.low)} - {fmt(r.high)}" if r.low is not None else ""
        table.add_row(r.name, fmt(r.value), r.unit, rng, r.kind, _register_source(r))
    return table


def fit_panel(fit: TrendFit, title: str) -> Panel:
    """Panel describing one trend fit.

    Parameters
    ----------
    fit : TrendFit
        The fit. [-]
    title : str
        Panel title. [-]
    """
    lo, hi = fit.annual_factor_ci95
    lines = [
        f"observations  {fit.n} ({fit.start} to {fit.end}), skipped {fit.skipped}",
        f"annual factor {fit.annual_factor:.4g}  [95 % CI {lo:.4g} - {hi:.4g}]",
        f"rate          {fit.rate_per_year:+.4f} per year (natural log)",
    ]
    if fit.doubling_time_years is not None:
        lines.append(f"doubling time {fit.doubling_time_years:.3g} years")
    if fit.halving_time_years is not None:
        lines.append(f"halving time  {fit.halving_time_years:.3g} years")
    lines.append(f"R²            {fit.r2:.3f}")
    return Panel("\n".join(lines), title=title, expand=False)


CLAIMS_WIDE = 100
"""Terminal width [columns] from which the claims print as a table."""


def claims_table(rows: Sequence[Claim], width: int = CLAIMS_WIDE) -> Table | Group:
    """Claims with their verdicts: a table on a wide terminal, a block per claim on a narrow one.

    Parameters
    ----------
    rows : sequence of Claim
        The claims to show. [-]
    width : int
        Width of the terminal. [columns] Below :data:`CLAIMS_WIDE` each claim gets a line
        with its id, verdict and figures, then its statement and note wrapped beneath, so
        that seven columns are not squeezed into a few characters each.
    """
    if width < CLAIMS_WIDE:
        lines: list[Text] = [
            Text("Claims register: the article's arithmetic, recomputed", "italic")
        ]
        wrap = max(width - 4, 20)
        for c in rows:
            stated = fmt(c.stated)
            if c.stated_low is not None:
                stated = f"{fmt(c.stated_low)} - {fmt(c.stated_high)}"
            head = Text(c.id, style="bold")
            head.append("  ")
            head.append(c.verdict, style=_VERDICT_STYLE[c.verdict])
            head.append(f"  stated {stated} {c.unit}, recomputed {fmt(c.recomputed)}")
            lines.append(head)
            lines += [Text(f"    {x}") for x in textwrap.wrap(c.statement, wrap)]
            lines += [
                Text(f"    {x}", style="dim")
                for x in textwrap.wrap(c.note, wrap, break_long_words=False)
            ]
        return Group(*lines)
    table = Table(title="Claims register: the article's arithmetic, recomputed")
    for col in ("id", "claim", "stated", "recomputed", "unit", "verdict", "note"):
        table.add_column(col, overflow="fold")
    for c in rows:
        stated = fmt(c.stated)
        if c.stated_low is not None:
            stated = f"{fmt(c.stated_low)} - {fmt(c.stated_high)}"
        style = _VERDICT_STYLE[c.verdict]
        table.add_row(
            c.id,
            c.statement,
            stated,
            fmt(c.recomputed),
            c.unit,
            f"[{style}]{c.verdict}[/]",
            c.note,
        )
    return table


def claims_summary(rows: Sequence[Claim]) -> str:
    """One line counting verdicts.

    Parameters
    ----------
    rows : sequence of Claim
        The claims shown. [-]
    """
    n = Counter(c.verdict for c in rows)
    return (
        f"{len(rows)} claims: {n['consistent']} consistent, {n['inconsistent']} inconsistent, "
        f"{n['not-checkable']} not checkable"
    )


def _money(v: Any) -> str:
    if v is None or pd.isna(v):
        return "-"
    b = float(v) / 1e9
    return f"-${-b:,.0f}B" if b < -0.5 else f"${max(b, 0.0):,.0f}B"


def _share(v: float) -> str:
    """Write a probability in whole per cent; a rare event is "<1%", not 0 %."""
    if pd.isna(v):
        return "-"
    if 0.0 < v < 0.005:
        return "<1%"
    if 0.995 < v < 1.0:
        return ">99%"
    return f"{v:.0%}"


def _pct(v: Any) -> str:
    return "-" if v is None or pd.isna(v) else f"{float(v):.1%}"


def _change(v: Any, decline: bool = False) -> str:
    """Show a continuous rate a year as the change over a year: 0.54 -> "+72%"."""
    if v is None or pd.isna(v):
        return "-"
    change = annual_change(float(v), decline)
    return f"{change:+.0%}" if abs(change) < 99.5 else f"{change + 1:.3g}x"


def _num(v: Any, digits: int = 2) -> str:
    return "-" if v is None or pd.isna(v) else f"{float(v):.{digits}f}"


def _when(v: Any) -> str:
    return "never" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _no_breakeven_caption(growth: bool, decline: bool) -> str:
    parts = [
        f"any {name} rate in [{BRACKETS[key][0]:g}, {BRACKETS[key][1]:g}] a year"
        for key, name, shown in (
            ("growth", "demand growth", growth),
            ("decline", "price decline", decline),
        )
        if shown
    ]
    return "none: the 2026 programme's NPV does not reach zero for " + " or ".join(parts)


def _by_order(order: Sequence[str]) -> Callable[[object], int]:
    """Sort key: names in ``order`` first, in that order, then the rest."""
    rank = {name: i for i, name in enumerate(order)}
    return lambda name: rank.get(str(name), len(rank))


def _compact(title: str, **kwargs: object) -> Table:
    """Table without vertical rules, so that wide tables fit an 80-column terminal."""
    return Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        **kwargs,  # type: ignore[arg-type]
    )


def outcome_table(
    outcomes: pd.DataFrame,
    scenario: int = 0,
    title: str = "Outcomes",
    searched: bool = False,
    last_quarter: str | None = None,
) -> Table:
    """Outcomes of one scenario: a column per company, a row per outcome.

    With ``searched`` (the break-even was solved for this table) a missing break-even
    reads "none" and the caption says what was searched; otherwise "-". With
    ``last_quarter``, a peak dated that quarter is marked as still rising at the horizon.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Outcome table (:func:`strandrisk.simulate`). [USD, year, 1/year]
    scenario : int
        Which scenario's rows to show. [-]
    title : str
        Table title. [-]
    searched : bool
        Whether the break-even values were solved for. [-]
    last_quarter : str, optional
        The horizon's last quarter, e.g. ``2035Q4``. [ISO quarter]
    """
    rows = outcomes[outcomes["scenario"] == scenario].set_index("company")
    none = searched and rows["breakeven_demand_growth"].isna().any()
    none_price = searched and rows["breakeven_price_decline"].isna().any()
    notes = [_no_breakeven_caption(none, none_price)] if none or none_price else []
    if last_quarter is not None and (rows["stranded_peak_date"] == last_quarter).any():
        notes.append(
            f"{last_quarter} is the last quarter run: stranded value still rising (see --horizon)"
        )
    caption = "\n".join(notes) or None
    table = _compact(title, caption=caption, caption_justify="left")
    # numbers and company names never shrink; on a narrow terminal the labels wrap
    table.add_column("outcome", style="bold", min_width=10)
    spec = [
        ("2026 capex", lambda r: _money(r["capex_2026"])),
        ("booked life (years)", lambda r: _num(r["booked_life_years"], 1)),
        ("economic life (years)", lambda r: _num(r["economic_life_years"], 1)),
        ("peak stranded value", lambda r: _money(r["stranded_peak"])),
        ("  when", lambda r: _when(r["stranded_peak_date"])),
        ("impairment, IFRS", lambda r: _money(r["impairment_ifrs"])),
        ("  first", lambda r: _when(r["first_impairment_ifrs"])),
        ("impairment, US GAAP", lambda r: _money(r["impairment_usgaap"])),
        ("  first", lambda r: _when(r["first_impairment_usgaap"])),
        ("NPV of 2026 capex", lambda r: _money(r["npv_2026"])),
        ("IRR of 2026 capex", lambda r: _pct(r["irr_2026"])),
        ("payback (years)", lambda r: _num(r["payback_years_2026"], 1)),
        ("minimum DSCR", lambda r: _num(r["min_dscr"])),
        ("minimum interest cover", lambda r: _num(r["min_interest_cover"])),
        (
            "break-even demand growth",
            lambda r: (
                "none"
                if none and pd.isna(r["breakeven_demand_growth"])
                else _change(r["breakeven_demand_growth"])
            ),
        ),
        (
            "break-even price change",
            lambda r: (
                "none"
                if none_price and pd.isna(r["breakeven_price_decline"])
                else _change(r["breakeven_price_decline"], decline=True)
            ),
        ),
    ]
    cells = [[get(rows.loc[c]) for c in rows.index] for _, get in spec]
    return _by_company(table, list(rows.index), [label for label, _ in spec], cells)


def _by_company(
    table: Table, companies: list[str], labels: list[str], cells: list[list[str]]
) -> Table:
    """Fill ``table`` (its label column added) with a column per company and a row per label.

    A company's column is as wide as its widest cell, so numbers never shrink; on a narrow
    terminal the labels wrap instead.
    """
    for j, company in enumerate(companies):
        width = max(len(str(company)), *(len(row[j]) for row in cells))
        table.add_column(str(company), justify="right", no_wrap=True, min_width=width)
    for label, row in zip(labels, cells, strict=True):
        table.add_row(label, *row)
    return table


def position_table(table: pd.DataFrame, quarter: str) -> Table:
    """Each company's position at the end of a quarter (``SimulationResult.value_at``).

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`strandrisk.SimulationResult.value_at`'s table. [USD, fraction]
    quarter : str
        The quarter, for the title. [ISO quarter]
    """
    out = _compact(f"At the end of {quarter}", caption=POSITION_NOTE, caption_justify="left")
    out.add_column("", style="bold", min_width=10)
    cells = [
        [_pct(v) if column == "utilisation" else _money(v) for v in table[column]]
        for _, column in POSITION_ROWS
    ]
    return _by_company(out, list(table.index), [label for label, _ in POSITION_ROWS], cells)


def run_summary(job: MainJob, at: Sequence[str] = ()) -> Group:
    """Everything ``strandrisk run`` prints: outcomes, top drivers, where files went.

    Parameters
    ----------
    job : MainJob
        What :func:`strandrisk.jobs.run_main_job` returned. [-]
    at : sequence of str
        Quarters at whose end to show each company's position (``run --at``). [ISO quarter]
    """
    scenario = job.scenario
    parts: list[RenderableType] = [
        outcome_table(
            job.outcomes,
            title=f"strandrisk run: {scenario.name} ({scenario.years} years from 2026Q1)",
            searched=True,
            last_quarter=f"{2025 + scenario.years}Q4",
        ),
    ]
    for line in (series_llcr_line(job.series), lives_line(job.lives)):
        if line:
            parts.append(Text(line))
    for quarter in at:  # each company's position at a date the user asked about
        parts += ["", position_table(job.value_at(quarter), quarter)]
    changed = changed_choices(scenario)
    if changed:  # say which model it was: a switch changes what the figures mean
        parts.append(
            Text(
                "Modelling choices away from the defaults: "
                + ", ".join(
                    f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in changed
                )
            )
        )
    parts += [
        "",
        "[bold]Assumptions that move peak stranded value most[/] "
        "(industry, one at a time over each range):",
    ]
    for i, s in enumerate(job.swings[:3], start=1):
        parts.append(  # plain text: no number highlighting inside "$4,212B"
            Text(
                f"  {i}. {s.key} ({s.row}): {_money(s.outcome_low)} at {s.low:.4g} -> "
                f"{_money(s.outcome_high)} at {s.high:.4g}"
            )
        )
    parts.append("")
    if job.report is not None:
        parts.append(f"report: {job.report}")
    for path in job.pngs:
        parts.append(f"chart:  {path}")
    if job.run_id is not None:
        parts.append(f"stored: run {job.run_id} in {job.store}")
    return Group(*parts)


def frame_table(frame: pd.DataFrame, title: str) -> Table:
    """Render a data frame as a rich table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, one rich column per column (the index is not shown). [column units]
    title : str
        Table title. [-]
    """
    table = Table(title=title)
    for column in frame.columns:
        text = frame[column].dtype == object or str(frame[column].dtype) in ("string", "str")
        table.add_column(str(column), no_wrap=bool(text), overflow="ellipsis" if text else "fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(fmt(v) if isinstance(v, float) else str(v) for v in row))
    return table


def compare_table(table: pd.DataFrame, title: str) -> Table:
    """Two runs' outcomes side by side, each value in its unit; fits 80 columns.

    Parameters
    ----------
    table : pandas.DataFrame
        From :meth:`strandrisk.store.runs.RunStore.compare`: index (company, outcome),
        columns ``unit``, ``first``, ``second``, ``difference``. [unit column]
    title : str
        Table title. [-]
    """

    def cell(v: Any, unit: str, signed: bool = False) -> str:
        if v is None or pd.isna(v):
            return "-"
        scale, digits = {"USD": (1e-9, 1), "1/year": (100.0, 1)}.get(unit, (1.0, 2))
        x = round(float(v) * scale, digits) + 0.0  # + 0.0: no "-0.0"
        sign = "+" if signed and x > 0 else ""
        if unit == "USD":
            return f"{sign}{'-' if x < 0 else ''}${abs(x):,.{digits}f}B"
        return f"{sign}{x:.{digits}f}{'%' if unit == '1/year' else ''}"

    t = _compact(
        title,
        caption="money in USD billions; rates per year; break-even values as a change over a year",
    )
    t.add_column("company", no_wrap=True)
    t.add_column("outcome", no_wrap=True)
    for col in ("first", "second", "difference"):
        t.add_column(col, justify="right", no_wrap=True)
    previous = None
    for (company, outcome), row in table.iterrows():
        label = str(outcome) if outcome != previous else ""
        previous = outcome
        if str(outcome).startswith("breakeven_"):  # continuous rates: the change over a year
            decline = outcome == "breakeven_price_decline"
            a, b = row["first"], row["second"]
            if pd.isna(a) or pd.isna(b):
                gap = "-"
            else:
                points = round((annual_change(b, decline) - annual_change(a, decline)) * 100)
                gap = f"{points + 0:+d} pp"  # + 0: no "-0"
            cells = (_change(a, decline), _change(b, decline), gap)
        else:
            cells = (
                cell(row["first"], row["unit"]),
                cell(row["second"], row["unit"]),
                cell(row["difference"], row["unit"], signed=True),
            )
        t.add_row(str(company), label, *cells)
    return t


def mapping_table(mapping: dict, title: str) -> Table:
    """Render key-value pairs as a two-column table.

    Parameters
    ----------
    mapping : dict
        Keys and values, printed as text (``None`` as ``-``). [-]
    title : str
        Table title. [-]
    """
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in mapping.items():
        table.add_row(str(key), "-" if value is None else str(value))
    return table


def tco_tables(wf: WorkloadFile, result: TCOResult, checks: list) -> Group:
    """Render the TCO comparison: options, the article checks, break-even volumes."""
    from strandrisk.reports.tco import (  # imports Plotly
        breakeven_lines,
        option_cells,
        workload_sentence,
    )

    w = result.workload
    table = _compact(f"TCO over {w.horizon_years:g} years: {wf.description}")
    table.add_column("option", min_width=12)  # wraps on a narrow terminal; numbers never do
    for col in ("fits", "units", "capex", "energy kWh", "energy", "total", "$/Mtok"):
        table.add_column(col, justify="right", no_wrap=True)
    for r in result.options:
        table.add_row(
            r.label or r.option,
            "yes" if r.fits_in_memory else "[red]no[/]",
            *option_cells(r),
        )
    parts: list[RenderableType] = [f"workload: {workload_sentence(w)}", table]
    if checks:
        ct = _compact("The article's figures")
        for col in ("option", "stated", "reproduced", "verdict"):
            ct.add_column(col, no_wrap=True)
        ct.add_column("detail", overflow="fold", ratio=1)
        for c in checks:
            style = "green" if c.verdict == "reproduced" else "bold red"
            ct.add_row(c.option, c.stated, c.reproduced, f"[{style}]{c.verdict}[/]", c.detail)
        parts.append(ct)
    lines = [f"  {line}" for line in breakeven_lines(result)]
    parts += ["Break-even daily volume (total cost equal):", *lines]
    return Group(*parts)


_FORMAT = {
    "booked_life_years": lambda v: _num(v, 1),
    "economic_life_years": lambda v: _num(v, 1),
    "irr_2026": _pct,
    "min_dscr": _num,
    "min_interest_cover": _num,
    "breakeven_demand_growth": _change,
    "breakeven_price_decline": lambda v: _change(v, decline=True),
}


def quantile_table(q: pd.DataFrame, title: str, order: Sequence[str] = ()) -> Table:
    """Quantiles per company and outcome (index (company, outcome), a column per level).

    Companies in ``order`` come first, in that order; money in USD billions, rates in per
    cent, lives in years.
    """
    table = _compact(title)  # no vertical rules: $1,234B fits five columns in 80
    table.add_column("company", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    for col in q.columns:  # p5 -> P5; other statistics (mean) as named
        name = str(col)
        table.add_column(
            name.upper() if name[1:].isdigit() else name, justify="right", no_wrap=True
        )
    key = _by_order(order)
    groups = sorted(q.groupby(level="company", sort=False), key=lambda g: key(g[0]))
    for i, (company, frame) in enumerate(groups):
        if i:
            table.add_section()
        for j, ((_, outcome), row) in enumerate(frame.iterrows()):
            show = _FORMAT.get(str(outcome), _money)
            table.add_row(str(company) if j == 0 else "", str(outcome), *(show(v) for v in row))
    return table


def value_at_table(result: MCResult, quarter: str, order: Sequence[str]) -> Table:
    """Book value and the spread of stranded value per company at one quarter.

    Parameters
    ----------
    result : MCResult
        The run's summary (:meth:`~strandrisk.engine.montecarlo.MCResult.value_at`). [USD]
    quarter : str
        An ISO quarter inside the horizon. [ISO quarter]
    order : sequence of str
        Companies in display order. [-]
    """
    from strandrisk.engine.montecarlo import FAN_SCENARIOS

    used = result.fan_scenarios
    t = _compact(
        f"Stranded value at the end of {quarter}: its spread over the "
        f"{'first ' if used >= FAN_SCENARIOS else ''}{used:,} scenarios"
    )
    t.add_column("company", no_wrap=True)
    for col in ("book P50", "stranded P5", "P25", "P50", "P75", "P95"):
        t.add_column(col, justify="right", no_wrap=True)
    table = result.value_at(quarter)
    for company in sorted(table.index, key=_by_order(order)):
        t.add_row(str(company), *(_money(v) for v in table.loc[company]))
    return t


def mc_summary(
    result: MCResult,
    scenario: Scenario,
    space: UncertaintySpace,
    at: Sequence[str] = (),
    company: str = "industry",
    conditions: Sequence[tuple[str, float, bool]] = (),
) -> Group:
    """Render a Monte Carlo summary: quantiles, Capex-at-Risk, P(impairment), drivers.

    Parameters
    ----------
    result : MCResult
        The run's summary. [USD, fraction]
    scenario : Scenario
        The scenario (for its name and companies). [-]
    space : UncertaintySpace
        What varied. [-]
    at : sequence of str
        ISO quarters at which to show the spread of stranded value. [ISO quarter]
    company : str
        Whose drivers to rank. [-]
    conditions : sequence of (outcome, threshold, above)
        Probabilities to show (default: the 2026 programme's NPV below 0). [USD]
    """
    from strandrisk.reports.brief import condition_label, precision_note
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    r: Any = result
    order = [c.name for c in scenario.companies] + ["industry"]
    table = quantile_table(
        r.quantiles.join(r.moments[["mean"]]),
        f"Monte Carlo: {scenario.name}, {r.n:,} scenarios "
        f"({SAMPLER_NAMES.get(r.sampler, r.sampler)}, seed {r.seed}), "
        f"{len(space.keys)} uncertain parameter{'' if len(space.keys) == 1 else 's'}",
        order,
    )
    precision = Text(precision_note(r.intervals, r.quantiles, r.n, r.precision), style="dim")
    car = r.capex_at_risk
    ct = Table(
        title="Capex-at-Risk: 95th percentile of peak stranded value, and the mean beyond it"
    )
    for col in ("company", "CaR 95", "sampling error (95 %)", "expected shortfall"):
        ct.add_column(col, justify="left" if col == "company" else "right", no_wrap=True)
    for name in sorted(car.index, key=_by_order(order)):
        row = car.loc[name]
        bounds = r.intervals.loc[(name, "stranded_peak"), ["p95_low", "p95_high"]]
        ct.add_row(
            str(name),
            _money(row["car95"]),
            "unbounded"
            if bounds.isna().any()
            else f"{_money(bounds.iloc[0])}–{_money(bounds.iloc[1])}",
            _money(row["expected_shortfall"]),
        )
    ot = _share_table(
        "Chance of each outcome, per company", r.probabilities(conditions), order, condition_label
    )
    dt = debt_cover_table(r.debt_cover(), order)
    it = debt_cover_table(
        r.interest_cover(), order, "Interest cover: the lowest annual EBIT over interest"
    )
    loan = loan_cover_tables(r, order) if r.has_loan_cover else []
    p = r.impairment_by_year(order)
    pt = _compact("Probability of a material impairment by the end of the year")
    pt.add_column("company", no_wrap=True)
    for year in p.columns:
        pt.add_column(str(year), justify="right")
    for i, (label, row) in enumerate(p.iterrows(), start=1):
        pt.add_row(str(label), *(_share(v) for v in row))
        if i % len(order) == 0:  # IFRS, then US GAAP
            pt.add_section()
    return Group(
        table,
        precision,
        ct,
        ot,
        dt,
        it,
        *loan,
        pt,
        *(value_at_table(r, q, order) for q in at),
        *drivers_table(r, company),
    )


def drivers_table(
    result: MCResult, company: str = "industry", top: int = 4
) -> list[RenderableType]:
    """Render what moves a company's outcomes in a Monte Carlo run, and how far to read it.

    Parameters
    ----------
    result : MCResult
        The run's summary (:meth:`~strandrisk.engine.montecarlo.MCResult.driver_table`). [-]
    company : str
        A company of the run, or ``"industry"``. [-]
    top : int
        Parameters taken from each outcome's ranking. [count]

    Returns
    -------
    list
        The table, then the notes (plain text). [-]
    """
    from strandrisk.reports.brief import DRIVER_NAMES, driver_notes

    r: Any = result
    wide = r.driver_table(company, top)
    t = _compact(f"What moves the outcomes ({company}): rank correlation with each parameter")
    t.add_column("parameter", no_wrap=True)
    for outcome in wide.columns:
        t.add_column(DRIVER_NAMES.get(outcome, outcome), justify="right")
    for parameter, row in wide.iterrows():
        t.add_row(str(parameter), *("-" if pd.isna(v) else f"{v:+.2f}" for v in row))
    notes = driver_notes(r.drivers_of(company), list(wide.index), r.driver_scenarios)
    table: list[RenderableType] = [t] * (not wide.empty)
    return table + [Text(note, style="dim") for note in notes]


def sobol_table(indices: pd.DataFrame, swings: list, company: str = "industry") -> Group:
    """Render Sobol indices (top parameters per outcome) and the P10-P90 tornado.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``S1, S1_conf, ST, ST_conf``. [-]
    swings : list of Swing
        Peak stranded value at each parameter's P10 and P90. [USD]
    company : str
        Whose outcomes. [-]
    """
    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome"):
        t = Table(title=f"Sobol indices of {outcome} ({company}), 95 % intervals")
        for col in ("parameter", "S1", "ST"):
            t.add_column(
                col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
            )
        for (_, name), row in frame.head(10).iterrows():
            t.add_row(
                name, f"{row.S1:.3f} ± {row.S1_conf:.3f}", f"{row.ST:.3f} ± {row.ST_conf:.3f}"
            )
        parts.append(t)
    parts.append(_tornado_table(swings, company))
    return Group(*parts)


def _tornado_table(swings: list, company: str) -> Table:
    """Render the P10-P90 one-at-a-time swings of peak stranded value, largest first."""
    tt = Table(
        title=f"Tornado: peak stranded value with each parameter at its P10 and P90 ({company})"
    )
    for col in ("parameter", "P10", "P90", "at P10", "at P90"):
        tt.add_column(
            col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
        )
    for s in swings[:10]:
        tt.add_row(
            s.key, f"{s.low:.4g}", f"{s.high:.4g}", _money(s.outcome_low), _money(s.outcome_high)
        )
    return tt


def morris_table(indices: pd.DataFrame, swings: list, company: str, runs: int) -> Group:
    """Render Morris screening (top parameters per outcome) and the P10-P90 tornado.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``mu, mu_star, mu_star_conf, sigma``, largest
        ``mu_star`` first. [outcome unit across the probability range]
    swings : list of Swing
        Peak stranded value at each parameter's P10 and P90. [USD]
    company : str
        Whose outcomes. [-]
    runs : int
        Model runs behind the effects. [count]
    """
    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome", sort=False):
        show = _FORMAT.get(str(outcome), _money)
        t = Table(title=f"Morris elementary effects on {outcome} ({company}), 95 % intervals")
        for col in ("parameter", "mu*", "sigma", "mu"):
            t.add_column(
                col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
            )
        for (_, name), row in frame.head(10).iterrows():
            t.add_row(
                str(name),
                f"{show(row['mu_star'])} ± {show(row['mu_star_conf'])}",
                show(row["sigma"]),
                show(row["mu"]),
            )
        parts.append(t)
    parts.append(
        Text(
            f"From {runs:,} runs. mu*: the mean absolute change of the outcome as the parameter "
            "moves across its range in probability (P0 to P100); sigma: how much that change "
            "varies from one point to another (nonlinearity, interactions); mu: its mean with "
            "sign. A screening: it ranks what matters; --method sobol apportions the variance.",
            style="dim",
        )
    )
    parts.append(_tornado_table(swings, company))
    return Group(*parts)


def pawn_table(indices: pd.DataFrame, swings: list, company: str, runs: int) -> Group:
    """Render PAWN indices (top parameters per outcome, and the noise floor) and the tornado.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``median, mean, minimum, maximum, cv``, largest
        ``median`` first, the dummy among them. [-]
    swings : list of Swing
        Peak stranded value at each parameter's P10 and P90. [USD]
    company : str
        Whose outcomes. [-]
    runs : int
        Model runs behind the indices. [count]
    """
    from strandrisk.analysis.pawn import DUMMY

    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome", sort=False):
        floor = float(frame.xs(DUMMY, level="parameter")["median"].iloc[0])
        t = Table(title=f"PAWN indices of {outcome} ({company})")
        for col in ("parameter", "PAWN (median KS)", "max over intervals", "above noise"):
            t.add_column(
                col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
            )
        shown = frame[frame.index.get_level_values("parameter") != DUMMY].head(10)
        for (_, name), row in shown.iterrows():
            t.add_row(
                str(name),
                f"{row['median']:.3f}",
                f"{row['maximum']:.3f}",
                "yes" if row["median"] > floor else "no",
            )
        t.add_row(DUMMY, f"{floor:.3f}", "", "", style="dim")
        parts.append(t)
    parts.append(
        Text(
            f"From {runs:,} Latin-hypercube draws. PAWN: how far the outcome's distribution moves "
            "when the parameter is held in one tenth of its range (median over the ten, as a "
            "Kolmogorov-Smirnov distance, 0 to 1); no variance needed, so skewed or saturated "
            "outcomes are fine. The noise floor: the 95th percentile of 20 dummy parameters "
            "that do nothing; a parameter at or below it cannot be told from noise.",
            style="dim",
        )
    )
    if swings:  # none for draws read from a kept run
        parts.append(_tornado_table(swings, company))
    return Group(*parts)


def prim_summary(result: PrimResult, cases: int, n: int) -> Group:
    """Render a PRIM result: the trajectory's trade-off and the chosen box."""
    traj = result.trajectory
    box = result.boxes[result.chosen]
    t = Table(
        title=f"PRIM box (step {result.chosen} of {len(traj) - 1}): "
        f"{cases:,} cases of interest in {n:,}"
    )
    for col in ("parameter", "lower", "upper", "data min", "data max", "qp lower", "qp upper"):
        t.add_column(
            col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
        )
    for name, row in result.limits.iterrows():
        t.add_row(
            str(name),
            f"{row['lower']:.4g}",
            f"{row['upper']:.4g}",
            f"{row['min']:.4g}",
            f"{row['max']:.4g}",
            *("-" if pd.isna(row[c]) else f"{row[c]:.2g}" for c in ("qp_lower", "qp_upper")),
        )
    curve = ", ".join(
        f"{c:.0%}/{d:.0%}" for c, d in zip(traj["coverage"][::5], traj["density"][::5], strict=True)
    )
    return Group(
        t,
        f"coverage {box.coverage:.1%} of the cases, density {box.density:.1%} inside the box, "
        f"mass {box.mass:.1%}",
        f"trade-off (coverage/density every 5 peels): {curve}",
        Text(
            "qp: the quasi-p-value of each restricted side (Bryant and Lempert, 2010), the chance "
            "of the box's density if that one restriction were dropped; below 0.05 the "
            "restriction matters beyond chance, '-' a side not restricted.",
            style="dim",
        ),
    )


def breakeven_summary(
    dist: pd.DataFrame, surface: pd.DataFrame, x: str, y: str, company: str = "industry"
) -> Group:
    """Render the break-even distribution and surface.

    Parameters
    ----------
    dist : pandas.DataFrame
        Quantiles of the break-even values and the share found. [1/year, fraction]
    surface : pandas.DataFrame
        Break-even demand growth over ``x`` (index) and ``y`` (columns). [1/year]
    x, y : str
        The surface's parameters. [-]
    company : str
        Whose break-even values. [-]
    """
    t = _compact(
        f"Break-even rates over the uncertainty space ({company}; continuous rates a year, "
        "as the parameters)",
        caption="found: the share of scenarios whose NPV crosses zero inside the searched range",
    )
    t.add_column("break-even", no_wrap=True)
    for col in dist.columns:
        t.add_column("found" if col == "share_defined" else col, justify="right", no_wrap=True)
    for name, row in dist.iterrows():
        label = str(name).removeprefix("breakeven_").replace("_", " ")
        t.add_row(
            label, *(f"{v:.3f}" if c != "share_defined" else f"{v:.0%}" for c, v in row.items())
        )
    s = _compact(
        f"Break-even demand growth over {x} (rows) and {y} (columns)",
        caption=_no_breakeven_caption(growth=True, decline=False),
    )
    s.add_column(x, no_wrap=True)
    for c in surface.columns:
        s.add_column(f"{c:.4g}", justify="right", no_wrap=True)
    for idx, row in surface.iterrows():
        s.add_row(f"{idx:.4g}", *("none" if pd.isna(v) else f"{v:.3f}" for v in row))
    return Group(t, s)


def _usd_change(v: Any, sign: bool = True) -> str:
    """Write a change in $ billions with its sign (``+$50B``, ``-$1.2B``); one decimal below 10."""
    if v is None or pd.isna(v):
        return "-"
    b = float(v) / 1e9
    digits = 1 if abs(b) < 10 else 0
    if round(abs(b), digits) == 0:
        return "$0B"
    prefix = ("+" if b > 0 else "-") if sign else ""
    return f"{prefix}${abs(b):,.{digits}f}B"


def decisions_tables(
    comparison: DecisionComparison, company: str = "industry", width: int = 80
) -> Group:
    """Render decisions compared over the same draws: their distributions and changes.

    Parameters
    ----------
    comparison : DecisionComparison
        From :func:`~strandrisk.engine.decisions.compare_decisions`. [-]
    company : str
        Whose outcomes to show: a company or ``"industry"``. [-]
    width : int
        The terminal's width: decision labels too long for it become D1, D2 ... with a
        legend. [characters]
    """
    from strandrisk.engine.decisions import COMPARED
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    names = {"stranded_peak": "peak stranded", "npv_2026": "2026 NPV", "impairment_ifrs": "IFRS"}

    c: Any = comparison
    summary = c.summary(company)
    labels = [str(x) for x in summary.index]
    room = max(width - 66, 8)  # what the decision column holds beside the figures
    short = {x: x for x in labels}
    if any(len(x) > room for x in labels):  # long labels: D1, D2 ... and a legend below
        short = {x: (x if i == 0 else f"D{i}") for i, x in enumerate(labels)}
    st = _compact(
        f"Decisions over the same {c.n:,} draws ({SAMPLER_NAMES.get(c.sampler, c.sampler)}, "
        f"seed {c.seed}): {company}"
    )
    for col, justify in (
        ("decision", "left"),
        ("peak stranded P50", "right"),
        ("CaR 95", "right"),
        ("2026 NPV P50", "right"),
        ("NPV < 0", "right"),
        ("IFRS impairments, mean", "right"),
    ):
        st.add_column(col, justify=justify)  # type: ignore[arg-type]
    for label, row in summary.iterrows():
        st.add_row(
            short[str(label)],
            _money(row["stranded_peak_p50"]),
            _money(row["stranded_peak_p95"]),
            _money(row["npv_2026_p50"]),
            _share(row["p_npv_negative"]),
            _money(row["impairment_ifrs_mean"]),
        )
    cover = c.cover(company)
    dt = _compact(f"Debt cover under each decision: {company}")
    heads = {"min_dscr": "lowest DSCR", "min_interest_cover": "interest cover", "min_llcr": "LLCR"}
    dt.add_column("decision")
    for outcome, level in c.covers.items():
        dt.add_column(f"{heads[outcome]} P50", justify="right")
        dt.add_column(f"< {level:.1f}x", justify="right")
    for label, row in cover.iterrows():
        cells = [short[str(label)]]
        for outcome in c.covers:
            cells += [_num(row[f"{outcome}_p50"]), _share(row[f"{outcome}_below"])]
        dt.add_row(*cells)
    change = c.change(company)
    ct = _compact(f"What each decision changes, draw by draw: {company}")
    for col, justify in (
        ("decision", "left"),
        ("outcome", "left"),
        ("mean change", "right"),
        ("± (95 %)", "right"),
        ("P5", "right"),
        ("P95", "right"),
        ("rises in", "right"),
        ("falls in", "right"),
    ):
        ct.add_column(col, justify=justify)  # type: ignore[arg-type]
    for i, ((label, outcome), row) in enumerate(change.iterrows(), start=1):
        ct.add_row(
            short[str(label)] if i % len(COMPARED) == 1 else "",
            names.get(str(outcome), str(outcome)),
            _usd_change(row["mean"]),
            "±" + _usd_change(row["mean_pm"], sign=False),
            _usd_change(row["p5"]),
            _usd_change(row["p95"]),
            _share(row["share_up"]),
            _share(row["share_down"]),
        )
        if i % len(COMPARED) == 0 and i < len(change):
            ct.add_section()
    note = Text(
        "Every decision runs on the same parameter draws as the scenario as given (common "
        "random numbers), so each draw gives a paired change; the ± is the 95 % interval of the "
        "mean change (conservative for Latin hypercube and Sobol' samples). A decision that sets "
        "an uncertain parameter holds it at that value in every draw; a stress draws it from the "
        "band only, each draw keeping its place within the band.",
        style="dim",
    )
    legend = [Text(f"{v}: {k}") for k, v in short.items() if k != v]
    regret = c.regret(company)
    if regret.empty:
        return Group(st, dt, ct, *legend, note)
    rt = _compact(f"Regret: how far each falls short of the best decision in each draw: {company}")
    for col, justify in (
        ("decision", "left"),
        ("outcome", "left"),
        ("best in", "right"),
        ("mean regret", "right"),
        ("P90", "right"),
        ("max", "right"),
    ):
        rt.add_column(col, justify=justify)  # type: ignore[arg-type]
    shown = ""
    for (label, outcome), row in regret.iterrows():
        first = str(label) != shown  # the label once per decision
        if first and shown:
            rt.add_section()
        shown = str(label)
        rt.add_row(
            short[str(label)] if first else "",
            names.get(str(outcome), str(outcome)),
            _share(row["best_in"]),
            _money(row["mean"]),
            _money(row["p90"]),
            _money(row["max"]),
        )
    return Group(st, dt, ct, rt, *legend, note)


def debt_cover_table(
    cover: pd.DataFrame,
    order: Sequence[str],
    title: str = "Debt service cover: the lowest annual DSCR over the horizon",
) -> Table:
    """Render the lowest DSCR (interest cover, LLCR) per company: its spread and breaches' odds.

    Parameters
    ----------
    cover : pandas.DataFrame
        ``MCResult.debt_cover()`` (or ``interest_cover()``, ``loan_cover()``, whose
        ``no_interest`` or ``no_debt`` column takes the place of ``no_debt_service``).
        [ratio, fraction]
    order : sequence of str
        Companies (and ``industry``) in display order. [-]
    title : str
        The table's title. [-]
    """
    from strandrisk.reports.brief import covenant_label

    table = _compact(title)
    levels = [c for c in cover.columns if c.startswith("below ")]
    missing = next(c for c in cover.columns if c.startswith("no_"))  # no debt (service), ...
    debtless = bool((cover[missing] > 0).any())
    table.add_column("company", no_wrap=True)
    for col in ("P5", "P50", "P95"):
        table.add_column(col, justify="right")
    for col in levels:
        table.add_column(covenant_label(col), justify="right")
    if debtless:
        table.add_column(missing.replace("_", " "), justify="right")
    for name in sorted(cover.index, key=_by_order(order)):
        row = cover.loc[name]
        cells = [
            str(name),
            *("-" if pd.isna(row[q]) else f"{row[q]:.2f}" for q in ("p5", "p50", "p95")),
        ]
        cells += [_share(row[c]) for c in levels]
        if debtless:
            cells.append(_share(row[missing]))
        table.add_row(*cells)
    return table


def loan_cover_tables(result: MCResult, order: Sequence[str]) -> list[RenderableType]:
    """Render a run's loan life cover: the lowest quarterly LLCR, and when it first falls below 1.

    Parameters
    ----------
    result : MCResult
        A run with the loan life cover (``mc --llcr``). [ratio, fraction]
    order : sequence of str
        Companies (and ``industry``) in display order. [-]
    """
    r: Any = result
    lowest = debt_cover_table(
        r.loan_cover(),
        order,
        "Loan life cover: the lowest quarterly LLCR over the horizon",
    )
    note = Text(
        "LLCR: the cash available for debt service of the assets in place, over the "
        "remaining life of the loans, discounted at the debt's rate, against the debt "
        "outstanding (below 1, those assets cannot repay it).",
        style="dim",
    )
    by_year = _share_table(
        "Probability the LLCR has fallen below 1 by the end of the year",
        r.p_llcr_below_1["share"].unstack("year"),
        order,
    )
    return [lowest, note, by_year]


def _share_table(
    title: str, shares: pd.DataFrame, order: Sequence[str], header: Any = str
) -> Table:
    """Return a compact table of shares: a row per company (in ``order``), a column each."""
    table = _compact(title)
    table.add_column("company", no_wrap=True)
    for column in shares.columns:
        table.add_column(header(column), justify="right")
    for name in sorted(shares.index, key=_by_order(order)):
        table.add_row(str(name), *(_share(v) for v in shares.loc[name]))
    return table


def regional_table(regional: pd.DataFrame, top: int = 8) -> Group:
    """Render the regional sensitivity: the parameters that separate the cases most.

    Parameters
    ----------
    regional : pandas.DataFrame
        :func:`~strandrisk.analysis.regional.regional_sensitivity`. [-]
    top : int
        Parameters shown. [count]
    """
    table = _compact(
        "Which parameters separate the cases (regional sensitivity: Kolmogorov-Smirnov distance)"
    )
    for col, justify in (
        ("parameter", "left"),
        ("KS", "right"),
        ("p-value", "right"),
        ("median, cases", "right"),
        ("median, others", "right"),
    ):
        table.add_column(col, justify=justify, no_wrap=col == "parameter")  # type: ignore[arg-type]
    from strandrisk.scenarios.schema import parameter_unit

    for name, row in regional.head(top).iterrows():
        year = parameter_unit(str(name)) == "calendar_year"  # 2029.1, not "2,029"
        medians = (float(row["cases_median"]), float(row["others_median"]))
        table.add_row(
            str(name),
            f"{row['ks']:.2f}",
            "<0.001" if row["p_value"] < 1e-3 else f"{row['p_value']:.3f}",
            *(f"{v:.1f}" if year else fmt(v) for v in medians),
        )
    note = Text(
        "0: the cases spread over the parameter like every scenario; 1: they sit apart. Unlike "
        "the box, this sees a parameter that matters in several places or only with others.",
        style="dim",
    )
    return Group(table, note)


def _setting(v: Any, unit: str) -> str:
    """Write a scenario value in its unit: USD as $B, lists joined, numbers to 4 figures."""
    if v is None:
        return "-"
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if unit == "USD":
        return f"${float(v) / 1e9:,.1f}B"
    return f"{float(v):.6g}"


def diff_tables(
    diff: pd.DataFrame,
    priors: pd.DataFrame,
    pairs: Sequence[tuple[str, str, float, float]],
    labels: tuple[str, str],
    drawn: tuple[int, int] = (1, 1),
) -> Group:
    """Render what two scenarios set differently: values, priors and rank correlations.

    Parameters
    ----------
    diff : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.scenario_diff`. [canonical units]
    priors : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.prior_diff`. [-]
    pairs : sequence of (str, str, float, float)
        Correlated pairs whose target rank correlation differs. [-]
    labels : (str, str)
        The two scenarios' names as the columns' titles. [-]
    drawn : (int, int)
        Parameters each uncertainty block draws: one without a block is said in a line
        instead of a row per prior. [count]
    """
    parts: list[Any] = []
    n = len(diff)
    title = f"{labels[0]} -> {labels[1]}: " + (
        (f"{n} values differ" if n != 1 else "1 value differs") if n else "every value alike"
    )
    t = _compact(title)
    for col, justify in (("key", "left"), ("unit", "left"), (labels[0], "right")):
        t.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    t.add_column(labels[1], justify="right", no_wrap=True)
    for row in diff.itertuples(index=False):
        t.add_row(row.key, row.unit, _setting(row.first, row.unit), _setting(row.second, row.unit))
    parts.append(t if n else Text(title))
    if min(drawn) == 0 and max(drawn) > 0:
        parts.append(
            Text(
                f"Priors: {labels[0]} draws {drawn[0]} parameters, {labels[1]} {drawn[1]} "
                "(a file without an [uncertainty] block draws none; a stored run keeps its "
                "values, not its priors).",
                style="dim",
            )
        )
    elif len(priors):
        p = _compact("Priors that differ (beyond a mode that follows its value)")
        for col in ("key", labels[0], labels[1]):
            p.add_column(col, no_wrap=col == "key")
        for row in priors.itertuples(index=False):
            p.add_row(row.key, row.first, row.second)
        parts.append(p)
    else:
        parts.append(Text("Priors: alike (a mode that follows its value aside).", style="dim"))
    for a, b, ra, rb in pairs:
        parts.append(
            Text(f"Rank correlation {a} ~ {b}: {ra:+.2f} in {labels[0]}, {rb:+.2f} in {labels[1]}")
        )
    return Group(*parts)


def _step(v: float, unit: str) -> str:
    """Write a step of a bridge in its outcome's unit, signed."""
    if v is None or not math.isfinite(v):
        return "-"
    if unit == "USD":
        return _usd_change(v)
    if unit == "1/year":
        x = round(v * 100, 1) + 0.0
        return "0 pp" if x == 0 else f"{x:+.1f} pp"
    x = round(v, 2) + 0.0
    return "0" if x == 0 else f"{x:+.2f}" + (" y" if unit == "year" else "")


def _level(v: float, unit: str) -> str:
    """Write an outcome's level in its unit."""
    if v is None or not math.isfinite(v):
        return "-"
    if unit == "USD":
        return _money(v)
    if unit == "1/year":
        return f"{v * 100:.1f}%"
    return f"{v:.2f}" + (" y" if unit == "year" else "")


def bridge_table(result: Bridge, labels: tuple[str, str], values: tuple[dict, dict]) -> Group:
    """Render a bridge: the first scenario's outcomes, each difference's share, the second's.

    Parameters
    ----------
    result : Bridge
        From :func:`~strandrisk.analysis.bridge.bridge`. [outcome units]
    labels : (str, str)
        The two scenarios' names. [-]
    values : (dict, dict)
        The scenarios' flat values (:meth:`Scenario.flat`), to say what each step changes. [-]
    """
    from strandrisk.analysis.bridge import key_unit
    from strandrisk.engine.simulate import OUTCOME_UNITS

    b: Any = result
    names = {
        "stranded_peak": "peak stranded",
        "impairment_ifrs": "IFRS charges",
        "impairment_usgaap": "US GAAP charges",
        "npv_2026": "2026 NPV",
        "irr_2026": "2026 IRR",
        "payback_years_2026": "payback",
        "economic_life_years": "economic life",
        "booked_life_years": "booked life",
        "capex_2026": "2026 capex",
        "min_dscr": "min DSCR",
        "min_interest_cover": "min interest cover",
        "breakeven_demand_growth": "break-even g",
        "breakeven_price_decline": "break-even λ",
    }
    outcomes = list(b.start.index)
    t = _compact(
        f"Bridge from {labels[0]} to {labels[1]}: {b.company} ({b.runs:,} model runs, Shapley)",
        caption=(
            "Each step is the change's Shapley contribution: its effect averaged over every "
            "order of making the changes, so the steps add up to the total and do not depend "
            f"on an order. Below it (dim), the change made alone from {labels[0]}; the gap is "
            "what it owes to the other changes."
        ),
    )
    t.add_column("step", no_wrap=True)
    for o in outcomes:
        t.add_column(names.get(o, o), justify="right", no_wrap=True)
    units = [OUTCOME_UNITS[o] for o in outcomes]
    t.add_row(labels[0], *(_level(b.start[o], u) for o, u in zip(outcomes, units, strict=True)))
    for step, keys in zip(b.steps, b.keys, strict=True):
        t.add_row(
            step,
            *(_step(b.contribution.loc[step, o], u) for o, u in zip(outcomes, units, strict=True)),
        )
        if len(keys) == 1:
            unit = key_unit(keys[0])
            change = f"{_setting(values[0][keys[0]], unit)} -> {_setting(values[1][keys[0]], unit)}"
        else:
            change = "together"
        t.add_row(
            Text(f"  {change}; alone", style="dim"),
            *(
                Text(_step(b.alone.loc[step, o], u), style="dim")
                for o, u in zip(outcomes, units, strict=True)
            ),
        )
    t.add_row(labels[1], *(_level(b.end[o], u) for o, u in zip(outcomes, units, strict=True)))
    parts: list[Any] = [t]
    if b.contribution.isna().to_numpy().any():
        parts.append(
            Text(
                "-: the outcome is undefined in some of the runs (no break-even in the range "
                "searched, no IRR), so those steps cannot be apportioned.",
                style="dim",
            )
        )
    if b.grouped:
        parts.append(
            Text(
                "More differences than the bridge walks one by one: they are grouped by table.",
                style="dim",
            )
        )
    return Group(*parts)


def _statistic(v: float, unit: str) -> str:
    """Write a limit's statistic: USD as $B, a share in per cent, else to 4 figures."""
    if v is None or not math.isfinite(v):
        return "-"
    if unit == "fraction":
        return f"{100 * v:.2f}%"
    if unit == "1/year":
        return f"{100 * v:.1f}%"
    return _money(v) if unit == "USD" else f"{v:.4g}"


def limit_summary(result: LimitSolution) -> Group:
    """Render a risk-limit solve: the scan, and where the limit (or limits) binds.

    One limit shows each value's statistic with its 95 % interval; several show each
    limit's statistic (the intervals are in ``--json``).

    Parameters
    ----------
    result : LimitSolution
        From :func:`~strandrisk.engine.limits.solve_limit`. [-]
    """
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    r: Any = result
    rules = list(r.limits)
    single = len(rules) == 1
    what = rules[0].text if single else f"{len(rules)} limits"
    how = (
        f"{r.n:,} draws a value ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, seed {r.seed}), "
        "the same in each"
        if r.drawn
        else "the scenario as given, no draws (a goal seek)"
    )
    t = _compact(f"{what} ({r.company}) as {r.key} moves: {how}")
    t.add_column("value", justify="right", no_wrap=True)
    single_band = single and r.drawn
    if single:
        t.add_column("statistic" if r.drawn else "outcome", justify="right", no_wrap=True)
        if single_band:
            t.add_column("95 % interval", justify="right", no_wrap=True)
    else:
        for j in range(len(rules)):
            t.add_column(f"L{j + 1}", justify="right", no_wrap=True)
    t.add_column("limits" if not single else "limit", justify="left", no_wrap=True)
    scan = set(np.linspace(r.low, r.high, 9).tolist()) | set(r.crossings) | {r.own_value}
    for value, rows in r.trials.groupby("value", sort=True):
        near = min(scan, key=lambda v: abs(v - value))
        if abs(near - value) > 1e-12 * max(1.0, abs(value)):
            continue  # a bisection step: in --json
        cells = []
        for rule, row in zip(rules, rows.itertuples(index=False), strict=True):
            cells.append(_statistic(row.statistic, rule.unit))
            if single_band:
                cells.append(
                    f"{_statistic(row.low, rule.unit)} to {_statistic(row.high, rule.unit)}"
                )
        if rows["met"].all():
            note = "met"
        elif single:
            note = "breached"
        else:
            note = "breached: " + ", ".join(
                f"L{j + 1}" for j, ok in enumerate(rows["met"]) if not ok
            )
        if value == r.own_value:
            note += " (the scenario's value)"
        t.add_row(f"{value:.6g}", *cells, note)
    subject, bind, be = ("The limit", "binds", "is") if single else ("The limits", "bind", "are")
    span = f"over the whole range searched, {r.low:g} to {r.high:g}"
    if r.status == "binds":
        where = ", ".join(
            f"{c:.4g}"
            + (f" (±{e:.2g} from sampling)" if math.isfinite(e) else "")
            + ("" if single else f", where {b} binds")
            for c, e, b in zip(r.crossings, r.errors, r.binding, strict=True)
        )
        met, breached = ("below", "above") if r.meets_below else ("above", "below")
        if len(r.crossings) == 1:
            text = f"{subject} {bind} at {r.key} = {where}: met {met} it, breached {breached}."
        else:
            text = (
                f"{subject} {bind} at {r.key} = {where} (not monotone in {r.key}): met {met} "
                "the first, then alternately."
            )
    elif r.status == "holds":
        text = f"{subject} {be} met {span}."
    else:
        text = f"{subject} {be} breached {span}."
    own_stats = r.own_statistics
    parts = []
    for rule in rules:
        v = float(own_stats[rule.text])
        verdict = "met" if rule.met(np.array([v]))[0] else "breached"
        parts.append(f"{_statistic(v, rule.unit)} ({verdict})")
    own = f" The scenario's own value, {r.own_value:.4g}, gives {', '.join(parts)}."
    legend = [] if single else [Text(f"L{j + 1}: {rule.text}") for j, rule in enumerate(rules)]
    caption = Text(
        "Every value runs on the same parameter draws (common random numbers): the decision is "
        "held at the value in every draw, the other draws unchanged. The interval is the "
        "statistic's 95 % sampling interval; a crossing's ± is the interval's wider side over "
        "the statistic's slope there (more draws narrow both: --n)."
        if r.drawn
        else "The scenario as given: a quantile or mean is the outcome itself, a chance 0 or 1.",
        style="dim",
    )
    return Group(t, *legend, Text(text + own), caption)


def sweep_table(table: pd.DataFrame, scenario: str, company: str) -> Table:
    """Render a data table: one way (a row per value, a column per outcome) or two ways.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~strandrisk.analysis.sweep.sweep`. [outcome units]
    scenario : str
        The scenario's name. [-]
    company : str
        Whose outcomes. [-]
    """
    from strandrisk.engine.simulate import OUTCOME_UNITS

    def value(v: object) -> str:
        return (
            f"{v:.6g}"
            if isinstance(v, float)
            else str(v).lower()
            if isinstance(v, bool)
            else str(v)
        )

    two_way = "outcome" in table.attrs
    if two_way:
        outcome = table.attrs["outcome"]
        title = (
            f"{outcome} ({company}, {scenario}): {table.index.name} (rows) by "
            f"{table.columns.name} (columns)"
        )
    else:
        title = f"{company} outcomes ({scenario}) as {table.index.name} moves"
    t = _compact(title, caption="every other value as in the scenario; money in $B")
    t.add_column(str(table.index.name) if not two_way else "", justify="right", no_wrap=True)
    for c in table.columns:
        t.add_column(value(c), justify="right", no_wrap=True)
    for idx, row in table.iterrows():
        units = (
            [OUTCOME_UNITS[outcome]] * len(row)
            if two_way
            else [OUTCOME_UNITS[c] for c in table.columns]
        )
        t.add_row(value(idx), *(_statistic(float(x), u) for x, u in zip(row, units, strict=True)))
    return t


def headroom_tables(result: Headroom, scenario: str, company: str = "industry") -> Group:
    """Render impairment-test headroom and each key assumption's break-even values.

    Parameters
    ----------
    result : Headroom
        From :func:`~strandrisk.engine.headroom.headroom`. [USD, each key's unit]
    scenario : str
        The scenario's name. [-]
    company : str
        Whose break-even values to show: a company or ``"industry"``. [-]
    """
    r: Any = result
    pt = _compact(f"Impairment test at the end of {r.quarter} ({scenario}): headroom per unit")
    for col in ("company", "carrying", "recoverable", "headroom", "of carrying"):
        pt.add_column(col, justify="left" if col == "company" else "right")
    for name, row in r.position.iterrows():
        b = float(row["headroom"]) / 1e9
        pt.add_row(
            str(name),
            _money(row["carrying"]),
            _money(row["recoverable"]),
            f"{'-' if b < 0 else '+'}${abs(b):,.1f}B",
            f"{row['headroom_share']:+.1%}",
        )

    from strandrisk.reports.brief import breakeven_value as value

    at = r.assumptions.xs(company, level="company")
    at_ = _compact(
        f"The value of each key assumption at which {company}'s headroom is gone, all else as given"
    )
    for col in ("key", "value", "below it", "above it", "unit"):
        at_.add_column(col, justify="left" if col in ("key", "unit") else "right")
    for key, row in at.iterrows():
        at_.add_row(
            str(key),
            f"{row['value']:.4g}",
            value(row["below"], row["change_down"]),
            value(row["above"], row["change_up"]),
            str(row["unit"]),
        )
    note = Text(
        "Recoverable amount (the higher of value in use and fair value, facilities at book) "
        "less the scheduled carrying amount; IAS 36.134(f) asks for the change in a key "
        "assumption that would make them equal. Each assumption is searched over its register "
        "range (else its allowed range), alone; 'none': no value there removes the headroom (or "
        "the deficit). Two sides, because the recoverable amount need not be monotone in an "
        "assumption.",
        style="dim",
    )
    return Group(pt, at_, note)


def lives_tables(
    result: LifeEffect, scenario: Scenario, company: str = "industry", source: str | None = None
) -> Group:
    """Render depreciation at the booked lives against one shorter life, and the implied life.

    Parameters
    ----------
    result : LifeEffect
        From :func:`~strandrisk.engine.lives.life_effect`. [USD, year]
    scenario : Scenario
        The scenario (its name and booked lives). [-]
    company : str
        Whose years to show: a company or ``"industry"``. [-]
    source : str, optional
        The register row the target came from, if it came from one. [-]
    """
    r = result
    economic = isinstance(r.life, dict)
    life = "econ." if isinstance(r.life, dict) else f"{r.life:g}y"
    whose = "the economic lives" if economic else f"{life} for every company"
    span = f"{r.first}-{r.last}" if r.last > r.first else str(r.first)
    tt = _compact(f"Depreciation at the booked lives and at {whose}, {span} ({scenario.name})")
    header = ("company", "booked", f"at {life}", "understated", "EBIT", f"at {life}", f"{r.last}")
    for col in header:
        tt.add_column(col, justify="left" if col == "company" else "right", no_wrap=True)

    def cells(row: pd.Series, over: str) -> list[str]:
        money = ("booked", "at_life", "understated", "ebit_booked", "ebit_at_life")
        share = "-" if pd.isna(row[over]) else f"{row[over]:+.0%}"
        return [*(_money(row[c]) for c in money), share]

    for name, row in r.total.iterrows():
        tt.add_row(str(name), *cells(row, "overstated_last"))
    yt = _compact(f"{company}, year by year")
    for col in ("year", "booked", f"at {life}", "understated", "EBIT", f"at {life}", "over"):
        yt.add_column(col, justify="right", no_wrap=True)
    for (_, year), row in r.by_year.xs(company, level="company", drop_level=False).iterrows():
        yt.add_row(str(year), *cells(row, "overstated"))
    lives = sorted({c.compute_life for c in scenario.companies})
    booked = f"{lives[0]:g}" if len(lives) == 1 else f"{lives[0]:g}-{lives[-1]:g}"
    parts: list[RenderableType] = [tt, yt]
    if isinstance(r.life, dict):
        each = ", ".join(f"{c} {v:.2f}" for c, v in r.life.items())
        parts.append(
            Text(f"Economic lives of the 2026 cohorts (years), compute and network: {each}.")
        )
    if r.target is not None and r.implied_life is not None:
        cited = f"Burry's estimate (register row {source})" if source else "The target"
        if np.isnan(r.implied_life):
            said = "no single life between 0.5 and 6 years gives it in this scenario"
        else:
            said = (
                f"is what this scenario gives if every company booked compute and network over "
                f"{r.implied_life:.2f} years (disclosed: {booked})"
            )
        parts.append(Text(f"{cited}, {_money(r.target)} understated over {span}, {said}."))
    parts.append(
        Text(
            "Depreciation of compute, network and facilities; only compute and network change "
            f"life. EBIT is the AI infrastructure's (EBITDA less its depreciation; EBITDA does not "
            f"depend on the booked life); 'over' and '{r.last}': how far the booked EBIT exceeds "
            f"it at {whose} in the year; a company's whole earnings are larger, so its "
            "overstatement in per cent is smaller.",
            style="dim",
        )
    )
    return Group(*parts)
