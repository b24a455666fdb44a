"""Variance-based (Sobol) sensitivity indices via SALib, for several outcomes at once.

Saltelli's design is drawn on the unit hypercube and mapped through each parameter's
inverse CDF, so any marginal distribution works (the indices are invariant to that
transform). Sobol indices assume independent inputs: rank correlations of the space are
not imposed here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from strandrisk.engine.simulate import simulate
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = [
    "SOBOL_OUTCOMES",
    "group_labels",
    "model_evaluator",
    "sobol_for_scenario",
    "sobol_indices",
    "sobol_pairs",
    "sobol_pairs_for_scenario",
]

SOBOL_OUTCOMES = (
    "stranded_peak",
    "stranded_peak_to_2026",
    "npv_2026",
    "impairment_ifrs",
    "impairment_usgaap",
    "irr_2026",
    "economic_life_years",
)
"""Outcome columns whose Sobol indices :func:`sobol_for_scenario` computes (numeric ones)."""


def sobol_indices(
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    n: int,
    seed: int,
    groups: bool = False,
) -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % confidence intervals.

    Parameters
    ----------
    evaluate : callable
        ``samples -> {outcome: values}`` for a dict of parameter arrays. [-]
    space : UncertaintySpace
        Parameters and their distributions. [-]
    n : int
        Base sample size (a power of two); the model runs ``n * (d + 2)`` times, or
        ``n * (g + 2)`` by groups. [count]
    seed : int
        Seed of the scrambled Sobol design and of the bootstrap. [-]
    groups : bool
        Indices of each group of parameters instead, the parameters grouped by the part of
        their key before the dot (``market``, ``technology``, ``financing`` ...; SALib's
        groups): how much each block of assumptions moves the outcome, with far fewer runs.
        [-]

    Returns
    -------
    pandas.DataFrame
        Index (outcome, parameter); columns ``S1, S1_conf, ST, ST_conf``. By groups, a
        "parameter" is a group, written ``market.* (12)`` with its count of parameters.
    """
    return _saltelli(evaluate, space, n, seed, second_order=False, groups=groups)[0]


def group_labels(keys: Sequence[str]) -> list[str]:
    """Return each parameter's group (the part of its key before the first dot).

    Parameters
    ----------
    keys : sequence of str
        Dotted scenario keys, e.g. ``market.price_decline``. [-]

    Returns
    -------
    list of str
        A label per key, ``market.* (12)`` with the group's count of parameters. [-]
    """
    heads = [k.split(".")[0] for k in keys]
    count = {h: heads.count(h) for h in heads}
    return [f"{h}.* ({count[h]})" for h in heads]


def sobol_pairs(
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    n: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol indices with the second-order ones: how much each pair adds by acting together.

    Saltelli's design with its second-order columns (SALib's ``calc_second_order=True``):
    ``n (2 d + 2)`` runs, against ``n (d + 2)`` for the first-order and total indices alone.
    ``S2`` of a pair is the share of the outcome's variance due to the two together beyond
    their own first-order shares; summed over a parameter's pairs it is part of ``ST - S1``
    (the rest is interactions of three or more).

    Parameters
    ----------
    evaluate : callable
        ``samples -> {outcome: values}`` for a dict of parameter arrays. [-]
    space : UncertaintySpace
        Parameters and their distributions. [-]
    n : int
        Base sample size (a power of two). [count]
    seed : int
        Seed of the scrambled Sobol design and of the bootstrap. [-]

    Returns
    -------
    indices : pandas.DataFrame
        As :func:`sobol_indices`, from the larger design. [fraction]
    pairs : pandas.DataFrame
        Index (outcome, parameter, other), each pair once, largest ``S2`` first per outcome;
        columns ``S2`` and ``S2_conf`` (the half-width of its 95 % bootstrap interval).
        [fraction]
    """
    indices, pairs = _saltelli(evaluate, space, n, seed, second_order=True)
    assert pairs is not None  # (asked for)
    return indices, pairs


def _saltelli(
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    n: int,
    seed: int,
    second_order: bool,
    groups: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run Saltelli's design and SALib's analysis: the indices, and the pairs if asked."""
    d = len(space.keys)
    keys = list(space.keys)
    problem: dict[str, object] = {"num_vars": d, "names": keys, "bounds": [[0.0, 1.0]] * d}
    names = keys
    if groups:
        problem["groups"] = group_labels(keys)
        names = list(dict.fromkeys(group_labels(keys)))  # SALib's order: first appearance
    u = sobol_sample.sample(problem, n, calc_second_order=second_order, scramble=True, seed=seed)
    u = np.clip(u, 1e-12, 1 - 1e-12)
    samples = {
        k: dist.ppf(u[:, j])
        for j, (k, dist) in enumerate(zip(space.keys, space.distributions, strict=True))
    }
    results = evaluate(samples)
    frames, pair_frames = [], []
    upper = np.triu_indices(d, 1)
    for outcome, y in results.items():
        y = np.asarray(y, dtype=float)
        if np.nanstd(y) == 0:
            zeros = np.zeros(len(names))
            res = {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
            res |= {"S2": np.zeros((d, d)), "S2_conf": np.zeros((d, d))}
        else:
            res = sobol_analyze.analyze(
                problem,
                np.nan_to_num(y),
                calc_second_order=second_order,
                seed=_bootstrap_seed(seed),
            )
        frame = pd.DataFrame({c: res[c] for c in ("S1", "S1_conf", "ST", "ST_conf")}, index=names)
        frame.index.name = "parameter"
        frames.append(frame.assign(outcome=outcome).set_index("outcome", append=True).swaplevel())
        if second_order:
            pair = pd.DataFrame(
                {
                    "outcome": outcome,
                    "parameter": [keys[i] for i in upper[0]],
                    "other": [keys[j] for j in upper[1]],
                    "S2": np.asarray(res["S2"], dtype=float)[upper],
                    "S2_conf": np.asarray(res["S2_conf"], dtype=float)[upper],
                }
            )
            pair_frames.append(pair.sort_values("S2", ascending=False, kind="stable"))
    indices = pd.concat(frames).sort_values(["outcome", "ST"], ascending=[True, False])
    if not second_order:
        return indices, None
    pairs = pd.concat(pair_frames).set_index(["outcome", "parameter", "other"])
    return indices, pairs


def _bootstrap_seed(seed: int) -> int:
    """Return the seed of SALib's bootstrap for the design's ``seed``: never 0.

    SALib's ``sobol.analyze`` seeds its bootstrap only ``if seed:``, so a seed of 0 (the
    command line's default) would leave the confidence intervals to NumPy's global random
    state and a rerun would not reproduce them. A stream of its own, derived from ``seed``.
    """
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0]) or 1


