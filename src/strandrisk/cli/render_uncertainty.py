"""Rich tables for the Monte Carlo command, ``mc``, and its decision comparisons.

The tables of the analyses over an uncertainty space (sensitivity, discovery, break-even,
limits) are in :mod:`strandrisk.cli.render_analysis`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from strandrisk.cli._format import (
    _OUTCOME_FORMAT,
    _by_order,
    _compact,
    _money,
    _num,
    _share,
    _usd_change,
)
from strandrisk.units import signed_text

if TYPE_CHECKING:  # the types of what is rendered; their modules load on first use
    from strandrisk.engine.decisions import DecisionComparison
    from strandrisk.engine.montecarlo import MCResult
    from strandrisk.scenarios.sampling import UncertaintySpace
    from strandrisk.scenarios.schema import Scenario


__all__ = [
    "debt_cover_table",
    "decisions_tables",
    "drivers_table",
    "economic_life_table",
    "loan_cover_tables",
    "mc_summary",
    "quantile_table",
    "shape_table",
    "together_table",
    "value_at_table",
]

AT_ONCE_TITLE = (
    "How many companies at once (IFRS): the share of scenarios in which so many have had a "
    "material impairment by the end of the year"
)
BREACHES_TITLE = (
    "Covenant breaches at once: the share of scenarios in which so many companies' lowest "
    "annual DSCR falls below each level"
)


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
            show = _OUTCOME_FORMAT.get(str(outcome), _money)
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
    levels: Sequence[float] = (),
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
    levels : sequence of float
        Confidence levels of Capex-at-Risk tables besides the 95 % one, e.g. 0.995. [-]
    """
    from strandrisk.reports.brief import condition_label, precision_note
    from strandrisk.scenarios.sampling import SAMPLER_NAMES, copula_text

    r: Any = result
    order = [c.name for c in scenario.companies] + ["industry"]
    joined = f" ({copula_text(space.copula_df)})" if math.isfinite(space.copula_df) else ""
    table = quantile_table(
        r.quantiles.join(r.moments[["mean"]]),
        f"Monte Carlo: {scenario.name}, {r.n:,} scenarios "
        f"({SAMPLER_NAMES.get(r.sampler, r.sampler)}, seed {r.seed}), "
        f"{len(space.keys)} uncertain parameter{'' if len(space.keys) == 1 else 's'}{joined}",
        order,
    )
    precision = Text(precision_note(r.intervals, r.quantiles, r.n, r.precision), style="dim")
    shape = shape_table(r.moments, company)
    ct = [_capex_at_risk_table(r, order, level) for level in (0.95, *levels)]
    ot = _share_table(
        "Chance of each outcome, per company", r.probabilities(conditions), order, condition_label
    )
    dt = [debt_cover_table(r.debt_cover(), order)]
    if r.breaches is not None:
        from strandrisk.reports.brief import covenant_label

        def header(level: float) -> str:
            return covenant_label(f"below {level:g}")

        dt.append(together_table(r.breaches_at_once(), BREACHES_TITLE, header))
    it = debt_cover_table(
        r.interest_cover(), order, "Interest cover: the lowest annual EBIT over interest"
    )
    loan = loan_cover_tables(r, order) if r.has_loan_cover else []
    lt = economic_life_table(r.economic_life(), order)
    pt = _impairment_by_year_table(r, order)
    together = []
    if r.together is not None:
        together.append(together_table(r.at_once("ifrs"), AT_ONCE_TITLE))
    when = []  # when today's capital peaks; which year's capex strands (when the run has them)
    if r.peak_year_to_2026 is not None:
        when = [
            _share_table(
                "When today's capital's stranded value peaks: share of scenarios by year",
                r.peak_year_to_2026,
                order,
            )
        ]
    years = r.capex_years(company)
    if years is not None:
        when.append(_capex_year_table(years, company))
    return Group(
        table,
        precision,
        *shape,
        *ct,
        ot,
        *dt,
        it,
        *loan,
        lt,
        pt,
        *together,
        *when,
        *(value_at_table(r, q, order) for q in at),
        *drivers_table(r, company),
        *scenario_table(r, company),
    )


