"""Straight-line accounting depreciation of capex cohorts (pure, broadcasting)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["straight_line_book", "straight_line_charge"]


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
