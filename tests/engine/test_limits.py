"""Risk limits: parsing, the statistics, and the solve for the value where a limit binds."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.decisions import compare_decisions
from strandrisk.engine.limits import Limit, parse_limit, solve_limit
from strandrisk.errors import InputError
from strandrisk.scenarios.sampling import sample_range

SHORT = {"years": 4}


@pytest.fixture(scope="module")
def base():
    scenario = sr.load_scenario("base", overrides=SHORT)
    return scenario, sr.load_uncertainty("base", scenario)


def test_limits_are_read_as_written():
    q = parse_limit("stranded_peak.p95<=1e12")
    assert (q.outcome, q.statistic, q.bound, q.at_most) == ("stranded_peak", "p95", 1e12, True)
    assert q.unit == "USD"
    m = parse_limit(" npv_2026.mean >= -5e9 ")
    assert (m.statistic, m.bound, m.at_most) == ("mean", -5e9, False)
    s = parse_limit("P(min_dscr<1.2)<=0.05")
    assert (s.outcome, s.statistic, s.threshold, s.bound) == ("min_dscr", "below", 1.2, 0.05)
    assert s.unit == "fraction"
    assert s.text == "P(min_dscr < 1.2) <= 0.05"
    assert parse_limit("P(npv_2026>0)>=0.5").statistic == "above"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stranded_peak<1e12", "write OUTCOME.pNN<=VALUE"),
        ("stranded_peak_date.p50<=3", "not an outcome a limit can be set on"),
        ("stranded_peak.p0<=1", "between p1 and p99"),
        ("P(npv_2026<0)<=1.5", "a share between 0 and 1"),
    ],
)
def test_bad_limits_are_refused(text, message):
    with pytest.raises(InputError, match=message):
        parse_limit(text)


def test_statistics_against_numpy():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(3, 101)) * 1e9
    for p in (5, 50, 95):
        got = Limit("stranded_peak", f"p{p}", np.nan, 0.0, True).evaluate(v)
        np.testing.assert_allclose(got, np.quantile(v, p / 100, axis=1), rtol=1e-14)
    mean = Limit("npv_2026", "mean", np.nan, 0.0, True).evaluate(v)
    np.testing.assert_allclose(mean, v.mean(axis=1), rtol=1e-14)
    below = Limit("npv_2026", "below", 0.0, 0.5, True).evaluate(v)
    np.testing.assert_array_equal(below, (v < 0).mean(axis=1))
    # undefined values: left out of a quantile, never past a share's threshold
    dscr = np.array([[np.nan, 1.0, 2.0, np.nan]])
    assert Limit("min_dscr", "p50", np.nan, 0, True).evaluate(dscr)[0] == 1.5
    assert Limit("min_dscr", "below", 1.2, 0, True).evaluate(dscr)[0] == 0.25
    inf = np.array([[1.0, np.inf, np.inf]])
    assert Limit("min_dscr", "p90", np.nan, 0, True).evaluate(inf)[0] == np.inf


def test_sampling_intervals_of_the_statistics():
    from strandrisk.core.sketch import QuantileSketch

    rng = np.random.default_rng(4)
    v = rng.lognormal(25, 1, size=(2, 2000))
    got = Limit("stranded_peak", "p95", np.nan, 0, True).interval(v)
    for row, (low, high) in zip(v, got, strict=True):
        want = QuantileSketch.of(row).order_interval(0.95)  # mc's intervals, from its sketch
        np.testing.assert_allclose([low, high], [want[0], want[1]], rtol=2e-4)
        assert low < np.quantile(row, 0.95) < high
    mean = Limit("npv_2026", "mean", np.nan, 0, True).interval(v[:1])[0]
    se = v[0].std(ddof=1) / np.sqrt(v.shape[1])
    np.testing.assert_allclose(mean, [v[0].mean() - 1.959964 * se, v[0].mean() + 1.959964 * se])
    half = np.r_[np.zeros(50), np.ones(50)][None, :]  # 50 of 100 below 0.5
    wilson = Limit("npv_2026", "below", 0.5, 0.1, True).interval(half)[0]
    np.testing.assert_allclose(wilson, [0.4038, 0.5962], atol=1e-4)  # the textbook value
    few = Limit("stranded_peak", "p99", np.nan, 0, True).interval(v[:1, :50])[0]
    assert np.isnan(few[1])  # 50 draws cannot bound a P99 from above


def test_the_crossing_separates_values_that_meet_the_limit_from_those_that_do_not(base):
    scenario, space = base
    result = solve_limit(scenario, space, "capex.growth", "stranded_peak.p95<=6.5e11", 300, 5)
    assert result.status == "binds"
    (c,) = result.crossings
    assert result.meets_below  # more capex growth strands more
    trials = result.trials
    below, above = trials[trials["value"] < c], trials[trials["value"] > c]
    assert below["met"].all()
    assert not above["met"].any()
    width = 1e-4 * (result.high - result.low)
    assert below["value"].max() > c - width
    assert above["value"].min() < c + width
    assert (result.low, result.high) == (0.0, 0.3)  # the prior's range
    (error,) = result.errors
    assert 0 < error < 0.05
    assert (trials["low"] <= trials["statistic"]).all()
    assert (trials["statistic"] <= trials["high"]).all()


def test_each_statistic_is_the_model_run_on_the_same_draws(base):
    """An independent computation: simulate with the decision set in every draw, numpy's P95."""
    scenario, space = base
    result = solve_limit(scenario, space, "capex.growth", "stranded_peak.p95<=6.5e11", 300, 5)
    samples = sample_range(space, 0, 300, 5, "lhs")
    for value in (0.0375, result.crossings[0]):
        drawn = {**samples, "capex.growth": np.full(300, value)}
        table = sr.simulate(scenario, drawn, breakeven=False, keep_series=False).outcomes
        rows = table[table["company"] == "industry"]["stranded_peak"].to_numpy()
        stat = result.trials.loc[np.isclose(result.trials["value"], value, rtol=0, atol=1e-15)]
        assert stat["statistic"].iloc[0] == pytest.approx(np.quantile(rows, 0.95), rel=1e-12)


