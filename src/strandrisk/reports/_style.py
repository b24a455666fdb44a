"""Shared look of the report's charts: scale, layout, one colour per company."""

from __future__ import annotations

from collections.abc import Sequence

__all__: list[str] = []

_B = 1e9
_LAYOUT = {
    "template": "plotly_white",
    "height": 430,
    "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
}


_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f",
)  # fmt: skip
_INDUSTRY = "#222222"


def _colour(company: str, companies: Sequence[str]) -> str:
    """One colour per company in every chart (by its place in the run); industry near black."""
    if company == "industry":
        return _INDUSTRY
    named = [str(c) for c in companies if str(c) != "industry"]
    return _PALETTE[named.index(company) % len(_PALETTE)]
