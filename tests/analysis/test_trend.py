"""fit_trend on calendar dates."""

import math

import numpy as np
import pytest

from strandrisk import InputError, fit_trend

KEYS = {
    "n",
    "start",
    "end",
    "annual_factor",
    "annual_factor_ci95",
    "doubling_time_years",
    "halving_time_years",
    "rate_per_year",
    "r2",
    "skipped",
}


def test_decline_from_iso_dates():
    dates = ["2021-01-01", "2022-01-01", "2023-01-01", "2024-01-01"]
    days = np.array([0, 365, 730, 1095])  # 2024 is a leap year; its day falls after 2024-01-01
    values = 100.0 * 0.5 ** (days / 365.25)
    fit = fit_trend(dates, values)
    assert fit.annual_factor == pytest.approx(0.5, rel=1e-9)
    assert fit.halving_time_years == pytest.approx(1.0, rel=1e-9)
    assert fit.doubling_time_years is None
    assert (fit.start, fit.end, fit.n) == ("2021-01-01", "2024-01-01", 4)
    assert fit.annual_factor_ci95[0] == pytest.approx(0.5, rel=1e-6)


def test_growth_dict_has_exactly_the_documented_keys():
    d = fit_trend(
        np.array(["2020-01-01", "2020-07-02", "2021-01-01"], dtype="datetime64[D]"),
        [1.0, math.sqrt(2.0), 2.0],
        skipped=2,
    ).to_dict()
    assert set(d) == KEYS
    assert d["halving_time_years"] is None
    assert d["doubling_time_years"] == pytest.approx(1.0, rel=1e-2)
    assert d["skipped"] == 2
    assert d["annual_factor_ci95"][0] <= d["annual_factor"] <= d["annual_factor_ci95"][1]


@pytest.mark.parametrize(
    ("dates", "values", "message"),
    [
        (["2020-01-01", "2021-01-01"], [1.0, 2.0], "at least 3"),
        (["2020-01-01", "2021-01-01", "2022-01-01"], [1.0, -2.0, 3.0], "positive"),
        (["2020-01-01", "not a date", "2022-01-01"], [1.0, 2.0, 3.0], "cannot parse date"),
        (["2020-01-01", "2021-01-01", "2022-01-01"], [1.0, 2.0], "one length"),
    ],
)
def test_refusals(dates, values, message):
    with pytest.raises(InputError, match=message):
        fit_trend(dates, values)


def test_numbers_are_read_as_decimal_calendar_years_like_a_csv_date_column():
    from strandrisk.analysis.trend import fit_trend

    by_year = fit_trend([2020, 2021.5, 2023], [1.0, 2.0, 4.0])
    by_date = fit_trend(["2020-01-01", "2021-07-03", "2023-01-01"], [1.0, 2.0, 4.0])
    assert by_year.annual_factor == by_date.annual_factor  # 2021.5: 1 January + 182.6 days
    assert by_year.start == "2020-01-01"
    assert abs(by_year.annual_factor - 2 ** (2 / 3)) < 0.01
