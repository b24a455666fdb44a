"""Optimisation under uncertainty: the search against closed forms, the model, the command."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine import optimize as opt
from strandrisk.engine.limit_rules import parse_limit, parse_statistic
from strandrisk.errors import InputError
from strandrisk.scenarios.sampling import sample_range

X, Y = "capex.growth", "financing.debt_share"
RANGES = {X: (0.0, 0.3), Y: (0.0, 0.8)}


def _analytic(monkeypatch, objective, limit=None):
    """Replace the model by closed forms of the two decisions (u = x / 0.3, v = y / 0.8)."""

    def run_points(scenario, samples, keys, points, n, rules, company, where="limit"):
        cols = {k: points[:, j] for j, k in enumerate(keys)}
        u, v = cols.get(X, 0.1) / 0.3, cols.get(Y, 0.4) / 0.8
        stats = np.column_stack(
            [np.broadcast_to(f(u, v), (len(points),)) for f in (objective, limit) if f]
        )
        return stats, np.stack([stats, stats], axis=-1)

    monkeypatch.setattr(opt, "run_points", run_points)


def _bowl(u, v):
    return -((u - 1 / 3) ** 2) - (v - 0.625) ** 2  # its peak at x = 0.1, y = 0.5


def test_an_unconstrained_peak_is_found_within_the_resolution(monkeypatch):
    _analytic(monkeypatch, _bowl)
    sc = sr.load_scenario("base")
    got = opt.optimize(sc, None, RANGES, "npv_2026.mean", maximize=True)
    assert got.status == "optimum"
    res = got.resolution
    assert res == pytest.approx((0.3 / 8 / 32, 0.8 / 8 / 32))
    assert abs(got.values[X] - 0.1) <= res[0]
    assert abs(got.values[Y] - 0.5) <= res[1]
    assert got.binding == ()
    assert got.edges() == {}
    assert len(got.trials) == 81 + 1 + sum(  # the grid, the own point, the rounds' new points
        (got.trials["round"] == r).sum() for r in range(1, opt.ROUNDS + 1)
    )


def test_a_binding_limit_puts_the_optimum_on_its_boundary(monkeypatch):
    """Max the bowl subject to u + v <= 0.7: the projection of the peak on the line."""
    _analytic(monkeypatch, _bowl, lambda u, v: u + v)
    sc = sr.load_scenario("base")
    got = opt.optimize(
        sc, None, RANGES, "npv_2026.mean", True, ["npv_2026.mean<=0.7"], company="meta"
    )
    excess = (1 / 3 + 0.625 - 0.7) / 2  # the closed form: move each coordinate back equally
    u, v = 1 / 3 - excess, 0.625 - excess
    x, y = got.values[X], got.values[Y]
    assert x / 0.3 + y / 0.8 <= 0.7  # feasible
    assert (x, y) == pytest.approx((0.3 * u, 0.8 * v), abs=4 * max(got.resolution))
    best = _bowl(x / 0.3, y / 0.8)
    assert best == pytest.approx(_bowl(u, v), abs=1e-3)
    assert got.binding == ("npv_2026.mean <= 0.7",)
    feasible = got.trials[got.trials["feasible"]]
    assert best >= feasible["objective"].max() - 1e-15  # the best point tried that meets it


def test_a_decision_that_does_not_move_the_statistic_is_flat(monkeypatch):
    """The bowl in x alone: y is a flat direction, said so rather than called optimal."""
    _analytic(monkeypatch, lambda u, v: -((u - 1 / 3) ** 2) + 0.0 * v)
    got = opt.optimize(sr.load_scenario("base"), None, RANGES, "npv_2026.mean")
    assert got.flat == (Y,)
    assert abs(got.values[X] - 0.1) <= got.resolution[0]
    text = got.text(lambda v, unit: f"{v:g}")
    assert f"{Y} does not move npv_2026.mean there" in text
    assert "at the low end" not in text  # y's first value found is not an end to report
    assert got.as_json()["flat"] == [Y]
    _analytic(monkeypatch, _bowl)
    assert opt.optimize(sr.load_scenario("base"), None, RANGES, "npv_2026.mean").flat == ()


def test_minimising_to_a_range_end_and_nothing_feasible(monkeypatch):
    _analytic(monkeypatch, lambda u, v: u + 0.0 * v)  # least at x's low end
    sc = sr.load_scenario("base")
    got = opt.optimize(sc, None, {X: (0.05, 0.3)}, "stranded_peak.p95", maximize=False)
    assert got.values == {X: 0.05}
    assert got.edges() == {X: "low"}
    _analytic(monkeypatch, _bowl, lambda u, v: u + v)
    none = opt.optimize(sc, None, RANGES, "npv_2026.mean", True, ["npv_2026.mean<=-1"])
    assert none.status == "infeasible"
    assert none.best is None
    assert none.values == {}
    assert "No point tried meets every limit" in none.text(lambda v, unit: f"{v:g}")
    assert none.as_json()["optimum"] is None


def test_the_model_optimum_is_what_the_draws_give_there():
    """Meta's 2026 capex for the largest mean NPV while P(IFRS impairment > $300B) <= 0.5:
    the optimum's statistics recomputed from its own simulate call on the same draws."""
    sc = sr.load_scenario("base")
    space = sr.load_uncertainty("base", sc)
    key = "companies.meta.capex_2026"
    limit = "P(impairment_ifrs>3e11)<=0.5"
    got = opt.optimize(
        sc, space, {key: (50e9, 250e9)}, "npv_2026.mean", True, [limit], n=200, seed=3,
        company="meta",
    )  # fmt: skip
    assert got.status == "optimum"
    draws = sample_range(space, 0, 200, 3, "lhs")

    def at(value):
        out = sr.simulate(sc, {**draws, key: np.full(200, value)}, breakeven=False).outcomes
        return out[out["company"] == "meta"]

    meta = at(got.values[key])
    stats = got.at(got.best)["statistic"]
    assert stats.iloc[0] == pytest.approx(meta["npv_2026"].mean(), rel=1e-12)
    share = float((meta["impairment_ifrs"] > 3e11).mean())
    assert stats.iloc[1] == pytest.approx(share, abs=1e-12)
    assert share <= 0.5
    assert got.binding == ("P(impairment_ifrs > 3e+11) <= 0.5",)  # a larger capex breaches it
    above = at(got.values[key] + got.resolution[0])  # a step more: better, but breached
    assert above["npv_2026"].mean() > meta["npv_2026"].mean()
    assert float((above["impairment_ifrs"] > 3e11).mean()) > 0.5
    own = got.trials.iloc[got.own]
    assert own[key] == sc.flat()[key]
    again = opt.optimize(
        sc, space, {key: (50e9, 250e9)}, "npv_2026.mean", True, [limit], n=200, seed=3,
        company="meta",
    )  # fmt: skip
    pd.testing.assert_frame_equal(again.trials, got.trials)  # the seed reproduces it


