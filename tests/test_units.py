"""The unit glossary."""

import pytest

from strandrisk import units


def test_conversions_to_canonical():
    assert units.to_canonical(725, "USD_B") == 725e9
    assert units.to_canonical(77, "percent") == pytest.approx(0.77)
    assert units.to_canonical(300, "W") == pytest.approx(3e-4)
    assert units.to_canonical(3.4, "month") == pytest.approx(3.4 / 12)
    assert units.to_canonical(0.14, "OOM/year") == pytest.approx(0.3223619130191664)


def test_convert_between_units_of_one_dimension():
    assert units.convert(36, "kW", "W") == pytest.approx(36_000)
    assert units.convert(2.2, "W/core", "W/core") == pytest.approx(2.2)
    with pytest.raises(ValueError, match="cannot convert"):
        units.convert(1, "USD", "year")


def test_unknown_unit_is_an_error_naming_it():
    with pytest.raises(units.UnknownUnitError, match="'furlong'"):
        units.require_unit("furlong", where="capex.csv row 3")


def test_every_unit_points_at_a_canonical_unit_of_its_dimension():
    for unit in units.UNITS.values():
        canonical = units.UNITS.get(unit.canonical)
        if canonical is not None:
            assert canonical.dimension == unit.dimension
            assert canonical.factor == 1.0


def test_annual_change_of_a_continuous_rate():
    import math

    from strandrisk.units import annual_change

    assert annual_change(0.0) == 0.0
    assert math.isclose(annual_change(math.log(2)), 1.0)  # doubling: +100 %
    assert math.isclose(annual_change(math.log(4), decline=True), -0.75)  # 4x cheaper: -75 %
    assert math.isclose(annual_change(1.15, decline=True), math.exp(-1.15) - 1)


def test_share_text_never_rounds_a_rare_event_away():
    from hypothesis import given
    from hypothesis import strategies as st

    from strandrisk.units import share_text

    # the edges: 0.005 printed "0%" and 0.995 "100%" (the cumulative impairment odds of
    # 19,900 scenarios in 20,000 read 100 % one year and >99 % the next)
    assert [share_text(v) for v in (0.0, 0.004, 0.005, 0.0051, 0.5, 0.995, 1.0)] == [
        "0%", "<1%", "<1%", "1%", "50%", ">99%", "100%"
    ]  # fmt: skip
    assert share_text(float("nan")) == "-"

    @given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
    def ordered(a: float, b: float) -> None:  # the text keeps the order of the shares
        rank = {"0%": 0, "<1%": 1, ">99%": 101, "100%": 102}
        lo, hi = sorted((a, b))
        texts = (share_text(lo), share_text(hi))
        key = [rank[t] if t in rank else int(t.rstrip("%")) + 1 for t in texts]
        assert key[0] <= key[1]
        assert (share_text(lo) == "0%") == (lo == 0.0)
        assert (share_text(hi) == "100%") == (hi == 1.0)

    ordered()


def test_signed_text_writes_a_rounded_zero_without_a_sign():
    from strandrisk.units import signed_text

    assert [signed_text(v) for v in (0.99, -0.61, -0.004, 0.004, 0.0, -0.0049, 0.006)] == [
        "+0.99", "-0.61", "0.00", "0.00", "0.00", "0.00", "+0.01"
    ]  # fmt: skip
    assert signed_text(-0.0004, 3) == "0.000"
    assert signed_text(-0.0006, 3) == "-0.001"
