"""The report's "in brief": the industry's outcomes of one scenario in a few plain sentences.

Formatting only: every figure comes from the outcome table and the scenario.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from strandrisk.scenarios.schema import Scenario

if TYPE_CHECKING:
    from strandrisk.analysis.sensitivity import Spider
    from strandrisk.engine.mc_result import MCResult
    from strandrisk.scenarios.sampling import UncertaintySpace

__all__ = [
    "DRIVER_NAMES",
    "POSITION_NOTE",
    "POSITION_ROWS",
    "breakeven_value",
    "condition_label",
    "covenant_label",
    "dependence_note",
    "driver_notes",
    "in_brief",
    "lives_line",
    "lives_sentence",
    "llcr_line",
    "outside_note",
    "precision_note",
    "scenario_tails",
    "series_llcr_line",
    "together_rows",
    "usd",
]

DRIVER_NAMES = {
    "stranded_peak": "peak stranded value",
    "stranded_peak_to_2026": "today's capital's peak stranded value",
    "npv_2026": "the 2026 programme's NPV",
    "impairment_ifrs": "IFRS impairments",
}
"""Outcomes whose drivers a Monte Carlo run ranks, in words."""


POSITION_ROWS = (
    ("compute + network book", "book_compute"),
    ("  value in use", "value_in_use"),
    ("  fair value", "fair_value"),
    ("stranded value", "stranded_value"),
    ("today's capital: book", "book_compute_to_2026"),
    ("  stranded value", "stranded_value_to_2026"),
    ("facilities book", "book_facilities"),
    ("book value", "book_value"),
    ("recoverable amount", "recoverable_amount"),
    ("carrying amount, IFRS", "carrying_ifrs"),
    ("  impaired to date", "impairment_ifrs_to_date"),
    ("carrying amount, US GAAP", "carrying_usgaap"),
    ("  impaired to date", "impairment_usgaap_to_date"),
    ("utilisation", "utilisation"),
    ("EBITDA in the quarter", "ebitda"),
)
"""Rows of a company position at a quarter's end (``run --at``, the terminal and the report):
label and column of :meth:`strandrisk.SimulationResult.value_at`."""

POSITION_NOTE = (
    "stranded value: compute + network book above the larger of value in use and fair value; "
    "recoverable amount: that larger value plus the facilities' book"
)
"""What the position's derived rows mean (under the table)."""


def usd(v: float) -> str:
    """Write an amount of money in billions, or trillions from $1,000B ("$1.60T").

    Parameters
    ----------
    v : float
        The amount. [USD]
    """
    b = v / 1e9
    if abs(b) >= 1000:
        return f"{'-' if b < 0 else ''}${abs(b) / 1000:,.2f}T"
    return f"{'-' if b < 0 else ''}${abs(b):,.0f}B"


def in_brief(
    outcomes: pd.DataFrame, scenario: Scenario, row: int = 0, searched: bool = True
) -> list[str]:
    """Say what one scenario's outcomes mean for the industry, one sentence per point.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        The outcome table (:func:`strandrisk.simulate`). [USD, year, 1/year]
    scenario : Scenario
        The scenario, for its assumed rates and horizon. [-]
    row : int
        Which scenario of the table. [-]
    searched : bool
        Whether the break-even values were solved for (else they are not mentioned). [-]

    Returns
    -------
    list of str
        Sentences, plain text.
    """
    rows = outcomes[outcomes["scenario"] == row].set_index("company")
    ind = rows.loc["industry"]
    wacc = scenario.financing.wacc
    last = f"{2025 + scenario.years}Q4"
    earns = "earns" if ind["npv_2026"] >= 0 else "does not earn"
    irr = "" if pd.isna(ind["irr_2026"]) else f", IRR {ind['irr_2026']:.0%}"
    out = [
        f"The 2026 programme ({usd(ind['capex_2026'])}) {earns} its cost of capital: NPV "
        f"{usd(ind['npv_2026'])} at a WACC of {wacc:.0%}{irr}.",
        f"Its cohorts earn for {ind['economic_life_years']:.1f} years on average (capex-weighted), "
        f"against {ind['booked_life_years']:.1f} years on the books.",
    ]
    if ind["stranded_peak"] > 0 and isinstance(ind["stranded_peak_date"], str):
        if ind["stranded_peak_date"] == last:
            out.append(
                f"Book value above what the assets can earn or fetch reaches "
                f"{usd(ind['stranded_peak'])} by {last}, the end of the horizon, and is still "
                "rising."
            )
        else:
            out.append(
                f"Book value above what the assets can earn or fetch peaks at "
                f"{usd(ind['stranded_peak'])} in {ind['stranded_peak_date']}."
            )
    else:
        out.append(f"No book value is stranded through {last}.")
    if not pd.isna(ind.get("stranded_peak_to_2026", np.nan)):  # stored before it was kept
        out.append(_today(ind, last))
    out.append(_impairments(rows, last))
    if searched:
        out.append(_breakeven(ind, scenario))
    return out


