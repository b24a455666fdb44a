"""Scenario files: register defaults, TOML presets and overrides, validated at the edge.

A scenario TOML holds only what differs from the defaults; every default comes from the
assumptions register (the row named in each field's metadata). Values are in canonical
units: USD, years, rates per year as fractions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from strandrisk.assumptions.register import load_register
from strandrisk.errors import InputError, did_you_mean
from strandrisk.io.files import parse_toml, read_toml_source
from strandrisk.scenarios.schema import (
    COMPANIES,
    GROUPS,
    Company,
    Scenario,
    choice_meaning,
    field_metadata,
)

__all__ = [
    "COMPANY_LIFE_ROWS",
    "GROUPS",
    "PRESETS",
    "default_values",
    "dump_scenario",
    "load_scenario",
    "preset_text",
    "register_row",
    "scenario_file_parts",
    "scenario_from_toml",
    "scenario_from_values",
    "with_values",
]

PRESETS: tuple[str, ...] = (
    "accounting-view",
    "base",
    "open-source-collapse",
    "architecture-shift",
    "agentic-boom",
    "fibre-replay",
)
COMPANY_LIFE_ROWS: dict[str, tuple[str, str]] = {
    "amazon": ("useful_life_servers_amazon_ai_subset", "useful_life_network_amazon"),
    "alphabet": ("useful_life_servers_alphabet", "useful_life_network_alphabet"),
    "meta": ("useful_life_servers_meta", "useful_life_network_meta"),
    "microsoft": ("useful_life_servers_microsoft", "useful_life_network_microsoft"),
    "oracle": ("useful_life_servers_oracle", "useful_life_servers_oracle"),
}


def register_row(key: str) -> str | None:
    """Return the register row a scenario key's default comes from (None if none).

    Parameters
    ----------
    key : str
        A dotted key of :meth:`Scenario.flat`, company keys included
        (``companies.meta.capex_2026``: the 2026 guidance row). [-]
    """
    parts = key.split(".")
    if parts[0] == "companies" and len(parts) == 3 and parts[1] in COMPANY_LIFE_ROWS:
        name, field = parts[1], parts[2]
        life, network = COMPANY_LIFE_ROWS[name]
        rows = {"capex_2026": f"capex_2026_guidance_{name}", "compute_life": life}
        return rows.get(field, network if field == "network_life" else None)
    return field_metadata(key).get("row")


@cache
def default_values() -> dict[str, Any]:
    """Return every parameter's default as ``{dotted.key: value}`` from the register.

    Returns
    -------
    dict
        Canonical values; company keys are ``companies.<name>.<field>``.
    """
    reg = load_register()
    out: dict[str, Any] = {"start": "2026Q1", "years": 10, "companies.include": list(COMPANIES)}
    for group, cls in GROUPS.items():
        for f in fields(cls):
            row = f.metadata.get("row")
            out[f"{group}.{f.name}"] = reg.value(row) if row else f.default
    for name in COMPANIES:
        for field in ("capex_2026", "compute_life", "network_life"):
            key = f"companies.{name}.{field}"
            row = register_row(key)
            assert row is not None  # every company field above has a register row
            out[key] = reg.value(row)
    return out


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def _coerce(key: str, value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InputError(f"{where}: {key} = {value!r}: expected true or false")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise InputError(f"{where}: {key} = {value!r}: expected a string")
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{where}: {key} = {value!r}: expected a list of company names")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: {key} = {value!r}: expected a number")
    if isinstance(default, int) and key == "years":
        if float(value) != int(value):
            raise InputError(f"{where}: years = {value!r}: expected a whole number")
        return int(value)
    if not math.isfinite(float(value)):
        raise InputError(f"{where}: {key} = {value!r}: not a finite number")
    return float(value)


def _merge(values: dict[str, Any], updates: Mapping[str, Any], where: str) -> None:
    for key, value in updates.items():
        if key in ("name", "description"):
            values[key] = str(value)
            continue
        if key not in values:
            raise InputError(f"{where}: unknown key {key!r}{did_you_mean(key, values)}")
        values[key] = _coerce(key, value, values[key], where)


def scenario_from_values(values: Mapping[str, Any], where: str = "scenario") -> Scenario:
    """Build and validate a :class:`Scenario` from ``{dotted.key: value}``.

    Parameters
    ----------
    values : mapping
        A complete set of values (as from :func:`default_values`, updated). [canonical]
    where : str
        Source named in error messages (file or preset). [-]

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    InputError
        Naming ``where``, the key, the value and what is allowed.
    """
    try:
        names = tuple(values["companies.include"])
        unknown = [n for n in names if n not in COMPANIES]
        if unknown:
            raise ValueError(
                f"companies: unknown company {unknown[0]!r}; known: {', '.join(COMPANIES)}"
            )
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"companies.include: {twice[0]!r} is listed more than once")
        groups = {
            group: cls(**{f.name: values[f"{group}.{f.name}"] for f in fields(cls)})
            for group, cls in GROUPS.items()
        }
        companies = tuple(
            Company(
                name=n,
                capex_2026=values[f"companies.{n}.capex_2026"],
                compute_life=values[f"companies.{n}.compute_life"],
                network_life=values[f"companies.{n}.network_life"],
            )
            for n in COMPANIES
            if n in names
        )
        return Scenario(
            name=values.get("name", "custom"),
            description=values.get("description", ""),
            companies=companies,
            start=values["start"],
            years=values["years"],
            **groups,
        )
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None


def preset_text(name: str) -> str:
    """Return the TOML text of a shipped preset.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`. [-]
    """
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return (resources.files("strandrisk.scenarios") / "presets" / f"{name}.toml").read_text("utf-8")


def load_scenario(
    preset_or_path: str | Path = "base", overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load a preset by name, or a scenario TOML file, and apply overrides.

    Parameters
    ----------
    preset_or_path : str or path-like
        A preset name (:data:`PRESETS`) or the path of a TOML file. [-]
    overrides : mapping, optional
        ``{"dotted.key": value}`` applied last, validated like a file. [canonical]

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    InputError
        Unknown preset or key, wrong type, value out of range, malformed TOML or an
        unreadable file, naming the file and key.
    """
    where, name, data = read_toml_source(str(preset_or_path), PRESETS, preset_text, "scenario")
    return _scenario_from_data(data, where, name, overrides)


def with_values(
    scenario: Scenario, overrides: Mapping[str, Any], where: str = "overrides"
) -> Scenario:
    """Return ``scenario`` with some values changed, validated like a file.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from. [-]
    overrides : mapping
        ``{"dotted.key": value}``. [canonical]
    where : str
        What the overrides are, for messages. [-]

    Raises
    ------
    InputError
        An unknown key, a wrong type or a value out of range, naming ``where``.
    """
    values = {
        **scenario.flat(),
        "name": scenario.name,
        "description": scenario.description,
        "companies.include": [c.name for c in scenario.companies],
    }
    _merge(values, overrides, where)
    return scenario_from_values(values, where)


def scenario_from_toml(text: str, where: str, name: str = "scenario") -> Scenario:
    """Build a scenario from TOML text, such as the full scenario a stored run keeps.

    Parameters
    ----------
    text : str
        A scenario document (as :func:`dump_scenario` writes). [-]
    where : str
        What the text is, for messages. [-]
    name : str
        The name when the text sets none. [-]

    Raises
    ------
    InputError
        Malformed TOML, an unknown key, a wrong type or a value out of range, naming ``where``.
    """
    return _scenario_from_data(parse_toml(text, where), where, name, None)


def _scenario_from_data(
    data: dict[str, Any], where: str, name: str, overrides: Mapping[str, Any] | None
) -> Scenario:
    values = dict(default_values())
    values["name"] = name
    data.pop("uncertainty", None)  # read by strandrisk.io.uncertainty
    data.pop("correlations", None)
    _merge(values, _flatten(data), where)
    if overrides:
        _merge(values, dict(overrides), f"{where} (overrides)")
    return scenario_from_values(values, where)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(float(value)) if isinstance(value, float) else str(value)


_UNCERTAINTY_TABLES = re.compile(r"^\[(uncertainty|correlations)([.\]])", re.M)


def scenario_file_parts(text: str) -> tuple[str, str]:
    """Split a scenario file into its opening comment block and its uncertainty sections.

    For ``scenario show``: the full dump keeps the file's own header and its
    ``[uncertainty]`` / ``[correlations]`` tables. Those are taken as written only when
    they come last in the file; otherwise a comment says where they are.

    Parameters
    ----------
    text : str
        The TOML text of a preset or scenario file. [-]

    Returns
    -------
    header, tail : str
        The leading ``#`` lines, and the uncertainty sections (or a note), each ending
        with a newline or empty. [-]
    """
    lines = text.splitlines()
    head = []
    for line in lines:
        if not line.startswith("#"):
            break
        head.append(line + "\n")
    first = _UNCERTAINTY_TABLES.search(text)
    if first is None:
        return "".join(head), ""
    rest = text[first.start() :]
    tables = re.findall(r"^\[([^\]]+)\]", rest, flags=re.M)
    if all(t.split(".")[0] in ("uncertainty", "correlations") for t in tables):
        return "".join(head), "\n" + rest.rstrip("\n") + "\n"
    return "".join(head), (
        "\n# this file's [uncertainty] tables are not repeated here: they sit between other\n"
        "# tables in the original; copy them from it\n"
    )


def dump_scenario(scenario: Scenario) -> str:
    """Return the scenario as a complete TOML document (every key, canonical units).

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]
    """
    lines = [
        f'name = "{scenario.name}"',
        f'description = "{scenario.description}"',
        f'start = "{scenario.start}"',
        f"years = {scenario.years}",
        "",
        "[companies]",
        f"include = {_toml_value([c.name for c in scenario.companies])}",
    ]
    for group, cls in GROUPS.items():
        lines.append(f"\n[{group}]")
        obj = getattr(scenario, group)
        for f in fields(cls):
            unit, doc = f.metadata.get("unit", ""), f.metadata.get("doc", "")
            choices = f.metadata.get("choices")
            if unit:
                comment = f"  # [{unit}] {doc}".rstrip()
            elif doc or choices:  # a switch or a choice: what it means (or what it takes)
                comment = f"  # {choice_meaning(f.metadata)}"
            else:
                comment = ""
            lines.append(f"{f.name} = {_toml_value(getattr(obj, f.name))}{comment}")
    for c in scenario.companies:
        lines.append(f"\n[companies.{c.name}]")
        for f in fields(Company):
            if f.name != "name":
                lines.append(
                    f"{f.name} = {_toml_value(getattr(c, f.name))}  # [{f.metadata['unit']}]"
                )
    return "\n".join(lines) + "\n"
