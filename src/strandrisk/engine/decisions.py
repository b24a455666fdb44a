"""Decisions compared over the same draws: common random numbers, changes draw by draw.

A CFO's question is rarely "what is the distribution?" but "what does this decision change
in it?": flat capex instead of guided, shorter booked lives, more debt. @RISK answers it with
``RiskSimtable`` (one simulation per value of a decision, the same draws in each), EMA
Workbench with policies (levers) run against the same scenarios. :func:`compare_decisions`
does both: every decision is run on the same parameter draws as the scenario as given, in
the same task, so each draw yields a *paired* change — far more precise than the difference of
two independent runs, and a direct "in what share of the futures does it help?".

Each task draws its parameters once (as :func:`~strandrisk.engine.montecarlo.run_mc` does),
runs the scenario as given and then each decision on them, and reduces: per decision and
company a quantile sketch of each compared outcome, and of its change from the scenario as
given. Sketches merge exactly and in any order, so the comparison is the same bit for bit for
any chunk size or number of workers. A decision that sets an uncertain parameter holds it at
that value in every draw (the other parameters' draws are unchanged).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from strandrisk.core.sketch import QuantileSketch
from strandrisk.engine.mc_exec import executor, run_tasks, sample_in_threads
from strandrisk.engine.mc_result import CONFIDENCE, _share
from strandrisk.engine.mc_task import first_years
from strandrisk.engine.model import START_YEAR
from strandrisk.engine.simulate import simulate
from strandrisk.errors import InputError, did_you_mean, whole_number
from strandrisk.io.scenario import with_values
from strandrisk.jsonable import json_rows
from strandrisk.scenarios.sampling import SAMPLERS, UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = [
    "AS_GIVEN",
    "COMPARED",
    "COVERS",
    "LOAN_COVER",
    "REGRET",
    "SATISFICING",
    "DecisionComparison",
    "band_label",
    "compare_decisions",
    "decided",
    "decision_change",
    "requirement_text",
]

AS_GIVEN = "as given"
"""Label of the scenario itself among the decisions compared."""
COMPARED = ("stranded_peak", "npv_2026", "impairment_ifrs")
"""Outcomes compared per decision and company."""
COVERS = {"min_dscr": 1.2, "min_interest_cover": 2.0}
"""Debt cover outcomes compared per decision and company, with the level whose breach is
counted (:meth:`DecisionComparison.cover`): a financing decision moves these, not the money
outcomes."""
REGRET = {"npv_2026": True, "stranded_peak": False}
"""Outcomes whose regret a comparison measures, and whether more is better (EMA Workbench's
robustness metrics): in each draw, how far a decision falls short of the best decision for
that draw (:meth:`DecisionComparison.regret`). Stresses change the futures, not the choice,
so only the scenario as given and the decisions take part."""
ROBUSTNESS = {"npv_2026": True, "stranded_peak": False, "impairment_ifrs": False}
"""Outcomes whose robustness metrics a comparison reports, and whether more is better
(:meth:`DecisionComparison.robustness`)."""
HURWICZ = 0.5
"""Weight of the best outcome in Hurwicz's optimism-pessimism metric. [-]"""
LOAN_COVER = {"min_llcr": 1.0}
"""Compared as well when asked for (``compare_decisions(..., llcr=True)``, ``mc --compare
--llcr``): the lowest quarterly loan life cover ratio, counted below 1."""
AT_ONCE = {"ifrs": "impaired_companies_by_", "usgaap": "impaired_companies_usgaap_by_"}
"""Per standard, the start of the outcome names under which a comparison keeps, per decision
and year, how many companies have had a first material impairment by the end of that year in
each draw (the year follows): :meth:`DecisionComparison.at_once`. A comparison stored before
US GAAP's counts were kept has the IFRS ones only."""
STANDARD_NAMES = {"ifrs": "IFRS", "usgaap": "US GAAP"}
"""The impairment standards as tables name them."""
SATISFICING = "satisficing: "
"""Start of the outcome name under which a comparison keeps each draw's satisficing: 1 where
the decision meets every requirement, 0 where not; the requirements follow
(:func:`requirement_text`), so a stored comparison keeps them."""
_STRUCTURE = ("name", "description", "start", "years", "companies.include")
"""Keys a decision may not change: the draws must describe the same companies and quarters."""

_Sketches = dict[tuple[str, str, str], QuantileSketch]


