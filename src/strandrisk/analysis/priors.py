"""Fit a prior to observed values: each distribution kind by maximum likelihood, ranked by AIC.

@RISK's and Crystal Ball's distribution fitting for a scenario's ``[uncertainty]`` block: the
kinds a prior may take (:data:`~strandrisk.scenarios.distributions.KINDS`, less ``fixed`` and
``empirical``) are each fitted to the values, and ranked by Akaike's information criterion
``2 k - 2 ln L`` (``k`` fitted parameters), with Schwarz's ``k ln n - 2 ln L`` and the
Kolmogorov-Smirnov distance between the values' and the fitted distribution's CDF beside it.

- normal, lognormal: maximum likelihood in closed form (the values', or their logs', mean and
  standard deviation with ``n`` in the denominator);
- uniform, log-uniform: the unbiased ends ``min - (max - min) / (n - 1)`` and ``max + (max -
  min) / (n - 1)`` (of the logs for log-uniform) rather than the likelihood's ``min`` and
  ``max``, which would never draw beyond what was observed; the likelihood is taken there;
- triangular and PERT (a beta with shapes ``1 + 4 (mode - low) / (high - low)`` and ``1 + 4
  (high - mode) / (high - low)``): maximum likelihood over ``low < min``, ``high > max`` and
  the mode between, by Nelder-Mead from the unbiased ends and the moment estimate of the mode;
- beta: its shapes by maximum likelihood on the uniform's unbiased ends, or all four with both
  shapes at least 2 (where the ends' estimate is regular), whichever is likelier.

A kind that cannot hold the values (a lognormal or log-uniform for values that are not all
positive, or spread over more orders of magnitude than a double holds) is left out. The KS
distance is descriptive: its p-value would be too kind to a distribution fitted to the same
values, so none is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

from strandrisk.scenarios.distributions import Distribution

__all__ = [
    "CopulaFit",
    "PriorFit",
    "fit_copula",
    "fit_label",
    "fit_priors",
    "fit_table",
    "frozen",
    "prior_toml",
    "within",
]

_Z95 = 1.6448536269514722  # standard normal 95th percentile
_LOG_MIN, _LOG_MAX = -700.0, 700.0  # logs whose exp is a normal double


@dataclass(frozen=True, slots=True)
class PriorFit:
    """One distribution kind fitted to the values.

    Attributes
    ----------
    distribution : Distribution
        The fitted distribution, as a scenario's prior. [unit of the values]
    log_likelihood : float
        ``ln L`` of the values under it. [-]
    parameters : int
        How many parameters were fitted (``k``). [count]
    aic, bic : float
        Akaike's ``2 k - 2 ln L`` and Schwarz's ``k ln n - 2 ln L``: lower is better. [-]
    ks : float
        Kolmogorov-Smirnov distance between the values' CDF and the fitted one. [-]
    """

    distribution: Distribution
    log_likelihood: float
    parameters: int
    aic: float
    bic: float
    ks: float


def frozen(dist: Distribution) -> stats.rv_continuous:
    """Return SciPy's frozen distribution equal to ``dist`` (untruncated, whole band).

    Parameters
    ----------
    dist : Distribution
        A uniform, log-uniform, triangular, PERT, beta, normal or lognormal. [unit]
    """
    lo, hi, mode = dist.low, dist.high, dist.mode
    if dist.kind == "normal":
        return stats.norm((lo + hi) / 2, (hi - lo) / (2 * _Z95))
    if dist.kind == "lognormal":
        a, b = math.log(lo), math.log(hi)
        return stats.lognorm((b - a) / (2 * _Z95), scale=math.exp((a + b) / 2))
    if dist.kind == "uniform":
        return stats.uniform(lo, hi - lo)
    if dist.kind == "loguniform":
        return stats.loguniform(lo, hi)
    if dist.kind == "triangular":
        return stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if dist.kind == "pert":
        a, b = 1 + 4 * (mode - lo) / (hi - lo), 1 + 4 * (hi - mode) / (hi - lo)
        return stats.beta(a, b, loc=lo, scale=hi - lo)
    if dist.kind == "beta":
        return stats.beta(*dist.shape, loc=lo, scale=hi - lo)
    raise ValueError(f"{dist.kind}: no continuous density to fit")


def _widened(x: np.ndarray) -> tuple[float, float]:
    """Return the unbiased ends of a uniform that drew ``x``: beyond the extremes by a gap."""
    lo, hi = float(x.min()), float(x.max())
    gap = (hi - lo) / (len(x) - 1)
    return lo - gap, hi + gap


def _three_point(x: np.ndarray, kind: str) -> Distribution:
    """Fit a triangular or PERT by maximum likelihood over its low, mode and high."""
    lo0, hi0 = _widened(x)
    span = float(x.max() - x.min())
    first, last = float(x.min()), float(x.max())
    mean = float(x.mean())
    # the moment estimate of the mode: a triangle's mean is (low + mode + high) / 3, a PERT's
    # (low + 4 mode + high) / 6
    mode0 = 3 * mean - lo0 - hi0 if kind == "triangular" else (6 * mean - lo0 - hi0) / 4
    share0 = min(max((mode0 - lo0) / (hi0 - lo0), 0.02), 0.98)

    def dist_of(theta: np.ndarray) -> Distribution:
        low = first - span * math.exp(theta[0])
        high = last + span * math.exp(theta[1])
        share = 1 / (1 + math.exp(-theta[2]))
        mode = min(max(low + share * (high - low), low), high)  # inside, whatever the rounding
        return Distribution(kind, low=low, high=high, mode=mode)

    def cost(theta: np.ndarray) -> float:
        if not np.all(np.abs(theta) < 50):
            return math.inf
        total = float(np.sum(frozen(dist_of(theta)).logpdf(x)))
        return -total if math.isfinite(total) else math.inf

    gap = math.log((hi0 - lo0 - span) / 2 / span)
    start = np.array([gap, gap, math.log(share0 / (1 - share0))])
    best = optimize.minimize(
        cost, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 4000}
    )
    return dist_of(best.x)


_REGULAR = 2.0
"""The least shape of a beta whose ends are fitted by likelihood (Smith 1985). [-]"""


def _beta(x: np.ndarray, pert: Distribution) -> Distribution:
    """Fit a beta by maximum likelihood: its shapes on the uniform's ends, or all four.

    Two fits, the likelier kept. One takes the uniform's unbiased ends (beyond the extremes by
    a gap, so no value sits on an end, where a density can be 0 or infinite) and fits the
    shapes. The other fits the ends too, with both shapes at least 2, where the ends'
    maximum-likelihood estimate is regular (Smith 1985): below 1 a beta's likelihood grows
    without bound as an end closes on the nearest value, and as a shape nears 1 the fitted end
    closes on it too, the uniform's fault that its unbiased ends avoid. It starts from
    the likelier of the first fit and ``pert`` (a PERT is a beta whose shapes add to 6), so it
    is at least as likely as either where their shapes are at least 2. Both count four
    parameters.
    """
    lo, hi = _widened(x)
    alpha, beta, _, _ = stats.beta.fit(x, floc=lo, fscale=hi - lo)
    on_gaps = Distribution("beta", low=lo, high=hi, shape=(float(alpha), float(beta)))
    first, last = float(x.min()), float(x.max())
    span = last - first

    def parts(theta: np.ndarray) -> tuple[float, float, float, float]:
        """Low and high end, and the two shapes, of the search's coordinates."""
        low = first - span * math.exp(theta[0])
        high = last + span * math.exp(theta[1])
        return low, high, _REGULAR + math.exp(theta[2]), _REGULAR + math.exp(theta[3])

    def dist_of(theta: np.ndarray) -> Distribution:
        low, high, a, b = parts(theta)
        return Distribution("beta", low=low, high=high, shape=(a, b))

    def likelihood(dist: Distribution) -> float:
        total = float(np.sum(frozen(dist).logpdf(x)))
        return total if math.isfinite(total) else -math.inf

    def cost(theta: np.ndarray) -> float:
        # the beta's log-density in closed form (SciPy's frozen one costs ~50x more a call):
        # (a - 1) ln z + (b - 1) ln(1 - z) - ln B(a, b) - ln(high - low), z in (0, 1)
        if not np.all(np.abs(theta) < 10):  # ends within e^10 spans, shapes below 2 + e^10
            return math.inf
        low, high, a, b = parts(theta)
        width = high - low
        z = (x - low) / width
        total = float(
            (a - 1) * np.sum(np.log(z))
            + (b - 1) * np.sum(np.log1p(-z))
            - x.size * (special.betaln(a, b) + math.log(width))
        )
        return -total if math.isfinite(total) else math.inf

    def theta_of(low: float, high: float, a: float, b: float) -> np.ndarray:
        gaps = [(first - low) / span, (high - last) / span]
        theta = np.log(np.maximum([*gaps, a - _REGULAR, b - _REGULAR], 1e-300))
        return np.clip(theta, -9.9, 9.9)  # inside the search's bounds

    starts = [theta_of(lo, hi, alpha, beta), theta_of(pert.low, pert.high, *frozen(pert).args)]
    start = min(starts, key=cost)
    best = optimize.minimize(
        cost, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 8000}
    )
    ends = dist_of(best.x)
    return ends if likelihood(ends) > likelihood(on_gaps) else on_gaps


