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


@pytest.mark.parametrize("event", ["ifrs", "usgaap"])
def test_the_scenario_as_given_is_mcs_own_count_and_a_decision_by_hand(event):
    sc = sr.load_scenario("base", overrides={"years": 5})
    space = load_uncertainty("base", sc)
    got = compare_decisions(sc, space, {"flat": {"capex.path": "flat"}}, 200, 4, sampler="lhs")
    together = got.at_once(event)
    assert list(together.columns) == [2026, 2027, 2028, 2029, 2030]
    mc = sr.run_mc(sc, space, 200, 4, sampler="lhs")
    np.testing.assert_allclose(together.loc[AS_GIVEN].to_numpy(), mc.at_once(event)[5].to_numpy())
    chosen = sr.load_scenario("base", overrides={"years": 5, "capex.path": "flat"})
    rows = sr.simulate(chosen, sample_range(space, 0, 200, 4, "lhs"), breakeven=False).outcomes
    rows = rows[rows["company"] != "industry"]
    year = pd.to_numeric(rows[f"first_impairment_{event}"].str.slice(0, 4), errors="coerce")
    for y in together.columns:
        hit = (year <= y).groupby(rows["scenario"]).sum()
        assert together.loc["flat", y] == pytest.approx((hit == 5).mean(), abs=1e-12)
    assert (np.diff(together.to_numpy(), axis=1) >= 0).all()  # only accumulates
    both = got.at_once_by_standard()  # the terminal's, page's and export's table
    name = {"ifrs": "IFRS", "usgaap": "US GAAP"}[event]
    assert list(both.index) == [(d, s) for d in (AS_GIVEN, "flat") for s in ("IFRS", "US GAAP")]
    pd.testing.assert_frame_equal(
        both.xs(name, level="standard"), together, check_names=False, check_index_type=False
    )


def test_the_command_line_the_page_the_store_and_its_check(tmp_path):
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "60", "--set", "years=4", "--compare", "capex.path=flat"]
    out = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert set(out["at_once"]) == {"ifrs", "usgaap"}
    for event in ("ifrs", "usgaap"):
        assert set(out["at_once"][event]) == {AS_GIVEN, "capex.path=flat"}
        assert set(out["at_once"][event][AS_GIVEN]) == {"2026", "2027", "2028", "2029"}
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "All 5 companies impaired at once by the end of the year" in text
    assert "decision standard 2026 2027 2028 2029" in text
    assert "US GAAP" in text
    done = runner.invoke(app, [*args, "--store", str(store), "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    page = (tmp_path / "decisions.html").read_text()
    assert "All 5 companies impaired at once by the end of the year" in page
    assert '<td class="text">capex.path=flat: US GAAP</td>' in page
    check = runner.invoke(app, ["runs", "check", "1", "--store", str(store)])
    assert "The same: all" in check.stdout
    from strandrisk.store.export import run_tables
    from strandrisk.store.runs import RunStore

    sheet = run_tables(RunStore(store).get(1))["at_once"].set_index(["decision", "standard"])
    stored = RunStore(store).comparison(1)
    for event, name in (("ifrs", "IFRS"), ("usgaap", "US GAAP")):
        assert sheet.loc[(AS_GIVEN, name), 2026] == stored.at_once(event).loc[AS_GIVEN, 2026]
    printed = [
        [out["at_once"]["usgaap"][d][str(y)] for y in range(2026, 2030)]
        for d in (AS_GIVEN, "capex.path=flat")
    ]
    np.testing.assert_allclose(stored.at_once("usgaap").to_numpy(), printed, rtol=1e-12)
