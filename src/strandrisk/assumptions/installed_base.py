"""The installed base 2022-2025: accelerators bought per company and quarter.

Built from Epoch AI's chip-owner data (units, H100-equivalents and TDP by chip type and
quarter) and Epoch's Nvidia unit prices by year. Nvidia spend is units x the year's unit
price of the chip type; TPUs, Trainium and AMD parts are counted in H100-equivalents and
priced by the scenario (``capex.custom_accelerator_cost_ratio`` x Nvidia's cost per
H100e that year), because no unit prices are published for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from strandrisk.assumptions.register import load_register
from strandrisk.io.datasets import read_dataset

__all__ = ["HISTORY_QUARTERS", "OWNERS", "InstalledBase", "load_installed_base"]

OWNERS = {
    "amazon": "Amazon",
    "alphabet": "Google",
    "meta": "Meta",
    "microsoft": "Microsoft",
    "oracle": "Oracle",
}
"""Model company -> owner name in Epoch's data."""

HISTORY_QUARTERS = tuple(f"{y}Q{q}" for y in range(2022, 2026) for q in range(1, 5))
"""Vintages of the installed base, oldest first."""

_PRICE_KEY = {
    "A100": "a100", "A800": "a100", "H100/H200": "h100", "H800": "h100", "H20": "h20",
    "B200": "gb200", "B300": "gb300",
}  # fmt: skip
_H100E, _UNITS, _TDP = "Compute estimate in H100e (median)", "Number of Units", "Total TDP (W)"


@dataclass(frozen=True, slots=True)
class InstalledBase:
    """Accelerators bought per company (rows, in :data:`OWNERS` order) and quarter.

    Attributes
    ----------
    companies : tuple of str
        Model company names.
    quarters : tuple of str
        Vintages, ``2022Q1`` to ``2025Q4``.
    nvidia_spend : ndarray, shape (K, V)
        Nvidia accelerator spend. [USD]
    nvidia_h100e, custom_h100e : ndarray, shape (K, V)
        Compute bought, Nvidia and custom (TPU, Trainium, AMD). [H100e]
    tdp : ndarray, shape (K, V)
        Accelerator TDP bought. [W]
    nvidia_cost_per_h100e : ndarray, shape (V,)
        Nvidia spend per H100e across the five companies, by vintage. [USD/unit]
    """

    companies: tuple[str, ...]
    quarters: tuple[str, ...]
    nvidia_spend: np.ndarray
    nvidia_h100e: np.ndarray
    custom_h100e: np.ndarray
    tdp: np.ndarray
    nvidia_cost_per_h100e: np.ndarray


def _quarter(dates: pd.Series) -> pd.Series:
    ts = pd.to_datetime(dates, format="mixed")
    return ts.dt.year.astype(str) + "Q" + ts.dt.quarter.astype(str)


def _frame(key: str) -> pd.DataFrame:
    table = read_dataset(key)
    table = table[table["Owner"].isin(list(OWNERS.values()))].copy()
    for column in (_H100E, _UNITS, _TDP):
        table[column] = pd.to_numeric(table[column], errors="raise")
    table["quarter"] = _quarter(table["Start date"])
    return table[table["quarter"].isin(HISTORY_QUARTERS)]


def _grid(table: pd.DataFrame, column: str) -> np.ndarray:
    pivot = table.pivot_table(index="Owner", columns="quarter", values=column, aggfunc="sum")
    pivot = pivot.reindex(index=list(OWNERS.values()), columns=list(HISTORY_QUARTERS))
    return pivot.fillna(0.0).to_numpy(dtype=float)


def _unit_price(chip: str, quarter: str) -> float:
    reg = load_register()
    year = min(int(quarter[:4]), 2025)
    for y in range(year, 2021, -1):
        name = f"unit_price_{_PRICE_KEY[chip]}_{y}"
        if name in reg:
            return reg[name].value
    return reg[f"unit_price_{_PRICE_KEY[chip]}_2025"].value


@cache
def load_installed_base() -> InstalledBase:
    """Build the installed base from the shipped data sets (cached).

    Returns
    -------
    InstalledBase
        Per-company, per-quarter accelerator purchases and spend, 2022Q1-2025Q4.
    """
    nvidia = _frame("nvidia_owner_quarters_by_chip")
    nvidia["spend"] = [
        units * _unit_price(chip, q)
        for units, chip, q in zip(
            nvidia[_UNITS], nvidia["Chip type"], nvidia["quarter"], strict=True
        )
    ]
    custom = pd.concat(
        [_frame(k) for k in ("amd_owner_quarters", "tpu_owner_quarters", "trainium_owner_quarters")]
    )
    nv_spend, nv_h100e = _grid(nvidia, "spend"), _grid(nvidia, _H100E)
    return InstalledBase(
        companies=tuple(OWNERS),
        quarters=HISTORY_QUARTERS,
        nvidia_spend=nv_spend,
        nvidia_h100e=nv_h100e,
        custom_h100e=_grid(custom, _H100E),
        tdp=_grid(nvidia, _TDP) + _grid(custom, _TDP),
        nvidia_cost_per_h100e=nv_spend.sum(axis=0) / nv_h100e.sum(axis=0),
    )
