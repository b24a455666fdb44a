"""Compiled per-scenario kernel (Numba) for dispatch, retirement, books, valuation, impairment.

The NumPy engine (:mod:`strandrisk.engine.model`, ``valuation``, ``finance``) is the
tested reference; this kernel follows the same equations in the same order, one scenario
at a time, and the tests require both to agree. Blocks of scenarios run in parallel
threads (:func:`in_threads`); each scenario is computed alone, in a fixed order, so its
result does not depend on the batch it is in or on the number of threads.

Parts, by sub-model: :mod:`.dispatch` (merit order, dispatch, retirement), :mod:`.books`
(book tables, the 2026 programme's cash flows), :mod:`.valuation` (value in use, stranding,
impairment), :mod:`.debt` (maturities, loan cover) and :mod:`.rows` (the entry points).
Every function is compiled with :func:`.cache.jit`, whose on-disk cache is stamped with all
the kernel's sources: Numba alone keys it on the function's own file, and a compiled caller
would keep a stale copy of a callee edited in another one.

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

from strandrisk.engine._kernel.common import BLOCK, SCALARS, in_threads, map_in_threads
from strandrisk.engine._kernel.rows import operate_rows, outcome_rows, programme_rows

__all__ = [
    "BLOCK",
    "SCALARS",
    "in_threads",
    "map_in_threads",
    "operate_rows",
    "outcome_rows",
    "programme_rows",
]
