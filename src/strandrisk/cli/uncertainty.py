"""The uncertainty commands: ``mc``, ``sensitivity``, ``discover``, ``breakeven``, ``limit``.

Registered on the app by :mod:`strandrisk.cli.main`, in the order of ``strandrisk --help``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from strandrisk.cli import _shared as ui
from strandrisk.cli import render_uncertainty
from strandrisk.errors import InputError

__all__: list[str] = []  # the commands are registered by main; their docstrings are their --help

_PAWN_UNITS = {
    "median, mean, minimum, maximum": "Kolmogorov-Smirnov statistic (0 to 1) between the "
    "outcome's distribution in each conditioning interval and over all draws; cv its "
    "coefficient of variation; the noise floor row is the 95th percentile of 20 dummy parameters"
}
"""Units of the PAWN indices in ``sensitivity --method pawn --json``."""
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
            "falls below 1.0x, 1.2x, 1.5x, and by when (about a third more model work; on "
            "with --below min_llcr=...).",
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
    from rich.progress import Progress

    from strandrisk.engine.montecarlo import run_mc
    from strandrisk.scenarios.sampling import SAMPLERS

    if sampler not in SAMPLERS:
        raise InputError(f"--sampler: {sampler!r} is not one of {', '.join(SAMPLERS)}")
    if precision is not None and not 0.0 < precision < 1.0:  # NaN fails too
        raise InputError(
            f"--precision {precision}: a relative half-width between 0 and 1, e.g. 0.01 for ±1 %"
        )
    if compare or stress:
        given = {
            "--precision": precision is not None,
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
    if n is None:
        n = MAX_CONTROLLED if precision is not None else 10_000
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
    ui.check_folders(out, png)
    source = scenario if scenario else (preset or "base")
    chosen = ui.scenario_from_options(preset, scenario, set_, None, None, check_uncertainty=False)
    space = ui.uncertainty_for(source, chosen, set_, quiet=as_json)
    chosen.check_company(company)
    if compare or stress:
        comparison = _compare(
            chosen,
            space,
            compare or [],
            n,
            seed,
            sampler,
            chunk_size,
            workers,
            scheduler,
            as_json,
            stress or [],
            llcr,
        )
        stored = None
        if store is not None:
            from strandrisk import __version__
            from strandrisk.assumptions.register import load_register
            from strandrisk.io.scenario import dump_scenario
            from strandrisk.store.runs import RunStore, record_comparison

            stored = record_comparison(
                RunStore(store),
                comparison,
                scenario_name=chosen.name,
                scenario_toml=dump_scenario(chosen),
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
        return
    quarters = list(ui.quarters_in_horizon(at, chosen.years))  # each once, in order given
    conditions = _conditions(above or [], below or [])
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

    label = f"{n:,} scenarios" if precision is None else f"up to {n:,} scenarios"
    with Progress(console=ui.err, transient=True, disable=as_json) as bar:
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
            precision=precision,
            llcr=llcr or any(name == "min_llcr" for name, _, _ in conditions),
        )
    run_id = None
    if store is not None:
        from strandrisk import __version__
        from strandrisk.assumptions.register import load_register
        from strandrisk.io.scenario import dump_scenario
        from strandrisk.store.runs import RunStore, record_mc

        assert keep is not None  # a stored run keeps its rows: in --keep or a temporary file
        run_id = record_mc(
            RunStore(store),
            kept=keep,
            scenario_name=chosen.name,
            scenario_toml=dump_scenario(chosen),
            seed=seed,
            package_version=__version__,
            register_sha256=load_register().sha256(),
            sampler=sampler,
            precision=None if result.precision is None else result.precision.as_json(),
        )
    if pages:
        from strandrisk.engine.montecarlo import read_kept
        from strandrisk.reports.pages import mc_page

        _, industry = read_kept(keep, "industry")  # type: ignore[arg-type]
        page = mc_page(
            result, chosen.name, len(space.keys), industry, out, png, company, conditions
        )
        ui.wrote(page, as_json)
    if tmp is not None:
        tmp.cleanup()
    if as_json:
        extra = (
            {
                "at": _value_at_json(result, quarters),
                "at_scenarios": result.fan_scenarios,
            }
            if quarters
            else {}
        )
        summary = result.as_json(conditions)
        if quarters:  # say what the extra block is in, beside the others
            summary["units"] = {
                **summary["units"],  # type: ignore[dict-item]
                "at": "USD (book value median; stranded value quantiles over at_scenarios)",
            }
        ui.print_json({**summary, "run_id": run_id, **extra})
        return
    ui.out.print(
        render_uncertainty.mc_summary(result, chosen, space, quarters, company, conditions)
    )
    if run_id is not None:
        ui.out.print(f"stored: run {run_id} in {store}")


def _decisions(texts: list[str]) -> dict[str, dict[str, Any]]:
    """Parse ``--compare KEY=VALUE[,KEY=VALUE]`` into labelled decisions."""
    out: dict[str, dict[str, Any]] = {}
    for text in texts:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        bad = [p for p in parts if "=" not in p or not p.partition("=")[0].strip()]
        if not parts or bad:
            raise InputError(
                f"--compare {text!r}: expected KEY=VALUE, or several joined by commas, e.g. "
                "capex.path=flat"
            )
        keys = [p.partition("=")[0].strip() for p in parts]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise InputError(f"--compare {text!r}: {', '.join(twice)} given twice in one decision")
        try:
            overrides = ui.parse_set(parts)
        except InputError as exc:
            raise InputError(str(exc).replace("--set", "--compare")) from None
        label = ", ".join(
            p.partition("=")[0].strip() + "=" + p.partition("=")[2].strip() for p in parts
        )
        if label in out:
            raise InputError(f"--compare {text!r}: given twice")
        out[label] = overrides
    return out


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
) -> Any:
    """Run ``mc --compare/--stress``: against the scenario as given, on the same draws."""
    from rich.progress import Progress

    from strandrisk.engine.decisions import compare_decisions
    from strandrisk.jobs import compile_note

    decisions = _decisions(texts)
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
        )
    return comparison


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


@ui.clean_failures
def sensitivity(
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    n: Annotated[
        int | None,
        typer.Option(
            "--n",
            help="Sobol': base sample size (a power of two, default 64), runs n x (d + 2); "
            "Morris: trajectories (default 64), runs n x (d + 1); PAWN: Latin-hypercube "
            "draws (default 2,000).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the design and bootstrap.")] = 0,
    method: Annotated[
        str,
        typer.Option(
            help="sobol (variance shares), morris (elementary-effects screening, a twentieth "
            "of the runs) or pawn (distribution-based, from plain draws)."
        ),
    ] = "sobol",
    outcome: Annotated[
        list[str] | None, typer.Option(metavar="COLUMN", help="Outcome column (repeatable).")
    ] = None,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    from_: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="PAWN on a kept Monte Carlo run's draws (mc --keep) instead of new ones.",
        ),
    ] = None,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the indices as JSON.")
    ] = False,
) -> None:
    """Sobol' indices, Morris screening or PAWN (SALib), and a P10-P90 tornado."""
    from strandrisk.analysis.morris import morris_for_scenario
    from strandrisk.analysis.pawn import pawn_for_scenario
    from strandrisk.analysis.sensitivity import quantile_swings
    from strandrisk.analysis.sobol import sobol_for_scenario

    if method not in ("sobol", "morris", "pawn"):
        raise InputError(f"--method: {method!r} is not one of sobol, morris, pawn")
    if from_ is not None:
        if method != "pawn":
            raise InputError(
                f"--from: only --method pawn works on given draws; {method} needs its own design"
            )
        if set_ or preset or scenario or n is not None:
            raise InputError(
                "--from: the draws are in the file already; --preset, --scenario, --set and --n "
                "apply only to draws sensitivity makes itself"
            )
        _pawn_from(
            from_, tuple(outcome or ("stranded_peak", "npv_2026")), company, seed, out, png, as_json
        )
        return
    if n is None:
        n = 2000 if method == "pawn" else 64
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise InputError(f"--n: {n} is not a power of two >= 2 (Saltelli's design needs one)")
    if method == "morris" and n < 2:
        raise InputError(f"--n: {n} trajectories; Morris screening needs at least 2")
    chosen, space = ui.mc_setup(preset, scenario, set_)
    ui.check_folders(out, png)
    outcomes = tuple(outcome or ("stranded_peak", "npv_2026"))
    per_draw = {"sobol": len(space.keys) + 2, "morris": len(space.keys) + 1, "pawn": 1}
    runs = n * per_draw[method]
    what = {
        "sobol": "Sobol indices",
        "morris": "Morris elementary effects",
        "pawn": "PAWN indices",
    }[method]
    with ui.working(f"{what} from {runs:,} runs, then the tornado", as_json):
        if method == "sobol":
            indices = sobol_for_scenario(chosen, space, n, seed, outcomes, company)
        elif method == "morris":
            indices = morris_for_scenario(chosen, space, n, seed, outcomes, company)
        else:
            indices = pawn_for_scenario(chosen, space, n, seed, outcomes, company)
        swings = quantile_swings(chosen, space, company=company)
    if out is not None or png is not None:
        from strandrisk.reports.pages import sensitivity_page

        ui.wrote(sensitivity_page(indices, swings, runs, out, png, company), as_json)
    if as_json:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.scenarios.schema import parameter_unit

        measure_units = {
            "sobol": {"S1, ST and their confidence intervals": "share of the outcome's variance"},
            "morris": {
                "mu, mu_star, mu_star_conf, sigma": "the outcome's unit, across the parameter's "
                "range in probability"
            },
            "pawn": _PAWN_UNITS,
        }[method]
        ui.print_json(
            {
                "company": company,
                "method": method,
                "runs": runs,
                method: json.loads(indices.reset_index().to_json(orient="records")),
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
                    **measure_units,
                    "tornado outcome": f"stranded_peak [{OUTCOME_UNITS['stranded_peak']}]",
                    **{s.key: parameter_unit(s.key) for s in swings},
                },
            }
        )
        return
    if method == "morris":
        ui.out.print(render_uncertainty.morris_table(indices, swings, company, runs))
        return
    if method == "pawn":
        ui.out.print(render_uncertainty.pawn_table(indices, swings, company, runs))
        return
    ui.out.print(render_uncertainty.sobol_table(indices, swings, company))


