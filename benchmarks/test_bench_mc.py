"""Monte Carlo throughput, memory and PRIM speed (``make bench``)."""

import resource
import time

import numpy as np

import strandrisk as sr
from strandrisk.analysis.prim import prim
from strandrisk.engine.montecarlo import run_mc
from strandrisk.io.uncertainty import load_uncertainty


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_mc_single_process_and_dask(benchmark):
    sc = sr.load_scenario("base")
    space = load_uncertainty("base", sc)
    n = 4000
    t0 = time.perf_counter()
    run_mc(sc, space, n, 1, sampler="lhs", chunk_size=1000)
    single = n / (time.perf_counter() - t0)
    rss_single = _rss_mb()
    t0 = time.perf_counter()
    run_mc(sc, space, n, 1, sampler="lhs", chunk_size=1000, workers=2)
    dask = n / (time.perf_counter() - t0)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    print(
        f"\nmc: {single:,.0f} scenarios/s in one process, {dask:,.0f} with Dask (2 workers, incl. start-up); "
        f"peak RSS {rss_single:,.0f} MB after {n:,} scenarios with {len(space.keys)} uncertain parameters"
    )


def test_prim_1m_scenarios(benchmark):
    rng = np.random.default_rng(0)
    x = rng.random((1_000_000, 10))
    y = ((x[:, 0] > 0.6) & (x[:, 3] < 0.3)) | (rng.random(1_000_000) < 0.02)
    res = benchmark.pedantic(
        lambda: prim(x, y, [f"x{i}" for i in range(10)]), rounds=1, iterations=1
    )
    print(f"\nPRIM on 1,000,000 scenarios x 10 parameters: {benchmark.stats.stats.min:.1f} s")
    assert set(res.limits.index) == {"x0", "x3"}
