"""RBD-FAST first-order indices: the Ishigami function's analytic values, and on the model."""

import json

import numpy as np
import pytest
from SALib.test_functions import Ishigami
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.fast import fast_for_scenario, fast_given, fast_indices
from strandrisk.cli.main import app
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import UncertaintySpace, sample_range

S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}  # analytic (a = 7, b = 0.1): Sobol' & Levitan 1999
SPACE = UncertaintySpace(
    ("x1", "x2", "x3"), (Distribution("uniform", low=-np.pi, high=np.pi),) * 3, np.eye(3)
)


def _ishigami(s):
    return {"y": Ishigami.evaluate(np.column_stack([s["x1"], s["x2"], s["x3"]]))}


def test_first_order_indices_match_the_ishigami_function():
    res = fast_indices(_ishigami, SPACE, 4000, seed=3).loc["y"]
    for name, value in S1.items():
        assert abs(res.loc[name, "S1"] - value) <= max(2 * res.loc[name, "S1_conf"], 0.03)
    assert list(res.index) == ["x2", "x1", "x3"]  # largest first
    # x3 acts only with x1: no first-order share, which leaves ~0.24 to interactions
    assert 1.0 - res["S1"].sum() == pytest.approx(0.2437, abs=0.05)


def test_the_same_seed_gives_the_same_indices_on_the_mc_draws():
    got = fast_indices(_ishigami, SPACE, 500, seed=0)
    samples = sample_range(SPACE, 0, 500, 0, "lhs")
    assert got.equals(fast_given(samples, _ishigami(samples), seed=0))
    assert got.equals(fast_indices(_ishigami, SPACE, 500, seed=0))  # seed 0 too: bootstrap seeded


def test_missing_values_constants_and_refusals():
    samples = sample_range(SPACE, 0, 300, 1, "lhs")
    y = _ishigami(samples)["y"]
    y[::4] = np.nan
    got = fast_given(samples, {"y": y, "flat": np.ones(300)})
    assert set(got.index.get_level_values("outcome")) == {"y"}
    with pytest.raises(sr.InputError, match="enough draws with a value, and a spread"):
        fast_given(samples, {"flat": np.ones(300)})
    with pytest.raises(sr.InputError, match="RBD-FAST needs at least 41 draws"):
        fast_indices(_ishigami, SPACE, 40, seed=1)
    sc = sr.load_scenario("base", overrides={"years": 4})
    with pytest.raises(sr.InputError, match="RBD-FAST needs a numeric outcome"):
        fast_for_scenario(sc, sr.load_uncertainty("base", sc), 100, 0, ("first_impairment_ifrs",))


def test_sensitivity_method_rbd_fast_on_the_command_line_and_a_kept_run(tmp_path):
    runner = CliRunner()
    args = ["sensitivity", "--method", "rbd-fast", "--n", "300", "--set", "years=3"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["method"], out["runs"]) == ("rbd-fast", 300)
    assert set(out["rbd-fast"][0]) == {"outcome", "parameter", "S1", "S1_conf"}
    assert "S1, S1_conf" in out["units"]
    assert out["note"] == ""  # the draws are mc's: correlations included
    page = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert 'id="fig-rbd_fast_stranded_peak"' in (tmp_path / "sensitivity.html").read_text()
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert "RBD-FAST first-order indices of stranded_peak (industry), 95 % intervals" in text
    assert "left: 1 - the S1 clear of 0" in text
    kept = tmp_path / "k.duckdb"
    made = runner.invoke(
        app, ["mc", "--n", "300", "--sampler", "lhs", "--set", "years=3", "--keep", str(kept)]
    )
    assert made.exit_code == 0, made.output
    r = runner.invoke(app, ["sensitivity", "--method", "rbd-fast", "--from", str(kept), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["from"] == str(kept)
