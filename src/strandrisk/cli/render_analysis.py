"""Rich tables for the analyses over an uncertainty space: sensitivity, discovery, limits.

Sobol, Morris and PAWN indices and feature scores with their tornado, PRIM boxes and the
regional sensitivity, break-even surfaces and risk limits. The Monte Carlo tables are in
:mod:`strandrisk.cli.render_uncertainty`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from strandrisk.cli._format import (
    _OUTCOME_FORMAT,
    _compact,
    _money,
    _no_breakeven_caption,
    _statistic,
    fmt,
)

if TYPE_CHECKING:  # the types of what is rendered; their modules load on first use
    from collections.abc import Sequence

    from strandrisk.analysis.cart import CartResult
    from strandrisk.analysis.prim import CoveringBox, PrimResult
    from strandrisk.analysis.sensitivity import Spider
    from strandrisk.engine.limits import LimitSolution
    from strandrisk.engine.optimize import Optimum


__all__ = [
    "breakeven_summary",
    "cart_table",
    "covering_summary",
    "fast_table",
    "limit_summary",
    "morris_table",
    "optimum_summary",
    "pairs_table",
    "pawn_table",
    "prim_summary",
    "regional_table",
    "resampled_optima_table",
    "sobol_table",
    "spider_tables",
    "trees_table",
]


def sobol_table(indices: pd.DataFrame, company: str = "industry") -> Group:
    """Render Sobol indices (top parameters per outcome).

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``S1, S1_conf, ST, ST_conf``. [-]
    company : str
        Whose outcomes. [-]
    """
    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome"):
        t = Table(title=f"Sobol indices of {outcome} ({company}), 95 % intervals")
        for col in ("parameter", "S1", "ST"):
            t.add_column(
                col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
            )
        for (_, name), row in frame.head(10).iterrows():
            t.add_row(
                name, f"{row.S1:.3f} ± {row.S1_conf:.3f}", f"{row.ST:.3f} ± {row.ST_conf:.3f}"
            )
        parts.append(t)
    return Group(*parts)


def pairs_table(pairs: pd.DataFrame, company: str, top: int = 8) -> Group:
    """Render the strongest second-order Sobol' indices of each outcome (the pairs).

    Parameters
    ----------
    pairs : pandas.DataFrame
        Index (outcome, parameter, other); columns ``S2, S2_conf``, largest first per
        outcome (:func:`~strandrisk.analysis.sobol.sobol_pairs`). [fraction]
    company : str
        Whose outcomes. [-]
    top : int
        Pairs shown per outcome. [count]
    """
    parts: list[RenderableType] = []
    for outcome, frame in pairs.groupby(level="outcome", sort=False):
        t = Table(title=f"Second-order Sobol indices of {outcome} ({company}): the pairs")
        t.add_column("parameters acting together", overflow="fold")
        t.add_column("S2", justify="right", no_wrap=True)
        for (_, a, b), row in frame.head(top).iterrows():
            clear = row.S2 - row.S2_conf > 0.0
            t.add_row(
                f"{a} × {b}", f"{row.S2:.3f} ± {row.S2_conf:.3f}", style="" if clear else "dim"
            )
        parts.append(t)
        if not (frame["S2"] - frame["S2_conf"] > 0.0).any():
            parts.append(
                Text(
                    f"No pair's interval clears 0 for {outcome}: at this --n the pairs cannot be "
                    "told from none (their estimates converge slowly; try 1024 or more).",
                    style="bold",
                )
            )
    parts.append(
        Text(
            "S2: the share of the outcome's variance a pair adds by acting together, beyond "
            "each one's first-order share; dim where its interval reaches 0 (not told from "
            "none). Summed over a parameter's pairs it is part of its ST - S1.",
            style="dim",
        )
    )
    return Group(*parts)


def fast_table(indices: pd.DataFrame, company: str, runs: int) -> Group:
    """Render RBD-FAST first-order indices (top parameters per outcome, and what is left).

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``S1, S1_conf``, largest ``S1`` first. [fraction]
    company : str
        Whose outcomes. [-]
    runs : int
        Model runs behind the indices. [count]
    """
    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome", sort=False):
        t = Table(title=f"RBD-FAST first-order indices of {outcome} ({company}), 95 % intervals")
        t.add_column("parameter", no_wrap=True)
        t.add_column("S1", justify="right")
        for (_, name), row in frame.head(10).iterrows():
            t.add_row(str(name), f"{row.S1:.3f} ± {row.S1_conf:.3f}")
        clear = frame[frame["S1"] - frame["S1_conf"] > 0.0]  # intervals clear of 0
        left = max(1.0 - float(clear["S1"].sum()), 0.0)
        t.add_row("left: 1 - the S1 clear of 0", f"{left:.3f}", style="dim")
        parts.append(t)
    parts.append(
        Text(
            f"From {runs:,} Latin-hypercube draws (SALib's RBD-FAST, bias-corrected): the share "
            "of an outcome's variance each parameter explains alone, as Sobol' S1, without "
            "Saltelli's design; no total indices, so 1 less the S1 whose intervals clear 0 is "
            "left to interactions (--method sobol apportions them). With correlated parameters "
            "a parameter's S1 includes what it carries of the others.",
            style="dim",
        )
    )
    return Group(*parts)


def spider_tables(web: Spider, top: int = 10) -> Group:
    """Render the P10-P90 tornado and the spider of one outcome, largest swing first.

    Parameters
    ----------
    web : Spider
        From :func:`~strandrisk.analysis.sensitivity.spider`, with P10 and P90 among its
        levels. [outcome unit]
    top : int
        How many parameters. [count]
    """
    from strandrisk.engine.simulate import OUTCOME_UNITS
    from strandrisk.reports.brief import DRIVER_NAMES, outside_note

    what = DRIVER_NAMES.get(web.outcome, web.outcome)
    unit = OUTCOME_UNITS[web.outcome]
    swings = web.swings()[:top]
    tt = Table(title=f"Tornado: {what} with each parameter at its P10 and P90 ({web.company})")
    for col in ("parameter", "P10", "P90", "at P10", "at P90"):
        tt.add_column(
            col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
        )
    for s in swings:
        tt.add_row(
            s.key,
            f"{s.low:.4g}",
            f"{s.high:.4g}",
            _statistic(s.outcome_low, unit),
            _statistic(s.outcome_high, unit),
        )
    t = _compact(f"Spider: {what} with each parameter at its percentiles ({web.company})")
    t.add_column("parameter", no_wrap=True)
    for q in web.levels:
        t.add_column(f"P{100 * q:g}", justify="right")
    for s in swings:
        t.add_row(s.key, *(_statistic(v, unit) for v in web.outcomes.loc[s.key]))
    note = Text(
        "One parameter at a time, the others at the scenario's values "
        f"({_statistic(web.base, unit)} there); the tornado is the spider's two ends. A row "
        "that turns, or stops moving, is an effect that reverses or saturates within the "
        "parameter's range." + outside_note(web, lambda v: _statistic(v, unit)),
        style="dim",
    )
    return Group(tt, t, note)


def morris_table(indices: pd.DataFrame, company: str, runs: int) -> Group:
    """Render Morris screening (top parameters per outcome).

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``mu, mu_star, mu_star_conf, sigma``, largest
        ``mu_star`` first. [outcome unit across the probability range]
    company : str
        Whose outcomes. [-]
    runs : int
        Model runs behind the effects. [count]
    """
    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome", sort=False):
        show = _OUTCOME_FORMAT.get(str(outcome), _money)
        t = Table(title=f"Morris elementary effects on {outcome} ({company}), 95 % intervals")
        for col in ("parameter", "mu*", "sigma", "mu"):
            t.add_column(
                col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
            )
        for (_, name), row in frame.head(10).iterrows():
            t.add_row(
                str(name),
                f"{show(row['mu_star'])} ± {show(row['mu_star_conf'])}",
                show(row["sigma"]),
                show(row["mu"]),
            )
        parts.append(t)
    parts.append(
        Text(
            f"From {runs:,} runs. mu*: the mean absolute change of the outcome as the parameter "
            "moves across its range in probability (P0 to P100); sigma: how much that change "
            "varies from one point to another (nonlinearity, interactions); mu: its mean with "
            "sign. A screening: it ranks what matters; --method sobol apportions the variance."
            + (
                " By groups: a group's parameters move together in each step, some up and some "
                "down, so mu and sigma mean nothing for a group of several (-)."
                if any(".* (" in str(p) for p in indices.index.get_level_values(-1))
                else ""
            ),
            style="dim",
        )
    )
    return Group(*parts)


def pawn_table(indices: pd.DataFrame, company: str, runs: int) -> Group:
    """Render PAWN indices (top parameters per outcome, and the noise floor).

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``median, mean, minimum, maximum, cv``, largest
        ``median`` first, the dummy among them. [-]
    company : str
        Whose outcomes. [-]
    runs : int
        Model runs behind the indices. [count]
    """
    from strandrisk.analysis.pawn import DUMMY

    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome", sort=False):
        floor = float(frame.xs(DUMMY, level="parameter")["median"].iloc[0])
        t = Table(title=f"PAWN indices of {outcome} ({company})")
        for col in ("parameter", "PAWN (median KS)", "max over intervals", "above noise"):
            t.add_column(
                col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
            )
        shown = frame[frame.index.get_level_values("parameter") != DUMMY].head(10)
        for (_, name), row in shown.iterrows():
            t.add_row(
                str(name),
                f"{row['median']:.3f}",
                f"{row['maximum']:.3f}",
                "yes" if row["median"] > floor else "no",
            )
        t.add_row(DUMMY, f"{floor:.3f}", "", "", style="dim")
        parts.append(t)
    parts.append(
        Text(
            f"From {runs:,} Latin-hypercube draws. PAWN: how far the outcome's distribution moves "
            "when the parameter is held in one tenth of its range (median over the ten, as a "
            "Kolmogorov-Smirnov distance, 0 to 1); no variance needed, so skewed or saturated "
            "outcomes are fine. The noise floor: the 95th percentile of 20 dummy parameters "
            "that do nothing; a parameter at or below it cannot be told from noise.",
            style="dim",
        )
    )
    return Group(*parts)


def trees_table(scores: pd.DataFrame, company: str, runs: int, top: int = 12) -> Group:
    """Render extra-trees feature scores as EMA Workbench lays them out: parameters by outcomes.

    Parameters
    ----------
    scores : pandas.DataFrame
        Index (outcome, parameter); columns ``score`` and ``oob_r2``, the noise floor's row
        among the parameters (:func:`~strandrisk.analysis.trees.feature_scores`). [-]
    company : str
        Whose outcomes. [-]
    runs : int
        Model runs behind the scores. [count]
    top : int
        How many parameters, those with the largest score in any outcome. [count]
    """
    from strandrisk.analysis.trees import PROBE, forest_fit, scores_wide

    wide = scores_wide(scores, top)
    floor = wide.loc[PROBE]
    fit = forest_fit(scores)
    t = Table(title=f"Extra-trees feature scores ({company})")
    t.add_column("parameter", no_wrap=True)
    for outcome in wide.columns:
        t.add_column(str(outcome), justify="right", overflow="fold")
    for name, row in wide.drop(index=PROBE).iterrows():
        t.add_row(
            str(name),
            *(Text(f"{v:.3f}", style="" if v > floor[o] else "dim") for o, v in row.items()),
        )
    t.add_row(PROBE, *(f"{v:.3f}" for v in floor), style="dim")
    t.add_row("out-of-bag R²", *(f"{fit[o]:.2f}" for o in wide.columns), style="bold")
    return Group(
        t,
        Text(
            f"From {runs:,} Latin-hypercube draws. Each outcome's forest of 100 extra trees (EMA "
            "Workbench's feature scoring): a parameter's share of the forest's reduction in "
            "squared error, so a column sums to 1 with the dummies. The R² says how much of the "
            "outcome the parameters explain at all. The noise floor: the largest score of 5 "
            "dummy parameters that do nothing; a score at or below it (dim) is noise.",
            style="dim",
        ),
    )


def prim_summary(result: PrimResult, cases: int, n: int, width: int = 80) -> Group:
    """Render a PRIM result: the trajectory's trade-off and the chosen box.

    Parameters
    ----------
    result : PrimResult
        From :func:`strandrisk.analysis.prim.prim`. [-]
    cases : int
        Scenarios of interest (above or below the value). [count]
    n : int
        Scenarios searched. [count]
    width : int
        The terminal's width: where the box's table would not fit it, the parameters'
        names go on two lines, at their dot. [characters]
    """
    traj = result.trajectory
    box = result.boxes[result.chosen]
    t = _box_table(
        result,
        f"PRIM box (step {result.chosen} of {len(traj) - 1}): {cases:,} cases of interest in {n:,}",
        width,
    )
    curve = ", ".join(
        f"{i}: {c:.0%}/{d:.0%}"
        for i, c, d in zip(
            traj.index[::5], traj["coverage"][::5], traj["density"][::5], strict=True
        )
    )
    dropped = f"; restrictions dropped: {', '.join(result.dropped)}" if result.dropped else ""
    weak = result.unneeded()
    hint = (
        [
            Text(
                f"qp above 0.05 on every side: {', '.join(weak)}; "
                + " ".join(f"--drop {k}" for k in weak)
                + " gives "
                + ("it" if len(weak) == 1 else "them")
                + " up."
            )
        ]
        if weak
        else []
    )
    return Group(
        t,
        f"coverage {box.coverage:.1%} of the cases, density {box.density:.1%} inside the box, "
        f"mass {box.mass:.1%}{dropped}",
        *hint,
        f"trade-off (step: coverage/density, every 5 steps; --step picks one): {curve}",
        Text(
            "qp: the quasi-p-value of each restricted side (Bryant and Lempert, 2010), the chance "
            "of the box's density if that one restriction were dropped; below 0.05 the "
            "restriction matters beyond chance, '-' a side not restricted.",
            style="dim",
        ),
    )


def _box_table(result: PrimResult, title: str, width: int) -> Table:
    """Return a PRIM box's restricted ranges, names split at their dot where too wide."""
    from strandrisk.analysis.prim import quasi_p_text  # loaded: the result came from it

    t = _compact(title)
    headers = ("lower", "upper", "data\nmin", "data\nmax", "qp\nlower", "qp\nupper")
    rows = [
        (
            str(name),
            f"{row['lower']:.4g}",
            f"{row['upper']:.4g}",
            f"{row['min']:.4g}",
            f"{row['max']:.4g}",
            quasi_p_text(row["qp_lower"]),
            quasi_p_text(row["qp_upper"]),
        )
        for name, row in result.limits.iterrows()
    ]
    widths = [max(len(line) for line in h.split("\n")) for h in ("parameter", *headers)]
    for cells in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
    split = sum(widths) + 2 * len(headers) > width  # the numbers whole, the names on two lines
    t.add_column("parameter", no_wrap=True)
    for col in headers:
        t.add_column(col, justify="right", no_wrap=True)
    for name, *values in rows:
        t.add_row(name.replace(".", ".\n", 1) if split else name, *values)
    return t