def shape_table(moments: pd.DataFrame, company: str) -> list[RenderableType]:
    """One company's spread and shape of each outcome: sd, skewness, excess kurtosis, range.

    @RISK's and Crystal Ball's detailed statistics beside the quantiles; nothing for a
    company the run does not summarise.

    Parameters
    ----------
    moments : pandas.DataFrame
        :attr:`MCResult.moments`. [USD, -]
    company : str
        A company or ``industry``. [-]
    """
    if company not in moments.index.get_level_values("company"):
        return []
    table = _compact(f"Spread and shape of each outcome, {company}")
    for col in ("outcome", "sd", "skewness", "excess kurtosis", "min", "max"):
        table.add_column(col, justify="left" if col == "outcome" else "right", no_wrap=True)
    for outcome, row in moments.xs(company, level="company").iterrows():
        show = _OUTCOME_FORMAT.get(str(outcome), _money)
        shape = (row["skewness"], row["excess_kurtosis"])
        table.add_row(
            str(outcome),
            show(row["std"]),
            *("-" if pd.isna(v) else signed_text(float(v)) for v in shape),
            show(row["min"]),
            show(row["max"]),
        )
    note = Text(
        "Skewness above 0: a longer right tail; excess kurtosis above 0: heavier tails than a "
        "normal's (@RISK and Crystal Ball print kurtosis with 3 added).",
        style="dim",
    )
    return [table, note]


def _capex_at_risk_table(r: Any, order: Sequence[str], level: float = 0.95) -> Table:
    """Return Capex-at-Risk per company with its sampling error and expected shortfall."""
    car = r.capex_at_risk_at(level)
    pct = f"{100 * level:g}"
    ct = Table(
        title=f"Capex-at-Risk: {_ordinal(pct)} percentile of peak stranded value, and the mean "
        "beyond it"
    )
    for col in ("company", f"CaR {pct}", "sampling error (95 %)", "expected shortfall"):
        ct.add_column(col, justify="left" if col == "company" else "right", no_wrap=True)
    for name in sorted(car.index, key=_by_order(order)):
        row = car.loc[name]
        ct.add_row(
            str(name),
            _money(row["car"]),
            "unbounded"
            if pd.isna(row["low"]) or pd.isna(row["high"])
            else f"{_money(row['low'])}–{_money(row['high'])}",
            _money(row["expected_shortfall"]),
        )
    return ct


def _ordinal(pct: str) -> str:
    """Write a percentile's number as an ordinal: 95th, 99.5th, 1st, 2nd, 3rd."""
    if "." in pct or pct[-2:] in ("11", "12", "13"):
        return f"{pct}th"
    return pct + {"1": "st", "2": "nd", "3": "rd"}.get(pct[-1], "th")


def _impairment_by_year_table(r: Any, order: Sequence[str]) -> Table:
    """Return the chance of a material impairment by each year's end, IFRS then US GAAP."""
    p = r.impairment_by_year(order)
    pt = _compact("Probability of a material impairment by the end of the year")
    pt.add_column("company", no_wrap=True)
    for year in p.columns:
        pt.add_column(str(year), justify="right")
    for i, (label, row) in enumerate(p.iterrows(), start=1):
        pt.add_row(str(label), *(_share(v) for v in row))
        if i % len(order) == 0:  # IFRS, then US GAAP
            pt.add_section()
    return pt


def together_table(table: pd.DataFrame, title: str, header: Callable[[Any], str] = str) -> Table:
    """Return how many companies have had an event at once: a row per number of them.

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`~strandrisk.engine.mc_result.MCResult.at_once` (a row per year) or
        :meth:`~strandrisk.engine.mc_result.MCResult.breaches_at_once` (a row per covenant):
        a column per number of companies, then ``any`` and ``independent``. [fraction]
    title : str
        The table's title. [-]
    header : callable
        Writes each of the table's rows (a year, a covenant level) as a column's title. [-]
    """
    from strandrisk.reports.brief import together_rows

    rows = together_rows(table)
    last = max(c for c in table.columns if isinstance(c, int))
    t = _compact(
        title,
        caption=f"The last row: all {last}, were they independent (the product of their own "
        "chances).",
    )
    t.add_column("companies", no_wrap=True)
    for column in table.index:
        t.add_column(header(column), justify="right")
    for i, (label, row) in enumerate(rows.iterrows()):
        t.add_row(str(label), *(_share(v) for v in row), style="dim" if i == last + 1 else None)
    return t