@dataclass(frozen=True, slots=True)
class DecisionComparison:
    """Decisions compared with the scenario as given over the same draws.

    Attributes
    ----------
    n, seed, sampler : int, int, str
        Run design (shared by every decision).
    decisions : dict
        Label -> overrides (``{"dotted.key": value}``), the scenario as given first (no
        overrides).
    outcomes : dict
        ``(decision, company, outcome)`` -> quantile sketch of the outcome, for the
        outcomes of :data:`COMPARED` [USD] and :data:`COVERS` [ratio].
    changes : dict
        ``(decision, company, outcome)`` -> quantile sketch of the decision's outcome less
        the scenario as given's, draw by draw (decisions other than the scenario as given).
        [USD]
    regrets : dict
        ``(decision, company, outcome)`` -> quantile sketch of the decision's regret in each
        draw (:data:`REGRET`); empty with no decision besides stresses (or in a comparison
        stored before regrets were kept). [USD]
    """

    n: int
    seed: int
    sampler: str
    decisions: dict[str, dict[str, Any]]
    outcomes: _Sketches
    changes: _Sketches
    regrets: _Sketches = field(default_factory=dict)

    def summary(self, company: str = "industry") -> pd.DataFrame:
        """Each decision's distribution of the compared outcomes for one company.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]

        Returns
        -------
        pandas.DataFrame
            Index decision; columns ``stranded_peak_p50``, ``stranded_peak_p95`` (the
            Capex-at-Risk), ``npv_2026_p50``, ``p_npv_negative`` [fraction],
            ``impairment_ifrs_mean``. [USD]
        """
        self._check(company)
        rows = {}
        for label in self.decisions:
            peak = self.outcomes[(label, company, "stranded_peak")]
            npv = self.outcomes[(label, company, "npv_2026")]
            imp = self.outcomes[(label, company, "impairment_ifrs")]
            p50, p95 = peak.quantile(np.array([0.5, 0.95]))
            rows[label] = {
                "stranded_peak_p50": float(p50),
                "stranded_peak_p95": float(p95),
                "npv_2026_p50": float(npv.quantile(0.5)),
                "p_npv_negative": npv.share_beyond(0.0, above=False),
                "impairment_ifrs_mean": imp.mean(),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("decision")

    def cover(self, company: str = "industry") -> pd.DataFrame:
        """Each decision's debt cover for one company: lowest DSCR and interest cover.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]

        Returns
        -------
        pandas.DataFrame
            Index decision; per outcome of :data:`COVERS` (and :data:`LOAN_COVER` when the
            comparison computed it) its median over the draws with debt (``min_dscr_p50``,
            ``min_interest_cover_p50``, ``min_llcr_p50``) [ratio] and the share of all draws
            below its level (``min_dscr_below``, ``min_interest_cover_below``,
            ``min_llcr_below``; a draw without debt service, interest or debt counts as no
            breach) [fraction].
        """
        self._check(company)
        rows = {}
        for label in self.decisions:
            row = {}
            for outcome, level in self.covers.items():
                sketch = self.outcomes[(label, company, outcome)]
                row[f"{outcome}_p50"] = float(sketch.quantile(0.5)) if sketch.count else math.nan
                row[f"{outcome}_below"] = _share(sketch, level, above=False)
            rows[label] = row
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("decision")

    @property
    def llcr(self) -> bool:
        """Whether the loan life cover was compared (``compare_decisions(..., llcr=True)``)."""
        return (AS_GIVEN, "industry", "min_llcr") in self.outcomes

    @property
    def covers(self) -> dict[str, float]:
        """Return the debt cover outcomes compared and the level each breach counts at [ratio]."""
        return {**COVERS, **(LOAN_COVER if self.llcr else {})}

    def settings(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, tuple]]]:
        """Return the decisions and the stresses as :func:`compare_decisions` takes them.

        A stress is stored as its bands' labels (:func:`band_label`); read back as the
        cumulative probabilities, so that the comparison can be run again.

        Returns
        -------
        decisions, stresses : dict
            Label -> values set; label -> ``{key: (low, high)}``. [canonical, -]
        """
        decisions: dict[str, dict[str, Any]] = {}
        stresses: dict[str, dict[str, tuple]] = {}
        for label, setting in self.decisions.items():
            if label == AS_GIVEN:
                continue
            bands = {k: _BAND.fullmatch(str(v)) for k, v in setting.items()}
            if " in P" in label and all(bands.values()):
                stresses[label] = {
                    k: (float(m.group(1)) / 100, float(m.group(2)) / 100)  # type: ignore[union-attr]
                    for k, m in bands.items()
                }
            else:
                decisions[label] = dict(setting)
        return decisions, stresses

    def regret(self, company: str = "industry") -> pd.DataFrame:
        """Each decision's regret, draw by draw: how far it falls short of the best decision.

        In each draw the best decision is the one with the highest NPV (the lowest peak
        stranded value); a decision's regret is its distance from that best, zero when it
        is the best (or tied). EMA Workbench's robustness metrics: the maximum regret
        (minimax regret picks the decision with the smallest) and the 90th percentile.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]

        Returns
        -------
        pandas.DataFrame
            Index (decision, outcome); ``best_in`` (the share of draws in which the
            decision is the best or tied) [fraction], ``mean``, ``p90`` and ``max`` regret
            [USD]. Empty when the comparison has no regrets.
        """
        self._check(company)
        rows = {}
        for (label, who, outcome), sketch in self.regrets.items():
            if who != company:
                continue
            p90, top = sketch.quantile(np.array([0.9, 1.0]))
            rows[(label, outcome)] = {
                "best_in": float(sketch.counts[sketch.keys == 0].sum()) / sketch.count,
                "mean": sketch.mean(),
                "p90": float(p90),
                "max": float(top),
            }
        order = {label: i for i, label in enumerate(self.decisions)}
        keys = sorted(rows, key=lambda k: (order[k[0]], list(REGRET).index(k[1])))
        frame = pd.DataFrame([rows[k] for k in keys], columns=["best_in", "mean", "p90", "max"])
        frame.index = pd.MultiIndex.from_tuples(keys, names=["decision", "outcome"])
        return frame

    def robustness(self, company: str = "industry") -> tuple[pd.DataFrame, pd.DataFrame]:
        """Each decision's robustness metrics, and the decision each metric picks.

        The metrics of McPhail et al. (2018, *Earth's Future* 6: 169-191), EMA Workbench's
        robustness metrics, over the draws (each value within the sketches' 0.01 %), with
        "worst" and "best" by the outcome's direction (:data:`ROBUSTNESS`: a higher NPV, a
        lower peak stranded value and impairment): ``laplace`` (the mean: the principle of
        insufficient reason), ``maximin`` (the worst draw), ``maximax`` (the best),
        ``hurwicz`` (:data:`HURWICZ` of the best plus the rest of the worst), ``decile``
        (the worst tenth's edge: P10 of the NPV, P90 of the others; percentile-based),
        ``sd`` (the spread: less is better), ``skew`` (percentile skewness, ``((P90 + P10)
        / 2 - P50) / ((P90 - P10) / 2)``, toward the good side is better) and ``kurtosis``
        (percentile kurtosis, ``(P90 - P10) / (P75 - P25)``: less is better). Regret and
        satisficing are :meth:`regret` and :meth:`satisficing`. Stresses change the futures,
        not the choice, and take no part.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]

        Returns
        -------
        metrics : pandas.DataFrame
            Index (outcome, decision), a column per metric. [USD; skew and kurtosis -]
        picks : pandas.DataFrame
            Index outcome, a column per metric: the decision the metric ranks first (the
            first on a tie). [-]
        """
        self._check(company)
        taking_part = {label for label, _, _ in self.regrets}  # the decisions, no stress
        chosen = [label for label in self.decisions if label in taking_part] or [AS_GIVEN]
        rows = {}
        for outcome, up in ROBUSTNESS.items():
            for label in chosen:
                sketch = self.outcomes[(label, company, outcome)]
                p10, p25, p50, p75, p90 = sketch.quantile(np.array([0.1, 0.25, 0.5, 0.75, 0.9]))
                worst, best = (
                    (sketch.minimum(), sketch.maximum())
                    if up
                    else (sketch.maximum(), sketch.minimum())
                )
                half = (p90 - p10) / 2
                rows[(outcome, label)] = {
                    "laplace": sketch.mean(),
                    "maximin": worst,
                    "maximax": best,
                    "hurwicz": HURWICZ * best + (1 - HURWICZ) * worst,
                    "decile": float(p10 if up else p90),
                    "sd": sketch.std(),
                    "skew": float(((p90 + p10) / 2 - p50) / half) if half > 0 else np.nan,
                    "kurtosis": float((p90 - p10) / (p75 - p25)) if p75 > p25 else np.nan,
                }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index = pd.MultiIndex.from_tuples(list(rows), names=["outcome", "decision"])
        picks = {}
        for outcome, up in ROBUSTNESS.items():
            part = frame.xs(outcome, level="outcome")
            # the direction of each metric: the outcome's for the levels, toward the good
            # side for the skew, less for the spread and the tails' weight
            sense = {m: up for m in ("laplace", "maximin", "maximax", "hurwicz", "decile")}
            sense.update(sd=False, skew=up, kurtosis=False)
            picks[outcome] = {m: _first(part[m], sense[m]) for m in frame.columns}
        return frame, pd.DataFrame.from_dict(picks, orient="index").rename_axis("outcome")

    def at_once(self, event: str = "ifrs") -> pd.DataFrame:
        """Each decision's chance that every company has been impaired by the end of each year.

        The companies share one market, so their impairments come together (``mc``'s
        at-once table); a decision can change how often all of them are hit -- a lender's
        concentration question. A material charge, the industry aside.

        Parameters
        ----------
        event : {"ifrs", "usgaap"}
            Which standard's first impairments. [-]

        Returns
        -------
        pandas.DataFrame
            Index decision; a column per year: the share of the draws in which all the
            companies have had a first material impairment by that year's end. Empty for a
            comparison stored before the standard's counts were kept. [fraction]
        """
        start = AT_ONCE[event]
        found = sorted(
            {
                int(name.removeprefix(start))
                for _, _, name in self.outcomes
                if name.startswith(start)
            }
        )
        if not found:
            return pd.DataFrame()
        every = len(self.companies()) - 1  # the industry aside
        shares = {
            label: [
                self.outcomes[(label, "industry", f"{start}{year}")].share_beyond(every - 0.5)
                for year in found
            ]
            for label in self.decisions
        }
        frame = pd.DataFrame.from_dict(shares, orient="index", columns=found)
        return frame.rename_axis("decision")

    def at_once_by_standard(self) -> pd.DataFrame:
        """Return :meth:`at_once` under each standard kept, one below the other.

        Returns
        -------
        pandas.DataFrame
            Index (decision, standard), the standard as :data:`STANDARD_NAMES` names it; a
            column per year. Empty for a comparison stored before the counts were kept.
            [fraction]
        """
        found = {STANDARD_NAMES[e]: t for e in AT_ONCE if not (t := self.at_once(e)).empty}
        if not found:
            return pd.DataFrame()
        order = list(self.decisions)
        both = pd.concat(found, names=["standard"]).swaplevel()
        return both.sort_index(
            level="decision", key=lambda d: d.map(order.index), sort_remaining=False
        )

    @property
    def requirements(self) -> list[tuple[str, float, bool]]:
        """Return the requirements of the satisficing measure, as given (none: an empty list).

        Returns
        -------
        list of (outcome, value, above)
            Each requirement: the outcome must be above (``above``) or below ``value``.
            [outcome unit]
        """
        for _, _, name in self.outcomes:
            if name.startswith(SATISFICING):
                return _requirements_of(name)
        return []

    def satisficing(self, company: str = "industry") -> pd.Series:
        """Each decision's share of the draws in which it meets every requirement.

        EMA Workbench's satisficing robustness metric (Starr's domain criterion): where
        regret asks how far a decision falls short of the best, this asks how often it is
        good enough -- the NPV positive and the DSCR above its covenant, say.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]

        Returns
        -------
        pandas.Series
            Index decision: the share of the draws [fraction]; empty when the comparison was
            run without requirements.
        """
        self._check(company)
        if not self.requirements:
            return pd.Series(dtype=float, name="satisficing")
        name = SATISFICING + requirement_text(self.requirements)
        shares = {
            label: self.outcomes[(label, company, name)].share_beyond(0.0)
            for label in self.decisions
        }
        return pd.Series(shares, name="satisficing").rename_axis("decision")

    def change(self, company: str = "industry") -> pd.DataFrame:
        """Each decision's change from the scenario as given, draw by draw, for one company.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]

        Returns
        -------
        pandas.DataFrame
            Index (decision, outcome); columns ``mean`` and ``mean_pm`` (half-width of its
            95 % interval, ``1.96 std / sqrt(n)``: for independent draws, conservative for
            Latin hypercube and Sobol'), ``p5``, ``p50``, ``p95`` [USD], and ``share_up``,
            ``share_down``: the share of draws in which the outcome rises or falls
            [fraction].
        """
        self._check(company)
        z = _z(CONFIDENCE)
        rows = {}
        for label in list(self.decisions)[1:]:
            for outcome in COMPARED:
                sketch = self.changes[(label, company, outcome)]
                p5, p50, p95 = sketch.quantile(np.array([0.05, 0.5, 0.95]))
                rows[(label, outcome)] = {
                    "mean": sketch.mean(),
                    "mean_pm": z * sketch.std() / math.sqrt(sketch.count),
                    "p5": float(p5),
                    "p50": float(p50),
                    "p95": float(p95),
                    "share_up": sketch.share_beyond(0.0, above=True),
                    "share_down": sketch.share_beyond(0.0, above=False),
                }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index = pd.MultiIndex.from_tuples(frame.index, names=["decision", "outcome"])
        return frame

    def cumulative(
        self, outcome: str, company: str = "industry", change: bool = False, levels: int = 199
    ) -> pd.DataFrame:
        """Return each decision's cumulative distribution ("S-curve") of one outcome.

        Parameters
        ----------
        outcome : str
            One of :data:`COMPARED`. [-]
        company : str
            A company of the run, or ``"industry"``. [-]
        change : bool
            The distribution of the change from the scenario as given (decisions other than
            the scenario as given) instead of the outcome itself. [-]
        levels : int
            Probabilities, evenly spaced inside (0, 1). [count]

        Returns
        -------
        pandas.DataFrame
            Index the cumulative probability; a column per decision. [USD]
        """
        self._check(company)
        if outcome not in COMPARED:
            raise InputError(f"outcome {outcome!r}: compared are {', '.join(COMPARED)}")
        q = (np.arange(levels) + 0.5) / levels
        source = self.changes if change else self.outcomes
        labels = list(self.decisions)[1:] if change else list(self.decisions)
        return pd.DataFrame(
            {label: source[(label, company, outcome)].quantile(q) for label in labels},
            index=pd.Index(q, name="probability"),
        )

    def companies(self) -> list[str]:
        """Return the companies of the comparison, the industry last [-]."""
        names = {c for (label, c, _) in self.outcomes if label == AS_GIVEN}
        return [*sorted(names - {"industry"}), "industry"]

    def as_json(self) -> dict[str, object]:
        """Return the comparison as one JSON-ready object, every company."""
        summaries, changes, covers, regrets, good = {}, {}, {}, {}, {}
        for company in self.companies():
            regrets[company] = json_rows(self.regret(company))
            covers[company] = json_rows(self.cover(company))
            summaries[company] = json_rows(self.summary(company))
            changes[company] = json_rows(self.change(company))
            good[company] = json_rows(self.satisficing(company).to_frame("share"))
        satisficing = (
            {"requirements": requirement_text(self.requirements), "shares": good}
            if self.requirements
            else None
        )
        together = {e: json_rows(t) for e in AT_ONCE if not (t := self.at_once(e)).empty}
        robust = {}
        for company in self.companies():
            metrics, picks = self.robustness(company)
            robust[company] = {
                "metrics": {o: json_rows(metrics.xs(o, level="outcome")) for o in ROBUSTNESS},
                "picks": {o: dict(picks.loc[o]) for o in ROBUSTNESS},
            }
        return {
            "n": self.n,
            "seed": self.seed,
            "sampler": self.sampler,
            "decisions": {label: dict(o) for label, o in self.decisions.items()},
            "summary": summaries,
            "change": changes,
            "cover": covers,
            "regret": regrets,
            "satisficing": satisficing,
            "at_once": together or None,
            "robustness": robust,
            "confidence": CONFIDENCE,
            "units": {
                "summary": "USD; p_npv_negative a share of the draws",
                "cover": "the lowest annual DSCR and interest cover (EBIT / interest), and "
                "the lowest quarterly LLCR when computed: P50 over the draws with debt "
                "(ratio), and the share of all draws below "
                + ", ".join(f"{v:g}x ({k})" for k, v in self.covers.items())
                + "; a draw without debt counts as no breach",
                "regret": "USD short of the best decision in the same draw (highest NPV, lowest "
                "peak stranded value): mean, p90, max; best_in a share of the draws",
                "satisficing": "the share of the draws in which each decision meets every "
                "requirement (a cover without debt meets its own); null without requirements",
                "robustness": "per company and outcome, each decision's robustness metrics "
                "(McPhail et al. 2018): laplace (mean), maximin (worst draw), maximax (best), "
                "hurwicz (half best, half worst), decile (the worst tenth's edge), sd in USD; "
                "skew and kurtosis (percentile-based) unitless; picks: the decision each "
                "metric ranks first (tied ones joined by ' = ', 'all' when every one ties)",
                "at_once": "per standard (ifrs, usgaap), the share of the draws in which every "
                "company has had a material impairment by the end of each year, per decision",
                "change": "USD, the decision less the scenario as given in the same draw; "
                "mean_pm the half-width of the mean's 95 % interval; share_up and share_down "
                "shares of the draws",
            },
        }

    def _check(self, company: str) -> None:
        if (AS_GIVEN, company, COMPARED[0]) not in self.outcomes:
            known = ", ".join(self.companies())
            raise InputError(f"company {company!r}: not in the comparison; it has {known}")


