"""Decisions compared over the same draws (``mc --compare``), against independent runs."""

import json
import shlex

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.decisions import AS_GIVEN, compare_decisions
from strandrisk.engine.montecarlo import run_mc
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.scenarios.sampling import sample_range

N = 120


def _setup():
    sc = sr.load_scenario("base", overrides={"years": 4})
    return sc, load_uncertainty("base", sc)


def test_the_scenario_as_given_is_the_monte_carlo_run_with_the_same_seed():
    sc, space = _setup()
    got = compare_decisions(sc, space, {"flat": {"capex.path": "flat"}}, N, 5, sampler="lhs")
    mc = run_mc(sc, space, N, 5, sampler="lhs")
    summary = got.summary("industry")
    q = mc.quantiles.loc[("industry", "stranded_peak")]
    assert summary.loc[AS_GIVEN, "stranded_peak_p50"] == q["p50"]
    assert summary.loc[AS_GIVEN, "stranded_peak_p95"] == mc.capex_at_risk.loc["industry", "car95"]
    npv_negative = mc.probabilities().loc["industry"].iloc[0]
    assert summary.loc[AS_GIVEN, "p_npv_negative"] == npv_negative
    assert list(summary.index) == [AS_GIVEN, "flat"]


def test_financing_decisions_move_the_debt_cover_as_the_monte_carlo_runs_say():
    """More debt: the same money outcomes, a lower DSCR and interest cover, more breaches."""
    sc, space = _setup()
    decisions = {"more debt": {"financing.debt_share": 0.5}, "no debt": {"financing.debt_share": 0}}
    got = compare_decisions(sc, space, decisions, N, 5, sampler="lhs")
    cover = got.cover("industry")
    assert list(cover.columns) == [
        "min_dscr_p50",
        "min_dscr_below",
        "min_interest_cover_p50",
        "min_interest_cover_below",
    ]
    for label, overrides in ((AS_GIVEN, {}), ("more debt", decisions["more debt"])):
        chosen = sr.load_scenario("base", overrides={"years": 4, **overrides})
        mc = run_mc(chosen, space, N, 5, sampler="lhs")  # the same draws, run on their own
        dscr = mc.debt_cover((1.2,)).loc["industry"]
        icr = mc.interest_cover((2.0,)).loc["industry"]
        assert cover.loc[label, "min_dscr_below"] == dscr["below 1.2"]
        assert cover.loc[label, "min_interest_cover_below"] == icr["below 2"]
        assert cover.loc[label, "min_dscr_p50"] == dscr["p50"]
        assert cover.loc[label, "min_interest_cover_p50"] == icr["p50"]
    more, given = cover.loc["more debt"], cover.loc[AS_GIVEN]
    assert more["min_dscr_p50"] < given["min_dscr_p50"]
    assert more["min_interest_cover_p50"] < given["min_interest_cover_p50"]
    assert more["min_dscr_below"] >= given["min_dscr_below"]
    assert np.isnan(cover.loc["no debt", "min_dscr_p50"])  # nothing to cover, nothing breached
    assert cover.loc["no debt", "min_dscr_below"] == 0.0
    assert cover.loc["no debt", "min_interest_cover_below"] == 0.0
    summary = got.summary("industry")
    assert (summary.loc["more debt"] == summary.loc[AS_GIVEN]).all()  # the money does not move
    js = got.as_json()["cover"]["industry"]["more debt"]
    assert js["min_dscr_p50"] == pytest.approx(more["min_dscr_p50"])


def test_the_loan_cover_per_decision_when_asked_for():
    """Amortising loans repay as the assets earn: a higher lowest LLCR, fewer draws below 1."""
    sc, space = _setup()
    decisions = {"amortising": {"financing.amortising": True}}
    got = compare_decisions(sc, space, decisions, N, 5, sampler="lhs", llcr=True)
    assert list(got.covers) == ["min_dscr", "min_interest_cover", "min_llcr"]
    cover = got.cover("industry")
    mc = run_mc(sc, space, N, 5, sampler="lhs", llcr=True).loan_cover((1.0,)).loc["industry"]
    assert cover.loc[AS_GIVEN, "min_llcr_below"] == mc["below 1"]
    assert cover.loc[AS_GIVEN, "min_llcr_p50"] == mc["p50"]
    assert cover.loc["amortising", "min_llcr_p50"] > cover.loc[AS_GIVEN, "min_llcr_p50"]
    assert "min_llcr_p50" not in compare_decisions(sc, space, decisions, 20, 5).cover()


