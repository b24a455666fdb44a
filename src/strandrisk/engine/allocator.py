"""Keep freed memory for reuse: glibc's ``malloc`` tuned for batches of large arrays.

A chunk of scenarios is prepared with NumPy (cohorts, market paths) in arrays of a few
megabytes each, most of them temporaries. With its default settings glibc serves such
blocks with fresh pages from the operating system (above its ``mmap`` threshold, which
starts at 128 KiB and rises with the blocks freed) and hands freed memory at the top of a
heap back to it (above its trim threshold, twice the other): the next chunk's arrays then
land on new pages, which the kernel maps and zeroes one fault at a time. On the
development machine that was a third of the preparation's time (≈15 against ≈10 µs a
scenario on one thread) and ≈15–20 % of :func:`strandrisk.simulate`'s.

:func:`keep_freed_memory` raises both thresholds once per process (``mallopt``), so freed
blocks stay in the process and are reused. Results do not change, only where memory
comes from; the process keeps up to :data:`TRIM_THRESHOLD` of freed memory per heap
instead of returning it at once: the peak resident memory of a 10,000-scenario
``simulate`` rose from ≈350 to ≈370 MB, that of the benchmark's process, which runs the
NumPy reference engine too, from ≈570 to ≈670–780 MB. A trim threshold of 64 MiB was as
fast as 128 or 256 MiB; 32 MiB was no faster than glibc's defaults.

Set ``STRANDRISK_MALLOC=0`` to leave the allocator alone; glibc's own
``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_``, when set, are left to rule, unless
``STRANDRISK_MALLOC=1`` asks for the tuning all the same. Dask's nanny sets
``MALLOC_TRIM_THRESHOLD_=65536`` in every worker process it starts (its
``distributed.nanny.pre-spawn-environ``, against fragmentation in long-lived workers): a
Monte Carlo task then ran ≈1.5× slower than in a process of its own, so the local
clusters :mod:`strandrisk.engine.mc_exec` starts set ``STRANDRISK_MALLOC=1`` (the workers
of an existing cluster may be given it too). Elsewhere than glibc (macOS, musl) nothing is
done.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading

__all__ = ["ENV", "MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]

MMAP_THRESHOLD = 32 * 2**20
"""Blocks from this size on still get pages of their own [byte] (glibc's largest on 64 bits)."""

TRIM_THRESHOLD = 64 * 2**20
"""Free memory at a heap's top that glibc may keep before handing it back [byte]."""

ENV = "STRANDRISK_MALLOC"
"""Environment variable: ``0`` leaves the allocator as it is, ``1`` tunes it even where glibc's
own variables are set."""

_GLIBC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
_M_TRIM_THRESHOLD = -1  # glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3

_lock = threading.Lock()
_tuned: bool | None = None


def keep_freed_memory() -> bool:
    """Raise glibc's ``mmap`` and trim thresholds, once per process.

    Called by the engine before it prepares a batch; safe to call from any thread.

    Returns
    -------
    bool
        Whether the allocator is tuned (False with ``STRANDRISK_MALLOC=0``, with glibc's
        own variables set and not ``STRANDRISK_MALLOC=1``, or without glibc). [-]
    """
    global _tuned
    with _lock:
        if _tuned is None:
            _tuned = _tune()
        return _tuned


def _tune() -> bool:
    asked = os.environ.get(ENV, "").strip()
    if asked == "0" or (asked != "1" and any(os.environ.get(k) for k in _GLIBC_VARIABLES)):
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 (glibc only: musl has no such symbol)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # the mmap threshold first: a trim threshold alone would fix the mmap threshold at
    # its starting 128 KiB (glibc stops adjusting both once either is set)
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
