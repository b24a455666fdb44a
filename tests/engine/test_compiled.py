"""The compiled engine against the NumPy reference, and its own determinism."""

import multiprocessing
import os
import threading
import time

import numba
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strandrisk as sr
from strandrisk.engine import _kernel
from strandrisk.engine._kernel import books, common, debt, dispatch
from strandrisk.engine.compiled import _discount, _market, compiled_inputs, prepare_kernel
from strandrisk.engine.model import _short_for_a_year, build_cohorts, make_grid, operate
from strandrisk.engine.params import build_params
from strandrisk.engine.simulate import _history
from strandrisk.io.scenario import PRESETS
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.scenarios.sampling import sample_range

MONEY_SCALE = 1e9  # outcomes in USD are compared relative to $1bn where they are small


def _compare(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype.kind == "f":
            x, y = x.to_numpy(), y.to_numpy()
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=column)
            ok = ~np.isnan(x)
            scale = MONEY_SCALE if column in _MONEY else 1.0
            np.testing.assert_allclose(x[ok], y[ok], rtol=1e-9, atol=1e-9 * scale, err_msg=column)
        else:
            assert (
                x.astype(object).fillna("-").astype(str) == y.astype(object).fillna("-").astype(str)
            ).all(), column


_MONEY = (
    "capex_2026",
    "npv_2026",
    "stranded_peak",
    "stranded_peak_to_2026",
    "impairment_ifrs",
    "impairment_usgaap",
)


def _allowed_box(scenario, n, seed):
    """``n`` points drawn over every parameter's whole allowed range at once."""
    from strandrisk.scenarios.schema import parameter_fields

    rng = np.random.default_rng(seed)
    samples = {}
    for key, _, meta in parameter_fields(scenario):
        lo, hi = meta["lo"], meta["hi"]
        if lo > 0 and hi / lo > 1e3:  # money and wide ranges: uniform in the logarithm
            samples[key] = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
        else:
            samples[key] = rng.uniform(lo, hi, n)
    shares = ("capex.share_compute", "capex.share_network", "capex.share_facilities")
    total = sum(samples[k] for k in shares)
    for key in shares[:2]:
        samples[key] = samples[key] / total
    samples[shares[2]] = 1.0 - samples[shares[0]] - samples[shares[1]]
    leak = samples["market.open_source_share"] + samples["market.device_share"]
    for key in ("market.open_source_share", "market.device_share"):
        samples[key] = samples[key] * np.where(leak >= 0.99, 0.98 / leak, 1.0)
    return samples


@pytest.mark.parametrize(
    ("years", "n", "rule"),
    [(10, 120, "trailing-year"), (30, 40, "trailing-year"), (10, 80, "foresight")],
)
def test_compiled_engine_agrees_with_the_numpy_reference_over_the_whole_allowed_box(years, n, rule):
    scenario = sr.load_scenario("base", overrides={"years": years, "technology.retirement": rule})
    samples = _allowed_box(scenario, n, seed=years)
    kw = {"breakeven": False, "keep_series": False, "llcr": True}
    compiled = sr.simulate(scenario, samples, engine="compiled", **kw).outcomes
    reference = sr.simulate(scenario, samples, engine="numpy", **kw).outcomes
    _compare(compiled, reference)
    assert np.isfinite(compiled["stranded_peak"].to_numpy(float)).all()


@pytest.mark.parametrize("preset", PRESETS)
def test_compiled_engine_agrees_with_the_numpy_reference_over_each_presets_priors(preset):
    scenario = sr.load_scenario(preset)
    samples = sample_range(load_uncertainty(preset, scenario), 0, 48, seed=11, sampler="lhs")
    kw = {"breakeven": False, "keep_series": False}
    compiled = sr.simulate(scenario, samples, engine="compiled", **kw).outcomes
    reference = sr.simulate(scenario, samples, engine="numpy", **kw).outcomes
    _compare(compiled, reference)


