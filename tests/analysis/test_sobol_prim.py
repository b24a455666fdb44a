"""Sobol indices on the Ishigami function; PRIM recovers a planted box; the CLI commands."""

import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from SALib.test_functions import Ishigami
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.prim import prim
from strandrisk.analysis.sobol import sobol_indices
from strandrisk.cli.main import app
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import UncertaintySpace

# analytic Ishigami indices (a = 7, b = 0.1): Sobol' & Levitan (1999)
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def test_sobol_indices_match_the_ishigami_function():
    space = UncertaintySpace(
        ("x1", "x2", "x3"), (Distribution("uniform", low=-np.pi, high=np.pi),) * 3, np.eye(3)
    )

    def evaluate(s):
        return {"y": Ishigami.evaluate(np.column_stack([s["x1"], s["x2"], s["x3"]]))}

    res = sobol_indices(evaluate, space, 2048, seed=3).loc["y"]
    for name in S1:
        assert abs(res.loc[name, "S1"] - S1[name]) <= max(res.loc[name, "S1_conf"], 0.02)
        assert abs(res.loc[name, "ST"] - ST[name]) <= max(res.loc[name, "ST_conf"], 0.02)


@pytest.mark.parametrize("seed", [0, 7])
def test_sobol_indices_and_their_intervals_reproduce_for_a_seed(seed):
    # SALib seeds its bootstrap only for a truthy seed: 0, the default, once left the
    # confidence intervals to NumPy's global state
    space = UncertaintySpace(
        ("x1", "x2", "x3"), (Distribution("uniform", low=-np.pi, high=np.pi),) * 3, np.eye(3)
    )

    def evaluate(s):
        return {"y": Ishigami.evaluate(np.column_stack([s["x1"], s["x2"], s["x3"]]))}

    first = sobol_indices(evaluate, space, 256, seed=seed)
    again = sobol_indices(evaluate, space, 256, seed=seed)
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = sobol_indices(evaluate, space, 256, seed=seed + 1)
    assert not np.array_equal(first["S1_conf"].to_numpy(), other["S1_conf"].to_numpy())


