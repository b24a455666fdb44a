"""How often every company is impaired at once, per decision: mc's own count, and by hand."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.decisions import AS_GIVEN, compare_decisions
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.scenarios.sampling import sample_range


def test_the_scenario_as_given_is_mcs_own_count_and_a_decision_by_hand():
    sc = sr.load_scenario("base", overrides={"years": 5})
    space = load_uncertainty("base", sc)
    got = compare_decisions(sc, space, {"flat": {"capex.path": "flat"}}, 200, 4, sampler="lhs")
    together = got.at_once()
    assert list(together.columns) == [2026, 2027, 2028, 2029, 2030]
    mc = sr.run_mc(sc, space, 200, 4, sampler="lhs")
    np.testing.assert_allclose(together.loc[AS_GIVEN].to_numpy(), mc.at_once("ifrs")[5].to_numpy())
    chosen = sr.load_scenario("base", overrides={"years": 5, "capex.path": "flat"})
    rows = sr.simulate(chosen, sample_range(space, 0, 200, 4, "lhs"), breakeven=False).outcomes
    rows = rows[rows["company"] != "industry"]
    year = pd.to_numeric(rows["first_impairment_ifrs"].str.slice(0, 4), errors="coerce")
    for y in together.columns:
        hit = (year <= y).groupby(rows["scenario"]).sum()
        assert together.loc["flat", y] == pytest.approx((hit == 5).mean(), abs=1e-12)
    assert (np.diff(together.to_numpy(), axis=1) >= 0).all()  # only accumulates


def test_the_command_line_the_page_the_store_and_its_check(tmp_path):
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "60", "--set", "years=4", "--compare", "capex.path=flat"]
    out = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert set(out["at_once"]["industry"]) == {AS_GIVEN, "capex.path=flat"}
    assert set(out["at_once"]["industry"][AS_GIVEN]) == {"2026", "2027", "2028", "2029"}
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "All 5 companies impaired at once (IFRS) by the end of the year" in text
    done = runner.invoke(app, [*args, "--store", str(store), "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "All 5 companies impaired at once (IFRS)" in (tmp_path / "decisions.html").read_text()
    check = runner.invoke(app, ["runs", "check", "1", "--store", str(store)])
    assert "The same: all" in check.stdout
    from strandrisk.store.export import run_tables
    from strandrisk.store.runs import RunStore

    sheet = run_tables(RunStore(store).get(1))["at_once"].set_index("decision")
    stored = RunStore(store).comparison(1).at_once()
    assert sheet.loc[AS_GIVEN, 2026] == stored.loc[AS_GIVEN, 2026]
