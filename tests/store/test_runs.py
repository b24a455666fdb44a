"""The DuckDB run store: round trip, comparison, and no partial run after a failure."""

import math

import numpy as np
import pandas as pd
import pytest

import strandrisk as sr
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.store.runs import RunStore


@pytest.fixture(scope="module")
def result():
    return sr.simulate(sr.load_scenario("base"), breakeven=False)


def record(store, result, **kw):
    return store.record(
        kind="run", scenario_name="base", scenario_toml=sr.dump_scenario(result.scenario),
        outcomes=result.outcomes, series=result.series, package_version=sr.__version__,
        register_sha256=sr.load_register().sha256(), **kw,
    )  # fmt: skip


def test_round_trip(tmp_path, result):
    store = RunStore(tmp_path / "s.duckdb")
    run_id = record(store, result, seed=7)
    back = store.get(run_id)
    pd.testing.assert_frame_equal(back.outcomes, result.outcomes, check_dtype=False)
    assert back.meta["seed"] == 7
    assert back.meta["register_sha256"] == sr.load_register().sha256()
    assert (
        sr.load_scenario("base").flat()
        == sr.load_scenario(_write(tmp_path, back.meta["scenario_toml"])).flat()
    )
    stranded = back.series[
        (back.series["variable"] == "stranded_value") & (back.series["company"] == "industry")
    ]
    assert stranded["value"].to_numpy() == pytest.approx(
        result.series["stranded_value"].sel(company="industry").values[0]
    )


def _write(tmp_path, text):
    path = tmp_path / "back.toml"
    path.write_text(text)
    return path


def test_compare(tmp_path, result):
    store = RunStore(tmp_path / "s.duckdb")
    a = record(store, result)
    other = sr.simulate(sr.load_scenario("open-source-collapse"), breakeven=False)
    b = record(store, other)
    table = store.compare(a, b)
    row = table.loc[("industry", "stranded_peak")]
    assert row["difference"] == pytest.approx(row["second"] - row["first"])


def test_compare_lists_companies_in_model_order_with_units(tmp_path, result):
    store = RunStore(tmp_path / "s.duckdb")
    table = store.compare(record(store, result), record(store, result))
    outcomes = list(dict.fromkeys(table.index.get_level_values("outcome")))
    assert outcomes[:2] == ["capex_2026", "booked_life_years"]  # the outcome table's order
    npv = table.xs("npv_2026", level="outcome")
    assert list(npv.index) == ["amazon", "alphabet", "meta", "microsoft", "oracle", "industry"]
    assert set(npv["unit"]) == {"USD"}
    assert (table["difference"].dropna() == 0).all()


def test_the_store_holds_at_most_the_kept_files_memory_and_spills_the_rest(tmp_path, result):
    """A large Monte Carlo run's rows go to disk, not RAM (a stored 10^6 run: 1.8 -> 1.4 GB)."""
    store = RunStore(tmp_path / "runs.duckdb")
    record(store, result, seed=7)
    for read_only in (False, True):
        with store._connect(read_only=read_only) as con:
            limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            assert limit == "488.2 MiB"  # DUCKDB_MEMORY, 512 MB


def test_a_failed_write_leaves_no_partial_run(tmp_path, result, monkeypatch):
    store = RunStore(tmp_path / "s.duckdb")
    record(store, result)
    broken = result.series.copy()
    monkeypatch.setattr(
        "strandrisk.store.runs._series_frame", lambda ds: 1 / 0 if ds is broken else None
    )
    with pytest.raises(ZeroDivisionError):
        record(store, sr.SimulationResult(result.scenario, result.outcomes, broken))
    monkeypatch.undo()
    frame = store.list_runs()
    assert list(frame["id"]) == [1]


def test_killed_writer_leaves_store_readable(tmp_path, result):
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "s.duckdb"
    record(RunStore(path), result)
    script = textwrap.dedent(f"""
        import os, strandrisk as sr
        from strandrisk.store import runs
        original = runs.duckdb.DuckDBPyConnection.register
        def die(self, name, frame):
            if name == "new_series":
                os._exit(9)  # killed in the middle of the transaction
            return original(self, name, frame)
        runs.duckdb.DuckDBPyConnection.register = die
        r = sr.simulate(sr.load_scenario("base"), breakeven=False)
        runs.RunStore(r"{path}").record(kind="run", scenario_name="x", scenario_toml="", outcomes=r.outcomes,
            series=r.series, package_version="t", register_sha256="t")
    """)
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == 9
    runs = RunStore(path).list_runs()
    assert list(runs["id"]) == [1]
    assert len(RunStore(path).get(1).outcomes) == 6


