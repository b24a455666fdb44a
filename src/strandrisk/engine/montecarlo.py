"""Monte Carlo over the uncertainty space: chunked, streamed, reproducible, optionally on Dask.

Scenarios are run in ranges of ``chunk_size``; each range draws its own parameter values
(:func:`~strandrisk.scenarios.sampling.sample_range`, identical for a scenario whatever
the range), runs :func:`simulate`, and streams its outcome rows into a DuckDB table, so
memory does not grow with the number of scenarios. Summaries (quantiles, Capex-at-Risk,
probability of impairment by year) are computed there; fan charts come from the first
:data:`FAN_SCENARIOS` scenarios' series.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from strandrisk.engine.simulate import START_YEAR, simulate, value_paths
from strandrisk.scenarios.sampling import UncertaintySpace, sample_range
from strandrisk.scenarios.schema import Scenario

__all__ = ["FAN_SCENARIOS", "QUANTILES", "SERIES_CHUNK", "MCResult", "read_kept", "run_mc"]

FAN_SCENARIOS = 2000
"""Scenarios whose quarterly series feed the fan charts."""
QUANTILES = (0.05, 0.5, 0.95, 0.99)
DUCKDB_MEMORY = "512MB"
SERIES_CHUNK = 10_000
"""Most scenarios per task when every scenario's series are kept (240 rows a scenario)."""
"""Memory DuckDB may use for the outcome table's sorts before spilling to disk."""
_SUMMARY = ("stranded_peak", "npv_2026", "impairment_ifrs", "impairment_usgaap")
_FAN_VARS = ("stranded_value", "book_value", "economic_value")
_KEEP = (
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
)


