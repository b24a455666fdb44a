"""Booked lives against shorter ones: how much depreciation the disclosed lives leave out.

The article's claim is that five- and six-year schedules are "fiction" when hardware halves in
value every two to three years; Michael Burry put the consequence in numbers, about $176B of
depreciation understated by the hyperscalers over 2026-2028, with 2028 earnings overstated by
about 20 % (Meta) and 27 % (Oracle). Here the same scenario is booked twice: once at each
company's disclosed compute and network lives, once at one shorter life for all of them. The
difference in depreciation, year by year, is what the disclosed lives leave out of the income
statement; EBITDA, dispatch and retirement do not depend on the booked life, so EBIT falls by
exactly that difference. A second question turns it round: which single life makes the
understatement equal a stated figure (Burry's, by default)?
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from strandrisk.assumptions.register import load_register
from strandrisk.core.numeric import ordered_sum
from strandrisk.engine.model import accounts, build_cohorts, make_grid, reported_vintages
from strandrisk.engine.params import build_params
from strandrisk.engine.simulate import _history, simulate
from strandrisk.engine.valuation import add_industry
from strandrisk.errors import InputError
from strandrisk.scenarios.schema import COMPANIES, Scenario, field_metadata

__all__ = [
    "BURRY_ROW",
    "LATER",
    "LIFE_SCAN",
    "LifeEffect",
    "burry_target",
    "economic_lives",
    "life_effect",
]

BURRY_ROW = "depreciation_understated_burry_2026_2028"
"""The register row of Michael Burry's estimate of understated depreciation, 2026-2028. [USD]"""

LIFE_SCAN = (0.5, 6.0)
"""Lives searched for the one that reproduces a stated understatement. [year]"""
_COARSE, _FINE = 56, 64  # scan points: every 0.1 year, then 64 inside the bracketing step


@dataclass(frozen=True, slots=True)
class LifeEffect:
    """Depreciation at the booked lives against one shorter life, and the life a figure implies.

    Attributes
    ----------
    life : float or dict of str to float
        The alternative compute and network life, for every company, or per company. [year]
    first, last : int
        The calendar years compared. [year]
    by_year : pandas.DataFrame
        Index (company, year); columns ``booked`` and ``at_life`` (depreciation of compute,
        network and facilities [USD/year]), ``understated`` (``at_life - booked``), ``ebitda``,
        ``ebit_booked``, ``ebit_at_life`` [USD/year] and ``overstated`` (``ebit_booked /
        ebit_at_life - 1``, NaN where EBIT at the life is not positive) [fraction].
    total : pandas.DataFrame
        Index company: the same money columns summed over the years [USD], and
        ``overstated_last`` (the last year's overstatement) [fraction].
    later : pandas.DataFrame
        Index company: what each booking strands over the whole horizon, the outcome table's
        ``stranded_peak``, ``impairment_ifrs`` and ``impairment_usgaap`` at the booked lives
        (suffix ``_booked``) and at the life (``_at_life``) [USD]: the write-downs that faster
        depreciation takes through the income statement in advance.
    target : float or None
        The industry understatement over the years that ``implied_life`` reproduces. [USD]
    implied_life : float or None
        The single life at which the industry's understatement equals ``target`` (NaN if no
        life in :data:`LIFE_SCAN` does). [year]
    """

    life: float | dict[str, float]
    first: int
    last: int
    by_year: pd.DataFrame
    total: pd.DataFrame
    later: pd.DataFrame
    target: float | None = None
    implied_life: float | None = None


def burry_target(scenario: Scenario, first: int, last: int) -> float | None:
    """Burry's understatement [USD], where it compares: 2026-2028 and all five companies.

    His estimate covers the five hyperscalers together, so a scenario of some of them has no
    share of it to explain (None), nor has another span of years.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its companies). [-]
    first, last : int
        The calendar years compared. [year]
    """
    whole = {c.name for c in scenario.companies} == set(COMPANIES)
    if not whole or (first, last) != (2026, 2028):
        return None
    return load_register().value(BURRY_ROW)