def covering_summary(found: Sequence[CoveringBox], asked: int, width: int = 80) -> Group:
    """Render the boxes after the first of PRIM's covering sequence, and what they add up to.

    Parameters
    ----------
    found : sequence of CoveringBox
        From :func:`strandrisk.analysis.prim.prim_covering`, the first box included. [-]
    asked : int
        How many boxes were asked for. [count]
    width : int
        The terminal's width (as :func:`prim_summary`). [characters]
    """
    parts: list[Any] = []
    for k, b in enumerate(found[1:], start=2):
        before = f"box {k - 1}" if k == 2 else f"boxes 1-{k - 1}"
        title = f"Box {k}, among the {b.searched:,} scenarios outside {before}: {b.cases:,} cases"
        parts += [
            _box_table(b.result, title, width),
            f"coverage {b.coverage:.1%} of all the cases, density {b.density:.1%} inside the "
            f"box, mass {b.mass:.1%} of all scenarios",
        ]
    covered = sum(b.coverage for b in found)
    last, total = found[-1], found[0].cases
    left = last.cases - round(last.coverage * total)  # cases outside every box
    why = ""
    if len(found) < asked:
        why = f" (no box {len(found) + 1}: " + (
            "no case is left outside them)"
            if left == 0
            else f"none among the {left:,} cases left is in a box at least half cases and "
            "denser than the scenarios left)"
        )
    parts.append(
        Text(
            f"Boxes 1-{len(found)} hold {covered:.1%} of the cases of interest{why}."
            if len(found) > 1
            else f"One box only{why}.",
            style="dim",
        )
    )
    return Group(*parts)