@pytest.mark.parametrize(
    "overrides",
    [
        {"financing.amortising": True},
        {"capex.path": "none"},
        {"capex.path": "flat", "financing.spread_widening": 0.03},
        {"market.leakage_driver": "tco", "costs.electricity_price": 0.0},
        {"years": 6, "technology.physical_life": 9.0},
        {"accounting.economic_obsolescence": True},
        {"accounting.declining_balance": 2.0, "financing.amortising": True},
        {"technology.retirement": "foresight"},
        {"technology.retirement": "foresight", "capex.path": "none", "years": 6},
    ],
    ids=[
        "amortising",
        "existing-assets-only",
        "flat-with-widening",
        "tco-free-power",
        "short",
        "economic-obsolescence",
        "double-declining",
        "foresight",
        "foresight-existing-assets-short",
    ],
)
def test_compiled_engine_agrees_on_the_switches_no_preset_uses(overrides):
    scenario = sr.load_scenario("base", overrides=overrides)
    samples = sample_range(load_uncertainty("base", scenario), 0, 24, seed=4, sampler="lhs")
    kw = {"breakeven": False, "keep_series": False, "llcr": True}
    compiled = sr.simulate(scenario, samples, engine="compiled", **kw).outcomes
    reference = sr.simulate(scenario, samples, engine="numpy", **kw).outcomes
    _compare(compiled, reference)


def test_the_loan_cover_columns_change_nothing_else_and_match_the_series():
    scenario = sr.load_scenario("fibre-replay")
    samples = sample_range(load_uncertainty("fibre-replay", scenario), 0, 64, seed=8)
    kw = {"breakeven": False, "keep_series": False}
    plain = sr.simulate(scenario, samples, **kw).outcomes
    with_cover = sr.simulate(scenario, samples, llcr=True, **kw).outcomes
    assert list(with_cover.columns) == [*plain.columns, *sr.LLCR_COLUMNS]
    pd.testing.assert_frame_equal(with_cover[plain.columns], plain)
    # each company's lowest quarterly LLCR and first quarter below 1, from the series
    head = {k: v[:3] for k, v in samples.items()}
    result = sr.simulate(scenario, head, breakeven=False, llcr=True)
    llcr = result.series["llcr"].values  # (scenario, company, quarter)
    quarters = result.series["quarter"].values
    rows = result.outcomes
    for i, row in enumerate(rows.itertuples()):
        path = llcr[row.scenario, i % llcr.shape[1]]
        assert row.min_llcr == pytest.approx(np.nanmin(path), rel=1e-12)
        below = np.flatnonzero(path < 1.0)
        expected = quarters[below[0]] if below.size else None
        assert row.first_llcr_below_1 == expected


def test_without_debt_there_is_no_loan_cover():
    scenario = sr.load_scenario("base", overrides={"financing.debt_share": 0.0})
    rows = sr.simulate(scenario, breakeven=False, keep_series=False, llcr=True).outcomes
    assert rows["min_llcr"].isna().all()
    assert rows["first_llcr_below_1"].isna().all()


@pytest.mark.parametrize("rule", ["trailing-year", "foresight"])
def test_compiled_break_even_agrees_with_the_reference(rule):
    scenario = sr.load_scenario("base", overrides={"technology.retirement": rule})
    samples = sample_range(load_uncertainty("base", scenario), 0, 6, seed=5, sampler="lhs")
    compiled = sr.simulate(scenario, samples, keep_series=False, engine="compiled").outcomes
    reference = sr.simulate(scenario, samples, keep_series=False, engine="numpy").outcomes
    _compare(compiled, reference)
    assert compiled["breakeven_demand_growth"].notna().any()


@pytest.mark.parametrize("rule", ["trailing-year", "foresight"])
def test_kernel_dispatch_and_retirement_match_operate(rule):
    scenario = sr.load_scenario("open-source-collapse", overrides={"technology.retirement": rule})
    samples = sample_range(
        load_uncertainty("open-source-collapse", scenario), 0, 4, seed=2, sampler="mc"
    )
    p = build_params(scenario, samples)
    grid = make_grid(scenario.years)
    cohorts = build_cohorts(p, grid, _history(p.companies))
    ops = operate(p, grid, cohorts)
    a, m = compiled_inputs(p, grid, cohorts), _market(p, grid, cohorts)
    alive, ebitda = _kernel.operate_rows(
        a["capex"], a["units"], a["power"], a["order"], m["demand"], m["price"], m["theta"],
        a["vint"], a["sp"], _discount(p, grid), rule == "foresight",
    )  # fmt: skip
    np.testing.assert_array_equal(alive, ops.alive)
    np.testing.assert_allclose(ebitda, ops.ebitda, rtol=1e-12, atol=1e-3)
    assert (~ops.alive & (grid.age >= 0) & (grid.age < 3.0)).any()  # some cohorts retire early


