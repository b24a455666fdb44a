"""Monte Carlo over the uncertainty space: chunked, streamed, reproducible, optionally on Dask.

Scenarios are run in ranges of ``chunk_size``; each range (a task) draws its own parameter
values (:func:`~strandrisk.scenarios.sampling.sample_range`, identical for a scenario
whatever the range), runs :func:`simulate` and reduces its outcomes: a quantile sketch
(:class:`~strandrisk.core.sketch.QuantileSketch`, 0.01 % relative accuracy) of each
summarised outcome per company, and counts of first impairments per year. The driver adds
the reductions up, which is exact and independent of the order, so the summaries are the
same bit for bit for any chunk size and any number of workers, and memory does not grow
with the number of scenarios. Tasks send their outcome rows too only when the run keeps
them (``outcomes_path``: ``mc --keep`` or ``--store``), and the driver streams those into
DuckDB. Fan charts come from the first :data:`FAN_SCENARIOS` scenarios' series.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from strandrisk.core.drivers import rank_drivers, spearman_interval
from strandrisk.core.sketch import QuantileSketch
from strandrisk.engine.simulate import LLCR_COLUMNS, START_YEAR, simulate, value_paths
from strandrisk.errors import InputError, whole_number
from strandrisk.io.files import atomic_path, ensure_folder, is_duckdb_file
from strandrisk.scenarios.sampling import SAMPLERS, UncertaintySpace, sample_range
from strandrisk.scenarios.schema import Scenario

__all__ = [
    "CONDITION_OUTCOMES",
    "CONFIDENCE",
    "COVENANTS",
    "COVER_OUTCOMES",
    "DRIVER_OUTCOMES",
    "DRIVER_SCENARIOS",
    "FAN_SCENARIOS",
    "INTEREST_COVENANTS",
    "KEPT_COLUMNS",
    "NPV_BELOW_ZERO",
    "PRECISION_FIRST",
    "PRECISION_LEVELS",
    "QUANTILES",
    "SERIES_CHUNK",
    "SUMMARISED",
    "MCResult",
    "PrecisionControl",
    "drivers_frame",
    "drivers_from_rows",
    "executor",
    "precision_checkpoints",
    "quantile_precision",
    "read_kept",
    "result_from_rows",
    "run_mc",
    "run_tasks",
]

FAN_SCENARIOS = 2000
"""Scenarios whose quarterly series feed the fan charts."""
DRIVER_SCENARIOS = 20_000
"""Scenarios (the first ones) whose parameters and outcomes feed the rank drivers."""
DRIVER_OUTCOMES = ("stranded_peak", "npv_2026", "impairment_ifrs")
"""Outcomes whose drivers a Monte Carlo run ranks."""
QUANTILES = (0.05, 0.5, 0.95, 0.99)
CONFIDENCE = 0.95
"""Coverage of the sampling intervals of the quantiles and the rank correlations."""
DUCKDB_MEMORY = "512MB"
"""Memory DuckDB may use when it keeps the outcome rows."""
SERIES_CHUNK = 10_000
"""Most scenarios per task when every scenario's series are kept (240 rows a scenario)."""
HEAD_ROWS = 50
"""Parameter draws kept for inspection (the first scenarios)."""
SUMMARISED = ("stranded_peak", "npv_2026", "impairment_ifrs", "impairment_usgaap")
"""Outcomes a Monte Carlo run summarises per company (quantiles, moments, probabilities)."""
COVENANTS = (1.0, 1.2, 1.5)
"""Lowest annual DSCR levels whose breach a Monte Carlo run counts (``MCResult.debt_cover``)."""
INTEREST_COVENANTS = (1.0, 2.0, 3.0)
"""Lowest annual interest cover (EBIT / interest) levels whose breach a run counts
(``MCResult.interest_cover``): 1 where earnings no longer pay the interest; 2 and 3 as in
typical interest-cover covenants."""
COVER_OUTCOMES = ("min_dscr", "min_interest_cover", "min_llcr")
"""Debt cover ratios: a scenario without debt (service, interest) has none, and that counts as
no breach of any level; ``min_llcr`` only with the loan life cover."""
CONDITION_OUTCOMES = (*SUMMARISED, *COVER_OUTCOMES)
"""Outcomes whose chance beyond a value a run can give (``MCResult.probabilities``);
``min_llcr`` only from a run with the loan life cover (``run_mc(..., llcr=True)``)."""
NPV_BELOW_ZERO = ("npv_2026", 0.0, False)
"""The condition every run reports: the 2026 programme does not earn its cost of capital."""
PRECISION_LEVELS = ("p50", "p95", "p99")
"""Quantiles whose sampling error a run reports and ``precision`` controls."""
PRECISION_FIRST = 10_000
"""First size at which a run with a precision target checks it; then at each doubling."""
_FAN_VARS = ("stranded_value", "book_value", "economic_value")
KEPT_COLUMNS = (
    "scenario",
    "company",
    "stranded_peak",
    "npv_2026",
    "irr_2026",
    "impairment_ifrs",
    "impairment_usgaap",
    "first_impairment_ifrs",
    "first_impairment_usgaap",
    "economic_life_years",
    "min_dscr",
    "min_interest_cover",
)
"""Outcome columns a Monte Carlo run keeps per scenario and company (``--keep``, ``--store``);
a run with the loan life cover keeps :data:`~strandrisk.engine.simulate.LLCR_COLUMNS` too."""


