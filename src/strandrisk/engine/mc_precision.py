"""Precision control of a Monte Carlo run: when a run with a precision target checks and stops.

``run_mc(..., precision=...)`` checks the widest relative sampling error of the quantiles
(:func:`quantile_precision`) at fixed sizes (:func:`precision_checkpoints`), so a run that
stops at one of them equals a run of exactly that many scenarios; :class:`PrecisionControl`
records how it stopped. Re-exported by :mod:`strandrisk.engine.mc_result` and
:mod:`strandrisk.engine.montecarlo`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from strandrisk.errors import whole_number
from strandrisk.jsonable import json_number

__all__ = [
    "PRECISION_FIRST",
    "PRECISION_LEVELS",
    "PRECISION_OUTCOMES",
    "PrecisionControl",
    "precision_checkpoints",
    "quantile_precision",
]

PRECISION_OUTCOMES = ("stranded_peak", "impairment_ifrs", "impairment_usgaap")
"""Outcomes whose quantiles ``--precision`` pins down: the unit's peak stranded value and its
impairments (today's capital's peak, often zero at P50, would set the pace on its own)."""


PRECISION_LEVELS = ("p50", "p95", "p99")
"""Quantiles whose sampling error a run reports and ``precision`` controls."""


PRECISION_FIRST = 10_000
"""First size at which a run with a precision target checks it; then at each doubling."""


@dataclass(frozen=True, slots=True)
class PrecisionControl:
    """How a run with a precision target stopped (``run_mc(..., precision=...)``).

    Attributes
    ----------
    target : float
        The widest relative half-width asked for. [fraction]
    achieved : float
        The widest relative half-width when the run stopped (:func:`quantile_precision`);
        NaN when nothing was measurable (every quantile zero). [fraction]
    unbounded : tuple of str
        Quantiles too few scenarios could bound when it stopped (``"P99"``). [-]
    converged : bool
        Whether the target was met; if not, the run stopped at its maximum. [-]
    checked : tuple of int
        The sizes at which precision was checked, the last the scenarios run. [count]
    maximum : int
        The most scenarios the run could have used. [count]
    history : tuple of float
        The widest relative half-width at each size checked (its convergence); ``inf``
        while a quantile could not be bounded. [fraction]
    """

    target: float
    achieved: float
    unbounded: tuple[str, ...]
    converged: bool
    checked: tuple[int, ...]
    maximum: int
    history: tuple[float, ...] = ()

    def sentence(self) -> str:
        """Say whether the target was met, after how many scenarios, as one sentence."""
        n = self.checked[-1]
        widths = self.history or (math.nan,) * len(self.checked)

        def width(w: float) -> str:
            return f" ±{_percent(w)}" if math.isfinite(w) else " unbounded" if w > 0 else ""

        sizes = ", ".join(f"{k:,}{width(w)}" for k, w in zip(self.checked, widths, strict=True))
        if self.converged:
            if math.isnan(self.achieved):
                how = "nothing to measure (every quantile is zero)"
            else:
                how = f"±{_percent(self.achieved)} at most"
            return (
                f"Precision target ±{_percent(self.target)} met after {n:,} scenarios ({how}; "
                f"checked at {sizes})."
            )
        short = (
            f"{' and '.join(self.unbounded)} still unbounded"
            if self.unbounded
            else f"±{_percent(self.achieved)} at most"
        )
        return (
            f"Precision target ±{_percent(self.target)} not met within {self.maximum:,} scenarios "
            f"({short}): raise --n, or accept the wider interval."
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PrecisionControl:
        """Rebuild a control from :meth:`as_json` (a stored run's) [-].

        Parameters
        ----------
        data : mapping
            The object :meth:`as_json` gave. [fraction, count]
        """
        return cls(
            target=float(data["target"]),
            achieved=math.nan if data["achieved"] is None else float(data["achieved"]),
            unbounded=tuple(data["unbounded"]),
            converged=bool(data["converged"]),
            checked=tuple(int(k) for k in data["checked"]),
            maximum=int(data["maximum"]),
            history=tuple(math.inf if w is None else float(w) for w in data["history"]),
        )

    def as_json(self) -> dict[str, object]:
        """Return the control as a JSON-ready object."""
        return {
            "target": self.target,
            "achieved": json_number(self.achieved),
            "unbounded": list(self.unbounded),
            "converged": self.converged,
            "checked": list(self.checked),
            "maximum": self.maximum,
            "history": [w if math.isfinite(w) else None for w in self.history],
        }


def _percent(x: float) -> str:
    """``0.02`` as ``2%``, ``0.0175`` as ``1.75%``: two decimals at most, no trailing zeros."""
    return f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%"


def precision_checkpoints(maximum: int, first: int = PRECISION_FIRST) -> list[int]:
    """Return the sizes at which a run with a precision target checks it.

    ``first``, then each doubling, then ``maximum`` itself: fixed sizes, so a run that stops
    at one of them equals a run of exactly that many scenarios, whatever its chunk size or
    number of workers.

    Parameters
    ----------
    maximum : int
        The most scenarios to run. [count]
    first : int
        The first size checked. [count]

    Returns
    -------
    list of int
        Increasing sizes, the last equal to ``maximum``. [count]
    """
    maximum = whole_number("n", maximum, 1)
    first = whole_number("first", first, 1)
    sizes = []
    size = first
    while size < maximum:
        sizes.append(size)
        size *= 2
    return [*sizes, maximum]


def quantile_precision(quantiles: pd.DataFrame, intervals: pd.DataFrame) -> dict[str, float]:
    """Return the widest relative sampling error of P50, P95 and P99 over the positive amounts.

    Over peak stranded value and impairments, every company (the NPV, which crosses zero,
    has no relative error): the larger side of each quantile's 95 % interval from its
    estimate, relative to the estimate, where the estimate is positive.

    Parameters
    ----------
    quantiles : pandas.DataFrame
        ``MCResult.quantiles``: index (company, outcome); ``p50, p95, p99`` among the
        columns. [USD]
    intervals : pandas.DataFrame
        ``MCResult.intervals``: the same index; ``p50_low, p50_high, ...``. [USD]

    Returns
    -------
    dict
        ``{"P50": ..., "P95": ..., "P99": ...}``: the widest relative half-width; ``inf``
        where too few scenarios bound that quantile, NaN where no estimate is positive
        (nothing to measure). [fraction]
    """
    positive = quantiles.index.get_level_values("outcome").isin(PRECISION_OUTCOMES)
    out = {}
    for level in PRECISION_LEVELS:
        est = quantiles.loc[positive, level].to_numpy(dtype=float)
        low = intervals.loc[positive, f"{level}_low"].to_numpy(dtype=float)
        high = intervals.loc[positive, f"{level}_high"].to_numpy(dtype=float)
        use = est > 0
        if np.isnan(high).any() or np.isnan(low).any():
            out[level.upper()] = math.inf
        elif not use.any():
            out[level.upper()] = math.nan
        else:
            side = np.maximum(high - est, est - low)[use]
            out[level.upper()] = float((side / est[use]).max())
    return out
