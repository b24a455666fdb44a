"""Re-perform a stored run with today's model, to see whether it still gives what was recorded.

A run records its full scenario and, for a Monte Carlo run, every scenario's drawn parameter
values, so its outcomes can be recomputed without its priors: the stored draws go through
:func:`strandrisk.simulate` again and each outcome column is compared with the stored one.
What a model-risk reviewer asks after a model or register change (re-performance): which
outcomes moved, in how many scenarios, and by how much. ``strandrisk runs check ID``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from strandrisk import __version__
from strandrisk.assumptions.register import load_register
from strandrisk.core.sketch import QuantileSketch
from strandrisk.engine.mc_result import QUANTILES
from strandrisk.engine.montecarlo import capex_year_sketches
from strandrisk.engine.simulate import OUTCOME_UNITS, simulate
from strandrisk.errors import InputError
from strandrisk.jobs import stored_scenario
from strandrisk.scenarios.schema import Scenario
from strandrisk.store.runs import RunStore

__all__ = ["TOLERANCE", "Recheck", "recheck_run"]

TOLERANCE = 1e-9
"""Largest difference still counted as the same, relative to the largest stored value of the
column (money outcomes run to trillions: a billionth is about a thousand dollars). [-]"""


@dataclass(frozen=True, slots=True)
class Recheck:
    """A stored run recomputed with today's model, column by column.

    Attributes
    ----------
    run_id : int
        The stored run.
    meta : dict
        Its record (kind, scenarios, the version and register hash it was made with).
    scenarios : int
        Scenarios recomputed (the first ones of a Monte Carlo run). [count]
    version, register : str
        Today's package version and register hash.
    columns : pandas.DataFrame
        Index outcome; ``compared`` (rows with a stored value), ``differ`` (rows beyond
        :data:`TOLERANCE`), ``largest`` (the largest difference, in the outcome's unit, NaN
        for dates), ``stored`` and ``now`` (the values where it is largest), ``where``
        (scenario and company there), ``unit``. A Monte Carlo run's capex-year distributions
        (``mc --capex-years``) appear as ``capex_year:YEAR``, their P5, P50, P95 and P99 per
        company compared (``where``: the quantile and company).
    not_compared : tuple of str
        What the run stored but this check could not compare, and why.
    """

    run_id: int
    meta: dict
    scenarios: int
    version: str
    register: str
    columns: pd.DataFrame
    not_compared: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        """Whether every compared outcome is within :data:`TOLERANCE` of what was stored."""
        return bool((self.columns["differ"] == 0).all())


_SHARES = ("_below", "share_up", "share_down", "best_in", "p_npv_negative")


def _gaps(stored: np.ndarray, now: np.ndarray) -> tuple[np.ndarray, float]:
    """Return how far each value moved, and the scale a difference is measured against.

    Zero where equal (infinities too) or NaN on both sides; inf where only one side is NaN or
    infinite; the scale is the largest finite stored magnitude, at least 1.
    """
    same = (stored == now) | (np.isnan(stored) & np.isnan(now))  # equal infinities too
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(stored) & np.isfinite(now)
        gap = np.where(same, 0.0, np.where(finite, np.abs(stored - now), np.inf))
    return gap, max(float(np.max(np.abs(stored[np.isfinite(stored)]), initial=0.0)), 1.0)


def _cells_row(name: str, values: list[tuple], unit: str) -> dict:
    """Return a report row from ``(stored, now, where)`` cells (None as NaN): how many moved."""
    a = np.array([np.nan if v is None else v for v, _, _ in values], dtype=float)
    b = np.array([np.nan if w is None else w for _, w, _ in values], dtype=float)
    gap, scale = _gaps(a, b)
    worst = int(np.argmax(gap))
    return {
        "outcome": name,
        "compared": len(values),
        "differ": int((gap > TOLERANCE * scale).sum()),
        "largest": float(gap[worst]),
        "stored": values[worst][0],
        "now": values[worst][1],
        "where": values[worst][2],
        "unit": unit,
    }


def _table_unit(table: str, column: str) -> str:
    """Return the unit of a column of a comparison's tables (as ``as_json`` describes them)."""
    if column.endswith(_SHARES) or table in ("satisficing_shares", "at_once"):
        return "fraction"
    return "-" if table == "cover" else "USD"


