"""The kernel's entry points: blocks of scenarios, each computed alone, into the outputs."""

from __future__ import annotations

import numpy as np

from strandrisk.engine._kernel.books import (
    _add_industry,
    _booked,
    _company_books,
    _npv,
    _programme_cf,
    _programme_outcomes,
    _remaining,
)
from strandrisk.engine._kernel.cache import jit
from strandrisk.engine._kernel.common import (
    _DBF,
    _DEBT,
    _FLIFE,
    _LIFE,
    _MAT,
    _PAD,
    _RF,
    _SC,
    _SF,
    _SN,
    _SPREAD,
    _TAX,
    _WIDEN,
    _WIDEN_START,
    Q,
    _alive,
    _borrow,
    _read_only,
    in_threads,
)
from strandrisk.engine._kernel.debt import (
    _debt_rate,
    _debt_schedule,
    _debt_service,
    _discount_to_start,
    _loan_cover,
    _lowest_cover,
    _matured,
)
from strandrisk.engine._kernel.dispatch import _horizon, _merit_order, _operate_company, _scratch
from strandrisk.engine._kernel.valuation import (
    _book_sums,
    _events,
    _fair_values,
    _future_values,
    _value_unit,
    _year_peak,
)


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
    capex, units, power, order, demand, price, theta, vint, sp, lives, df, value = _borrow(
        (capex, units, power, order, demand, price, theta, vint, sp, lives, df, value)
    )  # the caller's arrays, without reference counts (see _borrow)
    _, k_n, nv = capex.shape
    nt = price.shape[2]
    # work space, once a block (as in _outcome_block)
    owned = (np.empty((k_n + 1, nt + 1)), *_scratch(nv, nt))
    cf, start, end, ebitda, work, cut_w, per_v = _borrow(owned)
    for s in range(lo, hi):
        horizon = nt if foresight else _horizon(vint[v0 + 3], sp[s, _LIFE], nt)  # 2026's
        rem_f = _remaining(sp[s, _FLIFE], nt + 2)
        for k in range(k_n):
            _operate_company(
                units[s, k], power[s, k], capex[s, k], order[s, k], demand[s, k], price[s, k],
                theta[s], vint, sp[s], start, end, ebitda, work, cut_w, per_v, horizon, df[s],
                foresight,
            )  # fmt: skip
            _programme_cf(
                capex[s, k], ebitda, start, end, vint, sp[s],
                _booked(lives[s, k, 0], sp[s, _DBF], nt + 2),
                _booked(lives[s, k, 1], sp[s, _DBF], nt + 2), rem_f, v0, cf[k], work[4], work[5],
            )  # fmt: skip
        _add_industry(cf)
        for k in range(k_n + 1):
            value[s, k] = _npv(cf[k], df[s])
    _alive(owned)