def _capex_year_table(years: pd.DataFrame, company: str) -> Table:
    """Return which year's capex strands: each year's cohorts valued alone over the draws."""
    yt = _compact(
        f"Which year's capex strands ({company}): each year's cohorts valued alone, the "
        "peak of their stranded value",
        caption="Peaks within the horizon: the last years' cohorts have little of their "
        "lives in it. One scenario's, year by year: the report of strandrisk run.",
    )
    for col in ("capex year", "P50", "P95", "mean", "strands in"):
        yt.add_column(col, justify="left" if col == "capex year" else "right", no_wrap=True)
    for year, row in years.iterrows():
        yt.add_row(
            str(year),
            _money(row["p50"]),
            _money(row["p95"]),
            _money(row["mean"]),
            _share(row["strands"]),
        )
    return yt


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
        t.add_row(str(parameter), *("-" if pd.isna(v) else signed_text(v) for v in row))
    notes = driver_notes(r.drivers_of(company), list(wide.index), r.driver_scenarios)
    table: list[RenderableType] = [t] * (not wide.empty)
    return table + [Text(note, style="dim") for note in notes]


def scenario_table(result: MCResult, company: str = "industry") -> list[RenderableType]:
    """Render @RISK's scenario analysis: the inputs that set each outcome's tails apart.

    Parameters
    ----------
    result : MCResult
        The run's summary (:meth:`~strandrisk.engine.montecarlo.MCResult.scenario_analysis`).
        [-]
    company : str
        A company of the run, or ``"industry"``. [-]

    Returns
    -------
    list
        The table and its note; nothing for a summary without the analysis. [-]
    """
    from strandrisk.core.drivers import SIGNIFICANT_SD
    from strandrisk.reports.brief import scenario_tails

    r: Any = result
    tails = scenario_tails(r, company, _DRIVER_HEADERS)
    if not tails:
        return []
    t = _compact(
        f"Scenario analysis ({company}): the parameters whose median moves over "
        f"{SIGNIFICANT_SD:g} sd in each tail"
    )
    t.add_column("outcome's tail", no_wrap=True)
    t.add_column("parameters (their median's move, in sd)", overflow="fold")
    for label, moved in tails:
        words = ", ".join(f"{p} {signed_text(float(v))}" for p, v in moved["delta_sd"].items())
        t.add_row(label, words or "none")
    note = Text(
        f"Over the first {r.driver_scenarios:,} scenarios, as @RISK's scenario analysis: "
        "where an outcome is above its P90 (below its P10), how far each parameter's median "
        "there is from its median over all draws, in its standard deviations; what a tail "
        "has in common, where a rank correlation averages over the whole range.",
        style="dim",
    )
    return [t, note]


_DRIVER_HEADERS = {
    "stranded_peak": "peak stranded",
    "stranded_peak_to_2026": "today's capital stranded",
    "npv_2026": "2026 NPV",
    "impairment_ifrs": "IFRS impairments",
}


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
    from strandrisk.scenarios.sampling import SAMPLER_NAMES

    c: Any = comparison
    labels = [str(x) for x in c.summary(company).index]
    room = max(width - 66, 8)  # what the decision column holds beside the figures
    short = {x: x for x in labels}
    if any(len(x) > room for x in labels):  # long labels: D1, D2 ... and a legend below
        short = {x: (x if i == 0 else f"D{i}") for i, x in enumerate(labels)}
    title = (
        f"Decisions over the same {c.n:,} draws ({SAMPLER_NAMES.get(c.sampler, c.sampler)}, "
        f"seed {c.seed}): {company}"
    )
    tables = [
        _decision_summary_table(c, company, short, title),
        _decision_cover_table(c, company, short),
        _decision_change_table(c, company, short),
    ]
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
    if not regret.empty:
        tables.append(_regret_table(regret, company, short))
        tables.append(_robustness_table(c.robustness(company)[1], company, short))
    good = c.satisficing(company)
    if not good.empty:
        tables.append(_satisficing_table(good, c.requirements, company, short))
    together = c.at_once_by_standard()
    if not together.empty:
        tables.append(_at_once_table(together, len(c.companies()) - 1, short))
    return Group(*tables, *legend, note)


def _at_once_table(together: pd.DataFrame, companies: int, short: dict[str, str]) -> Table:
    """Return each decision's chance that every company has been impaired by each year."""
    t = _compact(f"All {companies} companies impaired at once by the end of the year")
    t.add_column("decision", no_wrap=True)
    t.add_column("standard", no_wrap=True)
    for year in together.columns:
        t.add_column(str(year), justify="right")
    shown = None
    for (label, standard), row in together.iterrows():
        name = short[str(label)] if label != shown else ""
        shown = label
        t.add_row(name, str(standard), *(_share(float(v)) for v in row))
    return t


def _satisficing_table(
    good: pd.Series, requirements: list, company: str, short: dict[str, str]
) -> Table:
    """Return the share of draws in which each decision meets every requirement."""
    from strandrisk.engine.decisions import requirement_text

    st = _compact(f"Satisficing: the share of draws in which each decision meets: {company}")
    st.add_column("decision")
    st.add_column("share of draws", justify="right")
    for label, share in good.items():
        st.add_row(short[str(label)], _share(float(share)))
    st.caption = f"requirements: {requirement_text(requirements)}"
    return st


