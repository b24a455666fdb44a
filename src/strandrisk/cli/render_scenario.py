"""Rich tables for one scenario's what-ifs: diffs, bridges, data tables, headroom, lives."""

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
    _compact,
    _money,
    _statistic,
    _usd_change,
)

if TYPE_CHECKING:  # the types of what is rendered; their modules load on first use
    from strandrisk.analysis.bridge import Bridge
    from strandrisk.analysis.choices import ChoiceEffects
    from strandrisk.engine.headroom import Headroom
    from strandrisk.engine.lives import LifeEffect
    from strandrisk.engine.trace import CohortTrace
    from strandrisk.scenarios.schema import Scenario


__all__ = [
    "bridge_table",
    "diff_tables",
    "headroom_tables",
    "lives_tables",
    "sweep_table",
    "trace_tables",
]


def _setting(v: Any, unit: str) -> str:
    """Write a scenario value in its unit: USD as $B, lists joined, numbers to 4 figures."""
    if v is None:
        return "-"
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if unit == "USD":
        return f"${float(v) / 1e9:,.1f}B"
    return f"{float(v):.6g}"


def diff_tables(
    diff: pd.DataFrame,
    priors: pd.DataFrame,
    pairs: Sequence[tuple[str, str, float, float]],
    labels: tuple[str, str],
    drawn: tuple[int, int] = (1, 1),
) -> Group:
    """Render what two scenarios set differently: values, priors and rank correlations.

    Parameters
    ----------
    diff : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.scenario_diff`. [canonical units]
    priors : pandas.DataFrame
        From :func:`~strandrisk.analysis.bridge.prior_diff`. [-]
    pairs : sequence of (str, str, float, float)
        Correlated pairs whose target rank correlation differs. [-]
    labels : (str, str)
        The two scenarios' names as the columns' titles. [-]
    drawn : (int, int)
        Parameters each uncertainty block draws: one without a block is said in a line
        instead of a row per prior. [count]
    """
    parts: list[Any] = []
    n = len(diff)
    title = f"{labels[0]} -> {labels[1]}: " + (
        (f"{n} values differ" if n != 1 else "1 value differs") if n else "every value alike"
    )
    t = _compact(title)
    for col, justify in (("key", "left"), ("unit", "left"), (labels[0], "right")):
        t.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    t.add_column(labels[1], justify="right", no_wrap=True)
    for row in diff.itertuples(index=False):
        t.add_row(row.key, row.unit, _setting(row.first, row.unit), _setting(row.second, row.unit))
    parts.append(t if n else Text(title))
    if min(drawn) == 0 and max(drawn) > 0:
        parts.append(
            Text(
                f"Priors: {labels[0]} draws {drawn[0]} parameters, {labels[1]} {drawn[1]} "
                "(a file without an [uncertainty] block draws none, nor does a stored `run`; "
                "a Monte Carlo run stored by an earlier version kept its values, not its "
                "priors).",
                style="dim",
            )
        )
    elif len(priors):
        p = _compact("Priors that differ (beyond a mode that follows its value)")
        for col in ("key", labels[0], labels[1]):
            p.add_column(col, no_wrap=col == "key")
        for row in priors.itertuples(index=False):
            p.add_row(row.key, row.first, row.second)
        parts.append(p)
    else:
        parts.append(Text("Priors: alike (a mode that follows its value aside).", style="dim"))
    for a, b, ra, rb in pairs:
        parts.append(
            Text(f"Rank correlation {a} ~ {b}: {ra:+.2f} in {labels[0]}, {rb:+.2f} in {labels[1]}")
        )
    return Group(*parts)


def _step(v: float, unit: str) -> str:
    """Write a step of a bridge in its outcome's unit, signed."""
    if v is None or not math.isfinite(v):
        return "-"
    if unit == "USD":
        return _usd_change(v)
    if unit == "1/year":
        x = round(v * 100, 1) + 0.0
        return "0 pp" if x == 0 else f"{x:+.1f} pp"
    x = round(v, 2) + 0.0
    return "0" if x == 0 else f"{x:+.2f}" + (" y" if unit == "year" else "")


def _level(v: float, unit: str) -> str:
    """Write an outcome's level in its unit."""
    if v is None or not math.isfinite(v):
        return "-"
    if unit == "USD":
        return _money(v)
    if unit == "1/year":
        return f"{v * 100:.1f}%"
    return f"{v:.2f}" + (" y" if unit == "year" else "")


