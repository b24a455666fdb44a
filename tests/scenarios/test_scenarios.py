"""Scenario loading: presets, files, overrides and clean refusals."""

import pytest

import strandrisk as sr
from strandrisk import InputError
from strandrisk.io.scenario import default_values, dump_scenario, preset_text


def test_every_preset_loads_and_says_where_it_comes_from():
    for name in sr.PRESETS:
        scenario = sr.load_scenario(name)
        assert scenario.name == name
        assert scenario.description
        assert preset_text(name).startswith(f"# {name}:")


def test_defaults_come_from_the_register():
    reg = sr.load_register()
    base = sr.load_scenario("base")
    assert base.technology.doubling_time == reg.value("gpu_price_performance_doubling_fit")
    assert base.market.price_decline == reg.value("token_price_decline_rate_frontier")
    assert base.financing.debt_share == pytest.approx(108 / 410)
    meta = next(c for c in base.companies if c.name == "meta")
    assert (meta.capex_2026, meta.compute_life) == (135e9, 5.5)


def test_overrides_and_files(tmp_path):
    s = sr.load_scenario(
        "base", overrides={"market.price_decline": 2.0, "companies.meta.compute_life": 4.0}
    )
    assert s.market.price_decline == 2.0
    assert next(c for c in s.companies if c.name == "meta").compute_life == 4.0
    path = tmp_path / "mine.toml"
    path.write_text('[market]\nprice_decline = 1.25\n[companies]\ninclude = ["meta", "oracle"]\n')
    mine = sr.load_scenario(path)
    assert mine.market.price_decline == 1.25
    assert [c.name for c in mine.companies] == ["meta", "oracle"]


def test_dump_round_trips(tmp_path):
    original = sr.load_scenario("fibre-replay")
    path = tmp_path / "copy.toml"
    path.write_text(dump_scenario(original))
    again = sr.load_scenario(path)
    assert again.flat() == original.flat()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[market]\nprice_decline = 'fast'\n", "market.price_decline = 'fast': expected a number"),
        ("[market]\nprice_decay = 1.0\n", "unknown key 'market.price_decay'"),
        (  # a misspelling gets the key it is closest to
            "[market]\nprice_declin = 1.0\n",
            "unknown key 'market.price_declin' (did you mean market.price_decline?)",
        ),
        (
            "[technology]\nphysical_life = -3.0\n",
            "technology.physical_life: -3.0 is outside the allowed range",
        ),
        ("[capex]\nai_share = 1.5\n", "capex.ai_share: 1.5 is outside the allowed range [0, 1]"),
        ("[market]\nutilisation = nan\n", "not a finite number"),
        ("[market]\nprice_decline = inf\n", "not a finite number"),
        ("[market\nprice_decline = 1\n", "malformed TOML"),
        ("[capex]\npath = 'sideways'\n", "capex.path: 'sideways' is not one of"),
        ("[companies]\ninclude = ['nvidia']\n", "unknown company 'nvidia'"),
        ("[companies]\ninclude = ['meta', 'meta']\n", "'meta' is listed more than once"),
        ("[market]\nopen_source_share = 0.7\ndevice_share = 0.4\n", "must stay below 1"),
        ("[capex]\nshare_compute = 0.9\n", "add to"),
        (
            "[accounting]\neconomic_obsolescence = 'yes'\n",
            "accounting.economic_obsolescence = 'yes': expected true or false",
        ),
    ],
)
def test_bad_files_are_refused_naming_file_and_key(tmp_path, content, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        sr.load_scenario(path)
    assert fragment in str(info.value)
    assert "bad.toml" in str(info.value)


def test_unknown_preset_and_unreadable_file(tmp_path):
    with pytest.raises(InputError, match="unknown preset 'bull'"):
        sr.load_scenario("bull")
    with pytest.raises(InputError, match="cannot read"):
        sr.load_scenario(tmp_path / "missing.toml")


def test_override_types_are_checked():
    with pytest.raises(InputError, match="expected a number"):
        sr.load_scenario("base", overrides={"market.price_decline": "x"})
    assert "market.elasticity" in default_values()