def test_the_scenario_value_agrees_with_a_decision_compared_in_mc(base):
    scenario, space = base
    result = solve_limit(scenario, space, "capex.growth", "stranded_peak.p95<=6.5e11", 300, 5)
    versus = compare_decisions(
        scenario, space, {"held": {"capex.growth": 0.1}}, 300, seed=5, sampler="lhs"
    )
    p95 = versus.summary("industry").loc["held", "stranded_peak_p95"]
    assert result.own_value == 0.1
    assert result.own_statistic == pytest.approx(p95, rel=2e-4)  # the sketch's accuracy


def test_a_probability_limit_over_a_company(base):
    scenario, space = base
    result = solve_limit(
        scenario, space, "financing.debt_share", "P(min_dscr<1.5)<=0.1", 300, 1, company="meta"
    )
    assert result.company == "meta"
    assert result.limit.statistic == "below"
    shares = result.trials["statistic"]
    assert ((shares >= 0) & (shares <= 1)).all()
    assert result.trials.iloc[0]["statistic"] == 0.0  # no debt: no breach


def test_limits_that_hold_or_fail_everywhere(base):
    scenario, space = base
    held = solve_limit(scenario, space, "capex.growth", "stranded_peak.p95<=1e15", 100, 0)
    assert held.status == "holds"
    assert held.crossings == ()
    assert held.meets_below is None
    failed = solve_limit(scenario, space, "capex.growth", "npv_2026.p5>=1e13", 100, 0)
    assert failed.status == "fails"


