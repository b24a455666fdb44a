"""Total cost of ownership of inference options: memory fit, throughput, units, costs.

Pure and broadcasting. Decode throughput is memory-bandwidth bound: each generated token
reads the active parameters once, so one replica serves about
``batch * efficiency * bandwidth / (active parameters * bytes per parameter)`` tokens a
second.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "HOURS_PER_YEAR",
    "api_cost",
    "decode_throughput",
    "devices_per_replica",
    "model_memory_gb",
    "owned_cost",
    "units_needed",
]

HOURS_PER_YEAR = 8766.0
"""Hours in a 365.25-day year. [hour]"""


def model_memory_gb(
    total_parameters: ArrayLike, bits: ArrayLike, kv_cache_gb: ArrayLike = 0.0
) -> np.ndarray:
    """Memory to hold a model: weights at the given precision plus the KV cache.

    Parameters
    ----------
    total_parameters : array-like
        All parameters (a Mixture of Experts holds every expert). [parameters]
    bits : array-like
        Bits per parameter (16, 8, 4). [bits]
    kv_cache_gb : array-like, optional
        KV cache for the served context and batch. [GB]

    Returns
    -------
    ndarray
        ``total_parameters * bits / 8 / 1e9 + kv_cache_gb``. [GB]

    Examples
    --------
    >>> float(model_memory_gb(70e9, 4))
    35.0
    """
    return np.asarray(total_parameters, float) * np.asarray(bits, float) / 8e9 + np.asarray(
        kv_cache_gb, float
    )


def devices_per_replica(
    model_gb: ArrayLike, device_gb: ArrayLike, max_devices: ArrayLike
) -> np.ndarray:
    """Devices that must pool their memory to hold one copy of the model.

    Parameters
    ----------
    model_gb : array-like
        Memory the model needs. [GB]
    device_gb : array-like
        Memory of one device (a GPU, a Mac, a CPU socket's DRAM). [GB]
    max_devices : array-like
        Most devices one replica may span (the GPUs in a server; 1 for a lone card). [count]

    Returns
    -------
    ndarray
        ``ceil(model_gb / device_gb)``, or 0 where that exceeds ``max_devices`` (the model
        does not fit). [count]
    """
    need = np.ceil(np.asarray(model_gb, float) / np.asarray(device_gb, float))
    return np.where(need <= np.asarray(max_devices, float), need, 0.0)


def decode_throughput(
    bandwidth_gbs: ArrayLike,
    devices: ArrayLike,
    active_parameters: ArrayLike,
    bits: ArrayLike,
    efficiency: ArrayLike,
    batch: ArrayLike,
) -> np.ndarray:
    """Tokens per second one replica generates.

    Parameters
    ----------
    bandwidth_gbs : array-like
        Memory bandwidth of one device. [GB/s]
    devices : array-like
        Devices in the replica (their bandwidth adds up). [count]
    active_parameters : array-like
        Parameters read per token (all of them for a dense model). [parameters]
    bits : array-like
        Bits per parameter. [bits]
    efficiency : array-like
        Share of peak bandwidth achieved, 0-1. [fraction]
    batch : array-like
        Concurrent sequences decoded together (each pass over the weights serves all). [count]

    Returns
    -------
    ndarray
        ``batch * efficiency * devices * bandwidth / (active * bits / 8)``. [tokens/s]
    """
    bytes_per_token = np.asarray(active_parameters, float) * np.asarray(bits, float) / 8.0
    total_bw = np.asarray(bandwidth_gbs, float) * 1e9 * np.asarray(devices, float)
    return np.asarray(batch, float) * np.asarray(efficiency, float) * total_bw / bytes_per_token


def units_needed(
    tokens_per_day: ArrayLike,
    utilisation: ArrayLike,
    replica_tokens_per_s: ArrayLike,
    devices_per_replica_: ArrayLike,
    devices_per_unit: ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """Replicas and purchasable units needed to serve a daily volume.

    Parameters
    ----------
    tokens_per_day : array-like
        Average daily volume. [tokens/day]
    utilisation : array-like
        Average load over peak capacity, 0-1 (capacity is sized for the peak). [fraction]
    replica_tokens_per_s : array-like
        Throughput of one replica. [tokens/s]
    devices_per_replica_ : array-like
        Devices per replica. [count]
    devices_per_unit : array-like
        Devices in one purchasable unit (GPUs in a server, 1 for a Mac). [count]

    Returns
    -------
    replicas, units : ndarray
        Whole numbers (at least one of each for a positive volume). [count]
    """
    peak = np.asarray(tokens_per_day, float) / 86_400.0 / np.asarray(utilisation, float)
    replicas = np.maximum(np.ceil(peak / np.asarray(replica_tokens_per_s, float)), 1.0)
    units = np.ceil(
        replicas * np.asarray(devices_per_replica_, float) / np.asarray(devices_per_unit, float)
    )
    return replicas, units


def owned_cost(
    units: ArrayLike,
    unit_capex: ArrayLike,
    unit_power_w: ArrayLike,
    idle_fraction: ArrayLike,
    utilisation: ArrayLike,
    pue: ArrayLike,
    electricity_price: ArrayLike,
    ops_per_unit_year: ArrayLike,
    years: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capex, energy and operations of owned hardware over a horizon.

    Parameters
    ----------
    units : array-like
        Units bought at the start. [count]
    unit_capex : array-like
        Price of one unit. [USD]
    unit_power_w : array-like
        Power of one unit at full load. [W]
    idle_fraction : array-like
        Power at idle as a share of full load. [fraction]
    utilisation : array-like
        Average load. [fraction]
    pue : array-like
        Power usage effectiveness of the room (1 for a desk). [ratio]
    electricity_price : array-like
        [USD/kWh]
    ops_per_unit_year : array-like
        Operations, support and space per unit per year. [USD/year]
    years : array-like
        Horizon. [year]

    Returns
    -------
    capex, energy_kwh, energy_cost, operations : ndarray
        [USD], [kWh], [USD], [USD]
    """
    units = np.asarray(units, float)
    load = np.asarray(idle_fraction, float) + (1.0 - np.asarray(idle_fraction, float)) * np.asarray(
        utilisation, float
    )
    kwh = (
        units
        * np.asarray(unit_power_w, float)
        / 1000.0
        * load
        * np.asarray(pue, float)
        * HOURS_PER_YEAR
        * np.asarray(years, float)
    )
    return (
        units * np.asarray(unit_capex, float),
        kwh,
        kwh * np.asarray(electricity_price, float),
        units * np.asarray(ops_per_unit_year, float) * np.asarray(years, float),
    )


def api_cost(
    tokens_in_per_day: ArrayLike,
    tokens_out_per_day: ArrayLike,
    price_in: ArrayLike,
    price_out: ArrayLike,
    annual_factor: ArrayLike,
    years: ArrayLike,
) -> np.ndarray:
    """Cost of buying the tokens from an API whose price changes by a factor each year.

    Parameters
    ----------
    tokens_in_per_day, tokens_out_per_day : array-like
        Daily input and output volumes. [tokens/day]
    price_in, price_out : array-like
        Prices at the start. [USD/Mtok]
    annual_factor : array-like
        Price one year later over price now (1 = flat, 0.5 = halves every year). [x/year]
    years : array-like
        Horizon. [year]

    Returns
    -------
    ndarray
        ``365.25 * daily spend * integral_0^years f^t dt``. [USD]
    """
    f = np.asarray(annual_factor, float)
    y = np.asarray(years, float)
    log_f = np.log(f)
    integral = np.where(
        np.abs(log_f) < 1e-12, y, (f**y - 1.0) / np.where(np.abs(log_f) < 1e-12, 1.0, log_f)
    )
    daily = (
        np.asarray(tokens_in_per_day, float) * np.asarray(price_in, float)
        + np.asarray(tokens_out_per_day, float) * np.asarray(price_out, float)
    ) / 1e6
    return daily * 365.25 * integral
