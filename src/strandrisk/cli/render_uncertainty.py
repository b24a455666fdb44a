"""Rich tables for the uncertainty commands: Monte Carlo, sensitivity, discovery, limits."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from strandrisk.cli._format import (
    _by_order,
    _change,
    _compact,
    _money,
    _no_breakeven_caption,
    _num,
    _pct,
    _share,
    _statistic,
    _usd_change,
    fmt,
)

if TYPE_CHECKING:  # the types of what is rendered; their modules load on first use
    from strandrisk.analysis.prim import PrimResult
    from strandrisk.engine.decisions import DecisionComparison
    from strandrisk.engine.limits import LimitSolution
    from strandrisk.engine.montecarlo import MCResult
    from strandrisk.scenarios.sampling import UncertaintySpace
    from strandrisk.scenarios.schema import Scenario


__all__ = [
    "breakeven_summary",
    "debt_cover_table",
    "decisions_tables",
    "drivers_table",
    "economic_life_table",
    "limit_summary",
    "loan_cover_tables",
    "mc_summary",
    "morris_table",
    "pawn_table",
    "prim_summary",
    "quantile_table",
    "regional_table",
    "sobol_table",
    "value_at_table",
]

_FORMAT = {
    "booked_life_years": lambda v: _num(v, 1),
    "economic_life_years": lambda v: _num(v, 1),
    "irr_2026": _pct,
    "min_dscr": _num,
    "min_interest_cover": _num,
    "breakeven_demand_growth": _change,
    "breakeven_price_decline": lambda v: _change(v, decline=True),
}


def quantile_table(q: pd.DataFrame, title: str, order: Sequence[str] = ()) -> Table:
    """Quantiles per company and outcome (index (company, outcome), a column per level).

    Companies in ``order`` come first, in that order; money in USD billions, rates in per
    cent, lives in years.

    Parameters
    ----------
    q : pandas.DataFrame
        Index (company, outcome); a column per quantile level (``p5``...) or statistic. [each
        outcome's unit]
    title : str
        The table's title. [-]
    order : sequence of str
        Companies to list first. [-]
    """
    table = _compact(title)  # no vertical rules: $1,234B fits five columns in 80
    table.add_column("company", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    for col in q.columns:  # p5 -> P5; other statistics (mean) as named
        name = str(col)
        table.add_column(
            name.upper() if name[1:].isdigit() else name, justify="right", no_wrap=True
        )
    key = _by_order(order)
    groups = sorted(q.groupby(level="company", sort=False), key=lambda g: key(g[0]))
    for i, (company, frame) in enumerate(groups):
        if i:
            table.add_section()
        for j, ((_, outcome), row) in enumerate(frame.iterrows()):
            show = _FORMAT.get(str(outcome), _money)
            table.add_row(str(company) if j == 0 else "", str(outcome), *(show(v) for v in row))
    return table


def value_at_table(result: MCResult, quarter: str, order: Sequence[str]) -> Table:
    """Book value and the spread of stranded value per company at one quarter.

    Parameters
    ----------
    result : MCResult
        The run's summary (:meth:`~strandrisk.engine.montecarlo.MCResult.value_at`). [USD]
    quarter : str
        An ISO quarter inside the horizon. [ISO quarter]
    order : sequence of str
        Companies in display order. [-]
    """
    from strandrisk.engine.montecarlo import FAN_SCENARIOS

    used = result.fan_scenarios
    t = _compact(
        f"Stranded value at the end of {quarter}: its spread over the "
        f"{'first ' if used >= FAN_SCENARIOS else ''}{used:,} scenarios"
    )
    t.add_column("company", no_wrap=True)
    for col in ("book P50", "stranded P5", "P25", "P50", "P75", "P95"):
        t.add_column(col, justify="right", no_wrap=True)
    table = result.value_at(quarter)
    for company in sorted(table.index, key=_by_order(order)):
        t.add_row(str(company), *(_money(v) for v in table.loc[company]))
    return t


def mc_summary(
    result: MCResult,
    scenario: Scenario,
    space: UncertaintySpace,
    at: Sequence[str] = (),
    company: str = "industry",
    conditions: Sequence[tuple[str, float, bool]] = (),
) -> Group:
    """Render a Monte Carlo summary: quantiles, Capex-at-Risk, P(impairment), drivers.

    Parameters
    ----------
    result : MCResult
        The run's summary. [USD, fraction]
    scenario : Scenario
        The scenario (for its name and companies). [-]
    space : UncertaintySpace
        What varied. [-]
    at : sequence of str
        ISO quarters at which to show the spread of stranded value. [ISO quarter]
    company : str
        Whose drivers to rank. [-]
    conditions : sequence of (outcome, threshold, above)
        Probabilities to show (default: the 2026 programme's NPV below 0). [USD]
    """
    from strandrisk.reports.brief import condition_label, precision_note
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    r: Any = result
    order = [c.name for c in scenario.companies] + ["industry"]
    table = quantile_table(
        r.quantiles.join(r.moments[["mean"]]),
        f"Monte Carlo: {scenario.name}, {r.n:,} scenarios "
        f"({SAMPLER_NAMES.get(r.sampler, r.sampler)}, seed {r.seed}), "
        f"{len(space.keys)} uncertain parameter{'' if len(space.keys) == 1 else 's'}",
        order,
    )
    precision = Text(precision_note(r.intervals, r.quantiles, r.n, r.precision), style="dim")
    car = r.capex_at_risk
    ct = Table(
        title="Capex-at-Risk: 95th percentile of peak stranded value, and the mean beyond it"
    )
    for col in ("company", "CaR 95", "sampling error (95 %)", "expected shortfall"):
        ct.add_column(col, justify="left" if col == "company" else "right", no_wrap=True)
    for name in sorted(car.index, key=_by_order(order)):
        row = car.loc[name]
        bounds = r.intervals.loc[(name, "stranded_peak"), ["p95_low", "p95_high"]]
        ct.add_row(
            str(name),
            _money(row["car95"]),
            "unbounded"
            if bounds.isna().any()
            else f"{_money(bounds.iloc[0])}–{_money(bounds.iloc[1])}",
            _money(row["expected_shortfall"]),
        )
    ot = _share_table(
        "Chance of each outcome, per company", r.probabilities(conditions), order, condition_label
    )
    dt = debt_cover_table(r.debt_cover(), order)
    it = debt_cover_table(
        r.interest_cover(), order, "Interest cover: the lowest annual EBIT over interest"
    )
    loan = loan_cover_tables(r, order) if r.has_loan_cover else []
    lt = economic_life_table(r.economic_life(), order)
    p = r.impairment_by_year(order)
    pt = _compact("Probability of a material impairment by the end of the year")
    pt.add_column("company", no_wrap=True)
    for year in p.columns:
        pt.add_column(str(year), justify="right")
    for i, (label, row) in enumerate(p.iterrows(), start=1):
        pt.add_row(str(label), *(_share(v) for v in row))
        if i % len(order) == 0:  # IFRS, then US GAAP
            pt.add_section()
    return Group(
        table,
        precision,
        ct,
        ot,
        dt,
        it,
        *loan,
        lt,
        pt,
        *(value_at_table(r, q, order) for q in at),
        *drivers_table(r, company),
    )


def drivers_table(
    result: MCResult, company: str = "industry", top: int = 4
) -> list[RenderableType]:
    """Render what moves a company's outcomes in a Monte Carlo run, and how far to read it.

    Parameters
    ----------
    result : MCResult
        The run's summary (:meth:`~strandrisk.engine.montecarlo.MCResult.driver_table`). [-]
    company : str
        A company of the run, or ``"industry"``. [-]
    top : int
        Parameters taken from each outcome's ranking. [count]

    Returns
    -------
    list
        The table, then the notes (plain text). [-]
    """
    from strandrisk.reports.brief import driver_notes

    r: Any = result
    wide = r.driver_table(company, top)
    t = _compact(f"What moves the outcomes ({company}): rank correlation with each parameter")
    t.add_column("parameter", no_wrap=True)
    for outcome in wide.columns:  # short headers: four columns beside the names in 80
        t.add_column(_DRIVER_HEADERS.get(outcome, outcome), justify="right")
    for parameter, row in wide.iterrows():
        t.add_row(str(parameter), *("-" if pd.isna(v) else f"{v:+.2f}" for v in row))
    notes = driver_notes(r.drivers_of(company), list(wide.index), r.driver_scenarios)
    table: list[RenderableType] = [t] * (not wide.empty)
    return table + [Text(note, style="dim") for note in notes]


_DRIVER_HEADERS = {
    "stranded_peak": "peak stranded",
    "stranded_peak_to_2026": "today's capital stranded",
    "npv_2026": "2026 NPV",
    "impairment_ifrs": "IFRS impairments",
}


def sobol_table(indices: pd.DataFrame, swings: list, company: str = "industry") -> Group:
    """Render Sobol indices (top parameters per outcome) and the P10-P90 tornado.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``S1, S1_conf, ST, ST_conf``. [-]
    swings : list of Swing
        Peak stranded value at each parameter's P10 and P90. [USD]
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
    parts.append(_tornado_table(swings, company))
    return Group(*parts)


def _tornado_table(swings: list, company: str) -> Table:
    """Render the P10-P90 one-at-a-time swings of peak stranded value, largest first."""
    tt = Table(
        title=f"Tornado: peak stranded value with each parameter at its P10 and P90 ({company})"
    )
    for col in ("parameter", "P10", "P90", "at P10", "at P90"):
        tt.add_column(
            col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
        )
    for s in swings[:10]:
        tt.add_row(
            s.key, f"{s.low:.4g}", f"{s.high:.4g}", _money(s.outcome_low), _money(s.outcome_high)
        )
    return tt


def morris_table(indices: pd.DataFrame, swings: list, company: str, runs: int) -> Group:
    """Render Morris screening (top parameters per outcome) and the P10-P90 tornado.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``mu, mu_star, mu_star_conf, sigma``, largest
        ``mu_star`` first. [outcome unit across the probability range]
    swings : list of Swing
        Peak stranded value at each parameter's P10 and P90. [USD]
    company : str
        Whose outcomes. [-]
    runs : int
        Model runs behind the effects. [count]
    """
    parts: list[RenderableType] = []
    for outcome, frame in indices.groupby(level="outcome", sort=False):
        show = _FORMAT.get(str(outcome), _money)
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
            "sign. A screening: it ranks what matters; --method sobol apportions the variance.",
            style="dim",
        )
    )
    parts.append(_tornado_table(swings, company))
    return Group(*parts)


