"""Trend fits over the shipped data sets, declared as data in ``data/fits.csv``.

Each fit names a data set, a date column, a value column (optionally divided by another,
e.g. FLOP/s per dollar), row filters and a date window. Register rows read a fit's slope
and 95 % interval with ``fit_rate(name)``, ``fit_rate_low(name)`` and ``fit_rate_high(name)``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from strandrisk.analysis.trend import TrendFit, fit_trend
from strandrisk.assumptions.schema import RegisterError
from strandrisk.errors import InputError
from strandrisk.io.datasets import DATASETS, read_dataset, select_series

__all__ = ["FIT_COLUMNS", "FitSpec", "compute_fit", "parse_fits", "parse_where"]

FIT_COLUMNS: tuple[str, ...] = (
    "name",
    "dataset",
    "x",
    "y",
    "y_divisor",
    "where",
    "from",
    "to",
    "unit",
    "source",
    "note",
)


@dataclass(frozen=True, slots=True)
class FitSpec:
    """A declared trend fit.

    Attributes
    ----------
    name : str
        Fit name used in formulas.
    dataset : str
        Key of a shipped data set (:data:`strandrisk.io.datasets.DATASETS`).
    x, y : str
        Date and value columns.
    y_divisor : str or None
        Column dividing ``y``.
    where, exclude : dict of str to tuple of str
        Row filters (column -> values kept / dropped).
    start, end : str or None
        ISO date window.
    unit : str
        Unit of the fitted quantity (for display).
    source, note : str
        Provenance and method notes.
    """

    name: str
    dataset: str
    x: str
    y: str
    y_divisor: str | None
    where: dict[str, tuple[str, ...]]
    exclude: dict[str, tuple[str, ...]]
    start: str | None
    end: str | None
    unit: str
    source: str
    note: str


def parse_where(
    items: list[str] | tuple[str, ...], where: str = "--where"
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Parse ``COLUMN=VALUE`` and ``COLUMN!=VALUE`` row filters.

    Repeating ``COLUMN=`` allows several values (OR); each ``COLUMN!=`` drops one more.

    Parameters
    ----------
    items : list of str
        Filters as written. [-]
    where : str
        Context for messages. [-]

    Returns
    -------
    tuple of dict
        ``(include, exclude)``: column -> values to keep, column -> values to drop.
    """
    include: dict[str, tuple[str, ...]] = {}
    exclude: dict[str, tuple[str, ...]] = {}
    for item in items:
        column, sep, value = item.partition("=")
        target = include
        if column.endswith("!"):
            column, target = column[:-1], exclude
        column = column.strip()
        if not sep or not column:
            raise InputError(f"{where}: {item!r} is not of the form COLUMN=VALUE or COLUMN!=VALUE")
        target[column] = (*target.get(column, ()), value.strip())
    return include, exclude


def parse_fits(text: str, table: str = "fits") -> list[FitSpec]:
    """Parse the fits table.

    Parameters
    ----------
    text : str
        CSV text with :data:`FIT_COLUMNS`. [-]
    table : str
        Name for messages. [-]

    Returns
    -------
    list of FitSpec
        The declared fits.
    """
    reader = csv.DictReader(io.StringIO(text))
    if list(reader.fieldnames or []) != list(FIT_COLUMNS):
        raise RegisterError(table, "1 (header)", "*", f"columns must be {', '.join(FIT_COLUMNS)}")
    specs = []
    for line, cells in enumerate(reader, start=2):
        c = {k: (v or "").strip() for k, v in cells.items()}
        label = f"{line} ({c['name']})"
        for column in ("name", "dataset", "x", "y", "unit", "source"):
            if not c[column]:
                raise RegisterError(table, label, column, f"missing {column}")
        if c["dataset"] not in DATASETS:
            raise RegisterError(table, label, "dataset", f"unknown data set {c['dataset']!r}")
        filters = [f for f in c["where"].split(";") if f.strip()]
        include, exclude = parse_where(filters, where=f"{table}, row {label}, column 'where'")
        specs.append(
            FitSpec(
                name=c["name"],
                dataset=c["dataset"],
                x=c["x"],
                y=c["y"],
                y_divisor=c["y_divisor"] or None,
                where=include,
                exclude=exclude,
                start=c["from"] or None,
                end=c["to"] or None,
                unit=c["unit"],
                source=c["source"],
                note=c["note"],
            )
        )
    return specs


def compute_fit(spec: FitSpec) -> TrendFit:
    """Fit the trend a :class:`FitSpec` declares, over its shipped data set.

    Parameters
    ----------
    spec : FitSpec
        The declaration. [-]

    Returns
    -------
    TrendFit
        The fitted trend.
    """
    series = select_series(
        read_dataset(spec.dataset),
        spec.x,
        spec.y,
        where=spec.where,
        exclude=spec.exclude,
        start=spec.start,
        end=spec.end,
        y_divisor=spec.y_divisor,
        source=f"fit {spec.name} ({DATASETS[spec.dataset]})",
    )
    return fit_trend(series.dates, series.values, skipped=series.skipped)
