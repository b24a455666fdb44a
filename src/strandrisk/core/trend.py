"""Log-linear trend fits: the rate at which a quantity grows or declines per year.

Pure and vectorised: ``fit_log_linear`` fits many series at once (one per row).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["LogLinearFit", "fit_log_linear"]

_LN2 = float(np.log(2.0))


@dataclass(frozen=True, slots=True)
class LogLinearFit:
    """Result of an ordinary least-squares fit of ``ln(y) = a + r * t``.

    Every attribute is an array with the batch shape of the fit (``()`` for one series).

    Attributes
    ----------
    n : ndarray of int
        Number of observations used. [count]
    rate_per_year : ndarray
        Slope ``r`` in natural-log units. [1/year]
    rate_stderr : ndarray
        Standard error of the slope. [1/year]
    rate_ci95 : ndarray, shape (..., 2)
        Two-sided 95 % confidence interval of ``r`` from the t distribution with
        ``n - 2`` degrees of freedom. [1/year]
    intercept : ndarray
        ``a``, the fitted ``ln(y)`` at ``t = 0``. [ln(unit of y)]
    r2 : ndarray
        Coefficient of determination of the log-linear regression. [fraction]
    """

    n: np.ndarray
    rate_per_year: np.ndarray
    rate_stderr: np.ndarray
    rate_ci95: np.ndarray
    intercept: np.ndarray
    r2: np.ndarray

    @property
    def annual_factor(self) -> np.ndarray:
        """Value one year later divided by value now, ``exp(r)``. [x/year]."""
        return np.exp(self.rate_per_year)

    @property
    def annual_factor_ci95(self) -> np.ndarray:
        """95 % interval of the annual factor, ``exp`` of the rate interval. [x/year]."""
        return np.exp(self.rate_ci95)

    @property
    def doubling_time_years(self) -> np.ndarray:
        """``ln 2 / r`` where ``r > 0``, else NaN. [year]."""
        r = self.rate_per_year
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(r > 0, _LN2 / r, np.nan)

    @property
    def halving_time_years(self) -> np.ndarray:
        """``ln 2 / -r`` where ``r < 0``, else NaN. [year]."""
        r = self.rate_per_year
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(r < 0, _LN2 / -r, np.nan)


def fit_log_linear(
    t_years: np.ndarray, values: np.ndarray, mask: np.ndarray | None = None
) -> LogLinearFit:
    """Fit ``ln(values) = a + r * t_years`` by ordinary least squares, row by row.

    Parameters
    ----------
    t_years : array-like, shape (..., N)
        Time of each observation, in years from any origin. [year]
    values : array-like, shape (..., N)
        Positive observations; broadcast against ``t_years``. [any unit]
    mask : array-like of bool, shape (..., N), optional
        ``True`` where an observation is used; default all. [-]

    Returns
    -------
    LogLinearFit
        Slope, its standard error and 95 % t interval, intercept and R², each with the
        batch shape ``(...)``.

    Raises
    ------
    ValueError
        If a used value is not positive and finite, or a series has fewer than 3 used
        observations or no spread in time.

    Notes
    -----
    With ``x = t``, ``y = ln(values)`` and means over used points,
    ``r = S_xy / S_xx``, ``se(r) = sqrt(SSE / (n - 2) / S_xx)`` and the interval is
    ``r ± t_{0.975, n-2} se(r)``.

    Examples
    --------
    >>> fit = fit_log_linear([0.0, 1.0, 2.0], [1.0, 2.0, 4.0])
    >>> round(float(fit.doubling_time_years), 12)
    1.0
    """
    t, v = np.broadcast_arrays(np.asarray(t_years, dtype=float), np.asarray(values, dtype=float))
    used = np.ones(t.shape, dtype=bool) if mask is None else np.broadcast_to(mask, t.shape)
    if np.any(used & ~(np.isfinite(v) & (v > 0))):
        raise ValueError("values must be positive and finite to be fitted on a log scale")
    if np.any(used & ~np.isfinite(t)):
        raise ValueError("times must be finite")
    w = used.astype(float)
    n = w.sum(axis=-1)
    if np.any(n < 3):
        raise ValueError("at least 3 observations are needed for a trend and its interval")
    y = np.log(np.where(used, v, 1.0))
    t_mean = (w * t).sum(axis=-1) / n
    y_mean = (w * y).sum(axis=-1) / n
    dt = np.where(used, t - t_mean[..., None], 0.0)
    dy = np.where(used, y - y_mean[..., None], 0.0)
    s_xx = (dt * dt).sum(axis=-1)
    if np.any(s_xx <= 0):
        raise ValueError("all observations fall on the same date; no trend can be fitted")
    s_xy = (dt * dy).sum(axis=-1)
    s_yy = (dy * dy).sum(axis=-1)
    rate = s_xy / s_xx
    sse = np.maximum(s_yy - rate * s_xy, 0.0)
    stderr = np.sqrt(sse / (n - 2) / s_xx)
    half = special.stdtrit(n - 2, 0.975) * stderr  # the t quantile, as scipy.stats.t.ppf
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(s_yy > 0, 1.0 - sse / s_yy, 1.0)
    return LogLinearFit(
        n=n.astype(int),
        rate_per_year=rate,
        rate_stderr=stderr,
        rate_ci95=np.stack([rate - half, rate + half], axis=-1),
        intercept=y_mean - rate * t_mean,
        r2=r2,
    )
