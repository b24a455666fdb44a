"""What every part of the kernel shares: units, the parameter columns, the thread blocks."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import count, pairwise
from typing import TypeVar

import numba
import numpy as np
from numba.core import cgutils, types
from numba.core.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array

from strandrisk.engine._kernel.cache import jit

__all__ = ["BLOCK", "HPQ", "SCALARS", "Q", "in_threads", "map_in_threads"]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

HPQ = 8766.0 / 4
"""Hours in a quarter. [h]"""
_ONE = np.uint64(1)  # unsigned loop indices stay unsigned: see the module notes
Q = 0.25
"""A quarter. [year]"""
_PAD = 8
"""Quarters of work space after the horizon: short loops run in whole vectors of 8 quarters."""

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

    The calling thread takes blocks itself, beside helpers from a pool kept for the process
    (:func:`_helpers`), each taking the next block until none is left. With a pool started
    for each call and the caller waiting on each block's result, the helpers began up to
    ≈1.6 ms late and the two cores idled 6-8 % of the kernel calls' time in ``simulate``
    (3-4 % now, mostly the last blocks' ends).

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
    bounds = list(pairwise([*range(0, n, size), n]))
    _share_out(len(bounds), lambda i: block(*bounds[i]), threads)


def map_in_threads(fn: Callable[[_Item], _Result], items: Sequence[_Item]) -> list[_Result]:
    """Return ``[fn(x) for x in items]``, computed by the calling thread and helpers beside it.

    For work that releases the GIL for most of its time (NumPy on large arrays), on
    :func:`in_threads`' helper threads. Called on a helper thread itself, it computes them
    all there (waiting on its own pool could wait for ever).

    Parameters
    ----------
    fn : callable
        Applied to each item. [-]
    items : sequence
        The items, one per thread. [-]
    """
    results: list = [None] * len(items)

    def one(i: int) -> None:
        results[i] = fn(items[i])

    _share_out(len(items), one, len(items))
    return results


def _share_out(n: int, do: Callable[[int], object], threads: int) -> None:
    """Call ``do(i)`` for each ``i`` in ``range(n)``, on up to ``threads`` threads.

    The calling thread and ``threads - 1`` helpers (:func:`_helpers`) each take the next
    ``i`` until none is left. After an error (or an interrupt) in any, the others start no
    more and it is raised once the started ones are done. On a helper thread, or with one
    thread, the caller does them all.
    """
    taken = count()
    lock = threading.Lock()
    stop = threading.Event()  # after an error or an interrupt: start no more

    def work() -> None:
        try:
            while not stop.is_set():
                with lock:
                    i = next(taken)
                if i >= n:
                    return
                do(i)
        except BaseException:
            stop.set()
            raise

    if n <= 1 or threads <= 1 or getattr(_this_thread, "helper", False):
        work()
        return
    helpers = [_helpers().submit(work) for _ in range(min(threads, n) - 1)]
    try:
        work()
    finally:
        stop.set()
        for helper in helpers:  # wait for those started; re-raise a helper's error
            if not helper.cancel():
                helper.result()


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_this_thread = threading.local()


def _mark_helper() -> None:
    _this_thread.helper = True


def _helpers() -> ThreadPoolExecutor:
    """Return the process's pool of helper threads for :func:`in_threads` (made on first use).

    Its threads wait idle between calls (``concurrent.futures`` joins them at exit); calls
    from several threads at once share it, each caller working through its own blocks.
    """
    global _pool
    with _pool_lock:
        if _pool is None:
            helpers = max(numba.config.NUMBA_NUM_THREADS - 1, 1)
            _pool = ThreadPoolExecutor(
                helpers, thread_name_prefix="strandrisk-kernel", initializer=_mark_helper
            )
        return _pool


def _forget_pool() -> None:
    """In a forked child, drop the parent's pool: its threads do not exist there."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_forget_pool)


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


@jit()
def _whole(m):
    """Return ``m`` (unsigned) rounded up to whole vectors of ``_PAD`` quarters.

    A loop over a vintage's quarters (≈16) that LLVM vectorises 8 at a time leaves a scalar
    remainder of up to 7; run to the rounded count, with the extra quarters masked off, it
    has none (the arrays it writes hold ``_PAD`` quarters more).
    """
    return (m + np.uint64(_PAD - 1)) // np.uint64(_PAD) * np.uint64(_PAD)


def _borrowed(context, builder, ty, value):
    """Return an array structure of type ``ty`` viewing ``value``'s data, with no ``meminfo``."""
    src = make_array(ty)(context, builder, value)
    out = make_array(ty)(context, builder)
    populate_array(
        out, data=src.data, shape=src.shape, strides=src.strides, itemsize=src.itemsize,
        meminfo=None,
    )  # fmt: skip
    return out._getvalue()


@intrinsic
def _borrow(typingctx, arrays):
    """Return a view of each array of the tuple ``arrays`` that holds no reference to its memory.

    Numba counts references to an array's memory (its ``meminfo``) with atomic increments
    and decrements, on every view taken and every array passed to a function; on arrays
    that two threads share, each of those moves the counter's cache line between the cores.
    A view without ``meminfo`` skips them all (Numba tests the pointer first), and so does
    every view taken of it. Sound only while something else keeps the memory alive: the
    kernel's callers hold the arrays they pass for the whole call, and a block holds the
    arrays it allocates to its end (:func:`_alive`).
    """
    if not isinstance(arrays, types.BaseTuple):
        return None

    def codegen(context, builder, sig, args):
        values = cgutils.unpack_tuple(builder, args[0])
        pairs = zip(arrays.types, values, strict=True)
        views = [_borrowed(context, builder, t, v) for t, v in pairs]
        return context.make_tuple(builder, arrays, views)

    return arrays(arrays), codegen


@jit()
def _alive(owned):
    """Nothing: a last use that keeps ``owned`` (and the memory its arrays hold) to here.

    A block that borrows (:func:`_borrow`) arrays it allocated itself puts them in a tuple
    and passes it here at its end: Numba frees an array after its last use, and the
    borrowed views do not count as uses.
    """
    return None
