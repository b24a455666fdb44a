"""Plotly figures of the what-if analyses (formatting only): break-even, bridges, risk limits.

The numbers come from the engine; :mod:`strandrisk.reports.figures` re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strandrisk.reports._style import _B, _LAYOUT

if TYPE_CHECKING:
    from strandrisk.engine.optimize import Optimum

__all__ = [
    "breakeven_surface_figure",
    "bridge_figure",
    "display_unit",
    "limit_figure",
    "optimum_figure",
]


def breakeven_surface_figure(surface: pd.DataFrame, x: str, y: str, title: str) -> go.Figure:
    """Draw a break-even surface as a heat map, the values written in the cells.

    Parameters
    ----------
    surface : pandas.DataFrame
        Break-even demand growth, index values of ``x``, columns values of ``y``. [1/year]
    x, y : str
        The parameters of the rows and the columns. [-]
    title : str
        Chart title. [-]
    """
    z = surface.to_numpy(dtype=float)
    fig = go.Figure()
    fig.add_heatmap(
        x=[f"{v:.4g}" for v in surface.columns],
        y=[f"{v:.4g}" for v in surface.index],
        z=z,
        colorscale="RdYlGn_r",
        colorbar={"title": {"text": "1/year"}},
        text=[["none" if np.isnan(v) else f"{v:.2f}" for v in row] for row in z],
        texttemplate="%{text}",
        name="break-even demand growth",
    )
    fig.update_layout(title=title, xaxis_title=y, yaxis_title=x, **_LAYOUT)
    return fig


def bridge_figure(
    labels: Sequence[str], start: float, steps: Sequence[float], end: float, title: str, unit: str
) -> go.Figure:
    """Draw a bridge as a waterfall: the first scenario's outcome, each step, the second's.

    Parameters
    ----------
    labels : sequence of str
        The first scenario, each step and the second scenario, in order. [-]
    start, end : float
        The outcome in the first and in the second scenario. [outcome unit]
    steps : sequence of float
        Each step's contribution; they add up to ``end - start``. [outcome unit]
    title : str
        Chart title. [-]
    unit : str
        The outcome's unit; USD is drawn in billions. [-]
    """
    scale = _B if unit == "USD" else 1.0
    steps = [float(v) for v in steps]
    cumulative = np.concatenate([[start], start + np.cumsum(steps)])[:-1]
    fig = go.Figure()
    fig.add_bar(
        x=list(labels),
        y=[start / scale, *(v / scale for v in steps), end / scale],
        base=[0.0, *(b / scale for b in cumulative), 0.0],
        marker={
            "color": ["#7f7f7f", *("#1f77b4" if v >= 0 else "#ff7f0e" for v in steps), "#7f7f7f"]
        },
        name="level (grey), rise (blue), fall (orange)",
    )
    fig.update_layout(
        title=title,
        yaxis_title="USD billion" if unit == "USD" else unit,
        showlegend=False,
        **{**_LAYOUT, "margin": {"l": 60, "r": 20, "t": 60, "b": 160}},
    )
    return fig


_DISPLAY = {
    "USD": (1 / _B, "USD billion", "$B"),
    "fraction": (100.0, "per cent of draws", "%"),
    "1/year": (100.0, "per cent a year", "% a year"),
}


def display_unit(unit: str) -> tuple[float, str, str]:
    """Return how a statistic in ``unit`` is shown: its scale, axis title and short label.

    Parameters
    ----------
    unit : str
        ``USD`` (shown in billions), ``fraction`` or ``1/year`` (in per cent), or any other
        (as it is). [-]
    """
    return _DISPLAY.get(unit, (1.0, unit, unit))


def _band(fig: go.Figure, x: np.ndarray, low: pd.Series, high: pd.Series) -> None:
    """Shade a statistic's 95 % sampling interval between ``low`` and ``high`` over ``x``."""
    fig.add_scatter(x=x, y=low, mode="lines", line={"width": 0}, name="95 % interval")
    fig.add_scatter(
        x=x,
        y=high,
        mode="lines",
        line={"width": 0, "color": "#9ecae1"},
        fill="tonexty",
        name="95 % sampling interval",
    )


