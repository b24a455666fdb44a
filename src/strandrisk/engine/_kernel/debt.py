"""Loan maturities and the loan life cover ratio's two sides."""

from __future__ import annotations

import numpy as np

from strandrisk.engine._kernel.cache import jit
from strandrisk.engine._kernel.common import (
    _DEBT,
    _MAT,
    _ONE,
    _RF,
    _SC,
    _SF,
    _SN,
    _SPREAD,
    _TAX,
    _WIDEN,
    _WIDEN_START,
    Q,
)


@jit()
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


@jit()
def _loan_cover(
    ebitda, start, end, vint, vr, cap_k, p, amortising, rem_c, rem_n, rem_f, span_cn, d_end,
    n, t_mat, cover, owed, tail, due, acc,
):  # fmt: skip
    """Compute the two sides of one company's loan life cover ratio per reporting quarter.

    ``cover[t]``: the cash flow available for debt service (EBITDA less tax on EBIT) of the
    vintages in service by ``t``, from ``t`` to the last repayment due on the debt
    outstanding in ``t``, discounted at the debt's rate (``d_end``: a flow at the end of
    each internal quarter, to the start) to the start of ``t``; ``owed[t]`` that debt. As
    :func:`strandrisk.core.finance.loan_life_cover`, in the same order of operations
    (``span_cn``: the quarters until compute and network are both written off, from which
    on their remaining shares are +0.0; ``t_mat``: each vintage's maturity quarter, at most
    the grid's end; work space: ``tail`` (vr rounded up to a multiple of 8, T + 1; rows
    from ``vr`` on zeros, the others written over), ``due`` (n) and ``acc`` (8)).
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
        # unsigned quarter t = ut + i and age uj + i (SIMD); two loops without a branch inside
        ut, uj = np.uint64(t0), np.uint64(t0 - vint[v])
        if amortising:
            for i in range(np.uint64(max(min(t_d, n) - t0, 0))):
                t = ut + i
                owed[t] += principal * min(max(1.0 - ((uj + i) * Q) / m, 0.0), 1.0)
                due[t] = max(due[t], last)
        else:
            for i in range(np.uint64(max(min(t_d, n) - t0, 0))):
                owed[ut + i] += principal
                due[ut + i] = max(due[ut + i], last)
    for v in range(vr):
        # each quarter's discounted flow (none before the vintage's first quarter): the
        # flows carry nothing from cell to cell (unsigned quarter u = ut + i, age uj + i: SIMD)
        t0 = max(vint[v], 0)
        kc, kn, kf = cap_k[v] * p[_SC], cap_k[v] * p[_SN], cap_k[v] * p[_SF]
        ua, ub = np.uint64(start[v]), np.uint64(end[v])
        ut, uj = np.uint64(t0), np.uint64(t0 - vint[v])
        for u in range(ut):
            tail[v, u] = 0.0
        m_all = max(nt - t0, 0)
        m_cn = min(max(span_cn - (t0 - vint[v]), 0), m_all)  # compute and network on the books
        for i in range(np.uint64(m_cn)):
            u, j = ut + i, uj + i
            dep = (kc * rem_c[j] - kc * rem_c[j + _ONE]) + (kn * rem_n[j] - kn * rem_n[j + _ONE])
            dep = dep + (kf * rem_f[j] - kf * rem_f[j + _ONE])
            e = ebitda[v, u] if ua <= u < ub else 0.0
            tail[v, u] = (e - tau * (e - dep)) * d_end[u]
        for i in range(np.uint64(m_cn), np.uint64(m_all)):  # their shares are +0.0 from here
            u, j = ut + i, uj + i
            dep = 0.0 + (kf * rem_f[j] - kf * rem_f[j + _ONE])
            e = ebitda[v, u] if ua <= u < ub else 0.0
            tail[v, u] = (e - tau * (e - dep)) * d_end[u]
        tail[v, nt] = 0.0
    # each vintage's flows summed from the last quarter back, in place: eight vintages'
    # running sums side by side (each in its own order; before its first quarter one adds
    # +0.0; ``tail``'s rows from ``vr`` on are zeros, to a multiple of eight)
    for b in range(0, vr, 8):
        for k in range(8):
            acc[k] = 0.0
        for u in range(nt - 1, -1, -1):
            for k in range(8):
                acc[k] += tail[b + k, u]
                tail[b + k, u] = acc[k]
    # the flows from t to the last repayment due, vintage by vintage (a quarter without debt
    # adds +0.0: the sums are never -0.0, so that leaves them as they are)
    for t in range(n):
        due[t] = min(due[t] + 1, nt) if due[t] >= t else -1
    un = np.uint64(n)
    for v in range(vr):
        for t in range(np.uint64(max(vint[v], 0)), un):  # unsigned: SIMD
            stop = due[t]
            cover[t] += (tail[v, t] - tail[v, stop]) if stop >= 0 else 0.0
    for t in range(n):
        cover[t] = cover[t] / (d_end[t - 1] if t > 0 else 1.0)


@jit()
def _debt_rate(p, rate):
    """Write the debt's rate each internal quarter, with its widening, into ``rate`` [1/year]."""
    for t in range(rate.shape[0]):
        on = 1.0 if 2026.0 + t * Q >= p[_WIDEN_START] else 0.0
        rate[t] = p[_RF] + p[_SPREAD] + p[_WIDEN] * on


