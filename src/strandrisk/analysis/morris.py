"""Morris elementary-effects screening via SALib, for several outcomes at once.

Morris (1991), "Factorial sampling plans for preliminary computational experiments",
Technometrics 33; Campolongo, Cariboni and Saltelli (2007) for ``mu*``. Each of ``r``
trajectories moves one parameter at a time by a fixed step on a ``levels``-level grid of
the unit hypercube, so the model runs ``r (d + 1)`` times -- about a twentieth of a Sobol'
design with the same ``r`` -- and ranks the parameters by the mean absolute effect of a
step (``mu*``) and its spread (``sigma``: nonlinearity or interactions).

The design is mapped through each parameter's inverse CDF, so a step is the same move in
probability for every parameter whatever its distribution. SALib divides each step's
change in the outcome by the step, so an effect reads as the change in the outcome across
the parameter's whole range in probability (its 0th to 100th percentile), in the
outcome's unit. A screening method: it says which parameters matter, not how much of the
variance each explains (that is Sobol', :mod:`strandrisk.analysis.sobol`).

By groups (Campolongo, Cariboni and Saltelli 2007): the parameters of a group (the part of
their keys before the first dot: market, technology ...) move together in each step, so the
model runs ``r (g + 1)`` times for ``g`` groups, and each group gets a ``mu*``. A group's
members may move in opposite directions in one step, so ``mu`` and ``sigma`` lose their
meaning for a group of several (NaN); a group of one keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from strandrisk.analysis.sobol import group_labels, model_evaluator
from strandrisk.errors import whole_number
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = ["MORRIS_LEVELS", "morris_for_scenario", "morris_indices"]

MORRIS_LEVELS = 4
"""Grid levels per parameter; a step is ``levels / (2 (levels - 1))`` of the unit range."""
_EDGE = 1e-6
"""The grid's ends are mapped a hair inside (0, 1), where every inverse CDF is finite."""


def morris_indices(
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    trajectories: int,
    seed: int,
    levels: int = MORRIS_LEVELS,
    groups: bool = False,
) -> pd.DataFrame:
    """Morris ``mu``, ``mu*`` (with its 95 % bootstrap interval) and ``sigma``.

    Parameters
    ----------
    evaluate : callable
        ``samples -> {outcome: values}`` for a dict of parameter arrays. [-]
    space : UncertaintySpace
        Parameters and their distributions. [-]
    trajectories : int
        Trajectories ``r``; the model runs ``r (d + 1)`` times. [count]
    seed : int
        Seed of the design and of the bootstrap. [-]
    levels : int
        Grid levels per parameter (even). [count]
    groups : bool
        By groups of parameters (:func:`~strandrisk.analysis.sobol.group_labels`): ``r (g +
        1)`` runs. [-]

    Returns
    -------
    pandas.DataFrame
        Index (outcome, parameter or group), largest ``mu_star`` first per outcome; columns
        ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma`` (``mu`` and ``sigma`` NaN for a
        group of several). [outcome unit across the probability range]
    """
    d = len(space.keys)
    problem: dict[str, object] = {
        "num_vars": d,
        "names": list(space.keys),
        "bounds": [[0.0, 1.0]] * d,
    }
    names = list(space.keys)
    if groups:
        labels = group_labels(space.keys)
        problem["groups"] = labels
        names = list(dict.fromkeys(labels))  # SALib's order: first appearance
    u = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    mapped = np.clip(u, _EDGE, 1.0 - _EDGE)
    samples = {
        k: dist.ppf(mapped[:, j])
        for j, (k, dist) in enumerate(zip(space.keys, space.distributions, strict=True))
    }
    results = evaluate(samples)
    frames = []
    for outcome, y in results.items():
        y = np.nan_to_num(np.asarray(y, dtype=float))
        res = morris_analyze.analyze(problem, u, y, num_levels=levels, seed=seed)
        frame = pd.DataFrame(
            {
                c: np.asarray(res[c], dtype=float)
                for c in ("mu", "mu_star", "mu_star_conf", "sigma")
            },
            index=pd.Index(names, name="parameter"),
        )
        if groups:  # members moving in opposite directions: a signed mean means nothing
            several = [label for label in names if not label.endswith(" (1)")]
            frame.loc[several, ["mu", "sigma"]] = np.nan
        frames.append(frame.assign(outcome=outcome).set_index("outcome", append=True).swaplevel())
    order = pd.concat(frames)
    return order.sort_values(["outcome", "mu_star"], ascending=[True, False], kind="stable")


def morris_for_scenario(
    scenario: Scenario,
    space: UncertaintySpace,
    trajectories: int,
    seed: int,
    outcomes: tuple[str, ...] = ("stranded_peak", "npv_2026"),
    company: str = "industry",
    groups: bool = False,
) -> pd.DataFrame:
    """Morris screening of the cohort model's outcomes for one company (default the industry).

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters that ``space`` leaves certain. [-]
    space : UncertaintySpace
        The uncertain parameters and their distributions. [-]
    trajectories : int
        Trajectories ``r`` (at least 2); the model runs ``r (d + 1)`` times. [count]
    seed : int
        Seed of the design and of the bootstrap intervals. [-]
    outcomes : tuple of str
        Columns of the outcome table, from :data:`~strandrisk.analysis.sobol.SOBOL_OUTCOMES`.
        [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]
    groups : bool
        By groups of parameters: ``r (g + 1)`` runs. [-]

    Returns
    -------
    pandas.DataFrame
        As :func:`morris_indices`. [outcome unit across the probability range]

    Raises
    ------
    InputError
        For fewer than two trajectories or an outcome outside ``SOBOL_OUTCOMES``.
    """
    trajectories = whole_number("trajectories", trajectories, 2)
    seed = whole_number("seed", seed, 0)
    evaluate = model_evaluator(scenario, outcomes, company, "Morris screening needs")
    return morris_indices(evaluate, space, trajectories, seed, groups=groups)
