"""One scenario's what-ifs: ``sweep`` (a data table), ``headroom``, ``lives`` and ``trace``.

Registered on the app by :mod:`strandrisk.cli.main`, in the order of ``strandrisk --help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from strandrisk.cli import _shared as ui
from strandrisk.cli import render_scenario
from strandrisk.errors import InputError
from strandrisk.jsonable import json_number, json_rows

__all__: list[str] = []  # the commands are registered by main; their docstrings are their --help


def _sweep_values(spec: str) -> tuple[str, list[Any]]:
    """Read ``KEY=V1,V2,...`` or ``KEY=LOW:HIGH:COUNT`` (evenly spaced) for ``sweep``."""
    key, sep, raw = spec.partition("=")
    if not sep or not key.strip() or not raw.strip():
        raise InputError(f"sweep {spec!r}: expected KEY=V1,V2,... or KEY=LOW:HIGH:COUNT")
    parts = raw.split(":")
    if len(parts) == 3:
        try:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise InputError(
                f"sweep {spec!r}: LOW:HIGH:COUNT takes two numbers and a count"
            ) from None
        if count < 2 or count > 1000:
            raise InputError(f"sweep {spec!r}: between 2 and 1,000 values")
        return key.strip(), np.linspace(low, high, count).tolist()
    return key.strip(), [ui.parse_set([f"v={v.strip()}"])["v"] for v in raw.split(",")]


@ui.clean_failures
def sweep(
    rows: Annotated[
        str, typer.Argument(metavar="KEY=VALUES", help="e.g. capex.growth=0,0.05,0.1 or 0:0.3:7.")
    ],
    columns: Annotated[
        str | None,
        typer.Argument(metavar="[KEY=VALUES]", help="A second parameter: a two-way table."),
    ] = None,
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="Outcome to show (repeatable; default stranded_peak, stranded_peak_to_2026, "
            "impairment_ifrs, npv_2026; a two-way table shows the first).",
        ),
    ] = None,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    n: Annotated[
        int | None,
        typer.Option(
            "--n",
            help="Draw the uncertainty: each value runs on the same N draws, and each cell is "
            "--statistic of the outcome over them (@RISK's advanced sensitivity analysis).",
        ),
    ] = None,
    statistic: Annotated[
        str, typer.Option(help="With --n: mean, or a percentile p1 to p99, e.g. p95.")
    ] = "mean",
    seed: Annotated[int, typer.Option(min=0, help="With --n: the root seed.")] = 0,
    sampler: Annotated[str, typer.Option(help="With --n: mc, lhs or sobol.")] = "lhs",
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Excel workbook of the table to write.")
    ] = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Tabulate the outcomes over one or two parameters' values (a data table), all else fixed."""
    from strandrisk.analysis.bridge import key_unit
    from strandrisk.analysis.sweep import sweep as run_sweep
    from strandrisk.engine.simulate import OUTCOME_UNITS

    space = None
    if n is None:
        chosen = ui.scenario_from_options(preset, scenario, set_, None, None)
    else:
        chosen, space = ui.mc_setup(preset, scenario, set_)
    specs = dict(_sweep_values(s) for s in [rows] + ([columns] if columns else []))
    if columns and len(specs) == 1:
        raise InputError("sweep: two different parameters for a two-way table")
    wanted = tuple(
        outcome or ("stranded_peak", "stranded_peak_to_2026", "impairment_ifrs", "npv_2026")
    )
    ui.check_folders(None, None, xlsx)
    runs = int(np.prod([len(v) for v in specs.values()]))
    draws = "" if n is None else f", {n:,} draws each"
    with ui.working(f"data table: {runs:,} runs{draws}", as_json):
        table = run_sweep(chosen, specs, wanted, company, space, n or 1, seed, sampler, statistic)
    keys = list(specs)
    units = {o: OUTCOME_UNITS[o] for o in wanted}
    if xlsx is not None:
        from strandrisk.store.export import write_workbook

        sheet = table.reset_index()
        sheet.columns = [str(c) for c in sheet.columns]
        cells = {str(c): units[wanted[0]] for c in table.columns} if len(keys) == 2 else units
        ui.wrote(
            [write_workbook({"table": sheet}, xlsx, {**cells, keys[0]: key_unit(keys[0])})],
            as_json,
        )
    if as_json:
        body: dict[str, Any] = {"scenario": chosen.name, "company": company, "keys": keys}
        if space is not None:
            body["draws"] = {"n": n, "seed": seed, "sampler": sampler, "statistic": statistic}
        if len(keys) == 1:
            body["rows"] = [
                {"value": v, **{o: json_number(x) for o, x in row.items()}}
                for v, row in table.iterrows()
            ]
            body["units"] = {keys[0]: key_unit(keys[0]), **units}
        else:
            body["outcome"] = wanted[0]
            body["rows"] = list(table.index)
            body["columns"] = list(table.columns)
            body["cells"] = [[json_number(x) for x in r] for r in table.values]
            body["units"] = {k: key_unit(k) for k in keys} | {wanted[0]: units[wanted[0]]}
        ui.print_json(body)
        return
    ui.out.print(render_scenario.sweep_table(table, chosen.name, company))