def test_morris_on_a_linear_model_and_a_product():
    """Closed forms: a linear term has one effect everywhere (mu* = |a| x range, sigma = 0);
    a product's effects vary with the other factor (sigma > 0); an idle factor has none."""
    from strandrisk.analysis.morris import morris_indices

    space = UncertaintySpace(
        ("a", "b", "c", "idle"),
        (
            Distribution("uniform", low=0.0, high=2.0),
            Distribution("uniform", low=-1.0, high=1.0),
            Distribution("uniform", low=1.0, high=3.0),
            Distribution("uniform", low=0.0, high=1.0),
        ),
        np.eye(4),
    )

    def evaluate(s):
        return {"y": 3.0 * s["a"] - 5.0 * s["b"] + s["b"] * s["c"], "flat": 0.0 * s["a"]}

    res = morris_indices(evaluate, space, 40, seed=2)
    y = res.loc["y"]
    # a moves y by 3 per unit over a range of 2 (less the grid's 1e-6 edges): mu = mu* = 6
    assert y.loc["a", "mu"] == pytest.approx(6.0, rel=1e-5)
    assert y.loc["a", "mu_star"] == pytest.approx(6.0, rel=1e-5)
    assert y.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-6)
    # b's effect is (c - 5) x 2, different at each c: negative, spread, and the largest
    assert y.loc["b", "mu"] < 0
    assert y.loc["b", "sigma"] > 0.1
    assert y.loc["idle", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert list(y.index[:2]) == ["a", "b"] or list(y.index[:2]) == ["b", "a"]
    assert (res.loc["flat", "mu_star"] == 0).all()


def test_morris_for_the_model_refuses_bad_arguments():
    from strandrisk.analysis.morris import morris_for_scenario

    sc = sr.load_scenario("base", overrides={"years": 3})
    space = sr.load_uncertainty("base", sc)
    with pytest.raises(sr.InputError, match="trajectories"):
        morris_for_scenario(sc, space, 1, 0)
    with pytest.raises(sr.InputError, match="numeric outcome"):
        morris_for_scenario(sc, space, 4, 0, outcomes=("first_impairment_ifrs",))
    with pytest.raises(sr.InputError, match="company 'nvidia'"):
        morris_for_scenario(sc, space, 4, 0, company="nvidia")


def test_sensitivity_covers_todays_capital_stranded():
    """Today's capital's peak stranded value, which the Monte Carlo's drivers show, is an
    outcome the sensitivity methods take: the model's column for the company, draw by draw."""
    from strandrisk.analysis.sobol import model_evaluator
    from strandrisk.scenarios.sampling import sample_range

    sc = sr.load_scenario("base", overrides={"years": 4})
    samples = sample_range(sr.load_uncertainty("base", sc), 0, 12, 3, "lhs")
    evaluate = model_evaluator(sc, ("stranded_peak_to_2026",), "meta")
    got = evaluate(samples)["stranded_peak_to_2026"]
    out = sr.simulate(sc, samples, breakeven=False).outcomes
    want = out[out["company"] == "meta"].sort_values("scenario")["stranded_peak_to_2026"]
    np.testing.assert_array_equal(got, want.to_numpy(dtype=float))
    assert np.ptp(got) > 0
    r = CliRunner().invoke(
        app, ["sensitivity", "--n", "8", "--set", "years=4", "--outcome", "stranded_peak_to_2026"]
    )
    assert r.exit_code == 0, r.output
    assert "Sobol indices of stranded_peak_to_2026 (industry)" in " ".join(r.stdout.split())


def test_cli_sensitivity_with_morris(tmp_path):
    runner = CliRunner()
    args = ["sensitivity", "--method", "morris", "--n", "4", "--set", "years=4"]
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "o"), "--png", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "Morris elementary effects on stranded_peak (industry)" in text
    assert "From 128 runs." in text  # 4 trajectories x (31 parameters + 1)
    assert "Spider: peak stranded value with each parameter at its percentiles (industry)" in text
    assert "outside their P10-P90, so their bars do not pass through its value:" in text
    assert "market.price_floor_ratio 0, below its P10 of 0.02 ($" in text
    lines = r.stdout.splitlines()
    head = next(i for i, x in enumerate(lines) if x.startswith("Spider:")) + 1
    assert lines[head].split() == ["parameter", "P10", "P25", "P50", "P75", "P90"]
    page = (tmp_path / "o" / "sensitivity.html").read_text()
    assert "Morris elementary effects on npv_2026" in page
    assert (tmp_path / "p" / "morris_stranded_peak.png").read_bytes()[:4] == b"\x89PNG"
    r = runner.invoke(app, [*args, "--json"])
    out = json.loads(r.stdout)
    assert out["method"] == "morris"
    assert out["runs"] == 128
    assert out["spider"]["outcome"] == "stranded_peak"
    shown = [x.split()[0] for x in lines[head + 2 : head + 12]]
    assert shown == [s["key"] for s in out["tornado"][:10]]  # in the tornado's order
    assert {"mu", "mu_star", "mu_star_conf", "sigma"} <= set(out["morris"][0])
    # the first --outcome gets the tornado and spider, in its own unit and words
    npv = runner.invoke(app, [*args, "--outcome", "npv_2026", "--json"])
    web = json.loads(npv.stdout)
    assert web["spider"]["outcome"] == "npv_2026"
    assert web["units"]["tornado outcome"] == "npv_2026 [USD]"
    from strandrisk.analysis.sensitivity import spider

    scenario = sr.load_scenario("base", overrides={"years": 4})
    direct = spider(scenario, sr.load_uncertainty("base", scenario), "npv_2026")
    first = web["spider"]["parameters"][0]
    assert first["outcomes"] == direct.outcomes.loc[first["key"]].tolist()
    text = runner.invoke(app, [*args, "--outcome", "irr_2026"]).stdout
    assert "Tornado: irr_2026 with each parameter at its P10 and P90" in " ".join(text.split())
    assert "%" in text.split("Spider:")[1].splitlines()[3]  # a rate, in per cent
    r = runner.invoke(app, ["sensitivity", "--method", "fast", "--n", "4"])
    assert r.exit_code == 2
    assert "--method: 'fast' is not one of sobol, morris" in r.stderr


def test_prim_recovers_a_planted_box():
    rng = np.random.default_rng(0)
    x = rng.random((20_000, 6))
    y = (x[:, 1] > 0.6) & (x[:, 4] < 0.3)
    y |= rng.random(len(y)) < 0.01  # noise
    res = prim(x, y, [f"p{i}" for i in range(6)])
    assert set(res.limits.index) == {"p1", "p4"}
    assert res.limits.loc["p1", "lower"] == pytest.approx(0.6, abs=0.03)
    assert res.limits.loc["p4", "upper"] == pytest.approx(0.3, abs=0.03)
    box = res.boxes[res.chosen]
    assert box.density > 0.95
    assert box.coverage > 0.8
    assert (np.diff(res.trajectory["mass"]) <= 0).all()


