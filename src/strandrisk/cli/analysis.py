"""The analyses over an uncertainty space: ``sensitivity``, ``discover``, ``breakeven``, ``limit``.

The Monte Carlo command itself, ``mc``, is in :mod:`strandrisk.cli.uncertainty`. Registered on
the app by :mod:`strandrisk.cli.main`, in the order of ``strandrisk --help``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from strandrisk.cli import _shared as ui
from strandrisk.cli import render_analysis
from strandrisk.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from rich.console import RenderableType

    from strandrisk.analysis.cart import CartResult
    from strandrisk.analysis.prim import CoveringBox, PrimResult
    from strandrisk.analysis.sensitivity import Spider

__all__: list[str] = []  # the commands are registered by main; their docstrings are their --help

_PAWN_UNITS = {
    "median, mean, minimum, maximum": "Kolmogorov-Smirnov statistic (0 to 1) between the "
    "outcome's distribution in each conditioning interval and over all draws; cv its "
    "coefficient of variation; the noise floor row is the 95th percentile of 20 dummy parameters"
}
"""Units of the PAWN indices in ``sensitivity --method pawn --json``."""
_TREES_UNITS = {
    "score": "share of the outcome's forest's reduction in squared error (0 to 1; the "
    "parameters and 5 dummy parameters sum to 1); the noise floor row is the dummies' largest",
    "fit": "out-of-bag R² of each outcome's forest: the share of its variance the parameters "
    "explain, which the scores share out",
}
"""Units of the feature scores in ``sensitivity --method trees --json``."""
_FAST_UNITS = {
    "S1, S1_conf": "share of the outcome's variance the parameter explains alone "
    "(bias-corrected, so it can dip just below 0), and the half-width of its 95 % bootstrap "
    "interval; 1 - sum(S1) is left to interactions"
}
"""Units of the RBD-FAST indices in ``sensitivity --method rbd-fast --json``."""
_GIVEN = {"pawn": _PAWN_UNITS, "trees": _TREES_UNITS, "rbd-fast": _FAST_UNITS}
"""The methods that work on plain draws, and so on a kept run's (``--from``), with the units
of their ``--json``."""


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
            "Morris: trajectories (default 64), runs n x (d + 1); rbd-fast, PAWN and trees: "
            "Latin-hypercube draws (default 2,000).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the design and bootstrap.")] = 0,
    method: Annotated[
        str,
        typer.Option(
            help="sobol (variance shares), morris (elementary-effects screening, a twentieth "
            "of the runs), rbd-fast (first-order shares from plain draws), pawn "
            "(distribution-based, from plain draws) or trees (EMA Workbench's extra-trees "
            "feature scores, from plain draws)."
        ),
    ] = "sobol",
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            metavar="COLUMN",
            help="Outcome column (repeatable; the first also gets the tornado and spider).",
        ),
    ] = None,
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    from_: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="rbd-fast, PAWN or trees on a kept Monte Carlo run's draws (mc --keep) instead "
            "of new ones.",
        ),
    ] = None,
    second_order: Annotated[
        bool,
        typer.Option(
            "--second-order",
            metavar="",
            help="Sobol' only: also the second-order indices, what each pair adds by acting "
            "together (n x (2d + 2) runs).",
        ),
    ] = False,
    groups: Annotated[
        bool,
        typer.Option(
            "--groups",
            metavar="",
            help="Sobol' or Morris: indices of each group of parameters (market, technology, "
            "financing ...: the key before its dot), n x (g + 2) or n x (g + 1) runs.",
        ),
    ] = False,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the indices as JSON.")
    ] = False,
) -> None:
    """Sobol', RBD-FAST, Morris, PAWN (SALib) or feature scores, and a P10-P90 tornado."""
    from strandrisk.analysis.fast import fast_for_scenario
    from strandrisk.analysis.morris import morris_for_scenario
    from strandrisk.analysis.pawn import pawn_for_scenario
    from strandrisk.analysis.sensitivity import spider
    from strandrisk.analysis.sobol import sobol_for_scenario, sobol_pairs_for_scenario
    from strandrisk.analysis.trees import feature_scores_for_scenario

    if method not in ("sobol", "morris", *_GIVEN):
        raise InputError(f"--method: {method!r} is not one of sobol, morris, rbd-fast, pawn, trees")
    if second_order and method != "sobol":
        raise InputError(
            f"--second-order: Saltelli's design gives the pairs' indices; --method {method} has "
            "none (use --method sobol)"
        )
    if groups and (method not in ("sobol", "morris") or second_order):
        raise InputError(
            "--groups: indices of the groups of parameters, with --method sobol (without "
            "--second-order) or morris"
        )
    if from_ is not None:
        if method not in _GIVEN:
            raise InputError(
                f"--from: only --method rbd-fast, pawn or trees works on given draws; {method} "
                "needs its own design"
            )
        if set_ or preset or scenario or n is not None:
            raise InputError(
                "--from: the draws are in the file already; --preset, --scenario, --set and --n "
                "apply only to draws sensitivity makes itself"
            )
        _given_from(
            method,
            from_,
            tuple(outcome or ("stranded_peak", "npv_2026")),
            company,
            seed,
            out,
            png,
            as_json,
        )
        return
    if n is None:
        n = 2000 if method in _GIVEN else 64
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise InputError(f"--n: {n} is not a power of two >= 2 (Saltelli's design needs one)")
    if method == "morris" and n < 2:
        raise InputError(f"--n: {n} trajectories; Morris screening needs at least 2")
    chosen, space = ui.mc_setup(preset, scenario, set_)
    ui.check_folders(out, png)
    outcomes = tuple(outcome or ("stranded_peak", "npv_2026"))
    from strandrisk.analysis.sobol import group_labels

    d = len(set(group_labels(space.keys))) if groups else len(space.keys)
    runs = n * {"sobol": (2 * d + 2) if second_order else d + 2, "morris": d + 1}.get(method, 1)
    what = _WHAT[method]
    pairs = None
    with ui.working(f"{what} from {runs:,} runs, then the tornado and spider", as_json):
        if second_order:
            indices, pairs = sobol_pairs_for_scenario(chosen, space, n, seed, outcomes, company)
        elif method == "sobol":
            indices = sobol_for_scenario(chosen, space, n, seed, outcomes, company, groups)
        elif method == "morris":
            indices = morris_for_scenario(chosen, space, n, seed, outcomes, company, groups)
        elif method == "pawn":
            indices = pawn_for_scenario(chosen, space, n, seed, outcomes, company)
        elif method == "rbd-fast":
            indices = fast_for_scenario(chosen, space, n, seed, outcomes, company)
        else:
            indices = feature_scores_for_scenario(chosen, space, n, seed, outcomes, company)
        web = spider(chosen, space, outcomes[0], company)  # P10 ... P90 of each parameter
        swings = web.swings()  # its ends: the tornado
    from strandrisk.reports.brief import dependence_note

    note = dependence_note(space, method)
    if out is not None or png is not None:
        from strandrisk.reports.pages import sensitivity_page

        page = sensitivity_page(indices, swings, runs, out, png, company, web, note, pairs)
        ui.wrote(page, as_json)
    if as_json:
        found = _sensitivity_json(method, company, runs, indices, web, pairs)
        ui.print_json({**found, "note": note})
        return
    ui.out.print(_indices_table(method, indices, company, runs))
    if pairs is not None:
        ui.out.print(render_analysis.pairs_table(pairs, company))
    if note:
        ui.out.print(note, style="dim", markup=False)
    ui.out.print(render_analysis.spider_tables(web))


