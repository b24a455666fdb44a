"""What the sensitivity measures on plain draws share: RBD-FAST, PAWN and the feature scores.

Each reads Latin-hypercube draws -- new ones, the same as ``mc --sampler lhs --seed S``, or a
kept run's -- and the model's outcomes on them, outcome by outcome, leaving out the draws where
an outcome has no value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy as np
import pandas as pd

from strandrisk.engine.mc_exec import sample_in_threads
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import UncertaintySpace

__all__ = ["checked_draws", "measurable", "on_new_draws"]

Given = Callable[[Mapping[str, np.ndarray], Mapping[str, np.ndarray], int], pd.DataFrame]
"""A measure on given draws: ``(samples, results, seed) -> indices``."""


def checked_draws(n: int, fewest: int, who: str, why: str = "") -> int:
    """Return ``n``, or refuse fewer draws than a measure needs.

    Parameters
    ----------
    n : int
        Draws given or asked for. [count]
    fewest : int
        The fewest the measure works with. [count]
    who : str
        The start of the message, e.g. ``"PAWN needs"``. [-]
    why : str
        Said after the number, e.g. ``" (10 in each of its 10 intervals)"``. [-]
    """
    if n < fewest:
        raise InputError(f"n = {n}: {who} at least {fewest} draws{why}; 2,000 is typical")
    return n


def on_new_draws(
    given: Given,
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    n: int,
    seed: int,
    enough: Callable[[int], int],
) -> pd.DataFrame:
    """Draw ``n`` Latin-hypercube scenarios, run the model on them and measure.

    Parameters
    ----------
    given : callable
        The measure on given draws, ``(samples, results, seed) -> indices``. [-]
    evaluate : callable
        ``samples -> {outcome: values}`` for a dict of parameter arrays. [-]
    space : UncertaintySpace
        Parameters, their distributions and rank correlations. [-]
    n : int
        Draws (the same as ``mc --sampler lhs --seed SEED``). [count]
    seed : int
        Root seed of the draws and of the measure. [-]
    enough : callable
        Checks ``n`` before the model runs (:func:`checked_draws`). [-]
    """
    n = enough(whole_number("n", n, 1))
    samples = sample_in_threads(space, 0, n, seed, "lhs")
    return given(samples, evaluate(samples), seed)


def measurable(
    results: Mapping[str, np.ndarray], fewest: int, spread: bool = True
) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Yield each outcome that can be measured, with its draws that have a value.

    Parameters
    ----------
    results : mapping of str to ndarray (n,)
        Each outcome's value per draw; NaN where it has none. [outcome unit]
    fewest : int
        Leave out an outcome with fewer draws with a value (an IRR that rarely exists). [count]
    spread : bool
        Also leave out an outcome that takes one value only. [-]

    Yields
    ------
    tuple of (str, ndarray of bool, ndarray)
        The outcome, which draws have a value, and those values. [-, -, outcome unit]
    """
    for outcome, values in results.items():
        y = np.asarray(values, dtype=float)
        keep = ~np.isnan(y)
        if keep.sum() < fewest or (spread and np.ptp(y[keep]) == 0):
            continue
        yield outcome, keep, y[keep]
