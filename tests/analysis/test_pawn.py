"""PAWN (distribution-based sensitivity) against a direct computation, and on the model."""

import itertools
import json

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.pawn import DUMMY, pawn_for_scenario, pawn_indices
from strandrisk.cli.main import app
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import UncertaintySpace, sample_range

SPACE = UncertaintySpace(
    ("strong", "weak", "idle"),
    (
        Distribution("uniform", low=0.0, high=1.0),
        Distribution("uniform", low=0.0, high=1.0),
        Distribution("uniform", low=5.0, high=9.0),
    ),
    np.eye(3),
)


def _model(s):
    return {"y": np.exp(3.0 * s["strong"]) + 4.0 * s["weak"]}  # skewed, like stranded value


def _by_hand(x, y, slides=10):
    """Median over equal-probability slices of the KS distance from the whole sample."""
    edges = np.quantile(x, np.linspace(0, 1, slides + 1))
    ks = [
        stats.ks_2samp(y[(x >= lo) & (x < hi)], y).statistic for lo, hi in itertools.pairwise(edges)
    ]
    return float(np.median(ks))


def test_indices_match_a_direct_computation_and_rank_the_inputs():
    got = pawn_indices(_model, SPACE, 1000, seed=4).loc["y"]
    samples = sample_range(SPACE, 0, 1000, 4, "lhs")  # the draws PAWN used
    y = _model(samples)["y"]
    for name in SPACE.keys:
        assert got.loc[name, "median"] == pytest.approx(_by_hand(samples[name], y), abs=1e-12)
    assert list(got.index[:2]) == ["strong", "weak"]
    floor = got.loc[DUMMY, "median"]
    assert got.loc["strong", "median"] > 0.5 > floor
    assert got.loc["weak", "median"] > floor  # small but real
    assert got.loc["idle", "median"] <= floor * 1.5  # noise, like the dummies


def test_the_model_and_its_refusals():
    sc = sr.load_scenario("base", overrides={"years": 4})
    space = sr.load_uncertainty("base", sc)
    res = pawn_for_scenario(sc, space, 200, 0, outcomes=("stranded_peak",))
    peak = res.loc["stranded_peak"]
    # over four years the market moves the peak most, then the capex path (docs/model.md §7)
    assert peak.index[0] == "market.elasticity"
    assert "capex.growth" in peak.index[:4]
    assert len(peak) == len(space.keys) + 1
    with pytest.raises(sr.InputError, match="at least 100 draws"):
        pawn_for_scenario(sc, space, 50, 0)
    with pytest.raises(sr.InputError, match="numeric outcome"):
        pawn_for_scenario(sc, space, 200, 0, outcomes=("first_impairment_ifrs",))


def test_sensitivity_method_pawn_on_the_command_line(tmp_path):
    runner = CliRunner()
    args = ["sensitivity", "--method", "pawn", "--n", "200", "--set", "years=3"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["method"] == "pawn"
    assert out["runs"] == 200
    assert {row["parameter"] for row in out["pawn"]} >= {"capex.growth", DUMMY}
    page = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert 'id="fig-pawn_stranded_peak"' in (tmp_path / "sensitivity.html").read_text()
    few = runner.invoke(app, ["sensitivity", "--method", "pawn", "--n", "20"])
    assert few.exit_code == 2
    assert "PAWN needs at least 100" in few.output


def test_pawn_on_a_kept_runs_draws(tmp_path):
    from strandrisk.analysis.pawn import pawn_given
    from strandrisk.engine.montecarlo import read_kept

    runner = CliRunner()
    kept = tmp_path / "k.duckdb"
    made = runner.invoke(
        app, ["mc", "--n", "300", "--sampler", "lhs", "--set", "years=3", "--keep", str(kept)]
    )
    assert made.exit_code == 0, made.output
    r = runner.invoke(
        app, ["sensitivity", "--method", "pawn", "--from", str(kept), "--company", "meta", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["runs"] == 300
    samples, rows = read_kept(kept, "meta")  # the same computation, by hand
    direct = pawn_given(
        {k: samples[k].to_numpy() for k in samples.columns},
        {o: rows[o].to_numpy() for o in ("stranded_peak", "npv_2026")},
    )
    got = {(row["outcome"], row["parameter"]): row["median"] for row in out["pawn"]}
    for (o, p), value in direct["median"].items():
        assert got[(o, p)] == pytest.approx(value, abs=1e-9)  # JSON keeps 10 decimals
    for args, message in (
        (["--method", "sobol"], "only --method rbd-fast, pawn or trees works on given draws"),
        (["--method", "pawn", "--n", "500"], "the draws are in the file already"),
        (["--method", "pawn", "--outcome", "nothing"], "'nothing' is not one of"),
    ):
        bad = runner.invoke(app, ["sensitivity", "--from", str(kept), *args])
        assert bad.exit_code == 2, args
        assert message in " ".join(bad.output.split())


def test_pawn_indices_are_pawn_given_on_the_mc_draws():
    from strandrisk.analysis.pawn import pawn_given

    got = pawn_indices(_model, SPACE, 400, seed=9)
    samples = sample_range(SPACE, 0, 400, 9, "lhs")
    assert got.equals(pawn_given(samples, _model(samples), seed=9))
