"""Which year's capex strands: each calendar year's cohorts valued as a group alone."""

import numpy as np
import pytest

import strandrisk as sr
from strandrisk.engine.model import accounts, build_cohorts, make_grid, operate, reported_vintages
from strandrisk.engine.params import build_params
from strandrisk.engine.simulate import _history
from strandrisk.engine.valuation import _fair_value_by_vintage, discount_end


@pytest.fixture(scope="module")
def base():
    scenario = sr.load_scenario("base", {"years": 6})
    return scenario, sr.simulate(scenario, breakeven=False)


def test_one_years_cohorts_by_hand(base):
    """The 2027 cohorts of one company, quarter by quarter, in plain loops."""
    scenario, result = base
    ds = result.series.isel(scenario=0)
    p = build_params(scenario, {})
    full = make_grid(scenario.years)
    cohorts = build_cohorts(p, full, _history(p.companies))
    grid, cohorts, ops = reported_vintages(full, cohorts, operate(p, full, cohorts))
    book_v = accounts(p, grid, cohorts).book_compute[0]
    fair_v = _fair_value_by_vintage(p, grid, cohorts, ops)[0]
    ebitda = ops.ebitda[0]
    df = discount_end(p, grid)[0, 0, 0]
    n, nt = grid.t_rep, ebitda.shape[-1]
    k = list(p.companies).index("meta")
    year = [v for v in range(grid.vintage.size) if 4 <= grid.vintage[v] <= 7]  # 2027Q1-Q4
    cell = ds.sel(company="meta", capex_year=2027)
    for t in range(n):
        alive = [v for v in year if grid.vintage[v] <= t]
        book = sum(book_v[k, v, t] for v in year)
        viu = sum(ebitda[k, v, u] * df[u] for v in alive for u in range(t + 1, nt)) / df[t]
        fair = sum(fair_v[k, v, t] for v in year)
        assert float(cell["book_by_capex_year"][t]) == pytest.approx(book, rel=1e-9, abs=1.0)
        stranded = max(book - max(viu, fair), 0.0)
        got = float(cell["stranded_by_capex_year"][t])
        assert got == pytest.approx(stranded, rel=1e-9, abs=1.0)
    assert float(cell["stranded_by_capex_year"].max()) > 0  # base: 2027's capex strands


def test_the_years_books_add_up_to_the_units(base):
    _, result = base
    ds = result.series
    np.testing.assert_allclose(
        ds["book_by_capex_year"].sum("capex_year"), ds["book_compute"], rtol=1e-12
    )
    to_2026 = ds["book_by_capex_year"].sel(capex_year=slice(2022, 2026)).sum("capex_year")
    np.testing.assert_allclose(to_2026, ds["book_compute_to_2026"], rtol=1e-12)
    assert list(ds["capex_year"].values) == list(range(2022, 2032))
    assert (ds["stranded_by_capex_year"] <= ds["book_by_capex_year"] * (1 + 1e-12)).all()


def test_the_table_reads_each_years_peak_off_the_series(base):
    _, result = base
    for company in ("industry", "amazon"):
        table = result.stranded_by_capex_year(company)
        cell = result.series.isel(scenario=0).sel(company=company)
        for year, row in table.iterrows():
            path = cell["stranded_by_capex_year"].sel(capex_year=year)
            assert row["stranded_peak"] == float(path.max())
            if row["stranded_peak"] > 0:
                at = str(path["quarter"].values[int(np.argmax(path.values))])
                assert row["stranded_peak_date"] == at
                book = cell["book_by_capex_year"].sel(capex_year=year, quarter=at)
                assert row["book_at_peak"] == float(book)
            else:
                assert table.loc[year, "stranded_peak_date"] is None


def test_without_capex_after_2026_the_later_years_hold_nothing():
    scenario = sr.load_scenario("base", {"years": 4, "capex.path": "none"})
    table = sr.simulate(scenario, breakeven=False).stranded_by_capex_year()
    later = table.loc[2027:]
    assert (later["stranded_peak"] == 0).all()
    assert (later["book_at_peak"] == 0).all()
    assert later["stranded_peak_date"].isna().all()


def test_refusals(base):
    _, result = base
    with pytest.raises(sr.InputError, match="nvidia"):
        result.stranded_by_capex_year("nvidia")
    with pytest.raises(sr.InputError, match="scenario 3"):
        result.stranded_by_capex_year(scenario=3)
    bare = sr.simulate(sr.load_scenario("base"), breakeven=False, keep_series=False)
    with pytest.raises(sr.InputError, match="keep_series=True"):
        bare.stranded_by_capex_year()
