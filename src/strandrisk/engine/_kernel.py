"""Compiled per-scenario kernel (Numba) for dispatch, retirement, books, valuation, impairment.

The NumPy engine (:mod:`strandrisk.engine.model`, ``valuation``, ``finance``) is the
tested reference; this kernel follows the same equations in the same order, one scenario
at a time, and the tests require both to agree. Blocks of scenarios run in parallel
threads (:func:`in_threads`); each scenario is computed alone, in a fixed order, so its
result does not depend on the batch it is in or on the number of threads.

One file on purpose: Numba's on-disk cache of a function is keyed on its own source file
only, so a compiled caller would keep a stale copy of a callee edited in another file (a
split of this module into parts, tried on 2026-12-01, did exactly that). The one callee
from elsewhere is :func:`strandrisk.core._irr_kernel.irr_row`: after editing it, clear the
cache (``find src -name '*.nb[ic]' -delete``).

Array conventions: ``V`` vintages (all internal ones for dispatch), ``Vr`` reported
vintages (up to the horizon), ``T`` internal quarters, ``n`` reporting quarters,
``K`` companies, ``K1 = K + 1`` with the industry last.

Speed notes. Numba checks a signed index for wrap-around (``x[-1]``), and a loop such as
``for t in range(a, b)`` with ``a`` unknown gets that check in every cell, which keeps LLVM
from vectorising it; hot loops therefore run over unsigned indices (``np.uint64``, with
``_ONE`` so that ``j + 1`` stays unsigned) whose bounds are known to be non-negative. They
also read a previous book value from the remaining-share table instead of carrying it, so
that no value passes from one cell to the next. ``error_model="numpy"`` drops the Python
zero-division check (a branch in every division); no divisor here is zero, and the
NumPy reference engine has the same semantics. Every one of these keeps the operations
and their order, so the results are bit-identical to the loops they replace.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numba
import numpy as np

from strandrisk.core._irr_kernel import irr_row

__all__ = ["BLOCK", "SCALARS", "in_threads", "operate_rows", "outcome_rows", "programme_rows"]

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


BLOCK = 32
"""Scenarios per task when a batch is shared between threads."""


def in_threads(n: int, block: Callable[[int, int], object]) -> None:
    """Run ``block(lo, hi)`` over rows ``[0, n)`` in blocks, on Numba's number of threads.

    The kernels release the GIL and compute each row alone, so a row's result does not
    depend on the block it falls in or on the threads. Plain threads rather than Numba's
    ``prange``: a parallel function is compiled a second time around its body, which
    doubled the first call's compile time (≈60 s against ≈30 s on two cores).

    Parameters
    ----------
    n : int
        Number of rows. [-]
    block : callable
        Computes rows ``lo`` to ``hi`` (exclusive) in place. [-]
    """
    threads = min(numba.get_num_threads(), -(-n // BLOCK))
    if threads <= 1:
        block(0, n)
        return
    size = max(BLOCK, n // (8 * threads))  # a few blocks a thread, to balance the load
    bounds = [*range(0, n, size), n]
    pool = ThreadPoolExecutor(threads, thread_name_prefix="strandrisk-kernel")
    try:
        for _ in pool.map(lambda ab: block(*ab), pairwise(bounds)):
            pass  # re-raises a block's exception
    finally:  # after an error or an interrupt, the blocks not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


def _read_only(*args: object) -> tuple:
    """Return the arguments, each array as a read-only view (no copy).

    Numba compiles a function again for each mix of writeable and read-only arrays (a
    broadcast input is read-only), and the kernels only read their inputs: one mix, one
    compilation.
    """
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            a = a.view()
            a.flags.writeable = False
        out.append(a)
    return tuple(out)


@numba.njit(cache=True, error_model="numpy")
def _windows(vint, life, nt, start, end):
    """Quarters ``[start, end)`` in which each cohort is in service (before retirement)."""
    span = int(np.ceil(life / Q))  # quarters j >= 0 with j * Q < life
    for v in range(vint.shape[0]):
        start[v] = max(vint[v], 0)
        end[v] = min(max(vint[v] + span, start[v]), nt)


@numba.njit(cache=True, error_model="numpy")
def _dispatch(
    hours, eph, fixed_q, order, start, end, demand, price, theta, ebitda, cum, cut, t_from
):
    """Merit-order dispatch and EBITDA of one company from quarter ``t_from``.

    As ``merit_order_dispatch``, then EBITDA (revenue - energy - fixed cost) per cohort.

    The merit order sorts cohorts by power, so by energy cost ``eph / theta``: in each
    quarter the cohorts that cover their marginal cost form a prefix of the order, whose
    end (``cut[t]``) is found by stepping from the previous quarter's. Then cohort by cohort
    in merit order, each over its service window, ``cum[t]`` adds up the capacity
    dispatched in quarter ``t`` in the same order as the reference's running sum, and the
    cohort's volume gives its EBITDA there. Writes ``ebitda`` only inside each window;
    cells outside are never read. With ``t_from > 0`` (after retirements) the earlier quarters,
    whose cohorts did not change, are kept, and so is the cut.
    """
    nv, nt = order.shape[0], cum.shape[0]  # nt: the quarters up to the horizon
    for t in range(t_from, nt):
        cum[t] = 0.0
    if t_from == 0:
        cost = np.empty(nv)  # energy cost per unit-hour in merit order: non-decreasing
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
        for t in range(np.uint64(max(start[v], t_from)), np.uint64(end[v])):  # unsigned: SIMD
            on = i < cut[t]  # selects, no branch (cum only ever adds +0.0 when off: unchanged)
            cap = h * theta[t]
            c = cum[t] + (cap if on else 0.0)
            cum[t] = c
            x = min(max(demand[t] - (c - cap), 0.0), cap) if on else 0.0  # volume served
            ebitda[v, t] = x * price[t] - x / theta[t] * e - f


@numba.njit(cache=True, error_model="numpy")
def _operate_company(
    units, power, capex, order, demand, price, theta, vint, sp, start, end, ebitda, horizon,
    df, foresight,
):  # fmt: skip
    """Dispatch, retire early for good, dispatch again, over quarters ``[0, horizon)``.

    Fills ``start``/``end`` (service windows after retirement) and ``ebitda`` (valid
    inside the windows only). A cohort retires once its contribution has fallen
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
    _dispatch(hours, eph, fixed_q, order, start, end, demand, price, theta, ebitda, total, cut, 0)
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
        _dispatch(
            hours, eph, fixed_q, order, start, end, demand, price, theta, ebitda, total, cut, first
        )