@dataclass(frozen=True, slots=True)
class MCResult:
    """Summary of a Monte Carlo run.

    Attributes
    ----------
    n, seed, sampler : int, int, str
        Run design.
    quantiles : pandas.DataFrame
        Index (company, outcome); columns ``p5, p50, p95, p99``. [USD]
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

    def as_json(self) -> dict[str, object]:
        """Return the summary as one JSON-ready object."""
        q = {
            f"{company}.{outcome}": {c: (None if pd.isna(v) else float(v)) for c, v in row.items()}
            for (company, outcome), row in self.quantiles.iterrows()
        }
        car = {c: {k: float(v) for k, v in row.items()} for c, row in self.capex_at_risk.iterrows()}
        p_imp = {
            f"{company}.{year}": {k: float(v) for k, v in row.items()}
            for (year, company), row in self.p_impairment.iterrows()
        }
        return {
            "n": self.n,
            "seed": self.seed,
            "sampler": self.sampler,
            "quantiles": q,
            "capex_at_risk": car,
            "p_impairment": p_imp,
        }


def _task(
    scenario: Scenario,
    space: UncertaintySpace,
    start: int,
    stop: int,
    seed: int,
    sampler: str,
    fan_limit: int,
    keep_series: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, dict | None, pd.DataFrame | None]:
    """Run scenarios ``start`` to ``stop - 1``.

    Returns outcome rows, samples, the fan series (for scenarios below ``fan_limit``) and,
    if ``keep_series``, every scenario's quarterly value paths in long form.
    """
    samples = sample_range(space, start, stop, seed, sampler)
    result = simulate(scenario, samples, breakeven=False, keep_series=False)
    rows = result.outcomes.loc[:, list(_KEEP)].copy()
    rows["scenario"] += start
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
    return rows, drawn, fans, series


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


def _ranges(n: int, chunk: int) -> list[tuple[int, int]]:
    return [(a, min(a + chunk, n)) for a in range(0, n, chunk)]


@contextlib.contextmanager
def _executor(workers: int | None, scheduler: str | None) -> Iterator[Callable | None]:
    if not workers and not scheduler:
        yield None
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
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
    con: duckdb.DuckDBPyConnection, years: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # exact quantiles hold every value of the group in memory: one company and one outcome
    # at a time keeps that to n values whatever the number of companies and outcomes
    companies = [
        r[0] for r in con.execute("SELECT DISTINCT company FROM mc ORDER BY company").fetchall()
    ]
    levels = "[" + ", ".join(str(q) for q in QUANTILES) + "]"
    rows, car_rows = [], []
    for company in companies:
        for outcome in _SUMMARY:
            (values,) = con.execute(
                f"SELECT quantile_cont({outcome}, {levels}) FROM mc WHERE company = ?", [company]
            ).fetchall()[0]
            rows.append((company, outcome, *values))
            if outcome == "stranded_peak":
                car95 = values[QUANTILES.index(0.95)]
                (shortfall,) = con.execute(
                    "SELECT avg(stranded_peak) FROM mc WHERE company = ? AND stranded_peak >= ?",
                    [company, car95],
                ).fetchall()[0]
                car_rows.append((company, car95, shortfall))
    columns = [f"p{round(q * 100)}" for q in QUANTILES]
    quantiles = (
        pd.DataFrame(rows, columns=["company", "outcome", *columns])
        .set_index(["company", "outcome"])
        .sort_index()
    )
    car = pd.DataFrame(car_rows, columns=["company", "car95", "expected_shortfall"]).set_index(
        "company"
    )
    rows = []
    for y in range(START_YEAR, START_YEAR + years):
        last = f"{y}Q4"
        frame = con.execute(
            "SELECT company, avg(CASE WHEN first_impairment_ifrs IS NOT NULL AND first_impairment_ifrs <= ? "
            "THEN 1.0 ELSE 0.0 END) AS ifrs, avg(CASE WHEN first_impairment_usgaap IS NOT NULL AND "
            "first_impairment_usgaap <= ? THEN 1.0 ELSE 0.0 END) AS usgaap FROM mc GROUP BY company ORDER BY company",
            [last, last],
        ).df()
        frame.insert(0, "year", y)
        rows.append(frame)
    p_imp = pd.concat(rows).set_index(["year", "company"])
    return quantiles, car, p_imp


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
) -> MCResult:
    """Run ``n`` scenarios drawn from ``space``.

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
        DuckDB file to keep every scenario's outcomes in (table ``mc``); a temporary file
        otherwise. [-]
    progress : callable, optional
        Called with the number of scenarios finished after each task. [-]
    keep_series : bool
        Also keep every scenario's quarterly stranded, book and economic value per company
        (table ``series`` in ``outcomes_path``, which it requires); tasks then hold at most
        :data:`SERIES_CHUNK` scenarios. [-]

    Returns
    -------
    MCResult
        Quantiles, Capex-at-Risk, probability of impairment by year, fans.
    """
    if n < 1 or chunk_size < 1:
        raise ValueError("n and chunk_size must be positive")
    if not space.keys:
        raise ValueError("the uncertainty space is empty: nothing to sample")
    if keep_series and outcomes_path is None:
        raise ValueError("keep_series needs outcomes_path: the series are kept there")
    ranges = _ranges(n, min(chunk_size, SERIES_CHUNK) if keep_series else chunk_size)
    tmp = None
    if outcomes_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="strandrisk-mc-")
        path = Path(tmp.name) / "mc.duckdb"
    else:
        path = Path(outcomes_path)
        path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    # bounded memory whatever n: DuckDB spills its sorts for the quantiles to disk
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    fans: list[tuple[int, dict]] = []
    head = None
    try:
        con.execute(
            "CREATE TABLE mc (scenario BIGINT, company VARCHAR, stranded_peak DOUBLE, npv_2026 DOUBLE, irr_2026 DOUBLE, "
            "impairment_ifrs DOUBLE, impairment_usgaap DOUBLE, first_impairment_ifrs VARCHAR, "
            "first_impairment_usgaap VARCHAR, economic_life_years DOUBLE, min_dscr DOUBLE)"
        )

        columns = ", ".join(f'"{k}" DOUBLE' for k in space.keys)
        con.execute(f"CREATE TABLE samples (scenario BIGINT{', ' if columns else ''}{columns})")

        if keep_series:
            con.execute(
                "CREATE TABLE series (scenario BIGINT, company VARCHAR, quarter VARCHAR, "
                "stranded_value DOUBLE, book_value DOUBLE, economic_value DOUBLE)"
            )

        def absorb(
            start: int,
            rows: pd.DataFrame,
            drawn: pd.DataFrame,
            fan: dict | None,
            series: pd.DataFrame | None,
        ) -> None:
            nonlocal head
            if series is not None:
                con.register("paths", series)
                con.execute(
                    "INSERT INTO series SELECT scenario, company::VARCHAR, quarter, "
                    "stranded_value, book_value, economic_value FROM paths"
                )
                con.unregister("paths")
            con.register("chunk", rows)
            con.execute("INSERT INTO mc SELECT * FROM chunk")
            con.unregister("chunk")
            con.register("drawn", drawn)
            con.execute("INSERT INTO samples SELECT * FROM drawn")
            con.unregister("drawn")
            if fan is not None:
                fans.append((start, fan))
            if start == 0:
                head = drawn.iloc[:50]
            if progress is not None:
                progress(rows["scenario"].nunique())

        with _executor(workers, scheduler) as client:
            args = (scenario, space)
            if client is None:
                for a, b in ranges:
                    absorb(a, *_task(*args, a, b, seed, sampler, FAN_SCENARIOS, keep_series))
            else:
                from dask.distributed import as_completed

                futures = {
                    client.submit(
                        _task, *args, a, b, seed, sampler, FAN_SCENARIOS, keep_series, pure=False
                    ): a
                    for a, b in ranges
                }
                for future in as_completed(futures):
                    absorb(futures[future], *future.result())
        quantiles, car, p_imp = _summaries(con, scenario.years)
    finally:
        con.close()
        if tmp is not None:
            tmp.cleanup()
    fan_frame = _fan_frame([f for _, f in sorted(fans, key=lambda x: x[0])])
    return MCResult(
        n,
        seed,
        sampler,
        quantiles,
        car,
        p_imp,
        fan_frame,
        head if head is not None else pd.DataFrame(),
        None if tmp else path,
    )


def read_kept(path: Path, company: str = "industry") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read back a kept run: parameter samples and one company's outcomes, by scenario."""
    with duckdb.connect(str(path), read_only=True) as con:
        samples = con.execute("SELECT * FROM samples ORDER BY scenario").df()
        outcomes = con.execute(
            "SELECT * FROM mc WHERE company = ? ORDER BY scenario", [company]
        ).df()
    return samples.set_index("scenario"), outcomes.set_index("scenario")
