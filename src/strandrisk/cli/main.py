"""The ``strandrisk`` command line: a thin shell that parses, calls and formats.

Bad input of any kind ends with one message on standard error and exit status 2.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from strandrisk import __version__
from strandrisk.cli import render
from strandrisk.errors import InputError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="How much of today's AI data-centre capital could be stranded by AI's own progress.",
    pretty_exceptions_enable=False,
)
_out = Console(soft_wrap=True)
_err = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def _clean_failures(fn: F) -> F:
    """Turn bad input into one message on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def _working(text: str, quiet: bool = False) -> Iterator[None]:
    """Show a spinner on stderr while ``text`` is being done (on a terminal, unless ``quiet``).

    The first use of the compiled model compiles it (about 30 s); the line says so
    (:func:`strandrisk.jobs.compile_note`).
    """
    from strandrisk.jobs import compile_note

    text += compile_note()
    if quiet:
        yield
        return
    with _err.status(escape(text) + " ...", spinner="dots"):
        yield


def _wrote(paths: list[Path], quiet: bool) -> None:
    """Say on stderr which files were written (unless ``quiet``: JSON on stdout)."""
    for path in paths if not quiet else ():
        _err.print(f"wrote {path}", highlight=False)


_OUT_OPTION = Annotated[
    Path | None, typer.Option("--out", help="Folder for an HTML page with the tables and charts.")
]
_PNG_OPTION = Annotated[Path | None, typer.Option("--png", help="Folder for the charts as PNG.")]


def _check_folders(out: Path | None, png: Path | None) -> None:
    """Refuse an unwritable --out or --png folder before the work, not after it."""
    from strandrisk.io.files import ensure_folder

    if out is not None:
        ensure_folder(out)
    if png is not None:
        ensure_folder(png, "PNG folder")


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"strandrisk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", metavar="", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """How much of today's AI data-centre capital could be stranded by AI's own progress."""


@app.command()
@_clean_failures
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
        _print_json([r.as_dict() for r in rows])
    else:
        _out.print(render.register_table(rows, width=_out.width))


@app.command()
@_clean_failures
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
        _print_json(result.to_dict())
    else:
        _out.print(
            render.fit_panel(result, f"{file.name}: {y}{f' per {per}' if per else ''} against {x}")
        )


@app.command()
@_clean_failures
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
        _print_json([c.as_dict() for c in rows])
    else:
        _out.print(render.claims_table(rows, width=_out.width))
        _out.print(render.claims_summary(rows))


def _parse_set(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r}: expected dotted.key=VALUE")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        out[key.strip()] = value
    return out


def _scenario(
    preset: str | None,
    scenario: Path | None,
    sets: list[str] | None,
    companies: list[str] | None,
    horizon: int | None,
) -> Any:
    from strandrisk.io.scenario import load_scenario

    if preset and scenario:
        raise InputError("give --preset or --scenario, not both")
    overrides = _parse_set(sets)
    if horizon is not None:
        overrides["years"] = horizon
    loaded = load_scenario(scenario if scenario else (preset or "base"), overrides=overrides)
    if companies:
        try:
            loaded = loaded.with_companies(tuple(companies))
        except ValueError as exc:
            known = ", ".join(c.name for c in loaded.companies)
            raise InputError(f"--company: {exc} (known: {known})") from None
    return loaded