_WHAT = {
    "sobol": "Sobol indices",
    "morris": "Morris elementary effects",
    "pawn": "PAWN indices",
    "trees": "Extra-trees feature scores",
    "rbd-fast": "RBD-FAST first-order indices",
}
"""What each ``--method`` computes, for the progress line."""


def _indices_table(method: str, indices: pd.DataFrame, company: str, runs: int) -> RenderableType:
    """Return the terminal's table of ``method``'s indices."""
    if method == "morris":
        return render_analysis.morris_table(indices, company, runs)
    if method == "pawn":
        return render_analysis.pawn_table(indices, company, runs)
    if method == "trees":
        return render_analysis.trees_table(indices, company, runs)
    if method == "rbd-fast":
        return render_analysis.fast_table(indices, company, runs)
    return render_analysis.sobol_table(indices, company)


def _indices_json(method: str, indices: pd.DataFrame) -> dict[str, object]:
    """Return the indices' entries of ``sensitivity --json``: the records, and the forests' fit."""
    if method != "trees":
        return {method: json.loads(indices.reset_index().to_json(orient="records"))}
    from strandrisk.analysis.trees import forest_fit

    records = indices.drop(columns="oob_r2").reset_index()
    fit = forest_fit(indices)
    return {
        "trees": json.loads(records.to_json(orient="records")),
        "fit": {str(k): float(v) for k, v in fit.items()},
    }


