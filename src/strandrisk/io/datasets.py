"""Read the data sets shipped inside the package, and pick time series out of tables.

The shipped data sets live in ``strandrisk/data/<source>/`` with their ``SOURCE.txt`` and
licence; :data:`DATASETS` names the files the register and the model use.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from strandrisk.analysis.trend import decimal_years_to_dates
from strandrisk.errors import InputError, did_you_mean

__all__ = [
    "DATASETS",
    "EXCEL_SUFFIXES",
    "Series",
    "data_dir",
    "dataset_path",
    "read_csv_table",
    "read_dataset",
    "read_table",
    "select_columns",
    "select_series",
]

DATASETS: dict[str, str] = {
    "nvidia_annual_prices": "epoch-ai-chip-counts/data_inputs/Nvidia annual prices.csv",
    "nvidia_owner_quarters": "epoch-ai-chip-counts/owners_csv_export/nvidia_owners_quarters.csv",
    "nvidia_owner_quarters_by_chip": (
        "epoch-ai-chip-counts/owners_csv_export/nvidia_owners_quarters_by_chip.csv"
    ),
    "amd_owner_quarters": "epoch-ai-chip-counts/owners_csv_export/amd_owners_quarters.csv",
    "tpu_owner_quarters": "epoch-ai-chip-counts/owners_csv_export/tpu_owners_quarters_by_chip.csv",
    "trainium_owner_quarters": (
        "epoch-ai-chip-counts/owners_csv_export/trainium_owners_quarters_by_chip.csv"
    ),
    "hardware_prices": "epoch-training-cost-trends/Hardware prices.csv",
    "chip_dataset": "epoch-training-cost-trends/chip_dataset.csv",
    "ppi_data_processing": "epoch-training-cost-trends/PCU518210518210.csv",
    "llm_prices": (
        "epoch-llm-benchmark-efficiency/epoch_ai_price_data_not_in_aa_with_benchmarks.csv"
    ),
    "llm_price_fits": "epoch-llm-benchmark-efficiency/lowest_price_models_results.csv",
    "article_gpt4_class_price": "article/gpt4_class_input_price.csv",
}
"""Key -> path under ``strandrisk/data`` of each data set the package reads."""


def data_dir() -> Path:
    """Return the folder of the shipped data sets.

    Returns
    -------
    pathlib.Path
        ``strandrisk/data`` inside the installed package.
    """
    return Path(str(resources.files("strandrisk") / "data"))


def dataset_path(key: str) -> Path:
    """Return the path of the shipped data set ``key`` (see :data:`DATASETS`).

    Parameters
    ----------
    key : str
        Data-set key. [-]

    Returns
    -------
    pathlib.Path
        The file's path.
    """
    if key not in DATASETS:
        raise InputError(f"unknown data set {key!r}; known: {', '.join(sorted(DATASETS))}")
    return data_dir() / DATASETS[key]


def read_csv_table(path: Path | str) -> pd.DataFrame:
    """Read a CSV file as text columns (a byte-order mark is ignored).

    Parameters
    ----------
    path : path-like
        The CSV file. [-]

    Returns
    -------
    pandas.DataFrame
        Every column as strings; empty cells as missing values.

    Raises
    ------
    InputError
        If the file cannot be read or parsed, naming the file.
    """
    path = Path(path)
    try:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False).replace(
            {"": None}
        )
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot read as CSV ({exc})") from None


EXCEL_SUFFIXES = (".xlsx", ".xlsm")
"""Workbooks :func:`read_table` reads as Excel (openpyxl); any other file is read as CSV."""


def read_table(path: Path | str, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV file, or a sheet of an Excel workbook, as text columns.

    Parameters
    ----------
    path : path-like
        A CSV file, or an ``.xlsx`` / ``.xlsm`` workbook. [-]
    sheet : str, optional
        The workbook's sheet (default: the first); refused for a CSV file. [-]

    Returns
    -------
    pandas.DataFrame
        Every column as strings (a number as Python writes it, a date as ISO), empty cells
        as missing values: the same table :func:`read_csv_table` gives for the sheet saved as
        CSV.

    Raises
    ------
    InputError
        If the file cannot be read, or the sheet is not in the workbook, naming both.
    """
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        if sheet is not None:
            raise InputError(f"{path}: --sheet is for an Excel workbook (.xlsx), not a CSV file")
        return read_csv_table(path)
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except Exception as exc:  # openpyxl's errors for a file that is not a workbook vary
        raise InputError(f"{path}: cannot read as an Excel workbook ({exc})") from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            raise InputError(
                f"{path}: no sheet {sheet!r}; its sheets are: {', '.join(names)}"
                + did_you_mean(sheet, names)
            )
        raw = pd.read_excel(book, sheet_name=sheet if sheet is not None else 0, dtype=object)
    return raw.map(_cell_text)


def _cell_text(value: object) -> str | None:
    """Write a workbook cell as a CSV file would hold it: ISO dates, numbers as Python does."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | datetime.datetime | datetime.date):
        return pd.Timestamp(value).date().isoformat()
    text = str(value).strip()
    return text or None


@cache
def read_dataset(key: str) -> pd.DataFrame:
    """Read a shipped data set (cached; treat the result as read-only).

    Parameters
    ----------
    key : str
        Data-set key from :data:`DATASETS`. [-]

    Returns
    -------
    pandas.DataFrame
        The table with text columns.
    """
    return read_csv_table(dataset_path(key))


@dataclass(frozen=True, slots=True)
class Series:
    """A time series picked out of a table.

    Attributes
    ----------
    dates : ndarray of datetime64[D]
        Observation dates.
    values : ndarray of float
        Observations. [unit of the column]
    skipped : int
        Rows dropped because a named column was empty. [count]
    """

    dates: np.ndarray
    values: np.ndarray
    skipped: int


_NUMBER_JUNK = re.compile(r"[\s$,]")


def _parse_numbers(raw: pd.Series, column: str, where: str) -> np.ndarray:
    """Return a column's numbers: ``$``, spaces and thousands separators dropped, ``12%`` 0.12."""
    cleaned = raw.map(lambda s: _NUMBER_JUNK.sub("", s))
    percent = cleaned.str.endswith("%")
    out = pd.to_numeric(cleaned.str.removesuffix("%"), errors="coerce")
    bad = out.isna()
    if bad.any():
        first = raw[bad].iloc[0]
        raise InputError(f"{where}: column {column!r} has a value that is not a number: {first!r}")
    return np.where(percent.to_numpy(dtype=bool), out / 100.0, out).astype(float)


