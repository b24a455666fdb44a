"""Value in use, stranded value, both impairment tests and the events read from them."""

from __future__ import annotations

import numpy as np

from strandrisk.engine._kernel.cache import jit
from strandrisk.engine._kernel.common import _ELEC, _LIFE, _ONE, _PUE, _UTIL, HPQ, Q, _whole


@jit()
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
    for v in range(np.uint64(lo), np.uint64(hi)):  # unsigned (lo >= 0): SIMD
        ratio[v] = ratio[v] * keep
    return taken, True


@jit()
def _impair(book_v, book_sum, lo_v, n_hist, other, recoverable, undiscounted, fair, charge, ratios):
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
    r_i, r_g = ratios[0], ratios[1]  # work space, (2, nv) at least
    for v in range(nv):
        r_i[v] = 1.0
        r_g[v] = 1.0
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
                for v in range(np.uint64(lo), np.uint64(hi)):  # others: no book value, now or later
                    r_i[v] = r_i[v] + (1.0 - r_i[v]) * back
            taken = taken - headroom
        charge[0, q] = taken
        # ASC 360: recoverability on undiscounted flows, then fair value; no reversal
        c = c_g + other[q]
        loss = max(c - fair[q], 0.0) if undiscounted[q] < c else 0.0
        taken, wrote = _write_down(r_g, lo, hi, loss, c_g)
        w_g = w_g or wrote
        charge[1, q] = taken


