"""``strandrisk scenario``: show a preset, file or stored run; diff and bridge two."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from strandrisk.cli import _shared as ui
from strandrisk.cli import render_scenario

__all__ = ["app"]  # registered by main as `strandrisk {name}`; docstrings are their --help

app = typer.Typer(
    no_args_is_help=True, help="Inspect and compare scenarios: show one, diff and bridge two."
)


@app.command("show")
@ui.clean_failures
def scenario_show(
    name: Annotated[
        str,
        typer.Argument(
            help="Preset name, TOML file or run:ID (a stored run: every value, and the priors "
            "a Monte Carlo run drew from, with the command that runs it again)."
        ),
    ],
    store: ui.STORE_OPTION = Path("strandrisk.duckdb"),
) -> None:
    """Print a scenario's full TOML (every key) to copy and edit."""
    import re

    from strandrisk.io.scenario import (
        PRESETS,
        dump_scenario,
        load_scenario,
        preset_text,
        scenario_file_parts,
    )

    if re.fullmatch(r"run:\d+", name):
        sys.stdout.write(_stored_scenario_text(store, int(name.split(":")[1])))
        return
    scenario = load_scenario(name)  # refuses a bad name or file with a message
    text = preset_text(name) if name in PRESETS else Path(name).read_text(encoding="utf-8")
    header, tail = scenario_file_parts(text)
    sys.stdout.write(header + dump_scenario(scenario) + tail)


def _stored_scenario_text(store: Path, run_id: int) -> str:
    """Return a stored run's scenario file: a header saying what ran, then what it kept."""
    from strandrisk.jobs import stored_scenario
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    runs, meta, _ = stored_scenario(store, run_id)  # refuses a scenario that no longer loads
    kind = {"run": "strandrisk run", "mc": "Monte Carlo", "compare": "decision comparison"}
    what = f"# Run {run_id} of {store}: {kind.get(str(meta['kind']), meta['kind'])}"
    if meta["kind"] != "run":
        sampler = SAMPLER_NAMES.get(str(meta["sampler"]), meta["sampler"])
        what += f", {int(meta['n_scenarios']):,} scenarios, seed {meta['seed']} ({sampler})"
    lines = [
        what,
        f"# made {str(meta['created_at'])[:16]} by strandrisk {meta['package_version']}, "
        f"register {str(meta['register_sha256'])[:8]}",
    ]
    comparison = runs.comparison(run_id) if meta["kind"] == "compare" else None
    command = ui.reproduce_command(meta, comparison, f"run-{run_id}.toml")
    if command is None:
        lines.append("# The priors it drew from were not recorded (stored by an earlier version).")
        if meta["kind"] == "mc":
            lines.append("# Its draws are in the store: `strandrisk export` writes them.")
    else:
        lines += [
            f"# Saved as run-{run_id}.toml, this runs it again, draw for draw:",
            f"#   {command}",
        ]
    if command is not None or meta["kind"] == "mc":  # what `runs check` can redo
        lines.append(
            f"# `strandrisk runs check {run_id} --store {store}` recomputes it with today's model "
            "and says what moved."
        )
    return "\n".join(lines) + "\n\n" + str(meta["scenario_toml"])


