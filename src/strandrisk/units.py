"""Glossary of units: every unit a number in strandrisk may carry.

Each unit belongs to a dimension and converts to that dimension's canonical unit by a
multiplicative factor (``canonical = value * factor``). The model core works in canonical
units only; other units are converted once, where data enter (``strandrisk.io`` and the
assumptions loader). An unknown unit is an error.

Canonical units follow ``STYLE.md``: money ``USD`` (nominal, plain floats), time ``year``,
power ``MW``, tokens ``Mtok``, prices ``USD/Mtok``, rates ``1/year`` as fractions, shares
``fraction``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "UNITS",
    "Unit",
    "UnknownUnitError",
    "annual_change",
    "convert",
    "require_unit",
    "share_text",
    "signed_text",
    "to_canonical",
]


class UnknownUnitError(ValueError):
    """Raised for a unit that is not in the glossary."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit of the glossary.

    Attributes
    ----------
    name : str
        The unit's symbol as written in data tables, e.g. ``"USD_B"``.
    dimension : str
        What it measures, e.g. ``"money"``.
    canonical : str
        The canonical unit of that dimension, e.g. ``"USD"``.
    factor : float
        Multiplier from this unit to the canonical one. [canonical/unit]
    description : str
        Plain words.
    """

    name: str
    dimension: str
    canonical: str
    factor: float
    description: str


_HOURS_PER_YEAR = 8766.0  # 365.25 days x 24 h, the Julian year used for all time conversions

_TABLE: tuple[tuple[str, str, str, float, str], ...] = (
    # money
    ("USD", "money", "USD", 1.0, "US dollars, nominal"),
    ("USD_k", "money", "USD", 1e3, "thousand US dollars"),
    ("USD_M", "money", "USD", 1e6, "million US dollars"),
    ("USD_B", "money", "USD", 1e9, "billion US dollars"),
    ("USD_T", "money", "USD", 1e12, "trillion US dollars"),
    # money flows
    ("USD/year", "money_rate", "USD/year", 1.0, "US dollars per year"),
    ("USD_M/year", "money_rate", "USD/year", 1e6, "million US dollars per year"),
    ("USD_B/year", "money_rate", "USD/year", 1e9, "billion US dollars per year"),
    ("USD/month", "money_rate", "USD/year", 12.0, "US dollars per month"),
    # prices
    ("USD/Mtok", "token_price", "USD/Mtok", 1.0, "US dollars per million tokens"),
    ("USD/hour", "rental_price", "USD/hour", 1.0, "US dollars per device-hour (rental)"),
    ("USD/kWh", "energy_price", "USD/kWh", 1.0, "US dollars per kilowatt-hour"),
    ("USD/unit", "unit_price", "USD/unit", 1.0, "US dollars per device (purchase)"),
    ("USD/MW", "power_cost", "USD/MW", 1.0, "US dollars per megawatt of capacity"),
    ("USD/kW", "power_cost", "USD/MW", 1e3, "US dollars per kilowatt of capacity"),
    ("USD_M/MW", "power_cost", "USD/MW", 1e6, "million US dollars per megawatt of capacity"),
    # time
    ("year", "time", "year", 1.0, "Julian year of 365.25 days"),
    ("quarter", "time", "year", 0.25, "quarter of a year"),
    ("month", "time", "year", 1.0 / 12.0, "month"),
    ("day", "time", "year", 1.0 / 365.25, "day"),
    ("hour", "time", "year", 1.0 / _HOURS_PER_YEAR, "hour"),
    ("calendar_year", "date", "calendar_year", 1.0, "decimal calendar year, e.g. 2024.5"),
    # rates and multipliers
    ("1/year", "rate", "1/year", 1.0, "continuous rate per year, as a fraction (0.07, not 7)"),
    (
        "x/year",
        "annual_factor",
        "x/year",
        1.0,
        "multiplicative change over one year (10 = tenfold)",
    ),
    ("OOM/year", "rate", "1/year", 2.302585092994046, "orders of magnitude (base 10) per year"),
    ("ratio", "ratio", "ratio", 1.0, "dimensionless multiple (280 = 280-fold)"),
    ("fraction", "share", "fraction", 1.0, "share or proportion, 0..1"),
    ("percent", "share", "fraction", 0.01, "per cent; converted to a fraction"),
    ("percentage_point", "share", "fraction", 0.01, "difference of two percentages"),
    # power and energy
    ("W", "power", "MW", 1e-6, "watt"),
    ("kW", "power", "MW", 1e-3, "kilowatt"),
    ("MW", "power", "MW", 1.0, "megawatt (IT load unless stated)"),
    ("GW", "power", "MW", 1e3, "gigawatt"),
    ("W/core", "power_per_core", "MW/core", 1e-6, "watts per CPU core"),
    ("kWh", "energy", "kWh", 1.0, "kilowatt-hour"),
    # counts
    ("count", "count", "count", 1.0, "number of things (chips, cores, servers, companies)"),
    ("H100e", "compute_units", "H100e", 1.0, "H100-equivalents of compute (Epoch AI)"),
    ("parameters_B", "parameters", "parameters", 1e9, "billion model parameters"),
    ("parameters_T", "parameters", "parameters", 1e12, "trillion model parameters"),
    ("parameters", "parameters", "parameters", 1.0, "model parameters"),
    ("bits", "bits", "bits", 1.0, "bits per parameter (precision)"),
    # tokens
    ("Mtok", "tokens", "Mtok", 1.0, "million tokens"),
    ("tokens", "tokens", "Mtok", 1e-6, "tokens"),
    ("Ttok", "tokens", "Mtok", 1e6, "trillion tokens"),
    ("Mtok/month", "token_rate", "Mtok/year", 12.0, "million tokens per month"),
    ("Ttok/month", "token_rate", "Mtok/year", 12e6, "trillion tokens per month"),
    # memory and bandwidth
    ("byte", "memory", "GB", 1e-9, "byte"),
    ("GB", "memory", "GB", 1.0, "gigabyte (10^9 bytes)"),
    ("TB", "memory", "GB", 1e3, "terabyte (10^12 bytes)"),
    ("GB/s", "bandwidth", "GB/s", 1.0, "gigabytes per second"),
    ("MT/s", "transfer_rate", "MT/s", 1.0, "mega-transfers per second"),
    # compute
    ("FLOP/s", "compute", "FLOP/s", 1.0, "floating-point operations per second"),
    ("TOPS", "compute", "FLOP/s", 1e12, "tera-operations per second"),
    ("FLOP/s/USD", "price_performance", "FLOP/s/USD", 1.0, "FLOP/s per US dollar"),
    ("nm", "length", "nm", 1.0, "nanometre (process node)"),
)

UNITS: dict[str, Unit] = {row[0]: Unit(*row) for row in _TABLE}
"""The glossary: unit symbol -> :class:`Unit`."""


def require_unit(unit: str, where: str = "") -> Unit:
    """Return the glossary entry for ``unit`` or raise naming it.

    Parameters
    ----------
    unit : str
        Unit symbol as written in a table. [-]
    where : str, optional
        Context for the error message (file, row, column). [-]

    Returns
    -------
    Unit
        The glossary entry.

    Raises
    ------
    UnknownUnitError
        If ``unit`` is not in :data:`UNITS`.
    """
    try:
        return UNITS[unit]
    except KeyError:
        prefix = f"{where}: " if where else ""
        raise UnknownUnitError(
            f"{prefix}unknown unit {unit!r}; known units: {', '.join(sorted(UNITS))}"
        ) from None


def to_canonical(value: float, unit: str) -> float:
    """Convert ``value`` from ``unit`` to its dimension's canonical unit.

    Parameters
    ----------
    value : float
        Quantity in ``unit``. [unit]
    unit : str
        Unit symbol from the glossary. [-]

    Returns
    -------
    float
        The same quantity in the canonical unit. [canonical]
    """
    return value * require_unit(unit).factor


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` between two units of the same dimension.

    Parameters
    ----------
    value : float
        Quantity in ``from_unit``. [from_unit]
    from_unit, to_unit : str
        Unit symbols from the glossary; they must share a dimension. [-]

    Returns
    -------
    float
        The quantity in ``to_unit``. [to_unit]

    Raises
    ------
    ValueError
        If the two units measure different dimensions.
    """
    a, b = require_unit(from_unit), require_unit(to_unit)
    if a.dimension != b.dimension:
        raise ValueError(
            f"cannot convert {from_unit!r} ({a.dimension}) to {to_unit!r} ({b.dimension})"
        )
    return value * a.factor / b.factor