@jit()
def _future_values(
    ebitda, start, end, df, n, cut, book_c_v, fair_y, obsolescence, viu, und, viu_e, viu_y,
    peak_y, viu_y_sum, flow, year_w,
):  # fmt: skip
    """Sum each vintage's EBITDA after each reporting quarter, over the vintages in service.

    ``ebitda`` is valid inside ``[start, end)`` per vintage. ``viu`` and ``und`` (n) receive
    the sums over the vintages commissioned by each quarter, in vintage order, of their
    discounted EBITDA after it (value in use times the quarter's discount factor ``df``)
    and of their EBITDA after it (undiscounted); ``viu_e`` the same sum over the vintages
    before ``cut``, today's capital. With ``peak_y`` of length Y > 0, each calendar year's
    four vintages are valued alone too, ``fair_y`` (Y, n) being their fair value:
    ``peak_y[y]`` receives the peak of their stranded value, and ``viu_y_sum[y]`` (Y, n)
    adds their discounted sum (a cash-generating unit of several companies sums theirs in
    company order; ``viu_y``, ``year_w``: work space, n). ``flow`` (n) adds each quarter's
    EBITDA, in vintage order.
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
            if u < n:  # (a vintage is in service from its own quarter on)
                flow[u] += ebitda[v, u]
                viu[u] += tot_d - fd
                und[u] += tot_u - ebitda[v, u]
                if by_year:
                    viu_y[u] += tot_d - fd
        if by_year and v % 4 == 3:  # the year's last vintage: its four valued alone
            y = v // 4
            _year_peak(
                book_c_v, v - 3, start[v - 3], viu_y, fair_y[y], df, n, obsolescence, peak_y, y,
                year_w,
            )  # fmt: skip
            for t in range(n):
                viu_y_sum[y, t] += viu_y[t]
    if cut >= vr:
        for t in range(n):
            viu_e[t] = viu[t]


@jit()
def _book_sums(book_c_v, lo_v, n_hist, cut, book_c, book_e):
    """Each quarter's compute book, summed over the vintages in order (``book_c``, n).

    ``book_e`` receives the partial sum over the vintages before ``cut``; ``lo_v[q]`` and
    ``n_hist + q`` bound the vintages that can carry a book value at quarter ``q`` (the
    others add exact zeros).
    """
    vr, n = book_c_v.shape[0], book_c.shape[0]
    for t in range(n):
        book_c[t] = 0.0
    # the vintages in the outer loop, so that the quarters' sums run side by side (SIMD);
    # a vintage outside a quarter's bounds adds +0.0 there, which leaves its sum unchanged
    for v in range(vr):
        if v == cut:
            for t in range(n):
                book_e[t] = book_c[t]
        for t in range(np.uint64(n)):
            inside = v >= lo_v[t] and v < n_hist + t + 1
            book_c[t] += book_c_v[v, t] if inside else 0.0
    if cut >= vr:
        for t in range(n):
            book_e[t] = book_c[t]


@jit()
def _value_unit(
    book_c_v, book_c, book_e, lo_v, n_hist, book_f, fair, df, n, out, viu, und, obsolescence,
    fair_e, stranded_e, viu_e, work, ratios,
):  # fmt: skip
    """Stranding and both impairment tests for one cash-generating unit.

    ``viu``, ``und`` and ``viu_e`` are the sums of :func:`_future_values` (``viu`` and
    ``viu_e`` become the value in use: divided by the discount factor ``df`` in place);
    ``book_c`` and ``book_e`` those of :func:`_book_sums`.
    ``out`` (5, n) receives the stranded value, the IFRS and US GAAP charges, the book
    value and the economic value. With ``obsolescence`` the fair value is capped at the
    value in use. ``stranded_e`` receives the stranded value of the vintages before
    ``cut`` (today's capital) valued alone, ``fair_e`` and ``book_e`` being their fair value
    and book. ``work`` (3, n) and ``ratios`` (2, vintages): work space. Returns the
    materiality threshold.
    """
    recoverable, undiscounted_total, fair_total = work[0], work[1], work[2]
    for t in range(n):
        viu[t] = viu[t] / df[t]
        viu_e[t] = viu_e[t] / df[t]
        fv_e = min(fair_e[t], viu_e[t]) if obsolescence else fair_e[t]
        stranded_e[t] = max(book_e[t] - max(viu_e[t], fv_e), 0.0)
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
        out[1:3], ratios,
    )  # fmt: skip
    big = 1.0
    for t in range(n):
        big = max(big, book_c[t])
    return big * 1e-9


@jit()
def _year_peak(book_c_v, v0, t0, viu_y, fair_y, df, n, obsolescence, peak_y, y, stranded):
    """Peak stranded value of vintages ``v0`` to ``v0 + 3`` valued alone, into ``peak_y[y]``.

    As :func:`strandrisk.engine.valuation._by_capex_year`: book summed over the four in
    order, value in use (``viu_y``, discounted to 2026) over the quarter's discount factor,
    fair value capped at value in use with economic obsolescence. Before ``t0``, the first
    vintage's first quarter, the four have no book, value in use or fair value (their
    stranded value there is +0.0, the peak's start). ``stranded`` (n): work space.
    """
    for t in range(np.uint64(t0), np.uint64(n)):  # unsigned: SIMD
        book = ((book_c_v[v0, t] + book_c_v[v0 + 1, t]) + book_c_v[v0 + 2, t]) + book_c_v[v0 + 3, t]
        value = viu_y[t] / df[t]
        fv = min(fair_y[t], value) if obsolescence else fair_y[t]
        stranded[t] = max(book - max(value, fv), 0.0)
    peak = 0.0
    for t in range(t0, n):
        peak = max(peak, stranded[t])
    peak_y[y] = peak


@jit()
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


@jit()
def _peak(path, big, out, i):
    """``out[i]``: the largest value (the first if tied), ``out[i + 1]``: its index if material."""
    peak, at = path[0], 0
    for t in range(1, path.shape[0]):
        if path[t] > peak:
            peak, at = path[t], t
    out[i] = peak
    out[i + 1] = at if peak > big else -1


@jit()
def _fair_value(i, m, ud, inv_life, pw, un, heat, new_power, new_cost):
    """One vintage's fair value in its ``i``-th quarter in service (+0.0 from ``m`` on)."""
    remaining = min(max(1.0 - ((ud + i) * Q + Q) * inv_life, 0.0), 1.0)
    extra_kw = max(pw - new_power, 0.0)
    energy_left = extra_kw * heat * remaining
    return max(un * new_cost * remaining - energy_left, 0.0) if i < m else 0.0


@jit()
def _fair_values(
    start, end, vint, vr, n, cut, p, power, units, new_cost, new_power, by_year, fair, fair_v,
    fair_y, fair_e,
):  # fmt: skip
    """Fair value of one company's vintages in service, summed per quarter (``fair``).

    Replacement cost for the remaining physical life, less the energy disadvantage over it
    (``new_cost``, ``new_power``: a new unit's, per quarter). ``fair_e`` receives the sum over
    the vintages before ``cut`` (today's capital); with ``by_year``, ``fair_y`` the sum over
    each calendar year's four (``fair_v``: work space, one vintage's).

    Each vintage's quarters run in whole vectors of 8 (as in ``_dispatch``): the quarters
    after its last add +0.0 to ``fair`` (unchanged: it is never -0.0), so ``fair`` and
    ``fair_v`` hold ``_PAD`` quarters after ``n`` (``new_cost`` and ``new_power``, over the
    internal grid, are longer still).
    """
    life = p[_LIFE]
    heat = p[_PUE] * p[_ELEC] * 4 * HPQ * p[_UTIL] * life
    inv_life = 1.0 / life
    for t in range(n):
        fair[t] = 0.0
    for y in range(fair_y.shape[0]):
        for t in range(n):
            fair_y[y, t] = 0.0
    for v in range(vr):
        a, b = start[v], end[v]
        if v == cut:  # the partial sums over today's capital
            for t in range(n):
                fair_e[t] = fair[t]
        pw, un = power[v], units[v]
        ua, ud = np.uint64(a), np.uint64(a - vint[v])  # a >= vint[v]
        m_fv = np.uint64(max(min(b, n) - a, 0))
        if by_year:  # two loops without a branch: one vintage's values kept for its year
            for i in range(_whole(m_fv)):  # masked after m_fv
                t = ua + i
                fv = _fair_value(
                    i, m_fv, ud, inv_life, pw, un, heat, new_power[t + _ONE], new_cost[t + _ONE]
                )
                fair[t] += fv
                fair_v[t] = fv
            for t in range(ua, ua + m_fv):
                fair_y[v // 4, t] += fair_v[t]
        else:
            for i in range(_whole(m_fv)):
                t = ua + i
                fair[t] += _fair_value(
                    i, m_fv, ud, inv_life, pw, un, heat, new_power[t + _ONE], new_cost[t + _ONE]
                )
    if cut >= vr:
        for t in range(n):
            fair_e[t] = fair[t]
