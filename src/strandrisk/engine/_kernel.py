"""Compiled per-scenario kernel (Numba) for dispatch, retirement, books, valuation, impairment.

The NumPy engine (:mod:`strandrisk.engine.model`, ``valuation``, ``finance``) is the
tested reference; this kernel follows the same equations in the same order, one scenario
at a time, and the tests require both to agree. Scenarios run in parallel threads
(``prange``); each scenario is computed alone, in a fixed order, so its result does not
depend on the batch it is in or on the number of threads.

Array conventions: ``V`` vintages (all internal ones for dispatch), ``Vr`` reported
vintages (up to the horizon), ``T`` internal quarters, ``n`` reporting quarters,
``K`` companies, ``K1 = K + 1`` with the industry last.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["SCALARS", "operate_rows", "outcome_rows", "programme_rows"]

HPQ = 8766.0 / 4
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
) = range(len(SCALARS))


@numba.njit(cache=True)
def _dispatch(hours, eph, order, alive, demand, price, theta, served):
    """Merit-order dispatch of one company, every quarter (as ``merit_order_dispatch``)."""
    nv, nt = alive.shape
    for t in range(nt):
        cum = 0.0
        d = demand[t]
        for i in range(nv):
            v = order[i]
            if not alive[v, t]:
                served[v, t] = 0.0
                continue
            if eph[v] / theta[t] <= price[t]:
                cap = hours[v] * theta[t]
                cum += cap
                before = cum - cap
                served[v, t] = min(max(d - before, 0.0), cap)
            else:
                served[v, t] = 0.0


@numba.njit(cache=True)
def _money(served, eph, fixed_q, alive, price, theta, ebitda, revenue, energy, fixed):
    nv, nt = alive.shape
    for v in range(nv):
        for t in range(nt):
            r = served[v, t] * price[t]
            e = served[v, t] / theta[t] * eph[v]
            f = fixed_q[v] if alive[v, t] else 0.0
            revenue[v, t] = r
            energy[v, t] = e
            fixed[v, t] = f
            ebitda[v, t] = r - e - f


@numba.njit(cache=True)
def _operate_company(
    units, power, capex, order, demand, price, theta, vint, sp, alive, served, ebitda, scratch
):
    """Dispatch, retire early for good, dispatch again; fills ``alive``, ``served``, ``ebitda``.

    ``scratch`` has shape (3, V, T) and receives revenue, energy and fixed cost.
    """
    nv, nt = alive.shape
    life = sp[_LIFE]
    hours = units * HPQ
    eph = power * sp[_PUE] * sp[_ELEC]
    fixed_q = sp[_FIXED] * (capex * (sp[_SC] + sp[_SN])) * Q
    for v in range(nv):
        for t in range(nt):
            age = (t - vint[v]) * Q
            alive[v, t] = age >= 0 and age < life
    revenue, energy, fixed = scratch[0], scratch[1], scratch[2]
    _dispatch(hours, eph, order, alive, demand, price, theta, served)
    _money(served, eph, fixed_q, alive, price, theta, ebitda, revenue, energy, fixed)
    # retirement after a full trailing year in service short of fixed cost (window 4)
    for v in range(nv):
        total_x = np.zeros(nt)
        total_a = np.zeros(nt)
        run_x = 0.0
        run_a = 0.0
        for t in range(nt):
            run_x += (revenue[v, t] - energy[v, t]) - fixed[v, t]
            run_a += 1.0 if alive[v, t] else 0.0
            total_x[t] = run_x
            total_a[t] = run_a
        retired = False
        for t in range(nt):
            if not retired:
                tx = total_x[t] - total_x[t - 4] if t >= 4 else total_x[t]
                ta = total_a[t] - total_a[t - 4] if t >= 4 else total_a[t]
                if alive[v, t] and ta >= 4 and tx < -1e-9 * abs(fixed[v, t]) * 4:
                    retired = True
            if retired:
                alive[v, t] = False
    _dispatch(hours, eph, order, alive, demand, price, theta, served)
    _money(served, eph, fixed_q, alive, price, theta, ebitda, revenue, energy, fixed)


@numba.njit(cache=True)
def _book(capex, life, age):
    if age < 0:
        return 0.0
    return capex * min(max(1.0 - age / life, 0.0), 1.0)


@numba.njit(cache=True)
def _depreciation(capex, sp, compute_life, network_life, age):
    """Straight-line charge of one cohort over the quarter starting at ``age``."""
    if age < 0:
        return 0.0
    kc, kn, kf = capex * sp[_SC], capex * sp[_SN], capex * sp[_SF]
    start, end = max(age, 0.0), age + Q
    dep = 0.0
    dep += _book(kc, compute_life, start) - _book(kc, compute_life, end)
    dep += _book(kn, network_life, start) - _book(kn, network_life, end)
    dep += _book(kf, sp[_FLIFE], start) - _book(kf, sp[_FLIFE], end)
    return dep


@numba.njit(cache=True)
def _programme_cf(capex, ebitda, vint, sp, compute_life, network_life, v0, cf):
    """After-tax cash flows of the four 2026 vintages (as ``programme_cashflows``)."""
    nt = ebitda.shape[1]
    tau = sp[_TAX]
    for i in range(nt + 1):
        cf[i] = 0.0
    for j in range(4):
        cf[j] -= capex[v0 + j]
    for u in range(nt):
        op = 0.0
        for j in range(4):
            v = v0 + j
            e = ebitda[v, u]
            dep = _depreciation(capex[v], sp, compute_life, network_life, (u - vint[v]) * Q)
            op += e - tau * (e - dep)
        cf[u + 1] += op
    life = sp[_LIFE]
    extra = np.zeros(nt + 1)
    for j in range(4):
        residual = _book(capex[v0 + j] * sp[_SF], sp[_FLIFE], life)
        at = min(j + int(np.ceil(life / Q)), nt)
        extra[at] += residual
    for i in range(nt + 1):
        cf[i] += extra[i]


@numba.njit(parallel=True, cache=True)
def programme_rows(capex, units, power, order, demand, price, theta, vint, v0, sp, lives):
    """2026-programme cash flows per row and company, shape (S, K, T + 1) [USD].

    Used by the break-even solver: market and dispatch with the trial demand and price.
    """
    s_n, k_n, nv = capex.shape
    nt = price.shape[2]
    cf = np.zeros((s_n, k_n, nt + 1))
    for s in numba.prange(s_n):
        alive = np.empty((nv, nt), dtype=np.bool_)
        served = np.empty((nv, nt))
        ebitda = np.empty((nv, nt))
        scratch = np.empty((3, nv, nt))
        for k in range(k_n):
            _operate_company(
                units[s, k], power[s, k], capex[s, k], order[s, k], demand[s, k], price[s, k],
                theta[s], vint, sp[s], alive, served, ebitda, scratch,
            )  # fmt: skip
            _programme_cf(
                capex[s, k], ebitda, vint, sp[s], lives[s, k, 0], lives[s, k, 1], v0, cf[s, k]
            )
    return cf


@numba.njit(parallel=True, cache=True)
def operate_rows(capex, units, power, order, demand, price, theta, vint, sp):
    """Alive flags and EBITDA per vintage, shape (S, K, V, T) (for the agreement tests)."""
    s_n, k_n, nv = capex.shape
    nt = price.shape[2]
    alive = np.zeros((s_n, k_n, nv, nt), dtype=np.bool_)
    ebitda = np.zeros((s_n, k_n, nv, nt))
    for s in numba.prange(s_n):
        served = np.empty((nv, nt))
        scratch = np.empty((3, nv, nt))
        for k in range(k_n):
            _operate_company(
                units[s, k], power[s, k], capex[s, k], order[s, k], demand[s, k], price[s, k],
                theta[s], vint, sp[s], alive[s, k], served, ebitda[s, k], scratch,
            )  # fmt: skip
    return alive, ebitda


@numba.njit(cache=True)
def _write_down(ratio, bv, loss, nv):
    impairable = 0.0
    for v in range(nv):
        impairable += ratio[v] * bv[v]
    taken = min(loss, impairable)
    keep = 1.0 - taken / impairable if impairable > 0 else 1.0
    for v in range(nv):
        if bv[v] > 0:
            ratio[v] = ratio[v] * keep
    return taken


@numba.njit(cache=True)
def _impair(book_v, other, recoverable, undiscounted, fair, gaap, charge):
    """IAS 36 with reversals (``gaap=False``) or ASC 360 (``gaap=True``), as in core.impairment."""
    nv, n = book_v.shape
    ratio = np.ones(nv)
    bv = np.empty(nv)
    for q in range(n):
        c = 0.0
        for v in range(nv):
            bv[v] = book_v[v, q]
            c += ratio[v] * bv[v]
        c += other[q]
        if gaap:
            loss = max(c - fair[q], 0.0) if undiscounted[q] < c else 0.0
            charge[q] = _write_down(ratio, bv, loss, nv)
        else:
            loss = max(c - recoverable[q], 0.0)
            taken = _write_down(ratio, bv, loss, nv)
            impaired = 0.0
            for v in range(nv):
                impaired += (1.0 - ratio[v]) * bv[v]
            headroom = min(max(recoverable[q] - c, 0.0), impaired)
            back = headroom / impaired if impaired > 0 else 0.0
            for v in range(nv):
                ratio[v] = ratio[v] + (1.0 - ratio[v]) * back
            charge[q] = taken - headroom


@numba.njit(cache=True)
def _value_unit(
    ebitda_v, book_c_v, book_f, fair, vint, df, n, stranded, ifrs, gaap, scratch_v, viu, und
):
    """Value in use, stranding and both impairment tests for one cash-generating unit."""
    vr, nt = ebitda_v.shape
    for t in range(n):
        viu[t] = 0.0
        und[t] = 0.0
    for v in range(vr):
        # sums over the quarters after t, per vintage, as total(t..) - flow(t)
        tot_d = 0.0
        tot_u = 0.0
        for u in range(nt - 1, -1, -1):
            fd = ebitda_v[v, u] * df[u]
            tot_d += fd
            tot_u += ebitda_v[v, u]
            if u < n:
                scratch_v[0, u] = tot_d - fd
                scratch_v[1, u] = tot_u - ebitda_v[v, u]
        for t in range(n):
            if vint[v] <= t:
                viu[t] += scratch_v[0, t]
                und[t] += scratch_v[1, t]
    book_c = np.zeros(n)
    for t in range(n):
        viu[t] = viu[t] / df[t]
        for v in range(vr):
            book_c[t] += book_c_v[v, t]
    recoverable = np.empty(n)
    undiscounted_total = np.empty(n)
    fair_total = np.empty(n)
    for t in range(n):
        economic = max(viu[t], fair[t])
        recoverable[t] = book_f[t] + economic
        undiscounted_total[t] = und[t] + book_f[t]
        fair_total[t] = fair[t] + book_f[t]
        stranded[t] = max(book_c[t] - economic, 0.0)
    _impair(book_c_v, book_f, recoverable, undiscounted_total, fair_total, False, ifrs)
    _impair(book_c_v, book_f, recoverable, undiscounted_total, fair_total, True, gaap)
    big = 1.0
    for t in range(n):
        big = max(big, book_c[t])
    return big * 1e-9


@numba.njit(parallel=True, cache=True)
def outcome_rows(
    capex, units, power, order, demand, price, theta, new_cost, new_power, df, vint,
    n_hist, n, amortising, sp, lives,
):  # fmt: skip
    """Everything the outcome table needs, per scenario (see ``engine.compiled``).

    Returns
    -------
    stranded, ifrs, gaap : (S, K1, n) [USD]
    big : (S, K1) threshold for a material event [USD]
    ufcf : (S, K1, n) unlevered free cash flow [USD]
    dscr : (S, K1, n // 4) [-] (NaN without debt service)
    life26 : (S, K, 4) economic life of the 2026 vintages [year]
    cf : (S, K, T + 1) 2026-programme cash flows [USD]
    """
    s_n, k_n, nv = capex.shape
    nt = price.shape[2]
    vr = n_hist + n
    years = n // 4
    k1 = k_n + 1
    stranded = np.zeros((s_n, k1, n))
    ifrs = np.zeros((s_n, k1, n))
    gaap = np.zeros((s_n, k1, n))
    big = np.zeros((s_n, k1))
    ufcf = np.zeros((s_n, k1, n))
    dscr = np.zeros((s_n, k1, years))
    life26 = np.zeros((s_n, k_n, 4))
    cf = np.zeros((s_n, k_n, nt + 1))
    for s in numba.prange(s_n):
        p = sp[s]
        alive = np.empty((nv, nt), dtype=np.bool_)
        served = np.empty((nv, nt))
        ebitda = np.empty((nv, nt))
        scratch = np.empty((3, nv, nt))
        ebitda_ind = np.zeros((vr, nt))
        book_c_ind = np.zeros((vr, n))
        book_f_ind = np.zeros(n)
        fair_ind = np.zeros(n)
        fair = np.zeros(n)
        book_c_v = np.empty((vr, n))
        book_f = np.empty(n)
        scratch_v = np.empty((2, n))
        viu = np.empty(n)
        und = np.empty(n)
        # flows per company, (K1, n): ebitda, dep, interest, principal, capex
        fl = np.zeros((5, k1, n))
        widening = np.empty(n)
        for t in range(n):
            on = 1.0 if 2026.0 + t * Q >= p[_WIDEN_START] else 0.0
            widening[t] = p[_RF] + p[_SPREAD] + p[_WIDEN] * on
        life = p[_LIFE]
        m = p[_MAT]
        heat = p[_PUE] * p[_ELEC] * 4 * HPQ
        for k in range(k_n):
            cl, nl = lives[s, k, 0], lives[s, k, 1]
            cap_k = capex[s, k]
            _operate_company(
                units[s, k], power[s, k], cap_k, order[s, k], demand[s, k], price[s, k],
                theta[s], vint, p, alive, served, ebitda, scratch,
            )  # fmt: skip
            _programme_cf(cap_k, ebitda, vint, p, cl, nl, n_hist, cf[s, k])
            # economic life of the 2026 vintages
            for j in range(4):
                v = n_hist + j
                found = -1
                for t in range(nt):
                    if (t - vint[v]) >= 0 and ((not alive[v, t]) or ebitda[v, t] <= 0):
                        found = t
                        break
                life26[s, k, j] = (max(found, 0) - vint[v]) * Q
            for t in range(n):
                fair[t] = 0.0
                book_f[t] = 0.0
            for v in range(vr):
                kc, kn, kf = cap_k[v] * p[_SC], cap_k[v] * p[_SN], cap_k[v] * p[_SF]
                principal = p[_DEBT] * cap_k[v]
                extra_kw = 0.0
                for u in range(nt):
                    ebitda_ind[v, u] += ebitda[v, u]
                for t in range(n):
                    age = (t - vint[v]) * Q
                    end = age + Q
                    built = age >= 0
                    bc = _book(kc, cl, end) + _book(kn, nl, end) if built else 0.0
                    bf = _book(kf, p[_FLIFE], end) if built else 0.0
                    book_c_v[v, t] = bc
                    book_c_ind[v, t] += bc
                    book_f[t] += bf
                    fl[0, k, t] += ebitda[v, t]
                    fl[1, k, t] += _depreciation(cap_k[v], p, cl, nl, age)
                    # fair value: replacement cost for the remaining life, less the energy
                    # disadvantage over it
                    if end > 0 and alive[v, t]:
                        remaining = min(max(1.0 - end / life, 0.0), 1.0)
                        extra_kw = max(power[s, k, v] - new_power[s, t + 1], 0.0)
                        energy_left = extra_kw * heat * p[_UTIL] * remaining * life
                        fv = max(units[s, k, v] * new_cost[s, t + 1] * remaining - energy_left, 0.0)
                        fair[t] += fv
                    # debt drawn at commissioning, interest on the opening balance
                    live = age >= 0 and age < m - 1e-9
                    if live:
                        linear = principal * min(max(1.0 - age / m, 0.0), 1.0)
                        linear_end = principal * min(max(1.0 - end / m, 0.0), 1.0)
                        if amortising:
                            outstanding = linear
                            repaid = linear - linear_end
                        else:
                            outstanding = principal
                            repaid = principal if end >= m - 1e-9 else 0.0
                        fl[2, k, t] += outstanding * widening[t] * Q
                        fl[3, k, t] += repaid
            for t in range(n):
                fl[4, k, t] = cap_k[n_hist + t]
                fair_ind[t] += fair[t]
                book_f_ind[t] += book_f[t]
            # rows past the horizon never reach the books
            big[s, k] = _value_unit(
                ebitda[:vr], book_c_v, book_f, fair, vint, df[s], n, stranded[s, k], ifrs[s, k],
                gaap[s, k], scratch_v, viu, und,
            )  # fmt: skip
        big[s, k_n] = _value_unit(
            ebitda_ind, book_c_ind, book_f_ind, fair_ind, vint, df[s], n, stranded[s, k_n],
            ifrs[s, k_n], gaap[s, k_n], scratch_v, viu, und,
        )  # fmt: skip
        for i in range(5):
            for t in range(n):
                acc = 0.0
                for k in range(k_n):
                    acc += fl[i, k, t]
                fl[i, k_n, t] = acc
        tau = p[_TAX]
        for k in range(k1):
            for y in range(years):
                service = 0.0
                cfads = 0.0
                for q in range(4):
                    t = 4 * y + q
                    tax = tau * (fl[0, k, t] - fl[1, k, t])
                    ufcf[s, k, t] = fl[0, k, t] - tax - fl[4, k, t]
                    service += fl[2, k, t] + fl[3, k, t]
                    cfads += fl[0, k, t] - tax
                dscr[s, k, y] = cfads / service if service > 0 else np.nan
    return stranded, ifrs, gaap, big, ufcf, dscr, life26, cf