def _sensitivity_json(
    method: str,
    company: str,
    runs: int,
    indices: pd.DataFrame,
    web: Spider,
    pairs: pd.DataFrame | None = None,
) -> dict[str, object]:
    """Return ``sensitivity --json``'s object: the indices (and pairs), tornado and spider."""
    from strandrisk.engine.simulate import OUTCOME_UNITS
    from strandrisk.scenarios.schema import parameter_unit

    measure_units = {
        "sobol": {"S1, ST and their confidence intervals": "share of the outcome's variance"},
        "morris": {
            "mu, mu_star, mu_star_conf, sigma": "the outcome's unit, across the parameter's "
            "range in probability"
        },
        **_GIVEN,
    }[method]
    second: dict[str, object] = {}
    if pairs is not None:
        second = {"S2": json.loads(pairs.reset_index().to_json(orient="records"))}
        measure_units = {
            **measure_units,
            "S2, S2_conf": "share of the outcome's variance the pair (parameter, other) adds by "
            "acting together, beyond their first-order shares; the half-width of its 95 % "
            "bootstrap interval",
        }
    swings = web.swings()
    return {
        "company": company,
        "method": method,
        "runs": runs,
        **_indices_json(method, indices),
        **second,
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
        "spider": {
            "outcome": web.outcome,
            "levels": list(web.levels),
            "base": web.base,
            "parameters": [
                {
                    "key": s.key,
                    "values": web.values.loc[s.key].tolist(),
                    "outcomes": web.outcomes.loc[s.key].tolist(),
                }
                for s in swings
            ],
            "outside_p10_p90": [  # the scenario's own value outside the tornado's range
                {"key": str(key), **row}
                for key, row in web.outside(0.1, 0.9).to_dict(orient="index").items()
            ],
        },
        "units": {
            **measure_units,
            "tornado outcome": f"{web.outcome} [{OUTCOME_UNITS[web.outcome]}]",
            "spider levels": "cumulative probability of each parameter's distribution",
            "spider outcomes": f"{web.outcome} [{OUTCOME_UNITS[web.outcome]}]",
            "outside_p10_p90": "the scenario's own value (own) against the values at P10 and P90 "
            "(low, high), each in its parameter's unit, and the outcome at the nearer one "
            f"(nearer) [{OUTCOME_UNITS[web.outcome]}]",
            **{s.key: parameter_unit(s.key) for s in swings},
        },
    }