def _first(values: pd.Series, more: bool) -> str | None:
    """Return the decision a metric ranks first: tied ones joined by `` = ``, all: ``"all"``.

    None where no decision has a value. Values within 1e-9 (relative) of the best tie.
    """
    found = values.dropna()
    if found.empty:
        return None
    top = found.max() if more else found.min()
    tied = [str(d) for d, v in found.items() if abs(v - top) <= 1e-9 * max(abs(top), 1.0)]
    return "all" if len(tied) == len(values) > 1 else " = ".join(tied)


def requirement_text(requirements: list[tuple[str, float, bool]]) -> str:
    """Write requirements as one line, e.g. ``npv_2026 > 0.0 and min_dscr > 1.2``.

    Parameters
    ----------
    requirements : list of (outcome, value, above)
        Each outcome above (``above``) or below its value. [outcome unit]

    Returns
    -------
    str
        The requirements joined by "and", each value as Python writes the float (so that
        the line reads back exactly). [-]
    """
    return " and ".join(f"{o} {'>' if up else '<'} {float(v)!r}" for o, v, up in requirements)


_REQUIREMENT = re.compile(r"(\w+) ([<>]) (\S+)")


def _requirements_of(name: str) -> list[tuple[str, float, bool]]:
    """Read the requirements back from a satisficing outcome's name."""
    found = []
    for part in name.removeprefix(SATISFICING).split(" and "):
        m = _REQUIREMENT.fullmatch(part)
        if m is None:
            raise ValueError(f"{name!r}: not a satisficing outcome's name")
        found.append((m.group(1), float(m.group(3)), m.group(2) == ">"))
    return found


