"""The report's "in brief" sentences follow the outcome table, branch by branch."""

import numpy as np
import pytest

import strandrisk as sr
from strandrisk.reports.brief import in_brief


@pytest.fixture(scope="module")
def base():
    scenario = sr.load_scenario("base")
    return scenario, sr.simulate(scenario, breakeven=True).outcomes


def _set(frame, company, **values):
    out = frame.copy()
    for column, value in values.items():
        out.loc[out["company"] == company, column] = value
    return out


def test_the_base_case_in_brief(base):
    scenario, outcomes = base
    text = " ".join(in_brief(outcomes, scenario))
    ind = outcomes.set_index("company").loc["industry"]
    assert f"NPV ${ind['npv_2026'] / 1e9:,.0f}B at a WACC of 9%" in text
    assert "earns its cost of capital" in text
    assert f"{ind['economic_life_years']:.1f} years on average" in text
    assert "by 2035Q4, the end of the horizon, and is still rising" in text
    assert f"first impairs in {ind['first_impairment_ifrs']} under IFRS" in text
    assert "the first company to impair on its own is Amazon, in 2026Q1" in text
    assert f"initial demand growth rate of {ind['breakeven_demand_growth']:.2f} a year" in text
    assert f"{np.exp(ind['breakeven_price_decline']):.1f}x cheaper each year" in text


def test_each_branch(base):
    scenario, outcomes = base
    loss = _set(outcomes, "industry", npv_2026=-5e10, stranded_peak_date="2031Q2")
    text = " ".join(in_brief(loss, scenario))
    assert "does not earn its cost of capital: NPV -$50B" in text
    assert "peaks at" in text
    assert "in 2031Q2." in text
    none = _set(outcomes, "industry", stranded_peak=0.0, stranded_peak_date=None)
    none = _set(none, "industry", first_impairment_ifrs=None, first_impairment_usgaap=None)
    text = " ".join(in_brief(none, scenario))
    assert "No book value is stranded through 2035Q4." in text
    assert "The industry as one business is not impaired by 2035Q4, but Amazon" in text
    clean = none.copy()
    clean["first_impairment_ifrs"] = None
    assert "No impairment under IFRS or US GAAP by 2035Q4." in " ".join(in_brief(clean, scenario))
    nan = _set(outcomes, "industry", breakeven_demand_growth=np.nan, breakeven_price_decline=np.nan)
    text = " ".join(in_brief(nan, scenario))
    assert "does not reach zero for any initial demand growth rate" in text
    assert "survives" not in text
    assert "breaks even" not in " ".join(in_brief(outcomes, scenario, searched=False))


def test_the_report_names_every_outcome_in_words_and_keeps_its_json_name():
    from strandrisk.reports import html

    assert set(html._LABELS) == set(sr.OUTCOME_COLUMNS) - {"company"}
    page = html._outcomes_table(html._fmt_outcomes(sr.simulate(sr.load_scenario("base")).outcomes))
    assert (
        '<th class="text" title="breakeven_price_decline">break-even token price change</th>'
        in page
    )