def test_quasi_p_values_of_a_planted_box_and_a_needless_restriction():
    """Significant where the box needs the bound; large where it does not (binomtest reference)."""
    from scipy.stats import binomtest

    from strandrisk.analysis.prim import quasi_p_values

    rng = np.random.default_rng(1)
    x = rng.random((5_000, 3))
    y = (x[:, 0] > 0.6) | (rng.random(5_000) < 0.05)
    lower = np.array([0.6, 0.0, 0.0])
    upper = np.array([1.0, 0.5, 1.0])  # x1 < 0.5 is needless: y does not depend on x1
    qp_lower, qp_upper = quasi_p_values(x, y, lower, upper)
    assert qp_lower[0] < 1e-12  # dropping x0 > 0.6 dilutes the box: it matters
    assert qp_upper[1] > 0.05  # dropping x1 <= 0.5 changes nothing beyond chance
    assert np.isnan(qp_lower[1:]).all()  # bounds at the data's end restrict nothing
    assert np.isnan(qp_upper[[0, 2]]).all()
    # the reference: EMA Workbench's one-sided binomial test on the relaxed box, spelled out
    inside = (x[:, 0] >= 0.6) & (x[:, 1] <= 0.5)
    for relaxed, got in (((x[:, 1] <= 0.5), qp_lower[0]), ((x[:, 0] >= 0.6), qp_upper[1])):
        expected = binomtest(int(y[inside].sum()), int(inside.sum()), y[relaxed].mean(), "greater")
        assert got == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_prim_reports_the_quasi_p_values_of_its_box():
    rng = np.random.default_rng(0)
    x = rng.random((20_000, 6))
    y = (x[:, 1] > 0.6) & (x[:, 4] < 0.3)
    res = prim(x, y, [f"p{i}" for i in range(6)])
    assert res.limits.loc["p1", "qp_lower"] < 1e-6
    assert res.limits.loc["p4", "qp_upper"] < 1e-6
    assert np.isnan(res.limits.loc["p1", "qp_upper"])  # p1's upper side is the data's end


