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
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.engine.montecarlo import COVER_OUTCOMES
from strandrisk.engine.simulate import OUTCOME_UNITS, simulate
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import SAMPLERS, UncertaintySpace, sample_range
from strandrisk.scenarios.schema import SHARE_RULES, Scenario, field_metadata

__all__ = ["LIMIT_OUTCOMES", "Limit", "LimitSolution", "parse_limit", "solve_limit"]

LIMIT_OUTCOMES: tuple[str, ...] = (
    "stranded_peak",
    "stranded_peak_to_2026",
    "impairment_ifrs",
    "impairment_usgaap",
    "npv_2026",
    "irr_2026",
    "min_dscr",
    "min_interest_cover",
    "min_llcr",
    "economic_life_years",
)
"""Outcomes a limit can be set on (``min_llcr``: the loan life cover is then computed). [-]"""
SCAN = 9
"""Values of the decision scanned across its range, in one batch. [count]"""
BATCH = 200_000
"""Most scenarios in one model batch (trial values x draws). [count]"""
TOLERANCE = 1e-4
"""Width of a bracketed crossing at which bisection stops, relative to the range. [-]"""

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTILE = re.compile(rf"^(\w+)\.(p\d{{1,2}}|mean)\s*(<=|>=)\s*({_NUMBER})$")
_SHARE = re.compile(rf"^P\((\w+)\s*([<>])\s*({_NUMBER})\)\s*(<=|>=)\s*({_NUMBER})$")


@dataclass(frozen=True, slots=True)
class Limit:
    """A limit on a statistic of one outcome over the draws.

    Attributes
    ----------
    outcome : str
        Column of the outcome table (:data:`LIMIT_OUTCOMES`). [-]
    statistic : str
        ``p1`` to ``p99`` (a quantile), ``mean``, ``below`` or ``above`` (the share of
        draws below or above ``threshold``). [-]
    threshold : float
        The value a share counts against (NaN for a quantile or mean). [outcome unit]
    bound : float
        The limit on the statistic. [outcome unit; fraction for a share]
    at_most : bool
        ``statistic <= bound`` (True) or ``>= bound``. [-]
    """

    outcome: str
    statistic: str
    threshold: float
    bound: float
    at_most: bool

    @property
    def text(self) -> str:
        """The limit as written (``stranded_peak.p95 <= 1e+12``) [-]."""
        op = "<=" if self.at_most else ">="
        if self.statistic in ("below", "above"):
            sign = "<" if self.statistic == "below" else ">"
            return f"P({self.outcome} {sign} {self.threshold:g}) {op} {self.bound:g}"
        return f"{self.outcome}.{self.statistic} {op} {self.bound:g}"

    @property
    def unit(self) -> str:
        """Unit of the statistic: the outcome's, or a fraction for a share [-]."""
        return "fraction" if self.statistic in ("below", "above") else OUTCOME_UNITS[self.outcome]

    def evaluate(self, values: np.ndarray) -> np.ndarray:
        """Return the statistic of each row of draws.

        Quantiles (linear between order statistics, NumPy's default, as ``mc`` reports them)
        and means leave out undefined values (NaN: no IRR; no debt service for the DSCR); a
        share counts them as not past the threshold (no debt service is no breach).

        Parameters
        ----------
        values : ndarray, shape (m, n)
            The outcome in each of ``n`` draws, for ``m`` trial values. [outcome unit]
        """
        v = np.asarray(values, dtype=float)
        if self.statistic == "below":
            return np.mean(v < self.threshold, axis=-1)
        if self.statistic == "above":
            return np.mean(v > self.threshold, axis=-1)
        if self.statistic == "mean":
            return np.nanmean(np.where(np.isfinite(v), v, np.nan), axis=-1)
        q = int(self.statistic[1:]) / 100.0
        out = np.empty(v.shape[0])
        for i, row in enumerate(v):  # a handful of trial values
            kept = np.sort(row[~np.isnan(row)])
            if kept.size == 0:
                out[i] = np.nan
                continue
            h = (kept.size - 1) * q
            lo = math.floor(h)
            a, b = kept[lo], kept[min(lo + 1, kept.size - 1)]
            out[i] = a if a == b else a + (h - lo) * (b - a)  # no inf - inf
        return out

    def interval(self, values: np.ndarray, confidence: float = 0.95) -> np.ndarray:
        """Return the sampling interval of the statistic of each row of draws.

        A quantile's is distribution-free, from order statistics (ranks from the binomial
        ``(n, q)`` quantiles, as ``mc`` gives them; NaN where too few draws bound it); a
        mean's is ``1.96`` standard errors; a share's is Wilson's score interval. For
        independent draws; conservative for Latin hypercube and Sobol' samples.

        Parameters
        ----------
        values : ndarray, shape (m, n)
            The outcome in each of ``n`` draws, for ``m`` trial values. [outcome unit]
        confidence : float
            Coverage, in (0, 1). [-]

        Returns
        -------
        ndarray, shape (m, 2)
            Low and high bound of each row's statistic. [statistic unit]
        """
        from scipy.stats import binom, norm

        v = np.asarray(values, dtype=float)
        z = float(norm.ppf(0.5 + confidence / 2.0))
        if self.statistic in ("below", "above"):  # Wilson, every row at once
            n, p = v.shape[-1], self.evaluate(v)
            centre = (p + z * z / (2 * n)) / (1 + z * z / n)
            half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
            return np.stack([centre - half, centre + half], axis=-1)
        out = np.full((v.shape[0], 2), np.nan)
        for i, row in enumerate(v):  # a handful of trial values
            if self.statistic == "mean":
                kept = row[np.isfinite(row)]
                if kept.size >= 2:
                    half = z * float(np.std(kept, ddof=1)) / math.sqrt(kept.size)
                    out[i] = (kept.mean() - half, kept.mean() + half)
                continue
            kept = np.sort(row[~np.isnan(row)])
            n = kept.size
            if n < 2:
                continue
            q = int(self.statistic[1:]) / 100.0
            tail = (1.0 - confidence) / 2.0
            lo, hi = binom.ppf(tail, n, q), binom.ppf(1.0 - tail, n, q) + 1.0  # 1-based
            out[i] = (
                kept[int(lo) - 1] if 1 <= lo <= n else np.nan,
                kept[int(hi) - 1] if 1 <= hi <= n else np.nan,
            )
        return out

    def met(self, statistic: np.ndarray) -> np.ndarray:
        """Return whether each statistic keeps within the limit [-].

        An undefined statistic (NaN: no draw defines it) fails the limit, except the DSCR's,
        the interest cover's and the LLCR's: without debt (service, interest) there is no
        covenant to breach.

        Parameters
        ----------
        statistic : ndarray
            Values of the statistic. [statistic unit]
        """
        s = np.asarray(statistic, dtype=float)
        within = s <= self.bound if self.at_most else s >= self.bound
        return within | np.isnan(s) if self.outcome in COVER_OUTCOMES else within


