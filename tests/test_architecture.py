"""Import contracts: the pure core does no I/O and imports nothing above it."""

import ast
import builtins
import importlib
import io
import pathlib
import sys

import pytest

import strandrisk

SRC = pathlib.Path(strandrisk.__file__).parent
CORE_ALLOWED = {
    "numpy",
    "numba",
    "scipy",
    "math",
    "dataclasses",
    "typing",
    "__future__",
    "collections",
    "functools",
}
IO_MODULES = {
    "os",
    "io",
    "pathlib",
    "shutil",
    "open",
    "csv",
    "json",
    "sqlite3",
    "duckdb",
    "pandas",
    "requests",
    "urllib",
    "socket",
    "subprocess",
    "logging",
    "importlib",
    "tempfile",
}
# layer -> strandrisk subpackages it must not import
FORBIDDEN = {
    "core": {
        "assumptions",
        "scenarios",
        "engine",
        "analysis",
        "io",
        "store",
        "reports",
        "cli",
        "web",
    },
    "analysis": {"io", "store", "cli", "web"},
    "assumptions": {"store", "reports", "cli", "web"},
    "io": {"store", "reports", "cli", "web"},
}


def imports_of(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def modules(layer):
    return sorted((SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_core_imports_only_numerics_and_units(path):
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "strandrisk":
            assert name == "strandrisk.units" or name.startswith("strandrisk.core"), name
        else:
            assert top in CORE_ALLOWED, f"{path.name} imports {name}"
            assert top not in IO_MODULES


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_downward_only(layer):
    for path in modules(layer):
        for name in imports_of(path):
            parts = name.split(".")
            if parts[0] == "strandrisk" and len(parts) > 1:
                assert parts[1] not in FORBIDDEN[layer], f"{path.relative_to(SRC)} imports {name}"


def test_core_runs_with_file_access_forbidden(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the core opened a file")

    for name in [m for m in sys.modules if m.startswith("strandrisk.core")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    core_trend = importlib.import_module("strandrisk.core.trend")
    fit = core_trend.fit_log_linear([0.0, 1.0, 2.0], [1.0, 2.0, 4.0])
    assert float(fit.doubling_time_years) == pytest.approx(1.0)
