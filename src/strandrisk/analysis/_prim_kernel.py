"""Compiled PRIM peeling (Numba): every column sorted once, then pointers walk the order.

Each peeling step must know, for every parameter, how many cases of interest sit among
the ``k`` lowest and the ``k`` highest scenarios still in the box. Sorting each column
once and walking its order from both ends (skipping scenarios already peeled) answers
that without re-partitioning the remaining data at every step.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["peel_all", "sort_columns"]


@numba.njit(parallel=True, cache=True)
def sort_columns(xt: np.ndarray) -> np.ndarray:
    """Argsort of each row of ``xt`` (one row per parameter; deterministic), int64."""
    d, n = xt.shape
    order = np.empty((d, n), dtype=np.int64)
    for j in numba.prange(d):
        order[j] = np.argsort(xt[j])
    return order


@numba.njit(cache=True)
def _walk(order_j, inside, y, start, step, k):
    """From ``start`` in direction ``step``, the k-th scenario inside and hits on the way."""
    pos = start
    seen = 0
    hits = 0
    last = -1
    while seen < k:
        r = order_j[pos]
        if inside[r]:
            seen += 1
            hits += y[r]
            last = r
        pos += step
    return hits, last


@numba.njit(parallel=True, cache=True)
def peel_all(xt, order, y, alpha, min_mass):
    """Run the whole peeling trajectory.

    Returns
    -------
    lower, upper : ndarray, shape (steps + 1, d)
        Bounds of each box (the first is the data's range).
    lower_open : ndarray of bool, shape (steps + 1, d)
        Whether each lower bound excludes scenarios equal to it (it was peeled).
    counts : ndarray, shape (steps + 1, 2)
        Scenarios and cases of interest inside each box.
    """
    d, n = xt.shape
    inside = np.ones(n, dtype=np.bool_)
    lo_ptr = np.zeros(d, dtype=np.int64)
    hi_ptr = np.full(d, n - 1, dtype=np.int64)
    n_in = n
    hits = 0
    for r in range(n):
        hits += y[r]
    max_steps = n + 1
    lower = np.empty((max_steps, d))
    upper = np.empty((max_steps, d))
    lower_open = np.zeros((max_steps, d), dtype=np.bool_)
    counts = np.empty((max_steps, 2), dtype=np.int64)
    for j in range(d):
        lower[0, j] = xt[j, order[j, 0]]
        upper[0, j] = xt[j, order[j, n - 1]]
    counts[0, 0], counts[0, 1] = n, hits
    steps = 0
    lo_hits = np.empty(d, dtype=np.int64)
    hi_hits = np.empty(d, dtype=np.int64)
    lo_last = np.empty(d, dtype=np.int64)
    hi_last = np.empty(d, dtype=np.int64)
    total = hits
    while n_in / n > min_mass and total > 0:
        k = max(int(np.ceil(alpha * n_in)), 1)
        if k >= n_in:
            break
        for j in numba.prange(d):
            while not inside[order[j, lo_ptr[j]]]:
                lo_ptr[j] += 1
            while not inside[order[j, hi_ptr[j]]]:
                hi_ptr[j] -= 1
            lo_hits[j], lo_last[j] = _walk(order[j], inside, y, lo_ptr[j], 1, k)
            hi_hits[j], hi_last[j] = _walk(order[j], inside, y, hi_ptr[j], -1, k)
        best_lo, best_hi = 0, 0
        for j in range(d):  # first maximum, as np.argmax
            if (hits - lo_hits[j]) > (hits - lo_hits[best_lo]):
                best_lo = j
            if (hits - hi_hits[j]) > (hits - hi_hits[best_hi]):
                best_hi = j
        steps += 1
        lower[steps] = lower[steps - 1]
        upper[steps] = upper[steps - 1]
        lower_open[steps] = lower_open[steps - 1]
        if hits - lo_hits[best_lo] >= hits - hi_hits[best_hi]:
            j, start, step, removed = best_lo, lo_ptr[best_lo], 1, lo_hits[best_lo]
            lower[steps, j] = xt[j, lo_last[j]]
            lower_open[steps, j] = True
        else:
            j, start, step, removed = best_hi, hi_ptr[best_hi], -1, hi_hits[best_hi]
            upper[steps, j] = xt[j, hi_last[j]]
        pos, seen = start, 0
        while seen < k:
            r = order[j, pos]
            if inside[r]:
                inside[r] = False
                seen += 1
            pos += step
        n_in -= k
        hits -= removed
        counts[steps, 0], counts[steps, 1] = n_in, hits
    return lower[: steps + 1], upper[: steps + 1], lower_open[: steps + 1], counts[: steps + 1]
