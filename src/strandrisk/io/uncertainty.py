"""The uncertainty block of a scenario file: which parameters vary, how, and together.

```toml
[uncertainty]
from_register = true                     # every parameter whose register row has a range
"market.price_decline" = { dist = "triangular", low = 0.6, mode = 0.88, high = 1.6 }
"technology.doubling_time" = { dist = "fit", fit = "gpu_fp32_flops_per_usd" }

[correlations]
pairs = [["market.price_decline", "technology.software_efficiency", 0.5]]
copula = "t"                             # optional: joint extremes (normal by default)
df = 4
```

``dist = "fit"`` samples the doubling (or halving) time implied by a register trend fit's
95 % interval. Register ranges become bounded distributions (normal and lognormal rows,
whose ranges are confidence intervals, become PERT over the interval with the row's value
as mode), so that every draw stays inside the parameter's allowed range. The correlations
join the parameters through a normal copula, or a Student t copula of ``df`` degrees of
freedom, under which their extremes come together more often.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from strandrisk.assumptions.register import load_register
from strandrisk.errors import InputError, did_you_mean
from strandrisk.io.files import parse_toml, read_toml_source
from strandrisk.io.scenario import PRESETS, preset_text
from strandrisk.scenarios.distributions import KINDS, Distribution
from strandrisk.scenarios.sampling import COPULAS, UncertaintySpace
from strandrisk.scenarios.schema import Scenario, parameter_fields

__all__ = [
    "copula_df",
    "dump_uncertainty",
    "hold_fixed",
    "load_uncertainty",
    "register_space",
    "uncertainty_from_toml",
]

_BOUNDED = {
    "uniform": "uniform",
    "triangular": "triangular",
    "pert": "pert",
    "loguniform": "loguniform",
    "normal": "pert",
    "lognormal": "pert",
    "empirical": "uniform",
}


def _field_bounds(scenario: Scenario) -> dict[str, tuple[float, float, str | None]]:
    return {key: (m["lo"], m["hi"], m.get("row")) for key, _, m in parameter_fields(scenario)}


def _register_ranges(scenario: Scenario) -> dict[str, tuple[str, float, float]]:
    """Each parameter with a register range: its distribution kind and range (within bounds)."""
    reg = load_register()
    out = {}
    for key, (lo, hi, row) in _field_bounds(scenario).items():
        if not row or row not in reg or reg[row].low is None or key.startswith("capex.share_"):
            continue
        rec = reg[row]
        low, high = max(rec.canonical_low, lo), min(rec.canonical_high, hi)
        if high > low:
            out[key] = (_BOUNDED.get(rec.distribution or "uniform", "uniform"), low, high)
    return out


def register_space(scenario: Scenario) -> dict[str, Distribution]:
    """Give every scenario parameter whose register row has a range a distribution.

    The scenario's own value is the mode; a parameter the scenario sets outside the
    register's range (a preset's deliberate choice) stays fixed.

    Parameters
    ----------
    scenario : Scenario
        Its values are the modes. [canonical units]
    """
    flat = scenario.flat()
    return {
        key: Distribution(kind, low=low, high=high, mode=float(flat[key]))
        for key, (kind, low, high) in _register_ranges(scenario).items()
        if low <= float(flat[key]) <= high
    }


def _why_fixed(scenario: Scenario, key: str) -> str:
    """Say why ``from_register`` left ``key`` fixed, if its value is outside the range."""
    ranged = _register_ranges(scenario).get(key)
    value = float(scenario.flat().get(key, math.nan))
    if ranged is None or ranged[1] <= value <= ranged[2]:
        return ""
    return (
        f" (its value {value:g} lies outside the register's range [{ranged[1]:g}, "
        f"{ranged[2]:g}], so from_register holds it fixed: give it a distribution of its own or "
        "drop the pair)"
    )


def _dotted(block: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested tables (``[uncertainty.market.price_decline]``) to dotted keys.

    A table with ``dist`` is one parameter's specification; any other table is a section
    of dotted keys, so both TOML spellings of a key name the same parameter.
    """
    out: dict[str, Any] = {}
    for key, spec in block.items():
        if isinstance(spec, dict) and "dist" not in spec and spec:
            out.update(_dotted(spec, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = spec
    return out


def _fit_distribution(spec: dict, key: str, where: str) -> Distribution:
    bad = sorted(set(spec) - {"dist", "fit"})
    if bad:
        raise InputError(
            f"{where}: uncertainty.{key}: unknown field {bad[0]!r}; a fit distribution takes "
            "fit, the name of a register trend fit"
        )
    reg = load_register()
    name = spec.get("fit")
    if name not in reg.fits:
        raise InputError(
            f"{where}: uncertainty.{key}: unknown trend fit {name!r}; fits: {', '.join(reg.fits)}"
        )
    lo, hi = sorted(abs(r) for r in reg.fits[name].rate_ci95)
    rate = abs(reg.fits[name].rate_per_year)
    if lo <= 0:
        raise InputError(
            f"{where}: uncertainty.{key}: the interval of fit {name!r} includes zero growth"
        )
    # a doubling (halving) time is ln 2 / rate: the interval's ends swap
    return Distribution(
        "pert", low=math.log(2) / hi, high=math.log(2) / lo, mode=math.log(2) / rate
    )


_FIELDS = {
    "fixed": (("value",), "value"),
    "uniform": (("low", "high"), "low and high"),
    "loguniform": (("low", "high"), "low and high (both positive)"),
    "triangular": (("low", "mode", "high"), "low, mode and high"),
    "pert": (("low", "mode", "high"), "low, mode and high"),
    "normal": (
        ("low", "high", "mean", "sd", "truncate"),
        "low and high, its 5th and 95th percentiles, or mean and sd; and truncate = [min, max] "
        "if it is to be cut",
    ),
    "lognormal": (
        ("low", "high", "mean", "sd", "truncate"),
        "low and high, its 5th and 95th percentiles, or mean and sd (of the value, not its log); "
        "and truncate = [min, max] if it is to be cut",
    ),
    "empirical": (
        ("values", "weights"),
        "values, a list of at least two, and weights, the probability of each, if they are "
        "not equally likely",
    ),
    "beta": (
        ("low", "high", "alpha", "beta"),
        "low and high, its ends, and alpha and beta, its two shape parameters (both positive; "
        "@RISK's RiskBetaGeneral(alpha, beta, low, high))",
    ),
    "cumulative": (
        ("low", "high", "values", "probabilities"),
        "low and high, its ends, and values with probabilities, its cumulative probability "
        "at each (e.g. values = [0.6, 0.9, 1.4], probabilities = [0.1, 0.5, 0.9])",
    ),
}
"""The fields each kind of distribution takes besides ``dist``, and how a message says so. A
``mode`` is let through for every kind: the priors a stored run wrote
(:func:`uncertainty_to_toml`) give a register range's uniform the scenario's value as its mode
(and a fixed one its value as its mode), and those files must read back."""


def _parse_one(key: str, spec: Any, where: str) -> Distribution:
    if not isinstance(spec, dict) or "dist" not in spec:
        raise InputError(
            f"{where}: uncertainty.{key}: expected a table with 'dist' "
            f"(one of {', '.join(KINDS)}, fit)"
        )
    if spec["dist"] == "fit":
        return _fit_distribution(spec, key, where)
    kind = spec["dist"]
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise InputError(
            f"{where}: uncertainty.{key}: unknown distribution {kind!r}; one of "
            f"{', '.join(KINDS)}, fit"
        )
    fields, takes = _FIELDS[kind]
    bad = set(spec) - {"dist", *fields, "mode"}  # (see _FIELDS)
    if bad:
        raise InputError(
            f"{where}: uncertainty.{key}: unknown field {sorted(bad)[0]!r}; "
            f"{'an' if kind == 'empirical' else 'a'} {kind} distribution takes {takes}"
        )
    truncate = _truncation(spec.get("truncate"), key, where)
    if "mean" in spec or "sd" in spec:  # @RISK's RiskNormal(mean, sd), RiskLognorm(mean, sd)
        if {"low", "high"} & set(spec):
            raise InputError(
                f"{where}: uncertainty.{key}: a {kind} distribution takes low and high or mean "
                "and sd, not both"
            )
        if not {"mean", "sd"} <= set(spec):
            raise InputError(
                f"{where}: uncertainty.{key}: a {kind} distribution takes mean and sd together "
                "(or low and high, its 5th and 95th percentiles)"
            )
        mean, sd = spec["mean"], spec["sd"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (mean, sd)):
            raise InputError(
                f"{where}: uncertainty.{key}: mean and sd must be numbers, got mean = {mean!r}, "
                f"sd = {sd!r}"
            )
        try:
            return Distribution.from_mean_sd(kind, mean, sd, truncate)
        except ValueError as exc:
            raise InputError(f"{where}: uncertainty.{key}: {exc}") from None
    try:
        mode = spec["mode"] if "mode" in spec else spec.get("value", math.nan)
        return Distribution(
            spec["dist"],
            low=float(spec.get("low", math.nan)),
            high=float(spec.get("high", math.nan)),
            mode=float(mode),
            values=tuple(float(v) for v in spec.get("values", ())),
            weights=tuple(float(v) for v in spec.get("weights", ())),
            truncate=truncate,
            probabilities=tuple(float(v) for v in spec.get("probabilities", ())),
            shape=tuple(float(spec[k]) for k in ("alpha", "beta") if k in spec),
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: uncertainty.{key}: {exc}") from None


def _truncation(given: Any, key: str, where: str) -> tuple[float, float]:
    """Read ``truncate = [min, max]`` (either may be ``inf``); none is the whole line."""
    if given is None:
        return (-math.inf, math.inf)
    ok = isinstance(given, list) and len(given) == 2
    if not (ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in given)):
        raise InputError(
            f"{where}: uncertainty.{key}: truncate is [min, max], two numbers (inf or -inf for "
            f"an end left open), got {given!r}"
        )
    return (float(given[0]), float(given[1]))


def _check_support(
    key: str, dist: Distribution, bounds: tuple[float, float, Any], where: str
) -> None:
    lo, hi, _ = bounds
    if dist.kind in ("normal", "lognormal"):
        a, b = (float(x) for x in dist.ppf(np.array([1e-4, 1 - 1e-4])))
    else:
        a, b = dist.support()
    if a < lo or b > hi:
        cut = (
            f": truncate it (truncate = [{lo:g}, {hi:g}]) or give it a bounded kind"
            if dist.kind in ("normal", "lognormal")
            else ""
        )
        raise InputError(
            f"{where}: uncertainty.{key}: the distribution reaches [{a:.4g}, {b:.4g}], outside the "
            f"parameter's allowed range [{lo:g}, {hi:g}]{cut}"
        )


def _correlation(
    keys: tuple[str, ...],
    table: object,
    where: str,
    held: Iterable[str],
    why: Callable[[str], str],
) -> np.ndarray:
    """Correlation matrix of ``keys`` from the ``[correlations]`` table.

    A pair naming a key in ``held`` that is not among ``keys`` (held by ``--set`` at a value
    the register's range leaves fixed) is left out, as a held key's pairs always are;
    ``why(key)`` explains, for the message, why a key is not uncertain here.
    """
    held = set(held)
    if not isinstance(table, dict):
        raise InputError(f"{where}: correlations: expected a table with pairs = [[key, key, rho]]")
    unknown = sorted(set(table) - {"pairs", "keys", "matrix", "copula", "df"})
    if unknown:
        raise InputError(
            f"{where}: correlations: unknown key {unknown[0]!r}; the table has pairs, or keys "
            'with a matrix, and copula = "t" with its df'
        )
    pairs = table.get("pairs", [])
    if not isinstance(pairs, list):
        raise InputError(f"{where}: correlations.pairs: expected a list of [key, key, rho]")
    if "keys" in table or "matrix" in table:
        pairs = [*pairs, *_matrix_pairs(table.get("keys"), table.get("matrix"), pairs, where)]
    c = np.eye(len(keys))
    index = {k: i for i, k in enumerate(keys)}
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 3):
            raise InputError(
                f"{where}: correlations.pairs: each entry is [key, key, rho], got {pair!r}"
            )
        a, b, rho = pair
        if any(k in held and k not in index for k in (a, b)):
            continue
        for k in (a, b):
            if k not in index:
                raise InputError(
                    f"{where}: correlations: {k!r} is not an uncertain parameter"
                    + (why(k) or did_you_mean(k, keys))
                )
        if not isinstance(rho, int | float) or not -1 <= rho <= 1 or a == b:
            raise InputError(
                f"{where}: correlations: {a} ~ {b}: rho must be in [-1, 1] between two parameters"
            )
        c[index[a], index[b]] = c[index[b], index[a]] = float(rho)
    return c


def copula_df(table: object, where: str) -> float:
    """Return the degrees of freedom of a ``[correlations]`` table's copula (``inf``: normal).

    ``copula = "t"`` with ``df``, a number of at least 1 (@RISK's ``RiskCopula`` of the t
    family); ``copula = "normal"`` or none, without ``df``.

    Parameters
    ----------
    table : object
        The ``[correlations]`` table as TOML reads it (anything else: no copula given). [-]
    where : str
        The file (or text) it comes from, for messages. [-]

    Raises
    ------
    InputError
        An unknown copula, a t copula without its degrees of freedom (or with fewer than 1,
        or not a finite number), degrees of freedom without a t copula.
    """
    if not isinstance(table, dict):
        return math.inf
    here = f"{where}: correlations"
    kind = table.get("copula", "normal")
    if kind not in COPULAS:
        raise InputError(
            f"{here}.copula: unknown copula {kind!r}; one of {', '.join(map(repr, COPULAS))}"
        )
    df = table.get("df")
    if kind == "normal":
        if df is not None:
            raise InputError(f'{here}.df: degrees of freedom belong to a t copula (copula = "t")')
        return math.inf
    if df is None:
        raise InputError(
            f'{here}: copula = "t" needs its degrees of freedom, df = 4 say (the fewer, the '
            "more often the parameters' extremes come together; 30 and more is close to normal)"
        )
    if isinstance(df, bool) or not isinstance(df, int | float) or not (1 <= df < math.inf):
        raise InputError(f"{here}.df: expected a finite number of at least 1, got {df!r}")
    return float(df)


def _matrix_pairs(names: Any, matrix: Any, pairs: list, where: str) -> list[list]:
    """Return a ``keys``/``matrix`` correlation table (@RISK's RiskCorrmat) as its pairs.

    The matrix is square, one row per key, symmetric, with ones on its diagonal and every
    entry in [-1, 1]; a pair it sets may not also be among ``pairs`` at another value.
    """
    here = f"{where}: correlations"
    if not (isinstance(names, list) and names and all(isinstance(k, str) for k in names)):
        raise InputError(f'{here}: a matrix needs keys = ["key", ...], one per row and column')
    if len(set(names)) < len(names):
        raise InputError(f"{here}.keys: a key is named twice")
    n = len(names)
    if not (
        isinstance(matrix, list)
        and len(matrix) == n
        and all(isinstance(row, list) and len(row) == n for row in matrix)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for r in matrix for v in r)
    ):
        raise InputError(f"{here}.matrix: expected {n} rows of {n} numbers, one per key")
    m = np.asarray(matrix, dtype=float)
    if not np.isfinite(m).all() or (np.abs(m) > 1).any():
        raise InputError(f"{here}.matrix: every entry must be a number in [-1, 1]")
    if (np.diag(m) != 1).any():
        i = int(np.flatnonzero(np.diag(m) != 1)[0])
        raise InputError(f"{here}.matrix: the diagonal is 1 ({names[i]} has {m[i, i]:g})")
    asymmetric = np.argwhere(m != m.T)
    if len(asymmetric):
        i, j = asymmetric[0]
        raise InputError(
            f"{here}.matrix: not symmetric: {names[i]} ~ {names[j]} is {m[i, j]:g} in row "
            f"{i + 1} and {m[j, i]:g} in row {j + 1}"
        )
    given = {frozenset(p[:2]): p[2] for p in pairs if isinstance(p, list) and len(p) == 3}
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            rho = float(m[i, j])
            before = given.get(frozenset((names[i], names[j])))
            if before is not None and before != rho:
                raise InputError(
                    f"{here}: {names[i]} ~ {names[j]} is {before:g} in pairs and {rho:g} in "
                    "the matrix"
                )
            out.append([names[i], names[j], rho])
    return out