@numba.njit(cache=True, error_model="numpy")
def _horizon(last_vintage, life, nt):
    """Quarters to dispatch so that cohorts up to ``last_vintage`` see their whole life."""
    return min(nt, last_vintage + 1 + int(np.ceil(life / Q)))


@numba.njit(cache=True, error_model="numpy")
def _scratch(nv, nt):
    """Per-scenario work arrays of ``_operate_company``: service windows, EBITDA."""
    start = np.empty(nv, dtype=np.int64)
    end = np.empty(nv, dtype=np.int64)
    return start, end, np.empty((nv, nt))


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


@numba.njit(cache=True, error_model="numpy")
def _book(capex, life, age):
    if age < 0:
        return 0.0
    return capex * min(max(1.0 - age / life, 0.0), 1.0)


@numba.njit(cache=True, error_model="numpy")
def _remaining(life, m):
    """``min(max(1 - j Q / life, 0), 1)`` for ages ``j Q``, j < m: ``_book`` per unit of capex.

    The same operations as :func:`_book` on the same ages (``j Q`` is exact), so a book value
    read from the table is bit-identical to one computed with ``_book``.
    """
    out = np.empty(m)
    for j in range(m):
        out[j] = min(max(1.0 - (j * Q) / life, 0.0), 1.0)
    return out


@numba.njit(cache=True, error_model="numpy")
def _booked(life, factor, m):
    """Remaining book share per age ``j Q``, j < m, on the booked method (``_remaining``'s kind).

    Straight line (:func:`_remaining`) for ``factor == 1``, else the declining balance of
    :func:`strandrisk.core.depreciation.declining_balance_book` in its order of operations.
    """
    if factor == 1.0:
        return _remaining(life, m)
    d = min(factor * Q / life, 1.0)
    switch = np.ceil((life - life / factor) / Q) * Q
    out = np.empty(m)
    for j in range(m):
        age = j * Q
        declining = (1.0 - d) ** (min(age, switch) / Q)
        tail = max((life - age) / (life - switch), 0.0) if age > switch else 1.0
        out[j] = 0.0 if age >= life else declining * tail
    return out


@numba.njit(cache=True, error_model="numpy")
def _programme_cf(capex, ebitda, start, end, vint, sp, rem_c, rem_n, rem_f, v0, cf):
    """After-tax cash flows of the four 2026 vintages (as ``programme_cashflows``).

    ``rem_c``, ``rem_n``: :func:`_booked` for the compute and network lives, ``rem_f``:
    :func:`_remaining` for the facilities life, each at least ``T + 2`` ages long. The
    shell's depreciation stops lowering the tax once it passes on (quarter ``hand``).
    """
    nt = ebitda.shape[1]
    tau = sp[_TAX]
    life = sp[_LIFE]
    for i in range(nt + 1):
        cf[i] = 0.0
    for j in range(4):
        cf[j] -= capex[v0 + j]
    op = np.zeros(nt)
    for j in range(4):
        v = v0 + j
        kc, kn, kf = capex[v] * sp[_SC], capex[v] * sp[_SN], capex[v] * sp[_SF]
        hand = np.uint64(j + int(np.ceil(life / Q)))  # the shell passes on with the compute
        u0 = max(vint[v], 0)
        # unsigned quarter u = uu + i and age at its end age = ua + i (SIMD); the
        # opening book is read from the table (the book at commissioning is capex x 1)
        uu, ua = np.uint64(u0), np.uint64(u0 - vint[v])
        us, ue = np.uint64(start[v]), np.uint64(end[v])
        for i in range(np.uint64(max(nt - u0, 0))):
            u, a0 = uu + i, ua + i  # ages a0 at the start and a0 + 1 at the end of u
            ec = kc * rem_c[a0 + _ONE]
            en = kn * rem_n[a0 + _ONE]
            ef = kf * rem_f[a0 + _ONE]
            dep = (kc * rem_c[a0] - ec) + (kn * rem_n[a0] - en)
            dep = dep + ((kf * rem_f[a0] - ef) if u < hand else 0.0)
            e = ebitda[v, u] if us <= u < ue else 0.0
            op[u] += e - tau * (e - dep)
    for u in range(nt):
        cf[u + 1] += op[u]
    extra = np.zeros(nt + 1)
    for j in range(4):
        residual = _book(capex[v0 + j] * sp[_SF], sp[_FLIFE], life)
        at = min(j + int(np.ceil(life / Q)), nt)
        extra[at] += residual
    for i in range(nt + 1):
        cf[i] += extra[i]


@numba.njit(cache=True, error_model="numpy")
def _npv(cf, df):
    """NPV of a row of quarterly cash flows, period 0 undiscounted; ``df[i]`` is period i + 1."""
    total = cf[0] * 1.0
    for i in range(1, cf.shape[0]):
        total += cf[i] * df[i - 1]
    return total


