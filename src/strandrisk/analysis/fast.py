"""RBD-FAST: first-order Sobol' indices from plain draws (SALib), a fraction of Saltelli's runs.

Random balance designs with the Fourier amplitude sensitivity test (Tarantola, Gatelli and
Mara, 2006; Plischke's ordering, 2010; Tissot and Prieur's bias correction, 2012): for each
parameter, the draws are put in the order of that parameter's values, and the share of the
outcome's variance at the first ``M`` harmonics of that ordering is its first-order index S1
-- the share of the variance it explains alone, what ``--method sobol`` estimates as S1. It
needs no design of its own: the same Latin-hypercube draws as ``strandrisk mc`` (2,000 by
default, where Saltelli's design takes ``n (d + 2)`` runs), or a kept run's. It gives no
total indices: ``1 - sum(S1)`` is the share left to interactions, which only
``--method sobol`` apportions. With correlated parameters (a scenario's ``[correlations]``)
a parameter's S1 includes what it carries of those it is correlated with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from SALib.analyze import rbd_fast

from strandrisk.analysis._given import checked_draws, measurable, on_new_draws
from strandrisk.analysis.sobol import model_evaluator
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = ["HARMONICS", "fast_for_scenario", "fast_given", "fast_indices"]

HARMONICS = 10
"""Harmonics summed per parameter (SALib's ``M``, its default)."""
_FEWEST = 4 * HARMONICS + 1
"""Fewest draws: the spectrum needs more points than the harmonics it sums, many times over."""
_RESAMPLES = 100
"""Bootstrap resamples behind each index's 95 % interval (SALib's default)."""


def _enough(n: int) -> int:
    """Return ``n``, or refuse too few draws for the spectrum."""
    return checked_draws(n, _FEWEST, "RBD-FAST needs")


def fast_indices(
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    n: int,
    seed: int,
) -> pd.DataFrame:
    """First-order indices of every parameter for each outcome, from Latin-hypercube draws.

    Parameters
    ----------
    evaluate : callable
        ``samples -> {outcome: values}`` for a dict of parameter arrays. [-]
    space : UncertaintySpace
        Parameters, their distributions and rank correlations. [-]
    n : int
        Latin-hypercube draws (the same as ``mc --sampler lhs --seed SEED``). [count]
    seed : int
        Root seed of the draws and of the bootstrap. [-]

    Returns
    -------
    pandas.DataFrame
        Index (outcome, parameter), the outcomes in the order given, largest ``S1`` first
        per outcome; columns ``S1`` (the share of the outcome's variance the parameter
        explains alone, bias-corrected, so it can dip just below 0) and ``S1_conf`` (the
        half-width of its 95 % bootstrap interval). [fraction]
    """
    return on_new_draws(fast_given, evaluate, space, n, seed, _enough)


def fast_given(
    samples: Mapping[str, np.ndarray],
    results: Mapping[str, np.ndarray],
    seed: int = 0,
) -> pd.DataFrame:
    """First-order indices from draws already made, such as a kept Monte Carlo run's.

    Parameters
    ----------
    samples : mapping of str to ndarray (n,)
        Each parameter's drawn values. [parameter units]
    results : mapping of str to ndarray (n,)
        Each outcome's value per draw; draws where it is NaN are left out of it, and an
        outcome that does not vary is skipped. [outcome unit]
    seed : int
        Seed of the bootstrap. [-]

    Returns
    -------
    pandas.DataFrame
        As :func:`fast_indices`. [fraction]
    """
    keys = list(samples)
    _enough(len(samples[keys[0]]) if keys else 0)
    x_all = np.column_stack([np.asarray(samples[k], dtype=float) for k in keys])
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}
    frames = []
    for outcome, keep, y in measurable(results, _FEWEST):
        res = rbd_fast.analyze(
            problem, x_all[keep], y, M=HARMONICS, num_resamples=_RESAMPLES, seed=seed
        )
        frame = pd.DataFrame(
            {
                "S1": np.asarray(res["S1"], dtype=float),
                "S1_conf": np.asarray(res["S1_conf"], dtype=float),
            },
            index=pd.Index(keys, name="parameter"),
        ).sort_values("S1", ascending=False, kind="stable")
        frames.append(frame.assign(outcome=outcome).set_index("outcome", append=True).swaplevel())
    if not frames:
        raise InputError("no outcome has enough draws with a value, and a spread, for RBD-FAST")
    return pd.concat(frames)  # the outcomes in the order given


def fast_for_scenario(
    scenario: Scenario,
    space: UncertaintySpace,
    n: int,
    seed: int,
    outcomes: tuple[str, ...] = ("stranded_peak", "npv_2026"),
    company: str = "industry",
) -> pd.DataFrame:
    """RBD-FAST first-order indices of the cohort model's outcomes for one company.

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters that ``space`` leaves certain. [-]
    space : UncertaintySpace
        The uncertain parameters, their distributions and correlations. [-]
    n : int
        Latin-hypercube draws, at least 41; the model runs ``n`` times. [count]
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
        As :func:`fast_indices`. [fraction]
    """
    seed = whole_number("seed", seed, 0)
    evaluate = model_evaluator(scenario, outcomes, company, "RBD-FAST needs")
    return fast_indices(evaluate, space, n, seed)
