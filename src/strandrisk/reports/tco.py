"""The TCO page (one HTML file with Plotly inlined) and its chart (also as PNG).

The page gives the workload, each option's cost, the article's figures, the break-even
volumes and the cumulative cost over time.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from strandrisk import __version__
from strandrisk.io.files import ensure_folder, write_text_atomic
from strandrisk.io.workload import WorkloadFile
from strandrisk.reports.pages import html_page, write_charts
from strandrisk.tco.checks import evaluate_checks
from strandrisk.tco.model import OptionResult, TCOResult, Workload

__all__ = [
    "breakeven_lines",
    "cumulative_cost_figure",
    "option_cells",
    "workload_sentence",
    "write_tco_outputs",
]


def workload_sentence(w: Workload) -> str:
    """Describe the workload in one line: tokens a day, model size, precision and load.

    Parameters
    ----------
    w : Workload
        The workload. [tokens/day, parameters, bits, fraction]
    """
    return (
        f"{w.tokens_in_per_day / 1e6:g}M input + {w.tokens_out_per_day / 1e6:g}M output tokens "
        f"a day, {w.total_parameters / 1e9:g}B parameters ({w.active_parameters / 1e9:g}B active) "
        f"at {w.bits:g} bits, {w.utilisation:.0%} average load"
    )


def breakeven_lines(result: TCOResult) -> list[str]:
    """One line per pair of options: the daily volume at which their total costs are equal.

    Parameters
    ----------
    result : TCOResult
        The comparison, with its break-even table. [tokens/day]
    """
    be = result.breakeven
    names = list(be.index)
    lines = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            v = be.loc[a, b]
            text = (
                "never (one is cheaper at every volume)"
                if pd.isna(v)
                else f"{v / 1e6:,.2f}M tokens a day"
            )
            lines.append(f"{a} = {b}: {text}")
    return lines


def _usd(v: float) -> str:
    return "-" if pd.isna(v) else f"${v:,.0f}"


def option_cells(r: OptionResult) -> tuple[str, ...]:
    """Format an option's units, capex, energy, energy cost, total cost and cost per Mtok.

    The same figures on the TCO page and in ``strandrisk tco``.

    Parameters
    ----------
    r : OptionResult
        One priced option. [USD, kWh, unit]
    """
    return (
        "-" if pd.isna(r.units) else f"{r.units:g}",
        _usd(r.capex),
        "-" if pd.isna(r.energy_kwh) else f"{r.energy_kwh:,.0f}",
        _usd(r.energy_cost),
        _usd(r.total_cost),
        "-" if pd.isna(r.usd_per_mtok) else f"{r.usd_per_mtok:.3f}",
    )


def _options_table(result: TCOResult) -> str:
    head = (
        "option",
        "kind",
        "fits in memory",
        "units",
        "capex (USD)",
        "energy (kWh)",
        "energy (USD)",
        "total (USD)",
        "USD per Mtok",
    )
    rows = []
    for r in result.options:
        fits = (
            '<td class="text yes">yes</td>' if r.fits_in_memory else '<td class="text no">no</td>'
        )
        cells = option_cells(r)
        rows.append(
            f'<tr><td class="text">{html.escape(r.label or r.option)}</td>'
            f'<td class="text">{html.escape(r.kind)}</td>{fits}'
            + "".join(f"<td>{c}</td>" for c in cells)
            + "</tr>"
        )
    header = "".join(f'<th class="{"text" if i < 3 else ""}">{h}</th>' for i, h in enumerate(head))
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _checks_table(wf: WorkloadFile, result: TCOResult) -> str:
    checks = evaluate_checks(wf, result)
    if not checks:
        return ""
    rows = "".join(
        f'<tr><td class="text">{html.escape(c.option)}</td><td>{html.escape(c.stated)}</td>'
        f"<td>{html.escape(c.reproduced)}</td>"
        f'<td class="text {"yes" if c.verdict == "reproduced" else "no"}">{c.verdict}</td>'
        f'<td class="text small">{html.escape(c.detail)}</td></tr>'
        for c in checks
    )
    head = "".join(
        f'<th class="text">{h}</th>'
        for h in ("option", "stated", "reproduced", "verdict", "detail")
    )
    return (
        "<h2>The article's figures</h2>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


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
        w = result.workload
        breakevens = "".join(f"<li>{html.escape(line)}</li>" for line in breakeven_lines(result))
        chart = fig.to_html(full_html=False, include_plotlyjs=False, div_id="fig-tco-cumulative")
        body = f"""<h1>TCO: {html.escape(wf.description)}</h1>
<p>Workload: {html.escape(workload_sentence(w))}. Over {w.horizon_years:g} years; money in US
dollars, energy at the wall (PUE included); owned hardware is bought at the start and has no
resale value at the end.</p>
<h2>Total cost of ownership over {w.horizon_years:g} years</h2>
{_options_table(result)}
{_checks_table(wf, result)}
<h2>Break-even daily volume (total cost equal)</h2>
<ul>{breakevens}</ul>
<h2>Cumulative cost</h2>
{chart}
<p class="small">strandrisk {__version__}; workload '{html.escape(wf.name)}'</p>
"""
        page = html_page(f"strandrisk TCO: {wf.name}", body)
        written.append(write_text_atomic(Path(out) / "tco.html", page))
    return written + write_charts({"tco_cumulative_cost": fig}, png)