@numba.njit(cache=True, error_model="numpy")
def _payback(cf):
    """Years until cumulative cash flow turns non-negative (from the last capex on).

    NaN when it never does, or when no 2026 quarter has an outlay (nothing to pay back).
    """
    if not (cf[0] < 0 or cf[1] < 0 or cf[2] < 0 or cf[3] < 0):
        return np.nan
    run = 0.0
    for i in range(cf.shape[0]):
        run += cf[i]
        if i >= 4 and run >= 0:
            return i * Q
    return np.nan


def programme_rows(
    capex: np.ndarray, units: np.ndarray, power: np.ndarray, order: np.ndarray,
    demand: np.ndarray, price: np.ndarray, theta: np.ndarray, vint: np.ndarray, v0: int,
    sp: np.ndarray, lives: np.ndarray, df: np.ndarray, foresight: bool,
) -> np.ndarray:  # fmt: skip
    """NPV of the 2026 programme per row, company and industry, shape (S, K + 1) [USD].

    Used by the break-even solver: market and dispatch with the trial demand and price.

    Parameters
    ----------
    capex, units, power : ndarray, shape (S, K, V)
        Each vintage's capex [USD], compute bought [H100e] and power per unit [kW].
    order : ndarray, shape (S, K, V)
        The merit order: vintages by power per unit, stable. [-]
    demand, price : ndarray, shape (S, K, T)
        Demand [Mtok per quarter] and token price [USD/Mtok] per internal quarter.
    theta : ndarray, shape (S, T)
        Throughput of one unit. [Mtok per unit-hour]
    vint : ndarray, shape (V,)
        Each vintage's quarter, an index from 2026Q1. [quarter]
    v0 : int
        Index of the 2026Q1 vintage. [-]
    sp : ndarray, shape (S, len(SCALARS))
        Per-scenario parameters in the order of :data:`SCALARS`. [units of each key]
    lives : ndarray, shape (S, K, 2)
        Booked compute and network lives. [year]
    df : ndarray, shape (S, T)
        Discount factor at the end of each quarter, at the WACC. [-]
    foresight : bool
        The foresight retirement rule (else the trailing-year rule). [-]
    """
    s_n, k_n, _ = capex.shape
    value = np.empty((s_n, k_n + 1))
    args = _read_only(
        capex, units, power, order, demand, price, theta, vint, v0, sp, lives, df, foresight
    )
    in_threads(s_n, lambda lo, hi: _programme_block(lo, hi, *args, value))
    return value


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _programme_block(
    lo, hi, capex, units, power, order, demand, price, theta, vint, v0, sp, lives, df, foresight,
    value,
):  # fmt: skip
    """Rows ``lo`` to ``hi`` of :func:`programme_rows`, into ``value``."""
    _, k_n, nv = capex.shape
    nt = price.shape[2]
    for s in range(lo, hi):
        cf = np.zeros((k_n + 1, nt + 1))
        start, end, ebitda = _scratch(nv, nt)
        horizon = nt if foresight else _horizon(vint[v0 + 3], sp[s, _LIFE], nt)  # 2026's
        rem_f = _remaining(sp[s, _FLIFE], nt + 2)
        for k in range(k_n):
            _operate_company(
                units[s, k], power[s, k], capex[s, k], order[s, k], demand[s, k], price[s, k],
                theta[s], vint, sp[s], start, end, ebitda, horizon, df[s], foresight,
            )  # fmt: skip
            _programme_cf(
                capex[s, k], ebitda, start, end, vint, sp[s],
                _booked(lives[s, k, 0], sp[s, _DBF], nt + 2),
                _booked(lives[s, k, 1], sp[s, _DBF], nt + 2), rem_f, v0, cf[k],
            )  # fmt: skip
        _add_industry(cf)
        for k in range(k_n + 1):
            value[s, k] = _npv(cf[k], df[s])


@numba.njit(cache=True, error_model="numpy")
def _add_industry(cf):
    """Last row = sum of the others, in order."""
    k_n = cf.shape[0] - 1
    for i in range(cf.shape[1]):
        total = 0.0
        for k in range(k_n):
            total += cf[k, i]
        cf[k_n, i] = total


@numba.njit(cache=True, error_model="numpy")
def operate_rows(capex, units, power, order, demand, price, theta, vint, sp, df, foresight):
    """Alive flags and EBITDA per vintage, shape (S, K, V, T) (for the agreement tests)."""
    s_n, k_n, nv = capex.shape
    nt = price.shape[2]
    alive = np.zeros((s_n, k_n, nv, nt), dtype=np.bool_)
    out = np.zeros((s_n, k_n, nv, nt))
    for s in range(s_n):
        start, end, ebitda = _scratch(nv, nt)
        for k in range(k_n):
            _operate_company(
                units[s, k], power[s, k], capex[s, k], order[s, k], demand[s, k], price[s, k],
                theta[s], vint, sp[s], start, end, ebitda, nt, df[s], foresight,
            )  # fmt: skip
            for v in range(nv):
                for t in range(start[v], end[v]):
                    alive[s, k, v, t] = True
                    out[s, k, v, t] = ebitda[v, t]
    return alive, out


@numba.njit(cache=True, error_model="numpy")
def _write_down(ratio, lo, hi, loss, carried):
    """Charge ``loss`` against a carrying amount ``carried`` of vintages ``lo`` to ``hi - 1``.

    Returns the charge (at most ``carried``) and whether the ratios were scaled: every
    vintage's carrying amount falls by the same share.
    """
    if not loss > 0.0:
        return 0.0, False
    taken = min(loss, carried)
    if not carried > 0:
        return taken, False
    keep = 1.0 - taken / carried
    for v in range(lo, hi):
        ratio[v] = ratio[v] * keep
    return taken, True