def resample_table(resampled: pd.DataFrame, halves: int, n: int, top: int = 10) -> Group:
    """Render PRIM's resampling: how often each parameter is restricted again.

    Parameters
    ----------
    resampled : pandas.DataFrame
        :func:`~strandrisk.analysis.prim.prim_resample`. [-]
    halves : int
        Random halves PRIM ran on. [count]
    n : int
        Scenarios halved. [count]
    top : int
        Rows shown beyond the box's own parameters, which are all shown. [count]
    """
    table = _compact(f"Does the box come back? PRIM again on {halves} random halves of {n:,}")
    for col, justify in (
        ("parameter", "left"),
        ("in box", "left"),
        ("by coverage", "right"),
        ("by density", "right"),
    ):
        table.add_column(col, justify=justify, no_wrap=col == "parameter")  # type: ignore[arg-type]
    any_share = (resampled["coverage_match"] > 0) | (resampled["density_match"] > 0)
    ranked = resampled[resampled["in_box"] | any_share]
    shown = ranked[ranked["in_box"] | (np.arange(len(ranked)) < top)]
    for name, row in shown.iterrows():
        table.add_row(
            str(name),
            "yes" if row["in_box"] else "",
            f"{row['coverage_match']:.0%}",
            f"{row['density_match']:.0%}",
        )
    note = Text(
        "The share of halves whose box nearest the chosen one by coverage (by density) "
        "restricts the parameter. A restriction the halves seldom repeat is likely fitted to "
        "this sample's noise.",
        style="dim",
    )
    return Group(table, note)


