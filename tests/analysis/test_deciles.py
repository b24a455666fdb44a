"""An outcome by decile of each parameter, against outcomes whose shape is known."""

import numpy as np
import pandas as pd
import pytest

from strandrisk.analysis.deciles import outcome_by_decile


def _draws(n=10_000, seed=0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "flat": rng.uniform(0, 1, n),  # no effect
            "bowl": rng.uniform(-1, 1, n),  # an effect that reverses: y rises with |bowl|
            "fixed": np.full(n, 3.0),  # drawn at one value: left out
            "line": rng.uniform(0, 1, n),  # a monotone effect, the strongest
        }
    )
    y = 10 * x["line"] + 4 * x["bowl"] ** 2 + rng.normal(0, 0.1, n)
    return x, y


def test_the_strongest_first_and_each_shape_as_planted():
    x, y = _draws()
    table = outcome_by_decile(x, y)
    assert list(dict.fromkeys(table.index.get_level_values("parameter"))) == [
        "line",
        "bowl",
        "flat",
    ]
    line, bowl, flat = (table.loc[k, "p50"].to_numpy() for k in ("line", "bowl", "flat"))
    assert np.all(np.diff(line) > 0)  # climbs, by about 10 over the whole range
    assert line[-1] - line[0] == pytest.approx(9.0, abs=0.6)
    assert bowl[[0, -1]].min() > bowl[4:6].max() + 2  # high at both ends, low in the middle
    assert np.ptp(flat) < 1.0
    # a share of the scenarios each: equal counts, the bins' middles, their ends in order
    assert table["scenarios"].tolist() == [1000] * 30
    np.testing.assert_allclose(table.loc["line", "share"], np.arange(0.05, 1, 0.1))
    assert np.all(table["low"] <= table["high"])
    lows = table.loc["line", "low"].to_numpy()
    assert lows[0] == x["line"].min()
    assert table.loc["line", "high"].iloc[-1] == x["line"].max()
    assert np.all(table["p10"] <= table["p50"])
    assert np.all(table["p50"] <= table["p90"])


def test_the_middle_bin_by_hand():
    """Ten scenarios in five bins: two each, the outcome's median their mean."""
    x = pd.DataFrame({"a": [9.0, 1, 8, 2, 7, 3, 6, 4, 5, 0]})
    y = np.array([90.0, 10, 80, 20, 70, 30, 60, 40, 50, 0])
    table = outcome_by_decile(x, y, bins=5)
    assert table.loc["a", "p50"].tolist() == [5.0, 25.0, 45.0, 65.0, 85.0]
    assert table.loc["a", "low"].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert table.loc["a", "high"].tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert table.loc["a", "scenarios"].tolist() == [2] * 5
    assert table.loc["a", "mean"].tolist() == [5.0, 25.0, 45.0, 65.0, 85.0]
    squared = outcome_by_decile(x, y**2, bins=5)  # the mean of a bin of a and b: (a² + b²) / 2
    assert squared.loc["a", "mean"].tolist() == [50.0, 650.0, 2050.0, 4250.0, 7250.0]


def test_uneven_counts_and_ties_still_fill_every_bin():
    x = pd.DataFrame({"a": np.repeat([1.0, 2.0], 6)[:11]})  # 11 scenarios, two values
    table = outcome_by_decile(x, np.arange(11.0), bins=4)
    assert table["scenarios"].tolist() == [2, 3, 3, 3]
    assert table.loc["a", "low"].tolist() == [1.0, 1.0, 1.0, 2.0]


@pytest.mark.parametrize(
    ("n", "bins", "y", "message"),
    [
        (5, 10, None, r"as many scenarios \(5\) as bins \(10\)"),
        (20, 1, None, "at least 2 bins"),
        (20, 10, np.zeros(19), "19 values for 20 scenarios"),
        (20, 10, np.r_[np.zeros(19), np.nan], "non-finite"),
    ],
)
def test_impossible_requests_are_refused(n, bins, y, message):
    x = pd.DataFrame({"a": np.arange(float(n))})
    with pytest.raises(ValueError, match=message):
        outcome_by_decile(x, np.zeros(n) if y is None else y, bins=bins)


def test_only_constant_parameters_give_an_empty_table():
    table = outcome_by_decile(pd.DataFrame({"a": np.ones(30)}), np.arange(30.0))
    assert table.empty
    assert list(table.columns) == ["share", "low", "high", "p10", "p50", "p90", "mean", "scenarios"]


def test_the_noise_floor_separates_an_effect_from_none():
    """A standard normal outcome in tenths of 1,000: each median has a standard error of
    about sqrt(pi / 2) / sqrt(1,000) = 0.040, and the range of ten of them is about 3.1 of
    those (0.12) on average: the 95th percentile over random orders sits above that."""
    from strandrisk.analysis.deciles import decile_noise_floor, median_range

    rng = np.random.default_rng(3)
    y = rng.normal(size=10_000)
    floor = decile_noise_floor(y)
    assert 0.12 < floor < 0.3
    assert decile_noise_floor(y) == floor  # the same seed, the same floor
    x, planted = _draws()
    table = outcome_by_decile(x, planted)
    ranges = median_range(table)
    assert ranges.index.tolist() == ["line", "bowl", "flat"]
    for name in ranges.index:
        assert ranges[name] == np.ptp(table.loc[name, "p50"])
    floor = decile_noise_floor(planted)
    assert ranges["bowl"] > floor > ranges["flat"]


def test_the_chart_draws_only_the_parameters_above_the_floor():
    from strandrisk.analysis.deciles import decile_noise_floor
    from strandrisk.reports.figures import decile_figure

    x, y = _draws()
    table = outcome_by_decile(x, y)
    drawn = decile_figure(table, "t", "y", scale=1.0, floor=decile_noise_floor(y))
    assert [trace.name for trace in drawn.data] == ["line", "bowl"]
    every = decile_figure(table, "t", "y", scale=1.0)
    assert [trace.name for trace in every.data] == ["line", "bowl", "flat"]
    only = decile_figure(table, "t", "y", scale=1.0, floor=1e9)  # the strongest always
    assert [trace.name for trace in only.data] == ["line"]
    assert "a tenth of the 10,000 scenarios" in drawn.layout.xaxis.title.text


def test_the_change_in_the_mean_tornado_by_hand_and_as_planted():
    from strandrisk.analysis.deciles import mean_swings

    x = pd.DataFrame({"a": [9.0, 1, 8, 2, 7, 3, 6, 4, 5, 0], "b": [1.0, 1, 2, 2, 1, 1, 2, 2, 1, 2]})
    y = np.array([90.0, 10, 80, 20, 70, 30, 60, 40, 50, 0])
    swings = mean_swings(outcome_by_decile(x, y, bins=5), float(y.mean()))
    a = swings[0]
    assert (a.key, a.outcome_low, a.outcome_high, a.base) == ("a", 5.0, 85.0, 45.0)
    assert (a.low, a.high) == (1.0, 8.0)  # the inner edges of the lowest and highest bins
    assert swings[1].key == "b"
    assert swings[1].swing < a.swing
    planted = mean_swings(outcome_by_decile(*_draws()), float(_draws()[1].mean()))
    assert [s.key for s in planted] == ["line", "bowl", "flat"]
    line = planted[0]
    assert line.outcome_high - line.outcome_low == pytest.approx(9.0, abs=0.5)  # 10 x (0.95 - 0.05)
    assert planted[1].outcome_low == pytest.approx(planted[1].outcome_high, abs=0.3)  # a bowl
    assert planted[2].swing < 0.5  # no effect: sampling alone
