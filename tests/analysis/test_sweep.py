"""Data tables: outcomes over one or two parameters' values, against single runs."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.sweep import sweep
from strandrisk.cli.main import app
from strandrisk.errors import InputError

SHORT = {"years": 4}


def _one(overrides, outcome, company="industry"):
    table = sr.simulate(
        sr.load_scenario("base", overrides={**SHORT, **overrides}), breakeven=False
    ).outcomes
    return table.set_index("company").loc[company, outcome]


def test_a_one_way_table_equals_single_runs():
    scenario = sr.load_scenario("base", overrides=SHORT)
    table = sweep(scenario, {"capex.growth": [0.0, 0.1, 0.25]}, ("stranded_peak", "npv_2026"))
    assert table.index.name == "capex.growth"
    assert list(table.columns) == ["stranded_peak", "npv_2026"]
    for g in (0.0, 0.1, 0.25):
        for o in table.columns:
            assert table.loc[g, o] == pytest.approx(_one({"capex.growth": g}, o), rel=1e-12)


def test_a_two_way_table_with_a_choice_and_a_company():
    scenario = sr.load_scenario("base", overrides=SHORT)
    table = sweep(
        scenario,
        {"capex.path": ["guided", "flat"], "companies.meta.compute_life": [4.0, 6.0]},
        ("npv_2026",),
        company="meta",
    )
    assert table.attrs["outcome"] == "npv_2026"
    assert table.shape == (2, 2)
    for path in ("guided", "flat"):
        for life in (4.0, 6.0):
            want = _one(
                {"capex.path": path, "companies.meta.compute_life": life}, "npv_2026", "meta"
            )
            assert table.loc[path, life] == pytest.approx(want, rel=1e-12)


def test_refusals():
    scenario = sr.load_scenario("base", overrides=SHORT)
    with pytest.raises(InputError, match="one or two different parameters"):
        sweep(scenario, {})
    with pytest.raises(InputError, match="not a scenario parameter"):
        sweep(scenario, {"market.nope": [1.0]})
    with pytest.raises(InputError, match="horizon and start are fixed"):
        sweep(scenario, {"years": [3, 4]})
    with pytest.raises(InputError, match="outside the allowed range"):
        sweep(scenario, {"market.elasticity": [1.0, 99.0]})
    with pytest.raises(InputError, match=r"capex\.path = 'sideways'"):
        sweep(scenario, {"capex.path": ["sideways"]})
    with pytest.raises(InputError, match="not an outcome a data table shows"):
        sweep(scenario, {"capex.growth": [0.1]}, ("stranded_peak_date",))
    with pytest.raises(InputError, match="takes numbers"):
        sweep(scenario, {"capex.growth": ["high"]})


def test_the_command(tmp_path):
    import openpyxl

    args = ["sweep", "capex.growth=0:0.2:3", "--set", "years=4"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "industry outcomes (base) as capex.growth moves" in r.stdout
    default = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert set(default["units"]) == {
        "capex.growth",
        "stranded_peak",
        "stranded_peak_to_2026",  # today's capital beside the whole book's
        "impairment_ifrs",
        "npv_2026",
    }
    r = CliRunner().invoke(app, [*args, "--json", "--outcome", "stranded_peak"])
    data = json.loads(r.stdout)
    assert [row["value"] for row in data["rows"]] == [0.0, 0.1, 0.2]
    assert data["rows"][1]["stranded_peak"] == pytest.approx(
        _one({"capex.growth": 0.1}, "stranded_peak"), rel=1e-12
    )
    assert data["units"] == {"capex.growth": "1/year", "stranded_peak": "USD"}
    two = ["sweep", "capex.growth=0,0.1", "market.elasticity=0.8,1.2", "--set", "years=4"]
    r = CliRunner().invoke(app, [*two, "--json"])
    data = json.loads(r.stdout)
    assert np.shape(data["cells"]) == (2, 2)
    assert data["outcome"] == "stranded_peak"
    path = tmp_path / "t.xlsx"
    r = CliRunner().invoke(app, [*two, "--xlsx", str(path)])
    assert r.exit_code == 0, r.output
    rows = list(openpyxl.load_workbook(path)["table"].values)
    assert rows[0] == ("capex.growth", "0.8", "1.2")
    r = CliRunner().invoke(app, ["sweep", "capex.growth"])
    assert r.exit_code == 2
    assert "expected KEY=V1,V2" in r.output
    r = CliRunner().invoke(app, ["sweep", "capex.growth=0:1:1"])
    assert r.exit_code == 2
    assert "between 2 and 1,000 values" in r.output


# --- over draws of the uncertainty (@RISK's advanced sensitivity analysis) -----------------


def test_a_table_over_draws_is_each_values_statistic_on_the_same_draws():
    """Each cell by hand: the draws of mc, the value held in every draw, the mean and the
    quantile (NumPy's linear) of the company's outcome over them."""
    from strandrisk.scenarios.sampling import sample_range

    sc = sr.load_scenario("base", overrides={"years": 5})
    space = sr.load_uncertainty("base", sc)
    values = {"capex.growth": [0.0, 0.2]}
    means = sweep(sc, values, ("stranded_peak", "npv_2026"), "meta", space, 60, 2)
    p90 = sweep(sc, values, ("stranded_peak",), "meta", space, 60, 2, "lhs", "p90")
    draws = sample_range(space, 0, 60, 2, "lhs")
    for g in values["capex.growth"]:
        out = sr.simulate(sc, {**draws, "capex.growth": np.full(60, g)}, breakeven=False)
        meta = out.outcomes[out.outcomes["company"] == "meta"]
        for o in ("stranded_peak", "npv_2026"):
            assert means.loc[g, o] == pytest.approx(meta[o].mean(), rel=1e-12)
        assert p90.loc[g, "stranded_peak"] == pytest.approx(
            np.quantile(meta["stranded_peak"], 0.9), rel=1e-12
        )
    assert means.attrs == {"statistic": "mean", "n": 60, "seed": 2, "sampler": "lhs"}
    assert means.loc[0.2, "stranded_peak"] > means.loc[0.0, "stranded_peak"]


def test_a_choice_and_two_ways_over_draws():
    sc = sr.load_scenario("base", overrides={"years": 4})
    space = sr.load_uncertainty("base", sc)
    paths = sweep(sc, {"capex.path": ["guided", "none"]}, ("stranded_peak",), space=space, n=40)
    assert paths.loc["none", "stranded_peak"] < paths.loc["guided", "stranded_peak"]
    both = sweep(
        sc,
        {"capex.growth": [0.0, 0.2], "financing.debt_share": [0.2, 0.4]},
        ("min_dscr",),
        space=space,
        n=40,
        statistic="p5",
    )
    assert both.attrs["outcome"] == "min_dscr"
    assert both.loc[0.0, 0.2] > both.loc[0.0, 0.4]  # more debt: a lower cover in the tail
    for statistic in ("p0", "p100", "median"):
        with pytest.raises(InputError, match="mean or a percentile p1 to p99"):
            sweep(sc, {"capex.growth": [0.1]}, space=space, n=10, statistic=statistic)
    with pytest.raises(InputError, match="solved scenario by scenario"):
        sweep(sc, {"capex.growth": [0.1]}, ("breakeven_demand_growth",), space=space, n=10)


def test_the_command_over_draws():
    runner = CliRunner()
    args = ["sweep", "capex.growth=0,0.2", "--n", "30", "--statistic", "p95", "--set", "years=4"]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert doc["draws"] == {"n": 30, "seed": 0, "sampler": "lhs", "statistic": "p95"}
    shown = " ".join(runner.invoke(app, args).stdout.split())
    assert "p95 of industry outcomes (base) as capex.growth moves" in shown
    assert "each value on the same 30 draws (Latin hypercube, seed 0)" in shown
