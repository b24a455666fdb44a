"""The cohort model against closed forms, invariants, the data and the presets."""

import contextlib
import dataclasses
import math
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strandrisk as sr
from strandrisk.engine import simulate as sim_module
from strandrisk.engine.finance import programme_2026
from strandrisk.engine.model import HOURS_PER_QUARTER, accounts, build_cohorts, make_grid, operate
from strandrisk.engine.params import build_params
from strandrisk.engine.simulate import _history
from strandrisk.engine.valuation import _fair_value_by_vintage

MONEY = ("capex_2026", "npv_2026", "stranded_peak", "impairment_ifrs", "impairment_usgaap")
RATIOS = ("irr_2026", "economic_life_years", "booked_life_years", "min_dscr", "payback_years_2026")

# no technology progress, no price decline, demand always above capacity
STEADY = {
    "technology.doubling_time": 50.0,
    "technology.energy_doubling_time": 100.0,
    "technology.software_efficiency": 0.0,
    "market.price_decline": 0.0,
    "market.demand_growth": 5.0,
    "market.demand_growth_decay": 0.0,
    "market.utilisation": 1.0,
    "market.open_source_share": 0.0,
    "market.device_share": 0.0,
    "market.agentic_multiplier": 1.0,
}


def pipeline(scenario):
    p = build_params(scenario)
    grid = make_grid(scenario.years)
    hist = _history(p.companies)
    cohorts = build_cohorts(p, grid, hist)
    ops = operate(p, grid, cohorts)
    return p, grid, cohorts, ops, accounts(p, grid, cohorts)


def test_cohort_npv_equals_the_annuity_formula():
    overrides = {
        **STEADY,
        "capex.share_compute": 1.0,
        "capex.share_network": 0.0,
        "capex.share_facilities": 0.0,
        "costs.electricity_price": 0.0,
        "costs.fixed_opex_rate": 0.0,
        "costs.tax_rate": 0.0,
        "technology.physical_life": 4.0,
        "financing.wacc": 0.08,
    }
    scenario = sr.load_scenario("base", overrides=overrides).with_companies(("meta",))
    p, grid, cohorts, ops, acc = pipeline(scenario)
    prog = programme_2026(p, grid, cohorts, ops, acc)
    w, r0 = 0.08, scenario.market.rental_rate
    rq = (1 + w) ** 0.25 - 1
    annuity = (1 - (1 + rq) ** -16) / rq  # 16 quarters, paid at quarter ends
    expected = 0.0
    for v in range(4):
        capex = cohorts.capex[0, 0, grid.n_hist + v]
        units = cohorts.units[0, 0, grid.n_hist + v]
        quarterly = units * HOURS_PER_QUARTER * r0
        expected += (1 + w) ** (-v / 4) * (-capex + quarterly * annuity)
    assert prog.npv[0, 0] == pytest.approx(expected, rel=1e-10)
    assert prog.npv[0, 1] == pytest.approx(expected, rel=1e-10)  # industry of one company


def test_no_progress_and_no_price_decline_strand_nothing():
    overrides = {**STEADY, "technology.physical_life": 6.0}
    for name in ("amazon", "alphabet", "meta", "microsoft", "oracle"):
        overrides[f"companies.{name}.compute_life"] = 6.0
        overrides[f"companies.{name}.network_life"] = 6.0
    result = sr.simulate(sr.load_scenario("base", overrides=overrides), breakeven=False)
    out = result.outcomes
    assert (out["stranded_peak"] == 0).all()
    assert (out["impairment_ifrs"] == 0).all()
    assert (out["impairment_usgaap"] == 0).all()
    assert out["first_impairment_ifrs"].isna().all()