def breakeven_summary(
    dist: pd.DataFrame, surface: pd.DataFrame, x: str, y: str, company: str = "industry"
) -> Group:
    """Render the break-even distribution and surface.

    Parameters
    ----------
    dist : pandas.DataFrame
        Quantiles of the break-even values and the share found. [1/year, fraction]
    surface : pandas.DataFrame
        Break-even demand growth over ``x`` (index) and ``y`` (columns). [1/year]
    x, y : str
        The surface's parameters. [-]
    company : str
        Whose break-even values. [-]
    """
    t = _compact(
        f"Break-even rates over the uncertainty space ({company}; continuous rates a year, "
        "as the parameters)",
        caption="found: the share of scenarios whose NPV crosses zero inside the searched range",
    )
    t.add_column("break-even", no_wrap=True)
    for col in dist.columns:
        t.add_column("found" if col == "share_defined" else col, justify="right", no_wrap=True)
    for name, row in dist.iterrows():
        label = str(name).removeprefix("breakeven_").replace("_", " ")
        t.add_row(
            label, *(f"{v:.3f}" if c != "share_defined" else f"{v:.0%}" for c, v in row.items())
        )
    s = _compact(
        f"Break-even demand growth over {x} (rows) and {y} (columns)",
        caption=_no_breakeven_caption(growth=True, decline=False),
    )
    s.add_column(x, no_wrap=True)
    for c in surface.columns:
        s.add_column(f"{c:.4g}", justify="right", no_wrap=True)
    for idx, row in surface.iterrows():
        s.add_row(f"{idx:.4g}", *("none" if pd.isna(v) else f"{v:.3f}" for v in row))
    return Group(t, s)