def test_changes_are_paired_draw_by_draw_as_independent_runs_say():
    sc, space = _setup()
    decision = {"companies.meta.compute_life": 4.0, "financing.debt_share": 0.5}
    got = compare_decisions(sc, space, {"shorter": decision}, N, 9, sampler="mc")
    samples = sample_range(space, 0, N, 9, "mc")  # the same draws, run here independently
    alt_scenario = sr.load_scenario("base", overrides={"years": 4, **decision})
    base = sr.simulate(sc, samples, breakeven=False).outcomes
    alt = sr.simulate(alt_scenario, samples, breakeven=False).outcomes
    for company in ("meta", "industry"):
        b = base[base["company"] == company]
        a = alt[alt["company"] == company]
        change = got.change(company).loc["shorter"]
        for outcome in ("stranded_peak", "npv_2026", "impairment_ifrs"):
            d = a[outcome].to_numpy() - b[outcome].to_numpy()
            scale = max(np.abs(d).max(), 1.0)
            row = change.loc[outcome]
            assert row["mean"] == pytest.approx(d.mean(), rel=2e-4, abs=1e-4 * scale)
            assert row["share_up"] == np.mean(d > 0)
            assert row["share_down"] == np.mean(d < 0)
            assert row["p5"] <= row["p50"] <= row["p95"]
            se = d.std(ddof=1) / np.sqrt(N)
            assert row["mean_pm"] == pytest.approx(1.959964 * se, rel=1e-3, abs=1e-4 * scale)
    meta = got.change("meta").loc["shorter"]
    assert meta.loc["stranded_peak", "share_down"] > 0.5  # faster books strand less


def test_regret_is_the_distance_from_the_best_decision_in_each_draw():
    """Against the outcomes of each decision run independently on the same draws."""
    sc, space = _setup()
    decisions = {"flat": {"capex.path": "flat"}, "short": {"companies.meta.compute_life": 3.0}}
    stress = {"elastic": {"market.elasticity": (0.9, 1.0)}}
    got = compare_decisions(sc, space, decisions, N, 9, sampler="mc", stresses=stress)
    samples = sample_range(space, 0, N, 9, "mc")
    runs = {AS_GIVEN: sr.simulate(sc, samples, breakeven=False).outcomes}
    for label, overrides in decisions.items():
        chosen = sr.load_scenario("base", overrides={"years": 4, **overrides})
        runs[label] = sr.simulate(chosen, samples, breakeven=False).outcomes
    for company in ("meta", "industry"):
        regret = got.regret(company)
        assert set(regret.index.get_level_values("decision")) == {AS_GIVEN, "flat", "short"}
        for outcome, more_is_better in (("npv_2026", True), ("stranded_peak", False)):
            values = np.stack(
                [r.loc[r["company"] == company, outcome].to_numpy() for r in runs.values()]
            )
            best = values.max(axis=0) if more_is_better else values.min(axis=0)
            scale = max(np.abs(values).max(), 1.0)
            for i, label in enumerate(runs):
                exact = np.abs(best - values[i])
                row = regret.loc[(label, outcome)]
                assert row["best_in"] == np.mean(exact == 0.0)
                assert row["mean"] == pytest.approx(exact.mean(), rel=2e-4, abs=1e-9 * scale)
                assert row["max"] == pytest.approx(exact.max(), rel=2e-4, abs=1e-9 * scale)
                assert 0.0 <= row["p90"] <= row["max"] * (1 + 2e-4)
            shares = regret.xs(outcome, level="outcome")["best_in"]
            assert shares.sum() >= 1.0  # in every draw some decision is the best (ties count twice)
    only_stress = compare_decisions(sc, space, {}, 20, 9, stresses=stress)
    assert only_stress.regret("industry").empty  # a stress changes the futures, not the choice


