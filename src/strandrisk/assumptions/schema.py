"""Typed records of the assumptions register.

A register row has the columns of :data:`COLUMNS`. Its ``kind`` says where the number
comes from: ``sourced`` (the article, a filing or a data set), ``derived`` (a stored
formula over other rows, evaluated on load) or ``assumption`` (a modelling choice, with
its reasoning in ``note``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from strandrisk import units
from strandrisk.errors import InputError

__all__ = [
    "COLUMNS",
    "DISTRIBUTIONS",
    "KINDS",
    "Kind",
    "Record",
    "RegisterError",
]

COLUMNS: tuple[str, ...] = (
    "name",
    "value",
    "unit",
    "low",
    "high",
    "distribution",
    "source",
    "retrieved",
    "kind",
    "formula",
    "note",
)
"""Columns of every register table, in order."""

Kind = Literal["sourced", "derived", "assumption"]
KINDS: tuple[str, ...] = ("sourced", "derived", "assumption")

DISTRIBUTIONS: tuple[str, ...] = (
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "loguniform",
    "empirical",
)
"""Distribution names a row may give for its range ``[low, high]``."""


class RegisterError(InputError):
    """A register table that breaks a rule; the message names table, row and column."""

    def __init__(self, table: str, row: str, column: str, problem: str) -> None:
        self.table, self.row, self.column, self.problem = table, row, column, problem
        super().__init__(f"{table}, row {row}, column {column!r}: {problem}")


@dataclass(frozen=True, slots=True)
class Record:
    """One row of the register, after validation and evaluation.

    Attributes
    ----------
    table : str
        Table (topic) the row comes from, e.g. ``"capex"``.
    name : str
        Glossary-style name, unique across the register.
    value : float
        The number, in ``unit``. [unit]
    unit : str
        Unit symbol from :mod:`strandrisk.units`.
    low, high : float or None
        Plausible range, in ``unit``; ``None`` for a fixed value. [unit]
    distribution : str or None
        How the range is to be sampled (one of :data:`DISTRIBUTIONS`).
    source : str
        Citation, URL or data set; for an assumption, ``assumption: ...``.
    retrieved : str or None
        ISO date on which the source was read.
    kind : {"sourced", "derived", "assumption"}
        Provenance class.
    formula : str or None
        For a derived row, the formula it was computed from.
    note : str
        Reasoning, caveats, aggregation.
    """

    table: str
    name: str
    value: float
    unit: str
    low: float | None
    high: float | None
    distribution: str | None
    source: str
    retrieved: str | None
    kind: Kind
    formula: str | None
    note: str

    @property
    def canonical_unit(self) -> str:
        """Canonical unit of the row's dimension."""
        return units.require_unit(self.unit).canonical

    @property
    def canonical_value(self) -> float:
        """``value`` converted to :attr:`canonical_unit`. [canonical]."""
        return units.to_canonical(self.value, self.unit)

    @property
    def canonical_low(self) -> float:
        """``low`` in canonical units; ``value`` when the row has no range. [canonical]."""
        return units.to_canonical(self.value if self.low is None else self.low, self.unit)

    @property
    def canonical_high(self) -> float:
        """``high`` in canonical units; ``value`` when the row has no range. [canonical]."""
        return units.to_canonical(self.value if self.high is None else self.high, self.unit)

    def as_dict(self) -> dict[str, object]:
        """Return the row as a plain dict with the register's columns plus ``table``."""
        return {"table": self.table, **{c: getattr(self, c) for c in COLUMNS}}
