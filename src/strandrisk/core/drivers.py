"""Which parameters move an outcome, read from a Monte Carlo sample itself (no extra runs).

Two measures on ranks, as @RISK and Crystal Ball report them beside their tornado charts
and as the sampling-based sensitivity literature defines them (Helton and Davis,
"Latin hypercube sampling and the propagation of uncertainty in analyses of complex
systems", Reliability Engineering & System Safety 81, 2003, section 7):

- Spearman's rank correlation between each parameter and the outcome;
- standardised rank regression coefficients (SRRC): the coefficients of a least-squares fit
  of the outcome's standardised ranks on every parameter's standardised ranks at once. Unlike
  a correlation, a coefficient does not credit a parameter with the effect of another it is
  correlated with (the scenario's ``[correlations]``), and the fit's R² says how much of the
  outcome's rank variance such an additive monotone model explains at all: where it is low,
  interactions matter and only the Sobol' indices (``strandrisk sensitivity``) apportion it.

Pure NumPy/SciPy on arrays; ties get average ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "SCENARIO_BANDS",
    "SIGNIFICANT_SD",
    "RankDrivers",
    "ScenarioShift",
    "rank_drivers",
    "scenario_shift",
    "spearman_interval",
    "variance_contribution",
    "whole_sample",
]

SCENARIO_BANDS: dict[str, tuple[float, bool]] = {
    "above_p90": (0.9, True),
    "below_p10": (0.1, False),
}
"""The tails of an output that the scenario analysis reads, two of @RISK's three defaults:
its draws above the 90th percentile and below the 10th (each the quantile and whether the
draws above it). @RISK's third, above the median, is left out: half the draws, it says
little the rank correlations do not, and its medians cost the most."""
SIGNIFICANT_SD = 0.5
"""@RISK's threshold: an input is significant in a scenario where its median there moves by
more than this many of its standard deviations. [sd]"""


@dataclass(frozen=True, slots=True)
class RankDrivers:
    """Rank-based sensitivity of several outcomes to several parameters.

    Attributes
    ----------
    spearman : ndarray, shape (k, m)
        Rank correlation of parameter ``i`` with outcome ``j``; NaN where either does not
        vary. [-]
    srrc : ndarray, shape (k, m)
        Standardised rank regression coefficients; NaN where the fit is undetermined. [-]
    r2 : ndarray, shape (m,)
        Share of each outcome's rank variance the rank regression explains. [fraction]
    n : int
        Scenarios the measures come from. [count]
    """

    spearman: np.ndarray
    srrc: np.ndarray
    r2: np.ndarray
    n: int


def _average_ranks(a: np.ndarray) -> np.ndarray:
    """Each column's ranks 1..n, ties given their average: ``rankdata(a, axis=0)``.

    The same numbers by the same formula as SciPy's, from NumPy's default (SIMD) sort of
    each column laid out contiguously, where ``rankdata`` sorts with a merge sort: ≈3× faster
    on 20,000 draws. The order a sort leaves equal values in does not change their average.
    """
    cols = np.ascontiguousarray(np.asarray(a, dtype=float).T)  # (k, n)
    order = np.argsort(cols, axis=1)
    ordered = np.take_along_axis(cols, order, axis=1)
    k, n = cols.shape
    out = np.empty((k, n))
    for j in range(k):  # the columns, a few dozen
        new = np.ones(n, dtype=bool)
        new[1:] = ordered[j, 1:] != ordered[j, :-1]
        dense = np.cumsum(new)
        first = np.append(np.flatnonzero(new), n)  # where each run of equal values starts
        out[j, order[j]] = 0.5 * (first[dense] + first[dense - 1] + 1)
    return out.T  # column-major, as rankdata's: the column sums after add in the same order


def _standard_ranks(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns' ranks centred and scaled to unit norm; a mask of the columns that vary."""
    r = _average_ranks(a)
    r -= r.mean(axis=0)
    norm = np.sqrt((r * r).sum(axis=0))
    varies = norm > 0
    r[:, varies] /= norm[varies]
    r[:, ~varies] = 0.0
    return r, varies


