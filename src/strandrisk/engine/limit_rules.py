"""A risk limit on one statistic of one company's outcomes: parsing, evaluating, its interval.

``stranded_peak.p95<=1e12`` (a quantile: Capex-at-Risk), ``npv_2026.mean>=0`` (a mean),
``P(npv_2026<0)<=0.2`` (a probability). :func:`strandrisk.engine.limits.solve_limit` finds the
decision at which such limits are reached; :mod:`strandrisk.engine.limits` re-exports these names.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from strandrisk.engine.montecarlo import COVER_OUTCOMES
from strandrisk.engine.simulate import OUTCOME_UNITS
from strandrisk.errors import InputError

__all__ = ["LIMIT_OUTCOMES", "Limit", "parse_limit", "parse_statistic"]

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
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_BOUNDED = re.compile(rf"^(.+?)\s*(<=|>=)\s*({_NUMBER})$")
_STATISTIC = re.compile(r"^(\w+)\.(p\d{1,2}|mean)$")
_CHANCE = re.compile(rf"^P\((\w+)\s*([<>])\s*({_NUMBER})\)$")


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
        return f"{self.name} {'<=' if self.at_most else '>='} {self.bound:g}"

    @property
    def name(self) -> str:
        """The statistic alone (``stranded_peak.p95``, ``P(npv_2026 < 0)``) [-]."""
        if self.statistic in ("below", "above"):
            sign = "<" if self.statistic == "below" else ">"
            return f"P({self.outcome} {sign} {self.threshold:g})"
        return f"{self.outcome}.{self.statistic}"

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
    m = _BOUNDED.match(text.strip())
    found = _statistic(m.group(1)) if m else None
    if m is None or found is None:
        raise InputError(
            f"limit {text!r}: write OUTCOME.pNN<=VALUE (a quantile, e.g. stranded_peak.p95<=1e12), "
            "OUTCOME.mean>=VALUE, or P(OUTCOME<VALUE)<=SHARE (e.g. P(npv_2026<0)<=0.2)"
        )
    outcome, stat, threshold = found
    op, bound = m.group(2), m.group(3)
    _check(f"limit {text!r}", outcome, stat)
    if stat in ("below", "above") and not 0.0 <= float(bound) <= 1.0:
        raise InputError(f"limit {text!r}: a probability is a share between 0 and 1")
    return Limit(outcome, stat, threshold, float(bound), op == "<=")


def parse_statistic(text: str) -> Limit:
    """Read a statistic to optimise, such as ``npv_2026.mean`` or ``P(min_dscr<1.2)``.

    Parameters
    ----------
    text : str
        ``OUTCOME.pNN`` or ``OUTCOME.mean``, or ``P(OUTCOME<VALUE)`` / ``P(OUTCOME>VALUE)``
        (a share of the draws). Money in USD. [-]

    Returns
    -------
    Limit
        The statistic, its bound NaN (none). [-]

    Raises
    ------
    InputError
        Anything else, an unknown outcome, a percentile outside 1-99.
    """
    found = _statistic(text.strip())
    if found is None:
        raise InputError(
            f"objective {text!r}: write OUTCOME.pNN (a quantile, e.g. stranded_peak.p95), "
            "OUTCOME.mean (e.g. npv_2026.mean) or P(OUTCOME<VALUE) (e.g. P(npv_2026<0))"
        )
    outcome, stat, threshold = found
    _check(f"objective {text!r}", outcome, stat)
    return Limit(outcome, stat, threshold, math.nan, True)


def _statistic(text: str) -> tuple[str, str, float] | None:
    """Return the outcome, statistic and threshold of ``OUTCOME.pNN``, ``.mean`` or ``P(...)``.

    The threshold is NaN but for a share; None for anything else.
    """
    if m := _STATISTIC.match(text):
        return m.group(1), m.group(2), math.nan
    if m := _CHANCE.match(text):
        return m.group(1), ("below" if m.group(2) == "<" else "above"), float(m.group(3))
    return None


def _check(what: str, outcome: str, stat: str) -> None:
    """Refuse an outcome no limit can be set on, and a percentile outside 1-99."""
    if outcome not in LIMIT_OUTCOMES:
        raise InputError(
            f"{what}: {outcome!r} is not an outcome a limit can be set on; one of "
            + ", ".join(LIMIT_OUTCOMES)
        )
    if stat.startswith("p") and not 1 <= int(stat[1:]) <= 99:
        raise InputError(f"{what}: a percentile between p1 and p99")
