"""The fixed-asset roll-forward of a simulation: it ties, and it reads like the books."""

import numpy as np
import pytest

import strandrisk as sr
from strandrisk.engine.rollforward import ROLLFORWARD_COLUMNS, rollforward_table


@pytest.fixture(scope="module")
def base():
    return sr.simulate(sr.load_scenario("base"), breakeven=False)


def test_every_company_ties_under_both_standards(base):
    table = rollforward_table(base.series)
    assert list(table.columns) == ["company", "standard", "year", *ROLLFORWARD_COLUMNS]
    scale = table["closing"].abs().max()
    assert np.abs(table["difference"]).max() < 1e-12 * scale
    assert len(table) == 6 * 2 * 10


def test_the_roll_forward_reads_like_the_outcomes(base):
    out = base.outcomes.set_index("company")
    for company in ("amazon", "industry"):
        for standard in ("ifrs", "usgaap"):
            roll = sr.rollforward(base.series, company, standard)
            net = roll["impairment"].sum() - roll["reversals"].sum()
            assert net == pytest.approx(out.loc[company, f"impairment_{standard}"], rel=1e-12)
            assert roll["additions"].iloc[0] == pytest.approx(out.loc[company, "capex_2026"])
            # one year's closing is the next year's opening
            np.testing.assert_array_equal(roll["opening"].iloc[1:], roll["closing"].iloc[:-1])
            booked = base.series["depreciation"].sel(company=company).values.ravel()
            assert roll["depreciation"].sum() <= booked.sum() * (1 + 1e-12)
    amazon = sr.rollforward(base.series, "amazon", "ifrs")
    assert amazon.loc[2026, "reversals"] > 0  # impaired in 2026Q1, recovered in the year
    assert (sr.rollforward(base.series, "amazon", "usgaap")["reversals"] == 0).all()


def test_write_downs_lower_later_depreciation(base):
    """After the industry's first IFRS charge (2030Q4), its assets depreciate on less."""
    series = base.series.isel(scenario=0).sel(company="industry")
    gap = series["depreciation"].values - series["depreciation_ifrs"].values
    first = int(np.argmax(series["impairment_ifrs"].values > 0))
    scale = series["depreciation"].values.max()
    assert np.abs(gap[: first + 1]).max() < 1e-9 * scale  # the charge's own quarter books in full
    assert (gap[first + 1 :] > 0).all()


def test_opening_book_is_the_installed_base_before_2026(base):
    series = base.series.isel(scenario=0)
    opening = series["book_value_opening"].values[:, 0]
    first = series["book_value"].values[:, 0]
    capex = series["capex"].values[:, 0]
    booked = series["depreciation"].values[:, 0]
    np.testing.assert_allclose(opening + capex - booked, first, rtol=1e-12)
    assert (opening > 0).all()  # 2022-2025 purchases still on the books


def test_bad_requests_are_refused(base):
    with pytest.raises(sr.InputError, match="standard 'gaap'"):
        sr.rollforward(base.series, standard="gaap")
    with pytest.raises(sr.InputError, match="company 'tesla'"):
        sr.rollforward(base.series, company="tesla")


@pytest.mark.parametrize("preset", sr.PRESETS)
@pytest.mark.parametrize("switch", [False, True])
def test_it_ties_for_every_preset_with_and_without_economic_obsolescence(preset, switch):
    scenario = sr.load_scenario(preset, overrides={"accounting.economic_obsolescence": switch})
    table = rollforward_table(sr.simulate(scenario, breakeven=False).series)
    scale = max(table["closing"].abs().max(), table["opening"].abs().max())
    assert np.abs(table["difference"]).max() <= 1e-12 * scale
    assert (table["reversals"] >= 0).all()
    assert (table.loc[table["standard"] == "usgaap", "reversals"] == 0).all()


def test_it_ties_on_a_declining_balance():
    scenario = sr.load_scenario("base", overrides={"accounting.declining_balance": 2.0})
    table = rollforward_table(sr.simulate(scenario, breakeven=False).series)
    scale = max(table["closing"].abs().max(), table["opening"].abs().max())
    assert np.abs(table["difference"]).max() <= 1e-12 * scale