def test_fair_value_lens_loses_value_at_epochs_rate():
    d = math.log10(2) / 0.14  # Epoch: 0.14 orders of magnitude a year
    scenario = sr.load_scenario(
        "base",
        overrides={
            "technology.doubling_time": d,
            "costs.electricity_price": 0.0,
            "technology.physical_life": 10.0,
        },
    )
    p, grid, cohorts, ops, _acc = pipeline(scenario)
    cost = cohorts.new_unit_cost[0, 0, 0]
    assert math.log(cost[4] / cost[8]) == pytest.approx(
        0.14 * math.log(10), rel=1e-9
    )  # 0.322 / year
    fv = _fair_value_by_vintage(p, grid, cohorts, ops)[0, 0, grid.n_hist]  # the 2026Q1 cohort
    age = grid.age[grid.n_hist, : grid.t_rep] + 0.25
    remaining = 1 - age / 10.0
    alive = ops.alive[0, 0, grid.n_hist, : grid.t_rep]
    q = np.flatnonzero(alive)[:8]
    rate = -np.diff(np.log(fv[q] / remaining[q])) * 4
    np.testing.assert_allclose(rate, 0.14 * math.log(10), rtol=1e-9)


def test_base_reproduces_the_observed_decline_of_h100_rents():
    reg = sr.load_register()
    observed = reg.fits["h100_rental_on_demand"]  # 2023-2025 market rents, with its 95 % CI
    result = sr.simulate(sr.load_scenario("base"), breakeven=False)
    ind = result.series.sel(company="industry").isel(scenario=0)
    served_hours = ind["served"] / (ind["capacity"] / (ind["installed_units"] * HOURS_PER_QUARTER))
    per_hour = (ind["revenue"] / served_hours).values[:12]  # revenue per accelerator-hour, 2026-28
    t = np.arange(12) / 4
    model_rate = np.polyfit(t, np.log(per_hour), 1)[0]
    lo, hi = observed.rate_ci95
    assert lo <= model_rate <= hi
    assert model_rate == pytest.approx(observed.rate_per_year, abs=1e-6)


def test_the_six_presets_run_and_order_as_the_article_argues():
    peak = {}
    for name in sr.PRESETS:
        out = sr.simulate(sr.load_scenario(name), breakeven=False).outcomes
        assert list(out.columns) == ["scenario", *sr.OUTCOME_COLUMNS]
        assert (out["stranded_peak"] >= 0).all()
        peak[name] = out.set_index("company").loc["industry", "stranded_peak"]
    assert peak["accounting-view"] < peak["base"]
    assert peak["agentic-boom"] < peak["open-source-collapse"]


def test_outcome_table_types_and_dates():
    out = sr.simulate(sr.load_scenario("base")).outcomes
    assert list(out["company"]) == ["amazon", "alphabet", "meta", "microsoft", "oracle", "industry"]
    assert out["company"].dtype == pd.Series(["amazon"]).dtype  # pandas' own string dtype
    ind = out.set_index("company").loc["industry"]
    assert ind["capex_2026"] == pytest.approx(0.75 * (200 + 180 + 135 + 190 + 50) * 1e9)
    assert out["capex_2026"].iloc[:5].sum() == pytest.approx(ind["capex_2026"])
    assert out["npv_2026"].iloc[:5].sum() == pytest.approx(ind["npv_2026"])
    for column in ("stranded_peak_date", "first_impairment_ifrs", "first_impairment_usgaap"):
        values = [v for v in out[column] if v is not None]
        assert all(len(v) == 6 and v[4] == "Q" for v in values)
    assert np.isfinite(ind["breakeven_demand_growth"])


def _random_samples(n, seed):
    rng = np.random.default_rng(seed)
    return {
        "market.price_decline": rng.uniform(0.3, 2.0, n),
        "market.demand_growth": rng.uniform(0.0, 2.0, n),
        "technology.doubling_time": rng.uniform(1.5, 4.0, n),
        "market.open_source_share": rng.uniform(0.0, 0.5, n),
        "technology.physical_life": rng.uniform(4.0, 8.0, n),
    }