def _today(ind: pd.Series, last: str) -> str:
    """Say what strands of today's capital: the installed base and the 2026 programme."""
    what = "Today's capital (the installed base and the 2026 programme, valued on their own)"
    peak, when = ind["stranded_peak_to_2026"], ind["stranded_peak_to_2026_date"]
    if not (peak > 0 and isinstance(when, str)):
        return f"{what} is not stranded through {last}."
    return f"{what} has at most {usd(peak)} stranded, in {when}."


def _names(companies: list[str]) -> str:
    names = [c.capitalize() for c in companies]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _impairments(rows: pd.DataFrame, last: str) -> str:
    ind = rows.loc["industry"]
    dated = rows.drop(index="industry")["first_impairment_ifrs"].dropna()
    first = min(dated, default=None)
    earliest = [c for c, q in dated.items() if q == first]
    if isinstance(ind["first_impairment_ifrs"], str):
        gaap = ind["first_impairment_usgaap"]
        text = (
            f"Tested as one business, the industry first impairs in {ind['first_impairment_ifrs']} "
            f"under IFRS (US GAAP: {gaap if isinstance(gaap, str) else 'not by ' + last})"
        )
        if first is None:
            return text + "."
        who = (
            f"the first company to impair on its own is {_names(earliest)}"
            if len(earliest) == 1
            else f"the first to impair on their own are {_names(earliest)}"
        )
        return f"{text}; {who}, in {first}."
    if first is not None:
        return (
            f"The industry as one business is not impaired by {last}, but "
            f"{_names(list(dated.index))} {'is' if len(dated) == 1 else 'are'} on their own."
        )
    return f"No impairment under IFRS or US GAAP by {last}."


def _breakeven(ind: pd.Series, scenario: Scenario) -> str:
    """Break-even demand growth and price decline against the scenario's, as rates a year."""
    g, lam = scenario.market.demand_growth, scenario.market.price_decline
    bg, bl = ind["breakeven_demand_growth"], ind["breakeven_price_decline"]
    if pd.isna(bg):
        text = (
            "Its NPV does not reach zero for any initial demand growth rate the solver tries "
            f"(the scenario assumes {g:.2f} a year)."
        )
    else:
        text = (
            f"The programme breaks even at an initial demand growth rate of {bg:.2f} a year "
            f"(the scenario assumes {g:.2f}; both fade at the scenario's pace)."
        )
    if pd.isna(bl):
        return text
    return (
        f"{text} It survives token prices falling at up to {bl:.2f} a year, "
        f"{math.exp(bl):.1f}x cheaper each year (the scenario assumes {lam:.2f}, "
        f"{math.exp(lam):.1f}x)."
    )


def precision_note(
    intervals: pd.DataFrame, quantiles: pd.DataFrame, n: int, control: object | None = None
) -> str:
    """Say how precisely the run's quantiles are known, from their 95 % sampling intervals.

    Parameters
    ----------
    intervals : pandas.DataFrame
        ``MCResult.intervals``: index (company, outcome); ``p5_low, p5_high, ...``. [USD]
    quantiles : pandas.DataFrame
        ``MCResult.quantiles``: the estimates, same index; ``p5, p50, p95, p99``. [USD]
    n : int
        Scenarios of the run. [count]
    control : PrecisionControl, optional
        ``MCResult.precision`` of a run with a precision target: its sentence follows. [-]

    Returns
    -------
    str
        One sentence: the widest relative half-width of P50, P95 and P99 over peak stranded
        value and impairments (positive amounts), or which cannot be bounded with ``n``;
        then, for a run with a target, whether it was met and after how many scenarios.
    """
    from strandrisk.engine.montecarlo import quantile_precision

    widest = quantile_precision(quantiles, intervals)
    unbounded = [level for level, w in widest.items() if math.isinf(w)]
    parts = [f"{level} ±{w:.1%}" for level, w in widest.items() if math.isfinite(w)]
    text = (
        f"Sampling error with {n:,} scenarios (95 % intervals from order statistics, "
        "conservative for Latin hypercube and Sobol' samples): "
    )
    if parts:
        text += ", ".join(parts) + " at most, over peak stranded value and impairments"
    if unbounded:
        text += ("; " if parts else "") + (
            f"{' and '.join(unbounded)} cannot be bounded from this few scenarios: run more"
        )
    if not parts and not unbounded:
        text += "none to measure, as peak stranded value and impairments are zero at P50 and above"
    text += "."
    if control is not None:
        text += " " + control.sentence()  # type: ignore[attr-defined]
    return text


