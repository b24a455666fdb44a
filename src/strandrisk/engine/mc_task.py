"""One Monte Carlo task: draw a range of scenarios, simulate them, reduce what they give.

A task (:func:`_task`) is the unit :func:`~strandrisk.engine.montecarlo.run_mc` hands to a
thread, a process or a Dask worker: it draws its range's parameter values, runs
:func:`~strandrisk.engine.simulate.simulate`, and sends back mergeable reductions (a quantile
sketch per company and outcome, counts of first events by year) and, only when the run keeps
them, its outcome rows, draws and series.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

import numba
import numpy as np
import pandas as pd

from strandrisk.core.sketch import QuantileSketch
from strandrisk.engine._kernel.common import map_in_threads
from strandrisk.engine.mc_exec import sample_in_threads
from strandrisk.engine.mc_result import (
    CAPEX_YEAR_PREFIX,
    COVENANTS,
    COVER_OUTCOMES,
    DRIVER_OUTCOMES,
    DRIVER_SCENARIOS,
    LIFE_OUTCOMES,
    LIFE_SHORT,
    SUMMARISED,
)
from strandrisk.engine.simulate import (
    LLCR_COLUMNS,
    START_YEAR,
    OutcomeArrays,
    SimulationResult,
    outcome_arrays,
    value_paths,
)
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = ["KEPT_COLUMNS", "SERIES_CHUNK", "capex_year_sketches", "first_years"]

SERIES_CHUNK = 10_000
"""Most scenarios per task when every scenario's series are kept (240 rows a scenario)."""
HEAD_ROWS = 50
"""Parameter draws kept for inspection (the first scenarios)."""
_FAN_VARS = ("stranded_value", "book_value", "economic_value")
KEPT_COLUMNS = (
    "scenario",
    "company",
    "stranded_peak",
    "stranded_peak_to_2026",
    "stranded_peak_to_2026_date",
    "npv_2026",
    "irr_2026",
    "impairment_ifrs",
    "impairment_usgaap",
    "first_impairment_ifrs",
    "first_impairment_usgaap",
    "economic_life_years",
    "booked_life_years",
    "min_dscr",
    "min_interest_cover",
)
"""Outcome columns a Monte Carlo run keeps per scenario and company (``--keep``, ``--store``);
a run with the loan life cover keeps :data:`~strandrisk.engine.simulate.LLCR_COLUMNS` too."""


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
    peaks: dict[str, np.ndarray] | None = None
    together: np.ndarray | None = None
    breaches: np.ndarray | None = None


class _ByCompany:
    """The rows of each company, in company order and, within one, in the rows' order.

    What ``rows.groupby("company", sort=True)`` gives, as index ranges into one stable
    ordering of the rows, so that each column is read (and each quarter column factorised)
    once for all the companies rather than once a company.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        codes, names = pd.factorize(rows["company"], sort=True)
        self.rows = rows
        self.order = np.argsort(codes, kind="stable")
        self.bounds = np.searchsorted(codes[self.order], np.arange(len(names) + 1))
        self.names = [str(name) for name in names]

    def _split(self, values: np.ndarray) -> list[np.ndarray]:
        """Each company's part of ``values``, given in the rows' order."""
        ordered = values[self.order]
        return [ordered[a:b] for a, b in zip(self.bounds[:-1], self.bounds[1:], strict=True)]

    def has(self, name: str) -> bool:
        """Whether the rows have column ``name``."""
        return name in self.rows

    def column(self, name: str) -> list[np.ndarray]:
        """Each company's values of a numeric column, as floats."""
        return self._split(self.rows[name].to_numpy(dtype=float))

    def years(self, name: str, years: int) -> list[np.ndarray]:
        """Each company's ISO quarters (None: never) as years from 2026, ``years`` for never."""
        codes, labels = pd.factorize(self.rows[name])  # a few dozen quarters; -1 = none
        of_label = np.array([int(str(q)[:4]) - START_YEAR for q in labels] + [years])
        return self._split(np.minimum(of_label[codes], years))