def sobol_for_scenario(
    scenario: Scenario,
    space: UncertaintySpace,
    n: int,
    seed: int,
    outcomes: tuple[str, ...] = ("stranded_peak", "npv_2026"),
    company: str = "industry",
    groups: bool = False,
) -> pd.DataFrame:
    """Sobol indices of the cohort model's outcomes for one company (default the industry).

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters that ``space`` leaves certain. [-]
    space : UncertaintySpace
        The uncertain parameters and their distributions. [-]
    n : int
        Base sample size, a power of two; the model runs ``n (d + 2)`` times. [-]
    seed : int
        Seed of Saltelli's design and of the bootstrap intervals. [-]
    outcomes : tuple of str
        Columns of the outcome table, from :data:`SOBOL_OUTCOMES`. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]
    groups : bool
        Indices of each group of parameters (:func:`sobol_indices`), ``n (g + 2)`` runs. [-]

    Returns
    -------
    pandas.DataFrame
        As :func:`sobol_indices`. [-]

    Raises
    ------
    InputError
        For an outcome outside :data:`SOBOL_OUTCOMES`.
    """
    n, seed, evaluate = _design(scenario, n, seed, outcomes, company)
    return sobol_indices(evaluate, space, n, seed, groups)


def model_evaluator(
    scenario: Scenario, outcomes: tuple[str, ...], company: str, who: str = "it needs"
) -> Callable[[Mapping[str, np.ndarray]], dict[str, np.ndarray]]:
    """Return the cohort model as ``samples -> {outcome: values}`` for one company, checked.

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters the samples leave out. [-]
    outcomes : tuple of str
        Columns of the outcome table, from :data:`SOBOL_OUTCOMES`. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]
    who : str
        Start of the error message for a bad outcome, e.g. ``"Sobol indices need"``. [-]

    Raises
    ------
    InputError
        For an unknown company or an outcome outside :data:`SOBOL_OUTCOMES`.
    """
    scenario.check_company(company)
    bad = [o for o in outcomes if o not in SOBOL_OUTCOMES]
    if bad:
        raise InputError(
            f"outcome {bad[0]!r}: {who} a numeric outcome, one of {', '.join(SOBOL_OUTCOMES)}"
        )

    def evaluate(samples: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = simulate(scenario, samples, breakeven=False, keep_series=False).outcomes
        rows = out[out["company"] == company].sort_values("scenario")
        return {o: rows[o].to_numpy(dtype=float) for o in outcomes}

    return evaluate


def sobol_pairs_for_scenario(
    scenario: Scenario,
    space: UncertaintySpace,
    n: int,
    seed: int,
    outcomes: tuple[str, ...] = ("stranded_peak", "npv_2026"),
    company: str = "industry",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol indices with the second-order ones, of the cohort model's outcomes for one company.

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters that ``space`` leaves certain. [-]
    space : UncertaintySpace
        The uncertain parameters and their distributions. [-]
    n : int
        Base sample size, a power of two; the model runs ``n (2 d + 2)`` times. [-]
    seed : int
        Seed of Saltelli's design and of the bootstrap intervals. [-]
    outcomes : tuple of str
        Columns of the outcome table, from :data:`SOBOL_OUTCOMES`. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]

    Returns
    -------
    tuple of pandas.DataFrame
        As :func:`sobol_pairs`. [fraction]
    """
    n, seed, evaluate = _design(scenario, n, seed, outcomes, company)
    return sobol_pairs(evaluate, space, n, seed)


def _design(
    scenario: Scenario, n: int, seed: int, outcomes: tuple[str, ...], company: str
) -> tuple[int, int, Callable[[Mapping[str, np.ndarray]], dict[str, np.ndarray]]]:
    """Check Saltelli's base sample size and the seed; return them with the model, checked."""
    n, seed = whole_number("n", n, 2), whole_number("seed", seed, 0)
    if n & (n - 1):
        raise InputError(
            f"n = {n}: Saltelli's design needs a power of two (e.g. {1 << n.bit_length()})"
        )
    return n, seed, model_evaluator(scenario, outcomes, company, "Sobol indices need")
