"""PRIM's choice of box (a step, a least coverage, the peeling settings) and its resampling."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from strandrisk.analysis.prim import prim, prim_resample
from strandrisk.cli.main import app

NAMES = [f"p{i}" for i in range(6)]


def _planted(seed: int = 0, n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 6))
    y = (x[:, 1] > 0.6) & (x[:, 4] < 0.3)
    return x, y | (rng.random(n) < 0.01)


def test_a_step_chooses_that_box_of_the_trajectory():
    x, y = _planted()
    chosen = prim(x, y, NAMES)
    assert prim(x, y, NAMES, step=chosen.chosen).limits.equals(chosen.limits)
    everything = prim(x, y, NAMES, step=0)
    assert everything.chosen == 0
    assert everything.limits.empty  # step 0 is every scenario: nothing restricted
    box = everything.boxes[0]
    assert (box.coverage, box.mass) == (1.0, 1.0)
    assert box.density == pytest.approx(y.mean())
    early = prim(x, y, NAMES, step=3)  # three peels: one or two parameters, not yet the box
    assert 1 <= len(early.limits) <= 2
    assert early.boxes[3].coverage > chosen.boxes[chosen.chosen].coverage
    last = len(chosen.trajectory) - 1
    with pytest.raises(
        ValueError, match=f"step {last + 1}: the peeling trajectory has steps 0 to {last}"
    ):
        prim(x, y, NAMES, step=last + 1)


def test_a_least_coverage_chooses_the_densest_box_that_holds_it():
    x, y = _planted()
    res = prim(x, y, NAMES, min_coverage=0.95)
    traj = res.trajectory.drop(index=res.chosen)  # the others, as peeled
    box = res.boxes[res.chosen]
    assert box.coverage >= 0.95
    wide = traj[traj["coverage"] >= 0.95]
    assert (wide["density"] <= box.density + 1e-12).all()
    default = prim(x, y, NAMES)
    assert box.coverage >= default.boxes[default.chosen].coverage


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": 0.0}, "alpha 0.0: must be between 0 and 1"),
        ({"alpha": float("nan")}, "alpha nan"),
        ({"min_mass": 1.0}, "min_mass 1.0: must be at least 0 and below 1"),
        ({"min_coverage": -0.1}, "min_coverage -0.1: must be between 0 and 1"),
    ],
)
def test_prim_refuses_settings_outside_their_range(kwargs, message):
    x, y = _planted(n=200)
    with pytest.raises(ValueError, match=message):
        prim(x, y, NAMES, **kwargs)


def test_the_planted_box_comes_back_in_every_half_and_noise_seldom():
    x, y = _planted()
    res = prim(x, y, NAMES)
    table = prim_resample(x, y, res, iterations=10, seed=3)
    assert list(table.index[:2]) == ["p1", "p4"] or list(table.index[:2]) == ["p4", "p1"]
    assert (table.loc[["p1", "p4"], ["coverage_match", "density_match"]] == 1.0).all().all()
    assert table.loc[["p1", "p4"], "in_box"].all()
    noise = table.drop(index=["p1", "p4"])
    assert (noise["density_match"] <= 0.5).all()  # no noise parameter in most halves
    again = prim_resample(x, y, res, iterations=10, seed=3)
    assert again.equals(table)  # the seed draws the same halves


def test_the_whole_sample_reproduces_its_own_box():
    """One 'subset' of every scenario is the sample itself: its trajectory is prim's own, and
    the box nearest in density is the chosen one (the densest, the first of equals) wherever
    pasting left it as peeled."""
    x, y = _planted(1, 5_000)
    res = prim(x, y, NAMES)
    assert 2 <= res.limits.shape[0] < len(NAMES)
    table = prim_resample(x, y, res, iterations=1, fraction=1.0)
    assert (table["density_match"] == table["in_box"].astype(float)).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"iterations": 0}, "iterations 0: must be at least 1"),
        ({"fraction": 0.0}, "fraction 0.0: each subset must hold at least 2"),
        ({"fraction": 1.5}, "fraction 1.5"),
        ({"fraction": 0.0001}, "of the 200 scenarios"),
        ({"alpha": 1.0}, "alpha 1.0"),
    ],
)
def test_resample_refuses_what_cannot_be_done(kwargs, message):
    x, y = _planted(n=200)
    with pytest.raises(ValueError, match=message):
        prim_resample(x, y, prim(x, y, NAMES), **kwargs)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(50, 1_500), st.integers(1, 6), st.floats(0.1, 1.0))
def test_resampled_shares_count_halves(seed, n, iterations, fraction):
    """Whatever the data: every parameter, shares in whole subsets, most reproduced first."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    y = (x[:, 0] + 0.5 * rng.random(n)) > 1.0
    if y.all() or not y.any():
        return
    table = prim_resample(x, y, prim(x, y, ["a", "b", "c"]), iterations, fraction, seed)
    assert sorted(table.index) == ["a", "b", "c"]
    for col in ("coverage_match", "density_match"):
        counts = table[col].to_numpy() * iterations
        assert np.allclose(counts, np.round(counts))
        assert ((table[col] >= 0) & (table[col] <= 1)).all()
    keys = list(zip(table["coverage_match"], table["density_match"], strict=True))
    assert keys == sorted(keys, reverse=True)