def first_years(rows: pd.DataFrame, name: str, years: int) -> np.ndarray:
    """Return each scenario's companies' first events as years from 2026, side by side.

    Parameters
    ----------
    rows : pandas.DataFrame
        Outcome rows (``scenario``, ``company`` and the ISO-quarter column ``name``), each
        company's in the scenarios' order. [-]
    name : str
        A first-event column, e.g. ``first_impairment_ifrs`` (None: never). [-]
    years : int
        The horizon in years: the value of "never". [count]

    Returns
    -------
    ndarray, shape (scenarios, companies)
        The companies' columns, the industry aside, as :func:`_together` reads them. [year]
    """
    by = _ByCompany(rows)
    return _side_by_side(by.names, by.years(name, years))


_QUARTER_INDEX = {
    "first_impairment_ifrs": "first_impairment_ifrs_q",
    "first_impairment_usgaap": "first_impairment_usgaap_q",
    "first_llcr_below_1": "first_llcr_below_1_q",
    "stranded_peak_to_2026_date": "stranded_peak_to_2026_q",
}
"""The outcome table's date columns, and the arrays of quarter indices they are made from."""


class _ByArray:
    """The same as :class:`_ByCompany`, read from a task's outcome arrays (S, K + 1).

    A company's values are its column of an array (in scenario order, as its rows), and a
    date column's quarters are the quarter indices the table's ISO labels are made from.
    """

    def __init__(self, arrays: OutcomeArrays) -> None:
        companies = [*arrays.companies, "industry"]
        self.columns = arrays.columns
        self.index = sorted(range(len(companies)), key=companies.__getitem__)  # by name
        self.names = [companies[k] for k in self.index]

    def has(self, name: str) -> bool:
        """Whether the outcome table would have column ``name``."""
        return _QUARTER_INDEX.get(name, name) in self.columns

    def column(self, name: str) -> list[np.ndarray]:
        """Each company's values of a numeric column, as floats."""
        values = self.columns[name]
        return [values[:, k] for k in self.index]

    def years(self, name: str, years: int) -> list[np.ndarray]:
        """Each company's quarters (-1: never) as years from 2026, ``years`` for never."""
        quarters = self.columns[_QUARTER_INDEX[name]]
        year = np.where(quarters < 0, years, np.minimum(quarters // 4, years))
        return [year[:, k] for k in self.index]


def _counted(per_company: Sequence[np.ndarray], years: int) -> list[np.ndarray]:
    """Each company's years from 2026 (``years``: never) counted by year, never last."""
    return [np.bincount(year, minlength=years + 1) for year in per_company]


def _year_counts(by: _ByCompany | _ByArray, name: str, years: int) -> list[np.ndarray]:
    """Each company's first events of column ``name`` counted by year from 2026, never last."""
    return _counted(by.years(name, years), years)


def _side_by_side(names: Sequence[str], per_company: Sequence[np.ndarray]) -> np.ndarray:
    """Put the companies' columns (the industry aside) side by side: (scenarios, companies)."""
    return np.column_stack(
        [v for name, v in zip(names, per_company, strict=True) if name != "industry"]
    )


def _together(names: Sequence[str], by_event: Sequence[list[np.ndarray]], years: int) -> np.ndarray:
    """Scenarios in which exactly ``k`` companies have had each first event by each year.

    ``by_event``: per event, each of ``names``'s first events as years from 2026
    (``years``: never), as :meth:`_ByArray.years` gives them. Returns counts of shape
    (events, years, companies + 1): for each event and each year from 2026, the scenarios
    in which ``k = 0 .. companies`` of the companies (the industry aside) had their first
    event in that year or before. [count]
    """
    companies = sum(name != "industry" for name in names)
    out = np.zeros((len(by_event), years, companies + 1), dtype=np.int64)
    for e, year in enumerate(by_event):
        # each scenario's companies in the order of their first events: at least k have had
        # theirs by year y where the k-th first event is in y or before
        first = np.sort(_side_by_side(names, year), axis=1)
        at_least = np.zeros((companies + 2, years), dtype=np.int64)
        at_least[0] = len(first)
        for k in range(companies):  # a pass over the scenarios per company
            at_least[k + 1] = np.cumsum(np.bincount(first[:, k], minlength=years + 1))[:years]
        out[e] = (at_least[:-1] - at_least[1:]).T  # exactly k: at least k, not k + 1
    return out


def _breaches(
    names: Sequence[str], lowest: Sequence[np.ndarray], covenants: Sequence[float] = COVENANTS
) -> np.ndarray:
    """Scenarios in which exactly ``k`` companies' lowest annual DSCR falls below each covenant.

    ``lowest``: each of ``names``'s lowest annual DSCR per scenario (NaN: no debt service,
    never below). Returns counts of shape (covenants, companies + 1), a row per level of
    ``covenants``, the industry aside. [count]
    """
    dscr = _side_by_side(names, lowest)
    with np.errstate(invalid="ignore"):  # NaN < level is False: no debt service, no breach
        return np.stack(
            [
                np.bincount((dscr < level).sum(axis=1), minlength=dscr.shape[1] + 1)
                for level in covenants
            ]
        )


def _reduce(
    rows: pd.DataFrame | OutcomeArrays, years: int, covenants: Sequence[float] = COVENANTS
) -> tuple[dict, dict, dict | None, np.ndarray, np.ndarray | None]:
    """Per company: a quantile sketch of each summarised outcome, and counts by year.

    ``rows``: the outcome rows (read back from a store or a kept file, say), or a task's
    outcome arrays (the same reductions, without making the table). ``impaired[company]``
    has shape (2, years + 1): scenarios whose first material IFRS
    (row 0) or US GAAP (row 1) charge falls in each year from 2026, the last column
    counting those with none within the horizon; with the loan life cover columns, a third
    row counts the first quarter the LLCR is below 1 the same way. ``peaks[company]``, shape
    (years + 1,): scenarios whose today's capital's stranded value peaks in each year (the
    year of ``stranded_peak_to_2026_date``), the last entry counting those where it never
    strands materially; None where the rows lack the date (rows read back from a store or a
    kept file). ``together``: :func:`_together` over the same first events, how many
    companies at once; ``breaches``: :func:`_breaches`, how many companies' lowest DSCR
    falls below each level of ``covenants`` at once (None where the rows lack it). [count]

    The sketches are made on the kernel's threads, a share of the columns each (NumPy
    releases the GIL on each company's column).
    """
    by = _ByArray(rows) if isinstance(rows, OutcomeArrays) else _ByCompany(rows)
    cover = by.has("min_llcr")
    firsts: tuple[str, ...] = ("first_impairment_ifrs", "first_impairment_usgaap")
    firsts += ("first_llcr_below_1",) if cover else ()
    # min_dscr: NaN without debt service, min_interest_cover without interest, min_llcr
    # without debt; booked_life_years: not in rows stored before it was kept
    covers = COVER_OUTCOMES if cover else COVER_OUTCOMES[:-1]
    outcomes = [c for c in (*SUMMARISED, *covers, *LIFE_OUTCOMES) if by.has(c)]
    columns = {outcome: by.column(outcome) for outcome in outcomes}
    sketched: list[tuple[tuple[str, str], np.ndarray]] = []
    for i, name in enumerate(by.names):
        sketched += [((name, outcome), columns[outcome][i]) for outcome in outcomes]
        if by.has("booked_life_years"):  # 1 where the economic life is the shorter, else 0
            economic = columns["economic_life_years"][i]
            booked = columns["booked_life_years"][i]
            short = np.where(
                np.isfinite(economic) & np.isfinite(booked), (economic < booked) * 1.0, np.nan
            )
            sketched.append(((name, LIFE_SHORT), short))
    threads = numba.get_num_threads()
    cuts = [len(sketched) * i // threads for i in range(threads + 1)]
    parts = [sketched[a:b] for a, b in pairwise(cuts)]
    made = map_in_threads(lambda part: [QuantileSketch.of(x) for _, x in part], parts)
    sketches = dict(zip([key for key, _ in sketched], chain.from_iterable(made), strict=True))
    by_event = [by.years(column, years) for column in firsts]
    counts = [_counted(event, years) for event in by_event]
    impaired = {name: np.stack([c[i] for c in counts]) for i, name in enumerate(by.names)}
    peaks = None
    if by.has("stranded_peak_to_2026_date"):
        peaks = dict(
            zip(by.names, _year_counts(by, "stranded_peak_to_2026_date", years), strict=True)
        )
    lowest = columns.get("min_dscr")
    breaches = None if lowest is None else _breaches(by.names, lowest, covenants)
    return sketches, impaired, peaks, _together(by.names, by_event, years), breaches


def capex_year_sketches(
    scenario: Scenario, result: SimulationResult | OutcomeArrays
) -> dict[tuple[str, str], QuantileSketch]:
    """Sketch each company's peak stranded value of each year's capex valued alone.

    Parameters
    ----------
    scenario : Scenario
        The scenario ``result`` was simulated from (its companies, in order). [-]
    result : SimulationResult or OutcomeArrays
        From :func:`simulate` (or :func:`outcome_arrays`) with ``capex_years=True``; without
        them, no sketches. [USD]

    Returns
    -------
    dict
        ``(company, "capex_year:YYYY") -> QuantileSketch`` over the result's scenarios,
        the industry included. [USD]
    """
    if result.capex_year_peak is None:
        return {}
    names = [*(c.name for c in scenario.companies), "industry"]
    return {
        (company, f"{CAPEX_YEAR_PREFIX}{year}"): QuantileSketch.of(result.capex_year_peak[:, k, g])
        for k, company in enumerate(names)
        for g, year in enumerate(result.capex_years)
    }


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
    capex_years: bool = False,
    covenants: Sequence[float] = COVENANTS,
) -> _TaskResult:
    """Run scenarios ``start`` to ``stop - 1`` and reduce them.

    Returns the quantile sketches and impairment counts, the fan series (for scenarios
    below ``fan_limit``), the first parameter draws (for the task that starts at 0) and,
    only if ``keep_rows``, the outcome rows and samples, with every scenario's quarterly
    value paths in long form if ``keep_series``.
    """
    samples = sample_in_threads(space, start, stop, seed, sampler)
    arrays = outcome_arrays(scenario, samples, llcr=llcr, capex_years=capex_years)
    sketches, impaired, peaks, together, breaches = _reduce(arrays, scenario.years, covenants)
    sketches.update(capex_year_sketches(scenario, arrays))
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
    rows = _kept_rows(arrays, start, stop - start, llcr) if keep_rows else None
    ranked = None
    if start < DRIVER_SCENARIOS:
        last = min(stop, DRIVER_SCENARIOS)
        first = rows if rows is not None else _kept_rows(arrays, start, last - start, llcr)
        ranked = (
            drawn.iloc[: last - start].copy(),
            first.loc[first["scenario"] < last, ["scenario", "company", *DRIVER_OUTCOMES]],
        )
    if rows is None:
        return _TaskResult(
            start, stop, sketches, impaired, fans, head, ranked, peaks=peaks, together=together,
            breaches=breaches,
        )  # fmt: skip
    return _TaskResult(
        start, stop, sketches, impaired, fans, head, ranked, rows, drawn, series, peaks, together,
        breaches,
    )  # fmt: skip


def _kept_rows(arrays: OutcomeArrays, start: int, scenarios: int, llcr: bool) -> pd.DataFrame:
    """Return the kept outcome columns of a task's first ``scenarios``, numbered from ``start``."""
    rows = arrays.frame(scenarios).loc[:, [*KEPT_COLUMNS, *(LLCR_COLUMNS if llcr else ())]]
    rows["scenario"] += start
    return rows


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
