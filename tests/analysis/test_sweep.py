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
