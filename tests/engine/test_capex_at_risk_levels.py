"""Capex-at-Risk at any confidence level (mc --level): by hand from the kept rows."""

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    path = tmp_path_factory.mktemp("car") / "k.duckdb"
    sc = sr.load_scenario("base", overrides={"years": 5})
    run = sr.run_mc(sc, sr.load_uncertainty("base", sc), 3000, 4, sampler="lhs",
                    outcomes_path=path)  # fmt: skip
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT company, stranded_peak FROM mc").df()
    return run, rows


def test_the_95_level_is_the_summarys_own(kept):
    run, _ = kept
    at = run.capex_at_risk_at(0.95)
    pd.testing.assert_series_equal(at["car"], run.capex_at_risk["car95"], check_names=False)
    pd.testing.assert_series_equal(
        at["expected_shortfall"], run.capex_at_risk["expected_shortfall"], check_names=False
    )
    bounds = run.intervals.xs("stranded_peak", level="outcome")
    np.testing.assert_array_equal(at["low"], bounds.loc[at.index, "p95_low"])
    np.testing.assert_array_equal(at["high"], bounds.loc[at.index, "p95_high"])


@pytest.mark.parametrize("level", [0.9, 0.99, 0.995])
def test_any_level_by_hand_from_the_rows(kept, level):
    run, rows = kept
    at = run.capex_at_risk_at(level)
    for company, values in rows.groupby("company")["stranded_peak"]:
        y = np.sort(values.to_numpy())
        car = at.loc[company, "car"]
        assert car == pytest.approx(np.quantile(y, level), rel=2e-3)  # the sketch's buckets
        assert at.loc[company, "expected_shortfall"] == pytest.approx(y[y >= car].mean(), rel=2e-3)
        low, high = at.loc[company, ["low", "high"]]
        assert low <= car <= high  # the 95 % sampling interval holds the estimate
    with pytest.raises(ValueError, match="a confidence level between 0 and 1"):
        run.capex_at_risk_at(1.0)


def test_mc_level_on_the_command_line(tmp_path):
    runner = CliRunner()
    args = ["mc", "--n", "400", "--set", "years=4", "--seed", "3"]
    r = runner.invoke(app, [*args, "--level", "0.995", "--level", "0.99", "--level", "0.99"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "Capex-at-Risk: 99.5th percentile of peak stranded value" in text
    assert text.count("Capex-at-Risk: 99th percentile") == 1  # asked twice, shown once
    assert text.index("99.5th percentile") < text.index("99th percentile")  # in the order given
    out = json.loads(runner.invoke(app, [*args, "--level", "0.995", "--json"]).stdout)
    industry = out["capex_at_risk_levels"]["0.995"]["industry"]
    assert set(industry) == {"car", "low", "high", "expected_shortfall"}
    assert industry["expected_shortfall"] >= industry["car"]
    assert "capex_at_risk_levels" in out["units"]
    plain = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert "capex_at_risk_levels" not in plain
    page = runner.invoke(app, [*args, "--level", "0.995", "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert "<h3>At 99.5 %</h3>" in (tmp_path / "mc.html").read_text()
    for bad, message in (
        (["--level", "1.5"], "--level 1.5: a confidence level between 0 and 1"),
        (["--level", "0.99", "--compare", "capex.path=flat"], "--level belongs to a single run"),
    ):
        refused = runner.invoke(app, [*args, *bad])
        assert refused.exit_code == 2, bad
        assert message in " ".join(refused.output.split())


def test_a_stored_run_keeps_its_levels_for_its_page_and_its_command(tmp_path):
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    r = runner.invoke(app, ["mc", "--n", "60", "--set", "years=4", "--level", "0.99",
                            "--store", str(store)])  # fmt: skip
    assert r.exit_code == 0, r.output
    page = runner.invoke(app, ["report", "1", "--store", str(store), "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert "<h3>At 99 %</h3>" in (tmp_path / "mc.html").read_text()
    shown = runner.invoke(app, ["scenario", "show", "run:1", "--store", str(store)])
    assert "--level 0.99" in shown.stdout
