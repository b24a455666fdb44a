"""The Monte Carlo command, ``mc``: quantiles, Capex-at-Risk, chances, drivers and decisions.

The analyses over the same uncertainty space (``sensitivity``, ``discover``, ``breakeven``,
``limit``) are in :mod:`strandrisk.cli.analysis`. Registered on the app by
:mod:`strandrisk.cli.main`, in the order of ``strandrisk --help``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from strandrisk.cli import _shared as ui
from strandrisk.cli import render_uncertainty
from strandrisk.errors import InputError
from strandrisk.jsonable import json_rows

__all__: list[str] = []  # the commands are registered by main; their docstrings are their --help

MAX_CONTROLLED = 1_000_000
"""Most scenarios ``mc --precision`` runs when ``--n`` does not say."""


@ui.clean_failures
def mc(
    preset: ui.PRESET_OPTION = None,
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario TOML file with an \\[uncertainty] block.")
    ] = None,
    set_: ui.SET_OPTION = None,
    n: Annotated[
        int | None,
        typer.Option(
            "--n",
            help="Number of scenarios (default 10,000); with --precision the most to run "
            "(default 1,000,000).",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(min=0, help="Root seed; the same seed reproduces the run bit for bit.")
    ] = 0,
    sampler: Annotated[str, typer.Option(help="mc, lhs or sobol.")] = "mc",
    precision: Annotated[
        float | None,
        typer.Option(
            metavar="FRACTION",
            help="Stop once P50, P95 and P99 of every company's peak stranded value and "
            "impairments are known within ±FRACTION (95 %), e.g. 0.01; checked at 10,000 "
            "scenarios and each doubling.",
        ),
    ] = None,
    llcr: Annotated[
        bool,
        typer.Option(
            "--llcr",
            metavar="",
            help="Also each company's lowest quarterly loan life cover ratio and the chance it "
            "falls below 1.0x, 1.2x, 1.5x, and by when (about a fifth more model work; on "
            "with --below min_llcr=...).",
        ),
    ] = False,
    capex_years: Annotated[
        bool,
        typer.Option(
            "--capex-years",
            metavar="",
            help="Also which year's capex strands: each calendar year's cohorts valued alone "
            "in every scenario, the P50, P95 and mean of their peak stranded value and the "
            "chance they strand at all (about 10 % more work).",
        ),
    ] = False,
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
    company: Annotated[
        str,
        typer.Option(
            help="Whose drivers to rank (with --compare, whose outcomes to compare): a company "
            "or industry."
        ),
    ] = "industry",
    satisfice: Annotated[
        list[str] | None,
        typer.Option(
            "--satisfice",
            metavar="OUTCOME>VALUE",
            help="With --compare: the share of draws in which each decision meets every such "
            "requirement, e.g. 'npv_2026>0' 'min_dscr>1.2' (EMA Workbench's satisficing; "
            "repeatable).",
        ),
    ] = None,
    level: Annotated[
        list[float] | None,
        typer.Option(
            "--level",
            metavar="FRACTION",
            help="Also Capex-at-Risk and its expected shortfall at this confidence level, "
            "e.g. 0.99 or 0.995 (repeatable; 0.95 is always shown).",
        ),
    ] = None,
    above: Annotated[
        list[str] | None,
        typer.Option(
            "--above",
            metavar="OUTCOME=USD",
            help="Also the chance each company's outcome exceeds this, e.g. "
            "stranded_peak=2e12 (repeatable).",
        ),
    ] = None,
    below: Annotated[
        list[str] | None,
        typer.Option(
            "--below",
            metavar="OUTCOME=USD",
            help="Also the chance it falls below this, e.g. npv_2026=-50e9, or a DSCR covenant: "
            "min_dscr=1.25 (repeatable).",
        ),
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            metavar="KEY=VALUE[,KEY=VALUE]",
            help="Compare a decision with the scenario as given over the same draws, e.g. "
            "capex.path=flat (repeatable: one decision each).",
        ),
    ] = None,
    stress: Annotated[
        list[str] | None,
        typer.Option(
            "--stress",
            metavar="KEY=P90:P100",
            help="Compare the run with one uncertain parameter drawn only from that band of its "
            "distribution (@RISK's stress analysis), over the same draws (repeatable).",
        ),
    ] = None,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the summary as one JSON object.")
    ] = False,
) -> None:
    """Monte Carlo: quantiles, Capex-at-Risk, debt cover, impairment odds, drivers; decisions."""
    comparing = bool(compare or stress)
    n = _checked_design(n, sampler, precision, chunk_size, workers, scheduler)
    levels = _levels(level or [])
    requirements = _requirements(satisfice or [])
    if requirements and not comparing:
        raise InputError(
            "--satisfice: a requirement is met or not by each decision of a comparison; give "
            "--compare (or --stress) too"
        )
    if comparing:
        _check_comparison(precision, keep, series, at, above, below, capex_years, levels)
    _check_files(series, keep, store, out, png)
    source = scenario if scenario else (preset or "base")
    chosen = ui.scenario_from_options(preset, scenario, set_, None, None, check_uncertainty=False)
    space = ui.uncertainty_for(source, chosen, set_, quiet=as_json)
    chosen.check_company(company)
    design = (n, seed, sampler, chunk_size, workers, scheduler)
    if comparing:
        comparison = _compare(
            chosen, space, compare or [], *design, as_json, stress or [], llcr, requirements
        )
        _report_comparison(comparison, chosen, space, store, out, png, company, as_json)
        return
    from strandrisk.engine.mc_result import covenants_asked

    quarters = list(ui.quarters_in_horizon(at, chosen.years))  # each once, in order given
    conditions = _conditions(above or [], below or [])
    llcr = llcr or any(name == "min_llcr" for name, _, _ in conditions)
    pages = out is not None or png is not None  # the histograms need every scenario's outcome
    with _kept_file(keep, store is not None or pages) as kept:
        switches = (llcr, capex_years, covenants_asked(conditions))
        result = _run(chosen, space, design, precision, kept, series, switches, as_json)
        run_id = None
        if store is not None:
            run_id = _record(
                store,
                kept,
                chosen,
                space,
                result,
                seed,
                sampler,
                company,
                conditions,
                capex_years,
                levels,
            )
        if pages:
            from strandrisk.engine.montecarlo import read_kept
            from strandrisk.reports.pages import mc_page

            drawn, industry = read_kept(kept, "industry")  # type: ignore[arg-type]
            page = mc_page(
                result,
                chosen.name,
                len(space.keys),
                industry,
                out,
                png,
                company,
                conditions,
                samples=drawn,
                copula_df=space.copula_df,
                levels=levels,
            )
            ui.wrote(page, as_json)
    if as_json:
        ui.print_json(_summary_json(result, space, quarters, conditions, run_id, levels))
        return
    ui.out.print(
        render_uncertainty.mc_summary(result, chosen, space, quarters, company, conditions, levels)
    )
    if run_id is not None:
        ui.out.print(f"stored: run {run_id} in {store}")


def _levels(given: list[float]) -> tuple[float, ...]:
    """Check ``--level`` values: confidence levels in (0, 1), each once, in the order given."""
    for level in given:
        if not 0.0 < level < 1.0:  # NaN too
            raise InputError(
                f"--level {level}: a confidence level between 0 and 1, e.g. 0.99 or 0.995"
            )
    return tuple(dict.fromkeys(v for v in given if v != 0.95))  # 95 % is always shown


def _checked_design(
    n: int | None,
    sampler: str,
    precision: float | None,
    chunk_size: int,
    workers: int | None,
    scheduler: str | None,
) -> int:
    """Check the run's design options; return ``--n`` or its default [count]."""
    from strandrisk.scenarios.sampling import SAMPLERS

    if sampler not in SAMPLERS:
        raise InputError(f"--sampler: {sampler!r} is not one of {', '.join(SAMPLERS)}")
    if precision is not None and not 0.0 < precision < 1.0:  # NaN fails too
        raise InputError(
            f"--precision {precision}: a relative half-width between 0 and 1, e.g. 0.01 for ±1 %"
        )
    if n is None:
        n = MAX_CONTROLLED if precision is not None else 10_000
    if n < 1 or chunk_size < 1 or (workers is not None and workers < 1):
        raise InputError("--n, --chunk-size and --workers must be positive")
    if workers is not None and scheduler is not None:
        raise InputError("--workers and --scheduler: give one (a local cluster or an existing one)")
    return n


