"""The copula of fitted priors: a t copula's degrees of freedom against the normal copula."""

import json
import math

import numpy as np
import pytest
from scipy import special, stats
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.priors import MOST_DF, fit_copula
from strandrisk.cli.main import app
from strandrisk.io.uncertainty import uncertainty_from_toml

R = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.4], [0.3, 0.4, 1.0]])


def _t_rows(df, n, seed, matrix=R):
    z = stats.multivariate_t(np.zeros(len(matrix)), matrix, df=df).rvs(
        n, random_state=np.random.default_rng(seed)
    )
    return np.exp(z)  # the copula is the same whatever the marginals (ranks only)


def _bivariate_t_copula(u, rho, df):
    """The bivariate t copula's log-density by its formula (Demarta and McNeil 2005, eq. 2)."""
    x = stats.t.ppf(u, df)
    q = (x[:, 0] ** 2 + x[:, 1] ** 2 - 2 * rho * x[:, 0] * x[:, 1]) / (df * (1 - rho**2))
    log_c = (
        special.gammaln((df + 2) / 2)
        + special.gammaln(df / 2)
        - 2 * special.gammaln((df + 1) / 2)
        - 0.5 * math.log(1 - rho**2)
        - (df + 2) / 2 * np.log1p(q)
        + (df + 1) / 2 * np.log1p(x**2 / df).sum(axis=1)
    )
    return float(log_c.sum())


@pytest.mark.parametrize(("df", "low", "high"), [(3, 2.0, 4.5), (10, 6.0, 18.0)])
def test_the_degrees_of_freedom_that_drew_the_rows_are_found(df, low, high):
    """2,000 rows of a t copula: the t chosen, its df near the true one."""
    fit = fit_copula(_t_rows(df, 2_000, df), R)
    assert fit.kind == "t"
    assert low < fit.df < high
    assert fit.rows == 2_000


def test_normal_rows_get_no_real_gain_from_a_t():
    """Rows of a normal copula: the t's df large and its AIC no better by 2 or more."""
    z = np.random.default_rng(5).multivariate_normal(np.zeros(3), R, 2_000)
    fit = fit_copula(z, R)
    assert fit.df > 20
    assert fit.aic_t > fit.aic_normal - 2
    assert fit.log_likelihood_t >= fit.log_likelihood_normal - 0.5  # the t nests the normal


def test_the_likelihoods_by_their_formulas():
    """Both copula densities by hand on two columns; AIC; the df at the likelihood's peak."""
    x = _t_rows(4, 300, 1, np.array([[1.0, 0.6], [0.6, 1.0]]))
    rho = 0.6
    fit = fit_copula(x, np.array([[1.0, rho], [rho, 1.0]]))
    u = stats.rankdata(x, axis=0) / 301
    z = stats.norm.ppf(u)
    quad = (z[:, 0] ** 2 + z[:, 1] ** 2 - 2 * rho * z[:, 0] * z[:, 1]) / (1 - rho**2)
    normal = float(np.sum(-0.5 * math.log(1 - rho**2) - 0.5 * (quad - (z**2).sum(axis=1))))
    assert fit.log_likelihood_normal == pytest.approx(normal, rel=1e-10)
    assert fit.log_likelihood_t == pytest.approx(_bivariate_t_copula(u, rho, fit.df), rel=1e-10)
    assert fit.aic_normal == pytest.approx(-2 * normal)
    assert fit.aic_t == pytest.approx(2 - 2 * fit.log_likelihood_t)
    for nearby in (fit.df * 0.95, fit.df * 1.05):  # a maximum
        assert _bivariate_t_copula(u, rho, nearby) < fit.log_likelihood_t
    assert 1 <= fit.df <= MOST_DF


def test_a_matrix_without_a_density_and_too_few_rows_are_refused():
    x = _t_rows(4, 50, 2)
    with pytest.raises(ValueError, match="not positive definite"):
        fit_copula(x, np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]))
    with pytest.raises(ValueError, match="2 rows are too few"):
        fit_copula(x[:2], R)