def test_a_scenario_is_identical_alone_or_in_a_batch_of_10000():
    n, j = 10_000, 4321
    samples = _random_samples(n, 7)
    batch = sr.simulate(
        sr.load_scenario("base"), samples, breakeven=False, keep_series=False, chunk_size=512
    )
    alone = sr.simulate(
        sr.load_scenario("base"),
        {k: v[j : j + 1] for k, v in samples.items()},
        breakeven=False,
        keep_series=False,
    )
    got = (
        batch.outcomes[batch.outcomes["scenario"] == j]
        .drop(columns="scenario")
        .reset_index(drop=True)
    )
    want = alone.outcomes.drop(columns="scenario")
    assert got.equals(want)


def test_results_do_not_depend_on_chunk_size():
    samples = _random_samples(12, 3)
    a = sr.simulate(sr.load_scenario("base"), samples, chunk_size=12, keep_series=False).outcomes
    b = sr.simulate(sr.load_scenario("base"), samples, chunk_size=5, keep_series=False).outcomes
    assert a.equals(b)


def test_results_do_not_depend_on_how_a_chunk_is_split_across_threads(monkeypatch):
    samples = _random_samples(1000, 5)

    def run():
        scenario = sr.load_scenario("base")
        return sr.simulate(scenario, samples, breakeven=False, keep_series=False).outcomes

    monkeypatch.setattr(sim_module, "PART_MIN", 10**9)
    whole = run()
    monkeypatch.setattr(sim_module, "PART_MIN", 100)
    monkeypatch.setattr(sim_module.numba, "get_num_threads", lambda: 3)  # 333, 333, 334 rows
    assert len(sim_module._prepare_parts(*_chunk_args(samples))) == 3
    assert run().equals(whole)


def _chunk_args(samples):
    scenario = sr.load_scenario("base")
    p = build_params(scenario, samples)
    return p, make_grid(scenario.years), _history(p.companies)


@contextlib.contextmanager
def scaled_installed_base(k):
    """Scale the installed base's dollar figures (data, not scenario parameters) by k."""
    original = sim_module._history

    def scaled(companies):
        h = original(companies)
        return dataclasses.replace(
            h,
            nvidia_spend=h.nvidia_spend * k,
            nvidia_cost_per_h100e=h.nvidia_cost_per_h100e * k,
            spend_2025_all=h.spend_2025_all * k,
        )

    with mock.patch.object(sim_module, "_history", scaled):
        yield


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.sampled_from([0.001, 0.5, 3.0, 1000.0]), seed=st.integers(0, 100))
def test_scaling_every_money_input_scales_every_money_outcome(k, seed):
    base = sr.load_scenario("base")
    samples = {key: v[:3] for key, v in _random_samples(3, seed).items()}
    plain = sr.simulate(base, samples, keep_series=False).outcomes
    money = {
        "market.rental_rate": base.market.rental_rate * k,
        "market.start_price": base.market.start_price * k,
        "costs.electricity_price": base.costs.electricity_price * k,
    }
    for c in base.companies:
        money[f"companies.{c.name}.capex_2026"] = c.capex_2026 * k
    with scaled_installed_base(k):
        scaled = sr.simulate(
            sr.load_scenario("base", overrides=money), samples, keep_series=False
        ).outcomes
    for column in MONEY:
        np.testing.assert_allclose(scaled[column], plain[column] * k, rtol=1e-7, atol=1e-6 * k)
    for column in RATIOS:
        np.testing.assert_allclose(scaled[column], plain[column], rtol=1e-6)
    for column in ("breakeven_demand_growth", "breakeven_price_decline"):
        # each solve stops inside a bracket of 1e-7 a year (docs/model.md): two solves of
        # the same root can end up to about twice that apart (k=3, seed=99: 1.9e-7)
        np.testing.assert_allclose(scaled[column], plain[column], rtol=0, atol=3e-7)