_OUTCOME_NAMES = {
    "stranded_peak": "peak stranded",
    "stranded_peak_to_2026": "today's peak",
    "impairment_ifrs": "IFRS charges",
    "impairment_usgaap": "US GAAP charges",
    "npv_2026": "2026 NPV",
    "irr_2026": "2026 IRR",
    "payback_years_2026": "payback",
    "economic_life_years": "economic life",
    "booked_life_years": "booked life",
    "capex_2026": "2026 capex",
    "min_dscr": "min DSCR",
    "min_interest_cover": "min interest cover",
    "breakeven_demand_growth": "break-even g",
    "breakeven_price_decline": "break-even λ",
}
"""Short names of the outcomes in the bridge's and the choices' two-line headers."""


def bridge_table(result: Bridge, labels: tuple[str, str], values: tuple[dict, dict]) -> Group:
    """Render a bridge: the first scenario's outcomes, each difference's share, the second's.

    Parameters
    ----------
    result : Bridge
        From :func:`~strandrisk.analysis.bridge.bridge`. [outcome units]
    labels : (str, str)
        The two scenarios' names. [-]
    values : (dict, dict)
        The scenarios' flat values (:meth:`Scenario.flat`), to say what each step changes. [-]
    """
    from strandrisk.analysis.bridge import key_unit
    from strandrisk.engine.simulate import OUTCOME_UNITS

    b: Any = result
    names = _OUTCOME_NAMES
    outcomes = list(b.start.index)
    t = _compact(
        f"Bridge from {labels[0]} to {labels[1]}: {b.company} ({b.runs:,} model runs, Shapley)",
        caption=(
            "Each step is the change's Shapley contribution: its effect averaged over every "
            "order of making the changes, so the steps add up to the total and do not depend "
            f"on an order. Below it (dim), the change made alone from {labels[0]}; the gap is "
            "what it owes to the other changes."
            + (
                " Today's peak: the peak stranded value of the capital commissioned to 2026Q4 "
                "(the installed base and the 2026 programme), valued alone."
                if "stranded_peak_to_2026" in outcomes
                else ""
            )
        ),
    )
    t.add_column("step", no_wrap=True)
    for o in outcomes:  # two-line headers: long step names still fit 80 columns
        t.add_column(names.get(o, o).replace(" ", "\n", 1), justify="right", no_wrap=True)
    units = [OUTCOME_UNITS[o] for o in outcomes]
    t.add_row(labels[0], *(_level(b.start[o], u) for o, u in zip(outcomes, units, strict=True)))
    for step, keys in zip(b.steps, b.keys, strict=True):
        t.add_row(
            step,
            *(_step(b.contribution.loc[step, o], u) for o, u in zip(outcomes, units, strict=True)),
        )
        if len(keys) == 1:
            unit = key_unit(keys[0])
            change = f"{_setting(values[0][keys[0]], unit)} -> {_setting(values[1][keys[0]], unit)}"
        else:
            change = "together"
        t.add_row(
            Text(f"  {change}; alone", style="dim"),
            *(
                Text(_step(b.alone.loc[step, o], u), style="dim")
                for o, u in zip(outcomes, units, strict=True)
            ),
        )
    t.add_row(labels[1], *(_level(b.end[o], u) for o, u in zip(outcomes, units, strict=True)))
    parts: list[Any] = [t]
    if b.contribution.isna().to_numpy().any():
        parts.append(
            Text(
                "-: the outcome is undefined in some of the runs (no break-even in the range "
                "searched, no IRR), so those steps cannot be apportioned.",
                style="dim",
            )
        )
    if b.grouped:
        parts.append(
            Text(
                "More differences than the bridge walks one by one: they are grouped by table.",
                style="dim",
            )
        )
    return Group(*parts)


