"""Data tables: the scenario's outcomes over the values of one or two parameters.

A spreadsheet modeller's data table (Excel's one- and two-variable "Data Table"): the scenario
as given, one or two of its parameters set to each of a list of values, every combination run
in one ``simulate`` batch (a batch per value of a non-numeric choice such as ``capex.path``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from strandrisk.analysis.bridge import BRIDGE_OUTCOMES, outcomes_at
from strandrisk.errors import InputError, did_you_mean
from strandrisk.scenarios.schema import Scenario

__all__ = ["SWEEP_OUTCOMES", "sweep"]

SWEEP_OUTCOMES = BRIDGE_OUTCOMES
"""Outcomes a data table can show: the numeric columns of the outcome table. [-]"""
_STRUCTURE = ("start", "years")


def sweep(
    scenario: Scenario,
    values: Mapping[str, Sequence[Any]],
    outcomes: Sequence[str] = ("stranded_peak", "impairment_ifrs", "npv_2026"),
    company: str = "industry",
) -> pd.DataFrame:
    """Run the scenario at each value (or pair of values) of one or two parameters.

    Parameters
    ----------
    scenario : Scenario
        The scenario; every other value stays as it is. [-]
    values : mapping of str to sequence
        One or two keys of :meth:`Scenario.flat`, each with the values to try: numbers for
        a numeric parameter, the settings for a choice (``{"capex.path": ["guided",
        "flat"]}``). [canonical units]
    outcomes : sequence of str
        Columns of the outcome table (:data:`SWEEP_OUTCOMES`); a two-way table shows the
        first. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]

    Returns
    -------
    pandas.DataFrame
        One way: a row per value (index named by the key), a column per outcome. Two ways:
        the first key's values as rows, the second's as columns, the first outcome in the
        cells (``attrs["outcome"]`` names it). [outcome units]

    Raises
    ------
    InputError
        No or more than two keys, an unknown key, no values, a value a parameter does not
        take, an unknown outcome or company.
    """
    keys = list(values)
    if not 1 <= len(keys) <= 2 or len(set(keys)) != len(keys):
        raise InputError("sweep: one or two different parameters, each with its values")
    outcomes = tuple(outcomes)
    for o in outcomes or ("",):
        if o not in SWEEP_OUTCOMES:
            raise InputError(
                f"sweep: {o!r} is not an outcome a data table shows; one of "
                + ", ".join(SWEEP_OUTCOMES)
            )
    company = scenario.check_company(company)
    flat = scenario.flat()
    for key in keys:
        hint = did_you_mean(key, flat) if key not in flat else ""
        if hint:
            raise InputError(f"sweep: unknown key {key!r}{hint}")
        if key not in flat or key in _STRUCTURE:
            raise InputError(
                f"sweep: {key!r} is not a scenario parameter a data table can vary (the "
                "horizon and start are fixed; use --set)"
            )
        if not len(values[key]):
            raise InputError(f"sweep: {key}: no values to try")
    grid = list(itertools.product(*(list(values[k]) for k in keys)))
    settings = [dict(zip(keys, combo, strict=True)) for combo in grid]
    cells = outcomes_at(scenario, settings, outcomes, company, "sweep")
    if len(keys) == 1:
        frame = pd.DataFrame(cells, columns=list(outcomes))
        frame.index = pd.Index([c[0] for c in grid], name=keys[0])
        return frame
    a, b = (list(values[k]) for k in keys)
    frame = pd.DataFrame(
        cells[:, 0].reshape(len(a), len(b)),
        index=pd.Index(a, name=keys[0]),
        columns=pd.Index(b, name=keys[1]),
    )
    frame.attrs["outcome"] = outcomes[0]
    return frame
