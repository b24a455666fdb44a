"""The claims register: every quantitative claim of the article, recomputed where possible.

Each claim in ``data/claims.csv`` names what the article states (an expression over
register rows, usually one row) and, where the article's own numbers allow, a formula that
recomputes it. The verdict comes from comparing the two, never from a typed-in answer:

``approx``
    ``|recomputed - stated| <= tolerance * |stated|``
``at_least``
    ``recomputed >= stated - tolerance * |stated|`` (the stated figure is a lower bound
    that the recomputation must reach)
``at_most``
    ``recomputed <= stated + tolerance * |stated|``
``within``
    ``recomputed`` lies in the stated row's ``[low, high]`` widened by ``tolerance``
``not-checkable``
    the article gives no second figure to check against.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from importlib import resources

from strandrisk import units
from strandrisk.assumptions.formula import Formula, FormulaError, parse_formula
from strandrisk.assumptions.register import Register, fit_lookup, load_register
from strandrisk.assumptions.schema import RegisterError

__all__ = ["CHECKS", "CLAIM_COLUMNS", "Claim", "evaluate_claims", "load_claims"]

CLAIM_COLUMNS = (
    "id",
    "section",
    "statement",
    "stated",
    "unit",
    "formula",
    "check",
    "tolerance",
    "note",
)
CHECKS = ("approx", "at_least", "at_most", "within", "not-checkable")


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim with its recomputation and verdict.

    Attributes
    ----------
    id : str
        Claim identifier, e.g. ``"C1.05"``.
    section : int
        Article section (0 for the summary).
    statement : str
        Short paraphrase of the claim.
    stated : float
        The article's figure. [unit]
    stated_low, stated_high : float or None
        The stated range, for ``within`` checks. [unit]
    unit : str
        Unit of ``stated`` and ``recomputed``.
    recomputed : float or None
        The figure recomputed from other register rows. [unit]
    verdict : str
        ``consistent``, ``inconsistent`` or ``not-checkable``.
    tolerance : float or None
        Relative tolerance of the comparison. [fraction]
    check : str
        Comparison used (see module docstring).
    formula : str or None
        The recomputation formula.
    note : str
        What the comparison shows.
    """

    id: str
    section: int
    statement: str
    stated: float
    stated_low: float | None
    stated_high: float | None
    unit: str
    recomputed: float | None
    verdict: str
    tolerance: float | None
    check: str
    formula: str | None
    note: str

    def as_dict(self) -> dict[str, object]:
        """Return the claim as a JSON-ready dict."""
        return {f: getattr(self, f) for f in self.__slots__}


@dataclass(frozen=True, slots=True)
class _ClaimSpec:
    cells: dict[str, str]
    line: int
    stated: Formula
    formula: Formula | None
    tolerance: float | None


def _error(line: int, cells: dict[str, str], column: str, problem: str) -> RegisterError:
    return RegisterError("claims.csv", f"{line} ({cells.get('id', '')})", column, problem)


def _parse_spec(line: int, c: dict[str, str], register: Register) -> _ClaimSpec:
    for column in ("id", "section", "statement", "stated", "unit", "check"):
        if not c[column]:
            raise _error(line, c, column, f"missing {column}")
    if c["check"] not in CHECKS:
        raise _error(line, c, "check", f"{c['check']!r} is not one of {', '.join(CHECKS)}")
    if c["unit"] not in units.UNITS:
        raise _error(line, c, "unit", f"unknown unit {c['unit']!r}")
    checkable = c["check"] != "not-checkable"
    if checkable != bool(c["formula"]):
        raise _error(
            line, c, "formula", "a checkable claim needs a formula; a not-checkable one has none"
        )
    parsed: dict[str, Formula | None] = {"stated": None, "formula": None}
    for column in ("stated", "formula"):
        if not c[column]:
            continue
        try:
            parsed[column] = parse_formula(c[column])
        except FormulaError as exc:
            raise _error(line, c, column, str(exc)) from None
        for ref in sorted(parsed[column].names):  # type: ignore[union-attr]
            if ref not in register:
                raise _error(line, c, column, f"formula names a missing row {ref!r}")
        for ref in sorted(parsed[column].fits):  # type: ignore[union-attr]
            if ref not in register.fits:
                raise _error(line, c, column, f"formula names a missing trend fit {ref!r}")
    if c["check"] == "within" and c["stated"] not in register:
        raise _error(line, c, "stated", "a 'within' check needs a single row with a range")
    tolerance = None
    if checkable:
        try:
            tolerance = float(c["tolerance"])
        except ValueError:
            raise _error(line, c, "tolerance", f"{c['tolerance']!r} is not a number") from None
        if not (math.isfinite(tolerance) and tolerance >= 0):
            raise _error(line, c, "tolerance", "tolerance must be a finite number >= 0")
    return _ClaimSpec(c, line, parsed["stated"], parsed["formula"], tolerance)  # type: ignore[arg-type]


