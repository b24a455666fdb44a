"""Merit-order dispatch, EBITDA and early retirement of one company's cohorts."""

from __future__ import annotations

import numpy as np

from strandrisk.engine._kernel.cache import jit
from strandrisk.engine._kernel.common import (
    _ELEC,
    _FIXED,
    _LIFE,
    _PAD,
    _PUE,
    _SC,
    _SN,
    HPQ,
    Q,
    _whole,
)


@jit()
def _windows(vint, life, nt, start, end):
    """Quarters ``[start, end)`` in which each cohort is in service (before retirement)."""
    span = int(np.ceil(life / Q))  # quarters j >= 0 with j * Q < life
    for v in range(vint.shape[0]):
        start[v] = max(vint[v], 0)
        end[v] = min(max(vint[v] + span, start[v]), nt)


@jit()
def _dispatch(
    hours, eph, fixed_q, order, start, end, demand, price, theta, ebitda, cum, cut, cost, nt,
    t_from,
):  # fmt: skip
    """Merit-order dispatch and EBITDA of one company over quarters ``[t_from, nt)``.

    As ``merit_order_dispatch``, then EBITDA (revenue - energy - fixed cost) per cohort.

    The merit order sorts cohorts by power, so by energy cost ``eph / theta``: in each
    quarter the cohorts that cover their marginal cost form a prefix of the order, whose
    end (``cut[t]``) is found by stepping from the previous quarter's. Then cohort by cohort
    in merit order, each over its service window, ``cum[t]`` adds up the capacity
    dispatched in quarter ``t`` in the same order as the reference's running sum, and the
    cohort's volume gives its EBITDA there. With ``t_from > 0`` (after retirements) the
    earlier quarters, whose cohorts did not change, are kept, and so is the cut.

    Each window is run in whole vectors of 8 quarters from a multiple of 8 (a window of 16
    quarters, the usual, would otherwise leave a scalar remainder of up to 7, and each
    cohort would read ``cum`` one quarter off the vectors the cohort before it stored, which
    the processor cannot forward): the quarters outside the window are off, so ``cum`` adds
    +0.0 there (unchanged: it is never -0.0); the cohort's EBITDA cells before the window's
    first quarter keep their value and those after its end, never read, are written. ``demand``,
    ``price``, ``theta``, ``cum``, ``cut`` and the rows of ``ebitda`` therefore hold
    ``_PAD`` quarters after ``nt``, with finite values.
    """
    nv = order.shape[0]
    for t in range(t_from, nt + _PAD):
        cum[t] = 0.0
    if t_from == 0:  # cost (work space): energy cost per unit-hour in merit order, non-decreasing
        for i in range(nv):
            cost[i] = eph[order[i]]
        lo = 0
        for t in range(nt):
            # the first position whose cost exceeds the price (the test falls once along
            # the order): from the last quarter's, which moves little from quarter to quarter
            th, pr = theta[t], price[t]
            while lo < nv and cost[lo] / th <= pr:
                lo += 1
            while lo > 0 and not cost[lo - 1] / th <= pr:
                lo -= 1
            cut[t] = lo
    for i in range(nv):
        v = order[i]
        h, e, f = hours[v], eph[v], fixed_q[v]
        a, b = np.uint64(max(start[v], t_from)), np.uint64(end[v])
        a8 = a // np.uint64(_PAD) * np.uint64(_PAD)  # the vector before the window's
        m = _whole(b - a8) if b > a else np.uint64(0)  # (unsigned: SIMD)
        for t in range(a8, a8 + m):
            on = i < cut[t] and a <= t and t < b  # selects, no branch (off: cum adds +0.0)
            cap = h * theta[t]
            c = cum[t] + (cap if on else 0.0)
            cum[t] = c
            x = min(max(demand[t] - (c - cap), 0.0), cap) if on else 0.0  # volume served
            y = x * price[t] - x / theta[t] * e - f
            ebitda[v, t] = y if a <= t else ebitda[v, t]  # kept before the window


