"""Monte Carlo: reproducible for any chunk size and worker count; no NaN over the priors."""

import json
import math
import re
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.montecarlo import drivers_frame, read_kept, run_mc
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.scenarios.sampling import sample_range


def _run(n, **kw):
    sc = sr.load_scenario("base", overrides={"years": 5})
    return run_mc(sc, load_uncertainty("base", sc), n, 42, **kw)


def _outcomes(tmp_path, name, **kw):
    import duckdb

    path = tmp_path / f"{name}.duckdb"
    _run(90, outcomes_path=path, **kw)
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT * FROM mc ORDER BY scenario, company").df()


def test_the_reductions_read_each_company_as_a_groupby_would_whatever_the_rows_order():
    """Each company's values (and quarters' years) in company order, the rows' order within."""
    from strandrisk.engine.mc_task import _ByCompany, _year_counts

    rng = np.random.default_rng(3)
    rows = pd.DataFrame(
        {
            "company": rng.choice(["oracle", "meta", "industry", "amazon"], 400),
            "x": rng.standard_normal(400),
            "q": pd.Series(rng.choice(["2027Q1", "2031Q4", None, "2026Q2"], 400), dtype=object),
        }
    )
    by = _ByCompany(rows)
    groups = list(rows.groupby("company", sort=True))
    assert by.names == [name for name, _ in groups]
    for got, (_, group) in zip(by.column("x"), groups, strict=True):
        np.testing.assert_array_equal(got, group["x"].to_numpy())
    for got, (_, group) in zip(_year_counts(by, "q", 10), groups, strict=True):
        years = [10 if q is None else int(q[:4]) - 2026 for q in group["q"]]
        np.testing.assert_array_equal(got, np.bincount(years, minlength=11))


@pytest.mark.parametrize("llcr", [False, True])
def test_a_tasks_outcome_arrays_reduce_as_its_outcome_table_does(llcr):
    """Sketches, impairment and peak-year counts from the arrays: those of the table's rows."""
    from strandrisk.engine.mc_task import _reduce
    from strandrisk.engine.simulate import outcome_arrays

    sc = sr.load_scenario("base", overrides={"years": 6})
    space = load_uncertainty("base", sc)
    samples = sample_range(space, 0, 300, 11, "lhs")
    arrays = outcome_arrays(sc, samples, llcr=llcr)
    table = sr.simulate(sc, samples, breakeven=False, keep_series=False, llcr=llcr).outcomes
    pd.testing.assert_frame_equal(arrays.frame(), table)
    for column in ("first_impairment_ifrs", "stranded_peak_to_2026_date"):  # years and never
        assert table[column].notna().any()
        assert table[column].isna().any()
    got, want = _reduce(arrays, sc.years), _reduce(table, sc.years)
    assert list(got[0]) == list(want[0])
    for key, sketch in got[0].items():
        np.testing.assert_array_equal(sketch.keys, want[0][key].keys)
        np.testing.assert_array_equal(sketch.counts, want[0][key].counts)
        assert sketch.dropped == want[0][key].dropped, key
    for counts in (1, 2):
        assert list(got[counts]) == list(want[counts])
        for name in got[counts]:
            np.testing.assert_array_equal(got[counts][name], want[counts][name])
    assert got[1]["industry"].shape == (3 if llcr else 2, sc.years + 1)
    np.testing.assert_array_equal(got[3], want[3])  # how many companies at once
    np.testing.assert_array_equal(got[4], want[4])  # and how many breach a covenant
    assert got[3].shape == (3 if llcr else 2, sc.years, 6)


def test_the_reductions_are_the_same_on_any_number_of_threads_and_one_uses_no_helper(
    monkeypatch,
):
    """Sketches made a share of the columns a thread: the same; one thread: no helper."""
    import numba

    from strandrisk.engine._kernel import common
    from strandrisk.engine.mc_task import _reduce

    sc = sr.load_scenario("base", overrides={"years": 5})
    samples = {"market.price_decline": np.linspace(0.2, 1.5, 40)}
    rows = sr.simulate(sc, samples, breakeven=False, keep_series=False).outcomes
    made = {}
    for threads in (3, 2, 1):
        monkeypatch.setattr(numba, "get_num_threads", lambda threads=threads: threads)
        if threads == 1:  # a single thread computes everything itself
            monkeypatch.setattr(common, "_helpers", lambda: pytest.fail("a helper was used"))
        made[threads] = _reduce(rows, sc.years)
    for threads in (3, 2):
        sketches, impaired, peaks, together, breaches = made[threads]
        np.testing.assert_array_equal(together, made[1][3])
        np.testing.assert_array_equal(breaches, made[1][4])
        assert list(sketches) == list(made[1][0])
        for key, sketch in sketches.items():
            np.testing.assert_array_equal(sketch.keys, made[1][0][key].keys)
            np.testing.assert_array_equal(sketch.counts, made[1][0][key].counts)
        for name in impaired:
            np.testing.assert_array_equal(impaired[name], made[1][1][name])
            np.testing.assert_array_equal(peaks[name], made[1][2][name])


def test_same_seed_same_outcomes_for_any_chunk_size_and_workers(tmp_path):
    a = _outcomes(tmp_path, "a", chunk_size=90)
    b = _outcomes(tmp_path, "b", chunk_size=17)
    pd.testing.assert_frame_equal(a, b)
    c = _outcomes(tmp_path, "c", chunk_size=30, workers=2)
    pd.testing.assert_frame_equal(a, c)


def test_summary_shapes_and_probabilities():
    result = _run(60, sampler="lhs", chunk_size=25)
    q = result.quantiles
    assert list(q.columns) == ["p5", "p50", "p95", "p99"]
    assert (q["p5"] <= q["p50"]).all()
    assert (q["p50"] <= q["p95"]).all()
    p = result.p_impairment
    assert ((p >= 0) & (p <= 1)).all().all()
    ifrs = p.xs("industry", level="company")["ifrs"].to_numpy()
    assert np.all(np.diff(ifrs) >= 0)  # "impaired by the end of the year" only accumulates
    car = result.capex_at_risk.loc["industry"]
    assert car["expected_shortfall"] >= car["car95"]
    assert set(result.as_json()) == {
        "n",
        "seed",
        "sampler",
        "quantiles",
        "moments",
        "intervals",
        "capex_at_risk",
        "p_impairment",
        "probabilities",
        "drivers",
        "driver_scenarios",
        "debt_cover",
        "interest_cover",
        "economic_life",
        "together",
        "breaches",
        "scenario_analysis",
        "confidence",
        "precision",
        "units",
        "loan_cover",
        "peak_year_to_2026",
        "capex_years",
    }
    assert result.as_json()["loan_cover"] is None  # not computed unless asked for
    assert not result.has_loan_cover
    assert result.as_json()["precision"] is None  # a run of a fixed size
    low, high = result.intervals["p50_low"], result.intervals["p50_high"]
    assert (low <= q["p50"]).all()
    assert (q["p50"] <= high).all()
    assert result.intervals["p99_high"].isna().all()  # 60 scenarios cannot bound a P99
    d = result.drivers
    assert d.index.names == ["company", "outcome", "parameter"]
    assert len(d) == 6 * 4 * 31
    assert ((d["spearman"].abs() <= 1) | d["spearman"].isna()).all()


