"""Scenario parameters as broadcastable arrays, one row per scenario.

Scalars become shape ``(S, 1, 1, 1)`` and company fields ``(S, K, 1, 1)``, ready to
broadcast against ``(S, K, V, T)``. ``samples`` (``{dotted.key: array (S,)}``) replace
single values per scenario; everything else is the scenario's own value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from strandrisk.scenarios.schema import Scenario

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

    def __getitem__(self, key: str) -> np.ndarray:
        return self.values[key]

    def take(self, index: np.ndarray | slice) -> Params:
        """Return the parameters of a subset of scenarios.

        Parameters
        ----------
        index : ndarray or slice
            Scenario rows to keep. [-]
        """
        vals = {k: v[index] for k, v in self.values.items()}
        n = next(iter(vals.values())).shape[0]
        return Params(
            n, self.companies, vals, self.path, self.amortising, self.years, self.leakage_driver
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
        For an unknown or non-numeric key, arrays of different lengths, or non-finite
        values.
    """
    flat = scenario.flat()
    samples = dict(samples or {})
    lengths = {np.shape(v)[0] if np.ndim(v) else 1 for v in samples.values()} or {1}
    if len(lengths) != 1:
        raise ValueError(f"samples: arrays of different lengths {sorted(lengths)}")
    n = lengths.pop()
    for key, value in samples.items():
        if key not in flat or isinstance(flat[key], bool | str) or key == "years":
            raise ValueError(f"samples: {key!r} is not a numeric scenario parameter")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"samples: {key!r} has non-finite values")
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
    )
