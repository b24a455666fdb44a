"""Where a Monte Carlo run's tasks run: in this process, or on a Dask cluster.

:func:`executor` yields the place (None, a ``LocalCluster`` of single-threaded worker
processes, or an existing scheduler), and :func:`run_tasks` runs a span of scenarios there in
tasks, absorbing each result as it finishes. Used by :func:`~strandrisk.engine.montecarlo.run_mc`
and the decision comparisons; re-exported by :mod:`strandrisk.engine.montecarlo`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import numba
import numpy as np

from strandrisk.engine._kernel.common import map_in_threads
from strandrisk.engine.allocator import ENV
from strandrisk.errors import InputError
from strandrisk.scenarios.sampling import BLOCK, UncertaintySpace, one_blas_thread, sample_range

__all__ = ["executor", "run_tasks", "sample_in_threads"]


def sample_in_threads(
    space: UncertaintySpace, start: int, stop: int, seed: int, sampler: str
) -> dict[str, np.ndarray]:
    """:func:`~strandrisk.scenarios.sampling.sample_range` in parts, one per Numba thread.

    The range is cut at whole sampling blocks and each part drawn on a thread of its own
    (the kernel's helpers): a scenario's values do not depend on the range they are drawn
    in, and the blocks' shuffles and sorts and the quantile functions release the GIL, so
    a task's sampling, which ran on one core while the other idled, uses them all.

    Parameters
    ----------
    space : UncertaintySpace
        What to sample. [-]
    start, stop : int
        Global scenario indices. [-]
    seed : int
        Root seed of the run. [-]
    sampler : {"mc", "lhs", "sobol"}
        Sampling design. [-]

    Returns
    -------
    dict of str to ndarray
        As :func:`~strandrisk.scenarios.sampling.sample_range`, the same values. [canonical units]
    """
    first, last = start // BLOCK, (stop - 1) // BLOCK  # the sampling blocks the range touches
    blocks = last - first + 1
    parts = min(numba.get_num_threads(), blocks)
    if parts <= 1:
        return sample_range(space, start, stop, seed, sampler)
    cuts = [start, *(BLOCK * (first + blocks * i // parts) for i in range(1, parts)), stop]
    with one_blas_thread():  # set once here: the parts' own limits then find one thread
        drawn = map_in_threads(
            lambda r: sample_range(space, r[0], r[1], seed, sampler), list(pairwise(cuts))
        )
    return {k: np.concatenate([d[k] for d in drawn]) for k in drawn[0]}


def run_tasks(
    client: Any,
    task: Callable[..., Any],
    args: tuple,
    span: tuple[int, int, int],
    extra: tuple,
    absorb: Callable[[Any], None],
) -> None:
    """Run ``task(*args, start, stop, *extra)`` over a span of scenarios, here or on Dask.

    Without a client the tasks run in order, in this process; with one they run on the
    cluster and are absorbed as they finish, so ``absorb`` must not depend on the order
    (mergeable reductions).

    Parameters
    ----------
    client : dask.distributed.Client or None
        Where to run (:func:`executor`); None: here. [-]
    task : callable
        A module-level function (Dask pickles it by reference). [-]
    args, extra : tuple
        Arguments before and after the range. [-]
    span : (int, int, int)
        Scenarios ``start`` to ``stop - 1``, in tasks of at most ``chunk``. [count]
    absorb : callable
        Called with each task's result. [-]
    """
    start, stop, chunk = span
    ranges = [(a, min(a + chunk, stop)) for a in range(start, stop, chunk)]
    if client is None:
        for a, b in ranges:
            absorb(task(*args, a, b, *extra))
        return
    from dask.distributed import as_completed

    futures = [client.submit(task, *args, a, b, *extra, pure=False) for a, b in ranges]
    for future in as_completed(futures):
        absorb(future.result())
        future.release()


@contextlib.contextmanager
def executor(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """Yield where tasks run: None (here), a local Dask cluster, or an existing scheduler.

    Parameters
    ----------
    workers : int or None
        Start a ``LocalCluster`` of this many single-threaded worker processes. [count]
    scheduler : str or None
        Address of an existing Dask scheduler, ``tcp://host:port``. [-]
    """
    if not workers and not scheduler:
        yield None
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"scheduler {scheduler}: cannot connect ({exc})") from None
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # one core per worker process; glibc's allocator tuned as in this process, where
            # Dask's nanny would have it hand freed memory back at once (see allocator.py)
            env={"NUMBA_NUM_THREADS": "1", ENV: os.environ.get(ENV, "1")},
        )
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
