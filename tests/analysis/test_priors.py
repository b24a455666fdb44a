"""Priors fitted to observed values: the generating kind found, closed forms, the TOML line."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.priors import fit_priors, frozen, prior_toml, within
from strandrisk.cli.main import app
from strandrisk.io.uncertainty import uncertainty_from_toml
from strandrisk.scenarios.distributions import Distribution


def _fits(x):
    return {f.distribution.kind: f for f in fit_priors(x)}


@pytest.mark.parametrize(
    ("kind", "draw"),
    [
        ("normal", lambda rng, n: rng.normal(3.0, 1.0, n)),
        ("lognormal", lambda rng, n: rng.lognormal(0.0, 0.8, n)),
        ("uniform", lambda rng, n: rng.uniform(-1.0, 2.0, n)),
        ("loguniform", lambda rng, n: np.exp(rng.uniform(np.log(0.01), np.log(10.0), n))),
        ("triangular", lambda rng, n: rng.triangular(0.0, 0.2, 1.0, n)),
        ("pert", lambda rng, n: 2 + 3 * rng.beta(1 + 4 * 0.8, 1 + 4 * 0.2, n)),
        ("beta", lambda rng, n: 0.5 + rng.beta(2, 5, n)),
    ],
)
def test_the_kind_that_drew_the_values_fits_best(kind, draw):
    """On 3,000 draws the generating kind has the lowest AIC, or one within 2 of it."""
    fits = fit_priors(draw(np.random.default_rng(11), 3_000))
    best = fits[0].aic
    assert kind in {f.distribution.kind for f in fits if f.aic - best < 2}
    assert [f.aic for f in fits] == sorted(f.aic for f in fits)


def test_closed_forms_and_the_criteria():
    rng = np.random.default_rng(2)
    x = rng.lognormal(0.3, 0.5, 40)
    fits = _fits(x)
    normal = frozen(fits["normal"].distribution)
    assert normal.mean() == pytest.approx(x.mean(), rel=1e-12)
    assert normal.std() == pytest.approx(x.std(), rel=1e-12)  # n in the denominator: the MLE
    lognormal = frozen(fits["lognormal"].distribution)
    assert math.log(lognormal.median()) == pytest.approx(np.log(x).mean(), rel=1e-12)
    assert lognormal.std() == pytest.approx(
        lognormal.mean() * math.sqrt(math.expm1(np.log(x).std() ** 2)), rel=1e-9
    )
    gap = (x.max() - x.min()) / (len(x) - 1)
    uniform = fits["uniform"].distribution
    assert (uniform.low, uniform.high) == pytest.approx((x.min() - gap, x.max() + gap))
    for fit in fits.values():
        ll = float(np.sum(frozen(fit.distribution).logpdf(x)))
        assert fit.log_likelihood == pytest.approx(ll, rel=1e-12)
        k = fit.parameters
        assert fit.aic == pytest.approx(2 * k - 2 * ll)
        assert fit.bic == pytest.approx(k * math.log(len(x)) - 2 * ll)
        assert fit.ks == pytest.approx(stats.kstest(x, frozen(fit.distribution).cdf).statistic)


def test_the_three_point_fits_are_at_least_as_likely_as_scipys():
    """Maximum likelihood: the triangle's as likely as SciPy's own fit, or more."""
    x = np.random.default_rng(4).triangular(1.0, 1.5, 4.0, 200)
    ours = _fits(x)["triangular"]
    c, loc, scale = stats.triang.fit(x)
    assert ours.log_likelihood >= stats.triang(c, loc, scale).logpdf(x).sum() - 1e-6
    d = ours.distribution
    assert d.low < x.min()
    assert d.high > x.max()
    assert d.low <= d.mode <= d.high


def test_a_fit_as_a_prior_for_a_parameter_with_a_range():
    wide = Distribution.from_mean_sd("normal", 0.5, 0.2)  # 0.6 % below zero
    cut = within(wide, 0.0, math.inf)
    assert cut.truncate == (0.0, math.inf)
    assert (cut.low, cut.high) == (wide.low, wide.high)  # the fit's, untruncated
    assert within(wide, -5.0, 5.0) is wide
    assert within(wide, 0.4, math.inf) is None  # would cut 31 % of it: not the fit any more
    assert within(Distribution.from_mean_sd("normal", 0.4, 0.2), 0.0, 1.0).truncate == (0.0, 1.0)
    assert within(Distribution("uniform", -0.1, 1.0), 0.0, 2.0) is None  # not cut: refused
    assert within(Distribution("pert", 0.1, 1.0, mode=0.3), 0.0, 2.0) is not None


@pytest.mark.parametrize("kind", ["normal", "lognormal", "uniform", "triangular", "pert"])
def test_the_line_reads_back_as_the_fitted_distribution(kind):
    x = np.random.default_rng(8).lognormal(-0.2, 0.4, 60)
    dist = within(_fits(x)[kind].distribution, -1.0, 10.0)  # market.price_decline's range
    line = prior_toml("market.price_decline", dist)
    scenario = sr.load_scenario("base")
    space = uncertainty_from_toml(f"[uncertainty]\n{line}\n", "the line", scenario)
    assert space.keys == ("market.price_decline",)
    u = np.array([0.01, 0.05, 0.5, 0.95, 0.99])
    np.testing.assert_allclose(space.distributions[0].ppf(u), dist.ppf(u), rtol=1e-5, atol=1e-6)


def test_a_truncated_normal_line_reads_back():
    dist = within(Distribution.from_mean_sd("normal", 0.5, 0.2), 0.0, math.inf)
    line = prior_toml("market.price_decline", dist)
    assert line.endswith("truncate = [0, inf] }")
    space = uncertainty_from_toml(f"[uncertainty]\n{line}\n", "x", sr.load_scenario("base"))
    assert space.distributions[0].truncate == (0.0, math.inf)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0, 2.0, 3.0, 4.0], "4 values are too few"),
        ([1.0, 2.0, np.nan, 4.0, 5.0], "finite number"),
        ([2.0] * 6, "every value is 2"),
    ],
)
def test_fitting_refuses_what_cannot_be_fitted(values, message):
    with pytest.raises(ValueError, match=message):
        fit_priors(np.array(values))


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(5, 60), elements=st.floats(-1e3, 1e3)))
def test_any_values_get_finite_ranked_fits_and_a_line(x):
    if np.ptp(x) < 1e-6 * max(1.0, np.abs(x).max()):
        return  # (next to) no spread: refused, tested above
    fits = fit_priors(x)
    kinds = {f.distribution.kind for f in fits}
    assert {"normal", "uniform", "triangular", "pert"} <= kinds
    if (x >= 1e-300).all():  # positive, and not beyond what a double's log spans
        assert "lognormal" in kinds
    if (x <= 0).any():
        assert not kinds & {"lognormal", "loguniform"}
    for f in fits:
        assert math.isfinite(f.aic)
        assert 0.0 <= f.ks <= 1.0
        assert prior_toml("k", f.distribution).startswith('"k" = { dist = "')
    assert [f.aic for f in fits] == sorted(f.aic for f in fits)


def _csv(tmp_path, values, name="obs.csv"):
    path = tmp_path / name
    rows = "".join(f"{'a' if i % 2 else 'b'},{v}\n" for i, v in enumerate(values))
    path.write_text("group,decline\n" + rows)
    return path


def test_cli_fits_a_prior_and_writes_its_line(tmp_path):
    values = np.random.default_rng(3).lognormal(np.log(0.85), 0.35, 24).round(4)
    path = _csv(tmp_path, values)
    runner = CliRunner()
    args = ["fit-prior", str(path), "--column", "decline", "--key", "market.price_decline"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["correlations"] is None  # one column
    (out,) = doc["priors"]
    assert (out["column"], out["key"], out["unit"], out["n"]) == (
        "decline",
        "market.price_decline",
        "1/year",
        24,
    )
    assert out["best"] == out["fits"][0]["kind"]
    assert [f["aic"] for f in out["fits"]] == sorted(f["aic"] for f in out["fits"])
    assert out["toml"].startswith('"market.price_decline" = { dist = "')
    best = fit_priors(values)[0]
    assert out["fits"][0]["aic"] == pytest.approx(best.aic)
    text = runner.invoke(app, args).stdout
    assert "best (lowest AIC) first" in text
    assert out["toml"] in text
    half = runner.invoke(app, [*args[:-2], "--where", "group=a", "--json"])
    (alone,) = json.loads(half.stdout)["priors"]
    assert alone["n"] == 12
    assert alone["toml"].startswith('"KEY" = ')  # no key: a placeholder


@pytest.mark.parametrize(
    ("extra", "cells", "message"),
    [
        (["--key", "market.price_declin"], None, "did you mean market.price_decline?"),
        (["--column", "nothing"], None, "no column 'nothing'"),
        ([], ["0.5", "x", "0.7", "0.8", "0.9"], "has a value that is not a number: 'x'"),
        ([], ["0.5", "0.6", "0.7"], "decline: 3 values are too few"),
        (["--key", "market.utilisation"], ["50", "60", "70", "80", "90", "75"], "allowed range"),
    ],
)
def test_cli_refusals(tmp_path, extra, cells, message):
    path = _csv(tmp_path, cells or ["0.5", "0.6", "0.7", "0.8", "0.9", "1.1"])
    args = ["fit-prior", str(path)]
    if "--column" not in extra:
        args += ["--column", "decline"]
    r = CliRunner().invoke(app, [*args, *extra])
    assert r.exit_code == 2
    assert message in r.stderr


def test_values_written_in_per_cent_read_as_fractions(tmp_path):
    """A rate written 60% is the fraction 0.6, the canonical unit; $ and separators dropped."""
    from strandrisk.io.datasets import read_csv_table, select_columns

    path = tmp_path / "rates.csv"
    path.write_text('rate,other\n60%,1\n0.7,\n"1,2",3\n$4,4\n 85 % ,5\n')
    table = select_columns(read_csv_table(path), ["rate", "other"], source="rates.csv")
    np.testing.assert_allclose(table["rate"], [0.6, 0.7, 12.0, 4.0, 0.85])
    np.testing.assert_array_equal(table["other"], [1.0, np.nan, 3.0, 4.0, 5.0])  # kept in rows
    same = _csv(tmp_path, ["60%", "75%", "88%", "120%", "95%", "70%"], "percent.csv")
    plain = _csv(tmp_path, ["0.6", "0.75", "0.88", "1.2", "0.95", "0.7"], "plain.csv")
    runner = CliRunner()
    out = [
        json.loads(
            runner.invoke(app, ["fit-prior", str(f), "--column", "decline", "--json"]).stdout
        )
        for f in (same, plain)
    ]
    assert out[0]["priors"][0]["toml"] == out[1]["priors"][0]["toml"]


def test_several_columns_get_priors_and_their_rank_correlations(tmp_path):
    """Two parameters observed together: a prior each, Spearman's rank correlation over the
    rows holding both (SciPy's as the reference), and lines that read back as one space."""
    rng = np.random.default_rng(6)
    decline = rng.lognormal(np.log(0.85), 0.3, 40)
    efficiency = 0.5 + 0.4 * decline + rng.normal(0, 0.08, 40)
    rows = [f"{a:.4f},{b:.4f}" for a, b in zip(decline, efficiency, strict=True)]
    rows[3] = f"{decline[3]:.4f},"  # one row without the second: fitted, not correlated
    path = tmp_path / "joint.csv"
    path.write_text("decline,efficiency\n" + "\n".join(rows) + "\n")
    keys = ["market.price_decline", "technology.software_efficiency"]
    args = ["fit-prior", str(path), "--column", "decline", "--column", "efficiency"]
    args += ["--key", keys[0], "--key", keys[1]]
    runner = CliRunner()
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [p["n"] for p in doc["priors"]] == [40, 39]
    assert doc["priors"][1]["skipped"] == 1
    both = np.delete(np.column_stack([decline, efficiency]).round(4), 3, axis=0)
    rho = round(float(stats.spearmanr(both[:, 0], both[:, 1]).statistic), 2)
    assert doc["correlations"]["rows"] == 39
    assert doc["correlations"]["pairs"] == [[*keys, rho]]
    assert rho > 0.5
    text = "[uncertainty]\n" + "\n".join(p["toml"] for p in doc["priors"])
    text += "\n" + doc["correlations"]["toml"] + "\n"
    space = uncertainty_from_toml(text, "the lines", sr.load_scenario("base"))
    assert space.keys == tuple(keys)
    assert space.correlation[0, 1] == rho
    shown = runner.invoke(app, args).stdout
    assert "Rank correlations (Spearman) over the 39 rows holding every column" in shown
    assert doc["correlations"]["toml"] in shown  # "[correlations]" printed, not read as markup


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column", "a", "--column", "b", "--key", "market.elasticity"], "--key: 1 given for 2"),
        (["--column", "a", "--column", "a"], "--column: a column is named twice"),
        (["--column", "a", "--column", "c"], "2 rows hold a value in every column"),
        (
            [
                "--column",
                "a",
                "--column",
                "b",
                "--key",
                "market.elasticity",
                "--key",
                "market.elasticity",
            ],
            "--key: a parameter is named twice",
        ),
        (["--column", "a", "--column", "d"], "'d' takes one value over the 7 rows"),
    ],
)
def test_several_columns_refusals(tmp_path, args, message):
    path = tmp_path / "t.csv"
    cells = ["1,2,", "2,3,", "3,5,", "4,4,", "5,7,", ",1,1", ",2,2", ",3,3", ",4,4", ",5,5"]
    d = [9, 9, 9, 9, 9, 1, 2, 3, 4, 5, 9, 9]  # one value wherever a has one
    rows = [f"{r},{v}" for r, v in zip([*cells, "6,6,6", "7,8,8"], d, strict=True)]
    path.write_text("a,b,c,d\n" + "\n".join(rows) + "\n")
    r = CliRunner().invoke(app, ["fit-prior", str(path), *args])
    assert r.exit_code == 2
    assert message in r.stderr