def test_compiled_results_do_not_depend_on_the_thread_count():
    scenario = sr.load_scenario("base")
    samples = sample_range(load_uncertainty("base", scenario), 0, 300, seed=9, sampler="mc")
    kw = {"breakeven": False, "keep_series": False}
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sr.simulate(scenario, samples, **kw).outcomes
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = sr.simulate(scenario, samples, chunk_size=37, **kw).outcomes
    finally:
        numba.set_num_threads(before)
    assert one.equals(many)


def test_kernel_rows_do_not_depend_on_their_blocks_or_threads(monkeypatch):
    scenario = sr.load_scenario("base")
    samples = sample_range(load_uncertainty("base", scenario), 0, 40, seed=3, sampler="mc")
    kw = {"keep_series": False, "llcr": True}  # the break-even solves' kernel too
    monkeypatch.setattr(numba, "get_num_threads", lambda: 1)
    one = sr.simulate(scenario, samples, **kw).outcomes
    monkeypatch.setattr(common, "BLOCK", 1)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    many = sr.simulate(scenario, samples, **kw).outcomes
    assert one.equals(many)


# one change at a time that the books, the loans or the merit order see, and an outcome it moves
_KEPT_INPUT_CHANGES = (
    ({"capex.growth": 0.2}, "stranded_peak"),
    ({"capex.custom_accelerator_cost_ratio": 0.5}, "stranded_peak"),  # the installed base
    ({"companies.oracle.capex_2026": 60e9}, "stranded_peak"),  # the last company's alone
    ({"companies.oracle.compute_life": 4.0}, "stranded_peak"),
    ({"companies.amazon.network_life": 8.0}, "stranded_peak"),
    ({"capex.share_compute": 0.5, "capex.share_facilities": 0.39113148979561675}, "min_dscr"),
    ({"accounting.facilities_life": 15.0}, "min_dscr"),
    ({"accounting.declining_balance": 2.0}, "stranded_peak"),
    ({"financing.debt_share": 0.4}, "min_dscr"),
    ({"financing.maturity": 5.0}, "min_dscr"),
    ({"financing.risk_free": 0.05}, "min_interest_cover"),
    ({"financing.credit_spread": 0.02}, "min_interest_cover"),
    ({"financing.spread_widening": 0.02}, "min_interest_cover"),
    ({"financing.spread_widening_start": 2040.0}, "min_interest_cover"),  # none reported
    ({"technology.energy_doubling_time": 100.0}, "stranded_peak"),  # power: the merit order
)


