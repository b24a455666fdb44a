"""Plotly figures of a run (formatting only; the numbers come from the engine)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr

from strandrisk.analysis.sensitivity import Swing
from strandrisk.reports._style import _B, _LAYOUT, _PALETTE, _colour
from strandrisk.reports.analysis_figures import (  # re-exported: the report's other charts
    MC_FIGURES,
    build_mc_figures,
    cart_figure,
    convergence_figure,
    cumulative_figure,
    decile_figure,
    fan_figure,
    feature_scores_figure,
    mc_histogram_figure,
    morris_figure,
    p_impairment_figure,
    pawn_figure,
    prim_box_figure,
    prim_scatter_figure,
    prim_tradeoff_figure,
    prior_fit_figures,
    rank_drivers_figure,
    regional_cdf_figure,
    sobol_figure,
    spider_figure,
    stacking_figure,
    together_figure,
)
from strandrisk.reports.whatif_figures import (  # re-exported
    breakeven_surface_figure,
    bridge_figure,
    display_unit,
    limit_figure,
    optimum_figure,
)

__all__ = [
    "FIGURES",
    "MC_FIGURES",
    "breakeven_surface_figure",
    "bridge_figure",
    "build_figures",
    "build_mc_figures",
    "cart_figure",
    "convergence_figure",
    "cumulative_figure",
    "decile_figure",
    "display_unit",
    "fan_figure",
    "feature_scores_figure",
    "limit_figure",
    "mc_histogram_figure",
    "morris_figure",
    "optimum_figure",
    "p_impairment_figure",
    "pawn_figure",
    "prim_box_figure",
    "prim_scatter_figure",
    "prim_tradeoff_figure",
    "prior_fit_figures",
    "rank_drivers_figure",
    "regional_cdf_figure",
    "sobol_figure",
    "spider_figure",
    "stacking_figure",
    "together_figure",
    "tornado_figure",
]

FIGURES: dict[str, str] = {
    "depreciation_gap": "The depreciation gap: book value against economic value",
    "stranded_impairment": "Stranded value and impairments (IFRS and US GAAP)",
    "market": "Token demand, capacity and volume served (industry, 2026Q1 capacity = 1)",
    "utilisation_price": "Utilisation and the token price",
    "cash_flows": "Cash flows (industry)",
    "dscr": "Debt cover by year: service (DSCR), interest (the industry) and loan life (LLCR)",
    "cohort_lives": "Booked against economic life, cohort by cohort",
    "presets": "The six presets side by side (industry)",
    "tornado": "What moves peak stranded value most (one at a time)",
    "tornado_to_2026": "What moves today's capital's peak stranded value most (one at a time)",
}
"""Figure key -> title, in report order."""


def _quarters(ds: xr.Dataset) -> list[str]:
    return [str(q) for q in ds["quarter"].values]


def _depreciation_gap(ds: xr.Dataset, title: str) -> go.Figure:
    fig = go.Figure()
    x = _quarters(ds)
    companies = [str(c) for c in ds["company"].values]
    for c in companies:
        book = ds["book_value"].sel(company=c).values / _B
        econ = ds["economic_value"].sel(company=c).values / _B
        colour = _colour(c, companies)
        fig.add_scatter(
            x=x, y=book, name=f"{c} book", legendgroup=c, mode="lines", line={"color": colour}
        )
        fig.add_scatter(
            x=x,
            y=econ,
            name=f"{c} economic",
            legendgroup=c,
            mode="lines",
            line={"dash": "dash", "color": colour},
        )
    fig.update_layout(
        title=title, yaxis_title="USD billion (quarter end)", yaxis_type="log", **_LAYOUT
    )
    return fig


def _stranded(ds: xr.Dataset, title: str) -> go.Figure:
    fig = go.Figure()
    x = _quarters(ds)
    companies = [str(c) for c in ds["company"].values]
    for c in companies:
        fig.add_scatter(
            x=x,
            y=ds["stranded_value"].sel(company=c).values / _B,
            name=f"{c} stranded",
            mode="lines",
            line={"color": _colour(c, companies)},
        )
    ind = ds.sel(company="industry")
    if "stranded_value_to_2026" in ds:  # not in runs stored before it was kept
        fig.add_scatter(
            x=x,
            y=ind["stranded_value_to_2026"].values / _B,
            name="industry stranded, today's capital (installed base and 2026, valued alone)",
            mode="lines",
            line={"dash": "dash", "color": _colour("industry", companies)},
        )
    fig.add_scatter(
        x=x,
        y=np.cumsum(ind["impairment_ifrs"].values) / _B,
        name="industry impairment, IFRS (cumulative)",
        mode="lines",
        line={"dash": "dot", "color": _PALETTE[-1]},
    )
    fig.add_scatter(
        x=x,
        y=np.cumsum(ind["impairment_usgaap"].values) / _B,
        name="industry impairment, US GAAP (cumulative)",
        mode="lines",
        line={"dash": "dashdot", "color": _PALETTE[-1]},
    )
    fig.update_layout(title=title, yaxis_title="USD billion", **_LAYOUT)
    return fig


def _market(ds: xr.Dataset, title: str) -> go.Figure:
    ind = ds.sel(company="industry")
    x = _quarters(ds)
    fig = go.Figure()
    base = float(ind["capacity"].values[0]) or 1.0
    for name, label in (("demand", "demand"), ("capacity", "capacity"), ("served", "served")):
        fig.add_scatter(x=x, y=ind[name].values / base, name=label, mode="lines")
    fig.update_layout(
        title=title,
        yaxis_title="tokens per quarter, index (log scale)",
        yaxis_type="log",
        **_LAYOUT,
    )
    return fig


def _utilisation(ds: xr.Dataset, title: str) -> go.Figure:
    x = _quarters(ds)
    fig = go.Figure()
    companies = [str(c) for c in ds["company"].values]
    for c in companies:
        fig.add_scatter(
            x=x,
            y=ds["utilisation"].sel(company=c).values,
            name=f"{c} utilisation",
            mode="lines",
            line={"color": _colour(c, companies)},
        )
    price = ds["token_price"].sel(company="industry").values
    fig.add_scatter(
        x=x,
        y=price / price[0],
        name="token price (start = 1)",
        mode="lines",
        line={"dash": "dash", "color": _PALETTE[-1]},
    )
    fig.update_layout(title=title, yaxis_title="share of capacity sold; price index", **_LAYOUT)
    return fig


def _cash_flows(ds: xr.Dataset, title: str) -> go.Figure:
    ind = ds.sel(company="industry")
    years = [str(y) for y in ds["year"].values]
    fig = go.Figure()
    for name, label in (
        ("ebitda", "EBITDA"),
        ("capex", "capex"),
        ("fcf_unlevered", "unlevered FCF"),
        ("fcf_levered", "levered FCF"),
    ):
        annual = ind[name].values.reshape(-1, 4).sum(axis=1) / _B
        fig.add_bar(x=years, y=annual, name=label)
    fig.update_layout(title=title, yaxis_title="USD billion per year", barmode="group", **_LAYOUT)
    return fig


def _dscr(ds: xr.Dataset, title: str) -> go.Figure:
    years = [str(y) for y in ds["year"].values]
    fig = go.Figure()
    companies = [str(c) for c in ds["company"].values]
    for c in companies:
        fig.add_scatter(
            x=years,
            y=ds["dscr"].sel(company=c).values,
            name=c,
            mode="lines+markers",
            line={"color": _colour(c, companies)},
        )
    if "interest_cover" in ds:  # earnings (after the booked depreciation) over interest
        fig.add_scatter(
            x=years,
            y=ds["interest_cover"].sel(company="industry").values,
            name="industry interest cover",
            mode="lines+markers",
            line={"color": _colour("industry", companies), "dash": "dot"},
        )
    if "llcr" in ds:  # forward-looking: can the assets in place repay what is owed?
        first = [str(q).endswith("Q1") for q in ds["quarter"].values]
        fig.add_scatter(
            x=years,
            y=ds["llcr"].sel(company="industry").values[first],
            name="industry LLCR (start of year)",
            mode="lines+markers",
            line={"color": _colour("industry", companies), "dash": "dash"},
        )
    fig.update_layout(
        title=title,
        yaxis_title="DSCR: (EBITDA - tax) / (interest + principal); interest cover: "
        "EBIT / interest; LLCR: PV of EBITDA - tax / debt",
        **_LAYOUT,
    )
    return fig


def _cohort_lives(ds: xr.Dataset, outcomes: pd.DataFrame, title: str) -> go.Figure:
    vintages = [str(v) for v in ds["vintage"].values]
    fig = go.Figure()
    companies = [str(c) for c in ds["company_model"].values]
    for c in companies:
        fig.add_bar(
            x=vintages,
            y=ds["economic_life"].sel(company_model=c).values,
            name=f"{c} economic life",
            marker={"color": _colour(c, companies)},
        )
    booked = outcomes.set_index("company")["booked_life_years"]
    for c in companies:
        fig.add_scatter(
            x=vintages,
            y=[float(booked[c])] * len(vintages),
            name=f"{c} booked life",
            mode="lines",
            line={"dash": "dash", "color": _colour(c, companies)},
        )
    fig.update_layout(
        title=title, yaxis_title="years", xaxis_title="cohort (commissioning quarter)", **_LAYOUT
    )
    return fig


def _presets(presets: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(x=list(presets.index), y=presets["stranded_peak"] / _B, name="peak stranded value")
    fig.add_bar(x=list(presets.index), y=presets["npv_2026"] / _B, name="NPV of the 2026 programme")
    fig.update_layout(title=title, yaxis_title="USD billion", barmode="group", **_LAYOUT)
    return fig


def tornado_figure(
    swings: Sequence[Swing],
    title: str,
    top: int = 12,
    what: str = "peak stranded value",
    unit: str = "USD",
    ends: tuple[str, str] = ("parameter at its low end", "parameter at its high end"),
) -> go.Figure:
    """Draw a tornado: the change in an outcome with each parameter at either end.

    Parameters
    ----------
    swings : sequence of Swing
        Largest first; the ``top`` largest are drawn. [outcome unit]
    title : str
        Chart title. [-]
    top : int
        How many parameters to draw. [count]
    what, unit : str
        The outcome in words, and its unit (``USD`` is drawn in billions). [-]
    ends : tuple of str
        The legend's names of the low and the high end. [-]
    """
    scale, axis, _ = display_unit(unit)
    shown = list(swings)[:top][::-1]
    labels = [s.key for s in shown]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=[(s.outcome_low - s.base) * scale for s in shown],
        name=ends[0],
        orientation="h",
    )
    fig.add_bar(
        y=labels,
        x=[(s.outcome_high - s.base) * scale for s in shown],
        name=ends[1],
        orientation="h",
    )
    fig.update_layout(
        title=title,
        xaxis_title=f"change in {what}" + ("" if axis in ("", "-") else f", {axis}"),
        barmode="overlay",
        **{
            **_LAYOUT,
            "height": 120 + 28 * len(shown),
            "margin": {"l": 260, "r": 20, "t": 60, "b": 50},
        },
    )
    return fig


def build_figures(
    ds: xr.Dataset,
    outcomes: pd.DataFrame,
    presets: pd.DataFrame,
    swings: Sequence[Swing],
    swings_to_2026: Sequence[Swing] = (),
) -> dict[str, go.Figure]:
    """Build every chart of the report.

    Parameters
    ----------
    ds : xarray.Dataset
        Series of one scenario (``scenario`` dimension already selected). [-]
    outcomes : pandas.DataFrame
        Its outcome table. [-]
    presets : pandas.DataFrame
        Industry outcomes of each preset, indexed by preset name. [-]
    swings : sequence of Swing
        One-at-a-time swings, largest first. [-]
    swings_to_2026 : sequence of Swing
        The same for today's capital's peak stranded value; its chart only if given. [-]

    Returns
    -------
    dict of str to plotly Figure
        Keyed as :data:`FIGURES`.
    """
    t = FIGURES
    return {
        "depreciation_gap": _depreciation_gap(ds, t["depreciation_gap"]),
        "stranded_impairment": _stranded(ds, t["stranded_impairment"]),
        "market": _market(ds, t["market"]),
        "utilisation_price": _utilisation(ds, t["utilisation_price"]),
        "cash_flows": _cash_flows(ds, t["cash_flows"]),
        "dscr": _dscr(ds, t["dscr"]),
        "cohort_lives": _cohort_lives(ds, outcomes, t["cohort_lives"]),
        "presets": _presets(presets, t["presets"]),
        "tornado": tornado_figure(swings, t["tornado"]),
        **(
            {"tornado_to_2026": tornado_figure(swings_to_2026, t["tornado_to_2026"])}
            if swings_to_2026
            else {}
        ),
    }