def _given_from(
    method: str,
    path: Path,
    outcomes: tuple[str, ...],
    company: str,
    seed: int,
    out: Path | None,
    png: Path | None,
    as_json: bool,
) -> None:
    """Run ``sensitivity --method pawn|trees --from FILE``: on a kept run's draws, no tornado."""
    import pandas as pd

    from strandrisk.analysis.fast import fast_given
    from strandrisk.analysis.pawn import pawn_given
    from strandrisk.analysis.trees import feature_scores_given
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
    results = {o: rows[o].to_numpy(dtype=float) for o in outcomes}
    with ui.working(f"{_WHAT[method]} from {len(samples):,} kept draws", as_json):
        given = {"pawn": pawn_given, "trees": feature_scores_given, "rbd-fast": fast_given}
        indices = given[method](draws, results, seed)
    if out is not None or png is not None:
        from strandrisk.reports.pages import sensitivity_page

        ui.wrote(sensitivity_page(indices, [], len(samples), out, png, company), as_json)
    if as_json:
        ui.print_json(
            {
                "company": company,
                "method": method,
                "runs": len(samples),
                "from": str(path),
                **_indices_json(method, indices),
                "units": _GIVEN[method],
            }
        )
        return
    ui.out.print(_indices_table(method, indices, company, len(samples)))


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
    boxes: Annotated[
        int,
        typer.Option(
            min=1,
            help="Find up to this many boxes, each among the scenarios outside the ones before "
            "(PRIM's covering; a later box needs a density of 50 %).",
        ),
    ] = 1,
    step: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Choose the box at this step of the peeling trajectory (0 holds every "
            "scenario; the trade-off line lists them) instead of the densest with "
            "--min-coverage, as EMA Workbench's select.",
        ),
    ] = None,
    min_coverage: Annotated[
        float,
        typer.Option(
            metavar="FRACTION",
            help="The chosen box is the densest that holds at least this share of the cases.",
        ),
    ] = 0.5,
    drop: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PARAMETER",
            help="Give up the chosen box's restriction on this parameter, e.g. one whose qp is "
            "above 0.05 (EMA Workbench's drop_restriction; repeatable): its coverage, density "
            "and qp are the box's without it.",
        ),
    ] = None,
    peel_alpha: Annotated[
        float,
        typer.Option(metavar="FRACTION", help="Share of the box's scenarios peeled each step."),
    ] = 0.05,
    mass_min: Annotated[
        float,
        typer.Option(
            metavar="FRACTION",
            help="Stop peeling once the box holds this share of the scenarios or less.",
        ),
    ] = 0.05,
    resample: Annotated[
        int,
        typer.Option(
            min=0,
            metavar="N",
            help="Also run PRIM again on N random halves of the scenarios: how often each "
            "parameter is restricted again (EMA Workbench's resample), e.g. 10.",
        ),
    ] = 0,
    decision: Annotated[
        str | None,
        typer.Option(
            "--decision",
            metavar="KEY=VALUE[,KEY=VALUE]",
            help="Discover over what this decision changes, draw by draw, against the scenario "
            "as given on the same draws, e.g. capex.path=flat --outcome npv_2026 --below 0: "
            "the futures where it loses (EMA Workbench's vulnerability analysis).",
        ),
    ] = None,
    with_cart: Annotated[
        bool,
        typer.Option(
            "--cart",
            metavar="",
            help="Also CART (EMA Workbench's cart): a classification tree whose leaves each "
            "hold at least --mass-min of the scenarios; the leaves where the cases are the "
            "majority, each a box.",
        ),
    ] = False,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the box as JSON.")
    ] = False,
) -> None:
    """PRIM scenario discovery: the parameter ranges where the outcome is above (below) a value."""
    from strandrisk.analysis.cart import cart
    from strandrisk.analysis.prim import check_settings, prim_covering, prim_resample
    from strandrisk.analysis.regional import regional_sensitivity
    from strandrisk.analysis.stacking import stack_strongest

    if above is not None and below is None:
        flag, threshold = "--above", above
    elif below is not None and above is None:
        flag, threshold = "--below", below
    else:
        raise InputError("discover: give exactly one of --above VALUE or --below VALUE")
    if not math.isfinite(threshold):
        raise InputError(f"{flag}: {threshold} is not a finite number")
    if from_ is None and n < 10:
        raise InputError(f"--n: {n} scenarios are too few to discover anything (at least 10)")
    if from_ is not None and (set_ or preset or scenario):
        raise InputError(
            "--from: the scenarios are in the file already; --preset, --scenario and --set "
            "apply only to scenarios discover draws itself"
        )
    if from_ is not None and decision is not None:
        raise InputError(
            "--decision runs the decision on the draws discover makes; a kept run's file holds "
            "the scenario as given only (leave out --from)"
        )
    overrides = None
    if decision is not None:
        (label, overrides), *_ = ui.parse_decisions([decision], "--decision").items()
    settings = {"peel_alpha": peel_alpha, "mass_min": mass_min, "min_coverage": min_coverage}
    try:  # before the draws are run
        check_settings(
            peel_alpha, mass_min, min_coverage, ("--peel-alpha", "--mass-min", "--min-coverage")
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None
    ui.check_folders(out, png)
    samples, outcomes = _discover_draws(from_, preset, scenario, set_, n, seed, company, as_json)
    if overrides is not None:
        outcomes = _changed(outcomes, samples, outcome, overrides, preset, scenario, set_, company)
    changed = None if decision is None else f"the change in {outcome} under {label}"
    cases = _cases(outcomes, outcome, flag, threshold, changed)
    x, names = samples.to_numpy(dtype=float), list(samples.columns)
    try:
        found = prim_covering(
            x, cases, names, boxes, peel_alpha, mass_min, min_coverage, step=step, drop=drop or ()
        )
    except ValueError as exc:  # a step past the trajectory's end, a restriction not held
        raise InputError(f"--{exc}") from None  # "--step 99: the trajectory has ..."
    result = found[0].result  # the first box: PRIM on every scenario
    regional = regional_sensitivity(x, cases, names)
    stack = stack_strongest(x, cases, names, [str(k) for k in regional.index])
    resampled = None
    if resample:
        with ui.working(f"PRIM on {resample} random halves of the scenarios", as_json):
            try:
                resampled = prim_resample(
                    x, cases, result, resample, 0.5, seed, peel_alpha, mass_min
                )
            except ValueError as exc:  # too few scenarios to halve: prim_resample's own check
                raise InputError(f"--resample: {exc}") from None
    tree = cart(x, cases, names, mass_min, seed) if with_cart else None
    question = f"{company} {outcome} {flag[2:]} {threshold:g}"
    if changed is not None:
        question = f"{company}: {changed} {flag[2:]} {threshold:g}"
    if out is not None or png is not None:
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.reports.pages import prim_page

        unit = OUTCOME_UNITS.get(outcome, "")
        page = prim_page(
            result,
            f"{question} {unit}".rstrip(),
            int(cases.sum()),
            len(cases),
            out,
            png,
            regional,
            found[1:],
            resampled,
            (x, cases),
            stack,
            tree,
        )
        ui.wrote(page, as_json)
    if as_json:
        found_json = _discover_json(found, regional, company, outcome, {flag[2:]: threshold}, cases)
        extra: dict[str, object] = {"stacking": None if stack is None else stack.as_json()}
        extra |= {} if tree is None else {"cart": _cart_json(tree)}
        if changed is not None:
            extra |= {"decision": label, "of": changed}
        ui.print_json(found_json | _settings_json(settings, result, resampled, resample) | extra)
        return
    if changed is not None:
        ui.out.print(
            f"Cases: {question} (the decision against the scenario as given, draw by draw, "
            "on the same draws)",
            markup=False,
        )
    ui.out.print(render_analysis.prim_summary(result, int(cases.sum()), len(cases), ui.out.width))
    if boxes > 1:
        ui.out.print(render_analysis.covering_summary(found, boxes, ui.out.width))
    if resampled is not None:
        ui.out.print(render_analysis.resample_table(resampled, resample, len(cases)))
    if tree is not None:
        ui.out.print(render_analysis.cart_table(tree))
    ui.out.print(render_analysis.regional_table(regional))


def _cart_json(tree: CartResult) -> dict[str, object]:
    """``discover --cart --json``'s ``cart``: every leaf, densest first, with its box."""
    leaves = []
    for leaf, row in tree.leaves.iterrows():
        limits = tree.box(int(leaf))
        leaves.append(
            {
                "leaf": int(leaf),
                **{k: int(row[k]) for k in ("scenarios", "cases", "restricted")},
                **{k: float(row[k]) for k in ("coverage", "density", "mass")},
                "rule": tree.rule(int(leaf)),
                "limits": json.loads(limits.reset_index().to_json(orient="records")),
            }
        )
    return {
        "mass_min": tree.mass_min,
        "leaves": leaves,
        "units": "coverage, density, mass: fraction, as the PRIM box's; low, high: the box's "
        "edges in each parameter's unit (the data's end where cut_low or cut_high is false); "
        "the leaves with a density of at least 0.5 are the tree's boxes of cases",
    }


def _changed(
    outcomes: pd.DataFrame,
    samples: pd.DataFrame,
    outcome: str,
    overrides: dict,
    preset: str | None,
    scenario: Path | None,
    set_: list[str] | None,
    company: str,
) -> pd.DataFrame:
    """Return ``outcomes`` with ``outcome`` replaced by the decision's change, draw by draw."""
    from strandrisk.engine.decisions import decision_change

    _check_outcome(outcomes, outcome)
    chosen, space = ui.mc_setup(preset, scenario, set_)
    change = decision_change(chosen, space, overrides, samples, outcomes[outcome], company)
    return outcomes.assign(**{outcome: change})


def _settings_json(
    settings: dict[str, float],
    result: PrimResult,
    resampled: pd.DataFrame | None,
    halves: int,
) -> dict[str, object]:
    """``discover --json``'s PRIM settings, the first box's step and drops, its resampling."""
    chosen, dropped = result.chosen, list(result.dropped)
    extra: dict[str, object] = {"step": chosen, "settings": settings, "dropped": dropped}
    if resampled is not None:
        extra["resample"] = {
            "halves": halves,
            "parameters": json.loads(resampled.reset_index().to_json(orient="records")),
            "units": "coverage_match, density_match: fraction of the random halves whose box "
            "nearest the chosen one by coverage (by density) restricts the parameter",
        }
    return extra


def _discover_draws(
    from_: Path | None,
    preset: str | None,
    scenario: Path | None,
    set_: list[str] | None,
    n: int,
    seed: int,
    company: str,
    as_json: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the draws and ``company``'s outcomes: kept in ``from_``, or run now (LHS)."""
    from strandrisk.engine.mc_kept import temporary_kept
    from strandrisk.engine.montecarlo import read_kept, run_mc

    if from_ is not None:
        if not from_.exists():
            raise InputError(f"--from {from_}: no such file")
        return read_kept(from_, company)
    chosen, space = ui.mc_setup(preset, scenario, set_)
    with temporary_kept() as path:
        with ui.working(f"drawing and running {n:,} scenarios", as_json):
            run_mc(chosen, space, n, seed, sampler="lhs", outcomes_path=path)
        return read_kept(path, company)


def _check_outcome(outcomes: pd.DataFrame, outcome: str) -> None:
    """Refuse an ``--outcome`` that is not one of the kept rows' numeric columns."""
    import pandas as pd

    numeric = [c for c in outcomes.columns if pd.api.types.is_float_dtype(outcomes[c])]
    if outcome not in numeric:
        raise InputError(f"--outcome: {outcome!r} is not one of {', '.join(numeric)}")


def _cases(
    outcomes: pd.DataFrame, outcome: str, flag: str, threshold: float, what: str | None = None
) -> np.ndarray:
    """Return which scenarios are cases: ``outcome`` beyond ``threshold`` (``flag``'s way).

    ``what`` names the column in the refusal where it holds something else than the outcome
    (a decision's change).
    """
    import numpy as np

    _check_outcome(outcomes, outcome)
    y = outcomes[outcome].to_numpy(dtype=float)
    cases = y > threshold if flag == "--above" else y < threshold
    if not cases.any() or cases.all():
        lo, hi = np.nanmin(y), np.nanmax(y)
        share = "none" if not cases.any() else "every one"
        raise InputError(
            f"{flag} {threshold:g}: {share} of the {len(y):,} scenarios qualifies "
            f"({what or outcome} ranges from {lo:.4g} to {hi:.4g}); choose a value inside that "
            "range"
        )
    return cases


def _discover_json(
    found: list[CoveringBox],
    regional: pd.DataFrame,
    company: str,
    outcome: str,
    threshold: dict[str, float],
    cases: np.ndarray,
) -> dict[str, object]:
    """Return ``discover --json``'s object: the first box, its limits, regional sensitivity.

    ``boxes`` holds every box of the covering sequence, the first included.
    """
    from strandrisk.engine.simulate import OUTCOME_UNITS
    from strandrisk.scenarios.schema import parameter_unit

    result = found[0].result
    box = result.boxes[result.chosen]
    limits = {str(k) for b in found for k in b.result.limits.index}
    return {
        "company": company,
        "outcome": outcome,
        "threshold": threshold,
        "cases": int(cases.sum()),
        "n": len(cases),
        "coverage": box.coverage,
        "density": box.density,
        "mass": box.mass,
        "limits": json.loads(result.limits.reset_index().to_json(orient="records")),
        "unneeded": result.unneeded(),  # restrictions with qp above 0.05 on every side
        "boxes": [
            {
                "searched": b.searched,
                "cases": b.cases,
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
                "limits": json.loads(b.result.limits.reset_index().to_json(orient="records")),
            }
            for b in found
        ],
        "regional": json.loads(regional.reset_index().to_json(orient="records")),
        "units": {
            outcome: OUTCOME_UNITS.get(outcome, ""),
            "coverage, density, mass": "fraction (a box's coverage of all cases, its mass of "
            "all scenarios; searched, cases: the scenarios outside the boxes before it)",
            "regional": "ks: Kolmogorov-Smirnov distance (0 to 1) between the cases' "
            "and the other scenarios' values of each parameter, with its p-value; "
            "medians in the parameter's unit",
            "stacking": "share: the share of each cell's scenarios that are cases (fraction; "
            "null: an empty cell), count: its scenarios; edges in each parameter's unit, each "
            "parameter cut at its terciles",
            **{k: parameter_unit(k) for k in sorted(limits)},
        },
    }


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
    ui.out.print(render_analysis.breakeven_summary(dist, surface, x, y, company))


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
    span = None if between is None else _span(between)
    if between is not None and span is None:
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
    ui.out.print(render_analysis.limit_summary(result))


@ui.clean_failures
def optimize(
    decisions: Annotated[
        list[str],
        typer.Argument(
            metavar="KEY[=LOW:HIGH]...",
            help="One or two decisions, numeric parameters, each with the range to search "
            "(default the prior's, else the register's), e.g. capex.growth=0:0.2 "
            "financing.debt_share.",
        ),
    ],
    maximize: Annotated[
        str | None,
        typer.Option(
            metavar="STATISTIC",
            help="The statistic to maximise, e.g. npv_2026.mean, npv_2026.p10 (USD).",
        ),
    ] = None,
    minimize: Annotated[
        str | None,
        typer.Option(
            metavar="STATISTIC",
            help="Or to minimise, e.g. stranded_peak.p95, 'P(npv_2026<0)'.",
        ),
    ] = None,
    subject_to: Annotated[
        list[str] | None,
        typer.Option(
            "--subject-to",
            metavar="LIMIT",
            help="A limit the optimum must meet, e.g. 'P(min_dscr<1.2)<=0.05', "
            "'stranded_peak.p95<=1.5e12' (repeatable; all must hold).",
        ),
    ] = None,
    preset: ui.PRESET_OPTION = None,
    scenario: ui.SCENARIO_OPTION = None,
    set_: ui.SET_OPTION = None,
    n: Annotated[int, typer.Option("--n", help="Draws per point tried.")] = 2000,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    sampler: Annotated[str, typer.Option(help="mc, lhs or sobol.")] = "lhs",
    company: Annotated[str, typer.Option(help="Company or industry.")] = "industry",
    deterministic: Annotated[
        bool,
        typer.Option("--deterministic", metavar="", help="The scenario as given, no draws."),
    ] = False,
    resample: Annotated[
        int,
        typer.Option(
            min=0,
            metavar="K",
            help="Also search again on K other sets of draws (seeds SEED+1 to SEED+K): how far "
            "sampling moves the optimum, e.g. 5.",
        ),
    ] = 0,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Excel workbook of the tables to write.")
    ] = None,
    as_json: ui.JSON_OPTION = False,
) -> None:
    """Optimise one or two decisions for a Monte Carlo statistic, within risk limits."""
    from strandrisk.engine.limit_rules import parse_statistic
    from strandrisk.engine.limits import parse_limit
    from strandrisk.engine.optimize import optimize as solve

    if (maximize is None) == (minimize is None):
        raise InputError("optimize: give one of --maximize STATISTIC or --minimize STATISTIC")
    goal = parse_statistic(maximize if maximize is not None else minimize)  # type: ignore[arg-type]
    rules = [parse_limit(rule) for rule in subject_to or []]  # refuse a bad one before the work
    ranges: dict[str, tuple[float, float] | None] = {}
    for text in decisions:
        key, sep, span = text.partition("=")
        if key in ranges:
            raise InputError(f"optimize: {key} is named twice")
        ranges[key] = _span(span) if sep else None
        if sep and ranges[key] is None:
            raise InputError(f"optimize: {text!r}: KEY=LOW:HIGH, two numbers")
    if resample and deterministic:
        raise InputError("--resample: the scenario as given has no draws to resample")
    if deterministic:
        chosen, space = ui.scenario_from_options(preset, scenario, set_, None, None), None
    else:
        chosen, space = ui.mc_setup(preset, scenario, set_)
    ui.check_folders(out, png, xlsx)
    draws = "" if deterministic else f", {n:,} draws a point"
    with ui.working(f"{goal.name} over {' and '.join(ranges)}{draws}", as_json):
        result = solve(
            chosen, space, ranges, goal, maximize is not None, rules, n, seed, sampler, company
        )
    again = None
    if resample and space is not None:
        from strandrisk.engine.optimize import resampled_optima

        with ui.working(f"the same search on {resample} other sets of draws", as_json):
            again = resampled_optima(result, chosen, space, resample)
    if out is not None or png is not None:
        from strandrisk.reports.pages import optimize_page

        ui.wrote(optimize_page(result, out, png, again), as_json)
    if xlsx is not None:
        from strandrisk.store.export import write_workbook

        tables = result.tables()
        if again is not None:
            tables["resampled"] = again.reset_index()
        ui.wrote([write_workbook(tables, xlsx, result.units())], as_json)
    if as_json:
        doc = result.as_json()
        if again is not None:
            doc["resampled"] = json.loads(again.reset_index().to_json(orient="records"))
        ui.print_json(doc)
        return
    ui.out.print(render_analysis.optimum_summary(result))
    if again is not None:
        ui.out.print(render_analysis.resampled_optima_table(again, result))


def _span(text: str) -> tuple[float, float] | None:
    """Read ``LOW:HIGH`` as two numbers; None for anything else."""
    low, _, high = text.partition(":")
    try:
        return float(low), float(high)
    except ValueError:
        return None
