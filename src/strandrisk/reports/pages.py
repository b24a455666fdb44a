"""One-page HTML reports of the analysis commands (``discover``, ``sensitivity``, ``breakeven``).

Each page is one self-contained file (Plotly's JavaScript inlined, nothing loaded from the
network): a heading, a paragraph saying what was computed, tables, and the charts, which
``--png`` also writes as PNG files.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strandrisk.analysis.bridge import Bridge
from strandrisk.analysis.cart import CartResult
from strandrisk.analysis.prim import CoveringBox, PrimResult, quasi_p_text
from strandrisk.analysis.priors import CopulaFit, PriorFit
from strandrisk.analysis.sensitivity import Spider, Swing
from strandrisk.analysis.stacking import DimensionalStack
from strandrisk.engine.limits import LimitSolution
from strandrisk.engine.optimize import Optimum
from strandrisk.reports._page import (
    _MONEY_OUTCOMES,
    PAGE_CSS,
    _small,
    _table,
    html_page,
    write_charts,
    write_page,
)
from strandrisk.reports.brief import DRIVER_NAMES, outside_note
from strandrisk.reports.figures import (
    breakeven_surface_figure,
    bridge_figure,
    cart_figure,
    display_unit,
    feature_scores_figure,
    limit_figure,
    morris_figure,
    optimum_figure,
    pawn_figure,
    prim_box_figure,
    prim_scatter_figure,
    prim_tradeoff_figure,
    prior_fit_figures,
    regional_cdf_figure,
    sobol_figure,
    spider_figure,
    stacking_figure,
    tornado_figure,
)
from strandrisk.reports.mc_pages import decisions_page, mc_page  # re-exported
from strandrisk.scenarios.sampling import SAMPLER_NAMES

__all__ = [
    "PAGE_CSS",
    "breakeven_page",
    "bridge_page",
    "decisions_page",
    "fit_prior_page",
    "html_page",
    "limit_page",
    "mc_page",
    "optimize_page",
    "prim_page",
    "sensitivity_page",
    "write_charts",
    "write_page",
]


def prim_page(
    result: PrimResult,
    question: str,
    cases: int,
    n: int,
    out: Path | None,
    png: Path | None,
    regional: pd.DataFrame | None = None,
    more: Sequence[CoveringBox] = (),
    resampled: pd.DataFrame | None = None,
    scenarios: tuple[np.ndarray, np.ndarray] | None = None,
    stack: DimensionalStack | None = None,
    tree: CartResult | None = None,
) -> list[Path]:
    """Write the page of ``strandrisk discover``: the box, the trade-off and box charts.

    Parameters
    ----------
    result : PrimResult
        The peeling trajectory and the chosen box. [-]
    question : str
        What was asked, e.g. "industry stranded_peak above 1.5e+12 USD". [-]
    cases, n : int
        Scenarios that are cases of interest, and all scenarios. [count]
    out, png : Path or None
        Folders for ``discover.html`` and the PNG files. [-]
    regional : pandas.DataFrame, optional
        :func:`~strandrisk.analysis.regional.regional_sensitivity` of the same cases. [-]
    more : sequence of CoveringBox
        The boxes after the first of PRIM's covering sequence
        (:func:`~strandrisk.analysis.prim.prim_covering`), each with a table. [-]
    resampled : pandas.DataFrame, optional
        :func:`~strandrisk.analysis.prim.prim_resample` of the first box, as a table. [-]
    scenarios : tuple of ndarray, optional
        Every scenario's parameter values, shape (n, d) in ``result.names``' order, and which
        are cases: the first :data:`SCATTER_POINTS` are drawn over the box's two most
        significant restrictions (or its one and the parameter that separates the cases
        most), and every scenario's value of the :data:`REGIONAL_CDFS` parameters that
        separate the cases most as two CDFs, the cases' and the others'. [canonical units, -]
    stack : DimensionalStack, optional
        The share of cases over the terciles of the parameters that separate them most,
        nested two by two (:func:`~strandrisk.analysis.stacking.stack_strongest`). [fraction]
    tree : CartResult, optional
        CART's leaves (:func:`~strandrisk.analysis.cart.cart`): a table of the leaves of
        cases with their rules, and every leaf on the trade-off's axes beside PRIM's box. [-]
    """
    box = result.boxes[result.chosen]
    intro = (
        f"{cases:,} of {n:,} scenarios are cases of interest. PRIM (peeling and pasting) looks "
        "for the parameter ranges that hold them: the chosen box (step "
        f"{result.chosen} of {len(result.trajectory) - 1}) covers {box.coverage:.1%} of the "
        f"cases, {box.density:.1%} of the scenarios inside it are cases, and it holds "
        f"{box.mass:.1%} of all scenarios."
        + (f" Restrictions dropped: {', '.join(result.dropped)}." if result.dropped else "")
    )
    qp_note = _small(
        "qp: the quasi-p-value of each restricted side (Bryant and Lempert, 2010): the chance of "
        "the box's density if that one restriction were dropped. Below 0.05 the restriction "
        "concentrates the cases beyond chance; '-' marks a side left at the data's end."
        + (
            f" Above 0.05 on every side: {', '.join(result.unneeded())} (discover --drop gives "
            "a restriction up)."
            if result.unneeded()
            else ""
        )
    )
    figures = {
        "prim_tradeoff": prim_tradeoff_figure(
            result.trajectory, result.chosen, "PRIM: the coverage-density trade-off of the peels"
        ),
        "prim_box": prim_box_figure(result.limits, box, "PRIM: the chosen box's parameter ranges"),
    }
    pair = _scatter_pair(result, regional)
    if scenarios is not None and pair is not None:
        x, hit = scenarios[0][:SCATTER_POINTS], scenarios[1][:SCATTER_POINTS]
        i, j = pair
        bounds = (box.lower[i], box.upper[i], box.lower[j], box.upper[j])
        names = (result.names[i], result.names[j])
        figures["prim_scatter"] = prim_scatter_figure(
            x[:, i], x[:, j], hit, bounds, names, f"PRIM: the box over {names[0]} and {names[1]}"
        )
    if scenarios is not None and regional is not None:
        for k, (name, row) in enumerate(regional.head(REGIONAL_CDFS).iterrows(), start=1):
            j = result.names.index(str(name))
            figures[f"regional_cdf_{k}"] = regional_cdf_figure(
                scenarios[0][:, j], scenarios[1], str(name), float(row["ks"])
            )
    if stack is not None:
        figures["dimensional_stacking"] = stacking_figure(
            stack, "Dimensional stacking: the share of cases in each cell (terciles)"
        )
    if tree is not None:
        rules = [tree.rule(int(k)) for k in tree.leaves.index]
        figures["cart_leaves"] = cart_figure(
            tree.leaves, rules, box, "CART: each leaf of the tree as a box, beside PRIM's"
        )
    return write_page(
        "discover",
        f"Scenario discovery: {question}",
        intro,
        [
            ("The box", _limits_table(result.limits) + qp_note),
            *_more_boxes(more, sum(b.coverage for b in more) + box.coverage),
            *_resample_section(resampled),
            *_cart_section(tree),
            *_regional_section(regional),
        ],
        figures,
        out,
        png,
    )


SCATTER_POINTS = 3_000
"""Scenarios drawn on the discover page's scatter (the first ones). [count]"""
REGIONAL_CDFS = 4
"""Parameters whose distributions among the cases and the others the discover page draws,
those that separate the cases most. [count]"""


