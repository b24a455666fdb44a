"""The report's "in brief" sentences follow the outcome table, branch by branch."""

import numpy as np
import pandas as pd
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


def test_the_brief_says_what_strands_of_todays_capital(base):
    scenario, outcomes = base
    ind = outcomes.set_index("company").loc["industry"]
    text = " ".join(in_brief(outcomes, scenario))
    peak = f"${ind['stranded_peak_to_2026'] / 1e9:,.0f}B"
    assert f"has at most {peak} stranded, in {ind['stranded_peak_to_2026_date']}." in text
    none = _set(outcomes, "industry", stranded_peak_to_2026=0.0, stranded_peak_to_2026_date=None)
    text = " ".join(in_brief(none, scenario))
    assert (
        "(the installed base and the 2026 programme, valued on their own) is not stranded" in text
    )
    old = _set(outcomes, "industry", stranded_peak_to_2026=np.nan, stranded_peak_to_2026_date=None)
    assert "Today's capital" not in " ".join(in_brief(old, scenario))  # stored before it was kept


def test_the_stranded_chart_draws_todays_capital_beside_the_units():
    from strandrisk.reports.figures import _stranded

    ds = sr.simulate(sr.load_scenario("base"), breakeven=False).series.isel(scenario=0)
    fig = _stranded(ds, "t")
    today = [t for t in fig.data if "today's capital" in t.name]
    assert len(today) == 1
    np.testing.assert_allclose(
        today[0].y, ds["stranded_value_to_2026"].sel(company="industry").values / 1e9
    )
    older = _stranded(ds.drop_vars("stranded_value_to_2026"), "t")
    assert len(older.data) == len(fig.data) - 1


def test_the_report_names_every_outcome_in_words_and_keeps_its_json_name():
    from strandrisk.reports import html

    assert set(html._LABELS) == set(sr.OUTCOME_COLUMNS) - {"company"}
    page = html._outcomes_table(html._fmt_outcomes(sr.simulate(sr.load_scenario("base")).outcomes))
    assert (
        '<th class="text" title="breakeven_price_decline">break-even token price change</th>'
        in page
    )


def _mc_frames(p50, low, high, p99_high=1.2):
    index = pd.MultiIndex.from_tuples(
        [("industry", "stranded_peak"), ("industry", "npv_2026")], names=["company", "outcome"]
    )
    quantiles = pd.DataFrame(
        {"p5": [0.5, -1.0], "p50": [p50, 0.0], "p95": [1.0, 1.0], "p99": [1.1, 1.0]}, index=index
    )
    intervals = pd.DataFrame(
        {
            "p5_low": [0.4, -2.0],
            "p5_high": [0.6, 0.0],
            "p50_low": [low, -50.0],  # an NPV near zero has no meaningful relative error
            "p50_high": [high, 50.0],
            "p95_low": [0.99, 0.9],
            "p95_high": [1.02, 1.1],
            "p99_low": [1.05, 0.9],
            "p99_high": [p99_high, 1.1],
        },
        index=index,
    )
    return intervals, quantiles


def test_precision_note_gives_the_widest_relative_half_width():
    from strandrisk.reports.brief import precision_note

    note = precision_note(*_mc_frames(0.8, 0.78, 0.84), n=1000)
    # P50: max(0.84 - 0.8, 0.8 - 0.78) / 0.8 = 5 %; P95 2 %; P99 max(0.1, 0.05) / 1.1 = 9.1 %
    assert "P50 ±5.0%, P95 ±2.0%, P99 ±9.1% at most" in note
    assert note.startswith("Sampling error with 1,000 scenarios")