def cart_table(result: CartResult) -> Group:
    """Render CART's leaves where the cases are the majority, each with its box as a rule.

    Parameters
    ----------
    result : CartResult
        From :func:`~strandrisk.analysis.cart.cart`. [-]
    """
    leaves = result.leaves
    boxes = result.of_cases()
    table = _compact(
        f"CART: the tree's leaves where the cases are the majority ({len(boxes)} of "
        f"{len(leaves)} leaves)"
    )
    for col, justify in (("leaf", "right"), ("coverage", "right"), ("density", "right"),
                         ("mass", "right"), ("box", "left")):  # fmt: skip
        table.add_column(col, justify=justify, no_wrap=col != "box")  # type: ignore[arg-type]
    for leaf, row in boxes.iterrows():
        table.add_row(
            str(leaf),
            f"{row['coverage']:.1%}",
            f"{row['density']:.1%}",
            f"{row['mass']:.1%}",
            result.rule(int(leaf)),
        )
    held = float(boxes["coverage"].sum())
    note = Text(
        f"Together they hold {held:.1%} of the cases. Each leaf of the classification tree (EMA "
        f"Workbench's CART) holds at least {result.mass_min:.0%} of the scenarios; the splits "
        "are chosen one at a time for the purity they give, so a box can carry restrictions "
        "PRIM's would not (--json has every leaf).",
        style="dim",
    )
    return Group(table, note)


