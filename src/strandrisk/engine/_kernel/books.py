"""Book value tables and the 2026 programme's after-tax cash flows, NPV and payback."""

from __future__ import annotations

import numpy as np

from strandrisk.core._irr_kernel import irr_row
from strandrisk.engine._kernel.cache import jit
from strandrisk.engine._kernel.common import _FLIFE, _LIFE, _ONE, _SC, _SF, _SN, _TAX, Q


@jit()
def _book(capex, life, age):
    if age < 0:
        return 0.0
    return capex * min(max(1.0 - age / life, 0.0), 1.0)


@jit()
def _remaining(life, m):
    """``min(max(1 - j Q / life, 0), 1)`` for ages ``j Q``, j < m: ``_book`` per unit of capex.

    The same operations as :func:`_book` on the same ages (``j Q`` is exact), so a book value
    read from the table is bit-identical to one computed with ``_book``.
    """
    out = np.empty(m)
    for j in range(m):
        out[j] = min(max(1.0 - (j * Q) / life, 0.0), 1.0)
    return out


@jit()
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


@jit()
def _programme_cf(capex, ebitda, start, end, vint, sp, rem_c, rem_n, rem_f, v0, cf, op, extra):
    """After-tax cash flows of the four 2026 vintages (as ``programme_cashflows``).

    ``rem_c``, ``rem_n``: :func:`_booked` for the compute and network lives, ``rem_f``:
    :func:`_remaining` for the facilities life, each at least ``T + 2`` ages long. The
    shell's depreciation stops lowering the tax once it passes on (quarter ``hand``).
    ``op``, ``extra``: work space, ``T + 1`` long at least.
    """
    nt = cf.shape[0] - 1
    tau = sp[_TAX]
    life = sp[_LIFE]
    for i in range(nt + 1):
        cf[i] = 0.0
    for j in range(4):
        cf[j] -= capex[v0 + j]
    for u in range(nt):
        op[u] = 0.0
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
    for i in range(nt + 1):
        extra[i] = 0.0
    for j in range(4):
        residual = _book(capex[v0 + j] * sp[_SF], sp[_FLIFE], life)
        at = min(j + int(np.ceil(life / Q)), nt)
        extra[at] += residual
    for i in range(nt + 1):
        cf[i] += extra[i]


@jit()
def _npv(cf, df):
    """NPV of a row of quarterly cash flows, period 0 undiscounted; ``df[i]`` is period i + 1."""
    total = cf[0] * 1.0
    for i in range(1, cf.shape[0]):
        total += cf[i] * df[i - 1]
    return total


@jit()
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


@jit()
def _add_industry(cf):
    """Last row = sum of the others, in order (the columns' sums side by side)."""
    k_n = cf.shape[0] - 1
    for i in range(cf.shape[1]):
        cf[k_n, i] = 0.0
    for k in range(k_n):
        for i in range(cf.shape[1]):
            cf[k_n, i] += cf[k, i]


@jit()
def _company_books(
    cap_k, vint, vr, n, p, rem_c, rem_n, rem_f, span_cn, dep, book_c_v, book_c_ind, lo_v,
    lo_ind, book_f,
):  # fmt: skip
    """Book values and depreciation of one company's reported vintages, per quarter.

    Straight-line (or the booked method's) books of compute and network per vintage
    (``book_c_v``, zero once both are written off), added to the industry's (``book_c_ind``);
    the facilities' book (``book_f``); depreciation of all three (``dep``, added to); the first
    vintage with a compute book value per quarter (``lo_v``, and the industry's ``lo_ind``).
    ``rem_c``, ``rem_n``, ``rem_f``: remaining book shares by age (:func:`_booked`,
    :func:`_remaining`); ``span_cn``: quarters until compute and network are both written off.
    """
    for t in range(n):
        book_f[t] = 0.0
        lo_v[t] = vr
    for v in range(vr):
        t0 = max(vint[v], 0)
        kc, kn, kf = cap_k[v] * p[_SC], cap_k[v] * p[_SN], cap_k[v] * p[_SF]
        j0 = t0 - vint[v]  # age at the start, in quarters
        t_cn = min(n, max(t0, vint[v] + span_cn))
        # unsigned indices (t = ut + i, age j = uj + i, both >= 0) let LLVM use SIMD;
        # the previous book is read from the table, so no value is carried
        ut, uj = np.uint64(t0), np.uint64(j0)
        for i in range(np.uint64(max(t_cn - t0, 0))):
            t, j = ut + i, uj + i  # age at the start and at the end: j, j + 1
            ec, en = kc * rem_c[j + _ONE], kn * rem_n[j + _ONE]
            dep[t] += (kc * rem_c[j] - ec) + (kn * rem_n[j] - en)
            book = ec + en
            book_c_v[v, t] = book
            book_c_ind[v, t] += book  # + 0 where the book is 0: unchanged
            w = v if book > 0 else vr
            lo_v[t] = min(lo_v[t], w)
            lo_ind[t] = min(lo_ind[t], w)
        for t in range(np.uint64(t_cn), np.uint64(n)):
            book_c_v[v, t] = 0.0
        for i in range(np.uint64(max(n - t0, 0))):
            t, j = ut + i, uj + i
            ef = kf * rem_f[j + _ONE]
            dep[t] += kf * rem_f[j] - ef
            book_f[t] += ef


@jit()
def _programme_outcomes(cf, df, irr_grid, out):
    """NPV [USD], IRR [1/year] and payback [year] of a programme's cash flows, into ``out``."""
    out[0] = _npv(cf, df)
    r_q = irr_row(cf, irr_grid, 1e-12, 60)
    out[1] = (1.0 + r_q) ** 4 - 1.0
    out[2] = _payback(cf)
