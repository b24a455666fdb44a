"""PNG copies of the report's charts, drawn with Matplotlib from the Plotly figures' data.

Plotly's own image export needs a browser; Matplotlib draws the same traces offline.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
from matplotlib import colors, ticker

from strandrisk.io.files import ensure_folder, write_with

__all__ = ["write_pngs"]

_DASH = {"dash": "--", "dot": ":", "dashdot": "-."}


def _numeric(values: object) -> bool:
    """Whether a trace's coordinates are numbers (not categories)."""
    return all(isinstance(v, int | float | np.number) for v in values)  # type: ignore[attr-defined]


def _colour_map(scale: object) -> colors.Colormap | str:
    """Return a heat map trace's Plotly colour scale as a Matplotlib colour map."""
    if not scale:
        return "RdYlGn_r"  # Plotly's default would be its own; the report's heat maps set one
    stops: list[tuple[float, tuple[float, float, float] | str]] = []
    for position, colour in scale:  # type: ignore[attr-defined]
        text = str(colour).strip()  # "#440154" or "rgb(0,104,55)"
        rgb: tuple[float, float, float] | str = text
        if text.startswith("rgb"):
            r, g, b = (float(v) / 255.0 for v in text[text.index("(") + 1 : -1].split(",")[:3])
            rgb = (r, g, b)
        stops.append((float(position), rgb))
    return colors.LinearSegmentedColormap.from_list("plotly", stops)


def _draw(fig: go.Figure, ax: plt.Axes) -> None:
    bars = [t for t in fig.data if t.type == "bar"]
    grouped = fig.layout.barmode in (None, "group")  # Plotly's default; overlay shares a row
    width = 0.8 / max(len(bars), 1) if grouped else 0.8
    stacked: np.ndarray | float = 0.0  # barmode "stack": the vertical bars drawn so far, summed
    previous = None
    for trace in fig.data:
        if trace.type == "scatter" and not _numeric(trace.y):
            # markers over horizontal bars: the categories are the bars' rows, in order
            ax.plot(
                np.asarray(trace.x, dtype=float),
                np.arange(len(trace.y)),
                "D",
                label=trace.name,
                color=getattr(trace.marker, "color", None),
            )
        elif trace.type == "scatter":
            numeric = _numeric(trace.x)
            x = np.asarray(trace.x, dtype=float) if numeric else [str(v) for v in trace.x]
            y = np.asarray(trace.y, dtype=float)
            colour = getattr(trace.line, "color", None)  # the chart's own, else the cycle
            if trace.fill == "tonexty" and previous is not None:
                # the band's own colour and opacity (#rrggbbaa), if set
                shade = colors.to_rgba(trace.fillcolor) if trace.fillcolor else None
                ax.fill_between(
                    x,
                    previous,
                    y,
                    alpha=shade[3] if shade else 0.3,
                    label=trace.name,
                    color=shade[:3] if shade else colour,
                )
            elif "lines" not in (trace.mode or "lines"):  # points, perhaps labelled
                size = getattr(trace.marker, "size", None)  # Plotly's pixels as points
                ax.plot(
                    x, y, "o", label=trace.name, color=colour,
                    markersize=0.72 * size if isinstance(size, int | float) else None,
                    alpha=getattr(trace.marker, "opacity", None),
                )  # fmt: skip
                if "text" in trace.mode and trace.text is not None:
                    for xi, yi, label in zip(x, y, trace.text, strict=True):
                        ax.annotate(
                            str(label),
                            (xi, yi),
                            xytext=(0, 4),
                            textcoords="offset points",
                            ha="center",
                            fontsize=7,
                        )
            elif getattr(trace.line, "width", None) != 0:
                style = _DASH.get(getattr(trace.line, "dash", None) or "", "-")
                marker = "o" if "markers" in (trace.mode or "") else None
                ax.plot(x, y, style, label=trace.name, marker=marker, color=colour)
            previous = y
        elif trace.type == "heatmap":
            z = np.asarray(trace.z, dtype=float)
            image = ax.imshow(z, cmap=_colour_map(trace.colorscale), aspect="auto", origin="lower")
            ax.set_xticks(np.arange(z.shape[1]), [str(v) for v in trace.x])
            ax.set_yticks(np.arange(z.shape[0]), [str(v) for v in trace.y])
            for (i, j), v in np.ndenumerate(z):
                r, g, b, _ = image.cmap(image.norm(v)) if np.isfinite(v) else (1, 1, 1, 1)
                ink = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"
                text = "none" if np.isnan(v) else f"{v:.2f}"
                if trace.text is not None:  # the chart's own labels, where it has them
                    text = str(trace.text[i][j])
                ax.text(j, i, text, ha="center", va="center", color=ink)
            ax.figure.colorbar(image, ax=ax)
        elif trace.type == "histogram":
            ax.hist(np.asarray(trace.x, dtype=float), bins=40, alpha=0.6, label=trace.name)
        elif trace.type == "bar":
            i = bars.index(trace) if grouped else 0
            n_side = len(bars) if grouped else 1
            if trace.orientation == "h":
                rows = np.arange(len(trace.y))
                pos = rows + (i - (n_side - 1) / 2) * width  # grouped side by side
                left = np.asarray(trace.base, dtype=float) if trace.base is not None else 0.0
                errors = trace.error_x.array if trace.error_x.visible else None
                if errors is not None and trace.error_x.symmetric is False:
                    below = trace.error_x.arrayminus
                    below = np.zeros(len(errors)) if below is None else below
                    errors = np.vstack([np.asarray(below, float), np.asarray(errors, float)])
                drawn = ax.barh(
                    pos,
                    np.asarray(trace.x, dtype=float),
                    left=left,
                    height=width,
                    label=trace.name,
                    alpha=0.7,
                    xerr=None if errors is None else np.asarray(errors, dtype=float),
                )
                if trace.text is not None:
                    ax.bar_label(drawn, labels=list(trace.text), label_type="center", fontsize=8)
                ax.set_yticks(rows, [str(v) for v in trace.y])
            else:
                pos = np.arange(len(trace.x)) + (i - (n_side - 1) / 2) * width
                colour = getattr(trace.marker, "color", None)
                heights = np.asarray(trace.y, dtype=float)
                bottom = np.asarray(trace.base, dtype=float) if trace.base is not None else 0.0
                if fig.layout.barmode == "stack":
                    bottom, stacked = stacked, stacked + heights
                whiskers = trace.error_y.array if trace.error_y.visible is not False else None
                ax.bar(
                    pos,
                    heights,
                    bottom=bottom,
                    width=width,
                    label=trace.name,
                    color=list(colour) if isinstance(colour, tuple | list) else colour,
                    yerr=None if whiskers is None else np.asarray(whiskers, dtype=float),
                )
                ax.set_xticks(np.arange(len(trace.x)), [str(v) for v in trace.x])