def test_a_row_keeps_the_books_loans_and_merit_order_before_it_only_if_their_inputs_are_equal():
    """The kernel reuses the row before's books, loans and merit order while their inputs stay.

    Rows alternate: one where only the market moves (all three kept), one where only an input
    of one of them moves (recomputed; each such change moves an outcome). Every row's results
    in the batch are those it has alone.
    """
    scenario = sr.load_scenario("base")
    flat = scenario.flat()
    row = {"market.price_decline": flat["market.price_decline"]}
    rows = [dict(row)]
    for change, _ in _KEPT_INPUT_CHANGES:
        row["market.price_decline"] += 0.05  # the market alone: all three kept
        rows.append(dict(row))
        row.update(change)
        rows.append(dict(row))
    rows.append(dict(rows[0]))  # an earlier row again, after others
    keys = sorted({k for r in rows for k in r})
    samples = {k: np.array([r.get(k, flat[k]) for r in rows]) for k in keys}
    kw = {"breakeven": False, "keep_series": False, "llcr": True, "capex_years": True}
    batch = sr.simulate(scenario, samples, **kw).outcomes.drop(columns="scenario")
    alone = pd.concat(
        sr.simulate(scenario, {k: v[i : i + 1] for k, v in samples.items()}, **kw).outcomes
        for i in range(len(rows))
    ).drop(columns="scenario")
    pd.testing.assert_frame_equal(batch.reset_index(drop=True), alone.reset_index(drop=True))
    units = len(scenario.companies) + 1  # and the industry
    per_row = batch.reset_index(drop=True).groupby(lambda i: i // units)
    for i, (_, column) in enumerate(_KEPT_INPUT_CHANGES):
        before, after = per_row.get_group(2 * i + 1)[column], per_row.get_group(2 * i + 2)[column]
        assert not np.array_equal(before.to_numpy(), after.to_numpy()), column


def test_values_held_fixed_over_a_batch_are_kept_once_and_nothing_else():
    scenario = sr.load_scenario("base")
    samples = {
        "market.price_decline": np.array([0.5, 0.5, 0.5]),  # sampled, yet the same: kept once
        "market.demand_growth": np.array([0.4, 0.9, 0.4]),
        "technology.doubling_time": np.array([2.5, 2.5, 2.5]),
        "companies.meta.compute_life": np.array([5.0, 6.0, 5.0]),  # one company varies
    }
    p = build_params(scenario, samples)
    c = p.collapsed()
    assert c.n == p.n == 3
    for key, value in p.values.items():
        kept = c.values[key]
        assert kept.shape[0] in (1, 3)
        np.testing.assert_array_equal(np.broadcast_to(kept, value.shape), value)
    assert c["market.price_decline"].shape[0] == c["technology.doubling_time"].shape[0] == 1
    assert c["market.demand_growth"].shape[0] == c["company.compute_life"].shape[0] == 3
    assert c["financing.wacc"].shape[0] == 1  # not sampled
    for index in (slice(1, 3), np.array([2, 0, 2, 1])):  # rows of what was kept once too
        part, whole = c.take(index), p.take(index)
        assert part.n == whole.n == np.arange(3)[index].size
        for key, value in whole.values.items():
            np.testing.assert_array_equal(np.broadcast_to(part[key], value.shape), value)
    signed = build_params(scenario, {"market.agentic_width": np.array([1.0, 1.0])})
    signed.values["market.elasticity"] = np.array([0.0, -0.0]).reshape(2, 1, 1, 1)
    assert signed.collapsed()["market.elasticity"].shape[0] == 2  # bitwise: 0.0 and -0.0 differ


def test_kernel_inputs_do_not_depend_on_which_values_the_batch_holds_fixed():
    """Each uncertain parameter held at one value over 6 draws (kept once, computed once for
    the batch) gives those rows the same kernel inputs, bit for bit, as when a seventh row
    drawn with another value makes it vary; and the seventh row gets its own alone."""
    scenario = sr.load_scenario("base")
    space = load_uncertainty("base", scenario)
    draws = sample_range(space, 0, 7, 11, "lhs")
    grid = make_grid(scenario.years)
    hist = _history(tuple(c.name for c in scenario.companies))
    tested = 0
    for key in space.keys:
        held = {k: v.copy() for k, v in draws.items()}
        held[key][:6] = held[key][0]
        try:
            fixed = prepare_kernel(
                build_params(scenario, {k: v[:6] for k, v in held.items()}), grid, hist
            )
        except ValueError:  # the value breaks a rule with another draw's (shares): not a case
            continue
        varies = prepare_kernel(build_params(scenario, held), grid, hist)
        last = prepare_kernel(
            build_params(scenario, {k: v[6:] for k, v in held.items()}), grid, hist
        )
        for a, b, c in zip(fixed.args, varies.args, last.args, strict=True):
            if isinstance(a, np.ndarray) and a.ndim == b.ndim > 1:  # per scenario: rows
                # (capex and power: one row where no scenario's differs)
                b = np.broadcast_to(b, (7, *b.shape[1:]))
                assert np.broadcast_to(a, (6, *a.shape[1:])).tobytes() == b[:6].tobytes(), key
                assert c.tobytes() == b[6:].tobytes(), key
        tested += 1
    assert tested >= len(space.keys) - 4


def test_capex_and_power_as_one_row_or_a_row_each_give_the_same_results():
    """Where no scenario's capex or power differs the kernel gets one row of each, not S."""
    scenario = sr.load_scenario("base")
    samples = {  # the market and the price-performance move; capex and power do not
        "market.price_decline": np.linspace(0.4, 1.6, 40),
        "technology.doubling_time": np.linspace(3.5, 1.8, 40),
        "companies.meta.compute_life": np.repeat([5.0, 6.0], 20),  # the books change once
    }
    grid = make_grid(scenario.years)
    inputs = prepare_kernel(
        build_params(scenario, samples), grid, _history(tuple(c.name for c in scenario.companies))
    )
    capex, units, power = inputs.args[:3]
    assert capex.shape[0] == power.shape[0] == 1
    assert units.shape[0] == 40
    whole = (np.repeat(capex, 40, axis=0), units, np.repeat(power, 40, axis=0))
    for switches in ((True, False, False), (True, True, True)):
        one = _kernel.outcome_rows(*inputs.args, *switches)
        each = _kernel.outcome_rows(*whole, *inputs.args[3:], *switches)
        for a, b in zip(one, each, strict=True):
            assert a.tobytes() == b.tobytes()


def test_kernel_threads_cover_every_row_once_and_pass_errors_on(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 4)
    for n in (0, 1, 31, 32, 33, 1000, 4097):
        seen = np.zeros(n, dtype=int)

        def block(lo, hi, seen=seen):
            seen[lo:hi] += 1

        _kernel.in_threads(n, block)
        assert (seen == 1).all()

    def fails(lo, hi):
        raise ValueError(f"rows {lo}-{hi}")

    with pytest.raises(ValueError, match="rows"):
        _kernel.in_threads(1000, fails)


def test_kernel_threads_stop_after_an_error_and_the_caller_works_too(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    caller = threading.get_ident()
    for failing in ("helper", "caller"):
        started = []

        def fails(lo, hi, failing=failing, started=started):
            started.append(lo)
            if (threading.get_ident() == caller) == (failing == "caller"):
                raise ValueError(f"rows {lo}-{hi}")
            time.sleep(0.005)

        with pytest.raises(ValueError, match="rows"):
            _kernel.in_threads(4096, fails)  # 16 blocks of 256
        assert len(started) <= 4, failing  # the other thread stops after its block

    threads = set()

    seen = np.zeros(4096, dtype=int)

    def block(lo, hi):
        seen[lo:hi] += 1
        threads.add(threading.get_ident())
        time.sleep(0.001)  # (the helper thread gets blocks too)

    threads.clear()
    _kernel.in_threads(4096, block)
    assert (seen == 1).all()
    assert threading.get_ident() in threads  # the caller took blocks


def test_map_in_threads_keeps_the_order_and_passes_errors_on():
    assert _kernel.map_in_threads(lambda x: x * x, [3, 1, 2]) == [9, 1, 4]
    assert _kernel.map_in_threads(lambda x: x, []) == []

    def fails(x):
        if x == 2:
            raise ValueError(f"item {x}")
        return x

    for items in ([1, 2, 3], [2, 1]):  # in a helper thread, and in the caller's
        with pytest.raises(ValueError, match="item 2"):
            _kernel.map_in_threads(fails, items)
    # on a helper thread, nested: computed there (with one helper, as on two cores, queued
    # behind itself it would wait for ever)
    nested = common._helpers().submit(_kernel.map_in_threads, lambda x: x + 1, [1, 2, 3])
    assert nested.result(timeout=30) == [2, 3, 4]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: POSIX only")
def test_kernel_threads_work_in_a_forked_child():
    _kernel.in_threads(1000, lambda lo, hi: None)  # the parent's helpers exist
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        assert pool.apply(_covered_in_threads, (1000,)) == 1000


def _covered_in_threads(n):
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    seen = np.zeros(n, dtype=int)

    def block(lo, hi):
        seen[lo:hi] += 1

    _kernel.in_threads(n, block)
    return int((seen == 1).sum())


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        sr.simulate(sr.load_scenario("base"), engine="fortran")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.5, 0.7, 0.7, 1.0, 1.3]), min_size=0, max_size=6),
    st.lists(st.floats(0.05, 2.0), min_size=0, max_size=8),
)
def test_merit_order_is_numpys_stable_argsort(installed, new):
    """The fast path (new vintages in falling power) and its fallback, ties included."""
    power = np.array(installed + new, dtype=float)
    expected = np.argsort(power, kind="stable")
    np.testing.assert_array_equal(dispatch._merit_order(power, len(installed)), expected)
    falling = np.array(installed + sorted(set(new), reverse=True), dtype=float)
    np.testing.assert_array_equal(
        dispatch._merit_order(falling, len(installed)), np.argsort(falling, kind="stable")
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0.1, 10.0), min_size=1, max_size=12),
    st.lists(st.tuples(st.floats(0.5, 2.0), st.floats(0.05, 20.0)), min_size=1, max_size=16),
)
def test_merit_order_cut_stepped_from_quarter_to_quarter_counts_the_cohorts_in_the_money(
    power, paths
):
    """The cut, stepped from the last quarter's whichever way prices move, is the count of
    cohorts whose energy cost per token is within the price (the bisection it replaced)."""
    eph = np.array(power)
    order = np.argsort(eph, kind="stable")
    theta = np.array([x[0] for x in paths])
    price = np.array([x[1] for x in paths])
    nv, nt = len(eph), len(paths)
    pad = np.ones(common._PAD)  # the quarters after the horizon the dispatch's vectors run over
    cut = np.zeros(nt + common._PAD, dtype=np.int64)
    dispatch._dispatch(
        np.ones(nv), eph, np.zeros(nv), order, np.zeros(nv, dtype=np.int64),
        np.full(nv, nt, dtype=np.int64), np.ones(nt + common._PAD), np.concatenate([price, pad]),
        np.concatenate([theta, pad]), np.empty((nv, nt + common._PAD)), np.empty(nt + common._PAD),
        cut, np.empty(nv), nt, 0,
    )  # fmt: skip
    expected = [(eph[order] / theta[t] <= price[t]).sum() for t in range(nt)]
    np.testing.assert_array_equal(cut[:nt], expected)


