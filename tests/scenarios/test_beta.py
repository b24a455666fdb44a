"""A beta on [low, high] with two shape parameters (@RISK's RiskBetaGeneral)."""

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.priors import fit_priors, frozen, prior_toml
from strandrisk.cli.main import app
from strandrisk.io.uncertainty import dump_uncertainty, load_uncertainty
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import sample_range

SPEC = 'dist = "beta", low = 0.5, high = 1.5, alpha = 2, beta = 5'


def test_the_quantiles_mean_and_bands_by_hand():
    d = Distribution("beta", low=2.0, high=6.0, shape=(2.0, 5.0))
    u = np.array([0.01, 0.25, 0.5, 0.75, 0.99])
    np.testing.assert_allclose(d.ppf(u), 2.0 + 4.0 * stats.beta.ppf(u, 2, 5), rtol=1e-12)
    assert d.support() == (2.0, 6.0)
    grid = (np.arange(200_000) + 0.5) / 200_000
    assert d.ppf(grid).mean() == pytest.approx(2.0 + 4.0 * 2 / 7, rel=1e-6)  # a + (b-a) α/(α+β)
    flat = Distribution("beta", low=2.0, high=6.0, shape=(1.0, 1.0))  # both 1: the uniform
    np.testing.assert_allclose(flat.ppf(u), Distribution("uniform", low=2, high=6).ppf(u))
    top = replace(d, band=(0.9, 1.0))  # a stress band: its top tenth
    assert top.ppf(np.array([0.0]))[0] == pytest.approx(d.ppf(np.array([0.9]))[0])
    np.testing.assert_allclose(frozen(d).ppf(u), d.ppf(u), rtol=1e-12)  # fit-prior's density
    with pytest.raises(ValueError, match="alpha and beta belong to a beta distribution"):
        Distribution("uniform", low=0, high=1, shape=(2.0, 2.0))
    with pytest.raises(ValueError, match="two positive numbers: got 0, 1"):
        Distribution("beta", low=0, high=1, shape=(0.0, 1.0))
    with pytest.raises(ValueError, match="must be below high"):
        Distribution("beta", low=1, high=1, shape=(2.0, 2.0))


