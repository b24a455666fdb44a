"""Distributions of uncertain parameters, each with a vectorised inverse CDF ``ppf(u)``.

Every distribution is described by ``low`` and ``high`` (and a ``mode`` where it has
one). For the bounded ones (uniform, triangular, PERT, log-uniform) they are the support;
for normal and lognormal they are the 5th and 95th percentiles; ``empirical`` resamples
given values; ``cumulative`` rises linearly between given points of its CDF; ``beta`` is a
beta on ``[low, high]`` with two shape parameters (@RISK's ``RiskBetaGeneral``); ``fixed`` is
a point. A normal or lognormal may be truncated to an interval (@RISK's ``RiskTruncate``):
it is then the distribution conditioned on that interval.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["KINDS", "Distribution"]

KINDS = (
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "loguniform",
    "empirical",
    "cumulative",
    "beta",
)
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
        Sample to resample (``empirical``); the points inside ``(low, high)`` where a
        ``cumulative`` one's CDF is given. [unit]
    weights : tuple of float
        ``empirical`` only: the probability of each of ``values`` (@RISK's
        ``RiskDiscrete(values, weights)``), scaled to sum to 1; none: each value equally
        likely. [-]
    band : tuple of float
        The part of the distribution drawn from, as cumulative probabilities ``(a, b)``
        with ``0 <= a < b <= 1``: a draw at ``u`` takes the quantile at ``a + u (b - a)``
        (@RISK's stress analysis; the default ``(0, 1)`` is the whole distribution). [-]
    truncate : tuple of float
        Normal and lognormal only: the distribution conditioned on ``truncate[0] <= x <=
        truncate[1]`` (either end may be infinite; ``low`` and ``high`` stay the untruncated
        5th and 95th percentiles). A stress band is a band of the truncated distribution.
        [unit of the parameter]
    probabilities : tuple of float
        ``cumulative`` only: the CDF at each of ``values``, rising strictly inside (0, 1);
        the CDF is 0 at ``low``, 1 at ``high`` and linear between the points (@RISK's
        ``RiskCumul(low, high, values, probabilities)``, an expert's P10, P50 and P90 say). [-]
    shape : tuple of float
        ``beta`` only: its two shape parameters ``(alpha, beta)``, both positive, on the
        support ``[low, high]`` (@RISK's ``RiskBetaGeneral(alpha, beta, low, high)``; alpha
        = beta is symmetric, alpha > beta leans to ``high``, both 1 is the uniform). [-]
    """

    kind: str
    low: float = math.nan
    high: float = math.nan
    mode: float = math.nan
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()
    band: tuple[float, float] = (0.0, 1.0)
    truncate: tuple[float, float] = (-math.inf, math.inf)
    probabilities: tuple[float, ...] = ()
    shape: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown distribution {self.kind!r}; one of {', '.join(KINDS)}")
        if self.weights and self.kind != "empirical":
            raise ValueError(f"{self.kind}: weights belong to an empirical distribution's values")
        if self.probabilities and self.kind != "cumulative":
            raise ValueError(
                f"{self.kind}: probabilities belong to a cumulative distribution's values"
            )
        if self.shape and self.kind != "beta":
            raise ValueError(f"{self.kind}: alpha and beta belong to a beta distribution")
        if self.truncated and self.kind not in ("normal", "lognormal"):
            raise ValueError(
                f"{self.kind}: truncate applies to a normal or lognormal (the unbounded kinds); "
                "a bounded one's low and high are its range"
            )
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
            if self.weights:
                self._check_weights()
            return
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"{self.kind}: low and high must be finite numbers")
        if self.low >= self.high:
            raise ValueError(f"{self.kind}: low ({self.low:g}) must be below high ({self.high:g})")
        if self.kind in ("triangular", "pert") and not self.low <= self.mode <= self.high:
            raise ValueError(f"{self.kind}: mode ({self.mode:g}) must lie in [low, high]")
        if self.kind in ("lognormal", "loguniform") and self.low <= 0:
            raise ValueError(f"{self.kind}: low must be positive, got {self.low:g}")
        if self.kind == "cumulative":
            self._check_points()
        if self.kind == "beta" and not (
            len(self.shape) == 2 and all(math.isfinite(v) and v > 0 for v in self.shape)
        ):
            raise ValueError(
                f"a beta distribution takes alpha and beta, two positive numbers: got "
                f"{', '.join(f'{v:g}' for v in self.shape) or 'none'}"
            )
        if self.truncated:
            self._check_truncation()

    @classmethod
    def from_mean_sd(
        cls,
        kind: str,
        mean: float,
        sd: float,
        truncate: tuple[float, float] = (-math.inf, math.inf),
    ) -> Distribution:
        """Return a normal or lognormal given its mean and standard deviation.

        As @RISK's ``RiskNormal(mean, sd)`` and ``RiskLognorm(mean, sd)``: a lognormal's
        mean and standard deviation are the value's own, not its log's.

        Parameters
        ----------
        kind : str
            ``"normal"`` or ``"lognormal"``. [-]
        mean : float
            Mean of the (untruncated) distribution; positive for a lognormal. [unit]
        sd : float
            Its standard deviation, positive. [unit]
        truncate : tuple of float
            As :attr:`truncate`. [unit]

        Raises
        ------
        ValueError
            Another kind, a non-finite mean or sd, sd <= 0, a lognormal's mean <= 0.
        """
        if kind not in ("normal", "lognormal"):
            raise ValueError(f"{kind}: only a normal or lognormal is given by mean and sd")
        if not (math.isfinite(mean) and math.isfinite(sd) and sd > 0):
            raise ValueError(
                f"mean and sd must be finite numbers and sd positive, got mean = {mean!r}, "
                f"sd = {sd!r}"
            )
        if kind == "normal":
            return cls(kind, low=mean - _Z95 * sd, high=mean + _Z95 * sd, truncate=truncate)
        if mean <= 0:
            raise ValueError(f"a lognormal's mean must be positive, got {mean:g}")
        s2 = math.log1p((sd / mean) ** 2)  # the log's variance, and its mean below
        mu, s = math.log(mean) - s2 / 2, math.sqrt(s2)
        low, high = math.exp(mu - _Z95 * s), math.exp(mu + _Z95 * s)
        return cls(kind, low=low, high=high, truncate=truncate)

    def _check_weights(self) -> None:
        w = self.weights
        if len(w) != len(self.values):
            raise ValueError(
                f"an empirical distribution's weights ({len(w)}) must match its values "
                f"({len(self.values)}), one each"
            )
        if not all(math.isfinite(x) and x >= 0 for x in w) or not sum(w) > 0:
            raise ValueError(
                "an empirical distribution's weights must be finite, none negative, and not "
                "all zero"
            )

    def _check_points(self) -> None:
        x, p = self.values, self.probabilities
        if not x or len(x) != len(p):
            raise ValueError(
                f"a cumulative distribution takes values and their probabilities, one each "
                f"(got {len(x)} values and {len(p)} probabilities)"
            )
        xs = (self.low, *x, self.high)
        if not all(math.isfinite(v) for v in xs) or not all(
            a < b for a, b in itertools.pairwise(xs)
        ):
            raise ValueError(
                f"a cumulative distribution's values must rise strictly from low ({self.low:g}) "
                f"to high ({self.high:g}), each inside: got {list(x)}"
            )
        ps = (0.0, *p, 1.0)
        if not all(math.isfinite(v) for v in p) or not all(
            a < b for a, b in itertools.pairwise(ps)
        ):
            raise ValueError(
                "a cumulative distribution's probabilities are its CDF at the values: rising "
                f"strictly, each between 0 and 1 (both excluded), got {list(p)}"
            )

    @property
    def truncated(self) -> bool:
        """Whether the distribution is truncated (:attr:`truncate` is not the whole line)."""
        return tuple(self.truncate) != (-math.inf, math.inf)

    def _check_truncation(self) -> None:
        a, b = self.truncate
        if math.isnan(a) or math.isnan(b) or not a < b:
            raise ValueError(f"truncate [{a:g}, {b:g}]: two numbers, the first below the second")
        za, zb = self._standard(a), self._standard(b)
        # the mass between them; far above the centre the cdf's difference rounds to 0 where
        # the survival function's does not
        mass = max(stats.norm.cdf(zb) - stats.norm.cdf(za), stats.norm.sf(za) - stats.norm.sf(zb))
        if not mass > 0.0:
            raise ValueError(
                f"{self.kind}: truncate [{a:g}, {b:g}] keeps none of the distribution (its 5th "
                f"and 95th percentiles are {self.low:g} and {self.high:g})"
            )

    def _centre_scale(self) -> tuple[float, float]:
        """Return a normal's mean and standard deviation, or a lognormal's log's [unit, -]."""
        lo, hi = (
            (self.low, self.high) if self.kind == "normal" else map(math.log, (self.low, self.high))
        )
        return (lo + hi) / 2, (hi - lo) / (2 * _Z95)

    def _standard(self, x: float) -> float:
        """Return ``x`` in standard deviations from the (log-)normal's centre [-]."""
        if self.kind == "lognormal" and x <= 0.0:
            return -math.inf
        centre, scale = self._centre_scale()
        return ((x if self.kind == "normal" else math.log(x)) - centre) / scale

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can take."""
        if self.kind == "fixed":
            return self.mode, self.mode
        if self.kind == "empirical":
            drawn = [v for i, v in enumerate(self.values) if not self.weights or self.weights[i]]
            return min(drawn), max(drawn)
        if self.kind == "normal":
            return self.truncate[0], self.truncate[1]
        if self.kind == "lognormal":
            return max(self.truncate[0], 0.0), self.truncate[1]
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
            mean, sd = self._centre_scale()
            return mean + sd * self._standard_ppf(u)
        if self.kind == "lognormal":
            mu, s = self._centre_scale()
            return np.exp(mu + s * self._standard_ppf(u))
        if self.kind == "beta":
            return lo + (hi - lo) * stats.beta.ppf(u, *self.shape)
        if self.kind == "cumulative":  # linear between the points of the CDF
            return np.interp(u, (0.0, *self.probabilities, 1.0), (lo, *self.values, hi))
        if self.weights:
            return self._discrete_ppf(u)
        ordered = np.sort(np.asarray(self.values, dtype=float))
        return ordered[np.minimum((u * len(ordered)).astype(int), len(ordered) - 1)]

    def _discrete_ppf(self, u: np.ndarray) -> np.ndarray:
        """Return the weighted values' quantiles [unit].

        The quantile at ``u`` is the smallest value whose cumulative probability exceeds ``u``.
        """
        values, weights = np.asarray(self.values, float), np.asarray(self.weights, float)
        keep = weights > 0  # a value of weight 0 is never drawn
        order = np.argsort(values[keep], kind="stable")
        ordered, w = values[keep][order], weights[keep][order]
        cumulative = np.cumsum(w) / w.sum()
        index = np.searchsorted(cumulative, u, side="right")
        return ordered[np.minimum(index, len(ordered) - 1)]

    def _standard_ppf(self, u: np.ndarray) -> np.ndarray:
        """Return the standard normal's quantiles at ``u``, within the truncation if any [-]."""
        if not self.truncated:
            return stats.norm.ppf(u)
        za, zb = self._standard(self.truncate[0]), self._standard(self.truncate[1])
        return np.clip(stats.truncnorm.ppf(u, za, zb), za, zb)
