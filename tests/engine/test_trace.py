"""A cohort's trace, checked against hand calculations and against the company's figures."""

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk import InputError
from strandrisk.cli.main import app
from strandrisk.engine.trace import FACT_UNITS, TRACE_UNITS, trace_cohort

QUARTER = 0.25


@pytest.fixture(scope="module")
def base():
    return sr.load_scenario("base")


@pytest.fixture(scope="module")
def meta_2026q2(base):
    return trace_cohort(base, "meta", "2026Q2")


def test_its_flows_add_up_quarter_by_quarter(meta_2026q2):
    q = meta_2026q2.quarters
    assert list(q.columns) == list(TRACE_UNITS)
    assert set(meta_2026q2.facts) == set(FACT_UNITS)
    assert q.index[0] == "2026Q2"  # from its own quarter
    np.testing.assert_allclose(q["ebitda"], q["revenue"] - q["energy_cost"] - q["fixed_opex"])
    np.testing.assert_allclose(q["revenue"], q["served"] * q["token_price"], rtol=1e-12)
    assert (q["served"] <= q["capacity"] * (1 + 1e-12)).all()
    f = meta_2026q2.facts
    assert f["capex"] == pytest.approx(
        f["capex_compute"] + f["capex_network"] + f["capex_facilities"]
    )
    assert q["capex"].iloc[0] == f["capex"]
    assert q["capex"].iloc[1:].eq(0).all()
    # booked straight line: compute and network written off over 5.5 years
    per_quarter = (f["capex_compute"] + f["capex_network"]) * QUARTER / 5.5
    assert q["book_compute"].iloc[0] == pytest.approx(
        f["capex_compute"] + f["capex_network"] - per_quarter
    )
    assert q["book_compute"].iloc[21] == pytest.approx(0.0, abs=1.0)  # 22 quarters on


def test_its_npv_is_the_hand_discounted_cash_flows(meta_2026q2, base):
    """Tax on EBITDA less depreciation, the shell's charge left out once it passes on."""
    q, f = meta_2026q2.quarters, meta_2026q2.facts
    w, tau, life = f["wacc"], f["tax_rate"], f["physical_life"]
    facilities, years = f["capex_facilities"], base.accounting.facilities_life
    hand = 1 + math.ceil(life / QUARTER)  # quarters from 2026Q1: the 2026Q2 cohort
    total = -f["capex"] * (1 + w) ** (-1 / 4)  # capex at the start of 2026Q2
    for i, (label, row) in enumerate(q.iterrows()):
        t = i + 1  # quarters from 2026Q1
        shell_charge = facilities * QUARTER / years if t >= hand else 0.0  # straight line
        tax = tau * (row["ebitda"] - (row["depreciation"] - shell_charge))
        assert row["tax"] == pytest.approx(tax, rel=1e-12, abs=1e-3), label
        shell = facilities * (1 - life / years) if t == hand - 1 else 0.0
        assert row["shell"] == pytest.approx(shell, rel=1e-12), label
        total += (row["ebitda"] - tax + shell) * (1 + w) ** (-(t + 1) / 4)
        assert row["discount_factor"] == pytest.approx((1 + w) ** (-(t + 1) / 4), rel=1e-12)
    assert f["npv"] == pytest.approx(total, rel=1e-9)
    cf = np.zeros(82)
    cf[1] = -f["capex"]
    cf[2 : 2 + len(q)] = q["ebitda"] - q["tax"] + q["shell"]
    assert f["irr"] == pytest.approx(float(sr.irr(cf[None, :], periods_per_year=4)[0]), rel=1e-9)


def test_its_values_are_the_models_definitions_by_hand(meta_2026q2):
    q = meta_2026q2.quarters
    reported = q.iloc[:39]  # 2026Q2 to 2035Q4
    e, df = q["ebitda"].to_numpy(), q["discount_factor"].to_numpy()
    for i in (0, 5, 12):  # value in use: the EBITDA after the quarter, discounted to its end
        expected = sum(e[u] * df[u] for u in range(i + 1, len(e))) / df[i]
        assert reported["value_in_use"].iloc[i] == pytest.approx(expected, rel=1e-9)
    strand = np.maximum(
        reported["book_compute"] - np.maximum(reported["value_in_use"], reported["fair_value"]), 0
    )
    np.testing.assert_allclose(reported["stranded_value"], strand, rtol=1e-12, atol=1e-3)
    assert meta_2026q2.facts["stranded_peak"] == reported["stranded_value"].max()
    assert q.loc["2036Q1":, "value_in_use"].isna().all()  # no valuation after the horizon


