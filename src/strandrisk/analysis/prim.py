"""PRIM scenario discovery: which parameter ranges lead to the outcome of interest.

Friedman & Fisher (1999), "Bump hunting in high-dimensional data", Statistics and
Computing 9: starting from the box holding every scenario, repeatedly peel off the
``alpha`` share of the remaining scenarios from the lower or upper end of one parameter,
choosing the peel that raises the share of cases of interest (density) most; record the
trajectory of coverage (share of all cases inside the box) against density; then paste
back where that raises density. Each column is sorted once; every peeling step then
finds, for every parameter, the cases of interest among the ``alpha`` share of the box at
either end by walking the sorted order (compiled, :mod:`._prim_kernel`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.analysis._prim_kernel import peel_all, sort_columns
from strandrisk.errors import did_you_mean

__all__ = [
    "CoveringBox",
    "PrimBox",
    "PrimResult",
    "check_settings",
    "prim",
    "prim_covering",
    "prim_resample",
    "quasi_p_text",
    "quasi_p_values",
]


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
        For the chosen box's restricted parameters: ``lower``, ``upper``, the full ``min``,
        ``max`` of the data, and the quasi-p-values ``qp_lower``, ``qp_upper`` of each
        restricted side (NaN for a side left at the data's end; :func:`quasi_p_values`).
    dropped : tuple of str
        Restrictions the chosen box gave up (:func:`prim`'s ``drop``).
    """

    names: list[str]
    trajectory: pd.DataFrame
    boxes: list[PrimBox]
    chosen: int
    limits: pd.DataFrame
    dropped: tuple[str, ...] = ()

    def unneeded(self, alpha: float = 0.05) -> list[str]:
        """Return the chosen box's restrictions whose every restricted side has a qp above alpha.

        Such a restriction does not concentrate the cases beyond chance at this sample size:
        what EMA Workbench's users give up with ``drop_restriction`` (``discover --drop``).

        Parameters
        ----------
        alpha : float
            The quasi-p-value above which a side is not needed. [probability]

        Returns
        -------
        list of str
            The parameters, in the order of :attr:`limits`. [-]
        """
        qp = np.fmin(
            self.limits["qp_lower"].to_numpy(float), self.limits["qp_upper"].to_numpy(float)
        )
        return [str(k) for k, v in zip(self.limits.index, qp, strict=True) if v > alpha]


def _stats(inside: np.ndarray, y: np.ndarray, total: int) -> tuple[float, float, float]:
    n_in = inside.sum()
    hits = np.count_nonzero(y & inside)
    return (hits / max(total, 1), hits / max(n_in, 1), n_in / y.size)


def _in_box(
    x: np.ndarray, lower: np.ndarray, upper: np.ndarray, strict_lower: np.ndarray
) -> np.ndarray:
    above = np.where(strict_lower, x > lower, x >= lower)
    return np.all(above & (x <= upper), axis=1)