def _check_comparison(
    precision: float | None,
    keep: Path | None,
    series: bool,
    at: list[str] | None,
    above: list[str] | None,
    below: list[str] | None,
    capex_years: bool,
    levels: Sequence[float] = (),
) -> None:
    """Refuse the options of a single run beside ``--compare`` or ``--stress``."""
    given = {
        "--precision": precision is not None,
        "--level": bool(levels),
        "--keep": keep is not None,
        "--series": series,
        "--at": bool(at),
        "--above": bool(above),
        "--below": bool(below),
    }
    clash = [flag for flag, on in given.items() if on]
    if clash:
        raise InputError(
            f"--compare and --stress print a comparison only; {', '.join(clash)} "
            f"{'belongs' if len(clash) == 1 else 'belong'} to a single run: run each "
            "decision with --set for that"
        )
    if capex_years:
        raise InputError(
            "--capex-years: a decision comparison does not value each year's capex; run mc "
            "with --capex-years and no --compare or --stress"
        )


def _check_files(
    series: bool, keep: Path | None, store: Path | None, out: Path | None, png: Path | None
) -> None:
    """Check the files and folders the run writes to, before it runs."""
    if series and keep is None:
        raise InputError("--series: needs --keep FILE.duckdb to keep the series in")
    if keep is not None and store is not None and keep.resolve() == store.resolve():
        raise InputError(f"--keep and --store: both are {keep}; give two different files")
    if store is not None:
        from strandrisk.store.runs import RunStore

        RunStore(store).check_file()
    ui.check_folders(out, png)


