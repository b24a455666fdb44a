"""Accounting depreciation of capex cohorts, straight line or declining balance (pure)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["declining_balance_book", "straight_line_book", "straight_line_charge"]


def straight_line_book(capex: ArrayLike, useful_life: ArrayLike, age: ArrayLike) -> np.ndarray:
    """Net book value after ``age`` years of straight-line depreciation to zero salvage.

    Parameters
    ----------
    capex : array-like
        Capitalised cost at commissioning. [USD]
    useful_life : array-like
        Booked useful life, > 0. [year]
    age : array-like
        Years since commissioning at the valuation date; < 0 means not yet built. [year]

    Returns
    -------
    ndarray
        Book value, broadcast shape of the inputs; 0 before commissioning. [USD]

    Notes
    -----
    ``B = capex * max(0, 1 - age / life)`` for ``age >= 0``.

    Examples
    --------
    >>> float(straight_line_book(100.0, 4.0, 1.0))
    75.0
    """
    capex, life, age = (np.asarray(x, dtype=float) for x in (capex, useful_life, age))
    remaining = np.clip(1.0 - age / life, 0.0, 1.0)
    return np.where(age >= 0, capex * remaining, 0.0)


def straight_line_charge(
    capex: ArrayLike, useful_life: ArrayLike, age: ArrayLike, period: float
) -> np.ndarray:
    """Depreciation charged over ``[age, age + period)``.

    Parameters
    ----------
    capex : array-like
        Capitalised cost at commissioning. [USD]
    useful_life : array-like
        Booked useful life, > 0. [year]
    age : array-like
        Age at the start of the period; < 0 before commissioning. [year]
    period : float
        Length of the period. [year]

    Returns
    -------
    ndarray
        Charge for the period; the charges over a life sum to ``capex``. [USD]
    """
    age = np.asarray(age, dtype=float)
    built = age >= 0
    start = np.where(built, age, 0.0)
    opened = straight_line_book(capex, useful_life, start)
    closed = straight_line_book(capex, useful_life, start + period)
    return np.where(built, opened - closed, 0.0)


def declining_balance_book(
    capex: ArrayLike,
    useful_life: ArrayLike,
    age: ArrayLike,
    factor: ArrayLike,
    period: float = 0.25,
) -> np.ndarray:
    """Net book value on a declining balance that switches to straight line, to zero salvage.

    Parameters
    ----------
    capex : array-like
        Capitalised cost at commissioning. [USD]
    useful_life : array-like
        Booked useful life, > 0; the asset is written off at this age. [year]
    age : array-like
        Years since commissioning at the valuation date; < 0 means not yet built. [year]
    factor : array-like
        Declining-balance factor, >= 1: each period charges ``factor / useful_life`` a year
        of the opening book (2 is double-declining, 1.5 is 150 %); 1 is straight line. [-]
    period : float
        Length of the depreciation period the rate is applied over (a quarter). [year]

    Returns
    -------
    ndarray
        Book value, broadcast shape of the inputs; 0 before commissioning. [USD]

    Notes
    -----
    With ``d = min(factor * period / life, 1)`` the book falls to ``(1 - d) ** (age /
    period)`` of cost until ``a* = ceil((life - life / factor) / period) * period``, the
    first period start at which straight line over the remaining life charges at least
    as much; from there it falls on a straight line to zero at ``life``. ``factor == 1``
    is :func:`straight_line_book` exactly (the same operations).

    Examples
    --------
    Double-declining over 5 years: 10 % a quarter, so 0.9 ** 4 of cost after a year.

    >>> round(float(declining_balance_book(100.0, 5.0, 1.0, 2.0)), 4)
    65.61
    """
    capex, life, age, f = (np.asarray(x, dtype=float) for x in (capex, useful_life, age, factor))
    d = np.minimum(f * period / life, 1.0)
    switch = np.ceil((life - life / f) / period) * period
    built = np.maximum(age, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        declining = np.power(1.0 - d, np.minimum(built, switch) / period)
        tail = np.where(built > switch, np.maximum((life - built) / (life - switch), 0.0), 1.0)
    share = np.where(built >= life, 0.0, declining * tail)
    share = np.where(f == 1.0, np.clip(1.0 - built / life, 0.0, 1.0), share)
    return np.where(age >= 0, capex * share, 0.0)