@numba.njit(cache=True, error_model="numpy")
def _impair(book_v, book_sum, lo_v, n_hist, other, recoverable, undiscounted, fair, charge):
    """IAS 36 with reversals (``charge[0]``) and ASC 360 (``charge[1]``), as in core.impairment.

    ``lo_v[q]`` and ``n_hist + q`` bound the vintages that can carry a book value at
    quarter ``q`` (the others add exact zeros to every sum). Each standard keeps a ratio
    of carrying amount to book value per vintage; until its first write-down every ratio
    is 1 and its carrying amount is ``book_sum[q]``, the same sum in the same order. Once
    either has written something down, one pass over the vintages sums both carrying
    amounts and IAS 36's impaired amount (three independent sums, each in vintage order,
    that the processor runs side by side). A write-down scales every ratio in the range:
    a vintage without book value now has none later (its book only falls), so its ratio
    never counts. IAS 36 reverses only in a quarter without a loss, when the ratios are
    still those the pass summed.
    """
    nv, n = book_v.shape
    r_i = np.ones(nv)
    r_g = np.ones(nv)
    w_i = False
    w_g = False
    for q in range(n):
        lo, hi = lo_v[q], min(n_hist + q + 1, nv)
        c_i = book_sum[q]
        c_g = book_sum[q]
        impaired = 0.0
        if w_i or w_g:
            a, b, d = 0.0, 0.0, 0.0
            for v in range(lo, hi):
                x = book_v[v, q]
                a += r_i[v] * x
                d += (1.0 - r_i[v]) * x
                b += r_g[v] * x
            if w_i:
                c_i, impaired = a, d
            if w_g:
                c_g = b
        # IAS 36: recoverable amount, reversals up to the book value
        c = c_i + other[q]
        taken, wrote = _write_down(r_i, lo, hi, max(c - recoverable[q], 0.0), c_i)
        w_i = w_i or wrote
        room = max(recoverable[q] - c, 0.0)  # > 0 only without a loss
        if w_i and room > 0.0:  # else nothing is reversed
            headroom = min(room, impaired)
            if headroom > 0.0:
                back = headroom / impaired
                for v in range(lo, hi):  # the others carry no book value now or later
                    r_i[v] = r_i[v] + (1.0 - r_i[v]) * back
            taken = taken - headroom
        charge[0, q] = taken
        # ASC 360: recoverability on undiscounted flows, then fair value; no reversal
        c = c_g + other[q]
        loss = max(c - fair[q], 0.0) if undiscounted[q] < c else 0.0
        taken, wrote = _write_down(r_g, lo, hi, loss, c_g)
        w_g = w_g or wrote
        charge[1, q] = taken


