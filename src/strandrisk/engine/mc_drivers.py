"""Rank drivers of a Monte Carlo run's outcomes: which parameters move each outcome most.

Spearman rank correlation (with its confidence interval), standardised rank regression
coefficients and the rank regression's R² per company and outcome
(:func:`strandrisk.core.drivers.rank_drivers`), and @RISK's scenario analysis of each
outcome's tails (:func:`scenarios_frame`), over the first
:data:`~strandrisk.engine.mc_result.DRIVER_SCENARIOS` scenarios of a run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from strandrisk.core.drivers import (
    SCENARIO_BANDS,
    rank_drivers,
    scenario_shift,
    spearman_interval,
    whole_sample,
)
from strandrisk.engine.mc_result import CONFIDENCE, DRIVER_OUTCOMES, DRIVER_SCENARIOS

__all__ = ["drivers_frame", "drivers_from_rows", "first_rows", "scenarios_frame"]


def drivers_frame(samples: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Rank drivers of each outcome per company (:func:`strandrisk.core.drivers.rank_drivers`).

    Parameters
    ----------
    samples : pandas.DataFrame
        Parameter values, indexed by scenario, a column per parameter. [canonical units]
    outcomes : pandas.DataFrame
        Columns ``scenario``, ``company`` and the outcomes of :data:`DRIVER_OUTCOMES`, a row
        per scenario and company; rows with NaN are left out of that company's measures, and
        an outcome the rows lack, or hold only as NaN (a run stored before it was kept), is
        not ranked. [USD]

    Returns
    -------
    pandas.DataFrame
        Index (company, outcome, parameter), parameters by falling ``|spearman|``; columns
        ``spearman``, ``spearman_pm``, ``srrc``, ``r2``. [-]
    """
    parts = []
    keys = sorted(samples.columns)  # one order whatever the source (a run, its kept file, a store)
    names = [o for o in DRIVER_OUTCOMES if o in outcomes and outcomes[o].notna().any()]
    m = len(names)
    wide = outcomes.pivot(index="scenario", columns="company", values=names)
    wide = wide.swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    companies = sorted({str(c) for c in wide.columns.get_level_values(0)})
    values = wide.reindex(columns=pd.MultiIndex.from_product([companies, names])).to_numpy(
        dtype=float
    )
    if np.isfinite(values).all():  # the usual case: every company at once, parameters ranked once
        x = samples.loc[wide.index, keys].to_numpy(dtype=float)
        together = rank_drivers(x, values)
        ranked = {c: (together, slice(i * m, (i + 1) * m)) for i, c in enumerate(companies)}
    else:  # leave each company's incomplete rows out of its own measures
        ranked = {}
        for i, c in enumerate(companies):
            y = values[:, i * m : (i + 1) * m]
            keep = np.isfinite(y).all(axis=1)
            x = samples.loc[wide.index[keep], keys].to_numpy(dtype=float)
            ranked[c] = (rank_drivers(x, y[keep]), slice(0, m))
    for company in companies:
        measures, cols = ranked[company]
        for j, outcome in zip(range(cols.start, cols.stop), names, strict=True):
            rho = measures.spearman[:, j]
            frame = pd.DataFrame(
                {
                    "company": company,
                    "outcome": outcome,
                    "parameter": keys,
                    "spearman": rho,
                    "spearman_pm": spearman_interval(rho, measures.n, CONFIDENCE),
                    "srrc": measures.srrc[:, j],
                    "r2": measures.r2[j],
                }
            )
            order = np.argsort(-np.nan_to_num(np.abs(rho), nan=-1.0), kind="stable")
            parts.append(frame.iloc[order])
    if not parts:
        return pd.DataFrame(
            columns=["spearman", "spearman_pm", "srrc", "r2"],
            index=pd.MultiIndex.from_arrays(
                [[], [], []], names=["company", "outcome", "parameter"]
            ),
        )
    return pd.concat(parts).set_index(["company", "outcome", "parameter"])


