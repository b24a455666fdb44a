"""Every table the CLI prints fits an 80-column terminal without cutting a number short."""

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import strandrisk
from strandrisk.cli import _shared as ui
from strandrisk.cli import main

PRICES = Path(strandrisk.__file__).parent / "data/epoch-training-cost-trends/Hardware prices.csv"

COMMANDS = [
    ["run", "--no-report", "--store", "{tmp}/runs.duckdb", "--at", "2029Q4"],
    ["mc", "--n", "64", "--seed", "3", "--set", "years=4"],
    ["mc", "--n", "300", "--seed", "3", "--llcr"],  # ten years: trillions; ten LLCR years
    ["mc", "--n", "300", "--seed", "3", "--capex-years"],  # which year's capex strands
    ["mc", "--n", "64", "--compare", "capex.path=flat", "--stress", "market.elasticity=P0:P10"],
    ["mc", "--n", "64", "--compare", "financing.amortising=true", "--llcr"],  # three covers
    ["breakeven", "--n", "6", "--grid", "3"],
    ["headroom", "--company", "amazon"],
    ["trace", "oracle", "2035Q4"],  # run-off years after the horizon, $10B+ figures
    ["limit", "capex.growth", "P(npv_2026<0)<=0.3", "--n", "100", "--set", "years=4"],
    [
        "optimize",
        "companies.meta.capex_2026=50e9:250e9",
        "capex.growth=0:0.2",
        "--maximize",
        "npv_2026.mean",
        "--subject-to",
        "P(impairment_ifrs>3e11)<=0.5",
        "--company",
        "meta",
        "--n",
        "40",
        "--set",
        "years=4",
    ],
    [
        "sweep",
        "capex.growth=0:0.3:7",
        "--outcome",
        "stranded_peak",
        "--outcome",
        "npv_2026",
        "--outcome",
        "irr_2026",
        "--outcome",
        "min_dscr",
        "--outcome",
        "impairment_usgaap",
    ],
    ["sweep", "capex.growth=0:0.3:4", "market.elasticity=0.5:1.5:6"],
    ["sweep", "market.price_decline=0.5:1.5:3"],  # a long name, the default outcomes
    ["sweep", "capex.growth=0:0.2:3", "--n", "40", "--statistic", "p95", "--set", "years=4"],
    [
        "sweep",
        "technology.doubling_acceleration=0:0.1:3",
        "--outcome",
        "stranded_peak_to_2026",
        "--outcome",
        "economic_life_years",
        "--outcome",
        "booked_life_years",
        "--outcome",
        "payback_years_2026",
        "--outcome",
        "impairment_usgaap",
    ],
    ["sensitivity", "--n", "8", "--set", "years=4"],
    [  # a column per outcome
        "sensitivity",
        "--method",
        "trees",
        "--n",
        "200",
        "--set",
        "years=4",
        "--outcome",
        "stranded_peak",
        "--outcome",
        "npv_2026",
        "--outcome",
        "impairment_usgaap",
        "--outcome",
        "economic_life_years",
    ],
    ["discover", "--above", "1e12", "--n", "300"],
    ["discover", "--above", "1.5e12", "--n", "2000"],  # a box edge of 1.3e-05: nine characters
    ["discover", "--outcome", "min_dscr", "--below", "2", "--n", "2000"],  # six parameters
    ["discover", "--outcome", "npv_2026", "--below", "0", "--n", "2000", "--boxes", "3"],
    ["discover", "--above", "2e12", "--n", "2000", "--resample", "4"],  # long parameter names
    ["discover", "--above", "2e12", "--n", "2000", "--cart"],  # the leaves' rules
    ["tco"],
    [
        "fit-prior",
        str(PRICES),
        "--column",
        "Price per chip-hour (on-demand)",
        "--where",
        "Hardware model=NVIDIA H100 SXM5 80GB",
        "--key",
        "market.rental_rate",
    ],
    [
        "fit-prior",
        str(PRICES),
        "--column",
        "Price per chip-hour (on-demand)",
        "--column",
        "Price per chip-hour (1-year CUD)",
        "--where",
        "Hardware model=NVIDIA A100 SXM4 80 GB",
    ],
    ["scenario", "diff", "base", "open-source-collapse"],
    ["scenario", "diff", "base", "agentic-boom", "--outcome", "min_dscr", "--outcome", "irr_2026"],
    ["scenario", "choices", "fibre-replay"],  # trillions
    ["scenario", "choices", "--outcome", "min_dscr", "--outcome", "irr_2026", "--company", "meta"],
    ["claims"],
    ["presets"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_output_fits_80_columns_without_ellipsis(monkeypatch, tmp_path, args):
    monkeypatch.setattr(ui, "out", Console(width=80, soft_wrap=True))
    r = CliRunner().invoke(main.app, [a.format(tmp=tmp_path) for a in args])
    assert r.exit_code == 0, r.output
    cut = [line for line in r.stdout.splitlines() if "…" in line]
    assert not cut, "\n".join(cut)


def test_outcome_table_says_none_only_where_the_break_even_was_searched():
    import numpy as np

    import strandrisk as sr
    from strandrisk.cli.render import outcome_table

    frame = sr.simulate(sr.load_scenario("base"), breakeven=False).outcomes
    frame["breakeven_demand_growth"] = np.where(frame["company"] == "meta", np.nan, 0.25)
    texts = {}
    for searched in (True, False):
        console = Console(width=80, record=True)
        console.print(outcome_table(frame, searched=searched))
        texts[searched] = console.export_text()
    row = next(line for line in texts[True].splitlines() if line.startswith("break-even"))
    # a continuous rate of 0.25 a year is growth of 28 % over the year
    assert row.split()[3:] == ["+28%", "+28%", "none", "+28%", "+28%", "+28%"]
    assert "does not reach zero for any demand growth rate in [-1, 5] a year" in " ".join(
        texts[True].split()
    )
    row = next(line for line in texts[False].splitlines() if line.startswith("break-even"))
    assert row.split()[3:] == ["+28%", "+28%", "-", "+28%", "+28%", "+28%"]
    assert "does not reach zero" not in texts[False]


@pytest.mark.parametrize("width", [80, 160])
def test_prim_box_names_are_whole_where_the_table_fits(monkeypatch, width):
    monkeypatch.setattr(ui, "out", Console(width=width, soft_wrap=True))
    args = ["discover", "--outcome", "min_dscr", "--below", "2", "--n", "2000"]
    r = CliRunner().invoke(main.app, args)
    assert r.exit_code == 0, r.output
    box = r.stdout.split("coverage")[0]
    assert ("financing.spread_widening" in box) == (width > 80)  # else on two lines, at the dot
    assert "financing." in box
    assert "spread_widening" in box
    assert "…" not in box


@pytest.mark.parametrize("width", [80, 160])
def test_register_names_are_never_folded(monkeypatch, width):
    from strandrisk.assumptions.register import load_register

    monkeypatch.setattr(ui, "out", Console(width=width, soft_wrap=True))
    r = CliRunner().invoke(main.app, ["assumptions", "--search", "useful_life"])
    assert r.exit_code == 0, r.output
    names = [rec.name for rec in load_register().select(search="useful_life")]
    assert len(names) > 5
    words = {w.strip("│ ") for line in r.stdout.splitlines() for w in line.split()}
    assert set(names) <= words  # each name whole on one line, at 80 columns too
    if width < 120:
        assert "┃" not in r.stdout  # the narrow layout: no table rules


def test_runs_compare_fits_80_columns_with_values_in_their_units(monkeypatch, tmp_path):
    import re

    monkeypatch.setattr(ui, "out", Console(width=80, soft_wrap=True))
    store = str(tmp_path / "runs.duckdb")
    runner = CliRunner()
    for preset in ("base", "agentic-boom"):
        r = runner.invoke(main.app, ["run", "--no-report", "--preset", preset, "--store", store])
        assert r.exit_code == 0, r.output
    r = runner.invoke(main.app, ["runs", "compare", "1", "2", "--store", store])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in r.stdout

    def cells(outcome):
        return next(line for line in lines if line.startswith("amazon") and outcome in line)

    assert all(re.fullmatch(r"\+?-?\$[\d,]+\.\dB", c) for c in cells("npv_2026").split()[2:])
    assert all(re.fullmatch(r"\+?-?[\d.]+%", c) for c in cells("irr_2026").split()[2:])


def test_claims_on_a_narrow_terminal_print_a_block_per_claim(monkeypatch):
    monkeypatch.setattr(ui, "out", Console(width=80, soft_wrap=True))
    r = CliRunner().invoke(main.app, ["claims", "--section", "1"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "C1.02  inconsistent  stated 725 USD_B, recomputed 705" in lines
    assert max(len(line) for line in lines) <= 80
    assert "not-checkable" in r.stdout  # a verdict is never folded inside the word
    wide = Console(width=140, soft_wrap=True)
    monkeypatch.setattr(ui, "out", wide)
    r = CliRunner().invoke(main.app, ["claims", "--section", "1"])
    assert "┃ id " in r.stdout  # the table from 100 columns on