def test_precision_note_says_when_a_quantile_cannot_be_bounded_or_is_zero():
    from strandrisk.reports.brief import precision_note

    note = precision_note(*_mc_frames(0.8, 0.78, 0.84, p99_high=float("nan")), n=50)
    assert "P99 cannot be bounded from this few scenarios: run more" in note
    intervals, quantiles = _mc_frames(0.0, 0.0, 0.0)
    quantiles.loc[("industry", "stranded_peak")] = 0.0
    intervals.loc[("industry", "stranded_peak")] = 0.0
    assert "none to measure" in precision_note(intervals, quantiles, n=100)


def test_driver_notes_flag_a_correlation_borrowed_from_a_correlated_parameter():
    from strandrisk.reports.brief import driver_notes

    index = pd.MultiIndex.from_tuples(
        [("npv_2026", "a"), ("npv_2026", "b"), ("npv_2026", "c")], names=["outcome", "parameter"]
    )
    drivers = pd.DataFrame(
        {
            "spearman": [0.6, -0.11, 0.2],
            "spearman_pm": [0.01, 0.014, 0.012],
            "srrc": [0.62, 0.08, 0.19],  # b's sign flips once the others are held
            "r2": [0.88, 0.88, 0.88],
        },
        index=index,
    )
    notes = driver_notes(drivers, ["a", "b", "c"], 20_000)
    assert "over the first 20,000 scenarios, each within ±0.014 (95 %)" in notes[0]
    assert "explains 88% of the 2026 programme's NPV" in notes[1]
    borrowed = [n for n in notes if "comes through parameters" in n]
    assert len(borrowed) == 1
    assert borrowed[0].startswith("b: its correlation with the 2026 programme's NPV (-0.11)")
    assert "+0.08" in borrowed[0]


def test_llcr_line_says_where_the_cover_starts_falls_below_one_and_ends():
    from strandrisk.reports.brief import llcr_line

    quarters = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert llcr_line(quarters, np.full(4, np.nan)) is None  # no debt, no ratio
    line = llcr_line(quarters, np.array([np.nan, 2.5, 0.9, 1.2]))
    assert line == "Loan life cover (industry): 2.50 in 2026Q2, below 1 from 2026Q3, 1.20 in 2026Q4"
    assert "never below 1" in llcr_line(quarters, np.array([3.0, 2.0, 1.5, np.nan]), "meta")


def test_lives_line_says_what_three_year_lives_add_and_what_burrys_figure_implies():
    from strandrisk.engine.lives import life_effect
    from strandrisk.reports.brief import lives_line

    sc = sr.load_scenario("base", {"years": 4})
    effect = life_effect(sc, 3.0, target=176e9)
    extra = effect.total.loc["industry", "understated"] / 1e9
    line = lives_line(effect)
    assert line.startswith(f"Depreciation 2026-2028 at 3-year lives: ${extra:,.0f}B above")
    assert f"implies {effect.implied_life:.2f}-year lives" in line
    assert "implies" not in lives_line(life_effect(sc, 3.0))  # no target, no implied life
    assert lives_line(None) is None
    assert lives_line(life_effect(sc, dict.fromkeys([c.name for c in sc.companies], 4.0))) is None


def test_lives_sentence_says_both_sides_of_a_shorter_life():
    from strandrisk.engine.lives import life_effect
    from strandrisk.reports.brief import lives_sentence

    sc = sr.load_scenario("base", {"years": 5})
    effect = life_effect(sc, 3.0, target=176e9)
    (text,) = lives_sentence(effect)
    t, later = effect.total.loc["industry"], effect.later.loc["industry"]
    y = effect.by_year.loc[("industry", 2028)]
    lower = 1 - y["ebit_at_life"] / y["ebit_booked"]  # the same share, computed the other way
    assert f"depreciate ${t['understated'] / 1e9:,.0f}B more in 2026-2028" in text
    assert f"(2028 EBIT {lower:.0%} lower)" in text
    assert f"strand ${later['stranded_peak_at_life'] / 1e9:,.0f}B at the peak" in text
    assert f"what {effect.implied_life:.2f}-year lives give" in text
    assert lives_sentence(None) == []
