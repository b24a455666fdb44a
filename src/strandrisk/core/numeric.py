"""Order-stable reductions.

NumPy may add the elements of a reduction in a different order (pairwise or sequential)
depending on the shape of the whole array, so a scenario's sum could change in its last
bit with the size of the batch it is in. :func:`ordered_sum` always adds left to right,
which makes every result independent of batch size, chunk size and worker count.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["ordered_cumsum", "ordered_sum", "power"]


def ordered_sum(x: ArrayLike, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """Sum along ``axis`` strictly left to right (the last running sum of ``add.accumulate``).

    Parameters
    ----------
    x : array-like
        Values. [any unit]
    axis : int
        Axis to reduce. [-]
    keepdims : bool
        Keep the reduced axis with length 1. [-]

    Returns
    -------
    ndarray
        The sums; bit-identical for a given row whatever the other axes' lengths.
        [unit of x]
    """
    arr = np.asarray(x)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    n = arr.shape[axis]
    if n == 0:
        out = np.zeros(np.delete(arr.shape, axis % arr.ndim))
    elif n <= _SLICES or arr.size >= _ROWS_PER_SLICE * n:
        # one whole-array addition per element of the axis, in order: the additions of
        # add.accumulate, without its cost per row (a short axis, or many rows)
        parts = np.moveaxis(arr, axis, 0)
        out = parts[0].copy()
        for part in parts[1:]:
            out += part
    else:
        # add.accumulate adds strictly left to right, unlike add.reduce (pairwise)
        out = np.take(np.add.accumulate(arr, axis=axis), -1, axis=axis)
    return np.expand_dims(out, axis) if keepdims else out


_SLICES = 8
"""Axes this short are summed slice by slice whatever the number of rows."""
_ROWS_PER_SLICE = 1000
"""Longer axes too, from this many rows on (fewer: ``add.accumulate``, one call)."""


def power(base: ArrayLike, exponent: ArrayLike) -> np.ndarray:
    """Raise ``base`` to ``exponent`` on materialised, contiguous operands.

    NumPy may evaluate ``np.power`` with a vectorised routine for contiguous operands and
    a scalar one for broadcast (stride-0) operands; the two can differ in the last bit.
    Materialising both operands to the broadcast shape makes a scenario's result
    independent of the batch it is in.

    Parameters
    ----------
    base, exponent : array-like
        Operands, broadcast together. [-]

    Returns
    -------
    ndarray
        The power, broadcast shape. [-]
    """
    b, e = np.broadcast_arrays(np.asarray(base, dtype=float), np.asarray(exponent, dtype=float))
    return np.power(np.ascontiguousarray(b), np.ascontiguousarray(e))


def ordered_cumsum(x: ArrayLike, axis: int = -1, reverse: bool = False) -> np.ndarray:
    """Cumulative sum along ``axis``, strictly in order (or from the end if ``reverse``).

    ``np.add.accumulate`` is sequential whatever the array's shape, so each running sum
    is bit-identical however many scenarios share the array.

    Parameters
    ----------
    x : array-like
        Values. [any unit]
    axis : int
        Axis to accumulate along. [-]
    reverse : bool
        Accumulate from the last element back (a sum over the remaining elements). [-]

    Returns
    -------
    ndarray
        Running sums, the shape of ``x``. [unit of x]
    """
    arr = np.asarray(x, dtype=float)
    if not reverse:
        return np.add.accumulate(arr, axis=axis)
    flipped = np.flip(arr, axis=axis)
    return np.flip(np.add.accumulate(flipped, axis=axis), axis=axis)
