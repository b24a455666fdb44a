"""Loan maturities and the loan life cover ratio's two sides."""

from __future__ import annotations

import numpy as np

from strandrisk.engine._kernel.cache import jit
from strandrisk.engine._kernel.common import _DEBT, _MAT, _ONE, _SC, _SF, _SN, _TAX, Q


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
