"""The TCO page: cumulative cost over time per option (HTML with Plotly inlined, or PNG)."""

from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline

from strandrisk.io.files import ensure_folder, write_text_atomic
from strandrisk.io.workload import WorkloadFile
from strandrisk.tco.model import SUMMARY_COLUMNS, TCOResult

__all__ = ["cumulative_cost_figure", "write_tco_outputs"]


def cumulative_cost_figure(wf: WorkloadFile, result: TCOResult) -> go.Figure:
    """Cumulative cost of each option, month by month.

    Parameters
    ----------
    wf : WorkloadFile
        The workload and its options. [-]
    result : TCOResult
        Costs per option. [USD]
    """
    fig = go.Figure()
    labels = {o.name: (o.label or o.name) for o in wf.options}
    for name in result.cumulative.columns:
        fig.add_scatter(
            x=list(result.cumulative.index),
            y=result.cumulative[name].to_numpy(),
            name=labels[name],
            mode="lines",
        )
    fig.update_layout(
        title=f"Cumulative cost: {wf.description}",
        xaxis_title="month",
        yaxis_title="USD",
        template="plotly_white",
        height=460,
    )
    return fig


def write_tco_outputs(
    wf: WorkloadFile, result: TCOResult, out: Path | None, png: Path | None
) -> list[Path]:
    """Write ``tco.html`` to ``out`` and ``tco_cumulative_cost.png`` to ``png`` (either may be None).

    Parameters
    ----------
    wf : WorkloadFile
        The workload and its options. [-]
    result : TCOResult
        Costs per option. [USD]
    out : Path or None
        Folder for ``tco.html``. [-]
    png : Path or None
        Folder for the PNG chart. [-]
    """
    fig = cumulative_cost_figure(wf, result)
    written = []
    if out is not None:
        ensure_folder(out)
        table = result.table()[["kind", *SUMMARY_COLUMNS]]
        page = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>strandrisk TCO: {html.escape(wf.name)}</title>'
            f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script></head>'
            f"<body style='font-family:sans-serif;max-width:1100px;margin:2rem auto'>"
            f"<h1>TCO: {html.escape(wf.description)}</h1>{table.to_html(float_format=lambda v: f'{v:,.2f}')}"
            f"{fig.to_html(full_html=False, include_plotlyjs=False, div_id='fig-tco-cumulative')}</body></html>"
        )
        written.append(write_text_atomic(Path(out) / "tco.html", page))
    if png is not None:
        from strandrisk.reports.png import write_pngs

        ensure_folder(png, "PNG folder")
        written += write_pngs({"tco_cumulative_cost": fig}, png)
    return written