def first_rows(samples: pd.DataFrame, outcomes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return a kept or stored run's rows over the scenarios ``run_mc`` ranks its drivers on.

    Parameters
    ----------
    samples : pandas.DataFrame
        Parameter values indexed by scenario ``0 .. n - 1``. [canonical units]
    outcomes : pandas.DataFrame
        Outcome rows with ``scenario``, ``company`` and :data:`DRIVER_OUTCOMES`. [USD]

    Returns
    -------
    tuple of pandas.DataFrame
        The first :data:`DRIVER_SCENARIOS` scenarios' parameter values, and their outcome
        rows with ``scenario``, ``company`` and the outcomes of :data:`DRIVER_OUTCOMES` the
        rows hold (older runs lack the newer ones). [canonical units, USD]
    """
    first = samples.iloc[:DRIVER_SCENARIOS]
    names = [o for o in DRIVER_OUTCOMES if o in outcomes]
    return first, outcomes.loc[outcomes["scenario"] < len(first), ["scenario", "company", *names]]


def drivers_from_rows(samples: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Rank drivers from a kept or stored run's rows, over the scenarios ``run_mc`` ranks.

    Parameters
    ----------
    samples : pandas.DataFrame
        Parameter values indexed by scenario ``0 .. n - 1``. [canonical units]
    outcomes : pandas.DataFrame
        Outcome rows with ``scenario``, ``company`` and :data:`DRIVER_OUTCOMES`. [USD]

    Returns
    -------
    pandas.DataFrame
        As :func:`drivers_frame`, over the first :data:`DRIVER_SCENARIOS` scenarios. [-]
    """
    return drivers_frame(*first_rows(samples, outcomes))


def scenarios_frame(samples: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """@RISK's scenario analysis of each outcome per company: what its tails have in common.

    For each company, outcome of :data:`DRIVER_OUTCOMES` and scenario of
    :data:`~strandrisk.core.drivers.SCENARIO_BANDS` (the draws above the outcome's 90th
    percentile and below its 10th), each parameter's median there against
    its median over all the draws, in its standard deviations
    (:func:`~strandrisk.core.drivers.scenario_shift`).

    Parameters
    ----------
    samples : pandas.DataFrame
        Parameter values, indexed by scenario, a column per parameter. [canonical units]
    outcomes : pandas.DataFrame
        Columns ``scenario``, ``company`` and outcomes of :data:`DRIVER_OUTCOMES`, a row per
        scenario and company; a company's draws where an outcome is NaN are left out of
        that outcome's scenarios, and an outcome with fewer than 20 values is skipped. [USD]

    Returns
    -------
    pandas.DataFrame
        Index (company, outcome, band, parameter), parameters by falling ``|delta_sd|``;
        columns ``median_subset``, ``median_all``, ``sd`` [parameter units], ``delta_sd``
        [sd] and ``share`` (of the draws in the band) [fraction]. [-]
    """
    keys = sorted(samples.columns)
    names = [o for o in DRIVER_OUTCOMES if o in outcomes and outcomes[o].notna().any()]
    wide = outcomes.pivot(index="scenario", columns="company", values=names)
    x_all = samples.loc[wide.index, keys].to_numpy(dtype=float)  # one order for every company
    whole = whole_sample(x_all)
    columns = ["median_subset", "median_all", "sd", "delta_sd", "share"]
    index = ["company", "outcome", "band", "parameter"]
    k, parameters = len(keys), np.asarray(keys, dtype=object)
    blocks: list[dict[str, np.ndarray]] = []
    for company in sorted({str(c) for c in wide.columns.get_level_values("company")}):
        for outcome in names:
            y = wide[(outcome, company)].to_numpy(dtype=float)
            keep = np.isfinite(y)
            if keep.sum() < 20:
                continue
            x, base = (x_all, whole) if keep.all() else (x_all[keep], whole_sample(x_all[keep]))
            for band, (q, above) in SCENARIO_BANDS.items():
                shift = scenario_shift(x, y[keep], q, above, base)
                order = np.argsort(-np.abs(shift.delta_sd), kind="stable")
                labels = {"company": company, "outcome": outcome, "band": band}
                blocks.append(
                    {
                        **{key: np.full(k, value, dtype=object) for key, value in labels.items()},
                        "parameter": parameters[order],
                        **{c: getattr(shift, c)[order] for c in columns[:-1]},
                        "share": np.full(k, shift.share),
                    }
                )
    if not blocks:
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_arrays([[]] * 4, names=index))
    stacked = {c: np.concatenate([b[c] for b in blocks]) for c in [*index, *columns]}
    return pd.DataFrame(stacked).set_index(index)
