"""A stored run recomputed with today's model: the same, or which outcomes moved and where."""

import json

import duckdb
import pytest
from typer.testing import CliRunner

from strandrisk import InputError
from strandrisk.cli.main import app
from strandrisk.recheck import recheck_run


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("recheck") / "s.duckdb"
    runner = CliRunner()
    for args in (
        ["run", "--no-report", "--set", "years=3"],
        ["mc", "--n", "40", "--seed", "5", "--sampler", "lhs", "--set", "years=3"],
        ["mc", "--n", "40", "--compare", "capex.path=flat", "--set", "years=3"],
        ["mc", "--n", "24", "--seed", "2", "--capex-years", "--set", "years=3"],
    ):
        r = runner.invoke(app, [*args, "--store", str(path)])
        assert r.exit_code == 0, r.output
    return path


def test_runs_stored_by_this_model_are_the_same(store):
    single = recheck_run(store, 1)
    assert single.same
    assert single.scenarios == 1
    assert {"npv_2026", "stranded_peak", "breakeven_demand_growth"} <= set(single.columns.index)
    assert single.columns.loc["npv_2026", "compared"] == 6  # five companies and the industry
    assert (single.columns["compared"] <= 6).all()  # a date never reached on both sides: not
    mc = recheck_run(store, 2, n=15)
    assert mc.same
    assert mc.scenarios == 15
    assert mc.columns.loc["stranded_peak", "compared"] == 15 * 6
    assert "breakeven_demand_growth" not in mc.columns.index  # the Monte Carlo has none
    r = CliRunner().invoke(app, ["runs", "check", "2", "--store", str(store), "--n", "15"])
    assert r.exit_code == 0, r.output
    assert "The same: all" in r.stdout
    shown = CliRunner().invoke(app, ["runs", "show", "2", "--store", str(store)]).stdout
    assert f"strandrisk runs check 2 --store {store}" in " ".join(shown.split())


def test_a_changed_outcome_is_found_where_it_changed(store, tmp_path):
    changed = tmp_path / "changed.duckdb"
    changed.write_bytes(store.read_bytes())
    with duckdb.connect(str(changed)) as con:  # as if the model had moved since
        con.execute(
            "UPDATE outcomes SET npv_2026 = npv_2026 + 2e9 "
            "WHERE run_id = 2 AND scenario = 3 AND company = 'meta'"
        )
        con.execute(
            "UPDATE outcomes SET first_impairment_ifrs = '2099Q1' "
            "WHERE run_id = 2 AND scenario = 7 AND company = 'oracle'"
        )
    result = recheck_run(changed, 2, n=10)
    assert not result.same
    npv = result.columns.loc["npv_2026"]
    assert (npv["compared"], npv["differ"]) == (60, 1)
    assert npv["largest"] == pytest.approx(2e9, rel=1e-9)
    assert npv["where"] == "scenario 3, meta"
    assert npv["stored"] - npv["now"] == pytest.approx(2e9, rel=1e-9)
    date = result.columns.loc["first_impairment_ifrs"]
    assert date["differ"] == 1
    assert date["where"] == "scenario 7, oracle"
    assert result.columns.loc["stranded_peak", "differ"] == 0
    runner = CliRunner()
    r = runner.invoke(app, ["runs", "check", "2", "--store", str(changed), "--n", "10"])
    assert r.exit_code == 1  # a script can tell
    text = " ".join(r.stdout.split())
    assert "2 of 13 outcomes moved" in text
    assert "npv_2026 60 1 $2.0B" in text
    r = runner.invoke(app, ["runs", "check", "2", "--store", str(changed), "--n", "10", "--json"])
    out = json.loads(r.stdout)
    assert out["same"] is False
    assert out["outcomes"]["npv_2026"]["differ"] == 1


def test_a_decision_comparison_is_run_again_whole(store, tmp_path):
    again = recheck_run(store, 3)
    assert again.same
    assert again.scenarios == 40
    assert again.columns.loc["summary: npv_2026_p50", "compared"] == 2 * 6  # decisions x companies
    assert again.columns.loc["summary: p_npv_negative", "unit"] == "fraction"
    # a comparison stored without its priors cannot be run again from the store
    old = tmp_path / "old.duckdb"
    old.write_bytes(store.read_bytes())
    import strandrisk as sr
    from strandrisk.io.scenario import dump_scenario

    plain = dump_scenario(sr.load_scenario("base", overrides={"years": 3}))
    with duckdb.connect(str(old)) as con:
        con.execute("UPDATE runs SET scenario_toml = ? WHERE id = 3", [plain])
    with pytest.raises(
        InputError, match="run 3 is a decision comparison stored without the priors"
    ):
        recheck_run(old, 3)


def test_what_cannot_be_rechecked_is_refused(store):
    with pytest.raises(InputError, match="no run with id 9"):
        recheck_run(store, 9)
    r = CliRunner().invoke(app, ["runs", "check", "2", "--store", str(store), "--n", "0"])
    assert r.exit_code == 2
    assert "recompute at least one scenario" in r.stderr


def test_capex_year_distributions_are_compared_when_every_draw_is_redone(store, tmp_path):
    whole = recheck_run(store, 4, n=24)
    assert whole.same
    assert whole.not_compared == ()
    years = whole.columns[whole.columns.index.str.startswith("capex_year:")]
    assert "capex_year:2026" in years.index
    assert (years["compared"] == 6 * 4).all()  # companies and the industry x P5, P50, P95, P99
    r = CliRunner().invoke(app, ["runs", "check", "4", "--store", str(store), "--n", "24"])
    assert r.exit_code == 0, r.output
    assert "capex years' distributions" in " ".join(r.stdout.split())
    # the first draws only: the rows are compared, the distributions over all draws are not
    part = recheck_run(store, 4, n=10)
    assert part.same
    assert not part.columns.index.str.startswith("capex_year:").any()
    assert len(part.not_compared) == 1
    assert "--n 24 or more" in part.not_compared[0]
    r = CliRunner().invoke(app, ["runs", "check", "4", "--store", str(store), "--n", "10"])
    assert r.exit_code == 0, r.output
    assert "Not compared: each year's capex valued alone" in " ".join(r.stdout.split())
    out = CliRunner().invoke(
        app, ["runs", "check", "4", "--store", str(store), "--n", "10", "--json"]
    )
    assert "--n 24 or more" in json.loads(out.stdout)["not_compared"][0]
    # a stored distribution that the model no longer gives is found, with its quantile
    changed = tmp_path / "changed.duckdb"
    changed.write_bytes(store.read_bytes())
    with duckdb.connect(str(changed)) as con:
        where = "WHERE run_id = 4 AND company = 'meta' AND outcome = 'capex_year:2026'"
        keys = con.execute(f"SELECT keys FROM mc_sketches {where}").fetchone()[0]
        con.execute(f"UPDATE mc_sketches SET keys = ? {where}", [[k + 50 for k in keys]])
    moved = recheck_run(changed, 4, n=24)
    assert not moved.same
    row = moved.columns.loc["capex_year:2026"]
    assert row["differ"] >= 1
    assert row["where"].endswith(", meta")
    assert moved.columns.loc["capex_year:2027", "differ"] == 0
    assert moved.columns.loc["stranded_peak", "differ"] == 0
