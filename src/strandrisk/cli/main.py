"""The ``strandrisk`` command line: a thin shell that parses, calls and formats.

Bad input of any kind ends with one message on standard error and exit status 2. The
shared app, consoles and helpers are in :mod:`strandrisk.cli._shared`; the Monte Carlo
command in :mod:`strandrisk.cli.uncertainty`, the analyses over its uncertainty space in
:mod:`strandrisk.cli.analysis`, ``fit-prior`` in :mod:`strandrisk.cli.priors` and one
scenario's what-ifs (``sweep``, ``headroom``, ``lives``) in :mod:`strandrisk.cli.whatif`,
registered here in the order of ``--help``, then the
``scenario`` and ``runs`` sub-commands (:mod:`strandrisk.cli.scenario`,
:mod:`strandrisk.cli.runs`); the tables they print in ``render``, ``render_uncertainty``,
``render_analysis`` and ``render_scenario``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from strandrisk import __version__
from strandrisk.cli import _shared as ui
from strandrisk.cli import analysis, priors, render, uncertainty, whatif
from strandrisk.cli import runs as runs_commands
from strandrisk.cli import scenario as scenario_commands
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
    file: Annotated[Path, typer.Argument(help="CSV file (or Excel workbook) holding the series.")],
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
    sheet: ui.SHEET_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the fit as one JSON object.")
    ] = False,
) -> None:
    """Fit an exponential trend (OLS of ln(value) on years) with a 95 % interval."""
    from strandrisk.analysis.trend import fit_trend
    from strandrisk.assumptions.fits import parse_where
    from strandrisk.io.datasets import read_table, select_series

    include, exclude = parse_where(where or [])
    series = select_series(
        read_table(file, sheet),
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


ui.app.command("fit-prior")(priors.fit_prior)  # after fit, in --help too


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


ui.app.add_typer(scenario_commands.app, name="scenario")
ui.app.add_typer(runs_commands.app, name="runs")


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
    analysis.optimize,
    whatif.sweep,
    whatif.headroom,
    whatif.lives,
    whatif.trace,
):
    ui.app.command()(command)


def main() -> None:
    """Console entry point."""
    app()
