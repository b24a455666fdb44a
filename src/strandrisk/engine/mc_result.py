"""The result of a Monte Carlo run: quantiles, Capex-at-Risk, covenant odds, drivers, precision.

:class:`MCResult` and what it reads (the levels, covenants and outcomes it reports; how a
precision target stops a run, from :mod:`strandrisk.engine.mc_precision`, re-exported), apart
from the machinery that runs the draws (:mod:`strandrisk.engine.montecarlo`, which re-exports
these names) and the shapes and units of its JSON blocks (:mod:`strandrisk.engine.mc_json`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from strandrisk.core.drivers import SIGNIFICANT_SD, variance_contribution
from strandrisk.core.sketch import QuantileSketch
from strandrisk.engine.mc_json import (
    JSON_UNITS,
    breaches_json,
    capex_years_json,
    drivers_json,
    intervals_json,
    loan_cover_json,
    scenarios_json,
    together_json,
)
from strandrisk.engine.mc_precision import (
    PRECISION_FIRST,
    PRECISION_LEVELS,
    PRECISION_OUTCOMES,
    PrecisionControl,
    precision_checkpoints,
    quantile_precision,
)
from strandrisk.errors import InputError
from strandrisk.jsonable import json_number, json_rows

__all__ = [
    "CAPEX_YEAR_PREFIX",
    "CONDITION_OUTCOMES",
    "CONFIDENCE",
    "COVENANTS",
    "COVER_OUTCOMES",
    "DRIVER_OUTCOMES",
    "DRIVER_SCENARIOS",
    "FAN_SCENARIOS",
    "INTEREST_COVENANTS",
    "LIFE_OUTCOMES",
    "LIFE_SHORT",
    "NPV_BELOW_ZERO",
    "PRECISION_FIRST",
    "PRECISION_LEVELS",
    "PRECISION_OUTCOMES",
    "QUANTILES",
    "SUMMARISED",
    "MCResult",
    "PrecisionControl",
    "capex_year_table",
    "covenants_asked",
    "precision_checkpoints",
    "quantile_precision",
]

CAPEX_YEAR_PREFIX = "capex_year:"
"""Sketch key of a calendar year's capex valued alone (``capex_year:2027``), per company."""

FAN_SCENARIOS = 2000
"""Scenarios whose quarterly series feed the fan charts."""


DRIVER_SCENARIOS = 20_000
"""Scenarios (the first ones) whose parameters and outcomes feed the rank drivers."""


DRIVER_OUTCOMES = ("stranded_peak", "stranded_peak_to_2026", "npv_2026", "impairment_ifrs")
"""Outcomes whose drivers a Monte Carlo run ranks."""


QUANTILES = (0.05, 0.5, 0.95, 0.99)


CONFIDENCE = 0.95
"""Coverage of the sampling intervals of the quantiles and the rank correlations."""


SUMMARISED = (
    "stranded_peak",
    "stranded_peak_to_2026",
    "npv_2026",
    "impairment_ifrs",
    "impairment_usgaap",
)
"""Outcomes a Monte Carlo run summarises per company (quantiles, moments, probabilities)."""


COVENANTS = (1.0, 1.2, 1.5)
"""Lowest annual DSCR levels whose breach a Monte Carlo run counts (``MCResult.debt_cover``)."""


INTEREST_COVENANTS = (1.0, 2.0, 3.0)
"""Lowest annual interest cover (EBIT / interest) levels whose breach a run counts
(``MCResult.interest_cover``): 1 where earnings no longer pay the interest; 2 and 3 as in
typical interest-cover covenants."""


LIFE_OUTCOMES = ("economic_life_years", "booked_life_years")
"""Lives of the 2026 cohorts a run sketches per company (``MCResult.economic_life``). [year]"""


LIFE_SHORT = "economic_life_short"
"""Sketch of 1 where a scenario's economic life is shorter than the booked one, else 0."""


COVER_OUTCOMES = ("min_dscr", "min_interest_cover", "min_llcr")
"""Debt cover ratios: a scenario without debt (service, interest) has none, and that counts as
no breach of any level; ``min_llcr`` only with the loan life cover."""


CONDITION_OUTCOMES = (*SUMMARISED, *COVER_OUTCOMES)
"""Outcomes whose chance beyond a value a run can give (``MCResult.probabilities``);
``min_llcr`` only from a run with the loan life cover (``run_mc(..., llcr=True)``)."""


