"""The results store: an embedded DuckDB database recording every run.

Tables: ``runs`` (one row per run: time, package version, scenario TOML, seed, register
hash), ``outcomes`` (the outcome table) and ``series`` (quarterly series, long format);
a Monte Carlo run adds ``mc_samples``, ``mc_design`` and, for what its rows do not hold
(each year's capex valued alone), ``mc_sketches``; a decision comparison ``decisions`` and
``decision_sketches`` (all recorded by :mod:`strandrisk.store.mc_runs`).
Each run is written in one transaction, so an interrupted write leaves no partial run.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import xarray as xr

from strandrisk.errors import InputError
from strandrisk.io.files import is_duckdb_file, limit_duckdb_memory
from strandrisk.store.tables import (  # LLCR_COLUMNS, StoredRun, series_dataset re-exported
    _ADDED,
    _DDL,
    _NUMERIC,
    LLCR_COLUMNS,
    SCHEMA_VERSION,
    StoredRun,
    _new_run,
    _scalar,
    _series_frame,
    _sketch,
    series_dataset,
)

__all__ = [
    "LLCR_COLUMNS",
    "RunStore",
    "StoredRun",
    "series_dataset",
]


class RunStore:
    """An embedded DuckDB file of runs.

    Parameters
    ----------
    path : path-like
        The database file (created on first write).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def check_file(self) -> None:
        """Refuse a store path that exists but is not a DuckDB file, before any work is done.

        DuckDB opens some such files (a small CSV, say) as an empty in-memory database, so a
        run recorded there would be lost without a word.

        Raises
        ------
        InputError
            If the file exists, is not empty and does not start like a DuckDB database.
        """
        if self.path.is_file() and self.path.stat().st_size > 0 and not is_duckdb_file(self.path):
            raise InputError(
                f"store {self.path}: exists and is not a DuckDB file; it is left as it is "
                "(give a new file name, or an existing strandrisk store)"
            )

    @contextlib.contextmanager
    def _connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not self.path.exists():
            raise InputError(f"store {self.path}: no such file (no run has been recorded there)")
        if not read_only and not self.path.parent.exists():
            raise InputError(f"store {self.path}: the folder {self.path.parent} does not exist")
        self.check_file()
        try:
            con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise InputError(
                    f"store {self.path}: locked by another process; try again when it ends"
                ) from None
            raise InputError(f"store {self.path}: cannot open ({text.splitlines()[0]})") from None
        except (duckdb.Error, OSError) as exc:
            raise InputError(
                f"store {self.path}: not a strandrisk DuckDB store ({str(exc).splitlines()[0]})"
            ) from None
        try:
            # bounded, as the Monte Carlo's kept file: DuckDB spills a large run's rows to
            # disk rather than holding them (a stored 10^6-scenario run held ≈0.9 GB)
            limit_duckdb_memory(con)
            if not read_only:
                con.execute(_DDL)
                con.execute(
                    "INSERT INTO store_info VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                    [str(SCHEMA_VERSION)],
                )
            yield con
        except duckdb.CatalogException as exc:
            raise InputError(
                f"store {self.path}: not a strandrisk store ({str(exc).splitlines()[0]})"
            ) from None
        finally:
            con.close()

    def record(
        self,
        *,
        kind: str,
        scenario_name: str,
        scenario_toml: str,
        outcomes: pd.DataFrame,
        series: xr.Dataset | None,
        package_version: str,
        register_sha256: str,
        seed: int | None = None,
    ) -> int:
        """Write one run in a single transaction and return its id.

        Parameters
        ----------
        kind : str
            ``run`` for the main job. [-]
        scenario_name, scenario_toml : str
            The scenario's name and full TOML. [-]
        outcomes : pandas.DataFrame
            The outcome table. [-]
        series : xarray.Dataset or None
            Quarterly series (stored long). [-]
        package_version, register_sha256 : str
            Provenance of the run. [-]
        seed : int, optional
            Root seed of a sampled run. [-]

        Returns
        -------
        int
            The run id.
        """
        long = _series_frame(series)
        frame = outcomes.copy()
        frame["first_negative_fcf_year"] = frame["first_negative_fcf_year"].astype("float64")
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                run_id = _new_run(
                    con,
                    kind,
                    scenario_name,
                    scenario_toml,
                    seed,
                    (package_version, register_sha256),
                    int(frame["scenario"].nunique()),
                    ",".join(dict.fromkeys(frame["company"])),
                )
                frame.insert(0, "run_id", run_id)
                con.register("new_outcomes", frame)
                con.execute("INSERT INTO outcomes BY NAME SELECT * FROM new_outcomes")
                long.insert(0, "run_id", run_id)
                con.register("new_series", long)
                con.execute("INSERT INTO series SELECT * FROM new_series")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return run_id

    def list_runs(self) -> pd.DataFrame:
        """Return every run's id, time, kind, scenario, version and register hash."""
        with self._connect(read_only=True) as con:
            return con.execute(
                "SELECT id, strftime(created_at, '%Y-%m-%d %H:%M') AS created, kind, scenario_name AS scenario, "
                "n_scenarios AS n, package_version AS version, left(register_sha256, 8) AS register "
                "FROM runs ORDER BY id"
            ).df()

    def meta(self, run_id: int) -> dict[str, object]:
        """One run's provenance (the ``runs`` row) without its outcomes.

        Parameters
        ----------
        run_id : int
            Run id. [-]

        Raises
        ------
        InputError
            If there is no run with that id.
        """
        with self._connect(read_only=True) as con:
            return self._meta(con, run_id)

    def _meta(self, con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, object]:
        meta = con.execute("SELECT * FROM runs WHERE id = ?", [run_id]).df()
        if meta.empty:
            raise InputError(f"store {self.path}: no run with id {run_id}")
        out = meta.iloc[0].to_dict()
        out["loan_cover"] = False
        if out["kind"] not in ("mc", "compare"):
            return out
        try:  # its design, one row; which columns it has depends on the store's age
            frame = con.execute("SELECT * FROM mc_design WHERE run_id = ?", [run_id]).df()
        except duckdb.CatalogException:  # a store written before mc_design existed
            frame = pd.DataFrame()
        design = {} if frame.empty else frame.iloc[0].to_dict()

        def given(name: str) -> Any:
            value = design.get(name)
            return None if value is None or pd.isna(value) else value

        out["sampler"] = given("sampler") or "not recorded"
        if out["kind"] == "mc":
            out["loan_cover"] = bool(given("loan_cover"))
            out["peak_dates"] = bool(given("peak_dates"))  # today's capital's peak quarters
            target = given("precision")
            out["precision"] = json.loads(target) if target else None
            page = given("page")  # the page's company and conditions
            out["page"] = json.loads(page) if page else None
        else:  # decisions over the same draws (mc --compare --store)
            parameters = given("parameters")
            out["parameters"] = None if parameters is None else int(parameters)
        return out

    @staticmethod
    def _numeric(con: duckdb.DuckDBPyConnection) -> list[str]:
        """Return the numeric outcome columns this store's ``outcomes`` table has."""
        present = {r[0] for r in con.execute("DESCRIBE outcomes").fetchall()}
        return [c for c in _NUMERIC if c in present]  # a store written before min_llcr

    def quantiles(
        self,
        run_id: int,
        quantiles: tuple[float, ...] = (0.05, 0.5, 0.95, 0.99),
        with_mean: bool = False,
    ) -> pd.DataFrame:
        """Quantiles of a run's outcomes over its scenarios, computed inside DuckDB.

        Parameters
        ----------
        run_id : int
            The run (any kind; a single-scenario run gives its values at every level). [-]
        quantiles : tuple of float
            Levels in [0, 1], interpolated linearly between scenarios. [-]
        with_mean : bool
            Add a ``mean`` column after the quantiles. [-]

        Returns
        -------
        pandas.DataFrame
            Index (company, outcome) over the outcomes the run computed (all-NULL columns,
            such as the break-even in a Monte Carlo run, are left out); columns ``P5``,
            ``P50``... [USD for money, years for lives, 1/year for rates]
        """
        levels = list(quantiles)
        names = [f"P{100 * q:g}" for q in levels]
        with self._connect(read_only=True) as con:
            self._meta(con, run_id)  # raises if absent
            numeric = self._numeric(con)
            columns = ", ".join(
                f"count({c}) AS n_{c}, quantile_cont({c}, $levels) AS q_{c}, avg({c}) AS m_{c}"
                for c in numeric
            )
            frame = con.execute(  # one pass over the run's rows for every outcome
                f"SELECT company, {columns} FROM outcomes WHERE run_id = $run GROUP BY company",
                {"levels": levels, "run": run_id},
            ).df()
        parts = []
        for column in numeric:
            rows = frame[frame[f"n_{column}"] > 0]
            if rows.empty:
                continue
            values = pd.DataFrame(rows[f"q_{column}"].tolist(), columns=names, dtype=float)
            if with_mean:
                values["mean"] = rows[f"m_{column}"].to_numpy(dtype=float)
            values.insert(0, "outcome", column)
            values.insert(0, "company", rows["company"].to_numpy())
            parts.append(values)
        table = pd.concat(parts, ignore_index=True)
        return table.set_index(["company", "outcome"])

    def share_below(
        self,
        run_id: int,
        column: str = "npv_2026",
        value: float = 0.0,
        missing_is_above: bool = False,
    ) -> pd.Series:
        """Share of a run's scenarios whose outcome is below a value, per company (in DuckDB).

        Parameters
        ----------
        run_id : int
            The run. [-]
        column : str
            A numeric outcome column. [-]
        value : float
            The threshold, in the column's unit. [outcome unit]
        missing_is_above : bool
            Count a scenario with no value (NULL) as not below instead of leaving it out:
            no debt service is no DSCR breach. [-]

        Returns
        -------
        pandas.Series
            Index company. [fraction]
        """
        if column not in _NUMERIC:
            raise InputError(f"{column!r}: not a numeric outcome column")
        test = f"coalesce({column} < $value, false)" if missing_is_above else f"{column} < $value"
        where = "" if missing_is_above else f" AND {column} IS NOT NULL"
        with self._connect(read_only=True) as con:
            meta = self._meta(con, run_id)
            if column in LLCR_COLUMNS and not meta["loan_cover"]:
                raise InputError(
                    f"run {run_id}: {column} was not computed (run the Monte Carlo with --llcr)"
                )
            frame = con.execute(
                f"SELECT company, avg(({test})::DOUBLE) AS share FROM outcomes "
                f"WHERE run_id = $run{where} GROUP BY company",
                {"value": value, "run": run_id},
            ).df()
        return frame.set_index("company")["share"]

    def get(self, run_id: int, first: int | None = None) -> StoredRun:
        """Read one run back.

        Parameters
        ----------
        run_id : int
            Run id. [-]
        first : int, optional
            Read only the scenarios numbered below it (``runs check`` on a large Monte Carlo
            run): its rows, series and draws; the quantiles are then left out. [count]

        Raises
        ------
        InputError
            If there is no run with that id.
        """
        where = "WHERE run_id = ?" + ("" if first is None else " AND scenario < ?")
        args = [run_id] if first is None else [run_id, first]
        with self._connect(read_only=True) as con:
            meta = self._meta(con, run_id)
            outcomes = con.execute(
                f"SELECT * EXCLUDE (run_id) FROM outcomes {where} ORDER BY rowid", args
            ).df()
            series = con.execute(
                f"SELECT * EXCLUDE (run_id) FROM series {where} ORDER BY rowid", args
            ).df()
            long = con.execute(f"SELECT scenario, key, value FROM mc_samples {where}", args).df()
            comparison = self._comparison(con, meta, run_id) if meta["kind"] == "compare" else None
            whole = meta["kind"] == "mc" and first is None
            sketches = self._mc_sketches(con, run_id) if whole else {}
        outcomes["first_negative_fcf_year"] = outcomes["first_negative_fcf_year"].astype("Int64")
        for column, after in _ADDED:  # added last to older stores: put beside their kin
            if column not in outcomes:  # a store not written since: the column, empty
                outcomes[column] = None if column.endswith("_date") else np.nan
            columns = [c for c in outcomes.columns if c != column]
            columns.insert(columns.index(after) + 1, column)
            outcomes = outcomes[columns]
        if not meta["loan_cover"]:  # columns of runs that computed the loan life cover
            outcomes = outcomes.drop(columns=list(LLCR_COLUMNS), errors="ignore")
        samples = (
            long.pivot(index="scenario", columns="key", values="value").sort_index().reset_index()
            if not long.empty
            else pd.DataFrame()
        )
        samples.columns.name = None
        quantiles = self.quantiles(run_id) if whole else pd.DataFrame()
        return StoredRun(meta, outcomes, series, samples, quantiles, comparison, sketches)

    def delete(self, run_id: int) -> None:
        """Delete a run (one transaction).

        Parameters
        ----------
        run_id : int
            Run id. [-]
        """
        with self._connect() as con:
            if _scalar(con, "SELECT count(*) FROM runs WHERE id = ?", [run_id]) == 0:
                raise InputError(f"store {self.path}: no run with id {run_id}")
            con.execute("BEGIN TRANSACTION")
            tables = ["series", "outcomes", "mc_samples", "mc_design"]
            present = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
            tables += [t for t in ("decisions", "decision_sketches", "mc_sketches") if t in present]
            for table in tables:
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
            con.execute("DELETE FROM runs WHERE id = ?", [run_id])
            con.execute("COMMIT")

    def comparison(self, run_id: int) -> Any:
        """Read back a stored decision comparison (``mc --compare ... --store``).

        Parameters
        ----------
        run_id : int
            A run of kind ``compare``. [-]

        Returns
        -------
        DecisionComparison
            The comparison as it was run: its quantile sketches are stored whole, so every
            table, S-curve and JSON figure is the run's own, bit for bit.

        Raises
        ------
        InputError
            If there is no such run, or it is not a comparison.
        """
        with self._connect(read_only=True) as con:
            meta = self._meta(con, run_id)
            if meta["kind"] != "compare":
                raise InputError(
                    f"run {run_id} is a {meta['kind']} run, not a decision comparison "
                    "(mc --compare ... --store)"
                )
            return self._comparison(con, meta, run_id)

    def mc_sketches(self, run_id: int) -> dict[tuple[str, str], Any]:
        """Read back the sketches a Monte Carlo run stored besides its rows.

        Parameters
        ----------
        run_id : int
            A Monte Carlo run. [-]

        Returns
        -------
        dict
            ``(company, outcome) -> QuantileSketch``: each year's capex valued alone
            (``capex_year:2027``) for a run with ``mc --capex-years``; empty for the others
            and for stores written before the table existed. [USD]
        """
        with self._connect(read_only=True) as con:
            return self._mc_sketches(con, run_id)

    @staticmethod
    def _mc_sketches(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[tuple[str, str], Any]:
        """Read a Monte Carlo run's stored sketches, on an open connection."""
        try:
            rows = con.execute(
                "SELECT company, outcome, alpha, x_min, dropped, keys, counts "
                "FROM mc_sketches WHERE run_id = ?",
                [run_id],
            ).fetchall()
        except duckdb.CatalogException:  # a store written before mc_sketches existed
            return {}
        return {(company, outcome): _sketch(*sketch) for company, outcome, *sketch in rows}

    @staticmethod
    def _comparison(con: duckdb.DuckDBPyConnection, meta: dict, run_id: int) -> Any:
        """Rebuild a comparison from its stored rows, on an open connection."""
        from strandrisk.engine.decisions import DecisionComparison

        labels = con.execute(
            "SELECT label, setting FROM decisions WHERE run_id = ? ORDER BY position", [run_id]
        ).fetchall()
        rows = con.execute(
            "SELECT part, decision, company, outcome, alpha, x_min, dropped, keys, counts "
            "FROM decision_sketches WHERE run_id = ?",
            [run_id],
        ).fetchall()
        parts: dict[str, dict] = {"outcome": {}, "change": {}, "regret": {}}
        for part, decision, company, outcome, *sketch in rows:
            parts[part][(decision, company, outcome)] = _sketch(*sketch)
        return DecisionComparison(
            int(meta["n_scenarios"]),
            int(meta["seed"]),
            str(meta["sampler"]),
            {label: json.loads(setting) for label, setting in labels},
            parts["outcome"],
            parts["change"],
            parts["regret"],
        )

    def compare(self, first: int, second: int, scenario: int = 0) -> pd.DataFrame:
        """Outcomes of two runs side by side, per company, with the difference.

        A single run contributes its ``scenario``; a Monte Carlo run its medians.

        Parameters
        ----------
        first, second : int
            Run ids. [-]
        scenario : int
            Scenario of a single run to compare. [-]

        Returns
        -------
        pandas.DataFrame
            Index (company, outcome), outcome by outcome with the companies in model order
            and the industry last; columns ``unit`` (:data:`strandrisk.OUTCOME_UNITS`),
            ``first``, ``second`` and ``difference`` (second minus first).
        """
        sides = {}
        for name, run_id in (("first", first), ("second", second)):
            if self.meta(run_id)["kind"] == "mc":  # a distribution: compare its median
                sides[name] = self.quantiles(run_id, (0.5,))["P50"]
            else:
                out = self.get(run_id).outcomes
                numeric = [c for c in _NUMERIC if c in out]  # min_llcr if computed
                out = out[out["scenario"] == scenario].set_index("company")[numeric]
                sides[name] = out.stack()
        from strandrisk.engine.simulate import OUTCOME_UNITS
        from strandrisk.scenarios.schema import COMPANIES

        table = pd.concat(sides, axis=1)
        table["difference"] = table["second"] - table["first"]
        table.index.names = ["company", "outcome"]
        rank = {c: i for i, c in enumerate((*COMPANIES, "industry"))}
        order = sorted(
            table.index, key=lambda k: (_NUMERIC.index(k[1]), rank.get(k[0], len(rank)), k[0])
        )
        table = table.loc[order]
        table.insert(0, "unit", [OUTCOME_UNITS[o] for _, o in table.index])
        return table.replace({np.nan: None})