def _compare_again(runs: RunStore, meta: dict, scenario: Scenario, run_id: int) -> Recheck:
    """Run a stored decision comparison again, whole, from its priors, and compare its tables."""
    from strandrisk.engine.decisions import compare_decisions
    from strandrisk.io.uncertainty import uncertainty_from_toml

    stored = runs.comparison(run_id)
    space = uncertainty_from_toml(
        str(meta["scenario_toml"]), f"run {run_id}", scenario, required=False
    )
    if not space.keys:
        raise InputError(
            f"run {run_id} is a decision comparison stored without the priors it drew from (an "
            "earlier version): it cannot be run again from the store"
        )
    decisions, stresses = stored.settings()
    again = compare_decisions(
        scenario,
        space,
        decisions,
        stored.n,
        stored.seed,
        sampler=stored.sampler,
        stresses=stresses,
        llcr=stored.llcr,
        requirements=stored.requirements,
    )
    report = []
    old, new = stored.as_json(), again.as_json()
    for part in (old, new):  # the satisficing shares as a table like the others
        if part["satisficing"] is not None:
            part["satisficing_shares"] = part["satisficing"]["shares"]  # type: ignore[index]
    tables: tuple[str, ...] = ("summary", "change", "cover", "regret")
    tables += tuple(t for t in ("satisficing_shares", "at_once") if old.get(t) is not None)
    for table in tables:
        cells: dict[str, list[tuple[float, float, str]]] = {}
        for company, rows in old[table].items():
            for decision, row in rows.items():
                for column, value in row.items():
                    now = new[table][company][decision][column]  # type: ignore[index]
                    cells.setdefault(f"{table}: {column}", []).append(
                        (value, now, f"{decision}, {company}")
                    )
        for name, values in cells.items():
            report.append(_cells_row(name, values, _table_unit(table, name.split(": ")[1])))
    return Recheck(
        run_id=run_id,
        meta=meta,
        scenarios=stored.n,
        version=__version__,
        register=load_register().sha256(),
        columns=pd.DataFrame(report).set_index("outcome"),
    )


