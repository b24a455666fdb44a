"""Export a stored run: Excel workbook, CSV files or Parquet files (each written atomically)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from strandrisk.assumptions.register import load_register
from strandrisk.errors import InputError
from strandrisk.io.files import ensure_folder, write_with
from strandrisk.store.runs import StoredRun

__all__ = ["EXCEL_ROWS", "export_csv", "export_parquet", "export_xlsx", "run_tables"]

EXCEL_ROWS = 1_048_576
"""Rows in an Excel sheet, the header included."""


def _flatten(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def run_tables(run: StoredRun) -> dict[str, pd.DataFrame]:
    """Return the tables of an export: run, inputs, outcomes, samples, series, assumptions.

    ``samples`` (the parameter values drawn for each scenario) only for a Monte Carlo run;
    ``series`` wide, one column per quarter.

    Parameters
    ----------
    run : StoredRun
        A run read from the store. [-]

    Returns
    -------
    dict of str to pandas.DataFrame
        Sheet or file name -> table.
    """
    inputs = pd.DataFrame(
        [(k, str(v)) for k, v in _flatten(tomllib.loads(str(run.meta["scenario_toml"]))).items()],
        columns=["parameter", "value"],
    )
    series = run.series
    wide = (
        series.pivot_table(
            index=["scenario", "company", "variable"], columns="quarter", values="value", sort=False
        ).reset_index()
        if not series.empty
        else series
    )
    assumptions = pd.DataFrame([r.as_dict() for r in load_register().values()])
    meta = pd.DataFrame([(k, str(v)) for k, v in run.meta.items()], columns=["field", "value"])
    tables = {"run": meta, "inputs": inputs, "outcomes": run.outcomes}
    if not run.samples.empty:  # a Monte Carlo run: the drawn parameter values per scenario
        tables["samples"] = run.samples
    tables["series"] = wide
    tables["assumptions"] = assumptions
    return tables


def export_xlsx(run: StoredRun, path: Path | str) -> Path:
    """Write the run as an Excel workbook, one sheet per table of :func:`run_tables`.

    Parameters
    ----------
    run : StoredRun
        The run. [-]
    path : path-like
        The ``.xlsx`` file. [-]

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        If a table has more rows than an Excel sheet holds (:data:`EXCEL_ROWS`).
    """
    tables = run_tables(run)
    for name, frame in tables.items():
        if len(frame) >= EXCEL_ROWS:
            raise InputError(
                f"{path}: the {name} table has {len(frame):,} rows, more than an Excel sheet "
                f"holds ({EXCEL_ROWS - 1:,} below the header); export with --parquet or --csv"
            )

    def write(tmp: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for name, frame in tables.items():
            sheet = book.create_sheet(name)
            sheet.append([str(c) for c in frame.columns])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in frame.itertuples(index=False):
                sheet.append(
                    [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row]
                )
            sheet.freeze_panes = "A2"
            for i, column in enumerate(frame.columns, start=1):
                sheet.column_dimensions[get_column_letter(i)].width = min(
                    60, max(10, len(str(column)) + 2)
                )
        book.save(tmp)

    return write_with(path, write)


def export_csv(run: StoredRun, folder: Path | str) -> list[Path]:
    """Write each table of the run as ``<table>.csv`` in ``folder``.

    Parameters
    ----------
    run : StoredRun
        From :meth:`RunStore.get`. [-]
    folder : Path or str
        Created if missing. [-]
    """
    folder = ensure_folder(folder, "CSV folder")
    return [
        write_with(folder / f"{name}.csv", lambda tmp, f=frame: f.to_csv(tmp, index=False))
        for name, frame in run_tables(run).items()
    ]


def export_parquet(run: StoredRun, folder: Path | str) -> list[Path]:
    """Write each table of the run as ``<table>.parquet`` in ``folder`` (via DuckDB).

    Parameters
    ----------
    run : StoredRun
        From :meth:`RunStore.get`. [-]
    folder : Path or str
        Created if missing. [-]
    """
    folder = ensure_folder(folder, "Parquet folder")
    written = []
    for name, frame in run_tables(run).items():
        frame = frame.copy()
        frame.columns = [str(c) for c in frame.columns]

        def write(tmp: Path, f: pd.DataFrame = frame) -> None:
            con = duckdb.connect()
            try:
                con.register("t", f)
                con.execute(f"COPY t TO '{tmp.as_posix()}' (FORMAT PARQUET)")
            finally:
                con.close()

        written.append(write_with(folder / f"{name}.parquet", write))
    return written