DRIVERS = ("stranded_peak", "stranded_peak_to_2026", "npv_2026", "impairment_ifrs")


def test_a_monte_carlo_export_carries_the_drawn_parameters(tmp_path, monkeypatch):
    import numpy as np
    import openpyxl
    from typer.testing import CliRunner

    from strandrisk.cli.main import app
    from strandrisk.store import export
    from strandrisk.store.export import export_xlsx

    store = tmp_path / "s.duckdb"
    r = CliRunner().invoke(app, ["mc", "--n", "20", "--store", str(store), "--set", "years=3"])
    assert r.exit_code == 0, r.output
    run = RunStore(store).get(1)
    assert len(run.samples) == 20
    assert "market.price_decline" in run.samples.columns
    assert run.samples["scenario"].tolist() == list(range(20))
    path = export_xlsx(run, tmp_path / "mc.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:7] == [
        "run", "inputs", "priors", "quantiles", "drivers", "scenarios", "outcomes"
    ]  # fmt: skip
    inputs = [row[0] for row in book["inputs"].values]
    assert "years" in inputs
    assert not [k for k in inputs if str(k).startswith(("uncertainty", "correlations"))]
    priors = {row[0]: row for row in list(book["priors"].values)[1:]}
    assert priors["capex.growth"][1:5] == ("triangular", 0, 0.1, 0.3)  # low, mode, high
    assert priors["market.price_decline"][6] == "technology.software_efficiency +0.5"
    assert priors["technology.software_efficiency"][6] == "market.price_decline +0.5"
    drivers = list(book["drivers"].values)
    assert drivers[0] == (
        "company",
        "outcome",
        "parameter",
        "spearman",
        "spearman_pm",
        "srrc",
        "r2",
        "contribution",
    )
    from strandrisk.engine.montecarlo import drivers_frame

    expected = drivers_frame(
        run.samples.set_index("scenario"),
        run.outcomes[["scenario", "company", *DRIVERS]],
    )
    assert len(drivers) - 1 == len(expected)  # every company, outcome and parameter
    first = drivers[1]
    assert first[3] == expected.loc[tuple(first[:3]), "spearman"]
    from strandrisk.core.drivers import variance_contribution

    group = expected.xs(tuple(first[:2]), level=["company", "outcome"])["spearman"]
    assert first[7] == variance_contribution(group.to_numpy())[0]  # the first ranked
    q = list(book["quantiles"].values)
    assert q[0] == ("company", "outcome", "P5", "P50", "P95", "P99")
    stored = RunStore(store).quantiles(1)
    for company, outcome, *levels in q[1:]:  # the figures `runs show` prints
        assert np.allclose(levels, stored.loc[(company, outcome)].to_numpy(), equal_nan=True)
    npv = next(i for i, r in enumerate(q) if r[1] == "npv_2026") + 1
    assert book["quantiles"].cell(npv, 3).number_format.startswith('$#,##0.0,,,"B"')
    rows = list(book["samples"].values)
    assert rows[0][0] == "scenario"
    assert len(rows) == 21
    column = rows[0].index("market.price_decline")
    assert np.allclose([row[column] for row in rows[1:]], run.samples["market.price_decline"])
    assert "samples" not in export.run_tables(  # a single run has no samples sheet
        type(run)(meta=run.meta, outcomes=run.outcomes, series=run.series)
    )
    monkeypatch.setattr(export, "EXCEL_ROWS", 100)  # 20 scenarios x 6 companies = 120 rows
    out = CliRunner().invoke(
        app, ["export", "1", "--store", str(store), "--xlsx", str(tmp_path / "big.xlsx")]
    )
    assert out.exit_code == 2
    assert "more than an Excel sheet holds" in out.stderr
    assert "--parquet" in out.stderr
    assert not (tmp_path / "big.xlsx").exists()