DRAWS_PER_PRESET = -(-100_000 // len(sr.PRESETS))  # 100,000 draws over the six presets


@pytest.mark.parametrize("preset", sr.PRESETS)
def test_no_nan_or_inf_over_draws_spanning_every_prior(preset):
    from strandrisk.scenarios.sampling import sample_range

    sc = sr.load_scenario(preset)
    space = load_uncertainty(preset, sc)
    samples = sample_range(space, 0, DRAWS_PER_PRESET, 3, "lhs")  # strata span each prior
    for key, dist in zip(space.keys, space.distributions, strict=True):  # tails are reached
        lo, hi = dist.ppf(np.array([0.001, 0.999]))
        assert samples[key].min() <= lo + 1e-12 * abs(lo), key
        assert samples[key].max() >= hi - 1e-12 * abs(hi), key
    out = sr.simulate(sc, samples, breakeven=False, keep_series=False).outcomes
    for column in (
        "capex_2026",
        "npv_2026",
        "stranded_peak",
        "impairment_ifrs",
        "impairment_usgaap",
        "booked_life_years",
        "economic_life_years",
    ):
        values = out[column].to_numpy(dtype=float)
        assert np.isfinite(values).all(), column
    for column in ("irr_2026", "payback_years_2026", "min_dscr"):  # NaN means "none"
        values = out[column].to_numpy(dtype=float)
        assert not np.isinf(values).any(), column
    assert (out["stranded_peak"] >= 0).all()


def test_cli_mc_json(tmp_path):
    result = CliRunner().invoke(
        app, ["mc", "--n", "40", "--seed", "3", "--sampler", "sobol", "--json", "--set", "years=4"]
    )
    assert result.exit_code == 0, result.output
    import json

    out = json.loads(result.stdout)
    assert out["n"] == 40
    assert "industry.stranded_peak" in out["quantiles"]
    assert out["units"]["quantiles"] == "USD"
    assert out["capex_years"] is None  # not asked for
    runner = CliRunner()
    years = runner.invoke(app, ["mc", "--n", "40", "--seed", "3", "--capex-years", "--json"])
    assert years.exit_code == 0, years.output
    assert set(json.loads(years.stdout)["capex_years"]["meta"]) == {
        str(y) for y in range(2022, 2036)
    }
    shown = runner.invoke(app, ["mc", "--n", "40", "--seed", "3", "--capex-years"])
    assert "Which year's capex strands (industry)" in shown.stdout
    refused = runner.invoke(
        app, ["mc", "--n", "40", "--capex-years", "--compare", "capex.path=flat"]
    )
    assert refused.exit_code == 2
    assert "--capex-years" in refused.output


def test_cli_mc_refuses_bad_input():
    r = CliRunner().invoke(app, ["mc", "--n", "10", "--sampler", "magic"])
    assert r.exit_code == 2
    assert "--sampler" in r.stderr


def test_series_are_kept_when_asked_and_match_the_reference_engine(tmp_path):
    import duckdb

    from strandrisk.scenarios.sampling import sample_range

    sc = sr.load_scenario("base", overrides={"years": 5})
    space = load_uncertainty("base", sc)
    path = tmp_path / "kept.duckdb"
    plain = run_mc(sc, space, 30, 42, chunk_size=7)
    kept = run_mc(sc, space, 30, 42, chunk_size=7, outcomes_path=path, keep_series=True)
    pd.testing.assert_frame_equal(plain.quantiles, kept.quantiles)
    pd.testing.assert_frame_equal(plain.fans, kept.fans)
    with duckdb.connect(str(path), read_only=True) as con:
        series = con.execute("SELECT * FROM series ORDER BY scenario, company, quarter").df()
    assert len(series) == 30 * 6 * 20
    j = 11
    one = series[(series["scenario"] == j) & (series["company"] == "industry")]
    samples = sample_range(space, j, j + 1, 42, "mc")
    ref = sr.simulate(sc, samples, breakeven=False, engine="numpy").series.sel(company="industry")
    for name in ("stranded_value", "book_value", "economic_value"):
        np.testing.assert_allclose(
            one[name].to_numpy(), ref[name].values[0], rtol=1e-9, atol=1e-3, err_msg=name
        )
    with pytest.raises(ValueError, match="outcomes_path"):
        run_mc(sc, space, 5, 42, keep_series=True)
    r = CliRunner().invoke(app, ["mc", "--n", "10", "--series"])
    assert r.exit_code == 2
    assert "--keep" in r.stderr


def test_mc_run_is_recorded_in_the_store(tmp_path):
    import duckdb

    store = tmp_path / "s.duckdb"
    r = CliRunner().invoke(
        app, ["mc", "--n", "30", "--store", str(store), "--set", "years=3", "--json"]
    )
    assert r.exit_code == 0, r.output
    import json

    run_id = json.loads(r.stdout)["run_id"]
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute(
            "SELECT kind, n_scenarios FROM runs WHERE id = ?", [run_id]
        ).fetchall() == [("mc", 30)]
        assert (
            con.execute("SELECT count(*) FROM outcomes WHERE run_id = ?", [run_id]).fetchall()[0][0]
            == 30 * 6
        )
        assert (
            con.execute(
                "SELECT count(DISTINCT scenario) FROM mc_samples WHERE run_id = ?", [run_id]
            ).fetchall()[0][0]
            == 30
        )
    from strandrisk.store.runs import RunStore

    runs = RunStore(store)
    q = runs.quantiles(run_id)  # inside DuckDB; checked against NumPy on the stored rows
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute(
            "SELECT stranded_peak FROM outcomes WHERE run_id = ? AND company = 'industry'",
            [run_id],
        ).fetchnumpy()["stranded_peak"]
    np.testing.assert_allclose(
        q.loc[("industry", "stranded_peak")].to_numpy(),
        np.quantile(rows, [0.05, 0.5, 0.95, 0.99]),
        rtol=1e-12,
    )
    assert "breakeven_demand_growth" not in q.index.get_level_values("outcome")  # not computed
    shown = CliRunner().invoke(app, ["runs", "show", str(run_id), "--store", str(store)])
    assert shown.exit_code == 0, shown.output
    assert "Outcomes over the 30 scenarios" in shown.stdout
    assert "Chance the 2026 programme's NPV is negative: amazon" in " ".join(shown.stdout.split())
    with duckdb.connect(str(store), read_only=True) as con:
        npv = con.execute(
            "SELECT npv_2026 FROM outcomes WHERE run_id = ? AND company = 'meta'", [run_id]
        ).fetchnumpy()["npv_2026"]
    assert runs.share_below(run_id)["meta"] == (npv < 0).mean()
    text = " ".join(shown.stdout.split())
    assert "Chance the lowest annual DSCR falls below 1.2x: amazon" in text
    with duckdb.connect(str(store), read_only=True) as con:
        dscr = con.execute(
            "SELECT min_dscr FROM outcomes WHERE run_id = ? AND company = 'meta'", [run_id]
        ).fetchnumpy()["min_dscr"]
    dscr = np.asarray(dscr, dtype=float)
    below = runs.share_below(run_id, "min_dscr", 5.0, missing_is_above=True)["meta"]
    assert below == pytest.approx(np.sum(np.nan_to_num(dscr, nan=np.inf) < 5.0) / dscr.size)
    mean = runs.quantiles(run_id, with_mean=True).loc[("meta", "npv_2026"), "mean"]
    assert mean == pytest.approx(npv.mean(), rel=1e-12)
    with pytest.raises(sr.InputError, match="not a numeric outcome"):
        runs.share_below(run_id, "company")
    assert "never" not in shown.stdout  # no event dates claimed from columns not stored
    compared = runs.compare(run_id, run_id)
    assert (
        compared.loc[("industry", "stranded_peak"), "first"]
        == q.loc[("industry", "stranded_peak"), "P50"]
    )
    assert (
        CliRunner().invoke(app, ["runs", "delete", str(run_id), "--store", str(store)]).exit_code
        == 0
    )
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mc_samples").fetchall()[0][0] == 0


def test_scenario_show_keeps_the_uncertainty_block_and_mc_needs_one(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(app, ["scenario", "show", "base"])
    assert "[uncertainty]" in shown.stdout
    assert "[correlations]" in shown.stdout
    path = tmp_path / "copy.toml"
    path.write_text(shown.stdout)
    assert sr.load_scenario(path).flat() == sr.load_scenario("base").flat() | {}
    bare = tmp_path / "bare.toml"
    bare.write_text("[market]\nprice_decline = 1.0\n")
    r = runner.invoke(app, ["mc", "--scenario", str(bare), "--n", "5"])
    assert r.exit_code == 2
    assert "add an [uncertainty] block" in r.stderr  # brackets survive the terminal markup


def test_scenario_show_of_a_file_keeps_its_header_and_uncertainty(tmp_path):
    from strandrisk.io.scenario import scenario_file_parts

    runner = CliRunner()
    shown = runner.invoke(app, ["scenario", "show", "base"]).stdout
    header = shown[: shown.index("name = ")]
    assert "share causes" not in header  # a comment inside [correlations] stays there
    assert shown.count("share causes") == 1
    (tmp_path / "mine.toml").write_text(shown)
    again = runner.invoke(app, ["scenario", "show", str(tmp_path / "mine.toml")])
    assert again.exit_code == 0
    assert again.stdout == shown  # a shown file shows the same: nothing lost, nothing doubled
    middle = "# mine\n[uncertainty]\nfrom_register = true\n\n[market]\nelasticity = 1.2\n"
    head, tail = scenario_file_parts(middle)
    assert head == "# mine\n"
    assert "not repeated here" in tail
    assert "[market]" not in tail


def test_summaries_are_identical_for_any_chunk_size_and_workers():
    a = _run(90, chunk_size=90)
    for other in (_run(90, chunk_size=13), _run(90, chunk_size=30, workers=2)):
        pd.testing.assert_frame_equal(a.quantiles, other.quantiles, check_exact=True)
        pd.testing.assert_frame_equal(a.capex_at_risk, other.capex_at_risk, check_exact=True)
        pd.testing.assert_frame_equal(a.p_impairment, other.p_impairment, check_exact=True)
        pd.testing.assert_frame_equal(
            a.peak_year_to_2026, other.peak_year_to_2026, check_exact=True
        )
        pd.testing.assert_frame_equal(a.together, other.together, check_exact=True)
        pd.testing.assert_frame_equal(a.breaches, other.breaches, check_exact=True)
        conditions = [("npv_2026", 0.0, False), ("stranded_peak", 1e12, True)]
        pd.testing.assert_frame_equal(
            a.probabilities(conditions), other.probabilities(conditions), check_exact=True
        )
        for name in ("moments", "intervals", "drivers", "scenarios"):
            pd.testing.assert_frame_equal(getattr(a, name), getattr(other, name), check_exact=True)


def test_tasks_return_reductions_and_rows_only_when_kept():
    from strandrisk.engine.montecarlo import _task

    sc = sr.load_scenario("base", overrides={"years": 5})
    space = load_uncertainty("base", sc)
    plain = _task(sc, space, 100, 160, 42, "mc", 0)
    assert plain.rows is None
    assert plain.drawn is None
    assert plain.fans is None
    sketch = plain.sketches[("industry", "stranded_peak")]
    assert sketch.count == 60
    assert plain.impaired["industry"].shape == (2, 6)
    assert plain.impaired["industry"].sum(axis=1).tolist() == [60, 60]
    kept = _task(sc, space, 100, 160, 42, "mc", 0, keep_rows=True)
    assert len(kept.rows) == 60 * 6
    assert len(kept.drawn) == 60


def test_the_economic_life_over_the_draws_matches_the_kept_rows(tmp_path):
    """Quantiles to the sketch's accuracy; the share shorter than booked exactly."""
    import duckdb

    from strandrisk.core.sketch import ALPHA

    path = tmp_path / "kept.duckdb"
    result = _run(300, sampler="lhs", chunk_size=128, outcomes_path=path)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT * FROM mc").df()
    lives = result.economic_life()
    assert set(lives.index) == set(rows["company"])
    for company, group in rows.groupby("company"):
        economic = group["economic_life_years"].to_numpy(dtype=float)
        booked = group["booked_life_years"].to_numpy(dtype=float)
        got = lives.loc[company]
        exact = np.quantile(economic, [0.05, 0.5, 0.95])
        np.testing.assert_allclose(got[["p5", "p50", "p95"]], exact, rtol=ALPHA, atol=1e-9)
        assert got["booked"] == pytest.approx(np.median(booked), rel=ALPHA)
        assert got["shorter"] == np.mean(economic < booked)
    assert 0 < lives.loc["industry", "shorter"] <= 1  # base: most draws
    summary = result.as_json()["economic_life"]["industry"]
    assert summary["p50"] == pytest.approx(lives.loc["industry", "p50"])


def test_when_todays_capital_peaks_is_counted_from_every_scenario():
    """Against the model run on the same draws: the share of scenarios per peak year."""
    from strandrisk.scenarios.sampling import sample_range

    sc = sr.load_scenario("base", overrides={"years": 5})
    space = load_uncertainty("base", sc)
    result = run_mc(sc, space, 240, 42, sampler="lhs", chunk_size=70)
    rows = sr.simulate(sc, sample_range(space, 0, 240, 42, "lhs"), breakeven=False).outcomes
    year = rows["stranded_peak_to_2026_date"].str[:4].fillna("none")
    expected = pd.crosstab(rows["company"], year, normalize="index")
    got = result.peak_year_to_2026
    assert list(got.columns) == [2026, 2027, 2028, 2029, 2030, "none"]
    for company, row in expected.iterrows():
        for label, share in row.items():
            column = label if label == "none" else int(label)
            assert got.loc[company, column] == pytest.approx(share, abs=1e-15), (company, label)
    np.testing.assert_allclose(got.sum(axis=1), 1.0)
    assert got.loc["industry", [2027, 2028, 2029]].sum() > 0.5  # base: mostly 2027-2029
    doc = result.as_json()["peak_year_to_2026"]
    assert doc["industry"]["2028"] == pytest.approx(got.loc["industry", 2028])


def test_which_years_capex_strands_over_the_draws():
    """Sketched from every scenario: against the model run on the same draws, any chunking."""
    from strandrisk.core.sketch import ALPHA
    from strandrisk.scenarios.sampling import sample_range

    sc = sr.load_scenario("base", overrides={"years": 5})
    space = load_uncertainty("base", sc)
    result = run_mc(sc, space, 200, 42, sampler="lhs", chunk_size=64, capex_years=True)
    again = run_mc(sc, space, 200, 42, sampler="lhs", chunk_size=200, capex_years=True)
    direct = sr.simulate(
        sc, sample_range(space, 0, 200, 42, "lhs"), breakeven=False, keep_series=False,
        capex_years=True,
    )  # fmt: skip
    for k, company in enumerate([*(c.name for c in sc.companies), "industry"]):
        table = result.capex_years(company)
        pd.testing.assert_frame_equal(table, again.capex_years(company), check_exact=True)
        assert list(table.index) == list(direct.capex_years)  # 2022 to 2030
        peaks = direct.capex_year_peak[:, k, :]
        scale = np.abs(peaks).max()
        for column, level in (("p50", 0.5), ("p95", 0.95)):
            exact = np.quantile(peaks, level, axis=0)
            np.testing.assert_allclose(table[column], exact, rtol=ALPHA, atol=ALPHA * scale)
        np.testing.assert_allclose(table["mean"], peaks.mean(axis=0), atol=ALPHA * scale)
        np.testing.assert_array_equal(table["strands"], (peaks > 0).mean(axis=0))
    doc = result.as_json()["capex_years"]
    assert doc["industry"]["2026"]["p50"] == pytest.approx(result.capex_years().loc[2026, "p50"])
    plain = run_mc(sc, space, 50, 42)
    assert plain.capex_years() is None
    assert plain.as_json()["capex_years"] is None


def test_summaries_match_the_kept_rows(tmp_path):
    """Quantiles to the sketch's accuracy, P(impairment) exactly, against every row."""
    import duckdb
    from scipy import stats

    from strandrisk.core.sketch import ALPHA

    path = tmp_path / "kept.duckdb"
    result = _run(200, sampler="lhs", chunk_size=64, outcomes_path=path)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT * FROM mc").df()
    for (company, outcome), got in result.quantiles.iterrows():
        values = rows.loc[rows["company"] == company, outcome].to_numpy(dtype=float)
        exact = np.quantile(values, [0.05, 0.5, 0.95, 0.99])
        scale = np.abs(values).max()
        np.testing.assert_allclose(got.to_numpy(), exact, rtol=ALPHA, atol=ALPHA * scale)
    for (year, company), got in result.p_impairment.iterrows():
        mine = rows[rows["company"] == company]
        for column, name in (
            ("ifrs", "first_impairment_ifrs"),
            ("usgaap", "first_impairment_usgaap"),
        ):
            first = mine[name].dropna().str[:4].astype(int)
            assert got[column] == (first <= year).sum() / len(mine)
    for (company, outcome), got in result.moments.iterrows():
        values = rows.loc[rows["company"] == company, outcome].to_numpy(dtype=float)
        scale = np.abs(values).mean()
        assert got["mean"] == pytest.approx(values.mean(), abs=ALPHA * scale)
        assert got["std"] == pytest.approx(values.std(ddof=1), abs=2 * ALPHA * scale * 3)
        assert got["mean_se"] == pytest.approx(got["std"] / np.sqrt(len(values)), rel=1e-12)
        assert got["min"] == pytest.approx(values.min(), abs=ALPHA * np.abs(values).max())
        assert got["max"] == pytest.approx(values.max(), abs=ALPHA * np.abs(values).max())
        if values.std() > 0.01 * scale:  # the shape, where the values spread
            assert got["skewness"] == pytest.approx(stats.skew(values), abs=0.01)
            assert got["excess_kurtosis"] == pytest.approx(stats.kurtosis(values), abs=0.05)
    # the intervals are order statistics at the binomial ranks, summed here term by term
    n = 200
    pmf = [[math.comb(n, k) * q**k * (1 - q) ** (n - k) for k in range(n + 1)] for q in (0.5, 0.95)]
    cdf = np.cumsum(pmf, axis=1)
    for (company, outcome), got in result.intervals.iterrows():
        x = np.sort(rows.loc[rows["company"] == company, outcome].to_numpy(dtype=float))
        for i, level in enumerate(("p50", "p95")):
            lo_rank = int(np.argmax(cdf[i] >= 0.025))  # smallest k with P(B <= k) >= 2.5 %
            hi_rank = int(np.argmax(cdf[i] >= 0.975)) + 1
            for rank, side in ((lo_rank, "low"), (hi_rank, "high")):
                exact = x[rank - 1]
                assert got[f"{level}_{side}"] == pytest.approx(
                    exact, rel=ALPHA, abs=ALPHA * np.abs(x).max()
                )
    with duckdb.connect(str(path), read_only=True) as con:
        samples = con.execute("SELECT * FROM samples ORDER BY scenario").df()
    samples = samples.set_index("scenario")
    pd.testing.assert_frame_equal(
        result.drivers, drivers_frame(samples, rows.sort_values(["scenario", "company"]))
    )
    median = float(np.median(rows.loc[rows["company"] == "industry", "stranded_peak"]))
    odds = result.probabilities([("npv_2026", 0.0, False), ("stranded_peak", median, True)])
    for company, got in odds.iterrows():
        mine = rows[rows["company"] == company]
        assert got["npv_2026 < 0"] == (mine["npv_2026"] < 0).mean()  # exact at zero
        above = (mine["stranded_peak"] > median).mean()
        near = (np.abs(mine["stranded_peak"] - median) <= ALPHA * median).mean()
        assert abs(got[f"stranded_peak > {median:g}"] - above) <= near
    with pytest.raises(sr.InputError, match="a chance can be asked of stranded_peak"):
        result.probabilities([("irr_2026", 0.1, True)])
    curve = result.cumulative("npv_2026", levels=20)
    assert list(curve.columns) == sorted(set(rows["company"]))
    for company in curve.columns:
        values = rows.loc[rows["company"] == company, "npv_2026"].to_numpy(dtype=float)
        np.testing.assert_allclose(
            curve[company], np.quantile(values, curve.index), rtol=ALPHA, atol=ALPHA * 1e12
        )
    assert (np.diff(curve.to_numpy(), axis=0) >= 0).all()
    with pytest.raises(sr.InputError, match="summarises"):
        result.cumulative("irr_2026")
    peak = rows.loc[rows["company"] == "industry", "stranded_peak"].to_numpy()
    car = result.capex_at_risk.loc["industry"]
    assert car["car95"] == pytest.approx(np.quantile(peak, 0.95), rel=ALPHA)
    assert car["expected_shortfall"] == pytest.approx(
        peak[peak >= car["car95"]].mean(), rel=2 * ALPHA
    )


def test_run_mc_refuses_bad_arguments_and_an_unreachable_scheduler(monkeypatch):
    from strandrisk.errors import InputError

    sc = sr.load_scenario("base")
    space = load_uncertainty("base", sc)
    for kwargs, message in [
        ({"n": 0}, "n = 0: must be at least 1"),
        ({"seed": -3}, "seed = -3: must be at least 0"),
        ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "give one"),
        ({"workers": 0}, "workers = 0: must be at least 1"),
    ]:
        args = {"n": 10, "seed": 0, **kwargs}
        with pytest.raises(InputError, match=message):
            run_mc(sc, space, args.pop("n"), args.pop("seed"), **args)

    import dask.distributed

    def refuse(address, timeout):
        raise OSError(f"Timed out trying to connect to {address} after {timeout}")

    monkeypatch.setattr(dask.distributed, "Client", refuse)
    with pytest.raises(InputError, match=r"scheduler tcp://127\.0\.0\.1:1: cannot connect"):
        run_mc(sc, space, 10, 0, scheduler="tcp://127.0.0.1:1")


def test_a_failed_run_leaves_the_kept_file_as_it_was(tmp_path, monkeypatch):
    from strandrisk.engine import montecarlo

    path = tmp_path / "kept.duckdb"
    _run(40, outcomes_path=path, chunk_size=20)
    before = path.read_bytes()
    calls = []
    task = montecarlo._task

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first chunk is already in the file being written
            raise RuntimeError("worker lost")
        return task(*args, **kwargs)

    monkeypatch.setattr(montecarlo, "_task", failing)
    with pytest.raises(RuntimeError, match="worker lost"):
        _run(40, outcomes_path=path, chunk_size=20)
    assert len(calls) == 2
    assert path.read_bytes() == before  # the earlier run's file, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.duckdb"]  # no partial file


def test_kept_file_in_an_unwritable_place_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(sr.InputError, match="--keep folder"):
        _run(10, outcomes_path=blocker / "kept.duckdb")
    with pytest.raises(sr.InputError, match="is a folder"):
        _run(10, outcomes_path=tmp_path)


def test_keep_never_replaces_a_file_that_is_not_a_kept_run(tmp_path):
    store = tmp_path / "runs.duckdb"
    r = CliRunner().invoke(app, ["run", "--no-report", "--set", "years=2", "--store", str(store)])
    assert r.exit_code == 0, r.output
    notes = tmp_path / "notes.csv"
    notes.write_text("a,b\n1,2\n")
    before = {p: p.read_bytes() for p in (store, notes)}
    for target in (store, notes):
        with pytest.raises(sr.InputError, match="exists and is not a kept Monte Carlo run"):
            _run(10, outcomes_path=target)
    r = CliRunner().invoke(
        app, ["mc", "--n", "10", "--set", "years=2", "--keep", str(store), "--store", str(store)]
    )
    assert r.exit_code == 2
    assert "give two different files" in r.stderr
    assert {p: p.read_bytes() for p in (store, notes)} == before
    kept = tmp_path / "kept.duckdb"
    _run(10, outcomes_path=kept)
    _run(12, outcomes_path=kept)  # an earlier kept run is replaced
    samples, rows = read_kept(kept)
    assert len(samples) == 12
    assert "booked_life_years" not in rows  # kept as an input, not an outcome to discover
    assert {"stranded_peak_to_2026", "economic_life_years"} <= set(rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--series"], "--series: needs --keep FILE.duckdb"),
        (["--compare", "capex.path=flat", "--capex-years"], "--capex-years: a decision comparison"),
        (["--compare", "capex.path=flat", "--at", "2027Q4"], "--at belongs to a single run"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers and --scheduler"),
        (["--sampler", "halton"], "'halton' is not one of mc, lhs, sobol"),
        (["--chunk-size", "0"], "--n, --chunk-size and --workers must be positive"),
    ],
)
def test_mc_refuses_options_that_do_not_go_together_before_it_runs(tmp_path, args, message):
    store = tmp_path / "runs.duckdb"
    r = CliRunner().invoke(
        app, ["mc", "--n", "10", "--set", "years=2", "--store", str(store), *args]
    )
    assert r.exit_code == 2
    assert message in r.stderr
    assert not store.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 10.5}, "n = 10.5: expected a whole number"),
        ({"n": True}, "n = True: expected a whole number"),
        ({"n": 0}, "n = 0: must be at least 1"),
        ({"seed": "a"}, "seed = 'a': expected a whole number"),
        ({"seed": 1.5}, "seed = 1.5: expected a whole number"),
        ({"seed": -1}, "seed = -1: must be at least 0"),
        ({"chunk_size": 0}, "chunk_size = 0: must be at least 1"),
        ({"workers": 0}, "workers = 0: must be at least 1"),
        ({"sampler": "halton"}, "sampler = 'halton': one of mc, lhs, sobol"),
    ],
)
def test_python_api_type_slips_are_input_errors(kwargs, message):
    from strandrisk.analysis.breakeven import breakeven_distribution

    sc = sr.load_scenario("base")
    space = load_uncertainty("base", sc)
    args = {"n": 10, "seed": 0} | kwargs
    with pytest.raises(sr.InputError, match=re.escape(message)):
        run_mc(sc, space, **args)
    if set(kwargs) <= {"n", "seed"} and kwargs.get("n") != 0:
        with pytest.raises(sr.InputError, match=r"expected a whole number|must be at least"):
            breakeven_distribution(sc, space, **args)
        with pytest.raises(sr.InputError, match=r"expected a whole number|must be at least"):
            sr.sobol_for_scenario(sc, space, **({"n": 8, "seed": 0} | kwargs))
    assert (
        run_mc(sc, space, np.int64(12), np.int64(1), chunk_size=np.int32(6)).n == 12
    )  # NumPy ints