def sweep_table(table: pd.DataFrame, scenario: str, company: str) -> Table:
    """Render a data table: one way (a row per value, a column per outcome) or two ways.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~strandrisk.analysis.sweep.sweep`. [outcome units]
    scenario : str
        The scenario's name. [-]
    company : str
        Whose outcomes. [-]
    """
    from strandrisk.engine.simulate import OUTCOME_UNITS

    def value(v: object) -> str:
        return (
            f"{v:.6g}"
            if isinstance(v, float)
            else str(v).lower()
            if isinstance(v, bool)
            else str(v)
        )

    two_way = "outcome" in table.attrs
    drawn = "statistic" in table.attrs
    of = f"{table.attrs['statistic']} of " if drawn else ""
    if two_way:
        outcome = table.attrs["outcome"]
        title = (
            f"{of}{outcome} ({company}, {scenario}): {table.index.name} (rows) by "
            f"{table.columns.name} (columns)"
        )
    else:
        title = f"{of}{company} outcomes ({scenario}) as {table.index.name} moves"
    caption = "every other value as in the scenario; money in $B"
    if drawn:
        from strandrisk.scenarios.sampling import SAMPLER_NAMES

        a = table.attrs
        caption = (
            f"each value on the same {a['n']:,} draws ({SAMPLER_NAMES.get(a['sampler'])}, seed "
            f"{a['seed']}), held at the value in every draw; {a['statistic']} over them; money "
            "in $B"
        )
    t = _compact(title, caption=caption)
    key = str(table.index.name)  # a long key on two lines, at its dot (the title names it whole)
    key = key.replace(".", ".\n", 1) if len(key) > 16 else key
    t.add_column(key if not two_way else "", justify="right", no_wrap=True)
    for c in table.columns:
        # an outcome's words may wrap in its header (a value's cells never do)
        header = value(c) if two_way else str(c).replace("_", " ")
        t.add_column(header, justify="right", no_wrap=two_way)
    for idx, row in table.iterrows():
        units = (
            [OUTCOME_UNITS[outcome]] * len(row)
            if two_way
            else [OUTCOME_UNITS[c] for c in table.columns]
        )
        t.add_row(value(idx), *(_statistic(float(x), u) for x, u in zip(row, units, strict=True)))
    return t


def headroom_tables(result: Headroom, scenario: str, company: str = "industry") -> Group:
    """Render impairment-test headroom and each key assumption's break-even values.

    Parameters
    ----------
    result : Headroom
        From :func:`~strandrisk.engine.headroom.headroom`. [USD, each key's unit]
    scenario : str
        The scenario's name. [-]
    company : str
        Whose break-even values to show: a company or ``"industry"``. [-]
    """
    r: Any = result
    pt = _compact(f"Impairment test at the end of {r.quarter} ({scenario}): headroom per unit")
    for col in ("company", "carrying", "recoverable", "headroom", "of carrying"):
        pt.add_column(col, justify="left" if col == "company" else "right")
    for name, row in r.position.iterrows():
        b = float(row["headroom"]) / 1e9
        pt.add_row(
            str(name),
            _money(row["carrying"]),
            _money(row["recoverable"]),
            f"{'-' if b < 0 else '+'}${abs(b):,.1f}B",
            f"{row['headroom_share']:+.1%}",
        )

    from strandrisk.reports.brief import breakeven_value as value

    at = r.assumptions.xs(company, level="company")
    at_ = _compact(
        f"The value of each key assumption at which {company}'s headroom is gone, all else as given"
    )
    for col in ("key", "value", "below it", "above it", "unit"):
        at_.add_column(col, justify="left" if col in ("key", "unit") else "right")
    for key, row in at.iterrows():
        at_.add_row(
            str(key),
            f"{row['value']:.4g}",
            value(row["below"], row["change_down"]),
            value(row["above"], row["change_up"]),
            str(row["unit"]),
        )
    note = Text(
        "Recoverable amount (the higher of value in use and fair value, facilities at book) "
        "less the scheduled carrying amount; IAS 36.134(f) asks for the change in a key "
        "assumption that would make them equal. Each assumption is searched over its register "
        "range (else its allowed range), alone; 'none': no value there removes the headroom (or "
        "the deficit). Two sides, because the recoverable amount need not be monotone in an "
        "assumption.",
        style="dim",
    )
    return Group(pt, at_, note)


