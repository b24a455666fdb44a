"""Scenario differences and the Shapley bridge of outcomes between two scenarios."""

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.bridge import (
    MAX_STEPS,
    _shapley,
    bridge,
    key_unit,
    prior_diff,
    scenario_diff,
)
from strandrisk.cli.main import app
from strandrisk.errors import InputError
from strandrisk.io.scenario import with_values

OUT = ("stranded_peak", "impairment_ifrs", "npv_2026")


def _outcomes(scenario, company="industry"):
    table = sr.simulate(scenario, breakeven=False, keep_series=False).outcomes
    return table[table["company"] == company].iloc[0]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_shapley_equals_the_average_over_every_order(k, seed):
    """The subset formula against its definition: marginal effects averaged over k! orders."""
    v = np.random.default_rng(seed).normal(size=2**k) * 100.0
    expected = np.zeros(k)
    orders = list(itertools.permutations(range(k)))
    for order in orders:
        mask = 0
        for i in order:
            expected[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    expected /= len(orders)
    got = _shapley(v[:, None], k)[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert math.isclose(got.sum(), v[-1] - v[0], rel_tol=1e-12, abs_tol=1e-12)  # efficiency


def test_bridge_starts_and_ends_at_the_two_scenarios_and_adds_up():
    a, b = sr.load_scenario("base"), sr.load_scenario("open-source-collapse")
    result = bridge(a, b, OUT)
    ra, rb = _outcomes(a), _outcomes(b)
    for o in OUT:
        assert result.start[o] == pytest.approx(ra[o], rel=1e-12)
        assert result.end[o] == pytest.approx(rb[o], rel=1e-12)
        total = result.contribution[o].sum()
        assert total == pytest.approx(rb[o] - ra[o], rel=1e-9, abs=1e-3)
    # six differences, the choice of leakage driver among them: 2^6 runs in two batches
    assert result.runs == 64
    assert len(result.steps) == 6
    assert "market.leakage_driver" in result.steps


def test_each_step_alone_is_the_first_scenario_with_that_change():
    a, b = sr.load_scenario("base"), sr.load_scenario("open-source-collapse")
    result = bridge(a, b, OUT)
    base = _outcomes(a)
    for key in ("market.price_decline", "market.leakage_driver"):
        changed = _outcomes(with_values(a, {key: b.flat()[key]}))
        for o in OUT:
            assert result.alone.loc[key, o] == pytest.approx(changed[o] - base[o], abs=1e-3)
    # the interaction is the total less the effects alone
    np.testing.assert_allclose(
        result.interaction, (result.end - result.start) - result.alone.sum(), rtol=1e-12
    )


def test_a_change_without_effect_gets_nothing():
    """Shapley's dummy axiom: fibre-replay's spread widening moves debt cover, not stranding."""
    result = bridge(sr.load_scenario("base"), sr.load_scenario("fibre-replay"), (*OUT, "min_dscr"))
    row = result.contribution.loc["financing.spread_widening"]
    assert row["stranded_peak"] == 0.0
    assert row["npv_2026"] == 0.0
    assert row["min_dscr"] < 0  # dearer debt lowers the cover


def test_two_changes_that_each_do_everything_share_it_equally():
    """Shapley's symmetry: in agentic-boom either demand change alone ends the stranding."""
    result = bridge(sr.load_scenario("base"), sr.load_scenario("agentic-boom"), OUT)
    alone = result.alone["stranded_peak"]
    assert (
        alone["market.elasticity"]
        == alone["market.agentic_multiplier"]
        == -result.start["stranded_peak"]
    )
    c = result.contribution["stranded_peak"]
    assert c["market.elasticity"] == pytest.approx(c["market.agentic_multiplier"], rel=1e-12)


def test_linked_shares_move_together():
    a = sr.load_scenario("base")
    b = with_values(a, {"capex.share_compute": 0.5, "capex.share_facilities": 0.391131})
    result = bridge(a, b, OUT)
    assert result.steps == ("capex.share_*",)
    assert result.keys == (("capex.share_compute", "capex.share_facilities"),)
    assert result.contribution.loc["capex.share_*", "npv_2026"] == pytest.approx(
        result.end["npv_2026"] - result.start["npv_2026"], rel=1e-12
    )


def test_many_differences_are_grouped_by_table():
    a = sr.load_scenario("base")
    flat = a.flat()
    keys = [
        "market.elasticity",
        "market.price_decline",
        "market.demand_growth",
        "market.utilisation",
        "technology.doubling_time",
        "technology.energy_doubling_time",
        "technology.software_efficiency",
        "costs.pue",
        "costs.electricity_price",
        "costs.tax_rate",
        "financing.wacc",
        "financing.credit_spread",
        "companies.meta.compute_life",
    ]
    b = with_values(a, {k: flat[k] * 1.1 for k in keys})
    result = bridge(a, b, OUT)
    assert len(keys) > MAX_STEPS
    assert result.grouped
    assert set(result.steps) == {
        "market.*",
        "technology.*",
        "costs.*",
        "financing.*",
        "companies.meta.*",
    }
    for o in OUT:
        assert result.contribution[o].sum() == pytest.approx(
            result.end[o] - result.start[o], rel=1e-9, abs=1e-3
        )


def test_a_company_bridge_and_refusals():
    a, b = sr.load_scenario("base"), sr.load_scenario("fibre-replay")
    meta = bridge(a, b, ("stranded_peak",), company="meta")
    assert meta.start["stranded_peak"] == pytest.approx(_outcomes(a, "meta")["stranded_peak"])
    with pytest.raises(InputError, match="same companies and horizon"):
        bridge(a, with_values(a, {"years": 5}))
    with pytest.raises(InputError, match="same companies and horizon"):
        bridge(a, a.with_companies(("meta",)))
    with pytest.raises(InputError, match="set every value alike"):
        bridge(a, sr.load_scenario("base"))
    with pytest.raises(InputError, match="'stranded_peak_date' is not an outcome"):
        bridge(a, b, ("stranded_peak_date",))
    with pytest.raises(InputError, match="company 'ibm'"):
        bridge(a, b, company="ibm")


def test_scenario_diff_lists_what_differs_with_units():
    a = sr.load_scenario("base")
    b = sr.load_scenario("fibre-replay").with_companies(("meta", "oracle"))
    diff = scenario_diff(a, b).set_index("key")
    assert diff.loc["capex.growth", "unit"] == "1/year"
    assert (diff.loc["capex.growth", "first"], diff.loc["capex.growth", "second"]) == (0.1, 0.25)
    assert diff.loc["companies.amazon.capex_2026", "second"] is None
    assert diff.loc["companies.include", "second"] == ["meta", "oracle"]
    assert "companies.meta.capex_2026" not in diff.index  # alike in both
    assert scenario_diff(a, sr.load_scenario("base")).empty
    assert key_unit("companies.meta.compute_life") == "year"
    assert key_unit("years") == "year"
    assert key_unit("capex.path") == ""


def test_prior_diff_ignores_a_mode_that_follows_its_value(tmp_path):
    a, b = sr.load_scenario("base"), sr.load_scenario("agentic-boom")
    priors, pairs = prior_diff(sr.load_uncertainty("base", a), sr.load_uncertainty(
        "agentic-boom", b), a, b)  # fmt: skip
    # the elasticity's mode moves from 1 to 1.3 with its value: not a difference of priors
    assert list(priors["key"]) == ["market.agentic_multiplier"]  # 30 is beyond its range
    assert priors.iloc[0]["first"] == "triangular 1 / 3 / 10"
    assert priors.iloc[0]["second"] == "not drawn"
    assert pairs == []
    path = tmp_path / "mine.toml"
    path.write_text(
        "[market]\nelasticity = 1.2\n[uncertainty]\nfrom_register = true\n"
        '"market.elasticity" = { dist = "uniform", low = 0.8, high = 1.6 }\n'
    )
    c = sr.load_scenario(path)
    priors, pairs = prior_diff(sr.load_uncertainty("base", a), sr.load_uncertainty(
        path, c), a, c)  # fmt: skip
    row = priors.set_index("key").loc["market.elasticity"]
    assert row["second"] == "uniform 0.8 to 1.6"
    assert pairs == [("market.price_decline", "technology.software_efficiency", 0.5, 0.0)]
    # a truncation alone, or weights alone, is a difference of priors, and says so
    for plain, changed, described in (
        (
            'dist = "normal", low = 0.8, high = 1.6',
            "truncate = [0.5, 2]",
            ["normal, P5 0.8, P95 1.6", "normal, P5 0.8, P95 1.6, truncated to [0.5, 2]"],
        ),
        (
            'dist = "empirical", values = [0.8, 1.6]',
            "weights = [3, 1]",
            ["empirical, 2 values from 0.8 to 1.6", "discrete: 0.8 75%, 1.6 25%"],
        ),
        (
            'dist = "cumulative", low = 0.5, high = 2, values = [0.8, 1.6]',
            "probabilities = [0.1, 0.9]",
            None,  # no probabilities: refused, so only the second file is read
        ),
    ):
        if described is None:
            file = tmp_path / "cumulative.toml"
            file.write_text(f'[uncertainty]\n"market.elasticity" = {{ {plain}, {changed} }}\n')
            g = sr.load_scenario(file)
            priors, _ = prior_diff(sr.load_uncertainty("base", a), sr.load_uncertainty(
                file, g), a, g)  # fmt: skip
            row = priors.set_index("key").loc["market.elasticity"]
            assert row["second"] == "cumulative 0.5 to 2, P10 0.8, P90 1.6"
            continue
        files = tmp_path / "plain.toml", tmp_path / "changed.toml"
        for file, spec in zip(files, (plain, f"{plain}, {changed}"), strict=True):
            file.write_text(f'[uncertainty]\n"market.elasticity" = {{ {spec} }}\n')
        e, f = (sr.load_scenario(file) for file in files)
        priors, _ = prior_diff(sr.load_uncertainty(files[0], e), sr.load_uncertainty(
            files[1], f), e, f)  # fmt: skip
        assert priors[["first", "second"]].values.tolist() == [described]
    empty = tmp_path / "plain.toml"
    empty.write_text("[market]\nelasticity = 1.2\n")
    d = sr.load_scenario(empty)
    space = sr.load_uncertainty(empty, d, required=False)
    assert space.keys == ()
    with pytest.raises(InputError, match="no uncertain parameters"):
        sr.load_uncertainty(empty, d)


def test_the_command_prints_the_differences_and_the_bridge():
    r = CliRunner().invoke(app, ["scenario", "diff", "base", "fibre-replay"])
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert "base -> fibre-replay: 5 values differ" in text
    assert "Bridge from base to fibre-replay: industry (32 model runs, Shapley)" in text
    assert "0.1 -> 0.25; alone" in text
    lines = text.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("Bridge from"))
    assert lines[title + 1].split() == ["peak", "today's", "IFRS", "2026"]  # two-line headers
    assert "Today's peak: the peak stranded value of the capital commissioned" in " ".join(
        text.split()
    )
    r = CliRunner().invoke(app, ["scenario", "diff", "base", "fibre-replay", "--json"])
    data = json.loads(r.stdout)
    assert next(d["key"] for d in data["differences"]) == "capex.growth"
    br = data["bridge"]
    assert list(br["start"]) == [
        "stranded_peak", "stranded_peak_to_2026", "impairment_ifrs", "npv_2026"
    ]  # fmt: skip
    for name in ("stranded_peak", "stranded_peak_to_2026"):
        total = sum(s["contribution"][name] for s in br["steps"])
        assert total == pytest.approx(br["end"][name] - br["start"][name])
    # today's capital strands more in the fibre replay, most of it from the market's steps
    steps = {s["step"]: s["contribution"]["stranded_peak_to_2026"] for s in br["steps"]}
    assert br["end"]["stranded_peak_to_2026"] > br["start"]["stranded_peak_to_2026"]
    assert steps["market.demand_growth"] > steps["capex.growth"]
    assert br["units"]["stranded_peak"] == "USD"


def test_the_command_with_set_and_its_failures():
    r = CliRunner().invoke(
        app, ["scenario", "diff", "base", "base", "--set", "capex.path=flat", "--no-bridge"]
    )
    assert r.exit_code == 0, r.output
    assert "base -> base with --set: 1 value differs" in r.stdout
    assert "Bridge" not in r.stdout
    r = CliRunner().invoke(app, ["scenario", "diff", "base", "base", "--set", "years=5"])
    assert r.exit_code == 0, r.output
    assert "No bridge: the scenarios differ in years" in " ".join(r.stdout.split())
    r = CliRunner().invoke(app, ["scenario", "diff", "base", "agentic-boom", "--outcome", "x"])
    assert r.exit_code == 2
    assert "'x' is not an outcome a bridge can walk" in r.output
    r = CliRunner().invoke(app, ["scenario", "diff", "base", "nope"])
    assert r.exit_code == 2
    assert "unknown preset 'nope'" in r.output


def test_the_command_writes_a_page_and_waterfall_charts(tmp_path):
    out, png = tmp_path / "page", tmp_path / "png"
    args = ["scenario", "diff", "base", "agentic-boom", "--out", str(out), "--png", str(png)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    page = (out / "bridge.html").read_text()
    assert "From base to agentic-boom" in page
    assert "market.open_source_share + device_share" in page
    assert 'id="fig-bridge_stranded_peak"' in page
    assert sorted(p.name for p in png.iterdir()) == [
        "bridge_impairment_ifrs.png",
        "bridge_npv_2026.png",
        "bridge_stranded_peak.png",
        "bridge_stranded_peak_to_2026.png",
    ]


def test_the_waterfall_stacks_each_step_on_the_last():
    from strandrisk.reports.figures import bridge_figure

    fig = bridge_figure(["a", "x", "y", "b"], 10e9, [5e9, -3e9], 12e9, "t", "USD")
    bar = fig.data[0]
    assert list(bar.y) == [10.0, 5.0, -3.0, 12.0]
    assert list(bar.base) == [0.0, 10.0, 15.0, 0.0]


def test_a_file_without_an_uncertainty_block_is_said_in_a_line(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[market]\nelasticity = 1.2\n")
    r = CliRunner().invoke(app, ["scenario", "diff", "base", str(path), "--no-bridge"])
    assert r.exit_code == 0, r.output
    assert "Priors: base draws 31 parameters, mine 0" in " ".join(r.stdout.split())
    assert "not drawn" not in r.stdout


def test_the_report_bridges_the_scenario_to_every_other_preset():
    from strandrisk.jobs import compare_presets, preset_bridges

    scenario = sr.load_scenario("base", overrides={"years": 6}).with_companies(("meta", "oracle"))
    bridges = preset_bridges(scenario)
    assert "base" not in bridges  # nothing to bridge
    assert len(bridges) == len(sr.PRESETS) - 1
    table = compare_presets(("meta", "oracle"), 6)
    for name, b in bridges.items():
        assert b.end["stranded_peak"] == pytest.approx(table.loc[name, "stranded_peak"], rel=1e-12)
        assert b.contribution["stranded_peak"].sum() == pytest.approx(
            b.end["stranded_peak"] - b.start["stranded_peak"], rel=1e-9, abs=1e-3
        )


def test_a_stored_run_is_diffed_against_a_preset(tmp_path):
    store = tmp_path / "runs.duckdb"
    r = CliRunner().invoke(
        app, ["run", "--preset", "fibre-replay", "--no-report", "--store", str(store)]
    )
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        app, ["scenario", "diff", "run:1", "base", "--store", str(store), "--json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["first"] == "run 1"
    assert [d["key"] for d in data["differences"]] == [
        "capex.growth",
        "market.demand_growth",
        "market.agentic_midpoint",
        "market.agentic_width",
        "financing.spread_widening",
    ]
    assert data["bridge"]["start"]["stranded_peak"] == pytest.approx(
        _outcomes(sr.load_scenario("fibre-replay"))["stranded_peak"], rel=1e-12
    )
    r = CliRunner().invoke(app, ["scenario", "diff", "run:7", "base", "--store", str(store)])
    assert r.exit_code == 2
    assert "no run with id 7" in r.output


def test_the_differences_and_the_bridge_go_to_excel(tmp_path):
    import openpyxl

    path = tmp_path / "diff.xlsx"
    r = CliRunner().invoke(app, ["scenario", "diff", "base", "fibre-replay", "--xlsx", str(path)])
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["differences", "priors", "bridge", "units"]
    rows = list(book["bridge"].values)
    assert rows[0][:4] == ("step", "keys", "stranded_peak", "stranded_peak_alone")
    assert rows[1][0] == "base"
    assert rows[-1][0] == "fibre-replay"
    steps = sum(row[2] for row in rows[2:-1])
    assert steps == pytest.approx(rows[-1][2] - rows[1][2], rel=1e-9)
    assert [c.value for c in book["differences"][1]] == ["key", "unit", "base", "fibre-replay"]


_NUMERIC = (
    ("market.elasticity", 0.5, 1.5),
    ("market.price_decline", 0.4, 1.6),
    ("technology.doubling_time", 1.8, 3.5),
    ("capex.growth", 0.0, 0.3),
    ("financing.wacc", 0.07, 0.12),
    ("companies.meta.compute_life", 3.0, 7.0),
)


@settings(max_examples=12, deadline=None)
@given(
    st.lists(st.sampled_from(range(len(_NUMERIC))), min_size=1, max_size=4, unique=True),
    st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
    st.sampled_from(["flat", "guided"]),
)
def test_any_bridge_adds_up_and_ends_at_the_second_scenario(picked, where, path):
    """Invariants over random pairs: efficiency, the ends, and each step alone."""
    a = sr.load_scenario("base", overrides={"years": 4})
    changes = {
        _NUMERIC[i][0]: _NUMERIC[i][1] + u * (_NUMERIC[i][2] - _NUMERIC[i][1])
        for i, u in zip(picked, where, strict=False)
    }
    b = with_values(a, {**changes, "capex.path": path})
    if scenario_diff(a, b).empty:
        return
    result = bridge(a, b, OUT)
    rb = _outcomes(b)
    for o in OUT:
        assert result.end[o] == pytest.approx(rb[o], rel=1e-9, abs=1e-3)
        assert result.contribution[o].sum() == pytest.approx(
            result.end[o] - result.start[o], rel=1e-9, abs=1e-3
        )
    key = result.keys[0][0]
    alone = _outcomes(with_values(a, {key: b.flat()[key]}))
    assert result.alone.loc[result.steps[0], "npv_2026"] == pytest.approx(
        alone["npv_2026"] - result.start["npv_2026"], rel=1e-9, abs=1e-3
    )