def _pawn_from(
    path: Path,
    outcomes: tuple[str, ...],
    company: str,
    seed: int,
    out: Path | None,
    png: Path | None,
    as_json: bool,
) -> None:
    """Run ``sensitivity --method pawn --from FILE``: PAWN on a kept run's draws, no tornado."""
    import pandas as pd

    from strandrisk.analysis.pawn import pawn_given
    from strandrisk.engine.montecarlo import read_kept

    if not path.exists():
        raise InputError(f"--from {path}: no such file")
    ui.check_folders(out, png)
    samples, rows = read_kept(path, company)
    numeric = [c for c in rows.columns if pd.api.types.is_float_dtype(rows[c])]
    bad = [o for o in outcomes if o not in numeric]
    if bad:
        raise InputError(f"--outcome: {bad[0]!r} is not one of {', '.join(numeric)}")
    draws = {str(k): samples[k].to_numpy(dtype=float) for k in samples.columns}
    with ui.working(f"PAWN indices from {len(samples):,} kept draws", as_json):
        indices = pawn_given(draws, {o: rows[o].to_numpy(dtype=float) for o in outcomes}, seed)
    if out is not None or png is not None:
        from strandrisk.reports.pages import sensitivity_page

        ui.wrote(sensitivity_page(indices, [], len(samples), out, png, company), as_json)
    if as_json:
        ui.print_json(
            {
                "company": company,
                "method": "pawn",
                "runs": len(samples),
                "from": str(path),
                "pawn": json.loads(indices.reset_index().to_json(orient="records")),
                "units": _PAWN_UNITS,
            }
        )
        return
    ui.out.print(render_uncertainty.pawn_table(indices, [], company, len(samples)))