@settings(max_examples=10, deadline=None)
@given(decline=st.floats(0.2, 2.5), growth=st.floats(-0.5, 2.0), share=st.floats(0.0, 0.6))
def test_with_non_negative_cash_flows_usgaap_never_impairs_before_ifrs(decline, growth, share):
    overrides = {
        "market.price_decline": decline,
        "market.demand_growth": growth,
        "market.open_source_share": share,
        "costs.fixed_opex_rate": 0.0,
        "costs.electricity_price": 0.0,
    }
    out = sr.simulate(
        sr.load_scenario("base", overrides=overrides), breakeven=False, keep_series=False
    ).outcomes
    for ifrs, gaap in zip(
        out["first_impairment_ifrs"], out["first_impairment_usgaap"], strict=True
    ):
        if gaap is not None:
            assert ifrs is not None
            assert ifrs <= gaap


@settings(max_examples=10, deadline=None)
@given(fast=st.floats(1.0, 3.0), extra=st.floats(0.1, 5.0))
def test_faster_progress_never_lowers_peak_stranding_of_the_installed_base(fast, extra):
    zero = {
        f"companies.{c}.capex_2026": 0.0
        for c in ("amazon", "alphabet", "meta", "microsoft", "oracle")
    }
    common = {**zero, "capex.path": "none"}
    quick = sr.load_scenario("base", overrides={**common, "technology.doubling_time": fast})
    slow = sr.load_scenario("base", overrides={**common, "technology.doubling_time": fast + extra})
    a = sr.simulate(quick, breakeven=False, keep_series=False).outcomes["stranded_peak"]
    b = sr.simulate(slow, breakeven=False, keep_series=False).outcomes["stranded_peak"]
    assert (a.to_numpy() >= b.to_numpy() - 1e-6 * np.maximum(b.to_numpy(), 1.0)).all()


def test_seeded_samples_reproduce_bit_for_bit():
    a = sr.simulate(sr.load_scenario("base"), _random_samples(6, 11), keep_series=False).outcomes
    b = sr.simulate(sr.load_scenario("base"), _random_samples(6, 11), keep_series=False).outcomes
    c = sr.simulate(sr.load_scenario("base"), _random_samples(6, 12), keep_series=False).outcomes
    assert a.equals(b)
    assert not a.equals(c)


def test_series_are_labelled():
    ds = sr.simulate(sr.load_scenario("base"), breakeven=False).series
    assert ds.sizes["quarter"] == 40
    assert ds.sizes["company"] == 6
    assert str(ds.quarter.values[0]) == "2026Q1"
    assert str(ds.quarter.values[-1]) == "2035Q4"
    assert (ds["stranded_value"] >= 0).all()
    np.testing.assert_allclose(
        ds["book_value"] - ds["recoverable_amount"], ds["depreciation_gap"], rtol=1e-12, atol=1e-3
    )
    assert str(ds.vintage.values[0]) == "2022Q1"


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        ({"market.nothing": [1.0]}, "'market.nothing' is not a numeric scenario parameter"),
        (
            {"market.elasticty": [1.0]},
            r"'market.elasticty' is not a numeric scenario parameter \(did you mean "
            r"market\.elasticity\?\)",
        ),
        ({"capex.path": [1.0]}, "'capex.path' is not a numeric scenario parameter"),
        (
            {"market.price_decline": [1.0, 0.5], "market.elasticity": [1.0]},
            r"arrays of different lengths \[1, 2\]",
        ),
        ({"market.price_decline": [1.0, np.nan]}, "'market.price_decline' has non-finite"),
        ({"market.price_decline": np.ones((2, 2))}, r"has shape \(2, 2\); expected \(S,\)"),
        ({"market.price_decline": ["fast", "slow"]}, "holds values that are not numbers"),
        ({"market.price_decline": []}, "the arrays are empty"),
        (
            {"technology.physical_life": [4.0, -1.0]},
            r"'technology.physical_life' = -1.0 in scenario 1 is outside the allowed range "
            r"\[0.5, 10\] \(year\)",
        ),
        (
            {"companies.meta.compute_life": [0.0]},
            r"'companies.meta.compute_life' = 0.0 in scenario 0 is outside",
        ),
        (
            {"capex.share_compute": [0.9]},
            r"in scenario 0, capex.share_compute \+ capex.share_network \+ "
            r"capex.share_facilities add to 1.4",
        ),
        (
            {"market.open_source_share": [0.2, 0.95]},
            r"in scenario 1, market.open_source_share \+ market.device_share add to 1.05",
        ),
    ],
)
def test_samples_outside_what_a_scenario_file_allows_are_refused(samples, message):
    with pytest.raises(ValueError, match=message):
        sr.simulate(sr.load_scenario("base"), samples, breakeven=False, keep_series=False)


