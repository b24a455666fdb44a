"""Impairment of a cash-generating unit under IFRS (IAS 36) and US GAAP (ASC 360).

The test runs quarter by quarter because a write-down changes every later carrying
amount (the only loop over time in the model; it is over (S, K, V) arrays, never over
scenarios or cohorts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strandrisk.core.numeric import ordered_sum

__all__ = ["ImpairmentPath", "impairment_ifrs", "impairment_usgaap"]


@dataclass(frozen=True, slots=True)
class ImpairmentPath:
    """Result of applying one standard over time.

    Attributes
    ----------
    charge : ndarray, shape (S, K, T)
        Impairment loss recognised in each quarter; negative for an IFRS reversal. [USD]
    carrying : ndarray, shape (S, K, T)
        Carrying amount at the end of each quarter, after the test. [USD]
    """

    charge: np.ndarray
    carrying: np.ndarray


def _carrying(ratio: np.ndarray, book_v: np.ndarray, other: np.ndarray) -> np.ndarray:
    return ordered_sum(ratio * book_v) + other


def _write_down(
    ratio: np.ndarray, book_v: np.ndarray, loss: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Allocate ``loss`` pro rata to the carrying amounts of the cohorts on the books."""
    impairable = ordered_sum(ratio * book_v)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(impairable > 0, 1.0 - np.minimum(loss, impairable) / impairable, 1.0)
    return np.where(book_v > 0, ratio * keep[..., None], ratio), np.minimum(loss, impairable)


def impairment_ifrs(
    book_v: np.ndarray, other: np.ndarray, recoverable: np.ndarray, allow_reversal: bool = True
) -> ImpairmentPath:
    """IAS 36: impair whenever the carrying amount exceeds the recoverable amount.

    Parameters
    ----------
    book_v : ndarray, shape (S, K, V, T)
        Scheduled (unimpaired) book value of each impairable cohort at the end of each
        quarter. [USD]
    other : ndarray, shape (S, K, T)
        Carrying amount of the CGU's assets tested but not written down (facilities,
        measured at depreciated replacement cost). [USD]
    recoverable : ndarray, shape (S, K, T)
        Recoverable amount, ``max(value in use, fair value less costs of disposal)``. [USD]
    allow_reversal : bool
        Reverse earlier losses when the recoverable amount recovers, up to the carrying
        amount the assets would have had without impairment (IAS 36.117). [-]

    Returns
    -------
    ImpairmentPath
        Loss per quarter and carrying amount after the test.
    """
    s, k, v, t = book_v.shape
    ratio = np.ones((s, k, v))
    charge = np.zeros((s, k, t))
    carrying = np.zeros((s, k, t))
    for q in range(t):
        bv = book_v[..., q]
        c = _carrying(ratio, bv, other[..., q])
        loss = np.maximum(c - recoverable[..., q], 0.0)
        ratio, taken = _write_down(ratio, bv, loss)
        if allow_reversal:
            impaired = ordered_sum((1.0 - ratio) * bv)
            headroom = np.clip(recoverable[..., q] - c, 0.0, impaired)
            with np.errstate(divide="ignore", invalid="ignore"):
                back = np.where(impaired > 0, headroom / impaired, 0.0)
            ratio = ratio + (1.0 - ratio) * back[..., None]
            taken = taken - headroom
        charge[..., q] = taken
        carrying[..., q] = _carrying(ratio, bv, other[..., q])
    return ImpairmentPath(charge=charge, carrying=carrying)


def impairment_usgaap(
    book_v: np.ndarray, other: np.ndarray, undiscounted: np.ndarray, fair_value: np.ndarray
) -> ImpairmentPath:
    """ASC 360: impair only if undiscounted cash flows fall short of the carrying amount.

    Parameters
    ----------
    book_v : ndarray, shape (S, K, V, T)
        Scheduled book value of each impairable cohort. [USD]
    other : ndarray, shape (S, K, T)
        Carrying amount of assets in the group that are not written down. [USD]
    undiscounted : ndarray, shape (S, K, T)
        Undiscounted future cash flows of the asset group (step 1, recoverability). [USD]
    fair_value : ndarray, shape (S, K, T)
        Fair value of the asset group (step 2, measurement). [USD]

    Returns
    -------
    ImpairmentPath
        Loss per quarter (never negative: no reversals under US GAAP) and carrying amount.
    """
    s, k, v, t = book_v.shape
    ratio = np.ones((s, k, v))
    charge = np.zeros((s, k, t))
    carrying = np.zeros((s, k, t))
    for q in range(t):
        bv = book_v[..., q]
        c = _carrying(ratio, bv, other[..., q])
        fails = undiscounted[..., q] < c
        loss = np.where(fails, np.maximum(c - fair_value[..., q], 0.0), 0.0)
        ratio, taken = _write_down(ratio, bv, loss)
        charge[..., q] = taken
        carrying[..., q] = _carrying(ratio, bv, other[..., q])
    return ImpairmentPath(charge=charge, carrying=carrying)