_DECISION_OUTCOMES = {
    "stranded_peak": "peak stranded",
    "npv_2026": "2026 NPV",
    "impairment_ifrs": "IFRS",
}
"""Short names of the outcomes a decision comparison shows. [-]"""


def _decision_summary_table(c: Any, company: str, short: dict[str, str], title: str) -> Table:
    """Return each decision's distribution: peak stranded P50, CaR 95, NPV, NPV < 0."""
    st = _compact(title)
    for col, justify in (
        ("decision", "left"),
        ("peak stranded P50", "right"),
        ("CaR 95", "right"),
        ("2026 NPV P50", "right"),
        ("NPV < 0", "right"),
        ("IFRS impairments, mean", "right"),
    ):
        st.add_column(col, justify=justify)  # type: ignore[arg-type]
    for label, row in c.summary(company).iterrows():
        st.add_row(
            short[str(label)],
            _money(row["stranded_peak_p50"]),
            _money(row["stranded_peak_p95"]),
            _money(row["npv_2026_p50"]),
            _share(row["p_npv_negative"]),
            _money(row["impairment_ifrs_mean"]),
        )
    return st


def _decision_cover_table(c: Any, company: str, short: dict[str, str]) -> Table:
    """Return each decision's lowest DSCR, interest cover (and LLCR): median, chance below."""
    dt = _compact(f"Debt cover under each decision: {company}")
    heads = {"min_dscr": "lowest DSCR", "min_interest_cover": "interest cover", "min_llcr": "LLCR"}
    dt.add_column("decision")
    for outcome, level in c.covers.items():
        dt.add_column(f"{heads[outcome]} P50", justify="right")
        dt.add_column(f"< {level:.1f}x", justify="right")
    for label, row in c.cover(company).iterrows():
        cells = [short[str(label)]]
        for outcome in c.covers:
            cells += [_num(row[f"{outcome}_p50"]), _share(row[f"{outcome}_below"])]
        dt.add_row(*cells)
    return dt


def _decision_change_table(c: Any, company: str, short: dict[str, str]) -> Table:
    """Return what each decision changes, draw by draw: mean ± 95 %, P5, P95, shares."""
    from strandrisk.engine.decisions import COMPARED

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
            _DECISION_OUTCOMES.get(str(outcome), str(outcome)),
            _usd_change(row["mean"]),
            "±" + _usd_change(row["mean_pm"], sign=False),
            _usd_change(row["p5"]),
            _usd_change(row["p95"]),
            _share(row["share_up"]),
            _share(row["share_down"]),
        )
        if i % len(COMPARED) == 0 and i < len(change):
            ct.add_section()
    return ct


_METRICS = {
    "laplace": "mean (Laplace)",
    "maximin": "worst draw (maximin)",
    "maximax": "best draw (maximax)",
    "hurwicz": "half best, half worst (Hurwicz)",
    "decile": "worst tenth's edge",
    "sd": "least spread (sd)",
    "skew": "skew to the good side",
    "kurtosis": "lightest tails",
}
"""The robustness metrics as the terminal names them."""


def _robustness_table(picks: pd.DataFrame, company: str, short: dict[str, str]) -> Table:
    """Return the decision each robustness metric ranks first, per outcome."""
    t = _compact(f"Robustness metrics: the decision each ranks first: {company}")
    t.add_column("metric", no_wrap=True)
    for outcome in picks.index:
        t.add_column(_DECISION_OUTCOMES.get(str(outcome), str(outcome)))
    for metric in picks.columns:
        cells = []
        for outcome in picks.index:
            pick = picks.loc[outcome, metric]
            cells.append(
                "-" if pick is None else " = ".join(short.get(p, p) for p in str(pick).split(" = "))
            )
        t.add_row(_METRICS.get(str(metric), str(metric)), *cells)
    t.caption = (
        "McPhail et al. (2018); every metric's values per decision: --json, --out, the export"
    )
    return t


def _regret_table(regret: pd.DataFrame, company: str, short: dict[str, str]) -> Table:
    """Return how far each decision falls short of the best in each draw (regret)."""
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
            _DECISION_OUTCOMES.get(str(outcome), str(outcome)),
            _share(row["best_in"]),
            _money(row["mean"]),
            _money(row["p90"]),
            _money(row["max"]),
        )
    return rt


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