def test_samples_at_the_ends_of_the_allowed_ranges_run():
    out = sr.simulate(
        sr.load_scenario("base", overrides={"years": 2}),
        {"technology.physical_life": [0.5, 10.0], "market.utilisation": [0.01, 1.0]},
        breakeven=False,
        keep_series=False,
    ).outcomes
    assert len(out) == 12


def test_simulate_says_how_to_make_a_scenario_when_given_a_name():
    with pytest.raises(TypeError, match=r"load_scenario\('base'\)"):
        sr.simulate("base")


def test_every_parameter_at_either_end_of_its_range_gives_finite_outcomes():
    """Both engines, 30 years, each parameter at its allowed low and high (one at a time)."""
    from strandrisk.scenarios.schema import parameter_fields

    scenario = sr.load_scenario("base", overrides={"years": 30})
    fields = parameter_fields(scenario)
    rows = []
    for key, _, meta in fields:
        for end in (meta["lo"], meta["hi"]):
            row = {k: v for k, v, _ in fields} | {key: end}
            shares = row["capex.share_compute"] + row["capex.share_network"]
            if abs(shares + row["capex.share_facilities"] - 1) > 1e-6:
                continue  # a share alone cannot move: the three add to 1
            if row["market.open_source_share"] + row["market.device_share"] >= 1:
                continue
            rows.append(row)
    samples = {k: np.array([r[k] for r in rows]) for k, _, _ in fields}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        compiled = sr.simulate(scenario, samples, breakeven=False, keep_series=False).outcomes
        reference = sr.simulate(
            scenario, samples, breakeven=False, keep_series=False, engine="numpy"
        ).outcomes
    for column in ("stranded_peak", "npv_2026", "impairment_ifrs", "impairment_usgaap"):
        x, y = compiled[column].to_numpy(float), reference[column].to_numpy(float)
        assert np.isfinite(x).all(), column
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-3, err_msg=column)
    ai = samples["capex.ai_share"].repeat(6) > 0  # no 2026 capex: no economic life
    assert np.isfinite(compiled["economic_life_years"].to_numpy(float)[ai]).all()
    for frame in (compiled, reference):  # and nothing to pay back
        assert np.isnan(frame["payback_years_2026"].to_numpy(float)[~ai]).all()


def test_every_series_variable_carries_its_unit():
    series = sr.simulate(sr.load_scenario("base"), breakeven=False).series
    assert set(series.data_vars) == set(sr.SERIES_UNITS)
    for name, variable in series.data_vars.items():
        assert variable.attrs["units"] == sr.SERIES_UNITS[name]


def test_economic_obsolescence_caps_fair_value_at_what_the_assets_earn():
    """IFRS 13.B9: with the switch, fair value is min(replacement cost, value in use)."""
    samples = _random_samples(8, 3)
    plain = sr.simulate(sr.load_scenario("base"), samples, breakeven=False)
    capped = sr.simulate(
        sr.load_scenario("base", overrides={"accounting.economic_obsolescence": True}),
        samples,
        breakeven=False,
    )
    a, b = plain.series, capped.series
    cost, viu = a["fair_value"], a["value_in_use"]
    np.testing.assert_allclose(b["value_in_use"], viu, rtol=1e-12)  # the cash flows are the same
    np.testing.assert_allclose(b["fair_value"], np.minimum(cost, viu), rtol=1e-12)
    # the economic value is then the value in use, and stranding the compute book less it
    economic = b["recoverable_amount"] - b["book_facilities"]
    np.testing.assert_allclose(economic, b["value_in_use"], rtol=1e-9, atol=1.0)
    expected = np.maximum(b["book_compute"] - b["value_in_use"], 0.0)
    np.testing.assert_allclose(b["stranded_value"], expected, rtol=1e-9, atol=1.0)
    # a lower fair value never strands or impairs less
    for column in ("stranded_peak", "impairment_ifrs", "impairment_usgaap"):
        more = capped.outcomes[column].to_numpy()
        less = plain.outcomes[column].to_numpy()
        assert (more >= less - 1e-6 * np.maximum(less, 1.0)).all(), column


