"""What separates two scenarios: their differing parameters, and a bridge of the outcomes.

:func:`scenario_diff` lists the values two scenarios set differently; :func:`prior_diff` the
priors of their uncertainty blocks. :func:`bridge` then walks an outcome from the first
scenario to the second and says how much of the change each difference accounts for.

The walk is a Shapley decomposition (Shapley 1953; Shorrocks, "Decomposition procedures for
distributional analysis", J. Econ. Inequality 11, 2013): the model runs on every subset of
the differences switched to the second scenario's values (``2^k`` scenarios for ``k``
differences, one batch), and each difference is credited with its marginal effect averaged
over every order in which the changes could be made. Unlike an analyst's step-by-step walk,
the result does not depend on the order, and the contributions add up exactly to the total
change. Each difference's effect alone (the first scenario with only that change) comes
with it; the gap between the two is what it owes to the other changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from strandrisk.engine.simulate import OUTCOME_UNITS, simulate
from strandrisk.errors import InputError
from strandrisk.scenarios.sampling import UncertaintySpace, copula_text
from strandrisk.scenarios.schema import GROUPS, SHARE_RULES, Scenario, field_metadata

__all__ = [
    "BRIDGE_OUTCOMES",
    "MAX_STEPS",
    "Bridge",
    "bridge",
    "choice_batches",
    "key_unit",
    "outcomes_at",
    "prior_diff",
    "scenario_diff",
    "with_choices",
]

BRIDGE_OUTCOMES: tuple[str, ...] = tuple(
    k
    for k, unit in OUTCOME_UNITS.items()
    if unit in ("USD", "year", "1/year", "ratio") and k != "first_negative_fcf_year"
)
"""Outcome columns a bridge can walk: the numeric ones (not dates). [-]"""
MAX_STEPS = 12
"""Most differences bridged one by one (``2^12 = 4,096`` model runs); beyond it they are
grouped by TOML table. [-]"""
_BREAKEVEN = ("breakeven_demand_growth", "breakeven_price_decline")


def key_unit(key: str) -> str:
    """Return the unit of any scenario key, company keys included (``""`` for a choice).

    Parameters
    ----------
    key : str
        A dotted key of :meth:`Scenario.flat`, such as ``companies.meta.compute_life``. [-]
    """
    if key in ("start", "years"):
        return {"start": "ISO quarter", "years": "year"}[key]
    return str(field_metadata(key).get("unit", ""))


def _values(scenario: Scenario) -> dict[str, Any]:
    return {**scenario.flat(), "companies.include": [c.name for c in scenario.companies]}


def _same(a: Any, b: Any) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)


def scenario_diff(first: Scenario, second: Scenario) -> pd.DataFrame:
    """List every value the two scenarios set differently.

    Parameters
    ----------
    first, second : Scenario
        The scenarios (:func:`strandrisk.load_scenario`). [-]

    Returns
    -------
    pandas.DataFrame
        One row per differing key, in the order of a scenario file: ``key``, ``unit``,
        ``first``, ``second`` (``None`` for a company one of them leaves out). Empty when
        they set every value alike. [canonical units]
    """
    a, b = _values(first), _values(second)
    keys = list(a) + [k for k in b if k not in a]
    rows = [
        {"key": k, "unit": key_unit(k), "first": a.get(k), "second": b.get(k)}
        for k in keys
        if not _same(a.get(k), b.get(k))
    ]
    return pd.DataFrame(rows, columns=["key", "unit", "first", "second"])


def _describe(dist: Any) -> str:
    """Say what a prior is in a few words (``triangular 0.5 / 1 / 1.5``)."""
    g = "{:.4g}".format
    kind = dist.kind
    if kind == "fixed":
        text = f"fixed at {g(dist.mode)}"
    elif kind in ("triangular", "pert"):
        text = f"{kind} {g(dist.low)} / {g(dist.mode)} / {g(dist.high)}"
    elif kind in ("normal", "lognormal"):
        text = f"{kind}, P5 {g(dist.low)}, P95 {g(dist.high)}"
    elif kind == "empirical":
        lo, hi = g(min(dist.values)), g(max(dist.values))
        text = f"empirical, {len(dist.values)} values from {lo} to {hi}"
        if dist.weights:
            total = sum(dist.weights)
            shares = ", ".join(
                f"{g(v)} {w / total:.0%}" for v, w in zip(dist.values, dist.weights, strict=True)
            )
            text = f"discrete: {shares}" if len(dist.values) <= 5 else f"{text}, weighted"
    elif kind == "beta":
        text = f"beta({g(dist.shape[0])}, {g(dist.shape[1])}) {g(dist.low)} to {g(dist.high)}"
    elif kind == "cumulative":
        points = ", ".join(
            f"P{100 * p:g} {g(v)}" for v, p in zip(dist.values, dist.probabilities, strict=True)
        )
        text = f"cumulative {g(dist.low)} to {g(dist.high)}, {points}"
    else:
        text = f"{kind} {g(dist.low)} to {g(dist.high)}"
    if dist.truncated:
        text += f", truncated to [{g(dist.truncate[0])}, {g(dist.truncate[1])}]"
    a, b = dist.band
    if (a, b) != (0.0, 1.0):
        text += f", drawn from P{100 * a:g} to P{100 * b:g}"
    return text


def _shape(dist: Any, value: Any) -> tuple:
    """Return what defines a prior, its mode left out where it is the scenario's value."""
    follows = dist.kind not in ("fixed", "empirical") and dist.mode == value
    mode = None if follows else dist.mode
    shape = (dist.kind, dist.low, dist.high, mode, dist.values, dist.weights)
    return (*shape, dist.band, dist.truncate, dist.probabilities, dist.shape)