def limit_figure(
    trials: pd.DataFrame,
    bound: float,
    crossings: Sequence[float],
    title: str,
    x_title: str,
    unit: str,
) -> go.Figure:
    """Draw a risk-limit solve: the statistic against the decision, its band, the limit.

    Parameters
    ----------
    trials : pandas.DataFrame
        ``value``, ``statistic``, ``low``, ``high`` per value tried, sorted by value
        (:attr:`strandrisk.engine.limits.LimitSolution.trials`). [parameter unit, statistic
        unit]
    bound : float
        The limit. [statistic unit]
    crossings : sequence of float
        Where the statistic reaches the limit. [parameter unit]
    title, x_title : str
        Chart and x-axis titles. [-]
    unit : str
        The statistic's unit: USD is drawn in billions, a fraction in per cent. [-]
    """
    scale, y_title, _ = display_unit(unit)
    x = trials["value"].to_numpy(dtype=float)
    fig = go.Figure()
    _band(fig, x, trials["low"] * scale, trials["high"] * scale)
    fig.add_scatter(
        x=x,
        y=trials["statistic"] * scale,
        mode="lines+markers",
        name="statistic",
        line={"color": "#1f77b4"},
    )
    fig.add_scatter(
        x=[x.min(), x.max()],
        y=[bound * scale, bound * scale],
        mode="lines",
        name="limit",
        line={"color": "#d62728", "dash": "dash"},
    )
    if len(crossings):
        fig.add_scatter(
            x=list(crossings),
            y=[bound * scale] * len(crossings),
            mode="markers",
            name="where the limit binds",
            marker={"color": "#d62728", "size": 10},
            line={"color": "#d62728"},  # the PNG copy colours points by their line
        )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, **_LAYOUT)
    return fig


def optimum_figure(result: Optimum) -> go.Figure:
    """Draw an optimisation: the statistic over the decisions, the points that breach a limit.

    One decision: the statistic at every point tried in the range, with its 95 % sampling
    interval, the points breaching a limit marked, the optimum and the scenario's own value.
    Two: a heat map of the statistic over the first grid, a cell breaching a limit labelled so.

    Parameters
    ----------
    result : Optimum
        From :func:`strandrisk.engine.optimize.optimize`. [-]
    """
    r = result
    scale, y_title, label = display_unit(r.objective.unit)
    sense = "Maximise" if r.maximize else "Minimise"
    # each decision on its axis in its display unit: USD in billions, a rate in per cent
    shown = {k: display_unit(r.units()[k]) for k in r.keys}
    axis = {k: f"{k} ({shown[k][2]})" if shown[k][2] else k for k in r.keys}
    title = f"{sense} {r.objective.name} ({r.company})"
    rows = r.trials[r.trials["round"] >= 0]
    fig = go.Figure()
    if len(r.keys) == 2:
        a, b = r.keys
        grid = rows[rows["round"] == 0]
        z = grid.pivot(index=a, columns=b, values="objective") * scale
        ok = grid.pivot(index=a, columns=b, values="feasible")
        cells = z.to_numpy(dtype=float)
        fig.add_heatmap(
            x=[f"{v * shown[b][0]:.4g}" for v in z.columns],
            y=[f"{v * shown[a][0]:.4g}" for v in z.index],
            z=cells,
            colorscale="RdYlGn" if r.maximize else "RdYlGn_r",
            colorbar={"title": {"text": label}},
            text=[
                [f"{v:,.3g}" if good else "breached" for v, good in zip(row, fine, strict=True)]
                for row, fine in zip(cells, ok.to_numpy(dtype=bool), strict=True)
            ],
            texttemplate="%{text}",
            name=r.objective.name,
        )
        fig.update_layout(title=title, xaxis_title=axis[b], yaxis_title=axis[a], **_LAYOUT)
        return fig
    key = r.keys[0]
    rows = rows.sort_values(key)
    x = rows[key].to_numpy(dtype=float) * shown[key][0]
    _band(fig, x, rows["objective_low"] * scale, rows["objective_high"] * scale)
    fig.add_scatter(
        x=x, y=rows["objective"] * scale, mode="lines", name=r.objective.name,
        line={"color": "#1f77b4"},
    )  # fmt: skip
    bad = rows[~rows["feasible"].astype(bool)]
    if len(bad):
        fig.add_scatter(
            x=bad[key] * shown[key][0], y=bad["objective"] * scale, mode="markers",
            name="breaches a limit",
            marker={"color": "#d62728", "size": 7}, line={"color": "#d62728"},
        )  # fmt: skip
    marks = [(r.own, "the scenario's own value", "#7f7f7f")]
    if r.best is not None:
        marks.append((r.best, "optimum", "#2ca02c"))
    for row, name, colour in marks:
        point = r.trials.iloc[row]
        fig.add_scatter(
            x=[point[key] * shown[key][0]], y=[point["objective"] * scale], mode="markers",
            name=name,
            marker={"color": colour, "size": 12}, line={"color": colour},
        )  # fmt: skip
    fig.update_layout(title=title, xaxis_title=axis[key], yaxis_title=y_title, **_LAYOUT)
    return fig