@ui.clean_failures
def discover(
    outcome: Annotated[str, typer.Option(help="Outcome column.")] = "stranded_peak",
    above: Annotated[
        float | None, typer.Option(help="Cases of interest: outcome above this.")
    ] = None,
    below: Annotated[
        float | None, typer.Option(help="Cases of interest: outcome below this.")
    ] = None,
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    n: Annotated[int, typer.Option("--n", help="Scenarios to draw (ignored with --from).")] = 5_000,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    from_: Annotated[
        Path | None, typer.Option("--from", help="Kept Monte Carlo outcomes (mc --keep).")
    ] = None,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
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
    if from_ is not None and (set_ or preset or scenario):
        raise InputError(
            "--from: the scenarios are in the file already; --preset, --scenario and --set "
            "apply only to scenarios discover draws itself"
        )
    ui.check_folders(out, png)
    with tempfile.TemporaryDirectory() as tmp:
        path = from_
        if path is None:
            chosen, space = ui.mc_setup(preset, scenario, set_)
            path = Path(tmp) / "mc.duckdb"
            with ui.working(f"drawing and running {n:,} scenarios", as_json):
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
    from strandrisk.analysis.regional import regional_sensitivity

    regional = regional_sensitivity(samples.to_numpy(dtype=float), cases, list(samples.columns))
    if out is not None or png is not None:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.reports.pages import prim_page

        question = (
            f"{company} {outcome} {'above' if above is not None else 'below'} {threshold:g} "
            f"{OUTCOME_UNITS.get(outcome, '')}".rstrip()
        )
        page = prim_page(result, question, int(cases.sum()), len(cases), out, png, regional)
        ui.wrote(page, as_json)
    if as_json:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.scenarios.schema import parameter_unit

        box = result.boxes[result.chosen]
        ui.print_json(
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
                "regional": json.loads(regional.reset_index().to_json(orient="records")),
                "units": {
                    outcome: OUTCOME_UNITS.get(outcome, ""),
                    "coverage, density, mass": "fraction",
                    "regional": "ks: Kolmogorov-Smirnov distance (0 to 1) between the cases' "
                    "and the other scenarios' values of each parameter, with its p-value; "
                    "medians in the parameter's unit",
                    **{str(k): parameter_unit(str(k)) for k in result.limits.index},
                },
            }
        )
        return
    ui.out.print(render_uncertainty.prim_summary(result, int(cases.sum()), len(cases)))
    ui.out.print(render_uncertainty.regional_table(regional))