def prior_diff(
    first: UncertaintySpace,
    second: UncertaintySpace,
    first_values: Scenario,
    second_values: Scenario,
) -> tuple[pd.DataFrame, list[tuple[str, str, float, float]]]:
    """List the priors and rank correlations two uncertainty blocks set differently.

    A prior whose mode is its scenario's own value (the register's priors are centred so)
    counts as the same when only that mode moves with the value: the value's change is
    already in :func:`scenario_diff`.

    Parameters
    ----------
    first, second : UncertaintySpace
        The uncertainty spaces (:func:`strandrisk.load_uncertainty`). [-]
    first_values, second_values : Scenario
        The scenarios they belong to (for the modes). [-]

    Returns
    -------
    priors : pandas.DataFrame
        ``key``, ``unit``, ``first``, ``second``: each prior in words, ``"not drawn"`` where
        a scenario holds the key at its value; last, ``correlations.copula`` where the two
        join their parameters through different copulas. [-]
    correlations : list of (str, str, float, float)
        Pairs of keys drawn in both whose target rank correlation differs: the keys and
        the two values (0 where a block does not correlate them). [-]
    """
    da = dict(zip(first.keys, first.distributions, strict=True))
    db = dict(zip(second.keys, second.distributions, strict=True))
    va, vb = first_values.flat(), second_values.flat()
    rows = []
    for key in sorted(set(da) | set(db)):
        pa, pb = da.get(key), db.get(key)
        if pa is not None and pb is not None and _shape(pa, va[key]) == _shape(pb, vb[key]):
            continue
        rows.append(
            {
                "key": key,
                "unit": key_unit(key),
                "first": _describe(pa) if pa is not None else "not drawn",
                "second": _describe(pb) if pb is not None else "not drawn",
            }
        )

    def rho(space: UncertaintySpace) -> dict[tuple[str, str], float]:
        out = {}
        for i, ki in enumerate(space.keys):
            for j in range(i + 1, len(space.keys)):
                a, b = sorted((ki, space.keys[j]))
                out[a, b] = float(space.correlation[i, j])
        return out

    if first.copula_df != second.copula_df:  # how the correlations join the parameters
        texts = (copula_text(first.copula_df), copula_text(second.copula_df))
        rows.append(
            {"key": "correlations.copula", "unit": "-", "first": texts[0], "second": texts[1]}
        )
    ra, rb = rho(first), rho(second)
    pairs = [  # pairs drawn in both: a key drawn in one only is in ``priors`` already
        (p[0], p[1], ra[p], rb[p]) for p in sorted(set(ra) & set(rb)) if ra[p] != rb[p]
    ]
    return pd.DataFrame(rows, columns=["key", "unit", "first", "second"]), pairs


