"""The kernel's entry points: blocks of scenarios, each computed alone, into the outputs."""

from __future__ import annotations

import numpy as np

from strandrisk.core._irr_kernel import irr_row
from strandrisk.engine._kernel.books import (
    _add_industry,
    _booked,
    _npv,
    _payback,
    _programme_cf,
    _remaining,
)
from strandrisk.engine._kernel.cache import jit
from strandrisk.engine._kernel.common import (
    _DBF,
    _DEBT,
    _ELEC,
    _FLIFE,
    _LIFE,
    _MAT,
    _ONE,
    _PUE,
    _RF,
    _SC,
    _SF,
    _SN,
    _SPREAD,
    _TAX,
    _UTIL,
    _WIDEN,
    _WIDEN_START,
    HPQ,
    Q,
    _read_only,
    in_threads,
)
from strandrisk.engine._kernel.debt import _loan_cover, _matured
from strandrisk.engine._kernel.dispatch import _horizon, _merit_order, _operate_company, _scratch
from strandrisk.engine._kernel.valuation import _events, _value_unit


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


@jit(nogil=True)
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


@jit()
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


@jit(nogil=True)
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
