"""A small, safe expression language for derived register rows and claims.

Formulas are arithmetic over register row names (their canonical values), e.g.
``capex_2026_big4_ft * ai_share_of_capex``. Allowed: numbers, row names, ``+ - * / **``,
unary minus, parentheses and the functions in :data:`FUNCTIONS`. ``low(x)`` and ``high(x)``
read a row's range; ``fit_rate(f)``, ``fit_rate_low(f)`` and ``fit_rate_high(f)`` read the
slope of a named trend fit and its 95 % interval [1/year]. Nothing else parses: no
attribute access, no subscripts, no keywords.
"""

from __future__ import annotations

import ast
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FUNCTIONS", "Formula", "FormulaError", "parse_formula"]

FUNCTIONS: dict[str, Callable[..., float]] = {
    "ln": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "exp": math.exp,
    "sqrt": math.sqrt,
    "abs": abs,
    "min": min,
    "max": max,
    "median": lambda *xs: statistics.median(xs),
    "geomean": lambda *xs: statistics.geometric_mean(xs),
}
"""Numeric functions a formula may call."""

REFERENCE_FUNCTIONS = ("low", "high")
"""Functions whose single argument is a register row name."""

FIT_FUNCTIONS = ("fit_rate", "fit_rate_low", "fit_rate_high")
"""Functions whose single argument is a trend-fit name."""

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


class FormulaError(ValueError):
    """A formula that does not parse or names something unknown."""


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed formula.

    Attributes
    ----------
    text : str
        The formula as written.
    names : frozenset of str
        Register rows it reads (directly or through ``low``/``high``).
    fits : frozenset of str
        Trend fits it reads.
    """

    text: str
    tree: ast.Expression
    names: frozenset[str]
    fits: frozenset[str]

    def evaluate(
        self,
        value: Callable[[str], float],
        low: Callable[[str], float],
        high: Callable[[str], float],
        fit: Callable[[str, str], float],
    ) -> float:
        """Evaluate with the given look-ups.

        Parameters
        ----------
        value, low, high : callable
            ``name -> float``: a row's canonical value, low and high. [canonical]
        fit : callable
            ``(fit_name, which) -> float`` with ``which`` one of ``rate``, ``low``,
            ``high``. [1/year]

        Returns
        -------
        float
            The formula's value, in canonical units. [canonical]
        """
        return float(_eval(self.tree.body, value, low, high, fit))


def parse_formula(text: str) -> Formula:
    """Parse ``text`` and list the rows and fits it reads.

    Parameters
    ----------
    text : str
        The formula; a leading ``=`` (as ``strandrisk assumptions`` prints derived rows,
        and as a spreadsheet would) is allowed. [-]

    Returns
    -------
    Formula
        The parsed formula.

    Raises
    ------
    FormulaError
        If the text is not a formula of the allowed form.
    """
    try:
        tree = ast.parse(text.strip().removeprefix("=").strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula {text!r} does not parse: {exc.msg}") from None
    names: set[str] = set()
    fits: set[str] = set()
    _collect(tree.body, text, names, fits)
    return Formula(text=text, tree=tree, names=frozenset(names), fits=frozenset(fits))


def _collect(node: ast.AST, text: str, names: set[str], fits: set[str]) -> None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return
    if isinstance(node, ast.Name):
        names.add(node.id)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _collect(node.left, text, names, fits)
        _collect(node.right, text, names, fits)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _collect(node.operand, text, names, fits)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        fn = node.func.id
        if fn in REFERENCE_FUNCTIONS or fn in FIT_FUNCTIONS:
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
                raise FormulaError(f"formula {text!r}: {fn}() takes one bare name")
            (names if fn in REFERENCE_FUNCTIONS else fits).add(node.args[0].id)
            return
        if fn in FUNCTIONS:
            for arg in node.args:
                _collect(arg, text, names, fits)
            return
        known = sorted((*FUNCTIONS, *REFERENCE_FUNCTIONS, *FIT_FUNCTIONS))
        raise FormulaError(
            f"formula {text!r}: unknown function {fn!r}; functions: {', '.join(known)}"
        )
    raise FormulaError(f"formula {text!r}: {type(node).__name__} is not allowed in a formula")


def _eval(
    node: ast.expr,
    value: Callable[[str], float],
    low: Callable[[str], float],
    high: Callable[[str], float],
    fit: Callable[[str, str], float],
) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return value(node.id)
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](
            _eval(node.left, value, low, high, fit), _eval(node.right, value, low, high, fit)
        )
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, value, low, high, fit)
        return -operand if isinstance(node.op, ast.USub) else operand
    # what is left is a call that _check accepted: a known function of names or expressions
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise FormulaError(f"{type(node).__name__} is not allowed in a formula")
    fn = node.func.id
    if fn in ("low", "high") or fn in FIT_FUNCTIONS:
        arg = node.args[0]
        if not isinstance(arg, ast.Name):
            raise FormulaError(f"{fn}() takes a row name")
        if fn == "low":
            return low(arg.id)
        if fn == "high":
            return high(arg.id)
        return fit(arg.id, {"fit_rate": "rate"}.get(fn, fn.removeprefix("fit_rate_")))
    return FUNCTIONS[fn](*(_eval(a, value, low, high, fit) for a in node.args))
