"""One-at-a-time swings: which assumptions move an outcome most (a tornado).

Each numeric scenario parameter whose register row has a range is set to the range's low
and high ends in turn, everything else held at the scenario's values; all the runs go
through :func:`strandrisk.simulate` as one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from strandrisk.assumptions.register import Register
from strandrisk.engine.simulate import simulate
from strandrisk.scenarios.schema import Scenario, parameter_fields

__all__ = [
    "Swing",
    "one_at_a_time",
    "quantile_swings",
    "ranged_parameters",
    "swings_by_outcome",
]


@dataclass(frozen=True, slots=True)
class Swing:
    """The effect of one parameter on an outcome.

    Attributes
    ----------
    key : str
        Dotted scenario key, e.g. ``market.price_decline``.
    row : str
        Register row that supplies the range.
    low, high : float
        The range's ends. [canonical unit of the key]
    outcome_low, outcome_high : float
        The outcome with the parameter at ``low`` and at ``high``. [outcome unit]
    base : float
        The outcome at the scenario's own values. [outcome unit]
    """

    key: str
    row: str
    low: float
    high: float
    outcome_low: float
    outcome_high: float
    base: float

    @property
    def swing(self) -> float:
        """Absolute difference between the two ends' outcomes. [outcome unit]."""
        return abs(self.outcome_high - self.outcome_low)


def ranged_parameters(
    scenario: Scenario, register: Register
) -> list[tuple[str, str, float, float]]:
    """Scenario parameters whose register row gives a range.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its groups list the parameters). [-]
    register : Register
        The assumptions register. [-]

    Returns
    -------
    list of (key, row, low, high)
        Ranges in canonical units, clipped to each field's allowed bounds.
    """
    out = []
    for key, _, meta in parameter_fields(scenario):
        row = meta.get("row")
        if not row or row not in register or register[row].low is None:
            continue
        lo = max(register[row].canonical_low, meta["lo"])
        hi = min(register[row].canonical_high, meta["hi"])
        if hi > lo:
            out.append((key, row, lo, hi))
    return out


def one_at_a_time(
    scenario: Scenario,
    register: Register,
    outcome: str = "stranded_peak",
    company: str = "industry",
) -> list[Swing]:
    """Swing each ranged parameter between its ends and rank by effect on ``outcome``.

    Parameters
    ----------
    scenario : Scenario
        Values held fixed while one parameter moves. [-]
    register : Register
        Source of the ranges. [-]
    outcome : str
        Column of the outcome table. [-]
    company : str
        Row of the outcome table (a company or ``industry``). [-]

    Returns
    -------
    list of Swing
        Largest swing first. Share parameters are left out (they must add to one).
    """
    return swings_by_outcome(scenario, register, (outcome,), company)[outcome]


def swings_by_outcome(
    scenario: Scenario,
    register: Register,
    outcomes: Sequence[str],
    company: str = "industry",
) -> dict[str, list[Swing]]:
    """Return :func:`one_at_a_time` for several outcomes from one batch of model runs.

    Parameters
    ----------
    scenario : Scenario
        Values held fixed while one parameter moves. [-]
    register : Register
        Source of the ranges. [-]
    outcomes : sequence of str
        Columns of the outcome table. [-]
    company : str
        Row of the outcome table (a company or ``industry``). [-]

    Returns
    -------
    dict of str to list of Swing
        Per outcome, largest swing first.
    """
    scenario.check_company(company)
    params = [
        p for p in ranged_parameters(scenario, register) if not p[0].startswith("capex.share_")
    ]
    flat = scenario.flat()
    n = 1 + 2 * len(params)
    samples = {key: np.full(n, float(flat[key])) for key, *_ in params}
    for i, (key, _, lo, hi) in enumerate(params):
        samples[key][1 + 2 * i] = lo
        samples[key][2 + 2 * i] = hi
    result = simulate(scenario, samples, breakeven=False, keep_series=False)
    table = result.outcomes[result.outcomes["company"] == company]
    out = {}
    for outcome in outcomes:
        values = table[outcome].to_numpy(dtype=float)
        swings = [
            Swing(key, row, lo, hi, values[1 + 2 * i], values[2 + 2 * i], values[0])
            for i, (key, row, lo, hi) in enumerate(params)
        ]
        out[outcome] = sorted(swings, key=lambda s: (-s.swing, s.key))
    return out


def quantile_swings(
    scenario: Scenario,
    space: object,
    low_q: float = 0.1,
    high_q: float = 0.9,
    outcome: str = "stranded_peak",
    company: str = "industry",
) -> list[Swing]:
    """Tornado over an uncertainty space: each parameter at its P10 and P90, one at a time.

    Parameters
    ----------
    scenario : Scenario
        The base values; every other parameter stays at them. [-]
    space : UncertaintySpace
        The uncertain parameters and their distributions. [-]
    low_q, high_q : float
        Quantiles of each parameter's distribution at the two ends. [-]
    outcome : str
        Numeric column of the outcome table. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]
    """
    scenario.check_company(company)
    keys, dists = space.keys, space.distributions  # type: ignore[attr-defined]
    flat = scenario.flat()
    n = 1 + 2 * len(keys)
    samples = {k: np.full(n, float(flat[k])) for k in keys}
    ends = []
    for i, (k, d) in enumerate(zip(keys, dists, strict=True)):
        lo, hi = (float(v) for v in d.ppf(np.array([low_q, high_q])))
        samples[k][1 + 2 * i], samples[k][2 + 2 * i] = lo, hi
        ends.append((lo, hi))
    out = simulate(scenario, samples, breakeven=False, keep_series=False).outcomes
    values = out[out["company"] == company][outcome].to_numpy(dtype=float)
    swings = [
        Swing(k, "distribution", lo, hi, values[1 + 2 * i], values[2 + 2 * i], values[0])
        for i, (k, (lo, hi)) in enumerate(zip(keys, ends, strict=True))
    ]
    return sorted(swings, key=lambda s: (-s.swing, s.key))