def _scatter_pair(result: PrimResult, regional: pd.DataFrame | None) -> tuple[int, int] | None:
    """Return the two parameters to draw the box over (their columns), or None.

    The box's two restrictions with the smallest quasi-p-values, or its one restriction and
    the parameter that separates the cases most beside it (regional sensitivity).
    """
    qp = result.limits[["qp_lower", "qp_upper"]].min(axis=1).fillna(1.0)
    held = [str(k) for k in qp.sort_values(kind="stable").index]
    if len(held) < 2 and held and regional is not None:
        held += [str(k) for k in regional.index if str(k) != held[0]][:1]
    if len(held) < 2:
        return None
    return result.names.index(held[0]), result.names.index(held[1])


def _limits_table(limits: pd.DataFrame) -> str:
    """Render a box's restricted ranges with their quasi-p-values as text."""
    shown = limits.rename(
        columns={
            "min": "data min",
            "max": "data max",
            "qp_lower": "qp lower",
            "qp_upper": "qp upper",
        }
    )
    for side in ("qp lower", "qp upper"):
        shown[side] = [html.escape(quasi_p_text(float(v))) for v in shown[side]]
    return _table(shown, "parameter")


def _more_boxes(more: Sequence[CoveringBox], covered: float) -> list[tuple[str, str]]:
    """Sections for the boxes after the first; the last says what all the boxes hold."""
    sections = []
    for k, b in enumerate(more, start=2):
        before = "box 1" if k == 2 else f"boxes 1-{k - 1}"
        note = (
            f"Coverage {b.coverage:.1%} of all the cases, density {b.density:.1%} inside the "
            f"box, mass {b.mass:.1%} of all scenarios."
        )
        if k == len(more) + 1:
            note += f" Boxes 1-{k} hold {covered:.1%} of the cases of interest."
        sections.append(
            (
                f"Box {k}, among the {b.searched:,} scenarios outside {before} ({b.cases:,} cases)",
                _limits_table(b.result.limits) + _small(note),
            )
        )
    return sections