def _impaired_by_year(rows: pd.DataFrame, years: list[int], event: str) -> np.ndarray:
    """Per year and draw, how many companies (the industry aside) have had an impairment.

    Returns an array of shape (years, draws): the count of companies whose first material
    impairment under ``event`` (``ifrs`` or ``usgaap``) falls in that year or before. [count]
    """
    first = first_years(rows, f"first_impairment_{event}", len(years))  # len(years): never
    by_year = np.arange(len(years))[:, None, None]
    return (first[None, :, :] <= by_year).sum(axis=2).astype(float)


def _meets(rows: pd.DataFrame, requirements: list[tuple[str, float, bool]]) -> np.ndarray:
    """Return 1 for each row that meets every requirement, else 0 (a cover without debt meets)."""
    ok = np.ones(len(rows), dtype=bool)
    for outcome, value, above in requirements:
        y = rows[outcome].to_numpy(dtype=float)
        met = y > value if above else y < value
        if outcome in COVERS or outcome in LOAN_COVER:
            met |= np.isnan(y)  # no debt service: no breach, as the cover table counts it
        ok &= met
    return ok.astype(float)


def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


_Decided = tuple[str, Scenario, dict[str, float], UncertaintySpace | None]


_BAND = re.compile(r"P([0-9.e+-]+)-P([0-9.e+-]+)")
"""A band as :func:`band_label` writes it."""


