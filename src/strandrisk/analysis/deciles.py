"""An outcome by decile of each parameter: the Monte Carlo's own view of a spider chart.

The spider (:func:`strandrisk.analysis.sensitivity.spider`) moves one parameter with the
others at the scenario's values; a rank correlation summarises a whole Monte Carlo run in
one number. Between the two, an @RISK or EMA Workbench user reads an outcome against a
parameter over the draws: sort the scenarios by the parameter, cut them into tenths, and
take the outcome's median (and P10, P90) in each. A line that climbs is a monotone effect;
one that turns, or is flat and then jumps, is what a correlation hides: an effect that
reverses, saturates or sets in past a threshold, averaged over everything else that varies.
Parameters are ranked by how far their medians move from the lowest tenth to the highest
(the range of the medians), which a non-monotone effect scores as well as a monotone one.
A parameter without any effect scores a range too, from sampling alone:
:func:`decile_noise_floor` is what such a parameter scores (the 95th percentile over random
orders of the scenarios), as PAWN's dummy parameters give its noise floor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from strandrisk.analysis.sensitivity import Swing

__all__ = ["decile_noise_floor", "mean_swings", "median_range", "outcome_by_decile"]


def outcome_by_decile(
    samples: pd.DataFrame, outcome: pd.Series | np.ndarray, bins: int = 10
) -> pd.DataFrame:
    """Return an outcome's P10, median and P90 in each equal-count bin of each parameter.

    Parameters
    ----------
    samples : pandas.DataFrame
        The drawn parameters, a column each, a row per scenario. [parameter units]
    outcome : pandas.Series or ndarray
        The outcome of the same scenarios, in the same order. [unit of the outcome]
    bins : int
        How many equal-count bins (10: deciles); at least 2. [count]

    Returns
    -------
    pandas.DataFrame
        Index (parameter, bin) with the bins numbered from 0 (the lowest values); columns
        ``share`` (the bin's middle as a share of the scenarios sorted by the parameter,
        0.05 for the first decile) [fraction], ``low``, ``high`` (the parameter's values at
        the bin's ends) [parameter units], ``p10``, ``p50``, ``p90`` and ``mean`` (the
        basis of @RISK's "change in output mean" tornado, whose bars are a parameter's lowest
        and highest bin mean) [unit of the outcome] and ``scenarios`` [count]. Parameters
        come by falling range of their medians (the
        strongest first); a parameter that takes one value only is left out. Scenarios
        with equal values of a parameter are split between bins by their order, so that
        every bin holds the same number (to within one).

    Raises
    ------
    ValueError
        Fewer scenarios than ``bins``, fewer than 2 bins, rows that do not match, or a
        non-finite outcome.
    """
    y = np.asarray(outcome, dtype=float)
    n = len(samples)
    if bins < 2 or n < bins:
        raise ValueError(f"need at least 2 bins and as many scenarios ({n}) as bins ({bins})")
    if y.shape != (n,):
        raise ValueError(f"the outcome has {y.size} values for {n} scenarios")
    if not np.isfinite(y).all():
        raise ValueError("the outcome has non-finite values")
    edges = (np.arange(bins + 1) * n) // bins  # equal counts, to within one
    which = np.repeat(np.arange(bins), np.diff(edges))
    share = (np.arange(bins) + 0.5) / bins
    parts, spread = [], {}
    for name in samples.columns:
        x = samples[name].to_numpy(dtype=float)
        if x.min() == x.max():
            continue
        order = np.argsort(x, kind="stable")
        sx, sy = x[order], y[order]
        q = np.stack(
            [np.quantile(sy[edges[b] : edges[b + 1]], (0.1, 0.5, 0.9)) for b in range(bins)]
        )
        parts.append(
            pd.DataFrame(
                {
                    "share": share,
                    "low": sx[edges[:-1]],
                    "high": sx[edges[1:] - 1],
                    "p10": q[:, 0],
                    "p50": q[:, 1],
                    "p90": q[:, 2],
                    "mean": np.add.reduceat(sy, edges[:-1]) / np.diff(edges),
                    "scenarios": np.bincount(which, minlength=bins),
                },
                index=pd.MultiIndex.from_product([[name], range(bins)], names=["parameter", "bin"]),
            )
        )
        spread[name] = float(np.ptp(q[:, 1]))
    if not parts:
        return pd.DataFrame(
            columns=["share", "low", "high", "p10", "p50", "p90", "mean", "scenarios"],
            index=pd.MultiIndex.from_arrays([[], []], names=["parameter", "bin"]),
        )
    ranked = sorted(spread, key=lambda k: -spread[k])  # stable: ties keep the columns' order
    return pd.concat(parts).loc[ranked]


def mean_swings(deciles: pd.DataFrame, mean: float) -> list[Swing]:
    """Return @RISK's "change in output mean" tornado: each parameter's lowest and highest bin.

    For each parameter, the outcome's mean over the draws in its lowest bin and in its
    highest (a tenth each, by default), against the outcome's mean over all the draws;
    largest swing first. Unlike the spider's tornado it reads the Monte Carlo's own draws,
    everything else varying, so it is what the outcome does on average as the parameter
    goes from low to high; like any binned mean, a parameter without an effect swings a
    little from sampling alone.

    Parameters
    ----------
    deciles : pandas.DataFrame
        From :func:`outcome_by_decile`. [unit of the outcome]
    mean : float
        The outcome's mean over the same draws. [unit of the outcome]

    Returns
    -------
    list of Swing
        Per parameter: ``low`` and ``high`` the parameter's values at the inner edges of its
        lowest and highest bins (its P10 and P90 with deciles), ``outcome_low`` and
        ``outcome_high`` the bins' means, ``base`` the overall mean; by falling
        :attr:`~strandrisk.analysis.sensitivity.Swing.swing`. [parameter and outcome units]
    """
    from strandrisk.analysis.sensitivity import Swing

    swings = []
    for name, bins in deciles.groupby(level="parameter", sort=False):
        first, last = bins.iloc[0], bins.iloc[-1]
        swings.append(
            Swing(
                str(name),
                "",
                float(first["high"]),
                float(last["low"]),
                float(first["mean"]),
                float(last["mean"]),
                float(mean),
            )
        )
    return sorted(swings, key=lambda s: -s.swing)  # stable: ties keep the table's order


def median_range(deciles: pd.DataFrame) -> pd.Series:
    """Return each parameter's range of bin medians, the strongest first.

    Parameters
    ----------
    deciles : pandas.DataFrame
        From :func:`outcome_by_decile`. [unit of the outcome]

    Returns
    -------
    pandas.Series
        Index parameter, in the table's order. [unit of the outcome]
    """
    p50 = deciles["p50"].groupby(level="parameter", sort=False)
    return p50.max() - p50.min()


def decile_noise_floor(
    outcome: pd.Series | np.ndarray, bins: int = 10, orders: int = 20, seed: int = 0
) -> float:
    """Return the range of bin medians a parameter without any effect reaches by chance.

    The scenarios are put in ``orders`` random orders (a parameter drawn independently of
    everything), each cut into ``bins`` equal-count bins as :func:`outcome_by_decile` does;
    the floor is the 95th percentile of the ranges of their medians. A parameter whose
    range is below it cannot be told from noise with these scenarios.

    Parameters
    ----------
    outcome : pandas.Series or ndarray
        The outcome per scenario. [unit of the outcome]
    bins : int
        Bins, as :func:`outcome_by_decile`. [count]
    orders : int
        Random orders drawn. [count]
    seed : int
        Seed of the orders; the same seed, the same floor. [-]

    Returns
    -------
    float
        The floor. [unit of the outcome]
    """
    y = np.asarray(outcome, dtype=float)
    n = y.size
    if bins < 2 or n < bins or orders < 1:
        raise ValueError(f"need at least 2 bins, {bins} scenarios and one order; got {n}, {orders}")
    edges = (np.arange(bins + 1) * n) // bins
    rng = np.random.default_rng(seed)
    ranges = []
    for _ in range(orders):
        shuffled = y[rng.permutation(n)]
        medians = [np.median(shuffled[edges[b] : edges[b + 1]]) for b in range(bins)]
        ranges.append(np.ptp(medians))
    return float(np.quantile(ranges, 0.95))
