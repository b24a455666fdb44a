"""Technology progress: price-performance with an optionally shortening doubling time.

Pure and broadcasting.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["MAX_DOUBLINGS", "cumulative_doublings", "progress_factor"]

MAX_DOUBLINGS = 200.0
"""Cap on the doublings counted from the start, ``2**200`` (about 1e60) times the compute per
dollar. Reached only when the doubling time shrinks towards zero (a high ``acceleration`` over
a long horizon), where the count grows without bound and ``2**N`` would overflow; beyond it
progress stops, so every quantity stays finite. [-]"""


def cumulative_doublings(
    tau: ArrayLike, doubling_time: ArrayLike, acceleration: ArrayLike
) -> np.ndarray:
    """Count the doublings between time 0 and ``tau`` when the doubling time shrinks.

    Parameters
    ----------
    tau : array-like
        Time from the start quarter; may be negative (before the start). [year]
    doubling_time : array-like
        Doubling time at the start, ``D0 > 0``. [year]
    acceleration : array-like
        Rate ``k >= 0`` at which the doubling time shortens, ``D(t) = D0 exp(-k t)``
        (AI designing chips). [1/year]

    Returns
    -------
    ndarray
        ``N(tau) = (exp(k tau) - 1) / (k D0)``, tending to ``tau / D0`` as ``k -> 0``,
        at most :data:`MAX_DOUBLINGS`. [-]

    Examples
    --------
    >>> float(cumulative_doublings(5.0, 2.5, 0.0))
    2.0
    """
    tau, d0, k = (np.asarray(x, dtype=float) for x in (tau, doubling_time, acceleration))
    kt = k * tau
    small = np.abs(kt) < 1e-8
    ratio = np.where(small, 1.0 + kt / 2.0, np.expm1(kt) / np.where(small, 1.0, kt))
    return np.minimum(tau / d0 * ratio, MAX_DOUBLINGS)


def progress_factor(
    tau: ArrayLike, doubling_time: ArrayLike, acceleration: ArrayLike = 0.0
) -> np.ndarray:
    """Compute bought per dollar at ``tau`` relative to time 0, ``2 ** N(tau)``.

    Parameters
    ----------
    tau : array-like
        Time from the start quarter. [year]
    doubling_time : array-like
        Doubling time at the start. [year]
    acceleration : array-like, optional
        Shortening rate of the doubling time. [1/year]

    Returns
    -------
    ndarray
        Multiplier on units per dollar (or, with an energy doubling time, on compute per
        watt). [-]
    """
    return np.exp2(cumulative_doublings(tau, doubling_time, acceleration))