@dataclass(frozen=True, slots=True)
class Bridge:
    """An outcome walked from one scenario to another, difference by difference.

    Attributes
    ----------
    first, second : str
        The two scenarios' names. [-]
    company : str
        Whose outcomes: a company or ``"industry"``. [-]
    steps : tuple of str
        One label per difference (a key, or a group such as ``capex.share_*``). [-]
    keys : tuple of tuple of str
        The keys each step switches. [-]
    start, end : pandas.Series
        Each outcome in the first and in the second scenario. [outcome units]
    contribution : pandas.DataFrame
        Shapley contribution of each step (rows) to each outcome's change (columns); each
        column adds up to ``end - start``. [outcome units]
    alone : pandas.DataFrame
        Each step's effect made alone, from the first scenario. [outcome units]
    runs : int
        Model runs (``2^k``). [count]
    grouped : bool
        Whether the differences were grouped by TOML table (more than :data:`MAX_STEPS`). [-]
    """

    first: str
    second: str
    company: str
    steps: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...]
    start: pd.Series
    end: pd.Series
    contribution: pd.DataFrame
    alone: pd.DataFrame
    runs: int
    grouped: bool

    @property
    def interaction(self) -> pd.Series:
        """Total change less the sum of the steps' effects alone, per outcome [outcome units]."""
        return (self.end - self.start) - self.alone.sum(axis=0)

    def table(self) -> pd.DataFrame:
        """Return the bridge as one table: the first scenario, each step, the second.

        Returns
        -------
        pandas.DataFrame
            Columns ``step``, ``keys``, then per outcome its level (first and last rows) or
            Shapley contribution (``<outcome>``) and the step's effect alone
            (``<outcome>_alone``). [outcome units]
        """
        rows = [{"step": self.first, "keys": "", **self.start.to_dict()}]
        for step, keys in zip(self.steps, self.keys, strict=True):
            row: dict[str, Any] = {"step": step, "keys": ", ".join(keys)}
            for o in self.start.index:
                row[o] = self.contribution.loc[step, o]
                row[f"{o}_alone"] = self.alone.loc[step, o]
            rows.append(row)
        rows.append({"step": self.second, "keys": "", **self.end.to_dict()})
        columns = ["step", "keys"] + [c for o in self.start.index for c in (o, f"{o}_alone")]
        return pd.DataFrame(rows).reindex(columns=columns)

    def as_json(self) -> dict[str, Any]:
        """Return the bridge as JSON-ready data (NaN as null)."""

        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {
            "first": self.first,
            "second": self.second,
            "company": self.company,
            "method": "Shapley decomposition over every subset of the differences",
            "runs": self.runs,
            "grouped": self.grouped,
            "start": {k: num(v) for k, v in self.start.items()},
            "end": {k: num(v) for k, v in self.end.items()},
            "steps": [
                {
                    "step": step,
                    "keys": list(keys),
                    "contribution": {k: num(v) for k, v in self.contribution.loc[step].items()},
                    "alone": {k: num(v) for k, v in self.alone.loc[step].items()},
                }
                for step, keys in zip(self.steps, self.keys, strict=True)
            ],
            "units": {k: OUTCOME_UNITS[k] for k in self.start.index},
        }


def _players(diff: pd.DataFrame) -> tuple[list[str], list[tuple[str, ...]], bool]:
    """Group the differing keys into steps: linked shares move together; many keys by table."""
    keys = list(diff["key"])
    linked = {k: rule.keys for rule in SHARE_RULES for k in rule.keys}
    steps: list[tuple[str, ...]] = []
    for k in keys:
        group = tuple(x for x in linked.get(k, (k,)) if x in keys)
        if group not in steps:
            steps.append(group)
    if len(steps) > MAX_STEPS:
        tables: dict[str, list[str]] = {}
        for k in keys:
            parts = k.split(".")
            table = ".".join(parts[:2]) if parts[0] == "companies" else parts[0]
            tables.setdefault(table, []).append(k)
        return [f"{t}.*" for t in tables], [tuple(v) for v in tables.values()], True
    labels = [  # a linked pair by its table once: market.open_source_share + device_share
        g[0]
        if len(g) == 1
        else "capex.share_*"
        if g[0].startswith("capex.")
        else " + ".join([g[0], *(x.split(".", 1)[1] for x in g[1:])])
        for g in steps
    ]
    return labels, steps, False