@dataclass(frozen=True, slots=True)
class PrecisionControl:
    """How a run with a precision target stopped (``run_mc(..., precision=...)``).

    Attributes
    ----------
    target : float
        The widest relative half-width asked for. [fraction]
    achieved : float
        The widest relative half-width when the run stopped (:func:`quantile_precision`);
        NaN when nothing was measurable (every quantile zero). [fraction]
    unbounded : tuple of str
        Quantiles too few scenarios could bound when it stopped (``"P99"``). [-]
    converged : bool
        Whether the target was met; if not, the run stopped at its maximum. [-]
    checked : tuple of int
        The sizes at which precision was checked, the last the scenarios run. [count]
    maximum : int
        The most scenarios the run could have used. [count]
    history : tuple of float
        The widest relative half-width at each size checked (its convergence); ``inf``
        while a quantile could not be bounded. [fraction]
    """

    target: float
    achieved: float
    unbounded: tuple[str, ...]
    converged: bool
    checked: tuple[int, ...]
    maximum: int
    history: tuple[float, ...] = ()

    def sentence(self) -> str:
        """Say whether the target was met, after how many scenarios, as one sentence."""
        n = self.checked[-1]
        widths = self.history or (math.nan,) * len(self.checked)

        def width(w: float) -> str:
            return f" ±{_percent(w)}" if math.isfinite(w) else " unbounded" if w > 0 else ""

        sizes = ", ".join(f"{k:,}{width(w)}" for k, w in zip(self.checked, widths, strict=True))
        if self.converged:
            if math.isnan(self.achieved):
                how = "nothing to measure (every quantile is zero)"
            else:
                how = f"±{_percent(self.achieved)} at most"
            return (
                f"Precision target ±{_percent(self.target)} met after {n:,} scenarios ({how}; "
                f"checked at {sizes})."
            )
        short = (
            f"{' and '.join(self.unbounded)} still unbounded"
            if self.unbounded
            else f"±{_percent(self.achieved)} at most"
        )
        return (
            f"Precision target ±{_percent(self.target)} not met within {self.maximum:,} scenarios "
            f"({short}): raise --n, or accept the wider interval."
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PrecisionControl:
        """Rebuild a control from :meth:`as_json` (a stored run's) [-].

        Parameters
        ----------
        data : mapping
            The object :meth:`as_json` gave. [fraction, count]
        """
        return cls(
            target=float(data["target"]),
            achieved=math.nan if data["achieved"] is None else float(data["achieved"]),
            unbounded=tuple(data["unbounded"]),
            converged=bool(data["converged"]),
            checked=tuple(int(k) for k in data["checked"]),
            maximum=int(data["maximum"]),
            history=tuple(math.inf if w is None else float(w) for w in data["history"]),
        )

    def as_json(self) -> dict[str, object]:
        """Return the control as a JSON-ready object."""
        return {
            "target": self.target,
            "achieved": _number(self.achieved),
            "unbounded": list(self.unbounded),
            "converged": self.converged,
            "checked": list(self.checked),
            "maximum": self.maximum,
            "history": [w if math.isfinite(w) else None for w in self.history],
        }


def _percent(x: float) -> str:
    """``0.02`` as ``2%``, ``0.0175`` as ``1.75%``: two decimals at most, no trailing zeros."""
    return f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%"


def precision_checkpoints(maximum: int, first: int = PRECISION_FIRST) -> list[int]:
    """Return the sizes at which a run with a precision target checks it.

    ``first``, then each doubling, then ``maximum`` itself: fixed sizes, so a run that stops
    at one of them equals a run of exactly that many scenarios, whatever its chunk size or
    number of workers.

    Parameters
    ----------
    maximum : int
        The most scenarios to run. [count]
    first : int
        The first size checked. [count]

    Returns
    -------
    list of int
        Increasing sizes, the last equal to ``maximum``. [count]
    """
    maximum = whole_number("n", maximum, 1)
    first = whole_number("first", first, 1)
    sizes = []
    size = first
    while size < maximum:
        sizes.append(size)
        size *= 2
    return [*sizes, maximum]


def quantile_precision(quantiles: pd.DataFrame, intervals: pd.DataFrame) -> dict[str, float]:
    """Return the widest relative sampling error of P50, P95 and P99 over the positive amounts.

    Over peak stranded value and impairments, every company (the NPV, which crosses zero,
    has no relative error): the larger side of each quantile's 95 % interval from its
    estimate, relative to the estimate, where the estimate is positive.

    Parameters
    ----------
    quantiles : pandas.DataFrame
        ``MCResult.quantiles``: index (company, outcome); ``p50, p95, p99`` among the
        columns. [USD]
    intervals : pandas.DataFrame
        ``MCResult.intervals``: the same index; ``p50_low, p50_high, ...``. [USD]

    Returns
    -------
    dict
        ``{"P50": ..., "P95": ..., "P99": ...}``: the widest relative half-width; ``inf``
        where too few scenarios bound that quantile, NaN where no estimate is positive
        (nothing to measure). [fraction]
    """
    positive = quantiles.index.get_level_values("outcome") != "npv_2026"
    out = {}
    for level in PRECISION_LEVELS:
        est = quantiles.loc[positive, level].to_numpy(dtype=float)
        low = intervals.loc[positive, f"{level}_low"].to_numpy(dtype=float)
        high = intervals.loc[positive, f"{level}_high"].to_numpy(dtype=float)
        use = est > 0
        if np.isnan(high).any() or np.isnan(low).any():
            out[level.upper()] = math.inf
        elif not use.any():
            out[level.upper()] = math.nan
        else:
            side = np.maximum(high - est, est - low)[use]
            out[level.upper()] = float((side / est[use]).max())
    return out


@dataclass(frozen=True, slots=True)
class MCResult:
    """Summary of a Monte Carlo run.

    Attributes
    ----------
    n, seed, sampler : int, int, str
        Run design.
    quantiles : pandas.DataFrame
        Index (company, outcome); columns ``p5, p50, p95, p99``, read from the merged
        quantile sketches: within 0.01 % (relative) of the exact quantiles. [USD]
    moments : pandas.DataFrame
        Index (company, outcome); columns ``mean``, ``std`` (sample standard deviation) and
        ``mean_se``, the standard error of the mean (``std / sqrt(n)``: the mean's sampling
        error, conservative for Latin hypercube and Sobol' samples), from the same sketches.
        [USD]
    intervals : pandas.DataFrame
        Index (company, outcome); columns ``p5_low, p5_high, ...``: the sampling error of
        each quantile, a distribution-free 95 % interval from order statistics
        (:meth:`~strandrisk.core.sketch.QuantileSketch.order_interval`); NaN where too few
        scenarios bound it. [USD]
    capex_at_risk : pandas.DataFrame
        Per company: ``car95`` (95th percentile of peak stranded value) and
        ``expected_shortfall`` (mean beyond it). [USD]
    p_impairment : pandas.DataFrame
        Index (year, company); columns ``ifrs``, ``usgaap``: share of scenarios impaired by
        the end of the year. [fraction]
    fans : pandas.DataFrame
        Index (variable, company, quarter); quantile columns. [USD]
    samples_head : pandas.DataFrame
        Parameter values of the first scenarios (for inspection). [canonical units]
    outcomes_path : pathlib.Path or None
        DuckDB file holding every scenario's outcomes (when kept).
    drivers : pandas.DataFrame
        Index (company, outcome, parameter); columns ``spearman``, ``spearman_pm`` (half-width
        of its 95 % interval), ``srrc`` and the rank regression's ``r2``, over the first
        :attr:`driver_scenarios` scenarios (:func:`drivers_frame`). [-]
    sketches : dict
        The merged quantile sketch of each (company, outcome) of :data:`SUMMARISED`, for
        further questions (:meth:`probabilities`). [USD]
    precision : PrecisionControl or None
        How a run with a precision target stopped; None for a run of a fixed size.
    p_llcr_below_1 : pandas.DataFrame or None
        Index (year, company); column ``share``: the share of scenarios whose quarterly loan
        life cover ratio has fallen below 1 by the end of the year; None unless the run
        computed the loan life cover. [fraction]
    """

    n: int
    seed: int
    sampler: str
    quantiles: pd.DataFrame
    capex_at_risk: pd.DataFrame
    p_impairment: pd.DataFrame
    fans: pd.DataFrame
    samples_head: pd.DataFrame
    outcomes_path: Path | None
    moments: pd.DataFrame
    intervals: pd.DataFrame
    drivers: pd.DataFrame
    sketches: dict[tuple[str, str], QuantileSketch]
    precision: PrecisionControl | None = None
    p_llcr_below_1: pd.DataFrame | None = None

    @property
    def driver_scenarios(self) -> int:
        """Scenarios the rank drivers come from, at most the first 20,000 [count]."""
        return min(self.n, DRIVER_SCENARIOS)

    @property
    def fan_scenarios(self) -> int:
        """Scenarios the fans and :meth:`value_at` come from, at most the first 2,000 [count]."""
        return min(self.n, FAN_SCENARIOS)

    def value_at(self, quarter: str) -> pd.DataFrame:
        """Median book value and the spread of stranded value per company at one quarter.

        Parameters
        ----------
        quarter : str
            An ISO quarter of the horizon, such as ``2029Q4``. [ISO quarter]

        Returns
        -------
        pandas.DataFrame
            Index company; columns ``book_value_p50`` and ``p5, p25, p50, p75, p95`` of the
            stranded value, over :attr:`fan_scenarios` scenarios. [USD]
        """
        book = self.fans.xs(("book_value", quarter), level=("variable", "quarter"))["p50"]
        stranded = self.fans.xs(("stranded_value", quarter), level=("variable", "quarter"))
        return stranded.assign(book_value_p50=book)[["book_value_p50", *stranded.columns]]

    def probabilities(
        self, conditions: Sequence[tuple[str, float, bool]] = (NPV_BELOW_ZERO,)
    ) -> pd.DataFrame:
        """Share of scenarios in which each company's outcome is above (or below) a value.

        Parameters
        ----------
        conditions : sequence of (outcome, threshold, above)
            An outcome of :data:`CONDITION_OUTCOMES`, the value [USD, or a ratio for
            ``min_dscr``] and whether to count the scenarios above it (true) or below it
            (false); none given: :data:`NPV_BELOW_ZERO`. [-]

        Returns
        -------
        pandas.DataFrame
            Index company; a column per condition, named ``"<outcome> > <value>"`` or
            ``"<outcome> < <value>"``. Exact at a threshold of 0; otherwise a scenario within
            0.01 % of the threshold may count on either side. A scenario without debt
            service has no DSCR: it counts as above any ``min_dscr`` level (and one without
            debt above any ``min_llcr`` level). [fraction]
        """
        columns = {}
        for outcome, threshold, above in conditions or (NPV_BELOW_ZERO,):
            if outcome not in CONDITION_OUTCOMES:
                raise InputError(
                    f"outcome {outcome!r}: a chance can be asked of {', '.join(CONDITION_OUTCOMES)}"
                )
            if outcome == "min_llcr" and not self.has_loan_cover:
                raise InputError(
                    "min_llcr: this run did not compute the loan life cover; run it with "
                    "--llcr (run_mc(..., llcr=True))"
                )
            if not math.isfinite(threshold):
                raise InputError(f"{outcome}: the threshold must be a finite number")
            label = f"{outcome} {'>' if above else '<'} {threshold:g}"
            columns[label] = {
                company: _share(sketch, threshold, above)
                for (company, name), sketch in self.sketches.items()
                if name == outcome
            }
        return pd.DataFrame(columns)

    @property
    def has_loan_cover(self) -> bool:
        """Whether the run computed the loan life cover ratio (``run_mc(..., llcr=True)``) [-]."""
        return self.p_llcr_below_1 is not None

    def loan_cover(self, covenants: Sequence[float] = COVENANTS) -> pd.DataFrame:
        """Each company's lowest quarterly loan life cover ratio (LLCR): spread and breaches.

        Parameters
        ----------
        covenants : sequence of float
            LLCR levels; for each, the share of scenarios whose lowest LLCR falls below it
            (a scenario without debt never does). [ratio]

        Returns
        -------
        pandas.DataFrame
            Index company; ``p5``, ``p50``, ``p95`` of the lowest LLCR over the scenarios
            with debt [ratio], ``no_debt`` (the share without any) and ``below <level>`` per
            level [fraction]; empty unless the run computed the loan life cover.
        """
        return self._cover("min_llcr", "no_debt", covenants)

    def interest_cover(self, covenants: Sequence[float] = INTEREST_COVENANTS) -> pd.DataFrame:
        """Each company's lowest annual interest cover (EBIT / interest): spread and breaches.

        Parameters
        ----------
        covenants : sequence of float
            Interest-cover levels; for each, the share of scenarios whose lowest annual
            cover falls below it (a scenario without interest never does). [ratio]

        Returns
        -------
        pandas.DataFrame
            Index company; ``p5``, ``p50``, ``p95`` of the lowest annual interest cover over
            the scenarios that pay interest [ratio], ``no_interest`` (the share that pays
            none) and ``below <level>`` per level [fraction].
        """
        return self._cover("min_interest_cover", "no_interest", covenants)

    def debt_cover(self, covenants: Sequence[float] = COVENANTS) -> pd.DataFrame:
        """Each company's lowest annual DSCR over the horizon: its spread and covenant breaches.

        Parameters
        ----------
        covenants : sequence of float
            DSCR levels; for each, the share of scenarios whose lowest annual DSCR falls
            below it (a scenario without debt service never does). [ratio]

        Returns
        -------
        pandas.DataFrame
            Index company; ``p5``, ``p50``, ``p95`` of the lowest annual DSCR over the
            scenarios with debt service [ratio], ``no_debt_service`` (the share without any)
            and ``below <level>`` per covenant [fraction]. Shares are exact unless a
            scenario's DSCR lies within 0.01 % of the level.
        """
        return self._cover("min_dscr", "no_debt_service", covenants)

    def _cover(self, name: str, missing: str, covenants: Sequence[float]) -> pd.DataFrame:
        rows = {}
        for (company, outcome), sketch in sorted(self.sketches.items()):
            if outcome != name:
                continue
            total = sketch.count + sketch.dropped
            p5, p50, p95 = sketch.quantile(np.array([0.05, 0.5, 0.95]))
            row = {
                "p5": float(p5),
                "p50": float(p50),
                "p95": float(p95),
                missing: sketch.dropped / total if total else math.nan,
            }
            for level in covenants:
                row[f"below {level:g}"] = _share(sketch, level, above=False)
            rows[company] = row
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("company")

    def cumulative(self, outcome: str, levels: int = 199) -> pd.DataFrame:
        """Return the cumulative distribution ("S-curve") of one outcome per company.

        Parameters
        ----------
        outcome : str
            One of :data:`SUMMARISED`. [-]
        levels : int
            Probabilities, evenly spaced inside (0, 1). [count]

        Returns
        -------
        pandas.DataFrame
            Index the cumulative probability; a column per company: the outcome at it, from
            the merged sketches. [USD]
        """
        _check_summarised(outcome)
        q = (np.arange(levels) + 0.5) / levels
        return pd.DataFrame(
            {
                company: sketch.quantile(q)
                for (company, name), sketch in self.sketches.items()
                if name == outcome
            },
            index=pd.Index(q, name="probability"),
        )

    def drivers_of(self, company: str = "industry") -> pd.DataFrame:
        """One company's rank drivers: index (outcome, parameter), by falling ``|spearman|``.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]
        """
        at = self.drivers.index.get_level_values("company") == company
        if not at.any():
            known = ", ".join(dict.fromkeys(self.drivers.index.get_level_values("company")))
            raise InputError(f"company {company!r}: no drivers; the run has {known}")
        return self.drivers[at].droplevel("company")

    def driver_table(self, company: str = "industry", top: int = 4) -> pd.DataFrame:
        """Rank correlations of each outcome's ``top`` drivers, side by side.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]
        top : int
            Parameters taken from each outcome's ranking. [count]

        Returns
        -------
        pandas.DataFrame
            Index parameter (the union, by falling largest ``|spearman|``); a column per
            outcome of :data:`DRIVER_OUTCOMES`. [-]
        """
        d = self.drivers_of(company)
        chosen: list[str] = []
        for outcome in DRIVER_OUTCOMES:
            ranked = d[d.index.get_level_values("outcome") == outcome]
            ranked = ranked[ranked["spearman"].notna()]
            for parameter in ranked.index.get_level_values("parameter")[:top]:
                if parameter not in chosen:
                    chosen.append(parameter)
        wide = d["spearman"].unstack("outcome").reindex(index=chosen, columns=DRIVER_OUTCOMES)
        largest = wide.abs().max(axis=1).fillna(-1.0)
        return wide.iloc[np.argsort(-largest.to_numpy(), kind="stable")]

    def impairment_by_year(self, order: Sequence[str]) -> pd.DataFrame:
        """P(impairment) by year as a table: IFRS rows, then US GAAP rows, companies in ``order``.

        Parameters
        ----------
        order : sequence of str
            Companies (and ``industry``) in display order. [-]

        Returns
        -------
        pandas.DataFrame
            Index ``"<company>, IFRS"`` / ``"<company>, US GAAP"``; a column per year. [fraction]
        """
        wide = self.p_impairment.unstack("year")
        rows = {
            f"{company}, {label}": wide.loc[company, column]
            for column, label in (("ifrs", "IFRS"), ("usgaap", "US GAAP"))
            for company in order
        }
        return pd.DataFrame(rows).T

    def _loan_cover_json(self) -> dict[str, object] | None:
        """Return the loan life cover part of :meth:`MCResult.as_json` (None without it)."""
        if self.p_llcr_below_1 is None:
            return None
        by_year = self.p_llcr_below_1["share"].unstack("company")
        return {
            "lowest": {
                str(c): {k: _number(v) for k, v in row.items()}
                for c, row in self.loan_cover().iterrows()
            },
            "below_1_by_year": {
                str(year): {str(c): _number(v) for c, v in row.items()}
                for year, row in by_year.iterrows()
            },
        }

    def as_json(
        self, conditions: Sequence[tuple[str, float, bool]] = (NPV_BELOW_ZERO,)
    ) -> dict[str, object]:
        """Return the summary as one JSON-ready object.

        Parameters
        ----------
        conditions : sequence of (outcome, threshold, above)
            The probabilities to include (:meth:`probabilities`). [USD]
        """
        probabilities = {
            label: {str(c): _number(v) for c, v in column.items()}
            for label, column in self.probabilities(conditions).items()
        }
        q = {
            f"{company}.{outcome}": {c: (None if pd.isna(v) else float(v)) for c, v in row.items()}
            for (company, outcome), row in self.quantiles.iterrows()
        }
        car = {c: {k: float(v) for k, v in row.items()} for c, row in self.capex_at_risk.iterrows()}
        p_imp = {
            f"{company}.{year}": {k: float(v) for k, v in row.items()}
            for (year, company), row in self.p_impairment.iterrows()
        }
        moments = {
            f"{company}.{outcome}": {c: _number(v) for c, v in row.items()}
            for (company, outcome), row in self.moments.iterrows()
        }
        intervals = {
            f"{company}.{outcome}": {
                f"p{round(level * 100)}": [
                    _number(row[f"p{round(level * 100)}_low"]),
                    _number(row[f"p{round(level * 100)}_high"]),
                ]
                for level in QUANTILES
            }
            for (company, outcome), row in self.intervals.iterrows()
        }
        drivers: dict[str, dict] = {}
        for (company, outcome), frame in self.drivers.groupby(level=[0, 1], sort=False):
            drivers[f"{company}.{outcome}"] = {
                "r2": _number(frame["r2"].iloc[0]),
                "parameters": {
                    str(p): {c: _number(row[c]) for c in ("spearman", "spearman_pm", "srrc")}
                    for (_, _, p), row in frame.iterrows()
                },
            }
        return {
            "n": self.n,
            "seed": self.seed,
            "sampler": self.sampler,
            "quantiles": q,
            "moments": moments,
            "intervals": intervals,
            "capex_at_risk": car,
            "p_impairment": p_imp,
            "probabilities": probabilities,
            "drivers": drivers,
            "driver_scenarios": self.driver_scenarios,
            "debt_cover": {
                str(c): {k: _number(v) for k, v in row.items()}
                for c, row in self.debt_cover().iterrows()
            },
            "interest_cover": {
                str(c): {k: _number(v) for k, v in row.items()}
                for c, row in self.interest_cover().iterrows()
            },
            "loan_cover": self._loan_cover_json(),
            "confidence": CONFIDENCE,
            "precision": None if self.precision is None else self.precision.as_json(),
            "units": {
                "quantiles": "USD",
                "moments": "USD (mean, sample standard deviation, standard error of the mean)",
                "intervals": "USD ([low, high] of each quantile; null where too few "
                "scenarios bound it)",
                "capex_at_risk": "USD",
                "p_impairment": "share of scenarios with a material charge by the end of the year",
                "probabilities": "share of scenarios with the outcome beyond the value (USD; "
                "a ratio for min_dscr, min_interest_cover and min_llcr, where no debt service, "
                "no interest or no debt counts as above)",
                "debt_cover": "lowest annual DSCR (ratio) at P5, P50, P95 over the scenarios "
                "with debt service; no_debt_service and below <level> shares of all scenarios",
                "interest_cover": "lowest annual EBIT / interest (ratio) at P5, P50, P95 over "
                "the scenarios that pay interest; no_interest and below <level> shares of all "
                "scenarios",
                "loan_cover": "lowest quarterly LLCR (ratio) at P5, P50, P95 over the "
                "scenarios with debt; no_debt and below <level> shares of all scenarios; "
                "below_1_by_year: share whose LLCR has fallen below 1 by the end of each year; "
                "null unless the run computed the loan life cover (--llcr)",
                "drivers": "rank correlation and standardised rank regression coefficient "
                "(-1 to 1), r2 a fraction, over the first driver_scenarios scenarios",
                "precision": "target, achieved and history (at each size checked; null "
                "while a quantile is unbounded): widest relative half-width (fraction) of the "
                "95 % intervals of P50, P95 and P99; checked and maximum: scenarios; null for "
                "a run of a fixed size",
            },
        }


def _share(sketch: QuantileSketch, threshold: float, above: bool) -> float:
    """Share of all scenarios beyond ``threshold``; a NaN (no DSCR: no debt) counts as above."""
    total = sketch.count + sketch.dropped
    if not total:
        return math.nan
    inside = sketch.share_beyond(threshold, above) * sketch.count if sketch.count else 0.0
    return (inside + (sketch.dropped if above else 0)) / total


def _check_summarised(outcome: str) -> None:
    """Refuse an outcome a Monte Carlo run does not summarise, naming those it does."""
    if outcome not in SUMMARISED:
        raise InputError(
            f"outcome {outcome!r}: a Monte Carlo run summarises {', '.join(SUMMARISED)}"
        )


def _number(v: object) -> float | None:
    """Return a float for JSON, None for NaN."""
    return None if pd.isna(v) else float(v)  # type: ignore[arg-type]


@dataclass(slots=True)
class _TaskResult:
    """What one task sends back: reductions, and rows only when the run keeps them."""

    start: int
    stop: int
    sketches: dict[tuple[str, str], QuantileSketch]
    impaired: dict[str, np.ndarray]
    fans: dict | None
    head: pd.DataFrame | None
    ranked: tuple[pd.DataFrame, pd.DataFrame] | None = None
    rows: pd.DataFrame | None = None
    drawn: pd.DataFrame | None = None
    series: pd.DataFrame | None = None


def _reduce(rows: pd.DataFrame, years: int) -> tuple[dict, dict]:
    """Per company: a quantile sketch of each summarised outcome, and impairment counts.

    ``impaired[company]`` has shape (2, years + 1): scenarios whose first material IFRS
    (row 0) or US GAAP (row 1) charge falls in each year from 2026, the last column
    counting those with none within the horizon; with the loan life cover columns, a third
    row counts the first quarter the LLCR is below 1 the same way. [count]
    """
    sketches, impaired = {}, {}
    cover = "min_llcr" in rows
    firsts: tuple[str, ...] = ("first_impairment_ifrs", "first_impairment_usgaap")
    firsts += ("first_llcr_below_1",) if cover else ()
    for company, group in rows.groupby("company", sort=True, observed=True):
        name = str(company)
        # min_dscr: NaN without debt service, min_interest_cover without interest,
        # min_llcr without debt
        covers = COVER_OUTCOMES if cover else COVER_OUTCOMES[:-1]
        for outcome in (*SUMMARISED, *covers):
            sketches[(name, outcome)] = QuantileSketch.of(group[outcome].to_numpy(dtype=float))
        counts = np.zeros((len(firsts), years + 1), dtype=np.int64)
        for i, column in enumerate(firsts):
            codes, labels = pd.factorize(group[column])  # a few dozen quarters; -1 = none
            of_label = np.array([int(str(q)[:4]) - START_YEAR for q in labels] + [years])
            counts[i] = np.bincount(np.minimum(of_label[codes], years), minlength=years + 1)
        impaired[name] = counts
    return sketches, impaired


def _task(
    scenario: Scenario,
    space: UncertaintySpace,
    start: int,
    stop: int,
    seed: int,
    sampler: str,
    fan_limit: int,
    keep_rows: bool = False,
    keep_series: bool = False,
    llcr: bool = False,
) -> _TaskResult:
    """Run scenarios ``start`` to ``stop - 1`` and reduce them.

    Returns the quantile sketches and impairment counts, the fan series (for scenarios
    below ``fan_limit``), the first parameter draws (for the task that starts at 0) and,
    only if ``keep_rows``, the outcome rows and samples, with every scenario's quarterly
    value paths in long form if ``keep_series``.
    """
    samples = sample_range(space, start, stop, seed, sampler)
    result = simulate(scenario, samples, breakeven=False, keep_series=False, llcr=llcr)
    rows = result.outcomes.loc[:, [*KEPT_COLUMNS, *(LLCR_COLUMNS if llcr else ())]].copy()
    rows["scenario"] += start
    sketches, impaired = _reduce(rows, scenario.years)
    fans, series = None, None
    if keep_series:
        paths = value_paths(scenario, samples)
        series = _long_series(paths, start)
    if start < fan_limit:
        n_fan = min(stop, fan_limit) - start
        if not keep_series:
            paths = value_paths(scenario, {k: v[:n_fan] for k, v in samples.items()})
        fans = {k: v[:n_fan] if k in _FAN_VARS else v for k, v in paths.items()}
    drawn = pd.DataFrame(samples)
    drawn.insert(0, "scenario", np.arange(start, stop))
    head = drawn.iloc[:HEAD_ROWS].copy() if start == 0 else None
    ranked = None
    if start < DRIVER_SCENARIOS:
        last = min(stop, DRIVER_SCENARIOS)
        ranked = (
            drawn.iloc[: last - start].copy(),
            rows.loc[rows["scenario"] < last, ["scenario", "company", *DRIVER_OUTCOMES]],
        )
    if not keep_rows:
        return _TaskResult(start, stop, sketches, impaired, fans, head, ranked)
    return _TaskResult(start, stop, sketches, impaired, fans, head, ranked, rows, drawn, series)


def _long_series(paths: dict, start: int) -> pd.DataFrame:
    """Value paths (S, K+1, T) as rows (scenario, company, quarter, one column per path)."""
    s, k1, n = paths["stranded_value"].shape
    companies = pd.Categorical(paths["companies"], categories=paths["companies"])
    frame = pd.DataFrame(
        {
            "scenario": np.repeat(np.arange(start, start + s), k1 * n),
            "company": np.tile(np.repeat(companies, n), s),
            "quarter": np.tile(np.asarray(paths["quarters"]), s * k1),
        }
    )
    for name in _FAN_VARS:
        frame[name] = paths[name].reshape(-1)
    return frame


def run_tasks(
    client: Any,
    task: Callable[..., Any],
    args: tuple,
    span: tuple[int, int, int],
    extra: tuple,
    absorb: Callable[[Any], None],
) -> None:
    """Run ``task(*args, start, stop, *extra)`` over a span of scenarios, here or on Dask.

    Without a client the tasks run in order, in this process; with one they run on the
    cluster and are absorbed as they finish, so ``absorb`` must not depend on the order
    (mergeable reductions).

    Parameters
    ----------
    client : dask.distributed.Client or None
        Where to run (:func:`executor`); None: here. [-]
    task : callable
        A module-level function (Dask pickles it by reference). [-]
    args, extra : tuple
        Arguments before and after the range. [-]
    span : (int, int, int)
        Scenarios ``start`` to ``stop - 1``, in tasks of at most ``chunk``. [count]
    absorb : callable
        Called with each task's result. [-]
    """
    start, stop, chunk = span
    ranges = [(a, min(a + chunk, stop)) for a in range(start, stop, chunk)]
    if client is None:
        for a, b in ranges:
            absorb(task(*args, a, b, *extra))
        return
    from dask.distributed import as_completed

    futures = [client.submit(task, *args, a, b, *extra, pure=False) for a, b in ranges]
    for future in as_completed(futures):
        absorb(future.result())
        future.release()


@contextlib.contextmanager
def executor(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """Yield where tasks run: None (here), a local Dask cluster, or an existing scheduler.

    Parameters
    ----------
    workers : int or None
        Start a ``LocalCluster`` of this many single-threaded worker processes. [count]
    scheduler : str or None
        Address of an existing Dask scheduler, ``tcp://host:port``. [-]
    """
    if not workers and not scheduler:
        yield None
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"scheduler {scheduler}: cannot connect ({exc})") from None
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env={"NUMBA_NUM_THREADS": "1"},  # one core per worker process
        )
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _summaries(
    sketches: dict[tuple[str, str], QuantileSketch], impaired: dict[str, np.ndarray], years: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Quantiles, Capex-at-Risk, P(impairment), moments and quantile intervals."""
    rows, car_rows, moment_rows, interval_rows = [], [], [], []
    for (company, outcome), sketch in sorted(sketches.items()):
        if outcome not in SUMMARISED:  # min_dscr has its own table (MCResult.debt_cover)
            continue
        values = sketch.quantile(np.array(QUANTILES))
        rows.append((company, outcome, *values))
        std = sketch.std()
        moment_rows.append((company, outcome, sketch.mean(), std, std / np.sqrt(sketch.count)))
        low, high = sketch.order_interval(np.array(QUANTILES), CONFIDENCE)
        interval_rows.append((company, outcome, *np.column_stack([low, high]).ravel()))
        if outcome == "stranded_peak":
            car95 = float(values[QUANTILES.index(0.95)])
            car_rows.append((company, car95, sketch.mean_from(car95)))
    columns = [f"p{round(q * 100)}" for q in QUANTILES]
    quantiles = pd.DataFrame(rows, columns=["company", "outcome", *columns]).set_index(
        ["company", "outcome"]
    )
    car = pd.DataFrame(car_rows, columns=["company", "car95", "expected_shortfall"]).set_index(
        "company"
    )
    moments = pd.DataFrame(moment_rows, columns=["company", "outcome", "mean", "std", "mean_se"])
    bounds = [f"{c}_{side}" for c in columns for side in ("low", "high")]
    intervals = pd.DataFrame(interval_rows, columns=["company", "outcome", *bounds])
    p_imp = _by_year(impaired, {"ifrs": 0, "usgaap": 1}, years)
    index = ["company", "outcome"]
    return quantiles, car, p_imp, moments.set_index(index), intervals.set_index(index)


def _by_year(counts: dict[str, np.ndarray], rows: dict[str, int], years: int) -> pd.DataFrame:
    """Share of scenarios whose first event falls in each year or before, per company.

    ``counts[company]`` is :func:`_reduce`'s (events, years + 1) array; ``rows`` names the
    columns of the result and the event row each comes from. Index (year, company).
    """
    out = []
    for y in range(years):  # by the end of the year: the first event in it or before
        for company, c in sorted(counts.items()):
            share = c[:, : y + 1].sum(axis=1) / c[0].sum()
            out.append((START_YEAR + y, company, *(float(share[i]) for i in rows.values())))
    return pd.DataFrame(out, columns=["year", "company", *rows]).set_index(["year", "company"])


def drivers_frame(samples: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Rank drivers of each outcome per company (:func:`strandrisk.core.drivers.rank_drivers`).

    Parameters
    ----------
    samples : pandas.DataFrame
        Parameter values, indexed by scenario, a column per parameter. [canonical units]
    outcomes : pandas.DataFrame
        Columns ``scenario``, ``company`` and the outcomes of :data:`DRIVER_OUTCOMES`, a row
        per scenario and company; rows with NaN are left out of that company's measures.
        [USD]

    Returns
    -------
    pandas.DataFrame
        Index (company, outcome, parameter), parameters by falling ``|spearman|``; columns
        ``spearman``, ``spearman_pm``, ``srrc``, ``r2``. [-]
    """
    parts = []
    keys = sorted(samples.columns)  # one order whatever the source (a run, its kept file, a store)
    m = len(DRIVER_OUTCOMES)
    wide = outcomes.pivot(index="scenario", columns="company", values=list(DRIVER_OUTCOMES))
    wide = wide.swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    companies = sorted({str(c) for c in wide.columns.get_level_values(0)})
    values = wide.reindex(
        columns=pd.MultiIndex.from_product([companies, DRIVER_OUTCOMES])
    ).to_numpy(dtype=float)
    if np.isfinite(values).all():  # the usual case: every company at once, parameters ranked once
        x = samples.loc[wide.index, keys].to_numpy(dtype=float)
        together = rank_drivers(x, values)
        ranked = {c: (together, slice(i * m, (i + 1) * m)) for i, c in enumerate(companies)}
    else:  # leave each company's incomplete rows out of its own measures
        ranked = {}
        for i, c in enumerate(companies):
            y = values[:, i * m : (i + 1) * m]
            keep = np.isfinite(y).all(axis=1)
            x = samples.loc[wide.index[keep], keys].to_numpy(dtype=float)
            ranked[c] = (rank_drivers(x, y[keep]), slice(0, m))
    for company in companies:
        measures, cols = ranked[company]
        for j, outcome in zip(range(cols.start, cols.stop), DRIVER_OUTCOMES, strict=True):
            rho = measures.spearman[:, j]
            frame = pd.DataFrame(
                {
                    "company": company,
                    "outcome": outcome,
                    "parameter": keys,
                    "spearman": rho,
                    "spearman_pm": spearman_interval(rho, measures.n, CONFIDENCE),
                    "srrc": measures.srrc[:, j],
                    "r2": measures.r2[j],
                }
            )
            order = np.argsort(-np.nan_to_num(np.abs(rho), nan=-1.0), kind="stable")
            parts.append(frame.iloc[order])
    if not parts:
        return pd.DataFrame(
            columns=["spearman", "spearman_pm", "srrc", "r2"],
            index=pd.MultiIndex.from_arrays(
                [[], [], []], names=["company", "outcome", "parameter"]
            ),
        )
    return pd.concat(parts).set_index(["company", "outcome", "parameter"])


def _fan_frame(pieces: list[dict]) -> pd.DataFrame:
    if not pieces:
        return pd.DataFrame()
    companies, quarters = pieces[0]["companies"], pieces[0]["quarters"]
    rows = []
    for var in _FAN_VARS:
        stacked = np.concatenate([p[var] for p in pieces])  # (S, K, T)
        qv = np.quantile(stacked, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)  # (5, K, T)
        for k, company in enumerate(companies):
            for t, quarter in enumerate(quarters):
                rows.append((var, str(company), str(quarter), *qv[:, k, t]))
    cols = ["variable", "company", "quarter", "p5", "p25", "p50", "p75", "p95"]
    return (
        pd.DataFrame(rows, columns=cols).set_index(["variable", "company", "quarter"]).sort_index()
    )


def run_mc(
    scenario: Scenario,
    space: UncertaintySpace,
    n: int,
    seed: int,
    *,
    sampler: str = "mc",
    chunk_size: int = 100_000,
    workers: int | None = None,
    scheduler: str | None = None,
    outcomes_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
    keep_series: bool = False,
    precision: float | None = None,
    llcr: bool = False,
) -> MCResult:
    """Run ``n`` scenarios drawn from ``space`` (or fewer, once a precision target is met).

    Parameters
    ----------
    scenario : Scenario
        Values of the parameters that do not vary. [-]
    space : UncertaintySpace
        What varies. [-]
    n : int
        Scenarios. [count]
    seed : int
        Root seed: the same seed gives bit-identical outcomes for any chunk size and any
        number of workers. [-]
    sampler : {"mc", "lhs", "sobol"}
        Sampling design. [-]
    chunk_size : int
        Scenarios per task. [count]
    workers : int, optional
        Run on a local Dask cluster with this many worker processes. [count]
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:port``). [-]
    outcomes_path : path-like, optional
        DuckDB file to keep every scenario's outcomes (table ``mc``) and parameter values
        (table ``samples``) in; without it, tasks send back only their reductions. [-]
    progress : callable, optional
        Called with the number of scenarios finished after each task. [-]
    keep_series : bool
        Also keep every scenario's quarterly stranded, book and economic value per company
        (table ``series`` in ``outcomes_path``, which it requires); tasks then hold at most
        :data:`SERIES_CHUNK` scenarios. [-]
    precision : float, optional
        Stop as soon as P50, P95 and P99 of every company's peak stranded value and
        impairments are known within this relative half-width (95 %,
        :func:`quantile_precision`); ``n`` is then the most scenarios to run. Checked at
        :func:`precision_checkpoints` (10,000, then each doubling), so the result equals a
        run of exactly the size it stopped at. [fraction]
    llcr : bool
        Also each scenario's lowest quarterly loan life cover ratio and the first quarter
        it falls below 1 (:data:`~strandrisk.engine.simulate.LLCR_COLUMNS`; about a third
        more model work): :meth:`MCResult.loan_cover` and ``p_llcr_below_1``. [-]

    Returns
    -------
    MCResult
        Quantiles, Capex-at-Risk, probability of impairment by year, fans; ``precision``
        says how a run with a target stopped.
    """
    n = whole_number("n", n, 1)
    chunk_size = whole_number("chunk_size", chunk_size, 1)
    seed = whole_number("seed", seed, 0)
    if sampler not in SAMPLERS:
        raise InputError(f"sampler = {sampler!r}: one of {', '.join(SAMPLERS)}")
    if workers is not None and scheduler is not None:
        raise InputError("workers and scheduler: give one (a local cluster or an existing one)")
    if workers is not None:
        workers = whole_number("workers", workers, 1)
    if not space.keys:
        raise ValueError("the uncertainty space is empty: nothing to sample")
    if keep_series and outcomes_path is None:
        raise ValueError("keep_series needs outcomes_path: the series are kept there")
    if precision is not None and not (0.0 < precision < 1.0):  # NaN fails too
        raise InputError(
            f"precision = {precision}: a relative half-width between 0 and 1, e.g. 0.01 for ±1 %"
        )
    chunk = min(chunk_size, SERIES_CHUNK) if keep_series else chunk_size
    sizes = precision_checkpoints(n, PRECISION_FIRST) if precision is not None else [n]
    keep_rows = outcomes_path is not None
    sketches: dict[tuple[str, str], QuantileSketch] = {}
    impaired: dict[str, np.ndarray] = {}
    fans: list[tuple[int, dict]] = []
    ranked: list[tuple[int, tuple[pd.DataFrame, pd.DataFrame]]] = []
    head = None
    control: PrecisionControl | None = None

    kept: _Kept | None = None

    def absorb(part: _TaskResult) -> None:
        nonlocal head
        for key, sketch in part.sketches.items():
            sketches[key] = sketch.merge(sketches[key]) if key in sketches else sketch
        for company, counts in part.impaired.items():
            impaired[company] = impaired.get(company, 0) + counts
        if kept is not None:
            kept.insert(part)
        if part.fans is not None:
            fans.append((part.start, part.fans))
        if part.ranked is not None:
            ranked.append((part.start, part.ranked))
        if part.head is not None:
            head = part.head
        if progress is not None:
            progress(part.stop - part.start)

    with contextlib.ExitStack() as stack:
        if outcomes_path is not None:
            kept = _open_kept(Path(outcomes_path), list(space.keys), keep_series, llcr, stack)
        with executor(workers, scheduler) as client:
            args = (scenario, space)
            extra = (seed, sampler, FAN_SCENARIOS, keep_rows, keep_series, llcr)
            done = 0
            for size in sizes:  # one round per checkpoint; a single round without a target
                run_tasks(client, _task, args, (done, size, chunk), extra, absorb)
                done = size
                if precision is not None:
                    before = control.history if control is not None else ()
                    control = _control(sketches, precision, sizes, done, before)
                    if control.converged:
                        break
    ranked.sort(key=lambda x: x[0])  # the same rows in the same order for any chunking
    return _assemble(
        (done, seed, sampler),
        scenario.years,
        sketches,
        impaired,
        [f for _, f in sorted(fans, key=lambda x: x[0])],
        drivers_frame(
            pd.concat([d for _, (d, _) in ranked]).set_index("scenario"),
            pd.concat([o for _, (_, o) in ranked]),
        ),
        head if head is not None else pd.DataFrame(),
        Path(outcomes_path) if outcomes_path is not None else None,
        control,
    )


def _control(
    sketches: dict[tuple[str, str], QuantileSketch],
    target: float,
    sizes: list[int],
    done: int,
    history: tuple[float, ...] = (),
) -> PrecisionControl:
    """Check the precision target on the merged sketches after ``done`` scenarios."""
    quantiles, _, _, _, intervals = _summaries(sketches, {}, 0)  # as the summary will say
    widest = quantile_precision(quantiles, intervals)
    unbounded = tuple(level for level, w in widest.items() if math.isinf(w))
    finite = [w for w in widest.values() if math.isfinite(w)]
    achieved = max(finite) if finite else math.nan
    converged = not unbounded and not achieved > target  # NaN: nothing to measure
    return PrecisionControl(
        target,
        achieved,
        unbounded,
        converged,
        tuple(k for k in sizes if k <= done),
        sizes[-1],
        (*history, math.inf if unbounded else achieved),
    )


def _assemble(
    design: tuple[int, int, str],
    years: int,
    sketches: dict[tuple[str, str], QuantileSketch],
    impaired: dict[str, np.ndarray],
    fan_pieces: list[dict],
    drivers: pd.DataFrame,
    head: pd.DataFrame,
    outcomes_path: Path | None,
    precision: PrecisionControl | None = None,
) -> MCResult:
    """Build the summary of a run from its merged reductions, fan paths and rank drivers."""
    quantiles, car, p_imp, moments, intervals = _summaries(sketches, impaired, years)
    p_llcr = None
    if any(counts.shape[0] > 2 for counts in impaired.values()):  # the LLCR's first quarters
        p_llcr = _by_year(impaired, {"share": 2}, years)
    return MCResult(
        *design,
        quantiles,
        car,
        p_imp,
        _fan_frame(fan_pieces),
        head,
        outcomes_path,
        moments,
        intervals,
        drivers,
        sketches,
        precision,
        p_llcr,
    )


def drivers_from_rows(samples: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Rank drivers from a kept or stored run's rows, over the scenarios ``run_mc`` ranks.

    Parameters
    ----------
    samples : pandas.DataFrame
        Parameter values indexed by scenario ``0 .. n - 1``. [canonical units]
    outcomes : pandas.DataFrame
        Outcome rows with ``scenario``, ``company`` and :data:`DRIVER_OUTCOMES`. [USD]

    Returns
    -------
    pandas.DataFrame
        As :func:`drivers_frame`, over the first :data:`DRIVER_SCENARIOS` scenarios. [-]
    """
    first = samples.iloc[:DRIVER_SCENARIOS]
    rows = outcomes.loc[
        outcomes["scenario"] < len(first), ["scenario", "company", *DRIVER_OUTCOMES]
    ]
    return drivers_frame(first, rows)


def result_from_rows(
    scenario: Scenario,
    samples: pd.DataFrame,
    outcomes: pd.DataFrame,
    seed: int,
    sampler: str,
) -> MCResult:
    """Rebuild a Monte Carlo run's summary from its kept or stored rows.

    The quantile sketches of all the rows equal the merge of the tasks' sketches, the
    impairment counts and the rank drivers come from the same rows, and the fans are the
    value paths of the first :data:`FAN_SCENARIOS` scenarios recomputed from their stored
    parameter values (a scenario's results do not depend on its batch), so the summary is
    the one :func:`run_mc` returned when the model and the register are unchanged.

    Parameters
    ----------
    scenario : Scenario
        The run's scenario (the values of the parameters that did not vary). [-]
    samples : pandas.DataFrame
        Parameter values, indexed by scenario ``0 .. n - 1``, a column per parameter.
        [canonical units]
    outcomes : pandas.DataFrame
        The run's outcome rows: ``scenario``, ``company`` and the columns a Monte Carlo keeps
        (``first_impairment_*`` as ISO quarters or null). [USD, -]
    seed : int
        The run's root seed (for the record). [-]
    sampler : str
        The run's sampling design (for the record). [-]

    Returns
    -------
    MCResult
        Its ``outcomes_path`` is None.
    """
    n = len(samples)
    if n == 0 or not np.array_equal(samples.index.to_numpy(), np.arange(n)):
        raise ValueError("samples must be indexed by scenario 0 .. n - 1")
    rows = outcomes.sort_values(["scenario", "company"], kind="stable")
    sketches, impaired = _reduce(rows, scenario.years)
    fan = samples.iloc[:FAN_SCENARIOS]
    paths = value_paths(scenario, {k: fan[k].to_numpy(dtype=float) for k in fan.columns})
    return _assemble(
        (n, seed, sampler),
        scenario.years,
        sketches,
        impaired,
        [paths],
        drivers_from_rows(samples, rows),
        samples.iloc[:HEAD_ROWS].reset_index(names="scenario"),
        None,
    )


class _Kept:
    """The DuckDB file that keeps every scenario's outcomes, samples and, if asked, series.

    :func:`_open_kept` gives it the temporary file of :func:`strandrisk.io.files.atomic_path`,
    renamed onto the ``--keep`` path once the run is complete and removed otherwise, so a
    failed or interrupted run leaves any earlier file there as it was and no partial one.
    """

    def __init__(self, path: Path, keys: list[str], series: bool, llcr: bool = False) -> None:
        path.unlink(missing_ok=True)  # DuckDB refuses an existing empty file
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            raise InputError(f"{path}: cannot be written ({exc})") from None
        self.con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(
            "CREATE TABLE mc (scenario BIGINT, company VARCHAR, stranded_peak DOUBLE, "
            "npv_2026 DOUBLE, irr_2026 DOUBLE, impairment_ifrs DOUBLE, impairment_usgaap DOUBLE, "
            "first_impairment_ifrs VARCHAR, first_impairment_usgaap VARCHAR, "
            "economic_life_years DOUBLE, min_dscr DOUBLE, min_interest_cover DOUBLE"
            + (", min_llcr DOUBLE, first_llcr_below_1 VARCHAR)" if llcr else ")")
        )
        columns = "".join(f', "{k}" DOUBLE' for k in keys)
        self.con.execute(f"CREATE TABLE samples (scenario BIGINT{columns})")
        if series:
            self.con.execute(
                "CREATE TABLE series (scenario BIGINT, company VARCHAR, quarter VARCHAR, "
                "stranded_value DOUBLE, book_value DOUBLE, economic_value DOUBLE)"
            )

    def insert(self, part: _TaskResult) -> None:
        if part.series is not None:
            self.con.register("paths", part.series)
            self.con.execute(
                "INSERT INTO series SELECT scenario, company::VARCHAR, quarter, "
                "stranded_value, book_value, economic_value FROM paths"
            )
            self.con.unregister("paths")
        self.con.register("chunk", part.rows)
        self.con.execute("INSERT INTO mc SELECT * FROM chunk")
        self.con.unregister("chunk")
        self.con.register("drawn", part.drawn)
        self.con.execute("INSERT INTO samples SELECT * FROM drawn")
        self.con.unregister("drawn")

    def close(self) -> None:
        self.con.close()


def _open_kept(
    path: Path, keys: list[str], series: bool, llcr: bool, stack: contextlib.ExitStack
) -> _Kept:
    """Open the kept-run file in a temporary file that ``stack`` renames onto ``path``."""
    ensure_folder(path.parent, "--keep folder")
    if path.is_file():
        _must_be_kept_run(path)  # replace an earlier kept run, never other data
    kept = _Kept(stack.enter_context(atomic_path(path)), keys, series, llcr)
    stack.callback(kept.close)  # closed (checkpointed) before the rename or the removal
    return kept


def _must_be_kept_run(path: Path) -> None:
    """Refuse to replace ``path`` unless it holds a kept Monte Carlo run (or nothing)."""
    if path.stat().st_size == 0:
        return
    tables = None
    if is_duckdb_file(path):
        with contextlib.suppress(duckdb.Error), duckdb.connect(str(path), read_only=True) as con:
            tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    if tables is None or not tables <= {"mc", "samples", "series"}:
        raise InputError(
            f"{path}: exists and is not a kept Monte Carlo run "
            f"({'not a DuckDB file' if tables is None else 'tables ' + ', '.join(sorted(tables))})"
            "; it is left as it is: choose another --keep file"
        )


def read_kept(path: Path, company: str = "industry") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read back a kept run: parameter samples and one company's outcomes, by scenario.

    Parameters
    ----------
    path : Path
        DuckDB file written by ``strandrisk mc --keep``. [-]
    company : str
        A company of the run, or ``"industry"``. [-]

    Raises
    ------
    InputError
        If ``path`` is not a DuckDB file, holds no kept run (tables ``samples`` and ``mc``),
        or has no rows for ``company``.
    """
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
            if not {"samples", "mc"} <= tables:
                raise InputError(
                    f"{path}: not the outcomes of a kept Monte Carlo run (no samples and mc "
                    "tables); write one with `strandrisk mc --keep FILE`"
                )
            samples = con.execute("SELECT * FROM samples ORDER BY scenario").df()
            outcomes = con.execute(
                "SELECT * FROM mc WHERE company = ? ORDER BY scenario", [company]
            ).df()
            if outcomes.empty:
                known = [r[0] for r in con.execute("SELECT DISTINCT company FROM mc").fetchall()]
                raise InputError(
                    f"{path}: no outcomes for company {company!r}; the run has "
                    f"{', '.join(sorted(known)) or 'none'}"
                )
    except duckdb.Error as exc:
        raise InputError(f"{path}: cannot read as a DuckDB file ({exc})") from exc
    return samples.set_index("scenario"), outcomes.set_index("scenario")