@app.command("choices")
@ui.clean_failures
def scenario_choices(
    name: Annotated[str, typer.Argument(help="Preset name or TOML file.")] = "base",
    set_: ui.SET_OPTION = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="Outcome to show (repeatable; default stranded_peak, stranded_peak_to_2026, "
            "impairment_ifrs, npv_2026).",
        ),
    ] = None,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Excel workbook of the table to write.")
    ] = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Show what each modelling choice does: the outcomes with each alternative, one at a time."""
    from strandrisk.analysis.choices import CHOICE_OUTCOMES, choice_effects
    from strandrisk.io.scenario import load_scenario

    ui.check_folders(None, None, xlsx)
    scenario = load_scenario(name, overrides=ui.parse_set(set_))
    with ui.working("one model run per alternative choice", as_json):
        result = choice_effects(scenario, tuple(outcome or CHOICE_OUTCOMES), company)
    if xlsx is not None:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.store.export import write_workbook

        units = {o: OUTCOME_UNITS[o] for o in result.outcomes}
        ui.wrote([write_workbook({"choices": result.sheet()}, xlsx, units)], as_json)
    if as_json:
        ui.print_json({"scenario": scenario.name, **result.as_json()})
        return
    ui.out.print(render_scenario.choices_table(result, scenario.name))


@app.command("diff")
@ui.clean_failures
def scenario_diff(
    first: Annotated[
        str, typer.Argument(help="Preset name, TOML file or run:ID (a stored run) to start from.")
    ],
    second: Annotated[
        str, typer.Argument(help="Preset name, TOML file or run:ID (a stored run) to walk to.")
    ],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KEY=VALUE", help="Set a value of SECOND (repeatable)."),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="Outcome to bridge (repeatable; default stranded_peak, stranded_peak_to_2026, "
            "impairment_ifrs, npv_2026).",
        ),
    ] = None,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    no_bridge: Annotated[
        bool,
        typer.Option("--no-bridge", metavar="", help="Only list the differences; run no model."),
    ] = False,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    store: ui.STORE_OPTION = Path("strandrisk.duckdb"),
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Excel workbook of the tables to write.")
    ] = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Compare two scenarios: values and priors set differently, and a bridge of outcomes."""
    from strandrisk.analysis.bridge import bridge as walk
    from strandrisk.analysis.bridge import prior_diff
    from strandrisk.analysis.bridge import scenario_diff as differences
    from strandrisk.io.uncertainty import hold_fixed

    ui.check_folders(out, png, xlsx)
    sets = ui.parse_set(set_)
    a, space_a, label_a = _side(first, {}, store)
    b, whole_b, label_b = _side(second, sets, store)
    labels = (label_a, label_b if label_b != label_a or not set_ else f"{label_b} with --set")
    if labels[0] == labels[1]:
        labels = (first, second)
    diff = differences(a, b)
    space_b = hold_fixed(whole_b, list(sets), second)
    priors, pairs = prior_diff(space_a, space_b, a, b)
    structural = sorted({"companies.include", "start", "years"} & set(diff["key"]))
    result = None
    if not no_bridge and len(diff) and not structural:
        with ui.working(f"bridge over {len(diff)} differences", as_json):
            outcomes = ("stranded_peak", "stranded_peak_to_2026", "impairment_ifrs", "npv_2026")
            result = walk(a, b, tuple(outcome or outcomes), company)
    if result is not None and (out is not None or png is not None):
        from strandrisk.reports.pages import bridge_page

        ui.wrote(bridge_page(result, diff, priors, labels, out, png), as_json)
    if xlsx is not None:
        ui.wrote([_diff_workbook(xlsx, diff, priors, labels, result)], as_json)
    if as_json:
        ui.print_json(
            {
                "first": labels[0],
                "second": labels[1],
                "differences": [
                    {"key": r.key, "unit": r.unit, "first": r.first, "second": r.second}
                    for r in diff.itertuples(index=False)
                ],
                "priors": priors.to_dict(orient="records"),
                "correlations": [
                    {"pair": [x, y], "first": ra, "second": rb} for x, y, ra, rb in pairs
                ],
                "bridge": result.as_json() if result is not None else None,
            }
        )
        return
    drawn = (len(space_a.keys), len(space_b.keys))
    ui.out.print(render_scenario.diff_tables(diff, priors, pairs, labels, drawn))
    if result is not None:
        ui.out.print(render_scenario.bridge_table(result, labels, (a.flat(), b.flat())))
    elif not no_bridge and structural:
        ui.out.print(
            f"No bridge: the scenarios differ in {', '.join(structural)}; a bridge walks "
            "between scenarios of the same companies and horizon.",
            style="dim",
        )


def _side(name: str, sets: dict, store: Path) -> tuple[Any, Any, str]:
    """Load a side of ``scenario diff``: its scenario, uncertainty space and label.

    ``name`` is a preset, a scenario file or ``run:ID`` of ``store`` (the stored run's
    scenario, and its priors if it kept them); ``sets``: the ``--set`` values on top.
    """
    import re

    from strandrisk.io.scenario import load_scenario, with_values
    from strandrisk.io.uncertainty import load_uncertainty, uncertainty_from_toml
    from strandrisk.jobs import stored_scenario

    if re.fullmatch(r"run:\d+", name):
        run_id = int(name.split(":")[1])
        _, meta, scenario = stored_scenario(store, run_id)
        space = uncertainty_from_toml(
            str(meta["scenario_toml"]), f"run {run_id} of {store}", scenario, required=False
        )
        scenario = with_values(scenario, sets, "--set") if sets else scenario
        return scenario, space, f"run {run_id}"
    scenario = load_scenario(name, overrides=sets)
    return scenario, load_uncertainty(name, scenario, required=False), scenario.name


def _diff_workbook(
    xlsx: Path, diff: Any, priors: Any, labels: tuple[str, str], result: Any
) -> Path:
    """Write ``scenario diff --xlsx``: the differences, the priors and the bridge if any."""
    from strandrisk.engine.simulate import OUTCOME_UNITS
    from strandrisk.store.export import write_workbook

    named = dict(zip(["first", "second"], labels, strict=True))
    sheets = {"differences": diff.rename(columns=named), "priors": priors.rename(columns=named)}
    units = {}
    if result is not None:
        sheets["bridge"] = result.table()
        for o in result.start.index:
            units[o] = units[f"{o}_alone"] = OUTCOME_UNITS[o]
    return write_workbook(sheets, xlsx, units)
