"""Compiled books, cash flows, valuation and impairment of one scenario (Numba; see ``_kernel``).

Remaining-share tables of the booked lives, the 2026 programme's cash flows, NPV and payback,
value in use, fair value and stranding per cash-generating unit, the IAS 36 and ASC 360 tests,
the loan life cover and the summaries of a path; :mod:`strandrisk.engine._kernel` runs them per
scenario.
"""

from __future__ import annotations

import numba
import numpy as np

from strandrisk.engine._kernel_operate import (
    _DEBT,
    _FLIFE,
    _LIFE,
    _MAT,
    _ONE,
    _SC,
    _SF,
    _SN,
    _TAX,
    Q,
)

__all__: list[str] = []


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
def _impair(book_v, book_sum, lo_v, n_hist, other, recoverable, undiscounted, fair, gaap, charge):
    """IAS 36 with reversals (``gaap=False``) or ASC 360 (``gaap=True``), as in core.impairment.

    ``lo_v[q]`` and ``n_hist + q`` bound the vintages that can carry a book value at
    quarter ``q`` (the others add exact zeros to every sum); a write-down pass runs only
    when there is a loss, a reversal pass only once something has been written down.
    Until then every ratio is 1 and the carrying amount is ``book_sum[q]``, the same sum
    in the same order.
    """
    nv, n = book_v.shape
    ratio = np.ones(nv)
    written = False
    for q in range(n):
        lo, hi = lo_v[q], min(n_hist + q + 1, nv)
        if written:
            carried = 0.0
            for v in range(lo, hi):
                carried += ratio[v] * book_v[v, q]
        else:
            carried = book_sum[q]
        c = carried + other[q]
        if gaap:
            loss = max(c - fair[q], 0.0) if undiscounted[q] < c else 0.0
        else:
            loss = max(c - recoverable[q], 0.0)
        taken = 0.0
        if loss > 0.0:
            impairable = carried
            taken = min(loss, impairable)
            if impairable > 0:
                keep = 1.0 - taken / impairable
                for v in range(lo, hi):
                    if book_v[v, q] > 0:
                        ratio[v] = ratio[v] * keep
                written = True
        room = max(recoverable[q] - c, 0.0)
        if not gaap and written and room > 0.0:  # else nothing is reversed
            impaired = 0.0
            for v in range(lo, hi):
                impaired += (1.0 - ratio[v]) * book_v[v, q]
            headroom = min(room, impaired)
            if headroom > 0.0:
                back = headroom / impaired
                for v in range(lo, hi):  # the others carry no book value now or later
                    ratio[v] = ratio[v] + (1.0 - ratio[v]) * back
            taken = taken - headroom
        charge[q] = taken


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
    for gaap in (False, True):
        _impair(
            book_c_v, book_c, lo_v, n_hist, book_f, recoverable, undiscounted_total, fair_total,
            gaap, out[1 + gaap],
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
    """Return the first quarter from ``t0`` at or after a loan's maturity, at most ``limit``."""
    t = t0
    while t < limit and not (t - vintage) * Q >= maturity - 1e-9:
        t += 1
    return t


@numba.njit(cache=True, error_model="numpy")
def _loan_cover(
    ebitda, start, end, vint, vr, cap_k, p, amortising, rem_c, rem_n, rem_f, d_end, n,
    cover, owed, tail, due,
):  # fmt: skip
    """Compute the two sides of one company's loan life cover ratio per reporting quarter.

    ``cover[t]``: the cash flow available for debt service (EBITDA less tax on EBIT) of the
    vintages in service by ``t``, from ``t`` to the last repayment due on the debt
    outstanding in ``t``, discounted at the debt's rate (``d_end``: a flow at the end of
    each internal quarter, to the start) to the start of ``t``; ``owed[t]`` that debt. As
    :func:`strandrisk.core.finance.loan_life_cover`, in the same order of operations.
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
        t_d = _matured(t0, vint[v], m, nt)
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
        a, b = start[v], end[v]
        acc = 0.0
        tail[nt] = 0.0
        for u in range(nt - 1, t0 - 1, -1):
            j = u - vint[v]
            dep = (kc * rem_c[j] - kc * rem_c[j + 1]) + (kn * rem_n[j] - kn * rem_n[j + 1])
            dep = dep + (kf * rem_f[j] - kf * rem_f[j + 1])
            e = ebitda[v, u] if a <= u < b else 0.0
            acc += (e - tau * (e - dep)) * d_end[u]
            tail[u] = acc
        for t in range(t0, n):
            if due[t] >= t:
                cover[t] += tail[t] - tail[min(due[t] + 1, nt)]
    for t in range(n):
        cover[t] = cover[t] / (d_end[t - 1] if t > 0 else 1.0)


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
