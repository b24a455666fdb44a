"""Discounting, vectorised IRR and debt schedules (pure, vectorised over rows)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from strandrisk.core.numeric import ordered_sum, power

__all__ = ["debt_schedule", "discount_factors", "irr", "loan_life_cover", "npv"]

_GRID = np.array(
    [-0.95, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.15, -0.1, -0.07, -0.05, -0.03,
     -0.02, -0.01, 0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0,
     1.5, 2.0, 3.0, 5.0, 10.0]
)  # fmt: skip
"""Per-period rates scanned for sign changes before refinement."""


def discount_factors(rate: ArrayLike, times: ArrayLike) -> np.ndarray:
    """Discount factors ``(1 + rate) ** -times``.

    Parameters
    ----------
    rate : array-like
        Annual discount rate, > -1. [1/year]
    times : array-like
        Times of the cash flows. [year]

    Returns
    -------
    ndarray
        Discount factors. [-]
    """
    return power(1.0 + np.asarray(rate, dtype=float), -np.asarray(times, dtype=float))


def npv(rate: ArrayLike, cashflows: ArrayLike, periods_per_year: int = 1) -> np.ndarray:
    """Net present value of rows of periodic cash flows, the first at period 0.

    Parameters
    ----------
    rate : array-like
        Annual discount rate, broadcast against the rows. [1/year]
    cashflows : array-like, shape (..., N)
        Cash flow of each period. [USD]
    periods_per_year : int
        Periods in a year (4 for quarters). [1/year]

    Returns
    -------
    ndarray, shape (...)
        ``sum_i c_i (1 + rate) ** (-i / periods_per_year)``. [USD]
    """
    cf = np.asarray(cashflows, dtype=float)
    times = np.arange(cf.shape[-1]) / periods_per_year
    rate = np.asarray(rate, dtype=float)[..., None]
    return ordered_sum(cf * discount_factors(rate, times))


def _poly(cf: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of sum_i c_i x^i by Horner's rule, row-wise."""
    p = np.zeros(cf.shape[0])
    dp = np.zeros(cf.shape[0])
    for i in range(cf.shape[1] - 1, -1, -1):
        dp = dp * x + p
        p = p * x + cf[:, i]
    return p, dp


