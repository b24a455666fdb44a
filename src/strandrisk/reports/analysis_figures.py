"""Plotly figures of the uncertainty and what-if analyses (formatting only).

Monte Carlo, sensitivity and PRIM (break-even surfaces, bridges and risk limits:
:mod:`strandrisk.reports.whatif_figures`); the numbers come from the engine.
:mod:`strandrisk.reports.figures` re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strandrisk.analysis.deciles import median_range
from strandrisk.analysis.prim import PrimBox
from strandrisk.analysis.stacking import DimensionalStack
from strandrisk.reports._style import _B, _INDUSTRY, _LAYOUT, _PALETTE, _colour
from strandrisk.reports.brief import together_rows
from strandrisk.reports.whatif_figures import display_unit

if TYPE_CHECKING:
    from strandrisk.analysis.priors import PriorFit

__all__ = [
    "MC_FIGURES",
    "build_mc_figures",
    "cart_figure",
    "convergence_figure",
    "cumulative_figure",
    "decile_figure",
    "fan_figure",
    "feature_scores_figure",
    "mc_histogram_figure",
    "morris_figure",
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
]

MC_FIGURES: dict[str, str] = {
    "mc_histogram": "Distribution of peak stranded value and NPV of the 2026 programme (industry)",
    "mc_fan": "Fan chart: stranded value, 5th-95th and 25th-75th percentiles (industry)",
    "mc_cdf": "Cumulative distribution of peak stranded value, per company",
    "mc_p_impairment": "Probability of an impairment by the end of each year (industry)",
    "mc_together": "How many companies have been impaired at once by the end of each year (IFRS)",
    "mc_drivers": "What moves the 2026 programme's NPV over the draws (industry, rank correlation)",
    "mc_deciles": "Peak stranded value (industry) per tenth of each parameter's draws: medians, "
    "the parameters above noise",
    "mc_sobol": "Sobol indices of peak stranded value (industry)",
    "mc_prim": "PRIM: parameter ranges where peak stranded value is in its top quarter",
}


def build_mc_figures(
    outcomes: pd.DataFrame,
    fans: pd.DataFrame,
    p_impairment: pd.DataFrame,
    sobol: pd.DataFrame,
    prim_limits: pd.DataFrame,
    prim_box: PrimBox,
    cumulative: pd.DataFrame | None = None,
    drivers: pd.DataFrame | None = None,
    deciles: pd.DataFrame | None = None,
    floor: float | None = None,
    together: pd.DataFrame | None = None,
) -> dict[str, go.Figure]:
    """Build the Monte Carlo charts of the report.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Industry outcomes per scenario. [USD]
    fans : pandas.DataFrame
        Quantile fans (index variable, company, quarter). [USD]
    p_impairment : pandas.DataFrame
        Probability of impairment by year and company. [fraction]
    sobol : pandas.DataFrame
        Sobol indices (index outcome, parameter). [-]
    prim_limits : pandas.DataFrame
        The PRIM box's restricted ranges, with the data's min and max. [canonical units]
    prim_box : PrimBox
        The chosen box (coverage, density). [-]
    cumulative : pandas.DataFrame, optional
        Peak stranded value per company at each cumulative probability
        (``MCResult.cumulative``). [USD]
    drivers : pandas.DataFrame, optional
        The industry's rank drivers of the 2026 NPV: index parameter; ``spearman``,
        ``spearman_pm``, ``srrc`` (``MCResult.drivers_of``). [-]
    deciles : pandas.DataFrame, optional
        The industry's peak stranded value by decile of each parameter
        (:func:`strandrisk.analysis.deciles.outcome_by_decile`). [USD]
    floor : float, optional
        Its noise floor: only parameters above it are drawn
        (:func:`strandrisk.analysis.deciles.decile_noise_floor`). [USD]
    together : pandas.DataFrame, optional
        How many companies have been impaired at once under IFRS
        (``MCResult.at_once("ifrs")``). [fraction]

    Returns
    -------
    dict of str to plotly Figure
        Keyed as :data:`MC_FIGURES` (without the optional ones not given).
    """
    t = MC_FIGURES
    hist = mc_histogram_figure(outcomes, t["mc_histogram"])
    fan = fan_figure(fans, t["mc_fan"])
    pimp = p_impairment_figure(p_impairment, t["mc_p_impairment"])
    sob = sobol_figure(sobol.loc["stranded_peak"], t["mc_sobol"])
    box = prim_box_figure(prim_limits, prim_box, t["mc_prim"])
    figures = {
        "mc_histogram": hist,
        "mc_fan": fan,
        "mc_p_impairment": pimp,
        "mc_sobol": sob,
        "mc_prim": box,
    }
    if cumulative is not None:
        figures["mc_cdf"] = cumulative_figure(
            cumulative, t["mc_cdf"], "peak stranded value, USD billion"
        )
    if drivers is not None:
        figures["mc_drivers"] = rank_drivers_figure(drivers, t["mc_drivers"])
    if deciles is not None:
        figures["mc_deciles"] = decile_figure(
            deciles, t["mc_deciles"], "median peak stranded value, USD billion", floor=floor
        )
    if together is not None:
        figures["mc_together"] = together_figure(together, t["mc_together"])
    return figures


def together_figure(table: pd.DataFrame, title: str) -> go.Figure:
    """Draw how many companies have had a material impairment by each year, stacked.

    A bar per year split by the number of companies, all of them at the bottom and none at
    the top, and the chance that all would have been, were their impairments independent,
    as a line: where the bottom band rises above it, the companies impair together.

    Parameters
    ----------
    table : pandas.DataFrame
        ``MCResult.at_once``: a row per year, a column per number of companies, then
        ``any`` and ``independent``. [fraction]
    title : str
        Chart title. [-]
    """
    rows = together_rows(table)
    years = [str(y) for y in table.index]
    fig = go.Figure()
    for label, row in rows.iloc[-2::-1].iterrows():  # all of them first: the bottom band
        fig.add_bar(x=years, y=row.to_numpy(), name=str(label))
    fig.add_scatter(
        x=years,
        y=rows.iloc[-1].to_numpy(),
        name=str(rows.index[-1]),
        mode="lines+markers",
        line={"color": "black", "dash": "dot"},
    )
    fig.update_layout(title=title, barmode="stack", yaxis_title="share of scenarios", **_LAYOUT)
    return fig


def decile_figure(
    deciles: pd.DataFrame,
    title: str,
    y_title: str,
    top: int = 5,
    scale: float = _B,
    floor: float | None = None,
) -> go.Figure:
    """Draw an outcome's median in each tenth of the draws of its strongest parameters.

    Parameters
    ----------
    deciles : pandas.DataFrame
        From :func:`strandrisk.analysis.deciles.outcome_by_decile`: index (parameter, bin),
        strongest first; columns ``share``, ``low``, ``high``, ``p50``. [fraction,
        parameter units, unit of the outcome]
    title, y_title : str
        Chart and y-axis titles. [-]
    top : int
        How many parameters to draw. [count]
    scale : float
        Divisor of the outcome for the y axis (1e9: USD billion). [unit of the outcome]
    floor : float, optional
        Draw only the parameters whose medians range over more than this
        (:func:`~strandrisk.analysis.deciles.decile_noise_floor`; the strongest always).
        [unit of the outcome]
    """
    fig = go.Figure()
    ranges = median_range(deciles)
    names = [k for i, (k, r) in enumerate(ranges.items()) if i == 0 or floor is None or r > floor]
    names = names[:top]
    scenarios = int(deciles.loc[names[0], "scenarios"].sum()) if names else 0
    for i, name in enumerate(names):
        d = deciles.loc[name]
        fig.add_scatter(
            x=100 * d["share"],
            y=d["p50"] / scale,
            mode="lines+markers",
            name=name,
            line={"color": _PALETTE[i % len(_PALETTE)]},
            text=[
                f"{name} {lo:.4g} to {hi:.4g}" for lo, hi in zip(d["low"], d["high"], strict=True)
            ],
            hovertemplate="%{text}<br>median %{y:,.4g}<extra></extra>",
        )
    fig.update_layout(
        title=title,
        xaxis={
            "title": "the parameter's percentile in the draws (each point: a tenth of the "
            f"{scenarios:,} scenarios)"
        },
        yaxis_title=y_title,
        **_LAYOUT,
    )
    return fig


def prim_box_figure(limits: pd.DataFrame, box: PrimBox, title: str) -> go.Figure:
    """Draw the PRIM box: each restricted parameter's range within the range sampled.

    Parameters
    ----------
    limits : pandas.DataFrame
        The box's restricted ranges (``lower``, ``upper``) and the data's ``min``, ``max``.
        [canonical units]
    box : PrimBox
        The chosen box (coverage, density). [fraction]
    title : str
        Chart title. [-]
    """
    fig = go.Figure()
    span = (limits["max"] - limits["min"]).replace(0, 1)
    fig.add_bar(
        y=list(limits.index),
        x=(limits["upper"] - limits["lower"]) / span,
        base=(limits["lower"] - limits["min"]) / span,
        orientation="h",
        name=f"box: coverage {box.coverage:.0%}, density {box.density:.0%}",
        text=[
            f"{lo:.4g} to {hi:.4g}" for lo, hi in zip(limits["lower"], limits["upper"], strict=True)
        ],
        textposition="inside",
    )
    fig.update_layout(
        title=title,
        xaxis_title="position within the sampled range (0 = min, 1 = max)",
        xaxis_range=[0, 1],  # the whole sampled range, so that the restriction shows
        **{
            **_LAYOUT,
            "height": 160 + 32 * len(limits),
            "margin": {"l": 260, "r": 20, "t": 60, "b": 50},
        },
    )
    return fig


def prim_scatter_figure(
    a: np.ndarray,
    b: np.ndarray,
    cases: np.ndarray,
    box: tuple[float, float, float, float],
    names: tuple[str, str],
    title: str,
) -> go.Figure:
    """Draw the scenarios over two parameters, the cases of interest apart, and the box.

    EMA Workbench's ``PrimBox.show_pairs_scatter`` for one pair: whether the box's corner of
    the plane is where the cases are, and what it leaves out.

    Parameters
    ----------
    a, b : ndarray
        The two parameters' values of each scenario shown. [canonical units]
    cases : ndarray of bool
        Which of them are cases of interest. [-]
    box : tuple of float
        The box's bounds on them: ``(a_low, a_high, b_low, b_high)``. [canonical units]
    names : tuple of str
        The two parameters. [-]
    title : str
        Chart title. [-]
    """
    fig = go.Figure()
    for mask, label, colour in (
        (~cases, "other scenarios", "#b8b8b8"),
        (cases, "cases of interest", _PALETTE[3]),
    ):
        fig.add_scatter(
            x=a[mask], y=b[mask], mode="markers", name=label,
            marker={"size": 4, "color": colour, "opacity": 0.7},
            line={"color": colour},  # (the PNG's colour)
        )  # fmt: skip
    a0, a1, b0, b1 = box
    fig.add_scatter(
        x=[a0, a1, a1, a0, a0], y=[b0, b0, b1, b1, b0], mode="lines", name="the box",
        line={"color": _PALETTE[0], "width": 2},
    )  # fmt: skip
    fig.update_layout(title=title, xaxis_title=names[0], yaxis_title=names[1], **_LAYOUT)
    return fig


def _ecdf(values: np.ndarray, most: int = 1_000) -> tuple[np.ndarray, np.ndarray]:
    """Return the empirical CDF of ``values`` as a line's x and y.

    Its steps up to ``most`` values; beyond, its quantiles at ``most + 1`` evenly spaced
    levels (NumPy's linear interpolation), so that a page of a million scenarios stays small.
    """
    x = np.sort(np.asarray(values, dtype=float))
    if len(x) > most:
        levels = np.linspace(0.0, 1.0, most + 1)
        return np.quantile(x, levels), levels
    rank = np.arange(1, len(x) + 1) / len(x)
    return np.repeat(x, 2), np.concatenate([[0.0], np.repeat(rank, 2)[:-1]])


def regional_cdf_figure(values: np.ndarray, cases: np.ndarray, name: str, ks: float) -> go.Figure:
    """Draw one parameter's distribution among the cases of interest and among the others.

    EMA Workbench's ``regional_sa.plot_cdfs``: the two empirical CDFs, whose largest gap is
    the Kolmogorov-Smirnov distance of the regional sensitivity table.

    Parameters
    ----------
    values : ndarray
        The parameter's value in each scenario. [canonical units]
    cases : ndarray of bool
        Which scenarios are cases of interest. [-]
    name : str
        The parameter. [-]
    ks : float
        Its Kolmogorov-Smirnov distance, for the title. [-]
    """
    fig = go.Figure()
    for mask, label, colour in (
        (~cases, "other scenarios", "#9a9a9a"),
        (cases, "cases of interest", _PALETTE[3]),
    ):
        x, y = _ecdf(values[mask])
        fig.add_scatter(x=x, y=y, mode="lines", name=label, line={"color": colour})
    fig.update_layout(
        title=f"{name}: among the cases and the others (KS distance {ks:.2f})",
        xaxis_title=name,
        yaxis_title="cumulative share",
        **_LAYOUT,
    )
    return fig


def stacking_figure(stack: DimensionalStack, title: str) -> go.Figure:
    """Draw a dimensional stack: the share of cases in each cell as a heat map.

    EMA Workbench's pivot plot: the rows' parameters nested down the side, the columns'
    across, each cell's share of cases written in it ("none" where no scenario falls).

    Parameters
    ----------
    stack : DimensionalStack
        From :func:`strandrisk.analysis.stacking.dimensional_stack`. [fraction]
    title : str
        Chart title. [-]
    """
    z = stack.share
    fig = go.Figure()
    fig.add_heatmap(
        x=stack.labels("columns"),
        y=stack.labels("rows"),
        z=z,
        zmin=0.0,
        zmax=1.0,
        colorscale="RdYlGn_r",
        colorbar={"title": {"text": "share of cases"}},
        text=[["none" if np.isnan(v) else f"{v:.2f}" for v in row] for row in z],
        texttemplate="%{text}",
        name="share of cases",
    )
    fig.update_layout(
        title=title,
        xaxis_title=" · ".join(stack.columns),
        yaxis_title=" · ".join(stack.rows),
        **_LAYOUT,
    )
    return fig


def feature_scores_figure(wide: pd.DataFrame, fit: pd.Series, title: str) -> go.Figure:
    """Draw feature scores as EMA Workbench's heat map: parameters down, outcomes across.

    Parameters
    ----------
    wide : pandas.DataFrame
        Index parameter, the noise floor's row last; a column per outcome
        (:func:`strandrisk.analysis.trees.scores_wide`). [share]
    fit : pandas.Series
        Each outcome's forest's out-of-bag R², written under its name. [-]
    title : str
        Chart title. [-]
    """
    z = wide.to_numpy(dtype=float)[::-1]  # the largest at the top
    fig = go.Figure()
    fig.add_heatmap(
        x=[f"{o} (R² {fit[o]:.2f})" for o in wide.columns],
        y=[str(p) for p in wide.index[::-1]],
        z=z,
        zmin=0.0,
        colorscale="Viridis",
        colorbar={"title": {"text": "feature score"}},
        text=[[f"{v:.2f}" for v in row] for row in z],
        texttemplate="%{text}",
        name="feature score",
    )
    fig.update_layout(
        title=title,
        xaxis_title="outcome (its forest's out-of-bag R²)",
        **{**_LAYOUT, "margin": {"l": 260, "r": 20, "t": 60, "b": 80}},
    )
    return fig


def prior_fit_figures(
    values: np.ndarray, fits: Sequence[PriorFit], title: str, top: int = 3
) -> tuple[go.Figure, go.Figure]:
    """Draw observations against the distributions fitted to them: densities and CDFs.

    @RISK's fit window: the values' histogram (as a density, its outline, so that the PNG
    draws it alike) under each of the ``top`` best fits' densities, and the values' empirical
    CDF beside the fits' CDFs.

    Parameters
    ----------
    values : ndarray
        The observations. [unit of the parameter]
    fits : sequence of PriorFit
        From :func:`strandrisk.analysis.priors.fit_priors`, best first. [-]
    title : str
        What was fitted, for both titles. [-]
    top : int
        Fits drawn. [count]
    """
    from strandrisk.analysis.priors import frozen

    x = np.sort(np.asarray(values, dtype=float))
    span = x[-1] - x[0]
    grid = np.linspace(x[0] - 0.15 * span, x[-1] + 0.15 * span, 241)
    density, edges = np.histogram(x, bins="auto", density=True)
    step_x = np.repeat(edges, 2)
    step_y = np.concatenate([[0.0], np.repeat(density, 2), [0.0]])
    pdf, cdf = go.Figure(), go.Figure()
    pdf.add_scatter(
        x=step_x, y=step_y, mode="lines", name=f"the {len(x)} values",
        line={"color": "#9a9a9a"},
    )  # fmt: skip
    step_x, step_y = _ecdf(x)
    cdf.add_scatter(
        x=step_x, y=step_y, mode="lines", name=f"the {len(x)} values", line={"color": "#9a9a9a"}
    )
    for k, fit in enumerate(fits[:top]):
        shape = frozen(fit.distribution)
        label = f"{fit.distribution.kind} (AIC {fit.aic:,.1f})"
        colour = _PALETTE[k % len(_PALETTE)]
        pdf.add_scatter(x=grid, y=shape.pdf(grid), mode="lines", name=label, line={"color": colour})
        cdf.add_scatter(x=grid, y=shape.cdf(grid), mode="lines", name=label, line={"color": colour})
    pdf.update_layout(
        title=f"{title}: the values and the best fits", yaxis_title="density", **_LAYOUT
    )
    cdf.update_layout(
        title=f"{title}: cumulative, the values against the fits",
        yaxis_title="cumulative probability",
        **_LAYOUT,
    )
    return pdf, cdf


_BOX_AXES = {
    "xaxis_title": "coverage: share of the cases of interest inside the box",
    "yaxis_title": "density: share of the box that is a case of interest",
}
"""The axes of a scenario-discovery box's trade-off: PRIM's peels, CART's leaves."""


def cart_figure(
    leaves: pd.DataFrame, rules: Sequence[str], prim_box: PrimBox, title: str
) -> go.Figure:
    """Draw CART's leaves as boxes on PRIM's axes: density against coverage, PRIM's box beside.

    Parameters
    ----------
    leaves : pandas.DataFrame
        One row per leaf, index its number: ``coverage``, ``density``
        (:attr:`~strandrisk.analysis.cart.CartResult.leaves`). [fraction]
    rules : sequence of str
        Each leaf's box as a rule, for the hover text. [-]
    prim_box : PrimBox
        PRIM's chosen box, for comparison. [-]
    title : str
        Chart title. [-]
    """
    fig = go.Figure()
    majority = (leaves["density"] >= 0.5).to_numpy()
    for mask, name, colour in (
        (majority, "leaves of cases (density ≥ 50 %)", _PALETTE[3]),
        (~majority, "other leaves", _PALETTE[0]),
    ):
        fig.add_scatter(
            x=leaves["coverage"].to_numpy()[mask],
            y=leaves["density"].to_numpy()[mask],
            mode="markers+text",
            name=name,
            text=[str(k) for k in leaves.index[mask]],
            textposition="top center",
            hovertext=[rules[int(i)] for i in np.flatnonzero(mask)],
            marker={"size": 10, "color": colour},
            line={"color": colour},
        )
    fig.add_scatter(
        x=[prim_box.coverage],
        y=[prim_box.density],
        mode="markers",
        name="PRIM's chosen box",
        marker={"size": 12, "color": _PALETTE[2], "symbol": "diamond"},
        line={"color": _PALETTE[2]},
    )
    fig.update_layout(
        title=title,
        **_BOX_AXES,
        **_LAYOUT,
    )
    return fig


def prim_tradeoff_figure(trajectory: pd.DataFrame, chosen: int, title: str) -> go.Figure:
    """Draw PRIM's peeling trajectory: density against coverage, the chosen box marked.

    Parameters
    ----------
    trajectory : pandas.DataFrame
        One row per box: ``coverage``, ``density``, ``restricted``. [fraction, count]
    chosen : int
        Row of the chosen box. [-]
    title : str
        Chart title. [-]
    """
    fig = go.Figure()
    fig.add_scatter(
        x=trajectory["coverage"].to_numpy(),
        y=trajectory["density"].to_numpy(),
        mode="lines+markers",
        name="peeling trajectory",
        text=[f"step {i}: {int(r)} restricted" for i, r in enumerate(trajectory["restricted"])],
        line={"color": _PALETTE[0]},
    )
    fig.add_scatter(
        x=[float(trajectory["coverage"].iloc[chosen])],
        y=[float(trajectory["density"].iloc[chosen])],
        mode="markers",
        name=f"chosen box (step {chosen})",
        marker={"size": 12, "color": _PALETTE[3]},
        line={"color": _PALETTE[3]},
    )
    fig.update_layout(
        title=title,
        **_BOX_AXES,
        **_LAYOUT,
    )
    return fig


def sobol_figure(indices: pd.DataFrame, title: str, top: int = 12) -> go.Figure:
    """Draw Sobol indices of one outcome as bars, total (ST) beside first order (S1).

    Parameters
    ----------
    indices : pandas.DataFrame
        Index parameter; columns ``S1, S1_conf, ST, ST_conf``, largest ST first; or only
        ``S1, S1_conf`` (RBD-FAST), largest S1 first, drawn with their 95 % intervals. [-]
    title : str
        Chart title. [-]
    top : int
        How many parameters to draw. [count]
    """
    s = indices.head(top).iloc[::-1]
    fig = go.Figure()
    if "ST" in s.columns:
        fig.add_bar(y=list(s.index), x=s["ST"], name="total (ST)", orientation="h")
        fig.add_bar(y=list(s.index), x=s["S1"], name="first order (S1)", orientation="h")
    else:
        fig.add_bar(
            y=list(s.index),
            x=s["S1"],
            name="first order (S1), 95 % interval",
            orientation="h",
            error_x={"type": "data", "array": list(s["S1_conf"]), "visible": True},
        )
    fig.update_layout(
        title=title,
        xaxis_title="share of variance",
        barmode="group",
        **{**_LAYOUT, "margin": {"l": 260, "r": 20, "t": 60, "b": 50}},
    )
    return fig


def spider_figure(
    outcomes: pd.DataFrame,
    base: float,
    title: str,
    order: Sequence[str],
    top: int = 8,
    what: str = "peak stranded value",
    unit: str = "USD",
) -> go.Figure:
    """Draw a spider graph: the outcome as each parameter moves through its percentiles.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Index parameter, a column per level (cumulative probability): the outcome with that
        parameter there, the others at the scenario's values (:class:`Spider.outcomes`). [USD]
    base : float
        The outcome at the scenario's own values, drawn as a dotted line. [USD]
    title : str
        Chart title. [-]
    order : sequence of str
        Parameters, most important first (the tornado's order); the ``top`` first are drawn. [-]
    top : int
        How many parameters to draw. [count]
    what, unit : str
        The outcome in words, and its unit (``USD`` is drawn in billions). [-]
    """
    scale, axis, _ = display_unit(unit)
    fig = go.Figure()
    x = [100 * float(q) for q in outcomes.columns]
    for i, key in enumerate(list(order)[:top]):
        fig.add_scatter(
            x=x,
            y=outcomes.loc[key].to_numpy(dtype=float) * scale,
            mode="lines+markers",
            name=key,
            line={"color": _PALETTE[i % len(_PALETTE)]},
        )
    fig.add_scatter(  # a trace, not a shape, so that the PNG draws it too
        x=[x[0], x[-1]],
        y=[base * scale, base * scale],
        mode="lines",
        name="all as given",
        line={"color": "#888888", "dash": "dot"},
    )
    fig.update_layout(
        title=title,
        xaxis_title="percentile of the parameter's distribution",
        yaxis_title=what + ("" if axis in ("", "-") else f", {axis}"),
        **_LAYOUT,
    )
    return fig


def convergence_figure(sizes: Sequence[int], widths: Sequence[float], target: float) -> go.Figure:
    """Draw a precision-controlled run's sampling error against the scenarios run, and the target.

    Parameters
    ----------
    sizes : sequence of int
        Scenarios at each check. [count]
    widths : sequence of float
        Widest relative half-width at each check (``inf`` while unbounded: left out). [fraction]
    target : float
        The precision asked for. [fraction]
    """
    pairs = [(k, w) for k, w in zip(sizes, widths, strict=True) if np.isfinite(w)]
    fig = go.Figure()
    fig.add_scatter(
        x=[k for k, _ in pairs],
        y=[w * 100 for _, w in pairs],
        mode="lines+markers",
        name="widest half-width of P50, P95, P99",
    )
    fig.add_scatter(
        x=[sizes[0], sizes[-1]],
        y=[target * 100, target * 100],
        mode="lines",
        name="target",
        line={"dash": "dash", "color": "#444444"},
    )
    fig.update_layout(
        title="Sampling error as the run grows (95 % intervals; it falls as 1/sqrt(n))",
        xaxis={"title": "scenarios run", "type": "log"},
        yaxis={"title": "relative half-width, %", "type": "log"},
        **_LAYOUT,
    )
    return fig


def pawn_figure(indices: pd.DataFrame, floor: float, title: str, top: int = 12) -> go.Figure:
    """Draw PAWN indices of one outcome as bars (median, whiskers to the largest) and the floor.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index parameter; columns ``median`` and ``maximum``, largest ``median`` first, the
        noise floor's row left out. [-]
    floor : float
        The noise floor (dummy parameters' 95th percentile). [-]
    title : str
        Chart title. [-]
    top : int
        How many parameters to draw. [count]
    """
    s = indices.head(top).iloc[::-1]
    fig = go.Figure()
    fig.add_bar(
        y=list(s.index),
        x=s["median"],
        name="PAWN (median over intervals)",
        orientation="h",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": list(s["maximum"] - s["median"]),
            "arrayminus": [0.0] * len(s),
            "visible": True,
        },
    )
    fig.add_scatter(  # a line down the rows (the PNG marks it on each row)
        x=[floor] * len(s),
        y=list(s.index),
        mode="lines",
        name="noise floor",
        line={"dash": "dash", "color": "#444444"},
    )
    fig.update_layout(
        title=title,
        xaxis_title="Kolmogorov-Smirnov distance (whisker: largest over the intervals)",
        **{**_LAYOUT, "margin": {"l": 260, "r": 20, "t": 60, "b": 50}},
    )
    return fig