def regional_table(regional: pd.DataFrame, top: int = 8) -> Group:
    """Render the regional sensitivity: the parameters that separate the cases most.

    Parameters
    ----------
    regional : pandas.DataFrame
        :func:`~strandrisk.analysis.regional.regional_sensitivity`. [-]
    top : int
        Parameters shown. [count]
    """
    table = _compact(
        "Which parameters separate the cases (regional sensitivity: Kolmogorov-Smirnov distance)"
    )
    for col, justify in (
        ("parameter", "left"),
        ("KS", "right"),
        ("p-value", "right"),
        ("median, cases", "right"),
        ("median, others", "right"),
    ):
        table.add_column(col, justify=justify, no_wrap=col == "parameter")  # type: ignore[arg-type]
    from strandrisk.scenarios.schema import parameter_unit

    for name, row in regional.head(top).iterrows():
        year = parameter_unit(str(name)) == "calendar_year"  # 2029.1, not "2,029"
        medians = (float(row["cases_median"]), float(row["others_median"]))
        table.add_row(
            str(name),
            f"{row['ks']:.2f}",
            "<0.001" if row["p_value"] < 1e-3 else f"{row['p_value']:.3f}",
            *(f"{v:.1f}" if year else fmt(v) for v in medians),
        )
    note = Text(
        "0: the cases spread over the parameter like every scenario; 1: they sit apart. Unlike "
        "the box, this sees a parameter that matters in several places or only with others.",
        style="dim",
    )
    return Group(table, note)