def band_label(low: float, high: float) -> str:
    """Write a band of cumulative probability as percentiles, ``P90-P100`` [-].

    Parameters
    ----------
    low, high : float
        Cumulative probabilities. [-]
    """
    return f"P{low * 100:g}-P{high * 100:g}"


def _stress(
    scenario: Scenario, space: UncertaintySpace, stresses: Mapping[str, Mapping[str, Any]]
) -> list[_Decided]:
    """Each stress as (label, the scenario, nothing held, the space with its bands)."""
    out: list[_Decided] = []
    for label, bands in stresses.items():
        if not bands:
            raise InputError(f"stress {label!r}: no parameter to stress")
        stressed = space
        for key, band in bands.items():
            if key not in space.keys:
                hint = did_you_mean(key, space.keys)
                raise InputError(
                    f"stress {label!r}: {key} is not an uncertain parameter of this run{hint}; "
                    "a stress narrows an uncertain parameter's range (set a value with a decision)"
                )
            try:
                low, high = (float(x) for x in band)
                stressed = stressed.stressed(key, low, high)
            except (TypeError, ValueError) as exc:
                raise InputError(f"stress {label!r}: {key}: {exc}") from None
        out.append((label, scenario, {}, stressed))
    return out


def _decide(
    scenario: Scenario, space: UncertaintySpace, decisions: Mapping[str, Mapping[str, Any]]
) -> list[_Decided]:
    """Each decision as (label, scenario with its values, uncertain keys it holds, None)."""
    out: list[_Decided] = []
    for label, overrides in decisions.items():
        chosen, held = decided(scenario, space, overrides, label)
        out.append((label, chosen, held, None))
    return out


