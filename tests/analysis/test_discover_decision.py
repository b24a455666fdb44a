"""discover --decision: the futures in which a decision changes an outcome past a value."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.decisions import decision_change
from strandrisk.engine.montecarlo import read_kept, run_mc
from strandrisk.io.uncertainty import load_uncertainty


def test_the_change_is_the_decision_run_alone_on_the_same_draws_less_the_scenario(tmp_path):
    sc = sr.load_scenario("base", overrides={"years": 4})
    space = load_uncertainty("base", sc)
    path = tmp_path / "k.duckdb"
    run_mc(sc, space, 120, 3, sampler="lhs", outcomes_path=path)
    samples, given = read_kept(path, "meta")
    change = decision_change(
        sc, space, {"capex.growth": 0.3}, samples, given["stranded_peak"], "meta", chunk=50
    )
    chosen = sr.load_scenario("base", overrides={"years": 4, "capex.growth": 0.3})
    drawn = {k: samples[k].to_numpy() for k in samples.columns}
    drawn["capex.growth"] = np.full(len(samples), 0.3)  # held at the decision's value
    alone = sr.simulate(chosen, drawn, breakeven=False).outcomes
    alone = alone[alone["company"] == "meta"].sort_values("scenario")["stranded_peak"].to_numpy()
    np.testing.assert_allclose(change, alone - given["stranded_peak"].to_numpy(), rtol=1e-12)
    assert (change >= 0).all()  # more capex never strands less


def test_discover_decision_on_the_command_line(tmp_path):
    runner = CliRunner()
    args = ["discover", "--decision", "capex.path=flat", "--outcome", "stranded_peak",
            "--below", "-1e12", "--n", "1000"]  # fmt: skip
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["decision"] == "capex.path=flat"
    assert out["of"] == "the change in stranded_peak under capex.path=flat"
    assert {row["parameter"] for row in out["limits"]} >= {"capex.growth"}  # fast growth saves
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "Cases: industry: the change in stranded_peak under capex.path=flat below -1e+12" in text
    page = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert (
        "the change in stranded_peak under capex.path=flat"
        in (tmp_path / "discover.html").read_text()
    )
    for bad, message in (
        (["--below", "0", "--outcome", "npv_2026"], "the change in npv_2026 under capex.path=flat"),
        (["--from", str(tmp_path / "x.duckdb"), "--below", "0"], "--decision runs the decision"),
        (["--decision", "years=3", "--below", "0"], "cannot change between decisions"),
    ):
        base = ["discover", "--decision", "capex.path=flat", "--n", "300"]
        refused = runner.invoke(app, [*base, *bad])
        assert refused.exit_code == 2, bad
        assert message in " ".join(refused.output.split())


def test_a_decision_must_name_a_value():
    r = CliRunner().invoke(app, ["discover", "--decision", "capex.path", "--below", "0"])
    assert r.exit_code == 2
    assert "--decision 'capex.path': expected KEY=VALUE" in r.output
    sc = sr.load_scenario("base", overrides={"years": 3})
    space = load_uncertainty("base", sc)
    with pytest.raises(sr.InputError, match="no value to change"):
        decision_change(sc, space, {}, None, None)  # type: ignore[arg-type]