def test_the_cohorts_add_up_to_the_company_in_both_engines(base, meta_2026q2):
    checks = meta_2026q2.checks
    assert list(checks.columns) == ["cohorts", "model", "difference"]
    for _, row in checks.iterrows():
        assert abs(row["difference"]) <= 1e-9 * abs(row["model"])
    # the programme NPV from four traces, against the NumPy reference engine's too
    npvs = [trace_cohort(base, "meta", f"2026Q{j}").facts["npv"] for j in range(1, 5)]
    ref = sr.simulate(base, engine="numpy", breakeven=False, keep_series=False).outcomes
    assert sum(npvs) == pytest.approx(
        float(ref.set_index("company").loc["meta", "npv_2026"]), rel=1e-9
    )


def test_an_installed_base_cohort_has_sunk_capex(base):
    t = trace_cohort(base, "amazon", "2023Q2")
    assert t.quarters.index[0] == "2026Q1"
    assert math.isnan(t.facts["npv"])
    assert math.isnan(t.facts["irr"])
    assert t.quarters["capex"].eq(0).all()
    assert t.quarters["shell"].eq(0).all()
    assert t.facts["economic_life"] == pytest.approx(2.75)  # idle from 2026Q1: Amazon overbuilds
    assert t.first_loss == "2026Q1"


@pytest.mark.parametrize(
    ("rule", "retired"), [("trailing-year", "2026Q4"), ("foresight", "2029Q1")]
)
def test_it_says_when_the_retirement_rule_retires_it(rule, retired):
    """Meta's 2024Q3 cohort, idle from 2026Q1: scrapped after a year, or kept for 2028."""
    scenario = sr.load_scenario("base", overrides={"technology.retirement": rule})
    t = trace_cohort(scenario, "meta", "2024Q3")
    assert (t.retired, t.retirement_rule) == (retired, rule)
    q = t.quarters
    age = (np.arange(len(q)) + 6) * QUARTER  # 2026Q1 is 1.5 years after 2024Q3
    before = (age < t.facts["physical_life"]) & (q["in_service"].to_numpy() == 0)
    assert q.index[np.argmax(before)] == retired  # the first quarter out before its life ends
    assert q["in_service"].loc[:retired].iloc[:-1].eq(1).all()
    full = trace_cohort(sr.load_scenario("base"), "alphabet", "2026Q1")  # EBITDA to 2031Q2
    assert full.retired is None  # in service to its physical life's end, 2031Q4
    assert full.quarters["in_service"].loc["2026Q1":"2031Q4"].eq(1).all()


def test_the_years_sum_the_quarters(meta_2026q2):
    years, q = meta_2026q2.years(), meta_2026q2.quarters
    in_2027 = q.loc["2027Q1":"2027Q4"]
    assert years.loc[2027, "ebitda"] == pytest.approx(in_2027["ebitda"].sum())
    assert years.loc[2027, "book_compute"] == in_2027["book_compute"].iloc[-1]
    assert years.loc[2027, "utilisation"] == pytest.approx(
        in_2027["served"].sum() / in_2027["capacity"].sum()
    )


@pytest.mark.parametrize(
    ("company", "vintage", "message"),
    [
        ("industry", "2026Q1", "a cohort belongs to one company"),
        ("nvidia", "2026Q1", "company 'nvidia': the scenario has"),
        ("meta", "2026", "expected a quarter such as 2026Q1"),
        ("meta", "2021Q4", "outside 2022Q1 to 2035Q4"),
        ("meta", "2036Q1", "outside 2022Q1 to 2035Q4"),
    ],
)
def test_impossible_traces_are_refused(base, company, vintage, message):
    with pytest.raises(InputError, match=message):
        trace_cohort(base, company, vintage)


def test_a_quarter_without_capex_has_no_cohort_to_trace():
    none = sr.load_scenario("base", overrides={"capex.path": "none"})
    with pytest.raises(InputError, match=r"oracle buys nothing in 2027Q1 .*no cohort to trace"):
        trace_cohort(none, "oracle", "2027Q1")
    assert trace_cohort(none, "oracle", "2026Q4").facts["capex"] > 0  # 2026 is guided


def test_the_command(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["trace", "meta", "2026Q1", "--set", "years=4"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "meta's 2026Q1 cohort (base)" in text
    assert "NPV at 9.0 % WACC" in text
    assert "Checks against meta's figures from strandrisk.simulate" in text
    assert "year util revenue EBITDA cash book in use fair stranded" in text
    csv, xlsx = tmp_path / "q.csv", tmp_path / "t.xlsx"
    args = ["trace", "meta", "2026Q1", "--set", "years=4", "--csv", str(csv), "--xlsx", str(xlsx)]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["vintage"] == "2026Q1"
    assert out["units"]["quarters"]["ebitda"] == "USD"
    first = out["quarters"]["2026Q1"]
    assert first["capex"] == out["facts"]["capex"]
    assert csv.read_text().splitlines()[0].startswith("quarter,in_service,units,capacity")
    from openpyxl import load_workbook

    assert load_workbook(xlsx).sheetnames == ["facts", "quarters", "years", "checks", "units"]
    r = runner.invoke(app, ["trace", "industry", "2026Q1"])
    assert r.exit_code == 2
    assert "a cohort belongs to one company" in r.stderr
