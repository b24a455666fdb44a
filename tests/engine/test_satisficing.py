"""Satisficing (EMA Workbench's robustness metric): how often each decision is good enough."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.decisions import AS_GIVEN, compare_decisions, requirement_text
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.scenarios.sampling import sample_range

N = 150
NEEDS = [("npv_2026", 0.0, True), ("min_dscr", 1.2, True)]


def _setup():
    sc = sr.load_scenario("base", overrides={"years": 4})
    return sc, load_uncertainty("base", sc)


def test_the_share_of_draws_meeting_every_requirement_by_hand():
    """Against each decision run alone on the same draws; a draw without debt meets its cover."""
    sc, space = _setup()
    decisions = {"flat": {"capex.path": "flat"}}
    got = compare_decisions(sc, space, decisions, N, 3, sampler="lhs", requirements=NEEDS)
    samples = sample_range(space, 0, N, 3, "lhs")
    runs = {AS_GIVEN: sr.simulate(sc, samples, breakeven=False).outcomes}
    chosen = sr.load_scenario("base", overrides={"years": 4, "capex.path": "flat"})
    runs["flat"] = sr.simulate(chosen, samples, breakeven=False).outcomes
    for company in ("amazon", "industry"):
        shares = got.satisficing(company)
        for label, rows in runs.items():
            mine = rows[rows["company"] == company]
            dscr = mine["min_dscr"].to_numpy()
            ok = (mine["npv_2026"].to_numpy() > 0) & ((dscr > 1.2) | np.isnan(dscr))
            assert shares[label] == pytest.approx(ok.mean(), abs=1e-12)
    assert got.requirements == NEEDS
    assert requirement_text(NEEDS) == "npv_2026 > 0.0 and min_dscr > 1.2"
    plain = compare_decisions(sc, space, decisions, 20, 3)
    assert plain.satisficing().empty
    assert plain.as_json()["satisficing"] is None


def test_requirements_are_checked_and_the_same_for_any_chunking():
    sc, space = _setup()
    args = (sc, space, {"flat": {"capex.path": "flat"}}, 90, 1)
    a = compare_decisions(*args, chunk_size=90, requirements=NEEDS)
    b = compare_decisions(*args, chunk_size=17, requirements=NEEDS)
    assert a.satisficing("meta").equals(b.satisficing("meta"))
    for needs, message in (
        ([("irr", 0.1, True)], "requirement on 'irr': a comparison computes"),
        ([("min_llcr", 1.0, True)], r"min_llcr with llcr"),
        ([("npv_2026", float("nan"), True)], "is not a finite number"),
    ):
        with pytest.raises(sr.InputError, match=message):
            compare_decisions(*args, requirements=needs)


def test_mc_satisfice_on_the_command_line_stored_and_checked(tmp_path):
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "60", "--set", "years=4", "--compare", "capex.path=flat",
            "--satisfice", "npv_2026>0", "--satisfice", "min_dscr > 1.2"]  # fmt: skip
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout)["satisficing"]
    assert found["requirements"] == "npv_2026 > 0.0 and min_dscr > 1.2"
    assert set(found["shares"]["industry"]) == {AS_GIVEN, "capex.path=flat"}
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "Satisficing: the share of draws in which each decision meets: industry" in text
    assert "requirements: npv_2026 > 0.0 and min_dscr > 1.2" in text
    done = runner.invoke(app, [*args, "--store", str(store), "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (
        "Satisficing: how often each decision is good enough"
        in (tmp_path / "decisions.html").read_text()
    )
    shown = runner.invoke(app, ["scenario", "show", "run:1", "--store", str(store)])
    assert "--satisfice 'npv_2026>0.0' --satisfice 'min_dscr>1.2'" in shown.stdout
    check = runner.invoke(app, ["runs", "check", "1", "--store", str(store)])
    assert check.exit_code == 0, check.output
    assert "The same" in check.stdout
    for bad, message in (
        (["--satisfice", "npv_2026>0"], "--satisfice: a requirement is met or not by each"),
        (["--compare", "capex.path=flat", "--satisfice", "npv_2026=0"], "expected OUTCOME>VALUE"),
    ):
        refused = runner.invoke(app, ["mc", "--n", "20", *bad])
        assert refused.exit_code == 2, bad
        assert message in " ".join(refused.output.split())


def test_a_stored_comparisons_export_has_its_satisficing_sheet(tmp_path):
    from strandrisk.store.export import run_tables
    from strandrisk.store.runs import RunStore

    store = tmp_path / "s.duckdb"
    r = CliRunner().invoke(
        app,
        ["mc", "--n", "40", "--set", "years=4", "--compare", "capex.path=flat",
         "--satisfice", "npv_2026>0", "--store", str(store)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    tables = run_tables(RunStore(store).get(1))
    sheet = tables["satisficing"]
    assert list(sheet.columns) == ["company", "decision", "satisficing", "requirements"]
    assert set(sheet["requirements"]) == {"npv_2026 > 0.0"}
    stored = RunStore(store).comparison(1)
    industry = sheet[sheet["company"] == "industry"].set_index("decision")["satisficing"]
    assert industry.to_dict() == stored.satisficing("industry").to_dict()
    from strandrisk.store.export import _units_table

    assert "satisficing" in set(_units_table(tables)["sheet"])  # the workbook's units sheet
