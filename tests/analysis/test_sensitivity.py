"""One-at-a-time swings (the tornado) of one or several outcomes from one batch."""

import numpy as np
import pytest

import strandrisk as sr
from strandrisk.analysis.sensitivity import one_at_a_time, ranged_parameters, swings_by_outcome
from strandrisk.assumptions.register import load_register

OUTCOMES = ("stranded_peak", "stranded_peak_to_2026", "npv_2026")


@pytest.fixture(scope="module")
def ranked():
    scenario = sr.load_scenario("base", {"years": 6})
    return scenario, swings_by_outcome(scenario, load_register(), OUTCOMES, "meta")


def test_each_outcome_ranked_as_alone(ranked):
    scenario, by_outcome = ranked
    for outcome in OUTCOMES:
        alone = one_at_a_time(scenario, load_register(), outcome, "meta")
        assert by_outcome[outcome] == alone


def test_each_swing_is_the_model_with_that_one_parameter_at_each_end(ranked):
    scenario, by_outcome = ranked
    register = load_register()
    keys = {key for key, *_ in ranged_parameters(scenario, register)}
    swings = by_outcome["stranded_peak_to_2026"]
    assert {s.key for s in swings} == {k for k in keys if not k.startswith("capex.share_")}
    assert [s.swing for s in swings] == sorted((s.swing for s in swings), reverse=True)
    base = sr.simulate(scenario, breakeven=False, keep_series=False).outcomes
    meta = base.set_index("company").loc["meta"]
    for s in swings[:3]:
        assert s.base == meta["stranded_peak_to_2026"]
        for value, got in ((s.low, s.outcome_low), (s.high, s.outcome_high)):
            one = sr.load_scenario("base", {"years": 6, s.key: value})
            rows = sr.simulate(one, breakeven=False, keep_series=False).outcomes
            expected = rows.set_index("company").loc["meta", "stranded_peak_to_2026"]
            assert got == pytest.approx(expected, rel=1e-9, abs=1.0)
    assert swings[0].swing > 0


def test_an_unknown_company_is_refused():
    with pytest.raises(sr.InputError, match="nvidia"):
        swings_by_outcome(sr.load_scenario("base"), load_register(), OUTCOMES, "nvidia")


def test_the_spider_is_the_model_with_one_parameter_at_each_percentile():
    from strandrisk.analysis.sensitivity import SPIDER_LEVELS, quantile_swings, spider

    scenario = sr.load_scenario("base", overrides={"years": 4})
    space = sr.load_uncertainty("base", scenario)
    web = spider(scenario, space, outcome="npv_2026", company="meta")
    assert web.levels == SPIDER_LEVELS
    assert list(web.outcomes.index) == list(space.keys)
    for key in ("market.elasticity", "capex.growth"):  # checked against runs of their own
        dist = space.distributions[space.keys.index(key)]
        values = dist.ppf(np.array(SPIDER_LEVELS))
        assert np.array_equal(web.values.loc[key].to_numpy(), values)
        assert np.all(np.diff(values) > 0)  # a percentile path, in order
        alone = sr.simulate(scenario, {key: values}, breakeven=False, keep_series=False).outcomes
        expected = alone[alone["company"] == "meta"]["npv_2026"].to_numpy()
        np.testing.assert_allclose(web.outcomes.loc[key].to_numpy(), expected, rtol=1e-12)
    base = sr.simulate(scenario, breakeven=False, keep_series=False).outcomes
    assert web.base == pytest.approx(
        float(base.loc[base["company"] == "meta", "npv_2026"].iloc[0]), rel=1e-12
    )
    # its ends are the tornado, largest swing first
    swings = web.swings(0.1, 0.9)
    assert swings == quantile_swings(scenario, space, outcome="npv_2026", company="meta")
    assert [s.swing for s in swings] == sorted((s.swing for s in swings), reverse=True)
    top = swings[0]
    assert top.outcome_low == web.outcomes.loc[top.key, 0.1]
    assert top.outcome_high == web.outcomes.loc[top.key, 0.9]
    with pytest.raises(ValueError, match=r"level 0\.05 is not one of"):
        web.swings(0.05, 0.9)
    # base sets four parameters outside their P10-P90 (no price floor against a floor drawn
    # from 0 to 0.2, ...): the tornado's bars do not pass through the scenario's value there
    outside = web.outside(0.1, 0.9)
    flat = scenario.flat()
    expected = {
        key
        for key in space.keys
        if not web.values.loc[key, 0.1] <= flat[key] <= web.values.loc[key, 0.9]
    }
    assert set(outside.index) == expected
    assert "market.price_floor_ratio" in expected
    floor = outside.loc["market.price_floor_ratio"]
    assert (floor["own"], floor["side"]) == (0.0, "below")
    assert floor["low"] == web.values.loc["market.price_floor_ratio", 0.1]
    assert floor["nearer"] == web.outcomes.loc["market.price_floor_ratio", 0.1]
    with pytest.raises(ValueError, match=r"level 0\.2 is not one of"):
        web.outside(0.2, 0.9)


def test_outside_by_hand():
    """Three parameters at P10 = 1, P90 = 3: one inside, one below, one above."""
    import pandas as pd

    from strandrisk.analysis.sensitivity import Spider

    values = pd.DataFrame({0.1: [1.0, 1.0, 1.0], 0.9: [3.0, 3.0, 3.0]}, index=["a", "b", "c"])
    outcomes = pd.DataFrame({0.1: [10.0, 20.0, 30.0], 0.9: [11.0, 21.0, 31.0]}, index=values.index)
    own = pd.Series({"a": 2.0, "b": 0.5, "c": 3.5})
    web = Spider((0.1, 0.9), values, outcomes, 5.0, "npv_2026", "industry", own)
    out = web.outside()
    assert out.index.tolist() == ["b", "c"]
    assert out["side"].tolist() == ["below", "above"]
    assert out["nearer"].tolist() == [20.0, 31.0]
    assert Spider((0.1, 0.9), values, outcomes, 5.0, "npv_2026", "industry").outside().empty


@pytest.mark.parametrize(
    ("levels", "message"),
    [((0.0, 0.5), "strictly between 0 and 1"), ((0.5, 0.4), "must increase"), ((), "between")],
)
def test_impossible_spider_levels_are_refused(levels, message):
    from strandrisk.analysis.sensitivity import spider

    scenario = sr.load_scenario("base")
    with pytest.raises(ValueError, match=message):
        spider(scenario, sr.load_uncertainty("base", scenario), levels=levels)
