"""Optimisation under uncertainty: the decisions that do best on a statistic within limits.

Crystal Ball's OptQuest and @RISK's RISKOptimizer answer the question a CFO asks of a capex
plan: which values of one or two decisions (a company's 2026 capex, capex growth, the debt
share, a booked life) give the best expected NPV, say, while the chance of a covenant breach
stays under 5 % and Capex-at-Risk under a limit? :func:`optimize` maximises or minimises one
statistic of one company's outcomes over the uncertainty space -- a quantile, a mean or a
probability, as :mod:`strandrisk.engine.limits` reads them -- subject to any number of limits.

Every point runs on the same parameter draws (common random numbers): the decisions' columns
are set to the point's values in every draw, the other draws unchanged, so the statistics move
only with the decisions and the search is not led by sampling noise between points. The search
is exhaustive first, then local: a grid over the ranges (:data:`GRID` values of one decision,
:data:`GRID_2D` of each of two), then :data:`ROUNDS` rounds around the best point that meets
every limit, each halving the step and trying the point's neighbours (3 values of one
decision, 3 x 3 of two). The optimum is the best point tried that meets every limit, to
``1 / ((GRID - 1) 2^ROUNDS)`` of each range; the grid guards against a local optimum away from
it only down to its own spacing. A limit *binds* where a neighbour of the last round does
better on the statistic but breaches it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.engine.limit_rules import Limit, parse_limit, parse_statistic
from strandrisk.engine.limits import _search_range, run_points
from strandrisk.engine.mc_exec import sample_in_threads
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import SAMPLERS, UncertaintySpace
from strandrisk.scenarios.schema import Scenario, field_metadata

__all__ = ["GRID", "GRID_2D", "ROUNDS", "Optimum", "optimize", "resampled_optima"]

GRID = 17
"""Values of a single decision on the first grid. [count]"""
GRID_2D = 9
"""Values of each of two decisions on the first grid (81 points). [count]"""
ROUNDS = 5
"""Rounds of local refinement, each halving the step. [count]"""


@dataclass(frozen=True, slots=True)
class Optimum:
    """The best values of one or two decisions for a statistic, within limits.

    Attributes
    ----------
    keys : tuple of str
        The decisions (numeric scenario parameters). [-]
    objective : Limit
        The statistic optimised (its bound unused). [-]
    maximize : bool
        Whether more of it is better. [-]
    limits : tuple of Limit
        The limits every acceptable point meets. [-]
    company : str
        Whose outcomes. [-]
    n, seed : int
        Draws per point and root seed. [count, -]
    sampler : str
        Sampling design. [-]
    ranges : tuple of (float, float)
        The range searched, per decision. [each key's unit]
    trials : pandas.DataFrame
        One row per point tried: ``round`` (0 the grid, 1.. the refinements, -1 the
        scenario's own values), each key's value, ``objective`` with its 95 % interval
        ``objective_low`` and ``objective_high``, per limit ``j`` (from 1) ``limit_j`` with
        ``limit_j_low``, ``limit_j_high`` and ``limit_j_met``, then ``feasible`` (every limit
        met). [each key's unit, statistic units, -]
    best : int or None
        Row of :attr:`trials` at the optimum; None where no point tried meets every limit.
        [-]
    own : int
        Row of :attr:`trials` at the scenario's own values. [-]
    binding : tuple of str
        The limits that bind at the optimum (their text). [-]
    flat : tuple of str
        The decisions that do not move the statistic at the optimum: its neighbours along
        them in the last round give the same value, so any value meeting the limits does as
        well (a flat direction; the optimum's value of it is only the first found). [-]
    drawn : bool
        Whether the statistics are over draws of the uncertainty (False: the scenario as
        given). [-]
    """

    keys: tuple[str, ...]
    objective: Limit
    maximize: bool
    limits: tuple[Limit, ...]
    company: str
    n: int
    seed: int
    sampler: str
    ranges: tuple[tuple[float, float], ...]
    trials: pd.DataFrame
    best: int | None
    own: int
    binding: tuple[str, ...]
    flat: tuple[str, ...] = ()
    drawn: bool = True

    @property
    def status(self) -> str:
        """``optimum`` (a point meets every limit) or ``infeasible`` (none tried does) [-]."""
        return "optimum" if self.best is not None else "infeasible"

    @property
    def values(self) -> dict[str, float]:
        """The decisions at the optimum (empty where there is none) [each key's unit]."""
        if self.best is None:
            return {}
        row = self.trials.iloc[self.best]
        return {k: float(row[k]) for k in self.keys}

    @property
    def resolution(self) -> tuple[float, ...]:
        """The last round's step per decision: how closely the optimum is placed [unit]."""
        grid = GRID if len(self.keys) == 1 else GRID_2D
        return tuple((high - low) / (grid - 1) / 2**ROUNDS for low, high in self.ranges)

    def edges(self) -> dict[str, str]:
        """Return, per decision at an end of its range at the optimum, which end it is [-]."""
        found = {}
        for key, (low, high) in zip(self.keys, self.ranges, strict=True):
            v = self.values.get(key)
            if v is not None and v in (low, high):
                found[key] = "low" if v == low else "high"
        return found

    def at(self, row: int) -> pd.DataFrame:
        """Return the objective and each limit at one point of :attr:`trials`.

        Parameters
        ----------
        row : int
            A row of :attr:`trials` (:attr:`best`, :attr:`own`). [-]

        Returns
        -------
        pandas.DataFrame
            Index the statistic's name (the objective first, then each limit's text);
            ``statistic``, ``low``, ``high`` (its 95 % interval) and ``met`` (None for the
            objective). [statistic unit]
        """
        r = self.trials.iloc[row]
        rows: list[tuple[str, float, float, float, bool | None]] = [
            (self.objective.name, r["objective"], r["objective_low"], r["objective_high"], None)
        ]
        for j, rule in enumerate(self.limits, start=1):
            met = bool(r[f"limit_{j}_met"])
            rows.append(
                (rule.text, r[f"limit_{j}"], r[f"limit_{j}_low"], r[f"limit_{j}_high"], met)
            )
        frame = pd.DataFrame(rows, columns=["statistic_of", "statistic", "low", "high", "met"])
        return frame.set_index("statistic_of")

    def text(self, statistic: Callable[[float, str], str]) -> str:
        """Return what was found, in words: the optimum, what binds, the scenario's own.

        Parameters
        ----------
        statistic : callable
            Writes a statistic given its value and unit (``USD``, ``fraction``, ...). [-]
        """
        unit = self.objective.unit
        own = self.trials.iloc[self.own]
        own_ok = (
            "meet every limit"
            if bool(own["feasible"])
            else "breach "
            + ", ".join(
                rule.text for j, rule in enumerate(self.limits, 1) if not own[f"limit_{j}_met"]
            )
        )
        own_values = ", ".join(f"{k} = {statistic(float(own[k]), _unit(k))}" for k in self.keys)
        said = (
            f"The scenario's own values ({own_values}) give "
            f"{statistic(float(own['objective']), unit)}"
            + (f" and {own_ok}." if self.limits else ".")
        )
        if self.best is None:
            return (
                "No point tried meets every limit (with the statistic defined): loosen a limit "
                f"or widen the ranges. {said}"
            )
        best = self.trials.iloc[self.best]
        values = ", ".join(f"{k} = {statistic(v, _unit(k))}" for k, v in self.values.items())
        band = (
            f" (95 % interval {statistic(float(best['objective_low']), unit)} to "
            f"{statistic(float(best['objective_high']), unit)})"
            if self.drawn
            else ""
        )
        ends = "; ".join(
            f"{k} at the {end} end of its range"
            for k, end in self.edges().items()
            if k not in self.flat
        )
        why = (
            f"where {' and '.join(self.binding)} {'binds' if len(self.binding) == 1 else 'bind'}"
            if self.binding
            else "where no limit binds"
        )
        grid = GRID if len(self.keys) == 1 else GRID_2D
        flat = (
            f" {' and '.join(self.flat)} {'does' if len(self.flat) == 1 else 'do'} not move "
            f"{self.objective.name} there: any value meeting the limits does as well."
            if self.flat
            else ""
        )
        return (
            f"The optimum: {values}, {why}"
            + (f" ({ends})" if ends else "")
            + f": {self.objective.name} {statistic(float(best['objective']), unit)}{band}, "
            f"placed to 1/{(grid - 1) * 2**ROUNDS} of "
            f"{'the range' if len(self.keys) == 1 else 'each range'}.{flat} {said}"
        )

    def units(self) -> dict[str, str]:
        """Return the unit of each numeric column of :meth:`tables`' trials [-]."""
        found = {k: _unit(k) for k in self.keys}
        found |= dict.fromkeys(
            ("objective", "objective_low", "objective_high"), self.objective.unit
        )
        for j, rule in enumerate(self.limits, start=1):
            found |= dict.fromkeys((f"limit_{j}", f"limit_{j}_low", f"limit_{j}_high"), rule.unit)
        return found

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the result as tables: ``summary``, ``optimum`` and ``trials``.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``summary`` (what was solved: item, setting), ``optimum`` (per decision and
            statistic: the optimum's value and the scenario's own) and :attr:`trials`.
            [each key's unit, statistic units]
        """
        sense = "maximise" if self.maximize else "minimise"
        summary = pd.DataFrame(
            [
                ("objective", f"{sense} {self.objective.name}"),
                ("decisions", ", ".join(self.keys)),
                ("limits", "; ".join(rule.text for rule in self.limits) or "none"),
                ("company", self.company),
                ("draws a point", self.n if self.drawn else "none: the scenario as given"),
                ("seed", self.seed),
                ("sampler", self.sampler if self.drawn else "-"),
                ("ranges", "; ".join(f"{a:g} to {b:g}" for a, b in self.ranges)),
                ("points tried", int((self.trials["round"] >= 0).sum())),
                ("status", self.status),
                ("binding", "; ".join(self.binding) or "-"),
            ],
            columns=["item", "setting"],
        )
        own = self.trials.iloc[self.own]
        rows = [
            (key, self.values.get(key, math.nan), float(own[key]), "decision") for key in self.keys
        ]
        at_own = self.at(self.own)
        at_best = self.at(self.best) if self.best is not None else None
        for name in at_own.index:
            best = float(at_best.loc[name, "statistic"]) if at_best is not None else math.nan
            rows.append((name, best, float(at_own.loc[name, "statistic"]), "statistic"))
        optimum = pd.DataFrame(rows, columns=["item", "optimum", "scenario", "kind"])
        return {"summary": summary, "optimum": optimum, "trials": self.trials}

    def as_json(self) -> dict[str, object]:
        """Return the result as JSON-ready data (NaN as null)."""

        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        def point(row: int | None) -> dict[str, object] | None:
            if row is None:
                return None
            r = self.trials.iloc[row]
            at = self.at(row)
            return {
                "values": {k: float(r[k]) for k in self.keys},
                "objective": num(r["objective"]),
                "objective_interval": [num(r["objective_low"]), num(r["objective_high"])],
                "limits": [
                    {
                        "limit": name,
                        "statistic": num(s.statistic),
                        "interval": [num(s.low), num(s.high)],
                        "met": bool(s.met),
                    }
                    for name, s in at.iloc[1:].iterrows()
                ],
                "feasible": bool(r["feasible"]),
            }

        return {
            "objective": self.objective.name,
            "sense": "maximize" if self.maximize else "minimize",
            "keys": list(self.keys),
            "limits": [rule.text for rule in self.limits],
            "company": self.company,
            "n": self.n,
            "seed": self.seed,
            "sampler": self.sampler if self.drawn else None,
            "drawn": self.drawn,
            "ranges": [list(r) for r in self.ranges],
            "status": self.status,
            "optimum": point(self.best),
            "scenario": point(self.own),
            "binding": list(self.binding),
            "flat": list(self.flat),
            "at_range_end": self.edges(),
            "resolution": list(self.resolution),
            "points_tried": int((self.trials["round"] >= 0).sum()),
            "units": {
                self.objective.name: self.objective.unit,
                **{rule.text: rule.unit for rule in self.limits},
            },
        }


def optimize(
    scenario: Scenario,
    space: UncertaintySpace | None,
    decisions: Mapping[str, tuple[float, float] | None] | Sequence[str],
    objective: Limit | str,
    maximize: bool = True,
    limits: Sequence[Limit | str] = (),
    n: int = 2000,
    seed: int = 0,
    sampler: str = "lhs",
    company: str = "industry",
) -> Optimum:
    """Find the values of one or two decisions that do best on a statistic within limits.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its companies and horizon stay as they are. [-]
    space : UncertaintySpace or None
        The uncertainty drawn from (:func:`strandrisk.load_uncertainty`); ``None`` runs the
        scenario as given, one draw. [-]
    decisions : mapping of str to (float, float) or None, or sequence of str
        One or two numeric parameters, each with the range to search (None: the prior's
        range if it is uncertain, else its register row's, else its allowed range). An
        uncertain one is held at each point's value in every draw. [each key's unit]
    objective : Limit or str
        The statistic, e.g. ``npv_2026.mean``, ``stranded_peak.p95`` or ``P(npv_2026<0)``
        (:func:`~strandrisk.engine.limit_rules.parse_statistic`). [-]
    maximize : bool
        Maximise (True) or minimise the statistic. [-]
    limits : sequence of Limit or str
        Limits every acceptable point meets (:func:`~strandrisk.engine.limits.parse_limit`),
        all on ``company``'s outcomes. [-]
    n : int
        Draws per point. [count]
    seed : int
        Root seed; the draws are those of ``mc --n N --seed S``. [-]
    sampler : {"mc", "lhs", "sobol"}
        Sampling design. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]

    Returns
    -------
    Optimum
        The optimum (or none), every point tried, the limits that bind.

    Raises
    ------
    InputError
        No decision or more than two, a key that is not numeric or named twice, a range
        outside the allowed one, a bad objective, limit, sampler, company or draw count.
    """
    keys = tuple(decisions)
    if not 1 <= len(keys) <= 2:
        raise InputError(
            f"optimize: {len(keys)} decisions; one or two (a grid over more would take "
            "thousands of points: fix the others with --set)"
        )
    if len(set(keys)) < len(keys):
        raise InputError(f"optimize: {keys[0]} is named twice")
    ranges_given = decisions if isinstance(decisions, Mapping) else dict.fromkeys(keys)
    goal = parse_statistic(objective) if isinstance(objective, str) else objective
    rules = tuple(parse_limit(x) if isinstance(x, str) else x for x in limits)
    n = whole_number("n", n, 1) if space is not None else 1
    if sampler not in SAMPLERS:
        raise InputError(f"sampler {sampler!r}: one of {', '.join(SAMPLERS)}")
    company = scenario.check_company(company)
    ranges, own = [], []
    for key in keys:
        low, high, value = _search_range(
            scenario, space, key, ranges_given[key], "optimize", "give KEY=LOW:HIGH"
        )
        ranges.append((low, high))
        own.append(value)
    samples = sample_in_threads(space, 0, n, seed, sampler) if space is not None else {}
    search = _Search(scenario, samples, keys, n, (goal, *rules), company, maximize)
    grid = GRID if len(keys) == 1 else GRID_2D
    axes = [np.linspace(low, high, grid) for low, high in ranges]
    search.run(np.array(list(itertools.product(*axes))), 0)
    search.run(np.array([own]), -1)
    step = np.array([(high - low) / (grid - 1) for low, high in ranges])
    lows, highs = np.array([r[0] for r in ranges]), np.array([r[1] for r in ranges])
    for round_ in range(1, ROUNDS + 1):
        best = search.best(lows, highs)
        if best is None:
            break
        step = step / 2
        search.run(np.array(_neighbours(best, _offsets(len(keys)), step, lows, highs)), round_)
    trials = search.table()
    best = search.best(lows, highs)
    best_row = None if best is None else search.row(best)
    binding = search.binding(best, step, lows, highs) if best is not None else ()
    flat = search.flat(best, step, lows, highs) if best is not None else ()
    return Optimum(
        keys=keys,
        objective=goal,
        maximize=maximize,
        limits=rules,
        company=company,
        n=n,
        seed=seed,
        sampler=sampler,
        ranges=tuple(ranges),
        trials=trials,
        best=best_row,
        own=search.row(tuple(own)),
        binding=binding,
        flat=flat,
        drawn=space is not None,
    )


def resampled_optima(
    found: Optimum, scenario: Scenario, space: UncertaintySpace, times: int
) -> pd.DataFrame:
    """Search again on ``times`` other sets of draws: how far sampling moves the optimum.

    The same decisions, ranges, statistic, limits, draw count and sampler as ``found``, with
    the root seeds ``found.seed + 1`` to ``found.seed + times`` (independent draws: each
    seed spawns its own streams). A spread small against the ranges says the optimum is the
    model's, not the sample's; a wide one asks for more draws (``n``).

    Parameters
    ----------
    found : Optimum
        The search to repeat (:func:`optimize`, over draws). [-]
    scenario : Scenario
        The scenario it ran on. [-]
    space : UncertaintySpace
        The uncertainty it drew from. [-]
    times : int
        How many other sets of draws, at least 1. [count]

    Returns
    -------
    pandas.DataFrame
        One row per seed (index ``seed``): each decision at that search's optimum (NaN where
        none met every limit), ``objective`` there and ``binding`` (the limits that bind,
        joined by ``"; "``). [each key's unit, statistic unit, -]
    """
    times = whole_number("times", times, 1)
    rows = {}
    for seed in range(found.seed + 1, found.seed + 1 + times):
        again = optimize(
            scenario,
            space,
            dict(zip(found.keys, found.ranges, strict=True)),
            found.objective,
            found.maximize,
            found.limits,
            found.n,
            seed,
            found.sampler,
            found.company,
        )
        best = again.trials.iloc[again.best] if again.best is not None else None
        rows[seed] = {
            **{k: again.values.get(k, math.nan) for k in found.keys},
            "objective": float(best["objective"]) if best is not None else math.nan,
            "binding": "; ".join(again.binding),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("seed")


def _unit(key: str) -> str:
    """Return a decision's unit (``USD``, ``1/year``, ``fraction``, ``year``...)."""
    return str(field_metadata(key).get("unit", ""))


def _offsets(k: int) -> list[tuple[int, ...]]:
    """Each neighbour's offset, in steps, around a point of ``k`` decisions (itself too)."""
    return list(itertools.product((-1, 0, 1), repeat=k))


def _neighbours(
    point: tuple[float, ...],
    offsets: list[tuple[int, ...]],
    step: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
) -> list[tuple[float, ...]]:
    """Return the points ``offsets`` steps from ``point``, each kept inside the ranges."""
    moved = np.array(point) + np.array(offsets) * step
    return [tuple(p) for p in np.clip(moved, lows, highs).tolist()]


class _Search:
    """Points of the decisions run once each, their statistics kept in the order tried."""

    def __init__(
        self,
        scenario: Scenario,
        samples: dict[str, np.ndarray],
        keys: tuple[str, ...],
        n: int,
        rules: tuple[Limit, ...],
        company: str,
        maximize: bool,
    ) -> None:
        self.scenario, self.samples, self.keys, self.n = scenario, samples, keys, n
        self.rules, self.company, self.maximize = rules, company, maximize
        self.seen: dict[tuple[float, ...], tuple[int, np.ndarray, np.ndarray]] = {}

    def run(self, points: np.ndarray, round_: int) -> None:
        """Run the points not yet tried (the first round that tried a point keeps it)."""
        new = [p for p in dict.fromkeys(map(tuple, points.tolist())) if p not in self.seen]
        if not new:
            return
        stats, bands = run_points(
            self.scenario,
            self.samples,
            self.keys,
            np.array(new),
            self.n,
            self.rules,
            self.company,
            "optimize",
        )
        for i, p in enumerate(new):
            self.seen[p] = (round_, stats[i], bands[i])

    def feasible(self, stats: np.ndarray) -> bool:
        """Return whether every limit (the rules after the objective) is met."""
        return all(bool(rule.met(stats[j : j + 1])[0]) for j, rule in enumerate(self.rules) if j)

    def best(self, lows: np.ndarray, highs: np.ndarray) -> tuple[float, ...] | None:
        """Return the point in the ranges doing best among those meeting every limit."""
        found = None
        for p, (_, stats, _) in self.seen.items():
            inside = bool(np.all(np.array(p) >= lows) and np.all(np.array(p) <= highs))
            if not inside or not math.isfinite(stats[0]) or not self.feasible(stats):
                continue
            if found is None or self._better(stats[0], self.seen[found][1][0]):
                found = p
        return found

    def _better(self, a: float, b: float) -> bool:
        return a > b if self.maximize else a < b

    def binding(
        self, best: tuple[float, ...], step: np.ndarray, lows: np.ndarray, highs: np.ndarray
    ) -> tuple[str, ...]:
        """Return the limits breached by a neighbour of the last round that does better."""
        top = self.seen[best][1][0]
        found: list[str] = []
        for p in _neighbours(best, _offsets(len(best)), step, lows, highs):
            if p not in self.seen or not self._better(self.seen[p][1][0], top):
                continue
            stats = self.seen[p][1]
            for j, rule in enumerate(self.rules):
                if j and not rule.met(stats[j : j + 1])[0] and rule.text not in found:
                    found.append(rule.text)
        return tuple(found)

    def flat(
        self, best: tuple[float, ...], step: np.ndarray, lows: np.ndarray, highs: np.ndarray
    ) -> tuple[str, ...]:
        """Return the decisions along which the last round's neighbours tie with the best."""
        top = self.seen[best][1][0]
        found = []
        for j, key in enumerate(self.keys):
            along = [tuple(sign if i == j else 0 for i in range(len(best))) for sign in (-1, 1)]
            beside = [
                self.seen[p][1][0]
                for p in _neighbours(best, along, step, lows, highs)
                if p != best and p in self.seen
            ]
            if beside and all(v == top for v in beside):
                found.append(key)
        return tuple(found)

    def row(self, point: tuple[float, ...]) -> int:
        """Return the row of :meth:`table` that holds ``point``."""
        return list(self.seen).index(tuple(float(v) for v in point))

    def table(self) -> pd.DataFrame:
        """Return every point tried, in the order tried, as :attr:`Optimum.trials`."""
        rows = []
        for p, (round_, stats, bands) in self.seen.items():
            row: dict[str, object] = {"round": round_, **dict(zip(self.keys, p, strict=True))}
            row.update(objective=stats[0], objective_low=bands[0][0], objective_high=bands[0][1])
            for j, rule in enumerate(self.rules[1:], start=1):
                row[f"limit_{j}"] = stats[j]
                row[f"limit_{j}_low"], row[f"limit_{j}_high"] = bands[j]
                row[f"limit_{j}_met"] = bool(rule.met(stats[j : j + 1])[0])
            row["feasible"] = self.feasible(stats)
            rows.append(row)
        return pd.DataFrame(rows)