def _candidates(x: np.ndarray) -> list[tuple[Distribution, int]]:
    """Each kind that can hold ``x``, fitted, with its count of parameters."""
    mean, sd = float(x.mean()), float(x.std())
    pert = _three_point(x, "pert")
    found = [
        (Distribution.from_mean_sd("normal", mean, sd), 2),
        (Distribution("uniform", *_widened(x)), 2),
        (_three_point(x, "triangular"), 3),
        (pert, 3),
        (_beta(x, pert), 4),
    ]
    if (x > 0).all():
        logs = np.log(x)
        mu, s = float(logs.mean()), float(logs.std())
        if s > 0 and mu + s * s / 2 < _LOG_MAX:  # a mean a double holds
            low, high = math.exp(mu - _Z95 * s), math.exp(mu + _Z95 * s)
            found.append((Distribution("lognormal", low=low, high=high), 2))
        a, b = _widened(logs)
        if a > _LOG_MIN and b < _LOG_MAX:  # both ends doubles, the lower above zero
            found.append((Distribution("loguniform", low=math.exp(a), high=math.exp(b)), 2))
    return found


def fit_priors(values: np.ndarray) -> list[PriorFit]:
    """Fit every continuous kind of prior to ``values``, best (lowest AIC) first.

    Parameters
    ----------
    values : array_like
        The observations, in the parameter's canonical unit (rates per year as fractions),
        at least 5 finite values that are not all equal. [unit of the parameter]

    Returns
    -------
    list of PriorFit
        One per kind that can hold the values, by AIC (ties by BIC, then kind).

    Raises
    ------
    ValueError
        Fewer than 5 values, a value that is NaN or infinite, or no spread.
    """
    x = np.asarray(values, dtype=float).ravel()
    if x.size < 5:
        raise ValueError(f"{x.size} values are too few to fit a distribution (at least 5)")
    if not np.isfinite(x).all():
        raise ValueError("every value must be a finite number (NaN or infinity found)")
    if x.min() == x.max():
        raise ValueError(f"every value is {x[0]:g}: a fixed value, not a distribution to fit")
    n = x.size
    fits = []
    for dist, k in _candidates(x):
        density = frozen(dist)
        ll = float(np.sum(density.logpdf(x)))
        ks = float(stats.kstest(x, density.cdf).statistic)
        fits.append(PriorFit(dist, ll, k, 2 * k - 2 * ll, k * math.log(n) - 2 * ll, ks))
    return sorted(fits, key=lambda f: (f.aic, f.bic, f.distribution.kind))