NPV_BELOW_ZERO = ("npv_2026", 0.0, False)
"""The condition every run reports: the 2026 programme does not earn its cost of capital."""


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
        Index (company, outcome); columns ``mean``, ``std`` (sample standard deviation),
        ``mean_se``, the standard error of the mean (``std / sqrt(n)``: the mean's sampling
        error, conservative for Latin hypercube and Sobol' samples), ``skewness`` and
        ``excess_kurtosis`` (0 for a normal) [-], ``min`` and ``max``, from the same sketches.
        [USD unless marked]
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
    peak_year_to_2026 : pandas.DataFrame or None
        Index company; a column per year from 2026 and ``none``: the share of scenarios whose
        today's capital (the installed base and the 2026 programme, valued alone) has its
        peak stranded value in that year, or never a material one; None for a summary
        rebuilt from rows without the date. [fraction]
    together : pandas.DataFrame or None
        How many companies at once: index (``event``, year), the event ``ifrs`` or
        ``usgaap`` (a material charge; with the loan life cover also ``llcr_below_1``); a
        column per ``k = 0 .. companies``: the share of scenarios in which exactly ``k`` of
        the companies (the industry aside) have had the event by the end of the year. The
        companies share one market, so they tend to go together: compare ``k = companies``
        with the product of their own chances (:meth:`at_once`). [fraction]
    breaches : pandas.DataFrame or None
        Covenant breaches at once: index ``covenant`` (:data:`COVENANTS` and any level the
        run was asked for); a column per
        ``k = 0 .. companies``: the share of scenarios in which exactly ``k`` companies'
        lowest annual DSCR falls below the level (no debt service: no breach;
        :meth:`breaches_at_once`). [fraction]
    scenarios : pandas.DataFrame or None
        @RISK's scenario analysis over the first :attr:`driver_scenarios` scenarios: index
        (company, outcome, band, parameter), the bands of
        :data:`~strandrisk.core.drivers.SCENARIO_BANDS`; columns ``median_subset``,
        ``median_all``, ``sd``, ``delta_sd`` and ``share``
        (:func:`~strandrisk.engine.mc_drivers.scenarios_frame`;
        :meth:`scenario_analysis`). [parameter units, sd, fraction]
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
    peak_year_to_2026: pd.DataFrame | None = None
    together: pd.DataFrame | None = None
    breaches: pd.DataFrame | None = None
    scenarios: pd.DataFrame | None = None

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

    def economic_life(self) -> pd.DataFrame:
        """Each company's economic life of its 2026 cohorts over the draws, against the booked.

        Returns
        -------
        pandas.DataFrame
            Index company; ``booked`` (the median booked compute life, capex-weighted for the
            industry; the scenario's own unless the lives are drawn), ``p5``, ``p50``,
            ``p95`` of the economic life (capex-weighted years from commissioning until
            EBITDA turns non-positive or the cohort retires) [year] and ``shorter``, the
            share of scenarios whose economic life is shorter than their booked one
            [fraction]; NaN where a stored run did not keep the booked life.
        """
        rows = {}
        for (company, outcome), sketch in sorted(self.sketches.items()):
            if outcome != "economic_life_years":
                continue
            p5, p50, p95 = sketch.quantile(np.array([0.05, 0.5, 0.95]))
            booked = self.sketches.get((company, "booked_life_years"))
            short = self.sketches.get((company, LIFE_SHORT))
            rows[company] = {
                "booked": math.nan
                if booked is None
                else float(booked.quantile(np.array([0.5]))[0]),
                "p5": float(p5),
                "p50": float(p50),
                "p95": float(p95),
                "shorter": math.nan if short is None else short.share_beyond(0.5, True),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("company")

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

    def contribution_to_variance(self, company: str = "industry", top: int = 4) -> pd.DataFrame:
        """Crystal Ball's contribution to variance of each outcome, for the driver table's rows.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]
        top : int
            Parameters taken from each outcome's ranking, as :meth:`driver_table`. [count]

        Returns
        -------
        pandas.DataFrame
            Index parameter (:meth:`driver_table`'s); a column per outcome: the squared
            rank correlation over the sum of all the outcome's parameters', signed
            (:func:`~strandrisk.core.drivers.variance_contribution`). [fraction]
        """
        d = self.drivers_of(company)
        columns = {}
        for outcome in DRIVER_OUTCOMES:
            ranked = d.xs(outcome, level="outcome")["spearman"] if outcome in d.index else None
            if ranked is not None:
                shares = variance_contribution(ranked.to_numpy())
                columns[outcome] = pd.Series(shares, index=ranked.index)
        wide = pd.DataFrame(columns).reindex(columns=DRIVER_OUTCOMES)
        return wide.reindex(index=self.driver_table(company, top).index)

    def capex_at_risk_at(self, level: float) -> pd.DataFrame:
        """Capex-at-Risk at any confidence level, with its sampling error and shortfall.

        Credit and solvency work asks for 99 % or 99.5 % where the summary's
        :attr:`capex_at_risk` is at 95 %; read from the same merged sketches, so for any
        level, chunk size and worker count alike.

        Parameters
        ----------
        level : float
            The confidence level, in (0, 1), e.g. 0.995. [-]

        Returns
        -------
        pandas.DataFrame
            Index company; columns ``car`` (the ``level`` quantile of peak stranded value),
            ``low`` and ``high`` (its distribution-free 95 % sampling interval; NaN where too
            few scenarios bound it) and ``expected_shortfall`` (the mean at or beyond
            ``car``). [USD]

        Raises
        ------
        ValueError
            For a level outside (0, 1).
        """
        if not 0.0 < level < 1.0:  # NaN too
            raise ValueError(f"level {level}: a confidence level between 0 and 1, e.g. 0.99")
        rows = {}
        for (company, outcome), sketch in sorted(self.sketches.items()):
            if outcome != "stranded_peak":
                continue
            car = float(sketch.quantile(level))
            low, high = sketch.order_interval(np.array([level]), CONFIDENCE)
            rows[company] = {
                "car": car,
                "low": float(low[0]),
                "high": float(high[0]),
                "expected_shortfall": sketch.mean_from(car),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("company")

    def scenario_analysis(
        self, company: str = "industry", significant: float = SIGNIFICANT_SD
    ) -> pd.DataFrame:
        """@RISK's scenario analysis: the inputs significant to each outcome's tails.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]
        significant : float
            Keep the parameters whose median in a band moves by more than this many
            standard deviations (@RISK's 0.5). [sd]

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`scenarios` for ``company`` with ``|delta_sd|`` above
            ``significant``: index (outcome, band, parameter), largest first in each band.
            Empty where none is, or for a summary without the analysis (or of fewer than 20
            draws). [-]
        """
        if self.scenarios is None or self.scenarios.empty:  # none, or too few draws for it
            return pd.DataFrame(columns=["median_subset", "median_all", "sd", "delta_sd", "share"])
        at = self.scenarios.index.get_level_values("company") == company
        if not at.any():
            known = ", ".join(dict.fromkeys(self.scenarios.index.get_level_values("company")))
            raise InputError(f"company {company!r}: no scenario analysis; the run has {known}")
        rows = self.scenarios[at].droplevel("company")
        return rows[rows["delta_sd"].abs() > significant]

    def capex_years(self, company: str = "industry") -> pd.DataFrame | None:
        """Which year's capex strands: each year's cohorts valued alone, over the scenarios.

        From a run with ``capex_years=True`` (``mc --capex-years``): the peak stranded value
        of each calendar year's capex, valued as a group of its own, per scenario.

        Parameters
        ----------
        company : str
            A company of the run, or ``"industry"``. [-]

        Returns
        -------
        pandas.DataFrame or None
            As :func:`capex_year_table`; None for a run without it.
        """
        return capex_year_table(self.sketches, company)

    def capex_year_sketches(self) -> dict[tuple[str, str], QuantileSketch]:
        """Return the sketches of each year's capex valued alone (empty without them) [USD].

        What a stored run keeps besides its rows (``mc_sketches``), keyed ``(company,
        "capex_year:2027")``.
        """
        return {k: v for k, v in self.sketches.items() if k[1].startswith(CAPEX_YEAR_PREFIX)}

    def at_once(self, event: str = "ifrs") -> pd.DataFrame:
        """How many companies have had a material charge by each year, and were they independent.

        Parameters
        ----------
        event : {"ifrs", "usgaap"}
            Which standard's charges. [-]

        Returns
        -------
        pandas.DataFrame
            A row per year; a column per ``k`` (the share of scenarios in which exactly
            ``k`` companies have been impaired by the end of the year), then ``any`` (at
            least one) and ``independent``: the chance that all would be, were the
            companies' impairments independent, the product of their own chances. [fraction]
        """
        if self.together is None:
            raise ValueError("this summary has no count of companies at once")
        table = self.together.xs(event, level="event").copy()
        alone = self.p_impairment[event].drop("industry", level="company")
        table["any"] = 1.0 - table[0]
        table["independent"] = alone.groupby(level="year").prod()
        return table

    def breaches_at_once(self) -> pd.DataFrame:
        """How many companies breach each DSCR covenant at once, and were they independent.

        Returns
        -------
        pandas.DataFrame
            A row per covenant level; a column per ``k`` (the share of scenarios in which
            exactly ``k`` companies' lowest annual DSCR falls below it), then ``any`` and
            ``independent``: the chance that all would, were the companies' breaches
            independent, the product of their own chances (:meth:`debt_cover`). [fraction]
        """
        if self.breaches is None:
            raise ValueError("this summary has no count of covenant breaches at once")
        table = self.breaches.copy()
        alone = self.debt_cover(tuple(table.index)).drop(index="industry", errors="ignore")
        table["any"] = 1.0 - table[0]
        table["independent"] = [alone[f"below {level:g}"].prod() for level in table.index]
        return table

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
            label: {str(c): json_number(v) for c, v in column.items()}
            for label, column in self.probabilities(conditions).items()
        }
        q = json_rows(self.quantiles)
        car = {c: {k: float(v) for k, v in row.items()} for c, row in self.capex_at_risk.iterrows()}
        p_imp = {
            f"{company}.{year}": {k: float(v) for k, v in row.items()}
            for (year, company), row in self.p_impairment.iterrows()
        }
        moments = json_rows(self.moments)
        return {
            "n": self.n,
            "seed": self.seed,
            "sampler": self.sampler,
            "quantiles": q,
            "moments": moments,
            "intervals": intervals_json(self.intervals, QUANTILES),
            "capex_at_risk": car,
            "p_impairment": p_imp,
            "probabilities": probabilities,
            "drivers": drivers_json(self.drivers),
            "driver_scenarios": self.driver_scenarios,
            "debt_cover": json_rows(self.debt_cover()),
            "interest_cover": json_rows(self.interest_cover()),
            "economic_life": json_rows(self.economic_life()),
            "loan_cover": None
            if self.p_llcr_below_1 is None
            else loan_cover_json(self.loan_cover(), self.p_llcr_below_1),
            "capex_years": capex_years_json(
                {c: self.capex_years(c) for c in sorted({c for c, _ in self.capex_year_sketches()})}
            ),
            "peak_year_to_2026": None
            if self.peak_year_to_2026 is None
            else {
                str(c): {str(y): json_number(v) for y, v in row.items()}
                for c, row in self.peak_year_to_2026.iterrows()
            },
            "together": None if self.together is None else together_json(self.together),
            "breaches": None if self.breaches is None else breaches_json(self.breaches),
            "scenario_analysis": None
            if self.scenarios is None
            else scenarios_json(self.scenarios, SIGNIFICANT_SD),
            "confidence": CONFIDENCE,
            "precision": None if self.precision is None else self.precision.as_json(),
            "units": dict(JSON_UNITS),
        }


def covenants_asked(conditions: Sequence[tuple[str, float, bool]]) -> tuple[float, ...]:
    """Return the DSCR covenants to count breaches of: :data:`COVENANTS` and any asked for.

    Parameters
    ----------
    conditions : sequence of (outcome, threshold, above)
        A run's ``--above``/``--below`` conditions; each ``min_dscr`` below a level adds it.
        [ratio for min_dscr]
    """
    asked = [v for name, v, above in conditions if name == "min_dscr" and not above]
    return tuple(sorted({*COVENANTS, *asked}))


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


def capex_year_table(
    sketches: Mapping[tuple[str, str], QuantileSketch], company: str = "industry"
) -> pd.DataFrame | None:
    """Which year's capex strands, from a run's sketches (:meth:`MCResult.capex_years`).

    Parameters
    ----------
    sketches : mapping
        ``(company, outcome) -> QuantileSketch``; the keys ``capex_year:YYYY`` are read. [USD]
    company : str
        A company of the run, or ``"industry"``. [-]

    Returns
    -------
    pandas.DataFrame or None
        Index ``capex_year``; ``p50``, ``p95``, ``mean`` [USD] and ``strands`` (the share
        of scenarios in which it strands at all) [fraction]; None without those sketches.
    """
    keys = sorted(o for c, o in sketches if c == company and o.startswith(CAPEX_YEAR_PREFIX))
    if not keys:
        return None
    rows = []
    for key in keys:
        sketch = sketches[(company, key)]
        p50, p95 = sketch.quantile(np.array([0.5, 0.95]))
        rows.append(
            (
                int(key[len(CAPEX_YEAR_PREFIX) :]),
                p50,
                p95,
                sketch.mean(),
                sketch.share_beyond(0.0, True),
            )
        )
    return pd.DataFrame(rows, columns=["capex_year", "p50", "p95", "mean", "strands"]).set_index(
        "capex_year"
    )