def _stored_rows(
    runs: RunStore, meta: dict, run_id: int, n: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return a run's first ``n`` scenarios' outcome rows and draws (all of a single run)."""
    stored = runs.get(run_id, first=n if meta["kind"] == "mc" else None)
    if meta["kind"] == "mc" and stored.samples.empty:
        raise InputError(f"run {run_id}: its draws were not stored; nothing to recompute")
    return stored.outcomes, stored.samples


def _capex_year_rows(
    stored: dict[tuple[str, str], QuantileSketch], now: dict[tuple[str, str], QuantileSketch]
) -> list[dict]:
    """Compare a run's stored capex-year sketches with those of all its draws recomputed.

    One row per capex year: its P5, P50, P95 and P99 for every company, stored against now.
    """
    cells: dict[str, list[tuple[float, float, str]]] = {}
    for (company, outcome), sketch in sorted(stored.items()):
        new = now.get((company, outcome))
        old_q = sketch.quantile(np.array(QUANTILES))
        new_q = (
            new.quantile(np.array(QUANTILES))
            if new is not None
            else np.full(len(QUANTILES), np.nan)
        )
        for q, a, b in zip(QUANTILES, old_q, new_q, strict=True):
            cells.setdefault(outcome, []).append(
                (float(a), float(b), f"P{round(100 * q)}, {company}")
            )
    return [_cells_row(outcome, values, "USD") for outcome, values in cells.items()]


def recheck_run(store_path: Path | str, run_id: int, n: int = 1000) -> Recheck:
    """Recompute a stored run's outcomes with today's model and compare them column by column.

    Parameters
    ----------
    store_path : path-like
        The DuckDB run store. [-]
    run_id : int
        A run of kind ``run`` or ``mc`` (``strandrisk runs list``). [-]
    n : int
        For a Monte Carlo run, how many of its first scenarios to recompute. [count]

    Returns
    -------
    Recheck
        Per outcome column: rows compared and differing, the largest difference and where.
        A decision comparison keeps distributions, not rows: it is run again whole from the
        priors it kept (same draws, seed and sampler), and each of its tables' columns is
        compared over every decision and company.

    Raises
    ------
    InputError
        No such store or run, a comparison stored without its priors, a scenario this
        version no longer loads, or ``n`` below 1.
    """
    if n < 1:
        raise InputError(f"--n {n}: recompute at least one scenario")
    runs, meta, scenario = stored_scenario(Path(store_path), run_id)
    if meta["kind"] == "compare":
        return _compare_again(runs, meta, scenario, run_id)
    rows, draws = _stored_rows(runs, meta, run_id, n)
    sketches = runs.mc_sketches(run_id) if meta["kind"] == "mc" else {}
    total = int(meta["n_scenarios"])
    whole = n >= total  # the sketches hold every draw: comparable only when all are redone
    not_compared: tuple[str, ...] = ()
    if sketches and not whole:
        not_compared = (
            f"each year's capex valued alone (mc --capex-years): stored as distributions over "
            f"all {total:,} draws, compared with --n {total} or more",
        )
    again, year_rows = _recompute(scenario, meta, draws, sketches if whole else {})
    report, scenarios = _compare_rows(rows, again)
    frame = pd.DataFrame([*report, *year_rows]).set_index("outcome")
    return Recheck(
        run_id=run_id,
        meta=meta,
        scenarios=scenarios,
        version=__version__,
        register=load_register().sha256(),
        columns=frame,
        not_compared=not_compared,
    )


def _recompute(
    scenario: Scenario,
    meta: dict[str, object],
    draws: pd.DataFrame,
    sketches: dict[tuple[str, str], QuantileSketch],
) -> tuple[pd.DataFrame, list[dict]]:
    """Return the outcomes today's model gives for the stored draws, and the capex years' rows.

    A Monte Carlo run's draws (``draws``, with their scenario numbers) are run again as one
    batch; ``sketches``, the run's capex-year distributions when every draw is redone (else
    empty), are compared with the batch's own. A single run is run again as it was.
    """
    if meta["kind"] != "mc":
        return simulate(scenario, keep_series=False).outcomes, []
    samples = {str(k): draws[k].to_numpy(dtype=float) for k in draws.columns if k != "scenario"}
    result = simulate(
        scenario,
        samples,
        breakeven=False,
        keep_series=False,
        llcr=bool(meta["loan_cover"]),
        capex_years=bool(sketches),
    )
    again = result.outcomes
    year_rows = (
        _capex_year_rows(sketches, capex_year_sketches(scenario, result)) if sketches else []
    )
    # the batch's scenario i is the stored run's scenario draws["scenario"][i]
    again["scenario"] = draws["scenario"].to_numpy()[again["scenario"].to_numpy()]
    return again, year_rows


def _compare_rows(rows: pd.DataFrame, again: pd.DataFrame) -> tuple[list[dict], int]:
    """Compare the stored outcome rows with today's, column by column.

    Returns a report row per outcome column (how many cells compared and differ, the largest
    difference and where) and the number of scenarios compared.
    """
    key = ["scenario", "company"]
    stored = rows.assign(company=rows["company"].astype(str), scenario=rows["scenario"].astype(int))
    now = again.assign(company=again["company"].astype(str))
    both = stored.merge(now, on=key, how="left", suffixes=("_stored", "_now"))
    columns = [c for c in rows.columns if c not in key and c in now.columns]
    report = []
    for c in columns:
        s, t = both[f"{c}_stored"], both[f"{c}_now"]
        if s.isna().all():  # a column the stored run did not compute (added to the store later)
            continue
        given = (s.notna() | t.notna()).to_numpy()  # never-events on both sides: nothing to see
        if pd.api.types.is_numeric_dtype(s) and pd.api.types.is_numeric_dtype(t):
            a, b = s.to_numpy(dtype=float), t.to_numpy(dtype=float)
            gap, scale = _gaps(a, b)
            bad = gap > TOLERANCE * scale
            worst = int(np.argmax(gap))
            largest = float(gap[worst])
        else:  # dates and years: the same quarter (or never) or not
            same = (
                s.astype(object).where(s.notna(), None).to_numpy()
                == t.astype(object).where(t.notna(), None).to_numpy()
            )
            bad = ~same
            worst = int(np.argmax(bad)) if bad.any() else 0
            largest = np.nan
        report.append(
            {
                "outcome": c,
                "compared": int(given.sum()),
                "differ": int(bad.sum()),
                "largest": largest,
                "stored": s.iloc[worst],
                "now": t.iloc[worst],
                "where": f"scenario {int(both['scenario'].iloc[worst])}, "
                f"{both['company'].iloc[worst]}",
                "unit": OUTCOME_UNITS.get(c, ""),
            }
        )
    return report, int(stored["scenario"].nunique())