def rank_drivers(x: np.ndarray, y: np.ndarray) -> RankDrivers:
    """Spearman correlations and SRRC of every outcome on every parameter.

    Parameters
    ----------
    x : ndarray, shape (n, k)
        Parameter values per scenario. [canonical units]
    y : ndarray, shape (n, m)
        Outcomes per scenario; no NaN. [outcome units]

    Returns
    -------
    RankDrivers
        The measures; with fewer than ``k + 2`` scenarios the regression is NaN.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError("x and y must be 2-D with one row per scenario each")
    if np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("rank drivers need values without NaN")
    n, k = x.shape
    m = y.shape[1]
    rx, vx = _standard_ranks(x)
    ry, vy = _standard_ranks(y)
    spearman = rx.T @ ry
    spearman[~vx, :] = np.nan
    spearman[:, ~vy] = np.nan
    srrc = np.full((k, m), np.nan)
    r2 = np.full(m, np.nan)
    used = np.flatnonzero(vx)
    if n >= used.size + 2 and used.size:
        beta, *_ = np.linalg.lstsq(rx[:, used], ry, rcond=None)  # unit-norm columns
        fitted = rx[:, used] @ beta
        srrc[used, :] = beta
        resid = ((ry - fitted) ** 2).sum(axis=0)
        r2 = np.where(vy, 1.0 - resid, np.nan)  # ranks have unit norm: total sum of squares 1
        srrc[:, ~vy] = np.nan
    return RankDrivers(spearman, srrc, r2, n)


def spearman_interval(rho: np.ndarray, n: int, confidence: float = 0.95) -> np.ndarray:
    """Half-width of the confidence interval of a rank correlation, at its largest [-].

    Fisher's z with the variance ``1.06 / (n - 3)`` of Fieller, Hartley and Pearson
    (Biometrika 44, 1957), mapped back; the wider of the two sides. NaN for ``n <= 3``.

    Parameters
    ----------
    rho : ndarray
        Rank correlations. [-]
    n : int
        Scenarios. [count]
    confidence : float
        Coverage, in (0, 1). [-]
    """
    from scipy.stats import norm

    rho = np.asarray(rho, dtype=float)
    if n <= 3:
        return np.full(rho.shape, np.nan)
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    h = norm.ppf(0.5 + confidence / 2.0) * np.sqrt(1.06 / (n - 3))
    return np.maximum(np.tanh(z + h) - rho, rho - np.tanh(z - h))


def variance_contribution(rho: np.ndarray) -> np.ndarray:
    """Crystal Ball's contribution to variance: squared rank correlations, normalised, signed.

    Each parameter's squared rank correlation with the outcome over the sum of all the
    parameters' squares, with the sign of its correlation (Crystal Ball's sensitivity chart;
    @RISK's tornado offers it too). An approximation: it apportions by correlation alone, so
    correlated parameters share each other's part, and interactions are left out; the rank
    regression coefficients and Sobol' indices apportion the variance properly.

    Parameters
    ----------
    rho : ndarray
        Rank correlations of the parameters with one outcome (NaN: not ranked, left out). [-]

    Returns
    -------
    ndarray
        Signed shares whose absolute values add up to 1 (NaN where ``rho`` is, and everywhere
        when no parameter is correlated at all). [fraction]
    """
    r = np.asarray(rho, dtype=float)
    total = np.nansum(r * r)
    if not total > 0:
        return np.full_like(r, np.nan)
    return np.sign(r) * r * r / total


@dataclass(frozen=True, slots=True)
class ScenarioShift:
    """How each parameter's draws in an outcome's scenario differ from all its draws.

    Attributes
    ----------
    median_subset, median_all : ndarray, shape (k,)
        Each parameter's median over the scenario's draws and over all. [parameter units]
    sd : ndarray, shape (k,)
        Each parameter's standard deviation over all draws. [parameter units]
    delta_sd : ndarray, shape (k,)
        ``(median_subset - median_all) / sd``; 0 for a parameter that does not vary. [sd]
    share : float
        The share of the draws in the scenario (more than the band where the outcome ties at
        its quantile, e.g. a stranded value of 0). [fraction]
    """

    median_subset: np.ndarray
    median_all: np.ndarray
    sd: np.ndarray
    delta_sd: np.ndarray
    share: float


def scenario_shift(
    x: np.ndarray,
    y: np.ndarray,
    q: float,
    above: bool,
    whole: tuple[np.ndarray, np.ndarray] | None = None,
) -> ScenarioShift:
    """@RISK's scenario analysis: the parameters' medians where an outcome is beyond a quantile.

    For the draws where the outcome is at or above its ``q`` quantile (``above``) or at or
    below it, each parameter's median there against its median over all draws, in its own
    standard deviations (Palisade's @RISK, "Scenario analysis"; an input whose median moves
    by more than :data:`SIGNIFICANT_SD` is significant to that scenario). It reads a tail of
    the outcome, where a rank correlation averages over the whole range.

    Parameters
    ----------
    x : ndarray, shape (n, k)
        Parameter values per draw. [parameter units]
    y : ndarray, shape (n,)
        The outcome per draw, finite. [outcome unit]
    q : float
        The quantile that bounds the scenario, in (0, 1). [fraction]
    above : bool
        The draws at or above the quantile (True) or at or below it. [-]
    whole : tuple of ndarray, optional
        Each parameter's median and standard deviation over all of ``x``, if known (they
        are the same for every outcome and band of one sample; the median is the costly
        part). [parameter units]

    Returns
    -------
    ScenarioShift
        Per parameter, and the share of the draws in the scenario.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    cut = np.quantile(y, q)
    subset = y >= cut if above else y <= cut
    median_all, sd = whole if whole is not None else whole_sample(x)
    median_subset = np.median(x[subset], axis=0)
    moved = median_subset - median_all
    delta = np.divide(moved, sd, out=np.zeros_like(moved), where=sd > 0)
    return ScenarioShift(median_subset, median_all, sd, delta, float(subset.mean()))


def whole_sample(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each parameter's median and standard deviation over all draws.

    Parameters
    ----------
    x : ndarray, shape (n, k)
        Parameter values per draw. [parameter units]

    Returns
    -------
    tuple of ndarray, shape (k,)
        The medians, and the sample standard deviations (0 for a single draw). [parameter units]
    """
    x = np.asarray(x, dtype=float)
    sd = x.std(axis=0, ddof=1) if len(x) > 1 else np.zeros(x.shape[1])
    return np.median(x, axis=0), sd
