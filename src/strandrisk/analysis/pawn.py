"""PAWN: distribution-based sensitivity from plain draws (SALib), for skewed outcomes.

Pianosi and Wagener (2015, 2018): for each parameter, split the draws into ``slides``
conditioning intervals of equal probability and measure, with the Kolmogorov-Smirnov
statistic, how far the outcome's distribution in each interval lies from its distribution
over all draws; the index is the median over the intervals (0: the parameter does not move
the outcome's distribution). Unlike Sobol' indices it needs no special design -- the same
Latin-hypercube draws as ``strandrisk mc``, correlations included -- and, being based on
whole distributions rather than variances, it stays meaningful when an outcome is skewed or
saturated (peak stranded value under the base priors is both).

The estimate has a floor set by the sample size: an input that does nothing still scores
about ``1 / sqrt(n / slides)``. Dummy parameters, drawn independently of everything and run
through the same estimator, measure that floor (Pianosi and Wagener's own check); with
:data:`DUMMIES` of them the floor is their 95th percentile, so a parameter at or below it
cannot be told from noise at that sample size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
import pandas as pd
from SALib.analyze import pawn as pawn_analyze

from strandrisk.analysis._given import checked_draws, measurable, on_new_draws
from strandrisk.analysis.sobol import model_evaluator
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = ["DUMMIES", "DUMMY", "PAWN_SLIDES", "pawn_for_scenario", "pawn_given", "pawn_indices"]

PAWN_SLIDES = 10
"""Conditioning intervals per parameter (SALib's default)."""
DUMMY = "(noise floor)"
"""Row of the noise floor: the 95th percentile of what inputs without any effect score."""
DUMMIES = 20
"""Dummy parameters behind the noise floor."""
_FEWEST = 10
"""Fewest draws per conditioning interval."""


def _enough(n: int, slides: int) -> int:
    """Return ``n``, or refuse fewer draws than the conditioning intervals need."""
    why = f" ({_FEWEST} in each of its {slides} conditioning intervals)"
    return checked_draws(n, slides * _FEWEST, "PAWN needs", why)


def pawn_indices(
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    n: int,
    seed: int,
    slides: int = PAWN_SLIDES,
) -> pd.DataFrame:
    """PAWN indices of every parameter for each outcome, with a dummy parameter's.

    Parameters
    ----------
    evaluate : callable
        ``samples -> {outcome: values}`` for a dict of parameter arrays. [-]
    space : UncertaintySpace
        Parameters, their distributions and rank correlations. [-]
    n : int
        Latin-hypercube draws (the same as ``mc --sampler lhs --seed SEED``). [count]
    seed : int
        Root seed of the draws and of the dummy. [-]
    slides : int
        Conditioning intervals per parameter. [count]

    Returns
    -------
    pandas.DataFrame
        Index (outcome, parameter), the noise floor as :data:`DUMMY` (each column's 95th
        percentile over :data:`DUMMIES` dummy parameters), largest ``median`` first per
        outcome; columns ``median`` (the PAWN index), ``mean``, ``minimum``, ``maximum`` of
        the Kolmogorov-Smirnov statistic over the intervals, and ``cv`` (its coefficient of
        variation across them). [-]
    """
    given = partial(pawn_given, slides=slides)
    return on_new_draws(given, evaluate, space, n, seed, partial(_enough, slides=slides))


def pawn_given(
    samples: Mapping[str, np.ndarray],
    results: Mapping[str, np.ndarray],
    seed: int = 0,
    slides: int = PAWN_SLIDES,
) -> pd.DataFrame:
    """PAWN indices from draws already made, such as a kept Monte Carlo run's.

    Parameters
    ----------
    samples : mapping of str to ndarray (n,)
        Each parameter's drawn values. [parameter units]
    results : mapping of str to ndarray (n,)
        Each outcome's value per draw; draws where it is NaN are left out of it. [outcome unit]
    seed : int
        Seed of the dummy parameters. [-]
    slides : int
        Conditioning intervals per parameter. [count]

    Returns
    -------
    pandas.DataFrame
        As :func:`pawn_indices`. [-]
    """
    keys = list(samples)
    n = _enough(len(samples[keys[0]]) if keys else 0, slides)
    dummies = np.random.default_rng([seed, 0x5A4E]).random((n, DUMMIES))  # independent
    names = [*keys, *(f"dummy {i}" for i in range(DUMMIES))]
    x_all = np.column_stack([*(np.asarray(samples[k], dtype=float) for k in keys), dummies])
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    frames = []
    for outcome, keep, y in measurable(results, slides * _FEWEST, spread=False):
        res = pawn_analyze.analyze(problem, x_all[keep], y, S=slides)
        frame = pd.DataFrame(
            {
                "median": np.asarray(res["median"], dtype=float),
                "mean": np.asarray(res["mean"], dtype=float),
                "minimum": np.asarray(res["minimum"], dtype=float),
                "maximum": np.asarray(res["maximum"], dtype=float),
                "cv": np.asarray(res["CV"], dtype=float),
            },
            index=pd.Index(names, name="parameter"),
        )
        d = len(keys)
        floor = frame.iloc[d:].quantile(0.95).to_frame(DUMMY).T  # each column's P95
        frame = pd.concat([frame.iloc[:d], floor]).rename_axis("parameter")
        frames.append(frame.assign(outcome=outcome).set_index("outcome", append=True).swaplevel())
    if not frames:
        raise InputError("no outcome has enough draws with a value for PAWN")
    order = pd.concat(frames)
    return order.sort_values(["outcome", "median"], ascending=[True, False], kind="stable")


def pawn_for_scenario(
    scenario: Scenario,
    space: UncertaintySpace,
    n: int,
    seed: int,
    outcomes: tuple[str, ...] = ("stranded_peak", "npv_2026"),
    company: str = "industry",
) -> pd.DataFrame:
    """PAWN indices of the cohort model's outcomes for one company (default the industry).

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters that ``space`` leaves certain. [-]
    space : UncertaintySpace
        The uncertain parameters, their distributions and correlations. [-]
    n : int
        Latin-hypercube draws, at least 100; the model runs ``n`` times. [count]
    seed : int
        Root seed. [-]
    outcomes : tuple of str
        Columns of the outcome table, from :data:`~strandrisk.analysis.sobol.SOBOL_OUTCOMES`.
        [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]

    Returns
    -------
    pandas.DataFrame
        As :func:`pawn_indices`. [-]
    """
    seed = whole_number("seed", seed, 0)
    evaluate = model_evaluator(scenario, outcomes, company, "PAWN needs")
    return pawn_indices(evaluate, space, n, seed)
