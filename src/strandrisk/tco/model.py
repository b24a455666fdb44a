"""TCO of serving one workload by each option: cloud API, rented GPUs, owned hardware.

``compare(workload, options)`` sizes each option for the workload (memory fit, replicas,
units), prices it over the horizon and finds the break-even daily volume between each
pair. Pure arithmetic over :mod:`strandrisk.core.tco`; files are read in
:mod:`strandrisk.io.workload`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import pandas as pd

from strandrisk.core.tco import (
    HOURS_PER_YEAR,
    api_cost,
    decode_throughput,
    devices_per_replica,
    model_memory_gb,
    owned_cost,
    units_needed,
)

__all__ = ["KINDS", "SUMMARY_COLUMNS", "Option", "OptionResult", "TCOResult", "Workload", "compare"]

KINDS = ("api", "rental", "owned")

MAX_HORIZON_YEARS = 50.0
"""Longest TCO horizon accepted, from a workload file or ``--horizon``. [year]"""


def _positive(obj: object, names: tuple[str, ...], where: str, allow_zero: bool = False) -> None:
    for name in names:
        value = getattr(obj, name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(f"{where}.{name}: expected a finite number, got {value!r}")
        if value < 0 or (value == 0 and not allow_zero):
            raise ValueError(
                f"{where}.{name}: must be {'>= 0' if allow_zero else '> 0'}, got {value!r}"
            )


@dataclass(frozen=True, slots=True)
class Workload:
    """An inference workload.

    Attributes
    ----------
    tokens_in_per_day, tokens_out_per_day : float
        Average daily input (prompt) and output (generated) tokens. [tokens/day]
    total_parameters, active_parameters : float
        Model size, and parameters read per token (equal for a dense model). [parameters]
    bits : float
        Precision of the weights. [bits]
    kv_cache_gb : float
        Memory for the KV cache of the served context and batch. [GB]
    utilisation : float
        Average load over peak capacity; hardware is sized for the peak. [fraction]
    horizon_years : float
        Period of the comparison. [year]
    prefill_speedup : float
        How many times faster input tokens are processed than output tokens are
        generated (prefill is compute-bound and batched). [ratio]
    """

    tokens_in_per_day: float
    tokens_out_per_day: float
    total_parameters: float
    active_parameters: float
    bits: float = 16.0
    kv_cache_gb: float = 0.0
    utilisation: float = 0.5
    horizon_years: float = 3.0
    prefill_speedup: float = 10.0

    def __post_init__(self) -> None:
        _positive(
            self,
            ("tokens_in_per_day", "tokens_out_per_day", "kv_cache_gb"),
            "workload",
            allow_zero=True,
        )
        _positive(
            self,
            ("total_parameters", "active_parameters", "bits", "horizon_years", "prefill_speedup"),
            "workload",
        )
        if self.tokens_in_per_day + self.tokens_out_per_day <= 0:
            raise ValueError("workload: the daily token volume must be positive")
        if not 0 < self.utilisation <= 1:
            raise ValueError(f"workload.utilisation: must be in (0, 1], got {self.utilisation!r}")
        if self.active_parameters > self.total_parameters:
            raise ValueError("workload.active_parameters: cannot exceed total_parameters")
        if self.horizon_years > MAX_HORIZON_YEARS:
            raise ValueError(
                f"workload.horizon_years: must be in (0, {MAX_HORIZON_YEARS:g}], "
                f"got {self.horizon_years!r}"
            )

    @property
    def tokens_per_day(self) -> float:
        """Input plus output tokens a day, in tokens/day."""
        return self.tokens_in_per_day + self.tokens_out_per_day

    @property
    def decode_equivalent_per_day(self) -> float:
        """Output tokens plus input tokens at the prefill speed-up, in tokens/day."""
        return self.tokens_out_per_day + self.tokens_in_per_day / self.prefill_speedup

    def scaled(self, factor: float) -> Workload:
        """Return the same workload with both volumes multiplied by ``factor``.

        Parameters
        ----------
        factor : float
            Multiplier of the token volumes (> 0). [-]
        """
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["tokens_in_per_day"] *= factor
        values["tokens_out_per_day"] *= factor
        return Workload(**values)


@dataclass(frozen=True, slots=True)
class Option:
    """One way to serve the workload.

    ``api``: ``price_in``, ``price_out`` [USD/Mtok] and their ``annual_factor`` [x/year].
    ``rental``: ``rate_per_device_hour`` [USD/hour], billed for every device around the
    clock. ``owned``: ``unit_capex`` [USD], ``unit_power_w`` [W], ``idle_fraction``,
    ``pue``, ``electricity_price`` [USD/kWh], ``ops_per_unit_year`` [USD/year].
    ``rental`` and ``owned`` also need the device: ``device_memory_gb`` [GB],
    ``bandwidth_gbs`` [GB/s], ``devices_per_unit``, ``max_devices_per_replica`` (how many
    devices may pool memory for one model copy), ``efficiency`` and ``batch``.
    """

    name: str
    kind: str
    label: str = ""
    price_in: float = 0.0
    price_out: float = 0.0
    annual_factor: float = 1.0
    rate_per_device_hour: float = 0.0
    unit_capex: float = 0.0
    unit_power_w: float = 0.0
    idle_fraction: float = 0.3
    pue: float = 1.0
    electricity_price: float = 0.0
    ops_per_unit_year: float = 0.0
    device_memory_gb: float = 0.0
    bandwidth_gbs: float = 0.0
    devices_per_unit: float = 1.0
    max_devices_per_replica: float = 1.0
    efficiency: float = 0.6
    batch: float = 1.0
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        where = f"options.{self.name}"
        if self.kind not in KINDS:
            raise ValueError(f"{where}.kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.kind == "api":
            _positive(self, ("price_in", "price_out"), where, allow_zero=True)
            _positive(self, ("annual_factor",), where)
            return
        _positive(
            self,
            (
                "device_memory_gb",
                "bandwidth_gbs",
                "devices_per_unit",
                "max_devices_per_replica",
                "efficiency",
                "batch",
            ),
            where,
        )
        if self.efficiency > 1:
            raise ValueError(f"{where}.efficiency: must be in (0, 1], got {self.efficiency!r}")
        for name in ("devices_per_unit", "max_devices_per_replica", "batch"):
            if getattr(self, name) != int(getattr(self, name)):
                raise ValueError(
                    f"{where}.{name}: must be a whole number, got {getattr(self, name)!r}"
                )
        if self.kind == "rental":
            _positive(self, ("rate_per_device_hour",), where)
        else:
            _positive(
                self,
                (
                    "unit_capex",
                    "unit_power_w",
                    "pue",
                    "electricity_price",
                    "ops_per_unit_year",
                    "idle_fraction",
                ),
                where,
                allow_zero=True,
            )
            if self.pue < 1 or self.idle_fraction > 1:
                raise ValueError(f"{where}: pue must be >= 1 and idle_fraction <= 1")


SUMMARY_COLUMNS = (
    "fits_in_memory",
    "units",
    "capex",
    "energy_kwh",
    "energy_cost",
    "total_cost",
    "usd_per_mtok",
)
"""Per-option results shown by ``strandrisk tco`` (JSON, after ``option``) and its report."""


@dataclass(frozen=True, slots=True)
class OptionResult:
    """An option priced for the workload over the horizon.

    Money in USD; ``energy_kwh`` in kWh; ``units`` purchasable units (servers, Macs) or
    rented devices; ``usd_per_mtok`` over all tokens served in the horizon.
    """

    option: str
    label: str
    kind: str
    fits_in_memory: bool
    devices_per_replica: float
    replica_tokens_per_s: float
    units: float
    capex: float
    energy_kwh: float
    energy_cost: float
    operations: float
    usage_cost: float
    total_cost: float
    usd_per_mtok: float

    def as_json(self) -> dict[str, object]:
        """Return the keys ``strandrisk tco --json`` prints."""
        return {k: getattr(self, k) for k in ("option", *SUMMARY_COLUMNS)}


def _price(option: Option, work: Workload) -> OptionResult:
    """Price ``option`` for ``work``: usage for an API, devices for rental, units owned."""
    years = work.horizon_years
    mtok = work.tokens_per_day * 365.25 * years / 1e6
    if option.kind == "api":
        usage = float(
            api_cost(
                work.tokens_in_per_day,
                work.tokens_out_per_day,
                option.price_in,
                option.price_out,
                option.annual_factor,
                years,
            )
        )
        return _result(option, mtok, rate=math.inf, usage=usage)
    model_gb = model_memory_gb(work.total_parameters, work.bits, work.kv_cache_gb)
    per_replica = float(
        devices_per_replica(model_gb, option.device_memory_gb, option.max_devices_per_replica)
    )
    if per_replica == 0:  # the model does not fit: nothing to price
        nan = math.nan
        return OptionResult(
            option.name, option.label, option.kind, False, 0.0, 0.0, *[nan] * 8
        )  # fmt: skip
    rate = float(
        decode_throughput(
            option.bandwidth_gbs,
            per_replica,
            work.active_parameters,
            work.bits,
            option.efficiency,
            option.batch,
        )
    )
    replicas, units = (
        float(x)
        for x in units_needed(
            work.decode_equivalent_per_day,
            work.utilisation,
            rate,
            per_replica,
            option.devices_per_unit,
        )
    )
    if option.kind == "rental":
        devices = replicas * per_replica
        usage = devices * option.rate_per_device_hour * HOURS_PER_YEAR * years
        return _result(option, mtok, per_replica, rate, units=devices, usage=usage)
    capex, kwh, energy, ops = (
        float(x)
        for x in owned_cost(
            units,
            option.unit_capex,
            option.unit_power_w,
            option.idle_fraction,
            work.utilisation,
            option.pue,
            option.electricity_price,
            option.ops_per_unit_year,
            years,
        )
    )
    return _result(option, mtok, per_replica, rate, units, capex, kwh, energy, ops)


def _result(
    option: Option,
    mtok: float,
    per_replica: float = 0.0,
    rate: float = 0.0,
    units: float = 0.0,
    capex: float = 0.0,
    kwh: float = 0.0,
    energy: float = 0.0,
    ops: float = 0.0,
    usage: float = 0.0,
) -> OptionResult:
    """Return an option's result; ``mtok``: the tokens it serves over the horizon [Mtok].

    The other figures as in :class:`OptionResult` (devices per replica, tokens a second,
    units or devices, USD and kWh over the horizon); its total is usage or capex, energy
    and operations.
    """
    total = capex + energy + ops + usage  # one of usage and the others is zero
    return OptionResult(
        option.name, option.label, option.kind, True, per_replica, rate, units, capex, kwh,
        energy, ops, usage, total, total / mtok,
    )  # fmt: skip


def _cumulative(
    option: Option, result: OptionResult, work: Workload, months: np.ndarray
) -> np.ndarray:
    t = months / 12.0
    if not result.fits_in_memory:
        return np.full(months.shape, np.nan)
    if option.kind == "api":
        return np.array(
            [
                float(
                    api_cost(
                        work.tokens_in_per_day,
                        work.tokens_out_per_day,
                        option.price_in,
                        option.price_out,
                        option.annual_factor,
                        y,
                    )
                )
                for y in t
            ]
        )
    share = t / work.horizon_years
    return result.capex + (result.energy_cost + result.operations + result.usage_cost) * share


def _breakeven(a: Option, b: Option, work: Workload) -> float:
    """Daily volume at which the two options cost the same (NaN if never in 1e-3x..1e4x)."""
    grid = np.logspace(-3, 4, 57)

    def diff(f: float) -> float:
        scaled = work.scaled(f)
        return _price(a, scaled).total_cost - _price(b, scaled).total_cost

    values = [diff(f) for f in grid]
    for i in range(len(grid) - 1):
        if (
            np.isfinite(values[i])
            and np.isfinite(values[i + 1])
            and (values[i] > 0) != (values[i + 1] > 0)
        ):
            lo, hi, f_lo = grid[i], grid[i + 1], values[i]
            for _ in range(50):
                mid = math.sqrt(lo * hi)
                f_mid = diff(mid)
                if (f_mid > 0) == (f_lo > 0):
                    lo, f_lo = mid, f_mid
                else:
                    hi = mid
            return 0.5 * (lo + hi) * work.tokens_per_day
    return math.nan


@dataclass(frozen=True, slots=True)
class TCOResult:
    """The comparison: one row per option, cumulative cost by month, break-even volumes."""

    workload: Workload
    options: list[OptionResult]
    cumulative: pd.DataFrame
    breakeven: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """Option results as a data frame indexed by option."""
        return pd.DataFrame([asdict(r) for r in self.options]).set_index("option")


def compare(workload: Workload, options: list[Option]) -> TCOResult:
    """Price every option for the workload.

    Parameters
    ----------
    workload : Workload
        What is served. [-]
    options : list of Option
        The options. [-]

    Returns
    -------
    TCOResult
        Per-option costs, monthly cumulative cost, and pairwise break-even daily volumes
        [tokens/day] (row option costs less than the column option above the volume when
        the row has the lower cost per token at scale).
    """
    results = [_price(o, workload) for o in options]
    months = np.arange(0, round(workload.horizon_years * 12) + 1, dtype=float)
    cumulative = pd.DataFrame(
        {
            o.name: _cumulative(o, r, workload, months)
            for o, r in zip(options, results, strict=True)
        },
        index=pd.Index(months.astype(int), name="month"),
    )
    names = [o.name for o in options]
    be = pd.DataFrame(np.nan, index=names, columns=names)
    for i, a in enumerate(options):
        for b in options[i + 1 :]:
            be.loc[a.name, b.name] = be.loc[b.name, a.name] = _breakeven(a, b, workload)
    return TCOResult(workload=workload, options=results, cumulative=cumulative, breakeven=be)