def within(dist: Distribution, lo: float, hi: float) -> Distribution | None:
    """Return ``dist`` as a prior for a parameter allowed in ``[lo, hi]``, or None if it cannot be.

    A normal or lognormal whose 0.01 % and 99.99 % quantiles leave the range (the scenario
    reader's test) is truncated to it on that side, where that leaves out at most
    :data:`MOST_CUT` of its probability; beyond that, and for a bounded kind reaching outside
    the range, it is refused (None): cutting it would change what was fitted.

    Parameters
    ----------
    dist : Distribution
        A fitted distribution. [unit of the parameter]
    lo, hi : float
        The parameter's allowed range (either may be infinite). [unit of the parameter]
    """
    if dist.kind not in ("normal", "lognormal"):
        a, b = dist.support()
        return dist if lo <= a and b <= hi else None
    a, b = (float(v) for v in dist.ppf(np.array([1e-4, 1 - 1e-4])))
    if lo <= a and b <= hi:
        return dist
    whole = frozen(dist)
    if float(whole.cdf(lo) + whole.sf(hi)) > MOST_CUT:
        return None
    cut = (lo if a < lo else -math.inf, hi if b > hi else math.inf)
    return Distribution(dist.kind, low=dist.low, high=dist.high, truncate=cut)


MOST_CUT = 0.05
"""The most probability a truncation to a parameter's range may leave out of a fit. [-]"""