@app.command()
@_clean_failures
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
    out: Annotated[Path, typer.Option(help="Folder for report.html.")] = Path("strandrisk-report"),
    store: Annotated[Path, typer.Option(help="DuckDB run store.")] = Path("strandrisk.duckdb"),
    no_report: Annotated[
        bool, typer.Option("--no-report", metavar="", help="Do not write the HTML report.")
    ] = False,
    png: Annotated[
        Path | None, typer.Option(help="Also write each chart as PNG in this folder.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print only the outcome table as JSON.")
    ] = False,
    mc: Annotated[
        int | None,
        typer.Option("--mc", help="Add a Monte Carlo section with N scenarios to the report."),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the Monte Carlo section.")] = 0,
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
    chosen = _scenario(preset, scenario, set_, company, horizon)
    with _err.status("starting", spinner="dots") as status:  # shown on a terminal only
        job = run_main_job(
            chosen,
            out_dir=None if no_report else out,
            store_path=store,
            png_dir=png,
            mc_n=mc,
            seed=seed,
            uncertainty_source=scenario if scenario else (preset or "base"),
            step=None if as_json else lambda text: status.update(escape(text) + " ..."),
        )
    if as_json:
        columns = [c for c in job.outcomes.columns if c != "scenario"]
        _print_json(json.loads(job.outcomes[columns].to_json(orient="records")))
        return
    _out.print(render.run_summary(job))


@app.command()
def presets() -> None:
    """List the scenario presets, one line each."""
    from strandrisk.io.scenario import PRESETS, load_scenario

    for name in PRESETS:
        typer.echo(f"{name:22s} {load_scenario(name).description}")


scenario_app = typer.Typer(no_args_is_help=True, help="Inspect scenarios.")
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("show")
@_clean_failures
def scenario_show(name: Annotated[str, typer.Argument(help="Preset name or TOML file.")]) -> None:
    """Print a scenario's full TOML (every key) to copy and edit."""
    from strandrisk.io.scenario import (
        PRESETS,
        dump_scenario,
        load_scenario,
        preset_text,
        scenario_file_parts,
    )

    scenario = load_scenario(name)  # refuses a bad name or file with a message
    text = preset_text(name) if name in PRESETS else Path(name).read_text(encoding="utf-8")
    header, tail = scenario_file_parts(text)
    sys.stdout.write(header + dump_scenario(scenario) + tail)


runs_app = typer.Typer(no_args_is_help=True, help="The run store: list, show, compare, delete.")
app.add_typer(runs_app, name="runs")
_STORE = Annotated[Path, typer.Option("--store", help="DuckDB run store.")]


@runs_app.command("list")
@_clean_failures
def runs_list(store: _STORE = Path("strandrisk.duckdb")) -> None:
    """List the recorded runs."""
    from strandrisk.store.runs import RunStore

    _out.print(render.frame_table(RunStore(store).list_runs(), "Runs"))


@runs_app.command("show")
@_clean_failures
def runs_show(run_id: int, store: _STORE = Path("strandrisk.duckdb")) -> None:
    """Show one run's provenance and outcomes."""
    from strandrisk.scenarios.schema import COMPANIES
    from strandrisk.store.runs import RunStore

    runs = RunStore(store)
    info = runs.meta(run_id)
    meta = {k: v for k, v in info.items() if k != "scenario_toml"}
    _out.print(render.mapping_table(meta, f"Run {run_id}"))
    if info["kind"] == "mc":  # a distribution: its quantiles over every stored scenario
        n = int(info["n_scenarios"])  # type: ignore[call-overload]
        title = f"Outcomes over the {n:,} scenarios (computed in the store)"
        _out.print(render.quantile_table(runs.quantiles(run_id), title, (*COMPANIES, "industry")))
        return
    years = tomllib.loads(str(info["scenario_toml"])).get("years", 10)
    _out.print(render.outcome_table(runs.get(run_id).outcomes, last_quarter=f"{2025 + years}Q4"))


@runs_app.command("compare")
@_clean_failures
def runs_compare(first: int, second: int, store: _STORE = Path("strandrisk.duckdb")) -> None:
    """Compare the outcomes of two runs, company by company."""
    from strandrisk.store.runs import RunStore

    runs = RunStore(store)
    table = runs.compare(first, second)
    mc = [i for i in (first, second) if runs.meta(i)["kind"] == "mc"]
    note = f" (medians of Monte Carlo run {', '.join(map(str, mc))})" if mc else ""
    _out.print(render.compare_table(table, f"Run {first} against run {second}{note}"))


@runs_app.command("delete")
@_clean_failures
def runs_delete(run_id: int, store: _STORE = Path("strandrisk.duckdb")) -> None:
    """Delete a run."""
    from strandrisk.store.runs import RunStore

    RunStore(store).delete(run_id)
    typer.echo(f"deleted run {run_id} from {store}")


@app.command()
@_clean_failures
def export(
    run_id: Annotated[int, typer.Argument(help="Run id (see `strandrisk runs list`).")],
    store: _STORE = Path("strandrisk.duckdb"),
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


@app.command()
@_clean_failures
def report(
    run_id: Annotated[int, typer.Argument(help="Run id (see `strandrisk runs list`).")],
    store: _STORE = Path("strandrisk.duckdb"),
    out: Annotated[Path, typer.Option(help="Folder for report.html.")] = Path("strandrisk-report"),
    png: _PNG_OPTION = None,
) -> None:
    """Rebuild the HTML report of a stored run from the scenario it recorded."""
    from strandrisk.jobs import report_stored_run

    with _err.status("starting", spinner="dots") as status:
        rebuilt = report_stored_run(
            store,
            run_id,
            out_dir=out,
            png_dir=png,
            step=lambda text: status.update(escape(text) + " ..."),
        )
    job = rebuilt.job
    _out.print(f"report: {job.report}", highlight=False)
    for path in job.pngs:
        _out.print(f"chart:  {path}", highlight=False)
    if rebuilt.matches:
        _out.print(f"the recomputed outcomes equal those stored with run {run_id}")
    else:
        _err.print(
            f"[yellow]warning:[/] the recomputed outcomes differ from those stored with run "
            f"{run_id} ({escape(rebuilt.stored_with)}): the model or the register has changed "
            "since; the report shows today's numbers",
            highlight=False,
        )


@app.command()
@_clean_failures
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

        _wrote(write_tco_outputs(wf, result, out, png), as_json)
    if as_json:
        _print_json(
            json.loads(
                json.dumps([r.as_json() for r in result.options], default=float).replace(
                    "NaN", "null"
                )
            )
        )
        return
    _out.print(render.tco_tables(wf, result, evaluate_checks(wf, result)))


@app.command()
@_clean_failures
def mc(
    preset: Annotated[str | None, typer.Option(help="Preset name (default base).")] = None,
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario TOML file with an \\[uncertainty] block.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KEY=VALUE", help="Override a fixed value (repeatable)."),
    ] = None,
    n: Annotated[int, typer.Option("--n", help="Number of scenarios.")] = 10_000,
    seed: Annotated[
        int, typer.Option(min=0, help="Root seed; the same seed reproduces the run bit for bit.")
    ] = 0,
    sampler: Annotated[str, typer.Option(help="mc, lhs or sobol.")] = "mc",
    chunk_size: Annotated[int, typer.Option(help="Scenarios per task.")] = 100_000,
    workers: Annotated[
        int | None, typer.Option(help="Run on a local Dask cluster with N workers.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Use an existing Dask scheduler, tcp://HOST:PORT.")
    ] = None,
    keep: Annotated[
        Path | None, typer.Option(help="DuckDB file to keep every scenario's outcomes in.")
    ] = None,
    store: Annotated[
        Path | None, typer.Option(help="Record the run in this DuckDB run store.")
    ] = None,
    series: Annotated[
        bool,
        typer.Option(
            "--series",
            metavar="",
            help="Also keep every scenario's quarterly stranded, book and economic value "
            "(table series in the --keep file).",
        ),
    ] = False,
    at: Annotated[
        list[str] | None,
        typer.Option(
            "--at",
            metavar="QUARTER",
            help="Also the spread of each company's stranded value at this quarter, e.g. 2029Q4, "
            "over the first 2,000 scenarios (repeatable).",
        ),
    ] = None,
    out: _OUT_OPTION = None,
    png: _PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the summary as one JSON object.")
    ] = False,
) -> None:
    """Monte Carlo over every uncertain parameter: quantiles, Capex-at-Risk, P(impairment)."""
    from rich.progress import Progress

    from strandrisk.engine.montecarlo import FAN_SCENARIOS, run_mc
    from strandrisk.io.uncertainty import load_uncertainty
    from strandrisk.scenarios.sampling import SAMPLERS

    if sampler not in SAMPLERS:
        raise InputError(f"--sampler: {sampler!r} is not one of {', '.join(SAMPLERS)}")
    if n < 1 or chunk_size < 1 or (workers is not None and workers < 1):
        raise InputError("--n, --chunk-size and --workers must be positive")
    if workers is not None and scheduler is not None:
        raise InputError("--workers and --scheduler: give one (a local cluster or an existing one)")
    if series and keep is None:
        raise InputError("--series: needs --keep FILE.duckdb to keep the series in")
    if keep is not None and store is not None and keep.resolve() == store.resolve():
        raise InputError(f"--keep and --store: both are {keep}; give two different files")
    if store is not None:
        from strandrisk.store.runs import RunStore

        RunStore(store).check_file()  # before the run, not after it
    _check_folders(out, png)
    source = scenario if scenario else (preset or "base")
    chosen = _scenario(preset, scenario, set_, None, None)
    space = load_uncertainty(source, chosen)
    quarters = [_quarter_in_horizon(q, chosen.years) for q in at or []]
    import tempfile

    pages = out is not None or png is not None  # the histograms need every scenario's outcome
    tmp = (
        tempfile.TemporaryDirectory(prefix="strandrisk-mc-")
        if (store or pages) and not keep
        else None
    )
    if tmp is not None:
        keep = Path(tmp.name) / "mc.duckdb"
    from strandrisk.jobs import compile_note

    label = f"{n:,} scenarios"
    with Progress(console=_err, transient=True, disable=as_json) as bar:
        task = bar.add_task(label + compile_note(), total=n)
        result = run_mc(
            chosen,
            space,
            n,
            seed,
            sampler=sampler,
            chunk_size=chunk_size,
            workers=workers,
            scheduler=scheduler,
            outcomes_path=keep,
            progress=lambda k: bar.update(task, advance=k, description=label),
            keep_series=series,
        )
    run_id = None
    if store is not None:
        from strandrisk import __version__
        from strandrisk.assumptions.register import load_register
        from strandrisk.io.scenario import dump_scenario
        from strandrisk.store.runs import RunStore, record_mc

        run_id = record_mc(
            RunStore(store),
            kept=keep,
            scenario_name=chosen.name,
            scenario_toml=dump_scenario(chosen),
            seed=seed,
            package_version=__version__,
            register_sha256=load_register().sha256(),
        )
    if pages:
        from strandrisk.engine.montecarlo import read_kept
        from strandrisk.reports.pages import mc_page

        _, industry = read_kept(keep, "industry")  # type: ignore[arg-type]
        _wrote(mc_page(result, chosen.name, len(space.keys), industry, out, png), as_json)
    if tmp is not None:
        tmp.cleanup()
    if as_json:
        extra = (
            {
                "at": _value_at_json(result.fans, quarters),
                "at_scenarios": min(result.n, FAN_SCENARIOS),
            }
            if quarters
            else {}
        )
        _print_json({**result.as_json(), "run_id": run_id, **extra})
        return
    _out.print(render.mc_summary(result, chosen, space, quarters))
    if run_id is not None:
        _out.print(f"stored: run {run_id} in {store}")


