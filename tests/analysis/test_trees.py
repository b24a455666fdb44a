"""Extra-trees feature scores (EMA Workbench's feature scoring) on planted models and the model."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.trees import (
    PROBE,
    feature_scores,
    feature_scores_for_scenario,
    feature_scores_given,
    scores_wide,
)
from strandrisk.cli.main import app
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import UncertaintySpace, sample_range

SPACE = UncertaintySpace(
    ("a", "b", "weak", "idle"),
    (
        Distribution("uniform", low=-1.0, high=1.0),
        Distribution("uniform", low=-1.0, high=1.0),
        Distribution("uniform", low=0.0, high=1.0),
        Distribution("uniform", low=5.0, high=9.0),
    ),
    np.eye(4),
)


def _model(s):
    """``a`` and ``b`` act only together (no rank correlation with y); ``weak`` alone, less."""
    return {"y": 4.0 * s["a"] * s["b"] + 1.5 * s["weak"], "level": 2.0 * s["weak"] + s["idle"]}


def test_an_interaction_that_rank_correlations_miss_is_scored():
    got = feature_scores(_model, SPACE, 2000, seed=3)
    y = got.loc["y"]
    samples = sample_range(SPACE, 0, 2000, 3, "lhs")  # the draws the forest saw
    out = _model(samples)["y"]
    for name in ("a", "b"):  # each alone says nothing of y: its rank correlation is ~0
        rho = pd.Series(samples[name]).corr(pd.Series(out), method="spearman")
        assert abs(rho) < 0.06
    floor = y.loc[PROBE, "score"]
    assert set(y.index[:2]) == {"a", "b"}
    assert y.loc["a", "score"] > 0.2
    assert y.loc["b", "score"] > 0.2
    assert 2 * floor < y.loc["weak", "score"] < y.loc["a", "score"]  # smaller but real
    assert y.loc["idle", "score"] <= 1.5 * floor  # noise, like the dummies
    assert y["score"].drop(PROBE).sum() < 1.0  # the dummies take the rest
    assert 0.6 < y["oob_r2"].iloc[0] <= 1.0  # the forest explains much of y
    assert (y["oob_r2"] == y["oob_r2"].iloc[0]).all()
    level = got.loc["level"]
    assert list(level.index[:2]) == ["idle", "weak"]  # a sum: idle spans 4, weak 2


def test_the_same_seed_gives_the_same_scores_and_scores_are_given_on_the_mc_draws():
    got = feature_scores(_model, SPACE, 400, seed=9)
    samples = sample_range(SPACE, 0, 400, 9, "lhs")
    assert got.equals(feature_scores_given(samples, _model(samples), seed=9))
    assert got.equals(feature_scores(_model, SPACE, 400, seed=9))
    assert not got.equals(feature_scores(_model, SPACE, 400, seed=10))
    assert list(dict.fromkeys(got.index.get_level_values("outcome"))) == ["y", "level"]


def test_missing_values_constants_and_too_few_draws():
    samples = sample_range(SPACE, 0, 300, 1, "lhs")
    y = _model(samples)["y"]
    y[::3] = np.nan  # an IRR that does not exist in a third of the draws
    got = feature_scores_given(samples, {"y": y, "flat": np.full(300, 2.0)}, seed=1)
    assert set(got.index.get_level_values("outcome")) == {"y"}  # a constant has nothing to split
    with pytest.raises(sr.InputError, match="enough draws with a value, and a spread"):
        feature_scores_given(samples, {"flat": np.full(300, 2.0)})
    with pytest.raises(sr.InputError, match="at least 50 draws"):
        feature_scores(_model, SPACE, 20, seed=1)


def test_scores_wide_is_ema_workbenchs_table():
    got = feature_scores(_model, SPACE, 500, seed=2)
    wide = scores_wide(got)
    assert list(wide.columns) == ["y", "level"]
    assert wide.index[-1] == PROBE
    assert wide.loc["a", "y"] == got.loc[("y", "a"), "score"]
    best = wide.drop(index=PROBE).max(axis=1)
    assert list(best) == sorted(best, reverse=True)
    assert list(scores_wide(got, 2).index) == [*wide.index[:2], PROBE]


def test_the_model_and_its_refusals():
    sc = sr.load_scenario("base", overrides={"years": 4})
    space = sr.load_uncertainty("base", sc)
    res = feature_scores_for_scenario(sc, space, 200, 0, outcomes=("stranded_peak", "npv_2026"))
    assert len(res.loc["stranded_peak"]) == len(space.keys) + 1
    assert res.loc["stranded_peak"].index[0] in ("market.elasticity", "capex.growth")
    with pytest.raises(sr.InputError, match="numeric outcome"):
        feature_scores_for_scenario(sc, space, 200, 0, outcomes=("first_impairment_ifrs",))
    assert sr.feature_scores_for_scenario is feature_scores_for_scenario


def test_sensitivity_method_trees_on_the_command_line(tmp_path):
    runner = CliRunner()
    args = ["sensitivity", "--method", "trees", "--n", "200", "--set", "years=3"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["method"] == "trees"
    assert out["runs"] == 200
    assert {row["parameter"] for row in out["trees"]} >= {"capex.growth", PROBE}
    assert set(out["trees"][0]) == {"outcome", "parameter", "score"}
    assert set(out["fit"]) == {"stranded_peak", "npv_2026"}
    assert all(0.0 < v <= 1.0 for v in out["fit"].values())
    assert "score" in out["units"]
    assert "fit" in out["units"]
    page = runner.invoke(app, [*args, "--out", str(tmp_path), "--png", str(tmp_path)])
    assert page.exit_code == 0, page.output
    text = (tmp_path / "sensitivity.html").read_text()
    assert 'id="fig-feature_scores"' in text
    assert "out-of-bag R²" in text
    assert (tmp_path / "feature_scores.png").stat().st_size > 0
    terminal = runner.invoke(app, args)
    assert "Extra-trees feature scores (industry)" in terminal.stdout
    assert "out-of-bag R²" in terminal.stdout
    few = runner.invoke(app, ["sensitivity", "--method", "trees", "--n", "20"])
    assert few.exit_code == 2
    assert "at least 50 draws" in few.output


def test_trees_on_a_kept_runs_draws(tmp_path):
    from strandrisk.engine.montecarlo import read_kept

    runner = CliRunner()
    kept = tmp_path / "k.duckdb"
    made = runner.invoke(
        app, ["mc", "--n", "300", "--sampler", "lhs", "--set", "years=3", "--keep", str(kept)]
    )
    assert made.exit_code == 0, made.output
    base = ["sensitivity", "--method", "trees", "--from", str(kept), "--company", "meta"]
    r = runner.invoke(app, [*base, "--json", "--seed", "4"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["runs"] == 300
    assert out["from"] == str(kept)
    samples, rows = read_kept(kept, "meta")  # the same computation, by hand
    direct = feature_scores_given(
        {k: samples[k].to_numpy() for k in samples.columns},
        {o: rows[o].to_numpy() for o in ("stranded_peak", "npv_2026")},
        seed=4,
    )
    got = {(row["outcome"], row["parameter"]): row["score"] for row in out["trees"]}
    for (o, p), value in direct["score"].items():
        assert got[(o, p)] == pytest.approx(value, abs=1e-9)  # JSON keeps 10 decimals
    assert out["fit"]["npv_2026"] == pytest.approx(direct.loc[("npv_2026", PROBE), "oob_r2"])
    page = runner.invoke(app, [*base, "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert "Tornado" not in (tmp_path / "sensitivity.html").read_text()