def _paste(
    x: np.ndarray,
    y: np.ndarray,
    inside: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    strict: np.ndarray,
    alpha: float,
    total: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def quasi_p_values(
    x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How significant each restriction of a box is: its quasi-p-values.

    Bryant and Lempert (2010), "Thinking inside the box", Technological Forecasting and
    Social Change 77, and EMA Workbench's PRIM: for each restricted side of a parameter,
    drop that one restriction and take the relaxed box's density ``p``; the quasi-p-value is
    the chance of at least the box's cases of interest among its scenarios if each were one
    with probability ``p`` (one-sided binomial). A small value (below 0.05, say) means the
    restriction concentrates the cases beyond chance; a large one, that the box hardly
    needs it.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Parameter values of each scenario. [canonical units]
    y : ndarray of bool, shape (n,)
        Cases of interest. [-]
    lower, upper : ndarray, shape (d,)
        The box's bounds (inclusive). [canonical units]

    Returns
    -------
    qp_lower, qp_upper : ndarray, shape (d,)
        Quasi-p-value of each lower and upper bound; NaN where the bound does not restrict
        (it is at or below the data's minimum, at or above its maximum). [probability]
    """
    from scipy.stats import binom

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    above = x >= lower
    below = x <= upper
    misses = (~above).sum(axis=1) + (~below).sum(axis=1)  # failed bounds per scenario
    inside = misses == 0
    n_box, hits_box = int(inside.sum()), int((inside & y).sum())
    qp = np.full((2, x.shape[1]), np.nan)
    for j in range(x.shape[1]):
        for side, holds in ((0, above[:, j]), (1, below[:, j])):
            if holds.all():
                continue  # no scenario is outside this bound: nothing to relax
            relaxed = misses == (~holds).astype(np.int64)  # only this bound may fail
            n_rel = int(relaxed.sum())
            p = (relaxed & y).sum() / n_rel
            qp[side, j] = binom.sf(hits_box - 1, n_box, p) if n_box else np.nan
    return qp[0], qp[1]


def quasi_p_text(value: float) -> str:
    """Write a quasi-p-value for a table, ``<1e-300`` where it underflowed to zero.

    Two significant digits; ``-`` for a side not restricted; a binomial tail below the
    smallest double is not a chance of 0.

    Parameters
    ----------
    value : float
        From :func:`quasi_p_values`. [probability]
    """
    if np.isnan(value):
        return "-"
    return f"{value:.2g}" if value > 0 else "<1e-300"


def prim(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    step: int | None = None,
    drop: Sequence[str] = (),
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
    step : int, optional
        Choose the box at this step of the peeling trajectory instead (0 is every
        scenario), as EMA Workbench's ``PrimBox.select``; it is pasted all the same. [-]
    drop : sequence of str
        Parameters whose restriction the chosen box gives up after pasting (EMA Workbench's
        ``PrimBox.drop_restriction``): one whose quasi-p-value says the box hardly needs it.
        Its coverage, density, mass and quasi-p-values are those of the box without them. [-]

    Returns
    -------
    PrimResult
        Trajectory, boxes and the chosen box's restricted ranges.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    if x.ndim != 2 or x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise ValueError(f"x must be (n, d) with n = len(y) > 0, got {x.shape} and {y.shape}")
    check_settings(alpha, min_mass, min_coverage)
    total = int(y.sum())
    xt = np.ascontiguousarray(x.T)
    lowers, uppers, _, counts = peel_all(
        xt, sort_columns(xt), y.astype(np.int64), float(alpha), float(min_mass)
    )
    n = len(y)
    boxes = [
        PrimBox(lo, hi, int(h) / max(total, 1), int(h) / max(int(m), 1), int(m) / n)
        for lo, hi, (m, h) in zip(lowers, uppers, counts, strict=True)
    ]
    if step is None:
        eligible = [i for i, b in enumerate(boxes) if b.coverage >= min_coverage] or [0]
        chosen = max(eligible, key=lambda i: (boxes[i].density, -i))
    elif 0 <= step < len(boxes):
        chosen = step
    else:
        raise ValueError(f"step {step}: the peeling trajectory has steps 0 to {len(boxes) - 1}")
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
    data_min, data_max = x.min(axis=0), x.max(axis=0)
    if drop:
        lo, hi = _dropped(list(names), lo, hi, data_min, data_max, drop)
        inside = _in_box(x, lo, hi, np.zeros(x.shape[1], dtype=bool))
    boxes[chosen] = PrimBox(lo, hi, *_stats(inside, y, total))
    restricted = [j for j in range(x.shape[1]) if lo[j] > data_min[j] or hi[j] < data_max[j]]
    qp_lower, qp_upper = quasi_p_values(x, y, lo, hi)
    limits = pd.DataFrame(
        {
            "lower": lo[restricted],
            "upper": hi[restricted],
            "min": data_min[restricted],
            "max": data_max[restricted],
            "qp_lower": qp_lower[restricted],
            "qp_upper": qp_upper[restricted],
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
    return PrimResult(list(names), trajectory, boxes, chosen, limits, tuple(drop))


def _dropped(
    names: list[str],
    lower: np.ndarray,
    upper: np.ndarray,
    data_min: np.ndarray,
    data_max: np.ndarray,
    drop: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Return a box's bounds with the restrictions on ``drop`` opened to the data's range."""
    lower, upper = lower.copy(), upper.copy()
    held = [n for j, n in enumerate(names) if lower[j] > data_min[j] or upper[j] < data_max[j]]
    for name in drop:
        if name not in names:
            raise ValueError(f"drop {name!r}: not a parameter{did_you_mean(name, names)}")
        if name not in held:
            raise ValueError(
                f"drop {name!r}: the box does not restrict it; it restricts "
                f"{', '.join(held) or 'nothing'}"
            )
        j = names.index(name)
        lower[j], upper[j] = data_min[j], data_max[j]
    return lower, upper


def check_settings(
    alpha: float,
    min_mass: float,
    min_coverage: float,
    names: tuple[str, str, str] = ("alpha", "min_mass", "min_coverage"),
) -> None:
    """Refuse a peeling share, least mass or least coverage outside its range.

    Parameters
    ----------
    alpha, min_mass, min_coverage : float
        As :func:`prim`. [fraction]
    names : tuple of str
        What the message calls the three (the command line's flags, say). [-]

    Raises
    ------
    ValueError
        ``alpha`` outside (0, 1), ``min_mass`` outside [0, 1), ``min_coverage`` outside
        [0, 1], or NaN.
    """
    for name, value, ok, allowed in (
        (names[0], alpha, 0 < alpha < 1, "between 0 and 1, both excluded (e.g. 0.05)"),
        (names[1], min_mass, 0 <= min_mass < 1, "at least 0 and below 1 (e.g. 0.05)"),
        (names[2], min_coverage, 0 <= min_coverage <= 1, "between 0 and 1 (e.g. 0.5)"),
    ):
        if not ok:  # NaN fails every comparison
            raise ValueError(f"{name} {value}: must be {allowed}")


def prim_resample(
    x: np.ndarray,
    y: np.ndarray,
    result: PrimResult,
    iterations: int = 10,
    fraction: float = 0.5,
    seed: int = 0,
    alpha: float = 0.05,
    min_mass: float = 0.05,
) -> pd.DataFrame:
    """Measure how well the box comes back: the share of random subsets restricting each parameter.

    EMA Workbench's ``PrimBox.resample``: PRIM peels again on ``iterations`` random
    subsets of the scenarios (``fraction`` of them each, without replacement); in each
    subset's trajectory it takes the box whose coverage is nearest the chosen box's, and the
    one whose density is nearest, and counts the parameters those boxes restrict (a bound
    inside the subset's range). A parameter the chosen box restricts and nearly every subset
    restricts too is part of the story; one restricted by few subsets is likely fitted to
    this sample's noise. The subsets' boxes are the peeling's, before pasting.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Parameter values of each scenario, as given to :func:`prim`. [canonical units]
    y : ndarray of bool, shape (n,)
        Cases of interest, as given to :func:`prim`. [-]
    result : PrimResult
        :func:`prim`'s result on ``x`` and ``y``: its chosen box is the one to reproduce. [-]
    iterations : int
        How many random subsets; at least 1. [count]
    fraction : float
        Each subset's share of the scenarios, above 0 and at most 1. [fraction]
    seed : int
        Seed of the subsets: the same seed draws the same subsets. [-]
    alpha, min_mass : float
        As :func:`prim` (give the values the result was found with). [fraction]

    Returns
    -------
    pandas.DataFrame
        Indexed by ``parameter`` (all of them), most reproduced first (ties in the given
        order): ``in_box`` (restricted by the chosen box), ``coverage_match`` and
        ``density_match`` (the share of subsets whose box nearest in coverage, or in
        density, restricts it). [bool, fraction, fraction]
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    check_settings(alpha, min_mass, 0.0)
    if iterations < 1:
        raise ValueError(f"iterations {iterations}: must be at least 1")
    size = int(len(y) * fraction) if 0 < fraction <= 1 else 0
    if size < 2:
        raise ValueError(
            f"fraction {fraction}: each subset must hold at least 2 of the {len(y):,} scenarios"
        )
    box = result.boxes[result.chosen]
    d = x.shape[1]
    data_min, data_max = x.min(axis=0), x.max(axis=0)
    in_box = (box.lower > data_min) | (box.upper < data_max)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_RESAMPLE_KEY,)))
    hits = np.zeros((2, d))
    for _ in range(iterations):
        rows = np.sort(rng.choice(len(y), size=size, replace=False))  # kept in the given order
        xt = np.ascontiguousarray(x[rows].T)
        ys = y[rows]
        lowers, uppers, _, counts = peel_all(
            xt, sort_columns(xt), ys.astype(np.int64), float(alpha), float(min_mass)
        )
        m, h = counts[:, 0], counts[:, 1]
        coverage = h / max(int(ys.sum()), 1)
        density = h / np.maximum(m, 1)
        restricted = (lowers > xt.min(axis=1)) | (uppers < xt.max(axis=1))
        hits[0] += restricted[np.argmin(np.abs(coverage - box.coverage))]
        hits[1] += restricted[np.argmin(np.abs(density - box.density))]
    table = pd.DataFrame(
        {
            "in_box": in_box,
            "coverage_match": hits[0] / iterations,
            "density_match": hits[1] / iterations,
        },
        index=pd.Index(result.names, name="parameter"),
    )
    return table.sort_values(["coverage_match", "density_match"], ascending=False, kind="stable")


_RESAMPLE_KEY = 0x5052494D  # "PRIM": the subsets' stream, apart from any draws of the seed


@dataclass(frozen=True, slots=True)
class CoveringBox:
    """One box of PRIM's covering sequence, found among the scenarios no earlier box holds.

    Attributes
    ----------
    result : PrimResult
        PRIM on those scenarios: its trajectory's and boxes' coverage, density and mass are
        shares of them and of their cases.
    coverage : float
        The share of all cases of interest inside this box (and no earlier one). [fraction]
    density : float
        The share of the box's scenarios that are cases. [fraction]
    mass : float
        The share of all scenarios inside this box (and no earlier one). [fraction]
    searched, cases : int
        The scenarios it was found among, and how many of them are cases. [count]
    """

    result: PrimResult
    coverage: float
    density: float
    mass: float
    searched: int
    cases: int


def prim_covering(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    boxes: int = 2,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    min_density: float = 0.5,
    step: int | None = None,
    drop: Sequence[str] = (),
) -> list[CoveringBox]:
    """Find up to ``boxes`` boxes in turn, each among the scenarios outside the ones before.

    Friedman and Fisher's covering, as EMA Workbench's ``Prim.find_box`` called again: the
    first box is :func:`prim`'s; the scenarios inside it are set aside and PRIM runs again
    on the rest, and so on. Where the cases of interest sit in two places (say, fast capex
    growth, or no price floor with low elasticity), the second box finds the other. The
    sequence stops early when no case is left outside the boxes, when every scenario left
    is one, or when a later box is less dense than ``min_density`` (EMA Workbench's
    threshold), no denser than the scenarios it was found among, or restricts nothing (EMA
    Workbench's "dump box", not returned).

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Parameter values of each scenario. [canonical units]
    y : ndarray of bool, shape (n,)
        True for the cases of interest. [-]
    names : list of str
        Parameter names. [-]
    boxes : int
        How many boxes at most; at least 1. [count]
    alpha, min_mass, min_coverage : float
        As :func:`prim`, applied to the scenarios each box is found among. [fraction]
    min_density : float
        The least density of a box after the first. [fraction]
    step : int, optional
        The first box's step of its peeling trajectory, as :func:`prim`; the later boxes
        are chosen by ``min_coverage``. [-]
    drop : sequence of str
        Restrictions the first box gives up, as :func:`prim`. [-]

    Returns
    -------
    list of CoveringBox
        The boxes in the order found; the first is :func:`prim`'s on all scenarios.
    """
    if boxes < 1:
        raise ValueError(f"boxes must be at least 1, got {boxes}")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    n, total = len(y), int(y.sum())
    left = np.ones(n, dtype=bool)  # outside every box so far
    found: list[CoveringBox] = []
    while len(found) < boxes:
        xs, ys = x[left], y[left]
        cases = int(ys.sum())
        if cases == 0 or cases == len(ys):
            break
        first = not found  # --step and --drop shape the first box only
        result = prim(
            xs, ys, names, alpha, min_mass, min_coverage, step if first else None,
            drop if first else (),
        )  # fmt: skip
        box = result.boxes[result.chosen]
        weak = box.density < min_density or box.density <= cases / len(ys)
        if found and (weak or result.limits.empty):
            break  # a dump box
        inside = _in_box(xs, box.lower, box.upper, np.zeros(x.shape[1], dtype=bool))
        hits = int(np.count_nonzero(ys & inside))
        found.append(
            CoveringBox(
                result,
                hits / max(total, 1),
                box.density,
                int(inside.sum()) / n,
                len(ys),
                cases,
            )
        )
        left[np.flatnonzero(left)[inside]] = False
    return found