def test_sobol_needs_a_power_of_two_and_simulate_a_whole_chunk_size():
    sc = sr.load_scenario("base")
    with pytest.raises(sr.InputError, match="n = 12: Saltelli's design needs a power of two"):
        sr.sobol_for_scenario(sc, load_uncertainty("base", sc), 12, 0)
    with pytest.raises(sr.InputError, match=r"chunk_size = 2\.5"):
        sr.simulate(sc, chunk_size=2.5)


def test_mc_writes_its_page_and_charts(tmp_path, monkeypatch):
    out, png = tmp_path / "o", tmp_path / "p"
    scratch = tmp_path / "scratch"  # where the rows behind the histograms are kept meanwhile
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    r = CliRunner().invoke(
        app, ["mc", "--n", "40", "--set", "years=3", "--out", str(out), "--png", str(png)]
    )
    assert r.exit_code == 0, r.output
    page = (out / "mc.html").read_text()
    assert "40 scenarios of &#x27;base&#x27; (random sampling, seed 0)" in page
    assert "fig-mc_convergence" not in page  # only a run with a precision target has one
    for key in (
        "mc_histogram",
        "mc_fan",
        "mc_p_impairment",
        "mc_drivers_stranded_peak",
        "mc_drivers_npv_2026",
        "mc_cdf_stranded_peak",
        "mc_cdf_npv_2026",
        "mc_deciles_stranded_peak",
        "mc_deciles_npv_2026",
        "mc_mean_tornado_stranded_peak",
        "mc_mean_tornado_npv_2026",
    ):
        assert f'id="fig-{key}"' in page
        assert (png / f"{key}.png").read_bytes()[:4] == b"\x89PNG"
    assert "Capex-at-Risk" in page
    assert "What moves the outcomes (industry)" in page
    assert "Chance of each outcome, per company (%)" in page
    assert "NPV 2026 &lt; $0B" in page
    assert "Sampling error with 40 scenarios" in page
    assert not list(tmp_path.glob("**/*.duckdb"))  # the rows behind the histograms were temporary
    assert not list(scratch.iterdir())


