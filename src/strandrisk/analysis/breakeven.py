"""Break-even demand growth and price decline over the uncertainty space, and as a surface."""

from __future__ import annotations

import numpy as np
import pandas as pd

from strandrisk.engine.mc_exec import sample_in_threads
from strandrisk.engine.simulate import simulate
from strandrisk.errors import InputError, did_you_mean, whole_number
from strandrisk.scenarios.sampling import UncertaintySpace
from strandrisk.scenarios.schema import Scenario

__all__ = ["breakeven_distribution", "breakeven_surface"]

_COLUMNS = ("breakeven_demand_growth", "breakeven_price_decline")


def breakeven_distribution(
    scenario: Scenario, space: UncertaintySpace, n: int, seed: int, company: str = "industry"
) -> pd.DataFrame:
    """Quantiles of the break-even values over ``n`` Latin-hypercube scenarios.

    Parameters
    ----------
    scenario : Scenario
        Fixed values of the parameters the space leaves certain. [-]
    space : UncertaintySpace
        The uncertain parameters and their distributions. [-]
    n : int
        Latin-hypercube scenarios to draw (at least 1). [-]
    seed : int
        Root seed (>= 0). [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]

    Returns
    -------
    pandas.DataFrame
        Index: the two break-even columns; columns ``p5, p25, p50, p75, p95, share_defined``
        (NaN where NPV never crosses zero is left out of the quantiles). [1/year]
    """
    n, seed = whole_number("n", n, 1), whole_number("seed", seed, 0)
    scenario.check_company(company)
    samples = sample_in_threads(space, 0, n, seed, "lhs")
    out = simulate(scenario, samples, keep_series=False).outcomes
    rows = out[out["company"] == company]
    table = {}
    for column in _COLUMNS:
        v = rows[column].to_numpy(dtype=float)
        ok = v[np.isfinite(v)]
        qs = np.quantile(ok, [0.05, 0.25, 0.5, 0.75, 0.95]) if ok.size else [np.nan] * 5
        table[column] = [*qs, ok.size / max(v.size, 1)]
    return pd.DataFrame(table, index=["p5", "p25", "p50", "p75", "p95", "share_defined"]).T


def breakeven_surface(
    scenario: Scenario,
    space: UncertaintySpace,
    x: str,
    y: str,
    grid: int,
    column: str = "breakeven_demand_growth",
    company: str = "industry",
) -> pd.DataFrame:
    """Break-even value on a grid over two parameters (P5 to P95 of their distributions).

    Parameters
    ----------
    scenario : Scenario
        Values of every parameter off the grid. [-]
    space : UncertaintySpace
        Where the P5 and P95 of ``x`` and ``y`` come from. [-]
    x, y : str
        Dotted keys of two uncertain parameters (rows and columns). [-]
    grid : int
        Points per axis. [-]
    column : str
        The break-even column to tabulate. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]

    Returns
    -------
    pandas.DataFrame
        Index: values of ``x``; columns: values of ``y``. [1/year]
    """
    scenario.check_company(company)
    if x == y:
        raise InputError(f"x and y are both {x!r}; a surface needs two different parameters")
    ranges = {}
    for axis, key in (("x", x), ("y", y)):
        if key not in space.keys:
            hint = did_you_mean(key, space.keys)
            raise InputError(
                f"{axis} = {key!r} is not an uncertain parameter"
                + (hint or f"; choose from {', '.join(space.keys)}")
            )
        dist = space.distributions[space.keys.index(key)]
        ranges[key] = dist.ppf(np.linspace(0.05, 0.95, grid))
    gx, gy = np.meshgrid(ranges[x], ranges[y], indexing="ij")
    out = simulate(scenario, {x: gx.ravel(), y: gy.ravel()}, keep_series=False).outcomes
    values = out[out["company"] == company][column].to_numpy(dtype=float).reshape(grid, grid)
    return pd.DataFrame(
        values, index=pd.Index(np.round(ranges[x], 6), name=x), columns=np.round(ranges[y], 6)
    )