def decided(
    scenario: Scenario, space: UncertaintySpace, overrides: Mapping[str, Any], label: str
) -> tuple[Scenario, dict[str, float]]:
    """Return a decision's scenario and the uncertain parameters it holds, checked.

    Parameters
    ----------
    scenario : Scenario
        The scenario as given. [-]
    space : UncertaintySpace
        What varies. [-]
    overrides : mapping
        ``{"dotted.key": value}``: what the decision changes. [canonical]
    label : str
        The decision's name, for messages. [-]

    Returns
    -------
    tuple of (Scenario, dict)
        The scenario with the decision's values, and each uncertain parameter it sets with
        the value it is held at in every draw. [canonical]

    Raises
    ------
    InputError
        For the scenario's own label, no value, a key that shapes the draws (the horizon, the
        companies) or a value the scenario refuses.
    """
    if label == AS_GIVEN:
        raise InputError(f"decision label {AS_GIVEN!r} is taken by the scenario itself")
    if not overrides:
        raise InputError(f"decision {label!r}: no value to change")
    for key in overrides:
        if key in _STRUCTURE:
            raise InputError(
                f"decision {label!r}: {key} cannot change between decisions (the same "
                "draws must describe the same companies and quarters); set it for the run"
            )
    chosen = with_values(scenario, overrides, f"decision {label!r}")
    flat = chosen.flat()
    return chosen, {k: float(flat[k]) for k in overrides if k in space.keys}