def prior_toml(key: str, dist: Distribution) -> str:
    """Write ``dist`` as a line of a scenario's ``[uncertainty]`` block, six digits a number.

    A normal or lognormal is written by its mean and standard deviation (a lognormal's are
    the value's own, as the reader takes them), the bounded kinds by their ends and mode.

    Parameters
    ----------
    key : str
        The parameter, e.g. ``"market.price_decline"``. [-]
    dist : Distribution
        A fitted prior (:func:`fit_priors`, :func:`within`). [unit of the parameter]
    """
    fields = [f'dist = "{dist.kind}"']
    if dist.kind in ("normal", "lognormal"):
        whole = frozen(dist)  # untruncated: the mean and sd the reader takes
        fields += [f"mean = {whole.mean():.6g}", f"sd = {whole.std():.6g}"]
        if dist.truncated:
            ends = ", ".join(f"{v:.6g}" for v in dist.truncate)  # inf and -inf as TOML's
            fields.append(f"truncate = [{ends}]")
    else:
        fields += [f"low = {dist.low:.6g}"]
        if dist.kind in ("triangular", "pert"):
            fields.append(f"mode = {dist.mode:.6g}")
        fields.append(f"high = {dist.high:.6g}")
        if dist.kind == "beta":
            fields += [f"alpha = {dist.shape[0]:.6g}", f"beta = {dist.shape[1]:.6g}"]
    return f'"{key}" = {{ {", ".join(fields)} }}'


def fit_label(index: int, best: int, prior: Distribution | None) -> str:
    """Say what became of a fit: ``chosen``, ``outside range``, ``truncated`` or nothing.

    Parameters
    ----------
    index, best : int
        The fit's place in the ranking, and the chosen fit's. [-]
    prior : Distribution or None
        The fit as a prior (:func:`within`). [unit of the parameter]
    """
    if index == best:
        return "chosen"
    if prior is None:
        return "outside range"
    return "truncated" if prior.truncated else ""


