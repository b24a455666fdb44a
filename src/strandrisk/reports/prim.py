"""The scenario-discovery page of ``strandrisk discover`` (one HTML file) and its charts as PNG."""

from __future__ import annotations

import html
from pathlib import Path

import plotly.offline

from strandrisk import __version__
from strandrisk.analysis.prim import PrimResult
from strandrisk.io.files import ensure_folder, write_text_atomic
from strandrisk.reports.figures import prim_box_figure, prim_tradeoff_figure

__all__ = ["write_prim_outputs"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #1d2330; line-height: 1.45; padding: 0 1rem; }
table { border-collapse: collapse; font-size: .88rem; margin: .6rem 0; }
th, td { border-bottom: 1px solid #e4e6ee; padding: .25rem .6rem; text-align: right; }
th { background: #f4f5f9; } .text { text-align: left; } .small { font-size: .8rem; color: #5a6070; }
"""


def write_prim_outputs(
    result: PrimResult,
    question: str,
    cases: int,
    n: int,
    out: Path | None,
    png: Path | None,
) -> list[Path]:
    """Write ``discover.html`` to ``out`` and the two charts as PNG to ``png`` (either may be None).

    Parameters
    ----------
    result : PrimResult
        The peeling trajectory and the chosen box. [-]
    question : str
        What was asked, e.g. "industry stranded_peak above 1.5e12 USD". [-]
    cases : int
        Scenarios that are cases of interest. [count]
    n : int
        Scenarios in all. [count]
    out : Path or None
        Folder for ``discover.html``. [-]
    png : Path or None
        Folder for ``prim_tradeoff.png`` and ``prim_box.png``. [-]

    Returns
    -------
    list of Path
        The files written.
    """
    box = result.boxes[result.chosen]
    figures = {
        "prim_tradeoff": prim_tradeoff_figure(
            result.trajectory, result.chosen, "PRIM: the coverage-density trade-off of the peels"
        ),
        "prim_box": prim_box_figure(result.limits, box, "PRIM: the chosen box's parameter ranges"),
    }
    written: list[Path] = []
    if out is not None:
        ensure_folder(out)
        rows = "".join(
            f'<tr><td class="text">{html.escape(str(name))}</td><td>{r["lower"]:.4g}</td>'
            f"<td>{r['upper']:.4g}</td><td>{r['min']:.4g}</td><td>{r['max']:.4g}</td></tr>"
            for name, r in result.limits.iterrows()
        )
        head = "".join(
            f'<th class="{"text" if i == 0 else ""}">{h}</th>'
            for i, h in enumerate(("parameter", "lower", "upper", "data min", "data max"))
        )
        charts = "".join(
            fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{key}")
            for key, fig in figures.items()
        )
        page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>strandrisk discover</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_CSS}</style>
<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>
</head><body>
<h1>Scenario discovery: {html.escape(question)}</h1>
<p>{cases:,} of {n:,} scenarios are cases of interest. PRIM (peeling and pasting) looks for the
parameter ranges that hold them: the chosen box (step {result.chosen} of
{len(result.trajectory) - 1}) covers {box.coverage:.1%} of the cases, {box.density:.1%} of the
scenarios inside it are cases, and it holds {box.mass:.1%} of all scenarios.</p>
<h2>The box</h2>
<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<h2>Charts</h2>
{charts}
<p class="small">strandrisk {__version__}</p>
</body></html>
"""
        written.append(write_text_atomic(Path(out) / "discover.html", page))
    if png is not None:
        from strandrisk.reports.png import write_pngs

        ensure_folder(png, "PNG folder")
        written += write_pngs(figures, png)
    return written