def decision_change(
    scenario: Scenario,
    space: UncertaintySpace,
    overrides: Mapping[str, Any],
    samples: pd.DataFrame,
    given: pd.Series,
    company: str = "industry",
    chunk: int = 20_000,
) -> np.ndarray:
    """Return a decision's change to one outcome, draw by draw, on draws already made.

    The decision runs on the same parameter values as the scenario as given (an uncertain
    parameter it sets held at its value), so each draw's change is paired: what
    ``discover --decision`` looks for the futures of, as EMA Workbench's vulnerability
    analysis of a policy does.

    Parameters
    ----------
    scenario : Scenario
        The scenario as given. [-]
    space : UncertaintySpace
        What varied. [-]
    overrides : mapping
        ``{"dotted.key": value}``: the decision. [canonical]
    samples : pandas.DataFrame
        The draws' parameter values, indexed by scenario. [canonical]
    given : pandas.Series
        The outcome as given, indexed by scenario like ``samples``; its name is the
        outcome's column. [outcome unit]
    company : str
        Whose outcome. [-]
    chunk : int
        Draws simulated at a time (memory). [count]

    Returns
    -------
    ndarray
        The decision's outcome less the outcome as given, per draw. [outcome unit]
    """
    chosen, held = decided(scenario, space, overrides, "--decision")
    values = []
    for start in range(0, len(samples), chunk):  # chunks of draws, not single scenarios
        part = samples.iloc[start : start + chunk]
        drawn = {k: part[k].to_numpy(dtype=float) for k in part.columns}
        drawn |= {k: np.full(len(part), v) for k, v in held.items()}
        out = simulate(chosen, drawn, breakeven=False, keep_series=False).outcomes
        rows = out[out["company"] == company].sort_values("scenario", kind="stable")
        values.append(rows[str(given.name)].to_numpy(dtype=float))
    return np.concatenate(values) - given.to_numpy(dtype=float)


def _checked_requirements(
    requirements: Sequence[tuple[str, float, bool]], llcr: bool
) -> tuple[tuple[str, float, bool], ...]:
    """Refuse a requirement on an outcome the comparison does not compute, or not a number."""
    known = (*COMPARED, *COVERS, *(LOAN_COVER if llcr else ()))
    for outcome, value, _ in requirements:
        if outcome not in known:
            raise InputError(
                f"requirement on {outcome!r}: a comparison computes {', '.join(known)}"
                + (" (min_llcr with llcr)" if outcome in LOAN_COVER else "")
                + did_you_mean(outcome, known)
            )
        if not math.isfinite(value):
            raise InputError(f"requirement on {outcome}: {value} is not a finite number")
    return tuple((o, float(v), bool(up)) for o, v, up in requirements)


def _sketch_rows(
    rows: pd.DataFrame, label: str, into: _Sketches, outcomes: tuple[str, ...] = COMPARED
) -> None:
    for company, group in rows.groupby("company", sort=True, observed=True):
        for outcome in outcomes:
            values = group[outcome].to_numpy(dtype=float)
            into[(label, str(company), outcome)] = QuantileSketch.of(values)


def _decision_task(
    scenario: Scenario,
    space: UncertaintySpace,
    decided: list[_Decided],
    start: int,
    stop: int,
    seed: int,
    sampler: str,
    llcr: bool = False,
    requirements: tuple[tuple[str, float, bool], ...] = (),
) -> tuple[int, _Sketches, _Sketches, _Sketches]:
    """Run scenarios ``start`` to ``stop - 1`` as given and under each decision, and reduce."""
    samples = sample_in_threads(space, start, stop, seed, sampler)
    covers = (*COVERS, *(LOAN_COVER if llcr else ()))
    firsts = [f"first_impairment_{event}" for event in AT_ONCE]
    columns = ["scenario", "company", *COMPARED, *covers, *firsts]
    sketched = (*COMPARED, *covers)
    years = [START_YEAR + y for y in range(scenario.years)]

    def run(sc: Scenario, held: Mapping[str, float], drawn: Mapping) -> pd.DataFrame:
        drawn = {**drawn, **{k: np.full(stop - start, v) for k, v in held.items()}}
        out = simulate(sc, drawn, breakeven=False, keep_series=False, llcr=llcr).outcomes
        return out.loc[:, columns].reset_index(drop=True)

    outcomes: _Sketches = {}
    changes: _Sketches = {}
    satisficing = SATISFICING + requirement_text(list(requirements))

    def sketch(rows: pd.DataFrame, label: str) -> None:
        _sketch_rows(rows, label, outcomes, sketched)
        for event, start in AT_ONCE.items():
            for year, count in zip(years, _impaired_by_year(rows, years, event), strict=True):
                outcomes[(label, "industry", f"{start}{year}")] = QuantileSketch.of(count)
        if requirements:
            met = rows.assign(**{satisficing: _meets(rows, list(requirements))})
            _sketch_rows(met, label, outcomes, (satisficing,))

    base = run(scenario, {}, samples)
    sketch(base, AS_GIVEN)
    chosen_rows = {AS_GIVEN: base}  # the same futures: the scenario as given and the decisions
    for label, chosen, held, stressed in decided:
        # a stress draws from its own bands, with the same uniforms: the same futures otherwise
        drawn = (
            samples if stressed is None else sample_in_threads(stressed, start, stop, seed, sampler)
        )
        rows = run(chosen, held, drawn)
        sketch(rows, label)
        diff = rows.copy()
        diff[list(COMPARED)] = rows[list(COMPARED)].to_numpy() - base[list(COMPARED)].to_numpy()
        _sketch_rows(diff, label, changes)
        if stressed is None:
            chosen_rows[label] = rows
    return stop - start, outcomes, changes, _regrets(chosen_rows)