def load_uncertainty(
    preset_or_path: str | Path,
    scenario: Scenario,
    fixed: Iterable[str] = (),
    required: bool = True,
    hold: bool = True,
) -> UncertaintySpace:
    """Read the uncertainty block of a preset or scenario file.

    Parameters
    ----------
    preset_or_path : str or path-like
        The same preset name or file the scenario came from. [-]
    scenario : Scenario
        The loaded scenario (for parameter bounds). [-]
    fixed : iterable of str
        Keys held at the scenario's value (what ``--set`` overrides): not drawn even where
        the block gives them a distribution, and left out of its correlations. [-]
    required : bool
        Refuse a file without uncertain parameters (for sampling); ``False`` returns an
        empty space instead (to compare files). [-]
    hold : bool
        Take the ``fixed`` keys out of the space; ``False`` keeps them in it (to say which
        were held, then :func:`hold_fixed`) and only leaves out the correlation pairs of
        those it cannot draw anyway. [-]

    Returns
    -------
    UncertaintySpace
        Keys, distributions and correlation matrix.

    Raises
    ------
    InputError
        low > high, an unknown key or distribution, a correlation matrix that is not
        positive semi-definite, a distribution reaching outside a parameter's range.
    """
    where, _, data = read_toml_source(str(preset_or_path), PRESETS, preset_text, "scenario")
    return _space_from_data(data, where, scenario, fixed, required, hold)