def test_the_page_draws_the_values_under_the_best_fits(tmp_path):
    """fit-prior --out/--png: a table, the line and two charts a column; the histogram is a
    density (its area 1), each curve the fitted distribution's own."""
    import re

    from strandrisk.reports.analysis_figures import prior_fit_figures

    values = np.random.default_rng(3).lognormal(0.0, 0.4, 80)
    fits = fit_priors(values)
    pdf, cdf = prior_fit_figures(values, fits, "t")
    outline = pdf.data[0]
    xs, ys = np.asarray(outline.x), np.asarray(outline.y)
    assert np.sum(np.diff(xs)[1::2] * ys[1:-1:2]) == pytest.approx(1.0)  # bin widths x heights
    assert [t.name.split(" (")[0] for t in pdf.data[1:]] == [f.distribution.kind for f in fits[:3]]
    for trace, fit in zip(cdf.data[1:], fits, strict=False):
        np.testing.assert_allclose(trace.y, frozen(fit.distribution).cdf(np.asarray(trace.x)))
    assert cdf.data[0].y[-1] == 1.0  # the values' own CDF ends at 1
    path = _csv(tmp_path, values.round(5))
    out, png = tmp_path / "o", tmp_path / "p"
    args = ["fit-prior", str(path), "--column", "decline", "--out", str(out), "--png", str(png)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    page = (out / "fit_prior.html").read_text()
    assert "obs.csv: decline" in page
    assert '"KEY" = { dist = ' in page.replace("&quot;", '"')
    assert 'id="fig-prior_fit_1"' in page
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)  # opens offline
    for name in ("prior_fit_1.png", "prior_cdf_1.png"):
        assert (png / name).read_bytes()[:4] == b"\x89PNG"