def _quarter_in_horizon(text: str, years: int) -> str:
    """Return ``text`` as an ISO quarter of the horizon (2026Q1 on), or raise InputError."""
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text)
    last = f"{2025 + years}Q4"
    if m is None:
        raise InputError(f"--at {text!r}: expected a quarter such as 2029Q4")
    year, q = int(m.group(1)), int(m.group(2))
    if not 2026 <= year <= 2025 + years:
        raise InputError(f"--at {text}: outside the horizon, 2026Q1 to {last}")
    return f"{year}Q{q}"


def _value_at_json(fans: Any, quarters: list[str]) -> dict:
    """Book value (median) and stranded value quantiles per company at each quarter [USD]."""
    out: dict = {}
    for quarter in quarters:
        out[quarter] = {
            str(company): {
                "book_value_p50": float(fans.loc[("book_value", company, quarter), "p50"]),
                "stranded_value": {
                    c: float(v) for c, v in fans.loc[("stranded_value", company, quarter)].items()
                },
            }
            for company in fans.index.get_level_values("company").unique()
        }
    return out


def _mc_setup(preset: str | None, scenario: Path | None, set_: list[str] | None) -> tuple[Any, Any]:
    from strandrisk.io.uncertainty import load_uncertainty

    chosen = _scenario(preset, scenario, set_, None, None)
    return chosen, load_uncertainty(scenario if scenario else (preset or "base"), chosen)