_FLOWS = st.one_of(st.floats(-5.0, 5.0), st.sampled_from([0.0, 1e17, -1e17, 1.0, -1.0]))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 12), st.floats(0.0, 3.0)),
        min_size=1,
        max_size=5,
    ),
    st.lists(_FLOWS, min_size=12, max_size=12),
)
def test_the_kernels_trailing_year_rule_retires_where_the_references_first_does(cohorts, flows):
    """Each cohort's window ends at the reference's first trigger (a whole year in service,
    its four quarters short of fixed cost), whatever the flows' sizes."""
    nt = 12
    start = np.array([min(a, b) for a, b, _ in cohorts], dtype=np.int64)
    end = np.array([max(a, b) for a, b, _ in cohorts], dtype=np.int64)
    fixed = np.array([f for _, _, f in cohorts])
    alive = (np.arange(nt) >= start[:, None]) & (np.arange(nt) < end[:, None])
    contribution = np.where(alive, np.array(flows)[None, :], 0.0)
    fixed_cells = fixed[:, None] * alive
    trigger = alive & _short_for_a_year(contribution, fixed_cells, alive)
    expected = np.where(trigger.any(axis=1), trigger.argmax(axis=1), end)
    ebitda = np.where(alive, contribution - fixed_cells, np.nan)  # cells outside: never read
    got = end.copy()
    first = dispatch._short_for_a_year(ebitda, fixed, start, got, nt)
    np.testing.assert_array_equal(got, expected)
    assert first == (expected[trigger.any(axis=1)].min() if trigger.any() else nt)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-20, 60),
    st.integers(-20, 60),
    st.one_of(st.floats(0.0, 30.0), st.sampled_from([0.25, 1.0, 1.0 + 1e-9, 4.75, 5.0, 7.0])),
    st.integers(0, 90),
)
def test_loan_maturity_quarter_is_the_first_quarter_the_test_passes(t0, vintage, maturity, limit):
    """``_matured``'s guess-and-step equals scanning forward from ``t0``, one quarter at a time."""
    t = t0
    while t < limit and not (t - vintage) * 0.25 >= maturity - 1e-9:
        t += 1
    assert debt._matured(t0, vintage, maturity, limit) == t


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-30, 50), min_size=1, max_size=6),
    st.one_of(st.floats(0.25, 12.0), st.sampled_from([0.25, 1.0, 1.0 + 1e-9, 1.0 - 1e-9, 5.0])),
    st.integers(1, 48),
)
def test_a_bullet_loan_is_repaid_in_the_quarter_it_matures_and_pays_interest_until_then(
    vintages, maturity, n
):
    """The schedule against the quarter-by-quarter rule: interest on the principal in every
    quarter before maturity from 2026 on, the principal in the quarter that ends at maturity."""
    nt = 60
    vint = np.array(vintages, dtype=np.int64)
    sp = np.zeros(len(common.SCALARS))
    sp[common._DEBT], sp[common._MAT] = 0.6, maturity
    capex = np.arange(1.0, len(vint) + 1.0)
    rate = np.linspace(0.04, 0.09, nt)
    t_mat = np.array([debt._matured(max(v, 0), v, maturity, nt) for v in vint], dtype=np.int64)
    interest, repaid = np.zeros(n), np.zeros(n)
    debt._debt_schedule(capex, vint, len(vint), n, sp, t_mat, False, rate, interest, repaid)
    want_i, want_r = np.zeros(n), np.zeros(n)
    for v, principal in zip(vint, 0.6 * capex, strict=True):
        t = max(v, 0)
        while t < n and not (t - v) * 0.25 >= maturity - 1e-9:  # before maturity
            want_i[t] += principal * rate[t] * 0.25
            if (t - v) * 0.25 + 0.25 >= maturity - 1e-9:
                want_r[t] += principal
            t += 1
    np.testing.assert_array_equal(interest, want_i)
    np.testing.assert_array_equal(repaid, want_r)


