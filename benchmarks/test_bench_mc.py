"""Monte Carlo throughput and memory, PRIM speed, and EMA Workbench beside us (``make bench``).

- scenarios/s for 1,000,000 scenarios of ``base`` with every uncertainty, in one process
  on one thread, on all threads, and on a 2-worker Dask LocalCluster;
- peak RSS of ``strandrisk mc`` at 10^5, 10^6 and 10^7 scenarios (each a fresh process;
  set ``STRANDRISK_BENCH_RSS_MAX`` to stop earlier: 10^7 takes about 20 minutes here);
- the same model run scenario by scenario through EMA Workbench's SequentialEvaluator on
  10,000 scenarios, as the ratio of its time per scenario to ours;
- PRIM on 1,000,000 scenarios x 10 parameters, ours beside EMA Workbench's (and CART's tree);
- extra-trees feature scores of ``base`` on 2,000 draws, ours beside EMA Workbench's
  ``get_feature_scores_all`` on the same draws (the same leaders, and the time of each).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import pytest

import strandrisk as sr
from strandrisk.analysis.prim import prim
from strandrisk.engine.montecarlo import run_mc
from strandrisk.io.uncertainty import load_uncertainty

N_MC = 1_000_000
N_EMA = 10_000


def _space():
    sc = sr.load_scenario("base")
    return sc, load_uncertainty("base", sc)


def _rate(n, **kw):
    sc, space = _space()
    t0 = time.perf_counter()
    run_mc(sc, space, n, 7, sampler="lhs", **kw)
    return n / (time.perf_counter() - t0)


def test_mc_one_million_scenarios(benchmark):
    sc, space = _space()
    run_mc(sc, space, 200, 1, sampler="lhs")  # compile / load the kernels first
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = _rate(N_MC)
    finally:
        numba.set_num_threads(threads)
    threaded = _rate(N_MC)
    dask = _rate(N_MC, workers=2)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    print(
        f"\nmc, base, {len(space.keys)} uncertain parameters, {N_MC:,} LHS scenarios: "
        f"{single:,.0f} scenarios/s in one process on one thread; {threaded:,.0f} on "
        f"{threads} threads; {dask:,.0f} on a 2-worker Dask LocalCluster (incl. start-up)"
    )


_LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""
"""Starts a command and prints its exit status and peak RSS [KiB]. Linux carries a process's
peak RSS over ``execve`` from the memory it had before, and a child Python starts (vfork) from
its parent's: started from this process, which has held a million scenarios' outcomes by then,
the child's ``ru_maxrss`` would be this process's peak, not its own. From a small launcher it is
the child's own (a 300 MB child of a 1.5 GB process: 1,455 MB started directly, 310 MB
through the launcher)."""


def _peak_rss_mb(n: int) -> tuple[float, float]:
    cmd = [str(Path(sys.executable).with_name("strandrisk")), "mc", "--preset", "base"]
    cmd += ["--n", str(n), "--seed", "7", "--sampler", "lhs", "--json"]
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "0", f"strandrisk mc exited with {out[0]}"
    return int(out[1]) / 1024, time.perf_counter() - t0


def test_peak_memory_is_flat_in_n(benchmark):
    largest = int(os.environ.get("STRANDRISK_BENCH_RSS_MAX", 10_000_000))
    rows = []
    for n in (100_000, 1_000_000, 10_000_000):
        if n <= largest:
            rss, seconds = _peak_rss_mb(n)
            rows.append((n, rss, seconds))
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    print("\nstrandrisk mc --preset base (fresh process each):")
    for n, rss, seconds in rows:
        print(f"  n = {n:>12,}: peak RSS {rss:,.0f} MB, {seconds:,.0f} s ({n / seconds:,.0f}/s)")


def test_ema_workbench_sequential_evaluator_ratio(benchmark):
    ema = pytest.importorskip("ema_workbench")
    from ema_workbench import Model, RealParameter, ScalarOutcome, SequentialEvaluator

    sc, space = _space()
    names = {k: k.replace(".", "__") for k in space.keys}
    back = {v: k for k, v in names.items()}

    def one_scenario(**kwargs):  # the same model, one scenario per call
        samples = {back[k]: np.array([v]) for k, v in kwargs.items()}
        out = sr.simulate(sc, samples, breakeven=False, keep_series=False).outcomes
        row = out[out["company"] == "industry"].iloc[0]
        return {c: float(row[c]) for c in ("stranded_peak", "npv_2026", "impairment_ifrs")}

    model = Model("strandrisk", function=one_scenario)
    bounds = {
        k: d.ppf(np.array([0.01, 0.99]))
        for k, d in zip(space.keys, space.distributions, strict=True)
    }
    model.uncertainties = [
        RealParameter(names[k], float(lo), float(hi)) for k, (lo, hi) in bounds.items()
    ]
    model.outcomes = [ScalarOutcome(c) for c in ("stranded_peak", "npv_2026", "impairment_ifrs")]
    one_scenario(**{names[k]: float(v[0]) for k, v in bounds.items()})  # warm
    t0 = time.perf_counter()
    with SequentialEvaluator(model) as evaluator:
        experiments, _ = evaluator.perform_experiments(scenarios=N_EMA, log_progress=False)
    ema_seconds = time.perf_counter() - t0
    assert len(experiments) == N_EMA
    ours = _rate(100_000)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    ema_rate = N_EMA / ema_seconds
    print(
        f"\nEMA Workbench {ema.__version__} SequentialEvaluator: {ema_rate:,.0f} scenarios/s "
        f"({N_EMA:,} in {ema_seconds:,.0f} s); strandrisk mc: {ours:,.0f}/s; ratio {ours / ema_rate:,.0f}x"
    )


def test_prim_one_million_scenarios(benchmark):
    rng = np.random.default_rng(0)
    x = rng.random((1_000_000, 10))
    y = ((x[:, 0] > 0.6) & (x[:, 3] < 0.3)) | (rng.random(1_000_000) < 0.02)
    names = [f"x{i}" for i in range(10)]
    prim(x[:1000], y[:1000], names)  # compile / load the kernel first
    res = benchmark.pedantic(lambda: prim(x, y, names), rounds=3, iterations=1)
    ours = benchmark.stats.stats.min
    assert set(res.limits.index) == {"x0", "x3"}
    from strandrisk.analysis.regional import regional_sensitivity

    t0 = time.perf_counter()
    ks = regional_sensitivity(x, y, names)
    regional = time.perf_counter() - t0
    assert set(ks.index[:2]) == {"x0", "x3"}
    from strandrisk.analysis.prim import prim_resample

    t0 = time.perf_counter()
    again = prim_resample(x, y, res, iterations=10)
    resampled = time.perf_counter() - t0
    assert set(again.index[:2]) == {"x0", "x3"}
    from strandrisk.analysis.cart import cart

    t0 = time.perf_counter()
    tree = cart(x, y, names)
    grown = time.perf_counter() - t0
    assert set(tree.limits.loc[1].index) == {"x0", "x3"}
    line = (
        f"\nPRIM on 1,000,000 scenarios x 10 parameters: strandrisk {ours:.2f} s "
        f"(regional sensitivity beside it: {regional:.2f} s; resampled on 10 halves: "
        f"{resampled:.2f} s; CART: {grown:.2f} s)"
    )
    try:
        from ema_workbench.analysis import prim as ema_prim
    except ImportError:
        print(line + " (EMA Workbench not installed)")
        return
    frame = pd.DataFrame(x, columns=names)
    t0 = time.perf_counter()
    p = ema_prim.Prim(frame, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)
    p.find_box()
    print(line + f"; EMA Workbench {time.perf_counter() - t0:.2f} s")


def test_feature_scores_beside_ema_workbench(benchmark):
    from strandrisk.analysis.sobol import model_evaluator
    from strandrisk.analysis.trees import PROBE, feature_scores_given
    from strandrisk.engine.mc_exec import sample_in_threads

    sc, space = _space()
    samples = sample_in_threads(space, 0, 2000, 0, "lhs")
    outcomes = model_evaluator(sc, ("stranded_peak", "npv_2026"), "industry")(samples)
    ours = benchmark.pedantic(
        lambda: feature_scores_given(samples, outcomes, 0), rounds=3, iterations=1
    )
    line = f"\nFeature scores, 2,000 draws x 31 parameters, 2 outcomes: strandrisk {benchmark.stats.stats.min:.2f} s"
    try:
        from ema_workbench.analysis import feature_scoring
    except ImportError:
        print(line + " (EMA Workbench not installed)")
        return
    t0 = time.perf_counter()
    ema = feature_scoring.get_feature_scores_all(pd.DataFrame(samples), outcomes)
    line += f"; EMA Workbench {time.perf_counter() - t0:.2f} s"
    for o in outcomes:
        mine = ours.loc[o, "score"].drop(PROBE)
        theirs = ema[o].sort_values(ascending=False)
        assert set(mine.index[:1]) == set(theirs.index[:1])  # the leader, whatever the seed
        line += f"\n  {o}: ours " + ", ".join(f"{k} {v:.3f}" for k, v in mine.head(3).items())
        line += "; EMA's " + ", ".join(f"{k} {v:.3f}" for k, v in theirs.head(3).items())
    print(line)
