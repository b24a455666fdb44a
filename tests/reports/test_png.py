"""PNG copies draw what the Plotly figures show: grouped bars side by side, axis ranges, labels."""

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import pytest

from strandrisk.reports.png import _draw, _figure, write_pngs


def _bar_centres(ax):
    return [
        sorted(round(p.get_y() + p.get_height() / 2, 6) for p in c.patches) for c in ax.containers
    ]


@pytest.mark.parametrize(("barmode", "shared"), [("group", False), ("overlay", True)])
def test_horizontal_bars_are_grouped_or_overlaid_as_in_plotly(barmode, shared):
    fig = go.Figure()
    fig.add_bar(y=["a", "b"], x=[1.0, 2.0], orientation="h", name="ST")
    fig.add_bar(y=["a", "b"], x=[0.5, 1.5], orientation="h", name="S1")
    fig.update_layout(barmode=barmode)
    plot, ax = plt.subplots()
    _draw(fig, ax)
    first, second = _bar_centres(ax)
    assert (first == second) is shared
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    plt.close(plot)


def test_a_fixed_axis_range_and_bar_labels_reach_the_png(tmp_path):
    fig = go.Figure()
    fig.add_bar(y=["capex.growth"], x=[0.35], base=[0.65], orientation="h", text=["0.19 to 0.29"])
    fig.update_layout(title="box", xaxis_range=[0, 1])
    (path,) = write_pngs({"box": fig}, tmp_path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plot = _figure(fig, "box")
    (ax,) = plot.axes
    assert ax.get_xlim() == (0.0, 1.0)  # the whole sampled range, not autoscaled to the box
    assert [t.get_text() for t in ax.texts] == ["0.19 to 0.29"]
    (bar,) = ax.containers[0].patches
    assert np.isclose(bar.get_x(), 0.65)
    assert np.isclose(bar.get_width(), 0.35)
    plt.close(plot)


def test_a_numeric_x_axis_stays_numeric():
    fig = go.Figure()
    fig.add_scatter(x=[0.1, 0.5, 1.0], y=[0.9, 0.95, 0.6], mode="lines+markers")
    fig.add_scatter(x=[0.5], y=[0.95], mode="markers")
    plot, ax = plt.subplots()
    _draw(fig, ax)
    line, point = ax.get_lines()
    assert list(line.get_xdata()) == [0.1, 0.5, 1.0]  # positions, not category labels
    assert list(point.get_xdata()) == [0.5]
    plt.close(plot)


def test_a_heat_map_is_drawn_with_its_values_and_gaps():
    fig = go.Figure()
    fig.add_heatmap(x=["1", "2"], y=["a", "b"], z=[[0.5, float("nan")], [1.0, -0.2]])
    plot, ax = plt.subplots()
    _draw(fig, ax)
    assert sorted(t.get_text() for t in ax.texts) == ["-0.20", "0.50", "1.00", "none"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2"]
    plt.close(plot)


def test_the_fans_bands_have_their_own_shades_in_both_charts():
    import pandas as pd

    from strandrisk.reports.analysis_figures import fan_figure

    quarters = ["2026Q1", "2026Q2", "2026Q3"]
    index = pd.MultiIndex.from_product([["stranded_value"], ["industry"], quarters])
    rows = np.array([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5], [2, 3, 4, 5, 6]], dtype=float) * 1e9
    fans = pd.DataFrame(rows, index=index, columns=["p5", "p25", "p50", "p75", "p95"])
    fig = fan_figure(fans, "fan")
    bands = [t for t in fig.data if t.fill == "tonexty"]
    assert len({t.fillcolor for t in bands}) == 2  # not two swatches alike in the legend
    plot, ax = plt.subplots()
    _draw(fig, ax)
    outer, inner = ax.collections
    assert outer.get_alpha() < inner.get_alpha()  # the inner band darker, as on the page
    assert np.allclose(outer.get_facecolor()[0][:3], inner.get_facecolor()[0][:3])  # one hue
    plt.close(plot)


def test_stacked_bars_stand_on_the_ones_before():
    fig = go.Figure()
    fig.add_bar(x=["2026", "2027"], y=[0.1, 0.4], name="all")
    fig.add_bar(x=["2026", "2027"], y=[0.3, 0.2], name="some")
    fig.add_bar(x=["2026", "2027"], y=[0.6, 0.4], name="none")
    fig.update_layout(barmode="stack")
    plot, ax = plt.subplots()
    _draw(fig, ax)
    bottoms = [[round(p.get_y(), 9) for p in c.patches] for c in ax.containers]
    tops = [[round(p.get_y() + p.get_height(), 9) for p in c.patches] for c in ax.containers]
    assert bottoms == [[0.0, 0.0], [0.1, 0.4], [0.4, 0.6]]
    assert tops[-1] == [1.0, 1.0]
    plt.close(plot)


def test_a_heat_map_keeps_its_colour_scale_and_legible_labels():
    from matplotlib import colors

    fig = go.Figure()
    fig.add_heatmap(x=["1", "2"], y=["a"], z=[[0.0, 1.0]], colorscale="Viridis")
    plot, ax = plt.subplots()
    _draw(fig, ax)
    image = ax.images[0]
    assert colors.to_hex(image.cmap(0.0)) == "#440154"  # Viridis's ends, not the default map
    assert colors.to_hex(image.cmap(1.0)) == "#fde725"
    inks = {t.get_text(): t.get_color() for t in ax.texts}
    assert inks == {"0.00": "white", "1.00": "black"}  # white on dark purple, black on yellow
    plt.close(plot)
    rdylgn = go.Figure()
    rdylgn.add_heatmap(x=["1"], y=["a"], z=[[0.5]], colorscale="RdYlGn_r")  # rgb(...) stops
    plot, ax = plt.subplots()
    _draw(rdylgn, ax)
    low, high = (colors.to_hex(ax.images[0].cmap(v)) for v in (0.0, 1.0))
    assert (low, high) == ("#006837", "#a50026")  # reversed: green low, red high, as before
    plt.close(plot)


def test_a_stacked_charts_legend_stands_beside_the_bars():
    fig = go.Figure()
    for name, y in (("all", [0.9]), ("none", [0.1])):
        fig.add_bar(x=["2026"], y=y, name=name)
    fig.update_layout(barmode="stack")
    plot = _figure(fig, "stacked")
    legend = plot.axes[0].get_legend()
    assert legend._loc == 2  # "upper left" of the anchor: the axes' top right corner
    anchor = legend.get_bbox_to_anchor().transformed(plot.axes[0].transAxes.inverted())
    assert anchor.x0 == pytest.approx(1.0)
    plt.close(plot)