def limit_summary(result: LimitSolution) -> Group:
    """Render a risk-limit solve: the scan, and where the limit (or limits) binds.

    One limit shows each value's statistic with its 95 % interval; several show each
    limit's statistic (the intervals are in ``--json``).

    Parameters
    ----------
    result : LimitSolution
        From :func:`~strandrisk.engine.limits.solve_limit`. [-]
    """
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    r: Any = result
    rules = list(r.limits)
    single = len(rules) == 1
    what = rules[0].text if single else f"{len(rules)} limits"
    how = (
        f"{r.n:,} draws a value ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, seed {r.seed}), "
        "the same in each"
        if r.drawn
        else "the scenario as given, no draws (a goal seek)"
    )
    t = _compact(f"{what} ({r.company}) as {r.key} moves: {how}")
    t.add_column("value", justify="right", no_wrap=True)
    single_band = single and r.drawn
    if single:
        t.add_column("statistic" if r.drawn else "outcome", justify="right", no_wrap=True)
        if single_band:
            t.add_column("95 % interval", justify="right", no_wrap=True)
    else:
        for j in range(len(rules)):
            t.add_column(f"L{j + 1}", justify="right", no_wrap=True)
    t.add_column("limits" if not single else "limit", justify="left", no_wrap=True)
    scan = set(np.linspace(r.low, r.high, 9).tolist()) | set(r.crossings) | {r.own_value}
    for value, rows in r.trials.groupby("value", sort=True):
        near = min(scan, key=lambda v: abs(v - value))
        if abs(near - value) > 1e-12 * max(1.0, abs(value)):
            continue  # a bisection step: in --json
        cells = []
        for rule, row in zip(rules, rows.itertuples(index=False), strict=True):
            cells.append(_statistic(row.statistic, rule.unit))
            if single_band:
                cells.append(
                    f"{_statistic(row.low, rule.unit)} to {_statistic(row.high, rule.unit)}"
                )
        if rows["met"].all():
            note = "met"
        elif single:
            note = "breached"
        else:
            note = "breached: " + ", ".join(
                f"L{j + 1}" for j, ok in enumerate(rows["met"]) if not ok
            )
        if value == r.own_value:
            note += " (the scenario's value)"
        t.add_row(f"{value:.6g}", *cells, note)
    subject, bind, be = ("The limit", "binds", "is") if single else ("The limits", "bind", "are")
    span = f"over the whole range searched, {r.low:g} to {r.high:g}"
    if r.status == "binds":
        where = ", ".join(
            f"{c:.4g}"
            + (f" (±{e:.2g} from sampling)" if math.isfinite(e) else "")
            + ("" if single else f", where {b} binds")
            for c, e, b in zip(r.crossings, r.errors, r.binding, strict=True)
        )
        met, breached = ("below", "above") if r.meets_below else ("above", "below")
        if len(r.crossings) == 1:
            text = f"{subject} {bind} at {r.key} = {where}: met {met} it, breached {breached}."
        else:
            text = (
                f"{subject} {bind} at {r.key} = {where} (not monotone in {r.key}): met {met} "
                "the first, then alternately."
            )
    elif r.status == "holds":
        text = f"{subject} {be} met {span}."
    else:
        text = f"{subject} {be} breached {span}."
    own_stats = r.own_statistics
    parts = []
    for rule in rules:
        v = float(own_stats[rule.text])
        verdict = "met" if rule.met(np.array([v]))[0] else "breached"
        parts.append(f"{_statistic(v, rule.unit)} ({verdict})")
    own = f" The scenario's own value, {r.own_value:.4g}, gives {', '.join(parts)}."
    legend = [] if single else [Text(f"L{j + 1}: {rule.text}") for j, rule in enumerate(rules)]
    caption = Text(
        "Every value runs on the same parameter draws (common random numbers): the decision is "
        "held at the value in every draw, the other draws unchanged. The interval is the "
        "statistic's 95 % sampling interval; a crossing's ± is the interval's wider side over "
        "the statistic's slope there (more draws narrow both: --n)."
        if r.drawn
        else "The scenario as given: a quantile or mean is the outcome itself, a chance 0 or 1.",
        style="dim",
    )
    return Group(t, *legend, Text(text + own), caption)


