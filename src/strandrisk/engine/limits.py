"""Risk limits: the value of a decision at which a Monte Carlo statistic reaches its limit.

A risk manager who reports Capex-at-Risk is soon asked the converse: how much may we commit
before it exceeds the limit? :func:`solve_limit` answers for one numeric decision (capex growth,
a company's 2026 capex, the debt share, a booked life) and one statistic of one company's
outcomes over the uncertainty space: a quantile (``stranded_peak.p95 <= 1e12``, Capex-at-Risk),
a mean, or a probability (``P(npv_2026 < 0) <= 0.2``, ``P(min_dscr < 1.2) <= 0.05``).

Every trial value runs on the same parameter draws (common random numbers, as
:func:`~strandrisk.engine.decisions.compare_decisions` does): the decision's column is set to
the trial value in every draw, the other draws unchanged, so the statistic moves only with the
decision and the solve is not fooled by sampling noise between trials. A scan of the range
(nine values, one batch) finds where the statistic crosses the limit; bisection then narrows
each crossing to a ten-thousandth of the range. A statistic that is not monotone in the
decision can cross more than once: each crossing is reported. Several limits (a risk appetite:
Capex-at-Risk and a covenant chance, say) must all hold; each crossing then names the limit that
binds there. Every statistic comes with its 95 % sampling interval, and every crossing with its
sampling error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.engine.limit_rules import LIMIT_OUTCOMES, Limit, parse_limit
from strandrisk.engine.mc_exec import sample_in_threads
from strandrisk.engine.simulate import simulate
from strandrisk.errors import InputError, did_you_mean, whole_number
from strandrisk.scenarios.sampling import SAMPLERS, UncertaintySpace
from strandrisk.scenarios.schema import SHARE_RULES, Scenario, field_metadata

__all__ = ["LIMIT_OUTCOMES", "Limit", "LimitSolution", "parse_limit", "solve_limit"]

SCAN = 9
"""Values of the decision scanned across its range, in one batch. [count]"""
BATCH = 200_000
"""Most scenarios in one model batch (trial values x draws). [count]"""
TOLERANCE = 1e-4
"""Width of a bracketed crossing at which bisection stops, relative to the range. [-]"""


@dataclass(frozen=True, slots=True)
class LimitSolution:
    """Where one or several limits bind as one decision moves over its range.

    Attributes
    ----------
    key : str
        The decision (a numeric scenario parameter). [-]
    limits : tuple of Limit
        The limits, all to be met. [-]
    company : str
        Whose outcomes. [-]
    n, seed : int
        Draws and root seed. [count, -]
    sampler : str
        Sampling design. [-]
    low, high : float
        The range searched. [parameter unit]
    crossings : tuple of float
        Values at which the decision passes from meeting every limit to breaching one, or
        back, in increasing order (empty when they hold, or fail, over the whole range).
        [parameter unit]
    binding : tuple of str
        The limit that binds at each crossing (its text; several joined by ``" and "``). [-]
    errors : tuple of float
        Sampling error of each crossing: the wider side of the binding statistic's 95 %
        interval there over its slope across the scan step that brackets the crossing (a
        first-order estimate; ``inf`` where the interval is unbounded, NaN for the scenario
        as given, which has no draws). [parameter unit]
    trials : pandas.DataFrame
        One row per value tried and limit: ``value``, ``limit`` (its text), ``statistic``,
        its 95 % sampling interval ``low`` and ``high``, ``met``; sorted by value, then in
        the order of the limits. [parameter unit, -, statistic unit, -]
    own_value : float
        The scenario's own value of the decision. [parameter unit]
    drawn : bool
        Whether the statistics are over draws of the uncertainty (False: the scenario as
        given, a goal seek). [-]
    """

    key: str
    limits: tuple[Limit, ...]
    company: str
    n: int
    seed: int
    sampler: str
    low: float
    high: float
    crossings: tuple[float, ...]
    binding: tuple[str, ...]
    errors: tuple[float, ...]
    trials: pd.DataFrame
    own_value: float
    drawn: bool = True

    @property
    def limit(self) -> Limit:
        """The first limit (the only one, usually) [-]."""
        return self.limits[0]

    @property
    def feasible(self) -> pd.Series:
        """Whether every limit is met, per value tried (index: the value) [-]."""
        return self.trials.groupby("value", sort=True)["met"].all()

    @property
    def status(self) -> str:
        """``binds`` (crossings found), ``holds`` or ``fails`` over the whole range [-]."""
        if self.crossings:
            return "binds"
        return "holds" if bool(self.feasible.all()) else "fails"

    @property
    def meets_below(self) -> bool | None:
        """Whether values below the first crossing meet every limit (None without one) [-]."""
        if not self.crossings:
            return None
        return bool(self.feasible.iloc[0])

    @property
    def own_statistics(self) -> pd.Series:
        """Each limit's statistic at the scenario's own value (index: the limit's text) [-]."""
        rows = self.trials[self.trials["value"] == self.own_value]
        return rows.set_index("limit")["statistic"]

    @property
    def own_statistic(self) -> float:
        """The first limit's statistic at the scenario's own value [statistic unit]."""
        return float(self.own_statistics.iloc[0])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the solution as tables: ``summary``, ``crossings`` and ``trials``.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``summary`` (what was solved: item, setting), ``crossings`` (``value``,
            ``error``, ``binding``) and :attr:`trials`. [parameter unit, statistic unit]
        """
        summary = pd.DataFrame(
            [
                ("decision", self.key),
                ("limits", "; ".join(rule.text for rule in self.limits)),
                ("company", self.company),
                ("draws", self.n if self.drawn else "none: the scenario as given"),
                ("seed", self.seed),
                ("sampler", self.sampler if self.drawn else "-"),
                ("range", f"{self.low:g} to {self.high:g}"),
                ("status", self.status),
                ("scenario's own value", self.own_value),
            ],
            columns=["item", "setting"],
        )
        crossings = pd.DataFrame(
            {"value": self.crossings, "error": self.errors, "binding": self.binding},
            columns=["value", "error", "binding"],
        )
        return {"summary": summary, "crossings": crossings, "trials": self.trials}

    def as_json(self) -> dict[str, object]:
        """Return the solution as JSON-ready data (NaN as null)."""

        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {
            "key": self.key,
            "limits": [rule.text for rule in self.limits],
            "company": self.company,
            "n": self.n,
            "seed": self.seed,
            "sampler": self.sampler if self.drawn else None,
            "drawn": self.drawn,
            "range": [self.low, self.high],
            "status": self.status,
            "crossings": list(self.crossings),
            "binding": list(self.binding),
            "crossing_errors": [num(e) for e in self.errors],
            "meets_below_first_crossing": self.meets_below,
            "scenario_value": self.own_value,
            "scenario_statistics": {k: num(v) for k, v in self.own_statistics.items()},
            "trials": [
                {
                    "value": float(r.value),
                    "limit": r.limit,
                    "statistic": num(r.statistic),
                    "interval": [num(r.low), num(r.high)],
                    "met": bool(r.met),
                }
                for r in self.trials.itertuples(index=False)
            ],
            "units": {rule.text: rule.unit for rule in self.limits},
        }


def _bounds(scenario: Scenario, key: str, where: str = "limit") -> tuple[float, float]:
    """Return a numeric key's allowed range; refuse a choice, and a share that cannot move alone."""
    flat = scenario.flat()
    hint = did_you_mean(key, flat) if key not in flat else ""
    if hint:
        raise InputError(f"{where}: unknown key {key!r}{hint}")
    meta = field_metadata(key) if key in flat else {}
    if "lo" not in meta:
        raise InputError(
            f"{where}: {key!r} is not a numeric scenario parameter to solve for (a choice such "
            "as capex.path has no values in between: compare them with mc --compare)"
        )
    _alone(key, where)
    return float(meta["lo"]), float(meta["hi"])


def _alone(key: str, where: str) -> None:
    """Refuse a share that must add to 1 with others: it cannot move alone."""
    for rule in SHARE_RULES:
        if rule.exactly_one and key in rule.keys:
            raise InputError(
                f"{where}: {key} is one of {', '.join(rule.keys)}, which add to 1: it cannot "
                "move alone"
            )


def _default_range(
    space: UncertaintySpace | None,
    key: str,
    own: float,
    lo_ok: float,
    hi_ok: float,
    where: str = "limit",
    remedy: str = "give --between LOW:HIGH",
) -> tuple[float, float]:
    """Return the prior's support, else the register row's range, else the allowed range."""
    from strandrisk.assumptions.register import load_register
    from strandrisk.io.scenario import register_row

    if space is not None and key in space.keys:
        low, high = space.distributions[space.keys.index(key)].support()
        return max(low, lo_ok), min(high, hi_ok)
    row = register_row(key)
    reg = load_register()
    if row and row in reg and reg[row].low is not None and reg[row].high is not None:
        low, high = max(reg[row].canonical_low, lo_ok), min(reg[row].canonical_high, hi_ok)
        if low < high:
            return low, high
    if hi_ok - lo_ok > 100 * max(abs(own), 1e-12):
        raise InputError(
            f"{where}: {key} is not drawn in this run and has no range in the register; its "
            f"allowed range [{lo_ok:g}, {hi_ok:g}] dwarfs its value {own:g}: {remedy}"
        )
    return lo_ok, hi_ok


def solve_limit(
    scenario: Scenario,
    space: UncertaintySpace | None,
    key: str,
    limit: Limit | str | Sequence[Limit | str],
    n: int = 4000,
    seed: int = 0,
    sampler: str = "lhs",
    company: str = "industry",
    between: tuple[float, float] | None = None,
) -> LimitSolution:
    """Find the values of a decision at which a statistic of the outcomes reaches a limit.

    With several limits (a risk appetite: Capex-at-Risk and a covenant, say), the crossings
    are where the decision passes from meeting all of them to breaching one, and each says
    which limit binds there.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its companies and horizon stay as they are. [-]
    space : UncertaintySpace or None
        The uncertainty drawn from (:func:`strandrisk.load_uncertainty`); ``None`` runs the
        scenario as given, one draw (a goal seek: every quantile and the mean are then the
        outcome itself, a share 0 or 1). [-]
    key : str
        The decision: a numeric parameter (``capex.growth``, ``financing.debt_share``,
        ``companies.meta.capex_2026``). If it is uncertain it is held at each trial value in
        every draw. [-]
    limit : Limit or str, or a sequence of them
        The limit or limits (:func:`parse_limit`), all on ``company``'s outcomes. [-]
    n : int
        Draws per trial value. [count]
    seed : int
        Root seed; the draws are those of ``mc --n N --seed S``. [-]
    sampler : {"mc", "lhs", "sobol"}
        Sampling design. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]
    between : (float, float), optional
        The range to search; default the decision's prior range if it is uncertain, else
        its register row's range, else its allowed range (refused when that dwarfs the
        value: give the range). [parameter unit]

    Returns
    -------
    LimitSolution
        Crossings and the limit binding at each, every trial, the scenario's own value.

    Raises
    ------
    InputError
        A key that is not numeric, a range outside the allowed one, a bad or no limit,
        sampler, company or draw count.
    """
    given = [limit] if isinstance(limit, str | Limit) else list(limit)
    rules = tuple(parse_limit(x) if isinstance(x, str) else x for x in given)
    if not rules:
        raise InputError("limit: name at least one limit")
    n = whole_number("n", n, 1) if space is not None else 1
    if sampler not in SAMPLERS:
        raise InputError(f"sampler {sampler!r}: one of {', '.join(SAMPLERS)}")
    company = scenario.check_company(company)
    low, high, own = _search_range(scenario, space, key, between)
    samples = sample_in_threads(space, 0, n, seed, sampler) if space is not None else {}
    trials = _Trials(scenario, samples, key, n, rules, company)
    scan = np.linspace(low, high, SCAN)
    stats = trials.statistics(np.append(scan, own) if low <= own <= high else scan)
    met = trials.meets(stats[:SCAN])
    crossings, binding, errors = [], [], []
    for i in np.flatnonzero(met[1:] != met[:-1]):  # a bracket per change of side
        c, flips = trials.crossing(scan[i], scan[i + 1], bool(met[i]), TOLERANCE * (high - low))
        crossings.append(c)
        binding.append(" and ".join(rules[j].text for j in flips))
        width = []
        for j in flips:  # the binding statistic's interval over its slope across the scan step
            slope = (stats[i + 1, j] - stats[i, j]) / (scan[i + 1] - scan[i])
            half = float(np.max(np.abs(trials.seen[c][1][j] - trials.seen[c][0][j])))
            width.append(half / abs(slope) if slope != 0 and math.isfinite(half) else math.inf)
        errors.append(max(width) if space is not None else math.nan)  # one draw: no error
    trials.statistics(np.array([own]))
    return LimitSolution(
        key=key,
        limits=rules,
        company=company,
        n=n,
        seed=seed,
        sampler=sampler,
        low=float(low),
        high=float(high),
        crossings=tuple(float(c) for c in crossings),
        binding=tuple(binding),
        errors=tuple(float(e) for e in errors),
        trials=trials.table(),
        own_value=own,
        drawn=space is not None,
    )


def run_points(
    scenario: Scenario,
    samples: dict[str, np.ndarray],
    keys: Sequence[str],
    points: np.ndarray,
    n: int,
    rules: Sequence[Limit],
    company: str,
    where: str = "limit",
) -> tuple[np.ndarray, np.ndarray]:
    """Return each rule's statistic and its 95 % interval at each point of the decisions.

    Every point runs on the same draws (common random numbers): ``keys``' columns are set to
    the point's values in every draw, the other draws unchanged; points run in batches of at
    most :data:`BATCH` scenarios.

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]
    samples : dict of str to ndarray
        The draws, ``n`` per parameter (empty: the scenario as given, ``n`` = 1). [unit]
    keys : sequence of str
        The decisions, numeric scenario parameters. [-]
    points : ndarray, shape (m, len(keys))
        The decisions' values at each point. [each key's unit]
    n : int
        Draws per point. [count]
    rules : sequence of Limit
        The statistics (a limit's bound is not used). [-]
    company : str
        Whose outcomes. [-]
    where : str
        The command, for a refusal's message. [-]

    Returns
    -------
    tuple of ndarray
        The statistics, shape (m, rules), and their intervals, shape (m, rules, 2).
        [statistic unit]
    """
    llcr = any(rule.outcome == "min_llcr" for rule in rules)
    per = max(1, BATCH // n)  # points per batch
    m = len(points)
    stats, bands = np.empty((m, len(rules))), np.empty((m, len(rules), 2))
    for start in range(0, m, per):
        part = points[start : start + per]
        batch = {k: np.tile(v, len(part)) for k, v in samples.items()}
        for j, key in enumerate(keys):
            batch[key] = np.repeat(part[:, j], n)
        try:
            table = simulate(scenario, batch, breakeven=False, keep_series=False, llcr=llcr)
        except ValueError as exc:  # a value the scenario's other values cannot take
            raise InputError(f"{where}: {', '.join(keys)}: {exc}") from None
        mine = table.outcomes[table.outcomes["company"] == company]
        done = slice(start, start + len(part))
        for r, rule in enumerate(rules):
            rows = mine[rule.outcome].to_numpy(dtype=float).reshape(len(part), n)
            stats[done, r] = rule.evaluate(rows)
            bands[done, r] = rule.interval(rows)
    return stats, bands


def _search_range(
    scenario: Scenario,
    space: UncertaintySpace | None,
    key: str,
    between: tuple[float, float] | None,
    where: str = "limit",
    remedy: str = "give --between LOW:HIGH",
) -> tuple[float, float, float]:
    """Return the range to search and the scenario's own value of ``key`` [key's unit]."""
    lo_ok, hi_ok = _bounds(scenario, key, where)
    own = float(scenario.flat()[key])
    if between is None:
        low, high = _default_range(space, key, own, lo_ok, hi_ok, where, remedy)
    else:
        low, high = (float(x) for x in between)
    if not (math.isfinite(low) and math.isfinite(high) and lo_ok <= low < high <= hi_ok):
        raise InputError(
            f"{where}: the range {low:g} to {high:g} of {key}: two values with low < high inside "
            f"its allowed range [{lo_ok:g}, {hi_ok:g}]"
        )
    return low, high, own


class _Trials:
    """The limits' statistics at trial values of the decision, each value run once.

    Every trial value runs on the same draws (``samples``, ``n`` of them), with ``key``'s
    column set to the value; ``seen`` maps each value to its statistics and their 95 %
    intervals (one per limit).
    """

    def __init__(
        self,
        scenario: Scenario,
        samples: dict[str, np.ndarray],
        key: str,
        n: int,
        rules: tuple[Limit, ...],
        company: str,
    ) -> None:
        self.scenario, self.samples, self.key, self.n = scenario, samples, key, n
        self.rules, self.company = rules, company
        self.seen: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def statistics(self, values: np.ndarray) -> np.ndarray:
        """Return every limit's statistic at each value, shape (values, limits), batched."""
        todo = np.array([v for v in dict.fromkeys(values.tolist()) if v not in self.seen])
        if todo.size:
            stats, bands = run_points(
                self.scenario,
                self.samples,
                (self.key,),
                todo[:, None],
                self.n,
                self.rules,
                self.company,
            )
            for i, v in enumerate(todo.tolist()):
                self.seen[v] = (stats[i], bands[i])
        return np.array([self.seen[v][0] for v in values.tolist()])

    def meets(self, stats: np.ndarray) -> np.ndarray:
        """Whether every limit is met, per row of statistics (one column per limit)."""
        return np.all([rule.met(stats[:, j]) for j, rule in enumerate(self.rules)], axis=0)

    def crossing(self, a: float, b: float, side_a: bool, width: float) -> tuple[float, list[int]]:
        """Bisect the bracket ``[a, b]`` across which the limits stop being met or start.

        ``side_a``: whether every limit is met at ``a`` (it is not at ``b``, or the other
        way round). Returns the crossing, the middle of the first bracket no wider than
        ``width`` [key's unit], and the limits that change side across it (all of them if
        none does alone).
        """
        while b - a > width:
            mid = 0.5 * (a + b)
            if bool(self.meets(self.statistics(np.array([mid])))[0]) == side_a:
                a = mid
            else:
                b = mid
        c = 0.5 * (a + b)
        at = self.statistics(np.array([a, b, c]))  # either side, and at the crossing
        flips = [
            j
            for j, rule in enumerate(self.rules)
            if rule.met(at[:1, j])[0] != rule.met(at[1:2, j])[0]
        ]
        return c, flips or list(range(len(self.rules)))

    def table(self) -> pd.DataFrame:
        """Return every trial value's statistics, as :attr:`LimitSolution.trials`."""
        rows = [
            {
                "value": v,
                "limit": rule.text,
                "statistic": float(stat[j]),
                "low": float(band[j][0]),
                "high": float(band[j][1]),
                "met": bool(rule.met(np.array([stat[j]]))[0]),
            }
            for v, (stat, band) in sorted(self.seen.items())
            for j, rule in enumerate(self.rules)
        ]
        return pd.DataFrame(rows, columns=["value", "limit", "statistic", "low", "high", "met"])