def driver_notes(drivers: pd.DataFrame, shown: list[str], n: int) -> list[str]:
    """Say how far the rank correlations of a run can be read, in plain sentences.

    Parameters
    ----------
    drivers : pandas.DataFrame
        One company's drivers (``MCResult.drivers_of``): index (outcome, parameter);
        ``spearman``, ``spearman_pm``, ``srrc``, ``r2``. [-]
    shown : list of str
        The parameters on display. [-]
    n : int
        Scenarios the measures come from. [count]

    Returns
    -------
    list of str
        The sampling error; how much of each outcome a rank regression explains; and each
        shown correlation that comes through other parameters the scenario correlates with
        (its regression coefficient smaller by half or of the other sign).
    """
    outcome = drivers.index.get_level_values("outcome")
    parameter = drivers.index.get_level_values("parameter")
    on_show = drivers[parameter.isin(shown)]
    pm = on_show["spearman_pm"].max()
    if n < 3:
        return [f"Rank correlations need at least 3 scenarios; this run has {n}."]
    notes = [
        f"Spearman rank correlation over the first {n:,} scenarios"
        + ("" if pd.isna(pm) else f", each within ±{pm:.3f} (95 %)")
        + "; +1: the outcome always rises with the parameter, 0: no monotone link."
    ]
    explained = []
    for name, words in DRIVER_NAMES.items():
        r2 = drivers.loc[outcome == name, "r2"]
        if len(r2) and not pd.isna(r2.iloc[0]):
            explained.append(f"{r2.iloc[0]:.0%} of {words}")
    if explained:
        notes.append(
            "A regression on every parameter's ranks explains "
            + ", ".join(explained)
            + " (R²); the rest comes from interactions, which `strandrisk sensitivity` "
            "apportions."
        )
    for (name, key), row in on_show.iterrows():
        rho, beta = row["spearman"], row["srrc"]
        if pd.isna(rho) or pd.isna(beta) or abs(rho) < 0.05:
            continue
        if math.copysign(1.0, rho) != math.copysign(1.0, beta) or abs(beta) < abs(rho) / 2:
            notes.append(
                f"{key}: its correlation with {DRIVER_NAMES.get(name, name)} ({rho:+.2f}) comes "
                "through parameters the scenario correlates it with; the others held, its "
                f"effect is {beta:+.2f} (standardised rank regression coefficient)."
            )
    return notes


def dependence_note(space: UncertaintySpace, method: str) -> str:
    """Say what a sensitivity design leaves out of the scenario's dependence, if anything.

    Sobol' indices and Morris screening draw their own designs with independent parameters:
    a scenario's rank correlations and its t copula are not imposed there (RBD-FAST, PAWN
    and the feature scores draw from the same Latin hypercube as ``mc``, correlations and
    copula included).

    Parameters
    ----------
    space : UncertaintySpace
        The parameters drawn, their correlations and copula. [-]
    method : {"sobol", "morris", "rbd-fast", "pawn", "trees"}
        The sensitivity method. [-]

    Returns
    -------
    str
        One sentence, or "" where nothing is left out. [-]
    """
    c = np.asarray(space.correlation, dtype=float)
    pairs = int(np.count_nonzero(np.triu(c, 1)))
    t = math.isfinite(space.copula_df)
    if method in ("rbd-fast", "pawn", "trees") or not (pairs or t):
        return ""
    what = [f"{pairs} rank correlation{'' if pairs == 1 else 's'}"] if pairs else []
    what += ["t copula"] if t else []
    name = "Sobol' indices assume" if method == "sobol" else "Morris screening assumes"
    return (
        f"{name} independent parameters, so the design leaves out the scenario's "
        f"{' and its '.join(what)}; --method rbd-fast, pawn or trees draws them as mc does."
    )


