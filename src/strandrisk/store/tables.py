"""The results store's tables: their schema, and rows to and from Python objects.

Used by :class:`strandrisk.store.runs.RunStore` and :mod:`strandrisk.store.mc_runs`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["LLCR_COLUMNS", "SCHEMA_VERSION", "StoredRun", "series_dataset"]

SCHEMA_VERSION = 1

_DDL = """
CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    created_at TIMESTAMP,
    package_version VARCHAR,
    kind VARCHAR,
    scenario_name VARCHAR,
    scenario_toml VARCHAR,
    seed BIGINT,
    register_sha256 VARCHAR,
    n_scenarios INTEGER,
    companies VARCHAR
);
CREATE TABLE IF NOT EXISTS outcomes (
    run_id INTEGER, scenario INTEGER, company VARCHAR, capex_2026 DOUBLE,
    booked_life_years DOUBLE, economic_life_years DOUBLE, npv_2026 DOUBLE, irr_2026 DOUBLE,
    payback_years_2026 DOUBLE, stranded_peak DOUBLE, stranded_peak_date VARCHAR,
    impairment_ifrs DOUBLE, impairment_usgaap DOUBLE, first_impairment_ifrs VARCHAR,
    first_impairment_usgaap VARCHAR, min_dscr DOUBLE, first_negative_fcf_year INTEGER,
    breakeven_demand_growth DOUBLE, breakeven_price_decline DOUBLE
);
CREATE TABLE IF NOT EXISTS mc_samples (run_id INTEGER, scenario BIGINT, key VARCHAR, value DOUBLE);
CREATE TABLE IF NOT EXISTS mc_design (run_id INTEGER PRIMARY KEY, sampler VARCHAR);
CREATE TABLE IF NOT EXISTS series (
    run_id INTEGER, scenario INTEGER, company VARCHAR, quarter VARCHAR, variable VARCHAR, value DOUBLE
);
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS min_llcr DOUBLE;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS first_llcr_below_1 VARCHAR;
ALTER TABLE mc_design ADD COLUMN IF NOT EXISTS loan_cover BOOLEAN;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS min_interest_cover DOUBLE;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS stranded_peak_to_2026 DOUBLE;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS stranded_peak_to_2026_date VARCHAR;
ALTER TABLE mc_design ADD COLUMN IF NOT EXISTS parameters INTEGER;
ALTER TABLE mc_design ADD COLUMN IF NOT EXISTS precision VARCHAR;
ALTER TABLE mc_design ADD COLUMN IF NOT EXISTS peak_dates BOOLEAN;
ALTER TABLE mc_design ADD COLUMN IF NOT EXISTS page VARCHAR;
CREATE TABLE IF NOT EXISTS decisions (
    run_id INTEGER, position INTEGER, label VARCHAR, setting VARCHAR
);
CREATE TABLE IF NOT EXISTS decision_sketches (
    run_id INTEGER, part VARCHAR, decision VARCHAR, company VARCHAR, outcome VARCHAR,
    alpha DOUBLE, x_min DOUBLE, dropped BIGINT, keys BIGINT[], counts BIGINT[]
);
CREATE TABLE IF NOT EXISTS mc_sketches (
    run_id INTEGER, company VARCHAR, outcome VARCHAR,
    alpha DOUBLE, x_min DOUBLE, dropped BIGINT, keys BIGINT[], counts BIGINT[]
);
"""


LLCR_COLUMNS = ("min_llcr", "first_llcr_below_1")
"""Outcome columns of runs that computed the loan life cover (``simulate``'s, kept here so
that reading a store does not load the model)."""

_ADDED = (
    ("min_interest_cover", "min_dscr"),
    ("stranded_peak_to_2026", "stranded_peak_date"),
    ("stranded_peak_to_2026_date", "stranded_peak_to_2026"),
)
"""Outcome columns added to the store's table after it was first made, each with the column
it follows in the outcome table."""

_LATER_KEPT = (
    "min_interest_cover",
    "stranded_peak_to_2026",
    "booked_life_years",
    "stranded_peak_to_2026_date",
)
"""Columns of a kept Monte Carlo run (``mc --keep``) that older kept files lack."""

_NUMERIC = (
    "capex_2026",
    "booked_life_years",
    "economic_life_years",
    "npv_2026",
    "irr_2026",
    "stranded_peak",
    "stranded_peak_to_2026",
    "impairment_ifrs",
    "impairment_usgaap",
    "min_dscr",
    "min_interest_cover",
    "breakeven_demand_growth",
    "breakeven_price_decline",
    "min_llcr",
)
"""The numeric outcome columns that ``compare`` and ``quantiles`` report (``min_llcr`` where
the store has the column and the run computed it)."""


@dataclass(frozen=True, slots=True)
class StoredRun:
    """A run read back from the store."""

    meta: dict[str, object]
    outcomes: pd.DataFrame
    series: pd.DataFrame
    samples: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    """Monte Carlo runs: each scenario's parameter values, one column per parameter."""
    quantiles: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    """Monte Carlo runs: P5, P50, P95, P99 of each outcome per company (:meth:`RunStore.quantiles`)."""
    comparison: Any = None
    """Decision comparisons: the ``DecisionComparison`` (:meth:`RunStore.comparison`)."""
    sketches: dict = dataclasses.field(default_factory=dict)
    """Monte Carlo runs: the sketches kept besides the rows (:meth:`RunStore.mc_sketches`)."""