def cumulative_figure(
    cumulative: pd.DataFrame,
    title: str,
    x_title: str,
    colours_by: Sequence[str] | None = None,
) -> go.Figure:
    """Draw each company's cumulative distribution of an outcome (the "S-curve").

    Parameters
    ----------
    cumulative : pandas.DataFrame
        Index the cumulative probability; a column per company (``MCResult.cumulative``) or
        decision. [USD]
    title, x_title : str
        Chart and x-axis titles. [-]
    colours_by : sequence of str, optional
        The names whose order sets each line's colour (default the columns), so that a
        line keeps its colour in a chart that shows some of them. [-]
    """
    fig = go.Figure()
    companies = list(cumulative.columns)
    order = [str(c) for c in (colours_by if colours_by is not None else companies)]
    for company in companies:
        fig.add_scatter(
            x=cumulative[company] / _B,
            y=cumulative.index,
            mode="lines",
            name=str(company),
            line={"color": _colour(str(company), order)},
        )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis={"title": "share of scenarios at or below", "range": [0, 1]},
        **_LAYOUT,
    )
    return fig


def morris_figure(indices: pd.DataFrame, title: str, unit: str, scale: float = 1.0) -> go.Figure:
    """Draw Morris screening as mu* against sigma, one labelled point per parameter.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index parameter (or group); columns ``mu_star``, ``mu_star_conf`` and ``sigma``
        (NaN for a group of several: then bars of mu*). [outcome unit]
    title : str
        Chart title. [-]
    unit : str
        Axis unit after scaling, e.g. ``"$B"``. [-]
    scale : float
        Divisor of the values (1e9 for USD billions). [-]
    """
    d = indices.head(12)
    fig = go.Figure()
    if d["sigma"].isna().any():  # by groups: no spread for a group of several, so bars of mu*
        fig.add_bar(
            x=list(d.index),
            y=d["mu_star"] / scale,
            error_y={"type": "data", "array": (d["mu_star_conf"] / scale).tolist()},
            name="mu*",
        )
        fig.update_layout(
            title=title,
            xaxis_title="group of parameters",
            yaxis_title=f"mu*: mean absolute effect ({unit})",
            **_LAYOUT,
        )
        return fig
    fig.add_scatter(
        x=d["mu_star"] / scale,
        y=d["sigma"] / scale,
        mode="markers+text",
        text=list(d.index),
        textposition="top center",
        name="parameter",
    )
    fig.update_layout(
        title=title,
        xaxis_title=f"mu*: mean absolute effect ({unit})",
        yaxis_title=f"sigma: spread of the effects ({unit})",
        **_LAYOUT,
    )
    return fig


