"""Check whether a TCO preset reproduces the article's figure, and by how much it misses."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from strandrisk.io.workload import ArticleCheck, WorkloadFile
from strandrisk.tco.model import TCOResult, compare

__all__ = ["CheckResult", "evaluate_checks"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One article figure against the calculator's."""

    kind: str
    option: str
    stated: str
    reproduced: str
    verdict: str  # "reproduced" or "not reproduced"
    detail: str


def _saving_range(check: ArticleCheck, wf: WorkloadFile) -> str:
    """Daily volumes (x the workload) at which the saving lies in [low, high]."""
    factors = np.logspace(-2, 3, 61)
    inside = []
    by_name = {o.name: o for o in wf.options}
    for f in factors:
        res = compare(wf.workload.scaled(f), [by_name[check.option], by_name[check.against]])
        of, against = res.options[0].total_cost, res.options[1].total_cost
        if math.isfinite(of) and against > 0 and check.low <= 1 - of / against <= check.high:
            inside.append(f * wf.workload.tokens_per_day)
    if not inside:
        return "the saving is never in that range between 0.01x and 1,000x this volume"
    top = factors[-1] * wf.workload.tokens_per_day
    if max(inside) >= top * 0.999:
        return f"it holds from about {min(inside) / 1e6:,.0f}M tokens a day upwards"
    lo, hi = min(inside) / 1e6, max(inside) / 1e6
    return f"it holds between about {lo:,.0f}M and {hi:,.0f}M tokens a day"


def evaluate_checks(wf: WorkloadFile, result: TCOResult) -> list[CheckResult]:
    """Evaluate a preset's article checks against the result.

    Parameters
    ----------
    wf : WorkloadFile
        The preset with its checks and tolerance. [-]
    result : TCOResult
        The comparison for its workload. [-]

    Returns
    -------
    list of CheckResult
        One per check, saying whether the figure is reproduced and by how much it misses.
    """
    table = {r.option: r for r in result.options}
    out = []
    tol = wf.tolerance
    for c in wf.checks:
        r = table[c.option]
        if c.kind in ("total", "at_least"):
            got = r.total_cost
            off = got / c.value - 1
            ok = off >= -tol if c.kind == "at_least" else abs(off) <= tol
            stated = f"{'over ' if c.kind == 'at_least' else ''}${c.value:,.0f}"
            out.append(
                CheckResult(
                    c.kind,
                    c.option,
                    stated,
                    f"${got:,.0f}",
                    "reproduced" if ok else "not reproduced",
                    (
                        f"{off:+.0%} against the article's lower bound ({c.note}); a lower bound "
                        f"holds from {-tol:.0%} up"
                        if c.kind == "at_least"
                        else f"{off:+.0%} against the article ({c.note}); tolerance ±{tol:.0%}"
                    ),
                )
            )
        elif c.kind == "fits":
            ok = bool(r.fits_in_memory) == bool(c.value)
            out.append(
                CheckResult(
                    "fits",
                    c.option,
                    "fits" if c.value else "does not fit",
                    "fits" if r.fits_in_memory else "does not fit",
                    "reproduced" if ok else "not reproduced",
                    c.note,
                )
            )
        elif c.kind == "saving":
            saving = 1 - r.total_cost / table[c.against].total_cost
            ok = c.low <= saving <= c.high
            out.append(
                CheckResult(
                    "saving",
                    c.option,
                    f"{c.low:.0%}-{c.high:.0%} vs {c.against}",
                    f"{saving:.0%}",
                    "reproduced" if ok else "not reproduced",
                    f"at this volume; {_saving_range(c, wf)} ({c.note})",
                )
            )
        elif c.kind == "cores_per_rack":
            cores = c.rack_power_w * c.cpu_share / c.w_per_core
            off = cores / c.value - 1
            ok = abs(off) <= tol or (c.note.startswith("article: over") and off >= 0)
            out.append(
                CheckResult(
                    "cores_per_rack",
                    c.option,
                    f"{c.value:,.0f} cores",
                    f"{cores:,.0f} cores",
                    "reproduced" if ok else "not reproduced",
                    f"{c.rack_power_w / 1000:,.0f} kW x {c.cpu_share:.0%} to CPUs / "
                    f"{c.w_per_core} W per core; {off:+.1%} ({c.note})",
                )
            )
        else:
            raise ValueError(f"unknown check kind {c.kind!r}")
    return out