@pytest.mark.parametrize("factor", [1.5, 2.0])
def test_a_declining_balance_lowers_the_books_and_never_strands_more(factor):
    """The method moves the book, not what the assets earn or fetch: stranding can only fall."""
    samples = _random_samples(8, 5)
    plain = sr.simulate(sr.load_scenario("base"), samples, breakeven=False)
    faster = sr.simulate(
        sr.load_scenario("base", overrides={"accounting.declining_balance": factor}),
        samples,
        breakeven=False,
    )
    a, b = plain.series, faster.series
    for name in ("value_in_use", "fair_value", "ebitda", "book_facilities"):
        np.testing.assert_array_equal(b[name], a[name], err_msg=name)
    assert (b["book_compute"] <= a["book_compute"] * (1 + 1e-12)).all()
    assert (b["book_compute"] < a["book_compute"]).any()
    assert (b["stranded_value"] <= a["stranded_value"] + 1e-6).all()
    more, less = plain.outcomes["stranded_peak"], faster.outcomes["stranded_peak"]
    assert (less.to_numpy() <= more.to_numpy() + 1e-6).all()
    # the charge comes earlier, so the same cash pays tax later: the 2026 NPV rises
    assert (faster.outcomes["npv_2026"] >= plain.outcomes["npv_2026"] - 1e-6).all()


def test_interest_cover_is_ebit_over_interest_year_by_year():
    """From the quarterly series: (EBITDA - booked depreciation) / interest, summed by year."""
    samples = _random_samples(6, 9)
    result = sr.simulate(sr.load_scenario("base"), samples, breakeven=False)
    ds = result.series

    def annual(name):
        x = ds[name].to_numpy()
        return x.reshape(*x.shape[:-1], -1, 4).sum(axis=-1)

    interest = annual("interest")
    expected = (annual("ebitda") - annual("depreciation")) / interest
    np.testing.assert_allclose(ds["interest_cover"].to_numpy(), expected, rtol=1e-9)
    lowest = result.outcomes["min_interest_cover"].to_numpy().reshape(6, -1)
    np.testing.assert_allclose(lowest, expected.min(axis=-1), rtol=1e-9)
    debt_free = sr.simulate(
        sr.load_scenario("base", overrides={"financing.debt_share": 0.0}), breakeven=False
    )
    assert debt_free.outcomes["min_interest_cover"].isna().all()  # no interest, no cover
    assert np.isnan(debt_free.series["interest_cover"].to_numpy()).all()


def test_with_economic_obsolescence_weaker_demand_lowers_fair_value():
    def fair_value(growth, obsolescence):
        overrides = {
            "market.demand_growth": growth,
            "accounting.economic_obsolescence": obsolescence,
            "years": 5,
        }
        scenario = sr.load_scenario("base", overrides=overrides)
        series = sr.simulate(scenario, breakeven=False).series.sel(company="industry")
        return series["fair_value"].to_numpy()[0]

    weak, strong = fair_value(0.3, True), fair_value(1.0, True)
    assert (weak <= strong + 1e-6).all()
    assert (weak < strong).any()  # less demand, less to earn, less a buyer would pay


