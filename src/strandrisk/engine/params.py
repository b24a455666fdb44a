"""Scenario parameters as broadcastable arrays, one row per scenario.

Scalars become shape ``(S, 1, 1, 1)`` and company fields ``(S, K, 1, 1)``, ready to
broadcast against ``(S, K, V, T)``. ``samples`` (``{dotted.key: array (S,)}``) replace
single values per scenario; everything else is the scenario's own value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from strandrisk.errors import did_you_mean
from strandrisk.scenarios.schema import SHARE_RULES, Scenario, field_metadata

__all__ = ["Params", "build_params"]

_COMPANY_FIELDS = ("capex_2026", "compute_life", "network_life")


@dataclass(frozen=True, slots=True)
class Params:
    """Parameter arrays for a batch of ``n`` scenarios.

    Attributes
    ----------
    n : int
        Number of scenarios S.
    companies : tuple of str
        Company names, K.
    values : dict of str to ndarray
        Dotted key -> array of shape (S, 1, 1, 1) or, for company fields, (S, K, 1, 1).
    path, amortising : str, bool
        Non-numeric choices (not sampled).
    economic_obsolescence : bool
        Fair value capped at value in use (``accounting.economic_obsolescence``).
    retirement : str
        Early-retirement rule (``technology.retirement``): ``"trailing-year"`` or
        ``"foresight"``.
    years : int
        Reporting horizon.
    """

    n: int
    companies: tuple[str, ...]
    values: dict[str, np.ndarray]
    path: str
    amortising: bool
    years: int
    leakage_driver: str = "logistic"
    economic_obsolescence: bool = False
    retirement: str = "trailing-year"

    def __getitem__(self, key: str) -> np.ndarray:
        return self.values[key]

    def collapsed(self) -> Params:
        """Return the parameters with each value that is the same in every scenario kept once.

        Such a value keeps only its first row (shape ``(1, ...)``), so NumPy's broadcasting
        computes what depends on such values alone once for the batch instead of once a
        scenario; ``n`` is unchanged, and each result is the same, bit for bit, as with
        every row. "The same" is bitwise (``0.0`` and ``-0.0`` differ).
        """
        vals = {}
        for key, v in self.values.items():
            rows = v.reshape(v.shape[0], -1).view(np.uint64)
            vals[key] = v[:1] if v.shape[0] > 1 and (rows == rows[:1]).all() else v
        return replace(self, values=vals)

    def take(self, index: np.ndarray | slice) -> Params:
        """Return the parameters of a subset of scenarios.

        Parameters
        ----------
        index : ndarray or slice
            Scenario rows to keep; a value kept once (:meth:`collapsed`) stays so. [-]
        """
        n = np.arange(self.n)[index].size
        vals = {
            k: v if v.shape[0] == 1 and self.n > 1 else v[index] for k, v in self.values.items()
        }
        return replace(self, n=n, values=vals)


def _check_ranges(scenario: Scenario, flat: dict, samples: dict[str, np.ndarray], n: int) -> None:
    """Refuse sampled values outside a parameter's allowed range, or breaking a group rule.

    The same rules a scenario file obeys (``scenarios.schema``): each field's ``[lo, hi]``,
    the capex shares adding to 1, the two leakage shares staying below 1. The error names
    the key, the first scenario (row) at fault and its value.
    """
    for key, value in samples.items():
        m = field_metadata(key)
        lo, hi, unit = m["lo"], m["hi"], m["unit"]
        bad = (value < lo) | (value > hi)
        if np.any(bad):
            i = int(np.argmax(np.broadcast_to(bad, (n,))))
            raise ValueError(
                f"samples: {key!r} = {float(np.broadcast_to(value, (n,))[i])!r} in scenario {i} "
                f"is outside the allowed range [{lo:g}, {hi:g}] ({unit})"
            )

    def row(key: str) -> np.ndarray:
        return np.broadcast_to(samples.get(key, flat[key]), (n,))

    for rule in SHARE_RULES:
        if not any(k in samples for k in rule.keys):
            continue
        total = np.sum([row(k) for k in rule.keys], axis=0)
        bad = rule.broken(total)
        if np.any(bad):
            i = int(np.argmax(bad))
            what = "not 1" if rule.exactly_one else "they must stay below 1"
            raise ValueError(
                f"samples: in scenario {i}, {' + '.join(rule.keys)} add to "
                f"{float(total[i]):g}{',' if rule.exactly_one else ';'} {what}"
            )


def build_params(scenario: Scenario, samples: Mapping[str, np.ndarray] | None = None) -> Params:
    """Turn a scenario (and optional per-scenario samples) into parameter arrays.

    Parameters
    ----------
    scenario : Scenario
        The base values. [-]
    samples : mapping of str to ndarray (S,), optional
        Per-scenario values for numeric keys of :meth:`Scenario.flat`; all of length S.
        [canonical units]

    Returns
    -------
    Params
        Arrays of S rows.

    Raises
    ------
    ValueError
        For an unknown or non-numeric key, arrays of different lengths or more than one
        dimension, non-finite values, a value outside the parameter's allowed range, or
        capex shares (leakage shares) that do not add to 1 (stay below 1).
    """
    flat = scenario.flat()
    samples = dict(samples or {})
    for key, value in samples.items():
        if key not in flat or isinstance(flat[key], bool | str) or key == "years":
            hint = did_you_mean(key, flat) if key not in flat else ""
            raise ValueError(f"samples: {key!r} is not a numeric scenario parameter{hint}")
        if np.ndim(value) > 1:
            raise ValueError(f"samples: {key!r} has shape {np.shape(value)}; expected (S,)")
        try:
            samples[key] = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"samples: {key!r} holds values that are not numbers") from None
        if not np.all(np.isfinite(samples[key])):
            raise ValueError(f"samples: {key!r} has non-finite values")
    lengths = {v.shape[0] if v.ndim else 1 for v in samples.values()} or {1}
    if len(lengths) != 1:
        raise ValueError(f"samples: arrays of different lengths {sorted(lengths)}")
    n = lengths.pop()
    if n < 1:
        raise ValueError("samples: the arrays are empty; at least one scenario is needed")
    _check_ranges(scenario, flat, samples, n)
    names = tuple(c.name for c in scenario.companies)
    values: dict[str, np.ndarray] = {}
    for key, base in flat.items():
        if key.startswith("companies.") or isinstance(base, bool | str) or key == "years":
            continue
        arr = np.asarray(samples.get(key, base), dtype=float)
        values[key] = np.broadcast_to(arr, (n,)).reshape(n, 1, 1, 1).copy()
    for field in _COMPANY_FIELDS:
        cols = [
            np.broadcast_to(
                np.asarray(
                    samples.get(f"companies.{c}.{field}", flat[f"companies.{c}.{field}"]), float
                ),
                (n,),
            )
            for c in names
        ]
        values[f"company.{field}"] = np.stack(cols, axis=1).reshape(n, len(names), 1, 1)
    return Params(
        n=n,
        companies=names,
        values=values,
        path=scenario.capex.path,
        amortising=scenario.financing.amortising,
        years=scenario.years,
        leakage_driver=scenario.market.leakage_driver,
        economic_obsolescence=scenario.accounting.economic_obsolescence,
        retirement=scenario.technology.retirement,
    )
