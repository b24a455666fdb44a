"""Cell formatting shared by the CLI's tables: money, shares, rates, dates, compact tables."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich import box
from rich.table import Table

from strandrisk.engine.breakeven import BRACKETS
from strandrisk.units import annual_change, share_text

if TYPE_CHECKING:  # the types of what is rendered; their modules load on first use
    pass


__all__ = [
    "fmt",
]


def _money(v: Any) -> str:
    if v is None or pd.isna(v):
        return "-"
    b = float(v) / 1e9
    return f"-${-b:,.0f}B" if b < -0.5 else f"${max(b, 0.0):,.0f}B"


def _share(v: Any) -> str:
    return "-" if v is None or pd.isna(v) else share_text(float(v))


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


def _statistic(v: float, unit: str) -> str:
    """Write a limit's statistic: USD as $B, a share in per cent, else to 4 figures."""
    if v is None or not math.isfinite(v):
        return "-"
    if unit == "fraction":
        return f"{100 * v:.2f}%"
    if unit == "1/year":
        return f"{100 * v:.1f}%"
    return _money(v) if unit == "USD" else f"{v:.4g}"


_OUTCOME_FORMAT = {
    "booked_life_years": lambda v: _num(v, 1),
    "economic_life_years": lambda v: _num(v, 1),
    "irr_2026": _pct,
    "min_dscr": _num,
    "min_interest_cover": _num,
    "breakeven_demand_growth": _change,
    "breakeven_price_decline": lambda v: _change(v, decline=True),
}
"""How an outcome that is not money is shown, by outcome name."""