def test_a_beta_from_a_file_is_drawn_written_back_and_described(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(f'[uncertainty]\n"market.price_decline" = {{ {SPEC} }}\n')
    space = load_uncertainty(f, sr.load_scenario(f))
    draws = sample_range(space, 0, 8192, seed=2, sampler="lhs")["market.price_decline"]
    expected = 0.5 + stats.beta.ppf([0.1, 0.5, 0.9], 2, 5)
    assert np.quantile(draws, [0.1, 0.5, 0.9]) == pytest.approx(expected, abs=2e-3)
    again = tmp_path / "again.toml"
    again.write_text(dump_uncertainty(space))
    back = load_uncertainty(again, sr.load_scenario(f))
    assert back.distributions[0] == space.distributions[0]
    r = CliRunner().invoke(app, ["scenario", "diff", "base", str(f), "--json"])
    assert r.exit_code == 0, r.output
    assert "beta(2, 5) 0.5 to 1.5" in r.stdout
    f.write_text(
        '[uncertainty]\n"market.price_floor_ratio" = '
        '{ dist = "beta", low = -0.1, high = 0.3, alpha = 2, beta = 2 }\n'
    )
    with pytest.raises(sr.InputError, match="outside the parameter's allowed range"):
        load_uncertainty(f, sr.load_scenario(f))


def test_fit_prior_fits_a_beta_and_writes_a_line_that_reads_back(tmp_path):
    x = 0.5 + stats.beta.rvs(2, 5, size=400, random_state=np.random.default_rng(4))
    fits = {f.distribution.kind: f for f in fit_priors(x)}
    beta = fits["beta"]
    assert beta.parameters == 4  # the two ends and the two shapes
    d = beta.distribution
    a, b = d.shape
    assert d.low < x.min()  # the ends: fitted, beyond the extremes
    assert d.high > x.max()
    assert d.low + (d.high - d.low) * a / (a + b) == pytest.approx(x.mean(), abs=0.01)
    assert beta.ks < 1.36 / np.sqrt(400)  # within the KS test's 5 % critical distance
    assert beta.aic < fits["uniform"].aic  # a skewed sample: far better than flat
    line = prior_toml("market.price_decline", beta.distribution)
    assert line.startswith('"market.price_decline" = { dist = "beta", low = ')
    f = tmp_path / "s.toml"
    f.write_text(f"[uncertainty]\n{line}\n")
    read = load_uncertainty(f, sr.load_scenario(f)).distributions[0]
    u = np.array([0.05, 0.5, 0.95])
    np.testing.assert_allclose(read.ppf(u), beta.distribution.ppf(u), rtol=1e-5)  # 6 digits


def test_a_beta_fit_finds_the_ends_of_the_beta_that_drew_the_values():
    """On 3,000 draws of beta(2, 5) on [0.5, 1.5]: its low end and quantiles, the shapes' skew."""
    x = 0.5 + stats.beta.rvs(2, 5, size=3_000, random_state=np.random.default_rng(0))
    fit = {f.distribution.kind: f for f in fit_priors(x)}["beta"]
    d = fit.distribution
    assert d.low == pytest.approx(0.5, abs=0.01)  # the uniform's end would be at x.min() - gap
    assert d.low < x.min() - (x.max() - x.min()) / (len(x) - 1)  # farther out than that
    u = np.array([0.05, 0.5, 0.95])
    np.testing.assert_allclose(d.ppf(u), 0.5 + stats.beta.ppf(u, 2, 5), atol=0.01)
    a, b = d.shape
    assert 1 < a < b  # leaning to the low end, as beta(2, 5) does
    ll = float(np.sum(stats.beta.logpdf(x, 2, 5, loc=0.5, scale=1.0)))
    assert fit.log_likelihood >= ll  # the maximum: at least the true distribution's


def test_a_beta_with_a_shape_below_1_keeps_the_uniforms_ends():
    """Free ends would close on a value (unbounded likelihood): the ends stay beyond by a gap."""
    x = stats.beta.rvs(0.5, 3, size=500, random_state=np.random.default_rng(1))
    d = {f.distribution.kind: f for f in fit_priors(x)}["beta"].distribution
    gap = (x.max() - x.min()) / (len(x) - 1)
    assert (d.low, d.high) == pytest.approx((x.min() - gap, x.max() + gap))
    assert d.shape[0] < 1


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(12, 200),
    st.sampled_from(["lognormal", "beta", "uniform", "triangular", "normal"]),
)
def test_a_beta_fit_is_at_least_as_likely_as_the_pert_and_uniform(seed, n, kind):
    """Both are betas: a uniform's shapes are 1 (the beta on the uniform's ends holds it), a
    PERT's add to 6 (the beta with fitted ends holds it where both are at least 2). The beta's
    likelihood is the larger, whatever drew the values."""
    rng = np.random.default_rng(seed)
    draw = {
        "lognormal": lambda: rng.lognormal(0.0, 0.7, n),
        "beta": lambda: 2 + 3 * rng.beta(4, 1.5, n),
        "uniform": lambda: rng.uniform(-1, 1, n),
        "triangular": lambda: rng.triangular(0, 0.1, 1, n),
        "normal": lambda: rng.normal(0, 1, n),  # a PERT of shapes near 3 and 3
    }
    fits = {f.distribution.kind: f for f in fit_priors(draw[kind]())}
    beta = fits["beta"].log_likelihood
    assert beta >= fits["uniform"].log_likelihood - 1e-9
    pert = fits["pert"]
    if min(frozen(pert.distribution).args) >= 2:
        assert beta >= pert.log_likelihood - 1e-6


def test_a_stored_runs_export_names_the_beta_shape(tmp_path):
    from strandrisk.store.export import run_tables
    from strandrisk.store.runs import RunStore

    f = tmp_path / "s.toml"
    f.write_text(f'years = 3\n[uncertainty]\n"market.price_decline" = {{ {SPEC} }}\n')
    store = tmp_path / "s.duckdb"
    r = CliRunner().invoke(app, ["mc", "--scenario", str(f), "--n", "20", "--store", str(store)])
    assert r.exit_code == 0, r.output
    priors = run_tables(RunStore(store).get(1))["priors"].set_index("parameter")
    row = priors.loc["market.price_decline"]
    assert (row["distribution"], row["beta shape"]) == ("beta", "alpha 2, beta 5")
    shown = CliRunner().invoke(app, ["mc", "--scenario", str(f), "--n", "20", "--json"])
    assert json.loads(shown.stdout)["n"] == 20
