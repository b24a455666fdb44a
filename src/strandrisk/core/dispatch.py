"""Merit-order dispatch of capacity cohorts (pure, vectorised over every leading axis)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from strandrisk.core.numeric import ordered_cumsum

__all__ = ["merit_order_dispatch"]


def merit_order_dispatch(
    capacity: ArrayLike,
    demand: ArrayLike,
    cost: ArrayLike,
    price: ArrayLike,
    order: np.ndarray | None = None,
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
    order : ndarray of int, shape (..., V, 1), optional
        Merit order along V when it is the same in every period (costs that differ by a
        common factor over time); computed from ``cost`` when omitted. [-]

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
    cost = np.asarray(cost, dtype=float)
    capacity = np.where(cost <= price, capacity, 0.0)
    if order is None:
        order = np.argsort(cost, axis=-2, kind="stable")
    cap_sorted = np.take_along_axis(capacity, order, axis=-2)
    before = ordered_cumsum(cap_sorted, axis=-2)
    before -= cap_sorted
    served_sorted = np.minimum(np.maximum(demand - before, 0.0), cap_sorted)
    served = np.empty_like(served_sorted)
    np.put_along_axis(served, np.broadcast_to(order, served.shape), served_sorted, axis=-2)
    return served
