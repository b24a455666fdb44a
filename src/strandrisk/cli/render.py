"""Rich tables and panels for the CLI: the register, claims, a run's outcomes, TCO."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from strandrisk.analysis.trend import TrendFit
from strandrisk.assumptions.claims import Claim
from strandrisk.assumptions.schema import Record
from strandrisk.cli._format import (
    _change,
    _compact,
    _money,
    _no_breakeven_caption,
    _num,
    _pct,
    _statistic,
    fmt,
)
from strandrisk.engine.mc_result import CAPEX_YEAR_PREFIX
from strandrisk.reports.brief import POSITION_NOTE, POSITION_ROWS, lives_line, series_llcr_line
from strandrisk.scenarios.schema import changed_choices
from strandrisk.units import annual_change

if TYPE_CHECKING:  # the types of what is rendered; their modules load on first use
    from strandrisk.analysis.priors import CopulaFit
    from strandrisk.io.workload import WorkloadFile
    from strandrisk.jobs import MainJob
    from strandrisk.recheck import Recheck
    from strandrisk.tco.model import TCOResult


__all__ = [
    "CLAIMS_WIDE",
    "REGISTER_WIDE",
    "claims_summary",
    "claims_table",
    "compare_table",
    "fit_panel",
    "frame_table",
    "mapping_table",
    "outcome_table",
    "position_table",
    "recheck_table",
    "register_table",
    "run_summary",
    "tco_tables",
]

_VERDICT_STYLE = {"consistent": "green", "inconsistent": "bold red", "not-checkable": "dim"}


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


def _when(v: Any) -> str:
    return "never" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


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
    notes.append("today's capital: the installed base and the 2026 programme, valued alone")
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
        ("  today's capital", lambda r: _money(r["stranded_peak_to_2026"])),
        (
            "    when",
            lambda r: (
                "-"  # a run stored before it was kept
                if pd.isna(r["stranded_peak_to_2026"])
                else _when(r["stranded_peak_to_2026_date"])
            ),
        ),
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
    parts += _top_swings(job.swings)
    if job.swings_to_2026:
        parts.append(
            "[bold]... and today's capital's peak stranded value[/] "
            "(installed base and 2026, alone):"
        )
        parts += _top_swings(job.swings_to_2026)
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
    """Render the TCO comparison: options, the article checks, break-even volumes.

    Parameters
    ----------
    wf : WorkloadFile
        The workload file read (its description). [-]
    result : TCOResult
        The options' costs (:func:`strandrisk.tco.model.compare`). [USD]
    checks : list
        The article's figures checked against the result. [-]
    """
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


def _top_swings(swings: list) -> list[Text]:
    """Return the three largest one-at-a-time swings, one line each."""
    return [  # plain text: no number highlighting inside "$4,212B"
        Text(
            f"  {i}. {s.key} ({s.row}): {_money(s.outcome_low)} at {s.low:.4g} -> "
            f"{_money(s.outcome_high)} at {s.high:.4g}"
        )
        for i, s in enumerate(swings[:3], start=1)
    ]


def _recheck_value(v: Any, unit: str) -> str:
    """Write a stored or recomputed outcome: money in $B, rates in per cent, dates as they are."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "-"
    if isinstance(v, str):
        return v
    if unit == "USD":
        return f"${float(v) / 1e9:,.1f}B"
    return _statistic(float(v), unit)


def recheck_table(result: Recheck) -> Group:
    """Render a stored run recomputed with today's model: which outcomes moved, and where.

    Parameters
    ----------
    result : Recheck
        From :func:`strandrisk.recheck.recheck_run`. [outcome units]
    """
    m = result.meta
    kind = {"mc": "Monte Carlo", "compare": "decision comparison"}.get(
        str(m["kind"]), "strandrisk run"
    )
    size = {
        "mc": f", its first {result.scenarios:,} of {int(m['n_scenarios']):,} scenarios",
        "compare": f", {result.scenarios:,} draws, run again whole",
    }.get(str(m["kind"]), "")
    rows = "cells (decisions x companies)" if m["kind"] == "compare" else "rows"
    head = Text(
        f"Run {result.run_id} ({kind}{size}): made by strandrisk {m['package_version']}, register "
        f"{str(m['register_sha256'])[:8]}; recomputed by {result.version}, register "
        f"{result.register[:8]}"
    )
    frame = result.columns
    years = frame.index.str.startswith(CAPEX_YEAR_PREFIX)
    skipped = [Text(f"Not compared: {why}.", style="yellow") for why in result.not_compared]
    if result.same:
        also = (
            f"; and {int(years.sum())} capex years' distributions (P5, P50, P95, P99 per "
            "company) over every draw"
            if years.any()
            else ""
        )
        return Group(
            head,
            Text(
                f"The same: all {int((~years).sum())} outcomes, "
                f"{'up to ' if m['kind'] == 'compare' else ''}"
                f"{int(frame.loc[~years, 'compared'].max()):,} {rows} each{also}, within a "
                "billionth of their size (dates and years exactly).",
                style="green",
            ),
            *skipped,
        )
    moved = frame[frame["differ"] > 0]
    t = _compact(f"{len(moved)} of {len(frame)} outcomes moved")
    count = "cells" if m["kind"] == "compare" else "rows"
    for col in ("outcome", count, "moved", "largest change", "stored", "now", "where"):
        if col in ("outcome", "where"):  # long names fold onto a second line, never cut
            t.add_column(col, justify="left", overflow="fold")
        else:
            t.add_column(col, justify="right", no_wrap=True)
    for name, r in moved.iterrows():
        unit = str(r["unit"])
        t.add_row(
            str(name),
            f"{int(r['compared']):,}",
            f"{int(r['differ']):,}",
            "-"
            if pd.isna(r["largest"])
            else f"{100 * r['largest']:.1f} pp"
            if unit in ("1/year", "fraction")
            else _recheck_value(r["largest"], unit),
            _recheck_value(r["stored"], unit),
            _recheck_value(r["now"], unit),
            str(r["where"]),
        )
    same = ", ".join(str(k) for k in frame.index[frame["differ"] == 0])
    note = Text(
        f"where: the {count[:-1]} with the largest change. Unchanged: " + (same or "none") + ".",
        style="dim",
    )
    return Group(head, t, note, *skipped)