def _lives(
    scenario: Scenario, rows: list[float | Mapping[str, float] | None]
) -> dict[str, np.ndarray]:
    """Build samples with a row per entry: one life for all, one per company, or None (booked)."""

    def value(life: float | Mapping[str, float] | None, company: str, own: float) -> float:
        if life is None:
            return own
        return float(life[company]) if isinstance(life, Mapping) else float(life)

    out = {}
    for c in scenario.companies:
        for field, own in (("compute_life", c.compute_life), ("network_life", c.network_life)):
            out[f"companies.{c.name}.{field}"] = np.array(
                [value(life, c.name, own) for life in rows], dtype=float
            )
    return out


def economic_lives(scenario: Scenario) -> dict[str, float]:
    """Each company's economic life of its 2026 cohorts, as the model finds it [year].

    The capex-weighted years from commissioning until EBITDA turns non-positive or the cohort
    retires (the outcome ``economic_life_years``): the life the economics supports.

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]
    """
    rows = simulate(scenario, breakeven=False, keep_series=False).outcomes.set_index("company")
    return {c.name: float(rows.loc[c.name, "economic_life_years"]) for c in scenario.companies}


def _depreciation(
    scenario: Scenario, samples: dict[str, np.ndarray], first: int, last: int
) -> tuple[np.ndarray, list[str]]:
    """Depreciation per row, company (industry last) and calendar year [USD/year].

    The books alone (no dispatch or valuation: the booked life changes nothing else), summed
    as :func:`~strandrisk.engine.finance.company_flows` sums the series ``depreciation``.
    """
    p = build_params(scenario, samples)
    full = make_grid(scenario.years)
    grid, cohorts, _ = reported_vintages(full, build_cohorts(p, full, _history(p.companies)))
    n = grid.t_rep
    dep = add_industry(ordered_sum(accounts(p, grid, cohorts).depreciation[..., :n], axis=-2))
    window = slice(4 * (first - 2026), 4 * (last - 2026 + 1))
    dep = dep[..., window]
    return dep.reshape((*dep.shape[:-1], last - first + 1, 4)).sum(-1), [
        *p.companies,
        "industry",
    ]


LATER = ("stranded_peak", "stranded_peak_to_2026", "impairment_ifrs", "impairment_usgaap")
"""Outcomes over the whole horizon compared in :attr:`LifeEffect.later`. [USD]"""


def _run_both(
    scenario: Scenario, both: dict[str, np.ndarray], first: int, last: int
) -> tuple[np.ndarray, pd.DataFrame]:
    """Run the two bookings once: EBITDA per company and year, and what each strands later.

    Returns EBITDA (K+1, years) [USD/year] from the booked row (it does not depend on the
    booked life), and peak stranded value and impairments at the booked lives (row 0) and at
    the life (row 1) per company [USD].
    """
    result = simulate(scenario, both, breakeven=False)
    assert result.series is not None  # simulate keeps the series by default
    x = result.series["ebitda"].to_numpy()[0][..., 4 * (first - 2026) : 4 * (last - 2026 + 1)]
    ebitda = x.reshape((*x.shape[:-1], last - first + 1, 4)).sum(-1)
    rows = result.outcomes
    out = {}
    for name in LATER:
        for s, suffix in ((0, "booked"), (1, "at_life")):
            part = rows[rows["scenario"] == s].set_index("company")[name]
            out[f"{name}_{suffix}"] = part.astype(float)
    return ebitda, pd.DataFrame(out).rename_axis("company")


def _check(scenario: Scenario, life: float | Mapping[str, float], first: int, last: int) -> None:
    meta = field_metadata(f"companies.{scenario.companies[0].name}.compute_life")
    lo, hi = meta["lo"], meta["hi"]
    names = [c.name for c in scenario.companies]
    if isinstance(life, Mapping):
        missing = [n for n in names if n not in life]
        unknown = sorted(set(life) - set(names))
        if missing or unknown:
            what = f"no life for {missing[0]!r}" if missing else f"unknown company {unknown[0]!r}"
            raise InputError(f"life: {what}; give one for each of {', '.join(names)}")
        values = [(f"life[{n!r}]", life[n]) for n in names]
    else:
        values = [("life", life)]
    for label, v in values:
        if not np.isfinite(v) or not lo <= v <= hi:
            raise InputError(f"{label} {v!r}: a booked life is between {lo:g} and {hi:g} years")
    end = 2025 + scenario.years
    if not 2026 <= first <= last <= end:
        raise InputError(
            f"years {first}-{last}: the first and last calendar years compared, within the "
            f"horizon 2026-{end}"
        )


