"""TCO workload files: a workload, its options and the article figures a preset reproduces.

Values are numbers in the field's unit, or ``"@row"`` to take a register row (converted
to the field's unit, with its source kept for the report).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from strandrisk import units
from strandrisk.assumptions.register import load_register
from strandrisk.errors import InputError
from strandrisk.io.files import read_toml_source
from strandrisk.tco.model import Option, Workload

__all__ = ["TCO_PRESETS", "ArticleCheck", "WorkloadFile", "load_workload", "tco_preset_text"]

TCO_PRESETS = ("article-3yr", "70b-memory", "self-hosting-savings", "arm-vs-xeon")

_UNITS = {
    "tokens_in_per_day": "tokens",
    "tokens_out_per_day": "tokens",
    "total_parameters": "parameters",
    "active_parameters": "parameters",
    "bits": "bits",
    "kv_cache_gb": "GB",
    "utilisation": "fraction",
    "horizon_years": "year",
    "prefill_speedup": "ratio",
    "price_in": "USD/Mtok",
    "price_out": "USD/Mtok",
    "annual_factor": "x/year",
    "rate_per_device_hour": "USD/hour",
    "unit_capex": "USD",
    "unit_power_w": "W",
    "idle_fraction": "fraction",
    "pue": "ratio",
    "electricity_price": "USD/kWh",
    "ops_per_unit_year": "USD/year",
    "device_memory_gb": "GB",
    "bandwidth_gbs": "GB/s",
    "devices_per_unit": "count",
    "max_devices_per_replica": "count",
    "efficiency": "fraction",
    "batch": "count",
    "w_per_core": "W/core",
}
"""Unit of each numeric field, for converting ``@row`` references."""


@dataclass(frozen=True, slots=True)
class ArticleCheck:
    """A figure of the article the preset should reproduce.

    ``kind``: ``total`` (an option's total cost), ``at_least`` (a lower bound on it),
    ``fits`` (whether the model fits in memory), ``saving`` (``1 - of / against`` within
    ``[low, high]``), ``cores_per_rack`` (``rack_power_w * cpu_share / w_per_core``).
    """

    kind: str
    option: str
    value: float = math.nan
    against: str = ""
    low: float = math.nan
    high: float = math.nan
    rack_power_w: float = math.nan
    cpu_share: float = math.nan
    w_per_core: float = math.nan
    note: str = ""


@dataclass(frozen=True, slots=True)
class WorkloadFile:
    """A parsed workload file."""

    name: str
    description: str
    workload: Workload
    options: list[Option]
    checks: list[ArticleCheck]
    tolerance: float


def tco_preset_text(name: str) -> str:
    """Return the TOML of a shipped TCO preset.

    Parameters
    ----------
    name : str
        A shipped TCO preset. [-]
    """
    if name not in TCO_PRESETS:
        raise InputError(f"unknown TCO preset {name!r}; presets: {', '.join(TCO_PRESETS)}")
    return (resources.files("strandrisk.tco") / "presets" / f"{name}.toml").read_text("utf-8")


def _value(key: str, raw: Any, where: str, sources: dict[str, str]) -> Any:
    if isinstance(raw, str) and raw.startswith("@"):
        reg = load_register()
        row = raw[1:]
        if row not in reg:
            raise InputError(f"{where}: {key} = {raw!r}: no register row {row!r}")
        rec = reg[row]
        try:
            value = units.convert(rec.value, rec.unit, _UNITS[key])
        except (KeyError, ValueError) as exc:
            raise InputError(f"{where}: {key} = {raw!r}: {exc}") from None
        sources[key] = f"{row}: {rec.source}"
        return value
    if key in _UNITS:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise InputError(
                f"{where}: {key} = {raw!r}: expected a finite number or '@register_row'"
            )
        return float(raw)
    return raw


def _section(table: dict, cls: type, where: str, skip: tuple[str, ...] = ()) -> tuple[dict, dict]:
    allowed = {f.name for f in fields(cls)} - set(skip)
    sources: dict[str, str] = {}
    values = {}
    for key, raw in table.items():
        if key not in allowed:
            raise InputError(f"{where}: unknown key {key!r}; allowed: {', '.join(sorted(allowed))}")
        values[key] = _value(key, raw, where, sources)
    return values, sources


def _checks(article: dict, where: str) -> tuple[list[ArticleCheck], float]:
    allowed = {f.name for f in fields(ArticleCheck)}
    checks = []
    for i, item in enumerate(article.get("checks", [])):
        bad = set(item) - allowed
        if bad:
            raise InputError(f"{where}: article.checks[{i}]: unknown key {sorted(bad)[0]!r}")
        checks.append(ArticleCheck(**item))
    return checks, float(article.get("tolerance", 0.1))


def _parse(data: dict[str, Any], name: str, where: str, horizon: float | None) -> WorkloadFile:
    unknown = set(data) - {"description", "workload", "options", "article"}
    if unknown:
        raise InputError(f"{where}: unknown section or key {sorted(unknown)[0]!r}")
    if not data.get("options"):
        raise InputError(f"{where}: no [options.NAME] section: nothing to compare")
    try:
        values, _ = _section(data.get("workload", {}), Workload, f"{where}: [workload]")
        if horizon is not None:
            values["horizon_years"] = float(horizon)
        workload = Workload(**values)
        options = []
        for key, table in data["options"].items():
            vals, sources = _section(
                table, Option, f"{where}: [options.{key}]", skip=("name", "sources")
            )
            if "kind" not in vals:
                raise InputError(
                    f"{where}: [options.{key}]: missing kind (one of api, rental, owned)"
                )
            options.append(Option(name=key, sources=sources, **vals))
    except InputError:
        raise  # already names the file and the key
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: {exc}") from None
    checks, tolerance = _checks(data.get("article", {}), where)
    names = {o.name for o in options}
    for check in checks:
        for ref in (check.option, check.against):
            if ref and ref not in names:
                raise InputError(f"{where}: article check names an unknown option {ref!r}")
    return WorkloadFile(
        name, str(data.get("description", "")), workload, options, checks, tolerance
    )


def load_workload(
    preset_or_path: str | Path = "article-3yr", horizon: float | None = None
) -> WorkloadFile:
    """Load a TCO preset by name, or a workload TOML file.

    Parameters
    ----------
    preset_or_path : str or path-like
        One of :data:`TCO_PRESETS`, or a TOML file. [-]
    horizon : float, optional
        Override the workload's horizon. [year]

    Returns
    -------
    WorkloadFile
        Workload, options and the article checks.

    Raises
    ------
    InputError
        Malformed TOML, unknown key or option kind, negative volume, zero throughput and
        the like, naming the file and key.
    """
    where, name, data = read_toml_source(
        str(preset_or_path), TCO_PRESETS, tco_preset_text, "workload", "TCO preset"
    )
    return _parse(data, name, where, horizon)