def prior_fits_table(table: pd.DataFrame, title: str, skipped: int = 0) -> Group:
    """Render the distributions fitted to observed values, best first, the chosen one marked.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`strandrisk.analysis.priors.fit_table`. [-]
    title : str
        What was fitted. [-]
    skipped : int
        Rows left out for an empty cell. [count]
    """
    shown = _compact(f"Distributions fitted to {title}, best (lowest AIC) first")
    for col in ("kind", "AIC", "ΔAIC", "BIC", "KS", "P5", "P50", "P95", ""):
        shown.add_column(col, justify="left" if col in ("kind", "") else "right")
    for _, row in table.iterrows():
        shown.add_row(
            row["kind"],
            f"{row['aic']:,.1f}",
            f"{row['delta_aic']:,.1f}",
            f"{row['bic']:,.1f}",
            f"{row['ks']:.3f}",
            *(f"{row[c]:.4g}" for c in ("p5", "p50", "p95")),
            row["label"],
        )
    notes = (
        "AIC 2k - 2 ln L and BIC k ln n - 2 ln L (k fitted parameters): lower is better, and a "
        "ΔAIC under 2 is no real difference. KS: the largest gap between the values' CDF and "
        "the fitted one."
        + (f" {skipped:,} rows with an empty cell left out." if skipped else "")
        + " The chosen fit as a line for the scenario's [uncertainty] block:"
    )
    return Group(shown, Text(notes, style="dim"))


def prior_correlations(
    pairs: Sequence[tuple[str, str, float]],
    rows: int,
    copula: CopulaFit | None = None,
    chosen: str = "normal",
) -> Group:
    """Render the rank correlations of the columns fitted together, and their copula.

    Parameters
    ----------
    pairs : sequence of (str, str, float)
        Two parameters and Spearman's rank correlation of their columns. [-, -, -]
    rows : int
        Rows holding a value in every column, the correlations' sample. [count]
    copula : CopulaFit, optional
        The normal and t copulas of the pairs fitted to those rows
        (:func:`strandrisk.analysis.priors.fit_copula`). [-]
    chosen : {"normal", "t"}
        The copula the block is written with. [-]
    """
    table = _compact(f"Rank correlations (Spearman) over the {rows:,} rows holding every column")
    for col in ("first", "second", "rho"):
        table.add_column(col, justify="right" if col == "rho" else "left")
    for a, b, rho in pairs:
        table.add_row(a, b, f"{rho:+.2f}")
    parts: list[Any] = [table]
    if copula is not None:
        from strandrisk.scenarios.sampling import tail_dependence  # SciPy: on first use

        joined = _compact(f"Copulas of these correlations, fitted to the {rows:,} rows")
        for col in ("copula", "df", "AIC", "ΔAIC", ""):
            joined.add_column(col, justify="left" if col in ("copula", "") else "right")
        best = min(copula.aic_normal, copula.aic_t)
        for kind, df, aic in (
            ("normal", "-", copula.aic_normal),
            ("t", f"{copula.df:.3g}", copula.aic_t),
        ):
            joined.add_row(kind, df, f"{aic:,.1f}", f"{aic - best:.1f}", _chosen(kind, chosen))
        parts.append(joined)
        worst = max(pairs, key=lambda p: abs(p[2]))
        tail = float(tail_dependence(worst[2], copula.df))
        parts.append(
            Text(
                f"A t copula's joint extremes: at {copula.df:.3g} degrees of freedom, "
                f"{worst[0]} and {worst[1]} ({worst[2]:+.2f}) go to their extremes together with "
                f"a coefficient of tail dependence of {tail:.2f} (the normal copula's: 0).",
                style="dim",
            )
        )
    note = Text(
        "As a [correlations] block (Iman-Conover draws these rank correlations; a pair of 0 is "
        "left out):",
        style="dim",
    )
    return Group(*parts, note)


def _chosen(kind: str, chosen: str) -> str:
    """Mark the copula the block is written with."""
    return "chosen" if kind == chosen else ""
