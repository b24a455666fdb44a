"""The report's "in brief": the industry's outcomes of one scenario in a few plain sentences.

Formatting only: every figure comes from the outcome table and the scenario.
"""

from __future__ import annotations

import math

import pandas as pd

from strandrisk.scenarios.schema import Scenario

__all__ = ["in_brief"]


def _usd(v: float) -> str:
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
        f"The 2026 programme ({_usd(ind['capex_2026'])}) {earns} its cost of capital: NPV "
        f"{_usd(ind['npv_2026'])} at a WACC of {wacc:.0%}{irr}.",
        f"Its cohorts earn for {ind['economic_life_years']:.1f} years on average (capex-weighted), "
        f"against {ind['booked_life_years']:.1f} years on the books.",
    ]
    if ind["stranded_peak"] > 0 and isinstance(ind["stranded_peak_date"], str):
        if ind["stranded_peak_date"] == last:
            out.append(
                f"Book value above what the assets can earn or fetch reaches "
                f"{_usd(ind['stranded_peak'])} by {last}, the end of the horizon, and is still "
                "rising."
            )
        else:
            out.append(
                f"Book value above what the assets can earn or fetch peaks at "
                f"{_usd(ind['stranded_peak'])} in {ind['stranded_peak_date']}."
            )
    else:
        out.append(f"No book value is stranded through {last}.")
    out.append(_impairments(rows, last))
    if searched:
        out.append(_breakeven(ind, scenario))
    return out


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
