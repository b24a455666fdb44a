"""Compiled IRR kernel (Numba), row-parallel; the NumPy ``irr`` is the tested reference.

Same policy as the reference: NaN without a sign change; the root nearest to a zero rate
among the per-period rates of the shared grid; safeguarded Newton in ``x = 1 / (1 + r)``
inside that grid cell. Faster than the reference by visiting the cells outward from zero
(stopping at the first sign change), starting Newton from the secant through the cell,
and evaluating the polynomial as four quarter-length Horner chains in ``x^4``.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["irr_rows"]


@numba.njit(cache=True)
def _poly(cf: np.ndarray, x: float) -> tuple[float, float]:
    """``sum_i c_i x^i`` and its derivative, as four quarter-length polynomials in ``z = x^4``.

    ``f(x) = sum_j x^j P_j(z)`` with ``P_j(z) = sum_k c_{4k+j} z^k``: eight independent
    Horner chains (each ``P_j`` and its derivative) of a quarter of the length, which the
    processor runs side by side (each step of one chain waits on the one before).
    """
    n = cf.shape[0]
    z = (x * x) * (x * x)
    m = n // 4  # full groups of four; the n % 4 highest terms start the chains
    top = 4 * m
    p0 = cf[top] if top < n else 0.0
    p1 = cf[top + 1] if top + 1 < n else 0.0
    p2 = cf[top + 2] if top + 2 < n else 0.0
    p3 = 0.0  # at most three terms above the full groups
    d0 = d1 = d2 = d3 = 0.0
    for k in range(m - 1, -1, -1):
        i = 4 * k
        d0 = d0 * z + p0
        d1 = d1 * z + p1
        d2 = d2 * z + p2
        d3 = d3 * z + p3
        p0 = p0 * z + cf[i]
        p1 = p1 * z + cf[i + 1]
        p2 = p2 * z + cf[i + 2]
        p3 = p3 * z + cf[i + 3]
    x2 = x * x
    f = (p0 + x * p1) + x2 * (p2 + x * p3)
    df = (p1 + 2.0 * x * p2 + 3.0 * x2 * p3) + 4.0 * (x2 * x) * ((d0 + x * d1) + x2 * (d2 + x * d3))
    return f, df


@numba.njit(cache=True)
def _value(cf: np.ndarray, x: float) -> float:
    """``sum_i c_i x^i`` alone (the scan needs no derivative), as four chains in ``z = x^4``."""
    n = cf.shape[0]
    z = (x * x) * (x * x)
    m = n // 4
    top = 4 * m
    p0 = cf[top] if top < n else 0.0
    p1 = cf[top + 1] if top + 1 < n else 0.0
    p2 = cf[top + 2] if top + 2 < n else 0.0
    p3 = 0.0  # at most three terms above the full groups
    for k in range(m - 1, -1, -1):
        i = 4 * k
        p0 = p0 * z + cf[i]
        p1 = p1 * z + cf[i + 1]
        p2 = p2 * z + cf[i + 2]
        p3 = p3 * z + cf[i + 3]
    return (p0 + x * p1) + (x * x) * (p2 + x * p3)


@numba.njit(cache=True)
def _refine(
    cf: np.ndarray, a: float, b: float, fa: float, fb: float, tol: float, max_iter: int
) -> float:
    """Safeguarded Newton in ``x`` inside ``[a, b]``, where ``f(a) = fa`` and ``f(b) = fb``."""
    x = 0.5 * (a + b)
    if fb != fa:  # start from the secant through the bracket's ends
        guess = a - fa * (b - a) / (fb - fa)
        if a < guess < b:
            x = guess
    for _ in range(max_iter):
        f, df = _poly(cf, x)
        if f == 0.0:
            return x
        if (f > 0) == (fa > 0):
            a, fa = x, f
        else:
            b = x
        step = x - f / df if df != 0.0 else 0.5 * (a + b)
        # converged: test the Newton step itself, before the safeguard (once the step is below
        # the spacing of floats it lands on the bracket's end, and bisecting from there would
        # only walk away from the root)
        if abs(step - x) < tol * max(1.0, abs(x)) and np.isfinite(step):
            return min(max(step, a), b)
        if not (a < step < b) or not np.isfinite(step):
            step = 0.5 * (a + b)
        x = step
    return x


@numba.njit(cache=True)
def _sign_changes(cf: np.ndarray) -> int:
    last = 0.0
    n = 0
    for c in cf:
        if c != 0.0:
            if last != 0.0 and (c > 0) != (last > 0):
                n += 1
            last = c
    return n


@numba.njit(cache=True)
def _crosses(prev: float, cur: float) -> bool:
    return ((prev > 0) != (cur > 0) or cur == 0.0 or prev == 0.0) and (prev != 0.0 or cur != 0.0)


@numba.njit(cache=True)
def _solve_cell(row, grid, g, f_at_g, f_before, tol, max_iter):
    """Refine the root in grid cell ``(g - 1, g)``, given the NPV at both grid points."""
    a, b = 1.0 / (1.0 + grid[g]), 1.0 / (1.0 + grid[g - 1])
    return 1.0 / _refine(row, a, b, f_at_g, f_before, tol, max_iter) - 1.0


@numba.njit(cache=True)
def irr_row(row: np.ndarray, grid: np.ndarray, tol: float, max_iter: int) -> float:
    """Per-period IRR of one row of cash flows (NaN where none is found).

    The grid cells are visited outward from a zero rate in order of their distance from
    it (the left cell first on a tie), so the first cell with a sign change is the one
    the reference's full scan picks, usually after a few evaluations. With a single sign
    change there is one root, on the side that the NPV at a zero rate points to, and only
    that side is walked.
    """
    changes = _sign_changes(row)
    if changes == 0:
        return np.nan
    m = grid.shape[0]
    zero = 0
    while grid[zero] < 0.0:
        zero += 1
    f_zero = _value(row, 1.0)
    left, right = zero, zero + 1  # next cells: (left - 1, left) and (right - 1, right)
    f_left = f_right = f_zero
    if changes == 1 and f_zero != 0.0:
        lowest = 0.0  # the NPV's sign as the rate goes to +infinity (x -> 0)
        for c in row:
            if c != 0.0:
                lowest = c
                break
        if (f_zero > 0) == (lowest > 0):
            right = m  # the root lies at a negative rate
        else:
            left = 0
    while left >= 1 or right < m:
        d_left = abs(grid[left]) if left >= 1 else np.inf
        d_right = abs(grid[right - 1]) if right < m else np.inf
        if d_left <= d_right:
            f_new = _value(row, 1.0 / (1.0 + grid[left - 1]))
            if _crosses(f_new, f_left):
                return _solve_cell(row, grid, left, f_left, f_new, tol, max_iter)
            f_left = f_new
            left -= 1
        else:
            f_new = _value(row, 1.0 / (1.0 + grid[right]))
            if _crosses(f_right, f_new):
                return _solve_cell(row, grid, right, f_new, f_right, tol, max_iter)
            f_right = f_new
            right += 1
    return np.nan


@numba.njit(parallel=True, cache=True)
def irr_rows(cf: np.ndarray, grid: np.ndarray, tol: float, max_iter: int) -> np.ndarray:
    """Per-period IRR of each row of ``cf`` (NaN where none is found)."""
    n = cf.shape[0]
    out = np.empty(n)
    for r in numba.prange(n):
        out[r] = irr_row(cf[r], grid, tol, max_iter)
    return out