def fit_table(fits: list[PriorFit], priors: list[Distribution | None], best: int) -> pd.DataFrame:
    """Tabulate the fits as the terminal, the page and the JSON show them, best first.

    Parameters
    ----------
    fits : list of PriorFit
        From :func:`fit_priors`, best first. [-]
    priors : list of Distribution or None
        Each fit as a prior (:func:`within`). [unit of the parameter]
    best : int
        The fit written as the prior. [-]

    Returns
    -------
    pandas.DataFrame
        A row per fit: ``kind``, ``low``, ``mode``, ``high`` (a normal's and lognormal's
        5th and 95th percentiles), ``alpha`` and ``beta`` (a beta's shape), ``p5``, ``p50``,
        ``p95``, ``log_likelihood``, ``parameters``, ``aic``, ``delta_aic`` (from the best),
        ``bic``, ``ks``, ``within_range`` and ``label`` (:func:`fit_label`). [unit of the
        parameter, -]
    """
    rows = []
    for i, (fit, prior) in enumerate(zip(fits, priors, strict=True)):
        d = fit.distribution
        p5, p50, p95 = (float(v) for v in d.ppf(np.array([0.05, 0.5, 0.95])))
        rows.append(
            {
                "kind": d.kind,
                "low": d.low,
                "mode": d.mode,
                "high": d.high,
                "alpha": d.shape[0] if d.shape else math.nan,
                "beta": d.shape[1] if d.shape else math.nan,
                "p5": p5,
                "p50": p50,
                "p95": p95,
                "log_likelihood": fit.log_likelihood,
                "parameters": fit.parameters,
                "aic": fit.aic,
                "delta_aic": fit.aic - fits[0].aic,
                "bic": fit.bic,
                "ks": fit.ks,
                "within_range": prior is not None,
                "label": fit_label(i, best, prior),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True, slots=True)
class CopulaFit:
    """The normal and t copulas of a correlation matrix, fitted to observed rows.

    Attributes
    ----------
    rows : int
        Rows the fit is over (each holding every column). [count]
    log_likelihood_normal, log_likelihood_t : float
        The copula log-likelihood of the rows' pseudo-observations under each. [-]
    df : float
        The t copula's degrees of freedom by maximum likelihood, in [1, :data:`MOST_DF`]. [-]
    aic_normal, aic_t : float
        ``2 k - 2 ln L`` with ``k`` the copula's own parameters beyond the matrix the two
        share: 0 for the normal, 1 (the degrees of freedom) for the t. Lower is better. [-]
    """

    rows: int
    log_likelihood_normal: float
    log_likelihood_t: float
    df: float
    aic_normal: float
    aic_t: float

    @property
    def kind(self) -> str:
        """Return the copula with the lower AIC: ``"t"`` or ``"normal"`` (on a tie)."""
        return "t" if self.aic_t < self.aic_normal else "normal"


MOST_DF = 200.0
"""The most degrees of freedom a fitted t copula is given; beyond, it is the normal's twin. [-]"""


def fit_copula(values: ArrayLike, matrix: ArrayLike) -> CopulaFit:
    """Fit the degrees of freedom of a t copula with ``matrix``, against the normal copula.

    The copula a scenario's ``[correlations]`` block draws with (Iman-Conover's scores are
    joined by ``matrix``; ``copula = "t"`` divides them by ``sqrt(W / df)``): each column's
    ranks become pseudo-observations ``u = rank / (n + 1)`` (ties at their mean rank), and the
    copula density of each row is the joint density of the scores ``q(u)`` over the product of
    their marginal densities (``q`` the normal's, or the t's of ``df`` degrees of freedom,
    quantile function). ``df`` maximises the t copula's likelihood over [1, :data:`MOST_DF`]
    (bounded Brent on ``ln df``; the matrix held, as Demarta and McNeil 2005 fit it after
    Kendall's tau). The two are compared by AIC, the t paying for its one more parameter.

    Parameters
    ----------
    values : array_like, shape (rows, columns)
        The observations, every cell a finite number, at least 3 rows. [unit of each column]
    matrix : array_like, shape (columns, columns)
        The copula's correlation matrix, positive definite. [-]

    Returns
    -------
    CopulaFit

    Raises
    ------
    ValueError
        A matrix that is not positive definite (no density), or too few rows.
    """
    x = np.asarray(values, dtype=float)
    r = np.asarray(matrix, dtype=float)
    n, m = x.shape
    if n < 3:
        raise ValueError(f"{n} rows are too few to fit a copula (at least 3)")
    try:
        np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the correlation matrix is not positive definite: no copula density"
        ) from None
    u = stats.rankdata(x, axis=0) / (n + 1)
    z = stats.norm.ppf(u)
    zero = np.zeros(m)
    normal = float(
        np.sum(stats.multivariate_normal(zero, r).logpdf(z)) - np.sum(stats.norm.logpdf(z))
    )

    def t_likelihood(df: float) -> float:
        q = stats.t.ppf(u, df)
        joint = stats.multivariate_t(zero, r, df=df).logpdf(q)
        return float(np.sum(joint) - np.sum(stats.t.logpdf(q, df)))

    best = optimize.minimize_scalar(
        lambda log_df: -t_likelihood(math.exp(log_df)),
        bounds=(0.0, math.log(MOST_DF)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    df = math.exp(float(best.x))
    t = t_likelihood(df)
    return CopulaFit(n, normal, t, df, -2 * normal, 2 - 2 * t)