def test_mc_at_a_quarter_and_p_impairment_per_company():
    runner = CliRunner()
    twice = ["--at", "2028q2", "--at", "2028Q2"]  # the same quarter twice: shown once
    r = runner.invoke(app, ["mc", "--n", "30", "--set", "years=4", *twice])
    assert r.exit_code == 0, r.output
    assert r.stdout.count("Stranded value at the end of 2028Q2") == 1
    assert "meta, US GAAP" in r.stdout
    r = runner.invoke(app, ["mc", "--n", "30", "--set", "years=4", "--at", "2028Q2", "--json"])
    summary = json.loads(r.stdout)
    assert summary["units"]["at"].startswith("USD")
    assert summary["at_scenarios"] == 30
    at = summary["at"]["2028Q2"]
    assert set(at) == {"amazon", "alphabet", "meta", "microsoft", "oracle", "industry"}
    s = at["meta"]["stranded_value"]
    assert s["p5"] <= s["p25"] <= s["p50"] <= s["p75"] <= s["p95"]
    for bad, message in (("2030Q1", "outside the horizon, 2026Q1 to 2029Q4"), ("2028", "2029Q4")):
        r = runner.invoke(app, ["mc", "--n", "30", "--set", "years=4", "--at", bad])
        assert r.exit_code == 2
        assert message in r.stderr