def life_effect(
    scenario: Scenario,
    life: float | Mapping[str, float] = 3.0,
    first: int = 2026,
    last: int = 2028,
    target: float | None = None,
) -> LifeEffect:
    """Compare depreciation at each company's booked lives with one shorter life.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its companies' ``compute_life`` and ``network_life`` are the booked
        lives. [-]
    life : float or mapping of str to float
        The alternative life of compute and network: the same for every company (the
        article: refresh cycles of two to three years), or one per company, such as
        :func:`economic_lives`. [year]
    first, last : int
        Calendar years compared, inclusive (Burry's estimate: 2026-2028). [year]
    target : float, optional
        An industry understatement over the years to explain: the single life that
        reproduces it is solved for (a scan of :data:`LIFE_SCAN` every 0.1 year, a finer
        scan of the bracketing step, linear interpolation). [USD]

    Returns
    -------
    LifeEffect
        Depreciation, EBIT and their differences per company and year, and the implied life.

    Raises
    ------
    InputError
        A life outside the allowed range, years outside the horizon, a target that is not a
        positive number.
    """
    _check(scenario, life, first, last)
    if target is not None and not (np.isfinite(target) and target > 0):
        raise InputError(f"target {target!r}: an understatement in USD, above 0")
    both = _lives(scenario, [None, life])
    dep, companies = _depreciation(scenario, both, first, last)
    ebitda, later = _run_both(scenario, both, first, last)
    index = pd.MultiIndex.from_product(
        [companies, range(first, last + 1)], names=["company", "year"]
    )
    ebit_booked, ebit_life = ebitda - dep[0], ebitda - dep[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        over = np.where(ebit_life > 0, ebit_booked / ebit_life - 1.0, np.nan)
    by_year = pd.DataFrame(
        {
            "booked": dep[0].ravel(),
            "at_life": dep[1].ravel(),
            "understated": (dep[1] - dep[0]).ravel(),
            "ebitda": ebitda.ravel(),
            "ebit_booked": ebit_booked.ravel(),
            "ebit_at_life": ebit_life.ravel(),
            "overstated": over.ravel(),
        },
        index=index,
    )
    total = by_year.drop(columns="overstated").groupby(level="company", sort=False).sum()
    total["overstated_last"] = by_year["overstated"].xs(last, level="year")
    implied = None
    if target is not None:
        booked = float(dep[0, -1].sum())  # the industry's, over the years
        implied = _implied_life(scenario, first, last, target, booked)
    kept = dict(life) if isinstance(life, Mapping) else float(life)
    return LifeEffect(kept, first, last, by_year, total, later, target, implied)


def _implied_life(scenario: Scenario, first: int, last: int, target: float, booked: float) -> float:
    """Find the longest life in :data:`LIFE_SCAN` whose industry understatement is ``target``."""

    def gap(lives: np.ndarray) -> np.ndarray:
        dep, _ = _depreciation(scenario, _lives(scenario, list(lives)), first, last)
        return dep[:, -1].sum(axis=-1) - booked - target

    grid = np.linspace(*LIFE_SCAN, _COARSE)
    reached = np.flatnonzero(gap(grid) >= 0)
    if reached.size == 0 or reached[-1] == grid.size - 1:
        return float("nan")  # never reached, or already at the longest life searched
    i = int(reached[-1])
    fine = np.linspace(grid[i], grid[i + 1], _FINE)
    g = gap(fine)
    j = int(np.flatnonzero(g >= 0)[-1])
    if j == fine.size - 1:
        return float(fine[j])
    a, b, fa, fb = fine[j], fine[j + 1], g[j], g[j + 1]
    return float(a + (b - a) * fa / (fa - fb))
