"""The terminal's and the page's table of how many companies have been impaired at once."""

import pandas as pd
from rich.console import Console
from typer.testing import CliRunner

from strandrisk.cli.main import app
from strandrisk.cli.render_uncertainty import together_table


def test_the_table_shows_each_count_and_the_independent_benchmark():
    table = pd.DataFrame(
        {0: [0.5, 0.2], 1: [0.3, 0.3], 2: [0.2, 0.5]}, index=pd.Index([2026, 2027], name="year")
    )
    table["any"] = 1 - table[0]
    table["independent"] = [0.04, 0.25]
    console = Console(width=80, record=True)
    console.print(together_table(table, "How many companies at once (IFRS)"))
    text = console.export_text()
    assert "How many companies at once (IFRS)" in " ".join(text.split())
    lines = text.splitlines()
    rows = {ln[:20].strip(): ln[20:].split() for ln in lines if ln[:1].isalnum()}
    assert rows["none"] == ["50%", "20%"]
    assert rows["1 of 2"] == ["30%", "30%"]
    assert rows["all 2"] == ["20%", "50%"]
    assert rows["all 2 if independent"] == ["4%", "25%"]


def test_mc_prints_and_writes_how_many_companies_at_once(tmp_path):
    r = CliRunner().invoke(app, ["mc", "--n", "64", "--set", "years=4", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "How many companies at once (IFRS)" in r.stdout
    assert "all 5 if independent" in r.stdout
    assert "Covenant breaches at once" in " ".join(r.stdout.split())
    page = (tmp_path / "mc.html").read_text()
    assert "How many companies at once" in page
    assert "<h3>US GAAP</h3>" in page
    assert "Contribution to variance (industry; Crystal Ball" in page.replace("&#x27;", "'")
    assert "<h3>Covenant breaches: each company's lowest annual DSCR below each level</h3>" in (
        page.replace("&#x27;", "'")
    )


def test_the_chart_stacks_all_companies_at_the_bottom_beside_the_independent_line():
    from strandrisk.reports.figures import together_figure

    table = pd.DataFrame(
        {0: [0.5, 0.2], 1: [0.3, 0.3], 2: [0.2, 0.5]}, index=pd.Index([2026, 2027], name="year")
    )
    table["any"] = 1 - table[0]
    table["independent"] = [0.04, 0.25]
    fig = together_figure(table, "t")
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["all 2", "1 of 2", "none"]
    assert list(bars[0].y) == [0.2, 0.5]
    (line,) = [t for t in fig.data if t.type == "scatter"]
    assert line.name == "all 2 if independent"
    assert list(line.y) == [0.04, 0.25]
    assert fig.layout.barmode == "stack"


def test_mc_counts_a_covenant_asked_for_at_once():
    import json

    from strandrisk.reports.brief import covenant_label

    args = ["mc", "--n", "64", "--set", "years=4", "--below", "min_dscr=1.25"]
    r = CliRunner().invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    assert list(json.loads(r.stdout)["breaches"]) == ["1", "1.2", "1.25", "1.5"]
    text = CliRunner().invoke(app, args).stdout
    assert "< 1.0x  < 1.2x  < 1.25x  < 1.5x" in text
    assert [covenant_label(c) for c in ("below 1", "below 1.2", "below 1.25")] == [
        "< 1.0x",
        "< 1.2x",
        "< 1.25x",
    ]


def test_a_dscr_below_zero_is_a_covenant_too():
    """Negative EBITDA makes a DSCR below 0: asking for it still runs, and is counted."""
    import json

    args = ["mc", "--n", "32", "--set", "years=4", "--below", "min_dscr=0", "--json"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert list(json.loads(r.stdout)["breaches"]) == ["0", "1", "1.2", "1.5"]
