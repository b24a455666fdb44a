"""Named validation checks for register tables (one function per rule).

Each check raises :class:`~strandrisk.assumptions.schema.RegisterError` naming the table,
the row (line number and name) and the column. They run on every load.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from strandrisk import units
from strandrisk.assumptions.schema import COLUMNS, DISTRIBUTIONS, KINDS, RegisterError

__all__ = [
    "RawRow",
    "check_header",
    "check_row",
    "parse_number",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True, slots=True)
class RawRow:
    """A register row as text, before evaluation.

    Attributes
    ----------
    table : str
        Table name (file stem).
    line : int
        Line number in the file (header is line 1).
    cells : dict of str to str
        Column -> stripped text.
    """

    table: str
    line: int
    cells: dict[str, str]

    @property
    def label(self) -> str:
        """``'<line> (<name>)'`` for messages."""
        name = self.cells.get("name", "")
        return f"{self.line} ({name})" if name else str(self.line)

    def error(self, column: str, problem: str) -> RegisterError:
        """Build the error for ``column`` of this row.

        Parameters
        ----------
        column : str
            The column at fault. [-]
        problem : str
            What is wrong and what is allowed, in words. [-]
        """
        return RegisterError(self.table, self.label, column, problem)


def check_header(table: str, header: list[str] | None) -> None:
    """Require the register's columns, no more and no fewer.

    Parameters
    ----------
    table : str
        Table name for messages. [-]
    header : list of str or None
        Column names as read. [-]
    """
    header = header or []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing:
        raise RegisterError(table, "1 (header)", missing[0], "missing column")
    if unknown:
        raise RegisterError(
            table, "1 (header)", unknown[0], f"unknown column; allowed: {', '.join(COLUMNS)}"
        )


def parse_number(row: RawRow, column: str) -> float | None:
    """Parse a numeric cell; empty gives ``None``; NaN, inf and text are errors.

    Parameters
    ----------
    row : RawRow
        The row. [-]
    column : str
        The column to read. [-]

    Returns
    -------
    float or None
        The number in the row's unit. [unit]
    """
    text = row.cells[column]
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        raise row.error(column, f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise row.error(column, f"{text!r} is not a finite number")
    return number


def _check_identity(row: RawRow) -> None:
    name = row.cells["name"]
    if not name:
        raise row.error("name", "missing name")
    if not _NAME.match(name):
        raise row.error("name", f"{name!r} must be lower_snake_case (letters, digits, _)")
    if not row.cells["unit"]:
        raise row.error("unit", "missing unit")
    if row.cells["unit"] not in units.UNITS:
        raise row.error("unit", f"unknown unit {row.cells['unit']!r}")
    if row.cells["kind"] not in KINDS:
        raise row.error("kind", f"{row.cells['kind']!r} is not one of {', '.join(KINDS)}")


def _check_provenance(row: RawRow) -> None:
    if not row.cells["source"]:
        raise row.error("source", "missing source (a citation, URL, data set or 'assumption: ...')")
    if row.cells["kind"] == "assumption" and not row.cells["note"]:
        raise row.error("note", "an assumption needs its reasoning in the note")
    retrieved = row.cells["retrieved"]
    if retrieved and not _DATE.match(retrieved):
        raise row.error("retrieved", f"{retrieved!r} is not an ISO date (YYYY-MM-DD)")


def _check_value_and_formula(row: RawRow) -> None:
    kind, value, formula = row.cells["kind"], row.cells["value"], row.cells["formula"]
    if kind == "derived":
        if not formula:
            raise row.error("formula", "a derived row needs a formula")
        if value:
            raise row.error(
                "value", "a derived row's value is computed from its formula; leave it empty"
            )
        return
    if formula:
        raise row.error("formula", f"only derived rows carry a formula (kind is {kind!r})")
    if parse_number(row, "value") is None:
        raise row.error("value", "missing value")


def _check_range(row: RawRow) -> None:
    derived = row.cells["kind"] == "derived"
    low_text, high_text = row.cells["low"], row.cells["high"]
    if bool(low_text) != bool(high_text):
        raise row.error("low" if not low_text else "high", "give both low and high, or neither")
    dist = row.cells["distribution"]
    if dist and dist not in DISTRIBUTIONS:
        raise row.error("distribution", f"{dist!r} is not one of {', '.join(DISTRIBUTIONS)}")
    if not low_text:
        if dist and dist != "fixed":
            raise row.error("distribution", f"{dist!r} needs a range (low and high)")
        return
    if dist == "fixed":
        raise row.error("distribution", "a fixed value has no range; leave low and high empty")
    if not dist:
        raise row.error(
            "distribution", f"a range needs a distribution: one of {', '.join(DISTRIBUTIONS)}"
        )
    if derived:  # numeric or formula; checked after evaluation
        return
    low, high = parse_number(row, "low"), parse_number(row, "high")
    value = parse_number(row, "value")
    assert low is not None
    assert high is not None
    assert value is not None
    if low > high:
        raise row.error("low", f"low {low:g} is above high {high:g}")
    if not low <= value <= high:
        raise row.error("value", f"value {value:g} lies outside [low, high] = [{low:g}, {high:g}]")


NON_NEGATIVE_DIMENSIONS = frozenset(
    {
        "time",
        "count",
        "power",
        "power_per_core",
        "energy",
        "memory",
        "bandwidth",
        "transfer_rate",
        "compute",
        "parameters",
        "bits",
        "tokens",
        "token_rate",
        "token_price",
        "rental_price",
        "energy_price",
        "unit_price",
        "power_cost",
        "annual_factor",
        "ratio",
        "price_performance",
        "compute_units",
        "length",
    }
)
"""Dimensions whose quantities cannot be negative (a life, a price, a count)."""


def _check_sign(row: RawRow) -> None:
    if units.UNITS[row.cells["unit"]].dimension not in NON_NEGATIVE_DIMENSIONS:
        return
    for column in ("value", "low", "high"):
        text = row.cells[column]
        if row.cells["kind"] == "derived" and column != "value":
            continue
        number = parse_number(row, column) if text else None
        if number is not None and number < 0:
            raise row.error(
                column, f"{number:g} is negative; a {row.cells['unit']} quantity cannot be"
            )


def check_row(row: RawRow) -> None:
    """Run every per-row rule on ``row``.

    Parameters
    ----------
    row : RawRow
        The row as text. [-]

    Raises
    ------
    RegisterError
        On the first rule broken, naming table, row and column.
    """
    _check_identity(row)
    _check_provenance(row)
    _check_value_and_formula(row)
    _check_sign(row)
    _check_range(row)