def _resample_section(resampled: pd.DataFrame | None) -> list[tuple[str, str]]:
    if resampled is None:
        return []
    shown = resampled[
        resampled["in_box"] | (resampled["coverage_match"] > 0) | (resampled["density_match"] > 0)
    ]
    frame = pd.DataFrame(
        {
            "in box": ["yes" if v else "" for v in shown["in_box"]],
            "by coverage": [f"{v:.0%}" for v in shown["coverage_match"]],
            "by density": [f"{v:.0%}" for v in shown["density_match"]],
        },
        index=shown.index,
    )
    note = _small(
        "PRIM peeled again on random halves of the scenarios, as EMA Workbench's resample: in "
        "each half's trajectory, the box nearest the chosen one by coverage (by density), and "
        "the share of halves whose box restricts each parameter. A restriction the halves "
        "seldom repeat is likely fitted to this sample's noise."
    )
    return [("Does the box come back?", _table(frame, "parameter") + note)]


def _cart_section(tree: CartResult | None) -> list[tuple[str, str]]:
    """Return the discover page's CART section: the leaves of cases, each with its rule."""
    if tree is None:
        return []
    boxes = tree.of_cases()
    frame = boxes[["coverage", "density", "mass", "restricted"]].astype(object)
    for k in ("coverage", "density", "mass"):
        frame[k] = [f"{v:.1%}" for v in boxes[k]]
    frame["restricted"] = [str(int(v)) for v in boxes["restricted"]]
    frame["box"] = [html.escape(tree.rule(int(k))) for k in boxes.index]
    note = _small(
        f"{len(boxes)} of the tree's {len(tree.leaves)} leaves, together {boxes['coverage'].sum():.1%} "
        "of the cases. A classification tree (CART, as EMA Workbench's cart) splits the "
        "scenarios one parameter at a time, each split the purest it can find, until a leaf "
        f"would hold less than {tree.mass_min:.0%} of them; each leaf is a box. It finds cases "
        "that sit in several places at once, where PRIM peels one box at a time, but its greedy "
        "splits can add restrictions PRIM's box does not need."
    )
    return [("CART: the leaves where the cases are the majority", _table(frame, "leaf") + note)]


def _regional_section(regional: pd.DataFrame | None) -> list[tuple[str, str]]:
    if regional is None:
        return []
    frame = regional.rename(
        columns={
            "ks": "KS distance",
            "p_value": "p-value",
            "cases_median": "median, cases",
            "others_median": "median, others",
        }
    )
    note = _small(
        "Kolmogorov-Smirnov distance between each parameter's values in the cases and in the "
        "other scenarios (0: spread alike; 1: apart), as EMA Workbench's regional sensitivity "
        "analysis: it sees a parameter that matters in several places or only with others."
    )
    return [("Which parameters separate the cases", _table(frame, "parameter") + note)]