def test_mc_says_how_precise_it_is_and_what_drives_a_company():
    runner = CliRunner()
    r = runner.invoke(
        app, ["mc", "--n", "400", "--set", "years=4", "--company", "meta", "--sampler", "lhs"]
    )
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "What moves the outcomes (meta)" in text
    assert "Sampling error with 400 scenarios" in text
    assert "P99 cannot be bounded" not in text  # 400 draws bound a P99
    assert "over the first 400 scenarios" in text
    assert "capex.growth" in text
    r = runner.invoke(app, ["mc", "--n", "50", "--set", "years=4"])
    assert "P99 cannot be bounded from this few scenarios: run more" in " ".join(r.stdout.split())
    r = runner.invoke(app, ["mc", "--n", "10", "--company", "nvidia"])
    assert r.exit_code == 2
    assert "company 'nvidia'" in r.stderr
    r = runner.invoke(app, ["mc", "--n", "40", "--set", "years=4", "--json"])
    summary = json.loads(r.stdout)
    drivers = summary["drivers"]["industry.npv_2026"]
    assert 0.0 <= drivers["r2"] <= 1.0
    assert set(drivers["parameters"]["market.elasticity"]) == {
        "spearman",
        "spearman_pm",
        "srrc",
        "contribution",
    }
    p50 = summary["intervals"]["industry.stranded_peak"]["p50"]
    assert p50[0] <= summary["quantiles"]["industry.stranded_peak"]["p50"] <= p50[1]
    assert summary["intervals"]["industry.stranded_peak"]["p95"][1] is None  # 40 draws cannot
    assert summary["driver_scenarios"] == 40


def test_mc_gives_the_chance_of_an_outcome_beyond_a_value():
    runner = CliRunner()
    args = ["mc", "--n", "60", "--set", "years=4", "--above", "stranded_peak=1e11"]
    r = runner.invoke(app, [*args, "--below", "npv_2026=-1e10"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "Chance of each outcome, per company" in text
    assert "NPV 2026 < $0B" in text  # always
    assert "peak stranded > $100B" in text
    assert "NPV 2026 < -$10B" in text
    r = runner.invoke(app, [*args, "--json"])
    summary = json.loads(r.stdout)
    odds = summary["probabilities"]
    assert set(odds) == {"npv_2026 < 0", "stranded_peak > 1e+11"}
    assert 0.0 <= odds["stranded_peak > 1e+11"]["industry"] <= 1.0
    for bad, message in (
        ("irr_2026=0.1", "OUTCOME one of stranded_peak"),
        ("stranded_peak", "expected OUTCOME=VALUE"),
        ("stranded_peak=lots", "'lots' is not a number"),
        ("npv_2026=inf", "finite number"),
    ):
        r = runner.invoke(app, ["mc", "--n", "10", "--above", bad])
        assert r.exit_code == 2, bad
        assert message in " ".join(r.stderr.split()), r.stderr


def test_drivers_leave_out_only_the_incomplete_rows_of_that_company():
    rng = np.random.default_rng(3)
    n, companies = 300, ["amazon", "meta", "industry"]
    samples = pd.DataFrame(rng.random((n, 4)), columns=["a", "b", "c", "d"])
    samples.index.name = "scenario"
    rows = pd.DataFrame({"scenario": np.repeat(np.arange(n), 3), "company": companies * n})
    for column in ("stranded_peak", "npv_2026", "impairment_ifrs"):
        rows[column] = rng.random(len(rows)) + np.repeat(samples["a"].to_numpy(), 3)
    whole = drivers_frame(samples, rows)
    holed = rows.copy()
    holed.loc[(holed["company"] == "meta") & (holed["scenario"] == 7), "npv_2026"] = np.nan
    partial = drivers_frame(samples, holed)
    for company in ("amazon", "industry"):  # untouched
        pd.testing.assert_frame_equal(partial.loc[company], whole.loc[company], rtol=1e-12)
    meta = rows[(rows["company"] == "meta") & (rows["scenario"] != 7)]
    from scipy.stats import spearmanr

    expected = spearmanr(samples.loc[meta["scenario"], "a"], meta["npv_2026"]).statistic
    got = partial.loc[("meta", "npv_2026", "a"), "spearman"]
    assert got == pytest.approx(expected, abs=1e-12)
    # an outcome a stored run predates (all NaN) is not ranked; the others are as before
    older = rows.assign(stranded_peak_to_2026=np.nan)
    pd.testing.assert_frame_equal(drivers_frame(samples, older), whole)
    newer = rows.assign(stranded_peak_to_2026=rows["stranded_peak"] * 0.5)
    both = drivers_frame(samples, newer)
    assert set(both.index.get_level_values("outcome")) == {
        "stranded_peak",
        "stranded_peak_to_2026",
        "npv_2026",
        "impairment_ifrs",
    }


def test_a_summary_rebuilt_from_the_kept_rows_is_the_runs_own(tmp_path):
    import duckdb

    from strandrisk.engine.montecarlo import result_from_rows

    sc = sr.load_scenario("base", overrides={"years": 5})
    path = tmp_path / "k.duckdb"
    live = run_mc(sc, load_uncertainty("base", sc), 150, 9, sampler="lhs", chunk_size=40,
                  outcomes_path=path)  # fmt: skip
    with duckdb.connect(str(path), read_only=True) as con:
        samples = con.execute("SELECT * FROM samples ORDER BY scenario").df()
        rows = con.execute("SELECT * FROM mc").df()
    samples = samples.set_index("scenario")
    again = result_from_rows(sc, samples[sorted(samples.columns)], rows, 9, "lhs")
    for name in ("quantiles", "moments", "intervals", "capex_at_risk", "p_impairment", "fans",
                 "drivers", "together", "breaches", "scenarios"):  # fmt: skip
        pd.testing.assert_frame_equal(getattr(again, name), getattr(live, name), check_exact=True)
    assert (again.n, again.seed, again.sampler) == (150, 9, "lhs")
    pd.testing.assert_frame_equal(again.peak_year_to_2026, live.peak_year_to_2026)
    without = rows.drop(columns="stranded_peak_to_2026_date")  # kept before the dates were
    older = result_from_rows(sc, samples[sorted(samples.columns)], without, 9, "lhs")
    assert older.peak_year_to_2026 is None
    pd.testing.assert_frame_equal(again.economic_life(), live.economic_life(), check_exact=True)
    # from rows stored before the booked life was kept: the economic life, but no comparison
    older = result_from_rows(
        sc, samples[sorted(samples.columns)], rows.drop(columns="booked_life_years"), 9, "lhs"
    ).economic_life()
    pd.testing.assert_series_equal(older["p50"], live.economic_life()["p50"])
    assert older["booked"].isna().all()
    assert older["shorter"].isna().all()
    with pytest.raises(ValueError, match="indexed by scenario"):
        result_from_rows(sc, samples.iloc[1:], rows, 9, "lhs")


# --- precision control (``run_mc(..., precision=...)``, ``mc --precision``) ---------------------


def _widest(result) -> float:
    """Widest relative half-width of P50/P95/P99 over positive amounts, summed out by hand.

    Over the unit's peak stranded value and impairments: the NPV crosses zero, and today's
    capital's peak is not a precision target.
    """
    worst = 0.0
    for (company, outcome), row in result.quantiles.iterrows():
        if outcome not in ("stranded_peak", "impairment_ifrs", "impairment_usgaap"):
            continue
        for level in ("p50", "p95", "p99"):
            low = result.intervals.loc[(company, outcome), f"{level}_low"]
            high = result.intervals.loc[(company, outcome), f"{level}_high"]
            assert not math.isnan(low)
            assert not math.isnan(high)
            if row[level] > 0:
                est = row[level]
                worst = max(worst, (high - est) / est, (est - low) / est)
    return worst


def test_checkpoints_double_from_the_first_and_end_at_the_maximum():
    from strandrisk.engine.montecarlo import precision_checkpoints

    assert precision_checkpoints(100_000) == [10_000, 20_000, 40_000, 80_000, 100_000]
    assert precision_checkpoints(80_000) == [10_000, 20_000, 40_000, 80_000]
    assert precision_checkpoints(7_000) == [7_000]
    assert precision_checkpoints(301, 75) == [75, 150, 300, 301]


def test_a_precision_target_stops_at_the_first_size_that_meets_it_and_equals_that_run(
    monkeypatch,
):
    from strandrisk.engine import montecarlo

    monkeypatch.setattr(montecarlo, "PRECISION_FIRST", 400)
    fixed = {k: _run(k, sampler="lhs") for k in (400, 800)}
    widths = {k: _widest(r) for k, r in fixed.items()}
    assert widths[400] > widths[800]  # the sampling error shrinks with n
    target = (widths[800] + widths[400]) / 2  # met at 800 (if not at 400), not before
    assert widths[800] <= target < widths[400]
    for chunk in (150, 1000):
        got = _run(3000, sampler="lhs", chunk_size=chunk, precision=target)
        assert got.n == 800
        control = got.precision
        assert control.converged
        assert control.checked == (400, 800)
        assert control.maximum == 3000
        assert control.achieved == pytest.approx(widths[800], rel=1e-12)
        assert control.history == pytest.approx((widths[400], widths[800]), rel=1e-12)
        pd.testing.assert_frame_equal(got.quantiles, fixed[800].quantiles)
        pd.testing.assert_frame_equal(got.intervals, fixed[800].intervals)
        pd.testing.assert_frame_equal(got.moments, fixed[800].moments)
        pd.testing.assert_frame_equal(got.p_impairment, fixed[800].p_impairment)
        pd.testing.assert_frame_equal(got.drivers, fixed[800].drivers)
    assert "met after 800 scenarios" in got.precision.sentence()


def test_an_unreachable_precision_target_runs_to_the_maximum_and_says_so(monkeypatch):
    from strandrisk.engine import montecarlo

    monkeypatch.setattr(montecarlo, "PRECISION_FIRST", 400)
    got = _run(1000, precision=1e-6)
    assert got.n == 1000
    control = got.precision
    assert not control.converged
    assert control.checked == (400, 800, 1000)
    assert control.unbounded == ()  # 1,000 draws bound a P99
    assert control.achieved == pytest.approx(_widest(got), rel=1e-12)
    assert "not met within 1,000 scenarios" in control.sentence()
    summary = got.as_json()["precision"]
    assert summary["converged"] is False
    assert summary["checked"] == [400, 800, 1000]
    few = _run(60, precision=0.5)  # too few draws to bound a P99: never converged
    assert "P99" in few.precision.unbounded
    assert few.precision.history == (math.inf,)
    assert few.as_json()["precision"]["history"] == [None]
    assert not few.precision.converged


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, math.nan])
def test_a_precision_outside_zero_to_one_is_refused(bad):
    with pytest.raises(sr.InputError, match="precision"):
        _run(10, precision=bad)
    r = CliRunner().invoke(app, ["mc", "--n", "10", "--precision", str(bad)])
    assert r.exit_code == 2
    assert "--precision" in r.output