@app.command()
@_clean_failures
def sensitivity(
    preset: Annotated[str | None, typer.Option(help="Preset name (default base).")] = None,
    scenario: Annotated[Path | None, typer.Option(help="Scenario TOML file.")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", metavar="KEY=VALUE", help="Override a fixed value.")
    ] = None,
    n: Annotated[
        int, typer.Option("--n", help="Base sample size (power of two); runs n x (d + 2).")
    ] = 64,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the design and bootstrap.")] = 0,
    outcome: Annotated[
        list[str] | None, typer.Option(metavar="COLUMN", help="Outcome column (repeatable).")
    ] = None,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    out: _OUT_OPTION = None,
    png: _PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the indices as JSON.")
    ] = False,
) -> None:
    """Sobol first-order and total indices (SALib) and a P10-P90 tornado of the industry."""
    from strandrisk.analysis.sensitivity import quantile_swings
    from strandrisk.analysis.sobol import sobol_for_scenario

    if n < 2 or n & (n - 1):
        raise InputError(f"--n: {n} is not a power of two >= 2 (Saltelli's design needs one)")
    chosen, space = _mc_setup(preset, scenario, set_)
    _check_folders(out, png)
    outcomes = tuple(outcome or ("stranded_peak", "npv_2026"))
    runs = n * (len(space.keys) + 2)
    with _working(f"Sobol indices from {runs:,} runs, then the tornado", as_json):
        indices = sobol_for_scenario(chosen, space, n, seed, outcomes, company)
        swings = quantile_swings(chosen, space, company=company)
    if out is not None or png is not None:
        from strandrisk.reports.pages import sensitivity_page

        _wrote(sensitivity_page(indices, swings, runs, out, png, company), as_json)
    if as_json:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.scenarios.schema import parameter_unit

        _print_json(
            {
                "company": company,
                "sobol": json.loads(indices.reset_index().to_json(orient="records")),
                "tornado": [
                    {
                        "key": s.key,
                        "p10": s.low,
                        "p90": s.high,
                        "outcome_p10": s.outcome_low,
                        "outcome_p90": s.outcome_high,
                    }
                    for s in swings
                ],
                "units": {
                    "S1, ST and their confidence intervals": "share of the outcome's variance",
                    "tornado outcome": f"stranded_peak [{OUTCOME_UNITS['stranded_peak']}]",
                    **{s.key: parameter_unit(s.key) for s in swings},
                },
            }
        )
        return
    _out.print(render.sobol_table(indices, swings, company))


