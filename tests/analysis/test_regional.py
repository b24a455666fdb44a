"""Regional sensitivity (Kolmogorov-Smirnov between cases and the rest) against SciPy."""

import json

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from strandrisk.analysis.regional import regional_sensitivity
from strandrisk.cli.main import app


def test_a_planted_dependency_ranks_first_and_matches_scipy_column_by_column():
    rng = np.random.default_rng(3)
    x = rng.random((2000, 4))
    cases = (x[:, 2] < 0.2) | (x[:, 2] > 0.9)  # non-monotone: both ends of x2
    names = ["a", "b", "c", "d"]
    got = regional_sensitivity(x, cases, names)
    assert got.index[0] == "c"
    for j, name in enumerate(names):
        ref = stats.ks_2samp(x[cases, j], x[~cases, j])
        assert got.loc[name, "ks"] == pytest.approx(ref.statistic, abs=1e-12)
        assert got.loc[name, "p_value"] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
        assert got.loc[name, "cases_median"] == np.median(x[cases, j])
    assert got.loc[["a", "b", "d"], "ks"].max() < 0.1
    # a rank correlation misses it: both ends of x2 make cases
    rho = stats.spearmanr(x[:, 2], cases).statistic
    assert abs(rho) < got.loc["c", "ks"] / 2


def test_refusals():
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="both cases and other"):
        regional_sensitivity(x, np.ones(5, bool), ["a", "b"])
    with pytest.raises(ValueError, match="d names"):
        regional_sensitivity(x, np.array([True, False, True, False, True]), ["a"])


def test_discover_reports_it(tmp_path):
    runner = CliRunner()
    args = ["discover", "--above", "2e11", "--n", "200", "--set", "years=4"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    regional = json.loads(r.stdout)["regional"]
    assert regional[0]["ks"] >= regional[-1]["ks"]
    assert {"parameter", "ks", "p_value", "cases_median", "others_median"} <= set(regional[0])
    page = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert page.exit_code == 0, page.output
    assert "Which parameters separate the cases" in (tmp_path / "discover.html").read_text()