def test_discover_chooses_a_step_and_resamples(tmp_path):
    runner = CliRunner()
    args = ["discover", "--above", "2e12", "--n", "2000", "--seed", "3"]
    r = runner.invoke(app, [*args, "--json", "--resample", "4"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["settings"] == {"peel_alpha": 0.05, "mass_min": 0.05, "min_coverage": 0.5}
    rows = {row["parameter"]: row for row in out["resample"]["parameters"]}
    assert out["resample"]["halves"] == 4
    assert {row["parameter"] for row in out["limits"]} == {
        p for p, r in rows.items() if r["in_box"]
    }
    assert (
        rows["capex.growth"]["coverage_match"] == 1.0
    )  # the capex driver comes back in every half
    r = runner.invoke(app, [*args, "--json", "--step", "3", "--peel-alpha", "0.1"])
    stepped = json.loads(r.stdout)
    assert stepped["step"] == 3
    assert stepped["settings"]["peel_alpha"] == 0.1
    assert stepped["coverage"] >= out["coverage"]  # three peels: wider than the chosen box
    assert "resample" not in stepped
    text = runner.invoke(app, [*args, "--resample", "4", "--out", str(tmp_path)]).stdout
    flat = " ".join(text.split())
    assert "Does the box come back? PRIM again on 4 random halves of 2,000" in flat
    assert "trade-off (step: coverage/density, every 5 steps; --step picks one): 0: 100%/" in flat
    page = (tmp_path / "discover.html").read_text()
    assert "Does the box come back?" in page
    assert "capex.growth" in page.split("Does the box come back?")[1]


def test_dropping_a_restriction_opens_it_and_counts_the_box_again():
    """EMA Workbench's drop_restriction: the bound opened to the data's range, the box's
    coverage, density and mass counted again by hand, the other restrictions kept."""
    x, y = _planted(1, 5_000)
    res = prim(x, y, NAMES)
    assert set(res.limits.index) == {"p1", "p4"}
    opened = prim(x, y, NAMES, drop=["p4"])  # one the box needs: density falls
    assert opened.dropped == ("p4",)
    assert list(opened.limits.index) == ["p1"]
    assert opened.limits.loc["p1", "lower"] == res.limits.loc["p1", "lower"]
    assert opened.limits.loc["p1", "qp_lower"] < 1e-6
    box = opened.boxes[opened.chosen]
    before = res.boxes[res.chosen]
    assert (box.lower[4], box.upper[4]) == (x[:, 4].min(), x[:, 4].max())
    inside = np.all((x >= box.lower) & (x <= box.upper), axis=1)
    assert box.mass == inside.mean()
    assert box.coverage == (inside & y).sum() / y.sum()
    assert box.density == (inside & y).sum() / inside.sum()
    assert box.coverage >= before.coverage
    assert box.mass > 2 * before.mass  # p4 < 0.3 held under a third of the box
    assert box.density < 0.5 < before.density
    with pytest.raises(ValueError, match="drop 'p2': the box does not restrict it; it restricts"):
        prim(x, y, NAMES, drop=["p2"])
    with pytest.raises(ValueError, match="drop 'q1': not a parameter"):
        prim(x, y, NAMES, drop=["q1"])


def test_discover_drops_a_restriction():
    runner = CliRunner()
    args = ["discover", "--above", "2e12", "--n", "2000", "--seed", "1", "--json"]
    out = json.loads(runner.invoke(app, args).stdout)
    held = [row["parameter"] for row in out["limits"]]
    assert "capex.growth" in held
    others = [p for p in held if p != "capex.growth"]
    assert others  # this sample's box: capex growth and one restriction it hardly needs
    dropped = json.loads(runner.invoke(app, [*args, "--drop", others[0]]).stdout)
    assert dropped["dropped"] == [others[0]]
    assert others[0] not in {row["parameter"] for row in dropped["limits"]}
    assert dropped["coverage"] >= out["coverage"]
    text = runner.invoke(app, [*args[:-1], "--drop", others[0]]).stdout
    assert f"restrictions dropped: {others[0]}" in " ".join(text.split())
    r = runner.invoke(app, [*args[:-1], "--drop", "market.elasticty"])
    assert r.exit_code == 2
    assert (
        "--drop 'market.elasticty': not a parameter (did you mean market.elasticity?)" in r.stderr
    )


def test_the_restrictions_a_box_does_not_need_are_named_with_the_flags_that_drop_them():
    from strandrisk.analysis.prim import PrimResult

    limits = pd.DataFrame(
        {
            "lower": [0.6, 0.1, 0.2],
            "upper": [1.0, 0.9, 1.0],
            "min": [0.0] * 3,
            "max": [1.0] * 3,
            "qp_lower": [1e-9, 0.30, 0.20],
            "qp_upper": [np.nan, 0.01, np.nan],  # b: one side needed, so b is kept
        },
        index=pd.Index(["a", "b", "c"], name="parameter"),
    )
    result = PrimResult(["a", "b", "c"], pd.DataFrame(), [], 0, limits)
    assert result.unneeded() == ["c"]
    assert result.unneeded(alpha=0.25) == []
    assert result.unneeded(alpha=0.005) == ["b", "c"]
    runner = CliRunner()
    args = ["discover", "--above", "2e12", "--n", "2000", "--seed", "1"]
    out = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    weak = [
        row["parameter"]
        for row in out["limits"]
        if min(q for q in (row["qp_lower"], row["qp_upper"]) if q is not None) > 0.05
    ]
    assert weak  # this sample's box: capex growth and a restriction it hardly needs
    assert out["unneeded"] == weak
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert f"qp above 0.05 on every side: {', '.join(weak)}; --drop {weak[0]}" in text


def test_the_scatter_draws_the_box_over_its_two_strongest_restrictions():
    """The pair: the two smallest quasi-p-values; with one restriction, it and the parameter
    that separates the cases most besides; the box's rectangle at its bounds."""
    import pandas as pd

    from strandrisk.reports.analysis_figures import prim_scatter_figure
    from strandrisk.reports.pages import _scatter_pair

    x, y = _planted(2, 5_000)
    res = prim(x, y, NAMES)
    assert set(res.limits.index) == {"p1", "p4"}
    pair = _scatter_pair(res, None)
    qp = res.limits[["qp_lower", "qp_upper"]].min(axis=1)
    assert [NAMES[k] for k in pair] == list(qp.sort_values().index)
    one = prim(x, y, NAMES, drop=["p4"])
    regional = pd.DataFrame({"ks": [0.9, 0.5, 0.1]}, index=["p1", "p4", "p0"])
    assert _scatter_pair(one, regional) == (1, 4)  # p1, then the best other than p1
    assert _scatter_pair(one, None) is None
    box = res.boxes[res.chosen]
    bounds = (box.lower[1], box.upper[1], box.lower[4], box.upper[4])
    fig = prim_scatter_figure(x[:, 1], x[:, 4], y, bounds, ("p1", "p4"), "t")
    other, cases, rectangle = fig.data
    assert len(other.x) + len(cases.x) == len(y)
    assert len(cases.x) == y.sum()
    assert list(rectangle.x) == [bounds[0], bounds[1], bounds[1], bounds[0], bounds[0]]
    assert list(rectangle.y) == [bounds[2], bounds[2], bounds[3], bounds[3], bounds[2]]


def test_the_regional_cdfs_are_the_cases_and_the_others_distributions():
    """EMA Workbench's plot_cdfs: each curve its group's empirical CDF (steps, or quantiles
    beyond 1,000 values), their largest gap the KS distance (SciPy's ks_2samp)."""
    from scipy.stats import ks_2samp

    from strandrisk.reports.analysis_figures import regional_cdf_figure

    rng = np.random.default_rng(9)
    values = rng.normal(size=900)
    cases = values + rng.normal(size=900) > 0.8
    ks = ks_2samp(values[cases], values[~cases]).statistic
    others, hits = regional_cdf_figure(values, cases, "p", float(ks)).data
    grid = np.sort(values)

    def drawn(trace):  # the curve's height at each value: the top of the last step up to it
        tops, heights = np.asarray(trace.x[1::2]), np.asarray(trace.y[1::2])
        at = np.searchsorted(tops, grid, side="right") - 1
        return np.where(at >= 0, heights[np.maximum(at, 0)], 0.0)

    assert np.abs(drawn(hits) - drawn(others)).max() == pytest.approx(ks)
    assert len(hits.x) == 2 * cases.sum()
    big = rng.normal(size=5_000)
    line = regional_cdf_figure(big, big > 0, "p", 1.0).data[1]
    assert len(line.x) == 1_001  # quantiles, not every step
    np.testing.assert_allclose(line.x, np.quantile(big[big > 0], np.linspace(0, 1, 1_001)))


def test_discover_draws_the_regional_cdfs(tmp_path):
    r = CliRunner().invoke(
        app, ["discover", "--above", "2e12", "--n", "600", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    page = (tmp_path / "discover.html").read_text()
    for k in (1, 2, 3, 4):
        assert f'id="fig-regional_cdf_{k}"' in page
    assert "capex.growth: among the cases and the others" in page