def with_choices(scenario: Scenario, choices: Mapping[str, Any], where: str) -> Scenario:
    """Return the scenario with some of its group settings changed (choices and switches).

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]
    choices : mapping of str to object
        ``{"capex.path": "flat", "financing.amortising": True}``: keys of a group. [-]
    where : str
        What asks, for messages. [-]

    Raises
    ------
    InputError
        A key that is not a group setting, or a value the setting does not take.
    """
    for key, choice in choices.items():
        group, _, name = key.partition(".")
        part = getattr(scenario, group, None) if group in GROUPS else None
        if part is None or name not in {f.name for f in fields(part)}:
            raise InputError(f"{where}: {key!r} is not a scenario setting")
        try:
            scenario = replace(scenario, **{group: replace(part, **{name: choice})})
        except (TypeError, ValueError) as exc:
            raise InputError(f"{where}: {key} = {choice!r}: {exc}") from None
    return scenario


def outcomes_at(
    scenario: Scenario,
    settings: Sequence[Mapping[str, Any]],
    outcomes: Sequence[str],
    company: str,
    where: str,
) -> np.ndarray:
    """Run the scenario once per setting of some of its values, in as few batches as can be.

    Numeric values vary within one ``simulate`` batch; each combination of non-numeric
    choices (``capex.path``, ``market.leakage_driver``) is a batch of its own.

    Parameters
    ----------
    scenario : Scenario
        Every value a setting leaves out stays as here. [-]
    settings : sequence of mapping
        ``{dotted.key: value}`` per run, all with the same keys. [canonical units]
    outcomes : sequence of str
        Columns of the outcome table; break-even ones solve the break-even too. [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]
    where : str
        What asks, for messages. [-]

    Returns
    -------
    ndarray, shape (len(settings), len(outcomes))
        The outcomes of ``company`` in each run. [outcome units]

    Raises
    ------
    InputError
        A value a parameter does not take (out of its range, not a number, a choice it
        does not offer, shares that stop adding up).
    """
    value = np.full((len(settings), len(outcomes)), np.nan)
    for run, rows, samples in choice_batches(scenario, settings, where):
        try:
            result = simulate(
                run,
                samples or None,
                breakeven=any(o in _BREAKEVEN for o in outcomes),
                keep_series=False,
            )
        except ValueError as exc:  # a value out of its range, shares that stop adding up
            raise InputError(f"{where}: {exc}") from None
        table = result.outcomes[result.outcomes["company"] == company]
        value[rows] = table[list(outcomes)].to_numpy(dtype=float)
    return value


def choice_batches(
    scenario: Scenario, settings: Sequence[Mapping[str, Any]], where: str
) -> Iterator[tuple[Scenario, list[int], dict[str, np.ndarray]]]:
    """Group settings by their non-numeric choices: one scenario and batch of values each.

    Parameters
    ----------
    scenario : Scenario
        Every value a setting leaves out stays as here. [-]
    settings : sequence of mapping
        ``{dotted.key: value}`` per run, all with the same keys. [canonical units]
    where : str
        What asks, for messages. [-]

    Yields
    ------
    tuple
        The scenario with the batch's choices (``capex.path``, switches), the settings'
        positions in the batch, and each numeric key's values over them. [-, -, key units]

    Raises
    ------
    InputError
        A numeric key given something that is not a number, a choice it does not offer.
    """
    flat = scenario.flat()
    keys = list(settings[0]) if settings else []
    choices = [k for k in keys if isinstance(flat[k], bool | str)]
    numeric = [k for k in keys if k not in choices]
    batches: dict[tuple, list[int]] = {}
    for i, setting in enumerate(settings):
        batches.setdefault(tuple(setting[k] for k in choices), []).append(i)
    for chosen, rows in batches.items():
        run = with_choices(scenario, dict(zip(choices, chosen, strict=True)), where)
        samples = {}
        for key in numeric:
            try:
                samples[key] = np.array([float(settings[i][key]) for i in rows])
            except (TypeError, ValueError):
                raise InputError(f"{where}: {key} takes numbers") from None
        yield run, rows, samples