def parse_limit(text: str) -> Limit:
    """Read a limit such as ``stranded_peak.p95<=1e12`` or ``P(npv_2026<0)<=0.2``.

    Parameters
    ----------
    text : str
        ``OUTCOME.pNN`` or ``OUTCOME.mean``, or ``P(OUTCOME<VALUE)`` / ``P(OUTCOME>VALUE)``,
        then ``<=`` or ``>=`` and the limit. Money in USD, shares as fractions. [-]

    Raises
    ------
    InputError
        Anything else, an unknown outcome, a percentile outside 1-99, a share outside 0-1.
    """
    compact = text.strip()
    if m := _QUANTILE.match(compact):
        outcome, stat, op, bound = m.groups()
        threshold = math.nan
    elif m := _SHARE.match(compact):
        outcome, sign, thr, op, bound = m.groups()
        stat, threshold = ("below" if sign == "<" else "above"), float(thr)
    else:
        raise InputError(
            f"limit {text!r}: write OUTCOME.pNN<=VALUE (a quantile, e.g. stranded_peak.p95<=1e12), "
            "OUTCOME.mean>=VALUE, or P(OUTCOME<VALUE)<=SHARE (e.g. P(npv_2026<0)<=0.2)"
        )
    if outcome not in LIMIT_OUTCOMES:
        raise InputError(
            f"limit {text!r}: {outcome!r} is not an outcome a limit can be set on; one of "
            + ", ".join(LIMIT_OUTCOMES)
        )
    if stat.startswith("p") and not 1 <= int(stat[1:]) <= 99:
        raise InputError(f"limit {text!r}: a percentile between p1 and p99")
    if stat in ("below", "above") and not 0.0 <= float(bound) <= 1.0:
        raise InputError(f"limit {text!r}: a probability is a share between 0 and 1")
    return Limit(outcome, stat, threshold, float(bound), op == "<=")


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
    meta = field_metadata(key) if key in scenario.flat() else {}
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
    lo_ok, hi_ok = _bounds(scenario, key)
    own = float(scenario.flat()[key])
    if between is None:
        low, high = _default_range(space, key, own, lo_ok, hi_ok)
    else:
        low, high = (float(x) for x in between)
    if not (math.isfinite(low) and math.isfinite(high) and lo_ok <= low < high <= hi_ok):
        raise InputError(
            f"limit: the range {low:g} to {high:g} of {key}: two values with low < high inside "
            f"its allowed range [{lo_ok:g}, {hi_ok:g}]"
        )
    samples = sample_range(space, 0, n, seed, sampler) if space is not None else {}
    seen: dict[float, tuple[np.ndarray, np.ndarray]] = {}  # value -> statistics, intervals
    llcr = any(rule.outcome == "min_llcr" for rule in rules)

    def run(values: np.ndarray) -> np.ndarray:
        """Return every limit's statistic at each value (all on the same draws), batched."""
        per = max(1, BATCH // n)  # trial values per batch
        todo = np.array([v for v in dict.fromkeys(values.tolist()) if v not in seen])
        for start in range(0, len(todo), per):
            part = todo[start : start + per]
            batch = {k: np.tile(v, len(part)) for k, v in samples.items()}
            batch[key] = np.repeat(part, n)
            try:
                table = simulate(
                    scenario, batch, breakeven=False, keep_series=False, llcr=llcr
                ).outcomes
            except ValueError as exc:  # a value the scenario's other values cannot take
                raise InputError(f"limit: {key}: {exc}") from None
            mine = table[table["company"] == company]
            stats, bands = [], []
            for rule in rules:
                rows = mine[rule.outcome].to_numpy(dtype=float).reshape(len(part), n)
                stats.append(rule.evaluate(rows))
                bands.append(rule.interval(rows))
            for i, v in enumerate(part.tolist()):
                seen[v] = (np.array([x[i] for x in stats]), np.array([x[i] for x in bands]))
        return np.array([seen[v][0] for v in values.tolist()])

    def meets(stats: np.ndarray) -> np.ndarray:
        """Whether every limit is met, per row of statistics (one column per limit)."""
        return np.all([rule.met(stats[:, j]) for j, rule in enumerate(rules)], axis=0)

    scan = np.linspace(low, high, SCAN)
    stats = run(np.append(scan, own) if low <= own <= high else scan)
    met = meets(stats[:SCAN])
    crossings, binding, errors = [], [], []
    for i in np.flatnonzero(met[1:] != met[:-1]):  # a bracket per change of side
        a, b, side_a = scan[i], scan[i + 1], bool(met[i])
        while b - a > TOLERANCE * (high - low):
            mid = 0.5 * (a + b)
            if bool(meets(run(np.array([mid])))[0]) == side_a:
                a = mid
            else:
                b = mid
        c = 0.5 * (a + b)
        at = run(np.array([a, b, c]))  # the statistics either side, and at the crossing
        flips = [
            j for j, rule in enumerate(rules) if rule.met(at[:1, j])[0] != rule.met(at[1:2, j])[0]
        ]
        flips = flips or list(range(len(rules)))
        crossings.append(c)
        binding.append(" and ".join(rules[j].text for j in flips))
        width = []
        for j in flips:  # the binding statistic's interval over its slope across the scan step
            slope = (stats[i + 1, j] - stats[i, j]) / (scan[i + 1] - scan[i])
            half = float(np.max(np.abs(seen[c][1][j] - at[2, j])))
            width.append(half / abs(slope) if slope != 0 and math.isfinite(half) else math.inf)
        errors.append(max(width) if space is not None else math.nan)  # one draw: no error
    if own not in seen:
        run(np.array([own]))
    rows = [
        {
            "value": v,
            "limit": rule.text,
            "statistic": float(seen[v][0][j]),
            "low": float(seen[v][1][j][0]),
            "high": float(seen[v][1][j][1]),
            "met": bool(rule.met(np.array([seen[v][0][j]]))[0]),
        }
        for v in sorted(seen)
        for j, rule in enumerate(rules)
    ]
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
        trials=pd.DataFrame(rows, columns=["value", "limit", "statistic", "low", "high", "met"]),
        own_value=own,
        drawn=space is not None,
    )