def test_cli_sensitivity_discover_breakeven():
    runner = CliRunner()
    r = runner.invoke(app, ["sensitivity", "--n", "8", "--json", "--set", "years=4"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {"sobol", "tornado", "spider"} <= set(out)
    assert all(out["units"][s["key"]] for s in out["tornado"])  # each parameter's unit
    web = out["spider"]
    assert web["levels"] == [0.1, 0.25, 0.5, 0.75, 0.9]
    assert [p["key"] for p in web["parameters"]] == [s["key"] for s in out["tornado"]]
    for p, s in zip(web["parameters"], out["tornado"], strict=True):  # its ends: the tornado
        assert (p["values"][0], p["values"][-1]) == (s["p10"], s["p90"])
        assert (p["outcomes"][0], p["outcomes"][-1]) == (s["outcome_p10"], s["outcome_p90"])
        assert p["values"] == sorted(p["values"])
    floor = {row["key"]: row for row in web["outside_p10_p90"]}["market.price_floor_ratio"]
    assert (floor["own"], floor["side"]) == (0.0, "below")  # base has no floor; its prior does
    assert "outside_p10_p90" in out["units"]
    r = runner.invoke(app, ["discover", "--above", "1e12", "--n", "300", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["limits"]
    held = ["--set", "years=4", "--set", "capex.growth=0.2", "--json"]
    r4 = runner.invoke(app, ["discover", "--above", "2e11", "--n", "200", *held])
    assert r4.exit_code == 0, r4.output
    assert "capex.growth" not in {row["parameter"] for row in json.loads(r4.stdout)["limits"]}
    assert out["outcome"] == "stranded_peak"
    assert out["threshold"] == {"above": 1e12}
    assert out["units"]["stranded_peak"] == "USD"
    assert all(out["units"][row["parameter"]] for row in out["limits"])
    r = runner.invoke(app, ["breakeven", "--n", "6", "--grid", "2", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    surface = out["surface"]
    assert (surface["x"], surface["y"]) == ("market.price_decline", "market.elasticity")
    assert len(surface["index"]) == len(surface["columns"]) == 2
    assert out["units"]["market.price_decline"] == "1/year"
    assert out["units"]["market.elasticity"]


def test_outcome_units_cover_every_outcome_column():
    columns = {*sr.OUTCOME_COLUMNS, *sr.LLCR_COLUMNS} - {"company"}
    assert set(sr.OUTCOME_UNITS) == columns


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sensitivity", "--n", "10"], "power of two"),
        (
            ["sensitivity", "--n", "8", "--outcome", "stranded_peak_date"],
            "outcome 'stranded_peak_date': Sobol indices need a numeric outcome",
        ),
        (["discover"], "exactly one of --above"),
        (["discover", "--above", "nan"], "--above: nan is not a finite number"),
        (["discover", "--above", "1", "--n", "0"], "too few to discover"),
        (["discover", "--above", "1", "--outcome", "company"], "is not one of stranded_peak"),
        (["discover", "--above", "1e20", "--n", "20"], "none of the 20 scenarios qualifies"),
        (["discover", "--below", "1e20", "--n", "20"], "every one of the 20 scenarios"),
        (["discover", "--above", "1", "--peel-alpha", "0"], "--peel-alpha 0.0: must be between 0"),
        (["discover", "--above", "1", "--mass-min", "1"], "--mass-min 1.0: must be at least 0"),
        (["discover", "--above", "1", "--min-coverage", "1.5"], "--min-coverage 1.5: must be"),
        (
            ["discover", "--above", "1e12", "--n", "200", "--step", "999"],
            "--step 999: the peeling trajectory has steps 0 to ",
        ),
        (["breakeven", "--n", "0"], "--n: 0"),
        (
            ["breakeven", "--x", "capex.growth", "--set", "capex.growth=0.1", "--n", "2"],
            "not an uncertain parameter",
        ),
        (
            ["discover", "--above", "1", "--from", "kept.duckdb", "--set", "years=4"],
            "--from: the scenarios are in the file already",
        ),
        (["mc", "--seed", "-1"], "--seed"),
        (["mc", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "give one"),
        (
            ["breakeven", "--x", "market.nothing", "--n", "2", "--grid", "2"],
            "x = 'market.nothing' is not an uncertain parameter",
        ),
        (["sweep", "capex.growth=a:b:c"], "sweep 'capex.growth=a:b:c': LOW:HIGH:COUNT"),  # no emoji
        # a misspelt key gets the key it is closest to, wherever a command takes one
        (["mc", "--n", "10", "--stress", "market.price_declin=P90:P100"], "(did you mean market."),
        (
            ["limit", "market.price_declin", "P(npv_2026<0)<=0.3", "--n", "50"],
            "limit: unknown key 'market.price_declin' (did you mean market.price_decline?)",
        ),
        (
            ["headroom", "--key", "market.price_declin"],
            "headroom: unknown key 'market.price_declin' (did you mean market.price_decline?)",
        ),
        (
            ["sweep", "market.price_declin=0:1:3"],
            "sweep: unknown key 'market.price_declin' (did you mean market.price_decline?)",
        ),
        (
            ["breakeven", "--y", "market.elasticty", "--n", "2", "--grid", "2"],
            "y = 'market.elasticty' is not an uncertain parameter (did you mean market.elasticity?)",
        ),
        (  # which of the two axes
            ["breakeven", "--y", "market.nothing", "--n", "2", "--grid", "2"],
            "y = 'market.nothing' is not an uncertain parameter",
        ),
        (
            ["breakeven", "--x", "market.elasticity", "--n", "2", "--grid", "2"],
            "a surface needs two different parameters",
        ),
    ],
)
def test_cli_refusals(args, message):
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2
    assert message in r.stderr


def test_discover_from_a_file_that_is_not_a_kept_run_is_refused(tmp_path):
    runner = CliRunner()
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    store = tmp_path / "runs.duckdb"
    r = runner.invoke(app, ["run", "--no-report", "--store", str(store), "--set", "years=2"])
    assert r.exit_code == 0, r.output
    kept = tmp_path / "kept.duckdb"
    r = runner.invoke(app, ["mc", "--n", "20", "--set", "years=2", "--keep", str(kept),
                            "--store", str(store)])  # fmt: skip
    assert r.exit_code == 0, r.output
    for args, message in [
        ([str(junk)], "cannot read as a DuckDB file"),
        ([str(store)], "not the outcomes of a kept Monte Carlo run"),
        ([str(kept), "--company", "nobody"], "no outcomes for company 'nobody'; the run has"),
    ]:
        r = runner.invoke(app, ["discover", "--above", "1", "--from", *args])
        assert r.exit_code == 2, r.output
        assert message in r.stderr
        assert "Traceback" not in r.output


def test_breakeven_surface_says_none_where_npv_never_reaches_zero():
    from strandrisk.cli.render_analysis import breakeven_summary

    dist = pd.DataFrame(
        {"p50": [0.7], "share_defined": [0.5]}, index=pd.Index(["breakeven_demand_growth"])
    )
    surface = pd.DataFrame([[0.3, np.nan]], index=[0.6], columns=[0.9, 1.2])
    console = Console(width=120, record=True)
    console.print(breakeven_summary(dist, surface, "market.price_decline", "market.elasticity"))
    text = console.export_text()
    assert "0.300" in text
    assert "none" in text
    assert "demand growth rate in [-1, 5] a year" in " ".join(text.split())


def test_discover_writes_its_page_and_charts(tmp_path):
    out, png = str(tmp_path / "o"), str(tmp_path / "p")
    r = CliRunner().invoke(
        app, ["discover", "--above", "1e12", "--n", "300", "--out", out, "--png", png]
    )
    assert r.exit_code == 0, r.output
    page = (tmp_path / "o" / "discover.html").read_text()
    assert "industry stranded_peak above 1e+12 USD" in page
    assert 'id="fig-prim_tradeoff"' in page
    assert 'id="fig-prim_box"' in page
    assert 'id="fig-prim_scatter"' in page
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)  # opens offline
    for name in ("prim_tradeoff.png", "prim_box.png", "prim_scatter.png"):
        assert (tmp_path / "p" / name).read_bytes()[:4] == b"\x89PNG"


def test_sensitivity_and_breakeven_write_their_pages_and_charts(tmp_path):
    out, png = tmp_path / "o", tmp_path / "p"
    runner = CliRunner()
    for args in (
        ["sensitivity", "--n", "8", "--set", "years=4"],
        ["breakeven", "--n", "6", "--grid", "2"],
    ):
        r = runner.invoke(app, [*args, "--out", str(out), "--png", str(png), "--json"])
        assert r.exit_code == 0, r.output
        json.loads(r.stdout)  # --json output stays pure JSON; "wrote" goes nowhere
    page = (out / "sensitivity.html").read_text()
    for key in ("sobol_stranded_peak", "sobol_npv_2026", "tornado_p10_p90", "spider"):
        assert f'id="fig-{key}"' in page
        assert (png / f"{key}.png").read_bytes()[:4] == b"\x89PNG"
    assert "Tornado: peak stranded value at each parameter&#x27;s P10 and P90" in page
    assert "Spider: peak stranded value with each parameter at its percentiles" in page
    assert "P25 ($B)" in page
    assert "market.price_floor_ratio 0, below its P10 of 0.02 ($" in page  # outside P10-P90
    page = (out / "breakeven.html").read_text()
    assert 'id="fig-breakeven_surface"' in page
    assert "market.price_decline (rows) by market.elasticity (columns)" in page
    assert (png / "breakeven_surface.png").read_bytes()[:4] == b"\x89PNG"


def test_sensitivity_and_breakeven_for_one_company():
    runner = CliRunner()
    r = runner.invoke(app, ["sensitivity", "--n", "8", "--set", "years=4", "--company", "meta"])
    assert r.exit_code == 0, r.output
    assert "Sobol indices of stranded_peak (meta)" in r.stdout
    assert "P10 and P90 (meta)" in r.stdout
    r = runner.invoke(app, ["breakeven", "--n", "6", "--grid", "2", "--company", "meta", "--json"])
    assert r.exit_code == 0, r.output
    meta = json.loads(r.stdout)
    industry = json.loads(
        runner.invoke(app, ["breakeven", "--n", "6", "--grid", "2", "--json"]).stdout
    )
    assert meta["company"] == "meta"
    assert meta["distribution"] != industry["distribution"]  # a different row of the table
    for command in (["sensitivity", "--n", "8"], ["breakeven", "--n", "6"]):
        r = runner.invoke(app, [*command, "--company", "nvidia"])
        assert r.exit_code == 2
        assert "company 'nvidia': the scenario has amazon, alphabet" in r.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["mc", "--n", "10"],
        ["sensitivity", "--n", "8"],
        ["discover", "--above", "1e12", "--n", "300"],
        ["breakeven", "--n", "6"],
    ],
    ids=lambda c: c[0],
)
def test_an_unwritable_page_folder_is_refused_before_the_work(tmp_path, monkeypatch, command):
    import strandrisk.analysis.breakeven as breakeven
    import strandrisk.analysis.sobol as sobol
    import strandrisk.engine.montecarlo as montecarlo

    def no_work(*args, **kwargs):
        raise AssertionError("the model ran before the folder was checked")

    monkeypatch.setattr(montecarlo, "run_mc", no_work)  # what the commands call, at call time
    monkeypatch.setattr(sobol, "sobol_for_scenario", no_work)
    monkeypatch.setattr(breakeven, "breakeven_distribution", no_work)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for option, what in (("--out", "output folder"), ("--png", "PNG folder")):
        r = CliRunner().invoke(app, [*command, option, str(blocker / "sub")])
        assert r.exit_code == 2, r.output
        assert f"{what} {blocker / 'sub'}: cannot be created" in r.stderr


def test_quasi_p_values_that_underflow_read_as_below_any_double():
    from strandrisk.analysis.prim import quasi_p_text, quasi_p_values

    rng = np.random.default_rng(1)
    x = rng.random((20_000, 2))
    y = x[:, 0] > 0.5  # the box x0 > 0.5 holds every case and nothing else
    qp_lower, _ = quasi_p_values(x, y, np.array([0.5, 0.0]), np.array([1.0, 1.0]))
    assert qp_lower[0] == 0.0  # the binomial tail is below the smallest double
    assert quasi_p_text(qp_lower[0]) == "<1e-300"  # not a chance of zero
    assert quasi_p_text(float("nan")) == "-"
    assert quasi_p_text(0.01234) == "0.012"


def test_prim_covering_finds_a_second_region_among_the_scenarios_left():
    """Two planted regions: the first box is prim()'s (the larger), the second the other one,
    found outside the first; the noise left then makes no third (a dump box)."""
    from strandrisk.analysis.prim import prim_covering

    rng = np.random.default_rng(0)
    x = rng.random((20_000, 4))
    y = ((x[:, 0] > 0.6) & (x[:, 1] > 0.5)) | ((x[:, 0] < 0.2) & (x[:, 2] < 0.2))
    y |= rng.random(len(y)) < 0.01
    names = [f"p{i}" for i in range(4)]
    found = prim_covering(x, y, names, boxes=4)
    assert len(found) == 2
    first, second = found
    alone = prim(x, y, names)
    pd.testing.assert_frame_equal(first.result.limits, alone.limits)
    assert set(first.result.limits.index) == {"p0", "p1"}
    assert set(second.result.limits.index) == {"p0", "p2"}
    assert second.result.limits.loc["p0", "upper"] == pytest.approx(0.2, abs=0.02)
    assert second.result.limits.loc["p2", "upper"] == pytest.approx(0.2, abs=0.02)
    # counted by hand: each box's scenarios outside the boxes before it
    left = np.ones(len(y), dtype=bool)
    for b in found:
        lo, hi = (b.result.limits[k] for k in ("lower", "upper"))
        inside = left.copy()
        for name in lo.index:
            j = names.index(name)
            inside &= (x[:, j] >= lo[name]) & (x[:, j] <= hi[name])
        assert (b.searched, b.cases) == (left.sum(), (y & left).sum())
        assert b.coverage == pytest.approx((y & inside).sum() / y.sum())
        assert b.density == pytest.approx((y & inside).sum() / inside.sum())
        assert b.mass == pytest.approx(inside.sum() / len(y))
        left &= ~inside
    assert first.coverage + second.coverage > 0.9
    # the terminal says why there is no third box: the noise left is in no box worth one
    from strandrisk.cli.render_analysis import covering_summary

    console = Console(width=100, record=True)
    console.print(covering_summary(found, 4))
    text = " ".join(console.export_text().split())
    left = int(y.sum()) - sum(round(b.coverage * y.sum()) for b in found)
    assert f"Box 2, among the {second.searched:,} scenarios outside box 1" in text
    assert f"no box 3: none among the {left:,} cases left is in a box" in text
    console = Console(width=100, record=True)
    console.print(covering_summary(found, 2))  # as many as asked: no reason to give
    assert "no box" not in console.export_text()
    assert len(prim_covering(x, y, names, boxes=1)) == 1
    with pytest.raises(ValueError, match="boxes must be at least 1"):
        prim_covering(x, y, names, boxes=0)


def test_discover_finds_more_boxes_when_asked(tmp_path):
    runner = CliRunner()
    args = ["discover", "--outcome", "npv_2026", "--below", "0", "--n", "2000", "--boxes", "3"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert 2 <= len(out["boxes"]) <= 3
    first = out["boxes"][0]
    assert (first["coverage"], first["limits"]) == (out["coverage"], out["limits"])
    assert first["searched"] == out["n"]
    assert out["boxes"][1]["searched"] < out["n"]  # outside box 1
    assert sum(b["coverage"] for b in out["boxes"]) <= 1.0
    text = runner.invoke(app, [*args, "--out", str(tmp_path)]).stdout
    assert "Box 2, among the" in " ".join(text.split())
    assert "of the cases of interest" in " ".join(text.split())
    page = (tmp_path / "discover.html").read_text()
    assert "Box 2, among the" in page
    one = runner.invoke(app, [*args[:-2], "--json"])
    assert len(json.loads(one.stdout)["boxes"]) == 1  # the default: one box
    r = runner.invoke(app, [*args[:-1], "0"])
    assert r.exit_code == 2


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(200, 2_000), st.integers(1, 4), st.floats(0.02, 0.6))
def test_prim_covering_boxes_share_no_scenario_and_add_up(seed, n, boxes, rate):
    """Whatever the data: at most the boxes asked, each found among fewer scenarios than the
    one before, coverages and masses that add up to at most the whole, and the first box
    prim()'s own."""
    from strandrisk.analysis.prim import prim_covering

    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    y = (x[:, 0] + 0.3 * rng.random(n)) > 1.3 - rate
    if y.all() or not y.any():
        return
    found = prim_covering(x, y, ["a", "b", "c"], boxes)
    assert 1 <= len(found) <= boxes
    assert found[0].searched == n
    assert all(b.searched < a.searched for a, b in itertools.pairwise(found))
    for k, b in enumerate(found):  # each set aside exactly the scenarios of the boxes before
        assert b.searched == n - round(sum(a.mass for a in found[:k]) * n)
    assert sum(b.coverage for b in found) <= 1.0 + 1e-12
    assert sum(b.mass for b in found) <= 1.0 + 1e-12
    assert found[0].result.limits.equals(prim(x, y, ["a", "b", "c"]).limits)


def test_second_order_indices_match_the_ishigami_function():
    """Ishigami's only interaction is x1 with x3: S13 = ST1 - S1 = 0.2437, S12 = S23 = 0."""
    from strandrisk.analysis.sobol import sobol_pairs

    space = UncertaintySpace(
        ("x1", "x2", "x3"), (Distribution("uniform", low=-np.pi, high=np.pi),) * 3, np.eye(3)
    )

    def evaluate(s):
        return {"y": Ishigami.evaluate(np.column_stack([s["x1"], s["x2"], s["x3"]]))}

    indices, pairs = sobol_pairs(evaluate, space, 2048, seed=3)
    s2 = pairs.loc["y"]
    assert list(s2.index[:1]) == [("x1", "x3")]  # the largest first
    assert abs(s2.loc[("x1", "x3"), "S2"] - 0.2437) <= max(s2.loc[("x1", "x3"), "S2_conf"], 0.03)
    for pair in (("x1", "x2"), ("x2", "x3")):
        assert abs(s2.loc[pair, "S2"]) <= max(s2.loc[pair, "S2_conf"], 0.03)
    for name in S1:  # the first-order and total indices from the larger design as well
        assert abs(indices.loc[("y", name), "S1"] - S1[name]) <= 0.05
        assert abs(indices.loc[("y", name), "ST"] - ST[name]) <= 0.05


def test_sensitivity_second_order_on_the_command_line(tmp_path):
    runner = CliRunner()
    args = ["sensitivity", "--n", "8", "--set", "years=3", "--second-order"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    d = len(out["tornado"])  # every uncertain parameter has a swing
    assert out["runs"] == 8 * (2 * d + 2)
    pairs = [p for p in out["S2"] if p["outcome"] == "stranded_peak"]
    assert len(pairs) == d * (d - 1) // 2
    assert set(pairs[0]) == {"outcome", "parameter", "other", "S2", "S2_conf"}
    assert "S2, S2_conf" in out["units"]
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "Second-order Sobol indices of stranded_peak (industry): the pairs" in text
    page = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert "Second-order Sobol indices of npv_2026" in (tmp_path / "sensitivity.html").read_text()
    bad = runner.invoke(app, ["sensitivity", "--method", "morris", "--second-order", "--n", "4"])
    assert bad.exit_code == 2
    assert "--second-order: Saltelli's design gives the pairs' indices" in bad.output


def test_group_indices_by_hand_and_on_the_command_line():
    """y = a.one + a.two + b.one on uniforms: the a group holds 2/3 of the variance, b 1/3."""
    space = UncertaintySpace(
        ("a.one", "b.one", "a.two"), (Distribution("uniform", low=0.0, high=1.0),) * 3, np.eye(3)
    )

    def evaluate(s):
        return {"y": s["a.one"] + s["a.two"] + s["b.one"]}

    got = sobol_indices(evaluate, space, 1024, seed=2, groups=True).loc["y"]
    assert list(got.index) == ["a.* (2)", "b.* (1)"]  # the strongest first
    for label, share in (("a.* (2)", 2 / 3), ("b.* (1)", 1 / 3)):
        assert abs(got.loc[label, "S1"] - share) <= max(got.loc[label, "S1_conf"], 0.03)
        assert abs(got.loc[label, "ST"] - share) <= max(got.loc[label, "ST_conf"], 0.03)
    runner = CliRunner()
    r = runner.invoke(app, ["sensitivity", "--groups", "--n", "8", "--set", "years=3", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    labels = {row["parameter"] for row in out["sobol"]}
    assert "market.* (15)" in labels
    assert out["runs"] == 8 * (len(labels) + 2)
    bad = runner.invoke(app, ["sensitivity", "--groups", "--method", "pawn", "--n", "40"])
    assert bad.exit_code == 2
    assert "--groups: indices of the groups of parameters, with --method sobol" in bad.output


def test_morris_by_groups_by_hand_and_on_the_command_line():
    """Linear effects move a group by exactly its members' effects: a group of one keeps its
    coefficient (mu* = mu = |c| x range, sigma 0), a group of idle members has none, and a
    group of several gets a mu* between its largest member's and their sum, mu and sigma NaN."""
    from strandrisk.analysis.morris import morris_indices

    u01 = Distribution("uniform", low=0.0, high=1.0)
    space = UncertaintySpace(("a.one", "b.one", "a.two", "c.one", "c.two"), (u01,) * 5, np.eye(5))

    def evaluate(s):
        return {"y": 3.0 * s["a.one"] + 1.0 * s["a.two"] - 2.0 * s["b.one"] + 0.0 * s["c.one"]}

    got = morris_indices(evaluate, space, 40, seed=3, groups=True).loc["y"]
    assert list(got.index) == ["a.* (2)", "b.* (1)", "c.* (2)"]  # the strongest first
    assert got.loc["b.* (1)", "mu_star"] == pytest.approx(2.0, rel=1e-5)
    assert got.loc["b.* (1)", "mu"] == pytest.approx(-2.0, rel=1e-5)
    assert got.loc["b.* (1)", "sigma"] == pytest.approx(0.0, abs=1e-6)
    assert got.loc["c.* (2)", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert 3.0 * (1 - 1e-5) <= got.loc["a.* (2)", "mu_star"] <= 4.0 * (1 + 1e-5)
    assert np.isnan(got.loc["a.* (2)", ["mu", "sigma"]]).all()
    from strandrisk.reports.analysis_figures import morris_figure

    bars = morris_figure(got, "t", "-").data[0]  # no spread for a group: bars of mu*
    assert bars.type == "bar"
    assert list(bars.x) == list(got.index)
    np.testing.assert_allclose(bars.error_y.array, got["mu_star_conf"])
    runner = CliRunner()
    args = ["sensitivity", "--method", "morris", "--groups", "--n", "4", "--set", "years=3"]
    out = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    labels = {row["parameter"] for row in out["morris"]}
    assert "market.* (15)" in labels
    assert out["runs"] == 4 * (len(labels) + 1)
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "By groups: a group's parameters move together in each step" in text