def lives_tables(
    result: LifeEffect, scenario: Scenario, company: str = "industry", source: str | None = None
) -> Group:
    """Render depreciation at the booked lives against one shorter life, and the implied life.

    Parameters
    ----------
    result : LifeEffect
        From :func:`~strandrisk.engine.lives.life_effect`. [USD, year]
    scenario : Scenario
        The scenario (its name and booked lives). [-]
    company : str
        Whose years to show: a company or ``"industry"``. [-]
    source : str, optional
        The register row the target came from, if it came from one. [-]
    """
    r = result
    economic = isinstance(r.life, dict)
    life = "econ." if isinstance(r.life, dict) else f"{r.life:g}y"
    whose = "the economic lives" if economic else f"{life} for every company"
    span = f"{r.first}-{r.last}" if r.last > r.first else str(r.first)
    tt = _compact(f"Depreciation at the booked lives and at {whose}, {span} ({scenario.name})")
    header = ("company", "booked", f"at {life}", "understated", "EBIT", f"at {life}", f"{r.last}")
    for col in header:
        tt.add_column(col, justify="left" if col == "company" else "right", no_wrap=True)

    def cells(row: pd.Series, over: str) -> list[str]:
        money = ("booked", "at_life", "understated", "ebit_booked", "ebit_at_life")
        share = "-" if pd.isna(row[over]) else f"{row[over]:+.0%}"
        return [*(_money(row[c]) for c in money), share]

    for name, row in r.total.iterrows():
        tt.add_row(str(name), *cells(row, "overstated_last"))
    yt = _compact(f"{company}, year by year")
    for col in ("year", "booked", f"at {life}", "understated", "EBIT", f"at {life}", "over"):
        yt.add_column(col, justify="right", no_wrap=True)
    for (_, year), row in r.by_year.xs(company, level="company", drop_level=False).iterrows():
        yt.add_row(str(year), *cells(row, "overstated"))
    lt = _compact(f"What each booking strands later, to {2025 + scenario.years}Q4")
    heads = ("peak stranded", f"at {life}", "today's", f"at {life}", "IFRS impaired", f"at {life}")
    for col in ("company", *heads):
        lt.add_column(col, justify="left" if col == "company" else "right", no_wrap=True)
    for name, row in r.later.iterrows():
        lt.add_row(
            str(name),
            *(
                _money(row[f"{o}_{w}"])
                for o in ("stranded_peak", "stranded_peak_to_2026", "impairment_ifrs")
                for w in ("booked", "at_life")
            ),
        )
    lives = sorted({c.compute_life for c in scenario.companies})
    booked = f"{lives[0]:g}" if len(lives) == 1 else f"{lives[0]:g}-{lives[-1]:g}"
    parts: list[RenderableType] = [tt, yt, lt]
    if isinstance(r.life, dict):
        each = ", ".join(f"{c} {v:.2f}" for c, v in r.life.items())
        parts.append(
            Text(f"Economic lives of the 2026 cohorts (years), compute and network: {each}.")
        )
    if r.target is not None and r.implied_life is not None:
        cited = f"Burry's estimate (register row {source})" if source else "The target"
        if np.isnan(r.implied_life):
            said = "no single life between 0.5 and 6 years gives it in this scenario"
        else:
            said = (
                f"is what this scenario gives if every company booked compute and network over "
                f"{r.implied_life:.2f} years (disclosed: {booked})"
            )
        parts.append(Text(f"{cited}, {_money(r.target)} understated over {span}, {said}."))
    parts.append(
        Text(
            "Depreciation of compute, network and facilities; only compute and network change "
            f"life. EBIT is the AI infrastructure's (EBITDA less its depreciation; EBITDA does not "
            f"depend on the booked life); 'over' and '{r.last}': how far the booked EBIT exceeds "
            f"it at {whose} in the year; a company's whole earnings are larger, so its "
            "overstatement in per cent is smaller. Later: peak stranded value (today's: of the "
            "installed base and the 2026 programme, valued alone) and IFRS impairments over the "
            "horizon under each booking, the write-downs a faster schedule "
            "takes through depreciation in advance.",
            style="dim",
        )
    )
    return Group(*parts)


def _bn(v: float) -> str:
    """Write a cohort-sized amount in $ billions with one decimal (``-$14.0B``), ``-`` if NaN."""
    if v is None or not math.isfinite(v):
        return "-"
    b = round(float(v) / 1e9, 1) + 0.0  # no "-$0.0B"
    return f"-${-b:,.1f}B" if b < 0 else f"${b:,.1f}B"