def uncertainty_from_toml(
    text: str, where: str, scenario: Scenario, required: bool = True
) -> UncertaintySpace:
    """Read the uncertainty block of TOML text, such as the priors a stored run keeps.

    Parameters
    ----------
    text : str
        A scenario document with ``[uncertainty]`` and ``[correlations]`` tables (as
        :func:`dump_uncertainty` writes them). [-]
    where : str
        What the text is, for messages. [-]
    scenario : Scenario
        The scenario the text describes (for parameter bounds). [-]
    required : bool
        Refuse text without uncertain parameters; ``False`` returns an empty space. [-]

    Raises
    ------
    InputError
        As :func:`load_uncertainty`, naming ``where``.
    """
    return _space_from_data(parse_toml(text, where), where, scenario, (), required, True)


def dump_uncertainty(space: UncertaintySpace) -> str:
    """Write an uncertainty space as the ``[uncertainty]`` and ``[correlations]`` tables.

    Every distribution is written out resolved (a register range or a trend fit as the
    distribution it became), with each number as Python's shortest round-trip form, so
    that :func:`uncertainty_from_toml` reads back the same space and a run drawn from it
    with the same seed and sampler draws the same values.

    Parameters
    ----------
    space : UncertaintySpace
        Keys, distributions and rank correlations, as sampled. [units of each parameter]

    Raises
    ------
    ValueError
        For a distribution drawn from part of its range only (a stress band), which a
        scenario file cannot say.
    """
    lines = [
        "[uncertainty]",
        f"# {len(space.keys)} parameters drawn, each as it was resolved for the run",
    ]
    for key, dist in zip(space.keys, space.distributions, strict=True):
        if tuple(dist.band) != (0.0, 1.0):
            raise ValueError(f"{key}: a stress band {dist.band} has no scenario-file form")
        fields = [f'dist = "{dist.kind}"']
        for name in ("low", "high", "mode"):
            value = getattr(dist, name)
            if not math.isnan(value):
                fields.append(f"{name} = {value!r}")
        if dist.values:
            fields.append("values = [" + ", ".join(repr(float(v)) for v in dist.values) + "]")
        if dist.weights:
            fields.append("weights = [" + ", ".join(repr(float(v)) for v in dist.weights) + "]")
        if dist.probabilities:
            cdf = ", ".join(repr(float(v)) for v in dist.probabilities)
            fields.append(f"probabilities = [{cdf}]")
        if dist.shape:
            alpha, beta = (float(v) for v in dist.shape)
            fields += [f"alpha = {alpha!r}", f"beta = {beta!r}"]
        if dist.truncated:  # (inf and -inf are TOML's own spelling)
            fields.append(f"truncate = [{dist.truncate[0]!r}, {dist.truncate[1]!r}]")
        lines.append(f'"{key}" = {{ {", ".join(fields)} }}')
    c = np.asarray(space.correlation, dtype=float)
    pairs = [
        f'["{space.keys[i]}", "{space.keys[j]}", {float(c[i, j])!r}]'
        for i in range(len(space.keys))
        for j in range(i + 1, len(space.keys))
        if c[i, j] != 0.0
    ]
    lines += ["", "[correlations]", "pairs = [" + ", ".join(pairs) + "]"]
    if math.isfinite(space.copula_df):
        lines += ['copula = "t"', f"df = {space.copula_df!r}"]
    return "\n".join(lines) + "\n"


