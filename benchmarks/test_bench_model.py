"""Speed of the cohort model and of the vectorised IRR (``make bench``).

Prints scenarios per second and peak memory for ``simulate`` on 10,000 scenarios of the
base preset, and rows per second for ``strandrisk.irr`` on 1,000,000 rows of 41 quarterly
cash flows beside numpy-financial (on a sample of rows) and pyxirr.
"""

import resource
import time

import numba
import numpy as np
import numpy_financial as npf
import pyxirr

import strandrisk as sr

N_SCENARIOS = 10_000
N_ROWS = 1_000_000


def _samples(n, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "market.price_decline": rng.uniform(0.4, 1.6, n),
        "market.demand_growth": rng.uniform(0.3, 1.5, n),
        "technology.doubling_time": rng.uniform(1.8, 3.5, n),
        "market.open_source_share": rng.uniform(0.0, 0.5, n),
    }


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_simulate_10000_scenarios(benchmark):
    scenario = sr.load_scenario("base")
    samples = _samples(N_SCENARIOS)
    sr.simulate(scenario, _samples(10), breakeven=False, keep_series=False)  # load the kernel

    def run():
        return sr.simulate(scenario, samples, breakeven=False, keep_series=False)

    # five rounds: the process's first call is slower (its memory is fresh), and the
    # machine's own spread moves single rounds by 10-20 %; the best and the median printed
    result = benchmark.pedantic(run, rounds=5, iterations=1)
    seconds, median = benchmark.stats.stats.min, benchmark.stats.stats.median
    small = {k: v[:1000] for k, v in samples.items()}
    t0 = time.perf_counter()
    sr.simulate(scenario, small, breakeven=False, keep_series=False, engine="numpy")
    reference = 1000 / (time.perf_counter() - t0)
    print(
        f"\nsimulate: {N_SCENARIOS / seconds:,.0f} scenarios/s without break-even, best of 5 "
        f"rounds (median {N_SCENARIOS / median:,.0f}; {seconds:.2f} s for {N_SCENARIOS:,}; "
        f"compiled engine, {numba.get_num_threads()} threads); NumPy reference engine "
        f"{reference:,.0f} scenarios/s; peak RSS {_peak_rss_mb():,.0f} MB"
    )
    assert len(result.outcomes) == N_SCENARIOS * 6


def test_simulate_10000_scenarios_with_the_loan_cover(benchmark):
    scenario = sr.load_scenario("base")
    samples = _samples(N_SCENARIOS)
    kw = {"breakeven": False, "keep_series": False}
    sr.simulate(scenario, _samples(10), llcr=True, **kw)  # load the kernel
    benchmark.pedantic(
        lambda: sr.simulate(scenario, samples, llcr=True, **kw), rounds=3, iterations=1
    )
    seconds = benchmark.stats.stats.min
    t0 = time.perf_counter()
    sr.simulate(scenario, samples, **kw)
    plain = N_SCENARIOS / (time.perf_counter() - t0)
    print(
        f"\nsimulate with the loan life cover (llcr=True): {N_SCENARIOS / seconds:,.0f} "
        f"scenarios/s ({plain:,.0f} without, measured once just after)"
    )


def test_simulate_with_breakeven_1000_scenarios(benchmark):
    scenario = sr.load_scenario("base")
    samples = _samples(1000)
    sr.simulate(scenario, _samples(4), keep_series=False)  # load the kernel
    benchmark.pedantic(
        lambda: sr.simulate(scenario, samples, keep_series=False), rounds=1, iterations=1
    )
    seconds = benchmark.stats.stats.min
    print(f"\nsimulate with both break-even solves: {1000 / seconds:,.0f} scenarios/s")


def test_irr_1m_rows(benchmark):
    rng = np.random.default_rng(1)
    cf = np.concatenate(
        [-rng.uniform(50, 150, (N_ROWS, 1)), rng.uniform(-2, 8, (N_ROWS, 40))], axis=1
    )
    sr.irr(cf[:10], method="numba")  # compile the kernel before timing
    rates = benchmark.pedantic(lambda: sr.irr(cf, periods_per_year=4), rounds=3, iterations=1)
    ours = N_ROWS / benchmark.stats.stats.min
    sample = cf[:2000]
    t0 = time.perf_counter()
    ref = np.array([npf.irr(row) for row in sample])
    npf_rate = len(sample) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    px = np.array([pyxirr.irr(row) for row in sample[:20000]], dtype=float)
    px_rate = len(sample) / (time.perf_counter() - t0)
    print(
        f"\nirr: strandrisk {ours:,.0f} rows/s; numpy-financial {npf_rate:,.0f} rows/s; "
        f"pyxirr {px_rate:,.0f} rows/s (one row per call)"
    )
    annual_ref = (1 + ref) ** 4 - 1
    both = np.isfinite(annual_ref) & np.isfinite(rates[:2000])
    np.testing.assert_allclose(rates[:2000][both], annual_ref[both], atol=1e-6)
    assert np.isfinite(px).any()