def test_robustness_metrics_against_each_decision_run_alone():
    """McPhail et al.'s metrics from the outcomes of each decision run on the same draws;
    the metric's pick is the decision its hand value ranks first; stresses take no part."""
    from strandrisk.core.sketch import QuantileSketch
    from strandrisk.engine.decisions import HURWICZ, ROBUSTNESS

    sc, space = _setup()
    decisions = {"flat": {"capex.path": "flat"}, "short": {"companies.meta.compute_life": 3.0}}
    stress = {"elastic": {"market.elasticity": (0.9, 1.0)}}
    got = compare_decisions(sc, space, decisions, N, 9, sampler="mc", stresses=stress)
    samples = sample_range(space, 0, N, 9, "mc")
    runs = {AS_GIVEN: sr.simulate(sc, samples, breakeven=False).outcomes}
    for label, overrides in decisions.items():
        chosen = sr.load_scenario("base", overrides={"years": 4, **overrides})
        runs[label] = sr.simulate(chosen, samples, breakeven=False).outcomes
    metrics, picks = got.robustness("meta")
    assert set(metrics.index.get_level_values("decision")) == {AS_GIVEN, "flat", "short"}
    for outcome, up in ROBUSTNESS.items():
        hand = {}
        for label, r in runs.items():
            x = r.loc[r["company"] == "meta", outcome].to_numpy()
            worst, best = (x.min(), x.max()) if up else (x.max(), x.min())
            q = QuantileSketch.of(x).quantile(np.array([0.1, 0.9]))
            hand[label] = {
                "laplace": x.mean(),
                "maximin": worst,
                "maximax": best,
                "hurwicz": HURWICZ * best + (1 - HURWICZ) * worst,
                "decile": q[0] if up else q[1],
                "sd": x.std(ddof=1),
            }
            row = metrics.loc[(outcome, label)]
            scale = max(np.abs(x).max(), 1.0)
            for m, v in hand[label].items():
                assert row[m] == pytest.approx(v, rel=2e-4, abs=2e-4 * scale), (outcome, m)
        for m in ("laplace", "maximin", "hurwicz", "decile"):
            values = {d: h[m] for d, h in hand.items()}
            top = (max if up else min)(values, key=values.get)
            assert top in str(picks.loc[outcome, m]).split(" = "), (outcome, m)
    assert got.robustness("industry")[1].loc["stranded_peak", "laplace"] == "flat"
    doc = got.as_json()["robustness"]["meta"]
    assert set(doc["metrics"]) == set(ROBUSTNESS)
    assert doc["picks"]["npv_2026"]["laplace"] == picks.loc["npv_2026", "laplace"]


def test_holding_capex_growth_at_zero_is_the_flat_path():
    """An uncertain key a decision sets is held in every draw: growth 0 is the flat path."""
    sc, space = _setup()
    assert "capex.growth" in space.keys
    got = compare_decisions(
        sc, space, {"flat": {"capex.path": "flat"}, "zero": {"capex.growth": 0.0}}, N, 3
    )
    pd.testing.assert_frame_equal(
        got.change().loc["flat"], got.change().loc["zero"], check_names=False
    )
    assert got.change().loc[("flat", "stranded_peak"), "share_down"] > 0.5


def test_comparisons_do_not_depend_on_the_chunk_size_or_the_workers():
    sc, space = _setup()
    decisions = {"flat": {"capex.path": "flat"}}
    a = compare_decisions(sc, space, decisions, 50, 2, chunk_size=7)
    b = compare_decisions(sc, space, decisions, 50, 2, chunk_size=1000)
    assert a.as_json() == b.as_json()
    c = compare_decisions(sc, space, decisions, 50, 2, chunk_size=20, workers=2)  # on Dask
    assert a.as_json() == c.as_json()


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ({"h": {"years": 3}}, "years cannot change between decisions"),
        ({"c": {"companies.include": ["meta"]}}, "cannot change"),
        ({"u": {"capex.nope": 1}}, "decision 'u': unknown key 'capex.nope'"),
        ({"r": {"market.utilisation": 2.0}}, "decision 'r'"),
        ({AS_GIVEN: {"capex.path": "flat"}}, "taken by the scenario itself"),
        ({"e": {}}, "no value to change"),
        ({}, "no decision to compare"),
    ],
)
def test_impossible_decisions_are_refused(decisions, message):
    sc, space = _setup()
    with pytest.raises(sr.InputError, match=message):
        compare_decisions(sc, space, decisions, 10, 0)


