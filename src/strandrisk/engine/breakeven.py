"""Break-even demand growth and price decline: a vectorised scan, then bracketed regula falsi."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from strandrisk.engine.compiled import compiled_inputs, programme_npv_compiled
from strandrisk.engine.finance import programme_npv
from strandrisk.engine.model import (
    Accounts,
    Cohorts,
    Grid,
    HistoryArrays,
    accounts,
    build_cohorts,
    operate,
    reported_vintages,
)
from strandrisk.engine.params import Params

__all__ = ["BRACKETS", "breakeven"]

BRACKETS = {"growth": (-1.0, 5.0), "decline": (-0.5, 8.0)}
"""Search intervals for ``g*`` and ``lambda*``. [1/year]"""
_SCAN = 13  # coarse grid points scanned for the bracket


def breakeven(
    p: Params,
    grid: Grid,
    hist: HistoryArrays,
    which: str,
    iterations: int = 20,
    engine: str = "numpy",
) -> np.ndarray:
    """Solve NPV_2026(x) = 0 for demand growth or price decline, per scenario and company.

    Parameters
    ----------
    p : Params
        Parameter arrays, S scenarios. [-]
    grid : Grid
        Axes. [-]
    hist : HistoryArrays
        Installed base. [-]
    which : {"growth", "decline"}
        The parameter solved for. [-]
    iterations : int
        Most regula falsi (Illinois) steps inside the bracket found by the scan. [-]
    engine : {"numpy", "compiled"}
        Which engine evaluates NPV (they agree to rounding). [-]

    Returns
    -------
    ndarray, shape (S, K+1)
        Break-even value per company and for the industry (the industry's value applies to
        every company at once); NaN where NPV does not cross zero in :data:`BRACKETS`.
        [1/year]

    Notes
    -----
    NPV need not be monotone: too slow a price decline leaves demand short (through the
    elasticity), too fast a one erodes revenue. Policy: ``g*`` is the lowest demand
    growth at which NPV turns non-negative (a scan of 13 points, then Illinois steps in the
    first bracket where NPV goes from negative to non-negative); ``lambda*`` is the
    fastest price decline the programme survives (the last bracket where NPV goes from
    non-negative to negative). Each evaluation runs the market, dispatch and programme
    cash flows for all scenarios at once, on 2S rows: the first S give each company its
    own trial value, the second S give every company the industry's (the scan's points, one
    value for all, on the first S alone).
    """
    s, k = p.n, len(p.companies)
    both = np.concatenate([np.arange(s), np.arange(s)])
    twice = p.take(both)
    cohorts = build_cohorts(twice, grid, hist)
    if engine == "numpy":
        short, short_cohorts, _ = reported_vintages(grid, cohorts)
        acc = accounts(twice, short, short_cohorts)
    else:
        common = compiled_inputs(twice, grid, cohorts)
        twice = twice.collapsed()  # the market's parts that depend on values held fixed: once

    def npv(idx: np.ndarray | slice, trial: np.ndarray) -> np.ndarray:
        """NPV (R, K+1) of rows ``idx`` of the doubled batch, trial values (R, K, 1, 1)."""
        whole = not isinstance(idx, slice) and len(idx) == 2 * s
        pt = twice if whole else twice.take(idx)
        ct = cohorts if whole else _take(cohorts, idx)
        if engine == "compiled":
            sub = common if whole else {n: v[idx] if v.ndim > 1 else v for n, v in common.items()}
            return programme_npv_compiled(pt, grid, ct, common=sub, **{which: trial})
        g, c, ops = reported_vintages(grid, ct, operate(pt, grid, ct, **{which: trial}))
        a = acc if whole else Accounts(*(getattr(acc, n)[idx] for n in _ACCOUNT_FIELDS))
        return programme_npv(pt, g, c, ops, a)

    def f(x: np.ndarray, rows: np.ndarray, need: np.ndarray) -> np.ndarray:
        """NPV (R, K+1) of scenarios ``rows`` at trial values ``x`` (R, K+1), where ``need``.

        A row of the first S runs where a company's value is needed, one of the second S
        where the industry's is; the values not needed are NaN.
        """
        own, ind = need[:, :k].any(axis=1), need[:, k]
        trial = np.concatenate([x[own, :k], np.repeat(x[ind, k:], k, axis=1)])[..., None, None]
        value = npv(np.concatenate([rows[own], rows[ind] + s]), trial)
        out = np.full(x.shape, np.nan)
        r = int(own.sum())
        out[own, :k] = value[:r, :k]
        out[ind, k] = value[r:, k]
        return out

    # each point of the scan is one value for every company and the industry: the first S
    # rows give all K+1 columns (the second S would repeat them, bit for bit)
    points = np.linspace(*BRACKETS[which], _SCAN)
    values = np.stack([npv(slice(0, s), np.full((s, k, 1, 1), x)) for x in points], axis=-1)
    ok = values >= 0  # (S, K+1, G)
    crossing = (~ok[..., :-1] & ok[..., 1:]) if which == "growth" else (ok[..., :-1] & ~ok[..., 1:])
    found = np.asarray(crossing.any(axis=-1))
    if which == "growth":
        pick = np.argmax(crossing, axis=-1)
    else:
        pick = crossing.shape[-1] - 1 - np.argmax(crossing[..., ::-1], axis=-1)
    lo, hi = points[pick], points[pick + 1]
    f_lo = np.take_along_axis(values, pick[..., None], axis=-1)[..., 0]
    f_hi = np.take_along_axis(values, pick[..., None] + 1, axis=-1)[..., 0]
    return np.where(found, _illinois(f, lo, hi, f_lo, f_hi, found, iterations), np.nan)


_ACCOUNT_FIELDS = ("depreciation", "book_compute", "book_facilities")


def _take(c: Cohorts, idx: np.ndarray | slice) -> Cohorts:
    return Cohorts(*(getattr(c, n)[idx] for n in Cohorts.__slots__))


def _illinois(
    f: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    fa: np.ndarray,
    fb: np.ndarray,
    live: np.ndarray,
    iterations: int,
    tol: float = 1e-7,
) -> np.ndarray:
    """Bracketed regula falsi with the Illinois modification, element by element.

    Keeps a sign change inside ``[a, b]`` (so it converges to a jump of a discontinuous
    NPV too). An element stops once its bracket is narrower than ``tol`` per year, and
    only the elements still live are evaluated again (``f(x, rows, need)``: the values at
    ``x`` of scenarios ``rows`` where ``need``).
    """
    side = np.zeros(a.shape)
    live = live & (np.abs(b - a) >= tol)
    for _ in range(iterations):
        if not live.any():
            break
        rows = np.flatnonzero(live.any(axis=1))
        with np.errstate(divide="ignore", invalid="ignore"):
            c = (a * fb - b * fa) / (fb - fa)
        bad = ~np.isfinite(c) | (c <= np.minimum(a, b)) | (c >= np.maximum(a, b))
        c = np.where(bad, 0.5 * (a + b), c)
        fc = fa.copy()
        fc[rows] = np.where(live[rows], f(c[rows], rows, live[rows]), fa[rows])
        with_a = (fc >= 0) == (fa >= 0)
        fb = np.where(live & with_a & (side == 1), 0.5 * fb, fb)
        fa = np.where(live & ~with_a & (side == -1), 0.5 * fa, fa)
        a, fa = np.where(live & with_a, c, a), np.where(live & with_a, fc, fa)
        b, fb = np.where(live & ~with_a, c, b), np.where(live & ~with_a, fc, fb)
        side = np.where(live, np.where(with_a, 1.0, -1.0), side)
        live &= np.abs(b - a) >= tol
    return 0.5 * (a + b)