def _cover_one_vintage_at_a_time(ebitda, start, end, vint, cap_k, p, amortising, rems, d_end, n):
    """The loan life cover's two sides as the reference orders them, in plain Python."""
    nt, (rem_c, rem_n, rem_f) = d_end.shape[0], rems
    tau, m = p[common._TAX], p[common._MAT]
    cover, owed, due = np.zeros(n), np.zeros(n), np.full(n, -1)
    t_mat = [debt._matured(max(v, 0), v, m, nt) for v in vint]
    for v, vintage in enumerate(vint):
        principal = p[common._DEBT] * cap_k[v]
        for t in range(max(vintage, 0), min(t_mat[v], n)):
            share = min(max(1.0 - ((t - vintage) * 0.25) / m, 0.0), 1.0)
            owed[t] += principal * share if amortising else principal
            due[t] = max(due[t], min(t_mat[v], nt) - 1)
    for v, vintage in enumerate(vint):
        kc, kn = cap_k[v] * p[common._SC], cap_k[v] * p[common._SN]
        kf = cap_k[v] * p[common._SF]
        tail, acc = np.zeros(nt + 1), 0.0
        for u in range(nt - 1, max(vintage, 0) - 1, -1):  # one running sum, from the end
            j = u - vintage
            dep = (kc * rem_c[j] - kc * rem_c[j + 1]) + (kn * rem_n[j] - kn * rem_n[j + 1])
            dep = dep + (kf * rem_f[j] - kf * rem_f[j + 1])
            e = ebitda[v, u] if start[v] <= u < end[v] else 0.0
            acc += (e - tau * (e - dep)) * d_end[u]
            tail[u] = acc
        for t in range(max(vintage, 0), n):
            if due[t] >= t:
                cover[t] += tail[t] - tail[min(due[t] + 1, nt)]
    return cover / np.concatenate([[1.0], d_end[: n - 1]]), owed


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-20, 30), min_size=1, max_size=19).map(sorted),
    st.sampled_from([(4.0, 6.0, 1.0), (5.5, 3.0, 2.0), (1.0, 1.25, 1.0)]),
    st.floats(0.5, 9.0),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_the_loan_covers_running_sums_side_by_side_are_the_references_bit_for_bit(
    vintages, lives, maturity, amortising, seed
):
    """Eight vintages' sums at a time (rows padded to a multiple of 8), the flows after
    compute and network are written off without their shares: the same bits as one
    vintage's running sum at a time, whatever the number of vintages."""
    rng = np.random.default_rng(seed)
    nt, n = 44, 24
    vint = np.array(vintages, dtype=np.int64)
    vr = len(vint)
    life_c, life_n, factor = lives
    ages = nt + 40
    rems = (
        books._booked(life_c, factor, ages),
        books._booked(life_n, factor, ages),
        books._remaining(15.0, ages),
    )
    span_cn = int(np.ceil(max(life_c, life_n) / 0.25))
    p = np.zeros(len(common.SCALARS))
    p[common._TAX], p[common._MAT], p[common._DEBT] = 0.21, maturity, 0.4
    p[common._SC], p[common._SN], p[common._SF] = 0.6, 0.1, 0.3
    cap_k = rng.uniform(0.0, 5e9, vr)
    ebitda = rng.normal(1e8, 2e8, (vr, nt))
    start = np.maximum(vint, 0)
    end = np.minimum(start + rng.integers(0, 30, vr), nt)
    d_end = np.cumprod(1.0 / (1.0 + rng.uniform(0.01, 0.03, nt)))
    t_mat = np.array([debt._matured(max(v, 0), v, maturity, nt) for v in vint], dtype=np.int64)
    cover, owed = np.empty(n), np.empty(n)
    tail = np.zeros(((vr + 7) // 8 * 8, nt + 1))
    debt._loan_cover(
        ebitda, start, end, vint, vr, cap_k, p, amortising, *rems, span_cn, d_end, n, t_mat,
        cover, owed, tail, np.empty(n, dtype=np.int64), np.empty(8),
    )  # fmt: skip
    want_cover, want_owed = _cover_one_vintage_at_a_time(
        ebitda, start, end, vint, cap_k, p, amortising, rems, d_end, n
    )
    np.testing.assert_array_equal(owed, want_owed)
    np.testing.assert_array_equal(cover, want_cover)


@pytest.mark.parametrize(
    "overrides",
    [{}, {"accounting.economic_obsolescence": True, "technology.retirement": "foresight"}],
    ids=["base", "obsolescence-foresight"],
)
def test_each_years_capex_valued_alone_agrees_with_the_reference(overrides):
    scenario = sr.load_scenario("base", overrides=overrides)
    samples = sample_range(load_uncertainty("base", scenario), 0, 24, seed=8, sampler="lhs")
    kw = {"breakeven": False, "keep_series": False, "capex_years": True}
    compiled = sr.simulate(scenario, samples, engine="compiled", **kw)
    reference = sr.simulate(scenario, samples, engine="numpy", **kw)
    assert compiled.capex_years == tuple(range(2022, 2036))
    assert compiled.capex_year_peak.shape == (24, 6, 14)
    np.testing.assert_allclose(
        compiled.capex_year_peak, reference.capex_year_peak, rtol=1e-9, atol=1e-9 * MONEY_SCALE
    )
    assert (compiled.capex_year_peak > 0).any()
    one = sr.simulate(scenario, {k: v[:1] for k, v in samples.items()}, breakeven=False)
    for k, company in enumerate([*(c.name for c in scenario.companies), "industry"]):
        by_year = one.stranded_by_capex_year(company)["stranded_peak"].to_numpy()
        np.testing.assert_allclose(compiled.capex_year_peak[0, k], by_year, rtol=1e-9, atol=1e-3)
    plain = sr.simulate(scenario, samples, breakeven=False, keep_series=False)
    assert plain.capex_year_peak is None
    assert plain.outcomes.equals(compiled.outcomes)  # asking for it changes nothing else


@numba.njit
def _write_through_a_borrowed_view(a, x):
    (b,) = common._borrow((a,))
    b[1] = x
    tail = b[1:]  # a view of the borrowed view: no reference count either
    return tail.sum(), b.shape[0]


def test_a_borrowed_view_reads_and_writes_the_arrays_own_memory():
    """The kernel's views without reference counts (on the arrays its caller holds) are the
    arrays themselves: what is written through them is in the caller's array."""
    a = np.zeros(4)
    a[3] = 1.0
    assert _write_through_a_borrowed_view(a, 5.0) == (6.0, 4)
    np.testing.assert_array_equal(a, [0.0, 5.0, 0.0, 1.0])


def test_the_kernel_frees_every_array_it_allocates():
    """The blocks borrow the arrays they allocate (no reference counts) and hold them to their
    end: every allocation is freed once, with the loan cover and capex years too."""
    from numba.core.runtime import _nrt_python as nrt

    scenario = sr.load_scenario("base")
    samples = sample_range(load_uncertainty("base", scenario), 0, 64, 3, "lhs")
    p = build_params(scenario, samples)
    args = prepare_kernel(p, make_grid(scenario.years), _history(p.companies)).args
    _kernel.outcome_rows(*args, True, True, True)  # compiled before counting
    was_on = nrt.memsys_stats_enabled()
    nrt.memsys_enable_stats()
    try:
        before = nrt.memsys_get_stats_alloc(), nrt.memsys_get_stats_free()
        out = _kernel.outcome_rows(*args, True, True, True)
        del out
        allocated = nrt.memsys_get_stats_alloc() - before[0]
        freed = nrt.memsys_get_stats_free() - before[1]
    finally:
        if not was_on:
            nrt.memsys_disable_stats()
    assert allocated > 0
    assert freed == allocated