def test_a_store_path_holding_another_file_is_refused_before_any_work(tmp_path):
    from typer.testing import CliRunner

    from strandrisk.cli.main import app

    notes = tmp_path / "notes.csv"
    notes.write_text("a,b\n1,2\n")  # DuckDB would open this as an empty in-memory database
    out = tmp_path / "report"
    for args in (
        ["run", "--set", "years=2", "--out", str(out)],
        ["mc", "--n", "10", "--set", "years=2"],
        ["runs", "list"],
    ):
        r = CliRunner().invoke(app, [*args, "--store", str(notes)])
        assert r.exit_code == 2, r.output
        assert "exists and is not a DuckDB file" in r.stderr
    assert notes.read_text() == "a,b\n1,2\n"
    assert not out.exists()  # refused before the report was written
    with pytest.raises(sr.InputError, match="not a DuckDB file"):
        RunStore(notes).list_runs()


def test_a_monte_carlo_run_with_the_loan_cover_keeps_it_and_others_do_not(tmp_path):
    import duckdb
    from typer.testing import CliRunner

    from strandrisk.cli.main import app
    from strandrisk.engine.montecarlo import result_from_rows, run_mc
    from strandrisk.io.uncertainty import load_uncertainty

    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "40", "--seed", "3", "--set", "years=4", "--store", str(store)]
    assert CliRunner().invoke(app, args).exit_code == 0
    r = CliRunner().invoke(app, [*args, "--llcr"])
    assert r.exit_code == 0, r.output
    plain, cover = RunStore(store).get(1), RunStore(store).get(2)
    assert not plain.meta["loan_cover"]
    assert cover.meta["loan_cover"]
    assert "min_llcr" not in plain.outcomes
    assert cover.outcomes["min_llcr"].notna().all()
    assert "min_llcr" not in RunStore(store).quantiles(1).index.get_level_values("outcome")
    assert "min_llcr" in RunStore(store).quantiles(2).index.get_level_values("outcome")
    # the summary rebuilt from the stored rows is the run's own
    scenario = sr.load_scenario("base", overrides={"years": 4})
    space = load_uncertainty("base", scenario)
    direct = run_mc(scenario, space, 40, 3, llcr=True)
    samples = cover.samples.set_index("scenario")
    samples.index = samples.index.astype("int64")
    again = result_from_rows(scenario, samples, cover.outcomes, 3, "mc")
    pd.testing.assert_frame_equal(again.loan_cover(), direct.loan_cover())
    pd.testing.assert_frame_equal(again.p_llcr_below_1, direct.p_llcr_below_1)
    shown = CliRunner().invoke(app, ["runs", "show", "2", "--store", str(store)])
    assert "lowest quarterly LLCR falls below 1.0x" in shown.output
    assert "lowest annual interest cover falls below 2.0x" in shown.output
    kept = cover.outcomes["min_interest_cover"]
    assert kept.notna().any()  # kept and stored with every Monte Carlo run
    shown = CliRunner().invoke(app, ["runs", "show", "1", "--store", str(store)])
    assert "LLCR" not in shown.output
    with pytest.raises(sr.InputError, match="--llcr"):
        RunStore(store).share_below(1, "min_llcr", 1.0)
    # a store written before the loan cover columns still reads (read-only, not migrated)
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute(f"ATTACH '{store}' AS new (READ_ONLY)")
        for table in ("store_info", "runs", "mc_samples", "series"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM new.{table}")
        con.execute(
            "CREATE TABLE outcomes AS SELECT * EXCLUDE (min_llcr, first_llcr_below_1) FROM new.outcomes"
        )
        con.execute("CREATE TABLE mc_design AS SELECT run_id, sampler FROM new.mc_design")
    back = RunStore(old).get(2)
    assert not back.meta["loan_cover"]
    assert "min_llcr" not in back.outcomes
    assert not RunStore(old).quantiles(2).empty


@pytest.mark.parametrize(
    "added", [("min_interest_cover",), ("stranded_peak_to_2026", "stranded_peak_to_2026_date")]
)
def test_a_store_from_before_a_column_was_added_gains_it_in_place(tmp_path, result, added):
    import duckdb

    old = tmp_path / "old.duckdb"
    record(RunStore(old), result)
    with duckdb.connect(str(old)) as con:  # as a store written before the columns
        for column in added:
            con.execute(f"ALTER TABLE outcomes DROP COLUMN {column}")
    with duckdb.connect(str(old), read_only=True) as con:  # the file: as it was
        kept = {row[0] for row in con.execute("DESCRIBE outcomes").fetchall()}
    assert not set(added) & kept
    before = RunStore(old).get(1).outcomes  # read back: every column, the new ones empty
    assert list(before.columns) == list(result.outcomes.columns)
    assert before[list(added)].isna().all().all()
    store = RunStore(old)
    run_id = record(store, result)  # writing migrates the table
    assert run_id == 2
    pd.testing.assert_frame_equal(store.get(2).outcomes, result.outcomes, check_dtype=False)
    first = store.get(1).outcomes
    assert list(first.columns) == list(result.outcomes.columns)  # each beside its kin
    for column in added:
        assert first[column].isna().all()  # not computed then
    assert added[0] in store.quantiles(2).index.get_level_values("outcome")


def test_a_kept_run_from_before_todays_capital_is_stored_without_it(tmp_path):
    import duckdb

    from strandrisk.store.mc_runs import record_mc

    kept = tmp_path / "kept.duckdb"
    sc = sr.load_scenario("base", {"years": 3})
    sr.run_mc(sc, load_uncertainty("base", sc), n=40, seed=2, outcomes_path=kept)
    kw = {"scenario_name": "base", "scenario_toml": "", "seed": 2}
    store = RunStore(tmp_path / "s.duckdb")
    now = record_mc(store, kept=kept, package_version="x", register_sha256="y", **kw)
    with duckdb.connect(str(kept)) as con:  # as `mc --keep` wrote it before the column
        full = con.execute("SELECT * FROM mc ORDER BY scenario, company").df()
        con.execute("ALTER TABLE mc DROP COLUMN stranded_peak_to_2026")
    stored = store.get(now).outcomes.sort_values(["scenario", "company"])
    np.testing.assert_array_equal(stored["stranded_peak_to_2026"], full["stranded_peak_to_2026"])
    run_id = record_mc(store, kept=kept, package_version="x", register_sha256="y", **kw)
    rows = store.get(run_id).outcomes
    assert rows["stranded_peak_to_2026"].isna().all()
    assert len(rows) == len(full)
    np.testing.assert_array_equal(
        rows.sort_values(["scenario", "company"])["stranded_peak"], full["stranded_peak"]
    )


def test_the_priors_sheet_says_where_a_prior_is_truncated():
    from strandrisk.store.export import _priors

    table = _priors(
        {
            "technology.physical_life": {"dist": "normal", "low": 1, "high": 9, "truncate": [0.5, 10]},
            "market.elasticity": {"dist": "lognormal", "low": 0.5, "high": 2, "truncate": [0.6, math.inf]},
            "market.price_decline": {"dist": "uniform", "low": 0.5, "high": 1.5},
        },
        {},
    )  # fmt: skip
    assert table["truncated to"].fillna("-").tolist() == ["[0.5, 10]", "[0.6, inf]", "-"]


def test_an_export_keeps_a_cumulative_priors_points(tmp_path):
    from typer.testing import CliRunner

    from strandrisk.cli.main import app
    from strandrisk.store.export import run_tables

    f = tmp_path / "expert.toml"
    f.write_text(
        "years = 3\n[uncertainty]\n"
        '"market.price_decline" = { dist = "cumulative", low = 0.3, high = 2.5, '
        "values = [0.6, 0.88, 1.4], probabilities = [0.1, 0.5, 0.9] }\n"
    )
    store = tmp_path / "s.duckdb"
    r = CliRunner().invoke(app, ["mc", "--scenario", str(f), "--n", "20", "--store", str(store)])
    assert r.exit_code == 0, r.output
    priors = run_tables(RunStore(store).get(1))["priors"].set_index("parameter")
    row = priors.loc["market.price_decline"]
    assert (row["distribution"], row["low"], row["high"], row["values"]) == (
        "cumulative",
        0.3,
        2.5,
        3,
    )
    assert row["cumulative probabilities"] == "P10 0.6, P50 0.88, P90 1.4"
    assert list(priors.columns)[-2:] == ["cumulative probabilities", "beta shape"]  # the newest
    assert priors["beta shape"].isna().all()