def _joint_file(tmp_path, df, n=300, seed=3):
    z = stats.multivariate_t(np.zeros(2), [[1, 0.6], [0.6, 1]], df=df).rvs(
        n, random_state=np.random.default_rng(seed)
    )
    path = tmp_path / "joint.csv"
    rows = [f"{0.1 + 0.03 * a:.5f},{math.exp(0.2 * b):.5f}" for a, b in z]
    path.write_text("growth,decline\n" + "\n".join(rows) + "\n")
    return path


KEYS = ["capex.growth", "market.price_decline"]


def _args(path):
    return ["fit-prior", str(path), "--column", "growth", "--column", "decline"] + [
        a for k in KEYS for a in ("--key", k)
    ]


def test_fit_prior_writes_the_t_copula_it_fits_and_the_lines_read_back(tmp_path):
    path = _joint_file(tmp_path, 3)
    runner = CliRunner()
    r = runner.invoke(app, [*_args(path), "--json", "--out", str(tmp_path / "page")])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    copula = doc["correlations"]["copula"]
    assert copula["chosen"] == "t"
    assert 2 < copula["df"] < 5
    assert copula["aic"]["t"] < copula["aic"]["normal"] - 2
    block = doc["correlations"]["toml"]
    assert block.endswith(f'\ncopula = "t"\ndf = {copula["df"]:.3g}')
    text = "[uncertainty]\n" + "\n".join(p["toml"] for p in doc["priors"]) + "\n" + block + "\n"
    space = uncertainty_from_toml(text, "the lines", sr.load_scenario("base"))
    assert space.keys == tuple(KEYS)
    assert space.copula_df == pytest.approx(copula["df"], rel=1e-2)
    shown = " ".join(runner.invoke(app, _args(path)).stdout.split())
    assert "Copulas of these correlations, fitted to the 300 rows" in shown
    assert f"t {copula['df']:.3g}" in shown
    assert "coefficient of tail dependence of" in shown
    page = (tmp_path / "page" / "fit_prior.html").read_text()
    assert '<td class="text">t</td>' in page
    assert "df = " in page


def test_a_copula_asked_for_is_written_instead_of_the_lower_aics(tmp_path):
    path = _joint_file(tmp_path, 3)
    runner = CliRunner()
    doc = json.loads(runner.invoke(app, [*_args(path), "--copula", "normal", "--json"]).stdout)
    assert doc["correlations"]["copula"]["chosen"] == "normal"
    assert "copula" not in doc["correlations"]["toml"]  # the normal: Iman-Conover's own
    normal = _joint_file(tmp_path, math.inf, n=400, seed=9)
    doc = json.loads(runner.invoke(app, [*_args(normal), "--json"]).stdout)
    assert doc["correlations"]["copula"]["chosen"] == "normal"
    doc = json.loads(runner.invoke(app, [*_args(normal), "--copula", "t", "--json"]).stdout)
    assert doc["correlations"]["copula"]["chosen"] == "t"
    assert '\ncopula = "t"\ndf = ' in doc["correlations"]["toml"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--copula", "gauss"], "--copula: 'gauss': normal or t"),
        (["--copula", "t", "--column", "growth"], "give at least two --column"),
    ],
)
def test_copula_refusals(tmp_path, extra, message):
    path = _joint_file(tmp_path, 3)
    args = _args(path) if extra[-1] != "growth" else ["fit-prior", str(path)]
    r = CliRunner().invoke(app, [*args, *extra])
    assert r.exit_code == 2
    assert message in r.stderr


def test_correlations_at_one_get_no_copula_fit(tmp_path):
    """Two columns in the same order: the rank correlation is 1, the matrix singular, so no
    copula is fitted (the block is the normal's), and a t asked for is refused."""
    path = tmp_path / "same.csv"
    path.write_text("a,b\n" + "\n".join(f"{i},{2 * i + 1}" for i in range(1, 21)) + "\n")
    runner = CliRunner()
    args = ["fit-prior", str(path), "--column", "a", "--column", "b"]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert doc["correlations"]["pairs"] == [["KEY1", "KEY2", 1.0]]
    assert doc["correlations"]["copula"] is None
    assert "copula" not in doc["correlations"]["toml"]
    r = runner.invoke(app, [*args, "--copula", "t"])
    assert r.exit_code == 2
    assert "not positive definite (a pair at +1 or -1?)" in r.stderr