@contextmanager
def _kept_file(keep: Path | None, needed: bool) -> Iterator[Path | None]:
    """Yield the file the run keeps its rows in: ``--keep``, or a temporary one if ``needed``.

    A stored run and the report's histograms need every scenario's outcome; without
    ``--keep`` they are kept in a temporary folder, removed afterwards.
    """
    if keep is not None or not needed:
        yield keep
        return
    from strandrisk.engine.mc_kept import temporary_kept

    with temporary_kept() as path:
        yield path


def _run(
    chosen: Any,
    space: Any,
    design: tuple[int, int, str, int, int | None, str | None],
    precision: float | None,
    kept: Path | None,
    series: bool,
    switches: tuple[bool, bool, tuple[float, ...]],
    as_json: bool,
) -> Any:
    """Run the draws with a progress bar; return the ``MCResult``.

    ``switches``: the loan life cover, each year's capex valued alone, the DSCR covenants.
    """
    from rich.progress import Progress

    from strandrisk.engine.montecarlo import run_mc
    from strandrisk.jobs import compile_note

    n, seed, sampler, chunk_size, workers, scheduler = design
    llcr, capex_years, covenants = switches
    label = f"{n:,} scenarios" if precision is None else f"up to {n:,} scenarios"
    with Progress(console=ui.err, transient=True, disable=as_json) as bar:
        task = bar.add_task(label + compile_note(), total=n)
        return run_mc(
            chosen,
            space,
            n,
            seed,
            sampler=sampler,
            chunk_size=chunk_size,
            workers=workers,
            scheduler=scheduler,
            outcomes_path=kept,
            progress=lambda k: bar.update(task, advance=k, description=label),
            keep_series=series,
            precision=precision,
            llcr=llcr,
            capex_years=capex_years,
            covenants=covenants,
        )


def _record(
    store: Path,
    kept: Path | None,
    chosen: Any,
    space: Any,
    result: Any,
    seed: int,
    sampler: str,
    company: str,
    conditions: list[tuple[str, float, bool]],
    capex_years: bool,
    levels: Sequence[float] = (),
) -> int:
    """Record the run in the run store, its rows read from ``kept``; return its id."""
    from strandrisk import __version__
    from strandrisk.assumptions.register import load_register
    from strandrisk.store.mc_runs import record_mc
    from strandrisk.store.runs import RunStore

    assert kept is not None  # a stored run keeps its rows: in --keep or a temporary file
    return record_mc(
        RunStore(store),
        kept=kept,
        scenario_name=chosen.name,
        scenario_toml=_recorded(chosen, space),
        seed=seed,
        package_version=__version__,
        register_sha256=load_register().sha256(),
        sampler=sampler,
        precision=None if result.precision is None else result.precision.as_json(),
        sketches=result.capex_year_sketches(),
        page={
            "company": company,
            "conditions": [list(c) for c in conditions],
            "capex_years": capex_years,
            "levels": list(levels),
        },
    )


