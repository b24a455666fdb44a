"""Impairment-test headroom and the change in each key assumption that would remove it.

IAS 36.134(f) asks, for a cash-generating unit whose recoverable amount is close to its
carrying amount, for the headroom, the value assigned to each key assumption and "the amount
by which the value assigned to the key assumption must change ... in order for the unit's
recoverable amount to be equal to its carrying amount". An auditor reads the same table to
judge how fragile a test is. Here each company's AI infrastructure is one unit (as in the
model): at a test date, its headroom is the recoverable amount less the scheduled carrying
amount, and for each key assumption, all else as in the scenario, the value at which the
headroom is zero is found by a scan over the assumption's range and a bisection, every company
and assumption in the same batches of the compiled model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.engine.limits import _bounds, _default_range
from strandrisk.engine.simulate import quarter_label, value_paths
from strandrisk.errors import InputError
from strandrisk.scenarios.schema import SHARE_RULES, Scenario, field_metadata

__all__ = ["KEY_ASSUMPTIONS", "Headroom", "headroom"]

KEY_ASSUMPTIONS = (
    "market.price_decline",
    "market.demand_growth",
    "market.utilisation",
    "technology.doubling_time",
    "financing.wacc",
)
"""The assumptions the recoverable amount is most sensitive to, tested by default. [-]"""
SCAN = 33
"""Values of each assumption scanned across its range before bisecting. [count]"""
STEPS = 40
"""Bisection steps from the bracketing scan values (2^-40 of a scan step). [count]"""


@dataclass(frozen=True, slots=True)
class Headroom:
    """Headroom at a test date, and the break-even value of each key assumption.

    Attributes
    ----------
    quarter : str
        The test date (an ISO quarter, at its end). [-]
    position : pandas.DataFrame
        Index company (``industry`` last): ``carrying`` (the scheduled carrying amount, compute
        and facilities) [USD], ``recoverable`` [USD], ``headroom`` (recoverable less carrying)
        [USD] and ``headroom_share`` (of the carrying amount) [fraction].
    assumptions : pandas.DataFrame
        Index (company, key): ``value`` (the scenario's), ``low`` and ``high`` (the range
        searched), ``below`` and ``above`` (the nearest values below and above the
        scenario's at which the headroom is zero; NaN where there is none in the range) and
        ``change_down``, ``change_up`` (each less ``value``) [the key's unit], ``unit``.
        Two sides because the recoverable amount need not be monotone in an assumption (too
        slow a price decline starves demand through the elasticity, too fast a one erodes
        revenue).
    """

    quarter: str
    position: pd.DataFrame
    assumptions: pd.DataFrame


def _position_at(
    scenario: Scenario, samples: dict[str, np.ndarray], q: int
) -> tuple[np.ndarray, np.ndarray]:
    """Carrying and recoverable amount at quarter ``q``, each shape (S, K + 1). [USD]."""
    paths = value_paths(scenario, samples)
    return np.asarray(paths["book_value"])[:, :, q], np.asarray(paths["economic_value"])[:, :, q]


def headroom(
    scenario: Scenario,
    at: str | None = None,
    keys: Sequence[str] = KEY_ASSUMPTIONS,
) -> Headroom:
    """Each company's impairment-test headroom, and the change in each key assumption removing it.

    Parameters
    ----------
    scenario : Scenario
        The scenario as given. [-]
    at : str, optional
        The test date, an ISO quarter within the horizon; the end of 2026 by default. [-]
    keys : sequence of str
        Numeric parameters to test, each over its register range (else its allowed range). [-]

    Returns
    -------
    Headroom
        The position at the test date and, per assumption, the nearest values on either side
        of the scenario's at which the headroom is zero.

    Raises
    ------
    InputError
        A quarter outside the horizon, no key, an unknown or non-numeric key.
    """
    quarters = [quarter_label(q) for q in range(4 * scenario.years)]
    at = at or "2026Q4"
    if at not in quarters:
        raise InputError(
            f"headroom: {at!r} is not a quarter of the horizon, 2026Q1 to {quarters[-1]}"
        )
    if not keys:
        raise InputError("headroom: give at least one key assumption")
    keys = list(keys)
    ranges, own = _key_ranges(scenario, keys)
    companies = [*(c.name for c in scenario.companies), "industry"]
    trial = _Trial(scenario, quarters.index(at), keys, own, len(companies))
    # the scan, with the scenario's own value among its points so that no bracket straddles it
    grid = np.array([np.sort(np.append(np.linspace(*ranges[k], SCAN), own[k])) for k in keys])
    carried, recovered = trial.run(list(grid))  # (keys, SCAN + 1, K + 1)
    at_own = int(np.searchsorted(grid[0], own[keys[0]]))  # the scenario as given
    carrying, recoverable = carried[0, at_own], recovered[0, at_own]
    breakeven = trial.bisect(*_brackets(grid, recovered - carried, [own[k] for k in keys]))
    position = pd.DataFrame(
        {
            "carrying": carrying,
            "recoverable": recoverable,
            "headroom": recoverable - carrying,
            "headroom_share": (recoverable - carrying) / carrying,
        },
        index=pd.Index(companies, name="company"),
    )
    rows = [
        {
            "company": company,
            "key": key,
            "value": own[key],
            "low": ranges[key][0],
            "high": ranges[key][1],
            "below": breakeven[i, 0, j],
            "above": breakeven[i, 1, j],
            "change_down": breakeven[i, 0, j] - own[key],
            "change_up": breakeven[i, 1, j] - own[key],
            "unit": str(field_metadata(key).get("unit", "")),
        }
        for j, company in enumerate(companies)
        for i, key in enumerate(keys)
    ]
    return Headroom(at, position, pd.DataFrame(rows).set_index(["company", "key"]))


def _key_ranges(
    scenario: Scenario, keys: list[str]
) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Return each key's range to scan and its value in the scenario [key's unit]."""
    flat = scenario.flat()
    ranges, own = {}, {}
    for key in keys:
        lo_ok, hi_ok = _bounds(scenario, key, "headroom")  # a number that can move alone
        own[key] = float(flat[key])
        remedy = f"search it with `strandrisk limit {key} ... --deterministic --between LOW:HIGH`"
        low, high = _default_range(None, key, own[key], lo_ok, hi_ok, "headroom", remedy)
        for rule in SHARE_RULES:  # the leakage shares stay below 1 together
            if rule.exactly_one or key not in rule.keys:
                continue
            others = sum(float(flat[k]) for k in rule.keys if k != key)
            high = min(high, (1.0 - others) * (1.0 - 1e-9))  # the shares stay below 1
        ranges[key] = (low, high)
    return ranges, own


def _brackets(
    grid: np.ndarray, scanned: np.ndarray, own: list[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the brackets of the nearest crossings below and above each key's own value.

    ``grid`` (keys, points): the values scanned; ``scanned`` (keys, points, K + 1): headroom
    there [USD]. Returns ``lo``, ``hi`` and the headroom at ``lo``, each (keys, 2 sides,
    K + 1), NaN where a side has no crossing.
    """
    n_keys, _, k1 = scanned.shape
    lo = np.full((n_keys, 2, k1), np.nan)
    hi, h_lo = lo.copy(), lo.copy()
    for i in range(n_keys):
        for j in range(k1):
            h = scanned[i, :, j]
            flips = np.flatnonzero(np.sign(h[:-1]) * np.sign(h[1:]) <= 0)
            flips = flips[~((h[flips] == 0) & (h[flips + 1] == 0))]  # not a flat zero
            below = grid[i, flips + 1] <= own[i]  # a bracket lies wholly on one side
            for side, pick in enumerate((flips[below], flips[~below])):
                if pick.size:
                    f = pick[-1] if side == 0 else pick[0]
                    lo[i, side, j], hi[i, side, j] = grid[i, f], grid[i, f + 1]
                    h_lo[i, side, j] = h[f]
    return lo, hi, h_lo


class _Trial:
    """The carrying and recoverable amounts at quarter ``q`` with one key moved at a time."""

    def __init__(
        self, scenario: Scenario, q: int, keys: list[str], own: dict[str, float], k1: int
    ) -> None:
        self.scenario, self.q, self.keys, self.own, self.k1 = scenario, q, keys, own, k1

    def run(self, values: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Carrying and recoverable (keys, rows, K + 1): each key at its values, the rest as is."""
        keys, rows = self.keys, len(values[0])
        samples = {k: np.full(len(keys) * rows, self.own[k]) for k in keys}
        for i, key in enumerate(keys):
            samples[key][i * rows : (i + 1) * rows] = values[i]
        carrying, recoverable = _position_at(self.scenario, samples, self.q)
        shape = (len(keys), rows, self.k1)
        return carrying.reshape(shape), recoverable.reshape(shape)

    def bisect(self, lo: np.ndarray, hi: np.ndarray, h_lo: np.ndarray) -> np.ndarray:
        """Narrow every bracket (:func:`_brackets`) in one batch a step; return the crossings."""
        k1 = self.k1
        found = ~np.isnan(lo)
        whose = np.tile(np.arange(k1), 2)  # each trial row's company
        if found.any():
            for _ in range(STEPS):
                mid = 0.5 * (lo + hi)
                values = [
                    np.where(found[i], mid[i], self.own[k]).ravel() for i, k in enumerate(self.keys)
                ]
                carried, recovered = self.run(values)  # (keys, 2 (K + 1), K + 1)
                trial = recovered - carried
                h_mid = trial[:, np.arange(2 * k1), whose].reshape(len(self.keys), 2, k1)
                same = np.sign(h_mid) == np.sign(h_lo)
                lo, h_lo = np.where(same, mid, lo), np.where(same, h_mid, h_lo)
                hi = np.where(same, hi, mid)
        return np.where(found, 0.5 * (lo + hi), np.nan)  # (keys, 2, K + 1)