def rank_drivers_figure(drivers: pd.DataFrame, title: str, top: int = 12) -> go.Figure:
    """Draw one outcome's rank drivers as a tornado: correlation bars, regression markers.

    Parameters
    ----------
    drivers : pandas.DataFrame
        Index parameter, by falling ``|spearman|``; columns ``spearman``, ``spearman_pm``
        (half-width of its 95 % interval) and ``srrc``. [-]
    title : str
        Chart title. [-]
    top : int
        How many parameters to draw. [count]
    """
    d = drivers.head(top).iloc[::-1]
    fig = go.Figure()
    fig.add_bar(
        y=list(d.index),
        x=d["spearman"],
        orientation="h",
        name="rank correlation",
        error_x={"type": "data", "array": d["spearman_pm"], "visible": True},
    )
    fig.add_scatter(
        y=list(d.index),
        x=d["srrc"],
        mode="markers",
        marker={"symbol": "diamond", "size": 9, "color": _INDUSTRY},
        name="rank regression coefficient (others held)",
    )
    fig.update_layout(
        title=title,
        xaxis={"title": "rank correlation with the outcome", "range": [-1.05, 1.05]},
        **{**_LAYOUT, "margin": {"l": 260, "r": 20, "t": 60, "b": 50}},
    )
    return fig


