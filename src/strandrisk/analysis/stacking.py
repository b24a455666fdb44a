"""Dimensional stacking: the share of cases over a grid of four parameters at once.

EMA Workbench's ``dimensional_stacking.create_pivot_plot`` (after SPE paper 174774, 2015; the
display is LeBlanc, Ward and Wittels's, 1990): each of a few parameters is cut into bins, two are
nested along the rows and two along the columns, and each cell of the grid shows the share
of its scenarios that are cases of interest. Where PRIM draws one box and the regional
distributions one parameter at a time, the grid shows how the parameters combine: a case
region that needs two parameters together, or one parameter that matters only where another
is high. The bins are each parameter's terciles (quantiles, so each bin holds a third of the
draws whatever the prior's shape), not EMA's equal-width bins (``pandas.cut``), which leave a
skewed prior's upper bins nearly empty. EMA picks the parameters by random-forest feature
scoring; ``discover`` stacks the four whose distributions separate the cases most
(:mod:`strandrisk.analysis.regional`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["STACKED", "DimensionalStack", "dimensional_stack", "stack_strongest"]

STACKED = 4
"""Parameters ``discover`` stacks: those that separate the cases most, two down the side and
two across. [count]"""


@dataclass(frozen=True, slots=True)
class DimensionalStack:
    """The share of cases in each cell of a grid of binned parameters, nested two by two.

    Attributes
    ----------
    rows, columns : tuple of str
        The parameters nested along the rows and along the columns, outer first. [-]
    edges : dict of str to ndarray
        Each parameter's bin edges, ``bins + 1`` of them, from its smallest to its largest
        value. [parameter units]
    share : ndarray, shape (bins ** len(rows), bins ** len(columns))
        The share of the cell's scenarios that are cases (NaN where a cell holds none); the
        row of cell ``(b0, b1)`` is ``b0 * bins + b1``, the outer parameter's bin first, and
        so for the columns. [fraction]
    count : ndarray of int, same shape
        Scenarios in each cell. [count]
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    edges: dict[str, np.ndarray]
    share: np.ndarray
    count: np.ndarray

    @property
    def bins(self) -> int:
        """Bins per parameter [count]."""
        return len(next(iter(self.edges.values()))) - 1

    def labels(self, axis: str) -> list[str]:
        """Name each row's or each column's bins, the outer parameter's first ("high · low").

        Parameters
        ----------
        axis : {"rows", "columns"}
            Which side of the grid. [-]
        """
        names = self.rows if axis == "rows" else self.columns
        words = _BIN_WORDS.get(self.bins) or [f"bin {b + 1}" for b in range(self.bins)]
        out = [""]
        for _ in names:
            out = [f"{a} · {w}" if a else w for a in out for w in words]
        return out

    def as_json(self) -> dict[str, object]:
        """Return the stack as plain lists: its parameters, bin edges, labels, shares, counts.

        Returns
        -------
        dict
            ``rows``, ``columns`` (parameters, outer first), ``edges`` (per parameter
            [parameter units]), ``row_labels``, ``column_labels``, ``share`` (rows of cells,
            null where a cell is empty [fraction]) and ``count`` [count].
        """
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "edges": {k: [float(v) for v in e] for k, e in self.edges.items()},
            "row_labels": self.labels("rows"),
            "column_labels": self.labels("columns"),
            "share": [[None if np.isnan(v) else float(v) for v in row] for row in self.share],
            "count": self.count.tolist(),
        }


_BIN_WORDS = {2: ["low", "high"], 3: ["low", "mid", "high"]}


def dimensional_stack(
    x: np.ndarray,
    cases: np.ndarray,
    names: Sequence[str],
    rows: Sequence[str],
    columns: Sequence[str],
    bins: int = 3,
) -> DimensionalStack:
    """Count the cases in each cell of a grid of binned parameters.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Parameter values per scenario. [parameter units]
    cases : ndarray of bool, shape (n,)
        Whether each scenario is a case of interest. [-]
    names : sequence of str
        The d parameter names, in ``x``'s column order. [-]
    rows, columns : sequence of str
        The parameters to nest along the rows and along the columns, outer first (one or
        two each, say); each a name of ``names``, none twice. [-]
    bins : int
        Bins per parameter, at its quantiles (3: terciles). [count]

    Returns
    -------
    DimensionalStack
        The grid's shares of cases and its counts.

    Raises
    ------
    ValueError
        A parameter not among ``names`` or given twice, no parameter on an axis, fewer than
        two bins, or shapes that do not agree.
    """
    x = np.asarray(x, dtype=float)
    flag = np.asarray(cases, dtype=bool)
    names = list(names)
    if x.ndim != 2 or x.shape != (flag.shape[0], len(names)):
        raise ValueError("x must be (n, d) with n flags and d names")
    chosen = [*rows, *columns]
    if not rows or not columns:
        raise ValueError("dimensional stacking needs a parameter on each axis")
    if len(set(chosen)) < len(chosen) or not set(chosen) <= set(names):
        raise ValueError(f"stack distinct parameters of {', '.join(names)}; got {chosen}")
    if bins < 2:
        raise ValueError(f"at least 2 bins, got {bins}")
    edges, index = {}, {}
    for name in chosen:
        v = x[:, names.index(name)]
        e = np.quantile(v, np.linspace(0.0, 1.0, bins + 1))
        edges[name] = e
        # the inner edges decide: a value on an edge goes to the bin above it
        index[name] = np.searchsorted(e[1:-1], v, side="right")

    def cell(axis: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(x), dtype=np.int64)
        for name in axis:  # outer first: its bin is the most significant digit
            out = out * bins + index[name]
        return out

    shape = (bins ** len(rows), bins ** len(columns))
    flat = cell(rows) * shape[1] + cell(columns)  # the cell's place in the grid, row by row
    count = np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape)
    hits = np.bincount(flat[flag], minlength=shape[0] * shape[1]).reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(count > 0, hits / count, np.nan)
    return DimensionalStack(tuple(rows), tuple(columns), edges, share, count)


def stack_strongest(
    x: np.ndarray,
    cases: np.ndarray,
    names: Sequence[str],
    ranked: Sequence[str],
    top: int = STACKED,
    bins: int = 3,
) -> DimensionalStack | None:
    """Stack the ``top`` parameters of a ranking: the first half down the side, the rest across.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Parameter values per scenario. [parameter units]
    cases : ndarray of bool, shape (n,)
        Whether each scenario is a case of interest. [-]
    names : sequence of str
        The d parameter names, in ``x``'s column order. [-]
    ranked : sequence of str
        Parameters, most telling first (the regional sensitivity's order, say). [-]
    top : int
        How many to stack. [count]
    bins : int
        Bins per parameter. [count]

    Returns
    -------
    DimensionalStack or None
        None where fewer than two parameters are ranked.
    """
    chosen = list(ranked)[:top]
    if len(chosen) < 2:
        return None
    half = (len(chosen) + 1) // 2
    return dimensional_stack(x, cases, names, chosen[:half], chosen[half:], bins)