def test_refusals(base):
    scenario, space = base
    with pytest.raises(InputError, match="not a numeric scenario parameter"):
        solve_limit(scenario, space, "capex.path", "stranded_peak.p95<=1e12", 10)
    with pytest.raises(InputError, match="inside its allowed range"):
        solve_limit(
            scenario, space, "capex.growth", "stranded_peak.p95<=1e12", 10, between=(0.2, 0.1)
        )
    with pytest.raises(InputError, match="company 'ibm'"):
        solve_limit(scenario, space, "capex.growth", "stranded_peak.p95<=1e12", 10, company="ibm")
    with pytest.raises(InputError, match="sampler"):
        solve_limit(scenario, space, "capex.growth", "stranded_peak.p95<=1e12", 10, sampler="x")
    with pytest.raises(InputError, match="which add to 1: it cannot move alone"):
        solve_limit(scenario, space, "capex.share_compute", "stranded_peak.p95<=1e12", 10)
    with pytest.raises(InputError, match="they must stay below 1"):  # a message, not a crash
        solve_limit(
            scenario, space, "market.open_source_share", "stranded_peak.p95<=1e12", 200,
            between=(0.0, 0.95),
        )  # fmt: skip


def test_the_command(tmp_path):
    args = ["limit", "capex.growth", "stranded_peak.p95<=6.5e11", "--n", "200", "--set", "years=4"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "The limit binds at capex.growth = " in text
    assert "(the scenario's value)" in text
    r = CliRunner().invoke(app, [*args, "--json", "--between", "0:0.2"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["range"] == [0.0, 0.2]
    assert data["status"] == "binds"
    assert data["units"] == {"stranded_peak.p95 <= 6.5e+11": "USD"}
    assert data["limits"] == ["stranded_peak.p95 <= 6.5e+11"]
    out, png = tmp_path / "page", tmp_path / "png"
    r = CliRunner().invoke(app, [*args, "--out", str(out), "--png", str(png)])
    assert r.exit_code == 0, r.output
    page = (out / "limit.html").read_text()
    assert "Risk limit: stranded_peak.p95 &lt;= 6.5e+11" in page
    assert 'id="fig-limit"' in page
    assert [p.name for p in png.iterdir()] == ["limit.png"]
    r = CliRunner().invoke(app, [*args, "--between", "0.1"])
    assert r.exit_code == 2
    assert "LOW:HIGH" in r.output
    r = CliRunner().invoke(app, ["limit", "capex.growth", "stranded_peak<1"])
    assert r.exit_code == 2
    assert "write OUTCOME.pNN<=VALUE" in r.output


def test_the_default_range_without_a_prior(base):
    scenario, space = base
    meta = solve_limit(
        scenario, space, "companies.meta.capex_2026", "stranded_peak.p95<=1e15", 50, 0,
        company="meta",
    )  # fmt: skip
    assert (meta.low, meta.high) == (125e9, 145e9)  # the guidance row's range in the register
    with pytest.raises(InputError, match="give --between LOW:HIGH"):
        solve_limit(scenario, space, "market.rental_rate", "stranded_peak.p95<=1e12", 10)
    rent = solve_limit(
        scenario, space, "market.rental_rate", "npv_2026.p50>=0", 50, between=(1.0, 4.0)
    )
    assert (rent.low, rent.high) == (1.0, 4.0)


def test_several_limits_bind_where_the_first_of_them_is_breached(base):
    scenario, space = base
    cap, npv = "stranded_peak.p95<=6.5e11", "P(npv_2026<0)<=0.25"
    both = solve_limit(scenario, space, "capex.growth", [cap, npv], 300, 5)
    alone = [solve_limit(scenario, space, "capex.growth", x, 300, 5) for x in (cap, npv)]
    # each alone is met below its crossing (0.136 and 0.065): together, the lower binds
    assert [len(r.crossings) for r in alone] == [1, 1]
    assert all(r.meets_below for r in alone)
    assert alone[1].crossings[0] < alone[0].crossings[0]
    assert both.crossings == pytest.approx(alone[1].crossings, abs=1e-4 * 0.3)
    assert both.binding == (alone[1].limit.text,)
    feasible = both.feasible
    for r in alone:  # every value tried by both runs: met by both = met together
        met = r.trials.set_index("value")["met"]
        common = feasible.index.intersection(met.index)
        assert (~feasible[common] | met[common]).all()
    assert set(both.trials["limit"]) == {alone[0].limit.text, alone[1].limit.text}
    assert list(both.own_statistics.index) == [alone[0].limit.text, alone[1].limit.text]
    assert both.own_statistics.iloc[0] == alone[0].own_statistic


def test_the_command_with_two_limits(tmp_path):
    args = ["limit", "capex.growth", "stranded_peak.p95<=6.5e11", "P(npv_2026<0)<=0.3"]
    r = CliRunner().invoke(app, [*args, "--n", "200", "--set", "years=4", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "L2: P(npv_2026 < 0) <= 0.3" in r.stdout
    page = (tmp_path / "limit.html").read_text()
    assert 'id="fig-limit_2"' in page


def test_a_goal_seek_on_the_scenario_as_given(tmp_path):
    scenario = sr.load_scenario("base", overrides=SHORT)
    result = solve_limit(scenario, None, "capex.growth", "stranded_peak.p50<=3e11")
    assert not result.drawn
    assert result.n == 1
    (c,) = result.crossings
    assert np.isnan(result.errors[0])  # no draws, no sampling error
    for value in (0.0375, c):  # the statistic is the outcome of the scenario with that value
        table = sr.simulate(
            sr.load_scenario("base", overrides={**SHORT, "capex.growth": value}),
            breakeven=False,
        ).outcomes
        want = table.set_index("company").loc["industry", "stranded_peak"]
        got = result.trials.loc[np.isclose(result.trials["value"], value, rtol=0, atol=1e-15)]
        assert got["statistic"].iloc[0] == pytest.approx(want, rel=1e-12)
    # no debt at all: no debt service, no covenant to breach
    dscr = solve_limit(scenario, None, "financing.debt_share", "min_dscr.p50>=8", company="meta")
    assert dscr.trials.iloc[0]["value"] == 0.0
    assert np.isnan(dscr.trials.iloc[0]["statistic"])
    assert dscr.trials.iloc[0]["met"]
    assert len(dscr.crossings) == 1
    plain = tmp_path / "plain.toml"  # no [uncertainty] block: fine for a goal seek
    plain.write_text("years = 4\n")
    args = ["limit", "capex.growth", "stranded_peak.p50<=5e11", "--scenario", str(plain)]
    r = CliRunner().invoke(app, [*args, "--deterministic"])
    assert r.exit_code == 0, r.output
    assert "no draws (a goal seek)" in r.stdout
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2
    assert "no uncertain parameters" in r.output


def test_the_tables_go_to_excel(tmp_path):
    import openpyxl

    path = tmp_path / "limit.xlsx"
    args = ["limit", "capex.growth", "stranded_peak.p95<=6.5e11", "--n", "100", "--set", "years=4"]
    r = CliRunner().invoke(app, [*args, "--xlsx", str(path)])
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["summary", "crossings", "trials", "units"]
    trials = book["trials"]
    assert [c.value for c in trials[1]] == ["value", "limit", "statistic", "low", "high", "met"]
    assert trials.cell(2, 3).number_format.startswith("$#,##0.0")  # full dollars, shown in $B
    assert trials.cell(2, 1).number_format == "0.0%"  # capex growth, a rate a year
    units = {(row[0].value, row[1].value): row[2].value for row in book["units"].iter_rows(2)}
    assert units[("trials", "statistic")] == "USD"
    assert ("summary", "setting") not in units


def test_a_loan_cover_limit_on_the_debt_share(base):
    """The LLCR is the assets' cover over debt, so it scales as 1 / debt share (independent)."""
    scenario, space = base
    rule = "P(min_llcr<1)<=0.5"
    result = solve_limit(scenario, space, "financing.debt_share", rule, 300, 5)
    assert result.status == "binds"
    samples = sample_range(space, 0, 300, 5, "lhs")
    drawn = {**samples, "financing.debt_share": np.full(300, 0.2)}
    table = sr.simulate(scenario, drawn, breakeven=False, keep_series=False, llcr=True).outcomes
    lowest = table[table["company"] == "industry"]["min_llcr"].to_numpy()
    # P(LLCR(x) < 1) = P(0.2 * LLCR(0.2) < x): at most a half up to the 151st smallest
    edge = np.sort(0.2 * lowest)[150]
    (c,) = result.crossings
    assert c == pytest.approx(edge, abs=2e-4 * (result.high - result.low))
    assert result.meets_below
