"""Compiled IRR kernel (Numba), row-parallel; the NumPy ``irr`` is the tested reference.

Same policy as the reference: NaN without a sign change; the root nearest to a zero rate
among the per-period rates scanned on the shared grid; safeguarded Newton in
``x = 1 / (1 + r)``. Rows with exactly one sign change skip the scan (Descartes: one
positive root) and start Newton from ``r = 10 %`` inside an expanding bracket.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["irr_rows"]


@numba.njit(cache=False, fastmath=False)
def _poly(cf: np.ndarray, x: float) -> tuple[float, float]:
    p = 0.0
    dp = 0.0
    for i in range(cf.shape[0] - 1, -1, -1):
        dp = dp * x + p
        p = p * x + cf[i]
    return p, dp


@numba.njit(cache=False)
def _refine(cf: np.ndarray, a: float, b: float, tol: float, max_iter: int) -> float:
    fa, _ = _poly(cf, a)
    x = 0.5 * (a + b)
    for _ in range(max_iter):
        f, df = _poly(cf, x)
        if (f > 0) == (fa > 0) and f != 0.0:
            a, fa = x, f
        else:
            b = x
        step = x - f / df if df != 0.0 else 0.5 * (a + b)
        if not (a < step < b) or not np.isfinite(step):
            step = 0.5 * (a + b)
        if abs(step - x) < tol * max(1.0, abs(x)):
            return step
        x = step
    return x


@numba.njit(cache=False)
def _sign_changes(cf: np.ndarray) -> int:
    last = 0.0
    n = 0
    for c in cf:
        if c != 0.0:
            if last != 0.0 and (c > 0) != (last > 0):
                n += 1
            last = c
    return n


@numba.njit(parallel=True, cache=False)
def irr_rows(cf: np.ndarray, grid: np.ndarray, tol: float, max_iter: int) -> np.ndarray:
    """Per-period IRR of each row of ``cf`` (NaN where none is found)."""
    n = cf.shape[0]
    out = np.full(n, np.nan)
    for r in numba.prange(n):
        row = cf[r]
        changes = _sign_changes(row)
        if changes == 0:
            continue
        if changes == 1:  # one root: walk out from the zero rate to the cell holding it
            zero = np.searchsorted(grid, 0.0)
            f0, _ = _poly(row, 1.0 / (1.0 + grid[zero]))
            found = False
            for direction in (1, -1):
                prev = f0
                g = zero + direction
                while 0 <= g < grid.shape[0]:
                    cur, _ = _poly(row, 1.0 / (1.0 + grid[g]))
                    if (prev > 0) != (cur > 0) or cur == 0.0 or prev == 0.0:
                        lo_r, hi_r = (
                            min(grid[g], grid[g - direction]),
                            max(grid[g], grid[g - direction]),
                        )
                        x = _refine(row, 1.0 / (1.0 + hi_r), 1.0 / (1.0 + lo_r), tol, max_iter)
                        out[r] = 1.0 / x - 1.0
                        found = True
                        break
                    prev = cur
                    g += direction
                if found:
                    break
            continue
        best = np.inf
        a = b = 0.0
        prev, _ = _poly(row, 1.0 / (1.0 + grid[0]))
        for g in range(1, grid.shape[0]):
            cur, _ = _poly(row, 1.0 / (1.0 + grid[g]))
            crosses = (prev > 0) != (cur > 0) or cur == 0.0 or prev == 0.0
            if crosses and (prev != 0.0 or cur != 0.0):
                d = min(abs(grid[g - 1]), abs(grid[g]))
                if d < best:
                    best = d
                    a, b = 1.0 / (1.0 + grid[g]), 1.0 / (1.0 + grid[g - 1])
            prev = cur
        if np.isfinite(best):
            out[r] = 1.0 / _refine(row, a, b, tol, max_iter) - 1.0
    return out
