"""Merit-order dispatch of capacity cohorts (pure, vectorised over every leading axis)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["merit_order_dispatch"]


def merit_order_dispatch(
    capacity: ArrayLike, demand: ArrayLike, cost: ArrayLike, price: ArrayLike
) -> np.ndarray:
    """Serve demand from the cheapest cohorts first, each up to its capacity.

    Parameters
    ----------
    capacity : ndarray, shape (..., V, T)
        Capacity of each cohort in each period. [Mtok per period]
    demand : ndarray, shape (..., 1, T)
        Demand in each period. [Mtok per period]
    cost : ndarray, shape (..., V, T)
        Marginal (energy) cost of serving one unit from each cohort. [USD/Mtok]
    price : ndarray, shape (..., 1, T)
        Price per unit; a cohort whose marginal cost exceeds it is not dispatched. [USD/Mtok]

    Returns
    -------
    ndarray, shape (..., V, T)
        Served volume of each cohort; sums over V to ``min(demand, economic capacity)``.
        [Mtok per period]

    Notes
    -----
    Cohorts are sorted by cost along V (a stable sort, so equal costs keep their order),
    capacity is accumulated, and cohort ``i`` serves
    ``clip(demand - cum_before_i, 0, capacity_i)``.
    """
    capacity = np.where(cost <= price, capacity, 0.0)
    order = np.argsort(cost, axis=-2, kind="stable")
    cap_sorted = np.take_along_axis(capacity, order, axis=-2)
    before = np.cumsum(cap_sorted, axis=-2) - cap_sorted
    served_sorted = np.clip(demand - before, 0.0, cap_sorted)
    served = np.empty_like(served_sorted)
    np.put_along_axis(served, order, served_sorted, axis=-2)
    return served
