"""Distributions of uncertain parameters, each with a vectorised inverse CDF ``ppf(u)``.

Every distribution is described by ``low`` and ``high`` (and a ``mode`` where it has
one). For the bounded ones (uniform, triangular, PERT, log-uniform) they are the support;
for normal and lognormal they are the 5th and 95th percentiles; ``empirical`` resamples
given values; ``fixed`` is a point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["KINDS", "Distribution"]

KINDS = ("fixed", "uniform", "triangular", "pert", "normal", "lognormal", "loguniform", "empirical")
_Z95 = 1.6448536269514722  # standard normal 95th percentile


@dataclass(frozen=True, slots=True)
class Distribution:
    """A univariate distribution.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    low, high : float
        Support (bounded kinds) or 5th/95th percentiles (normal, lognormal). [unit of the
        parameter]
    mode : float
        Most likely value (triangular, PERT); the value of a ``fixed`` one. [unit]
    values : tuple of float
        Sample to resample (``empirical``). [unit]
    band : tuple of float
        The part of the distribution drawn from, as cumulative probabilities ``(a, b)``
        with ``0 <= a < b <= 1``: a draw at ``u`` takes the quantile at ``a + u (b - a)``
        (@RISK's stress analysis; the default ``(0, 1)`` is the whole distribution). [-]
    """

    kind: str
    low: float = math.nan
    high: float = math.nan
    mode: float = math.nan
    values: tuple[float, ...] = ()
    band: tuple[float, float] = (0.0, 1.0)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown distribution {self.kind!r}; one of {', '.join(KINDS)}")
        a, b = self.band
        if not (0.0 <= a < b <= 1.0):
            raise ValueError(
                f"band ({a:g}, {b:g}): two cumulative probabilities with 0 <= low < high <= 1"
            )
        if self.kind == "fixed":
            if not math.isfinite(self.mode):
                raise ValueError("a fixed distribution needs a finite value (mode)")
            return
        if self.kind == "empirical":
            if len(self.values) < 2 or not all(math.isfinite(v) for v in self.values):
                raise ValueError("an empirical distribution needs at least two finite values")
            return
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"{self.kind}: low and high must be finite numbers")
        if self.low >= self.high:
            raise ValueError(f"{self.kind}: low ({self.low:g}) must be below high ({self.high:g})")
        if self.kind in ("triangular", "pert") and not self.low <= self.mode <= self.high:
            raise ValueError(f"{self.kind}: mode ({self.mode:g}) must lie in [low, high]")
        if self.kind in ("lognormal", "loguniform") and self.low <= 0:
            raise ValueError(f"{self.kind}: low must be positive, got {self.low:g}")

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can take."""
        if self.kind == "fixed":
            return self.mode, self.mode
        if self.kind == "empirical":
            return min(self.values), max(self.values)
        if self.kind == "normal":
            return -math.inf, math.inf
        if self.kind == "lognormal":
            return 0.0, math.inf
        return self.low, self.high

    def ppf(self, u: ArrayLike) -> np.ndarray:
        """Inverse CDF at ``u`` in (0, 1).

        Parameters
        ----------
        u : array-like
            Probabilities. [-]

        Returns
        -------
        ndarray
            Quantiles. [unit of the parameter]
        """
        u = np.asarray(u, dtype=float)
        if self.band != (0.0, 1.0):  # a stressed part of the distribution
            u = self.band[0] + (self.band[1] - self.band[0]) * u
        lo, hi = self.low, self.high
        if self.kind == "fixed":
            return np.full(u.shape, self.mode)
        if self.kind == "uniform":
            return lo + (hi - lo) * u
        if self.kind == "loguniform":
            return np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) * u)
        if self.kind == "triangular":
            c = (self.mode - lo) / (hi - lo)
            return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        if self.kind == "pert":
            a = 1 + 4 * (self.mode - lo) / (hi - lo)
            b = 1 + 4 * (hi - self.mode) / (hi - lo)
            return lo + (hi - lo) * stats.beta.ppf(u, a, b)
        if self.kind == "normal":
            mean, sd = (lo + hi) / 2, (hi - lo) / (2 * _Z95)
            return stats.norm.ppf(u, loc=mean, scale=sd)
        if self.kind == "lognormal":
            mu, s = (math.log(lo) + math.log(hi)) / 2, (math.log(hi) - math.log(lo)) / (2 * _Z95)
            return np.exp(stats.norm.ppf(u, loc=mu, scale=s))
        ordered = np.sort(np.asarray(self.values, dtype=float))
        return ordered[np.minimum((u * len(ordered)).astype(int), len(ordered) - 1)]
