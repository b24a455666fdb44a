"""The terminal's spread-and-shape table of a Monte Carlo run, for the company asked."""

import pandas as pd
from rich.console import Console
from typer.testing import CliRunner

from strandrisk.cli.main import app
from strandrisk.cli.render_uncertainty import shape_table
from strandrisk.units import signed_text


def test_the_table_shows_each_outcomes_moments():
    index = pd.MultiIndex.from_tuples(
        [("meta", "npv_2026"), ("meta", "stranded_peak"), ("industry", "npv_2026")],
        names=["company", "outcome"],
    )
    moments = pd.DataFrame(
        {
            "mean": [1e9, 2e11, 5e9],
            "std": [3e10, 9e10, 1e11],
            "mean_se": [1e8, 1e9, 1e9],
            "skewness": [-0.004, 1.234, float("nan")],
            "excess_kurtosis": [0.5, -1.2, float("nan")],
            "min": [-8e10, 0.0, -3e11],
            "max": [9e10, 4.1e11, 6e11],
        },
        index=index,
    )
    console = Console(width=80, record=True)
    console.print(*shape_table(moments, "meta"))
    text = console.export_text()
    assert "Spread and shape of each outcome, meta" in text
    npv = next(line for line in text.splitlines() if line.startswith("npv_2026"))
    assert npv.split() == ["npv_2026", "$30B", signed_text(-0.004), "+0.50", "-$80B", "$90B"]
    peak = next(line for line in text.splitlines() if line.startswith("stranded_peak"))
    assert peak.split()[2:4] == ["+1.23", "-1.20"]
    console = Console(width=80, record=True)
    console.print(*shape_table(moments, "industry"))
    row = next(ln for ln in console.export_text().splitlines() if ln.startswith("npv_2026"))
    assert row.split()[2:4] == ["-", "-"]  # undefined shape (one bucket) shown as a dash
    assert shape_table(moments, "oracle") == []


def test_mc_prints_the_shape_of_the_company_asked():
    r = CliRunner().invoke(app, ["mc", "--n", "64", "--set", "years=4", "--company", "meta"])
    assert r.exit_code == 0, r.output
    assert "Spread and shape of each outcome, meta" in r.stdout
