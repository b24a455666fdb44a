"""Compiled dispatch and retirement of one company in one scenario (Numba; see ``_kernel``).

The service windows, the merit order, dispatch in merit order with its bisected cut, the
EBITDA and the two retirement rules; :mod:`strandrisk.engine._kernel` runs them per scenario.
The constants and the column order of the per-scenario parameters live here too.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["SCALARS"]

HPQ = 8766.0 / 4
_ONE = np.uint64(1)  # unsigned loop indices stay unsigned: see the module notes
Q = 0.25

SCALARS = (
    "technology.physical_life",
    "costs.pue",
    "costs.electricity_price",
    "costs.fixed_opex_rate",
    "capex.share_compute",
    "capex.share_network",
    "capex.share_facilities",
    "accounting.facilities_life",
    "market.utilisation",
    "costs.tax_rate",
    "financing.debt_share",
    "financing.maturity",
    "financing.risk_free",
    "financing.credit_spread",
    "financing.spread_widening",
    "financing.spread_widening_start",
    "accounting.declining_balance",
)
"""Per-scenario parameters, in the column order of the kernel's ``sp`` matrix."""

(
    _LIFE,
    _PUE,
    _ELEC,
    _FIXED,
    _SC,
    _SN,
    _SF,
    _FLIFE,
    _UTIL,
    _TAX,
    _DEBT,
    _MAT,
    _RF,
    _SPREAD,
    _WIDEN,
    _WIDEN_START,
    _DBF,
) = range(len(SCALARS))


@numba.njit(cache=True, error_model="numpy")
def _windows(vint, life, nt, start, end):
    """Quarters ``[start, end)`` in which each cohort is in service (before retirement)."""
    span = int(np.ceil(life / Q))  # quarters j >= 0 with j * Q < life
    for v in range(vint.shape[0]):
        start[v] = max(vint[v], 0)
        end[v] = min(max(vint[v] + span, start[v]), nt)


@numba.njit(cache=True, error_model="numpy")
def _dispatch(hours, eph, order, start, end, demand, price, theta, served, cum, cut, t_from):
    """Merit-order dispatch of one company from quarter ``t_from`` (as ``merit_order_dispatch``).

    The merit order sorts cohorts by power, so by energy cost ``eph / theta``: in each
    quarter the cohorts that cover their marginal cost form a prefix of the order, found
    by bisection (``cut[t]``). Then cohort by cohort in merit order, each over its service
    window, ``cum[t]`` adds up the capacity dispatched in quarter ``t`` in the same order
    as the reference's running sum. Writes ``served`` only inside each window; cells
    outside are never read. With ``t_from > 0`` (after retirements) the earlier quarters,
    whose cohorts did not change, are kept, and so is the cut.
    """
    nv = order.shape[0]
    for t in range(t_from, cum.shape[0]):  # the quarters up to the horizon
        cum[t] = 0.0
        if t_from > 0:
            continue
        lo, hi = 0, nv  # first position whose cost exceeds the price
        while lo < hi:
            mid = (lo + hi) // 2
            if eph[order[mid]] / theta[t] <= price[t]:
                lo = mid + 1
            else:
                hi = mid
        cut[t] = lo
    for i in range(nv):
        v = order[i]
        h = hours[v]
        for t in range(np.uint64(max(start[v], t_from)), np.uint64(end[v])):  # unsigned: SIMD
            if i < cut[t]:
                cap = h * theta[t]
                cum[t] += cap
                served[v, t] = min(max(demand[t] - (cum[t] - cap), 0.0), cap)
            else:
                served[v, t] = 0.0


@numba.njit(cache=True, error_model="numpy")
def _money(served, eph, fixed_q, start, end, price, theta, ebitda, t_from):
    """EBITDA (revenue - energy - fixed cost) inside each cohort's service window."""
    for v in range(served.shape[0]):
        e = eph[v]
        f = fixed_q[v]
        for t in range(np.uint64(max(start[v], t_from)), np.uint64(end[v])):
            x = served[v, t]
            ebitda[v, t] = x * price[t] - x / theta[t] * e - f


@numba.njit(cache=True, error_model="numpy")
def _operate_company(
    units, power, capex, order, demand, price, theta, vint, sp, start, end, served, ebitda,
    horizon, df, foresight,
):  # fmt: skip
    """Dispatch, retire early for good, dispatch again, over quarters ``[0, horizon)``.

    Fills ``start``/``end`` (service windows after retirement), ``served`` and ``ebitda``
    (valid inside the windows only). A cohort retires once its contribution has fallen
    short of its fixed cost over a full trailing year in service, or with ``foresight``
    from the first quarter its discounted EBITDA (``df``: discount factors, one per
    quarter) can no longer turn positive (as ``operate``). With the trailing-year rule a
    quarter's dispatch and a cohort's retirement depend only on earlier and current
    quarters, so stopping at ``horizon`` (:func:`_horizon`) leaves every earlier value as
    it is over the whole grid; with foresight they look ahead, and ``horizon`` must be
    the whole grid.
    """
    nt = horizon
    hours = units * HPQ
    eph = power * sp[_PUE] * sp[_ELEC]
    fixed_q = sp[_FIXED] * (capex * (sp[_SC] + sp[_SN])) * Q
    _windows(vint, sp[_LIFE], nt, start, end)
    total = np.empty(nt)
    cut = np.empty(nt, dtype=np.int64)
    _dispatch(hours, eph, order, start, end, demand, price, theta, served, total, cut, 0)
    _money(served, eph, fixed_q, start, end, price, theta, ebitda, 0)
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
        for v in range(vint.shape[0]):
            a = start[v]
            run = 0.0
            for t in range(a, end[v]):
                run += ebitda[v, t]  # the reference's running sum and its 4-quarter difference
                total[t] = run
                if t >= a + 3:
                    trailing = run - total[t - 4] if t - 4 >= a else run
                    if trailing < -1e-9 * abs(fixed_q[v]) * 4:
                        end[v] = t
                        first = min(first, t)
                        break
    if first < nt:  # dispatch again from there: the cohorts in service before are unchanged
        _dispatch(hours, eph, order, start, end, demand, price, theta, served, total, cut, first)
        _money(served, eph, fixed_q, start, end, price, theta, ebitda, first)


@numba.njit(cache=True, error_model="numpy")
def _horizon(last_vintage, life, nt):
    """Quarters to dispatch so that cohorts up to ``last_vintage`` see their whole life."""
    return min(nt, last_vintage + 1 + int(np.ceil(life / Q)))


@numba.njit(cache=True, error_model="numpy")
def _scratch(nv, nt):
    """Per-scenario work arrays of ``_operate_company``: windows, served volume, EBITDA."""
    start = np.empty(nv, dtype=np.int64)
    end = np.empty(nv, dtype=np.int64)
    return start, end, np.empty((nv, nt)), np.empty((nv, nt))


@numba.njit(cache=True, error_model="numpy")
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