@app.command()
@_clean_failures
def discover(
    outcome: Annotated[str, typer.Option(help="Outcome column.")] = "stranded_peak",
    above: Annotated[
        float | None, typer.Option(help="Cases of interest: outcome above this.")
    ] = None,
    below: Annotated[
        float | None, typer.Option(help="Cases of interest: outcome below this.")
    ] = None,
    preset: Annotated[str | None, typer.Option(help="Preset name (default base).")] = None,
    scenario: Annotated[Path | None, typer.Option(help="Scenario TOML file.")] = None,
    n: Annotated[int, typer.Option("--n", help="Scenarios to draw (ignored with --from).")] = 5_000,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    from_: Annotated[
        Path | None, typer.Option("--from", help="Kept Monte Carlo outcomes (mc --keep).")
    ] = None,
    out: _OUT_OPTION = None,
    png: _PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the box as JSON.")
    ] = False,
) -> None:
    """PRIM scenario discovery: the parameter ranges where the outcome is above (below) a value."""
    import tempfile

    import numpy as np
    import pandas as pd

    from strandrisk.analysis.prim import prim
    from strandrisk.engine.montecarlo import read_kept, run_mc

    if (above is None) == (below is None):
        raise InputError("discover: give exactly one of --above VALUE or --below VALUE")
    threshold = above if above is not None else below
    flag = "--above" if above is not None else "--below"
    if not math.isfinite(threshold):  # type: ignore[arg-type]
        raise InputError(f"{flag}: {threshold} is not a finite number")
    if from_ is None and n < 10:
        raise InputError(f"--n: {n} scenarios are too few to discover anything (at least 10)")
    _check_folders(out, png)
    with tempfile.TemporaryDirectory() as tmp:
        path = from_
        if path is None:
            chosen, space = _mc_setup(preset, scenario, None)
            path = Path(tmp) / "mc.duckdb"
            with _working(f"drawing and running {n:,} scenarios", as_json):
                run_mc(chosen, space, n, seed, sampler="lhs", outcomes_path=path)
        elif not path.exists():
            raise InputError(f"--from {path}: no such file")
        samples, outcomes = read_kept(path, company)
    numeric = [c for c in outcomes.columns if pd.api.types.is_float_dtype(outcomes[c])]
    if outcome not in numeric:
        raise InputError(f"--outcome: {outcome!r} is not one of {', '.join(numeric)}")
    y = outcomes[outcome].to_numpy(dtype=float)
    cases = y > threshold if above is not None else y < threshold
    if not cases.any() or cases.all():
        lo, hi = np.nanmin(y), np.nanmax(y)
        share = "none" if not cases.any() else "every one"
        raise InputError(
            f"{flag} {threshold:g}: {share} of the {len(y):,} scenarios qualifies "
            f"({outcome} ranges from {lo:.4g} to {hi:.4g}); choose a value inside that range"
        )
    result = prim(samples.to_numpy(dtype=float), cases, list(samples.columns))
    if out is not None or png is not None:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.reports.pages import prim_page

        question = (
            f"{company} {outcome} {'above' if above is not None else 'below'} {threshold:g} "
            f"{OUTCOME_UNITS.get(outcome, '')}".rstrip()
        )
        _wrote(prim_page(result, question, int(cases.sum()), len(cases), out, png), as_json)
    if as_json:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.scenarios.schema import parameter_unit

        box = result.boxes[result.chosen]
        _print_json(
            {
                "company": company,
                "outcome": outcome,
                "threshold": {"above" if above is not None else "below": threshold},
                "cases": int(cases.sum()),
                "n": len(cases),
                "coverage": box.coverage,
                "density": box.density,
                "mass": box.mass,
                "limits": json.loads(result.limits.reset_index().to_json(orient="records")),
                "units": {
                    outcome: OUTCOME_UNITS.get(outcome, ""),
                    "coverage, density, mass": "fraction",
                    **{str(k): parameter_unit(str(k)) for k in result.limits.index},
                },
            }
        )
        return
    _out.print(render.prim_summary(result, int(cases.sum()), len(cases)))


