"""What the modelling choices do: each alternative against the model run with it directly."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.analysis.choices import CHOICE_OUTCOMES, alternatives, choice_effects
from strandrisk.cli import main


def test_every_choice_and_switch_has_its_alternatives():
    found = alternatives(sr.load_scenario("base"))
    assert found == [
        ("capex.path", "guided", "flat"),
        ("capex.path", "guided", "none"),
        ("accounting.economic_obsolescence", False, True),
        ("technology.retirement", "trailing-year", "foresight"),
        ("market.leakage_driver", "logistic", "tco"),
        ("financing.amortising", False, True),
    ]
    flat = sr.load_scenario("base", overrides={"capex.path": "flat", "financing.amortising": True})
    assert ("capex.path", "flat", "guided") in alternatives(flat)
    assert ("financing.amortising", True, False) in alternatives(flat)


def _direct(scenario, overrides, company, outcomes):
    """The outcomes of ``company`` from the model run with the overrides, on its own."""
    run = sr.load_scenario(scenario, overrides=overrides)
    table = sr.simulate(run, breakeven=False, keep_series=False).outcomes
    return table.loc[table["company"] == company, list(outcomes)].to_numpy(float)[0]


@pytest.mark.parametrize(("preset", "company"), [("base", "industry"), ("fibre-replay", "meta")])
def test_each_row_is_the_model_run_with_that_one_choice_changed(preset, company):
    outcomes = (*CHOICE_OUTCOMES, "min_dscr")
    result = choice_effects(sr.load_scenario(preset), outcomes, company)
    np.testing.assert_allclose(
        result.scenario.to_numpy(float), _direct(preset, {}, company, outcomes), rtol=1e-12
    )
    changes = result.changes()
    for row, change in zip(
        result.table.to_dict(orient="records"), changes.to_dict(orient="records"), strict=True
    ):
        expected = _direct(preset, {row["key"]: row["alternative"]}, company, outcomes)
        got = np.array([row[o] for o in outcomes])
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=row["key"])
        np.testing.assert_allclose(
            [change[o] for o in outcomes], expected - result.scenario.to_numpy(float), rtol=1e-9
        )


def test_the_retirement_rule_moves_the_peak_and_financing_does_not():
    result = choice_effects(sr.load_scenario("base"))
    changes = result.changes().set_index(["key", "alternative"])
    assert changes.loc[("technology.retirement", "foresight"), "stranded_peak"] > 1e11
    assert (changes.loc[("financing.amortising", True)][list(CHOICE_OUTCOMES)] == 0).all()
    sheet = result.sheet()
    assert sheet["key"].iloc[0] == "(as the scenario sets them)"
    assert sheet["alternative"].tolist()[1:] == ["flat", "none", "true", "foresight", "tco", "true"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcomes": ("stranded_peak_date",)}, "not a numeric outcome"),
        ({"outcomes": ("nonsense",)}, "not a numeric outcome"),
        ({"company": "ibm"}, "is not one of"),
    ],
)
def test_bad_requests_are_refused(kwargs, message):
    with pytest.raises(sr.InputError, match=message):
        choice_effects(sr.load_scenario("base"), **kwargs)


def test_the_command_prints_writes_and_refuses(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(main.app, ["scenario", "choices"])
    assert shown.exit_code == 0, shown.output
    assert "technology.retirement = foresight" in shown.stdout
    assert "+$285B" in shown.stdout  # the foresight rule's peak, against the base case
    book = tmp_path / "choices.xlsx"
    data = runner.invoke(
        main.app, ["scenario", "choices", "--json", "--xlsx", str(book), "--set", "capex.growth=0"]
    )
    assert data.exit_code == 0, data.output
    doc = json.loads(data.stdout)
    assert doc["scenario"] == "base"
    assert doc["units"]["stranded_peak"] == "USD"
    assert doc["outcomes"]["stranded_peak"] == 0.0  # no capex growth: nothing strands
    keys = [(a["key"], a["alternative"]) for a in doc["alternatives"]]
    assert ("technology.retirement", "foresight") in keys
    import pandas as pd

    sheet = pd.read_excel(book, sheet_name="choices")
    assert len(sheet) == 7
    bad = runner.invoke(main.app, ["scenario", "choices", "--outcome", "stranded_peak_date"])
    assert bad.exit_code == 2
    assert "not a numeric outcome" in bad.output