def pawn_table(indices: pd.DataFrame, swings: list, company: str, runs: int) -> Group:
    """Render PAWN indices (top parameters per outcome, and the noise floor) and the tornado.

    Parameters
    ----------
    indices : pandas.DataFrame
        Index (outcome, parameter); columns ``median, mean, minimum, maximum, cv``, largest
        ``median`` first, the dummy among them. [-]
    swings : list of Swing
        Peak stranded value at each parameter's P10 and P90. [USD]
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
    if swings:  # none for draws read from a kept run
        parts.append(_tornado_table(swings, company))
    return Group(*parts)


def prim_summary(result: PrimResult, cases: int, n: int) -> Group:
    """Render a PRIM result: the trajectory's trade-off and the chosen box.

    Parameters
    ----------
    result : PrimResult
        From :func:`strandrisk.analysis.prim.prim`. [-]
    cases : int
        Scenarios of interest (above or below the value). [count]
    n : int
        Scenarios searched. [count]
    """
    traj = result.trajectory
    box = result.boxes[result.chosen]
    t = Table(
        title=f"PRIM box (step {result.chosen} of {len(traj) - 1}): "
        f"{cases:,} cases of interest in {n:,}"
    )
    for col in ("parameter", "lower", "upper", "data min", "data max", "qp lower", "qp upper"):
        t.add_column(
            col, justify="left" if col == "parameter" else "right", no_wrap=col == "parameter"
        )
    for name, row in result.limits.iterrows():
        t.add_row(
            str(name),
            f"{row['lower']:.4g}",
            f"{row['upper']:.4g}",
            f"{row['min']:.4g}",
            f"{row['max']:.4g}",
            *("-" if pd.isna(row[c]) else f"{row[c]:.2g}" for c in ("qp_lower", "qp_upper")),
        )
    curve = ", ".join(
        f"{c:.0%}/{d:.0%}" for c, d in zip(traj["coverage"][::5], traj["density"][::5], strict=True)
    )
    return Group(
        t,
        f"coverage {box.coverage:.1%} of the cases, density {box.density:.1%} inside the box, "
        f"mass {box.mass:.1%}",
        f"trade-off (coverage/density every 5 peels): {curve}",
        Text(
            "qp: the quasi-p-value of each restricted side (Bryant and Lempert, 2010), the chance "
            "of the box's density if that one restriction were dropped; below 0.05 the "
            "restriction matters beyond chance, '-' a side not restricted.",
            style="dim",
        ),
    )


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


def decisions_tables(
    comparison: DecisionComparison, company: str = "industry", width: int = 80
) -> Group:
    """Render decisions compared over the same draws: their distributions and changes.

    Parameters
    ----------
    comparison : DecisionComparison
        From :func:`~strandrisk.engine.decisions.compare_decisions`. [-]
    company : str
        Whose outcomes to show: a company or ``"industry"``. [-]
    width : int
        The terminal's width: decision labels too long for it become D1, D2 ... with a
        legend. [characters]
    """
    from strandrisk.engine.decisions import COMPARED
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    names = {"stranded_peak": "peak stranded", "npv_2026": "2026 NPV", "impairment_ifrs": "IFRS"}

    c: Any = comparison
    summary = c.summary(company)
    labels = [str(x) for x in summary.index]
    room = max(width - 66, 8)  # what the decision column holds beside the figures
    short = {x: x for x in labels}
    if any(len(x) > room for x in labels):  # long labels: D1, D2 ... and a legend below
        short = {x: (x if i == 0 else f"D{i}") for i, x in enumerate(labels)}
    st = _compact(
        f"Decisions over the same {c.n:,} draws ({SAMPLER_NAMES.get(c.sampler, c.sampler)}, "
        f"seed {c.seed}): {company}"
    )
    for col, justify in (
        ("decision", "left"),
        ("peak stranded P50", "right"),
        ("CaR 95", "right"),
        ("2026 NPV P50", "right"),
        ("NPV < 0", "right"),
        ("IFRS impairments, mean", "right"),
    ):
        st.add_column(col, justify=justify)  # type: ignore[arg-type]
    for label, row in summary.iterrows():
        st.add_row(
            short[str(label)],
            _money(row["stranded_peak_p50"]),
            _money(row["stranded_peak_p95"]),
            _money(row["npv_2026_p50"]),
            _share(row["p_npv_negative"]),
            _money(row["impairment_ifrs_mean"]),
        )
    cover = c.cover(company)
    dt = _compact(f"Debt cover under each decision: {company}")
    heads = {"min_dscr": "lowest DSCR", "min_interest_cover": "interest cover", "min_llcr": "LLCR"}
    dt.add_column("decision")
    for outcome, level in c.covers.items():
        dt.add_column(f"{heads[outcome]} P50", justify="right")
        dt.add_column(f"< {level:.1f}x", justify="right")
    for label, row in cover.iterrows():
        cells = [short[str(label)]]
        for outcome in c.covers:
            cells += [_num(row[f"{outcome}_p50"]), _share(row[f"{outcome}_below"])]
        dt.add_row(*cells)
    change = c.change(company)
    ct = _compact(f"What each decision changes, draw by draw: {company}")
    for col, justify in (
        ("decision", "left"),
        ("outcome", "left"),
        ("mean change", "right"),
        ("± (95 %)", "right"),
        ("P5", "right"),
        ("P95", "right"),
        ("rises in", "right"),
        ("falls in", "right"),
    ):
        ct.add_column(col, justify=justify)  # type: ignore[arg-type]
    for i, ((label, outcome), row) in enumerate(change.iterrows(), start=1):
        ct.add_row(
            short[str(label)] if i % len(COMPARED) == 1 else "",
            names.get(str(outcome), str(outcome)),
            _usd_change(row["mean"]),
            "±" + _usd_change(row["mean_pm"], sign=False),
            _usd_change(row["p5"]),
            _usd_change(row["p95"]),
            _share(row["share_up"]),
            _share(row["share_down"]),
        )
        if i % len(COMPARED) == 0 and i < len(change):
            ct.add_section()
    note = Text(
        "Every decision runs on the same parameter draws as the scenario as given (common "
        "random numbers), so each draw gives a paired change; the ± is the 95 % interval of the "
        "mean change (conservative for Latin hypercube and Sobol' samples). A decision that sets "
        "an uncertain parameter holds it at that value in every draw; a stress draws it from the "
        "band only, each draw keeping its place within the band.",
        style="dim",
    )
    legend = [Text(f"{v}: {k}") for k, v in short.items() if k != v]
    regret = c.regret(company)
    if regret.empty:
        return Group(st, dt, ct, *legend, note)
    rt = _compact(f"Regret: how far each falls short of the best decision in each draw: {company}")
    for col, justify in (
        ("decision", "left"),
        ("outcome", "left"),
        ("best in", "right"),
        ("mean regret", "right"),
        ("P90", "right"),
        ("max", "right"),
    ):
        rt.add_column(col, justify=justify)  # type: ignore[arg-type]
    shown = ""
    for (label, outcome), row in regret.iterrows():
        first = str(label) != shown  # the label once per decision
        if first and shown:
            rt.add_section()
        shown = str(label)
        rt.add_row(
            short[str(label)] if first else "",
            names.get(str(outcome), str(outcome)),
            _share(row["best_in"]),
            _money(row["mean"]),
            _money(row["p90"]),
            _money(row["max"]),
        )
    return Group(st, dt, ct, rt, *legend, note)


def economic_life_table(lives: pd.DataFrame, order: Sequence[str]) -> Table:
    """Render the economic life of the 2026 cohorts over the draws against the booked life.

    Parameters
    ----------
    lives : pandas.DataFrame
        ``MCResult.economic_life()``. [year, fraction]
    order : sequence of str
        Companies (and ``industry``) in display order. [-]
    """
    table = _compact("Economic life of the 2026 cohorts (capex-weighted years) against the booked")
    for col in ("company", "booked", "P5", "P50", "P95", "shorter than booked"):
        table.add_column(col, justify="left" if col == "company" else "right", no_wrap=True)
    for name in sorted(lives.index, key=_by_order(order)):
        row = lives.loc[name]
        years = (
            "-" if pd.isna(row[c]) else f"{row[c]:.1f}" for c in ("booked", "p5", "p50", "p95")
        )
        table.add_row(str(name), *years, _share(row["shorter"]))
    return table


def debt_cover_table(
    cover: pd.DataFrame,
    order: Sequence[str],
    title: str = "Debt service cover: the lowest annual DSCR over the horizon",
) -> Table:
    """Render the lowest DSCR (interest cover, LLCR) per company: its spread and breaches' odds.

    Parameters
    ----------
    cover : pandas.DataFrame
        ``MCResult.debt_cover()`` (or ``interest_cover()``, ``loan_cover()``, whose
        ``no_interest`` or ``no_debt`` column takes the place of ``no_debt_service``).
        [ratio, fraction]
    order : sequence of str
        Companies (and ``industry``) in display order. [-]
    title : str
        The table's title. [-]
    """
    from strandrisk.reports.brief import covenant_label

    table = _compact(title)
    levels = [c for c in cover.columns if c.startswith("below ")]
    missing = next(c for c in cover.columns if c.startswith("no_"))  # no debt (service), ...
    debtless = bool((cover[missing] > 0).any())
    table.add_column("company", no_wrap=True)
    for col in ("P5", "P50", "P95"):
        table.add_column(col, justify="right")
    for col in levels:
        table.add_column(covenant_label(col), justify="right")
    if debtless:
        table.add_column(missing.replace("_", " "), justify="right")
    for name in sorted(cover.index, key=_by_order(order)):
        row = cover.loc[name]
        cells = [
            str(name),
            *("-" if pd.isna(row[q]) else f"{row[q]:.2f}" for q in ("p5", "p50", "p95")),
        ]
        cells += [_share(row[c]) for c in levels]
        if debtless:
            cells.append(_share(row[missing]))
        table.add_row(*cells)
    return table


def loan_cover_tables(result: MCResult, order: Sequence[str]) -> list[RenderableType]:
    """Render a run's loan life cover: the lowest quarterly LLCR, and when it first falls below 1.

    Parameters
    ----------
    result : MCResult
        A run with the loan life cover (``mc --llcr``). [ratio, fraction]
    order : sequence of str
        Companies (and ``industry``) in display order. [-]
    """
    r: Any = result
    lowest = debt_cover_table(
        r.loan_cover(),
        order,
        "Loan life cover: the lowest quarterly LLCR over the horizon",
    )
    note = Text(
        "LLCR: the cash available for debt service of the assets in place, over the "
        "remaining life of the loans, discounted at the debt's rate, against the debt "
        "outstanding (below 1, those assets cannot repay it).",
        style="dim",
    )
    by_year = _share_table(
        "Probability the LLCR has fallen below 1 by the end of the year",
        r.p_llcr_below_1["share"].unstack("year"),
        order,
    )
    return [lowest, note, by_year]


def _share_table(
    title: str, shares: pd.DataFrame, order: Sequence[str], header: Any = str
) -> Table:
    """Return a compact table of shares: a row per company (in ``order``), a column each."""
    table = _compact(title)
    table.add_column("company", no_wrap=True)
    for column in shares.columns:
        table.add_column(header(column), justify="right")
    for name in sorted(shares.index, key=_by_order(order)):
        table.add_row(str(name), *(_share(v) for v in shares.loc[name]))
    return table


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
