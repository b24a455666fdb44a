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
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from strandrisk.core.sketch import QuantileSketch
from strandrisk.engine.mc_drivers import (  # drivers_frame, drivers_from_rows re-exported
    drivers_frame,
    drivers_from_rows,
    first_rows,
    scenarios_frame,
)
from strandrisk.engine.mc_exec import executor, run_tasks  # re-exported
from strandrisk.engine.mc_kept import _Kept, _open_kept, read_kept  # read_kept re-exported
from strandrisk.engine.mc_result import (
    CONDITION_OUTCOMES,
    CONFIDENCE,
    COVENANTS,
    COVER_OUTCOMES,
    DRIVER_OUTCOMES,
    DRIVER_SCENARIOS,
    FAN_SCENARIOS,
    INTEREST_COVENANTS,
    NPV_BELOW_ZERO,
    PRECISION_FIRST,
    PRECISION_LEVELS,
    QUANTILES,
    SUMMARISED,
    MCResult,
    PrecisionControl,
    precision_checkpoints,
    quantile_precision,
)
from strandrisk.engine.mc_task import (  # capex_year_sketches, KEPT_COLUMNS re-exported
    _FAN_VARS,
    HEAD_ROWS,
    KEPT_COLUMNS,
    SERIES_CHUNK,
    _reduce,
    _task,
    _TaskResult,
    capex_year_sketches,
)
from strandrisk.engine.simulate import (
    START_YEAR,
    value_paths,
)
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import SAMPLERS, UncertaintySpace
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
    "capex_year_sketches",
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


MOMENTS = ("mean", "std", "mean_se", "skewness", "excess_kurtosis", "min", "max")
"""Columns of :attr:`MCResult.moments`: mean, sample standard deviation, standard error of
the mean, skewness, excess kurtosis, smallest and largest value (each read from the run's
quantile sketch). [USD, USD, USD, -, -, USD, USD]"""


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
        shape = (*sketch.shape(), sketch.minimum(), sketch.maximum())
        moment_rows.append(
            (company, outcome, sketch.mean(), std, std / np.sqrt(sketch.count), *shape)
        )
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
    moments = pd.DataFrame(moment_rows, columns=["company", "outcome", *MOMENTS])
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
    capex_years: bool = False,
    covenants: Sequence[float] = COVENANTS,
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
        it falls below 1 (:data:`~strandrisk.engine.simulate.LLCR_COLUMNS`; about a fifth
        more model work): :meth:`MCResult.loan_cover` and ``p_llcr_below_1``. [-]
    capex_years : bool
        Also value each calendar year's capex alone in every scenario and sketch the peak of
        its stranded value (:meth:`MCResult.capex_years`; ≈10 % more work). [-]
    covenants : sequence of float
        DSCR levels at which to count how many companies breach at once
        (:attr:`MCResult.breaches`; a covenant of ``mc --below min_dscr=1.25`` is added to
        the defaults). [ratio]

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
    covenants = _covenant_levels(covenants)
    chunk = min(chunk_size, SERIES_CHUNK) if keep_series else chunk_size
    sizes = precision_checkpoints(n, PRECISION_FIRST) if precision is not None else [n]
    merged = _Merged(progress)
    control: PrecisionControl | None = None
    with contextlib.ExitStack() as stack:
        if outcomes_path is not None:
            merged.kept = _open_kept(
                Path(outcomes_path), list(space.keys), keep_series, llcr, stack
            )
        with executor(workers, scheduler) as client:
            args = (scenario, space)
            keep_rows = outcomes_path is not None
            extra = (
                seed, sampler, FAN_SCENARIOS, keep_rows, keep_series, llcr, capex_years, covenants
            )  # fmt: skip
            done = 0
            for size in sizes:  # one round per checkpoint; a single round without a target
                run_tasks(client, _task, args, (done, size, chunk), extra, merged.absorb)
                done = size
                if precision is not None:
                    before = control.history if control is not None else ()
                    control = _control(merged.sketches, precision, sizes, done, before)
                    if control.converged:
                        break
    merged.ranked.sort(key=lambda x: x[0])  # the same rows in the same order for any chunking
    return _assemble(
        (done, seed, sampler),
        scenario.years,
        merged.sketches,
        merged.impaired,
        [f for _, f in sorted(merged.fans, key=lambda x: x[0])],
        (
            pd.concat([d for _, (d, _) in merged.ranked]).set_index("scenario"),
            pd.concat([o for _, (_, o) in merged.ranked]),
        ),
        merged.head if merged.head is not None else pd.DataFrame(),
        Path(outcomes_path) if outcomes_path is not None else None,
        control,
        merged.peaks or None,
        merged.together,
        merged.breaches,
        covenants,
    )


