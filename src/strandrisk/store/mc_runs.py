"""Recording Monte Carlo runs and decision comparisons in the run store.

Read back by :class:`~strandrisk.store.runs.RunStore` (``meta``, ``quantiles``, ``get``,
``comparison``), which also holds the schema; each record is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from strandrisk.store.runs import RunStore
from strandrisk.store.tables import _LATER_KEPT, LLCR_COLUMNS, _new_run, _sketch_row

__all__ = ["record_comparison", "record_mc"]


def record_mc(
    store: RunStore,
    *,
    kept: Path,
    scenario_name: str,
    scenario_toml: str,
    seed: int,
    package_version: str,
    register_sha256: str,
    sampler: str = "mc",
    precision: dict | None = None,
    sketches: Mapping[tuple[str, str], Any] | None = None,
    page: dict | None = None,
) -> int:
    """Copy a Monte Carlo run's per-scenario outcomes and samples into the store.

    Parameters
    ----------
    store : RunStore
        The run store. [-]
    kept : path-like
        The DuckDB file ``run_mc`` streamed its rows into (tables ``mc`` and ``samples``). [-]
    scenario_name, scenario_toml : str
        The scenario. [-]
    seed : int
        Root seed. [-]
    package_version, register_sha256 : str
        Provenance. [-]
    sampler : str
        The sampling design (``mc``, ``lhs`` or ``sobol``), kept in ``mc_design``. [-]
    precision : dict, optional
        How a run with a precision target stopped (``PrecisionControl.as_json()``), kept in
        ``mc_design`` as JSON. [fraction, count]
    sketches : mapping, optional
        ``(company, outcome) -> QuantileSketch`` of what the rows do not hold (each year's
        capex valued alone, ``mc --capex-years``), kept whole in ``mc_sketches``. [USD]
    page : dict, optional
        What the run's page showed beyond the rows (``company``, whose drivers, and
        ``conditions``, the ``--above``/``--below`` chances), kept in ``mc_design`` as JSON
        so that ``strandrisk report`` rebuilds the same page. [-, USD]

    Returns
    -------
    int
        The run id. Outcomes go to ``outcomes`` (columns the Monte Carlo does not compute are
        NULL); parameter values to ``mc_samples`` (long: run, scenario, key, value). One
        transaction.
    """
    with store._connect() as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS mc_samples "
            "(run_id INTEGER, scenario BIGINT, key VARCHAR, value DOUBLE)"
        )
        con.execute(f"ATTACH '{Path(kept).as_posix()}' AS kept (READ_ONLY)")
        try:
            con.execute("BEGIN TRANSACTION")
            n = int(con.execute("SELECT count(DISTINCT scenario) FROM kept.mc").fetchall()[0][0])
            companies = ",".join(
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT company FROM kept.mc ORDER BY company"
                ).fetchall()
            )
            provenance = (package_version, register_sha256)
            run_id = _new_run(
                con, "mc", scenario_name, scenario_toml, seed, provenance, n, companies
            )
            kept_columns = {
                r[0] for r in con.execute("DESCRIBE kept.mc").fetchall()
            }  # the loan life cover's too when the run computed it
            cover = set(LLCR_COLUMNS) <= kept_columns
            later = [c for c in _LATER_KEPT if c in kept_columns]  # not in older --keep files
            columns = ", ".join(
                [
                    "scenario", "company", "npv_2026", "irr_2026", "stranded_peak",
                    "impairment_ifrs", "impairment_usgaap", "first_impairment_ifrs",
                    "first_impairment_usgaap", "economic_life_years", "min_dscr", *later,
                    *(LLCR_COLUMNS if cover else ()),
                ]
            )  # fmt: skip
            con.execute(
                f"INSERT INTO outcomes (run_id, {columns}) SELECT ?, {columns} FROM kept.mc",
                [run_id],
            )
            con.execute(
                "INSERT INTO mc_samples SELECT ?, scenario, key, value FROM "
                "(UNPIVOT kept.samples ON COLUMNS(* EXCLUDE (scenario)) INTO NAME key VALUE value)",
                [run_id],
            )
            dates = "stranded_peak_to_2026_date" in kept_columns
            con.execute(
                "INSERT INTO mc_design (run_id, sampler, loan_cover, precision, peak_dates, page) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    sampler,
                    cover,
                    None if precision is None else json.dumps(precision),
                    dates,
                    None if page is None else json.dumps(page),
                ],
            )
            if sketches:
                con.executemany(
                    "INSERT INTO mc_sketches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        [run_id, company, outcome, *_sketch_row(sk)]
                        for (company, outcome), sk in sorted(sketches.items())
                    ],
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.execute("DETACH kept")
    return run_id


def record_comparison(
    store: RunStore,
    comparison: Any,
    *,
    scenario_name: str,
    scenario_toml: str,
    parameters: int,
    package_version: str,
    register_sha256: str,
) -> int:
    """Record a decision comparison (``mc --compare/--stress``) in one transaction.

    Parameters
    ----------
    store : RunStore
        The run store. [-]
    comparison : DecisionComparison
        From :func:`~strandrisk.engine.decisions.compare_decisions`. [-]
    scenario_name, scenario_toml : str
        The scenario as given. [-]
    parameters : int
        Uncertain parameters drawn. [count]
    package_version, register_sha256 : str
        Provenance. [-]

    Returns
    -------
    int
        The run id (kind ``compare``): the decisions and their settings go to ``decisions``,
        every quantile sketch whole to ``decision_sketches`` (so :meth:`RunStore.comparison`
        gives back the same comparison), the design to ``mc_design``.
    """
    c = comparison
    companies = ",".join(c.companies())
    sketches = [
        (part, decision, company, outcome, *_sketch_row(sk))
        for part, source in (
            ("outcome", c.outcomes), ("change", c.changes), ("regret", c.regrets)
        )
        for (decision, company, outcome), sk in sorted(source.items())
    ]  # fmt: skip
    with store._connect() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            run_id = _new_run(
                con,
                "compare",
                scenario_name,
                scenario_toml,
                c.seed,
                (package_version, register_sha256),
                c.n,
                companies,
            )
            con.executemany(
                "INSERT INTO decisions VALUES (?, ?, ?, ?)",
                [
                    [run_id, i, label, json.dumps(setting)]
                    for i, (label, setting) in enumerate(c.decisions.items())
                ],
            )
            con.executemany(
                "INSERT INTO decision_sketches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[run_id, *row] for row in sketches],
            )
            con.execute(
                "INSERT INTO mc_design (run_id, sampler, parameters) VALUES (?, ?, ?)",
                [run_id, c.sampler, parameters],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return run_id