def _series_frame(ds: xr.Dataset | None) -> pd.DataFrame:
    if ds is None:
        return pd.DataFrame(columns=["scenario", "company", "quarter", "variable", "value"])
    names = [v for v in ds.data_vars if ds[v].dims == ("scenario", "company", "quarter")]
    frames = []
    for name in names:
        frame = (
            ds[name]
            .to_dataframe(name="value")
            .reset_index()[["scenario", "company", "quarter", "value"]]
        )
        frame.insert(3, "variable", name)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["scenario"] = (
        out["scenario"].astype("int64") if out["scenario"].dtype != object else out["scenario"]
    )
    return out


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """Return the first column of the one row an aggregate query returns."""
    row = con.execute(sql, params or []).fetchone()
    assert row is not None  # an aggregate without GROUP BY returns exactly one row
    return row[0]


def series_dataset(long: pd.DataFrame) -> xr.Dataset:
    """Rebuild the quarterly series a run stored (long format) as an xarray Dataset.

    The inverse of how :meth:`RunStore.record` stores them: dims (scenario, company,
    quarter), companies and quarters in the order they were stored.

    Parameters
    ----------
    long : pandas.DataFrame
        Columns ``scenario, company, quarter, variable, value`` (``StoredRun.series``). [-]
    """
    if long.empty:
        return xr.Dataset()
    frame = long.assign(
        company=pd.Categorical(long["company"], categories=long["company"].unique()),
        quarter=pd.Categorical(long["quarter"], categories=long["quarter"].unique()),
    )
    wide = frame.pivot(
        index=["scenario", "company", "quarter"], columns="variable", values="value"
    ).sort_index()
    ds = xr.Dataset.from_dataframe(wide)
    return ds.assign_coords(
        company=[str(c) for c in ds["company"].values],
        quarter=[str(q) for q in ds["quarter"].values],
    )


def _new_run(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    scenario_name: str,
    scenario_toml: str,
    seed: int | None,
    provenance: tuple[str, str],
    n: int,
    companies: str,
) -> int:
    """Insert the ``runs`` row of a new run (inside the caller's transaction); return its id."""
    run_id = int(_scalar(con, "SELECT coalesce(max(id), 0) + 1 FROM runs"))
    package_version, register_sha256 = provenance
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, now, package_version, kind, scenario_name, scenario_toml, seed,
         register_sha256, n, companies],
    )  # fmt: skip
    return run_id


def _sketch(alpha: float, x_min: float, dropped: int, keys: list, counts: list) -> Any:
    """Return a stored quantile sketch (a row of ``mc_sketches`` or ``decision_sketches``)."""
    from strandrisk.core.sketch import QuantileSketch

    return QuantileSketch(
        np.asarray(keys, dtype=np.int64),
        np.asarray(counts, dtype=np.int64),
        float(alpha),
        float(x_min),
        int(dropped),
    )


def _sketch_row(sketch: Any) -> list:
    """Return ``alpha, x_min, dropped, keys, counts`` of a quantile sketch, as stored."""
    return [
        sketch.alpha,
        sketch.x_min,
        sketch.dropped,
        sketch.keys.tolist(),
        sketch.counts.tolist(),
    ]