def _parse_dates(raw: pd.Series, column: str, where: str) -> np.ndarray:
    numeric = pd.to_numeric(raw, errors="coerce")
    if numeric.notna().all():  # decimal calendar years, e.g. 2024 or 2024.5
        return decimal_years_to_dates(numeric.to_numpy(dtype=float))
    parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = parsed.isna()
    if bad.any():
        first = raw[bad].iloc[0]
        raise InputError(f"{where}: column {column!r} has a date that cannot be parsed: {first!r}")
    return parsed.to_numpy().astype("datetime64[D]")


def _filter(
    table: pd.DataFrame,
    where: Mapping[str, Sequence[str]],
    exclude: Mapping[str, Sequence[str]],
    src: str,
) -> pd.DataFrame:
    keep = pd.Series(True, index=table.index)
    for column in (*where, *exclude):
        if column not in table.columns:
            raise InputError(f"{src}: --where names a missing column {column!r}")
    for column, allowed in where.items():
        keep &= table[column].isin(list(allowed))
    for column, banned in exclude.items():
        keep &= ~table[column].isin(list(banned))
    return table[keep]


def select_columns(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    exclude: Mapping[str, Sequence[str]] | None = None,
    source: str = "table",
) -> pd.DataFrame:
    """Pick columns of numbers out of ``table`` (observations, no dates), row by row.

    Parameters
    ----------
    table : pandas.DataFrame
        Table with text columns (as from :func:`read_csv_table`). [-]
    columns : sequence of str
        Value columns; ``$`` signs and thousands separators are ignored, and a value written
        ``12%`` reads as 0.12. [unit of each column]
    where, exclude : mapping of str to sequence of str, optional
        Row filters, as :func:`select_series`. [-]
    source : str
        Name of the table for error messages. [-]

    Returns
    -------
    pandas.DataFrame
        The rows kept, a float column each, NaN where a cell was empty. [unit of each column]

    Raises
    ------
    InputError
        For a missing column or a cell that is not a number.
    """
    for column in columns:
        if column not in table.columns:
            raise InputError(
                f"{source}: no column {column!r}; columns are: {', '.join(map(str, table.columns))}"
            )
    picked = _filter(table, where or {}, exclude or {}, source)
    out = pd.DataFrame(index=picked.index)
    for column in columns:
        present = picked[column].notna()
        values = np.full(len(picked), np.nan)
        values[present.to_numpy()] = _parse_numbers(picked.loc[present, column], column, source)
        out[column] = values
    return out.reset_index(drop=True)


def select_series(
    table: pd.DataFrame,
    x: str,
    y: str,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    exclude: Mapping[str, Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
    y_divisor: str | None = None,
    source: str = "table",
) -> Series:
    """Pick a dated series out of ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        Table with text columns (as from :func:`read_csv_table`). [-]
    x : str
        Date column: ISO or other parseable dates, or decimal calendar years. [-]
    y : str
        Value column; ``$`` signs and thousands separators are ignored. [unit of y]
    where : mapping of str to sequence of str, optional
        Keep rows whose ``column`` equals one of the given values; several columns are
        combined with AND. [-]
    exclude : mapping of str to sequence of str, optional
        Drop rows whose ``column`` equals one of the given values. [-]
    start, end : str, optional
        Keep rows dated on or after ``start`` / on or before ``end`` (ISO dates). [-]
    y_divisor : str, optional
        Divide ``y`` by this column (e.g. FLOP/s per dollar). [unit of the column]
    source : str
        Name of the table for error messages. [-]

    Returns
    -------
    Series
        Dates, values, and the number of rows skipped for empty cells.

    Raises
    ------
    InputError
        For a missing column, an unparseable date or number, or unparseable bounds.
    """
    columns = [c for c in (x, y, y_divisor) if c is not None]
    for column in columns:
        if column not in table.columns:
            raise InputError(
                f"{source}: no column {column!r}; columns are: {', '.join(map(str, table.columns))}"
            )
    picked = _filter(table, where or {}, exclude or {}, source)
    complete = picked[columns].notna().all(axis=1)
    skipped = int((~complete).sum())
    picked = picked[complete]
    dates = _parse_dates(picked[x], x, source)
    values = _parse_numbers(picked[y], y, source)
    if y_divisor is not None:
        values = values / _parse_numbers(picked[y_divisor], y_divisor, source)
    keep = np.ones(dates.shape, dtype=bool)
    for bound, op in ((start, np.greater_equal), (end, np.less_equal)):
        if bound is not None:
            try:
                limit = np.datetime64(pd.Timestamp(bound).date(), "D")
            except ValueError:
                raise InputError(f"{source}: cannot parse the date bound {bound!r}") from None
            keep &= op(dates, limit)
    order = np.argsort(dates[keep], kind="stable")
    return Series(dates=dates[keep][order], values=values[keep][order], skipped=skipped)
