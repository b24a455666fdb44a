"""PRIM scenario discovery: which parameter ranges lead to the outcome of interest.

Friedman & Fisher (1999), "Bump hunting in high-dimensional data", Statistics and
Computing 9: starting from the box holding every scenario, repeatedly peel off the
``alpha`` share of the remaining scenarios from the lower or upper end of one parameter,
choosing the peel that raises the share of cases of interest (density) most; record the
trajectory of coverage (share of all cases inside the box) against density; then paste
back where that raises density. Vectorised over parameters: each step evaluates every
candidate peel with one pass over the scenarios still in the box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PrimBox", "PrimResult", "prim"]


@dataclass(frozen=True, slots=True)
class PrimBox:
    """A box: bounds per parameter, its coverage, density and mass."""

    lower: np.ndarray
    upper: np.ndarray
    coverage: float
    density: float
    mass: float


@dataclass(frozen=True, slots=True)
class PrimResult:
    """The peeling trajectory and the chosen box.

    Attributes
    ----------
    names : list of str
        Parameters.
    trajectory : pandas.DataFrame
        One row per box: ``coverage``, ``density``, ``mass``, ``restricted`` (count).
    boxes : list of PrimBox
        The boxes of the trajectory.
    chosen : int
        Index of the chosen box.
    limits : pandas.DataFrame
        For the chosen box's restricted parameters: ``lower``, ``upper`` and the full
        ``min``, ``max`` of the data.
    """

    names: list[str]
    trajectory: pd.DataFrame
    boxes: list[PrimBox]
    chosen: int
    limits: pd.DataFrame


def _stats(inside: np.ndarray, y: np.ndarray, total: int) -> tuple[float, float, float]:
    n_in = inside.sum()
    hits = np.count_nonzero(y & inside)
    return (hits / max(total, 1), hits / max(n_in, 1), n_in / y.size)


def _peel(xt, y, inside, alpha, lower, upper):
    """Best single peel of the ``alpha`` share from either end of any parameter.

    ``xt`` is the data transposed, shape (d, n), so that each parameter is contiguous.
    """
    idx = np.flatnonzero(inside)
    xs, ys = xt[:, idx], y[idx]
    n_in = len(idx)
    k = max(int(np.ceil(alpha * n_in)), 1)
    if k >= n_in:
        return inside, lower, upper, False
    part = np.argpartition(xs, (k - 1, n_in - k), axis=1)
    bottom, top = part[:, :k], part[:, n_in - k :]  # (d, k) row indices per parameter
    hits = ys.sum()
    dens_lo = (hits - ys[bottom].sum(axis=1)) / (n_in - k)
    dens_hi = (hits - ys[top].sum(axis=1)) / (n_in - k)
    j_lo, j_hi = int(np.argmax(dens_lo)), int(np.argmax(dens_hi))
    new_lower, new_upper = lower.copy(), upper.copy()
    keep = np.ones(n_in, dtype=bool)
    if dens_lo[j_lo] >= dens_hi[j_hi]:
        rows, j = bottom[j_lo], j_lo
        new_lower[j] = xs[j, rows].max()
        opened = True
    else:
        rows, j = top[j_hi], j_hi
        new_upper[j] = xs[j, rows].min()
        opened = False
    keep[rows] = False
    new_inside = np.zeros_like(inside)
    new_inside[idx[keep]] = True
    return new_inside, new_lower, new_upper, opened


def _in_box(
    x: np.ndarray, lower: np.ndarray, upper: np.ndarray, strict_lower: np.ndarray
) -> np.ndarray:
    above = np.where(strict_lower, x > lower, x >= lower)
    return np.all(above & (x <= upper), axis=1)


def _paste(x, y, inside, lower, upper, strict, alpha, total):
    """Widen one bound at a time while that raises density."""
    _, density, _ = _stats(inside, y, total)
    span = x.max(axis=0) - x.min(axis=0)
    improved = True
    while improved:
        improved = False
        for j in range(x.shape[1]):
            for side in ("lower", "upper"):
                lo, hi, st = lower.copy(), upper.copy(), strict.copy()
                if side == "lower" and lower[j] > x[:, j].min():
                    lo[j] = lower[j] - alpha * span[j]
                    st[j] = False
                elif side == "upper" and upper[j] < x[:, j].max():
                    hi[j] = upper[j] + alpha * span[j]
                else:
                    continue
                trial = _in_box(x, lo, hi, st)
                _, d, _ = _stats(trial, y, total)
                if d > density + 1e-12:
                    inside, lower, upper, strict, density, improved = trial, lo, hi, st, d, True
    return inside, lower, upper, strict


def prim(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
) -> PrimResult:
    """Find a box of parameter ranges where the cases of interest concentrate.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Parameter values of each scenario. [canonical units]
    y : ndarray of bool, shape (n,)
        True for the cases of interest (e.g. peak stranded value above a threshold). [-]
    names : list of str
        Parameter names. [-]
    alpha : float
        Share of the box's scenarios peeled per step. [fraction]
    min_mass : float
        Stop peeling when the box holds less than this share of all scenarios. [fraction]
    min_coverage : float
        The chosen box is the densest with at least this coverage. [fraction]

    Returns
    -------
    PrimResult
        Trajectory, boxes and the chosen box's restricted ranges.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    total = int(y.sum())
    lower, upper = x.min(axis=0), x.max(axis=0)
    strict = np.zeros(x.shape[1], dtype=bool)
    inside = np.ones(len(y), dtype=bool)
    xt = np.ascontiguousarray(x.T)
    boxes = [PrimBox(lower.copy(), upper.copy(), *_stats(inside, y, total))]
    while boxes[-1].mass > min_mass and total > 0:
        new_inside, lo, hi, opened = _peel(xt, y, inside, alpha, lower, upper)
        if new_inside.sum() == inside.sum() or new_inside.sum() == 0:
            break
        changed = np.flatnonzero((lo != lower) | (hi != upper))
        if opened and changed.size:
            strict[changed] = True
        inside, lower, upper = new_inside, lo, hi
        boxes.append(PrimBox(lower.copy(), upper.copy(), *_stats(inside, y, total)))
    eligible = [i for i, b in enumerate(boxes) if b.coverage >= min_coverage] or [0]
    chosen = max(eligible, key=lambda i: (boxes[i].density, -i))
    box = boxes[chosen]
    inside = _in_box(x, box.lower, box.upper, np.zeros(x.shape[1], dtype=bool))
    inside, lo, hi, _ = _paste(
        x,
        y,
        inside,
        box.lower.copy(),
        box.upper.copy(),
        np.zeros(x.shape[1], dtype=bool),
        alpha,
        total,
    )
    boxes[chosen] = PrimBox(lo, hi, *_stats(inside, y, total))
    data_min, data_max = x.min(axis=0), x.max(axis=0)
    restricted = [j for j in range(x.shape[1]) if lo[j] > data_min[j] or hi[j] < data_max[j]]
    limits = pd.DataFrame(
        {
            "lower": lo[restricted],
            "upper": hi[restricted],
            "min": data_min[restricted],
            "max": data_max[restricted],
        },
        index=pd.Index([names[j] for j in restricted], name="parameter"),
    )
    trajectory = pd.DataFrame(
        {
            "coverage": [b.coverage for b in boxes],
            "density": [b.density for b in boxes],
            "mass": [b.mass for b in boxes],
            "restricted": [int(np.sum((b.lower > data_min) | (b.upper < data_max))) for b in boxes],
        }
    )
    return PrimResult(list(names), trajectory, boxes, chosen, limits)