@pytest.mark.parametrize(
    ("decisions", "objective", "limits", "message"),
    [
        ({}, "npv_2026.mean", [], "0 decisions; one or two"),
        ({X: None, Y: None, "market.elasticity": None}, "npv_2026.mean", [], "3 decisions"),
        ({X: (0.3, 0.1)}, "npv_2026.mean", [], "two values with low < high"),
        ([X, X], "npv_2026.mean", [], "capex.growth is named twice"),
        ({"capex.path": None}, "npv_2026.mean", [], "not a numeric scenario parameter"),
        ({X: None}, "npv_2026.p0", [], "a percentile between p1 and p99"),
        ({X: None}, "npv.mean", [], "'npv' is not an outcome"),
        ({X: None}, "npv_2026.mean>=0", [], "write OUTCOME.pNN"),
        ({X: None}, "npv_2026.mean", ["npv_2026.mean"], "write OUTCOME.pNN<=VALUE"),
    ],
)
def test_refusals(decisions, objective, limits, message):
    with pytest.raises(InputError, match=message):
        opt.optimize(sr.load_scenario("base"), None, decisions, objective, True, limits)


def test_parse_statistic():
    assert parse_statistic("npv_2026.mean").name == "npv_2026.mean"
    chance = parse_statistic("P(min_dscr<1.2)")
    assert (chance.statistic, chance.threshold, chance.name) == ("below", 1.2, "P(min_dscr < 1.2)")
    assert math.isnan(chance.bound)
    assert parse_limit("P(min_dscr<1.2)<=0.05").text == "P(min_dscr < 1.2) <= 0.05"


