"""Rich tables and panels for the CLI: formatting only, no model logic."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from rich.panel import Panel
from rich.table import Table

from strandrisk.analysis.trend import TrendFit
from strandrisk.assumptions.claims import Claim
from strandrisk.assumptions.schema import Record

__all__ = ["claims_summary", "claims_table", "fit_panel", "fmt", "register_table"]

_VERDICT_STYLE = {"consistent": "green", "inconsistent": "bold red", "not-checkable": "dim"}


def fmt(x: float | None) -> str:
    """Format a number compactly with up to 4 significant digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        return f"{x:.3g}"
    return f"{x:,.4g}" if abs(x) >= 1000 else f"{x:.4g}"


def register_table(rows: Sequence[Record]) -> Table:
    """Table of register rows."""
    table = Table(title=f"Assumptions register ({len(rows)} rows)", show_lines=False)
    for col in ("name", "value", "unit", "range", "kind", "source"):
        table.add_column(col, overflow="fold")
    for r in rows:
        rng = f"{fmt(r.low)} - {fmt(r.high)}" if r.low is not None else ""
        src = r.formula if r.kind == "derived" else r.source
        table.add_row(r.name, fmt(r.value), r.unit, rng, r.kind, src)
    return table


def fit_panel(fit: TrendFit, title: str) -> Panel:
    """Panel describing one trend fit."""
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


def claims_table(rows: Sequence[Claim]) -> Table:
    """Table of claims with their verdicts."""
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
    """One line counting verdicts."""
    n = Counter(c.verdict for c in rows)
    return (
        f"{len(rows)} claims: {n['consistent']} consistent, {n['inconsistent']} inconsistent, "
        f"{n['not-checkable']} not checkable"
    )