def _regrets(rows: Mapping[str, pd.DataFrame]) -> _Sketches:
    """Sketch each decision's regret per company and outcome of :data:`REGRET` (rows aligned)."""
    regrets: _Sketches = {}
    if len(rows) < 2:
        return regrets
    labels = list(rows)
    companies = next(iter(rows.values()))["company"].to_numpy()
    for outcome, more_is_better in REGRET.items():
        values = np.stack([rows[label][outcome].to_numpy(dtype=float) for label in labels])
        best = values.max(axis=0) if more_is_better else values.min(axis=0)
        regret = np.abs(best - values)  # 0 for the best (and ties)
        for company in np.unique(companies):
            at = companies == company
            for i, label in enumerate(labels):
                regrets[(label, str(company), outcome)] = QuantileSketch.of(regret[i, at])
    return regrets


def compare_decisions(
    scenario: Scenario,
    space: UncertaintySpace,
    decisions: Mapping[str, Mapping[str, Any]],
    n: int,
    seed: int,
    *,
    sampler: str = "mc",
    chunk_size: int = 100_000,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    stresses: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
    llcr: bool = False,
    requirements: Sequence[tuple[str, float, bool]] = (),
) -> DecisionComparison:
    """Run the scenario as given and each decision on the same ``n`` draws, and compare.

    Parameters
    ----------
    scenario : Scenario
        The scenario as given: the values of the parameters that do not vary. [-]
    space : UncertaintySpace
        What varies; every decision sees the same draws. [-]
    decisions : mapping
        Label -> ``{"dotted.key": value}``: what each decision changes. A key uncertain in
        ``space`` is held at the decision's value in every draw; the horizon and the
        companies cannot change. [canonical]
    n : int
        Draws. [count]
    seed : int
        Root seed (as :func:`~strandrisk.engine.montecarlo.run_mc`: the same draws as a
        Monte Carlo run with this seed and sampler). [-]
    sampler : {"mc", "lhs", "sobol"}
        Sampling design. [-]
    chunk_size : int
        Draws per task; each task runs every decision on its draws. [count]
    workers : int, optional
        Run on a local Dask cluster with this many worker processes. [count]
    scheduler : str, optional
        Address of an existing Dask scheduler. [-]
    progress : callable, optional
        Called with the number of draws finished after each task. [-]
    stresses : mapping, optional
        Label -> ``{"dotted.key": (low, high)}``: @RISK's stress analysis, each uncertain
        parameter named drawn only from that band of its distribution (cumulative
        probabilities), every draw's other parameters unchanged. [-]
    llcr : bool
        Also compare each decision's lowest quarterly loan life cover ratio
        (:data:`LOAN_COVER`; about a fifth more model work). [-]
    requirements : sequence of (outcome, value, above), optional
        What a decision must meet in a draw to count as good enough there
        (:meth:`DecisionComparison.satisficing`): each outcome of :data:`COMPARED`,
        :data:`COVERS` (or, with ``llcr``, :data:`LOAN_COVER`) above or below its value.
        [outcome unit]

    Returns
    -------
    DecisionComparison
        Each decision's distribution and its change from the scenario as given, draw by draw.
    """
    n = whole_number("n", n, 1)
    seed = whole_number("seed", seed, 0)
    chunk_size = whole_number("chunk_size", chunk_size, 1)
    if sampler not in SAMPLERS:
        raise InputError(f"sampler = {sampler!r}: one of {', '.join(SAMPLERS)}")
    if workers is not None and scheduler is not None:
        raise InputError("workers and scheduler: give one (a local cluster or an existing one)")
    if not decisions and not stresses:
        raise InputError("no decision to compare: give at least one")
    taken = set(decisions) & set(stresses or {})
    if taken:
        raise InputError(f"label {sorted(taken)[0]!r}: both a decision and a stress")
    decided = _decide(scenario, space, decisions) + _stress(scenario, space, stresses or {})
    asked = _checked_requirements(requirements, llcr)
    outcomes: _Sketches = {}
    changes: _Sketches = {}
    regrets: _Sketches = {}

    def absorb(part: tuple[int, _Sketches, _Sketches, _Sketches]) -> None:
        done, o, c, r = part
        for into, new in ((outcomes, o), (changes, c), (regrets, r)):
            for key, sketch in new.items():
                into[key] = sketch.merge(into[key]) if key in into else sketch
        if progress is not None:
            progress(done)

    with executor(workers, scheduler) as client:
        args = (scenario, space, decided)
        span = (0, n, chunk_size)
        extra = (seed, sampler, bool(llcr), asked)
        run_tasks(client, _decision_task, args, span, extra, absorb)
    labels: dict[str, dict[str, Any]] = {
        AS_GIVEN: {},
        **{label: dict(o) for label, o in decisions.items()},
        **{
            label: {k: band_label(*(float(x) for x in b)) for k, b in bands.items()}
            for label, bands in (stresses or {}).items()
        },
    }
    return DecisionComparison(n, seed, sampler, labels, outcomes, changes, regrets)
