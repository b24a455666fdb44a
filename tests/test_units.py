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