def _bracket(cf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the grid bracket [lo, hi] of the sign change nearest to a zero rate."""
    x = 1.0 / (1.0 + _GRID)
    values = np.zeros((cf.shape[0], _GRID.size))
    for i in range(cf.shape[1] - 1, -1, -1):  # Horner, as in the refinement
        values = values * x + cf[:, i : i + 1]
    change = np.sign(values[:, :-1]) * np.sign(values[:, 1:]) <= 0
    change &= (values[:, :-1] != 0) | (values[:, 1:] != 0)
    distance = np.minimum(np.abs(_GRID[:-1]), np.abs(_GRID[1:]))
    score = np.where(change, distance[None, :], np.inf)
    pick = np.argmin(score, axis=1)
    found = np.isfinite(score[np.arange(cf.shape[0]), pick])
    return _GRID[pick], _GRID[pick + 1], found


def irr(
    cashflows: ArrayLike,
    periods_per_year: int = 1,
    tol: float = 1e-12,
    max_iter: int = 60,
    method: str = "auto",
) -> np.ndarray:
    """Compute the internal rate of return of each row of cash flows, vectorised.

    Parameters
    ----------
    cashflows : array-like, shape (N, P) or (P,)
        Periodic cash flows, the first at period 0. [USD]
    periods_per_year : int, optional
        Periods per year; the result is annualised as ``(1 + r) ** periods_per_year - 1``.
        [1/year]
    tol : float, optional
        Convergence tolerance on the per-period rate. [-]
    max_iter : int, optional
        Iterations of safeguarded Newton. [-]
    method : {"auto", "numpy", "numba"}, optional
        ``numpy`` is the plain, tested reference; ``numba`` a compiled, row-parallel kernel
        with the same policy (agreeing to 1e-9 in the tests); ``auto`` uses Numba for
        large inputs when it is installed. [-]

    Returns
    -------
    ndarray, shape (N,) or ()
        Annual IRR; NaN where the cash flows never change sign or no root lies between
        -95 % and +1,000 % per period. [1/year]

    Raises
    ------
    ValueError
        For cash flows of more than two dimensions, a ``periods_per_year`` that is not a
        positive number, or an unknown ``method``.

    Notes
    -----
    Policy for several sign changes: like numpy-financial, the root nearest to zero is
    returned. NPV is evaluated on a grid of per-period rates (one matrix product); the
    sign change nearest to 0 gives a bracket, which safeguarded Newton iterations in
    ``x = 1 / (1 + r)`` refine (a step leaving the bracket is replaced by bisection).
    Two roots inside one grid cell are not separated.
    """
    cf = np.atleast_2d(np.asarray(cashflows, dtype=float))
    if cf.ndim != 2:
        raise ValueError(f"cashflows: expected shape (N, P) or (P,), got {np.shape(cashflows)}")
    if isinstance(periods_per_year, bool | np.bool_) or not (
        isinstance(periods_per_year, int | float | np.integer | np.floating)
        and 0 < periods_per_year < math.inf
    ):
        raise ValueError(
            f"periods_per_year: expected a positive number (4 for quarters), "
            f"got {periods_per_year!r}"
        )
    if not (tol > 0 and max_iter >= 1):
        raise ValueError(f"tol = {tol!r}, max_iter = {max_iter!r}: both must be positive")
    wanted = method == "numba" or (method == "auto" and cf.shape[0] >= 10_000)
    kernel = _kernel() if wanted else None
    if method == "numba" and kernel is None:  # pragma: no cover - numba is a dependency
        raise ValueError("method='numba' needs Numba, which could not be imported")
    if kernel is not None:
        rate = kernel(np.ascontiguousarray(cf), _GRID, tol, max_iter)
        out = (1.0 + rate) ** periods_per_year - 1.0
        return out[0] if np.ndim(cashflows) == 1 else out
    if method not in ("auto", "numpy", "numba"):
        raise ValueError(f"method must be auto, numpy or numba, got {method!r}")
    lo, hi, found = _bracket(cf)
    # in x = 1/(1+r) the bracket is [1/(1+hi), 1/(1+lo)]
    a, b = 1.0 / (1.0 + hi), 1.0 / (1.0 + lo)
    fa, _ = _poly(cf, a)
    x = 0.5 * (a + b)
    active = found.copy()
    for _ in range(max_iter):
        f, df = _poly(cf, x)
        left = np.sign(f) == np.sign(fa)
        a, fa = np.where(left, x, a), np.where(left, f, fa)
        b = np.where(left, b, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - f / df
        # converged: the Newton step itself is below tolerance (tested before the safeguard,
        # which would otherwise bisect away from a root it has already found)
        converged = np.isfinite(newton) & (np.abs(newton - x) < tol * np.maximum(1.0, np.abs(x)))
        done = converged | (f == 0)
        bad = ~np.isfinite(newton) | (newton <= a) | (newton >= b)
        step = np.where(bad, 0.5 * (a + b), newton)
        step = np.where(f == 0, x, np.where(converged, np.clip(newton, a, b), step))
        x = np.where(active, step, x)
        active &= ~done
        if not active.any():
            break
    rate = 1.0 / x - 1.0
    annual = (1.0 + rate) ** periods_per_year - 1.0
    out = np.where(found, annual, np.nan)
    return out[0] if np.ndim(cashflows) == 1 else out


def _kernel() -> Callable[..., np.ndarray] | None:
    try:
        from strandrisk.core._irr_kernel import irr_rows
    except ImportError:  # pragma: no cover - numba is a declared dependency
        return None
    return irr_rows


def debt_schedule(
    principal: ArrayLike, age: ArrayLike, maturity: ArrayLike, amortising: ArrayLike, period: float
) -> tuple[np.ndarray, np.ndarray]:
    """Outstanding debt and principal repaid for loans drawn at commissioning.

    Parameters
    ----------
    principal : array-like
        Amount drawn at age 0. [USD]
    age : array-like
        Age of the loan at the start of the period; < 0 before drawdown. [year]
    maturity : array-like
        Tenor, > 0. [year]
    amortising : array-like of bool
        ``True`` for equal principal instalments each period, ``False`` for a bullet
        repaid at maturity. [-]
    period : float
        Length of a period. [year]

    Returns
    -------
    outstanding : ndarray
        Balance at the start of the period (interest accrues on it). [USD]
    repaid : ndarray
        Principal repaid during the period. [USD]

    Notes
    -----
    Amortising: ``outstanding = P max(0, 1 - age / M)``; bullet: ``P`` until maturity.
    Either way the repayments sum to ``P``.
    """
    p, age, m = (np.asarray(x, dtype=float) for x in (principal, age, maturity))
    live = (age >= 0) & (age < m - 1e-9)
    linear = p * np.clip(1.0 - age / m, 0.0, 1.0)
    outstanding = np.where(live, np.where(amortising, linear, p), 0.0)
    end = age + period
    linear_end = p * np.clip(1.0 - end / m, 0.0, 1.0)
    bullet_due = live & (end >= m - 1e-9)
    repaid = np.where(
        amortising, np.where(live, linear - linear_end, 0.0), np.where(bullet_due, p, 0.0)
    )
    return outstanding, repaid


def loan_life_cover(
    cfads: ArrayLike,
    outstanding: ArrayLike,
    repaid: ArrayLike,
    rate: ArrayLike,
    existing: ArrayLike,
    period: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the two sides of the loan life cover ratio (LLCR) in each reporting period.

    In period ``t``: the cash flow available for debt service of the cohorts in service by
    ``t``, from ``t`` to the last scheduled repayment of the debt outstanding in ``t``,
    discounted at the debt's rate to the start of ``t``; and that debt. Their ratio is the
    LLCR of project finance: how many times the assets in place can repay what is owed over
    the loans' remaining life (below 1, they cannot).

    Parameters
    ----------
    cfads : array-like, shape (..., V, T)
        Cash flow available for debt service per cohort and period, received at the end of
        the period (EBITDA less tax), over every period the cohorts live. [USD]
    outstanding, repaid : array-like, shape (..., V, T)
        Each cohort's loan balance at the start of each period and the principal repaid in
        it (:func:`debt_schedule`). [USD]
    rate : array-like, broadcastable to (..., 1, T)
        Interest rate of the debt in each period. [1/year]
    existing : array-like of bool, shape (V, n)
        Whether cohort ``v`` is in service by reporting period ``t`` (``n <= T``). [-]
    period : float
        Length of a period. [year]

    Returns
    -------
    cover, debt : ndarray, shape (..., n)
        The discounted cash flow and the debt outstanding in each reporting period; the
        LLCR is ``cover / debt`` where ``debt > 0``. Sums over cohorts run in cohort order.
        [USD]
    """
    cf = np.asarray(cfads, dtype=float)
    bal = np.asarray(outstanding, dtype=float)
    paid = np.asarray(repaid, dtype=float)
    live = np.asarray(existing, dtype=bool)
    t_all = cf.shape[-1]
    n = live.shape[-1]
    growth = np.broadcast_to(
        1.0 + np.asarray(rate, dtype=float) * period, (*cf.shape[:-2], 1, t_all)
    )
    df_end = np.cumprod(1.0 / growth, axis=-1)  # a flow at the end of period u, to time 0
    df_start = np.concatenate([np.ones_like(df_end[..., :1]), df_end[..., :-1]], axis=-1)
    # R[v, u]: PV at time 0 of cohort v's cash flows from period u on (R[v, T] = 0)
    pv = cf * df_end
    tail = np.flip(np.cumsum(np.flip(pv, axis=-1), axis=-1), axis=-1)
    tail = np.concatenate([tail, np.zeros_like(tail[..., :1])], axis=-1)
    periods = np.arange(t_all)
    last = np.max(np.where(paid > 0, periods, -1), axis=-1)  # (..., V): final repayment
    beyond = bal[..., -1] - paid[..., -1] > 0  # still owed after the last period: count to it
    last = np.where(beyond, t_all - 1, last)
    owed = bal[..., :n] > 0  # (..., V, n): loans outstanding in t
    end = np.max(np.where(owed, last[..., None], -1), axis=-2)  # (..., n): last repayment due
    stop = np.clip(end + 1, 0, t_all)[..., None, :]  # (..., 1, n)
    from_t = tail[..., :n]
    to_end = np.take_along_axis(tail, np.broadcast_to(stop, (*tail.shape[:-1], n)), axis=-1)
    window = np.where(end[..., None, :] >= np.arange(n), from_t - to_end, 0.0)
    cover = ordered_sum(np.where(live, window, 0.0), axis=-2) / df_start[..., 0, :n]
    debt = ordered_sum(bal[..., :n], axis=-2)
    return cover, debt