@jit()
def _discount_to_start(rate):
    """Return the discount factor of a flow at each quarter's end, to 2026's start, at ``rate``."""
    d_end = np.empty(rate.shape[0])
    acc = 1.0
    for t in range(rate.shape[0]):
        acc = acc * (1.0 / (1.0 + rate[t] * Q))
        d_end[t] = acc
    return d_end


@jit()
def _debt_schedule(cap_k, vint, vr, n, p, t_mat, amortising, rate, interest, repaid):
    """Add the interest and principal repaid per quarter on one company's loans to the arrays.

    Debt is drawn at commissioning (``financing.debt_share`` of capex), interest is paid on
    the opening balance; amortising loans repay straight-line, bullet loans at maturity
    (``t_mat``: each vintage's maturity quarter).
    """
    m = p[_MAT]
    inv_m = 1.0 / m
    for v in range(vr):
        principal = p[_DEBT] * cap_k[v]
        if principal == 0.0:
            continue
        t0 = max(vint[v], 0)
        ut, uj = np.uint64(t0), np.uint64(t0 - vint[v])  # quarter t = ut + i, age uj + i
        t_d = min(t_mat[v], n)
        if amortising:  # two loops without a branch inside
            for i in range(np.uint64(t_d - t0)):
                t = ut + i
                age = (uj + i) * Q
                outstanding = principal * min(max(1.0 - age * inv_m, 0.0), 1.0)
                after = principal * min(max(1.0 - (age + Q) * inv_m, 0.0), 1.0)
                interest[t] += outstanding * rate[t] * Q
                repaid[t] += outstanding - after
        else:
            for i in range(np.uint64(t_d - t0)):
                interest[ut + i] += principal * rate[ut + i] * Q
            # repaid in the quarter that ends at maturity: the schedule's last if it passes
            # the test (which passes in no earlier one: t_mat is the first matured quarter)
            if t_d > t0 and (t_d - 1 - vint[v]) * Q + Q >= m - 1e-9:
                repaid[t_d - 1] += principal


@jit()
def _debt_service(fl, tau, years, out):
    """Write the lowest annual DSCR and interest cover, the first year of negative free cash flow.

    ``fl`` (5, n): EBITDA, depreciation, interest, principal and capex per quarter [USD];
    ``tau``: the tax rate. Writes ``out[6]`` (DSCR, inf without debt service), ``out[7]``
    (the year, -1 for never) and ``out[8]`` (EBIT over interest, inf without interest).
    """
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
            tax = tau * (fl[0, t] - fl[1, t])
            annual += fl[0, t] - tax - fl[4, t]
            service += fl[2, t] + fl[3, t]
            cfads += fl[0, t] - tax
            ebit += fl[0, t] - fl[1, t]
            interest += fl[2, t]
        if service > 0:
            min_dscr = min(min_dscr, cfads / service)
        if interest > 0:
            min_icr = min(min_icr, ebit / interest)
        if negative < 0 and annual < 0:
            negative = y
    out[6] = min_dscr
    out[7] = negative
    out[8] = min_icr


@jit()
def _lowest_cover(cover, owed, out):
    """Write the lowest loan life cover ratio (NaN without debt), the first quarter below 1."""
    lowest, first = np.nan, -1
    for t in range(cover.shape[0]):
        if owed[t] > 0:
            ratio = cover[t] / owed[t]
            if not ratio >= lowest:  # the first, or a lower one
                lowest = ratio
            if first < 0 and ratio < 1.0:
                first = t
    out[0] = lowest
    out[1] = first