def optimum_summary(result: Optimum) -> Group:
    """Render an optimisation: the optimum beside the scenario's own values, and what binds.

    Parameters
    ----------
    result : Optimum
        From :func:`~strandrisk.engine.optimize.optimize`. [-]
    """
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    r = result
    sense = "Maximise" if r.maximize else "Minimise"
    how = (
        f"{r.n:,} draws a point ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, seed {r.seed}), the "
        "same at each"
        if r.drawn
        else "the scenario as given, no draws"
    )
    tried = int((r.trials["round"] >= 0).sum())
    t = _compact(f"{sense} {r.objective.name} ({r.company}): {how}; {tried} points tried")
    t.add_column("", no_wrap=True)
    points = [("scenario's own", r.own)] + ([("optimum", r.best)] if r.best is not None else [])
    for name, _ in points:
        t.add_column(name, justify="right", no_wrap=True)
    units_of = r.units()
    for key in r.keys:
        shown = [_statistic(float(r.trials.iloc[row][key]), units_of[key]) for _, row in points]
        t.add_row(key, *shown)
    units = [r.objective.unit, *(rule.unit for rule in r.limits)]
    ats = [r.at(row) for _, row in points]
    for i, (name, unit) in enumerate(zip(ats[0].index, units, strict=True)):
        cells = []
        for at in ats:
            s = at.iloc[i]
            verdict = "" if i == 0 else (" met" if s.met else " breached")
            cells.append(_statistic(float(s.statistic), unit) + verdict)
        t.add_row(name, *cells)
        if i == 0 and r.drawn:
            t.add_row(
                "  95 % interval",
                *(
                    f"{_statistic(float(at.iloc[0].low), unit)} to "
                    f"{_statistic(float(at.iloc[0].high), unit)}"
                    for at in ats
                ),
            )
    grid = "17 values" if len(r.keys) == 1 else "a 9 x 9 grid"
    spans = "; ".join(
        f"{_statistic(a, units_of[k])} to {_statistic(b, units_of[k])}"
        for k, (a, b) in zip(r.keys, r.ranges, strict=True)
    )
    same = (
        "Every point runs on the same parameter draws (common random numbers): the decisions "
        "are held at the point's values in every draw, the other draws unchanged."
        if r.drawn
        else "The scenario as given: a quantile or mean is the outcome itself, a chance 0 or 1."
    )
    caption = Text(
        f"The search: {grid} over the range{'s' if len(r.keys) > 1 else ''} ({spans}), then "
        f"rounds around the best point meeting every limit, each halving the step. {same} "
        "Every point: --json, --xlsx, --out.",
        style="dim",
    )
    return Group(t, Text(r.text(_statistic)), caption)


def resampled_optima_table(again: pd.DataFrame, result: Optimum) -> Group:
    """Render the optimum found on other sets of draws, and its spread.

    Parameters
    ----------
    again : pandas.DataFrame
        From :func:`~strandrisk.engine.optimize.resampled_optima`. [each key's unit]
    result : Optimum
        The search repeated. [-]
    """
    units = result.units()
    t = _compact(f"The same search on {len(again)} other sets of {result.n:,} draws")
    t.add_column("seed", justify="right")
    for key in result.keys:
        t.add_column(key, justify="right", no_wrap=True)
    t.add_column(result.objective.name, justify="right", no_wrap=True)
    t.add_column("binding")
    for seed, row in again.iterrows():
        cells = [_statistic(float(row[k]), units[k]) for k in result.keys]
        cells.append(_statistic(float(row["objective"]), result.objective.unit))
        t.add_row(str(seed), *cells, str(row["binding"]) or "-")
    spans = []
    for key, (low, high) in zip(result.keys, result.ranges, strict=True):
        found = again[key].dropna()
        if len(found):
            a, b = float(found.min()), float(found.max())
            share = (b - a) / (high - low)
            spans.append(
                f"{key} {_finer(a, units[key])} to {_finer(b, units[key])} "
                f"({share:.1%} of its range)"
            )
    missing = int(again[list(result.keys)].isna().any(axis=1).sum())
    text = f"The optimum over these draws: {'; '.join(spans)}." if spans else ""
    if missing:
        text += f" {missing} found no point meeting every limit."
    return Group(t, Text(text.strip(), style="dim"))


def _finer(v: float, unit: str) -> str:
    """Write a decision's value a digit finer than a table does (USD to $0.1B)."""
    return f"${v / 1e9:,.1f}B" if unit == "USD" else _statistic(v, unit)