def test_the_command_its_page_workbook_and_json(tmp_path):
    runner = CliRunner()
    args = ["optimize", "companies.meta.capex_2026=50e9:250e9", "capex.growth=0:0.2"]
    args += ["--maximize", "npv_2026.mean", "--subject-to", "P(impairment_ifrs>3e11)<=0.5"]
    args += ["--company", "meta", "--n", "60", "--set", "years=5"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["status"] == "optimum"
    assert doc["sense"] == "maximize"
    assert set(doc["optimum"]["values"]) == {"companies.meta.capex_2026", "capex.growth"}
    assert doc["optimum"]["limits"][0]["met"] is True
    assert doc["points_tried"] >= 81
    assert doc["units"]["npv_2026.mean"] == "USD"
    shown = " ".join(runner.invoke(app, args).stdout.split())
    assert "Maximise npv_2026.mean (meta): 60 draws a point" in shown
    assert "scenario's own optimum" in shown
    assert "The optimum: companies.meta.capex_2026 = $" in shown
    done = runner.invoke(app, [*args, "--out", str(tmp_path), "--xlsx", str(tmp_path / "o.xlsx")])
    assert done.exit_code == 0, done.output
    page = (tmp_path / "optimize.html").read_text()
    assert "Maximise npv_2026.mean" in page
    assert "Every point tried" in page
    sheets = pd.read_excel(tmp_path / "o.xlsx", sheet_name=None)
    assert {"summary", "optimum", "trials"} <= set(sheets)
    units = sheets["units"].set_index("column")["unit"].to_dict()
    assert units["companies.meta.capex_2026"] == "USD"
    assert units["objective"] == "USD"
    assert units["limit_1"] == "fraction"
    assert len(sheets["trials"]) == doc["points_tried"] + 1  # and the scenario's own


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "give one of --maximize STATISTIC or --minimize STATISTIC"),
        (["--maximize", "npv_2026.mean", "--minimize", "stranded_peak.p95"], "give one of"),
        (["--maximize", "npv_2026.mean", "--subject-to", "P(x<1)<=0.1"], "'x' is not an outcome"),
        (["--maximize", "npv_2026"], "objective 'npv_2026': write OUTCOME.pNN"),
    ],
)
def test_command_refusals(extra, message):
    r = CliRunner().invoke(app, ["optimize", "capex.growth", *extra])
    assert r.exit_code == 2
    assert message in r.stderr


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        (["capex.growth=0:x"], "'capex.growth=0:x': KEY=LOW:HIGH, two numbers"),
        (["capex.growth=0.1"], "KEY=LOW:HIGH, two numbers"),
        (["capex.growth", "capex.growth"], "capex.growth is named twice"),
    ],
)
def test_command_decision_refusals(decisions, message):
    r = CliRunner().invoke(app, ["optimize", *decisions, "--maximize", "npv_2026.mean"])
    assert r.exit_code == 2
    assert message in r.stderr


def test_the_scenario_as_given_is_optimised_without_draws():
    """--deterministic: one run a point, the statistic the outcome itself (Excel's Solver)."""
    args = ["optimize", "companies.meta.capex_2026=50e9:250e9", "--maximize", "npv_2026.mean"]
    args += ["--deterministic", "--company", "meta", "--set", "years=5"]
    runner = CliRunner()
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert (doc["drawn"], doc["n"], doc["sampler"]) == (False, 1, None)
    sc = sr.load_scenario("base", overrides={"years": 5})
    value = doc["optimum"]["values"]["companies.meta.capex_2026"]
    out = sr.simulate(sc, {"companies.meta.capex_2026": np.array([value])}, breakeven=False)
    meta = out.outcomes[out.outcomes["company"] == "meta"]
    assert doc["optimum"]["objective"] == pytest.approx(float(meta["npv_2026"].iloc[0]), rel=1e-12)
    shown = " ".join(runner.invoke(app, args).stdout.split())
    assert "the scenario as given, no draws" in shown
    assert "The scenario as given: a quantile or mean is the outcome itself" in shown
    assert "($50B to $250B)" in shown


def test_the_search_again_on_other_draws():
    """--resample K: each row the optimum of its own seed's search, as a search on that seed."""
    sc = sr.load_scenario("base", overrides={"years": 5})
    space = sr.load_uncertainty("base", sc)
    key = "companies.meta.capex_2026"
    args = (sc, space, {key: (50e9, 250e9)}, "npv_2026.mean", True, [], 80, 4, "lhs", "meta")
    found = opt.optimize(*args)
    again = opt.resampled_optima(found, sc, space, 2)
    assert list(again.index) == [5, 6]
    for seed in (5, 6):
        alone = opt.optimize(*args[:7], seed, "lhs", "meta")
        assert again.loc[seed, key] == alone.values[key]
        assert again.loc[seed, "objective"] == alone.trials.iloc[alone.best]["objective"]
    with pytest.raises(InputError, match="times"):
        opt.resampled_optima(found, sc, space, 0)


def test_the_command_resamples(tmp_path):
    runner = CliRunner()
    args = ["optimize", "companies.meta.capex_2026=50e9:250e9", "--maximize", "npv_2026.mean"]
    args += ["--company", "meta", "--n", "40", "--set", "years=4", "--resample", "2"]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert [row["seed"] for row in doc["resampled"]] == [1, 2]
    shown = " ".join(runner.invoke(app, args).stdout.split())
    assert "The same search on 2 other sets of 40 draws" in shown
    assert "The optimum over these draws: companies.meta.capex_2026 $" in shown
    done = runner.invoke(app, [*args, "--xlsx", str(tmp_path / "o.xlsx"), "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert len(pd.read_excel(tmp_path / "o.xlsx", sheet_name="resampled")) == 2
    assert "The same search on 2 other sets of 40 draws" in (tmp_path / "optimize.html").read_text()
    r = runner.invoke(app, [*args, "--deterministic"])
    assert r.exit_code == 2
    assert "--resample: the scenario as given has no draws to resample" in r.stderr