def _summary_json(
    result: Any,
    space: Any,
    quarters: list[str],
    conditions: list[tuple[str, float, bool]],
    run_id: int | None,
    levels: Sequence[float] = (),
) -> dict[str, object]:
    """Return ``mc --json``'s object, with the ``--at`` and ``--level`` blocks when asked for."""
    t = math.isfinite(space.copula_df)
    summary = {
        **result.as_json(conditions),
        "copula": {"kind": "t" if t else "normal", "df": space.copula_df if t else None},
    }
    summary["units"] = {
        **summary["units"],
        "copula": "how the rank correlations joined the parameters: a normal or t copula; "
        "df the t's degrees of freedom (null for the normal)",
    }
    if levels:
        summary["capex_at_risk_levels"] = {
            f"{level:g}": json_rows(result.capex_at_risk_at(level)) for level in levels
        }
        summary["units"]["capex_at_risk_levels"] = (
            "USD: per confidence level and company, car (the level's quantile of peak stranded "
            "value), low and high (its 95 % sampling interval; null where unbounded) and "
            "expected_shortfall (the mean at or beyond car)"
        )
    if not quarters:
        return {**summary, "run_id": run_id}
    summary["units"] = {  # say what the extra block is in, beside the others
        **summary["units"],
        "at": "USD (book value median; stranded value quantiles over at_scenarios)",
    }
    return {
        **summary,
        "run_id": run_id,
        "at": _value_at_json(result, quarters),
        "at_scenarios": result.fan_scenarios,
    }


def _report_comparison(
    comparison: Any,
    chosen: Any,
    space: Any,
    store: Path | None,
    out: Path | None,
    png: Path | None,
    company: str,
    as_json: bool,
) -> None:
    """Store, write and print a decision comparison (``mc --compare/--stress``)."""
    stored = None
    if store is not None:
        from strandrisk import __version__
        from strandrisk.assumptions.register import load_register
        from strandrisk.store.mc_runs import record_comparison
        from strandrisk.store.runs import RunStore

        stored = record_comparison(
            RunStore(store),
            comparison,
            scenario_name=chosen.name,
            scenario_toml=_recorded(chosen, space),
            parameters=len(space.keys),
            package_version=__version__,
            register_sha256=load_register().sha256(),
        )
    if out is not None or png is not None:
        from strandrisk.reports.pages import decisions_page

        page = decisions_page(comparison, chosen.name, len(space.keys), out, png, company)
        ui.wrote(page, as_json)
    if as_json:
        ui.print_json({**comparison.as_json(), "run_id": stored})
    else:
        ui.out.print(render_uncertainty.decisions_tables(comparison, company, ui.out.width))
        if stored is not None:
            ui.out.print(f"stored: run {stored} in {store}")


def _recorded(chosen: Any, space: Any) -> str:
    """Return the scenario a stored run keeps: every value, then the priors it drew from."""
    from strandrisk.io.scenario import dump_scenario
    from strandrisk.io.uncertainty import dump_uncertainty

    return dump_scenario(chosen) + "\n" + dump_uncertainty(space)


def _compare(
    chosen: Any,
    space: Any,
    texts: list[str],
    n: int,
    seed: int,
    sampler: str,
    chunk_size: int,
    workers: int | None,
    scheduler: str | None,
    as_json: bool = False,
    stress_texts: list[str] | None = None,
    llcr: bool = False,
    requirements: Sequence[tuple[str, float, bool]] = (),
) -> Any:
    """Run ``mc --compare/--stress``: against the scenario as given, on the same draws."""
    from rich.progress import Progress

    from strandrisk.engine.decisions import compare_decisions
    from strandrisk.jobs import compile_note

    decisions = ui.parse_decisions(texts)
    stresses = _stresses(stress_texts or [])
    label = f"{n:,} draws x {len(decisions) + len(stresses) + 1} cases"
    with Progress(console=ui.err, transient=True, disable=as_json) as bar:
        task = bar.add_task(label + compile_note(), total=n)
        comparison = compare_decisions(
            chosen,
            space,
            decisions,
            n,
            seed,
            sampler=sampler,
            chunk_size=chunk_size,
            workers=workers,
            scheduler=scheduler,
            progress=lambda k: bar.update(task, advance=k, description=label),
            stresses=stresses,
            llcr=llcr,
            requirements=requirements,
        )
    return comparison


