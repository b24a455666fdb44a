"""``strandrisk runs``: the run store: list, show, compare, delete, check."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from strandrisk.cli import _shared as ui
from strandrisk.cli import render, render_uncertainty
from strandrisk.errors import InputError

if TYPE_CHECKING:
    from strandrisk.store.runs import RunStore

__all__ = ["app"]  # registered by main as `strandrisk {name}`; docstrings are their --help

app = typer.Typer(no_args_is_help=True, help="The run store: list, show, compare, check, delete.")


@app.command("list")
@ui.clean_failures
def runs_list(store: ui.STORE_OPTION = Path("strandrisk.duckdb")) -> None:
    """List the recorded runs."""
    from strandrisk.store.runs import RunStore

    ui.out.print(render.frame_table(RunStore(store).list_runs(), "Runs"))


@app.command("show")
@ui.clean_failures
def runs_show(
    run_id: int, store: ui.STORE_OPTION = Path("strandrisk.duckdb"), at: ui.AT_OPTION = None
) -> None:
    """Show one run's provenance and outcomes."""
    import shlex

    from strandrisk.store.runs import RunStore

    runs = RunStore(store)
    info = runs.meta(run_id)
    if at and info["kind"] != "run":
        raise InputError(
            f"--at: run {run_id} is a {info['kind']} run, which keeps no quarterly series; "
            "`strandrisk mc --at QUARTER` gives the spread of stranded value at a quarter"
        )
    quarters = ui.quarters_in_horizon(at, ui.stored_years(info)) if at else ()
    meta = {k: v for k, v in info.items() if k not in ("scenario_toml", "precision", "page")}
    ui.out.print(render.mapping_table(meta, f"Run {run_id}"))
    comparison = runs.comparison(run_id) if info["kind"] == "compare" else None
    command = ui.reproduce_command(info, comparison, f"run-{run_id}.toml")
    where = shlex.quote(str(store))
    if command is not None:
        ui.out.print(
            f"To run it again: strandrisk scenario show run:{run_id} --store {where} > "
            f"run-{run_id}.toml; {command}",
            highlight=False,
        )
    if info["kind"] == "mc" or command is not None:  # what recheck_run can redo
        ui.out.print(
            f"To see whether today's model still gives these outcomes: strandrisk runs check "
            f"{run_id} --store {where}",
            highlight=False,
        )
    if info.get("precision"):  # a run with a precision target: how it stopped
        from strandrisk.engine.montecarlo import PrecisionControl

        ui.out.print(PrecisionControl.from_json(info["precision"]).sentence())  # type: ignore[arg-type]
    if comparison is not None:  # decisions over the same draws, as the run printed them
        ui.out.print(render_uncertainty.decisions_tables(comparison, "industry", ui.out.width))
        return
    if info["kind"] == "mc":  # a distribution: its quantiles over every stored scenario
        _mc_run_tables(runs, run_id, info)
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


def _mc_run_tables(runs: RunStore, run_id: int, info: dict[str, object]) -> None:
    """Print a stored Monte Carlo run's quantiles and chances, computed in the store."""
    from strandrisk.scenarios.schema import COMPANIES

    n = int(info["n_scenarios"])  # type: ignore[call-overload]
    title = f"Outcomes over the {n:,} scenarios (computed in the store)"
    order = (*COMPANIES, "industry")
    q = runs.quantiles(run_id, with_mean=True)
    ui.out.print(render_uncertainty.quantile_table(q, title, order))
    chances = [  # outcome, level, a missing value counts as above it, what the line says
        ("npv_2026", 0.0, False, "the 2026 programme's NPV is negative"),
        ("min_dscr", 1.2, True, "the lowest annual DSCR falls below 1.2x"),
    ]
    if "min_interest_cover" in q.index.get_level_values("outcome"):  # not in older runs
        chances.append(
            ("min_interest_cover", 2.0, True, "the lowest annual interest cover falls below 2.0x")
        )
    if info["loan_cover"]:
        chances.append(("min_llcr", 1.0, True, "the lowest quarterly LLCR falls below 1.0x"))
    for outcome, level, missing_is_above, text in chances:
        below = runs.share_below(run_id, outcome, level, missing_is_above=missing_is_above)
        shares = ", ".join(f"{c} {below[c]:.0%}" for c in order if c in below.index)
        ui.out.print(f"Chance {text}: {shares}")


@app.command("compare")
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


@app.command("delete")
@ui.clean_failures
def runs_delete(run_id: int, store: ui.STORE_OPTION = Path("strandrisk.duckdb")) -> None:
    """Delete a run."""
    from strandrisk.store.runs import RunStore

    RunStore(store).delete(run_id)
    typer.echo(f"deleted run {run_id} from {store}")


@app.command("check")
@ui.clean_failures
def runs_check(
    run_id: int,
    store: ui.STORE_OPTION = Path("strandrisk.duckdb"),
    n: Annotated[
        int,
        typer.Option(
            "--n",
            help="A Monte Carlo run: how many of its first scenarios to redo (not a comparison).",
        ),
    ] = 1000,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Recompute a stored run with today's model and say which outcomes moved (exit 1 if any).

    A run's scenario, or a Monte Carlo run's first scenarios from their stored draws; a
    decision comparison is run again whole from the priors it kept.
    """
    from strandrisk.jsonable import json_number
    from strandrisk.recheck import TOLERANCE, recheck_run

    with ui.working(f"run {run_id} again", as_json):
        result = recheck_run(store, run_id, n)
    if as_json:
        ui.print_json(
            {
                "run_id": run_id,
                "kind": result.meta["kind"],
                "scenarios": result.scenarios,
                "made_with": {
                    "version": result.meta["package_version"],
                    "register": result.meta["register_sha256"],
                },
                "now": {"version": result.version, "register": result.register},
                "same": result.same,
                "tolerance": TOLERANCE,
                "not_compared": list(result.not_compared),
                "outcomes": {
                    str(k): {
                        "compared": int(r["compared"]),
                        "differ": int(r["differ"]),
                        "largest": json_number(r["largest"]),
                        "unit": r["unit"],
                    }
                    for k, r in result.columns.iterrows()
                },
            }
        )
    else:
        ui.out.print(render.recheck_table(result))
    if not result.same:
        raise typer.Exit(1)
