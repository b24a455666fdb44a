"""A stored run keeps the priors it drew from, and its scenario file runs it again exactly."""

import shlex

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk import InputError
from strandrisk.cli.main import app
from strandrisk.io.scenario import PRESETS, dump_scenario, scenario_from_toml
from strandrisk.io.uncertainty import dump_uncertainty, load_uncertainty, uncertainty_from_toml
from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.store.runs import RunStore


def _invoke(args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r


def _kept(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT * FROM mc ORDER BY scenario, company").df()


def _command(text, file):
    """The command a stored run's scenario file gives in its header, on ``file``."""
    line = next(x for x in text.splitlines() if x.startswith("#   strandrisk "))
    words = shlex.split(line[4:])
    return [file if w.endswith(".toml") else w for w in words[1:]]


@pytest.mark.parametrize("preset", PRESETS)
def test_every_presets_priors_read_back_as_the_same_space(preset):
    scenario = sr.load_scenario(preset)
    space = load_uncertainty(preset, scenario)
    text = dump_scenario(scenario) + "\n" + dump_uncertainty(space)
    back = uncertainty_from_toml(text, "the text", scenario)
    assert back.keys == space.keys
    assert back.distributions == space.distributions  # every float exactly
    assert np.array_equal(back.correlation, space.correlation)
    # the scenario part reads back unchanged, the block after it aside
    assert dump_scenario(scenario_from_toml(text, "t", preset)) == dump_scenario(scenario)


def test_every_kind_of_distribution_reads_back():
    scenario = sr.load_scenario("base")
    dists = {
        "market.elasticity": Distribution("normal", low=0.9, high=1.1, truncate=(0.95, np.inf)),
        "market.price_decline": Distribution("empirical", values=(0.5, 0.75, 1.25)),
        "market.demand_growth": Distribution("empirical", values=(0.5, 1.0), weights=(0.3, 0.7)),
        "market.price_floor_ratio": Distribution(
            "lognormal", low=0.01, high=0.05, truncate=(0, 0.1)
        ),
        "market.utilisation": Distribution("fixed", mode=0.7),
        "technology.doubling_time": Distribution("loguniform", low=2.0, high=3.0),
        "market.agentic_multiplier": Distribution(
            "cumulative", low=1.0, high=9.0, values=(1.5, 3.0), probabilities=(0.2, 0.7)
        ),
        "technology.software_efficiency": Distribution("pert", low=0.5, mode=0.6, high=0.9),
    }
    keys = tuple(sorted(dists))
    c = np.eye(len(keys))
    c[3, 6] = c[6, 3] = 0.3  # price decline ~ doubling time
    space = UncertaintySpace(keys, tuple(dists[k] for k in keys), c)
    back = uncertainty_from_toml(dump_uncertainty(space), "the text", scenario)
    assert back.distributions == space.distributions
    assert np.array_equal(back.correlation, space.correlation)
    with pytest.raises(ValueError, match="stress band"):
        dump_uncertainty(space.stressed("market.elasticity", 0.9, 1.0))
    assert uncertainty_from_toml(dump_scenario(scenario), "t", scenario, required=False).keys == ()
    with pytest.raises(InputError, match="the text: no uncertain parameters"):
        uncertainty_from_toml(dump_scenario(scenario), "the text", scenario)


def test_a_stored_monte_carlo_run_runs_again_draw_for_draw(tmp_path):
    store, first, again = tmp_path / "s.duckdb", tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    _invoke(
        ["mc", "--n", 300, "--seed", 11, "--sampler", "lhs", "--set", "market.elasticity=1.2",
         "--store", store, "--keep", first, "--set", "years=4"]
    )  # fmt: skip
    text = _invoke(["scenario", "show", "run:1", "--store", store]).stdout
    assert text.startswith(f"# Run 1 of {store}: Monte Carlo, 300 scenarios, seed 11 (Latin")
    assert "# Saved as run-1.toml, this runs it again, draw for draw:" in text
    assert f"# `strandrisk runs check 1 --store {store}` recomputes it" in text
    assert "elasticity = 1.2" in text
    assert '"market.elasticity"' not in text  # held by --set: not among the priors
    assert '"capex.growth" = { dist = "triangular", low = 0.0, high = 0.3, mode = 0.1 }' in text
    assert 'pairs = [["market.price_decline", "technology.software_efficiency", 0.5]]' in text
    file = tmp_path / "run-1.toml"
    file.write_text(text)
    command = _command(text, str(file))
    assert command[:2] == ["mc", "--scenario"]
    assert command[3:] == ["--n", "300", "--seed", "11", "--sampler", "lhs"]
    _invoke([*command, "--keep", again, "--store", store])
    a, b = _kept(first), _kept(again)
    assert len(a) == 300 * 6
    assert a.equals(b)  # bit for bit
    shown = _invoke(["runs", "show", "1", "--store", store]).stdout
    assert f"To run it again: strandrisk scenario show run:1 --store {store} > run-1.toml; " in (
        " ".join(shown.split())
    )
    # both runs' priors are alike, their values too
    diff = _invoke(["scenario", "diff", "run:1", "run:2", "--store", store, "--no-bridge"])
    assert "every value alike" in diff.stdout
    assert "Priors: alike" in diff.stdout


def test_a_stored_run_runs_again_with_what_its_page_showed(tmp_path):
    store = tmp_path / "s.duckdb"
    _invoke(
        ["mc", "--n", 60, "--seed", 2, "--set", "years=3", "--store", store, "--capex-years",
         "--company", "oracle", "--above", "stranded_peak=1.5e11", "--below", "min_dscr=1.25"]
    )  # fmt: skip
    text = _invoke(["scenario", "show", "run:1", "--store", store]).stdout
    file = tmp_path / "run-1.toml"
    file.write_text(text)
    command = _command(text, str(file))
    assert command[9:] == [
        "--capex-years", "--company", "oracle", "--above", "stranded_peak=150000000000.0",
        "--below", "min_dscr=1.25",
    ]  # fmt: skip
    _invoke([*command, "--store", store])
    runs = RunStore(store)
    assert runs.meta(2)["page"] == runs.meta(1)["page"]
    first, second = runs.mc_sketches(1), runs.mc_sketches(2)
    assert len(first) == 6 * 7  # five companies and the industry, 2022 to 2028
    assert first.keys() == second.keys()
    for key, sketch in first.items():
        assert np.array_equal(sketch.counts, second[key].counts), key
        assert np.array_equal(sketch.keys, second[key].keys), key


def test_a_stored_comparison_runs_again_with_its_decisions(tmp_path):
    store = tmp_path / "s.duckdb"
    _invoke(
        ["mc", "--n", 200, "--seed", 3, "--compare", "capex.growth=0,capex.path=flat",
         "--stress", "market.elasticity=P0:P10", "--store", store, "--set", "years=4"]
    )  # fmt: skip
    text = _invoke(["scenario", "show", "run:1", "--store", store]).stdout
    file = tmp_path / "run-1.toml"
    file.write_text(text)
    command = _command(text, str(file))
    assert command[-4:] == [
        "--compare", "capex.growth=0,capex.path=flat", "--stress", "market.elasticity=P0:P10"
    ]  # fmt: skip
    _invoke([*command, "--store", store])
    runs = RunStore(store)
    first, second = runs.comparison(1), runs.comparison(2)
    assert first.decisions == second.decisions
    assert first.as_json() == second.as_json()  # every quantile, change and regret


def test_priors_differ_between_a_stored_run_and_a_file(tmp_path):
    store = tmp_path / "s.duckdb"
    _invoke(["mc", "--n", 50, "--store", store, "--set", "years=3"])
    path = tmp_path / "mine.toml"
    path.write_text(
        "years = 3\n[uncertainty]\nfrom_register = true\n"
        '"market.elasticity" = { dist = "uniform", low = 0.8, high = 1.6 }\n'
    )
    r = _invoke(["scenario", "diff", "run:1", str(path), "--store", store, "--no-bridge"])
    text = " ".join(r.stdout.split())
    assert "Priors that differ" in text
    assert "market.elasticity" in text
    assert "uniform 0.8 to 1.6" in text


def test_a_run_stored_without_its_priors_says_so(tmp_path):
    store = tmp_path / "s.duckdb"
    _invoke(["mc", "--n", 50, "--store", store, "--set", "years=3"])
    plain = dump_scenario(sr.load_scenario("base", overrides={"years": 3}))
    with duckdb.connect(str(store)) as con:  # as an earlier version stored it
        con.execute("UPDATE runs SET scenario_toml = ?", [plain])
    text = _invoke(["scenario", "show", "run:1", "--store", store]).stdout
    assert "# The priors it drew from were not recorded (stored by an earlier version)." in text
    assert "# Its draws are in the store: `strandrisk export` writes them." in text
    assert "strandrisk mc --scenario" not in text
    assert "To run it again" not in _invoke(["runs", "show", "1", "--store", store]).stdout
    r = _invoke(["scenario", "diff", "run:1", "base", "--store", store, "--no-bridge"])
    assert "Priors: run 1 draws 0 parameters, base 31" in " ".join(r.stdout.split())
    r = CliRunner().invoke(app, ["scenario", "show", "run:7", "--store", str(store)])
    assert r.exit_code == 2
    assert "no run with id 7" in r.stderr


def test_a_single_run_gives_its_scenario_and_the_run_command(tmp_path):
    store = tmp_path / "s.duckdb"
    _invoke(["run", "--set", "years=3", "--store", store, "--no-report"])
    text = _invoke(["scenario", "show", "run:1", "--store", store]).stdout
    assert text.startswith(f"# Run 1 of {store}: strandrisk run\n")
    assert "#   strandrisk run --scenario run-1.toml" in text
    assert "[uncertainty]" not in text
    again = scenario_from_toml(text, "t")
    assert again == sr.load_scenario("base", overrides={"years": 3})