class _Merged:
    """The tasks' results merged as they arrive, in any order (:meth:`absorb`).

    Quantile sketches and counts are merged (the same whatever the order); the fan paths
    and rank-driver rows are kept with their first scenario, to be put in order at the end;
    rows go to the kept file (``kept``) when there is one; ``progress`` hears of each task.
    """

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.kept: _Kept | None = None
        self.sketches: dict[tuple[str, str], QuantileSketch] = {}
        self.impaired: dict[str, np.ndarray] = {}
        self.peaks: dict[str, np.ndarray] = {}
        self.together: np.ndarray | None = None
        self.breaches: np.ndarray | None = None
        self.fans: list[tuple[int, dict]] = []
        self.ranked: list[tuple[int, tuple[pd.DataFrame, pd.DataFrame]]] = []
        self.head: pd.DataFrame | None = None

    def absorb(self, part: _TaskResult) -> None:
        """Merge one task's result."""
        for key, sketch in part.sketches.items():
            mine = self.sketches.get(key)
            self.sketches[key] = sketch.merge(mine) if mine is not None else sketch
        for company, counts in part.impaired.items():
            self.impaired[company] = self.impaired.get(company, 0) + counts
        for company, counts in (part.peaks or {}).items():
            self.peaks[company] = self.peaks.get(company, 0) + counts
        self.together = _added(self.together, part.together)
        self.breaches = _added(self.breaches, part.breaches)
        if self.kept is not None:
            self.kept.insert(part)
        if part.fans is not None:
            self.fans.append((part.start, part.fans))
        if part.ranked is not None:
            self.ranked.append((part.start, part.ranked))
        if part.head is not None:
            self.head = part.head
        if self.progress is not None:
            self.progress(part.stop - part.start)


def _covenant_levels(levels: Sequence[float]) -> tuple[float, ...]:
    """Check DSCR covenant levels and return them sorted, each once."""
    out = sorted({float(v) for v in levels})  # a DSCR below 0 is a question too (negative EBITDA)
    if not out or not all(math.isfinite(v) for v in out):
        raise InputError(f"covenants: finite DSCR levels such as 1.2, got {list(levels)}")
    return tuple(out)


def _added(total: np.ndarray | None, part: np.ndarray | None) -> np.ndarray | None:
    """Add a task's counts to the total so far (either may be None: nothing yet, or none)."""
    if part is None or total is None:
        return part if total is None else total
    return total + part


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
    first: tuple[pd.DataFrame, pd.DataFrame],
    head: pd.DataFrame,
    outcomes_path: Path | None,
    precision: PrecisionControl | None = None,
    peaks: dict[str, np.ndarray] | None = None,
    together: np.ndarray | None = None,
    breaches: np.ndarray | None = None,
    covenants: Sequence[float] = COVENANTS,
) -> MCResult:
    """Build the summary of a run from its merged reductions, fan paths and first rows.

    ``first`` holds the first :data:`DRIVER_SCENARIOS` scenarios' parameter values (indexed
    by scenario) and outcome rows: the rank drivers and the scenario analysis read them.
    """
    quantiles, car, p_imp, moments, intervals = _summaries(sketches, impaired, years)
    p_llcr = None
    if any(counts.shape[0] > 2 for counts in impaired.values()):  # the LLCR's first quarters
        p_llcr = _by_year(impaired, {"share": 2}, years)
    peak_years = None
    if peaks is not None:
        columns = [*(START_YEAR + y for y in range(years)), "none"]
        peak_years = pd.DataFrame(
            {c: peaks[c] / peaks[c].sum() for c in sorted(peaks)}, index=columns
        ).T.rename_axis("company")
    at_once = None
    if together is not None:
        events = ("ifrs", "usgaap", "llcr_below_1")[: together.shape[0]]
        index = pd.MultiIndex.from_product(
            [events, [START_YEAR + y for y in range(years)]], names=["event", "year"]
        )
        shares = together.reshape(-1, together.shape[2]) / together[0, 0].sum()
        at_once = pd.DataFrame(shares, index=index, columns=range(together.shape[2]))
    breached = None
    if breaches is not None:
        breached = pd.DataFrame(
            breaches / breaches[0].sum(),
            index=pd.Index(list(covenants), name="covenant"),
            columns=range(breaches.shape[1]),
        )
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
        drivers_frame(*first),
        sketches,
        precision,
        p_llcr,
        peak_years,
        at_once,
        breached,
        scenarios_frame(*first),
    )


def result_from_rows(
    scenario: Scenario,
    samples: pd.DataFrame,
    outcomes: pd.DataFrame,
    seed: int,
    sampler: str,
    covenants: Sequence[float] = COVENANTS,
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
    covenants : sequence of float
        DSCR levels to count the companies breaching at once (as :func:`run_mc`). [ratio]

    Returns
    -------
    MCResult
        Its ``outcomes_path`` is None.
    """
    n = len(samples)
    if n == 0 or not np.array_equal(samples.index.to_numpy(), np.arange(n)):
        raise ValueError("samples must be indexed by scenario 0 .. n - 1")
    rows = outcomes.sort_values(["scenario", "company"], kind="stable")
    covenants = _covenant_levels(covenants)
    sketches, impaired, peaks, together, breaches = _reduce(rows, scenario.years, covenants)
    fan = samples.iloc[:FAN_SCENARIOS]
    paths = value_paths(scenario, {k: fan[k].to_numpy(dtype=float) for k in fan.columns})
    return _assemble(
        (n, seed, sampler),
        scenario.years,
        sketches,
        impaired,
        [paths],
        first_rows(samples, rows),
        samples.iloc[:HEAD_ROWS].reset_index(names="scenario"),
        None,
        peaks=peaks,
        together=together,
        breaches=breaches,
        covenants=covenants,
    )