def together_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Turn a count of companies at once into rows for people: "none", "1 of 5", ..., "all 5".

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`MCResult.at_once` (a row per year) or :meth:`MCResult.breaches_at_once` (a row
        per covenant level); a column per number of companies, then ``any`` and
        ``independent``. [fraction]

    Returns
    -------
    pandas.DataFrame
        A row per number of companies, then "all N if independent"; a column per year (or
        level), ``any`` left out (it is 1 less "none"). [fraction]
    """
    counts = [c for c in table.columns if isinstance(c, int)]
    last = max(counts)
    rows = table[[*counts, "independent"]].T
    names = {0: "none", last: f"all {last}", "independent": f"all {last} if independent"}
    rows.index = [names.get(c, f"{c} of {last}") for c in rows.index]
    return rows


def condition_label(label: str) -> str:
    """Write a condition such as ``"npv_2026 < 0"`` for people: ``"NPV 2026 < $0B"``.

    Parameters
    ----------
    label : str
        ``"<outcome> > <value>"`` or ``"<outcome> < <value>"`` (``MCResult.probabilities``).
        [USD]
    """
    outcome, sign, value = label.split(" ")
    if outcome in ("min_dscr", "min_llcr"):
        return f"lowest {outcome[4:].upper()} {sign} {float(value):.2f}x"
    if outcome == "min_interest_cover":
        return f"lowest interest cover {sign} {float(value):.2f}x"
    names = {
        "npv_2026": "NPV 2026",
        "stranded_peak": "peak stranded",
        "stranded_peak_to_2026": "today's capital stranded",
        "impairment_ifrs": "IFRS impairments",
        "impairment_usgaap": "US GAAP impairments",
    }
    return f"{names.get(outcome, outcome)} {sign} {usd(float(value))}"


def breakeven_value(value: float, change: float, none: str = "none") -> str:
    """Write a break-even value and its change from the scenario's: ``0.6821 (-0.194)``.

    Parameters
    ----------
    value : float
        The break-even value, NaN where there is none. [the key's unit]
    change : float
        The value less the scenario's. [the key's unit]
    none : str
        What to write where there is none. [-]
    """
    return none if pd.isna(value) else f"{value:.4g} ({change:+.3g})"


def scenario_tails(
    result: MCResult, company: str, names: Mapping[str, str]
) -> list[tuple[str, pd.DataFrame]]:
    """List each outcome's tails with the parameters significant there, as a page prints them.

    Parameters
    ----------
    result : MCResult
        A run with its scenario analysis (:attr:`MCResult.scenarios`). [-]
    company : str
        A company of the run, or ``"industry"``. [-]
    names : mapping of str to str
        How to name each outcome, e.g. ``{"stranded_peak": "peak stranded"}``. [-]

    Returns
    -------
    list of (str, pandas.DataFrame)
        Per outcome and band of :data:`~strandrisk.core.drivers.SCENARIO_BANDS`: its label,
        e.g. "peak stranded above P90" (with the share of the draws where ties at the
        quantile take more than the band's), and the parameters whose median moves more
        than :data:`~strandrisk.core.drivers.SIGNIFICANT_SD` there, largest first (index
        parameter; ``delta_sd``, ``median_subset``, ``median_all``). [-, sd, parameter units]
    """
    from strandrisk.core.drivers import SCENARIO_BANDS

    if result.scenarios is None or result.scenarios.empty:
        return []
    shown = result.scenario_analysis(company)
    own = result.scenarios.xs(company, level="company")
    shares = own["share"].groupby(level=["outcome", "band"], sort=False).first()
    tails = []
    for outcome in dict.fromkeys(own.index.get_level_values("outcome")):
        for band, (q, above) in SCENARIO_BANDS.items():
            label = f"{names.get(str(outcome), outcome)} {'above P90' if above else 'below P10'}"
            share = float(shares[(outcome, band)])
            if abs(share - (1.0 - q if above else q)) > 0.005:  # ties at the quantile
                label += f" ({share:.0%} of draws)"
            at = (shown.index.get_level_values("outcome") == outcome) & (
                shown.index.get_level_values("band") == band
            )
            moved = shown[at].droplevel(["outcome", "band"])
            tails.append((label, moved[["delta_sd", "median_subset", "median_all"]]))
    return tails


def covenant_label(column: str) -> str:
    """Write a ``debt_cover`` column such as ``"below 1.2"`` as ``"< 1.2x"``.

    Parameters
    ----------
    column : str
        A ``below <level>`` column of ``MCResult.debt_cover`` (or ``interest_cover``,
        ``loan_cover``). [-]
    """
    level = float(column.removeprefix("below "))
    return f"< {level:.1f}x" if round(level, 1) == level else f"< {level:g}x"  # 1.0x, 1.25x


def llcr_line(quarters: list[str], llcr: np.ndarray, who: str = "industry") -> str | None:
    """Say how the loan life cover ratio runs over the horizon, in one line.

    Parameters
    ----------
    quarters : list of str
        ISO quarters of the horizon. [ISO quarter]
    llcr : ndarray, shape (T,)
        The LLCR per quarter, NaN without debt. [ratio]
    who : str
        Whose ratio. [-]

    Returns
    -------
    str or None
        Its first and last value and the first quarter below 1, or None without debt.
    """
    llcr = np.asarray(llcr, dtype=float)
    held = np.flatnonzero(np.isfinite(llcr))
    if held.size == 0:
        return None
    first, last = held[0], held[-1]
    below = held[llcr[held] < 1.0]
    when = f"below 1 from {quarters[below[0]]}" if below.size else "never below 1"
    return (
        f"Loan life cover ({who}): {llcr[first]:.2f} in {quarters[first]}, {when}, "
        f"{llcr[last]:.2f} in {quarters[last]}"
    )


def lives_line(effect: Any) -> str | None:
    """Say how much depreciation the booked lives leave out, and the life Burry's figure implies.

    Parameters
    ----------
    effect : LifeEffect or None
        :func:`strandrisk.engine.lives.life_effect` at one life, with a target. [USD, year]
    """
    if effect is None or isinstance(effect.life, dict):
        return None
    total = effect.total.loc["industry"]
    span = f"{effect.first}-{effect.last}"
    line = f"Depreciation {span} at {effect.life:g}-year lives: {usd(total['understated'])} above"
    line += " the booked (industry)"
    implied = effect.implied_life
    if effect.target is not None and implied is not None and implied == implied:
        line += f"\nBurry's {usd(effect.target)} understatement implies {implied:.2f}-year lives"
    return line + " (strandrisk lives)"


def lives_sentence(effect: Any) -> list[str]:
    """Say, for the report's brief, what a shorter booked life would change, both ways.

    Parameters
    ----------
    effect : LifeEffect or None
        :func:`strandrisk.engine.lives.life_effect` at one life for all. [USD, year]
    """
    if effect is None or isinstance(effect.life, dict):
        return []
    t, later = effect.total.loc["industry"], effect.later.loc["industry"]
    over = t["overstated_last"]
    ebit = "" if over != over else f" ({effect.last} EBIT {over / (1 + over):.0%} lower)"
    text = (
        f"Booked over {effect.life:g} years instead, the industry would depreciate "
        f"{usd(t['understated'])} more in {effect.first}-{effect.last}{ebit}, and strand "
        f"{usd(later['stranded_peak_at_life'])} at the peak instead of "
        f"{usd(later['stranded_peak_booked'])}: the write-downs come in advance."
    )
    implied = effect.implied_life
    if effect.target is not None and implied is not None and implied == implied:
        text += (
            f" Burry's {usd(effect.target)} understatement is what {implied:.2f}-year lives give."
        )
    return [text]


def series_llcr_line(series: xr.Dataset, who: str = "industry") -> str | None:
    """Say how a run's loan life cover runs (:func:`llcr_line`), from its series.

    Parameters
    ----------
    series : xarray.Dataset
        ``simulate``'s series (its first scenario is read). [ratio]
    who : str
        A company of the run, or ``"industry"``. [-]
    """
    if "llcr" not in series:
        return None
    llcr = series["llcr"].sel(company=who)
    if "scenario" in llcr.dims:
        llcr = llcr.isel(scenario=0)
    return llcr_line([str(q) for q in series["quarter"].values], llcr.values, who)


def outside_note(web: Spider, money: Callable[[float], str]) -> str:
    """Say which parameters the scenario sets outside their P10-P90, and what that hides.

    Parameters
    ----------
    web : Spider
        With P10 and P90 among its levels and the scenario's own values. [outcome unit]
    money : callable
        Writes an outcome. [-]
    """
    outside = web.outside(0.1, 0.9)
    if outside.empty:
        return ""
    parts = []
    for key, row in outside.iterrows():
        level, end = (10, row.low) if row.side == "below" else (90, row.high)
        parts.append(
            f"{key} {row.own:.4g}, {row.side} its P{level} of {end:.4g} ({money(row.nearer)} there)"
        )
    return (
        " The scenario sets some parameters outside their P10-P90, so their bars do not pass "
        f"through its value: {'; '.join(parts)}, the others as given."
    )
