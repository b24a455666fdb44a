"""Dimensional stacking (EMA Workbench's pivot plot): counts and shares by hand, a planted
interaction recovered, refusals, and the discover page's chart."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from strandrisk.analysis.stacking import dimensional_stack
from strandrisk.cli.main import app


def test_two_parameters_by_hand():
    """Six scenarios, two bins each at the medians (a: 2.7, b: 25). Cells (a, b): scenarios 0
    and 1 in (low, low), one a case; 2 in (low, high), a case; 3 and 4 in (high, high), none;
    5 in (high, low), a case."""
    x = np.array([[1.0, 10.0], [2.0, 20.0], [2.4, 30.0], [3.0, 40.0], [4.0, 50.0], [5.0, 5.0]])
    cases = np.array([True, False, True, False, False, True])
    s = dimensional_stack(x, cases, ["a", "b"], ["a"], ["b"], bins=2)
    np.testing.assert_array_equal(s.count, [[2, 1], [1, 2]])
    np.testing.assert_array_equal(s.share, [[0.5, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(s.edges["a"], [1.0, 2.7, 5.0])
    assert s.labels("rows") == ["low", "high"]


def test_nested_labels_and_an_empty_cell():
    """Two parameters down the side: the outer one's bin first; a cell without scenarios has no
    share (NaN), not a share of 0."""
    rng = np.random.default_rng(1)
    x = rng.random((900, 3))
    x[:, 2] = x[:, 0]  # c follows a: the (a low, c high) cells stay empty
    s = dimensional_stack(x, x[:, 1] > 0.5, ["a", "b", "c"], ["a", "b"], ["c"])
    assert s.share.shape == (9, 3)
    assert s.labels("rows")[:4] == ["low · low", "low · mid", "low · high", "mid · low"]
    assert s.labels("columns") == ["low", "mid", "high"]
    assert s.count.sum() == 900
    assert np.isnan(s.share[0:3, 2]).all()  # a low, c high: none
    assert (s.count[0:3, 0] > 0).all()


def test_a_planted_interaction_is_recovered():
    """Cases where a and c are both in their top third: the stack shows 1 in exactly the
    cells with a high and c high, whatever b, and 0 elsewhere."""
    rng = np.random.default_rng(7)
    x = rng.random((30_000, 4))
    q = np.quantile(x, 2 / 3, axis=0)
    cases = (x[:, 0] >= q[0]) & (x[:, 2] >= q[2])
    s = dimensional_stack(x, cases, ["a", "b", "c", "d"], ["a", "b"], ["c", "d"])
    a_high = np.array([r // 3 == 2 for r in range(9)])
    c_high = np.array([c // 3 == 2 for c in range(9)])
    want = np.outer(a_high, c_high).astype(float)
    np.testing.assert_array_equal(s.share, want)


def test_refusals():
    x = np.zeros((4, 2))
    flags = np.array([True, False, True, False])
    with pytest.raises(ValueError, match="distinct parameters"):
        dimensional_stack(x, flags, ["a", "b"], ["a"], ["a"])
    with pytest.raises(ValueError, match="distinct parameters"):
        dimensional_stack(x, flags, ["a", "b"], ["a"], ["z"])
    with pytest.raises(ValueError, match="a parameter on each axis"):
        dimensional_stack(x, flags, ["a", "b"], ["a", "b"], [])
    with pytest.raises(ValueError, match="at least 2 bins"):
        dimensional_stack(x, flags, ["a", "b"], ["a"], ["b"], bins=1)
    with pytest.raises(ValueError, match="d names"):
        dimensional_stack(x, flags, ["a"], ["a"], ["b"])


def test_discover_draws_the_stack_of_the_four_strongest_parameters(tmp_path):
    from strandrisk.reports.figures import stacking_figure

    r = CliRunner().invoke(
        app, ["discover", "--above", "2e12", "--n", "600", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    page = (tmp_path / "discover.html").read_text()
    assert 'id="fig-dimensional_stacking"' in page
    args = ["discover", "--above", "2e12", "--n", "600", "--json"]
    found = json.loads(CliRunner().invoke(app, args).stdout)
    stacked = found["stacking"]
    strongest = [r["parameter"] for r in found["regional"][:4]]
    assert stacked["rows"] + stacked["columns"] == strongest
    assert [len(row) for row in stacked["share"]] == [9] * 9
    assert sum(map(sum, stacked["count"])) == 600
    assert stacked["row_labels"][0] == "low · low"
    rng = np.random.default_rng(2)
    x = rng.random((300, 2))
    s = dimensional_stack(x, x[:, 0] > 0.5, ["a", "b"], ["a"], ["b"])
    (heat,) = stacking_figure(s, "t").data
    assert list(heat.y) == ["low", "mid", "high"]
    assert heat.text[0][0] == f"{s.share[0, 0]:.2f}"


def test_a_value_on_an_edge_goes_to_the_bin_above():
    """Median 1 of (0, 1, 1, 2): the two ones are in the upper bin with the 2."""
    x = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0]])
    s = dimensional_stack(x, np.array([1, 0, 0, 0], bool), ["a", "b"], ["a"], ["b"], bins=2)
    assert s.count.sum(axis=1).tolist() == [1, 3]


def test_the_strongest_are_stacked_the_first_half_down_the_side():
    from strandrisk.analysis.stacking import stack_strongest

    rng = np.random.default_rng(3)
    x = rng.random((200, 5))
    names = ["a", "b", "c", "d", "e"]
    flags = x[:, 0] > 0.5
    s = stack_strongest(x, flags, names, ["c", "a", "e", "b", "d"])
    assert (s.rows, s.columns) == (("c", "a"), ("e", "b"))
    s = stack_strongest(x, flags, names, ["c", "a", "e"])
    assert (s.rows, s.columns) == (("c", "a"), ("e",))
    assert stack_strongest(x, flags, names, ["c"]) is None
