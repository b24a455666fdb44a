"""Token price and demand paths (pure, broadcasting)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from strandrisk.core.numeric import power

__all__ = ["adoption_curve", "demand_index", "tco_adoption", "token_price"]


def token_price(
    t: ArrayLike, start_price: ArrayLike, decline_rate: ArrayLike, floor_ratio: ArrayLike = 0.0
) -> np.ndarray:
    """Token price ``p(t) = max(p0 exp(-lambda t), floor * p0)``.

    Parameters
    ----------
    t : array-like
        Time from the start quarter. [year]
    start_price : array-like
        Price at ``t = 0``. [USD/Mtok]
    decline_rate : array-like
        Continuous decline rate ``lambda``. [1/year]
    floor_ratio : array-like, optional
        Floor as a fraction of the start price (0 = none). [fraction]

    Returns
    -------
    ndarray
        Price. [USD/Mtok]
    """
    t, p0, lam, floor = (
        np.asarray(x, dtype=float) for x in (t, start_price, decline_rate, floor_ratio)
    )
    return p0 * np.maximum(np.exp(-lam * t), floor)


def adoption_curve(
    t: ArrayLike, ceiling: ArrayLike, midpoint: ArrayLike, width: ArrayLike
) -> np.ndarray:
    """Logistic adoption rising from 0 at ``t = 0`` to ``ceiling``.

    Parameters
    ----------
    t : array-like
        Time from the start quarter. [year]
    ceiling : array-like
        Long-run level. [fraction or multiple]
    midpoint : array-like
        Time of the logistic's midpoint, from the start quarter. [year]
    width : array-like
        Logistic scale, > 0 (10 % to 90 % takes 4.39 widths). [year]

    Returns
    -------
    ndarray
        ``ceiling * (L(t) - L(0)) / (1 - L(0))`` with ``L`` the logistic; 0 at the start,
        so the start quarter's demand already reflects today's adoption. [same as ceiling]

    Notes
    -----
    With the midpoint before the start (``m < 0``), ``L(0) > 1/2`` and the direct ratio
    loses digits, down to 0/0 once ``L(0)`` rounds to 1 (the curve tends to
    ``1 - exp(-t/w)``); those rows use ``1 - exp(s(-m/w) - s((t - m)/w))`` with
    ``s(x) = ln(1 + e^x)`` (``numpy.logaddexp``), the same quantity computed without
    cancellation. The others keep the direct form, which is cheaper.
    """
    t, c, m, w = (np.asarray(x, dtype=float) for x in (t, ceiling, midpoint, width))
    with np.errstate(
        over="ignore", invalid="ignore", divide="ignore"
    ):  # limits are right; 0/0 replaced
        logistic = 1.0 / (1.0 + np.exp(-(t - m) / w))
        at_start = 1.0 / (1.0 + np.exp(m / w))
        rise = (logistic - at_start) / (1.0 - at_start)
    before = m < 0
    if np.any(before):
        share_left = np.exp(np.logaddexp(0.0, -m / w) - np.logaddexp(0.0, (t - m) / w))
        rise = np.where(before, 1.0 - share_left, rise)
    return c * np.clip(rise, 0.0, None)


def demand_index(
    t: ArrayLike,
    price_ratio: ArrayLike,
    growth: ArrayLike,
    elasticity: ArrayLike,
    agentic: ArrayLike,
    leakage: ArrayLike,
    decay: ArrayLike = 0.0,
) -> np.ndarray:
    """Demand relative to the start quarter, ``Q(t) / Q0``.

    Parameters
    ----------
    t : array-like
        Time from the start quarter. [year]
    price_ratio : array-like
        ``p(t) / p0``. [-]
    growth : array-like
        Exogenous demand growth ``g``. [1/year]
    elasticity : array-like
        Price elasticity ``epsilon`` (Jevons when > 1). [-]
    agentic : array-like
        Agentic multiplier minus one, ``A(t) - 1`` (0 at the start). [-]
    leakage : array-like
        Share of demand lost to self-hosting and on-device inference since the start,
        ``s_os + s_dev``, in ``[0, 1)``. [fraction]
    decay : array-like, optional
        Rate ``delta >= 0`` at which exogenous growth fades, ``g(t) = g exp(-delta t)``;
        0 keeps it constant. [1/year]

    Returns
    -------
    ndarray
        ``exp(G(t)) (p/p0)^(-epsilon) A(t) (1 - s_os - s_dev)`` with
        ``G(t) = g (1 - exp(-delta t)) / delta`` (``g t`` when ``delta = 0``). [-]
    """
    t, ratio, g, eps, d = (
        np.asarray(x, dtype=float) for x in (t, price_ratio, growth, elasticity, decay)
    )
    dt = d * t
    small = np.abs(dt) < 1e-8
    cumulative = g * t * np.where(small, 1.0 - dt / 2.0, -np.expm1(-dt) / np.where(small, 1.0, dt))
    lift = 1.0 + np.asarray(agentic, dtype=float)
    return np.exp(cumulative) * power(ratio, -eps) * lift * (1.0 - np.asarray(leakage))


def tco_adoption(
    t: ArrayLike,
    ceiling: ArrayLike,
    cost_ratio: ArrayLike,
    drift: ArrayLike,
    sensitivity: ArrayLike,
    half_ratio: ArrayLike,
) -> np.ndarray:
    """Adoption of an alternative driven by its cost advantage over the cloud API.

    Parameters
    ----------
    t : array-like
        Time from the start quarter. [year]
    ceiling : array-like
        Largest share the alternative can take. [fraction]
    cost_ratio : array-like
        Cloud API cost over the alternative's cost for the same tokens at the start
        (from the TCO calculator). [ratio]
    drift : array-like
        Rate at which that ratio changes: the alternative's cost decline (hardware
        price-performance and software efficiency) minus the API price decline. [1/year]
    sensitivity : array-like
        Steepness of adoption in the log of the ratio. [-]
    half_ratio : array-like
        Ratio at which half the ceiling is reached. [ratio]

    Returns
    -------
    ndarray
        ``ceiling * (L(t) - L(0)) / (1 - L(0))``, floored at 0, with
        ``L(t) = 1 / (1 + exp(-k (ln R(t) - ln R_half)))`` and ``ln R(t) = ln R0 + drift t``:
        the share lost since the start, as the cost gap opens. [fraction]
    """
    t, c, r0, d, k, h = (
        np.asarray(x, dtype=float) for x in (t, ceiling, cost_ratio, drift, sensitivity, half_ratio)
    )
    log_gap = np.log(r0) + d * t - np.log(h)
    level = 1.0 / (1.0 + np.exp(-k * log_gap))
    start = 1.0 / (1.0 + np.exp(-k * (np.log(r0) - np.log(h))))
    return c * np.clip((level - start) / (1.0 - start), 0.0, None)