def _verdict(check: str, stated: float, rec: float, lo: float, hi: float, tol: float) -> str:
    ok = {
        "approx": lambda: abs(rec - stated) <= tol * abs(stated),
        "at_least": lambda: rec >= stated - tol * abs(stated),
        "at_most": lambda: rec <= stated + tol * abs(stated),
        "within": lambda: lo - tol * abs(lo) <= rec <= hi + tol * abs(hi),
    }[check]()
    return "consistent" if ok else "inconsistent"


def _evaluate(spec: _ClaimSpec, register: Register) -> Claim:
    c = spec.cells
    factor = units.require_unit(c["unit"]).factor
    look = (
        register.value,
        lambda n: register[n].canonical_low,
        lambda n: register[n].canonical_high,
        fit_lookup(register.fits),
    )
    stated = spec.stated.evaluate(*look)
    lo = hi = None
    if c["check"] == "within":
        lo, hi = register[c["stated"]].canonical_low, register[c["stated"]].canonical_high
    recomputed, verdict = None, "not-checkable"
    if spec.formula is not None:
        try:
            recomputed = spec.formula.evaluate(*look)
        except (ArithmeticError, ValueError) as exc:
            raise _error(spec.line, c, "formula", f"cannot evaluate: {exc}") from None
        verdict = _verdict(
            c["check"], stated, recomputed, lo or 0.0, hi or 0.0, spec.tolerance or 0.0
        )
    return Claim(
        id=c["id"],
        section=int(c["section"]),
        statement=c["statement"],
        stated=stated / factor,
        stated_low=None if lo is None else lo / factor,
        stated_high=None if hi is None else hi / factor,
        unit=c["unit"],
        recomputed=None if recomputed is None else recomputed / factor,
        verdict=verdict,
        tolerance=spec.tolerance,
        check=c["check"],
        formula=c["formula"] or None,
        note=c["note"],
    )


def evaluate_claims(text: str, register: Register) -> list[Claim]:
    """Parse a claims table and evaluate every claim against ``register``.

    Parameters
    ----------
    text : str
        CSV text with :data:`CLAIM_COLUMNS`. [-]
    register : Register
        The evaluated assumptions register. [-]

    Returns
    -------
    list of Claim
        One per row, in table order.

    Raises
    ------
    RegisterError
        For a malformed row, naming line, claim id and column.
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != CLAIM_COLUMNS:
        raise RegisterError(
            "claims.csv", "1 (header)", "*", f"columns must be {', '.join(CLAIM_COLUMNS)}"
        )
    claims, seen = [], set()
    for cells in reader:
        c = {k: (v or "").strip() for k, v in cells.items()}
        spec = _parse_spec(reader.line_num, c, register)
        if c["id"] in seen:
            raise _error(reader.line_num, c, "id", "duplicate claim id")
        seen.add(c["id"])
        claims.append(_evaluate(spec, register))
    return claims


def load_claims(register: Register | None = None) -> list[Claim]:
    """Evaluate the shipped claims register.

    Parameters
    ----------
    register : Register, optional
        Register to evaluate against; default the shipped one. [-]

    Returns
    -------
    list of Claim
        Every claim with its recomputation and verdict.
    """
    text = (resources.files("strandrisk.assumptions") / "data" / "claims.csv").read_text("utf-8")
    return evaluate_claims(text, register or load_register())
