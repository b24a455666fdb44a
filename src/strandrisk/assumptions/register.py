"""The assumptions register: load, validate and evaluate every table.

``load_register()`` reads the tables shipped in ``assumptions/data/`` (one CSV per topic),
adds the rows built from the shipped data sets, computes the trend fits, evaluates each
derived row's formula in dependency order, and returns a :class:`Register`. Every rule
broken is a :class:`~strandrisk.assumptions.schema.RegisterError` naming table, row and
column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from strandrisk import units
from strandrisk.analysis.trend import TrendFit
from strandrisk.assumptions.checks import RawRow, check_header, check_row, parse_number
from strandrisk.assumptions.fits import FitSpec, compute_fit, parse_fits
from strandrisk.assumptions.formula import Formula, FormulaError, parse_formula
from strandrisk.assumptions.generated import dataset_rows
from strandrisk.assumptions.schema import COLUMNS, Kind, Record, RegisterError

__all__ = [
    "COLUMNS",
    "Register",
    "build_register",
    "default_tables",
    "load_register",
    "parse_table",
]

_SPECIAL = ("fits.csv", "claims.csv")


def default_tables() -> dict[str, str]:
    """Return the shipped register tables as ``{table name: CSV text}``.

    Returns
    -------
    dict of str to str
        Table name (file stem) -> CSV text, in file-name order.
    """
    folder = resources.files("strandrisk.assumptions") / "data"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".csv"))
    return {
        n.removesuffix(".csv"): (folder / n).read_text(encoding="utf-8")
        for n in names
        if n not in _SPECIAL
    }


def _default_fits_text() -> str:
    return (resources.files("strandrisk.assumptions") / "data" / "fits.csv").read_text("utf-8")


def parse_table(text: str, table: str) -> list[RawRow]:
    """Parse and check one register table.

    Parameters
    ----------
    text : str
        CSV text with the register's columns. [-]
    table : str
        Table name for messages (e.g. ``"capex.csv"``). [-]

    Returns
    -------
    list of RawRow
        The rows, each having passed :func:`~strandrisk.assumptions.checks.check_row`.
    """
    try:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        check_header(table, list(reader.fieldnames or []))
        rows = []
        for cells in reader:
            if None in cells:
                raise RegisterError(table, str(reader.line_num), "*", "more cells than columns")
            clean = {k: (v or "").strip() for k, v in cells.items()}
            row = RawRow(table=table, line=reader.line_num, cells=clean)
            check_row(row)
            rows.append(row)
    except csv.Error as exc:
        raise RegisterError(table, "?", "*", f"malformed CSV ({exc})") from None
    return rows


class Register(Mapping[str, Record]):
    """The evaluated register: a read-only mapping from row name to :class:`Record`.

    Parameters
    ----------
    records : dict of str to Record
        The rows.
    fits : dict of str to TrendFit
        The evaluated trend fits, by name.
    fit_specs : dict of str to FitSpec
        Their declarations.
    """

    def __init__(
        self,
        records: dict[str, Record],
        fits: dict[str, TrendFit],
        fit_specs: dict[str, FitSpec],
    ) -> None:
        self._records = dict(records)
        self.fits = dict(fits)
        self.fit_specs = dict(fit_specs)

    def __getitem__(self, name: str) -> Record:
        try:
            return self._records[name]
        except KeyError:
            raise KeyError(f"no register row named {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def value(self, name: str) -> float:
        """Return row ``name`` in canonical units. [canonical].

        Parameters
        ----------
        name : str
            Row name. [-]
        """
        return self[name].canonical_value

    def select(self, kind: str | None = None, search: str | None = None) -> list[Record]:
        """Rows of one kind and/or containing a word (case-insensitive) in any text column.

        Parameters
        ----------
        kind : str, optional
            ``sourced``, ``derived`` or ``assumption``. [-]
        search : str, optional
            Word to look for in name, source, note, table and formula. [-]

        Returns
        -------
        list of Record
            Matching rows in register order.
        """
        word = (search or "").lower()
        out = []
        for rec in self._records.values():
            if kind and rec.kind != kind:
                continue
            text = " ".join(
                str(x) for x in (rec.name, rec.table, rec.source, rec.note, rec.formula)
            )
            if word and word not in text.lower():
                continue
            out.append(rec)
        return out

    def sha256(self) -> str:
        """Return a SHA-256 of every row's content, to record which register a run used."""
        digest = hashlib.sha256()
        for rec in self._records.values():
            digest.update(repr(sorted(rec.as_dict().items(), key=lambda kv: kv[0])).encode())
        return digest.hexdigest()


def fit_lookup(fits: Mapping[str, TrendFit]) -> Callable[[str, str], float]:
    def lookup(name: str, which: str) -> float:
        fit = fits[name]
        return {"rate": fit.rate_per_year, "low": fit.rate_ci95[0], "high": fit.rate_ci95[1]}[which]

    return lookup


def _parse_formulas(
    rows: dict[str, RawRow], fits: Mapping[str, object]
) -> dict[tuple[str, str], Formula]:
    """Parse every formula cell (derived formula, and formula ranges) and check its names."""
    formulas: dict[tuple[str, str], Formula] = {}
    for name, row in rows.items():
        if row.cells["kind"] != "derived":
            continue
        for column in ("formula", "low", "high"):
            text = row.cells[column]
            if not text:
                continue
            try:
                formula = parse_formula(text)
            except FormulaError as exc:
                raise row.error(column, str(exc)) from None
            for ref in sorted(formula.names):
                if ref not in rows:
                    raise row.error(column, f"formula names a missing row {ref!r}")
                if ref == name:
                    raise row.error(column, "formula refers to its own row")
            for ref in sorted(formula.fits):
                if ref not in fits:
                    raise row.error(column, f"formula names a missing trend fit {ref!r}")
            formulas[(name, column)] = formula
    return formulas