def trace_tables(result: CohortTrace) -> Group:
    """Render a cohort's trace: what it is, its years, and the checks against the company.

    Parameters
    ----------
    result : CohortTrace
        From :func:`~strandrisk.engine.trace.trace_cohort`. [USD, units as listed]
    """
    f = result.facts
    lines = [
        Text(f"{result.company}'s {result.vintage} cohort ({result.scenario})", style="bold"),
        Text(
            f"  capex {_bn(f['capex'])}: compute {_bn(f['capex_compute'])}, network "
            f"{_bn(f['capex_network'])}, facilities {_bn(f['capex_facilities'])}; "
            f"{f['units']:,.0f} units of compute (H100-equivalents) at "
            f"{1000 * f['power_per_unit']:,.0f} W each"
        ),
        Text(
            f"  booked over {f['compute_life']:g} years (compute), {f['network_life']:g} "
            f"(network); physical life {f['physical_life']:g} years; economic life "
            f"{f['economic_life']:.2f} years"
            + (f" (EBITDA ends in {result.first_loss})" if result.first_loss else "")
            + (
                f"; retired early in {result.retired} ({result.retirement_rule} rule)"
                if result.retired
                else ""
            )
        ),
    ]
    worth = (
        f"  NPV at {100 * f['wacc']:.1f} % WACC {_bn(f['npv'])}, IRR "
        + ("-" if not math.isfinite(f["irr"]) else f"{100 * f['irr']:.1f} %")
        if math.isfinite(f["npv"])
        else "  bought before 2026: its capex is sunk, so no NPV or IRR"
    )
    peak = (
        f"peak stranded value, valued alone, {_bn(f['stranded_peak'])} in "
        f"{result.stranded_peak_date}"
        if result.stranded_peak_date
        else "never stranded, valued alone"
    )
    lines.append(Text(f"{worth}; {peak}"))
    years = result.years()
    shown = ["revenue", "ebitda", "cash_flow", "book_compute", "value_in_use", "fair_value"]
    busy = (years[shown].abs() >= 0.05e9).any(axis=1).to_numpy()  # something to show in $B
    if busy.any():  # the years after it all (the shell's book still runs down): left out
        years = years.iloc[: int(np.flatnonzero(busy)[-1]) + 1]
    t = _compact("By year: flows summed, values at the year's last quarter")
    heads = ("year", "util", "revenue", "EBITDA", "cash", "book", "in use", "fair", "stranded")
    for i, head in enumerate(heads):
        t.add_column(head, justify="left" if i == 0 else "right", no_wrap=True)
    for year, row in years.iterrows():
        use = row["utilisation"]
        t.add_row(
            str(year),
            "-" if not math.isfinite(use) else f"{100 * use:.0f}%",
            *(_bn(row[c]) for c in ("revenue", "ebitda", "cash_flow", "book_compute")),
            *(_bn(row[c]) for c in ("value_in_use", "fair_value", "stranded_value")),
        )
    checks = [Text(f"Checks against {result.company}'s figures from strandrisk.simulate:")]
    for name, row in result.checks.iterrows():
        checks.append(
            Text(
                f"  {name}: {_bn(row['cohorts'])} from the cohorts, {_bn(row['model'])} in the "
                f"model (difference ${abs(row['difference']):,.0f})"
            )
        )
    note = Text(
        "book: compute and network at the booked schedule; in use: the EBITDA it will still "
        "earn, discounted at WACC; fair: replacement cost less its energy disadvantage; "
        "stranded: book above the larger of the two. cash: EBITDA less tax and capex, plus "
        "the shell's book value when it passes on at the physical life. Every quarter and "
        "column: --csv, --xlsx or --json.",
        style="dim",
    )
    return Group(*lines, t, *checks, note)


def choices_table(result: ChoiceEffects, scenario: str) -> Table:
    """Render what each alternative modelling choice does to the scenario's outcomes.

    Parameters
    ----------
    result : ChoiceEffects
        From :func:`~strandrisk.analysis.choices.choice_effects`. [outcome units]
    scenario : str
        The scenario's name. [-]
    """
    from strandrisk.analysis.choices import setting_text
    from strandrisk.engine.simulate import OUTCOME_UNITS

    outcomes = result.outcomes
    units = [OUTCOME_UNITS[o] for o in outcomes]
    t = _compact(
        f"What the modelling choices do: {scenario}, {result.company} "
        f"({len(result.table) + 1} model runs)",
        caption=(
            f"The first row is {scenario} as it is; each other row changes one choice to the "
            "alternative shown, every other setting and value as in the scenario, and gives the "
            "change."
            + (
                " Today's peak: the peak stranded value of the capital commissioned to 2026Q4 "
                "(the installed base and the 2026 programme), valued alone."
                if "stranded_peak_to_2026" in outcomes
                else ""
            )
        ),
    )
    t.add_column("choice", no_wrap=True)
    for o in outcomes:  # two-line headers, as the bridge's
        t.add_column(_OUTCOME_NAMES.get(o, o).replace(" ", "\n", 1), justify="right", no_wrap=True)
    t.add_row(
        scenario, *(_level(result.scenario[o], u) for o, u in zip(outcomes, units, strict=True))
    )
    changes = result.changes()
    for row in changes.to_dict(orient="records"):
        t.add_row(
            f"{row['key']} = {setting_text(row['alternative'])}",
            *(_step(row[o], u) for o, u in zip(outcomes, units, strict=True)),
        )
    return t