@numba.njit(cache=True, error_model="numpy")
def _value_unit(
    ebitda, start, end, book_c_v, lo_v, n_hist, book_f, fair, vint, df, n, out, viu, und,
    obsolescence, cut, fair_e, stranded_e, viu_e, fair_y, peak_y, viu_y,
):  # fmt: skip
    """Value in use, stranding and both impairment tests for one cash-generating unit.

    ``ebitda`` is valid inside ``[start, end)`` per vintage; ``out`` (5, n) receives the
    stranded value, the IFRS and US GAAP charges, the book value and the economic value.
    With ``obsolescence`` the fair value is capped at the value in use. ``stranded_e``
    receives the stranded value of the vintages before ``cut`` valued alone, ``fair_e``
    being their fair value: every sum over vintages runs in vintage order, so theirs is
    the partial sum at ``cut`` (``viu_e``: work space, n). With ``peak_y`` of length Y > 0,
    each calendar year's four vintages are valued alone too, ``fair_y`` (Y, n) being their
    fair value: ``peak_y[y]`` receives the peak of their stranded value (``viu_y``: work
    space, n). Returns the materiality threshold.
    """
    vr = book_c_v.shape[0]
    by_year = peak_y.shape[0] > 0
    for t in range(n):
        viu[t] = 0.0
        und[t] = 0.0
    for v in range(vr):
        if v == cut:  # the group's value in use: the sums so far
            for t in range(n):
                viu_e[t] = viu[t]
        if by_year and v % 4 == 0:  # a calendar year's first vintage
            for t in range(n):
                viu_y[t] = 0.0
        # per vintage, the sums over the quarters after t (total from t, less t's own flow)
        tot_d = 0.0
        tot_u = 0.0
        for u in range(end[v] - 1, start[v] - 1, -1):
            fd = ebitda[v, u] * df[u]
            tot_d += fd
            tot_u += ebitda[v, u]
            if u < n and vint[v] <= u:
                viu[u] += tot_d - fd
                und[u] += tot_u - ebitda[v, u]
                if by_year:
                    viu_y[u] += tot_d - fd
        if by_year and v % 4 == 3:  # the year's last vintage: its four valued alone
            _year_peak(book_c_v, v - 3, viu_y, fair_y[v // 4], df, n, obsolescence, peak_y, v // 4)
    if cut >= vr:
        for t in range(n):
            viu_e[t] = viu[t]
    book_c = np.zeros(n)
    recoverable = np.empty(n)
    undiscounted_total = np.empty(n)
    fair_total = np.empty(n)
    for t in range(n):
        viu[t] = viu[t] / df[t]
        hi = min(n_hist + t + 1, vr)
        for v in range(lo_v[t], min(hi, cut)):
            book_c[t] += book_c_v[v, t]
        book_e = book_c[t]
        for v in range(max(lo_v[t], cut), hi):
            book_c[t] += book_c_v[v, t]
        viu_e[t] = viu_e[t] / df[t]
        fv_e = min(fair_e[t], viu_e[t]) if obsolescence else fair_e[t]
        stranded_e[t] = max(book_e - max(viu_e[t], fv_e), 0.0)
        fv = min(fair[t], viu[t]) if obsolescence else fair[t]
        economic = max(viu[t], fv)
        recoverable[t] = book_f[t] + economic
        undiscounted_total[t] = und[t] + book_f[t]
        fair_total[t] = fv + book_f[t]
        out[0, t] = max(book_c[t] - economic, 0.0)
        out[3, t] = book_c[t] + book_f[t]
        out[4, t] = recoverable[t]
    _impair(
        book_c_v, book_c, lo_v, n_hist, book_f, recoverable, undiscounted_total, fair_total,
        out[1:3],
    )  # fmt: skip
    big = 1.0
    for t in range(n):
        big = max(big, book_c[t])
    return big * 1e-9


@numba.njit(cache=True, error_model="numpy")
def _year_peak(book_c_v, v0, viu_y, fair_y, df, n, obsolescence, peak_y, y):
    """Peak stranded value of vintages ``v0`` to ``v0 + 3`` valued alone, into ``peak_y[y]``.

    As :func:`strandrisk.engine.valuation._by_capex_year`: book summed over the four in
    order, value in use (``viu_y``, discounted to 2026) over the quarter's discount factor,
    fair value capped at value in use with economic obsolescence.
    """
    peak = 0.0
    for t in range(n):
        book = ((book_c_v[v0, t] + book_c_v[v0 + 1, t]) + book_c_v[v0 + 2, t]) + book_c_v[v0 + 3, t]
        value = viu_y[t] / df[t]
        fv = min(fair_y[t], value) if obsolescence else fair_y[t]
        peak = max(peak, max(book - max(value, fv), 0.0))
    peak_y[y] = peak


@numba.njit(cache=True, error_model="numpy")
def _matured(t0, vintage, maturity, limit):
    """Return the first quarter from ``t0`` at or after a loan's maturity, at most ``limit``.

    The first quarter ``t`` with ``(t - vintage) Q >= maturity - 1e-9`` (the test rises
    with ``t``): a guess from the division, clamped to ``[t0, limit]``, then stepped to
    it with that same test (``t0`` itself where ``t0 >= limit``).
    """
    if t0 >= limit:
        return t0
    t = int(min(max(vintage + np.ceil((maturity - 1e-9) / Q), t0), limit))
    while t > t0 and (t - 1 - vintage) * Q >= maturity - 1e-9:
        t -= 1
    while t < limit and not (t - vintage) * Q >= maturity - 1e-9:
        t += 1
    return t


@numba.njit(cache=True, error_model="numpy")
def _loan_cover(
    ebitda, start, end, vint, vr, cap_k, p, amortising, rem_c, rem_n, rem_f, d_end, n,
    t_mat, cover, owed, tail, due, flow,
):  # fmt: skip
    """Compute the two sides of one company's loan life cover ratio per reporting quarter.

    ``cover[t]``: the cash flow available for debt service (EBITDA less tax on EBIT) of the
    vintages in service by ``t``, from ``t`` to the last repayment due on the debt
    outstanding in ``t``, discounted at the debt's rate (``d_end``: a flow at the end of
    each internal quarter, to the start) to the start of ``t``; ``owed[t]`` that debt. As
    :func:`strandrisk.core.finance.loan_life_cover`, in the same order of operations
    (``t_mat``: each vintage's maturity quarter, at most the grid's end; ``tail``, ``due``
    and ``flow``: work space).
    """
    nt = d_end.shape[0]
    tau, m = p[_TAX], p[_MAT]
    for t in range(n):
        cover[t] = 0.0
        owed[t] = 0.0
        due[t] = -1
    for v in range(vr):  # the debt outstanding and the last repayment due on it
        principal = p[_DEBT] * cap_k[v]
        if not principal > 0.0:
            continue
        t0 = max(vint[v], 0)
        t_d = t_mat[v]
        last = min(t_d, nt) - 1
        for t in range(t0, min(t_d, n)):
            age = (t - vint[v]) * Q
            if amortising:
                owed[t] += principal * min(max(1.0 - age / m, 0.0), 1.0)
            else:
                owed[t] += principal
            due[t] = max(due[t], last)
    for v in range(vr):
        t0 = max(vint[v], 0)
        if t0 >= n:
            continue
        kc, kn, kf = cap_k[v] * p[_SC], cap_k[v] * p[_SN], cap_k[v] * p[_SF]
        # each quarter's discounted flow, then their sums from each quarter on: the flows
        # carry nothing from cell to cell (unsigned quarter u = ut + i, age j = uj + i: SIMD)
        ua, ub = np.uint64(start[v]), np.uint64(end[v])
        ut, uj = np.uint64(t0), np.uint64(t0 - vint[v])
        for i in range(np.uint64(nt - t0)):
            u, j = ut + i, uj + i
            dep = (kc * rem_c[j] - kc * rem_c[j + _ONE]) + (kn * rem_n[j] - kn * rem_n[j + _ONE])
            dep = dep + (kf * rem_f[j] - kf * rem_f[j + _ONE])
            e = ebitda[v, u] if ua <= u < ub else 0.0
            flow[u] = (e - tau * (e - dep)) * d_end[u]
        acc = 0.0
        tail[nt] = 0.0
        for u in range(nt - 1, t0 - 1, -1):
            acc += flow[u]
            tail[u] = acc
        for t in range(t0, n):
            if due[t] >= t:
                cover[t] += tail[t] - tail[min(due[t] + 1, nt)]
    for t in range(n):
        cover[t] = cover[t] / (d_end[t - 1] if t > 0 else 1.0)


def outcome_rows(
    capex: np.ndarray, units: np.ndarray, power: np.ndarray, demand: np.ndarray,
    price: np.ndarray, theta: np.ndarray, new_cost: np.ndarray, new_power: np.ndarray,
    df: np.ndarray, vint: np.ndarray, n_hist: int, n: int, amortising: bool,
    obsolescence: bool, foresight: bool, sp: np.ndarray, lives: np.ndarray,
    irr_grid: np.ndarray, keep_values: bool, llcr: bool, by_year: bool,
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Everything the outcome table needs, per scenario (see ``engine.compiled``).

    Parameters
    ----------
    capex, units, power : ndarray, shape (S, K, V)
        Each vintage's capex [USD], compute bought [H100e] and power per unit [kW].
    demand, price : ndarray, shape (S, K, T)
        Demand [Mtok per quarter] and token price [USD/Mtok] per internal quarter.
    theta : ndarray, shape (S, T)
        Throughput of one unit. [Mtok per unit-hour]
    new_cost, new_power : ndarray, shape (S, T)
        A new unit's compute and network capex [USD] and power [kW] per quarter.
    df : ndarray, shape (S, T)
        Discount factor at the end of each quarter, at the WACC. [-]
    vint : ndarray, shape (V,)
        Each vintage's quarter, an index from 2026Q1. [quarter]
    n_hist, n : int
        Vintages of the installed base; reporting quarters. [-]
    amortising, obsolescence, foresight : bool
        Amortising debt, economic obsolescence, the foresight retirement rule. [-]
    sp : ndarray, shape (S, len(SCALARS))
        Per-scenario parameters in the order of :data:`SCALARS`. [units of each key]
    lives : ndarray, shape (S, K, 2)
        Booked compute and network lives. [year]
    irr_grid : ndarray
        Quarterly rates the IRR search starts from. [1/quarter]
    keep_values, llcr, by_year : bool
        Also return the value paths, the loan life cover, each year's capex alone. [-]

    Returns
    -------
    values : (S, K1, 5, n), or (0, K1, 5, n) unless ``keep_values``
        Stranded value, the IFRS and US GAAP impairment charges, the scheduled book value
        and the economic (recoverable) value per quarter. [USD]
    summary : (S, K1, 11)
        Peak stranded value [USD] and its quarter, IFRS and US GAAP impairment totals
        [USD], the first quarter of a material IFRS and US GAAP charge, the lowest annual
        DSCR [-] (inf without debt service), the first year of negative unlevered free
        cash flow, the lowest annual interest cover, EBIT over interest [-] (inf
        without interest), and the peak stranded value of the capital commissioned to
        2026Q4 valued alone [USD] and its quarter; quarters and years are indices from
        2026, -1 for never.
    life26 : (S, K, 4) economic life of the 2026 vintages [year]
    programme : (S, K1, 3) NPV [USD], IRR [1/year] and payback [year] of the 2026
        programme (NaN where there is no IRR or no payback)
    loan_cover : (S, K1, 2), or (0, K1, 2) unless ``llcr``
        The lowest loan life cover ratio over the reporting quarters [-] (NaN without
        debt) and the first quarter it is below 1 (an index from 2026Q1, -1 for never).
    year_peak : (S, K1, Y), or (0, K1, Y) unless ``by_year``
        Each calendar year's four vintages (from 2022) valued alone: the peak of their
        stranded value over the reporting quarters [USD].
    """
    s_n, k_n, _ = capex.shape
    k1 = k_n + 1
    vr = n_hist + n
    values = np.zeros((s_n if keep_values else 0, k1, 5, n))
    summary = np.empty((s_n, k1, 11))
    life26 = np.zeros((s_n, k_n, 4))
    programme = np.empty((s_n, k1, 3))
    loan_cover = np.empty((s_n if llcr else 0, k1, 2))
    year_peak = np.zeros((s_n if by_year else 0, k1, vr // 4))
    outputs = (values, summary, life26, programme, loan_cover, year_peak)
    args = _read_only(
        capex, units, power, demand, price, theta, new_cost, new_power, df, vint, n_hist, n,
        amortising, obsolescence, foresight, sp, lives, irr_grid, keep_values, llcr, by_year,
    )  # fmt: skip
    in_threads(s_n, lambda lo, hi: _outcome_block(lo, hi, *args, *outputs))
    return outputs


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _outcome_block(
    lo, hi, capex, units, power, demand, price, theta, new_cost, new_power, df, vint,
    n_hist, n, amortising, obsolescence, foresight, sp, lives, irr_grid, keep_values, llcr,
    by_year, values, summary, life26, programme, loan_cover, year_peak,
):  # fmt: skip
    """Rows ``lo`` to ``hi`` of :func:`outcome_rows`, written into its outputs."""
    _, k_n, nv = capex.shape
    nt = price.shape[2]
    vr = n_hist + n
    years = n // 4
    k1 = k_n + 1
    cut = n_hist + 4  # the vintages to 2026Q4: today's capital
    n_y = vr // 4 if by_year else 0  # calendar years of reported vintages
    for s in range(lo, hi):
        p = sp[s]
        vals = np.zeros((k1, 5, n))
        big = np.empty(k1)
        cf = np.zeros((k1, nt + 1))
        start, end, ebitda = _scratch(nv, nt)
        ebitda_ind = np.zeros((vr, nt))
        start_ind = np.full(vr, nt, dtype=np.int64)
        end_ind = np.zeros(vr, dtype=np.int64)
        book_c_ind = np.zeros((vr, n))
        book_c_v = np.zeros((vr, n))
        lo_v = np.empty(n, dtype=np.int64)  # first vintage with a book value, per quarter
        lo_ind = np.full(n, vr, dtype=np.int64)
        book_f_ind = np.zeros(n)
        fair_ind = np.zeros(n)
        fair = np.zeros(n)
        fair_e = np.zeros(n)  # the fair value of today's capital (the vintages before cut)
        fair_ind_e = np.zeros(n)
        stranded_e = np.empty((k1, n))
        fair_y = np.zeros((n_y, n))  # each year's vintages' fair value, per company
        fair_ind_y = np.zeros((n_y, n))
        peak_y = np.zeros((k1, n_y))
        viu_y = np.empty(n)
        fair_v = np.empty(n)  # one vintage's fair value
        book_f = np.zeros(n)
        viu = np.empty(n)
        und = np.empty(n)
        viu_e = np.empty(n)
        fl = np.zeros((5, k1, n))  # ebitda, depreciation, interest, principal, capex
        rate = np.empty(nt)  # the debt's, every internal quarter (the loan cover's too)
        for t in range(nt):
            on = 1.0 if 2026.0 + t * Q >= p[_WIDEN_START] else 0.0
            rate[t] = p[_RF] + p[_SPREAD] + p[_WIDEN] * on
        life = p[_LIFE]
        m = p[_MAT]
        heat = p[_PUE] * p[_ELEC] * 4 * HPQ * p[_UTIL] * life
        inv_life, inv_m = 1.0 / life, 1.0 / m
        # the last reported cohort's life (with foresight, every cohort's whole life)
        horizon = nt if foresight else _horizon(vint[vr - 1], life, nt)
        # the books' ages and the programme's, in quarters (the loan cover's: every
        # reported vintage to the grid's end)
        ages = nt + n_hist + 2 if llcr else max(n + n_hist, nt) + 2
        if llcr:
            cover = np.zeros((k1, n))
            owed = np.zeros((k1, n))
            tail = np.empty(nt + 1)
            flow = np.empty(nt)
            due = np.empty(n, dtype=np.int64)
            d_end = np.empty(nt)  # a flow at the end of each quarter, to the start of 2026
            acc = 1.0
            for t in range(nt):
                acc = acc * (1.0 / (1.0 + rate[t] * Q))
                d_end[t] = acc
        rem_f = _remaining(p[_FLIFE], ages)
        t_mat = np.empty(vr, dtype=np.int64)  # each vintage's loan: its maturity quarter
        for v in range(vr):  # (every company's; a reported vintage starts before quarter n)
            t_mat[v] = _matured(max(vint[v], 0), vint[v], m, nt)
        for k in range(k_n):
            cl, nl = lives[s, k, 0], lives[s, k, 1]
            span_cn = int(np.ceil(max(cl, nl) / Q))  # quarters until both are written off
            rem_c = _booked(cl, p[_DBF], ages)
            rem_n = _booked(nl, p[_DBF], ages)
            cap_k = capex[s, k]
            order = _merit_order(power[s, k], n_hist)
            _operate_company(
                units[s, k], power[s, k], cap_k, order, demand[s, k], price[s, k],
                theta[s], vint, p, start, end, ebitda, horizon, df[s], foresight,
            )  # fmt: skip
            _programme_cf(cap_k, ebitda, start, end, vint, p, rem_c, rem_n, rem_f, n_hist, cf[k])
            for j in range(4):  # economic life of the 2026 vintages
                v = n_hist + j
                found = end[v] if end[v] < nt else -1
                for t in range(start[v], end[v]):
                    if ebitda[v, t] <= 0:
                        found = t
                        break
                life26[s, k, j] = (max(found, 0) - vint[v]) * Q
            for t in range(n):
                fair[t] = 0.0
                book_f[t] = 0.0
                lo_v[t] = vr
                for y in range(n_y):
                    fair_y[y, t] = 0.0
            for v in range(vr):
                a, b = start[v], end[v]
                start_ind[v] = min(start_ind[v], a)
                end_ind[v] = max(end_ind[v], b)
                for u in range(np.uint64(a), np.uint64(b)):
                    ebitda_ind[v, u] += ebitda[v, u]
                for u in range(np.uint64(a), np.uint64(min(b, n))):
                    fl[0, k, u] += ebitda[v, u]
                t0 = max(vint[v], 0)
                # straight-line books and charges, compute and network (zero once both
                # are fully depreciated) and facilities
                kc, kn, kf = cap_k[v] * p[_SC], cap_k[v] * p[_SN], cap_k[v] * p[_SF]
                j0 = t0 - vint[v]  # age at the start, in quarters
                t_cn = min(n, max(t0, vint[v] + span_cn))
                # unsigned indices (t = ut + i, age j = uj + i, both >= 0) let LLVM use SIMD;
                # the previous book is read from the table, so no value is carried
                ut, uj = np.uint64(t0), np.uint64(j0)
                for i in range(np.uint64(max(t_cn - t0, 0))):
                    t, j = ut + i, uj + i  # age at the start and at the end: j, j + 1
                    ec, en = kc * rem_c[j + _ONE], kn * rem_n[j + _ONE]
                    fl[1, k, t] += (kc * rem_c[j] - ec) + (kn * rem_n[j] - en)
                    book = ec + en
                    book_c_v[v, t] = book
                    book_c_ind[v, t] += book  # + 0 where the book is 0: unchanged
                for t in range(np.uint64(t0), np.uint64(t_cn)):
                    w = v if book_c_v[v, t] > 0 else vr
                    lo_v[t] = min(lo_v[t], w)
                    lo_ind[t] = min(lo_ind[t], w)
                for t in range(np.uint64(t_cn), np.uint64(n)):
                    book_c_v[v, t] = 0.0
                for i in range(np.uint64(max(n - t0, 0))):
                    t, j = ut + i, uj + i
                    ef = kf * rem_f[j + _ONE]
                    fl[1, k, t] += kf * rem_f[j] - ef
                    book_f[t] += ef
                if v == cut:  # the partial sums over today's capital
                    for t in range(n):
                        fair_e[t] = fair[t]
                # fair value: replacement cost for the remaining life, less the energy
                # disadvantage over it
                pw, un = power[s, k, v], units[s, k, v]
                ua, ud = np.uint64(a), np.uint64(a - vint[v])  # a >= vint[v]
                m_fv = np.uint64(max(min(b, n) - a, 0))
                for i in range(m_fv):
                    t = ua + i
                    remaining = min(max(1.0 - ((ud + i) * Q + Q) * inv_life, 0.0), 1.0)
                    extra_kw = max(pw - new_power[s, t + _ONE], 0.0)
                    energy_left = extra_kw * heat * remaining
                    fv = max(un * new_cost[s, t + _ONE] * remaining - energy_left, 0.0)
                    fair[t] += fv
                    fair_v[t] = fv
                if by_year:  # a loop of its own, so that the one above has no branch
                    for t in range(ua, ua + m_fv):
                        fair_y[v // 4, t] += fair_v[t]
                # debt drawn at commissioning, interest on the opening balance
                principal = p[_DEBT] * cap_k[v]
                if principal != 0.0:
                    t_d = min(t_mat[v], n)
                    if amortising:  # two loops without a branch inside
                        for i in range(np.uint64(t_d - t0)):
                            t = ut + i
                            age = (uj + i) * Q
                            outstanding = principal * min(max(1.0 - age * inv_m, 0.0), 1.0)
                            after = principal * min(max(1.0 - (age + Q) * inv_m, 0.0), 1.0)
                            fl[2, k, t] += outstanding * rate[t] * Q
                            fl[3, k, t] += outstanding - after
                    else:
                        for i in range(np.uint64(t_d - t0)):
                            t = ut + i
                            age = (uj + i) * Q
                            fl[2, k, t] += principal * rate[t] * Q
                            fl[3, k, t] += principal if age + Q >= m - 1e-9 else 0.0
            if cut >= vr:
                for t in range(n):
                    fair_e[t] = fair[t]
            for t in range(n):
                fl[4, k, t] = cap_k[n_hist + t]
                fair_ind[t] += fair[t]
                fair_ind_e[t] += fair_e[t]
                book_f_ind[t] += book_f[t]
                for y in range(n_y):
                    fair_ind_y[y, t] += fair_y[y, t]
            if llcr:
                _loan_cover(
                    ebitda, start, end, vint, vr, cap_k, p, amortising, rem_c, rem_n, rem_f,
                    d_end, n, t_mat, cover[k], owed[k], tail, due, flow,
                )  # fmt: skip
            big[k] = _value_unit(
                ebitda, start, end, book_c_v, lo_v, n_hist, book_f, fair, vint, df[s], n,
                vals[k], viu, und, obsolescence, cut, fair_e, stranded_e[k], viu_e, fair_y,
                peak_y[k], viu_y,
            )  # fmt: skip
        big[k_n] = _value_unit(
            ebitda_ind, start_ind, end_ind, book_c_ind, lo_ind, n_hist, book_f_ind, fair_ind,
            vint, df[s], n, vals[k_n], viu, und, obsolescence, cut, fair_ind_e, stranded_e[k_n],
            viu_e, fair_ind_y, peak_y[k_n], viu_y,
        )  # fmt: skip
        if by_year:
            year_peak[s] = peak_y
        if keep_values:
            values[s] = vals
        for i in range(5):
            for t in range(n):
                acc = 0.0
                for k in range(k_n):
                    acc += fl[i, k, t]
                fl[i, k_n, t] = acc
        _add_industry(cf)
        for k in range(k1):
            programme[s, k, 0] = _npv(cf[k], df[s])
            r_q = irr_row(cf[k], irr_grid, 1e-12, 60)
            programme[s, k, 1] = (1.0 + r_q) ** 4 - 1.0
            programme[s, k, 2] = _payback(cf[k])
        if llcr:
            for t in range(n):
                c_sum, o_sum = 0.0, 0.0
                for k in range(k_n):
                    c_sum += cover[k, t]
                    o_sum += owed[k, t]
                cover[k_n, t] = c_sum
                owed[k_n, t] = o_sum
            for k in range(k1):
                lowest, first = np.nan, -1
                for t in range(n):
                    if owed[k, t] > 0:
                        ratio = cover[k, t] / owed[k, t]
                        if not ratio >= lowest:  # the first, or a lower one
                            lowest = ratio
                        if first < 0 and ratio < 1.0:
                            first = t
                loan_cover[s, k, 0] = lowest
                loan_cover[s, k, 1] = first
        tau = p[_TAX]
        for k in range(k1):
            min_dscr = np.inf
            min_icr = np.inf
            negative = -1
            for y in range(years):
                service = 0.0
                cfads = 0.0
                annual = 0.0
                ebit = 0.0
                interest = 0.0
                for q in range(4):
                    t = 4 * y + q
                    tax = tau * (fl[0, k, t] - fl[1, k, t])
                    annual += fl[0, k, t] - tax - fl[4, k, t]
                    service += fl[2, k, t] + fl[3, k, t]
                    cfads += fl[0, k, t] - tax
                    ebit += fl[0, k, t] - fl[1, k, t]
                    interest += fl[2, k, t]
                if service > 0:
                    min_dscr = min(min_dscr, cfads / service)
                if interest > 0:
                    min_icr = min(min_icr, ebit / interest)
                if negative < 0 and annual < 0:
                    negative = y
            _events(vals[k], stranded_e[k], big[k], summary[s, k])
            summary[s, k, 6] = min_dscr
            summary[s, k, 7] = negative
            summary[s, k, 8] = min_icr


@numba.njit(cache=True, error_model="numpy")
def _events(vals, stranded_e, big, out):
    """Peak stranding and its quarter (the unit's, today's capital's), impairments."""
    n = vals.shape[1]
    _peak(vals[0], big, out, 0)
    _peak(stranded_e, big, out, 9)
    for j in range(2):  # IFRS, US GAAP
        total = 0.0
        first = -1
        for t in range(n):
            total += vals[1 + j, t]
            if first < 0 and vals[1 + j, t] > big:
                first = t
        out[2 + j] = total
        out[4 + j] = first


@numba.njit(cache=True, error_model="numpy")
def _peak(path, big, out, i):
    """``out[i]``: the largest value (the first if tied), ``out[i + 1]``: its index if material."""
    peak, at = path[0], 0
    for t in range(1, path.shape[0]):
        if path[t] > peak:
            peak, at = path[t], t
    out[i] = peak
    out[i + 1] = at if peak > big else -1
