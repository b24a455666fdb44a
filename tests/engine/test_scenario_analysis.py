"""@RISK's scenario analysis: what an outcome's tails have in common, by hand and in a run."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.core.drivers import SCENARIO_BANDS, scenario_shift, whole_sample
from strandrisk.engine.mc_drivers import scenarios_frame


def test_the_shift_by_hand():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4000, 3))
    x[:, 2] = 7.0  # a parameter that does not vary
    y = 2.0 * x[:, 0] + 0.1 * rng.normal(size=4000)  # the tail is x0's
    got = scenario_shift(x, y, 0.9, True)
    top = y >= np.quantile(y, 0.9)
    assert got.share == pytest.approx(0.1, abs=1e-3)
    assert got.median_subset == pytest.approx(np.median(x[top], axis=0))
    assert got.median_all == pytest.approx(np.median(x, axis=0))
    assert got.sd == pytest.approx(x.std(axis=0, ddof=1))
    by_hand = (np.median(x[top, 0]) - np.median(x[:, 0])) / x[:, 0].std(ddof=1)
    assert got.delta_sd[0] == pytest.approx(by_hand)
    assert got.delta_sd[0] > 1.5  # the top tenth of a normal sits about 1.75 sd up
    assert abs(got.delta_sd[1]) < 0.15  # x1 has nothing to do with y
    assert got.delta_sd[2] == 0.0  # no spread: no move
    low = scenario_shift(x, y, 0.1, False, whole_sample(x))
    assert low.delta_sd[0] == pytest.approx(-got.delta_sd[0], abs=0.1)  # symmetric
    ties = scenario_shift(x, np.maximum(y, 0.0), 0.1, False)  # half the draws at 0
    assert ties.share == pytest.approx(0.5, abs=0.02)  # the whole tie, not a tenth of it


def test_the_frame_of_a_run_and_its_significant_rows():
    sc = sr.load_scenario("base", overrides={"years": 5})
    run = sr.run_mc(sc, sr.load_uncertainty("base", sc), 400, 5, sampler="lhs")
    frame = run.scenarios
    companies = {c.name for c in sc.companies} | {"industry"}
    assert set(frame.index.get_level_values("company")) == companies
    assert set(frame.index.get_level_values("band")) == set(SCENARIO_BANDS)
    per_tail = frame.groupby(level=["company", "outcome", "band"]).size()
    assert (per_tail == len(run.samples_head.columns) - 1).all()  # every parameter, each tail
    shown = run.scenario_analysis("industry")
    assert (shown["delta_sd"].abs() > 0.5).all()
    peak = shown.xs(("stranded_peak", "above_p90"), level=["outcome", "band"])
    assert peak.index[0] == "capex.growth"  # the peak's tail is capex growth's
    assert peak["delta_sd"].iloc[0] > 1.0
    with pytest.raises(sr.InputError, match="no scenario analysis"):
        run.scenario_analysis("nvidia")


def test_the_frame_is_the_one_from_the_kept_rows_and_leaves_missing_values_out():
    samples = pd.DataFrame({"b": np.arange(50.0), "a": np.arange(50.0)[::-1]})
    rows = pd.DataFrame(
        {
            "scenario": np.tile(np.arange(50), 2),
            "company": ["x"] * 50 + ["y"] * 50,
            "stranded_peak": np.r_[np.arange(50.0), np.full(50, np.nan)],
            "npv_2026": np.r_[
                np.arange(50.0), np.where(np.arange(50) % 2, np.arange(50.0), np.nan)
            ],
        }
    )
    frame = scenarios_frame(samples, rows)
    by = frame.sort_index()  # looked up by label below
    assert ("y", "stranded_peak") not in {(c, o) for c, o, *_ in frame.index}  # no values
    top = by.loc[("x", "stranded_peak", "above_p90")]
    assert set(top.index) == {"a", "b"}
    assert top.loc["b", "delta_sd"] > 0 > top.loc["a", "delta_sd"]  # b rises with it, a falls
    odd = by.loc[("y", "npv_2026", "above_p90")]  # only the 25 draws with a value
    keep = np.arange(50) % 2 == 1
    median_all = np.median(np.arange(50.0)[keep])
    assert odd.loc["b", "median_all"] == pytest.approx(median_all)


def test_the_command_line_the_page_and_the_export(tmp_path):
    runner = CliRunner()
    args = ["mc", "--n", "300", "--set", "years=5", "--seed", "2"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    tails = out["scenario_analysis"]
    top = tails["industry.stranded_peak.above_p90"]
    assert top["share"] == pytest.approx(0.1, abs=0.01)
    assert all(abs(p["delta_sd"]) > 0.5 for p in top["parameters"].values())
    assert "scenario_analysis" in out["units"]
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "Scenario analysis (industry): the parameters whose median moves over 0.5 sd" in text
    assert "peak stranded above P90" in text
    store = tmp_path / "s.duckdb"
    page = runner.invoke(app, [*args, "--out", str(tmp_path), "--store", str(store)])
    assert page.exit_code == 0, page.output
    html = (tmp_path / "mc.html").read_text()
    assert "Scenario analysis (industry; @RISK" in html
    assert "Peak stranded value above P90" in html
    done = runner.invoke(app, ["export", "1", "--store", str(store), "--csv", str(tmp_path / "c")])
    assert done.exit_code == 0, done.output
    sheet = pd.read_csv(tmp_path / "c" / "scenarios.csv")
    assert set(sheet.columns) == {
        "company", "outcome", "band", "parameter", "median_subset", "median_all", "sd",
        "delta_sd", "share",
    }  # fmt: skip
    first = sheet[(sheet["company"] == "industry") & (sheet["outcome"] == "stranded_peak")]
    got = first[first["band"] == "above_p90"].set_index("parameter")["delta_sd"]
    for name, p in top["parameters"].items():
        assert got[name] == pytest.approx(p["delta_sd"])  # the run's own, from the stored rows