@ui.clean_failures
def headroom(
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    at: Annotated[
        str, typer.Option(help="Test date: a quarter of the horizon, at its end.")
    ] = "2026Q4",
    key: Annotated[
        list[str] | None,
        typer.Option(
            "--key",
            help="Key assumption to test (repeatable; default market.price_decline, "
            "market.demand_growth, market.utilisation, technology.doubling_time, "
            "financing.wacc).",
        ),
    ] = None,
    company: Annotated[
        str, typer.Option(help="Whose break-even values to print (all in --json).")
    ] = "industry",
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Impairment-test headroom, and how far each key assumption may move before it is gone."""
    from strandrisk.engine.headroom import KEY_ASSUMPTIONS
    from strandrisk.engine.headroom import headroom as run_headroom

    chosen = ui.scenario_from_options(preset, scenario, set_, None, None)
    chosen.check_company(company)
    quarter = ui.quarter_in_horizon(at, chosen.years)
    keys = tuple(dict.fromkeys(key)) if key else KEY_ASSUMPTIONS
    with ui.working(f"headroom at {quarter}: {len(keys)} assumptions", as_json):
        result = run_headroom(chosen, quarter, keys)
    if as_json:
        ui.print_json(
            {
                "scenario": chosen.name,
                "at": result.quarter,
                "position": json_rows(result.position),
                "assumptions": {
                    c: {
                        k: {f: (v if f == "unit" else json_number(v)) for f, v in row.items()}
                        for (who, k), row in result.assumptions.iterrows()
                        if who == c
                    }
                    for c in result.position.index
                },
                "units": {
                    "position": "USD; headroom_share a fraction of the carrying amount",
                    "assumptions": "each key's unit (below, above: the nearest values either "
                    "side of the scenario's at which the headroom is zero; null if none in "
                    "[low, high])",
                },
            }
        )
        return
    ui.out.print(render_scenario.headroom_tables(result, chosen.name, company))


@ui.clean_failures
def lives(
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    life: Annotated[
        str,
        typer.Option(
            metavar="YEARS|economic",
            help="Compute and network life to compare with, for every company \\[year]; "
            "'economic': each company's economic life of its 2026 cohorts, as the model finds it.",
        ),
    ] = "3",
    first: Annotated[int, typer.Option("--from", help="First calendar year compared.")] = 2026,
    last: Annotated[int, typer.Option("--to", help="Last calendar year compared.")] = 2028,
    target: Annotated[
        float | None,
        typer.Option(
            help="Industry understatement over the years \\[USD] whose single life to solve "
            "for (default for 2026-2028 and all five companies: Burry's, register row "
            "depreciation_understated_burry_2026_2028).",
        ),
    ] = None,
    company: Annotated[str, typer.Option(help="Whose years to show (all in --json).")] = "industry",
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Excel workbook of the tables (totals, by year) to write."),
    ] = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Booked lives against a shorter one: the depreciation they leave out, the EBIT they add."""
    from strandrisk.engine.lives import BURRY_ROW, burry_target, economic_lives, life_effect

    chosen = ui.scenario_from_options(preset, scenario, set_, None, None)
    chosen.check_company(company)
    ui.check_folders(None, None, xlsx)
    lives_: float | dict[str, float]
    if life.strip().lower() == "economic":
        lives_ = economic_lives(chosen)
    else:
        try:
            lives_ = float(life)
        except ValueError:
            raise InputError(f"--life {life!r}: a number of years, or 'economic'") from None
    source = None
    if target is None:  # Burry's, where it compares (2026-2028, all five companies)
        target = burry_target(chosen, first, last)
        source = BURRY_ROW if target is not None else None
    label = "the economic lives" if isinstance(lives_, dict) else f"{lives_:g} years"
    with ui.working(f"depreciation at the booked lives and at {label}", as_json):
        result = life_effect(chosen, lives_, first, last, target)
    if xlsx is not None:
        from strandrisk.store.export import write_workbook

        money = ("booked", "at_life", "understated", "ebitda", "ebit_booked", "ebit_at_life")
        units = {**dict.fromkeys(money, "USD"), "overstated": "fraction"}
        units["overstated_last"] = "fraction"
        units.update(dict.fromkeys(result.later.columns, "USD"))
        sheets = {
            "total": result.total.reset_index(),
            "by_year": result.by_year.reset_index(),
            "later": result.later.reset_index(),
        }
        ui.wrote([write_workbook(sheets, xlsx, units)], as_json)
    if as_json:
        ui.print_json(
            {
                "scenario": chosen.name,
                "life": result.life,
                "years": [result.first, result.last],
                "total": json_rows(result.total),
                "later": json_rows(result.later),
                "by_year": {
                    str(c): json_rows(result.by_year.xs(c, level="company"))
                    for c in result.total.index
                },
                "target": json_number(result.target),
                "target_source": source,
                "implied_life": json_number(result.implied_life),
                "units": "USD a year (total: over the years; later: over the horizon); "
                "overstated a fraction of EBIT at the life; lives in years",
            }
        )
        return
    ui.out.print(render_scenario.lives_tables(result, chosen, company, source))


@ui.clean_failures
def trace(
    company: Annotated[str, typer.Argument(help="The company whose cohort to trace.")],
    vintage: Annotated[
        str,
        typer.Argument(
            metavar="QUARTER",
            help="The cohort: the quarter of its capex, 2022Q1 (the installed base) to the "
            "horizon's last, e.g. 2026Q1.",
        ),
    ],
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="CSV file of the quarters, every column.")
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Excel workbook: facts, quarters, years and checks."),
    ] = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """One cohort through the model, quarter by quarter: what a company's figures are made of."""
    import pandas as pd

    from strandrisk.engine.trace import FACT_UNITS, TRACE_UNITS, trace_cohort
    from strandrisk.io.files import write_with

    chosen = ui.scenario_from_options(preset, scenario, set_, None, None)
    ui.check_folders(None, None, xlsx)
    if csv is not None:
        ui.check_folders(None, None, csv)
    with ui.working(f"{company}'s {vintage} cohort", as_json):
        result = trace_cohort(chosen, company, vintage)
    written = []
    if csv is not None:
        written.append(write_with(csv, lambda path: result.quarters.to_csv(path)))
    if xlsx is not None:
        from strandrisk.store.export import write_workbook

        facts = pd.DataFrame(
            {
                "fact": list(result.facts),
                "value": list(result.facts.values()),
                "unit": [FACT_UNITS[k] for k in result.facts],
            }
        )
        sheets = {
            "facts": facts,
            "quarters": result.quarters.reset_index(),
            "years": result.years().reset_index(),
            "checks": result.checks.reset_index(),
        }
        units = {**TRACE_UNITS, "cohorts": "USD", "model": "USD", "difference": "USD"}
        written.append(write_workbook(sheets, xlsx, units))
    ui.wrote(written, as_json)
    if as_json:
        ui.print_json(
            {
                "scenario": result.scenario,
                "company": result.company,
                "vintage": result.vintage,
                "facts": {k: json_number(v) for k, v in result.facts.items()},
                "first_loss": result.first_loss,
                "retired": result.retired,
                "retirement_rule": result.retirement_rule,
                "stranded_peak_date": result.stranded_peak_date,
                "quarters": json_rows(result.quarters),
                "checks": json_rows(result.checks),
                "units": {"facts": FACT_UNITS, "quarters": TRACE_UNITS, "checks": "USD"},
            }
        )
        return
    ui.out.print(render_scenario.trace_tables(result))
