"""Impairment-test headroom and the break-even values of key assumptions (IAS 36.134(f))."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.headroom import headroom


def _series_headroom(overrides, quarter="2026Q4"):
    """Recoverable less carrying amount per company from the NumPy engine's series."""
    scenario = sr.load_scenario("base", overrides=overrides)
    ds = sr.simulate(scenario, breakeven=False, engine="numpy").series.sel(quarter=quarter)
    return (ds["recoverable_amount"] - ds["book_value"]).to_pandas().iloc[0]


@pytest.fixture(scope="module")
def base():
    return headroom(sr.load_scenario("base"), "2026Q4", ("market.price_decline",))


def test_the_position_is_the_series_at_the_test_date(base):
    scenario = sr.load_scenario("base")
    ds = sr.simulate(scenario, breakeven=False, engine="numpy").series.sel(quarter="2026Q4")
    for company, row in base.position.iterrows():
        carrying = float(ds["book_value"].sel(company=company)[0])
        recoverable = float(ds["recoverable_amount"].sel(company=company)[0])
        assert row["carrying"] == pytest.approx(carrying, rel=1e-9)
        assert row["recoverable"] == pytest.approx(recoverable, rel=1e-9)
        assert row["headroom_share"] == pytest.approx((recoverable - carrying) / carrying, rel=1e-9)


def test_at_each_break_even_value_the_headroom_is_gone(base):
    row = base.assumptions.loc[("industry", "market.price_decline")]
    own = row["value"]
    assert row["below"] < own < row["above"]  # the base case sits between two crossings
    carrying = base.position.loc["industry", "carrying"]
    for side in ("below", "above"):
        at = row[side]
        h = _series_headroom({"market.price_decline": at})["industry"]
        assert abs(h) <= 1e-6 * carrying, side  # the NumPy engine agrees it is zero there
        step = 0.01 if side == "above" else -0.01  # and beyond it the unit is impaired
        assert _series_headroom({"market.price_decline": at + step})["industry"] < 0
    assert row["change_up"] == pytest.approx(row["above"] - own)


def test_a_unit_already_short_gets_the_change_that_would_close_the_gap():
    result = headroom(
        sr.load_scenario("base"),
        "2026Q4",
        ("market.demand_growth", "companies.amazon.compute_life"),
    )
    assert result.position.loc["amazon", "headroom"] < 0  # impaired at the scenario's values
    growth = result.assumptions.loc[("amazon", "market.demand_growth")]
    assert growth["above"] > growth["value"]  # more demand closes it
    assert _series_headroom({"market.demand_growth": growth["above"] + 0.01})["amazon"] > 0
    life = result.assumptions.loc[("amazon", "companies.amazon.compute_life")]
    assert life["unit"] == "year"
    assert np.isnan(life["above"])  # a longer booked life only widens the gap
    assert life["below"] < life["value"]  # a shorter one closes it: less on the books


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"at": "2040Q1"}, "not a quarter of the horizon"),
        ({"keys": ("capex.path",)}, "not a numeric scenario parameter"),
        ({"keys": ("market.nonsense",)}, "not a numeric scenario parameter"),
        ({"keys": ("market.rental_rate",)}, "no range in the register"),
        ({"keys": ("capex.share_compute",)}, "which add to 1: it cannot move alone"),
        ({"keys": ()}, "at least one key"),
    ],
)
def test_bad_requests_are_refused(kwargs, message):
    with pytest.raises(sr.InputError, match=message):
        headroom(sr.load_scenario("base"), **kwargs)


def test_a_leakage_share_is_searched_only_while_the_shares_stay_below_one():
    scenario = sr.load_scenario("base", overrides={"market.device_share": 0.5})
    result = headroom(scenario, "2026Q4", ("market.open_source_share",))
    row = result.assumptions.loc[("industry", "market.open_source_share")]
    assert row["high"] < 0.5  # with 50 % to devices, open weights can take less than half


def test_headroom_on_the_command_line():
    runner = CliRunner()
    r = runner.invoke(app, ["headroom", "--key", "market.price_decline", "--json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["at"] == "2026Q4"
    assert set(body["position"]) == {
        "amazon",
        "alphabet",
        "meta",
        "microsoft",
        "oracle",
        "industry",
    }
    assert body["assumptions"]["industry"]["market.price_decline"]["unit"] == "1/year"
    text = runner.invoke(app, ["headroom", "--key", "market.price_decline", "--company", "meta"])
    assert text.exit_code == 0, text.output
    assert "at which meta's headroom is gone" in " ".join(text.output.split())
    bad = runner.invoke(app, ["headroom", "--at", "2050Q1"])
    assert bad.exit_code == 2
    assert "outside the horizon" in bad.output
