"""CART scenario discovery (EMA Workbench's cart): planted boxes, leaf statistics by hand."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from strandrisk.analysis.cart import cart
from strandrisk.cli.main import app

NAMES = [f"x{i}" for i in range(5)]


def _planted(n=5000, seed=0):
    """Cases in two places: x0 > 0.6 with x3 < 0.3, and x1 < 0.2 with x2 > 0.7."""
    x = np.random.default_rng(seed).random((n, 5))
    return x, ((x[:, 0] > 0.6) & (x[:, 3] < 0.3)) | ((x[:, 1] < 0.2) & (x[:, 2] > 0.7))


def _inside(x, limits):
    """Which scenarios a leaf's box holds, from its edges alone (x <= cut goes left)."""
    keep = np.ones(len(x), dtype=bool)
    for name, row in limits.iterrows():
        col = x[:, NAMES.index(name)]
        if row["cut_low"]:
            keep &= col > row["low"]
        if row["cut_high"]:
            keep &= col <= row["high"]
    return keep


def test_the_planted_boxes_are_the_leaves_of_cases():
    x, y = _planted()
    tree = cart(x, y, NAMES)
    boxes = tree.of_cases()
    assert boxes["coverage"].sum() > 0.9
    assert (boxes["density"] >= 0.75).all()
    first = tree.limits.loc[1]
    assert set(first.index) == {"x0", "x3"}  # the larger planted box, exactly its parameters
    assert first.loc["x0", "low"] == pytest.approx(0.6, abs=0.01)
    assert first.loc["x3", "high"] == pytest.approx(0.3, abs=0.01)
    assert tree.rule(1) in (
        f"x3 <= {first.loc['x3', 'high']:.4g} and x0 > {first.loc['x0', 'low']:.4g}",
        f"x0 > {first.loc['x0', 'low']:.4g} and x3 <= {first.loc['x3', 'high']:.4g}",
    )
    second = set(tree.limits.loc[2].index)
    assert {"x1", "x2"} <= second  # the other, perhaps behind a split of the first's


def test_each_leafs_statistics_follow_from_its_box():
    x, y = _planted(3000, seed=4)
    tree = cart(x, y, NAMES, mass_min=0.04)
    seen = np.zeros(len(x), dtype=int)
    for leaf, row in tree.leaves.iterrows():
        limits = tree.limits.loc[leaf] if leaf in tree.limits.index.get_level_values(0) else None
        inside = _inside(x, limits) if limits is not None else np.ones(len(x), dtype=bool)
        seen += inside
        assert row["scenarios"] == inside.sum()
        assert row["cases"] == (inside & y).sum()
        assert row["coverage"] == pytest.approx(row["cases"] / y.sum())
        assert row["density"] == pytest.approx(row["cases"] / row["scenarios"])
        assert row["mass"] >= int(0.04 * len(x)) / len(x)
        assert row["restricted"] == (0 if limits is None else len(limits))
    assert (seen == 1).all()  # the leaves partition the scenarios
    assert list(tree.leaves["density"]) == sorted(tree.leaves["density"], reverse=True)


def test_the_same_seed_gives_the_same_tree_and_the_refusals():
    x, y = _planted(1000, seed=2)
    a, b = cart(x, y, NAMES, seed=3), cart(x, y, NAMES, seed=3)
    assert a.leaves.equals(b.leaves)
    assert a.limits.equals(b.limits)
    one = cart(np.ones((100, 5)), np.arange(100) < 30, NAMES)  # nothing to split on
    assert len(one.leaves) == 1
    assert one.rule(1) == "every scenario"
    assert one.leaves.loc[1, "density"] == pytest.approx(0.3)
    with pytest.raises(ValueError, match=r"mass_min 1.0: a share of the scenarios in \[0, 1\)"):
        cart(x, y, NAMES, mass_min=1.0)
    assert len(cart(x, y, NAMES, mass_min=0.6).leaves) == 1  # no split leaves two such leaves
    assert cart(x, y, NAMES, mass_min=0.0).leaves["scenarios"].min() >= 1
    with pytest.raises(ValueError, match="1000 scenarios of 4 parameters expected"):
        cart(x, y, NAMES[:4])


def test_discover_cart_on_the_command_line(tmp_path):
    runner = CliRunner()
    args = ["discover", "--above", "2e12", "--n", "2000", "--cart"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)["cart"]
    assert out["mass_min"] == 0.05
    leaves = out["leaves"]
    assert sum(leaf["scenarios"] for leaf in leaves) == 2000
    assert sum(leaf["coverage"] for leaf in leaves) == pytest.approx(1.0)
    first = leaves[0]
    assert first["density"] >= 0.5
    assert "capex.growth" in first["rule"]
    assert {lim["parameter"] for lim in first["limits"]} >= {"capex.growth"}
    terminal = runner.invoke(app, args)
    assert "CART: the tree's leaves where the cases are the majority" in terminal.stdout
    page = runner.invoke(app, [*args, "--out", str(tmp_path), "--png", str(tmp_path)])
    assert page.exit_code == 0, page.output
    text = (tmp_path / "discover.html").read_text()
    assert 'id="fig-cart_leaves"' in text
    assert "CART: the leaves where the cases are the majority" in text
    assert (tmp_path / "cart_leaves.png").stat().st_size > 0
    without = runner.invoke(app, ["discover", "--above", "2e12", "--n", "2000", "--json"])
    assert "cart" not in json.loads(without.stdout)
