"""One-at-a-time swings: which assumptions move an outcome most (a tornado).

Each numeric scenario parameter whose register row has a range is set to the range's low
and high ends in turn, everything else held at the scenario's values; all the runs go
through :func:`strandrisk.simulate` as one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from strandrisk.assumptions.register import Register
from strandrisk.engine.simulate import simulate
from strandrisk.scenarios.schema import Scenario, parameter_fields

__all__ = [
    "SPIDER_LEVELS",
    "Spider",
    "Swing",
    "one_at_a_time",
    "quantile_swings",
    "ranged_parameters",
    "spider",
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


SPIDER_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)
"""Percentiles of each parameter's distribution in a spider table; its ends are the
tornado's (P10 and P90)."""


@dataclass(frozen=True, slots=True)
class Spider:
    """An outcome with each uncertain parameter at several percentiles, one at a time.

    @RISK's and Crystal Ball's spider graph: where a tornado gives the two ends, the spider
    shows the path between them, so a saturating or turning effect shows as a bent line.

    Attributes
    ----------
    levels : tuple of float
        Cumulative probabilities of each parameter's distribution, increasing. [-]
    values : pandas.DataFrame
        Index parameter, a column per level: the parameter's value there. [its unit]
    outcomes : pandas.DataFrame
        Index parameter, a column per level: the outcome with that parameter there and every
        other at the scenario's own value. [outcome unit]
    base : float
        The outcome at the scenario's own values. [outcome unit]
    outcome, company : str
        Which outcome, whose.
    own : pandas.Series
        Index parameter: the scenario's own value of each (empty where not given). [its unit]
    """

    levels: tuple[float, ...]
    values: pd.DataFrame
    outcomes: pd.DataFrame
    base: float
    outcome: str
    company: str
    own: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    def _check_levels(self, *levels: float) -> None:
        missing = [q for q in levels if q not in self.levels]
        if missing:
            raise ValueError(f"level {missing[0]} is not one of {self.levels}")

    def outside(self, low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
        """Return the parameters whose scenario value lies outside two of their percentiles.

        A tornado moves each parameter between, say, its P10 and P90 with the others at the
        scenario's values; where the scenario's own value lies outside that range (a preset
        at the edge of a prior, such as no price floor against a floor drawn from 0 to 0.2),
        the bar does not pass through :attr:`base`, and moving the parameter into its range
        at all may matter more than the swing shows.

        Parameters
        ----------
        low, high : float
            Two of :attr:`levels`. [-]

        Returns
        -------
        pandas.DataFrame
            Index parameter, in the spider's order; columns ``own``, ``low`` and ``high``
            (the parameter's values at the two levels) [its unit], ``side`` (``"below"`` or
            ``"above"``) and ``nearer`` (the outcome at the nearer level, every other
            parameter at the scenario's value) [outcome unit]. Empty without :attr:`own`.
        """
        self._check_levels(low, high)
        keys = [k for k in self.values.index if k in self.own.index]
        own = self.own.reindex(keys).astype(float)
        lo, hi = self.values.loc[keys, low], self.values.loc[keys, high]
        below, above = own < lo, own > hi
        frame = pd.DataFrame(
            {
                "own": own,
                "low": lo,
                "high": hi,
                "side": np.where(below, "below", "above"),
                "nearer": np.where(
                    below, self.outcomes.loc[keys, low], self.outcomes.loc[keys, high]
                ),
            },
            index=pd.Index(keys, name="parameter"),
        )
        return frame[(below | above).to_numpy()]

    def swings(self, low: float = 0.1, high: float = 0.9) -> list[Swing]:
        """Return the tornado between two of the levels, largest swing first.

        Parameters
        ----------
        low, high : float
            Two of :attr:`levels`. [-]
        """
        self._check_levels(low, high)
        swings = [
            Swing(
                str(key),
                "distribution",
                float(self.values.loc[key, low]),
                float(self.values.loc[key, high]),
                float(self.outcomes.loc[key, low]),
                float(self.outcomes.loc[key, high]),
                self.base,
            )
            for key in self.values.index
        ]
        return sorted(swings, key=lambda s: (-s.swing, s.key))


def spider(
    scenario: Scenario,
    space: object,
    outcome: str = "stranded_peak",
    company: str = "industry",
    levels: Sequence[float] = SPIDER_LEVELS,
) -> Spider:
    """Each uncertain parameter at several percentiles of its distribution, one at a time.

    Every run goes through :func:`strandrisk.simulate` as one batch: the scenario as it is,
    then each parameter at each level with the others at the scenario's values.

    Parameters
    ----------
    scenario : Scenario
        The base values; every other parameter stays at them. [-]
    space : UncertaintySpace
        The uncertain parameters and their distributions. [-]
    outcome : str
        Numeric column of the outcome table. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]
    levels : sequence of float
        Cumulative probabilities, increasing, each strictly between 0 and 1. [-]

    Raises
    ------
    ValueError
        For levels that are not increasing inside (0, 1).
    """
    scenario.check_company(company)
    q = np.asarray(levels, dtype=float)
    if q.ndim != 1 or not len(q) or not (np.all(q > 0) and np.all(q < 1)):
        raise ValueError(f"levels must lie strictly between 0 and 1, got {tuple(levels)}")
    if np.any(np.diff(q) <= 0):
        raise ValueError(f"levels must increase, got {tuple(levels)}")
    keys, dists = space.keys, space.distributions  # type: ignore[attr-defined]
    flat = scenario.flat()
    m = len(q)
    samples = {k: np.full(1 + m * len(keys), float(flat[k])) for k in keys}
    at = np.array([d.ppf(q) for d in dists], dtype=float).reshape(len(keys), m)
    for i, k in enumerate(keys):
        samples[k][1 + m * i : 1 + m * (i + 1)] = at[i]
    out = simulate(scenario, samples, breakeven=False, keep_series=False).outcomes
    y = out[out["company"] == company][outcome].to_numpy(dtype=float)
    columns = [float(x) for x in q]
    return Spider(
        tuple(columns),
        pd.DataFrame(at, index=list(keys), columns=columns),
        pd.DataFrame(y[1:].reshape(len(keys), m), index=list(keys), columns=columns),
        float(y[0]),
        outcome,
        company,
        pd.Series({k: float(flat[k]) for k in keys}, dtype=float),
    )


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
    result = spider(scenario, space, outcome, company, (low_q, high_q))
    return result.swings(low_q, high_q)