def annual_change(rate: float, decline: bool = False) -> float:
    """Change over one year implied by a continuous rate: ``exp(rate) - 1``.

    The model's growth and decline parameters are continuous rates a year (``g`` in
    ``e^(g t)``); read as a percentage they mislead: a price decline of 1.15 a year is a
    fall of 68 % a year, not 115 %.

    Parameters
    ----------
    rate : float
        The continuous rate. [1/year]
    decline : bool
        ``rate`` is a decline: the change is ``exp(-rate) - 1``. [-]

    Returns
    -------
    float
        The change over a year, as a fraction (+0.72 for +72 %). [fraction]
    """
    return math.expm1(-rate if decline else rate)


def share_text(share: float) -> str:
    """Write a probability in whole per cent, never rounding a rare event away.

    A share above 0 that would print as "0%" is "<1%", one below 1 that would print as
    "100%" is ">99%" (0.005 is "<1%", 0.995 ">99%"): only 0 and 1 print as 0 % and 100 %.
    NaN is "-".

    Parameters
    ----------
    share : float
        The share of scenarios, 0 to 1. [fraction]
    """
    if math.isnan(share):
        return "-"
    text = f"{share:.0%}"
    if text == "0%" and share > 0.0:
        return "<1%"
    if text == "100%" and share < 1.0:
        return ">99%"
    return text


def signed_text(value: float, digits: int = 2) -> str:
    """Write a signed number, one that rounds to zero as plain zero ("0.00", not "-0.00").

    Parameters
    ----------
    value : float
        The number, such as a correlation. [-]
    digits : int
        Decimals. [count]
    """
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0.0 else text
