"""The DuckDB run store: round trip, comparison, and no partial run after a failure."""

import pandas as pd
import pytest

import strandrisk as sr
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