@jit()
def _operate_company(
    units, power, capex, order, demand, price, theta, vint, sp, start, end, ebitda, work, cut,
    per_v, horizon, df, foresight,
):  # fmt: skip
    """Dispatch, retire early for good, dispatch again, over quarters ``[0, horizon)``.

    Fills ``start``/``end`` (service windows after retirement) and ``ebitda`` (valid
    inside the windows only); ``work``, ``cut`` and ``per_v``: work space from :func:`_scratch`. A
    cohort retires once its contribution has fallen short of its fixed cost over a full
    trailing year in service, or with ``foresight`` from the first quarter its discounted
    EBITDA (``df``: discount factors, one per quarter) can no longer turn positive (as
    ``operate``). With the trailing-year rule a quarter's dispatch and a cohort's retirement
    depend only on earlier and current quarters, so stopping at ``horizon``
    (:func:`_horizon`) leaves every earlier value as it is over the whole grid; with
    foresight they look ahead, and ``horizon`` must be the whole grid.
    """
    nt = horizon
    hours, eph, fixed_q, cost = per_v[0], per_v[1], per_v[2], per_v[3]
    for v in range(vint.shape[0]):
        hours[v] = units[v] * HPQ
        eph[v] = power[v] * sp[_PUE] * sp[_ELEC]
        fixed_q[v] = sp[_FIXED] * (capex[v] * (sp[_SC] + sp[_SN])) * Q
    _windows(vint, sp[_LIFE], nt, start, end)
    d, pr, th, total = work[0], work[1], work[2], work[3]  # padded copies: see _dispatch
    for t in range(nt):
        d[t], pr[t], th[t] = demand[t], price[t], theta[t]
    for t in range(nt, nt + _PAD):
        d[t], pr[t], th[t], cut[t] = 0.0, 1.0, 1.0, 0
    _dispatch(hours, eph, fixed_q, order, start, end, d, pr, th, ebitda, total, cut, cost, nt, 0)
    first = nt  # the first quarter a cohort is retired early
    if foresight:
        for v in range(vint.shape[0]):
            value, stop = 0.0, end[v]  # V_t = EBITDA_t DF_t + max(V_{t+1}, 0), backwards
            for t in range(end[v] - 1, start[v] - 1, -1):
                value = ebitda[v, t] * df[t] + max(value, 0.0)
                if value < -1e-9 * abs(fixed_q[v]) * df[t]:
                    stop = t
            if stop < end[v]:
                end[v] = stop
                first = min(first, stop)
    else:  # the trailing-year rule
        first = _short_for_a_year(ebitda, fixed_q, start, end, nt)
    if first < nt:  # dispatch again from there: the cohorts in service before are unchanged
        _dispatch(
            hours, eph, fixed_q, order, start, end, d, pr, th, ebitda, total, cut, cost, nt, first
        )


@jit()
def _short_for_a_year(ebitda, fixed_q, start, end, nt):
    """End each cohort's window where it first fell a year short (the trailing-year rule).

    That is the first quarter, after a whole year in service, whose trailing year (its four
    quarters summed from the last back, as the reference) fell short of the cohort's fixed
    cost, found as a minimum over the window without an exit, so that the quarters run side
    by side. Returns the first such quarter of any cohort (``nt`` if none).
    """
    u1, u2, u3 = np.uint64(1), np.uint64(2), np.uint64(3)
    first = nt
    for v in range(start.shape[0]):
        b = np.uint64(end[v])
        short = -1e-9 * abs(fixed_q[v]) * 4
        stop = b
        for t in range(np.uint64(start[v]) + u3, b):  # unsigned: SIMD
            year = ((ebitda[v, t] + ebitda[v, t - u1]) + ebitda[v, t - u2]) + ebitda[v, t - u3]
            stop = min(stop, t if year < short else b)
        if stop < b:
            end[v] = stop
            first = min(first, end[v])
    return first


@jit()
def _horizon(last_vintage, life, nt):
    """Quarters to dispatch so that cohorts up to ``last_vintage`` see their whole life."""
    return min(nt, last_vintage + 1 + int(np.ceil(life / Q)))


@jit()
def _scratch(nv, nt):
    """Per-scenario work arrays of ``_operate_company``: service windows, EBITDA, work space.

    EBITDA's rows and the work space (demand, price, throughput and the dispatched capacity
    per quarter, two rows for :func:`_programme_cf`, and the merit-order cut) hold ``_PAD``
    quarters after the grid's ``nt``; ``per_v`` holds each cohort's hours, energy cost per
    hour, fixed cost and (in merit order) energy cost.
    """
    start = np.empty(nv, dtype=np.int64)
    end = np.empty(nv, dtype=np.int64)
    work = np.empty((6, nt + _PAD))
    cut = np.empty(nt + _PAD, dtype=np.int64)
    per_v = np.empty((4, nv))
    return start, end, np.empty((nv, nt + _PAD)), work, cut, per_v


@jit()
def _merit_order(power, n_hist):
    """Return the indices that sort ``power`` ascending, ties in index order (stable).

    New hardware draws less power per unit with every vintage, so the vintages after the
    installed base usually arrive sorted in reverse: then the installed base is sorted by
    insertion and merged with them. Otherwise (ties, or no energy improvement) NumPy's
    stable sort.
    """
    nv = power.shape[0]
    for v in range(n_hist + 1, nv):
        if not power[v] < power[v - 1]:
            return np.argsort(power, kind="mergesort")
    head = np.empty(n_hist, dtype=np.int64)
    for i in range(n_hist):  # insertion sort: stable
        j = i
        while j > 0 and power[head[j - 1]] > power[i]:
            head[j] = head[j - 1]
            j -= 1
        head[j] = i
    order = np.empty(nv, dtype=np.int64)
    a, b = 0, nv - 1  # next of the installed base; next (cheapest left) of the new vintages
    for i in range(nv):
        if b < n_hist or (a < n_hist and power[head[a]] <= power[b]):
            order[i] = head[a]  # on a tie the lower index first
            a += 1
        else:
            order[i] = b
            b -= 1
    return order
