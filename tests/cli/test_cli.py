"""The CLI through Typer's CliRunner: output shapes and clean failures (exit status 2)."""

import json

import pytest
from typer.testing import CliRunner

from strandrisk import __version__
from strandrisk.cli.main import app
from strandrisk.io.datasets import dataset_path

runner = CliRunner()
FIT_KEYS = {
    "n",
    "start",
    "end",
    "annual_factor",
    "annual_factor_ci95",
    "doubling_time_years",
    "halving_time_years",
    "rate_per_year",
    "r2",
    "skipped",
}
CLAIM_KEYS = {
    "id",
    "section",
    "statement",
    "stated",
    "unit",
    "recomputed",
    "verdict",
    "tolerance",
    "note",
}


def run(*args):
    return runner.invoke(app, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_assumptions_lists_and_filters():
    result = run("assumptions", "--kind", "assumption", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows
    assert all(r["kind"] == "assumption" for r in rows)
    assert {
        "name",
        "value",
        "unit",
        "low",
        "high",
        "distribution",
        "source",
        "retrieved",
        "kind",
        "note",
    } <= set(rows[0])
    found = json.loads(run("assumptions", "--search", "deepseek", "--json").stdout)
    assert "deepseek_r1_price" in {r["name"] for r in found}
    table = run("assumptions", "--search", "arm_agi")
    assert table.exit_code == 0
    assert "arm_agi_cpu_cores" in table.stdout


def test_assumptions_unknown_kind_exits_2():
    result = run("assumptions", "--kind", "guess")
    assert result.exit_code == 2
    assert "'guess' is not one of" in result.stderr


def test_assumptions_from_a_broken_folder_exits_2_naming_table_row_column(tmp_path):
    (tmp_path / "mine.csv").write_text(
        "name,value,unit,low,high,distribution,source,retrieved,kind,formula,note\n"
        "life,5,year,,,,,2026-01-01,sourced,,\n"
    )
    result = run("assumptions", "--tables", str(tmp_path))
    assert result.exit_code == 2
    assert "mine.csv, row 2 (life), column 'source': missing source" in result.stderr
    assert "Traceback" not in result.output


def test_fit_h100_rents_json_has_exactly_the_keys():
    path = dataset_path("hardware_prices")
    result = run(
        "fit",
        str(path),
        "--x",
        "Price date",
        "--y",
        "Price per chip-hour (on-demand)",
        "--where",
        "Hardware model=NVIDIA H100 SXM5 80GB",
        "--where",
        "Vendor!=Amazon Web Services",
        "--from",
        "2023-01-01",
        "--to",
        "2025-12-31",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == FIT_KEYS
    assert out["n"] == 28
    assert out["skipped"] == 15
    assert out["halving_time_years"] is not None
    assert out["doubling_time_years"] is None
    assert out["start"] == "2023-06-20"


def test_fit_table_output(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("when,price\n2020-01-01,8\n2021-01-01,4\n2022-01-01,\n2023-01-01,1\n")
    result = run("fit", str(csv), "--x", "when", "--y", "price")
    assert result.exit_code == 0
    assert "halving time" in result.stdout
    assert "skipped 1" in result.stdout


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("d,v\n2020-01-01,1\n2021-01-01,2\n", [], "series.csv: v: at least 3 usable rows"),
        (  # the negative value is named even when too few rows are left anyway
            "d,v\n2020-01-01,1\n2021-01-01,-2\n",
            [],
            "series.csv: v: values must be positive to fit a trend on a log scale; 1 are not "
            "(first: -2)",
        ),
        (
            "d,v\n2020-01-01,1\n2021-01-01,0\n2022-01-01,2\n",
            [],
            "series.csv: v: values must be positive to fit a trend on a log scale; 1 are not "
            "(first: 0)",
        ),
        (
            "d,v\n2020-01-01,1\n2020-01-01,2\n2020-01-01,4\n",
            [],
            "series.csv: v: all observations fall on the same date",
        ),
        ("d,v\n2020-01-01,1\nsoon,2\n2022-01-01,3\n", [], "date that cannot be parsed: 'soon'"),
        ("d,v\n2020-01-01,1\n2021-01-01,two\n2022-01-01,3\n", [], "not a number: 'two'"),
        ("d,w\n2020-01-01,1\n", [], "no column 'v'"),
        (
            "d,v\n2020-01-01,1\n2021-01-01,2\n2022-01-01,3\n",
            ["--where", "nocol=1"],
            "missing column 'nocol'",
        ),
        ("d,v\n2020-01-01,1\n2021-01-01,2\n2022-01-01,3\n", ["--where", "novalue"], "COLUMN=VALUE"),
        (
            "d,v\n2020-01-01,1\n2021-01-01,2\n2022-01-01,3\n",
            ["--from", "someday"],
            "date bound 'someday'",
        ),
    ],
)
def test_fit_refusals_exit_2(tmp_path, content, args, message):
    csv = tmp_path / "series.csv"
    csv.write_text(content)
    result = run("fit", str(csv), "--x", "d", "--y", "v", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_fit_missing_file_exits_2(tmp_path):
    result = run("fit", str(tmp_path / "none.csv"), "--x", "d", "--y", "v")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_claims_json_and_section_filter():
    result = run("claims", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) >= 40
    assert all(set(r) >= CLAIM_KEYS for r in rows)
    assert {r["verdict"] for r in rows} == {"consistent", "inconsistent", "not-checkable"}
    sec5 = json.loads(run("claims", "--section", "5", "--json").stdout)
    assert sec5
    assert {r["section"] for r in sec5} == {5}
    result = run("claims", "--section", "99")
    assert result.exit_code == 2
    assert "--section: 99; the article's claims are in sections 0, 1," in result.stderr


def test_claims_table_has_a_summary():
    result = run("claims")
    assert result.exit_code == 0
    assert "inconsistent" in result.stdout
    assert "claims:" in result.stdout


def test_fit_price_performance_with_per_column():
    result = run(
        "fit",
        str(dataset_path("chip_dataset")),
        "--x",
        "Release date",
        "--y",
        "FP32 (single precision) performance (FLOP/s)",
        "--per",
        "Release price (USD)",
        "--where",
        "Type=GPU",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["n"] == 229
    assert 2.3 < out["doubling_time_years"] < 2.9  # public facts: 0.116 OOM/y -> 2.59 y


def _commands():
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        for sub_name, sub in getattr(command, "commands", {name: command}).items():
            path = [name] if sub is command else [name, sub_name]
            yield " ".join(path), sub


@pytest.mark.parametrize(("path", "command"), list(_commands()), ids=lambda v: str(v))
def test_help_shows_every_option_text_whole(path, command):
    """Rich markup must not eat help text ("[uncertainty]" once vanished), flags show no type."""
    import re

    r = CliRunner().invoke(app, [*path.split(), "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    text = re.sub(r"[\s│]+", " ", r.stdout)
    for param in command.params:
        if getattr(param, "help", None):
            assert re.sub(r"\s+", " ", param.help.replace("\\[", "[")) in text, param.name
        if getattr(param, "is_flag", False) and param.name != "help":
            line = next(x for x in r.stdout.splitlines() if f" {param.opts[0]} " in x)
            assert "<bool>" not in line, line
