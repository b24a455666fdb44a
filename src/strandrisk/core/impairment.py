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
        Impairment loss recognised in each quarter, net of any IFRS reversal in it
        (negative when the reversal is larger). [USD]
    carrying : ndarray, shape (S, K, T)
        Carrying amount at the end of each quarter, after the test. [USD]
    reversal : ndarray, shape (S, K, T)
        The IFRS reversal in each quarter (>= 0; zero under US GAAP), included in
        ``charge``: the gross loss is ``charge + reversal``. [USD]
    depreciation : ndarray or None, shape (S, K, T)
        Depreciation of the written-down assets on their carrying amounts (after earlier
        write-downs and reversals; IAS 36.63, ASC 360-10-35-20), when the test was given
        their opening balances and additions. [USD]
    """

    charge: np.ndarray
    carrying: np.ndarray
    reversal: np.ndarray
    depreciation: np.ndarray | None = None


def _depreciation_on_carrying(
    ratio: np.ndarray, bv: np.ndarray, before: np.ndarray, additions: np.ndarray
) -> np.ndarray:
    """Depreciation in a quarter on carrying amounts, before that quarter's test.

    Every cohort's scheduled book moves by its additions less its scheduled depreciation;
    on the carrying amounts (the schedule times each cohort's ratio, 1 for a new cohort)
    the same movement is ``sum(ratio * (bv - before))``, so the depreciation is the
    additions less it.
    """
    return additions - ordered_sum(ratio * (bv - before))


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
    book_v: np.ndarray,
    other: np.ndarray,
    recoverable: np.ndarray,
    allow_reversal: bool = True,
    opening: np.ndarray | None = None,
    additions: np.ndarray | None = None,
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
    opening : ndarray, shape (S, K, V), optional
        Scheduled book value of each cohort at the start of the first quarter (zero for
        cohorts built later); with ``additions``, the depreciation on carrying amounts is
        returned too. [USD]
    additions : ndarray, shape (S, K, T), optional
        Cost of the impairable cohorts commissioned in each quarter. [USD]

    Returns
    -------
    ImpairmentPath
        Loss per quarter, reversals, carrying amount after the test and (given ``opening``
        and ``additions``) depreciation on carrying amounts.
    """
    s, k, v, t = book_v.shape
    ratio = np.ones((s, k, v))
    charge = np.zeros((s, k, t))
    carrying = np.zeros((s, k, t))
    reversal = np.zeros((s, k, t))
    dep = _track(opening, additions, (s, k, t))
    before = opening
    for q in range(t):
        bv = book_v[..., q]
        if dep is not None and before is not None and additions is not None:
            dep[..., q] = _depreciation_on_carrying(ratio, bv, before, additions[..., q])
            before = bv
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
            reversal[..., q] = headroom
        charge[..., q] = taken
        carrying[..., q] = _carrying(ratio, bv, other[..., q])
    return ImpairmentPath(charge=charge, carrying=carrying, reversal=reversal, depreciation=dep)


def _track(
    opening: np.ndarray | None, additions: np.ndarray | None, shape: tuple[int, ...]
) -> np.ndarray | None:
    """Room for the depreciation on carrying amounts, if the test can compute it."""
    if (opening is None) != (additions is None):
        raise ValueError("opening and additions: give both or neither")
    return None if opening is None else np.zeros(shape)


def impairment_usgaap(
    book_v: np.ndarray,
    other: np.ndarray,
    undiscounted: np.ndarray,
    fair_value: np.ndarray,
    opening: np.ndarray | None = None,
    additions: np.ndarray | None = None,
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
    opening : ndarray, shape (S, K, V), optional
        As in :func:`impairment_ifrs`. [USD]
    additions : ndarray, shape (S, K, T), optional
        As in :func:`impairment_ifrs`. [USD]

    Returns
    -------
    ImpairmentPath
        Loss per quarter (never negative: no reversals under US GAAP), carrying amount and
        (given ``opening`` and ``additions``) depreciation on carrying amounts.
    """
    s, k, v, t = book_v.shape
    ratio = np.ones((s, k, v))
    charge = np.zeros((s, k, t))
    carrying = np.zeros((s, k, t))
    dep = _track(opening, additions, (s, k, t))
    before = opening
    for q in range(t):
        bv = book_v[..., q]
        if dep is not None and before is not None and additions is not None:
            dep[..., q] = _depreciation_on_carrying(ratio, bv, before, additions[..., q])
            before = bv
        c = _carrying(ratio, bv, other[..., q])
        fails = undiscounted[..., q] < c
        loss = np.where(fails, np.maximum(c - fair_value[..., q], 0.0), 0.0)
        ratio, taken = _write_down(ratio, bv, loss)
        charge[..., q] = taken
        carrying[..., q] = _carrying(ratio, bv, other[..., q])
    return ImpairmentPath(
        charge=charge, carrying=carrying, reversal=np.zeros_like(charge), depreciation=dep
    )
