"""The README's Python examples run as written, and the values in their comments hold."""

import pathlib
import re

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_readme_has_python_examples():
    assert _python_blocks()


@pytest.mark.parametrize("i", range(len(_python_blocks())))
def test_readme_python_example_runs(i, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files an example writes land here, not in the repository
    namespace: dict = {}
    exec(compile(_python_blocks()[i], f"README.md python block {i + 1}", "exec"), namespace)
    if "cashflows" in namespace:  # the values quoted in the comments
        sr = namespace["sr"]
        assert np.allclose(
            sr.irr(namespace["cashflows"], periods_per_year=4), [0.346, -0.742], atol=6e-4
        )
        assert round(namespace["fit"].annual_factor, 4) == 0.0667
        assert namespace["rec"].value == 5.5
        assert namespace["reg"].value("capex_2026_big4_ft") == 725e9
    if "mc" in namespace:  # the uncertainty engine's example
        q = namespace["mc"].quantiles.loc["industry"]
        assert (q["p5"] <= q["p50"]).all()
        assert (q["p50"] <= q["p95"]).all()
        assert len(namespace["samples"]) == namespace["mc"].n == 2_000
        assert 0 < namespace["cases"].mean() < 1
        assert not namespace["box"].limits.empty
        assert {"S1", "ST"} <= set(namespace["indices"].columns)


def test_readme_toml_blocks_load_as_scenario_files(tmp_path):
    import strandrisk as sr
    from strandrisk.io.uncertainty import load_uncertainty

    blocks = re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert blocks
    for i, block in enumerate(blocks):
        path = tmp_path / f"block{i}.toml"
        path.write_text(block)
        space = load_uncertainty(path, sr.load_scenario(path))
        assert "market.price_decline" in space.keys


def test_readme_command_table_lists_every_command():
    import typer.main

    from strandrisk.cli.main import app

    group = typer.main.get_command(app)
    text = (ROOT / "README.md").read_text()
    missing = [name for name in group.commands if f"| `strandrisk {name}" not in text]
    assert not missing, f"commands missing from the README's table: {missing}"


def test_readme_worked_example_is_the_golden_run_summary():
    """The README's `make run` output is the golden copy (tests/reports/test_golden.py checks it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("```\nstrandrisk run: base")
    shown = text[start + 4 : text.index("```", start + 4)]
    golden = (ROOT / "tests" / "data" / "golden" / "run_base.txt").read_text("utf-8")
    expected = golden.replace(
        "report: <folder>/report.html", "report: strandrisk-report/report.html"
    )
    assert shown == expected + "stored: run 1 in strandrisk.duckdb\n"