def _save_png(plot: plt.Figure, path: Path) -> None:
    plot.savefig(path, format="png")


def _figure(fig: go.Figure, key: str) -> plt.Figure:
    """Draw one Plotly figure with Matplotlib: traces, title, axis titles, scales and ranges."""
    plot, ax = plt.subplots(figsize=(11, 5.2), dpi=110)
    _draw(fig, ax)
    layout = fig.layout
    ax.set_title(layout.title.text or key)
    ax.set_ylabel(layout.yaxis.title.text or "")
    ax.set_xlabel(layout.xaxis.title.text or "")
    plain = ticker.FuncFormatter(  # 2.5 and 20,000, not 2.5×10⁰ or 2e+04
        lambda v, _: f"{v:,.0f}" if v >= 1000 else f"{v:,.4g}"
    )
    if layout.yaxis.type == "log":
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain)
        low, high = ax.get_ylim()
        narrow = low > 0 and high / low < 10  # within a decade: label the minor ticks too
        ax.yaxis.set_minor_formatter(plain if narrow else ticker.NullFormatter())
    if layout.xaxis.type == "log":
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    if layout.xaxis.range is not None:
        ax.set_xlim(*layout.xaxis.range)
    ticks = ax.get_xticklabels()
    if len(ticks) > 16:
        ax.set_xticks(ax.get_xticks()[:: max(1, len(ticks) // 12)])
    ax.tick_params(axis="x", labelrotation=45)
    if ax.get_legend_handles_labels()[0] and fig.layout.barmode == "stack":
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the bars
    elif ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, ncol=2, loc="best")
    ax.grid(alpha=0.3)
    plot.tight_layout()
    return plot


def write_pngs(figures: dict[str, go.Figure], folder: Path | str) -> list[Path]:
    """Write each figure as ``<key>.png`` in ``folder``.

    Parameters
    ----------
    figures : dict of str to plotly Figure
        The report's charts. [-]
    folder : path-like
        Output folder (created if needed). [-]

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    folder = ensure_folder(folder, "PNG folder")
    written = []
    for key, fig in figures.items():
        plot = _figure(fig, key)
        written.append(write_with(folder / f"{key}.png", partial(_save_png, plot)))
        plt.close(plot)
    return written