def _order(rows: dict[str, RawRow], formulas: dict[tuple[str, str], Formula]) -> list[str]:
    """Return derived rows in an order where each comes after the rows it reads."""
    deps: dict[str, set[str]] = {
        name: set() for name, row in rows.items() if row.cells["kind"] == "derived"
    }
    for (name, _), formula in formulas.items():
        deps[name] |= {n for n in formula.names if n in deps}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join((*path[path.index(name) :], name))
            raise rows[name].error("formula", f"circular formulas: {cycle}")
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep, (*path, name))
        state[name] = 2
        order.append(name)

    for name in deps:
        visit(name, ())
    return order


def _static_record(row: RawRow) -> Record:
    c = row.cells
    return Record(
        table=row.table,
        name=c["name"],
        value=float(c["value"]),
        unit=c["unit"],
        low=parse_number(row, "low"),
        high=parse_number(row, "high"),
        distribution=c["distribution"] or None,
        source=c["source"],
        retrieved=c["retrieved"] or None,
        kind=cast(Kind, c["kind"]),  # checked against the allowed kinds by check_row
        formula=None,
        note=c["note"],
    )


def _evaluate(
    row: RawRow,
    formulas: Mapping[tuple[str, str], Formula],
    records: Mapping[str, Record],
    fits: Mapping[str, TrendFit],
) -> Record:
    c = row.cells
    factor = units.require_unit(c["unit"]).factor

    def value(n: str) -> float:
        return records[n].canonical_value

    def low(n: str) -> float:
        return records[n].canonical_low

    def high(n: str) -> float:
        return records[n].canonical_high

    out: dict[str, Any] = {}
    for column in ("formula", "low", "high"):
        if (c["name"], column) not in formulas:
            out[column] = None
            continue
        try:
            result = formulas[(c["name"], column)].evaluate(value, low, high, fit_lookup(fits))
        except (ArithmeticError, ValueError) as exc:
            raise row.error(column, f"cannot evaluate {c[column]!r}: {exc}") from None
        if not math.isfinite(result):
            raise row.error(column, f"{c[column]!r} evaluates to {result}")
        out[column] = result / factor
    val, lo, hi = out["formula"], out["low"], out["high"]
    if lo is not None and hi is not None:
        if lo > hi:
            raise row.error("low", f"low {lo:g} is above high {hi:g} after evaluation")
        tol = 1e-9 * max(abs(lo), abs(hi), 1e-300)
        if not lo - tol <= val <= hi + tol:
            raise row.error("formula", f"value {val:g} lies outside [low, high] = [{lo:g}, {hi:g}]")
    return Record(
        table=row.table,
        name=c["name"],
        value=val,
        unit=c["unit"],
        low=lo,
        high=hi,
        distribution=c["distribution"] or None,
        source=c["source"],
        retrieved=c["retrieved"] or None,
        kind="derived",
        formula=c["formula"].strip().removeprefix("=").strip(),  # "= a * b" reads as "a * b"
        note=c["note"],
    )


def build_register(
    tables: Mapping[str, str], fits_text: str, include_datasets: bool = True
) -> Register:
    """Validate and evaluate register tables.

    Parameters
    ----------
    tables : mapping of str to str
        Table name -> CSV text. [-]
    fits_text : str
        The fits table (CSV text). [-]
    include_datasets : bool
        Add the rows built from the shipped data sets. [-]

    Returns
    -------
    Register
        The evaluated register.
    """
    raw: list[RawRow] = []
    for table, text in tables.items():
        raw.extend(parse_table(text, f"{table}.csv"))
    if include_datasets:
        for row in dataset_rows():
            check_row(row)
            raw.append(row)
    rows: dict[str, RawRow] = {}
    for row in raw:
        name = row.cells["name"]
        if name in rows:
            raise row.error("name", f"duplicate name; first defined in {rows[name].table}")
        rows[name] = row
    specs = {s.name: s for s in parse_fits(fits_text, "fits.csv")}
    fits = {name: compute_fit(spec) for name, spec in specs.items()}
    formulas = _parse_formulas(rows, fits)
    records = {n: _static_record(r) for n, r in rows.items() if r.cells["kind"] != "derived"}
    for name in _order(rows, formulas):
        records[name] = _evaluate(rows[name], formulas, records, fits)
    return Register({n: records[n] for n in rows}, fits, specs)


@cache
def _load_default() -> Register:
    return build_register(default_tables(), _default_fits_text())


def load_register(folder: Path | str | None = None) -> Register:
    """Load the assumptions register.

    Parameters
    ----------
    folder : path-like, optional
        A folder of register tables (``*.csv`` with the register's columns, plus
        ``fits.csv``) to use instead of the shipped ones; the rows built from the shipped
        data sets are added either way. Default: the shipped tables (cached). [-]

    Returns
    -------
    Register
        The validated, evaluated register.

    Raises
    ------
    RegisterError
        Naming table, row and column of the first rule broken.
    """
    if folder is None:
        return _load_default()
    folder = Path(folder)
    if not folder.is_dir():
        raise RegisterError(str(folder), "-", "-", "not a folder of register tables")
    tables = {
        p.stem: p.read_text(encoding="utf-8")
        for p in sorted(folder.glob("*.csv"))
        if p.name not in _SPECIAL
    }
    fits_path = folder / "fits.csv"
    fits_text = fits_path.read_text("utf-8") if fits_path.exists() else _default_fits_text()
    return build_register(tables, fits_text)
