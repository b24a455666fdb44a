"""Data tables: the scenario's outcomes over the values of one or two parameters.

A spreadsheet modeller's data table (Excel's one- and two-variable "Data Table"): the scenario
as given, one or two of its parameters set to each of a list of values, every combination run
in one ``simulate`` batch (a batch per value of a non-numeric choice such as ``capex.path``).

Over draws of the uncertainty (``space``; @RISK's advanced sensitivity analysis, a simulation
per value): each value (or pair) runs on the same ``n`` draws, the parameters held at the value
in every draw, and each cell is a statistic of the outcome over them (its mean, or a quantile).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from strandrisk.analysis.bridge import _BREAKEVEN, BRIDGE_OUTCOMES, choice_batches, outcomes_at
from strandrisk.errors import InputError, did_you_mean, whole_number
from strandrisk.scenarios.sampling import SAMPLERS, UncertaintySpace
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
    space: UncertaintySpace | None = None,
    n: int = 2000,
    seed: int = 0,
    sampler: str = "lhs",
    statistic: str = "mean",
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
    space : UncertaintySpace, optional
        Draw the uncertainty: each value runs on the same ``n`` draws and each cell is
        ``statistic`` of the outcome over them (None: the scenario as given, one run). [-]
    n : int
        Draws per value, with ``space``. [count]
    seed : int
        Root seed of the draws (those of ``mc --n N --seed S``). [-]
    sampler : {"mc", "lhs", "sobol"}
        Sampling design. [-]
    statistic : str
        ``mean`` or a percentile ``p1`` to ``p99`` of each outcome over the draws. [-]

    Returns
    -------
    pandas.DataFrame
        One way: a row per value (index named by the key), a column per outcome. Two ways:
        the first key's values as rows, the second's as columns, the first outcome in the
        cells (``attrs["outcome"]`` names it). Over draws, ``attrs["statistic"]``,
        ``attrs["n"]``, ``attrs["seed"]`` and ``attrs["sampler"]`` say how. [outcome units]

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
    if space is None:
        cells = outcomes_at(scenario, settings, outcomes, company, "sweep")
    else:
        cells = _statistics_at(scenario, settings, outcomes, company, space, n, seed, sampler,
                               statistic)  # fmt: skip
    if len(keys) == 1:
        frame = pd.DataFrame(cells, columns=list(outcomes))
        frame.index = pd.Index([c[0] for c in grid], name=keys[0])
    else:
        a, b = (list(values[k]) for k in keys)
        frame = pd.DataFrame(
            cells[:, 0].reshape(len(a), len(b)),
            index=pd.Index(a, name=keys[0]),
            columns=pd.Index(b, name=keys[1]),
        )
        frame.attrs["outcome"] = outcomes[0]
    if space is not None:
        frame.attrs.update(statistic=statistic, n=n, seed=seed, sampler=sampler)
    return frame


_STATISTIC = re.compile(r"^(mean|p(0?[1-9]|[1-9]\d))$")
"""A statistic a data table over draws shows: the mean, or a percentile p1 to p99."""


def _statistics_at(
    scenario: Scenario,
    settings: list[dict[str, Any]],
    outcomes: tuple[str, ...],
    company: str,
    space: UncertaintySpace,
    n: int,
    seed: int,
    sampler: str,
    statistic: str,
) -> np.ndarray:
    """Return each outcome's statistic over the same draws at each setting (a row each)."""
    from strandrisk.engine.limit_rules import Limit
    from strandrisk.engine.limits import run_points
    from strandrisk.engine.mc_exec import sample_in_threads

    if not _STATISTIC.match(statistic):
        raise InputError(f"sweep: --statistic {statistic!r}: mean or a percentile p1 to p99")
    n = whole_number("n", n, 1)
    if sampler not in SAMPLERS:
        raise InputError(f"sampler {sampler!r}: one of {', '.join(SAMPLERS)}")
    solved = [o for o in outcomes if o in _BREAKEVEN]
    if solved:
        raise InputError(
            f"sweep: {solved[0]} is solved scenario by scenario; over draws, see strandrisk "
            "breakeven"
        )
    draws = sample_in_threads(space, 0, n, seed, sampler)
    rules = [Limit(o, statistic, math.nan, math.nan, True) for o in outcomes]
    value = np.full((len(settings), len(outcomes)), np.nan)
    for run, rows, values in choice_batches(scenario, settings, "sweep"):
        points = np.array(list(values.values())).T.reshape(len(rows), len(values))
        value[rows], _ = run_points(run, draws, list(values), points, n, rules, company, "sweep")
    return value