@ui.clean_failures
def breakeven(
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
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
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Break-even demand growth and price decline per scenario, and a two-parameter surface."""
    from strandrisk.analysis.breakeven import breakeven_distribution, breakeven_surface

    if n < 1:
        raise InputError(f"--n: {n}; the distribution needs at least one scenario")
    chosen, space = ui.mc_setup(preset, scenario, set_)
    if grid < 2 or grid > 20:
        raise InputError("--grid: between 2 and 20 points per axis")
    ui.check_folders(out, png)
    with ui.working(f"break-evens of {n:,} scenarios and a {grid} x {grid} surface", as_json):
        dist = breakeven_distribution(chosen, space, n, seed, company)
        surface = breakeven_surface(chosen, space, x, y, grid, company=company)
    if out is not None or png is not None:
        from strandrisk.reports.pages import breakeven_page

        ui.wrote(breakeven_page(dist, surface, x, y, n, out, png, company), as_json)
    if as_json:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.scenarios.schema import parameter_unit

        ui.print_json(
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
    ui.out.print(render_uncertainty.breakeven_summary(dist, surface, x, y, company))


@ui.clean_failures
def limit(
    key: Annotated[
        str, typer.Argument(help="The decision: a numeric parameter, e.g. capex.growth.")
    ],
    rules: Annotated[
        list[str],
        typer.Argument(
            metavar="LIMIT...",
            help="e.g. 'stranded_peak.p95<=1e12', 'npv_2026.mean>=0', 'P(npv_2026<0)<=0.2', "
            "'P(min_dscr<1.2)<=0.05' (USD; shares as fractions); several must all hold.",
        ),
    ],
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    n: Annotated[int, typer.Option("--n", help="Draws per value tried.")] = 4000,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    sampler: Annotated[str, typer.Option(help="mc, lhs or sobol.")] = "lhs",
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    between: Annotated[
        str | None,
        typer.Option(
            metavar="LOW:HIGH", help="Range to search (default the prior's, else the allowed)."
        ),
    ] = None,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            metavar="",
            help="The scenario as given, no draws (a goal seek on its outcome).",
        ),
    ] = False,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Excel workbook of the tables to write.")
    ] = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Risk limit: the value of a decision at which a Monte Carlo statistic reaches its limit."""
    from strandrisk.engine.limits import parse_limit, solve_limit

    if deterministic:
        chosen, space = ui.scenario_from_options(preset, scenario, set_, None, None), None
    else:
        chosen, space = ui.mc_setup(preset, scenario, set_)
    wanted = [parse_limit(rule) for rule in rules]  # refuse a bad limit before the work
    span = None
    if between is not None:
        low, sep, high = between.partition(":")
        try:
            span = (float(low), float(high))
        except ValueError:
            raise InputError(f"--between {between!r}: LOW:HIGH, two numbers") from None
        if not sep:
            raise InputError(f"--between {between!r}: LOW:HIGH, two numbers")
    ui.check_folders(out, png, xlsx)
    what = wanted[0].text if len(wanted) == 1 else f"{len(wanted)} limits"
    with ui.working(
        f"{what} over {key}" + ("" if deterministic else f", {n:,} draws a value"), as_json
    ):
        result = solve_limit(chosen, space, key, wanted, n, seed, sampler, company, span)
    if out is not None or png is not None:
        from strandrisk.reports.pages import limit_page

        ui.wrote(limit_page(result, out, png), as_json)
    if xlsx is not None:
        from strandrisk.analysis.bridge import key_unit
        from strandrisk.store.export import write_workbook

        units = dict.fromkeys(("value", "error"), key_unit(key))
        kinds = {rule.unit for rule in result.limits}
        if len(kinds) == 1:  # one unit for every statistic: format them with it
            units.update(dict.fromkeys(("statistic", "low", "high"), kinds.pop()))
        ui.wrote([write_workbook(result.tables(), xlsx, units)], as_json)
    if as_json:
        ui.print_json(result.as_json())
        return
    ui.out.print(render_uncertainty.limit_summary(result))
