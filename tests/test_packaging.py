"""Shipped data keep their attribution and licence; tooling is configured."""

import pathlib
import shutil
import subprocess

import pytest

from strandrisk.io.datasets import DATASETS, data_dir

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_shipped_data_set_exists_with_its_source_note():
    for key, rel in DATASETS.items():
        path = data_dir() / rel
        assert path.is_file(), key
        assert (data_dir() / rel.split("/")[0] / "SOURCE.txt").is_file(), key


def test_mit_data_keeps_its_licence_and_readme_credits_epoch():
    assert "MIT License" in (data_dir() / "epoch-ai-chip-counts" / "LICENSE").read_text()
    readme = (ROOT / "README.md").read_text()
    for needle in ("Epoch AI", "CC BY 4.0", "MIT"):
        assert needle in readme


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (ROOT / ".venv/bin/ruff").exists(),
    reason="ruff not installed",
)
def test_ruff_lint_and_format_are_clean():
    ruff = shutil.which("ruff") or str(ROOT / ".venv/bin/ruff")
    lint = subprocess.run(
        [ruff, "check", "--quiet", str(ROOT)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run(
        [ruff, "format", "--check", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_the_package_type_checks():
    """mypy, configured in pyproject.toml ([tool.mypy]), finds no error in src/strandrisk."""
    api = pytest.importorskip("mypy.api")
    config, cache = str(ROOT / "pyproject.toml"), str(ROOT / ".mypy_cache")
    src = str(ROOT / "src" / "strandrisk")
    stdout, stderr, status = api.run(["--config-file", config, "--cache-dir", cache, src])
    assert status == 0, stdout + stderr


def test_import_leaves_the_heavy_analysis_libraries_for_later():
    """`import strandrisk` (and so every CLI command) does not load SALib, SciPy's stats or Dask.

    They cost about a second; the uncertainty engine's names load them on first use.
    """
    import subprocess
    import sys

    code = (
        "import sys, strandrisk as sr; "
        "print(sorted(m for m in ('SALib', 'scipy.stats', 'distributed', 'dask') if m in sys.modules)); "
        "sr.run_mc, sr.prim, sr.sobol_for_scenario, sr.load_uncertainty; "
        "print('SALib' in sys.modules and 'scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]
    cli = (  # the CLI's module too, which every command loads before its own work
        "import sys, strandrisk.cli.main; "
        "print(sorted(m for m in ('SALib', 'scipy.stats', 'distributed', 'dask') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", cli], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