@jit()
def operate_rows(capex, units, power, order, demand, price, theta, vint, sp, df, foresight):
    """Alive flags and EBITDA per vintage, shape (S, K, V, T) (for the agreement tests)."""
    s_n, k_n, nv = capex.shape
    nt = price.shape[2]
    alive = np.zeros((s_n, k_n, nv, nt), dtype=np.bool_)
    out = np.zeros((s_n, k_n, nv, nt))
    for s in range(s_n):
        start, end, ebitda, work, cut_w, per_v = _scratch(nv, nt)
        for k in range(k_n):
            _operate_company(
                units[s, k], power[s, k], capex[s, k], order[s, k], demand[s, k], price[s, k],
                theta[s], vint, sp[s], start, end, ebitda, work, cut_w, per_v, nt, df[s], foresight,
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
        Each vintage's capex [USD], compute bought [H100e] and power per unit [kW]; ``capex``
        and ``power`` may have one row (1, K, V), every scenario's.
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
    s_n, k_n, _ = units.shape
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


@jit()
def _economic_lives(ebitda, start, end, vint, n_hist, nt, out):
    """Write the 2026 vintages' economic lives [year]: to their first non-positive EBITDA."""
    for j in range(4):
        v = n_hist + j
        found = end[v] if end[v] < nt else -1
        for t in range(start[v], end[v]):
            if ebitda[v, t] <= 0:
                found = t
                break
        out[j] = (max(found, 0) - vint[v]) * Q


@jit()
def _same_as_before(x, s, n):
    """Whether row ``s`` of ``x`` (S, K, ...) has row ``s - 1``'s first ``n`` values of each K.

    The same bits (``0.0`` and ``-0.0`` differ; a NaN is the same NaN), compared without a
    branch in the loop: the same inputs give the same results.
    """
    diff = 0
    for k in range(x.shape[1]):
        a, b = x[s, k].view(np.int64), x[s - 1, k].view(np.int64)
        for i in range(n):
            diff |= a[i] ^ b[i]
    return diff == 0


@jit()
def _same_params(sp, s, keys):
    """Whether row ``s`` has row ``s - 1``'s parameters ``keys`` (``sp``'s columns), bit for bit."""
    a, b = sp[s].view(np.int64), sp[s - 1].view(np.int64)
    diff = 0
    for i in keys:
        diff |= a[i] ^ b[i]
    return diff == 0


_BOOK_KEYS = (_SC, _SN, _SF, _FLIFE, _DBF)
"""The parameters the books depend on, besides each company's capex and booked lives."""

_LOAN_KEYS = (_DEBT, _MAT, _RF, _SPREAD, _WIDEN, _WIDEN_START)
"""The parameters the loans depend on, besides each company's capex."""


@jit()
def _block_arrays(k_n, nv, nt, n, vr, n_y, ages, llcr):
    """Return the work arrays of a block of :func:`_outcome_block`, allocated once a block.

    ``k_n`` companies, ``nv`` vintages (``vr`` reported), ``nt`` internal and ``n``
    reporting quarters, ``n_y`` calendar years valued alone, ``ages`` quarters of book
    shares; ``llcr``: the loan cover's too. In the order :func:`_outcome_block` unpacks them.
    """
    k1 = k_n + 1
    # the books, loans and merit order of the row before, kept while their inputs stay the
    # same (bit for bit): a row's results are those it has alone; the cells before a
    # vintage's first quarter stay zero
    books_v = np.zeros((k_n, vr, n))  # compute and network book per vintage, per company
    books_lo = np.empty((k_n, n), dtype=np.int64)  # first vintage with a book value
    books_f = np.empty((k_n, n))  # facilities' book
    books_dep = np.empty((k_n, n))  # depreciation
    books_ind = np.empty((vr, n))  # the industry's book per vintage, and its first vintage
    books_lo_ind = np.empty(n, dtype=np.int64)
    book_sum = np.empty((k1, 2, n))  # the compute book summed, today's capital's, per unit
    # the remaining book shares by age, kept with the books
    rems = np.empty((k_n, 2, ages))  # compute and network, per company
    spans = np.empty(k_n, dtype=np.int64)  # quarters until both are written off
    rem_f = np.empty(ages)  # facilities
    loans = np.empty((k_n, 2, n))  # interest and principal repaid
    orders = np.empty((k_n, nv), dtype=np.int64)  # the merit order, kept with the power
    # the loan cover's flows and their sums, a row per vintage (rows from vr on stay zero)
    tail = np.zeros(((vr + 7) // 8 * 8 if llcr else 0, nt + 1))
    acc = np.empty(8)
    # each scenario's work rows, zeroed for it where it adds to them
    vals = np.empty((k1, 5, n))
    big = np.empty(k1)
    cf = np.empty((k1, nt + 1))
    start, end, ebitda, work, cut_w, per_v = _scratch(nv, nt)
    unit_w = np.empty((3, n))  # a cash-generating unit's, and its impairment ratios
    ratios = np.empty((2, vr))
    book_f_ind = np.empty(n)
    fair_ind = np.empty(n)
    fair = np.empty(n + _PAD)  # (and fair_v) padded: see _fair_values
    fair_e = np.empty(n)  # the fair value of today's capital (the vintages before cut)
    fair_ind_e = np.empty(n)
    stranded_e = np.empty((k1, n))
    fair_y = np.empty((n_y, n))  # each year's vintages' fair value, per company
    fair_ind_y = np.empty((n_y, n))
    peak_y = np.empty((k1, n_y))
    viu_y = np.empty(n)
    year_w = np.empty(n)  # a year's stranded value per quarter
    fair_v = np.empty(n + _PAD)  # one vintage's fair value
    viu = np.empty(n)
    und = np.empty(n)
    viu_e = np.empty(n)
    # the industry's sums of future EBITDA: its companies', in company order
    viu_ind = np.empty(n)
    und_ind = np.empty(n)
    viu_e_ind = np.empty(n)
    viu_y_ind = np.empty((n_y, n))
    fl = np.empty((5, k1, n))  # ebitda, depreciation, interest, principal, capex
    rate = np.empty(nt)  # the debt's rate
    cover = np.empty((k1 if llcr else 0, n))  # the loan cover
    owed = np.empty((k1 if llcr else 0, n))
    due = np.empty(n, dtype=np.int64)
    t_mat = np.empty(vr, dtype=np.int64)  # each vintage's loan: its maturity quarter
    return (
        books_v, books_lo, books_f, books_dep, books_ind, books_lo_ind, book_sum, rems, spans,
        rem_f, loans, orders, tail, acc, vals, big, cf, start, end, ebitda, work, cut_w, per_v,
        unit_w, ratios, book_f_ind, fair_ind, fair, fair_e, fair_ind_e, stranded_e, fair_y,
        fair_ind_y, peak_y, viu_y, year_w, fair_v, viu, und, viu_e, viu_ind, und_ind, viu_e_ind,
        viu_y_ind, fl, rate, cover, owed, due, t_mat,
    )  # fmt: skip


@jit(nogil=True)
def _outcome_block(
    lo, hi, capex, units, power, demand, price, theta, new_cost, new_power, df, vint,
    n_hist, n, amortising, obsolescence, foresight, sp, lives, irr_grid, keep_values, llcr,
    by_year, values, summary, life26, programme, loan_cover, year_peak,
):  # fmt: skip
    """Rows ``lo`` to ``hi`` of :func:`outcome_rows`, written into its outputs.

    Per scenario: each company is dispatched and retired, then its books, fair value, debt,
    loan cover and cash-generating unit are computed and added to the industry's; then the
    industry is valued as one more unit, and the programme's and the debt's outcomes read.
    A scenario whose inputs to the books, the loans or the merit order are, bit for bit, those
    of the scenario before it in the block keeps that scenario's: the same numbers.
    """
    # the inputs and outputs, which every thread shares, without reference counts (the
    # caller holds them): see _borrow
    (
        capex, units, power, demand, price, theta, new_cost, new_power, df, vint, sp, lives,
        irr_grid, values, summary, life26, programme, loan_cover, year_peak,
    ) = _borrow((
        capex, units, power, demand, price, theta, new_cost, new_power, df, vint, sp, lives,
        irr_grid, values, summary, life26, programme, loan_cover, year_peak,
    ))  # fmt: skip
    _, k_n, nv = units.shape
    nt = price.shape[2]
    vr = n_hist + n
    years = n // 4
    k1 = k_n + 1
    cut = n_hist + 4  # the vintages to 2026Q4: today's capital
    n_y = vr // 4 if by_year else 0  # calendar years of reported vintages
    # the books' ages and the programme's, in quarters (the loan cover's: every reported
    # vintage to the grid's end)
    ages = nt + n_hist + 2 if llcr else max(n + n_hist, nt) + 2
    owned = _block_arrays(k_n, nv, nt, n, vr, n_y, ages, llcr)  # held to the end (_alive)
    (
        books_v, books_lo, books_f, books_dep, books_ind, books_lo_ind, book_sum, rems, spans,
        rem_f, loans, orders, tail, acc, vals, big, cf, start, end, ebitda, work, cut_w, per_v,
        unit_w, ratios, book_f_ind, fair_ind, fair, fair_e, fair_ind_e, stranded_e, fair_y,
        fair_ind_y, peak_y, viu_y, year_w, fair_v, viu, und, viu_e, viu_ind, und_ind, viu_e_ind,
        viu_y_ind, fl, rate, cover, owed, due, t_mat,
    ) = _borrow(owned)  # fmt: skip
    one_c, one_p = capex.shape[0] == 1, power.shape[0] == 1  # one row, every scenario's
    for s in range(lo, hi):
        p = sp[s]
        s_c, s_p = 0 if one_c else s, 0 if one_p else s  # capex's and power's row
        same_capex = s > lo and (one_c or _same_as_before(capex, s, vr))  # the reported vintages'
        same_books = same_capex and _same_params(sp, s, _BOOK_KEYS)
        same_books = same_books and _same_as_before(lives, s, 2)
        same_loans = same_capex and _same_params(sp, s, _LOAN_KEYS)
        same_power = s > lo and (one_p or _same_as_before(power, s, nv))
        if not same_books:
            books_ind[:] = 0.0
            books_lo_ind[:] = vr
        # the sums this scenario adds to (the other rows are written whole by the functions
        # that fill them: vals, cf, fair, fair_e, fair_y, peak_y and fl's other rows)
        fl[0] = 0.0  # EBITDA, added vintage by vintage
        book_f_ind[:] = 0.0
        fair_ind[:] = 0.0
        fair_ind_e[:] = 0.0
        viu_ind[:] = 0.0
        und_ind[:] = 0.0
        viu_e_ind[:] = 0.0
        fair_ind_y[:] = 0.0
        viu_y_ind[:] = 0.0
        _debt_rate(p, rate)  # every internal quarter (the loan cover's too)
        # the last reported cohort's life (with foresight, every cohort's whole life)
        horizon = nt if foresight else _horizon(vint[vr - 1], p[_LIFE], nt)
        if llcr:
            cover[:] = 0.0
            owed[:] = 0.0
            d_end = _discount_to_start(rate)
        if not same_books:
            rem_f[:] = _remaining(p[_FLIFE], ages)
        for v in range(vr):  # (every company's; a reported vintage starts before quarter n)
            t_mat[v] = _matured(max(vint[v], 0), vint[v], p[_MAT], nt)
        for k in range(k_n):
            if not same_books:
                rems[k, 0] = _booked(lives[s, k, 0], p[_DBF], ages)
                rems[k, 1] = _booked(lives[s, k, 1], p[_DBF], ages)
            rem_c, rem_n = rems[k, 0], rems[k, 1]
            cap_k = capex[s_c, k]
            if not same_power:
                orders[k] = _merit_order(power[s_p, k], n_hist)
            order = orders[k]
            _operate_company(
                units[s, k], power[s_p, k], cap_k, order, demand[s, k], price[s, k],
                theta[s], vint, p, start, end, ebitda, work, cut_w, per_v, horizon, df[s],
                foresight,
            )  # fmt: skip
            _programme_cf(
                cap_k, ebitda, start, end, vint, p, rem_c, rem_n, rem_f, n_hist, cf[k], work[4],
                work[5],
            )  # fmt: skip
            _economic_lives(ebitda, start, end, vint, n_hist, nt, life26[s, k])
            book_c_v, lo_v, book_f = books_v[k], books_lo[k], books_f[k]
            if not same_books:
                books_dep[k] = 0.0
                spans[k] = int(np.ceil(max(lives[s, k, 0], lives[s, k, 1]) / Q))
                _company_books(
                    cap_k, vint, vr, n, p, rem_c, rem_n, rem_f, spans[k], books_dep[k], book_c_v,
                    books_ind, lo_v, books_lo_ind, book_f,
                )  # fmt: skip
                _book_sums(book_c_v, lo_v, n_hist, cut, book_sum[k, 0], book_sum[k, 1])
            fl[1, k] = books_dep[k]
            _fair_values(
                start, end, vint, vr, n, cut, p, power[s_p, k], units[s, k], new_cost[s],
                new_power[s], by_year, fair, fair_v, fair_y, fair_e,
            )  # fmt: skip
            if not same_loans:
                loans[k] = 0.0
                _debt_schedule(
                    cap_k, vint, vr, n, p, t_mat, amortising, rate, loans[k, 0], loans[k, 1]
                )
            fl[2, k] = loans[k, 0]
            fl[3, k] = loans[k, 1]
            for t in range(n):
                fl[4, k, t] = cap_k[n_hist + t]
                fair_ind[t] += fair[t]
                fair_ind_e[t] += fair_e[t]
                book_f_ind[t] += book_f[t]
            for y in range(n_y):
                for t in range(n):
                    fair_ind_y[y, t] += fair_y[y, t]
            if llcr:
                _loan_cover(
                    ebitda, start, end, vint, vr, cap_k, p, amortising, rem_c, rem_n, rem_f,
                    spans[k], d_end, n, t_mat, cover[k], owed[k], tail, due, acc,
                )  # fmt: skip
            _future_values(
                ebitda, start, end, df[s], n, cut, book_c_v, fair_y, obsolescence, viu, und,
                viu_e, viu_y, peak_y[k], viu_y_ind, fl[0, k], year_w,
            )  # fmt: skip
            for t in range(n):
                viu_ind[t] += viu[t]
                und_ind[t] += und[t]
                viu_e_ind[t] += viu_e[t]
            big[k] = _value_unit(
                book_c_v, book_sum[k, 0], book_sum[k, 1], lo_v, n_hist, book_f, fair, df[s], n,
                vals[k], viu, und, obsolescence, fair_e, stranded_e[k], viu_e, unit_w, ratios,
            )  # fmt: skip
        for y in range(n_y):  # each year's vintages valued alone, the industry's
            _year_peak(
                books_ind, 4 * y, max(vint[4 * y], 0), viu_y_ind[y], fair_ind_y[y], df[s], n,
                obsolescence, peak_y[k_n], y, year_w,
            )  # fmt: skip
        if not same_books:
            _book_sums(books_ind, books_lo_ind, n_hist, cut, book_sum[k_n, 0], book_sum[k_n, 1])
        big[k_n] = _value_unit(
            books_ind, book_sum[k_n, 0], book_sum[k_n, 1], books_lo_ind, n_hist, book_f_ind,
            fair_ind, df[s], n, vals[k_n], viu_ind, und_ind, obsolescence, fair_ind_e,
            stranded_e[k_n], viu_e_ind, unit_w, ratios,
        )  # fmt: skip
        if by_year:
            year_peak[s] = peak_y
        if keep_values:
            values[s] = vals
        for i in range(5):
            _add_industry(fl[i])
        _add_industry(cf)
        for k in range(k1):
            _programme_outcomes(cf[k], df[s], irr_grid, programme[s, k])
        if llcr:
            _add_industry(cover)
            _add_industry(owed)
            for k in range(k1):
                _lowest_cover(cover[k], owed[k], loan_cover[s, k])
        for k in range(k1):
            _events(vals[k], stranded_e[k], big[k], summary[s, k])
            _debt_service(fl[:, k], p[_TAX], years, summary[s, k])
    _alive(owned)
