"""The ``strandrisk`` command line: a thin shell that parses, calls and formats.

Bad input of any kind ends with one message on standard error and exit status 2. The
shared app, consoles and helpers are in :mod:`strandrisk.cli._shared`; the Monte Carlo
command in :mod:`strandrisk.cli.uncertainty`, the analyses over its uncertainty space in
:mod:`strandrisk.cli.analysis` and one scenario's what-ifs (``sweep``, ``headroom``, ``lives``)
in :mod:`strandrisk.cli.whatif`, registered here in the order of ``--help``; the tables they
print in ``render``, ``render_uncertainty``, ``render_analysis`` and ``render_scenario``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from strandrisk import __version__
from strandrisk.cli import _shared as ui
from strandrisk.cli import (
    analysis,
    render,
    render_scenario,
    render_uncertainty,
    uncertainty,
    whatif,
)
from strandrisk.errors import InputError

app = ui.app
__all__ = ["app", "main"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"strandrisk {__version__}")
        raise typer.Exit()


@ui.app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", metavar="", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """How much of today's AI data-centre capital could be stranded by AI's own progress."""


@ui.app.command()
@ui.clean_failures
def assumptions(
    kind: Annotated[
        str | None, typer.Option(help="Only rows of this kind: sourced, derived or assumption.")
    ] = None,
    search: Annotated[str | None, typer.Option(help="Only rows mentioning this word.")] = None,
    tables: Annotated[
        Path | None,
        typer.Option(help="Folder of register tables to load instead of the shipped ones."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the rows as JSON.")
    ] = False,
) -> None:
    """List the assumptions register: every default with its unit, range and source."""
    from strandrisk.assumptions.register import load_register
    from strandrisk.assumptions.schema import KINDS

    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    rows = load_register(tables).select(kind=kind, search=search)
    if as_json:
        ui.print_json([r.as_dict() for r in rows])
    else:
        ui.out.print(render.register_table(rows, width=ui.out.width))


@ui.app.command()
@ui.clean_failures
def fit(
    file: Annotated[Path, typer.Argument(help="CSV file holding the series.")],
    x: Annotated[str, typer.Option("--x", help="Date column (ISO dates or decimal years).")],
    y: Annotated[str, typer.Option("--y", help="Value column (positive numbers).")],
    per: Annotated[
        str | None, typer.Option("--per", help="Divide --y by this column (e.g. a price).")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            metavar="COL=VAL", help="Row filter COLUMN=VALUE or COLUMN!=VALUE; repeat to combine."
        ),
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date kept (ISO).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date kept (ISO).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the fit as one JSON object.")
    ] = False,
) -> None:
    """Fit an exponential trend (OLS of ln(value) on years) with a 95 % interval."""
    from strandrisk.analysis.trend import fit_trend
    from strandrisk.assumptions.fits import parse_where
    from strandrisk.io.datasets import read_csv_table, select_series

    include, exclude = parse_where(where or [])
    series = select_series(
        read_csv_table(file),
        x,
        y,
        y_divisor=per,
        where=include,
        exclude=exclude,
        start=start,
        end=end,
        source=str(file),
    )
    try:
        result = fit_trend(series.dates, series.values, skipped=series.skipped)
    except InputError as exc:  # name the file and the series: the fit knows only numbers
        raise InputError(f"{file}: {y}{f' per {per}' if per else ''}: {exc}") from None
    if as_json:
        ui.print_json(result.to_dict())
    else:
        ui.out.print(
            render.fit_panel(result, f"{file.name}: {y}{f' per {per}' if per else ''} against {x}")
        )


@ui.app.command()
@ui.clean_failures
def claims(
    section: Annotated[
        int | None, typer.Option(help="Only claims from this article section.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the claims as a JSON list.")
    ] = False,
) -> None:
    """Audit the article: every quantitative claim, recomputed where its own numbers allow."""
    from strandrisk.assumptions.claims import load_claims

    every = load_claims()
    rows = [c for c in every if section is None or c.section == section]
    if not rows:
        sections = sorted({c.section for c in every})
        raise InputError(
            f"--section: {section}; the article's claims are in sections "
            f"{', '.join(map(str, sections))}"
        )
    if as_json:
        ui.print_json([c.as_dict() for c in rows])
    else:
        ui.out.print(render.claims_table(rows, width=ui.out.width))
        ui.out.print(render.claims_summary(rows))


@ui.app.command()
@ui.clean_failures
def run(
    preset: Annotated[
        str | None, typer.Option(help="Preset name (default base); see `strandrisk presets`.")
    ] = None,
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario TOML file instead of a preset.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", metavar="KEY=VALUE", help="Override one value: dotted.key=VALUE (repeatable)."
        ),
    ] = None,
    company: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Only this company (repeatable).")
    ] = None,
    horizon: Annotated[int | None, typer.Option(help="Reporting horizon in years (1-30).")] = None,
    out: Annotated[
        Path, typer.Option(help="Folder for report.html (mc.html for a Monte Carlo run).")
    ] = Path("strandrisk-report"),
    store: Annotated[Path, typer.Option(help="DuckDB run store.")] = Path("strandrisk.duckdb"),
    no_report: Annotated[
        bool, typer.Option("--no-report", metavar="", help="Do not write the HTML report.")
    ] = False,
    png: Annotated[
        Path | None, typer.Option(help="Also write each chart as PNG in this folder.")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            metavar="",
            help="Print only the outcome table as JSON (with --at, an object: outcomes, at).",
        ),
    ] = False,
    mc: Annotated[
        int | None,
        typer.Option("--mc", help="Add a Monte Carlo section with N scenarios to the report."),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the Monte Carlo section.")] = 0,
    at: ui.AT_OPTION = None,
) -> None:
    """Run the main job: outcomes per company, the main drivers, an HTML report, a stored run."""
    from strandrisk.jobs import run_main_job

    if mc is not None and mc < 10:
        raise InputError(f"--mc: {mc} scenarios is too few for a distribution (at least 10)")
    if mc is not None and no_report and png is None:
        raise InputError(
            "--mc adds charts to the report, and --no-report writes none; "
            "`strandrisk mc` prints the distribution on its own"
        )
    chosen = ui.scenario_from_options(preset, scenario, set_, company, horizon)
    quarters = ui.quarters_in_horizon(at, chosen.years)
    with ui.stages(quiet=as_json) as step:  # shown on a terminal only
        job = run_main_job(
            chosen,
            out_dir=None if no_report else out,
            store_path=store,
            png_dir=png,
            mc_n=mc,
            seed=seed,
            uncertainty_source=scenario if scenario else (preset or "base"),
            step=step,
            fixed=tuple(ui.parse_set(set_)),
            at=tuple(quarters),
        )
    if as_json:
        columns = [c for c in job.outcomes.columns if c != "scenario"]
        records = json.loads(job.outcomes[columns].to_json(orient="records"))
        if quarters:  # the outcome rows, and each company's position at each quarter
            positions = {q: json.loads(job.value_at(q).to_json(orient="index")) for q in quarters}
            ui.print_json({"outcomes": records, "at": positions})
        else:
            ui.print_json(records)
        return
    ui.out.print(render.run_summary(job, quarters))


@ui.app.command()
def presets() -> None:
    """List the scenario presets, one line each."""
    from strandrisk.io.scenario import PRESETS, load_scenario

    for name in PRESETS:
        typer.echo(f"{name:22s} {load_scenario(name).description}")


scenario_app = typer.Typer(
    no_args_is_help=True, help="Inspect and compare scenarios: show one, diff and bridge two."
)
ui.app.add_typer(scenario_app, name="scenario")


@scenario_app.command("show")
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
    return "\n".join(lines) + "\n\n" + str(meta["scenario_toml"])


@scenario_app.command("diff")
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
    import re

    from strandrisk.analysis.bridge import bridge as walk
    from strandrisk.analysis.bridge import prior_diff
    from strandrisk.analysis.bridge import scenario_diff as differences
    from strandrisk.io.scenario import load_scenario, with_values
    from strandrisk.io.uncertainty import hold_fixed, load_uncertainty, uncertainty_from_toml
    from strandrisk.jobs import stored_scenario

    def side(name: str, sets: dict) -> tuple[Any, Any, str]:
        """Load a side: scenario, uncertainty space (a stored run's priors if it kept them)."""
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

    ui.check_folders(out, png, xlsx)
    sets = ui.parse_set(set_)
    a, space_a, label_a = side(first, {})
    b, whole_b, label_b = side(second, sets)
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
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.store.export import write_workbook

        named = diff.rename(columns={"first": labels[0], "second": labels[1]})
        sheets = {"differences": named, "priors": priors.rename(columns=dict(zip(
            ["first", "second"], labels, strict=True)))}  # fmt: skip
        units = {}
        if result is not None:
            sheets["bridge"] = result.table()
            for o in result.start.index:
                units[o] = units[f"{o}_alone"] = OUTCOME_UNITS[o]
        ui.wrote([write_workbook(sheets, xlsx, units)], as_json)
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


runs_app = typer.Typer(no_args_is_help=True, help="The run store: list, show, compare, delete.")
ui.app.add_typer(runs_app, name="runs")


@runs_app.command("list")
@ui.clean_failures
def runs_list(store: ui.STORE_OPTION = Path("strandrisk.duckdb")) -> None:
    """List the recorded runs."""
    from strandrisk.store.runs import RunStore

    ui.out.print(render.frame_table(RunStore(store).list_runs(), "Runs"))


@runs_app.command("show")
@ui.clean_failures
def runs_show(
    run_id: int, store: ui.STORE_OPTION = Path("strandrisk.duckdb"), at: ui.AT_OPTION = None
) -> None:
    """Show one run's provenance and outcomes."""
    import shlex

    from strandrisk.scenarios.schema import COMPANIES
    from strandrisk.store.runs import RunStore

    runs = RunStore(store)
    info = runs.meta(run_id)
    if at and info["kind"] != "run":
        raise InputError(
            f"--at: run {run_id} is a {info['kind']} run, which keeps no quarterly series; "
            "`strandrisk mc --at QUARTER` gives the spread of stranded value at a quarter"
        )
    quarters = ui.quarters_in_horizon(at, ui.stored_years(info)) if at else ()
    meta = {k: v for k, v in info.items() if k not in ("scenario_toml", "precision")}
    ui.out.print(render.mapping_table(meta, f"Run {run_id}"))
    comparison = runs.comparison(run_id) if info["kind"] == "compare" else None
    command = ui.reproduce_command(info, comparison, f"run-{run_id}.toml")
    if command is not None:
        where = shlex.quote(str(store))
        ui.out.print(
            f"To run it again: strandrisk scenario show run:{run_id} --store {where} > "
            f"run-{run_id}.toml; {command}",
            highlight=False,
        )
    if info.get("precision"):  # a run with a precision target: how it stopped
        from strandrisk.engine.montecarlo import PrecisionControl

        ui.out.print(PrecisionControl.from_json(info["precision"]).sentence())  # type: ignore[arg-type]
    if comparison is not None:  # decisions over the same draws, as the run printed them
        ui.out.print(render_uncertainty.decisions_tables(comparison, "industry", ui.out.width))
        return
    if info["kind"] == "mc":  # a distribution: its quantiles over every stored scenario
        n = int(info["n_scenarios"])  # type: ignore[call-overload]
        title = f"Outcomes over the {n:,} scenarios (computed in the store)"
        order = (*COMPANIES, "industry")
        q = runs.quantiles(run_id, with_mean=True)
        ui.out.print(render_uncertainty.quantile_table(q, title, order))
        below = runs.share_below(run_id, "npv_2026", 0.0)
        shares = ", ".join(f"{c} {below[c]:.0%}" for c in order if c in below.index)
        ui.out.print(f"Chance the 2026 programme's NPV is negative: {shares}")
        breach = runs.share_below(run_id, "min_dscr", 1.2, missing_is_above=True)
        shares = ", ".join(f"{c} {breach[c]:.0%}" for c in order if c in breach.index)
        ui.out.print(f"Chance the lowest annual DSCR falls below 1.2x: {shares}")
        if "min_interest_cover" in q.index.get_level_values("outcome"):  # not in older runs
            breach = runs.share_below(run_id, "min_interest_cover", 2.0, missing_is_above=True)
            shares = ", ".join(f"{c} {breach[c]:.0%}" for c in order if c in breach.index)
            ui.out.print(f"Chance the lowest annual interest cover falls below 2.0x: {shares}")
        if info["loan_cover"]:
            breach = runs.share_below(run_id, "min_llcr", 1.0, missing_is_above=True)
            shares = ", ".join(f"{c} {breach[c]:.0%}" for c in order if c in breach.index)
            ui.out.print(f"Chance the lowest quarterly LLCR falls below 1.0x: {shares}")
        return
    stored = runs.get(run_id)
    years = ui.stored_years(info)
    ui.out.print(render.outcome_table(stored.outcomes, last_quarter=f"{2025 + years}Q4"))
    if quarters:  # read from the stored quarterly series: nothing is recomputed
        from strandrisk.engine.simulate import position_at
        from strandrisk.store.runs import series_dataset

        series = series_dataset(stored.series)
        for quarter in quarters:
            ui.out.print()
            ui.out.print(render.position_table(position_at(series, quarter), quarter))


@runs_app.command("compare")
@ui.clean_failures
def runs_compare(
    first: int, second: int, store: ui.STORE_OPTION = Path("strandrisk.duckdb")
) -> None:
    """Compare the outcomes of two runs, company by company."""
    from strandrisk.store.runs import RunStore

    runs = RunStore(store)
    for run_id in (first, second):
        if runs.meta(run_id)["kind"] == "compare":
            raise InputError(
                f"run {run_id} is a decision comparison, which compares within itself: "
                f"strandrisk runs show {run_id}"
            )
    table = runs.compare(first, second)
    mc = [i for i in (first, second) if runs.meta(i)["kind"] == "mc"]
    note = f" (medians of Monte Carlo run {', '.join(map(str, mc))})" if mc else ""
    ui.out.print(render.compare_table(table, f"Run {first} against run {second}{note}"))
    where = "" if store == Path("strandrisk.duckdb") else f" --store {store}"
    ui.out.print(
        f"What separates them: strandrisk scenario diff run:{first} run:{second}{where}",
        style="dim",
        highlight=False,
        soft_wrap=False,  # wrapped at the terminal's width
    )


@runs_app.command("delete")
@ui.clean_failures
def runs_delete(run_id: int, store: ui.STORE_OPTION = Path("strandrisk.duckdb")) -> None:
    """Delete a run."""
    from strandrisk.store.runs import RunStore

    RunStore(store).delete(run_id)
    typer.echo(f"deleted run {run_id} from {store}")


@ui.app.command()
@ui.clean_failures
def export(
    run_id: Annotated[int, typer.Argument(help="Run id (see `strandrisk runs list`).")],
    store: ui.STORE_OPTION = Path("strandrisk.duckdb"),
    xlsx: Annotated[Path | None, typer.Option(help="Excel workbook to write.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Folder for CSV files.")] = None,
    parquet: Annotated[Path | None, typer.Option(help="Folder for Parquet files.")] = None,
) -> None:
    """Export a stored run to Excel, CSV or Parquet."""
    from strandrisk.store.export import export_csv, export_parquet, export_xlsx
    from strandrisk.store.runs import RunStore

    if not (xlsx or csv or parquet):
        raise InputError("export: give --xlsx FILE, --csv DIR or --parquet DIR")
    stored = RunStore(store).get(run_id)
    written = []
    if xlsx:
        written.append(export_xlsx(stored, xlsx))
    if csv:
        written += export_csv(stored, csv)
    if parquet:
        written += export_parquet(stored, parquet)
    for path in written:
        typer.echo(f"wrote {path}")


@ui.app.command()
@ui.clean_failures
def report(
    run_id: Annotated[int, typer.Argument(help="Run id (see `strandrisk runs list`).")],
    store: ui.STORE_OPTION = Path("strandrisk.duckdb"),
    out: Annotated[
        Path, typer.Option(help="Folder for report.html (mc.html for a Monte Carlo run).")
    ] = Path("strandrisk-report"),
    png: ui.PNG_OPTION = None,
    at: ui.AT_OPTION = None,
) -> None:
    """Rebuild the HTML report of a stored run (or the page of a Monte Carlo run or comparison)."""
    from strandrisk.jobs import report_stored_mc, report_stored_run
    from strandrisk.store.runs import RunStore

    meta = RunStore(store).meta(run_id) if Path(store).is_file() else None
    kind = meta["kind"] if meta else None
    if at and kind not in (None, "run"):
        raise InputError(
            f"--at: run {run_id} is a {kind} run; positions at a quarter are part of the "
            "report of a `strandrisk run`"
        )
    quarters = ui.quarters_in_horizon(at, ui.stored_years(meta)) if at and meta else ()
    if kind == "compare":  # the page of mc --compare, from the stored sketches
        from strandrisk.jobs import report_stored_comparison

        ui.wrote(report_stored_comparison(store, run_id, out_dir=out, png_dir=png), False)
        ui.out.print(
            f"rebuilt from the quantile sketches stored with run {run_id}: the figures the "
            "comparison printed"
        )
        return
    if kind == "mc":
        with ui.stages() as step:
            page = report_stored_mc(store, run_id, out_dir=out, png_dir=png, step=step)
        ui.wrote(page.written, False)
        if page.matches:
            ui.out.print(
                f"the first {page.checked:,} scenarios recomputed equal those stored with run "
                f"{run_id}"
            )
        else:
            ui.err.print(
                f"[yellow]warning:[/] the first {page.checked:,} scenarios recomputed differ from "
                f"those stored with run {run_id} ({escape(page.stored_with)}): the model or the "
                "register has changed since; the page summarises the stored outcomes (its fans are "
                "recomputed)",
                highlight=False,
            )
        return
    with ui.stages() as step:
        rebuilt = report_stored_run(store, run_id, out_dir=out, png_dir=png, step=step, at=quarters)
    job = rebuilt.job
    ui.out.print(f"report: {job.report}", highlight=False)
    for path in job.pngs:
        ui.out.print(f"chart:  {path}", highlight=False)
    if rebuilt.matches:
        ui.out.print(f"the recomputed outcomes equal those stored with run {run_id}")
    else:
        ui.err.print(
            f"[yellow]warning:[/] the recomputed outcomes differ from those stored with run "
            f"{run_id} ({escape(rebuilt.stored_with)}): the model or the register has changed "
            "since; the report shows today's numbers",
            highlight=False,
        )


@ui.app.command()
@ui.clean_failures
def tco(
    workload: Annotated[Path | None, typer.Option(help="Workload TOML file.")] = None,
    preset: Annotated[str | None, typer.Option(help="TCO preset (default article-3yr).")] = None,
    horizon: Annotated[
        float | None, typer.Option(help="Horizon in years (overrides the workload's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for tco.html (cumulative cost chart).")
    ] = None,
    png: Annotated[Path | None, typer.Option(help="Folder for the chart as PNG.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print one JSON object per option.")
    ] = False,
) -> None:
    """Total cost of ownership of a workload: cloud API, rented GPUs, owned servers, CPUs, Macs."""
    from strandrisk.io.workload import TCO_PRESETS, load_workload
    from strandrisk.tco.checks import evaluate_checks
    from strandrisk.tco.model import MAX_HORIZON_YEARS, compare

    if workload and preset:
        raise InputError("give --workload or --preset, not both")
    if horizon is not None and not (0 < horizon <= MAX_HORIZON_YEARS):
        raise InputError(f"--horizon: {horizon!r} is outside (0, {MAX_HORIZON_YEARS:g}] years")
    wf = load_workload(workload if workload else (preset or TCO_PRESETS[0]), horizon=horizon)
    result = compare(wf.workload, wf.options)
    if out is not None or png is not None:
        from strandrisk.reports.tco import write_tco_outputs

        ui.wrote(write_tco_outputs(wf, result, out, png), as_json)
    if as_json:
        ui.print_json(
            json.loads(
                json.dumps([r.as_json() for r in result.options], default=float).replace(
                    "NaN", "null"
                )
            )
        )
        return
    ui.out.print(render.tco_tables(wf, result, evaluate_checks(wf, result)))


for command in (
    uncertainty.mc,
    analysis.sensitivity,
    analysis.discover,
    analysis.breakeven,
    analysis.limit,
    whatif.sweep,
    whatif.headroom,
    whatif.lives,
):
    ui.app.command()(command)


def main() -> None:
    """Console entry point."""
    app()