def test_a_kind_asked_for_is_written_instead_of_the_best(tmp_path):
    values = np.random.default_rng(3).lognormal(np.log(0.85), 0.35, 24).round(4)
    path = _csv(tmp_path, values)
    runner = CliRunner()
    base = ["fit-prior", str(path), "--column", "decline", "--key", "market.price_decline"]
    doc = json.loads(runner.invoke(app, [*base, "--kind", "pert", "--json"]).stdout)
    (out,) = doc["priors"]
    assert out["best"] == "pert"
    assert out["toml"].startswith('"market.price_decline" = { dist = "pert", low = ')
    pert = next(f for f in fit_priors(values) if f.distribution.kind == "pert").distribution
    assert out["toml"] == prior_toml("market.price_decline", pert)
    text = runner.invoke(app, [*base, "--kind", "pert"]).stdout
    assert next(ln for ln in text.splitlines() if ln.startswith("pert")).rstrip().endswith("chosen")
    r = runner.invoke(app, [*base, "--kind", "gamma"])
    assert r.exit_code == 2
    assert "--kind: 'gamma' was not fitted to decline; the kinds fitted are" in r.stderr
    near_one = _csv(tmp_path, ["0.95", "0.97", "0.99", "0.96", "0.98", "0.995"], "u.csv")
    args = ["fit-prior", str(near_one), "--column", "decline", "--key", "market.utilisation"]
    r = runner.invoke(app, [*args, "--kind", "uniform"])  # its upper end past 1
    assert r.exit_code == 2
    assert "--kind uniform: its fit to decline reaches outside market.utilisation's" in r.stderr