def _shapley(v: np.ndarray, k: int) -> np.ndarray:
    """Shapley values of ``k`` players from a game's values over every subset (bit masks)."""
    masks = np.arange(2**k)
    size = np.array([bin(m).count("1") for m in masks])
    weight = np.array(
        [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    )
    out = np.empty((k, *v.shape[1:]))
    for i in range(k):  # a handful of players; each sum over 2^(k-1) subsets is vectorised
        without = masks[(masks >> i) & 1 == 0]
        w = weight[size[without]].reshape(-1, *([1] * (v.ndim - 1)))
        out[i] = np.sum(w * (v[without | (1 << i)] - v[without]), axis=0)
    return out


def bridge(
    first: Scenario,
    second: Scenario,
    outcomes: Sequence[str] = ("stranded_peak", "impairment_ifrs", "npv_2026"),
    company: str = "industry",
) -> Bridge:
    """Walk outcomes from one scenario to another: what each difference accounts for.

    The model runs on every subset of the differences (``2^k`` scenarios in one batch per
    combination of non-numeric choices); each difference's Shapley contribution is its
    marginal effect averaged over every order of making the changes, so the contributions
    add up exactly to the change and do not depend on an order. Shares that must add up
    (``capex.share_*``; the open-weight and device ceilings) move together as one step; more
    than :data:`MAX_STEPS` differences are grouped by TOML table (``market.*``).

    Parameters
    ----------
    first, second : Scenario
        From and to; the same companies and horizon. [-]
    outcomes : sequence of str
        Columns of the outcome table, from :data:`BRIDGE_OUTCOMES` (break-even values cost
        about 130 model runs each). [-]
    company : str
        A company of both scenarios, or ``"industry"``. [-]

    Returns
    -------
    Bridge
        Start, end, contributions and effects alone.

    Raises
    ------
    InputError
        Different companies or horizons, no difference, an unknown outcome or company.
    """
    outcomes = tuple(outcomes)
    if not outcomes:
        raise InputError("bridge: name at least one outcome")
    for o in outcomes:
        if o not in BRIDGE_OUTCOMES:
            raise InputError(
                f"bridge: {o!r} is not an outcome a bridge can walk; one of "
                + ", ".join(BRIDGE_OUTCOMES)
            )
    company = first.check_company(company)
    diff = scenario_diff(first, second)
    for key in ("companies.include", "start", "years"):
        if key in set(diff["key"]):
            row = diff.set_index("key").loc[key]
            raise InputError(
                f"bridge: {first.name} and {second.name} differ in {key} ({row['first']} and "
                f"{row['second']}); a bridge walks between scenarios of the same companies and "
                "horizon"
            )
    if diff.empty:
        raise InputError(f"bridge: {first.name} and {second.name} set every value alike")
    labels, groups, grouped = _players(diff)
    k = len(groups)
    a, b = first.flat(), second.flat()
    settings = [  # subset m: the steps whose bit is set take the second scenario's values
        {key: (b if m >> i & 1 else a)[key] for i in range(k) for key in groups[i]}
        for m in range(2**k)
    ]
    value = outcomes_at(first, settings, outcomes, company, "bridge")
    contribution = _shapley(value, k)
    alone = value[1 << np.arange(k)] - value[0]
    return Bridge(
        first=first.name,
        second=second.name,
        company=company,
        steps=tuple(labels),
        keys=tuple(tuple(g) for g in groups),
        start=pd.Series(value[0], index=list(outcomes)),
        end=pd.Series(value[-1], index=list(outcomes)),
        contribution=pd.DataFrame(contribution, index=labels, columns=list(outcomes)),
        alone=pd.DataFrame(alone, index=labels, columns=list(outcomes)),
        runs=2**k,
        grouped=grouped,
    )