def sensitivity_page(
    indices: pd.DataFrame,
    swings: Sequence[Swing],
    runs: int,
    out: Path | None,
    png: Path | None,
    company: str = "industry",
    web: Spider | None = None,
    note: str = "",
    pairs: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the page of ``strandrisk sensitivity``: Sobol or Morris, the tornado, the spider.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``S1, S1_conf, ST, ST_conf`` (Sobol' indices), or
        ``mu, mu_star, mu_star_conf, sigma`` (Morris screening, in the outcome's unit). [-]
    swings : sequence of Swing
        Peak stranded value with each parameter at its P10 and P90. [USD]
    runs : int
        Model runs behind the indices. [count]
    out, png : Path or None
        Folders for ``sensitivity.html`` and the PNG files. [-]
    company : str
        Whose outcomes. [-]
    web : Spider or None
        Peak stranded value with each parameter at several percentiles, one at a time
        (:func:`~strandrisk.analysis.sensitivity.spider`); its ends are the tornado's. [USD]
    note : str
        A sentence added to the introduction (what the design leaves out, say). [-]
    pairs : pandas.DataFrame, optional
        Second-order Sobol' indices (:func:`~strandrisk.analysis.sobol.sobol_pairs`): a
        table of each outcome's strongest pairs. [fraction]
    """
    outcomes = list(dict.fromkeys(indices.index.get_level_values("outcome")))
    method = (
        "pawn"
        if "median" in indices.columns
        else "trees"
        if "score" in indices.columns
        else "rbd-fast"
        if "ST" not in indices.columns and "S1" in indices.columns
        else "morris"
        if "mu_star" in indices.columns
        else "sobol"
    )
    intro, tables = _indices_text(indices, method, outcomes, company, runs, bool(swings))
    intro += f" {note}" if note else ""
    for o, frame in {} if pairs is None else pairs.groupby(level="outcome", sort=False):
        top = frame.droplevel("outcome").head(10)
        top.index = [f"{a} × {b}" for a, b in top.index]
        tables.append(
            (
                f"Second-order Sobol indices of {o}: the pairs that act together",
                _table(top, "parameters", "{:.3f}")
                + _small(
                    "S2: the share of the variance a pair adds by acting together, beyond "
                    "each one's first-order share, with the half-width of its 95 % bootstrap "
                    "interval; the ten largest."
                ),
            )
        )
    from strandrisk.engine.simulate import OUTCOME_UNITS

    focus = "stranded_peak" if web is None else web.outcome  # the tornado's and spider's
    what, unit = DRIVER_NAMES.get(focus, focus), OUTCOME_UNITS[focus]
    scale, _, short = display_unit(unit)
    tag = "" if short in ("", "-") else f" ({short})"
    tornado = pd.DataFrame(
        {
            "P10": [s.low for s in swings],
            "P90": [s.high for s in swings],
            f"at P10{tag}": [s.outcome_low * scale for s in swings],
            f"at P90{tag}": [s.outcome_high * scale for s in swings],
        },
        index=[s.key for s in swings],
    )
    if swings:  # none for PAWN on a kept run's draws
        tables.append(
            (
                f"Tornado: {what} at each parameter's P10 and P90",
                _table(tornado, "parameter"),
            )
        )
    if method == "trees":  # one heat map for all the outcomes, as EMA Workbench draws them
        figures = {"feature_scores": _trees_chart(indices, company)}
    else:
        figures = {
            f"{method.replace('-', '_')}_{o}": _indices_chart(indices, method, o, company)
            for o in outcomes
        }
    if swings:
        figures["tornado_p10_p90"] = tornado_figure(
            swings,
            f"{_capital(what)}, each parameter at its P10 and P90 ({company})",
            what=what,
            unit=unit,
        )
    if web is not None:
        order = [s.key for s in swings] or list(web.outcomes.index)
        levels = [f"P{100 * q:g}" for q in web.levels]
        base_text = _outcome_text(web.base, unit, scale, tag)
        table = web.outcomes.loc[order] * scale
        table.columns = [f"{level}{tag}" for level in levels]
        tables.append(
            (
                f"Spider: {what} with each parameter at its percentiles",
                _table(table, "parameter")
                + _small(
                    "One parameter at a time, the others at the scenario's values "
                    f"({base_text} there); the "
                    "tornado is its two ends. A line that turns or flattens is an effect that "
                    "reverses or saturates within the parameter's range."
                    + outside_note(web, lambda v: _outcome_text(v, unit, scale, tag))
                ),
            )
        )
        figures["spider"] = spider_figure(
            web.outcomes,
            web.base,
            f"{_capital(what)} as each parameter moves through its percentiles ({company})",
            order,
            what=what,
            unit=unit,
        )
    return write_page(
        "sensitivity", f"Sensitivity of {company}'s outcomes", intro, tables, figures, out, png
    )


def _outcome_text(v: float, unit: str, scale: float, tag: str) -> str:
    """Write an outcome: money in $B, else in its display unit."""
    return f"${v / 1e9:,.0f}B" if unit == "USD" else f"{v * scale:.4g}{tag}"


def _indices_text(
    indices: pd.DataFrame,
    method: str,
    outcomes: list[str],
    company: str,
    runs: int,
    tornado: bool,
) -> tuple[str, list[tuple[str, str]]]:
    """Return the sensitivity page's introduction and its tables of indices, per ``method``."""
    oat = (  # none for the measures on a kept run's draws
        " The tornado moves one parameter at a time to its 10th and 90th percentile."
        if tornado
        else ""
    )
    if method == "trees":
        from strandrisk.analysis.trees import forest_fit, scores_wide

        intro = (
            f"Feature scores of {company}'s outcomes from {runs:,} draws (EMA Workbench's "
            "feature scoring; extra trees, Geurts et al. 2006, set up as Jaxa-Rozen and Kwakkel, "
            "2018): for each outcome a forest of 100 randomised regression trees, and each "
            "parameter's share of the forest's reduction in squared error. It needs no design "
            "and catches effects that interact or reverse. The out-of-bag R² says how much of "
            "the outcome the parameters explain at all; the noise floor is the largest score "
            "of 5 dummy parameters that do nothing." + oat
        )
        fit = forest_fit(indices)
        table = pd.concat([scores_wide(indices, 15), fit.to_frame("out-of-bag R²").T])
        return intro, [("Feature scores (extra trees)", _table(table, "parameter", "{:.3f}"))]
    if method == "rbd-fast":
        intro = (
            f"RBD-FAST first-order indices of {company}'s outcomes from {runs:,} draws (SALib; "
            "Tarantola et al. 2006, bias-corrected as Tissot and Prieur 2012), with 95 % "
            "bootstrap intervals: the share of an outcome's variance each parameter explains "
            "alone (Sobol' S1) without Saltelli's design. No total indices: 1 - sum(S1) is "
            "left to interactions, which --method sobol apportions." + oat
        )
        tables = _per_outcome(indices, outcomes, "RBD-FAST indices")
        return intro, tables
    if method == "pawn":
        intro = (
            f"PAWN indices of {company}'s outcomes from {runs:,} draws (SALib; "
            "Pianosi and Wagener, 2015): for each parameter, the Kolmogorov-Smirnov distance "
            "between the outcome's distribution with the parameter held in one tenth of its "
            "range and over all draws, the median over the ten (0: no effect). Based on whole "
            "distributions, not variances, so it suits skewed or saturated outcomes. The noise "
            "floor is the 95th percentile of 20 dummy parameters that do nothing." + oat
        )
        tables = _per_outcome(indices, outcomes, "PAWN indices")
    elif method == "morris":
        intro = (
            f"Morris elementary effects on {company}'s outcomes from {runs:,} model runs (SALib), "
            "with 95 % bootstrap intervals: mu* is the mean absolute change of the outcome as a "
            "parameter moves across its range in probability, sigma how much that change varies "
            "(nonlinearity, interactions), mu its mean with sign; money in $B. A screening: it "
            "ranks what matters, where Sobol' indices apportion the variance. The tornado moves "
            "one parameter at a time to its 10th and 90th percentile."
        )
        tables = [
            (
                f"Morris elementary effects on {o}",
                _table(
                    indices.loc[o] / (1e9 if o in _MONEY_OUTCOMES else 1.0), "parameter", "{:,.3g}"
                ),
            )
            for o in outcomes
        ]
    else:
        intro = (
            f"Sobol first-order (S1) and total (ST) indices of {company}'s outcomes from {runs:,} "
            "model runs (Saltelli's design, SALib), with 95 % bootstrap intervals: the share of "
            "an outcome's variance due to each parameter alone (S1) and with its interactions "
            "(ST). The tornado moves one parameter at a time to its 10th and 90th percentile."
        )
        tables = _per_outcome(indices, outcomes, "Sobol indices")
    return intro, tables


def _trees_chart(scores: pd.DataFrame, company: str) -> go.Figure:
    """Return the heat map of the feature scores of every outcome."""
    from strandrisk.analysis.trees import forest_fit, scores_wide

    return feature_scores_figure(
        scores_wide(scores, 15),
        forest_fit(scores),
        f"Feature scores, extra trees ({company})",
    )


def _per_outcome(indices: pd.DataFrame, outcomes: list[str], what: str) -> list[tuple[str, str]]:
    """Return a table of ``what`` per outcome, three decimals: Sobol', RBD-FAST, PAWN."""
    return [(f"{what} of {o}", _table(indices.loc[o], "parameter", "{:.3f}")) for o in outcomes]


def _indices_chart(indices: pd.DataFrame, method: str, o: str, company: str) -> go.Figure:
    """Return the chart of outcome ``o``'s indices: PAWN, Morris or Sobol' (``method``)."""
    if method == "pawn":
        from strandrisk.analysis.pawn import DUMMY

        return pawn_figure(
            indices.loc[o].drop(index=DUMMY),
            float(indices.loc[(o, DUMMY), "median"]),
            f"PAWN indices of {o} ({company})",
        )
    if method == "morris":
        return morris_figure(
            indices.loc[o],
            f"Morris screening of {o} ({company})",
            "$B" if o in _MONEY_OUTCOMES else "outcome's unit",
            1e9 if o in _MONEY_OUTCOMES else 1.0,
        )
    if method == "rbd-fast":
        return sobol_figure(indices.loc[o], f"RBD-FAST first-order indices of {o} ({company})")
    return sobol_figure(indices.loc[o], f"Sobol indices of {o} ({company})")


def breakeven_page(
    dist: pd.DataFrame,
    surface: pd.DataFrame,
    x: str,
    y: str,
    n: int,
    out: Path | None,
    png: Path | None,
    company: str = "industry",
) -> list[Path]:
    """Write the page of ``strandrisk breakeven``: the distribution and the surface.

    Parameters
    ----------
    dist : pandas.DataFrame
        Quantiles of the break-even values and the share found. [1/year, fraction]
    surface : pandas.DataFrame
        Break-even demand growth over ``x`` (index) and ``y`` (columns). [1/year]
    x, y : str
        The surface's parameters. [-]
    n : int
        Scenarios behind the distribution. [count]
    out, png : Path or None
        Folders for ``breakeven.html`` and the PNG files. [-]
    company : str
        Whose break-even values. [-]
    """
    intro = (
        f"The demand growth at which the 2026 programme's NPV is zero, and the fastest token-price "
        f"decline it survives, over {n:,} Latin-hypercube scenarios ({company}, rates per year); "
        f"then the break-even demand growth over {x} and {y}, every other parameter at its value "
        "in the scenario. Empty cells: NPV does not reach zero in the searched range."
    )
    tables = [
        ("Break-even values over the uncertainty space", _table(dist, "break-even", "{:.3f}")),
        (f"Break-even demand growth: {x} (rows) by {y} (columns)", _table(surface, x, "{:.3f}")),
    ]
    figures = {
        "breakeven_surface": breakeven_surface_figure(
            surface, x, y, f"Break-even demand growth over {x} and {y} ({company})"
        )
    }
    return write_page(
        "breakeven", "Break-even demand growth and price decline", intro, tables, figures, out, png
    )


def _capital(text: str) -> str:
    """Return ``text`` with its first letter in upper case (a title)."""
    return text[:1].upper() + text[1:]


def _bridge_value(v: object, unit: str) -> str:
    """Write a bridge figure in its unit: USD in billions, rates in per cent."""
    if v is None or pd.isna(v):
        return "-"
    x = float(v)  # type: ignore[arg-type]
    if unit == "USD":
        return f"{x / 1e9:,.1f}"
    if unit == "1/year":
        return f"{100 * x:,.2f}"
    return f"{x:,.3f}"


def bridge_page(
    result: Bridge,
    diff: pd.DataFrame,
    priors: pd.DataFrame,
    labels: tuple[str, str],
    out: Path | None,
    png: Path | None,
) -> list[Path]:
    """Write the page of ``strandrisk scenario diff``: the differences and the bridge.

    Parameters
    ----------
    result : Bridge
        From :func:`~strandrisk.analysis.bridge.bridge`. [outcome units]
    diff : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.scenario_diff`. [canonical units]
    priors : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.prior_diff`. [-]
    labels : (str, str)
        The two scenarios' names. [-]
    out, png : Path or None
        Folders for ``bridge.html`` and the PNG files. [-]
    """
    from strandrisk.engine.simulate import OUTCOME_UNITS

    outcomes = list(result.start.index)
    intro = (
        f"From '{labels[0]}' to '{labels[1]}' ({result.company}): the values the two scenarios "
        f"set differently, and a bridge of the outcomes over {result.runs:,} model runs (every "
        "subset of the differences). Each step is the difference's Shapley contribution: its "
        "effect averaged over every order of making the changes, so the steps add up exactly "
        f"to the change and no order is chosen; beside it, its effect made alone from "
        f"'{labels[0]}'. Money in USD billions, rates in per cent a year."
    )
    values = diff.set_index("key")[["unit", "first", "second"]].astype(object)
    values.columns = ["unit", labels[0], labels[1]]
    tables = [("Values that differ", _table(values, "key"))]
    if len(priors):
        p = priors.set_index("key")[["first", "second"]]
        p.columns = [labels[0], labels[1]]
        tables.append(("Priors that differ", _table(p, "key")))
    rows: dict[str, list[str]] = {labels[0]: [], **{s: [] for s in result.steps}, labels[1]: []}
    columns = []
    for o in outcomes:
        unit = OUTCOME_UNITS[o]
        name = DRIVER_NAMES.get(o, o)
        columns += [f"{name}: Shapley", f"{name}: alone"]
        rows[labels[0]] += [_bridge_value(result.start[o], unit), ""]
        for s in result.steps:
            rows[s] += [
                _bridge_value(result.contribution.loc[s, o], unit),
                _bridge_value(result.alone.loc[s, o], unit),
            ]
        rows[labels[1]] += [_bridge_value(result.end[o], unit), ""]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    tables.append(
        (
            "The bridge",
            _table(frame, "step")
            + _small(
                "What a step owes to the other changes is the gap between its two columns; "
                + ("more than 12 differences: grouped by TOML table. " if result.grouped else "")
                + "Steps in the order of a scenario file."
            ),
        )
    )
    figures = {
        f"bridge_{o}": bridge_figure(
            [labels[0], *result.steps, labels[1]],
            float(result.start[o]),
            list(result.contribution[o]),
            float(result.end[o]),
            f"{_capital(DRIVER_NAMES.get(o, o))} from {labels[0]} to {labels[1]} "
            f"({result.company})",
            OUTCOME_UNITS[o],
        )
        for o in outcomes
    }
    return write_page(
        "bridge", f"From {labels[0]} to {labels[1]}", intro, tables, figures, out, png
    )


def limit_page(result: LimitSolution, out: Path | None, png: Path | None) -> list[Path]:
    """Write the page of ``strandrisk limit``: the values tried and where the limits bind.

    Parameters
    ----------
    result : LimitSolution
        From :func:`~strandrisk.engine.limits.solve_limit`. [-]
    out, png : Path or None
        Folders for ``limit.html`` and one PNG file per limit. [-]
    """
    r = result
    if r.status == "binds":
        where = "; ".join(
            f"{c:.4g}" + (f" (±{e:.2g})" if e == e else "") + f", where {b} binds"
            for c, e, b in zip(r.crossings, r.errors, r.binding, strict=True)
        )
        side = "below" if r.meets_below else "above"
        found = f"The limits bind at {r.key} = {where}; they are met {side} the first crossing."
    else:
        met = "met" if r.status == "holds" else "breached"
        found = f"The limits are {met} over the whole range, {r.low:g} to {r.high:g}."
    texts = [rule.text for rule in r.limits]
    how = (
        f"every value on the same {r.n:,} draws ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, "
        f"seed {r.seed}), the decision held at the value in every draw"
        if r.drawn
        else "the scenario as given, no draws (a goal seek on its outcome)"
    )
    intro = (
        f"{'; '.join(texts)} for {r.company}, as {r.key} moves from {r.low:g} to {r.high:g}: "
        f"{how}. {found} The scenario's own value is {r.own_value:.4g}."
        + (
            " The band is the statistic's 95 % sampling interval; the ± of a crossing is that "
            "interval over the statistic's slope."
            if r.drawn
            else ""
        )
    )
    tables, figures = [], {}
    for j, rule in enumerate(r.limits):
        unit = rule.unit
        rows = r.trials[r.trials["limit"] == rule.text]
        scale, _, label = display_unit(unit)
        table = rows.set_index("value")[["statistic", "low", "high"]] * scale
        table.columns = [f"statistic ({label})", f"95 % low ({label})", f"95 % high ({label})"]
        table["limit"] = ["met" if m else "breached" for m in rows["met"]]
        tables.append((f"{rule.text}: every value tried", _table(table, r.key, "{:,.4g}")))
        binds = [c for c, b in zip(r.crossings, r.binding, strict=True) if rule.text in b]
        figures["limit" if j == 0 else f"limit_{j + 1}"] = limit_figure(
            rows, rule.bound, binds, f"{rule.text} ({r.company}) as {r.key} moves", r.key, unit
        )
    title = f"Risk limit: {texts[0]}" if len(texts) == 1 else f"Risk limits: {len(texts)}"
    return write_page("limit", title, intro, tables, figures, out, png)


def _shown(value: float, unit: str) -> str:
    """Write a statistic in its display unit (USD in billions, a share in per cent)."""
    scale, _, label = display_unit(unit)
    if not np.isfinite(value):
        return "-"
    if unit == "USD":
        return f"{'-' if value < 0 else ''}${abs(value) * scale:,.4g}B"
    return f"{value * scale:,.4g} {label}".strip()


def optimize_page(
    result: Optimum, out: Path | None, png: Path | None, again: pd.DataFrame | None = None
) -> list[Path]:
    """Write the page of ``strandrisk optimize``: the optimum, the limits there, every point.

    Parameters
    ----------
    result : Optimum
        From :func:`~strandrisk.engine.optimize.optimize`. [-]
    out, png : Path or None
        Folders for ``optimize.html`` and ``optimize.png``. [-]
    again : pandas.DataFrame, optional
        The same search on other sets of draws
        (:func:`~strandrisk.engine.optimize.resampled_optima`). [each key's unit]
    """
    r = result
    sense = "Maximise" if r.maximize else "Minimise"
    how = (
        f"every point on the same {r.n:,} draws ({SAMPLER_NAMES.get(r.sampler, r.sampler)}, "
        f"seed {r.seed}), the decisions held at the point's values in every draw"
        if r.drawn
        else "the scenario as given, no draws"
    )
    limits = "; ".join(rule.text for rule in r.limits) or "no limit"
    intro = (
        f"{sense} {r.objective.name} for {r.company} over {' and '.join(r.keys)}, subject to "
        f"{limits}: {how}. {r.text(_shown)}"
    )
    tables = []
    points = [("scenario's own", r.own)] + ([("optimum", r.best)] if r.best is not None else [])
    of = r.units()
    units = [
        of[k] for k in (*r.keys, "objective", *(f"limit_{j + 1}" for j in range(len(r.limits))))
    ]
    frame = pd.DataFrame(
        {
            name: [
                _shown(float(v), unit)
                for v, unit in zip(
                    [*(r.trials.iloc[row][k] for k in r.keys), *r.at(row)["statistic"]],
                    units,
                    strict=True,
                )
            ]
            for name, row in points
        },
        index=[*r.keys, *r.at(r.own).index],
    )
    tables.append(("The optimum and the scenario's own values", _table(frame, "")))
    if again is not None:
        spread = again.copy()
        for key, unit in zip(r.keys, units, strict=False):
            spread[key] = [_shown(float(v), unit) for v in spread[key]]
        spread["objective"] = [_shown(float(v), r.objective.unit) for v in spread["objective"]]
        spread = spread.rename(columns={"objective": r.objective.name})
        tables.append(
            (
                f"The same search on {len(again)} other sets of {r.n:,} draws",
                _table(spread, "seed")
                + _small("How far sampling moves the optimum: each row a search on its own seed."),
            )
        )
    shown = r.trials[r.trials["round"] >= 0].drop(columns="round")
    tables.append(
        (
            f"Every point tried ({len(shown)})",
            _table(shown.set_index(list(r.keys)), " and ".join(r.keys), "{:,.6g}")
            + _small(
                "objective: the statistic optimised, with its 95 % sampling interval; limit_j: "
                "the j-th limit's statistic, its interval and whether it is met; feasible: every "
                "limit met. Money in USD, chances as fractions."
            ),
        )
    )
    return write_page(
        "optimize",
        f"{sense} {r.objective.name}",
        intro,
        tables,
        {"optimize": optimum_figure(r)},
        out,
        png,
    )


def fit_prior_page(
    columns: Sequence[tuple[str, np.ndarray, Sequence[PriorFit], pd.DataFrame, str]],
    correlations: tuple[Sequence[tuple[str, str, float]], int, str, CopulaFit | None, str] | None,
    out: Path | None,
    png: Path | None,
) -> list[Path]:
    """Write the page of ``strandrisk fit-prior``: each column's fits, charts and TOML line.

    Parameters
    ----------
    columns : sequence of tuple
        Per column: what was fitted (a title), its values, its fits (best first), their
        :func:`~strandrisk.analysis.priors.fit_table` and the chosen fit's line for the
        ``[uncertainty]`` block. [-, unit, -, unit, -]
    correlations : tuple, optional
        The columns' rank correlations as (first, second, rho), the rows they are over, the
        ``[correlations]`` block, the copulas fitted to those rows
        (:func:`~strandrisk.analysis.priors.fit_copula`, None where none could be) and the
        one the block is written with. [-, count, -, -, -]
    out, png : Path or None
        Folders for ``fit_prior.html`` and the PNG files. [-]
    """
    sections, figures = [], {}
    for k, (title, values, fits, fitted, line) in enumerate(columns, start=1):
        rows = pd.DataFrame(
            {
                "AIC": [f"{v:,.1f}" for v in fitted["aic"]],
                "ΔAIC": [f"{v:,.1f}" for v in fitted["delta_aic"]],
                "BIC": [f"{v:,.1f}" for v in fitted["bic"]],
                "KS": [f"{v:.3f}" for v in fitted["ks"]],
                **{c.upper(): [f"{v:.4g}" for v in fitted[c]] for c in ("p5", "p50", "p95")},
                "": fitted["label"],
            },
            index=fitted["kind"],
        )
        table = _table(rows, "kind")
        sections.append((title, table + f"<pre>{html.escape(line)}</pre>"))
        figures[f"prior_fit_{k}"], figures[f"prior_cdf_{k}"] = prior_fit_figures(
            values, fits, title
        )
    if correlations is not None:
        pairs, rows_used, block, copula, chosen = correlations
        frame = pd.DataFrame(
            [(a, b, f"{rho:+.2f}") for a, b, rho in pairs], columns=["first", "second", "rho"]
        ).set_index("first")
        joined = ""
        if copula is not None:
            best = min(copula.aic_normal, copula.aic_t)
            copulas = pd.DataFrame(
                {
                    "df": ["-", f"{copula.df:.3g}"],
                    "AIC": [f"{v:,.1f}" for v in (copula.aic_normal, copula.aic_t)],
                    "ΔAIC": [f"{v - best:.1f}" for v in (copula.aic_normal, copula.aic_t)],
                    "": ["chosen" if k == chosen else "" for k in ("normal", "t")],
                },
                index=["normal", "t"],
            )
            joined = _table(copulas, "copula") + _small(
                "The normal and t copulas of these correlations fitted to the same rows (the "
                "t's degrees of freedom by maximum likelihood), ranked by AIC, the t counting "
                "its degrees of freedom as one parameter more."
            )
        sections.append(
            (
                f"Rank correlations (Spearman) over the {rows_used:,} rows holding every column",
                _table(frame, "first") + joined + f"<pre>{html.escape(block)}</pre>",
            )
        )
    intro = (
        "Each distribution a prior may take, fitted to the observations by maximum likelihood "
        "(uniform and log-uniform at their unbiased ends) and ranked by AIC, lower better; a "
        "ΔAIC under 2 is no real difference. KS is the largest gap between the values' CDF and "
        "the fitted one. The chosen fit is written as a line for the scenario's [uncertainty] "
        "block; the charts draw the three best over the values."
    )
    return write_page(
        "fit_prior", "Priors fitted to observations", intro, sections, figures, out, png
    )
