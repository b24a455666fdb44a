"""The t copula: joint extremes against the multivariate t's own, and its scenario-file form."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk import InputError
from strandrisk.cli.main import app
from strandrisk.io.uncertainty import dump_uncertainty, load_uncertainty, uncertainty_from_toml
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import (
    BLOCK,
    UncertaintySpace,
    _strata_and_draws,
    copula_text,
    iman_conover,
    sample_range,
    tail_dependence,
)

RHO = 0.5
N = 40 * BLOCK  # 163,840 draws: a joint 5 % tail's frequency within about +-0.0003


def _pair(df: float) -> dict[str, np.ndarray]:
    """Two uniform parameters with copula correlation RHO, drawn by Latin hypercube."""
    space = UncertaintySpace(
        ("a", "b"),
        (Distribution("uniform", low=0.0, high=1.0),) * 2,
        np.array([[1.0, RHO], [RHO, 1.0]]),
        df,
    )
    return sample_range(space, 0, N, 3, "lhs")


def _joint(a: np.ndarray, b: np.ndarray, q: float) -> tuple[float, float]:
    """How often both are above their q quantile, and both below their 1 - q quantile."""
    return float(np.mean((a > q) & (b > q))), float(np.mean((a < 1 - q) & (b < 1 - q)))


@pytest.mark.parametrize("df", [math.inf, 4.0, 1.0])
def test_joint_extremes_come_as_often_as_under_the_exact_copula(df):
    """Both parameters beyond their 95th percentile (and below their 5th): as often as the
    bivariate t (or normal) with that correlation puts both below its 5th percentile, SciPy's
    ``multivariate_t.cdf`` (Genz's algorithm), within four binomial standard deviations; the
    fewer degrees of freedom, the more often."""
    s = _pair(df)
    q = 0.95
    if math.isfinite(df):
        x = stats.t.ppf(1 - q, df)
        exact = stats.multivariate_t(shape=[[1, RHO], [RHO, 1]], df=df).cdf([x, x])
    else:
        x = stats.norm.ppf(1 - q)
        exact = stats.multivariate_normal(cov=[[1, RHO], [RHO, 1]]).cdf([x, x])
    sd = math.sqrt(exact * (1 - exact) / N)
    for seen in _joint(s["a"], s["b"], q):
        assert abs(seen - exact) < 4 * sd, (seen, exact)


def test_fewer_degrees_of_freedom_join_the_tails_more_at_the_same_kendalls_tau():
    """Both copulas are elliptical: for the same matrix, Kendall's tau is (2/pi) asin(rho)
    under either, so the t changes how often extremes meet, not how concordant the draws are."""
    taus, tails = [], []
    for df in (math.inf, 10.0, 3.0):
        s = _pair(df)
        taus.append(stats.kendalltau(s["a"][:20_000], s["b"][:20_000]).statistic)
        tails.append(_joint(s["a"], s["b"], 0.99)[0])
    np.testing.assert_allclose(taus, 2 / math.pi * math.asin(RHO), atol=0.012)
    assert tails[0] < tails[1] < tails[2]


def test_the_tail_dependence_coefficient_by_hand():
    """rho = 0, one degree of freedom: 2 t_2(-sqrt(2)), and t_2's CDF is 1/2 + x / (2
    sqrt(2 + x^2)), so 2 (1/2 - sqrt(2)/4) = 1 - sqrt(2)/2. Perfect correlation: 1; the normal
    copula: 0; none for perfectly opposed parameters."""
    np.testing.assert_allclose(tail_dependence(0.0, 1.0), 1 - math.sqrt(2) / 2, rtol=1e-12)
    np.testing.assert_allclose(tail_dependence([1.0, -1.0], 4.0), [1.0, 0.0], atol=1e-15)
    np.testing.assert_array_equal(tail_dependence([0.5, 0.99, 1.0], math.inf), [0.0, 0.0, 1.0])
    lam = [float(tail_dependence(RHO, df)) for df in (1.0, 4.0, 30.0)]
    assert lam[0] > lam[1] > lam[2] > 0


@settings(max_examples=25, deadline=None)
@given(
    st.floats(1.0, 50.0),
    st.floats(-0.9, 0.9),
    st.integers(0, 2**32 - 1),
)
def test_a_t_copula_keeps_every_latin_hypercube_stratum(df, rho, seed):
    """The copula reorders each column only: one draw per stratum, the same values."""
    strata, u = _strata_and_draws(512, 3, np.random.default_rng(seed))
    target = np.array([[1.0, rho, 0.0], [rho, 1.0, 0.0], [0.0, 0.0, 1.0]])
    out = iman_conover(u, target, np.random.default_rng(seed + 1), strata, df)
    for j in range(3):
        np.testing.assert_array_equal(np.sort(out[:, j]), np.sort(u[:, j]))
        assert sorted(np.floor(out[:, j] * 512).astype(int)) == list(range(512))


def test_the_normal_copula_draws_as_before_and_independent_t_parameters_still_meet():
    """``df = inf`` is the Iman-Conover draw as it always was (an identity target leaves the
    draws alone); a t copula joins even uncorrelated parameters through its common scale."""
    u = np.random.default_rng(2).random((BLOCK, 2))
    np.testing.assert_array_equal(iman_conover(u, np.eye(2), np.random.default_rng(5)), u)
    s = _pair(math.inf)
    space = UncertaintySpace(
        ("a", "b"), (Distribution("uniform", low=0.0, high=1.0),) * 2, np.eye(2), 2.0
    )
    t = sample_range(space, 0, N, 3, "lhs")
    assert abs(stats.spearmanr(t["a"], t["b"]).statistic) < 0.01
    exact = stats.multivariate_t(shape=np.eye(2), df=2.0).cdf(np.full(2, stats.t.ppf(0.05, 2)))
    seen = _joint(t["a"], t["b"], 0.95)[0]
    assert abs(seen - exact) < 4 * math.sqrt(exact / N)
    assert seen > 3 * 0.05**2  # independent: 0.0025
    assert not np.array_equal(s["a"], t["a"])


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_t_copula_draws_do_not_depend_on_the_range_they_are_drawn_in(sampler):
    base = load_uncertainty("base", sr.load_scenario("base"))
    space = UncertaintySpace(base.keys, base.distributions, base.correlation, 4.0)
    whole = sample_range(space, 0, 9000, 5, sampler)
    part = sample_range(space, 4000, 8500, 5, sampler)
    for key in space.keys:
        np.testing.assert_array_equal(whole[key][4000:8500], part[key])
    normal = sample_range(base, 0, 9000, 5, sampler)
    assert not np.array_equal(whole[space.keys[0]], normal[space.keys[0]])


PRIORS = (
    "[uncertainty]\n"
    '"market.price_decline" = { dist = "uniform", low = 0.5, high = 1.5 }\n'
    '"technology.software_efficiency" = { dist = "uniform", low = 0.5, high = 0.9 }\n'
    "[correlations]\n"
    'pairs = [["market.price_decline", "technology.software_efficiency", 0.5]]\n'
)


def test_a_t_copula_from_a_file_reads_back_from_a_stored_runs_priors(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text(PRIORS + 'copula = "t"\ndf = 4\n')
    scenario = sr.load_scenario(f)
    space = load_uncertainty(f, scenario)
    assert space.copula_df == 4.0
    back = uncertainty_from_toml(dump_uncertainty(space), "the text", scenario)
    assert back.copula_df == 4.0
    for key, values in sample_range(space, 0, 5000, 9, "lhs").items():
        np.testing.assert_array_equal(sample_range(back, 0, 5000, 9, "lhs")[key], values)
    assert "copula" not in dump_uncertainty(load_uncertainty("base", sr.load_scenario("base")))
    held = space.without(["market.price_decline"])
    assert held.copula_df == 4.0
    assert space.stressed("market.price_decline", 0.9, 1.0).copula_df == 4.0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('copula = "clayton"\n', "correlations.copula: unknown copula 'clayton'; one of 'normal', 't'"),
        ("df = 4\n", 'correlations.df: degrees of freedom belong to a t copula (copula = "t")'),
        ('copula = "normal"\ndf = 4\n', "correlations.df: degrees of freedom belong to a t"),
        ('copula = "t"\n', 'correlations: copula = "t" needs its degrees of freedom, df = 4 say'),
        ('copula = "t"\ndf = 0.5\n', "correlations.df: expected a finite number of at least 1, got 0.5"),
        ('copula = "t"\ndf = nan\n', "correlations.df: expected a finite number of at least 1, got nan"),
        ('copula = "t"\ndf = inf\n', "correlations.df: expected a finite number of at least 1, got inf"),
        ('copula = "t"\ndf = "4"\n', "correlations.df: expected a finite number of at least 1, got '4'"),
        ('copula = "t"\ndf = true\n', "correlations.df: expected a finite number of at least 1, got True"),
        ("copulas = 4\n", "correlations: unknown key 'copulas'"),
    ],
)  # fmt: skip
def test_an_impossible_copula_is_refused_naming_the_file_and_key(tmp_path, table, message):
    f = tmp_path / "c.toml"
    f.write_text(PRIORS + table)
    with pytest.raises(InputError, match=rf"c\.toml: {re.escape(message)}"):
        load_uncertainty(f, sr.load_scenario(f))
    result = CliRunner().invoke(app, ["mc", "--scenario", str(f), "--n", "50"])
    assert result.exit_code == 2
    with pytest.raises(ValueError, match="at least 1 degree of freedom"):
        UncertaintySpace((), (), np.eye(0), 0.5)


def test_mc_names_the_copula_and_scenario_diff_tells_it_apart(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text('description = "joint extremes"\n' + PRIORS + 'copula = "t"\ndf = 4\n')
    run = CliRunner().invoke(app, ["mc", "--scenario", str(f), "--n", "60", "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["copula"] == {"kind": "t", "df": 4.0}
    run = CliRunner().invoke(app, ["mc", "--n", "60", "--json"])
    assert json.loads(run.stdout)["copula"] == {"kind": "normal", "df": None}
    run = CliRunner().invoke(app, ["mc", "--scenario", str(f), "--n", "60"])
    assert "2 uncertain parameters (t copula, 4 degrees of freedom)" in run.stdout
    diff = CliRunner().invoke(app, ["scenario", "diff", "base", str(f), "--no-bridge", "--json"])
    row = json.loads(diff.stdout)["priors"][-1]
    assert row == {
        "key": "correlations.copula",
        "unit": "-",
        "first": "normal copula",
        "second": "t copula, 4 degrees of freedom",
    }
    assert copula_text(1.0) == "t copula, 1 degree of freedom"


def test_a_stored_runs_page_and_export_name_its_t_copula(tmp_path):
    from strandrisk.store.export import run_tables
    from strandrisk.store.runs import RunStore

    f = tmp_path / "t.toml"
    f.write_text('description = "joint extremes"\n' + PRIORS + 'copula = "t"\ndf = 4\n')
    store = tmp_path / "s.duckdb"
    args = ["mc", "--scenario", str(f), "--n", "40", "--store", str(store), "--out", str(tmp_path)]
    assert CliRunner().invoke(app, args).exit_code == 0
    said = "2 uncertain parameters (t copula, 4 degrees of freedom)."
    assert said in (tmp_path / "mc.html").read_text()
    again = tmp_path / "again"
    rebuilt = CliRunner().invoke(app, ["report", "1", "--store", str(store), "--out", str(again)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert said in (again / "mc.html").read_text()
    priors = run_tables(RunStore(store).get(1))["priors"]
    assert priors["copula"].tolist() == ["t copula, 4 degrees of freedom"] * 2


def test_sobol_and_morris_say_what_their_independent_designs_leave_out(tmp_path):
    """Saltelli's and Morris's designs draw independent parameters: a scenario's rank
    correlations and t copula are named as left out; PAWN draws them; none, no note."""
    from strandrisk.reports.brief import dependence_note

    f = tmp_path / "t.toml"
    f.write_text(PRIORS + 'copula = "t"\ndf = 4\n')
    space = load_uncertainty(f, sr.load_scenario(f))
    assert dependence_note(space, "sobol") == (
        "Sobol' indices assume independent parameters, so the design leaves out the scenario's "
        "1 rank correlation and its t copula; --method rbd-fast, pawn or trees draws them as mc does."
    )
    assert dependence_note(space, "morris").startswith("Morris screening assumes independent")
    assert dependence_note(space, "pawn") == ""
    assert dependence_note(space, "trees") == ""
    plain = UncertaintySpace(space.keys, space.distributions, np.eye(2))
    assert dependence_note(plain, "sobol") == ""
    t_only = UncertaintySpace(space.keys, space.distributions, np.eye(2), 4.0)
    assert "leaves out the scenario's t copula;" in dependence_note(t_only, "sobol")
    args = ["sensitivity", "--scenario", str(f), "--n", "4", "--set", "years=4"]
    r = CliRunner().invoke(app, [*args, "--json", "--outcome", "stranded_peak"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["note"] == dependence_note(space, "sobol")


def test_a_t_copula_run_is_the_same_for_any_chunk_size_and_on_dask_workers():
    from strandrisk.engine.montecarlo import run_mc

    scenario = sr.load_scenario("base", overrides={"years": 4})
    base = load_uncertainty("base", scenario)
    space = UncertaintySpace(base.keys, base.distributions, base.correlation, 4.0)
    a = run_mc(scenario, space, 120, 5, sampler="lhs", chunk_size=120)
    b = run_mc(scenario, space, 120, 5, sampler="lhs", chunk_size=17)
    c = run_mc(scenario, space, 120, 5, sampler="lhs", chunk_size=50, workers=2)
    normal = run_mc(scenario, base, 120, 5, sampler="lhs", chunk_size=120)
    for other in (b, c):
        for name in ("quantiles", "moments", "together", "breaches"):
            pd.testing.assert_frame_equal(getattr(a, name), getattr(other, name), check_exact=True)
    assert not a.quantiles.equals(normal.quantiles)
