"""Register rows read from the shipped data sets rather than typed.

Accelerator unit prices by year, accelerator purchases per owner and quarter, rental
prices by year, the specifications of the accelerators the model uses, and Epoch AI's
per-benchmark LLM price-decline fits all come from files in ``strandrisk/data``. Each
becomes an ordinary register row (kind ``sourced``, or ``derived`` with a formula) and
passes the same checks as a typed row.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from strandrisk.assumptions.checks import RawRow
from strandrisk.assumptions.schema import COLUMNS
from strandrisk.io.datasets import DATASETS, read_dataset

__all__ = ["dataset_rows"]

_EPOCH_CHIPS = "Epoch AI, AI Chip Owners data set (ai-chip-counts @ d1b1bc3, MIT)"
_EPOCH_HW = (
    "Epoch AI, Data on Machine Learning Hardware (training-cost-trends @ 263c40a, CC BY 4.0)"
)
_EPOCH_LLM = (
    "Epoch AI (2025), 'LLM inference prices have fallen rapidly but unequally across tasks', "
    "llm-benchmark-efficiency @ 34b9233, CC BY 4.0"
)
_RETRIEVED = {"chips": "2026-04-22", "hw": "2025-08-15", "llm": "2025-03-12"}

_ANNUAL_PRICE_CHIPS = ("A100", "H100", "GB200", "GB300", "H20")
_OWNER_FILES = {
    "nvidia": ("nvidia_owner_quarters", "Nvidia"),
    "amd": ("amd_owner_quarters", "AMD"),
    "tpu": ("tpu_owner_quarters", "Google TPU"),
    "trainium": ("trainium_owner_quarters", "Amazon Trainium"),
}
_OWNERS = ("Microsoft", "Meta", "Amazon", "Google", "Oracle")
_RENTAL_MODELS = {"h100": "NVIDIA H100 SXM5 80GB", "a100": "NVIDIA A100 SXM4 80 GB"}
_CHIPS = {
    "h100_sxm": "NVIDIA H100 SXM5 80GB",
    "h200_sxm": "NVIDIA H200 SXM",
    "b200": "NVIDIA B200",
    "a100_sxm_80gb": "NVIDIA A100 SXM4 80 GB",
    "mi300x": "AMD Instinct MI300X",
    "tpu_v5p": "Google TPU v5p",
    "tpu_v6e": "Google TPU v6e Trillium",
    "rtx_4090": "NVIDIA GeForce RTX 4090",
}
_CHIP_FIELDS = {
    "tdp": ("TDP (W)", "W"),
    "fp16_tensor": ("Tensor-FP16/BF16 performance (FLOP/s)", "FLOP/s"),
    "memory": ("Memory size per board (Byte)", "byte"),
    "release_price": ("Release price (USD)", "USD/unit"),
}


def _row(table: str, line: int, **cells: object) -> RawRow:
    full = {c: "" for c in COLUMNS}
    full.update({k: "" if v is None else str(v) for k, v in cells.items()})
    return RawRow(table=f"{table} (from data set)", line=line, cells=full)


def _num(text: object) -> float:
    if text is None:
        return float("nan")
    return float(re.sub(r"[\s$,]", "", str(text)) or "nan")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _unit_prices() -> list[RawRow]:
    table = read_dataset("nvidia_annual_prices")
    rows: list[RawRow] = []
    for _, rec in table.iterrows():
        for chip in _ANNUAL_PRICE_CHIPS:
            low, high = _num(rec.get(f"{chip} low")), _num(rec.get(f"{chip} high"))
            if np.isnan(low) or np.isnan(high):
                continue
            rows.append(
                _row(
                    "unit_prices",
                    len(rows) + 2,
                    name=f"unit_price_{chip.lower()}_{rec['Year']}",
                    value=f"{np.sqrt(low * high):.6g}",
                    unit="USD/unit",
                    low=low,
                    high=high,
                    distribution="loguniform",
                    kind="sourced",
                    retrieved=_RETRIEVED["chips"],
                    source=f"{_EPOCH_CHIPS}, {DATASETS['nvidia_annual_prices']}",
                    note=f"{chip} unit price range in {rec['Year']}; value is its geometric mean",
                )
            )
    return rows


def _quarter_label(start: str) -> str:
    ts = pd.Timestamp(start)
    return f"{ts.year}q{ts.quarter}"


def _purchases() -> list[RawRow]:
    rows: list[RawRow] = []
    for vendor, (key, label) in _OWNER_FILES.items():
        table = read_dataset(key)
        table = table[table["Owner"].isin(_OWNERS)]
        cols = [
            "Compute estimate in H100e (median)",
            "H100e (5th percentile)",
            "H100e (95th percentile)",
        ]
        nums = table[cols].map(_num)
        grouped = nums.groupby([table["Owner"], table["Start date"].map(_quarter_label)]).sum()
        for (owner, quarter), (med, p5, p95) in grouped.iterrows():
            rows.append(
                _row(
                    "purchases",
                    len(rows) + 2,
                    name=f"purchases_h100e_{vendor}_{owner.lower()}_{quarter}",
                    value=f"{med:.6g}",
                    unit="H100e",
                    low=f"{min(p5, med):.6g}",
                    high=f"{max(p95, med):.6g}",
                    distribution="empirical",
                    kind="sourced",
                    retrieved=_RETRIEVED["chips"],
                    source=f"{_EPOCH_CHIPS}, {DATASETS[key]}",
                    note=f"{label} accelerators bought by {owner} in {quarter.upper()}, in H100-"
                    "equivalents: Epoch median; low/high are its 5th/95th percentiles (summed "
                    "over chip types where the file splits them)",
                )
            )
    return rows


def _rentals() -> list[RawRow]:
    table = read_dataset("hardware_prices")
    price = table["Price per chip-hour (on-demand)"].map(_num)
    year = table["Price date"].str.slice(0, 4)
    rows: list[RawRow] = []
    for short, model in _RENTAL_MODELS.items():
        picked = price[(table["Hardware model"] == model) & price.notna()]
        for y, group in picked.groupby(year[picked.index]):
            rows.append(
                _row(
                    "rental_prices",
                    len(rows) + 2,
                    name=f"rental_price_{short}_on_demand_{y}",
                    value=f"{group.median():.6g}",
                    unit="USD/hour",
                    low=f"{group.min():.6g}",
                    high=f"{group.max():.6g}",
                    distribution="empirical",
                    kind="sourced",
                    retrieved=_RETRIEVED["hw"],
                    source=f"{_EPOCH_HW}, {DATASETS['hardware_prices']}",
                    note=f"median of {len(group)} on-demand quotes for {model} dated {y} "
                    "(all vendors, hyperscaler list prices included); low/high are min/max",
                )
            )
    return rows


def _chip_specs() -> list[RawRow]:
    table = read_dataset("chip_dataset").set_index("Hardware name")
    rows: list[RawRow] = []
    for short, model in _CHIPS.items():
        for field, (column, unit) in _CHIP_FIELDS.items():
            value = _num(table.at[model, column])
            if np.isnan(value):
                continue
            rows.append(
                _row(
                    "chips",
                    len(rows) + 2,
                    name=f"chip_{short}_{field}",
                    value=f"{value:.8g}",
                    unit=unit,
                    kind="sourced",
                    retrieved=_RETRIEVED["hw"],
                    source=f"{_EPOCH_HW}, {DATASETS['chip_dataset']}",
                    note=f"{model}: {column}",
                )
            )
    return rows


def _llm_price_fits() -> list[RawRow]:
    table = read_dataset("llm_price_fits")
    rows: list[RawRow] = []
    names: list[str] = []
    for _, rec in table.iterrows():
        low, high = json.loads(rec["price_reduction_factor_per_year_90_ci"])
        name = f"llm_price_decline_epoch_{_slug(rec['bench'])}_{_slug(rec['threshold_model'])}"
        names.append(name)
        rows.append(
            _row(
                "llm_price_fits",
                len(rows) + 2,
                name=name,
                value=f"{1.0 / _num(rec['price_reduction_factor_per_year']):.8g}",
                low=f"{1.0 / high:.8g}",
                high=f"{1.0 / low:.8g}",
                unit="x/year",
                distribution="lognormal",
                kind="sourced",
                retrieved=_RETRIEVED["llm"],
                source=f"{_EPOCH_LLM}, {DATASETS['llm_price_fits']}",
                note="annual price factor (<1 is a decline) of the cheapest model scoring at least "
                f"{rec['threshold_model']} on {rec['bench']}, n={rec['sample_size']}, "
                f"{rec['start_date']} to {rec['end_date']}, R2={rec['r_squared']}; low/high are "
                "Epoch's 90 % interval",
            )
        )
    rows.append(
        _row(
            "llm_price_fits",
            len(rows) + 2,
            name="llm_price_decline_epoch_median",
            unit="x/year",
            kind="derived",
            formula=f"median({', '.join(names)})",
            low=f"min({', '.join(names)})",
            high=f"max({', '.join(names)})",
            distribution="loguniform",
            source=_EPOCH_LLM,
            note="median over Epoch's per-benchmark fits of the annual price factor for fixed "
            "capability; the range spans the fastest and slowest benchmark (the 9-900x/year "
            "spread)",
        )
    )
    return rows


def _llm_price_rows() -> list[RawRow]:
    table = read_dataset("llm_prices")
    rows: list[RawRow] = []
    for _, rec in table.iterrows():
        price = _num(rec["USD per 1M Tokens"])
        if np.isnan(price):
            continue
        scores = [
            f"{col} {rec[col]}"
            for col in ("MMLU", "GPQA Diamond", "HumanEval", "MATH-500")
            if rec[col] is not None
        ]
        rows.append(
            _row(
                "llm_prices",
                len(rows) + 2,
                name=f"llm_price_epoch_{_slug(rec['Model Name'].replace('+', ' plus'))}_"
                f"{_slug(rec['Release Date'])}",
                value=f"{price:.8g}",
                unit="USD/Mtok",
                kind="sourced",
                retrieved=_RETRIEVED["llm"],
                source=f"{_EPOCH_LLM}, {DATASETS['llm_prices']}",
                note=f"{rec['Model Name']}, released {rec['Release Date']}: 3:1 blended "
                f"input:output price; {', '.join(scores) or 'no benchmark scores'}",
            )
        )
    return rows


def dataset_rows() -> list[RawRow]:
    """Return every register row built from the shipped data sets.

    Returns
    -------
    list of RawRow
        Rows as text, to be validated like typed rows.
    """
    return [
        *_unit_prices(),
        *_purchases(),
        *_rentals(),
        *_chip_specs(),
        *_llm_price_fits(),
        *_llm_price_rows(),
    ]