def test_quantile_precision_on_hand_made_intervals():
    from strandrisk.engine.montecarlo import quantile_precision

    index = pd.MultiIndex.from_tuples(
        [("a", "stranded_peak"), ("a", "npv_2026"), ("b", "impairment_ifrs")],
        names=["company", "outcome"],
    )
    q = pd.DataFrame(
        {"p50": [100.0, -5.0, 0.0], "p95": [200.0, 1.0, 50.0], "p99": [300.0, 2.0, 60.0]},
        index=index,
    )
    iv = pd.DataFrame(
        {
            "p50_low": [98.0, -900.0, 0.0],
            "p50_high": [101.0, 900.0, 1.0],  # the NPV's huge interval is not counted
            "p95_low": [190.0, 0.0, 49.0],
            "p95_high": [205.0, 2.0, 53.0],
            "p99_low": [290.0, 1.0, 59.0],
            "p99_high": [np.nan, 3.0, 61.0],
        },
        index=index,
    )
    got = quantile_precision(q, iv)
    assert got["P50"] == pytest.approx(0.02)  # 2 below 100; b's zero median is not measured
    assert got["P95"] == pytest.approx(0.06)  # b: 3 above 50
    assert math.isinf(got["P99"])  # a's P99 has no upper bound
    zero = quantile_precision(q.assign(p50=0.0), iv.assign(p99_high=1e9))
    assert math.isnan(zero["P50"])  # nothing positive at P50: nothing to measure