@app.command()
@_clean_failures
def breakeven(
    preset: Annotated[str | None, typer.Option(help="Preset name (default base).")] = None,
    scenario: Annotated[Path | None, typer.Option(help="Scenario TOML file.")] = None,
    n: Annotated[int, typer.Option("--n", help="Scenarios drawn for the distribution.")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    x: Annotated[
        str, typer.Option("--x", help="First parameter of the surface.")
    ] = "market.price_decline",
    y: Annotated[
        str, typer.Option("--y", help="Second parameter of the surface.")
    ] = "market.elasticity",
    grid: Annotated[int, typer.Option(help="Points per axis of the surface.")] = 5,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    out: _OUT_OPTION = None,
    png: _PNG_OPTION = None,
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="Print as JSON.")] = False,
) -> None:
    """Break-even demand growth and price decline per scenario, and a two-parameter surface."""
    from strandrisk.analysis.breakeven import breakeven_distribution, breakeven_surface

    if n < 1:
        raise InputError(f"--n: {n}; the distribution needs at least one scenario")
    chosen, space = _mc_setup(preset, scenario, None)
    if grid < 2 or grid > 20:
        raise InputError("--grid: between 2 and 20 points per axis")
    _check_folders(out, png)
    with _working(f"break-evens of {n:,} scenarios and a {grid} x {grid} surface", as_json):
        dist = breakeven_distribution(chosen, space, n, seed, company)
        surface = breakeven_surface(chosen, space, x, y, grid, company=company)
    if out is not None or png is not None:
        from strandrisk.reports.pages import breakeven_page

        _wrote(breakeven_page(dist, surface, x, y, n, out, png, company), as_json)
    if as_json:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.scenarios.schema import parameter_unit

        _print_json(
            {
                "company": company,
                "distribution": json.loads(dist.to_json(orient="index")),
                "surface": {
                    "value": "breakeven_demand_growth",
                    "x": x,
                    "y": y,
                    **json.loads(surface.to_json(orient="split")),
                },
                "units": {
                    "breakeven_demand_growth": OUTCOME_UNITS["breakeven_demand_growth"],
                    "breakeven_price_decline": OUTCOME_UNITS["breakeven_price_decline"],
                    "share_defined": "fraction of scenarios with a break-even in the range",
                    x: parameter_unit(x),
                    y: parameter_unit(y),
                },
            }
        )
        return
    _out.print(render.breakeven_summary(dist, surface, x, y, company))


def main() -> None:
    """Console entry point."""
    app()