def _space_from_data(
    data: dict[str, Any],
    where: str,
    scenario: Scenario,
    fixed: Iterable[str],
    required: bool,
    hold: bool,
) -> UncertaintySpace:
    raw = data.get("uncertainty", {})
    if not isinstance(raw, dict):
        raise InputError(f"{where}: uncertainty: expected a table ([uncertainty])")
    block = dict(raw)
    bounds = _field_bounds(scenario)
    from_register = block.pop("from_register", False)
    if not isinstance(from_register, bool):
        raise InputError(
            f"{where}: uncertainty.from_register: expected true or false, got {from_register!r}"
        )
    dists: dict[str, Distribution] = register_space(scenario) if from_register else {}
    for key, spec in _dotted(block).items():
        if key not in bounds:
            raise InputError(
                f"{where}: uncertainty: {key!r} is not a numeric scenario parameter"
                + did_you_mean(key, bounds)
            )
        dists[key] = _parse_one(key, spec, where)
    for key, dist in dists.items():
        _check_support(key, dist, bounds[key], where)
    keys = tuple(sorted(dists))
    if not keys and not required:
        return UncertaintySpace.empty()
    if not keys:
        raise InputError(
            f"{where}: no uncertain parameters: add an [uncertainty] block "
            "(e.g. from_register = true) to sample over"
        )
    fixed = tuple(fixed)

    def why(key: str) -> str:  # only for a refusal's message
        return _why_fixed(scenario, key) if from_register else ""

    correlation = _correlation(keys, data.get("correlations", {}), where, fixed, why)
    for i, key in enumerate(keys):  # a constant has no ranks to correlate
        lo, hi = dists[key].support()
        others = [keys[j] for j in np.flatnonzero(correlation[i]) if j != i]
        if lo == hi and others:
            raise InputError(
                f"{where}: correlations: {key!r} is fixed at {lo:g} (a constant has no ranks), "
                f"so it cannot be correlated with {others[0]!r}: drop the pair or give it a range"
            )
    df = copula_df(data.get("correlations", {}), where)
    try:
        space = UncertaintySpace(keys, tuple(dists[k] for k in keys), correlation, df)
    except ValueError as exc:
        raise InputError(f"{where}: correlations: {exc}") from None
    return hold_fixed(space, fixed, where) if hold else space


def hold_fixed(space: UncertaintySpace, fixed: Iterable[str], where: str) -> UncertaintySpace:
    """Return ``space`` with the keys ``fixed`` names held at the scenario's value, not drawn.

    Parameters
    ----------
    space : UncertaintySpace
        The space as the scenario's block gives it. [-]
    fixed : iterable of str
        Keys held (what ``--set`` overrides); those not in the space are ignored. [-]
    where : str
        The source, for the message. [-]

    Raises
    ------
    InputError
        If every uncertain parameter would be held.
    """
    hold = set(fixed)
    held = [k for k in space.keys if k in hold]
    if held and len(held) == len(space.keys):
        raise InputError(
            f"{where}: no uncertain parameters left: {', '.join(held)} "
            f"{'is' if len(held) == 1 else 'are'} held fixed (--set)"
        )
    return space.without(held)
