"""Early retirement: the trailing-year rule and the foresight rule, by hand and in the model."""

import numpy as np
import pytest

import strandrisk as sr
from strandrisk.engine.model import (
    _not_worth_running,
    _short_for_a_year,
    build_cohorts,
    make_grid,
    operate,
)
from strandrisk.engine.params import build_params
from strandrisk.engine.simulate import _history


def _flags(ebitda, df=None, fixed=1.0):
    e = np.asarray(ebitda, float)
    df = np.ones_like(e) if df is None else np.asarray(df, float)
    return _not_worth_running(e, np.full_like(e, fixed), np.ones(e.shape, bool), df)


def test_foresight_keeps_a_cohort_idle_for_a_year_that_earns_it_back_later():
    # V_5 = -1 < 0; V_4 = 5; V_3 = 4; V_2 = 3; V_1 = 2; V_0 = 1: retire in quarter 5 only
    assert _flags([-1, -1, -1, -1, 5, -1]).tolist() == [0, 0, 0, 0, 0, 1]
    # the trailing-year rule retires it after a whole year short of its fixed cost (t = 3)
    contribution = np.array([0.0, 0, 0, 0, 6, 0])
    fixed = np.ones(6)
    short = _short_for_a_year(contribution, fixed, np.ones(6, bool))
    assert short.tolist() == [0, 0, 0, 1, 0, 0]


def test_the_trailing_year_is_the_sum_of_its_own_four_quarters():
    # a year short by 1 a quarter after a quarter that earned 1e17: a difference of running
    # sums (1e17 - 1 rounds back to 1e17) would see no shortfall; the four quarters' own sum does
    contribution = np.array([1e17, 0, 0, 0, 0, 0, 0, 0])
    short = _short_for_a_year(contribution, np.ones(8), np.ones(8, bool))
    assert short.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]


def test_foresight_retires_at_once_what_cannot_earn_back_its_idle_quarters():
    # V_2 = 1.5, V_1 = 0.5, V_0 = -0.5: the first quarter is already not worth it
    assert _flags([-1, -1, 1.5])[0]


def test_foresight_discounts_the_later_earnings():
    # -1 now and +1.05 next quarter: worth it undiscounted (+0.05), not at 0.9 (-0.055)
    assert not _flags([-1, 1.05]).any()
    assert _flags([-1, 1.05], df=[1.0, 0.9]).tolist() == [1, 0]


def test_foresight_ignores_quarters_out_of_service():
    e = np.array([-5.0, -1, 3, -7])
    alive = np.array([False, True, True, False])
    out = _not_worth_running(e, np.ones(4), alive, np.ones(4))
    assert out.tolist() == [0, 0, 0, 0]  # -1 + 3 >= 0, and the outside quarters never count


def _ends(rule, **overrides):
    scenario = sr.load_scenario("base", overrides={"technology.retirement": rule, **overrides})
    p = build_params(scenario, {})
    grid = make_grid(scenario.years)
    ops = operate(p, grid, build_cohorts(p, grid, _history(p.companies)))
    return ops.alive.sum(axis=-1)  # quarters in service per cohort


def test_with_falling_demand_foresight_retires_each_cohort_when_its_losses_begin():
    """Existing assets only and demand falling: once a cohort loses money it always will.

    The trailing-year rule waits for a whole year of losses; foresight retires in the first
    losing quarter, three quarters sooner, and never later.
    """
    falling = {
        "capex.path": "none",
        "market.demand_growth": -0.5,
        "market.elasticity": 0.0,
        "market.agentic_multiplier": 1.0,
    }
    trailing, foresight = _ends("trailing-year", **falling), _ends("foresight", **falling)
    assert (foresight <= trailing).all()
    sooner = trailing - foresight
    assert (sooner == 3).sum() > 50
    assert set(np.unique(sooner)) <= {0, 1, 2, 3}


@pytest.mark.parametrize("rule", ["trailing-year", "foresight"])
def test_an_unknown_rule_is_refused_and_both_rules_load(rule):
    assert sr.load_scenario("base", overrides={"technology.retirement": rule})
    with pytest.raises(Exception, match=r"technology\.retirement"):
        sr.load_scenario("base", overrides={"technology.retirement": "never"})