def _requirements(texts: list[str]) -> list[tuple[str, float, bool]]:
    """Parse ``--satisfice OUTCOME>VALUE`` (or ``<``) into (outcome, value, above)."""
    import re

    found = []
    for text in texts:
        m = re.fullmatch(r"\s*(\w+)\s*([<>])\s*(\S+)\s*", text)
        value = _number(m.group(3)) if m else None
        if m is None or value is None or not math.isfinite(value):
            raise InputError(
                f"--satisfice {text!r}: expected OUTCOME>VALUE or OUTCOME<VALUE with a finite "
                "number, e.g. npv_2026>0 or min_dscr>1.2"
            )
        found.append((m.group(1), value, m.group(2) == ">"))
    return found


def _number(text: str) -> float | None:
    """Return ``text`` as a float, or None where it is not one."""
    try:
        return float(text)
    except ValueError:
        return None


def _stresses(texts: list[str]) -> dict[str, dict[str, tuple[float, float]]]:
    """Parse ``--stress KEY=P90:P100`` (or ``KEY=0.9:1``) into labelled stresses."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for text in texts:
        key, sep, band = text.partition("=")
        key = key.strip()
        low, colon, high = band.partition(":")
        try:
            if not (sep and colon and key):
                raise ValueError
            bounds = tuple(
                float(x.strip()[1:]) / 100 if x.strip()[:1] in "Pp" else float(x)
                for x in (low, high)
            )
        except ValueError:
            raise InputError(
                f"--stress {text!r}: expected KEY=P90:P100 (percentiles) or KEY=0.9:1 "
                "(cumulative probabilities)"
            ) from None
        label = f"{key} in P{bounds[0] * 100:g}-P{bounds[1] * 100:g}"
        if label in out:
            raise InputError(f"--stress {text!r}: given twice")
        out[label] = {key: (bounds[0], bounds[1])}
    return out


def _conditions(above: list[str], below: list[str]) -> list[tuple[str, float, bool]]:
    """Parse ``--above``/``--below OUTCOME=USD`` into conditions, NPV < 0 first."""
    from strandrisk.engine.montecarlo import CONDITION_OUTCOMES, NPV_BELOW_ZERO

    out = [NPV_BELOW_ZERO]
    for flag, texts, is_above in (("--above", above, True), ("--below", below, False)):
        for text in texts:
            name, sep, value = text.partition("=")
            name = name.strip()
            if not sep or name not in CONDITION_OUTCOMES:
                raise InputError(
                    f"{flag} {text!r}: expected OUTCOME=VALUE with OUTCOME one of "
                    f"{', '.join(CONDITION_OUTCOMES)}, e.g. stranded_peak=2e12, min_dscr=1.2 "
                    "or min_llcr=1"
                )
            try:
                threshold = float(value)
            except ValueError:
                raise InputError(f"{flag} {text!r}: {value.strip()!r} is not a number") from None
            if not math.isfinite(threshold):
                raise InputError(f"{flag} {text!r}: the value must be a finite number of USD")
            condition = (name, threshold, is_above)
            if condition not in out:
                out.append(condition)
    return out


def _value_at_json(result: Any, quarters: list[str]) -> dict:
    """Book value (median) and stranded value quantiles per company at each quarter [USD]."""
    out: dict = {}
    for quarter in quarters:
        table = result.value_at(quarter)
        out[quarter] = {
            str(company): {
                "book_value_p50": float(row["book_value_p50"]),
                "stranded_value": {c: float(row[c]) for c in table.columns[1:]},
            }
            for company, row in table.iterrows()
        }
    return out