def test_llcr_is_defined_where_there_is_debt_and_the_industry_is_a_weighted_mean():
    result = sr.simulate(sr.load_scenario("base"), _random_samples(4, 8), breakeven=False)
    llcr, debt = result.series["llcr"].values, result.series["debt"].values
    assert np.isnan(llcr[debt == 0]).all()  # the same balances as the debt series
    assert np.isfinite(llcr[debt > 0]).all()
    # a ratio of sums: the industry's lies between its companies' where all have debt
    companies, industry = llcr[:, :-1, :], llcr[:, -1, :]
    all_owe = (debt[:, :-1, :] > 0).all(axis=1)
    lo, hi = np.nanmin(companies, axis=1), np.nanmax(companies, axis=1)
    assert (industry[all_owe] >= lo[all_owe] * (1 - 1e-12)).all()
    assert (industry[all_owe] <= hi[all_owe] * (1 + 1e-12)).all()
    none = sr.simulate(
        sr.load_scenario("base", overrides={"financing.debt_share": 0.0}), breakeven=False
    )
    assert np.isnan(none.series["llcr"].values).all()


def test_value_at_reads_each_companys_position_at_a_quarters_end():
    scenario = sr.load_scenario("base", {"years": 6})
    samples = {"market.price_decline": np.array([0.5, 1.2])}
    result = sr.simulate(scenario, samples, breakeven=False)
    ds = result.series
    for s in (0, 1):
        table = result.value_at("2029Q4", scenario=s)
        assert list(table.columns) == list(sr.VALUE_AT_COLUMNS)
        assert list(table.index) == [c.name for c in scenario.companies] + ["industry"]
        one = ds.isel(scenario=s)
        # stocks at the quarter's end, by their definitions
        economic = np.maximum(table["value_in_use"], table["fair_value"])
        np.testing.assert_allclose(
            table["stranded_value"], np.maximum(table["book_compute"] - economic, 0.0), atol=1.0
        )
        np.testing.assert_allclose(
            table["recoverable_amount"], table["book_facilities"] + economic, rtol=1e-12
        )
        np.testing.assert_allclose(
            table["book_value"], table["book_compute"] + table["book_facilities"], rtol=1e-12
        )
        for name in ("carrying_ifrs", "utilisation", "ebitda"):
            np.testing.assert_array_equal(table[name], one[name].sel(quarter="2029Q4"))
        # impairment to date: the quarters' charges from 2026Q1 to 2029Q4 (16 of them)
        charges = one["impairment_usgaap"].to_numpy()[:, :16].sum(axis=1)
        np.testing.assert_allclose(table["impairment_usgaap_to_date"], charges, rtol=1e-12)
        # at the last quarter the charges to date are the outcome table's totals
        last = result.value_at("2031Q4", scenario=s)["impairment_ifrs_to_date"]
        totals = result.outcomes[result.outcomes["scenario"] == s].set_index("company")
        np.testing.assert_allclose(last, totals["impairment_ifrs"], rtol=1e-9, atol=1.0)
    # each scenario's own position (the two price paths strand different amounts)
    slow, fast = (result.value_at("2031Q4", scenario=s) for s in (0, 1))
    assert fast.loc["industry", "stranded_value"] != slow.loc["industry", "stranded_value"]


@pytest.mark.parametrize(
    ("kwargs", "quarter", "message"),
    [
        ({}, "2036Q1", r"quarter '2036Q1': not in the horizon, 2026Q1 to 2035Q4"),
        ({}, "2029-4", "not in the horizon"),
        ({"keep_series": False}, "2029Q4", "simulate with keep_series=True"),
    ],
)
def test_value_at_refuses_what_it_cannot_read(kwargs, quarter, message):
    result = sr.simulate(sr.load_scenario("base"), breakeven=False, **kwargs)
    with pytest.raises(sr.InputError, match=message):
        result.value_at(quarter)
    if kwargs == {}:
        with pytest.raises(sr.InputError, match=r"scenario 1: the run has 1 \(0 to 0\)"):
            result.value_at("2029Q4", scenario=1)