def test_mc_compare_on_the_command_line(tmp_path):
    runner = CliRunner()
    args = ["mc", "--n", "40", "--set", "years=3", "--compare", "capex.path=flat"]
    r = runner.invoke(app, [*args, "--compare", "companies.meta.compute_life=4, capex.growth=0"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "Decisions over the same 40 draws" in text
    assert "Debt cover under each decision: industry" in text
    assert "capex.path=flat" in text
    two = runner.invoke(
        app, [*args, "--compare", "companies.meta.compute_life=4, capex.growth=0", "--json"]
    )
    label = "companies.meta.compute_life=4, capex.growth=0"
    assert json.loads(two.output)["decisions"][label] == {
        "companies.meta.compute_life": 4,
        "capex.growth": 0,
    }
    summary = json.loads(runner.invoke(app, [*args, "--json"]).output)
    assert set(summary["decisions"]) == {AS_GIVEN, "capex.path=flat"}
    assert summary["decisions"]["capex.path=flat"] == {"capex.path": "flat"}
    change = summary["change"]["industry"]["capex.path=flat.stranded_peak"]
    assert change["mean"] < 0
    for extra, flag in (
        (["--precision", "0.1"], "--precision"),
        (["--keep", str(tmp_path / "k.duckdb")], "--keep"),
    ):
        bad = runner.invoke(app, [*args, *extra])
        assert bad.exit_code == 2
        assert f"--compare and --stress print a comparison only; {flag}" in bad.output
    bad = runner.invoke(app, ["mc", "--n", "5", "--compare", "capex.path"])
    assert bad.exit_code == 2
    assert "expected KEY=VALUE" in bad.output
    twice = runner.invoke(app, ["mc", "--n", "5", "--compare", "capex.path=flat,capex.path=none"])
    assert twice.exit_code == 2
    assert "capex.path given twice in one decision" in twice.output


def test_mc_compare_writes_its_page_and_charts(tmp_path):
    out, png = tmp_path / "out", tmp_path / "png"
    args = ["mc", "--n", "30", "--set", "years=3", "--compare", "capex.path=flat"]
    r = CliRunner().invoke(app, [*args, "--out", str(out), "--png", str(png), "--company", "meta"])
    assert r.exit_code == 0, r.output
    page = (out / "decisions.html").read_text()
    for key in (
        "decisions_cdf_stranded_peak",
        "decisions_cdf_npv_2026",
        "decisions_change_stranded_peak",
    ):
        assert f'id="fig-{key}"' in page
        assert (png / f"{key}.png").stat().st_size > 0
    assert "What each decision changes, draw by draw" in page
    assert "Debt cover under each decision" in page
    assert "capex.path=flat: capex.path = flat" in page
    assert "Outcomes of meta" in page


def test_cumulative_distributions_of_decisions_and_changes():
    sc, space = _setup()
    got = compare_decisions(sc, space, {"flat": {"capex.path": "flat"}}, 60, 1)
    levels = got.cumulative("stranded_peak", "industry")
    assert list(levels.columns) == [AS_GIVEN, "flat"]
    assert (np.diff(levels.to_numpy(), axis=0) >= 0).all()
    change = got.cumulative("npv_2026", "meta", change=True)
    assert list(change.columns) == ["flat"]
    assert change["flat"].iloc[len(change) // 2] == pytest.approx(
        got.change("meta").loc[("flat", "npv_2026"), "p50"], rel=1e-2, abs=1e6
    )
    with pytest.raises(sr.InputError, match="compared are"):
        got.cumulative("min_dscr")
    with pytest.raises(sr.InputError, match="not in the comparison"):
        got.summary("nobody")


def test_a_stress_draws_from_its_band_and_keeps_every_other_draw():
    from strandrisk.scenarios.distributions import Distribution

    d = Distribution("triangular", low=0.0, high=0.3, mode=0.1)
    u = np.linspace(0.01, 0.99, 7)
    banded = Distribution("triangular", low=0.0, high=0.3, mode=0.1, band=(0.9, 1.0))
    np.testing.assert_array_equal(banded.ppf(u), d.ppf(0.9 + (1.0 - 0.9) * u))
    with pytest.raises(ValueError, match="band"):
        Distribution("uniform", low=0.0, high=1.0, band=(0.5, 0.5))
    _, space = _setup()
    stressed = space.stressed("capex.growth", 0.9, 1.0)
    plain = sample_range(space, 0, 300, 4, "lhs")
    drawn = sample_range(stressed, 0, 300, 4, "lhs")
    for key in space.keys:
        if key != "capex.growth":
            np.testing.assert_array_equal(drawn[key], plain[key])  # the same futures
    growth = space.distributions[space.keys.index("capex.growth")]
    assert (drawn["capex.growth"] >= growth.ppf(0.9) - 1e-12).all()
    # each draw keeps its place: the ranks within the band follow the ranks in the whole
    assert stats.spearmanr(drawn["capex.growth"], plain["capex.growth"]).statistic > 0.999


def test_stresses_compared_on_the_same_draws():
    sc, space = _setup()
    got = compare_decisions(
        sc,
        space,
        {},
        N,
        3,
        stresses={"whole": {"capex.growth": (0.0, 1.0)}, "top": {"capex.growth": (0.9, 1.0)}},
    )
    whole = got.change().loc["whole"]
    assert (whole["mean"] == 0).all()  # the whole distribution: the same draws exactly
    assert (whole["share_up"] == 0).all()
    assert (whole["share_down"] == 0).all()
    top = got.change().loc["top"]
    assert top.loc["stranded_peak", "mean"] > 0
    assert got.decisions["top"] == {"capex.growth": "P90-P100"}
    with pytest.raises(sr.InputError, match=r"capex\.path is not an uncertain parameter"):
        compare_decisions(sc, space, {}, 10, 0, stresses={"s": {"capex.path": (0.9, 1.0)}})
    with pytest.raises(sr.InputError, match="band"):
        compare_decisions(sc, space, {}, 10, 0, stresses={"s": {"capex.growth": (0.9, 0.5)}})


def test_mc_stress_on_the_command_line():
    runner = CliRunner()
    args = ["mc", "--n", "40", "--set", "years=3", "--stress", "capex.growth=P90:P100"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["decisions"]["capex.growth in P90-P100"] == {"capex.growth": "P90-P100"}
    same = runner.invoke(app, ["mc", "--n", "40", "--set", "years=3", "--stress",
                               "capex.growth=0.9:1", "--json"])  # fmt: skip
    assert json.loads(same.stdout)["change"] == summary["change"]
    for bad in ("capex.growth=P90", "capex.growth=high:low", "=0.1:0.2"):
        r = runner.invoke(app, ["mc", "--n", "5", "--stress", bad])
        assert r.exit_code == 2, bad
        assert "expected KEY=P90:P100" in " ".join(r.output.split())


def test_a_stored_comparison_reads_back_as_it_ran(tmp_path):
    """mc --compare --store: runs show, report and export give the run's own figures."""
    from openpyxl import load_workbook

    from strandrisk.store.runs import RunStore

    store = tmp_path / "s.duckdb"
    runner = CliRunner()
    args = ["mc", "--n", "60", "--seed", "4", "--set", "years=3", "--store", str(store)]
    args += ["--compare", "financing.debt_share=0.4", "--stress", "capex.growth=P90:P100"]
    args += ["--llcr"]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    ran = json.loads(first.stdout)
    run_id = ran.pop("run_id")
    assert run_id == 1
    back = RunStore(store).comparison(run_id)
    assert back.as_json() == ran  # every sketch stored whole: the same figures, bit for bit
    assert back.decisions == {
        AS_GIVEN: {},
        "financing.debt_share=0.4": {"financing.debt_share": 0.4},
        "capex.growth in P90-P100": {"capex.growth": "P90-P100"},
    }
    meta = RunStore(store).meta(run_id)
    assert (meta["kind"], meta["n_scenarios"], meta["seed"], meta["sampler"]) == (
        "compare",
        60,
        4,
        "mc",
    )
    shown = runner.invoke(app, ["runs", "show", "1", "--store", str(store)])
    assert shown.exit_code == 0, shown.output
    assert "Debt cover under each decision: industry" in shown.output
    assert "LLCR P50" in shown.output  # the loan cover's sketches are stored with the rest
    out = tmp_path / "page"
    page = runner.invoke(app, ["report", "1", "--store", str(store), "--out", str(out)])
    assert page.exit_code == 0, page.output
    html = (out / "decisions.html").read_text()
    assert "Rebuilt from run 1" in html
    assert "Debt cover under each decision" in html
    assert "Regret: how far each falls short of the best decision" in html
    book = tmp_path / "c.xlsx"
    done = runner.invoke(app, ["export", "1", "--store", str(store), "--xlsx", str(book)])
    assert done.exit_code == 0, done.output
    sheets = load_workbook(book, read_only=True).sheetnames
    assert sheets[:8] == [
        "run", "inputs", "priors", "decisions", "summary", "cover", "change", "regret"
    ]  # fmt: skip
    shown = runner.invoke(app, ["scenario", "show", "run:1", "--store", str(store)])
    assert shown.exit_code == 0, shown.output
    file = tmp_path / "run-1.toml"
    file.write_text(shown.stdout)
    line = next(x for x in shown.stdout.splitlines() if x.startswith("#   strandrisk mc"))
    command = [str(file) if w == "run-1.toml" else w for w in shlex.split(line[4:])[1:]]
    assert "--llcr" in command  # the loan cover is compared again too
    again = runner.invoke(app, [*command, "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {**ran, "run_id": None}  # the same, bit for bit
    refused = runner.invoke(app, ["runs", "compare", "1", "1", "--store", str(store)])
    assert refused.exit_code == 2
    assert "decision comparison" in refused.output
    assert runner.invoke(app, ["runs", "delete", "1", "--store", str(store)]).exit_code == 0
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        for table in ("decisions", "decision_sketches", "mc_design", "runs"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_a_failed_comparison_write_leaves_no_partial_run(tmp_path, monkeypatch):
    import duckdb

    from strandrisk.store import runs as runs_module
    from strandrisk.store.mc_runs import record_comparison
    from strandrisk.store.runs import RunStore

    sc, space = _setup()
    comparison = compare_decisions(sc, space, {"flat": {"capex.path": "flat"}}, 20, 1)
    store = RunStore(tmp_path / "s.duckdb")
    real = runs_module.json.dumps

    def broken(value):
        if value == {"capex.path": "flat"}:
            raise RuntimeError("disk full")
        return real(value)

    monkeypatch.setattr(runs_module.json, "dumps", broken)
    kw = {"scenario_name": "base", "scenario_toml": "", "parameters": 1}
    with pytest.raises(RuntimeError, match="disk full"):
        record_comparison(store, comparison, package_version="x", register_sha256="y", **kw)
    with duckdb.connect(str(store.path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_robustness_on_the_command_line_page_and_export(tmp_path):
    from strandrisk.store.export import run_tables
    from strandrisk.store.runs import RunStore

    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "60", "--set", "years=4", "--compare", "capex.path=flat"]
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "Robustness metrics: the decision each ranks first: industry" in text
    assert "mean (Laplace) D1 D1 D1" in text  # flat capex: the best mean of all three
    done = runner.invoke(app, [*args, "--out", str(tmp_path), "--store", str(store)])
    assert done.exit_code == 0, done.output
    page = (tmp_path / "decisions.html").read_text()
    assert "Robustness metrics" in page
    assert "The decision each metric ranks first" in page
    sheet = run_tables(RunStore(store).get(1))["robustness"]
    assert set(sheet["decision"]) == {AS_GIVEN, "capex.path=flat"}
    assert {"company", "outcome", "laplace", "maximin", "kurtosis"} <= set(sheet.columns)
    stressed = ["mc", "--n", "30", "--set", "years=4", "--stress", "market.elasticity=P0:P10"]
    assert "Robustness metrics" not in runner.invoke(app, stressed).stdout  # no choice made
