"""Feature scores: which parameters an extra-trees forest splits the outcome on (EMA Workbench).

EMA Workbench's ``feature_scoring.get_feature_scores_all`` with its default, extra trees
(Geurts, Ernst and Wehenkel, 2006), as Jaxa-Rozen and Kwakkel (2018) set them up for
scenario discovery: a forest of :data:`TREES` randomised regression trees (scikit-learn's
``ExtraTreesRegressor``) fitted to each outcome over the draws, each tree on a bootstrap
resample, a third of the parameters tried at each split, leaves of at least
``max(1, round(sqrt(n / 1000)))`` draws. A parameter's score is its share of the forest's
reduction in squared error (the impurity importances sum to 1 over the inputs). Like PAWN it
needs no design -- the same Latin-hypercube draws as ``strandrisk mc``, correlations included,
or a kept run's -- and it catches effects that interact or reverse, which rank correlations
miss.

Two checks come with the scores. The forest's out-of-bag R² says how much of the outcome's
variance the parameters explain at all (the scores share out only that part). And
:data:`PROBES` dummy parameters, drawn independently of everything and fitted beside the real
ones (the random-probe check of feature selection), score what an input that does nothing
scores at this sample size; the largest of them is the noise floor, and a parameter at or
below it cannot be told from noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from strandrisk.analysis._given import checked_draws, measurable, on_new_draws
from strandrisk.analysis.sobol import model_evaluator
from strandrisk.errors import InputError, whole_number
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = [
    "PROBE",
    "PROBES",
    "TREES",
    "feature_scores",
    "feature_scores_for_scenario",
    "feature_scores_given",
    "forest_fit",
    "scores_wide",
]

TREES = 100
"""Trees in each outcome's forest (EMA Workbench's default)."""
PROBES = 5
"""Dummy parameters fitted beside the real ones; the largest score among them is the floor."""
PROBE = "(noise floor)"
"""Row of the noise floor: the largest score of the dummy parameters."""
_FEWEST = 50
"""Fewest draws with a value for a forest."""


def _enough(n: int) -> int:
    """Return ``n``, or refuse too few draws for a forest."""
    return checked_draws(n, _FEWEST, "feature scores need")


def feature_scores(
    evaluate: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
    space: UncertaintySpace,
    n: int,
    seed: int,
) -> pd.DataFrame:
    """Extra-trees feature scores of every parameter for each outcome, with the noise floor.

    Parameters
    ----------
    evaluate : callable
        ``samples -> {outcome: values}`` for a dict of parameter arrays. [-]
    space : UncertaintySpace
        Parameters, their distributions and rank correlations. [-]
    n : int
        Latin-hypercube draws (the same as ``mc --sampler lhs --seed SEED``). [count]
    seed : int
        Root seed of the draws, the dummy parameters and the forests. [-]

    Returns
    -------
    pandas.DataFrame
        Index (outcome, parameter), the outcomes in the order given, the noise floor as
        :data:`PROBE` among the parameters, largest ``score`` first per outcome; columns
        ``score`` (the parameter's share of the forest's reduction in squared error; over the
        parameters and the dummies they sum to 1) and ``oob_r2`` (the outcome's forest's
        out-of-bag R², the same on each of its rows). [-]
    """
    return on_new_draws(feature_scores_given, evaluate, space, n, seed, _enough)


def feature_scores_given(
    samples: Mapping[str, np.ndarray],
    results: Mapping[str, np.ndarray],
    seed: int = 0,
) -> pd.DataFrame:
    """Extra-trees feature scores from draws already made, such as a kept Monte Carlo run's.

    Parameters
    ----------
    samples : mapping of str to ndarray (n,)
        Each parameter's drawn values. [parameter units]
    results : mapping of str to ndarray (n,)
        Each outcome's value per draw; draws where it is NaN are left out of it. [outcome unit]
    seed : int
        Seed of the dummy parameters and of the forests. [-]

    Returns
    -------
    pandas.DataFrame
        As :func:`feature_scores`. [-]
    """
    from sklearn.ensemble import ExtraTreesRegressor  # scikit-learn is slow to import

    keys = list(samples)
    _enough(len(samples[keys[0]]) if keys else 0)
    n = len(samples[keys[0]])
    probes = np.random.default_rng([seed, 0x7EE5]).random((n, PROBES))  # independent
    x_all = np.column_stack([*(np.asarray(samples[k], dtype=float) for k in keys), probes])
    frames = []
    for outcome, keep, y in measurable(results, _FEWEST):
        forest = ExtraTreesRegressor(  # EMA Workbench's get_ex_feature_scores defaults
            n_estimators=TREES,
            max_features=max(1, round(x_all.shape[1] / 3)),
            min_samples_leaf=max(1, round(math.sqrt(len(y)) / math.sqrt(1000))),
            bootstrap=True,
            oob_score=True,
            random_state=int(np.random.SeedSequence([seed, 0x7EE6]).generate_state(1)[0]),
            n_jobs=-1,  # each tree's seed is drawn before they are fitted: any thread count
        ).fit(x_all[keep], y)
        scores = np.asarray(forest.feature_importances_, dtype=float)
        d = len(keys)
        frame = pd.DataFrame(
            {"score": [*scores[:d], float(scores[d:].max())]},
            index=pd.Index([*keys, PROBE], name="parameter"),
        ).assign(oob_r2=float(forest.oob_score_))
        frame = frame.sort_values("score", ascending=False, kind="stable")
        frames.append(frame.assign(outcome=outcome).set_index("outcome", append=True).swaplevel())
    if not frames:
        raise InputError("no outcome has enough draws with a value, and a spread, for a forest")
    return pd.concat(frames)  # the outcomes in the order given


def forest_fit(scores: pd.DataFrame) -> pd.Series:
    """Return each outcome's forest's out-of-bag R², the outcomes in the order given.

    Parameters
    ----------
    scores : pandas.DataFrame
        As :func:`feature_scores` returns. [-]

    Returns
    -------
    pandas.Series
        Index outcome. [-]
    """
    return scores["oob_r2"].groupby(level="outcome", sort=False).first()


def scores_wide(scores: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Lay feature scores out as EMA Workbench's table: a row per parameter, a column per outcome.

    Parameters
    ----------
    scores : pandas.DataFrame
        As :func:`feature_scores` returns. [-]
    top : int or None
        Keep the parameters with the largest score in any outcome, this many (all if None).
        [count]

    Returns
    -------
    pandas.DataFrame
        Index parameter, largest score over the outcomes first, the noise floor's row last;
        a column per outcome in the order given. [-]
    """
    outcomes = list(dict.fromkeys(scores.index.get_level_values("outcome")))
    wide = scores["score"].unstack("outcome")[outcomes]
    floor = wide.loc[[PROBE]]
    rest = wide.drop(index=PROBE)
    rest = rest.loc[rest.max(axis=1).sort_values(ascending=False, kind="stable").index]
    return pd.concat([rest if top is None else rest.head(top), floor])


def feature_scores_for_scenario(
    scenario: Scenario,
    space: UncertaintySpace,
    n: int,
    seed: int,
    outcomes: tuple[str, ...] = ("stranded_peak", "npv_2026"),
    company: str = "industry",
) -> pd.DataFrame:
    """Extra-trees feature scores of the cohort model's outcomes for one company.

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters that ``space`` leaves certain. [-]
    space : UncertaintySpace
        The uncertain parameters, their distributions and correlations. [-]
    n : int
        Latin-hypercube draws, at least 50; the model runs ``n`` times. [count]
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
        As :func:`feature_scores`. [-]
    """
    seed = whole_number("seed", seed, 0)
    evaluate = model_evaluator(scenario, outcomes, company, "Feature scores need")
    return feature_scores(evaluate, space, n, seed)
