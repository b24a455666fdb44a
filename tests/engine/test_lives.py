"""Depreciation at the booked lives against a shorter life (``strandrisk lives``)."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app
from strandrisk.engine.lives import life_effect

COMPANIES = ("amazon", "alphabet", "meta", "microsoft", "oracle")


def _uniform(life, **extra):
    keys = {f"companies.{c}.{f}": life for c in COMPANIES for f in ("compute_life", "network_life")}
    return sr.load_scenario("base", {**keys, **extra})


@pytest.fixture(scope="module")
def base():
    return life_effect(sr.load_scenario("base"), 3.0)


def test_the_shorter_life_is_the_scenario_booked_at_it(base):
    # an independent path: the scenario loaded with every life set to 3 years
    series = sr.simulate(_uniform(3.0), breakeven=False).series.isel(scenario=0)
    quarters = [str(q) for q in series["quarter"].values]
    for company in ("meta", "industry"):
        dep = series["depreciation"].sel(company=company).to_numpy()
        for year in (2026, 2027, 2028):
            mine = [i for i, q in enumerate(quarters) if q.startswith(str(year))]
            expected = dep[mine].sum()
            got = base.by_year.loc[(company, year), "at_life"]
            assert got == pytest.approx(expected, rel=1e-12)
    booked = sr.simulate(sr.load_scenario("base"), breakeven=False).series.isel(scenario=0)
    dep = booked["depreciation"].sel(company="industry").to_numpy()[:12].sum()
    assert base.total.loc["industry", "booked"] == pytest.approx(dep, rel=1e-12)


def test_ebit_falls_by_exactly_the_understatement_and_the_totals_add_up(base):
    t = base.by_year
    np.testing.assert_allclose(t["ebit_booked"] - t["ebit_at_life"], t["understated"], rtol=1e-9)
    np.testing.assert_allclose(t["understated"], t["at_life"] - t["booked"], rtol=0, atol=1e-3)
    np.testing.assert_allclose(t["ebit_booked"], t["ebitda"] - t["booked"], rtol=1e-12)
    summed = t.drop(columns="overstated").groupby(level="company", sort=False).sum()
    np.testing.assert_allclose(base.total[summed.columns], summed, rtol=1e-12)
    over = t["ebit_booked"] / t["ebit_at_life"] - 1
    np.testing.assert_allclose(t["overstated"], over, rtol=1e-12)
    assert list(base.total.index) == [*COMPANIES, "industry"]
    # with capex growing, three-year lives charge more in every year than five or six
    assert (t["understated"] > 0).all()


def test_booking_at_the_booked_life_leaves_nothing_out():
    same = life_effect(_uniform(5.0), 5.0, 2027, 2031)
    assert (same.by_year["understated"] == 0).all()
    assert (same.by_year["overstated"] == 0).all()
    assert list(same.by_year.index.get_level_values("year").unique()) == list(range(2027, 2032))


def test_the_implied_life_reproduces_the_target():
    sc = sr.load_scenario("base")
    burry = sr.load_register().value("depreciation_understated_burry_2026_2028")
    effect = life_effect(sc, 3.0, target=burry)
    assert 3.0 < effect.implied_life < 5.0
    again = life_effect(sc, effect.implied_life).total.loc["industry", "understated"]
    assert again == pytest.approx(burry, rel=2e-3)
    # a target no life reaches
    assert np.isnan(life_effect(sc, 3.0, target=1e14).implied_life)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"life": 0.1}, "between 0.25 and 30 years"),
        ({"life": float("nan")}, "between 0.25 and 30 years"),
        ({"first": 2025}, "within the horizon 2026-2035"),
        ({"first": 2029, "last": 2028}, "within the horizon"),
        ({"target": -1.0}, "above 0"),
    ],
)
def test_refusals(kwargs, message):
    with pytest.raises(sr.InputError, match=message):
        life_effect(sr.load_scenario("base"), **kwargs)


def test_cli_prints_the_tables_the_implied_life_and_json():
    runner = CliRunner()
    r = runner.invoke(app, ["lives", "--company", "meta"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "Depreciation at the booked lives and at 3y for every company, 2026-2028 (base)" in text
    assert "meta, year by year" in text
    assert "register row depreciation_understated_burry_2026_2028" in text
    assert "over 3.95 years (disclosed: 5-6)" in text
    r = runner.invoke(app, ["lives", "--life", "4", "--from", "2027", "--to", "2029", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["life"] == 4
    assert data["years"] == [2027, 2029]
    assert data["target"] is None  # Burry's is for 2026-2028
    assert data["implied_life"] is None
    effect = life_effect(sr.load_scenario("base"), 4.0, 2027, 2029)
    assert data["total"]["oracle"]["understated"] == pytest.approx(
        effect.total.loc["oracle", "understated"]
    )
    assert set(data["by_year"]["industry"]) == {"2027", "2028", "2029"}
    r = runner.invoke(app, ["lives", "--life", "40"])
    assert r.exit_code == 2
    assert "life 40.0: a booked life is between 0.25 and 30 years" in r.output


def test_per_company_lives_and_the_economic_ones():
    from strandrisk.engine.lives import economic_lives

    sc = sr.load_scenario("base")
    own = economic_lives(sc)
    outcomes = sr.simulate(sc, breakeven=False).outcomes.set_index("company")
    assert own == {c: outcomes.loc[c, "economic_life_years"] for c in COMPANIES}
    effect = life_effect(sc, own)
    assert effect.life == own
    # each company's column is that company booked alone at its own life: an independent path
    for company in ("amazon", "alphabet"):
        uniform = life_effect(sc, own[company]).total.loc[company]
        assert effect.total.loc[company, "at_life"] == pytest.approx(uniform["at_life"], rel=1e-12)
    mixed = {**own, "alphabet": 6.0}  # Alphabet at its booked life: nothing left out
    assert life_effect(sc, mixed).total.loc["alphabet", "understated"] == 0
    with pytest.raises(sr.InputError, match="no life for 'oracle'"):
        life_effect(sc, {c: 3.0 for c in COMPANIES[:4]})
    with pytest.raises(sr.InputError, match="unknown company 'nvidia'"):
        life_effect(sc, {**own, "nvidia": 3.0})
    with pytest.raises(sr.InputError, match=r"life\['meta'\] -1.0: a booked life is between"):
        life_effect(sc, {**own, "meta": -1.0})


def test_cli_life_economic():
    r = CliRunner().invoke(app, ["lives", "--life", "economic", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data["life"]) == set(COMPANIES)
    r = CliRunner().invoke(app, ["lives", "--life", "economic"])
    assert r.exit_code == 0, r.output
    assert "at the economic lives, 2026-2028 (base)" in r.stdout
    assert "Economic lives of the 2026 cohorts (years)" in " ".join(r.stdout.split())
    r = CliRunner().invoke(app, ["lives", "--life", "soon"])
    assert r.exit_code == 2
    assert "--life 'soon': a number of years, or 'economic'" in r.output


def test_burrys_figure_is_explained_only_where_it_compares():
    from strandrisk.engine.lives import burry_target

    whole = sr.load_scenario("base")
    assert burry_target(whole, 2026, 2028) == sr.load_register().value(
        "depreciation_understated_burry_2026_2028"
    )
    assert burry_target(whole, 2026, 2029) is None  # another span of years
    assert burry_target(whole.with_companies(("meta",)), 2026, 2028) is None  # a share of it
    r = CliRunner().invoke(app, ["lives", "--json"])
    assert json.loads(r.stdout)["target_source"] == "depreciation_understated_burry_2026_2028"
    r = CliRunner().invoke(app, ["lives", "--json", "--set", 'companies.include=["meta"]'])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["target"] is None
    assert data["implied_life"] is None


def test_cli_writes_the_tables_to_excel(tmp_path):
    import openpyxl

    book = tmp_path / "lives.xlsx"
    r = CliRunner().invoke(app, ["lives", "--life", "4", "--xlsx", str(book)])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["total", "by_year", "later", "units"]
    rows = list(wb["total"].iter_rows(values_only=True))
    assert rows[0][:4] == ("company", "booked", "at_life", "understated")
    effect = life_effect(sr.load_scenario("base"), 4.0, target=176e9)
    industry = next(row for row in rows if row[0] == "industry")
    assert industry[3] == pytest.approx(effect.total.loc["industry", "understated"])
    assert len(list(wb["by_year"].iter_rows())) == 1 + 6 * 3  # header, 6 units x 3 years


def test_what_each_booking_strands_later_is_the_outcome_table_under_each(base):
    booked = sr.simulate(sr.load_scenario("base"), breakeven=False).outcomes.set_index("company")
    short = sr.simulate(_uniform(3.0), breakeven=False).outcomes.set_index("company")
    for name in ("stranded_peak", "stranded_peak_to_2026", "impairment_ifrs", "impairment_usgaap"):
        np.testing.assert_allclose(base.later[f"{name}_booked"], booked[name], rtol=1e-12)
        np.testing.assert_allclose(base.later[f"{name}_at_life"], short[name], rtol=1e-12)
    # books written down faster leave less to strand: the write-downs come in advance
    assert (base.later["stranded_peak_at_life"] <= base.later["stranded_peak_booked"]).all()
    # today's capital, on the books over three years, is hardly ever carried above its value
    short_today = base.later["stranded_peak_to_2026_at_life"]
    assert (short_today <= 0.05 * booked["stranded_peak_to_2026"]).all()
    assert (
        base.later.loc["industry", "impairment_ifrs_at_life"]
        < 0.2 * booked.loc["industry", "impairment_ifrs"]
    )
    r = CliRunner().invoke(app, ["lives", "--json"])
    data = json.loads(r.stdout)
    assert data["later"]["industry"]["stranded_peak_booked"] == pytest.approx(
        booked.loc["industry", "stranded_peak"]
    )
