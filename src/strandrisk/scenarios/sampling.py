"""Uncertainty spaces and samplers: Monte Carlo, Latin hypercube, scrambled Sobol.

Samples are drawn in fixed blocks of :data:`BLOCK` scenarios, each from its own child of
the run's root ``SeedSequence`` (``SeedSequence(seed, spawn_key=(block,))``), so scenario
``i`` gets the same values whatever the chunk size or number of workers. Latin-hypercube
strata and Iman-Conover rank correlations are imposed within each block; Sobol points
are one scrambled sequence, fast-forwarded to each block. The correlations join the
parameters through a normal (Gaussian) copula, or through a Student t copula, whose joint
extremes come together more often (tail dependence).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats
from scipy.stats import qmc
from threadpoolctl import ThreadpoolController

from strandrisk.scenarios.distributions import Distribution

__all__ = [
    "BLOCK",
    "COPULAS",
    "SAMPLERS",
    "SAMPLER_NAMES",
    "UncertaintySpace",
    "copula_text",
    "iman_conover",
    "latin_hypercube",
    "nearest_correlation",
    "one_blas_thread",
    "sample_range",
    "tail_dependence",
]

BLOCK = 4096
"""Scenarios per sampling block."""
SAMPLERS = ("mc", "lhs", "sobol")
SAMPLER_NAMES = {"mc": "random sampling", "lhs": "Latin hypercube", "sobol": "scrambled Sobol"}
"""Each sampler in words, for headings."""
COPULAS = ("normal", "t")
"""How the rank correlations join the parameters: a normal (Gaussian) or a Student t copula."""


@dataclass(frozen=True, slots=True)
class UncertaintySpace:
    """Uncertain parameters, their distributions and rank correlations.

    Attributes
    ----------
    keys : tuple of str
        Dotted scenario keys.
    distributions : tuple of Distribution
        One per key.
    correlation : ndarray, shape (d, d)
        Target Spearman rank correlation (identity when independent); with a t copula, the
        copula's correlation matrix.
    copula_df : float
        Degrees of freedom of a Student t copula joining the parameters (``inf``, the
        default: the normal copula, no tail dependence). The fewer, the more often the
        parameters' extremes come together (:func:`tail_dependence`); for the same matrix
        Kendall's tau is the same under both copulas, Spearman's rho a little lower under
        the t (0.5 gives about 0.47 at 4 degrees of freedom). [-]
    """

    keys: tuple[str, ...]
    distributions: tuple[Distribution, ...]
    correlation: np.ndarray
    copula_df: float = math.inf

    def __post_init__(self) -> None:
        if not (self.copula_df >= 1.0):  # (NaN too)
            raise ValueError(
                f"a t copula needs at least 1 degree of freedom, got {self.copula_df:g} "
                "(inf: the normal copula)"
            )
        d = len(self.keys)
        c = np.asarray(self.correlation, dtype=float)
        if c.shape != (d, d):
            raise ValueError(f"correlation matrix must be {d} x {d}, got {c.shape}")
        if not np.allclose(c, c.T) or not np.allclose(np.diag(c), 1.0) or np.any(np.abs(c) > 1):
            raise ValueError(
                "correlation matrix must be symmetric with ones on the diagonal and |rho| <= 1"
            )
        smallest = np.linalg.eigvalsh(c).min() if d else 0.0
        if smallest < -1e-10:
            # I + s (C - I) has the eigenvalues 1 + s mu of C - I, and min(mu) = smallest - 1:
            # every correlation scaled by s <= 1 / (1 - smallest) holds together (floored to
            # two decimals, to be inside)
            scale = math.floor(100.0 / (1.0 - smallest)) / 100.0
            largest = float(np.abs(c - np.eye(d)).max())
            raise ValueError(
                f"correlation matrix is not positive semi-definite (smallest eigenvalue "
                f"{smallest:.3g}): these correlations cannot hold together; "
                f"scaled by {scale:.2f} they can (the strongest, {largest:g}, to "
                f"{scale * largest:.2g}); or {_nearest_text(c, self.keys)}"
            )

    def stressed(self, key: str, low: float, high: float) -> UncertaintySpace:
        """Return the space with one parameter drawn only from a band of its distribution.

        The draws' uniforms, and so every other parameter's values, stay the same: a
        scenario's ``key`` moves to the same relative place inside the band.

        Parameters
        ----------
        key : str
            An uncertain parameter of the space. [-]
        low, high : float
            The band as cumulative probabilities, ``0 <= low < high <= 1``. [-]
        """
        if key not in self.keys:
            raise ValueError(f"{key} is not an uncertain parameter of this space")
        dists = tuple(
            replace(d, band=(float(low), float(high))) if k == key else d
            for k, d in zip(self.keys, self.distributions, strict=True)
        )
        return replace(self, distributions=dists)

    @classmethod
    def empty(cls) -> UncertaintySpace:
        """Return a space that draws nothing (a file without an uncertainty block) [-]."""
        return cls((), (), np.eye(0))

    def without(self, keys: Iterable[str]) -> UncertaintySpace:
        """Return the space with ``keys`` held fixed: not drawn, their correlations dropped.

        Parameters
        ----------
        keys : iterable of str
            Dotted scenario keys; those not in the space are ignored. [-]
        """
        drop = set(keys)
        keep = [i for i, k in enumerate(self.keys) if k not in drop]
        return UncertaintySpace(
            tuple(self.keys[i] for i in keep),
            tuple(self.distributions[i] for i in keep),
            np.asarray(self.correlation, dtype=float)[np.ix_(keep, keep)],  # PSD stays PSD
            self.copula_df,
        )


def nearest_correlation(c: ArrayLike, digits: int = 2) -> np.ndarray:
    """Return the valid correlation matrix nearest ``c``, rounded, as @RISK adjusts one.

    Higham's alternating projections with Dykstra's correction (Higham, "Computing the
    nearest correlation matrix", IMA J. Numer. Anal. 22, 2002): in turn onto the positive
    semi-definite matrices (eigenvalues below a small floor raised to it) and onto those
    with a unit diagonal, to the nearest in the Frobenius norm. Rounded to ``digits``
    decimals, as a scenario file writes a correlation; where the rounding takes it outside
    again, its off-diagonal entries are shrunk by a hundredth at a time until it holds.

    Parameters
    ----------
    c : array_like, shape (d, d)
        A symmetric matrix with ones on the diagonal and entries in [-1, 1]. [-]
    digits : int
        Decimals of the result's entries. [count]

    Returns
    -------
    ndarray, shape (d, d)
        Symmetric, ones on the diagonal, positive semi-definite. [-]
    """
    a = np.asarray(c, dtype=float)
    d = len(a)
    floor = 1e-4  # a little inside, so that rounding keeps it valid
    y, correction = a.copy(), np.zeros_like(a)
    for _ in range(500):
        r = y - correction
        w, v = np.linalg.eigh(r)
        x = (v * np.maximum(w, floor)) @ v.T
        correction = x - r
        y_next = x.copy()
        np.fill_diagonal(y_next, 1.0)
        done = np.linalg.norm(y_next - y) < 1e-10
        y = y_next
        if done:
            break
    y = (y + y.T) / 2
    for shrink in np.arange(1.0, 0.0, -0.01):  # rounding may leave it a hair outside
        z = np.round(np.eye(d) + shrink * (y - np.eye(d)), digits)
        if np.linalg.eigvalsh(z).min() >= -1e-12:
            return z
    return np.eye(d)


def _nearest_text(c: np.ndarray, keys: Sequence[str]) -> str:
    """Say which correlations the nearest valid matrix changes, as pairs to paste."""
    near = nearest_correlation(c)
    changed = [
        (keys[i], keys[j], float(c[i, j]), float(near[i, j]))
        for i, j in zip(*(v.tolist() for v in np.triu_indices(len(keys), 1)), strict=True)
        if abs(near[i, j] - c[i, j]) >= 0.005
    ]
    moves = ", ".join(f"{a} ~ {b} {old:g} to {new:g}" for a, b, old, new in changed)
    pairs = ", ".join(f'["{a}", "{b}", {new:g}]' for a, b, _, new in changed)
    return f"the nearest matrix that can (Higham 2002): {moves} (pairs = [{pairs}])"


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, d)`` uniforms with exactly one draw per stratum ``[k/n, (k+1)/n)`` per column.

    Parameters
    ----------
    n : int
        Draws (strata per column). [-]
    d : int
        Columns (parameters). [-]
    rng : numpy.random.Generator
        Source of the draws and permutations. [-]
    """
    return _strata_and_draws(n, d, rng)[1]


def _strata_and_draws(n: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return a Latin hypercube's stratum per draw and column (``0..n-1``), and its draws."""
    strata = rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T
    return strata, (strata + rng.random((n, d))) / n


@functools.lru_cache(maxsize=8)
def _van_der_waerden(n: int) -> np.ndarray:
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    scores.flags.writeable = False
    return scores


@functools.lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """Return a controller of the BLAS libraries loaded (NumPy's and SciPy's OpenBLAS)."""
    return ThreadpoolController()


def one_blas_thread() -> contextlib.AbstractContextManager:
    """Limit the BLAS libraries to one thread within a ``with`` block, as the sampler does.

    Woken for Iman-Conover's small matrix products, OpenBLAS's threads spin on for a while
    after them and take a core from the model's threads (the Monte Carlo ran 3-4 % slower).
    OpenBLAS shares a product's rows and columns among its threads, not its sums, so the
    numbers are the same. Held around sampling on several threads at once, it is set and
    restored once: each thread's own limit inside then finds one thread and leaves one.
    """
    return _blas().limit(limits=1, user_api="blas")


def iman_conover(
    u: np.ndarray,
    target: np.ndarray,
    rng: np.random.Generator,
    ranks: np.ndarray | None = None,
    df: float = math.inf,
) -> np.ndarray:
    """Reorder the columns of ``u`` so their rank correlation approaches ``target``.

    Parameters
    ----------
    u : ndarray, shape (n, d)
        Independent samples (any marginals). [-]
    target : ndarray, shape (d, d)
        Target rank correlation. [-]
    rng : numpy.random.Generator
        For the random score permutations. [-]
    ranks : ndarray, shape (n, d), optional
        Each value's place in its column sorted (``0..n-1``), where it is known without
        sorting, as a Latin hypercube's strata (non-decreasing maps keep it). [-]
    df : float
        Degrees of freedom of a Student t copula (``inf``: the normal copula). Each row of
        the correlated scores is divided by ``sqrt(W / df)``, ``W`` a chi-square draw with
        ``df`` degrees of freedom, one per row, so that the ranks follow a multivariate t
        (a common shock that takes every parameter to its extremes together). [-]

    Returns
    -------
    ndarray, shape (n, d)
        The same values per column, reordered (marginals and strata are kept).

    Notes
    -----
    Iman & Conover (1982), "A distribution-free approach to inducing rank correlation
    among input variables", Commun. Stat. Simul. Comput. 11(3): van der Waerden scores,
    Cholesky factors of the target and of the scores' own correlation. The t copula's
    scores as a multivariate t's construction (Demarta & McNeil 2005, "The t copula and
    related copulas", Int. Stat. Rev. 73(1)); independent parameters under a t copula
    are still joined by the common scale, so an identity ``target`` is imposed too.
    """
    n, d = u.shape
    normal = not math.isfinite(df)
    if d < 2 or (normal and np.allclose(target, np.eye(d))):
        return u
    rows = np.tile(_van_der_waerden(n), (d, 1))
    for row in rows:  # one permutation of the scores per column, drawn in column order
        rng.shuffle(row)
    r = np.ascontiguousarray(rows.T)
    with one_blas_thread():  # for these small products
        p = np.linalg.cholesky(target + 1e-12 * np.eye(d))
        q = np.linalg.cholesky(np.corrcoef(r, rowvar=False) + 1e-12 * np.eye(d))
        t = r @ np.linalg.inv(q).T @ p.T
    if not normal:  # drawn after the permutations: the normal copula's draws are unchanged
        t /= np.sqrt(rng.chisquare(df, n) / df)[:, None]
    out = np.empty_like(u)
    for j in range(d):
        if ranks is None:
            column = np.sort(u[:, j])
        else:
            column = np.empty(n)
            column[ranks[:, j]] = u[:, j]  # the column sorted, without a sort
        out[np.argsort(t[:, j]), j] = column
    return out


def tail_dependence(rho: ArrayLike, df: float) -> np.ndarray:
    """Coefficient of tail dependence of two parameters joined by a t copula.

    The limit, as ``q`` goes to 1, of the chance that one parameter is above its ``q``
    quantile given that the other is (the same in the lower tail):
    ``2 t_{df+1}(-sqrt((df + 1)(1 - rho) / (1 + rho)))`` (McNeil, Frey & Embrechts,
    *Quantitative Risk Management*, 2nd ed. 2015, chapter 7). The normal copula has none
    (``df = inf``), unless ``rho = 1``.

    Parameters
    ----------
    rho : array_like
        The copula's correlation, in [-1, 1]. [-]
    df : float
        Degrees of freedom (``inf``: the normal copula). [-]

    Returns
    -------
    ndarray
        The coefficient, in [0, 1]. [-]
    """
    r = np.asarray(rho, dtype=float)
    if not math.isfinite(df):
        return np.where(r >= 1.0, 1.0, 0.0)
    with np.errstate(divide="ignore"):
        x = np.sqrt((df + 1.0) * (1.0 - r) / (1.0 + r))
    return 2.0 * stats.t.cdf(-x, df + 1.0)


def copula_text(df: float) -> str:
    """Name the copula of ``df`` degrees of freedom in words ("t copula, 4 degrees of freedom").

    Parameters
    ----------
    df : float
        A space's :attr:`UncertaintySpace.copula_df` (``inf``: the normal copula). [-]
    """
    if not math.isfinite(df):
        return "normal copula"
    return f"t copula, {df:g} degree{'' if df == 1 else 's'} of freedom"


def _block_uniforms(
    space: UncertaintySpace, block: int, n: int, seed: int, sampler: str
) -> np.ndarray:
    d = len(space.keys)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))
    ranks = None  # each draw's place in its column, where the sampler knows it (strata)
    if sampler == "mc":
        u = rng.random((n, d))
    elif sampler == "lhs":
        ranks, u = _strata_and_draws(n, d, rng)
    elif sampler == "sobol":
        engine = qmc.Sobol(
            d, scramble=True, seed=np.random.default_rng(np.random.SeedSequence(seed))
        )
        if block:
            engine.fast_forward(block * BLOCK)
        u = engine.random(n)
    else:
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    u = np.clip(u, 1e-12, 1 - 1e-12)  # non-decreasing: the strata still rank the draws
    return iman_conover(u, space.correlation, rng, ranks, space.copula_df)


def sample_range(
    space: UncertaintySpace, start: int, stop: int, seed: int, sampler: str = "mc"
) -> dict[str, np.ndarray]:
    """Parameter values of scenarios ``start`` to ``stop - 1``.

    Parameters
    ----------
    space : UncertaintySpace
        What to sample. [-]
    start, stop : int
        Global scenario indices. [-]
    seed : int
        Root seed of the run. [-]
    sampler : {"mc", "lhs", "sobol"}
        Sampling design. [-]

    Returns
    -------
    dict of str to ndarray
        Key -> values of shape ``(stop - start,)``, identical for a scenario whatever
        range it is drawn in. [canonical units]
    """
    first, last = start // BLOCK, (stop - 1) // BLOCK
    pieces = []
    for block in range(first, last + 1):
        u = _block_uniforms(space, block, BLOCK, seed, sampler)
        lo = max(start - block * BLOCK, 0)
        hi = min(stop - block * BLOCK, BLOCK)
        pieces.append(u[lo:hi])
    u = np.concatenate(pieces) if pieces else np.empty((0, len(space.keys)))
    return {
        k: dist.ppf(u[:, j])
        for j, (k, dist) in enumerate(zip(space.keys, space.distributions, strict=True))
    }
