"""The frame every one-page report shares: style, tables, the page and its charts."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from strandrisk import __version__
from strandrisk.io.files import ensure_folder, write_text_atomic
from strandrisk.scenarios.schema import COMPANIES

__all__ = ["PAGE_CSS", "html_page", "write_charts", "write_page"]

PAGE_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #1d2330; line-height: 1.45; padding: 0 1rem; }
table { border-collapse: collapse; font-size: .88rem; margin: .6rem 0; }
th, td { border-bottom: 1px solid #e4e6ee; padding: .25rem .6rem; text-align: right; vertical-align: top; }
th { background: #f4f5f9; } .text { text-align: left; } .small { font-size: .8rem; color: #5a6070; }
.no { color: #b3261e; font-weight: 600; } .yes { color: #1b6e3a; }
"""
"""Style of the one-page reports (this module's and the TCO page)."""


def _table(frame: pd.DataFrame, index_name: str, fmt: str = "{:.4g}") -> str:
    """Render a data frame as an HTML table, the index as the first, left-aligned column."""
    head = f'<th class="text">{html.escape(index_name)}</th>' + "".join(
        f"<th>{html.escape(str(c))}</th>" for c in frame.columns
    )

    def cell(v: object) -> str:
        if isinstance(v, str):
            return html.escape(v, quote=False)  # a label such as "P(x > 1) <= 0.5"
        return "-" if pd.isna(v) else fmt.format(v)

    rows = "".join(
        f'<tr><td class="text">{html.escape(str(i))}</td>'
        + "".join(f"<td>{cell(v)}</td>" for v in row)
        + "</tr>"
        for i, row in zip(frame.index, frame.to_numpy(), strict=True)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the columns (companies) in the model's order, the industry last."""
    return frame[[c for c in (*COMPANIES, "industry") if c in frame.columns]]


_MONEY_OUTCOMES = ("stranded_peak", "npv_2026", "impairment_ifrs", "impairment_usgaap")


def _small(text: str) -> str:
    """Return a note under a table (plain text, escaped)."""
    return f'<p class="small">{html.escape(text)}</p>'


def write_page(
    name: str,
    title: str,
    intro: str,
    tables: Sequence[tuple[str, str]],
    figures: dict[str, go.Figure],
    out: Path | None,
    png: Path | None,
) -> list[Path]:
    """Write ``<name>.html`` to ``out`` and each figure as ``<key>.png`` to ``png``.

    Parameters
    ----------
    name : str
        File name of the page, without ``.html``. [-]
    title : str
        Heading. [-]
    intro : str
        A paragraph of plain text (escaped here). [-]
    tables : sequence of (heading, HTML table)
        Sections with a table each. [-]
    figures : dict of str to plotly Figure
        Charts, keyed by their PNG file names. [-]
    out, png : Path or None
        Folders for the page and the PNG files; either may be None. [-]

    Returns
    -------
    list of Path
        The files written.
    """
    written: list[Path] = []
    if out is not None:
        ensure_folder(out)
        sections = "".join(f"<h2>{html.escape(h)}</h2>{t}" for h, t in tables)
        charts = "".join(
            fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{key}")
            for key, fig in figures.items()
        )
        body = f"""<h1>{html.escape(title)}</h1>
<p>{html.escape(intro)}</p>
{sections}
<h2>Charts</h2>
{charts}
<p class="small">strandrisk {__version__}</p>
"""
        page = html_page(f"strandrisk: {title}", body)
        written.append(write_text_atomic(Path(out) / f"{name}.html", page))
    return written + write_charts(figures, png)


def html_page(page_title: str, body: str, css: str = PAGE_CSS) -> str:
    """Wrap a page body in a self-contained document: style and Plotly's JavaScript inlined.

    Parameters
    ----------
    page_title : str
        The browser's title. [-]
    body : str
        The HTML inside ``<body>``. [-]
    css : str
        The style sheet (the run report has its own). [-]
    """
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(page_title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{css}</style>
<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>
</head><body>
{body}</body></html>
"""


def write_charts(figures: dict[str, go.Figure], png: Path | None) -> list[Path]:
    """Write each figure as ``<key>.png`` in ``png`` (nothing when it is None).

    Parameters
    ----------
    figures : dict of str to plotly Figure
        Charts, keyed by their file names. [-]
    png : Path or None
        The folder, created if needed. [-]
    """
    if png is None:
        return []
    from strandrisk.reports.png import write_pngs

    ensure_folder(png, "PNG folder")
    return write_pngs(figures, png)