def mc_histogram_figure(outcomes: pd.DataFrame, title: str) -> go.Figure:
    """Draw histograms of peak stranded value and of the 2026 programme's NPV.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per scenario with ``stranded_peak`` and ``npv_2026``. [USD]
    title : str
        Chart title. [-]
    """
    fig = go.Figure()
    fig.add_histogram(x=outcomes["stranded_peak"] / _B, name="peak stranded value", opacity=0.7)
    fig.add_histogram(x=outcomes["npv_2026"] / _B, name="NPV of the 2026 programme", opacity=0.7)
    fig.update_layout(
        title=title,
        xaxis_title="USD billion",
        yaxis_title="scenarios",
        barmode="overlay",
        **_LAYOUT,
    )
    return fig


_FAN_COLOUR = "#1f77b4{:02x}"
"""The fan's hue (Plotly's first colour, the median's) at an opacity out of 255 (#rrggbbaa,
which Plotly and matplotlib both read)."""


def fan_figure(fans: pd.DataFrame, title: str, company: str = "industry") -> go.Figure:
    """Draw the fan of stranded value: the 5-95 and 25-75 percentile bands and the median.

    Parameters
    ----------
    fans : pandas.DataFrame
        Index (variable, company, quarter); columns ``p5, p25, p50, p75, p95``. [USD]
    title : str
        Chart title. [-]
    company : str
        Whose fan. [-]
    """
    fig = go.Figure()
    f = fans.loc[("stranded_value", company)]
    x = list(f.index)
    # one hue, the inner band darker: each band's own shade in the legend (the cycle's
    # colours, or one colour at one opacity, drew both swatches alike)
    for lo, hi, name, shade in (
        ("p5", "p95", "5th-95th percentile", _FAN_COLOUR.format(46)),  # 0.18
        ("p25", "p75", "25th-75th percentile", _FAN_COLOUR.format(115)),  # 0.45
    ):
        fig.add_scatter(x=x, y=f[hi] / _B, mode="lines", line={"width": 0}, showlegend=False)
        fig.add_scatter(
            x=x,
            y=f[lo] / _B,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=shade,
            name=name,
        )
    fig.add_scatter(x=x, y=f["p50"] / _B, mode="lines", name="median", line={"color": "#1f77b4"})
    fig.update_layout(title=title, yaxis_title="USD billion", **_LAYOUT)
    return fig


def p_impairment_figure(
    p_impairment: pd.DataFrame, title: str, company: str = "industry"
) -> go.Figure:
    """Draw the probability of an impairment by the end of each year, IFRS and US GAAP.

    Parameters
    ----------
    p_impairment : pandas.DataFrame
        Index (year, company); columns ``ifrs``, ``usgaap``. [fraction]
    title : str
        Chart title. [-]
    company : str
        Whose probabilities. [-]
    """
    p = p_impairment.xs(company, level="company")
    fig = go.Figure()
    years = [str(y) for y in p.index]
    fig.add_scatter(x=years, y=p["ifrs"], name="IFRS", mode="lines+markers")
    fig.add_scatter(x=years, y=p["usgaap"], name="US GAAP", mode="lines+markers")
    fig.update_layout(title=title, yaxis_title="share of scenarios", **_LAYOUT)
    return fig