def test_mc_precision_on_the_command_line(tmp_path, monkeypatch):
    from strandrisk.engine import montecarlo

    monkeypatch.setattr(montecarlo, "PRECISION_FIRST", 200)
    paged = CliRunner().invoke(
        app,
        ["mc", "--n", "900", "--precision", "0.01", "--set", "years=3", "--out", str(tmp_path)],
    )
    assert paged.exit_code == 0, paged.output
    page = (tmp_path / "mc.html").read_text()
    assert 'id="fig-mc_convergence"' in page  # 200, 400, 800 and 900 scenarios checked
    assert "not met within 900 scenarios" in page
    r = CliRunner().invoke(
        app,
        ["mc", "--n", "300", "--precision", "0.9", "--json", "--set", "years=3", "--seed", "2"],
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["n"] == 300
    assert summary["precision"]["maximum"] == 300
    text = CliRunner().invoke(app, ["mc", "--n", "300", "--precision", "0.9", "--set", "years=3"])
    assert text.exit_code == 0, text.output
    assert "Precision target ±90%" in " ".join(text.output.split())


def test_a_stored_run_keeps_how_its_precision_target_stopped(tmp_path, monkeypatch):
    from strandrisk.engine import montecarlo
    from strandrisk.engine.montecarlo import PrecisionControl
    from strandrisk.store.runs import RunStore

    monkeypatch.setattr(montecarlo, "PRECISION_FIRST", 200)
    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "900", "--precision", "0.01", "--set", "years=3", "--seed", "2"]
    r = CliRunner().invoke(app, [*args, "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    ran = json.loads(r.stdout)
    kept = RunStore(store).meta(ran["run_id"])["precision"]
    assert kept == ran["precision"]  # target, achieved, sizes checked, history
    control = PrecisionControl.from_json(kept)
    assert control.as_json() == kept
    shown = CliRunner().invoke(app, ["runs", "show", str(ran["run_id"]), "--store", str(store)])
    assert "Precision target ±1% not met within 900 scenarios" in " ".join(shown.output.split())
    out = tmp_path / "page"
    page = CliRunner().invoke(app, ["report", "1", "--store", str(store), "--out", str(out)])
    assert page.exit_code == 0, page.output
    rebuilt = (out / "mc.html").read_text()
    assert 'id="fig-mc_convergence"' in rebuilt  # as the run drew it
    assert 'id="fig-mc_deciles_npv_2026"' in rebuilt  # from the stored draws
    plain = CliRunner().invoke(app, ["mc", "--n", "30", "--set", "years=3", "--store", str(store)])
    assert plain.exit_code == 0, plain.output
    assert RunStore(store).meta(2)["precision"] is None  # a run of a fixed size


def test_debt_cover_against_the_kept_rows(tmp_path):
    """The lowest annual DSCR's spread and covenant breaches, as the rows themselves say."""
    path = tmp_path / "k.duckdb"
    result = _run(400, sampler="lhs", outcomes_path=path)
    _, rows = read_kept(path)
    cover = result.debt_cover((1.0, 2.0, 3.0))
    assert list(cover.columns) == [
        "p5",
        "p50",
        "p95",
        "no_debt_service",
        "below 1",
        "below 2",
        "below 3",
    ]
    for company, group in rows.groupby("company"):
        dscr = group["min_dscr"].to_numpy(dtype=float)
        finite = dscr[np.isfinite(dscr)]
        row = cover.loc[str(company)]
        for q in (5, 50, 95):
            assert row[f"p{q}"] == pytest.approx(np.percentile(finite, q), rel=2e-4)
        assert row["no_debt_service"] == np.mean(np.isnan(dscr))
        for level in (1.0, 2.0, 3.0):
            near = np.abs(finite - level) <= 1e-4 * level  # may fall in the level's bucket
            exact = np.sum(finite < level) / dscr.size
            assert abs(row[f"below {level:g}"] - exact) <= near.sum() / dscr.size
    odds = result.probabilities([("min_dscr", 2.0, False), ("min_dscr", 2.0, True)])
    for company, group in rows.groupby("company"):
        dscr = group["min_dscr"].to_numpy(dtype=float)
        below = odds.loc[str(company), "min_dscr < 2"]
        assert below == pytest.approx(cover.loc[str(company), "below 2"], abs=1e-12)
        # no debt service: no DSCR, counted above any level
        above = (np.sum(dscr > 2.0) + np.sum(np.isnan(dscr))) / dscr.size
        assert odds.loc[str(company), "min_dscr > 2"] == pytest.approx(above, abs=2 / dscr.size)
    summary = result.as_json()["debt_cover"]["industry"]
    assert summary["p50"] == pytest.approx(cover.loc["industry", "p50"])
    assert set(result.quantiles.index.get_level_values("outcome")) == {
        "stranded_peak",
        "stranded_peak_to_2026",
        "npv_2026",
        "impairment_ifrs",
        "impairment_usgaap",
    }  # min_dscr has its own table, not a row among the money outcomes


def test_interest_cover_against_the_kept_rows(tmp_path):
    """The lowest annual EBIT / interest: spread and breaches as the kept rows say."""
    path = tmp_path / "k.duckdb"
    result = _run(400, sampler="lhs", outcomes_path=path)
    _, rows = read_kept(path)
    cover = result.interest_cover()
    assert list(cover.columns) == ["p5", "p50", "p95", "no_interest", *INTEREST_LEVELS]
    for company, group in rows.groupby("company"):
        icr = group["min_interest_cover"].to_numpy(dtype=float)
        finite = icr[np.isfinite(icr)]
        row = cover.loc[str(company)]
        for q in (5, 50, 95):
            assert row[f"p{q}"] == pytest.approx(np.percentile(finite, q), rel=2e-4, abs=1e-9)
        assert row["no_interest"] == np.mean(np.isnan(icr))
        for level in (1.0, 2.0, 3.0):
            near = np.abs(finite - level) <= 1e-4 * level
            exact = np.sum(finite < level) / icr.size
            assert abs(row[f"below {level:g}"] - exact) <= near.sum() / icr.size
    odds = result.probabilities([("min_interest_cover", 3.0, False)])
    np.testing.assert_allclose(odds["min_interest_cover < 3"], cover["below 3"], atol=1e-12)
    assert result.as_json()["interest_cover"]["industry"]["p50"] == pytest.approx(
        cover.loc["industry", "p50"]
    )
    # without debt there is no interest, so no cover to breach
    sc = sr.load_scenario("base", overrides={"years": 4, "financing.debt_share": 0.0})
    free = run_mc(sc, load_uncertainty("base", sc), 50, 1).interest_cover()
    assert (free["no_interest"] == 1.0).all()
    assert (free["below 3"] == 0.0).all()


INTEREST_LEVELS = ["below 1", "below 2", "below 3"]


def test_debt_cover_without_debt_counts_no_breach():
    sc = sr.load_scenario("base", overrides={"years": 4, "financing.debt_share": 0.0})
    space = load_uncertainty("base", sc)
    result = run_mc(sc, space, 50, 1)
    cover = result.debt_cover()
    odds = result.probabilities([("min_dscr", 1.2, False), ("min_dscr", 1.2, True)])
    assert (odds["min_dscr < 1.2"] == 0.0).all()
    assert (odds["min_dscr > 1.2"] == 1.0).all()
    assert (cover["no_debt_service"] == 1.0).all()
    assert (cover["below 1"] == 0.0).all()
    assert cover["p50"].isna().all()


def test_stored_dscr_breach_counts_no_debt_as_no_breach(tmp_path):
    from strandrisk.store.runs import RunStore

    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "20", "--set", "years=3", "--set", "financing.debt_share=0"]
    r = CliRunner().invoke(app, [*args, "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    run_id = json.loads(r.stdout)["run_id"]
    runs = RunStore(store)
    assert (runs.share_below(run_id, "min_dscr", 1.2, missing_is_above=True) == 0.0).all()
    assert runs.share_below(run_id, "min_dscr", 1.2).isna().all()  # nothing to average


def test_the_loan_cover_over_the_draws(tmp_path):
    """LLCR quantiles and shares against the rows, chunk invariance, and the by-year shares."""
    a = _outcomes(tmp_path, "cover_a", chunk_size=90, llcr=True)
    b = _outcomes(tmp_path, "cover_b", chunk_size=17, llcr=True)
    pd.testing.assert_frame_equal(a, b)
    assert {"min_llcr", "first_llcr_below_1"} <= set(a.columns)
    plain = _outcomes(tmp_path, "plain", chunk_size=90)
    pd.testing.assert_frame_equal(a[plain.columns], plain)  # nothing else moves

    result = _run(90, llcr=True, chunk_size=40)
    assert result.has_loan_cover
    cover = result.loan_cover()
    for company, rows in a.groupby("company"):
        lowest = rows["min_llcr"].to_numpy(dtype=float)
        row = cover.loc[company]
        for q in (5, 50, 95):  # the sketch: within 0.01 % of NumPy's default quantile
            assert row[f"p{q}"] == pytest.approx(np.percentile(lowest, q), rel=2e-4)
        for level in (1.0, 1.2, 1.5):
            assert row[f"below {level:g}"] == pytest.approx(np.mean(lowest < level))
        assert row["no_debt"] == 0.0
        # below 1 by the horizon's last year: exactly the draws whose lowest LLCR is below 1
        by_year = result.p_llcr_below_1.xs(company, level="company")["share"]
        assert np.all(np.diff(by_year.to_numpy()) >= 0)
        assert by_year.iloc[-1] == pytest.approx(np.mean(lowest < 1.0))
        first = rows["first_llcr_below_1"].dropna().str[:4].astype(int)
        assert by_year.loc[2027] == pytest.approx((first <= 2027).sum() / len(rows))
    odds = result.probabilities([("min_llcr", 1.0, False)])
    assert odds["min_llcr < 1"].to_dict() == pytest.approx(cover["below 1"].to_dict())
    summary = result.as_json()["loan_cover"]
    assert summary["lowest"]["industry"]["p50"] == pytest.approx(cover.loc["industry", "p50"])
    assert set(summary["below_1_by_year"]) == {str(y) for y in range(2026, 2031)}  # 5 years
    with pytest.raises(sr.InputError, match="--llcr"):
        _run(30).probabilities([("min_llcr", 1.0, False)])


def test_mc_llcr_on_the_command_line(tmp_path):
    runner = CliRunner()
    base = ["mc", "--n", "40", "--seed", "3", "--set", "years=4"]
    r = runner.invoke(app, [*base, "--llcr", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    for text in (r.stdout, (tmp_path / "mc.html").read_text()):
        assert "Loan life cover: the lowest quarterly LLCR" in text
        assert "Probability the LLCR has fallen below 1 by the end of the year" in text
    assert "Loan life cover" not in runner.invoke(app, base).stdout  # only when asked
    # a condition on min_llcr computes it without --llcr; the JSON carries both
    r = runner.invoke(app, [*base, "--below", "min_llcr=1.1", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    shares = summary["probabilities"]["min_llcr < 1.1"]
    assert summary["loan_cover"] is not None
    direct = _run_cli_rows(base)
    for company, share in shares.items():
        lowest = direct.loc[direct["company"] == company, "min_llcr"].to_numpy(dtype=float)
        assert share == pytest.approx(np.mean(lowest < 1.1))
    r = runner.invoke(app, [*base, "--llcr", "--compare", "capex.path=flat"])
    assert r.exit_code == 0, r.output  # each decision's LLCR beside its DSCR
    assert "LLCR P50" in r.output


def _run_cli_rows(base):
    """The outcome rows of the run ``base`` describes (40 draws, seed 3, four years)."""
    sc = sr.load_scenario("base", overrides={"years": 4})
    from strandrisk.scenarios.sampling import sample_range

    samples = sample_range(load_uncertainty("base", sc), 0, 40, 3, "mc")
    return sr.simulate(sc, samples, breakeven=False, keep_series=False, llcr=True).outcomes


# --- how many companies at once (``MCResult.together``, ``at_once``) ----------------------------


def test_how_many_companies_at_once_by_hand():
    """Three scenarios of three companies, first charges by hand: scenario 0 has a in 2026,
    b in 2028 and never c; scenario 1 all three in 2027; scenario 2 none. By the end of
    2026: 1, 0, 0 companies; of 2027: 1, 3, 0; of 2028 on: 2, 3, 0."""
    from strandrisk.engine.mc_task import _reduce

    firsts = {
        (0, "a"): "2026Q2", (0, "b"): "2028Q4", (0, "c"): None,
        (1, "a"): "2027Q1", (1, "b"): "2027Q3", (1, "c"): "2027Q4",
        (2, "a"): None, (2, "b"): None, (2, "c"): None,
    }  # fmt: skip
    industry = [("industry", "2026Q1", None)] * 3  # the industry's rows count as no company
    rows = pd.DataFrame(
        [(s, c, q, q) for (s, c), q in firsts.items()]
        + [(s, *row) for s, row in enumerate(industry)],
        columns=["scenario", "company", "first_impairment_ifrs", "first_impairment_usgaap"],
    )
    together = _reduce(rows, 4)[3]
    assert together.shape == (2, 4, 4)
    want = [[2, 1, 0, 0], [1, 1, 0, 1], [1, 0, 1, 1], [1, 0, 1, 1]]  # years x k
    np.testing.assert_array_equal(together[0], want)
    np.testing.assert_array_equal(together[1], want)


def test_the_mean_number_impaired_is_the_sum_of_the_companies_chances():
    """Linearity of expectation, exactly: sum over k of k times P(k) by a year is the sum of
    the companies' own chances of a charge by then; the shares add to 1 and the chance that
    at least m are impaired only grows from year to year."""
    r = _run(300, sampler="lhs", chunk_size=128)
    for event in ("ifrs", "usgaap"):
        table = r.at_once(event)
        counts = [c for c in table.columns if isinstance(c, int)]
        assert counts == [0, 1, 2, 3, 4, 5]
        shares = table[counts].to_numpy()
        np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-12)
        own = r.p_impairment[event].drop("industry", level="company").groupby(level="year").sum()
        np.testing.assert_allclose(shares @ np.arange(6), own.to_numpy(), rtol=1e-12)
        at_least = shares[:, ::-1].cumsum(axis=1)[:, ::-1]
        assert (np.diff(at_least, axis=0) >= -1e-12).all()
        np.testing.assert_allclose(table["any"], 1 - table[0])
        alone = r.p_impairment[event].unstack("company").drop(columns="industry")
        np.testing.assert_allclose(table["independent"], alone.prod(axis=1), rtol=1e-12)
    as_json = r.as_json()["together"]
    assert set(as_json) == {"ifrs", "usgaap"}
    assert as_json["ifrs"]["2027"]["5"] == float(r.together.loc[("ifrs", 2027), 5])


def test_covenant_breaches_at_once_by_hand():
    """Lowest DSCRs of three companies in four scenarios; NaN (no debt service) never
    breaches; the industry is not a company. Below 1.0: scenario 0 has a (0.9), scenario 2
    a and c (b's 1.0 is not below); below 1.2: scenario 0 has a and b (1.1), 1 has b (1.15),
    2 all three, 3 none; below 1.5 scenario 3 has c (1.4)."""
    from strandrisk.engine.mc_task import _breaches

    lowest = [
        np.array([0.9, 2.0, 0.5, 3.0]),  # a
        np.array([1.1, 1.15, 1.0, np.nan]),  # b
        np.array([np.nan, 5.0, 0.2, 1.4]),  # c
        np.array([0.1, 0.1, 0.1, 0.1]),  # the industry
    ]
    got = _breaches(["a", "b", "c", "industry"], lowest)
    np.testing.assert_array_equal(got, [[2, 1, 1, 0], [1, 1, 1, 1], [0, 2, 1, 1]])


def test_breaches_at_once_add_up_to_each_companys_own_chance(tmp_path):
    """The mean number of companies below a level is the sum of their own shares below it,
    counted here from the kept rows; the independent benchmark is their product."""
    import duckdb

    path = tmp_path / "k.duckdb"
    r = _run(300, sampler="lhs", chunk_size=128, outcomes_path=path)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT company, min_dscr FROM mc WHERE company <> 'industry'").df()
    table = r.breaches_at_once()
    for level, row in table.iterrows():
        own = rows.assign(below=rows["min_dscr"] < level).groupby("company")["below"].mean()
        np.testing.assert_allclose(row[list(range(6))] @ np.arange(6), own.sum(), rtol=1e-12)
        alone = r.debt_cover().drop(index="industry")[f"below {level:g}"]
        np.testing.assert_allclose(row["independent"], alone.prod(), rtol=1e-12)
        np.testing.assert_allclose(row[list(range(6))].sum(), 1.0, rtol=1e-12)
    assert set(r.as_json()["breaches"]) == {"1", "1.2", "1.5"}


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 12),
    st.integers(0, 2**32 - 1),
)
def test_the_at_once_counts_are_the_direct_count_year_by_year(companies, years, seed):
    """The sorted-rows count equals counting, for each year, the companies whose first event
    is in it or before, scenario by scenario (``years``: never)."""
    from strandrisk.engine.mc_task import _together

    rng = np.random.default_rng(seed)
    names = [f"c{i}" for i in range(companies)] + ["industry"]
    first = [rng.integers(0, years + 1, 300) for _ in names]
    got = _together(names, [first], years)[0]
    stacked = np.column_stack(first[:-1])
    for y in range(years):
        k = (stacked <= y).sum(axis=1)
        np.testing.assert_array_equal(got[y], np.bincount(k, minlength=companies + 1))


def test_a_covenant_asked_for_is_counted_at_once_too(tmp_path):
    """``mc --below min_dscr=1.25`` adds 1.25 to the levels counted at once (sorted, each once),
    live and rebuilt from the kept rows alike; a level that is no DSCR is refused."""
    import duckdb

    from strandrisk.engine.mc_result import covenants_asked
    from strandrisk.engine.montecarlo import result_from_rows

    asked = [("min_dscr", 1.25, False), ("min_dscr", 1.2, False), ("min_dscr", 3.0, True)]
    assert covenants_asked(asked) == (1.0, 1.2, 1.25, 1.5)
    sc = sr.load_scenario("base", overrides={"years": 5})
    path = tmp_path / "k.duckdb"
    live = run_mc(sc, load_uncertainty("base", sc), 150, 9, sampler="lhs", chunk_size=40,
                  outcomes_path=path, covenants=covenants_asked(asked))  # fmt: skip
    assert list(live.breaches.index) == [1.0, 1.2, 1.25, 1.5]
    with duckdb.connect(str(path), read_only=True) as con:
        samples = con.execute("SELECT * FROM samples ORDER BY scenario").df().set_index("scenario")
        rows = con.execute("SELECT * FROM mc").df()
    again = result_from_rows(
        sc, samples[sorted(samples.columns)], rows, 9, "lhs", covenants_asked(asked)
    )
    pd.testing.assert_frame_equal(again.breaches, live.breaches, check_exact=True)
    companies = rows[rows["company"] != "industry"]
    below = (companies["min_dscr"] < 1.25).groupby(companies["scenario"]).sum()
    want = np.bincount(below, minlength=6) / 150
    np.testing.assert_allclose(live.breaches.loc[1.25].to_numpy(), want, rtol=1e-12)
    with pytest.raises(sr.InputError, match="finite DSCR levels"):
        run_mc(sc, load_uncertainty("base", sc), 10, 9, covenants=(float("nan"),))


def test_crystal_balls_contribution_to_variance_by_hand():
    """Correlations 0.6, -0.3, 0.1 (and one not ranked): squares 0.36, 0.09, 0.01 over 0.46,
    signed; no correlation at all: no shares. The run's table and JSON read the same."""
    from strandrisk.core.drivers import variance_contribution

    got = variance_contribution(np.array([0.6, -0.3, 0.1, np.nan]))
    np.testing.assert_allclose(got[:3], [0.36 / 0.46, -0.09 / 0.46, 0.01 / 0.46], rtol=1e-12)
    assert np.isnan(got[3])
    assert np.isnan(variance_contribution(np.zeros(3))).all()
    r = _run(200, sampler="lhs")
    table = r.contribution_to_variance("industry")
    assert list(table.index) == list(r.driver_table("industry").index)
    ranked = r.drivers_of("industry").xs("stranded_peak", level="outcome")["spearman"]
    want = variance_contribution(ranked.to_numpy())
    np.testing.assert_allclose(np.abs(want).sum(), 1.0, rtol=1e-12)
    top = ranked.index[0]
    assert table.loc[top, "stranded_peak"] == want[0]
    json_share = r.as_json()["drivers"]["industry.stranded_peak"]["parameters"][top]["contribution"]
    assert json_share == want[0]
